package validate

import (
	"errors"
	"net/url"
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

func TestMessagesAreFormattedOnlyOnFailure(t *testing.T) {
	var v V
	OneOf(&v, "state", "X", []string{"A", "B"})
	Range(&v, "limit", int64(11), 1, 10)
	v.MaxBytes("mobile", "123", 2)
	v.MaxChars("desc", "一二三", 2)
	v.PathParam("openid", "a/b", core.CharsetOpenID)
	v.Add(Index("items", 2), "is wrong")
	ve := v.Err("op").(*core.ValidationError)
	assert.Equal(t, []core.FieldError{
		{Field: "state", Problem: "must be one of [A B]"},
		{Field: "limit", Problem: "must be between 1 and 10"},
		{Field: "mobile", Problem: "must be at most 2 bytes"},
		{Field: "desc", Problem: "must be at most 2 characters"},
		{Field: "openid", Problem: "must hold only ASCII letters, digits and _-"},
		{Field: "items[2]", Problem: "is wrong"},
	}, ve.Problems)
	var nilErr *core.ValidationError
	require.ErrorAs(t, NilRequest("pkg.Op"), &nilErr)
	assert.Equal(t, "wechatpay: invalid pkg.Op request: request: is required", nilErr.Error())
}

// The allocation-free fast path of the URL rules agrees with url.Parse.
func TestURLFastPathAgreesWithParse(t *testing.T) {
	for _, s := range []string{
		"https://example.com", "https://example.com/", "http://a.b-c.com:8080/x/y.png", "https://x.com/a%20b?q=1&r=%E4",
		"https://x.com?", "https://x.com/#frag", "HTTPS://x.com/a", "https://", "https://:80/", "https://x.com:/a",
		"https://x.com:8a/", "https://x.com/a%zz", "https://x.com/a b", "https://user@x.com/", "https://[::1]/a",
		"ftp://x.com", "//x.com/a", "/relative", "nope", "", "https://x.com/\x7f", "https://x.com/é", "https://x.com/a?b c",
	} {
		var fast, slow V
		fast.URL("u", s)
		fast.HTTPSURLNoQuery("n", s)
		u, err := url.Parse(s)
		slow.Check(err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "", "u", "must be an absolute http(s) URL")
		slow.Check(err == nil && u.Scheme == "https" && u.Host != "" && u.RawQuery == "", "n", "must be an https URL without a query string")
		assert.Equal(t, slow.Err("op"), fast.Err("op"), "%q", s)
	}
}

// validRules runs every rule on values that pass.
func validRules(v *V) {
	v.Required("name", "x")
	v.RequiredText("corpid", "wwd8bc0b1f4d0ae1c5", 32)
	v.OptionalText("note", nil, 10)
	v.MaxBytes("name", "张三", 64)
	v.MaxChars("name", "张三", 64)
	v.Text("summary", "咖啡 coffee")
	v.Pattern("out_trade_no", "20150806125346", outTradeNoRE, "letters")
	v.URL("avatar", "https://wx.qlogo.cn/mmopen/ajNVdqHZLLA/132")
	v.HTTPSURLNoQuery("notify_url", "https://example.com/notify/payscore")
	OneOf(v, "state", "B", []string{"A", "B"})
	Range(v, "limit", 5, 1, 10)
	v.PathParam("openid", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", core.CharsetOpenID)
}

var outTradeNoRE = regexp.MustCompile(`^[0-9A-Za-z_\-|*]+$`)

func TestValidRequestAllocatesNothing(t *testing.T) {
	n := testing.AllocsPerRun(100, func() {
		var v V
		validRules(&v)
		if v.Err("op") != nil {
			t.Fatal("valid values refused")
		}
	})
	assert.Zero(t, n)
}

// BenchmarkValidRequest shows the cost of validating a request that passes
// every rule: 0 allocs/op.
func BenchmarkValidRequest(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		var v V
		validRules(&v)
		if v.Err("op") != nil {
			b.Fatal("valid values refused")
		}
	}
}

type sample struct{ Name, URL string }

func (r *sample) Validate() error {
	if r == nil {
		return NilRequest("pkg.Sample")
	}
	var v V
	v.RequiredText("name", r.Name, 10)
	v.URL("url", r.URL)
	v.PathParam("name", r.Name, core.CharsetOpenID)
	return v.Err("pkg.Sample")
}

func TestValidateShapeIsNilSafeAndFree(t *testing.T) {
	var nilReq *sample
	var ve *core.ValidationError
	require.ErrorAs(t, nilReq.Validate(), &ve)
	assert.Equal(t, []core.FieldError{{Field: "request", Problem: "is required"}}, ve.Problems)
	require.ErrorAs(t, (&sample{}).Validate(), &ve)
	assert.Equal(t, "pkg.Sample", ve.Op)
	assert.True(t, ve.Has("name") && ve.Has("url"))
	ok := &sample{Name: "o_1", URL: "https://example.com/a.png"}
	assert.Zero(t, testing.AllocsPerRun(100, func() {
		if ok.Validate() != nil {
			t.Fatal("valid request refused")
		}
	}))
}

// Client passes a client through and refuses a nil one with the message
// every product's NewService gives.
func TestClientPanicsOnNil(t *testing.T) {
	require.PanicsWithValue(t, "x.NewService: nil *core.Client; build one with core.NewClient", func() { Client("x.NewService", nil) })
	c := new(core.Client)
	require.Same(t, c, Client("x.NewService", c))
}

// OptionalID checks only a set value, which must not be empty; Token checks
// a path identifier's characters and length. Neither allocates when the
// value is fine.
func TestOptionalIDAndToken(t *testing.T) {
	var v V
	v.OptionalID("absent", nil, 3)
	v.OptionalID("ok", core.Ptr("abc"), 3)
	v.Token("no", "A-1_b", core.CharsetOpenID, 8)
	require.NoError(t, v.Err("op"))

	v.OptionalID("empty", core.Ptr(""), 3)
	v.OptionalID("long", core.Ptr("abcd"), 3)
	v.Token("dots", "..", core.CharsetOpenID, 8)
	v.Token("slash", "a/b", core.CharsetOpenID, 8)
	v.Token("long_token", "abcdefghi", core.CharsetOpenID, 8)
	var ve *core.ValidationError
	require.ErrorAs(t, v.Err("op"), &ve)
	assert.Equal(t, []core.FieldError{
		{Field: "empty", Problem: "is required"},
		{Field: "long", Problem: "must be at most 3 characters"},
		{Field: "dots", Problem: "must not be a dot-segment (. or ..)"},
		{Field: "slash", Problem: "must hold only ASCII letters, digits and _-"},
		{Field: "long_token", Problem: "must be at most 8 characters"},
	}, ve.Problems)

	id := "abc"
	n := testing.AllocsPerRun(100, func() {
		var v V
		v.OptionalID("ok", &id, 3)
		v.Token("no", id, core.CharsetOpenID, 8)
		if v.Err("op") != nil {
			t.Fatal("valid values refused")
		}
	})
	assert.Zero(t, n)
}
