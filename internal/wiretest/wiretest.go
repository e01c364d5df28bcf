// Package wiretest holds the test helpers the product packages share: a
// recorder that captures what reaches the sandbox and checks every request's
// signature independently, and a hand-written signed API under a path prefix
// for answers the sandbox never gives. It is used by tests only.
package wiretest

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/wechatpay-apiv3/wechatpay-go/utils"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

// Wire is one request as it reached the server.
type Wire struct {
	Method string      // HTTP method, upper case
	URI    string      // path with the raw query, as signed
	Header http.Header // the request's headers, a copy (Authorization included)
	Body   []byte      // the body exactly as sent and signed; empty for none
}

// Recorder captures every request a sandbox receives.
type Recorder struct {
	mu   sync.Mutex
	seen []Wire
}

// Record installs a hook on sb that checks each request's Authorization with
// the merchant public key (independently of the sandbox), records it, and
// lets the sandbox answer.
func Record(t testing.TB, sb *sandbox.Server) *Recorder {
	r := &Recorder{}
	sb.SetHook(func(_ http.ResponseWriter, req *http.Request) bool {
		b, _ := io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(b))
		VerifyAuthorization(t, sb, req.Method, req.RequestURI, b, req.Header.Get("Authorization"))
		r.mu.Lock()
		r.seen = append(r.seen, Wire{Method: req.Method, URI: req.RequestURI, Header: req.Header.Clone(), Body: b})
		r.mu.Unlock()
		return false
	})
	return r
}

// Requests returns what the server has received so far.
func (r *Recorder) Requests() []Wire {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Wire(nil), r.seen...)
}

// Only returns the one request received, failing if there were more or none.
func (r *Recorder) Only(t testing.TB) Wire {
	t.Helper()
	reqs := r.Requests()
	require.Len(t, reqs, 1)
	return reqs[0]
}

// Reset forgets what was recorded.
func (r *Recorder) Reset() {
	r.mu.Lock()
	r.seen = nil
	r.mu.Unlock()
}

// VerifyAuthorization checks that a request is signed, with the sandbox
// merchant's key, over exactly what was sent.
func VerifyAuthorization(t testing.TB, sb *sandbox.Server, method, uri string, body []byte, header string) {
	t.Helper()
	a, problem := sandbox.ParseAuthorization(header)
	if problem != "" {
		t.Errorf("bad Authorization header: %s", problem)
		return
	}
	msg := method + "\n" + uri + "\n" + a.Timestamp + "\n" + a.NonceStr + "\n" + string(body) + "\n"
	sum := sha256.Sum256([]byte(msg))
	sig, err := base64.StdEncoding.DecodeString(a.Signature)
	if err != nil || rsa.VerifyPKCS1v15(&sb.MerchantPrivateKey.PublicKey, crypto.SHA256, sum[:], sig) != nil {
		t.Errorf("request %s %s is not signed over what was sent", method, uri)
	}
}

// DecryptPlatform decrypts a field a client encrypted to sb's platform key.
func DecryptPlatform(t testing.TB, sb *sandbox.Server, ct string) string {
	t.Helper()
	pt, err := utils.DecryptOAEP(ct, sb.PlatformPrivateKey())
	require.NoError(t, err, "field is not ciphertext for the platform key")
	return pt
}

// FakeAPI is a hand-written server mounted under /prefix that verifies each
// request's signature and signs its answers with the sandbox platform key.
type FakeAPI struct {
	Server *httptest.Server // the fake API; requests outside /prefix/ fail the test
	Client *core.Client     // wired to Server + "/prefix"

	mu  sync.Mutex
	got []Wire
}

// NewFakeAPI starts a FakeAPI; answer gives the status and body of the n-th
// request (from 1). Request URIs are recorded without the prefix, and a
// request outside the prefix fails the test.
func NewFakeAPI(t testing.TB, answer func(n int, r Wire) (int, string)) *FakeAPI {
	t.Helper()
	sb, err := sandbox.NewServer()
	require.NoError(t, err)
	t.Cleanup(sb.Close)
	f := &FakeAPI{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if !strings.HasPrefix(r.URL.Path, "/prefix/") {
			t.Errorf("request %s escaped the base URL prefix", r.URL.Path)
		}
		VerifyAuthorization(t, sb, r.Method, r.RequestURI, b, r.Header.Get("Authorization"))
		rec := Wire{Method: r.Method, URI: strings.TrimPrefix(r.RequestURI, "/prefix"), Header: r.Header.Clone(), Body: b}
		f.mu.Lock()
		f.got = append(f.got, rec)
		n := len(f.got)
		f.mu.Unlock()
		status, body := answer(n, rec)
		for k, v := range sb.SignatureHeaders([]byte(body), time.Now()) {
			w.Header()[k] = v
		}
		w.Header().Set("Request-ID", "fake-"+strconv.Itoa(n))
		if body != "" {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(f.Server.Close)
	f.Client, err = sb.Client(core.WithBaseURL(f.Server.URL + "/prefix"))
	require.NoError(t, err)
	return f
}

// Requests returns what the FakeAPI has received so far.
func (f *FakeAPI) Requests() []Wire {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Wire(nil), f.got...)
}

// RequireAPIError asserts err is an *core.APIError with status and code that
// carries its Request-ID (in the error and its message), and returns it.
func RequireAPIError(t testing.TB, err error, status int, code string) *core.APIError {
	t.Helper()
	require.Error(t, err)
	ae, ok := core.IsAPIError(err)
	require.True(t, ok, "want *core.APIError, got %T: %v", err, err)
	require.Equal(t, status, ae.StatusCode)
	require.Equal(t, code, ae.Code)
	require.NotEmpty(t, ae.RequestID, "API errors carry the Request-ID")
	require.Contains(t, err.Error(), ae.RequestID)
	return ae
}

// RequireValidation asserts err is a *core.ValidationError naming every
// field in fields, and returns it.
func RequireValidation(t testing.TB, err error, fields ...string) *core.ValidationError {
	t.Helper()
	var ve *core.ValidationError
	require.ErrorAs(t, err, &ve)
	for _, f := range fields {
		require.True(t, ve.Has(f), "want a problem with %s in %v", f, ve)
	}
	return ve
}
