package main

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/notify"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

// endpoint is a merchant's notify endpoint under test: the SDK's handler,
// trusting the sandbox's test keys, recording what it accepted.
func endpoint(t *testing.T, f *fixture) (*httptest.Server, chan *notify.Notification) {
	t.Helper()
	c, err := f.sb.Client()
	require.NoError(t, err)
	h, err := notify.NewHandler(c)
	require.NoError(t, err)
	got := make(chan *notify.Notification, 1)
	h.On("PAYSCORE.USER_PAID", func(_ context.Context, n *notify.Notification) error {
		got <- n
		return nil
	})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv, got
}

func writePEM(t *testing.T, dir, name, typ string, der []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600))
	return p
}

func TestNotifySendReachesAVerifyingEndpoint(t *testing.T) {
	// Certificate signing mode, so that the certificate client below can
	// download and verify the platform certificates.
	f := newFixture(t, sandbox.WithSigningMode(sandbox.SignWithCertificate))
	srv, got := endpoint(t, f)
	der, err := x509.MarshalPKCS8PrivateKey(f.sb.PlatformPrivateKey())
	require.NoError(t, err)
	keyFile := writePEM(t, f.dir, "test_platform_key.pem", "PRIVATE KEY", der)
	resource := filepath.Join(f.dir, "paid.json")
	require.NoError(t, os.WriteFile(resource, []byte(`{"out_order_no":"1234323JKHDFE1243252","state":"DONE"}`), 0o600))

	r := f.run(t, "notify", "send", "--event", "PAYSCORE.USER_PAID", "--resource", resource,
		"--url", srv.URL+"/wechatpay/notify?token=secret", "--platform-key-file", keyFile, "--serial", f.sb.PublicKeyID,
		"--original-type", "payscore", "--id", "EV-2026112900000001")
	require.Equal(t, 0, r.code, r.stderr)
	n := <-got
	require.Equal(t, "EV-2026112900000001", n.ID)
	var paid struct {
		OutOrderNo string `json:"out_order_no"`
	}
	require.NoError(t, n.Decode(&paid))
	require.Equal(t, "1234323JKHDFE1243252", paid.OutOrderNo)
	require.Contains(t, r.stdout, "sent     PAYSCORE.USER_PAID EV-2026112900000001 (Wechatpay-Serial "+f.sb.PublicKeyID+") to "+srv.URL+"/wechatpay/notify\n")
	require.Contains(t, r.stdout, "answer   204 No Content")
	require.NotContains(t, r.stdout, "secret", "the query of the URL is not printed")

	// The APIv3 key from a file, the serial from a certificate of the key.
	keyDir := t.TempDir()
	apiv3 := filepath.Join(keyDir, "apiv3.key")
	require.NoError(t, os.WriteFile(apiv3, []byte(f.env["WECHATPAY_APIV3_KEY"]+"\n"), 0o600))
	delete(f.env, "WECHATPAY_APIV3_KEY")
	certFile := writePEM(t, keyDir, "platform_cert.pem", "CERTIFICATE", f.sb.PlatformCertificate().Raw)
	certKey, err := x509.MarshalPKCS8PrivateKey(certKeyOf(t, f))
	require.NoError(t, err)
	certKeyFile := writePEM(t, keyDir, "platform_cert_key.pem", "PRIVATE KEY", certKey)
	c, err := f.sb.CertificateClient()
	require.NoError(t, err)
	h, err := notify.NewHandler(c)
	require.NoError(t, err)
	h.On("PAYSCORE.USER_PAID", func(context.Context, *notify.Notification) error { return nil })
	certSrv := httptest.NewServer(h)
	defer certSrv.Close()
	r = f.run(t, "notify", "send", "--event", "PAYSCORE.USER_PAID", "--resource", resource, "--url", certSrv.URL,
		"--platform-key-file", certKeyFile, "--platform-cert-file", certFile, "--apiv3-key-file", apiv3)
	require.Equal(t, 0, r.code, r.stderr)
}

// certKeyOf finds the private key of the sandbox's current platform
// certificate among its test keys.
func certKeyOf(t *testing.T, f *fixture) any {
	t.Helper()
	for _, name := range []string{"platform_cert_a.pem", "platform_cert_b.pem"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "sandbox", "testdata", name))
		require.NoError(t, err)
		blk, _ := pem.Decode(b)
		k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
		require.NoError(t, err)
		if rk, ok := k.(*rsa.PrivateKey); ok && rk.PublicKey.Equal(f.sb.PlatformCertificate().PublicKey) {
			return k
		}
	}
	t.Fatal("no test key matches the platform certificate")
	return nil
}

func TestNotifySendReportsARejection(t *testing.T) {
	f := newFixture(t)
	srv, got := endpoint(t, f)
	resource := filepath.Join(f.dir, "paid.json")
	require.NoError(t, os.WriteFile(resource, []byte(`{"out_order_no":"X"}`), 0o600))

	// Signed with the wrong key (the merchant's): the endpoint refuses it.
	r := f.run(t, "notify", "send", "--event", "PAYSCORE.USER_PAID", "--resource", resource, "--url", srv.URL,
		"--platform-key-file", f.env["WECHATPAY_MCH_KEY_FILE"], "--serial", f.sb.PublicKeyID)
	require.Equal(t, 1, r.code)
	require.Contains(t, r.stdout, "answer   401 Unauthorized")
	require.Contains(t, r.stdout, `body     {"code":"FAIL"`)
	require.Contains(t, r.stderr, "the endpoint answered 401 Unauthorized: WeChat Pay would deliver this callback again")
	require.Empty(t, got)

	// Nobody listening.
	srv.Close()
	r = f.run(t, "notify", "send", "--event", "PAYSCORE.USER_PAID", "--resource", resource, "--url", srv.URL,
		"--platform-key-file", f.env["WECHATPAY_MCH_KEY_FILE"], "--serial", f.sb.PublicKeyID)
	require.Equal(t, 1, r.code)
	require.Contains(t, r.stderr, "POST "+srv.URL)

	// Usage errors.
	bad := filepath.Join(f.dir, "bad.json")
	require.NoError(t, os.WriteFile(bad, []byte(`{"out_order_no":`), 0o600))
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--resource", bad, "--url", srv.URL}, "is not valid JSON"},
		{[]string{"--resource", resource, "--url", "ftp://x"}, `--url "ftp://x" is not an http(s) URL`},
		{[]string{"--resource", filepath.Join(f.dir, "missing.json"), "--url", srv.URL}, "no such file"},
	} {
		args := append([]string{"notify", "send", "--event", "PAYSCORE.USER_PAID", "--serial", f.sb.PublicKeyID,
			"--platform-key-file", f.env["WECHATPAY_MCH_KEY_FILE"]}, tc.args...)
		r = f.run(t, args...)
		require.Equal(t, 2, r.code, r.stderr)
		require.Contains(t, r.stderr, tc.want)
	}
}

// Key files of the wrong kind are explained in terms of this command's
// flags, not of the merchant's apiclient_*.pem files or Go functions.
func TestNotifySendExplainsWrongKeyFiles(t *testing.T) {
	f := newFixture(t)
	resource := filepath.Join(f.dir, "paid.json")
	require.NoError(t, os.WriteFile(resource, []byte(`{"state":"DONE"}`), 0o600))
	der, err := x509.MarshalPKCS8PrivateKey(f.sb.PlatformPrivateKey())
	require.NoError(t, err)
	keyFile := writePEM(t, f.dir, "test_platform_key.pem", "PRIVATE KEY", der)
	certFile := writePEM(t, f.dir, "platform_cert.pem", "CERTIFICATE", f.sb.PlatformCertificate().Raw)
	pubDER, err := x509.MarshalPKIXPublicKey(f.sb.PlatformPublicKey)
	require.NoError(t, err)
	pubFile := writePEM(t, f.dir, "pub_key.pem", "PUBLIC KEY", pubDER)
	send := []string{"notify", "send", "--event", "PAYSCORE.USER_PAID", "--resource", resource, "--url", "http://127.0.0.1:1/"}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--platform-key-file", certFile, "--serial", "X"}, "--platform-key-file " + certFile + `: found PEM "CERTIFICATE", want the TEST platform private key (PEM "PRIVATE KEY" or "RSA PRIVATE KEY"): this is a certificate: give it as --platform-cert-file`},
		{[]string{"--platform-key-file", pubFile, "--serial", "X"}, "this is a public key, which the endpoint keeps"},
		{[]string{"--platform-key-file", resource, "--serial", "X"}, "--platform-key-file " + resource + ": no PEM block found"},
		{[]string{"--platform-key-file", keyFile, "--platform-cert-file", keyFile}, "--platform-cert-file " + keyFile + `: found PEM "PRIVATE KEY", want the TEST platform certificate of that key (PEM "CERTIFICATE"): this is a private key: give it as --platform-key-file`},
	} {
		r := f.run(t, append(send, tc.args...)...)
		require.Equal(t, 2, r.code, r.stderr)
		require.Contains(t, r.stderr, tc.want)
		require.NotContains(t, r.stderr, "apiclient_")
		require.NotContains(t, r.stderr, "Load")
	}
}
