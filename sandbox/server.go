package sandbox

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"embed"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/wechatpay-apiv3/wechatpay-go/utils"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
)

//go:embed testdata/*.pem
var keyFiles embed.FS

// Fixed identities of the sandbox merchant and platform. They are test data,
// not real accounts.
const (
	// MerchantID is the merchant's mchid (digits), which every
	// Authorization must name.
	MerchantID = "1900000109"
	// MerchantSerialNo is the serial (40 upper-case hex digits) of
	// testdata/merchant_cert.pem, the merchant API certificate: every
	// Authorization's serial_no.
	MerchantSerialNo = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
	// PublicKeyID is the ID of the WeChat Pay public key: the
	// Wechatpay-Serial of what it signs, and of requests asking for
	// public-key-signed answers.
	PublicKeyID = "PUB_KEY_ID_0119000001092026112600000000000001"
	// APIv3Key is the 32-byte APIv3 key that encrypts callbacks and the
	// certificate list. Test only.
	APIv3Key = "sandboxAPIv3Key0123456789abcdefg"
	// AppID is the AppID bound to the merchant, which the simulated
	// products accept (appid fields, pay-score and business-circle users).
	AppID = "wxd678efh567hg6787"
)

// SigningMode is which of its verification keys the sandbox merchant has,
// and so which key signs answers and callbacks (spec §6.4, §14.3).
type SigningMode int

const (
	// SignWithPublicKey is a merchant that has only the WeChat Pay public
	// key (PUB_KEY_ID_…), or finished migrating to it: every answer and
	// callback is signed with the public key.
	SignWithPublicKey SigningMode = iota
	// SignWithCertificate is a merchant that has only platform
	// certificates: every answer and callback is signed with a platform
	// certificate (following the rotation timeline), whatever the request
	// carries.
	SignWithCertificate
	// SignMigrating, the default, is a merchant migrating from platform
	// certificates to the public key, as WeChat Pay serves it (spec §14.3):
	// an answer is signed with the public key exactly when the request
	// carries Wechatpay-Serial: PUB_KEY_ID_…, with a platform certificate
	// otherwise; callbacks are signed with the public key for a
	// configurable share (SetCallbackPublicKeyShare, default 100 %). Both
	// Client (public key) and CertificateClient (certificates) work
	// against it.
	SignMigrating
)

// DefaultCallbackTimeout is how long WeChat Pay waits for a merchant to
// answer a callback before counting the delivery as failed (spec §13.2).
const DefaultCallbackTimeout = 5 * time.Second

// Option configures a Server.
type Option func(*Server)

// WithClock sets the clock the sandbox's own clock runs on (default
// time.Now), for tests of timestamp windows and certificate expiry.
// Advance and AdvanceTo move the sandbox clock ahead of it.
func WithClock(now func() time.Time) Option { return func(s *Server) { s.clock = now } }

// WithSigningMode sets which verification keys the sandbox merchant has
// (default SignMigrating: both).
func WithSigningMode(m SigningMode) Option { return func(s *Server) { s.mode = m } }

// WithoutCertificates makes GET /v3/certificates answer 404 NOT_FOUND, as it
// does for merchants that only have a WeChat Pay public key; everything is
// then signed with the public key.
func WithoutCertificates() Option { return func(s *Server) { s.noCerts = true } }

// WithCertificateLifetime sets how long issued platform certificates are
// valid (default five years, as WeChat Pay issues them).
func WithCertificateLifetime(d time.Duration) Option { return func(s *Server) { s.certLife = d } }

// WithCertificateTimeline replaces the rotation timeline of spec §14.1:
// a new certificate is generated generate before T (the old certificate's
// expiry; default CertificateGenerateLead, 210 days) and listed list before
// T (default CertificateListLead, 180 days). Tests whose clients check
// timestamps against the real clock (other SDKs) use it, with a short
// WithCertificateLifetime, to run a whole rotation within minutes.
func WithCertificateTimeline(generate, list time.Duration) Option {
	return func(s *Server) { s.timeline = timeline{generate: generate, list: list} }
}

// WithCallbackTimeout sets how long a callback delivery waits for the
// merchant's answer before counting as failed (default
// DefaultCallbackTimeout, 5 s, as WeChat Pay).
func WithCallbackTimeout(d time.Duration) Option { return func(s *Server) { s.cbTimeout = d } }

// WithListener serves the sandbox on l instead of a new listener on
// 127.0.0.1 with a random port (the standalone command listens on a
// chosen address). The admin API under /sandbox/ still answers only
// loopback clients.
func WithListener(l net.Listener) Option { return func(s *Server) { s.listener = l } }

// WithLogger logs every request the sandbox serves (method, path, status,
// code, Request-ID) at Info, and every callback delivery.
func WithLogger(l *slog.Logger) Option { return func(s *Server) { s.log = l } }

type timeline struct{ generate, list time.Duration }

// Server is a local WeChat Pay simulator on the loopback interface. It checks
// every request's signature as strictly as WeChat Pay, signs every answer,
// keeps per-product state, delivers signed, encrypted notifications (again
// on WeChat Pay's schedule when they are not acknowledged), and runs on its
// own clock, which tests advance.
//
// Its credentials are exported so any client, including other SDKs, can be
// pointed at it. They are test-only keys.
type Server struct {
	URL string // base URL, e.g. http://127.0.0.1:41234

	MerchantID         string          // the merchant ID requests must be signed for (MerchantID)
	MerchantSerialNo   string          // the serial_no requests must name (MerchantSerialNo)
	MerchantPrivateKey *rsa.PrivateKey // the merchant's API key (the client side)
	PublicKeyID        string          // the WeChat Pay public key's ID (PublicKeyID)
	PlatformPublicKey  *rsa.PublicKey  // WeChat Pay public key (public-key mode)
	APIv3Key           string          // the 32-byte APIv3 key (APIv3Key)
	AppID              string          // the AppID the simulated products accept (AppID)

	platformKey  *rsa.PrivateKey // private half of PlatformPublicKey
	merchantCert *x509.Certificate
	certKeys     [2]*rsa.PrivateKey

	clock     func() time.Time
	offset    atomic.Int64 // nanoseconds Advance moved the sandbox clock ahead of clock
	mode      SigningMode
	noCerts   bool
	certLife  time.Duration
	timeline  timeline
	cbTimeout time.Duration
	listener  net.Listener
	log       *slog.Logger

	srv        *httptest.Server
	mux        *http.ServeMux // the WeChat Pay API
	admin      *http.ServeMux // /sandbox/…
	adminIndex []adminEntry
	seq        atomic.Uint64
	sched      scheduler
	closing    chan struct{}
	life       context.Context // cancelled by Close: in-flight deliveries end
	endLife    context.CancelFunc
	once       sync.Once

	deliveries deliveryState
	bill       billState
	payScore   payScoreState

	mu             sync.Mutex
	certs          certState
	nonces         map[string]time.Time
	hook           func(w http.ResponseWriter, r *http.Request) bool
	probeNext      int // how many upcoming answers get a WECHATPAY/SIGNTEST/ signature
	faults         []*activeFault
	ledger         []LedgerEntry
	smartGuide     smartGuideState
	goldPlan       goldPlanState
	businessCircle businessCircleState
	refund         refundState
}

// NewServer starts a sandbox on 127.0.0.1 (or WithListener's listener).
// Close it when done.
func NewServer(opts ...Option) (*Server, error) {
	s := &Server{
		MerchantID: MerchantID, MerchantSerialNo: MerchantSerialNo, PublicKeyID: PublicKeyID,
		APIv3Key: APIv3Key, AppID: AppID,
		clock: time.Now, mode: SignMigrating, certLife: 5 * 365 * 24 * time.Hour,
		timeline:  timeline{generate: CertificateGenerateLead, list: CertificateListLead},
		cbTimeout: DefaultCallbackTimeout,
		nonces:    map[string]time.Time{}, closing: make(chan struct{}),
	}
	s.life, s.endLife = context.WithCancel(context.Background())
	for _, o := range opts {
		o(s)
	}
	if s.cbTimeout <= 0 {
		return nil, fmt.Errorf("sandbox: WithCallbackTimeout needs a positive duration")
	}
	if s.certLife <= 0 {
		return nil, fmt.Errorf("sandbox: WithCertificateLifetime needs a positive duration")
	}
	s.certs.cbPublicKey = 100
	var err error
	if s.MerchantPrivateKey, err = loadKey("merchant.pem"); err != nil {
		return nil, err
	}
	if s.merchantCert, err = loadMerchantCertificate(s.MerchantPrivateKey); err != nil {
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
	now := s.now()
	if _, err := s.issueCertificate(s.certKeys[0], now.Add(-time.Hour), now.Add(s.certLife), now.Add(-time.Hour)); err != nil {
		return nil, err
	}
	s.mux = http.NewServeMux()
	s.admin = http.NewServeMux()
	s.routes()
	l := s.listener
	if l == nil {
		if l, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			return nil, fmt.Errorf("sandbox: listen on loopback: %w", err)
		}
	}
	s.srv = &httptest.Server{Listener: l, Config: &http.Server{Handler: http.HandlerFunc(s.serveHTTP), ReadHeaderTimeout: 10 * time.Second}}
	// Set before serving: with WithListener, a client may call as soon as
	// the server starts, and handlers read URL (download links, admin).
	s.URL = "http://" + l.Addr().String()
	s.srv.Start()
	s.sched.start(s)
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

// loadMerchantCertificate loads the merchant's test API certificate
// (apiclient_cert.pem) and checks that it is key's, with serial
// MerchantSerialNo.
func loadMerchantCertificate(key *rsa.PrivateKey) (*x509.Certificate, error) {
	b, err := keyFiles.ReadFile("testdata/merchant_cert.pem")
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	block, _ := pem.Decode(b)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, errors.New("sandbox: testdata/merchant_cert.pem holds no certificate")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("sandbox: loading testdata/merchant_cert.pem: %w", err)
	}
	if !key.PublicKey.Equal(cert.PublicKey) || certSerial(cert) != MerchantSerialNo {
		return nil, errors.New("sandbox: testdata/merchant_cert.pem is not the merchant key's certificate with serial " + MerchantSerialNo)
	}
	return cert, nil
}

// Close shuts the sandbox down: deliveries in flight are cancelled, no
// redelivery runs any more (not even when Advance passes it), Notify
// fails, slow answers end, and the sandbox's connections are closed.
func (s *Server) Close() {
	s.once.Do(func() {
		close(s.closing)
		s.endLife()
		s.sched.stop()
	})
	s.srv.Close()
	s.deliveries.closeIdle()
}

// closed reports whether Close was called.
func (s *Server) closed() bool {
	select {
	case <-s.closing:
		return true
	default:
		return false
	}
}

// Client returns a *core.Client wired to the sandbox in public-key mode, with
// the APIv3 key set, retries without delay and the sandbox clock. Like every
// client with a WeChat Pay public key, it sends Wechatpay-Serial:
// <PublicKeyID> on every request (spec §14.3), so answers are signed with
// the public key. opts are applied after these defaults, so they can
// override any of them.
func (s *Server) Client(opts ...core.Option) (*core.Client, error) {
	base := []core.Option{
		core.WithMerchant(s.MerchantID, s.MerchantSerialNo, s.MerchantPrivateKey),
		core.WithAPIv3Key(s.APIv3Key),
		core.WithPlatformPublicKey(s.PublicKeyID, s.PlatformPublicKey),
		core.WithBaseURL(s.URL),
		core.WithRetry(core.RetryPolicy{MaxAttempts: 3}),
		core.WithClock(s.now),
	}
	return core.NewClient(append(base, opts...)...)
}

// CertificateClient returns a client that trusts only downloaded platform
// certificates (WithAutoCertificates), not the public key, on the sandbox
// clock. It works against a default sandbox (SignMigrating: requests
// without a PUB_KEY_ID_… serial get certificate-signed answers) and
// against SignWithCertificate; callbacks it can verify need
// SetCallbackPublicKeyShare(0) on a default sandbox.
func (s *Server) CertificateClient(opts ...core.Option) (*core.Client, error) {
	base := []core.Option{
		core.WithMerchant(s.MerchantID, s.MerchantSerialNo, s.MerchantPrivateKey),
		core.WithAPIv3Key(s.APIv3Key),
		core.WithAutoCertificates(),
		core.WithBaseURL(s.URL),
		core.WithRetry(core.RetryPolicy{MaxAttempts: 3}),
		core.WithClock(s.now),
	}
	return core.NewClient(append(base, opts...)...)
}

// SetHook installs a function that sees every WeChat Pay API request before
// the sandbox does (not the admin API); when it returns true it has
// answered and the sandbox does nothing more. InjectFault covers the
// documented failures without a hook. nil removes it.
func (s *Server) SetHook(h func(w http.ResponseWriter, r *http.Request) bool) {
	s.mu.Lock()
	s.hook = h
	s.mu.Unlock()
}

// ProbeNext makes the next n answers and callbacks carry a
// WECHATPAY/SIGNTEST/ probe signature, as WeChat Pay does to check that
// merchants verify signatures (spec §6.6).
func (s *Server) ProbeNext(n int) {
	s.mu.Lock()
	s.probeNext = n
	s.mu.Unlock()
}

func (s *Server) requestID() string {
	return fmt.Sprintf("08%X-%08X", s.now().Unix(), s.seq.Add(1))
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == adminPrefix || strings.HasPrefix(r.URL.Path, adminPrefix+"/") {
		s.serveAdmin(w, r)
		return
	}
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
	// Request is the request as received, its signature already checked;
	// its Body has been read (use Body).
	Request *http.Request
	// Body is the request body exactly as signed: at most 1 MiB, valid
	// UTF-8, sent as application/json when not empty (a GET has none).
	Body   []byte
	server *Server
}

// PathValue returns the value of the wildcard {name} of the pattern the
// handler was registered with (Handle), unescaped; "" when there is none.
func (c *Call) PathValue(name string) string { return c.Request.PathValue(name) }

// Query returns the first value of the query parameter name, decoded; ""
// when it is absent.
func (c *Call) Query(name string) string { return c.Request.URL.Query().Get(name) }

// Decode decodes the JSON body into v, catching type errors, and returns
// nil, or a 400 PARAM_ERROR reply (location body) when the body is empty
// or does not decode into v. Unknown fields are ignored.
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

// DecryptField decrypts a sensitive request field (RSA-OAEP, SHA-1, Base64)
// with the platform key the request's Wechatpay-Serial header names (the
// public key's ID, or a listed, unexpired certificate), as WeChat Pay does.
// field is the field's name for the reply. It returns a 400 PARAM_ERROR
// reply when the header is missing or names no such key, or when
// ciphertext does not decrypt.
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

// EncryptForMerchant encrypts a response field to the merchant's key
// (RSA-OAEP, SHA-1, Base64), as WeChat Pay encrypts personal data in
// answers (spec §6.5); the client decrypts it with
// core.Client.DecryptSensitive. It panics only if plaintext is too long
// for one RSA-OAEP block (214 bytes with the 2048-bit test key).
func (c *Call) EncryptForMerchant(plaintext string) string {
	ct, err := utils.EncryptOAEPWithPublicKey(plaintext, &c.server.MerchantPrivateKey.PublicKey)
	if err != nil {
		panic("sandbox: encrypting for the merchant: " + err.Error())
	}
	return ct
}

// Server returns the sandbox serving the call.
func (c *Call) Server() *Server { return c.server }

// Reply is a handler's answer, signed by the sandbox unless Unsigned.
type Reply struct {
	Status      int    // HTTP status; 0 means 200
	Body        any    // marshalled to JSON; nil for no body
	Raw         []byte // sent as is instead of Body when not nil
	ContentType string // for Raw
	Unsigned    bool   // no Wechatpay-* signature headers (bill files)

	certList bool // the certificate list: signed with the oldest valid certificate
}

// JSON answers status with v marshalled as JSON (Content-Type
// application/json; charset=utf-8).
func JSON(status int, v any) Reply { return Reply{Status: status, Body: v} }

// NoContent answers 204 with no body.
func NoContent() Reply { return Reply{Status: http.StatusNoContent} }

// Error answers status with a WeChat Pay error body (spec §6.8):
// {"code": code, "message": message}.
func Error(status int, code, message string) Reply {
	return Reply{Status: status, Body: map[string]any{"code": code, "message": message}}
}

// ParamError answers 400 PARAM_ERROR (message 参数错误) with a detail
// naming the field (a JSON Pointer such as /sub_mchid for the body, the
// parameter's name for path and query), its location (body, query, path)
// and the issue; no detail when field and issue are both empty.
func ParamError(field, location, issue string) Reply {
	body := map[string]any{"code": "PARAM_ERROR", "message": "参数错误"}
	if field != "" || issue != "" {
		body["detail"] = map[string]any{"field": field, "issue": issue, "location": location}
	}
	return Reply{Status: http.StatusBadRequest, Body: body}
}

// HandlerFunc serves one authenticated call and returns the answer, which
// the sandbox signs and sends.
type HandlerFunc func(c *Call) Reply

// Handle registers h for a net/http ServeMux pattern such as
// "POST /v3/smartguide/guides/{guide_id}/assign". Every request to it is
// authenticated first (401 SIGN_ERROR otherwise), its body capped at 1 MiB
// (413), required to be application/json when not empty (400
// INVALID_REQUEST) and valid UTF-8 (400 PARAM_ERROR); faults injected with
// InjectFault apply to it, and every answer is signed. Users can add their
// own stubs for endpoints the sandbox does not simulate. Registering a
// pattern twice panics, as with http.ServeMux.
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
		if len(body) > 0 && !isJSON(r.Header.Get("Content-Type")) {
			s.write(w, r, Error(http.StatusBadRequest, "INVALID_REQUEST", "Content-Type 必须为 application/json"))
			return
		}
		if !utf8.Valid(body) {
			// APIv3 is UTF-8 only; a GBK body would otherwise be decoded
			// into U+FFFD and pass (encoding/json replaces invalid bytes).
			s.write(w, r, ParamError("", "body", "请求体不是有效的 UTF-8 编码"))
			return
		}
		f := s.takeFault(pattern, r)
		if f != nil {
			if rep, ok := f.instead(); ok {
				s.write(w, r, rep)
				return
			}
		}
		rep := h(&Call{Request: r, Body: body, server: s})
		if f != nil {
			s.deliverFaulty(w, r, rep, f)
			return
		}
		s.write(w, r, rep)
	})
}

// isJSON reports whether a Content-Type is application/json, with any
// parameters (charset=utf-8); media types are case-insensitive.
func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && mt == "application/json"
}

func (s *Server) write(w http.ResponseWriter, r *http.Request, rep Reply) {
	s.writeReply(w, r, rep, false)
}

// encode returns the bytes and content type of an answer.
func (s *Server) encode(rep Reply) (Reply, []byte, string) {
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
	if rep.Status == 0 {
		rep.Status = http.StatusOK
	}
	return rep, body, ctype
}

// writeReply signs and sends rep; probe forces a probe signature.
func (s *Server) writeReply(w http.ResponseWriter, r *http.Request, rep Reply, probe bool) {
	rep, body, ctype := s.encode(rep)
	rid := s.requestID()
	h := w.Header()
	h.Set("Request-ID", rid)
	if ctype != "" && len(body) > 0 {
		h.Set("Content-Type", ctype)
	}
	if !rep.Unsigned {
		serial, key := s.answerKey(r, rep.certList)
		for k, v := range s.sign(serial, key, body, s.now(), probe) {
			h[k] = v
		}
	}
	s.logAnswer(r, rep.Status, body, rid)
	w.WriteHeader(rep.Status)
	_, _ = w.Write(body)
}

func (s *Server) logAnswer(r *http.Request, status int, body []byte, rid string) {
	if s.log == nil {
		return
	}
	code := ""
	if status >= 300 {
		var e struct{ Code string }
		_ = json.Unmarshal(body, &e)
		code = e.Code
	}
	// The route template, not the path: paths carry OpenIDs and order
	// numbers, which logs must not show.
	route := r.Pattern
	if _, p, ok := strings.Cut(route, " "); ok {
		route = p
	}
	if route == "" || route == "/" {
		route = "(no such API)"
	}
	s.log.Info("sandbox", "method", r.Method, "route", route, "status", status, "code", code, "request_id", rid)
}

// SignatureHeaders returns the Wechatpay-* headers (Timestamp in Unix
// seconds, Nonce, Signature, Serial, Signature-Type) that sign body at time
// at, as WeChat Pay signs answers and notifications, with the key an
// answer to Client() is signed with: the public key, unless the sandbox is
// in SignWithCertificate mode (then the certificate that signs answers at
// the moment). Hooks (SetHook) use it to serve custom answers;
// SignatureHeadersFor follows a given request's Wechatpay-Serial instead.
// While ProbeNext answers are pending, the headers carry a probe
// signature and use one of them up.
func (s *Server) SignatureHeaders(body []byte, at time.Time) http.Header {
	req := &http.Request{Header: http.Header{"Wechatpay-Serial": {s.PublicKeyID}}}
	serial, key := s.answerKey(req, false)
	return s.sign(serial, key, body, at, false)
}

// SignatureHeadersFor is SignatureHeaders for the answer to r: signed with
// the key WeChat Pay would choose for r (spec §14.3) — in the default
// SignMigrating mode the public key exactly when r carries
// Wechatpay-Serial: PUB_KEY_ID_…, a platform certificate otherwise.
func (s *Server) SignatureHeadersFor(r *http.Request, body []byte, at time.Time) http.Header {
	serial, key := s.answerKey(r, false)
	return s.sign(serial, key, body, at, false)
}

// sign returns signature headers over body at time at; probe, or a pending
// ProbeNext, makes it a WECHATPAY/SIGNTEST/ probe signature.
func (s *Server) sign(serial string, key *rsa.PrivateKey, body []byte, at time.Time, probe bool) http.Header {
	ts := strconv.FormatInt(at.Unix(), 10)
	nonce, _ := utils.GenerateNonce()
	sig, err := utils.SignSHA256WithRSA(ts+"\n"+nonce+"\n"+string(body)+"\n", key)
	if err != nil {
		panic("sandbox: signing: " + err.Error())
	}
	s.mu.Lock()
	if s.probeNext > 0 {
		s.probeNext--
		probe = true
	}
	s.mu.Unlock()
	if probe {
		sig = "WECHATPAY/SIGNTEST/" + sig[len("WECHATPAY/SIGNTEST/"):]
	}
	h := http.Header{}
	h.Set("Wechatpay-Timestamp", ts)
	h.Set("Wechatpay-Nonce", nonce)
	h.Set("Wechatpay-Signature", sig)
	h.Set("Wechatpay-Serial", serial)
	h.Set("Wechatpay-Signature-Type", core.SignatureScheme)
	return h
}

// routes installs the platform endpoints, every product's endpoints and
// the admin API. A new product adds its install function to the list; it
// registers API routes with Handle and admin routes with handleAdmin.
func (s *Server) routes() {
	s.Handle("GET /v3/certificates", s.handleCertificates)
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if allow := s.allowedMethods(r); len(allow) > 0 {
			// The path exists with another method: 405, as WeChat Pay
			// answers a wrong HTTP method (spec §6.8), not 404.
			w.Header().Set("Allow", strings.Join(allow, ", "))
			s.write(w, r, Error(http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED",
				"sandbox: "+r.URL.Path+" does not accept "+r.Method+"; use "+strings.Join(allow, " or ")))
			return
		}
		s.write(w, r, Error(http.StatusNotFound, "NOT_FOUND", "sandbox: no such API: "+r.Method+" "+r.URL.Path))
	})
	for _, install := range []func(){
		s.installAdmin,
		s.installSmartGuide,
		s.installGoldPlan,
		s.installBusinessCircle,
		s.installPayScore,
		s.installBill,
		s.installRefund,
		s.installPayScoreExtras,
		s.installProductAdmin,
	} {
		install()
	}
}

// allowedMethods returns the methods the API serves r's path with, when r
// itself matched no API.
func (s *Server) allowedMethods(r *http.Request) []string {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		if m == r.Method {
			continue
		}
		if _, pattern := s.mux.Handler(&http.Request{Method: m, URL: r.URL, Host: r.Host}); pattern != "" && pattern != "/" {
			allow = append(allow, m)
		}
	}
	return allow
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
