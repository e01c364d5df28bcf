package core_test

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

type bbCount struct{ n atomic.Int32 }

func (c *bbCount) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return http.DefaultTransport.RoundTrip(r)
}

func bbClient(t *testing.T) (*sandbox.Server, *core.Client, *bbCount) {
	t.Helper()
	sb, err := sandbox.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sb.Close)
	cnt := &bbCount{}
	c, err := sb.Client(core.WithHTTPClient(&http.Client{Transport: cnt}))
	if err != nil {
		t.Fatal(err)
	}
	return sb, c, cnt
}

func TestBlackBoxDoRefusesDotSegments(t *testing.T) {
	_, c, cnt := bbClient(t)
	for _, p := range []string{
		"/v3/payscore/permissions/openid/../terminate",
		"/v3/payscore/./serviceorder",
		"/v3/payscore/permissions/openid/%2e%2e/terminate",
		"/v3/payscore/permissions/openid/%2E%2E",
		"/v3/a/.%2e/b",
		"/v3/a/..",
	} {
		_, err := c.Do(context.Background(), &core.Request{Method: http.MethodGet, Path: p}, nil)
		if err == nil {
			t.Errorf("%s: no error", p)
			continue
		}
		var ve *core.ValidationError
		if !errors.As(err, &ve) {
			t.Errorf("%s: %T %v, want *core.ValidationError", p, err, err)
		}
	}
	if n := cnt.n.Load(); n != 0 {
		t.Fatalf("%d requests sent", n)
	}
}

func TestBlackBoxSignedOnlyToConfiguredHosts(t *testing.T) {
	var hits atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
	}))
	defer other.Close()
	sb, c, cnt := bbClient(t)
	ctx := context.Background()
	for _, u := range []string{
		other.URL + "/v3/billdownload/file?token=x",
		"https://evil.example.com/v3/billdownload/file",
		strings.Replace(sb.URL, "http://", "https://", 1) + "/v3/billdownload/file", // scheme differs
		sb.URL + ".evil.example/v3/billdownload/file",
		"http://user@" + strings.TrimPrefix(other.URL, "http://") + "/x",
	} {
		resp, err := c.Download(ctx, u)
		if err == nil {
			resp.Body.Close()
			t.Errorf("Download(%s): no error", u)
		}
		if _, err := c.Do(ctx, &core.Request{Method: http.MethodGet, Path: u}, nil); err == nil {
			t.Errorf("Do(%s): no error", u)
		}
	}
	if hits.Load() != 0 || cnt.n.Load() != 0 {
		t.Fatalf("sent: other host %d, transport %d", hits.Load(), cnt.n.Load())
	}
}

func TestBlackBoxClientNeverPrintsAPIv3Key(t *testing.T) {
	sb, c, _ := bbClient(t)
	for _, f := range []string{"%v", "%+v", "%#v", "%s"} {
		if s := fmt.Sprintf(f, c); strings.Contains(s, sb.APIv3Key) {
			t.Errorf("%s shows the APIv3 key", f)
		}
		if s := fmt.Sprintf(f, *c); strings.Contains(s, sb.APIv3Key) {
			t.Errorf("%s of value shows the APIv3 key", f)
		}
	}
}

func TestBlackBoxLoaders(t *testing.T) {
	sb, err := sandbox.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	files := sb.CredentialFiles()
	dir := t.TempDir()
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	key, err := core.LoadPrivateKeyFile(filepath.Join(dir, sandbox.CredentialMerchantKey))
	if err != nil {
		t.Fatal(err)
	}
	if !key.Equal(sb.MerchantPrivateKey) {
		t.Fatal("private key differs")
	}
	// PKCS#1 accepted too.
	p1 := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(sb.MerchantPrivateKey)})
	if k, err := core.LoadPrivateKey(p1); err != nil || !k.Equal(sb.MerchantPrivateKey) {
		t.Fatalf("PKCS#1: %v", err)
	}
	cert, err := core.LoadCertificateFile(filepath.Join(dir, sandbox.CredentialMerchantCertificate))
	if err != nil {
		t.Fatal(err)
	}
	if got := core.CertificateSerial(cert); got != sb.MerchantSerialNo {
		t.Fatalf("CertificateSerial = %q, want %q", got, sb.MerchantSerialNo)
	}
	if got := core.CertificateSerial(cert); got != strings.ToUpper(got) {
		t.Fatalf("serial not upper-case hex: %q", got)
	}
	pub, err := core.LoadPublicKeyFile(filepath.Join(dir, sandbox.CredentialPublicKey))
	if err != nil {
		t.Fatal(err)
	}
	if !pub.Equal(sb.PlatformPublicKey) {
		t.Fatal("public key differs")
	}
	if _, err := core.LoadCertificate(files[sandbox.CredentialCertificates]); err != nil {
		t.Fatalf("platform certificate: %v", err)
	}
	// A client built only from the loaded files works.
	c, err := core.NewClient(
		core.WithMerchant(sandbox.MerchantID, core.CertificateSerial(cert), key),
		core.WithAPIv3Key(sb.APIv3Key),
		core.WithPlatformPublicKey(sb.PublicKeyID, pub),
		core.WithBaseURL(sb.URL),
	)
	if err != nil {
		t.Fatal(err)
	}
	_ = c
	// Wrong PEM types: a *PEMError naming the file, with no key material.
	keyPath := filepath.Join(dir, sandbox.CredentialMerchantKey)
	certPath := filepath.Join(dir, sandbox.CredentialMerchantCertificate)
	_, err = core.LoadPrivateKeyFile(certPath)
	var pe *core.PEMError
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), certPath) || !strings.Contains(err.Error(), "CERTIFICATE") {
		t.Fatalf("cert as key: %v", err)
	}
	_, err = core.LoadCertificateFile(keyPath)
	if !errors.As(err, &pe) || strings.Contains(err.Error(), "MII") {
		t.Fatalf("key as cert: %v", err)
	}
	if _, err := core.LoadPublicKey([]byte("garbage")); err == nil {
		t.Fatal("garbage public key accepted")
	}
	if _, err := core.LoadPrivateKeyFile(filepath.Join(dir, "missing.pem")); err == nil || !strings.Contains(err.Error(), "missing.pem") {
		t.Fatalf("missing file: %v", err)
	}
	var _ func([]byte) (*rsa.PrivateKey, error) = core.LoadPrivateKey
	var _ func(string) (*rsa.PublicKey, error) = core.LoadPublicKeyFile
	var _ func(*x509.Certificate) string = core.CertificateSerial
}

type bbHeaders struct{ got []http.Header }

func (b *bbHeaders) RoundTrip(r *http.Request) (*http.Response, error) {
	b.got = append(b.got, r.Header.Clone())
	return http.DefaultTransport.RoundTrip(r)
}

// Download is signed too, and names the public key like every request.
func TestBlackBoxDownloadSendsPublicKeyID(t *testing.T) {
	sb, err := sandbox.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	rec := &bbHeaders{}
	c, err := sb.Client(core.WithHTTPClient(&http.Client{Transport: rec}))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Download(context.Background(), sb.URL+"/v3/certificates")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if len(rec.got) != 1 {
		t.Fatalf("%d requests", len(rec.got))
	}
	if got := rec.got[0].Get("Wechatpay-Serial"); got != sb.PublicKeyID {
		t.Fatalf("Wechatpay-Serial = %q, want %q", got, sb.PublicKeyID)
	}
	if !strings.HasPrefix(rec.got[0].Get("Authorization"), "WECHATPAY2-SHA256-RSA2048 ") {
		t.Fatal("download not signed")
	}
}
