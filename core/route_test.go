package core_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/internal/wiretest"
)

type noV3Request struct{}

func (*noV3Request) Validate() error { return nil }

// Some documented endpoints have no /v3 prefix (pay score's
// /payscore/serviceorder/direct-complete): core sends any absolute route as
// given, below the base URL's path prefix, and signs it as sent.
func TestRouteWithoutV3Prefix(t *testing.T) {
	f := wiretest.NewFakeAPI(t, func(int, wiretest.Wire) (int, string) { return 200, `{"ok":true}` })
	type answer struct {
		core.ResponseMeta `json:"-"`
		OK                bool `json:"ok"`
	}
	for _, route := range []string{"/payscore/serviceorder/direct-complete", "/v3/payscore/serviceorder/{out_order_no}/complete"} {
		out, err := core.Call[answer](context.Background(), f.Client, core.Endpoint{
			Op: "test.NoV3", Method: http.MethodPost, Route: route, Idempotent: true,
		}, &noV3Request{}, func(r *core.Request) error {
			r.Body = map[string]string{"a": "b"}
			if r.Path == "" {
				return r.SetPathParams(core.PathParam{Name: "out_order_no", Value: "A1", Charset: core.CharsetOutTradeNo})
			}
			return nil
		})
		require.NoError(t, err, route)
		assert.True(t, out.OK)
	}
	reqs := f.Requests() // recorded below /prefix, each signature verified over the full URI
	require.Len(t, reqs, 2)
	assert.Equal(t, "/payscore/serviceorder/direct-complete", reqs[0].URI)
	assert.Equal(t, "/v3/payscore/serviceorder/A1/complete", reqs[1].URI)
}
