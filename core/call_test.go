package core_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/internal/wiretest"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

func TestBuildPathChecksThenEscapes(t *testing.T) {
	const route = "/v3/x/{openid}/orders/{out_order_no}"
	p, err := core.BuildPath(route,
		core.PathParam{Name: "openid", Value: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", Charset: core.CharsetOpenID},
		core.PathParam{Name: "out_order_no", Value: "A|b*c-d_1", Charset: core.CharsetOutTradeNo})
	require.NoError(t, err)
	assert.Equal(t, "/v3/x/oUpF8uMuAJO_M2pxb1Q9zNjWeS6o/orders/A%7Cb%2Ac-d_1", p)

	p, err = core.BuildPath("/v3/plain")
	require.NoError(t, err)
	assert.Equal(t, "/v3/plain", p)

	bad := map[string]core.Charset{
		"": core.CharsetOpenID, ".": core.CharsetOpenID, "..": core.CharsetOpenID,
		"a/b": core.CharsetOpenID, "a?b": core.CharsetOpenID, "a#b": core.CharsetOpenID, "a%2e": core.CharsetOpenID,
		"a b": core.CharsetOpenID, "a\tb": core.CharsetOpenID, "a\\b": core.CharsetOpenID, "é": core.CharsetOpenID,
		"a.b": core.CharsetOpenID, "a*b": core.CharsetOpenID, "a|b": core.CharsetAuthorizationCode,
		"a@b": core.CharsetOutTradeNo, "a-b": core.CharsetAlnum, "a/b?": core.Charset("/?#%._"), // the unsafe ones never pass
		"..%2f": core.CharsetOutRefundNo,
	}
	for v, cs := range bad {
		_, err := core.BuildPath(route,
			core.PathParam{Name: "openid", Value: v, Charset: cs},
			core.PathParam{Name: "out_order_no", Value: "fine", Charset: core.CharsetOutTradeNo})
		ve := wiretest.RequireValidation(t, err, "openid")
		require.Len(t, ve.Problems, 1, "value %q", v)
		if v != "" && v != "." && v != ".." {
			assert.NotContains(t, err.Error(), v, "the value never appears in the error")
		}
	}
	// Every bad parameter is listed.
	_, err = core.BuildPath(route, core.PathParam{Name: "openid", Value: ".."}, core.PathParam{Name: "out_order_no", Value: "x/y"})
	ve := wiretest.RequireValidation(t, err, "openid", "out_order_no")
	assert.Equal(t, "wechatpay: invalid request: openid: must not be a dot-segment (. or ..); out_order_no: must hold only ASCII letters and digits", ve.Error())

	// Mismatches between the route and the parameters are mistakes in code.
	for name, params := range map[string][]core.PathParam{
		"missing value": {{Name: "openid", Value: "o"}},
		"extra value":   {{Name: "openid", Value: "o"}, {Name: "out_order_no", Value: "n"}, {Name: "other", Value: "x"}},
	} {
		_, err := core.BuildPath(route, params...)
		require.Error(t, err, name)
		var ve *core.ValidationError
		require.False(t, errors.As(err, &ve), name)
	}
	_, err = core.BuildPath("/v3/{open", core.PathParam{Name: "open", Value: "o"})
	require.Error(t, err)
}

func TestCharsetProblemAllocatesNothingWhenValid(t *testing.T) {
	n := testing.AllocsPerRun(100, func() {
		if core.CharsetOutTradeNo.Problem("20150806125346-a_b|c*") != "" {
			t.Fatal("valid value refused")
		}
	})
	assert.Zero(t, n)
}

// Do refuses any path with a dot-segment, the escape hatch included, and
// sends nothing.
func TestDoRefusesDotSegments(t *testing.T) {
	sb := newSandbox(t)
	rec := record(t, sb)
	c := newClient(t, sb)
	for _, path := range []string{
		"/v3/a/../b", "/v3/a/./b", "/v3/a/..", "/v3/a/.", "/../v3",
		"/v3/a/%2e%2e/b", "/v3/a/%2E%2E/b", "/v3/a/.%2e/b", "/v3/a/%2e/b",
		"/v3/a/..%2Fb", "/v3/a%2F..%2Fb", "/v3/a/..\\b", "/v3/a/%2e%2e%5cb",
		"/v3/a/../b?x=1", "/v3/a/%zz",
		sb.URL + "/v3/../x", sb.URL + "/v3/%2e%2e/x",
		// Decoded twice by a gateway, path parameters as servlet
		// containers read them, encoded control characters, a scheme in
		// upper case.
		"/v3/a/%252e%252e/b", "/v3/a/%252E./b", "/v3/a/%25252e%25252e/b", "/v3/a/..;/b", "/v3/a/..;jsessionid=x/b",
		"/v3/a/.;/b", "/v3/a/%2e%2e;x/b", "/v3/a/.%00./b", "/v3/a/%0d%0aX-Injected:%201", "/v3/a/%2500",
		strings.Replace(sb.URL, "http://", "HTTP://", 1) + "/v3/%2e%2e/x",
	} {
		_, err := c.Do(context.Background(), &core.Request{Method: "GET", Path: path}, nil)
		wiretest.RequireValidation(t, err, "path")
		_, err = c.Download(context.Background(), path)
		wiretest.RequireValidation(t, err, "path")
	}
	require.Empty(t, rec(), "nothing is sent")

	// Dots inside a segment are fine, and so is a literal percent sign
	// that does not decode to anything (%25zz is the text %zz).
	sb.Handle("GET /v3/a/...b.c/d", func(*sandbox.Call) sandbox.Reply { return sandbox.NoContent() })
	_, err := c.Do(context.Background(), &core.Request{Method: "GET", Path: "/v3/a/...b.c/d"}, nil)
	require.NoError(t, err)
	_, err = c.Do(context.Background(), &core.Request{Method: "GET", Path: strings.Replace(sb.URL, "http://", "HTTP://", 1) + "/v3/a/...b.c/d"}, nil)
	require.NoError(t, err, "an absolute URL with its scheme in upper case is the same URL")
	require.NoError(t, c.CheckURL(strings.Replace(sb.URL, "http://", "HTTP://", 1)+"/v3/a"))
	sb.Handle("GET /v3/a/{x}", func(*sandbox.Call) sandbox.Reply { return sandbox.NoContent() })
	_, err = c.Do(context.Background(), &core.Request{Method: "GET", Path: "/v3/a/%25zz"}, nil)
	require.NoError(t, err)
}

type userReq struct {
	OpenID string
	AppID  string
}

func (r *userReq) Validate() error {
	if r == nil {
		return core.MissingRequest("test.User")
	}
	if r.AppID == "" {
		return &core.ValidationError{Op: "test.User", Problems: []core.FieldError{{Field: "appid", Problem: "is required"}}}
	}
	return nil
}

type userResp struct {
	core.ResponseMeta `json:"-"`
	State             string `json:"state"`
}

var userEndpoint = core.Endpoint{Op: "test.User", Method: http.MethodGet, Route: "/v3/test/users/{openid}", Idempotent: true}

func callUser(ctx context.Context, c *core.Client, req *userReq) (*userResp, error) {
	return core.Call[userResp](ctx, c, userEndpoint, req, func(r *core.Request) error {
		r.Query = map[string][]string{"appid": {req.AppID}}
		return r.SetPathParams(core.PathParam{Name: "openid", Value: req.OpenID, Charset: core.CharsetOpenID})
	})
}

func TestCallValidatesBuildsAndDecodes(t *testing.T) {
	sb := newSandbox(t)
	rec := record(t, sb)
	c := newClient(t, sb)
	ctx := context.Background()
	sb.Handle("GET /v3/test/users/{openid}", func(call *sandbox.Call) sandbox.Reply {
		return sandbox.JSON(200, map[string]string{"state": "AUTHORIZED:" + call.PathValue("openid")})
	})

	out, err := callUser(ctx, c, &userReq{OpenID: "o-Member_1", AppID: "wx1"})
	require.NoError(t, err)
	assert.Equal(t, "AUTHORIZED:o-Member_1", out.State)
	assert.NotEmpty(t, out.RequestID)
	assert.Equal(t, "/v3/test/users/o-Member_1?appid=wx1", rec()[0].URI)

	// A nil request, typed or not, and an invalid one: a ValidationError,
	// nothing sent, no panic.
	_, err = callUser(ctx, c, nil)
	ve := wiretest.RequireValidation(t, err, "request")
	assert.Equal(t, "test.User", ve.Op)
	_, err = core.Call[userResp](ctx, c, userEndpoint, nil, nil)
	wiretest.RequireValidation(t, err, "request")
	_, err = callUser(ctx, c, &userReq{OpenID: "o"})
	wiretest.RequireValidation(t, err, "appid")

	// Path injection: the builder's ValidationError carries the operation.
	for _, bad := range []string{"", ".", "..", "../terminate", "a/b", "a?b", "a#b", "a%2e", "a b", "张三"} {
		_, err = callUser(ctx, c, &userReq{OpenID: bad, AppID: "wx1"})
		ve := wiretest.RequireValidation(t, err, "openid")
		assert.Equal(t, "test.User", ve.Op)
	}
	require.Len(t, rec(), 1, "no invalid request reached the server")

	// A nil client is an error, not a panic.
	_, err = callUser(ctx, nil, &userReq{OpenID: "o", AppID: "wx1"})
	require.ErrorContains(t, err, "nil *core.Client")

	// A route with parameters that build leaves unexpanded is refused.
	_, err = core.Call[userResp](ctx, c, userEndpoint, &userReq{OpenID: "o", AppID: "wx1"}, nil)
	require.ErrorContains(t, err, "SetPathParams")

	// Other build errors are prefixed with the operation.
	_, err = core.Call[userResp](ctx, c, userEndpoint, &userReq{OpenID: "o", AppID: "wx1"}, func(*core.Request) error { return core.ErrNoEncryptionKey })
	require.ErrorIs(t, err, core.ErrNoEncryptionKey)
	require.True(t, strings.HasPrefix(err.Error(), "test.User: "))
}

// The route template, not the OpenID, is what APIError, its message and the
// Debug log show; transport errors do not carry the URL either.
func TestRouteNotPersonalDataInDiagnostics(t *testing.T) {
	const openid = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"
	sb := newSandbox(t)
	var buf syncBuffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := newClient(t, sb, core.WithLogger(logger))
	sb.Handle("GET /v3/test/users/{openid}", func(*sandbox.Call) sandbox.Reply {
		return sandbox.Error(http.StatusNotFound, "RESOURCE_NOT_EXISTS", "用户不存在")
	})
	_, err := callUser(context.Background(), c, &userReq{OpenID: openid, AppID: "wx1"})
	ae := wiretest.RequireAPIError(t, err, http.StatusNotFound, "RESOURCE_NOT_EXISTS")
	assert.Equal(t, "/v3/test/users/{openid}", ae.Path)
	assert.Contains(t, err.Error(), "/v3/test/users/{openid}")
	assert.NotContains(t, err.Error(), openid)
	assert.Contains(t, buf.String(), "/v3/test/users/{openid}")
	assert.Contains(t, buf.String(), "level=DEBUG")
	assert.NotContains(t, buf.String(), openid)

	// A transport failure (retried, then failed) names the route only.
	buf = syncBuffer{}
	dead := newClient(t, sb, core.WithBaseURL(refusedURL(t)), core.WithBackupURL(""), core.WithLogger(logger),
		core.WithRetry(core.RetryPolicy{MaxAttempts: 2}))
	_, err = callUser(context.Background(), dead, &userReq{OpenID: openid, AppID: "wx1"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "/v3/test/users/{openid}")
	assert.NotContains(t, err.Error(), openid)
	assert.NotContains(t, err.Error(), "appid=wx1", "nor the query")
	assert.Contains(t, buf.String(), "retrying")
	assert.NotContains(t, buf.String(), openid)
}

func TestEncryptFieldsInPlaceWithOneKey(t *testing.T) {
	sb := newSandbox(t)
	c := newClient(t, sb)
	name, mobile := "张三", "13800138000"
	var absent *string
	serial, err := c.EncryptFields(context.Background(), &name, &mobile, absent)
	require.NoError(t, err)
	assert.Equal(t, sb.PublicKeyID, serial)
	assert.Equal(t, "张三", wiretest.DecryptPlatform(t, sb, name))
	assert.Equal(t, "13800138000", wiretest.DecryptPlatform(t, sb, mobile))

	serial, err = c.EncryptFields(context.Background())
	require.NoError(t, err)
	assert.Equal(t, sb.PublicKeyID, serial, "the serial is given even with nothing to encrypt")
}
