package goldplan_test

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
	"github.com/wechatpay-biz/wechatpay-biz-go/goldplan"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

// wire is one request as it reached the server.
type wire struct {
	Method string
	URI    string // path with the raw query, as signed
	Header http.Header
	Body   []byte
}

// env is a sandbox with a recording hook in front of it.
type env struct {
	sb  *sandbox.Server
	c   *core.Client
	svc *goldplan.Service

	mu   sync.Mutex
	seen []wire
}

func newEnv(t *testing.T, opts ...sandbox.Option) *env {
	t.Helper()
	sb, err := sandbox.NewServer(opts...)
	require.NoError(t, err)
	t.Cleanup(sb.Close)
	c, err := sb.Client()
	require.NoError(t, err)
	e := &env{sb: sb, c: c, svc: goldplan.NewService(c)}
	sb.SetHook(func(_ http.ResponseWriter, r *http.Request) bool {
		b, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(b))
		verifyAuthorization(t, sb, r.Method, r.RequestURI, b, r.Header.Get("Authorization"))
		e.mu.Lock()
		e.seen = append(e.seen, wire{Method: r.Method, URI: r.RequestURI, Header: r.Header.Clone(), Body: b})
		e.mu.Unlock()
		return false
	})
	return e
}

// requests returns what the server has received so far.
func (e *env) requests() []wire {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]wire(nil), e.seen...)
}

// only returns the one request the server received, failing if there
// were more or none.
func (e *env) only(t *testing.T) wire {
	t.Helper()
	reqs := e.requests()
	require.Len(t, reqs, 1)
	return reqs[0]
}

func (e *env) reset() {
	e.mu.Lock()
	e.seen = nil
	e.mu.Unlock()
}

// verifyAuthorization checks a request's signature with the sandbox
// merchant's public key, independently of the sandbox.
func verifyAuthorization(t *testing.T, sb *sandbox.Server, method, uri string, body []byte, header string) {
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

// platformKey is the private half of the sandbox's WeChat Pay public key,
// which the fake API signs with.
func platformKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	k, err := utils.LoadPrivateKeyWithPath("../sandbox/testdata/platform_pubkey.pem")
	require.NoError(t, err)
	return k
}

// fakeAPI is a hand-written server mounted under /prefix that verifies each
// request's signature and signs its answers with the sandbox platform key,
// for answers the sandbox never gives.
type fakeAPI struct {
	srv *httptest.Server
	c   *core.Client
	mu  sync.Mutex
	got []wire
}

func newFakeAPI(t *testing.T, answer func(n int, r wire) (int, string)) *fakeAPI {
	t.Helper()
	sb, err := sandbox.NewServer()
	require.NoError(t, err)
	t.Cleanup(sb.Close)
	key := platformKey(t)
	f := &fakeAPI{}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if !strings.HasPrefix(r.URL.Path, "/prefix/") {
			t.Errorf("request %s escaped the base URL prefix", r.URL.Path)
		}
		verifyAuthorization(t, sb, r.Method, r.RequestURI, b, r.Header.Get("Authorization"))
		rec := wire{Method: r.Method, URI: strings.TrimPrefix(r.RequestURI, "/prefix"), Header: r.Header.Clone(), Body: b}
		f.mu.Lock()
		f.got = append(f.got, rec)
		n := len(f.got)
		f.mu.Unlock()
		status, body := answer(n, rec)
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		nonce := "fakeapinonce" + strconv.Itoa(n)
		sig, err := utils.SignSHA256WithRSA(ts+"\n"+nonce+"\n"+body+"\n", key)
		require.NoError(t, err)
		w.Header().Set("Request-ID", "fake-"+strconv.Itoa(n))
		w.Header().Set("Wechatpay-Timestamp", ts)
		w.Header().Set("Wechatpay-Nonce", nonce)
		w.Header().Set("Wechatpay-Signature", sig)
		w.Header().Set("Wechatpay-Serial", sb.PublicKeyID)
		if body != "" {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(f.srv.Close)
	f.c, err = sb.Client(core.WithBaseURL(f.srv.URL + "/prefix"))
	require.NoError(t, err)
	return f
}

func (f *fakeAPI) requests() []wire {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]wire(nil), f.got...)
}
