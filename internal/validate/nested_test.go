package validate

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
)

func TestNestedRecordsTheValuesProblemsUnderItsPrefix(t *testing.T) {
	inner := &core.ValidationError{Op: "x.TimeRange", Problems: []core.FieldError{{Field: "start_time", Problem: "is required"}, {Field: "end_time", Problem: "is bad"}}}
	var v V
	v.Nested("time_range.", inner)
	v.Nested("", &core.ValidationError{Problems: []core.FieldError{{Field: "post_payments", Problem: "too many"}}})
	v.NestedItem("post_payments", 2, &core.ValidationError{Problems: []core.FieldError{{Field: "name", Problem: "is required"}}})
	v.Nested("location.", errors.New("broken"))
	v.Nested("device.", nil)
	v.NestedItem("post_discounts", 0, nil)
	err := v.Err("x.Op")
	var ve *core.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, []core.FieldError{
		{Field: "time_range.start_time", Problem: "is required"}, {Field: "time_range.end_time", Problem: "is bad"},
		{Field: "post_payments", Problem: "too many"}, {Field: "post_payments[2].name", Problem: "is required"},
		{Field: "location", Problem: "broken"},
	}, ve.Problems)
	assert.Equal(t, "x.Op", ve.Op)

	assert.Zero(t, testing.AllocsPerRun(20, func() {
		var v V
		v.Nested("time_range.", nil)
		v.NestedItem("post_payments", 3, nil)
		if v.Err("x") != nil {
			t.Fatal("no problem expected")
		}
	}))
}
