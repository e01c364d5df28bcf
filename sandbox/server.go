package sandbox

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"embed"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wechatpay-apiv3/wechatpay-go/utils"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
)

//go:embed testdata/*.pem
var keyFiles embed.FS

// Fixed identities of the sandbox merchant and platform. They are test data,
// not real accounts.
const (
	MerchantID       = "1900000109"
	MerchantSerialNo = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
	PublicKeyID      = "PUB_KEY_ID_0119000001092026112600000000000001"
	APIv3Key         = "sandboxAPIv3Key0123456789abcdefg" // 32 bytes, test only
	AppID            = "wxd678efh567hg6787"
)

// SigningMode selects the key the sandbox signs its answers with.
type SigningMode int

const (
	// SignWithPublicKey signs with the WeChat Pay public key (PUB_KEY_ID_…).
	SignWithPublicKey SigningMode = iota
	// SignWithCertificate signs with the current platform certificate.
	SignWithCertificate
)

// Option configures a Server.
type Option func(*Server)

// WithClock sets the sandbox's clock (default time.Now), for tests of
// timestamp windows and certificate expiry.
func WithClock(now func() time.Time) Option { return func(s *Server) { s.clock = now } }

// WithSigningMode selects the key answers are signed with.
func WithSigningMode(m SigningMode) Option { return func(s *Server) { s.mode = m } }

// WithoutCertificates makes GET /v3/certificates answer 404 NOT_FOUND, as it
// does for merchants that only have a WeChat Pay public key.
func WithoutCertificates() Option { return func(s *Server) { s.noCerts = true } }

// WithCertificateLifetime sets how long issued platform certificates are
// valid (default five years).
func WithCertificateLifetime(d time.Duration) Option { return func(s *Server) { s.certLife = d } }

// WithLogger logs every request the sandbox serves (method, path, status,
// code, Request-ID) at Info.
func WithLogger(l *slog.Logger) Option { return func(s *Server) { s.log = l } }

// Server is a local WeChat Pay simulator on the loopback interface. It checks
// every request's signature as strictly as WeChat Pay, signs every answer,
// keeps per-product state, and can send signed, encrypted notifications.
//
// Its credentials are exported so any client, including other SDKs, can be
// pointed at it. They are test-only keys.
type Server struct {
	URL string // base URL, e.g. http://127.0.0.1:41234

	MerchantID         string
	MerchantSerialNo   string
	MerchantPrivateKey *rsa.PrivateKey // the merchant's API key (the client side)
	PublicKeyID        string
	PlatformPublicKey  *rsa.PublicKey // WeChat Pay public key (public-key mode)
	APIv3Key           string
	AppID              string

	platformKey *rsa.PrivateKey // private half of PlatformPublicKey
	certKeys    [2]*rsa.PrivateKey

	clock    func() time.Time
	mode     SigningMode
	noCerts  bool
	certLife time.Duration
	log      *slog.Logger

	srv *httptest.Server
	mux *http.ServeMux
	seq atomic.Uint64

	mu             sync.Mutex
	certs          []issuedCert // platform certificates, newest last
	nonces         map[string]time.Time
	hook           func(w http.ResponseWriter, r *http.Request) bool
	probeNext      int // how many upcoming answers get a WECHATPAY/SIGNTEST/ signature
	ledger         []LedgerEntry
	smartGuide     smartGuideState
	goldPlan       goldPlanState
	businessCircle businessCircleState
	payScore       payScoreState
	bill           billState
	refund         refundState
}

type issuedCert struct {
	cert *x509.Certificate
	key  *rsa.PrivateKey
}

// NewServer starts a sandbox on 127.0.0.1. Close it when done.
func NewServer(opts ...Option) (*Server, error) {
	s := &Server{
		MerchantID: MerchantID, MerchantSerialNo: MerchantSerialNo, PublicKeyID: PublicKeyID,
		APIv3Key: APIv3Key, AppID: AppID,
		clock: time.Now, certLife: 5 * 365 * 24 * time.Hour,
		nonces: map[string]time.Time{},
	}
	for _, o := range opts {
		o(s)
	}
	var err error
	if s.MerchantPrivateKey, err = loadKey("merchant.pem"); err != nil {
		return nil, err
	}
	if s.platformKey, err = loadKey("platform_pubkey.pem"); err != nil {
		return nil, err
	}
	s.PlatformPublicKey = &s.platformKey.PublicKey
	for i, name := range []string{"platform_cert_a.pem", "platform_cert_b.pem"} {
		if s.certKeys[i], err = loadKey(name); err != nil {
			return nil, err
		}
	}
	if _, err := s.issueCertificate(s.certKeys[0]); err != nil {
		return nil, err
	}
	s.mux = http.NewServeMux()
	s.routes()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("sandbox: listen on loopback: %w", err)
	}
	s.srv = &httptest.Server{Listener: l, Config: &http.Server{Handler: http.HandlerFunc(s.serveHTTP), ReadHeaderTimeout: 10 * time.Second}}
	s.srv.Start()
	s.URL = s.srv.URL
	return s, nil
}

func loadKey(name string) (*rsa.PrivateKey, error) {
	b, err := keyFiles.ReadFile("testdata/" + name)
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	k, err := utils.LoadPrivateKey(string(b))
	if err != nil {
		return nil, fmt.Errorf("sandbox: loading test key %s: %w", name, err)
	}
	return k, nil
}

// Close shuts the sandbox down.
func (s *Server) Close() { s.srv.Close() }

func (s *Server) now() time.Time { return s.clock() }

// Client returns a *core.Client wired to the sandbox in public-key mode, with
// the APIv3 key set and retries without delay. opts are applied after these
// defaults, so they can override any of them.
func (s *Server) Client(opts ...core.Option) (*core.Client, error) {
	base := []core.Option{
		core.WithMerchant(s.MerchantID, s.MerchantSerialNo, s.MerchantPrivateKey),
		core.WithAPIv3Key(s.APIv3Key),
		core.WithPlatformPublicKey(s.PublicKeyID, s.PlatformPublicKey),
		core.WithBaseURL(s.URL),
		core.WithRetry(core.RetryPolicy{MaxAttempts: 3}),
		core.WithClock(s.clock),
	}
	return core.NewClient(append(base, opts...)...)
}

// CertificateClient returns a client that trusts only downloaded platform
// certificates (WithAutoCertificates), not the public key.
func (s *Server) CertificateClient(opts ...core.Option) (*core.Client, error) {
	base := []core.Option{
		core.WithMerchant(s.MerchantID, s.MerchantSerialNo, s.MerchantPrivateKey),
		core.WithAPIv3Key(s.APIv3Key),
		core.WithAutoCertificates(),
		core.WithBaseURL(s.URL),
		core.WithRetry(core.RetryPolicy{MaxAttempts: 3}),
		core.WithClock(s.clock),
	}
	return core.NewClient(append(base, opts...)...)
}

// PlatformPrivateKey returns the private half of the sandbox's WeChat Pay
// public key — a test-only key — so tests can decrypt what a client
// encrypted to the platform, or sign answers of their own.
func (s *Server) PlatformPrivateKey() *rsa.PrivateKey { return s.platformKey }

// PlatformCertificate returns the newest platform certificate.
func (s *Server) PlatformCertificate() *x509.Certificate {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.certs[len(s.certs)-1].cert
}

// PlatformCertificates returns every platform certificate the sandbox serves.
func (s *Server) PlatformCertificates() []*x509.Certificate {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*x509.Certificate, len(s.certs))
	for i, c := range s.certs {
		out[i] = c.cert
	}
	return out
}

// RotateCertificate issues a new platform certificate (with the sandbox's
// second certificate key), serves it beside the old one and signs with it
// from now on. It returns the new certificate.
func (s *Server) RotateCertificate() (*x509.Certificate, error) {
	s.mu.Lock()
	key := s.certKeys[len(s.certs)%2]
	s.mu.Unlock()
	return s.issueCertificate(key)
}

// DropOldCertificates stops serving and signing with every platform
// certificate but the newest, as when an old certificate expires.
func (s *Server) DropOldCertificates() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.certs = s.certs[len(s.certs)-1:]
}

func (s *Server) issueCertificate(key *rsa.PrivateKey) (*x509.Certificate, error) {
	serial := make([]byte, 20)
	if _, err := rand.Read(serial); err != nil {
		return nil, err
	}
	serial[0] &= 0x7f
	serial[0] |= 0x10
	now := s.now()
	tmpl := &x509.Certificate{
		SerialNumber: new(big.Int).SetBytes(serial),
		Subject:      pkix.Name{CommonName: "Sandbox WeChat Pay platform (TEST ONLY)", Organization: []string{"wechatpay-biz-go sandbox"}},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(s.certLife),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("sandbox: issuing platform certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.certs = append(s.certs, issuedCert{cert: cert, key: key})
	s.mu.Unlock()
	return cert, nil
}

// certSerial formats a certificate serial as WeChat Pay does (upper-case hex).
func certSerial(c *x509.Certificate) string {
	return strings.ToUpper(hex.EncodeToString(c.SerialNumber.Bytes()))
}

// signingKey returns the serial and key answers are signed with now.
func (s *Server) signingKey() (string, *rsa.PrivateKey) {
	if s.mode == SignWithPublicKey {
		return s.PublicKeyID, s.platformKey
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.certs[len(s.certs)-1]
	return certSerial(c.cert), c.key
}

// decryptionKey returns the private key of the platform key named serial
// (the Wechatpay-Serial of a request carrying encrypted fields).
func (s *Server) decryptionKey(serial string) (*rsa.PrivateKey, bool) {
	if serial == s.PublicKeyID {
		return s.platformKey, true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.certs {
		if certSerial(c.cert) == serial {
			return c.key, true
		}
	}
	return nil, false
}

// SetHook installs a function that sees every request before the sandbox
// does; when it returns true it has answered and the sandbox does nothing
// more. Use it to inject faults (5xx bursts, dropped connections, delays).
// nil removes it.
func (s *Server) SetHook(h func(w http.ResponseWriter, r *http.Request) bool) {
	s.mu.Lock()
	s.hook = h
	s.mu.Unlock()
}

// ProbeNext makes the next n answers carry a WECHATPAY/SIGNTEST/ probe
// signature, as WeChat Pay does to check that merchants verify signatures.
func (s *Server) ProbeNext(n int) {
	s.mu.Lock()
	s.probeNext = n
	s.mu.Unlock()
}

func (s *Server) requestID() string {
	return fmt.Sprintf("08%X-%08X", s.now().Unix(), s.seq.Add(1))
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	hook := s.hook
	s.mu.Unlock()
	if hook != nil && hook(w, r) {
		return
	}
	s.mux.ServeHTTP(w, r)
}

// Call is one authenticated request as a product handler sees it.
type Call struct {
	Request *http.Request
	Body    []byte
	server  *Server
}

// PathValue returns a path wildcard's value.
func (c *Call) PathValue(name string) string { return c.Request.PathValue(name) }

// Query returns a query parameter.
func (c *Call) Query(name string) string { return c.Request.URL.Query().Get(name) }

// Decode decodes the JSON body strictly enough to catch type errors and
// returns a PARAM_ERROR reply when it fails.
func (c *Call) Decode(v any) *Reply {
	if len(bytes.TrimSpace(c.Body)) == 0 {
		r := ParamError("", "body", "request body is empty")
		return &r
	}
	if err := json.Unmarshal(c.Body, v); err != nil {
		r := ParamError("", "body", "request body is not valid JSON for this API: "+err.Error())
		return &r
	}
	return nil
}

// DecryptField decrypts a sensitive request field with the platform key the
// request's Wechatpay-Serial header names, as WeChat Pay does.
func (c *Call) DecryptField(field, ciphertext string) (string, *Reply) {
	serial := c.Request.Header.Get("Wechatpay-Serial")
	if serial == "" {
		r := Error(http.StatusBadRequest, "PARAM_ERROR", "请求包含加密字段，但缺少 Wechatpay-Serial 头")
		return "", &r
	}
	key, ok := c.server.decryptionKey(serial)
	if !ok {
		r := Error(http.StatusBadRequest, "PARAM_ERROR", "Wechatpay-Serial 不是有效的平台证书序列号或公钥ID")
		return "", &r
	}
	pt, err := utils.DecryptOAEP(ciphertext, key)
	if err != nil {
		r := ParamError(field, "body", "敏感字段解密失败")
		return "", &r
	}
	return pt, nil
}

// EncryptForMerchant encrypts a response field to the merchant's key, as
// WeChat Pay encrypts personal data in answers.
func (c *Call) EncryptForMerchant(plaintext string) string {
	ct, err := utils.EncryptOAEPWithPublicKey(plaintext, &c.server.MerchantPrivateKey.PublicKey)
	if err != nil {
		panic("sandbox: encrypting for the merchant: " + err.Error())
	}
	return ct
}

// Server returns the sandbox serving the call.
func (c *Call) Server() *Server { return c.server }

// Reply is a handler's answer.
type Reply struct {
	Status      int
	Body        any    // marshalled to JSON; nil for no body
	Raw         []byte // sent as is instead of Body when not nil
	ContentType string // for Raw
	Unsigned    bool   // no Wechatpay-* signature headers (bill files)
}

// JSON answers status with v as JSON.
func JSON(status int, v any) Reply { return Reply{Status: status, Body: v} }

// NoContent answers 204 with no body.
func NoContent() Reply { return Reply{Status: http.StatusNoContent} }

// Error answers a WeChat Pay error body.
func Error(status int, code, message string) Reply {
	return Reply{Status: status, Body: map[string]any{"code": code, "message": message}}
}

// ParamError answers 400 PARAM_ERROR with a detail naming the field.
func ParamError(field, location, issue string) Reply {
	body := map[string]any{"code": "PARAM_ERROR", "message": "参数错误"}
	if field != "" || issue != "" {
		body["detail"] = map[string]any{"field": field, "issue": issue, "location": location}
	}
	return Reply{Status: http.StatusBadRequest, Body: body}
}

// HandlerFunc serves one authenticated call.
type HandlerFunc func(c *Call) Reply

// Handle registers h for a net/http ServeMux pattern such as
// "POST /v3/smartguide/guides/{guide_id}/assign". Every request to it is
// authenticated first and every answer signed. Users can add their own
// stubs for endpoints the sandbox does not simulate.
func (s *Server) Handle(pattern string, h HandlerFunc) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20+1))
		if err != nil {
			s.write(w, r, Error(http.StatusBadRequest, "INVALID_REQUEST", "读取请求失败"))
			return
		}
		if len(body) > 1<<20 {
			s.write(w, r, Error(http.StatusRequestEntityTooLarge, "INVALID_REQUEST", "请求体过大"))
			return
		}
		if rep, ok := s.authenticate(r, body); !ok {
			s.write(w, r, rep)
			return
		}
		if len(body) > 0 && !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			s.write(w, r, Error(http.StatusBadRequest, "INVALID_REQUEST", "Content-Type 必须为 application/json"))
			return
		}
		s.write(w, r, h(&Call{Request: r, Body: body, server: s}))
	})
}

func (s *Server) write(w http.ResponseWriter, r *http.Request, rep Reply) {
	body := rep.Raw
	ctype := rep.ContentType
	if body == nil && rep.Body != nil {
		var err error
		body, err = json.Marshal(rep.Body)
		if err != nil {
			rep = Error(http.StatusInternalServerError, "SYSTEM_ERROR", "sandbox: encoding answer failed")
			body, _ = json.Marshal(rep.Body)
		}
		ctype = "application/json; charset=utf-8"
	}
	rid := s.requestID()
	h := w.Header()
	h.Set("Request-ID", rid)
	if ctype != "" && len(body) > 0 {
		h.Set("Content-Type", ctype)
	}
	if !rep.Unsigned {
		for k, v := range s.SignatureHeaders(body, s.now()) {
			h[k] = v
		}
	}
	status := rep.Status
	if status == 0 {
		status = http.StatusOK
	}
	if s.log != nil {
		code := ""
		if status >= 300 {
			var e struct{ Code string }
			_ = json.Unmarshal(body, &e)
			code = e.Code
		}
		s.log.Info("sandbox", "method", r.Method, "path", r.URL.Path, "status", status, "code", code, "request_id", rid)
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// SignatureHeaders returns the Wechatpay-* headers that sign body at time
// at, with the sandbox's current signing key, as WeChat Pay signs answers and
// notifications. Hooks (SetHook) use it to serve custom answers; the next
// ProbeNext answers get a probe signature instead.
func (s *Server) SignatureHeaders(body []byte, at time.Time) http.Header {
	serial, key := s.signingKey()
	ts := strconv.FormatInt(at.Unix(), 10)
	nonce, _ := utils.GenerateNonce()
	sig, err := utils.SignSHA256WithRSA(ts+"\n"+nonce+"\n"+string(body)+"\n", key)
	if err != nil {
		panic("sandbox: signing: " + err.Error())
	}
	s.mu.Lock()
	if s.probeNext > 0 {
		s.probeNext--
		sig = "WECHATPAY/SIGNTEST/" + sig[len("WECHATPAY/SIGNTEST/"):]
	}
	s.mu.Unlock()
	h := http.Header{}
	h.Set("Wechatpay-Timestamp", ts)
	h.Set("Wechatpay-Nonce", nonce)
	h.Set("Wechatpay-Signature", sig)
	h.Set("Wechatpay-Serial", serial)
	h.Set("Wechatpay-Signature-Type", core.SignatureScheme)
	return h
}

// routes installs the platform endpoints and every product's endpoints.
func (s *Server) routes() {
	s.Handle("GET /v3/certificates", s.handleCertificates)
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.write(w, r, Error(http.StatusNotFound, "NOT_FOUND", "sandbox: no such API: "+r.Method+" "+r.URL.Path))
	})
	s.installSmartGuide()
	s.installGoldPlan()
	s.installBusinessCircle()
	s.installPayScore()
	s.installBill()
	s.installRefund()
	s.installPayScoreExtras()
}

func (s *Server) handleCertificates(c *Call) Reply {
	if s.noCerts {
		return Error(http.StatusNotFound, "NOT_FOUND", "商户未申请平台证书，请使用微信支付公钥")
	}
	if t := c.Query("algorithm_type"); t != "" && t != "RSA" && t != "ALL" && t != "SM2" {
		return ParamError("algorithm_type", "query", "algorithm_type 取值错误")
	}
	type enc struct {
		Algorithm      string `json:"algorithm"`
		Nonce          string `json:"nonce"`
		AssociatedData string `json:"associated_data"`
		Ciphertext     string `json:"ciphertext"`
	}
	type item struct {
		SerialNo           string `json:"serial_no"`
		EffectiveTime      string `json:"effective_time"`
		ExpireTime         string `json:"expire_time"`
		EncryptCertificate enc    `json:"encrypt_certificate"`
	}
	var data []item
	for _, cert := range s.PlatformCertificates() {
		pemText := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})
		nonce := randomAlnum(12)
		ct, err := core.EncryptAEAD(s.APIv3Key, "certificate", nonce, pemText)
		if err != nil {
			return Error(http.StatusInternalServerError, "SYSTEM_ERROR", "sandbox: "+err.Error())
		}
		data = append(data, item{
			SerialNo:           certSerial(cert),
			EffectiveTime:      cert.NotBefore.In(shanghai).Format(time.RFC3339),
			ExpireTime:         cert.NotAfter.In(shanghai).Format(time.RFC3339),
			EncryptCertificate: enc{Algorithm: "AEAD_AES_256_GCM", Nonce: nonce, AssociatedData: "certificate", Ciphertext: ct},
		})
	}
	return JSON(http.StatusOK, map[string]any{"data": data})
}

var shanghai = time.FixedZone("CST", 8*3600)

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

func randomAlnum(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	for i := range b {
		b[i] = alnum[int(b[i])%len(alnum)]
	}
	return string(b)
}
