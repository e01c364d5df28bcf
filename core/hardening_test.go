package core_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

// selfSigned issues a certificate for key (test only).
func selfSigned(t testing.TB, key *rsa.PrivateKey, serial int64, notBefore, notAfter time.Time) *x509.Certificate {
	t.Helper()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "TEST ONLY"}, NotBefore: notBefore, NotAfter: notAfter}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return cert
}

// counting is a server that must never be reached.
func counting(t *testing.T) (*httptest.Server, *atomic.Int32) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		if r.Header.Get("Authorization") != "" {
			t.Errorf("a signed request reached %s", r.Host)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// Item 4: a signed request goes only to the configured hosts.
func TestSignedRequestsGoOnlyToConfiguredHosts(t *testing.T) {
	sb := newSandbox(t)
	rec := record(t, sb)
	sb.Handle("GET /v3/test/download", func(*sandbox.Call) sandbox.Reply {
		return sandbox.Reply{Status: 200, Raw: []byte("bill"), ContentType: "text/plain", Unsigned: true}
	})
	c := newClient(t, sb)
	evil, hits := counting(t)
	ctx := context.Background()

	for _, u := range []string{
		evil.URL + "/v3/billdownload/file?token=x",
		strings.Replace(sb.URL, "127.0.0.1", "localhost", 1) + "/v3/test/download", // same server, another host name
		strings.Replace(sb.URL, "http://", "https://", 1) + "/v3/test/download",    // another scheme
		"http://user:pw@" + strings.TrimPrefix(sb.URL, "http://") + "/v3/test/download",
	} {
		_, err := c.Download(ctx, u)
		require.ErrorIs(t, err, core.ErrForeignHost, u)
		_, err = c.Do(ctx, &core.Request{Method: "GET", Path: u}, nil)
		require.ErrorIs(t, err, core.ErrForeignHost, u)
		require.ErrorIs(t, c.CheckURL(u), core.ErrForeignHost, u)
	}
	assert.Zero(t, hits.Load(), "nothing was sent to another host")
	assert.Empty(t, rec(), "nothing was sent at all")

	// The configured host.
	resp, err := c.Download(ctx, sb.URL+"/v3/test/download")
	require.NoError(t, err)
	resp.Body.Close()
	require.Len(t, rec(), 1)

	// The backup host is configured too.
	c2 := newClient(t, sb, core.WithBackupURL(evil.URL))
	require.NoError(t, c2.CheckURL(evil.URL+"/v3/x"))

	// Production defaults: https on the two WeChat Pay hosts only.
	k := ownKeys(t)
	prod, err := core.NewClient(core.WithMerchant(k.mchID, k.mchSerial, k.merchant), core.WithPlatformPublicKey(k.publicKeyID, &k.platform.PublicKey))
	require.NoError(t, err)
	for u, ok := range map[string]bool{
		"https://api.mch.weixin.qq.com/v3/billdownload/file?token=x":      true,
		"https://api2.mch.weixin.qq.com/v3/billdownload/file?token=x":     true,
		"https://API.MCH.WEIXIN.QQ.COM:443/v3/billdownload/file":          true,
		"http://api.mch.weixin.qq.com/v3/billdownload/file":               false,
		"https://api.mch.weixin.qq.com.evil.example/v3/billdownload/file": false,
		"https://api.mch.weixin.qq.com:8443/v3/billdownload/file":         false,
		"https://evil.example/v3/billdownload/file":                       false,
	} {
		if ok {
			assert.NoError(t, prod.CheckURL(u), u)
		} else {
			assert.ErrorIs(t, prod.CheckURL(u), core.ErrForeignHost, u)
		}
	}
}

// Item 5: keys are checked where they enter, with a message that says what
// to do.
func TestKeysAreCheckedAtNewClient(t *testing.T) {
	sb := newSandbox(t, sandbox.WithSigningMode(sandbox.SignWithCertificate))
	k := ownKeys(t)
	now := time.Now()
	mine := []core.Option{core.WithMerchant(k.mchID, k.mchSerial, k.merchant), core.WithPlatformPublicKey(k.publicKeyID, &k.platform.PublicKey)}
	build := func(opts ...core.Option) error { _, err := core.NewClient(opts...); return err }
	require.NoError(t, build(mine...))

	cases := []struct {
		name string
		opts []core.Option
		want []string
	}{
		{"merchant's own certificate as platform certificate",
			[]core.Option{core.WithMerchant(k.mchID, k.mchSerial, k.merchant), core.WithPlatformCertificates(selfSigned(t, k.merchant, 7, now.Add(-time.Hour), now.Add(time.Hour)))},
			[]string{"merchant's own key", "apiclient_cert.pem"}},
		{"two certificates with one serial and different keys",
			[]core.Option{mine[0], core.WithPlatformCertificates(selfSigned(t, k.platform, 9, now.Add(-time.Hour), now.Add(time.Hour)), selfSigned(t, k.thirdKey(), 9, now.Add(-time.Hour), now.Add(time.Hour)))},
			[]string{"serial 09 hold different keys"}},
		{"only expired certificates",
			[]core.Option{mine[0], core.WithPlatformCertificates(selfSigned(t, k.platform, 10, now.Add(-48*time.Hour), now.Add(-time.Hour)))},
			[]string{"no platform certificate given is valid now", "WithAutoCertificates", "WithPlatformPublicKey"}},
		{"merchant ID not digits",
			[]core.Option{core.WithMerchant("19000001O9", k.mchSerial, k.merchant), mine[1]},
			[]string{"merchant ID", "digits only"}},
		{"serial not hex",
			[]core.Option{core.WithMerchant(k.mchID, "apiclient_cert.pem", k.merchant), mine[1]},
			[]string{"not hexadecimal", "openssl x509"}},
		{"sandbox merchant key for production",
			[]core.Option{core.WithMerchant(k.mchID, k.mchSerial, sb.MerchantPrivateKey), mine[1]},
			[]string{"sandbox merchant key", "published test key"}},
		{"sandbox public key for production",
			[]core.Option{mine[0], core.WithPlatformPublicKey(sb.PublicKeyID, sb.PlatformPublicKey)},
			[]string{"sandbox WeChat Pay public key", "forge callbacks"}},
		{"sandbox platform certificate for production",
			[]core.Option{mine[0], core.WithPlatformCertificates(sb.PlatformCertificate())},
			[]string{"platform_cert_a.pem", "published test key"}},
		{"sandbox APIv3 key for production",
			[]core.Option{mine[0], mine[1], core.WithAPIv3Key(sb.APIv3Key)},
			[]string{"APIv3 key is the sandbox's published test key"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := build(tc.opts...)
			require.Error(t, err)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.NotContains(t, err.Error(), sb.APIv3Key)
		})
	}
	rotated, err := sb.RotateCertificate()
	require.NoError(t, err)
	err = build(mine[0], core.WithPlatformCertificates(rotated))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "platform_cert_b.pem")

	// An expired certificate beside a usable key is accepted.
	require.NoError(t, build(append(mine, core.WithPlatformCertificates(selfSigned(t, k.thirdKey(), 11, now.Add(-48*time.Hour), now.Add(-time.Hour))))...))
	// The sandbox's keys are fine for the sandbox.
	c, err := sb.Client(core.WithPlatformCertificates(sb.PlatformCertificate(), rotated))
	require.NoError(t, err)
	_, err = c.Do(context.Background(), &core.Request{Method: "GET", Path: "/v3/certificates"}, nil)
	require.NoError(t, err)
	// WithBaseURL pointing at the production host is production too, in
	// whatever spelling DNS resolves to it: letter case, a port, the
	// fully qualified name's trailing dot; and so is a backup host.
	for _, base := range []string{"https://api.mch.weixin.qq.com", "https://API.Mch.Weixin.QQ.com:443", "https://api.mch.weixin.qq.com.", "https://api2.mch.weixin.qq.com../v3"} {
		err = build(core.WithMerchant(sb.MerchantID, sb.MerchantSerialNo, sb.MerchantPrivateKey), mine[1], core.WithBaseURL(base))
		require.Error(t, err, base)
		assert.Contains(t, err.Error(), "sandbox merchant key", base)
	}
	err = build(core.WithMerchant(sb.MerchantID, sb.MerchantSerialNo, sb.MerchantPrivateKey), mine[1], core.WithBaseURL(sb.URL), core.WithBackupURL("https://api2.mch.weixin.qq.com."))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "sandbox merchant key")

	// WeChat Pay's hosts over plain HTTP would carry the Authorization
	// header in the clear.
	for _, opts := range [][]core.Option{
		{core.WithBaseURL("http://api.mch.weixin.qq.com")},
		{core.WithBaseURL("HTTP://API.MCH.WEIXIN.QQ.COM:80")},
		{core.WithBaseURL("https://api.mch.weixin.qq.com"), core.WithBackupURL("http://api2.mch.weixin.qq.com")},
	} {
		err = build(append(mine, opts...)...)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "over plain HTTP")
	}
	require.NoError(t, build(append(mine, core.WithBaseURL(sb.URL))...), "plain HTTP is fine for a sandbox")
}

// Item 6: the merchant key is used in its fastest form, on a copy.
func TestMerchantKeyIsPrecomputedOnACopy(t *testing.T) {
	sb := newSandbox(t)
	full := sb.MerchantPrivateKey
	bare := &rsa.PrivateKey{PublicKey: full.PublicKey, D: full.D, Primes: full.Primes} // no CRT values
	c := newClient(t, sb, core.WithMerchant(sb.MerchantID, sb.MerchantSerialNo, bare))
	used := core.MerchantKeyOf(c)
	assert.NotSame(t, bare, used, "the caller's key is not modified")
	assert.Nil(t, bare.Precomputed.Dp, "the caller's key is not modified")
	assert.NotNil(t, used.Precomputed.Dp, "the client signs with precomputed CRT values")
	rec := record(t, sb) // verifies every request's signature with the merchant public key
	_, err := c.Do(context.Background(), &core.Request{Method: "GET", Path: "/v3/certificates"}, nil)
	require.NoError(t, err)
	require.Len(t, rec(), 1)
}

// Item 10: no fmt verb and no slog handler prints the client's keys.
func TestClientPrintsNoSecrets(t *testing.T) {
	sb := newSandbox(t)
	c := newClient(t, sb)
	d := sb.MerchantPrivateKey.D
	secrets := []string{sb.APIv3Key, d.String(), d.Text(16), fmt.Sprint(d.Bytes()[:8])[1:20], "PRIVATE KEY"}
	var outs []string
	for _, f := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
		outs = append(outs, fmt.Sprintf(f, c), fmt.Sprintf(f, *c), fmt.Sprintf(f, struct{ C core.Client }{*c}), fmt.Sprintf(f, []*core.Client{c}))
	}
	var text, js bytes.Buffer
	slog.New(slog.NewTextHandler(&text, nil)).Info("client", "c", c, "v", *c)
	slog.New(slog.NewJSONHandler(&js, nil)).Info("client", "c", c, "v", *c)
	outs = append(outs, text.String(), js.String())
	for _, o := range outs {
		for _, s := range secrets {
			assert.NotContains(t, o, s)
		}
	}
	assert.Contains(t, fmt.Sprintf("%+v", c), sb.MerchantID, "what is not secret is still shown")
	assert.Contains(t, fmt.Sprintf("%+v", c), core.Redacted)
	assert.Contains(t, js.String(), `"mchid":"`+sb.MerchantID+`"`)
}

// Item 11: server text is made safe before it enters an error.
func TestAPIErrorSanitisesServerText(t *testing.T) {
	sb := newSandbox(t)
	c := newClient(t, sb, core.WithRetry(core.NoRetry))
	long := strings.Repeat("参数错误", 400) // 4,800 bytes of 3-byte characters
	huge := strings.Repeat("X", 1<<20)
	for name, body := range map[string]string{
		"newline in code": `{"code":"PARAM_ERROR\nlevel=ERROR msg=forged","message":"m"}`,
		"separators":      `{"code":"A\u2028B\u2029C\u0085D\u202eE","message":"x\r\ny"}`,
		"long chinese":    `{"code":"PARAM_ERROR","message":"` + long + `","detail":{"field":"` + long + `","issue":"` + long + `"}}`,
		"1 MiB code":      `{"code":"` + huge + `","message":"m"}`,
	} {
		sb.SetHook(func(w http.ResponseWriter, r *http.Request) bool {
			w.Header()["Request-ID"] = []string{"RID\nforged\u2028" + strings.Repeat("r", 4096)}
			w.WriteHeader(400)
			_, _ = io.WriteString(w, body)
			return true
		})
		_, err := c.Do(context.Background(), &core.Request{Method: "GET", Path: "/v3/x"}, nil)
		ae, ok := core.IsAPIError(err)
		require.True(t, ok, name)
		msg := err.Error()
		assert.True(t, utf8.ValidString(msg), name)
		assert.NotContains(t, msg, "\n", name)
		assert.NotContains(t, msg, "\r", name)
		for _, r := range "\u2028\u2029\u0085\u202e" {
			assert.NotContains(t, msg, string(r), name)
		}
		assert.Less(t, len(msg), 2048, name)
		assert.NotContains(t, ae.RequestID, "\n")
		assert.LessOrEqual(t, len(ae.RequestID), 128)
		if name != "separators" {
			assert.Contains(t, msg, "…", "long text is cut")
		}
	}
	assert.Equal(t, "a b", core.SanitizeServerText("a\nb", 10))
	assert.Equal(t, "参…", core.SanitizeServerText("参数错误", 7), "cut on a character boundary, the ellipsis within the cap")
	assert.Equal(t, "参数", core.SanitizeServerText("参数", 6), "text within the cap is kept whole")
	assert.Equal(t, "\uFFFDx", core.SanitizeServerText("\xffx", 10))
}

// Item 12: SIGN_ERROR says which three things to check.
func TestSignErrorSaysWhatToCheck(t *testing.T) {
	sb := newSandbox(t)
	c := newClient(t, sb, core.WithMerchant(sb.MerchantID, "5157F09EFDC096DE15EBE81A47057A7232F1B8E2", sb.MerchantPrivateKey))
	_, err := c.Do(context.Background(), &core.Request{Method: "GET", Path: "/v3/certificates"}, nil)
	ae, ok := core.IsAPIError(err)
	require.True(t, ok, "%v", err)
	assert.Equal(t, "SIGN_ERROR", ae.Code)
	for _, w := range []string{"merchant ID", sb.MerchantID, "apiclient_cert.pem", "5157F09EFDC096DE15EBE81A47057A7232F1B8E2", "apiclient_key.pem"} {
		assert.Contains(t, err.Error(), w)
	}
	assert.NotEmpty(t, ae.Hint)
}

// Item 12: an unknown serial of the kind the client is not configured for
// says which option is missing.
func TestUnknownSerialSaysWhichOptionIsMissing(t *testing.T) {
	// Public-key mode, answer signed with a platform certificate.
	sb := newSandbox(t, sandbox.WithSigningMode(sandbox.SignWithCertificate))
	c := newClient(t, sb)
	_, err := c.Do(context.Background(), &core.Request{Method: "GET", Path: "/v3/certificates"}, nil)
	require.ErrorIs(t, err, core.ErrUnknownSerial)
	assert.Contains(t, err.Error(), "WithAutoCertificates")

	// Certificate mode, answer signed with the public key.
	sb2 := newSandbox(t, sandbox.WithSigningMode(sandbox.SignWithPublicKey))
	c2, err := core.NewClient(core.WithMerchant(sb2.MerchantID, sb2.MerchantSerialNo, sb2.MerchantPrivateKey),
		core.WithPlatformCertificates(sb2.PlatformCertificate()), core.WithBaseURL(sb2.URL))
	require.NoError(t, err)
	_, err = c2.Do(context.Background(), &core.Request{Method: "GET", Path: "/v3/certificates"}, nil)
	require.ErrorIs(t, err, core.ErrUnknownSerial)
	assert.Contains(t, err.Error(), "WithPlatformPublicKey")

	// A serial of a kind the client has: no hint.
	err = c2.VerifySignature(context.Background(), core.SignatureHeaders{Timestamp: fmt.Sprint(time.Now().Unix()), Nonce: "n", Signature: "c2ln", Serial: "0123ABCD"}, nil)
	require.ErrorIs(t, err, core.ErrUnknownSerial)
	assert.NotContains(t, err.Error(), "With")
}

// Item 18: once a public key is configured its ID goes on every request, so
// that WeChat Pay signs the answers with it.
func TestPublicKeyIDIsSentOnEveryRequest(t *testing.T) {
	sb := newSandbox(t)
	rec := record(t, sb)
	c := newClient(t, sb, core.WithPlatformCertificates(sb.PlatformCertificate())) // migrating: both
	ctx := context.Background()
	_, err := c.Do(ctx, &core.Request{Method: "GET", Path: "/v3/certificates"}, nil)
	require.NoError(t, err)
	_, _ = c.Do(ctx, &core.Request{Method: "POST", Path: "/v3/test/none", Body: map[string]string{"a": "b"}}, nil)
	resp, err := c.Download(ctx, sb.URL+"/v3/certificates")
	require.NoError(t, err)
	resp.Body.Close()
	got := rec()
	require.Len(t, got, 3)
	for _, w := range got {
		assert.Equal(t, sb.PublicKeyID, w.Header.Get("Wechatpay-Serial"), w.URI)
	}
	// An explicit serial (the key a field was encrypted to) wins.
	_, _ = c.Do(ctx, &core.Request{Method: "GET", Path: "/v3/certificates", WechatpaySerial: "ABC"}, nil)
	assert.Equal(t, "ABC", rec()[3].Header.Get("Wechatpay-Serial"))

	// A client without a public key sends none.
	sb2 := newSandbox(t, sandbox.WithSigningMode(sandbox.SignWithCertificate))
	rec2 := record(t, sb2)
	c2, err := sb2.CertificateClient()
	require.NoError(t, err)
	_, err = c2.Do(ctx, &core.Request{Method: "GET", Path: "/v3/certificates"}, nil)
	require.NoError(t, err)
	for _, w := range rec2() {
		assert.Empty(t, w.Header.Get("Wechatpay-Serial"), w.URI)
	}
}

// Item 3, for answers: a transport that hands back header keys in another
// case does not make a signed error pass as unsigned.
func TestSignedErrorWithLowerCaseHeadersMustVerify(t *testing.T) {
	sb := newSandbox(t)
	lower := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		resp, err := http.DefaultTransport.RoundTrip(r)
		if err != nil {
			return nil, err
		}
		h := http.Header{}
		for k, v := range resp.Header {
			h[strings.ToLower(k)] = v
		}
		resp.Header = h
		return resp, nil
	})}
	c := newClient(t, sb, core.WithHTTPClient(lower))
	answer(sb, 400, `{"code":"PARAM_ERROR","message":"m"}`, time.Now, func(h http.Header, body *string) {
		h.Set("Request-ID", "RID-LC")
		*body = `{"code":"PARAM_ERROR","message":"tampered"}`
	})
	_, err := c.Do(context.Background(), &core.Request{Method: "GET", Path: "/v3/x"}, nil)
	require.ErrorIs(t, err, core.ErrInvalidSignature, "a tampered signed error is rejected whatever the header case")
	answer(sb, 200, `{"a":1}`, time.Now, nil)
	resp, err := c.Do(context.Background(), &core.Request{Method: "GET", Path: "/v3/x"}, nil)
	require.NoError(t, err)
	assert.Equal(t, "RID-TEST-1", resp.RequestID, "the Request-ID is read whatever its case")
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
