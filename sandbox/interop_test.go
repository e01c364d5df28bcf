package sandbox_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	wxcore "github.com/wechatpay-apiv3/wechatpay-go/core"
	"github.com/wechatpay-apiv3/wechatpay-go/core/auth/verifiers"
	"github.com/wechatpay-apiv3/wechatpay-go/core/downloader"
	"github.com/wechatpay-apiv3/wechatpay-go/core/option"
	"github.com/wechatpay-apiv3/wechatpay-go/utils"

	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

// toSandbox sends requests for any host to the sandbox: the official
// downloader only knows the production host.
type toSandbox struct{ base *url.URL }

func (t toSandbox) RoundTrip(r *http.Request) (*http.Response, error) {
	r2 := r.Clone(r.Context())
	r2.URL.Scheme, r2.URL.Host, r2.Host = t.base.Scheme, t.base.Host, t.base.Host
	return http.DefaultTransport.RoundTrip(r2)
}

// TestOfficialDownloaderFollowsRotation: the official wechatpay-go
// client's certificate downloader — which verifies each certificate list
// with the certificates it already holds — keeps verifying the list and
// every answer through a whole rotation: generation, listing, gray
// release, expiry of the old certificate.
//
// The official client checks answer timestamps against the real clock, so
// the sandbox clock may run at most five minutes ahead of it: the
// timeline is compressed (a 4-minute certificate, listed 3 minutes before
// expiry) and the sandbox clock is real time plus Advance.
func TestOfficialDownloaderFollowsRotation(t *testing.T) {
	sb := newSandbox(t, sandbox.WithCertificateLifetime(4*time.Minute),
		sandbox.WithCertificateTimeline(3*time.Minute+30*time.Second, 3*time.Minute))
	sb.Handle("GET /v3/test/ping", func(*sandbox.Call) sandbox.Reply { return sandbox.JSON(200, map[string]string{"pong": "1"}) })
	base, err := url.Parse(sb.URL)
	require.NoError(t, err)
	hc := &http.Client{Transport: toSandbox{base}}
	ctx := context.Background()

	dlClient, err := wxcore.NewClient(ctx, option.WithMerchantCredential(sb.MerchantID, sb.MerchantSerialNo, sb.MerchantPrivateKey),
		option.WithoutValidator(), option.WithHTTPClient(hc))
	require.NoError(t, err)
	dl, err := downloader.NewCertificateDownloaderWithClient(ctx, dlClient, sb.APIv3Key)
	require.NoError(t, err, "first download (trust on first use, as the official SDK does)")
	api, err := wxcore.NewClient(ctx, option.WithMerchantCredential(sb.MerchantID, sb.MerchantSerialNo, sb.MerchantPrivateKey),
		option.WithVerifier(verifiers.NewSHA256WithRSAVerifier(dl)), option.WithHTTPClient(hc))
	require.NoError(t, err)
	held := func() map[string]bool {
		out := map[string]bool{}
		for serial := range dl.GetAll(ctx) {
			out[serial] = true
		}
		return out
	}
	call := func() string {
		t.Helper()
		res, err := api.Get(ctx, "https://api.mch.weixin.qq.com/v3/test/ping")
		require.NoError(t, err, "the official client verifies the answer")
		res.Response.Body.Close()
		return res.Response.Header.Get("Wechatpay-Serial")
	}
	old := utils.GetCertificateSerialNumber(*sb.PlatformCertificate())
	require.Equal(t, map[string]bool{old: true}, held())
	assert.Equal(t, old, call())

	next, err := sb.RotateCertificate()
	require.NoError(t, err)
	fresh := utils.GetCertificateSerialNumber(*next)
	m, ok := sb.RotationMilestones()
	require.True(t, ok)

	// Generated, not listed.
	sb.AdvanceTo(m.Generated.Add(time.Second))
	require.NoError(t, dl.DownloadCertificates(ctx))
	assert.Equal(t, map[string]bool{old: true}, held())

	// Listed: the list is signed with the old certificate, which the
	// downloader holds, so it verifies and learns the new one.
	sb.AdvanceTo(m.Listed)
	require.NoError(t, dl.DownloadCertificates(ctx))
	assert.Equal(t, map[string]bool{old: true, fresh: true}, held())
	assert.Equal(t, old, call())

	// Gray release: answers signed by either verify.
	require.NoError(t, sb.SetCertificateGrayRelease(50))
	got := map[string]int{}
	for range 4 {
		got[call()]++
	}
	assert.Equal(t, map[string]int{old: 2, fresh: 2}, got)
	require.NoError(t, dl.DownloadCertificates(ctx))

	// T: the old certificate expired; the new one signs the list and
	// every answer.
	sb.AdvanceTo(m.Expiry)
	require.NoError(t, dl.DownloadCertificates(ctx), "the list is now signed with the new certificate the downloader already holds")
	assert.Equal(t, map[string]bool{fresh: true}, held())
	for range 3 {
		assert.Equal(t, fresh, call())
	}
	assert.Less(t, sb.Now().Sub(time.Now()), 5*time.Minute, "within the official client's timestamp window")
}
