package bench

import (
	"bufio"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

const (
	subMchID = "1900000109"
	goldPath = "/v3/goldplan/merchants/changegoldplanstatus"
	sgPath   = "/v3/smartguide/guides"
)

// answers are the bodies the benchmark servers return, by path.
var answers = map[string][]byte{
	goldPath: []byte(`{"sub_mchid":"1900000109"}`),
	sgPath:   []byte(`{"guide_id":"LLA3WJ6DSZUfiaZDS79FH5Wm5m4X69TBic"}`),
}

// newSandbox loads the sandbox's test-only keys, which every contender and
// every server (in this process or the server subprocess) share.
func newSandbox(tb testing.TB) *sandbox.Server {
	sb, err := sandbox.NewServer()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(sb.Close)
	return sb
}

// signingHandler does what WeChat Pay does for every call: it verifies the
// request's Authorization with the merchant public key and signs its answer
// with the platform key. Its two RSA operations are part of every round trip.
func signingHandler(sb *sandbox.Server) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		a, problem := sandbox.ParseAuthorization(r.Header.Get("Authorization"))
		sig, _ := base64.StdEncoding.DecodeString(a.Signature)
		sum := sha256.Sum256([]byte(r.Method + "\n" + r.RequestURI + "\n" + a.Timestamp + "\n" + a.NonceStr + "\n" + string(body) + "\n"))
		if problem != "" || rsa.VerifyPKCS1v15(&sb.MerchantPrivateKey.PublicKey, crypto.SHA256, sum[:], sig) != nil {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"code":"SIGN_ERROR","message":"签名错误"}`)
			return
		}
		out, ok := answers[r.URL.Path]
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		for k, v := range sb.SignatureHeaders(out, time.Now()) {
			w.Header()[k] = v
		}
		w.Header().Set("Request-ID", "BENCH")
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(out)
	})
}

// staticHandler answers every call with a pre-signed answer, so that no RSA
// work and almost no allocation of the server's own is counted: what is left
// in the figures is the client, plus net/http's server side, which is the
// same for every contender. It checks that a request carries an
// Authorization of the right scheme (signatures themselves are checked by the
// signing server's benchmarks and by the SDK's tests). Answers are signed
// again every minute so their timestamps stay inside the clients' window.
type staticHandler struct {
	sb *sandbox.Server
	mu sync.Mutex
	at atomic.Pointer[presigned]
}

type presigned struct {
	signed time.Time
	byPath map[string]answer
}

type answer struct {
	header http.Header
	body   []byte
}

func newStaticHandler(sb *sandbox.Server) *staticHandler {
	h := &staticHandler{sb: sb}
	h.current()
	return h
}

func (h *staticHandler) current() *presigned {
	if p := h.at.Load(); p != nil && time.Since(p.signed) < time.Minute {
		return p
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if p := h.at.Load(); p != nil && time.Since(p.signed) < time.Minute {
		return p
	}
	p := &presigned{signed: time.Now(), byPath: map[string]answer{}}
	for path, body := range answers {
		hdr := h.sb.SignatureHeaders(body, p.signed)
		hdr.Set("Request-ID", "BENCH-STATIC")
		hdr.Set("Content-Type", "application/json")
		p.byPath[path] = answer{header: hdr, body: body}
	}
	h.at.Store(p)
	return p
}

func (h *staticHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	a, ok := h.current().byPath[r.URL.Path]
	switch {
	case !strings.HasPrefix(r.Header.Get("Authorization"), core.SignatureScheme+" "):
		w.WriteHeader(http.StatusUnauthorized)
		return
	case !ok:
		w.WriteHeader(http.StatusNotFound)
		return
	}
	out := w.Header()
	for k, v := range a.header {
		out[k] = v // shared, read-only value slices: no copy
	}
	_, _ = w.Write(a.body)
}

// inProcess serves handler on loopback from this process; its CPU time and
// allocations are counted in the benchmark's figures.
func inProcess(tb testing.TB, handler http.Handler) string {
	srv := httptest.NewServer(handler)
	tb.Cleanup(srv.Close)
	return srv.URL
}

// serverEnv, when set, makes the test binary a static benchmark server
// instead of running benchmarks: see TestMain and serverProcess.
const serverEnv = "WECHATPAY_BENCH_SERVER"

// serverLifetime bounds how long a server subprocess lives even if its
// parent never closes its stdin.
const serverLifetime = 30 * time.Minute

// TestMain turns the test binary into the server subprocess when serverEnv
// is set.
func TestMain(m *testing.M) {
	if os.Getenv(serverEnv) != "" {
		os.Exit(serveStatic())
	}
	os.Exit(m.Run())
}

// serveStatic is the body of the server subprocess: a static server on a
// loopback port, whose URL is the first line it prints. It exits when its
// stdin is closed (the benchmark is done, or its process died) or after
// serverLifetime.
func serveStatic() int {
	sb, err := sandbox.NewServer()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer sb.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	srv := &http.Server{Handler: newStaticHandler(sb), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	fmt.Printf("http://%s\n", ln.Addr())
	done := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(serverLifetime):
	}
	_ = srv.Close()
	return 0
}

// subprocess starts the static server in a child process (this test binary
// again, with serverEnv set) and returns its URL. The child's CPU time is
// not counted in this process's cpu-ns/op, so client scaling is measured
// alone.
func subprocess(tb testing.TB) string {
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), serverEnv+"=1")
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		_ = stdin.Close()
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "http://") {
		tb.Fatalf("server subprocess: %q, %v", line, err)
	}
	return strings.TrimSpace(line)
}
