package core_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
)

// A redirect is never followed, whatever *http.Client the caller gives:
// net/http keeps the Authorization header on a redirect to the same host
// name on another port or scheme (127.0.0.1:A → 127.0.0.1:B here,
// https://api.mch.weixin.qq.com → http://api.mch.weixin.qq.com:8080 in
// production), and follows redirects unless told otherwise. The 3xx comes
// back as an *APIError and nothing reaches the target.
func TestRedirectsAreNeverFollowed(t *testing.T) {
	sb := newSandbox(t)
	var reached, signed atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached.Add(1)
		if r.Header.Get("Authorization") != "" {
			signed.Add(1)
		}
	}))
	t.Cleanup(target.Close)
	sb.SetHook(func(w http.ResponseWriter, r *http.Request) bool {
		if !strings.HasPrefix(r.URL.Path, "/v3/test/moved") {
			return false
		}
		code := http.StatusFound
		if r.Method == http.MethodPost {
			code = http.StatusTemporaryRedirect // resends the body
		}
		http.Redirect(w, r, target.URL+"/v3/steal", code)
		return true
	})
	var lateTransport atomic.Int32
	for name, hc := range map[string]*http.Client{
		"zero http.Client":   {},
		"own CheckRedirect":  {CheckRedirect: func(*http.Request, []*http.Request) error { return nil }},
		"DefaultHTTPClient":  core.DefaultHTTPClient(),
		"transport set late": {},
	} {
		c := newClient(t, sb, core.WithRetry(core.NoRetry), core.WithHTTPClient(hc))
		if name == "transport set late" {
			// A transport installed after NewClient (httpmock.ActivateNonDefault
			// does this) is still used.
			hc.Transport = roundTripFunc(func(r *http.Request) (*http.Response, error) {
				lateTransport.Add(1)
				return http.DefaultTransport.RoundTrip(r)
			})
		}
		for _, req := range []*core.Request{
			{Method: http.MethodGet, Path: "/v3/test/moved", Idempotent: true},
			{Method: http.MethodPost, Path: "/v3/test/moved", Body: map[string]string{"openid": "o1"}},
		} {
			_, err := c.Do(context.Background(), req, nil)
			ae, ok := core.IsAPIError(err)
			require.True(t, ok, "%s %s: %v", name, req.Method, err)
			assert.Contains(t, []int{http.StatusFound, http.StatusTemporaryRedirect}, ae.StatusCode, name)
		}
		resp, err := c.Download(context.Background(), sb.URL+"/v3/test/moved/bill")
		if err == nil {
			resp.Body.Close()
		}
		ae, ok := core.IsAPIError(err)
		require.True(t, ok, "%s download: %v", name, err)
		assert.Equal(t, http.StatusFound, ae.StatusCode)
	}
	assert.Zero(t, reached.Load(), "no request reached the redirect target")
	assert.Zero(t, signed.Load(), "no Authorization header reached the redirect target")
	assert.EqualValues(t, 3, lateTransport.Load())
}
