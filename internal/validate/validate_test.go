package validate

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
)

func TestCollectsEveryProblemWithoutValues(t *testing.T) {
	var v V
	v.Required("name", "")
	v.MaxBytes("mobile", "13800138000138001380001380001380001", 32)
	v.MaxChars("desc", "一二三四", 3)
	v.Text("summary", "hi 😀")
	v.Pattern("out_trade_no", "a b", regexp.MustCompile(`^[0-9A-Za-z_\-|*]+$`), "letters, digits and _-|*")
	v.URL("avatar", "not a url")
	v.HTTPSURLNoQuery("notify_url", "https://example.com/n?x=1")
	OneOf(&v, "state", "X", []string{"A", "B"})
	Range(&v, "limit", 11, 1, 10)
	var max = "ok"
	v.OptionalText("note", &max, 10)
	v.OptionalText("absent", nil, 1)
	err := v.Err("pkg.Op")
	var ve *core.ValidationError
	require.True(t, errors.As(err, &ve))
	assert.Equal(t, "pkg.Op", ve.Op)
	fields := []string{}
	for _, p := range ve.Problems {
		fields = append(fields, p.Field)
	}
	assert.Equal(t, []string{"name", "mobile", "desc", "summary", "out_trade_no", "avatar", "notify_url", "state", "limit"}, fields)
	assert.NotContains(t, err.Error(), "13800138000", "values never appear in errors")
	assert.True(t, strings.HasPrefix(err.Error(), "wechatpay: invalid pkg.Op request: name: is required"))
}

func TestNoProblemIsNil(t *testing.T) {
	var v V
	v.Required("a", "x")
	v.MaxBytes("a", "x", 1)
	v.URL("u", "https://example.com/a")
	assert.NoError(t, v.Err("op"))
}
