package core_test

import (
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
)

// With no base URL the client calls the real host through the given
// *http.Client; httpmock stands in for WeChat Pay and signs its answers
// with a platform key of the test's own. (A client for the production
// hosts refuses the sandbox's published keys, so the keys here are
// generated for the test.)
func TestDefaultHostThroughUserHTTPClient(t *testing.T) {
	k := ownKeys(t)
	hc := &http.Client{}
	httpmock.ActivateNonDefault(hc)
	defer httpmock.DeactivateAndReset()

	const body = `{"sub_mchid":"1900000109"}`
	httpmock.RegisterResponder(http.MethodPost, "https://api.mch.weixin.qq.com/v3/goldplan/merchants/changegoldplanstatus",
		func(r *http.Request) (*http.Response, error) {
			b, _ := io.ReadAll(r.Body)
			k.verifyAuthorization(t, r.Method, r.URL.RequestURI(), b, r.Header.Get("Authorization"))
			assert.JSONEq(t, `{"sub_mchid":"1900000109","operation_type":"OPEN"}`, string(b))
			resp := httpmock.NewStringResponse(200, body)
			for name, v := range k.signatureHeaders(t, []byte(body), time.Now()) {
				resp.Header[name] = v
			}
			resp.Header.Set("Request-ID", "RID-MOCK")
			return resp, nil
		})

	c, err := core.NewClient(
		core.WithMerchant(k.mchID, k.mchSerial, k.merchant),
		core.WithPlatformPublicKey(k.publicKeyID, &k.platform.PublicKey),
		core.WithHTTPClient(hc),
	)
	require.NoError(t, err)
	var out struct {
		core.ResponseMeta `json:"-"`
		SubMchID          string `json:"sub_mchid"`
	}
	_, err = c.Do(context.Background(), &core.Request{Method: http.MethodPost, Path: "/v3/goldplan/merchants/changegoldplanstatus",
		Body: map[string]string{"sub_mchid": "1900000109", "operation_type": "OPEN"}}, &out)
	require.NoError(t, err)
	assert.Equal(t, "1900000109", out.SubMchID)
	assert.Equal(t, "RID-MOCK", out.RequestID)
	assert.Equal(t, 1, httpmock.GetTotalCallCount())
}

// httpmock.Activate replaces http.DefaultTransport; a client built after it
// uses the mock rather than panicking or bypassing it.
func TestDefaultClientHonoursReplacedDefaultTransport(t *testing.T) {
	k := ownKeys(t)
	httpmock.Activate()
	defer httpmock.DeactivateAndReset()
	httpmock.RegisterResponder(http.MethodGet, "https://api.mch.weixin.qq.com/v3/certificates",
		func(r *http.Request) (*http.Response, error) {
			resp := httpmock.NewStringResponse(500, `{"code":"SYSTEM_ERROR","message":"busy"}`)
			resp.Header.Set("Request-ID", "RID-DEFAULT")
			return resp, nil
		})
	c, err := core.NewClient(
		core.WithMerchant(k.mchID, k.mchSerial, k.merchant),
		core.WithPlatformPublicKey(k.publicKeyID, &k.platform.PublicKey),
		core.WithRetry(core.RetryPolicy{MaxAttempts: 2}),
	)
	require.NoError(t, err)
	_, err = c.Do(context.Background(), &core.Request{Method: http.MethodGet, Path: "/v3/certificates", Idempotent: true}, nil)
	ae, ok := core.IsAPIError(err)
	require.True(t, ok, "%v", err)
	assert.Equal(t, "RID-DEFAULT", ae.RequestID)
	assert.Equal(t, 2, ae.Attempts)
	assert.Equal(t, 2, httpmock.GetTotalCallCount())
}
