package validate

import (
	"errors"
	"strings"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
)

// Nested records the problems of a value that has its own exported
// Validate (a payscore.TimeRange inside a request, say): err is what that
// Validate returned, nil or a *core.ValidationError, and each of its fields
// is recorded under prefix, e.g. "time_range." for time_range.start_time.
// An empty prefix takes the fields as they are, for a check of fields of
// the request itself. Any other error is recorded as a problem of the
// prefix field. Nothing is done, and nothing allocated, when err is nil.
func (v *V) Nested(prefix string, err error) {
	if err == nil {
		return
	}
	var ve *core.ValidationError
	if !errors.As(err, &ve) {
		v.Add(strings.TrimSuffix(prefix, "."), err.Error())
		return
	}
	for _, p := range ve.Problems {
		v.Add(prefix+p.Field, p.Problem)
	}
}

// NestedItem is Nested for item i of the list field list: the problems of
// err are recorded under list[i].<field>. The prefix is built only when err
// is not nil.
func (v *V) NestedItem(list string, i int, err error) {
	if err != nil {
		v.Nested(Index(list, i)+".", err)
	}
}
