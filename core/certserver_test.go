package core_test

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/wechatpay-apiv3/wechatpay-go/utils"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

// simClock is a clock that tests move by hand.
type simClock struct{ ns atomic.Int64 }

func newSimClock() *simClock {
	c := &simClock{}
	c.ns.Store(time.Date(2026, 5, 20, 13, 29, 35, 0, time.UTC).UnixNano())
	return c
}

func (c *simClock) Now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *simClock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

// certServer is a recording stand-in for WeChat Pay in certificate mode: it
// checks every request's Authorization with the test merchant key, serves
// GET /v3/certificates (each certificate encrypted with the APIv3 key) and
// GET /v3/test/ping, and signs every answer with its newest platform
// certificate. Rotate issues a new certificate; the newest keep (default 3)
// are served.
type certServer struct {
	t        testing.TB
	URL      string
	apiV3Key string
	merchant *rsa.PublicKey
	pool     []*rsa.PrivateKey // certificate keys, used in turn
	clock    *simClock
	keep     int // how many certificates are served

	downloads atomic.Int32
	badAuth   atomic.Int32
	// block, when set, is waited on before answering a certificate download.
	block atomic.Pointer[chan struct{}]
	// armed makes the next certificate download rotate after it has read
	// the list and before it answers, then hold its answer until a few
	// pings were signed with the new certificate (or a few milliseconds
	// passed): callers then see a serial that the download in flight lacks.
	armed       atomic.Bool
	newestPings atomic.Int32

	mu     sync.Mutex
	certs  []servedCert // newest last
	serial int64
	ping   http.Header // cached signature headers of the ping answer
}

type servedCert struct {
	cert *x509.Certificate
	key  *rsa.PrivateKey
	pem  string
}

const pingBody = `{"pong":"1"}`

// newCertServer uses the sandbox's test merchant key (the client is pointed
// at this server, not the production hosts) and platform keys of its own.
func newCertServer(t testing.TB, clock *simClock) (*certServer, *sandbox.Server) {
	t.Helper()
	sb := newSandbox(t)
	k := ownKeys(t)
	s := &certServer{t: t, apiV3Key: sb.APIv3Key, merchant: &sb.MerchantPrivateKey.PublicKey,
		pool: []*rsa.PrivateKey{k.platform, sb.PlatformPrivateKey(), k.thirdKey()}, clock: clock, keep: 3}
	s.Rotate()
	srv := httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s, sb
}

// Rotate issues a new platform certificate, signs with it from now on and
// serves it beside the ones before it (keep in all).
func (s *certServer) Rotate() *x509.Certificate {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.serial++
	key := s.pool[int(s.serial)%len(s.pool)]
	now := s.clock.Now()
	tmpl := &x509.Certificate{
		SerialNumber: new(big.Int).SetInt64(0x10000000 + s.serial),
		Subject:      pkix.Name{CommonName: "certServer platform certificate (TEST ONLY)"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(365 * 24 * time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(s.t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(s.t, err)
	s.certs = append(s.certs, servedCert{cert: cert, key: key, pem: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))})
	if len(s.certs) > s.keep {
		s.certs = s.certs[len(s.certs)-s.keep:]
	}
	s.ping = nil
	s.newestPings.Store(0)
	return cert
}

// Newest returns the certificate answers are signed with.
func (s *certServer) Newest() *x509.Certificate {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.certs[len(s.certs)-1].cert
}

// Rotations returns how many certificates were issued after the first.
func (s *certServer) Rotations() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.serial - 1
}

// Withdraw stops serving every certificate but the newest.
func (s *certServer) Withdraw() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.certs = s.certs[len(s.certs)-1:]
}

func serialOf(c *x509.Certificate) string { return utils.GetCertificateSerialNumber(*c) }

// signLocked signs body with the newest certificate.
func (s *certServer) signLocked(body []byte) http.Header {
	c := s.certs[len(s.certs)-1]
	ts := strconv.FormatInt(s.clock.Now().Unix(), 10)
	nonce, err := utils.GenerateNonce()
	require.NoError(s.t, err)
	sig, err := utils.SignSHA256WithRSA(ts+"\n"+nonce+"\n"+string(body)+"\n", c.key)
	require.NoError(s.t, err)
	h := http.Header{}
	h.Set("Wechatpay-Timestamp", ts)
	h.Set("Wechatpay-Nonce", nonce)
	h.Set("Wechatpay-Signature", sig)
	h.Set("Wechatpay-Serial", serialOf(c.cert))
	return h
}

func (s *certServer) checkAuthorization(r *http.Request, body []byte) bool {
	a, problem := sandbox.ParseAuthorization(r.Header.Get("Authorization"))
	if problem != "" {
		return false
	}
	msg := r.Method + "\n" + r.URL.RequestURI() + "\n" + a.Timestamp + "\n" + a.NonceStr + "\n" + string(body) + "\n"
	sum := sha256.Sum256([]byte(msg))
	sig, err := base64.StdEncoding.DecodeString(a.Signature)
	return err == nil && rsa.VerifyPKCS1v15(s.merchant, crypto.SHA256, sum[:], sig) == nil
}

func (s *certServer) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if !s.checkAuthorization(r, body) {
		s.badAuth.Add(1)
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, `{"code":"SIGN_ERROR","message":"签名错误"}`)
		return
	}
	var out []byte
	var h http.Header
	switch r.URL.Path {
	case "/v3/certificates":
		s.downloads.Add(1)
		if ch := s.block.Load(); ch != nil {
			<-*ch
		}
		out, h = s.certificates()
		if s.armed.CompareAndSwap(true, false) {
			s.clock.Advance(rotationStep)
			s.Rotate()
			deadline := time.Now().Add(3 * time.Millisecond)
			for s.newestPings.Load() < 4 && time.Now().Before(deadline) {
				time.Sleep(50 * time.Microsecond)
			}
		}
	case "/v3/test/ping":
		s.mu.Lock()
		if s.ping == nil {
			s.ping = s.signLocked([]byte(pingBody))
		}
		h, out = s.ping, []byte(pingBody)
		s.mu.Unlock()
		s.newestPings.Add(1)
	default:
		w.WriteHeader(http.StatusNotFound)
		return
	}
	for k, v := range h {
		w.Header()[k] = v
	}
	w.Header().Set("Request-ID", "certserver-"+strconv.Itoa(int(s.downloads.Load())))
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(out)
}

func (s *certServer) certificates() ([]byte, http.Header) {
	s.mu.Lock()
	defer s.mu.Unlock()
	type enc struct {
		Algorithm      string `json:"algorithm"`
		Nonce          string `json:"nonce"`
		AssociatedData string `json:"associated_data"`
		Ciphertext     string `json:"ciphertext"`
	}
	type item struct {
		SerialNo           string    `json:"serial_no"`
		EffectiveTime      time.Time `json:"effective_time"`
		ExpireTime         time.Time `json:"expire_time"`
		EncryptCertificate enc       `json:"encrypt_certificate"`
	}
	var data []item
	for _, c := range s.certs {
		nonce := "0123456789ab"
		ct, err := core.EncryptAEAD(s.apiV3Key, "certificate", nonce, []byte(c.pem))
		require.NoError(s.t, err)
		data = append(data, item{SerialNo: serialOf(c.cert), EffectiveTime: c.cert.NotBefore, ExpireTime: c.cert.NotAfter,
			EncryptCertificate: enc{Algorithm: "AEAD_AES_256_GCM", Nonce: nonce, AssociatedData: "certificate", Ciphertext: ct}})
	}
	out, err := json.Marshal(map[string]any{"data": data})
	require.NoError(s.t, err)
	return out, s.signLocked(out)
}

// client is a client of the server in automatic certificate mode.
func (s *certServer) client(t testing.TB, sb *sandbox.Server, opts ...core.Option) *core.Client {
	t.Helper()
	c, err := core.NewClient(append([]core.Option{
		core.WithMerchant(sb.MerchantID, sb.MerchantSerialNo, sb.MerchantPrivateKey),
		core.WithAPIv3Key(s.apiV3Key),
		core.WithAutoCertificates(),
		core.WithBaseURL(s.URL),
		core.WithRetry(core.RetryPolicy{MaxAttempts: 1}),
		core.WithClock(s.clock.Now),
	}, opts...)...)
	require.NoError(t, err)
	return c
}
