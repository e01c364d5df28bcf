package core_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// The logger sees attempts, retries and rejections, and never a secret: no
// Authorization header, no APIv3 key, no body with personal data.
func TestLoggerNeverSeesSecrets(t *testing.T) {
	sb := newSandbox(t)
	var buf syncBuffer
	logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := newClient(t, sb, core.WithLogger(logger), core.WithUserAgent("merchant-app/2.1"))

	var flaky int
	var ua string
	sb.Handle("POST /v3/test/person", func(call *sandbox.Call) sandbox.Reply {
		ua = call.Request.Header.Get("User-Agent")
		flaky++
		if flaky == 1 {
			return sandbox.Error(500, "SYSTEM_ERROR", "busy")
		}
		return sandbox.JSON(200, map[string]string{"name": "张三", "mobile": "13800138000"})
	})
	_, err := c.Do(context.Background(), &core.Request{Method: "POST", Path: "/v3/test/person", Idempotent: true,
		Body: map[string]string{"name": "张三", "mobile": "13800138000"}}, nil)
	require.NoError(t, err)
	sb.ProbeNext(1)
	_, err = c.Do(context.Background(), &core.Request{Method: "GET", Path: "/v3/certificates"}, nil)
	require.ErrorIs(t, err, core.ErrInvalidSignature)

	logs := buf.String()
	assert.Contains(t, logs, "retrying after transient answer")
	assert.Contains(t, logs, "response signature rejected")
	assert.Contains(t, logs, `"request_id"`)
	for _, secret := range []string{"WECHATPAY2-SHA256-RSA2048", "signature=", sb.APIv3Key, "13800138000", "张三", "PRIVATE KEY"} {
		assert.NotContains(t, logs, secret)
	}
	assert.True(t, strings.HasPrefix(ua, "wechatpay-biz-go/") && strings.HasSuffix(ua, " merchant-app/2.1"), ua)
	assert.Equal(t, sb.MerchantID, c.MerchantID())
	assert.True(t, c.HasAPIv3Key())
}

func TestSignForFrontEndParameters(t *testing.T) {
	sb := newSandbox(t)
	c := newClient(t, sb)
	msg := "wxd678efh567hg6787\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\nprepay_id=wx201410272009395522657a690389285100\n"
	sig, err := c.Sign(context.Background(), msg)
	require.NoError(t, err)
	raw, err := base64.StdEncoding.DecodeString(sig)
	require.NoError(t, err)
	sum := sha256.Sum256([]byte(msg))
	require.NoError(t, rsa.VerifyPKCS1v15(&sb.MerchantPrivateKey.PublicKey, crypto.SHA256, sum[:], raw))
}

func TestDownloadIsSignedUnverifiedAndStreams(t *testing.T) {
	sb := newSandbox(t)
	rec := record(t, sb)
	sb.Handle("GET /v3/test/download", func(call *sandbox.Call) sandbox.Reply {
		return sandbox.Reply{Status: 200, Raw: []byte("bill,contents\n"), ContentType: "text/plain", Unsigned: true}
	})
	c := newClient(t, sb)
	resp, err := c.Download(context.Background(), sb.URL+"/v3/test/download?token=abc%2B1")
	require.NoError(t, err)
	defer resp.Body.Close()
	var b bytes.Buffer
	_, err = b.ReadFrom(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, "bill,contents\n", b.String())
	got := rec()
	require.Len(t, got, 1)
	assert.Equal(t, "/v3/test/download?token=abc%2B1", got[0].URI, "the URL is used exactly as given")

	_, err = c.Download(context.Background(), sb.URL+"/v3/test/missing")
	assert.Equal(t, 404, func() int { ae, _ := core.IsAPIError(err); return ae.StatusCode }())
}

func TestPtr(t *testing.T) {
	p := core.Ptr(false)
	require.NotNil(t, p)
	assert.False(t, *p)
	assert.Equal(t, int64(0), *core.Ptr(int64(0)))
}

func TestPlatformCertificatesOption(t *testing.T) {
	sb := newSandbox(t, sandbox.WithSigningMode(sandbox.SignWithCertificate))
	c, err := core.NewClient(
		core.WithMerchant(sb.MerchantID, sb.MerchantSerialNo, sb.MerchantPrivateKey),
		core.WithPlatformCertificates(sb.PlatformCertificate()),
		core.WithBaseURL(sb.URL),
	)
	require.NoError(t, err)
	_, err = c.Do(context.Background(), &core.Request{Method: http.MethodGet, Path: "/v3/certificates"}, nil)
	require.NoError(t, err)
	_, err = core.NewClient(core.WithPlatformCertificates())
	require.Error(t, err)
	_, err = core.NewClient(core.WithPlatformCertificates(nil))
	require.Error(t, err)
}
