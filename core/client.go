package core

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// SignatureScheme is the Authorization scheme of every APIv3 request, and
// the Wechatpay-Signature-Type WeChat Pay's answers and callbacks carry:
// SHA256withRSA (PKCS #1 v1.5) with a key of at least 2048 bits, Base64
// signature. See
// https://pay.weixin.qq.com/docs/merchant/development/interface-rules/signature-generation.html
const SignatureScheme = "WECHATPAY2-SHA256-RSA2048"

// Version is this SDK's version (semantic versioning), sent in the
// User-Agent header as "wechatpay-biz-go/<Version>".
const Version = "0.1.0"

// Client calls WeChat Pay APIv3. Build it with NewClient; it is immutable
// afterwards (platform certificates aside, which rotate safely) and safe for
// concurrent use. It sends signed requests only to its configured hosts
// (see CheckURL), never follows a redirect, and, when a WeChat Pay public
// key is configured, sends Wechatpay-Serial: <public key ID> on every
// request. It prints without its keys (see String).
type Client struct {
	mchID     string
	mchSerial string
	// secret holds the keys; see sealed. hasAPIv3Key says whether one of
	// them is the APIv3 key's cipher.
	secret      sealed
	hasAPIv3Key bool

	keys     *keyring
	certs    *certManager // nil unless WithAutoCertificates
	pubKeyID string       // the WeChat Pay public key's ID, sent as Wechatpay-Serial on every request

	primary, backup endpoint
	hc              *http.Client
	retry           RetryPolicy
	log             *slog.Logger
	clock           func() time.Time
	maxBody         int64
	userAgent       string
	pools           *hotPools // buffers of the hot path, holding nothing at rest
}

type endpoint struct {
	origin    string // scheme://host
	canonical string // origin normalised for comparison (see origin)
	prefix    string // path prefix, no trailing slash
}

func (e endpoint) ok() bool { return e.origin != "" }

func parseEndpoint(base string) endpoint {
	u, _ := url.Parse(base) // checked by the option
	return endpoint{origin: u.Scheme + "://" + u.Host, canonical: origin(u.Scheme, u.Host), prefix: strings.TrimRight(u.EscapedPath(), "/")}
}

// NewClient builds a Client. WithMerchant is required, and at least one way
// to verify WeChat Pay's signatures: WithPlatformPublicKey,
// WithPlatformCertificates or WithAutoCertificates (which needs WithAPIv3Key).
//
// It makes no network call (WithAutoCertificates downloads on first use).
// The first option that rejects its input fails NewClient with that
// option's error; then every remaining problem is listed in one error
// ("wechatpay: cannot build client: …"): missing credentials, a merchant ID
// that is not digits, a serial that is not hexadecimal, an inconsistent
// private key, a platform key that is the merchant's own, no platform
// certificate valid now with nothing else to verify with, plain http to a
// WeChat Pay host, and — for the production hosts — the sandbox's
// published test keys. Errors never contain key material.
func NewClient(opts ...Option) (*Client, error) {
	s := settings{retry: DefaultRetryPolicy, maxBody: DefaultMaxBodySize}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(&s); err != nil {
			return nil, fmt.Errorf("wechatpay: %w", err)
		}
	}
	var problems []string
	if s.mchKey == nil {
		problems = append(problems, "merchant credentials are missing (WithMerchant)")
	}
	if len(s.publicKeys) == 0 && len(s.certs) == 0 && !s.autoCerts {
		problems = append(problems, "no way to verify WeChat Pay signatures: give WithPlatformPublicKey, WithPlatformCertificates or WithAutoCertificates")
	}
	if s.autoCerts && !s.apiV3KeySet {
		problems = append(problems, "WithAutoCertificates needs the APIv3 key (WithAPIv3Key) to decrypt the certificates")
	}
	base := DefaultBaseURL
	if s.baseURL != "" {
		base = s.baseURL
	}
	primary, backup := parseEndpoint(base), endpoint{}
	switch {
	case s.backupURL != nil && *s.backupURL != "":
		backup = parseEndpoint(*s.backupURL)
	case s.backupURL == nil && s.baseURL == "":
		backup = parseEndpoint(DefaultBackupURL)
	}
	clock := s.clock
	if clock == nil {
		clock = time.Now
	}
	for _, e := range [...]endpoint{primary, backup} {
		if e.ok() && isProductionHost(e) && !strings.HasPrefix(e.canonical, "https://") {
			problems = append(problems, e.origin+" is a WeChat Pay host over plain HTTP, which would send the Authorization header and every body in the clear: WeChat Pay serves https only")
		}
	}
	problems = append(problems, checkCredentials(&s, isProductionHost(primary) || (backup.ok() && isProductionHost(backup)), clock())...)
	keys := newKeyring()
	for _, k := range s.publicKeys {
		keys.configure(k)
	}
	for _, c := range s.certs {
		if k, err := keyFromCertificate(c); err == nil {
			keys.configure(k)
		}
	}
	if len(problems) > 0 {
		return nil, errors.New("wechatpay: cannot build client: " + strings.Join(problems, "; "))
	}
	aead := newAEAD(s.apiV3Key)
	c := &Client{
		mchID: s.mchID, mchSerial: s.mchSerial,
		secret:      seal(&secretKeys{mchKey: fastKey(s.mchKey), aead: aead}),
		hasAPIv3Key: aead != nil,
		pools:       new(hotPools),
		keys:        keys,
		hc:          s.httpClient,
		retry:       s.retry,
		log:         s.logger,
		clock:       clock,
		maxBody:     s.maxBody,
		primary:     primary,
		backup:      backup,
	}
	if c.hc == nil {
		c.hc = DefaultHTTPClient()
	} else {
		c.hc = refusingRedirects(c.hc)
	}
	if c.log == nil {
		c.log = slog.New(discardHandler{})
	}
	c.userAgent = "wechatpay-biz-go/" + Version
	if s.userAgent != "" {
		c.userAgent += " " + s.userAgent
	}
	if s.autoCerts {
		c.certs = &certManager{c: c}
	}
	if k, ok := keys.encryptionKey(clock()); ok && k.IsPublicKey() {
		c.pubKeyID = k.Serial
	}
	return c, nil
}

// DefaultHTTPClient returns the client used when WithHTTPClient is not
// given. It closes idle connections well before WeChat Pay's 8 s
// keep-alive cut-off and never follows redirects (which could carry the
// Authorization header to another host).
//
// When http.DefaultTransport has been replaced (by a test double such as
// httpmock.Activate, or a tracing wrapper), that transport is used as is.
func DefaultHTTPClient() *http.Client {
	var rt http.RoundTripper = http.DefaultTransport
	if base, ok := rt.(*http.Transport); ok {
		t := base.Clone()
		t.IdleConnTimeout = 5 * time.Second
		t.MaxIdleConnsPerHost = 32
		t.ResponseHeaderTimeout = 30 * time.Second
		t.DialContext = (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext
		rt = t
	}
	return &http.Client{
		Transport:     rt,
		CheckRedirect: useLastResponse,
	}
}

func useLastResponse(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// refusingRedirects returns a copy of the caller's client that never
// follows a redirect: net/http keeps the Authorization header on a redirect
// to the same host name on another port or scheme, and follows redirects
// by default. The copy sends through hc's Transport as it is at each call
// (a test double installed after NewClient is used), and keeps its Jar and
// Timeout as they were.
func refusingRedirects(hc *http.Client) *http.Client {
	cp := *hc
	cp.CheckRedirect = useLastResponse
	cp.Transport = liveTransport{hc}
	return &cp
}

// liveTransport sends through the Transport its client holds at the time
// of the call.
type liveTransport struct{ hc *http.Client }

func (t liveTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if rt := t.hc.Transport; rt != nil {
		return rt.RoundTrip(r)
	}
	return http.DefaultTransport.RoundTrip(r)
}

type discardHandler struct{}

func (discardHandler) Enabled(context.Context, slog.Level) bool  { return false }
func (discardHandler) Handle(context.Context, slog.Record) error { return nil }
func (d discardHandler) WithAttrs([]slog.Attr) slog.Handler      { return d }
func (d discardHandler) WithGroup(string) slog.Handler           { return d }

// MerchantID returns the merchant ID (mchid, digits) requests are signed
// for, as given to WithMerchant.
func (c *Client) MerchantID() string { return c.mchID }

// HasAPIv3Key reports whether an APIv3 key was configured.
func (c *Client) HasAPIv3Key() bool { return c.hasAPIv3Key }

// PlatformKeys returns the platform keys the client currently trusts,
// sorted by serial: configured public keys and certificates, plus the
// certificates last downloaded by WithAutoCertificates. It is a copy.
func (c *Client) PlatformKeys() []PlatformKey { return c.keys.all() }

func (c *Client) now() time.Time { return c.clock() }

// Request describes one API call for Client.Do.
type Request struct {
	// Method is the HTTP method: GET, POST, PATCH, PUT or DELETE (any
	// letter case); any other is refused before anything is sent.
	Method string
	// Path is the escaped API path, e.g. "/v3/smartguide/guides"; build it
	// from Route with SetPathParams (or BuildPath), which checks and escapes
	// every parameter. An absolute http(s) URL is used as is (no
	// fail-over); that is how bill download URLs are fetched. Its scheme and
	// host must be the configured primary or backup host (see
	// Client.CheckURL): the request is signed, so any other host is refused
	// with ErrForeignHost and nothing is sent. A path with a dot-segment
	// ("." or "..", also percent-encoded) is refused with a
	// *ValidationError and nothing is sent.
	Path string
	// Route is the template Path was built from, e.g.
	// "/v3/payscore/permissions/openid/{openid}". When set, logs,
	// APIError.Path and error strings show it instead of Path, so that
	// identifiers in the path (OpenIDs, order numbers) stay out of them.
	// When empty they show Path: set Route whenever a path parameter may be
	// personal data.
	Route string
	// Query is encoded with url.Values.Encode (keys sorted, values
	// percent-encoded) and signed exactly as sent; it is appended to any
	// query already in Path.
	Query url.Values
	// Body is marshalled to JSON; nil sends no body. A []byte or
	// json.RawMessage is sent as is.
	Body any
	// Idempotent marks calls that may be retried: queries, and writes keyed
	// by the merchant's own business number.
	Idempotent bool
	// WechatpaySerial is sent as Wechatpay-Serial: the platform key the
	// sensitive fields of this request were encrypted to (Encrypter.Serial).
	// When it is empty and a WeChat Pay public key is configured, the
	// public key's ID is sent, on every request, so that WeChat Pay signs
	// the answers with the public key (a merchant migrating to it needs
	// this; spec §14.3).
	WechatpaySerial string
	// Header holds extra headers. The client always sets Authorization,
	// Accept (application/json), User-Agent and, when there is a body,
	// Content-Type (application/json); Accept-Encoding defaults to
	// identity. A Wechatpay-Serial here wins over the public key's ID, not
	// over WechatpaySerial.
	Header http.Header
}

// ResponseMeta is the metadata of a verified answer. Product response types
// embed it, so every response exposes its RequestID.
type ResponseMeta struct {
	// StatusCode is the HTTP status of the verified answer: a 2xx,
	// usually 200, or 204 No Content for an answer without a body.
	StatusCode int
	// Header is the answer's headers as received, including the
	// Wechatpay-Timestamp, -Nonce, -Signature and -Serial it was verified
	// with.
	Header http.Header
	// RequestID is the answer's Request-ID header, sanitised and at most
	// 128 bytes: quote it to WeChat Pay support.
	RequestID string
}

func (m *ResponseMeta) setResponseMeta(v ResponseMeta) { *m = v }

type metaSetter interface{ setResponseMeta(ResponseMeta) }

// Response is what Do returns: the metadata and the verified body. It
// prints without its body (see String).
type Response struct {
	ResponseMeta
	// Body is the answer's body exactly as received and verified (JSON,
	// or empty for a 204), at most WithMaxBodySize bytes. It may hold
	// personal data: do not log it.
	Body []byte
}

type prepared struct {
	method     string
	route      string   // template shown in diagnostics, or ""
	abs        *url.URL // absolute URL, or nil
	path       string   // escaped path relative to the endpoint prefix
	rawQuery   string
	body       []byte
	idempotent bool
	serial     string
	header     http.Header
	verify     bool
	resp       Response // what Do returns, allocated with the call
}

func (c *Client) prepare(req *Request) (*prepared, error) {
	if req == nil {
		return nil, errors.New("wechatpay: nil request")
	}
	method := strings.ToUpper(req.Method)
	switch method {
	case http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodPut, http.MethodDelete:
	default:
		return nil, fmt.Errorf("wechatpay: unsupported method %q", req.Method)
	}
	p := &prepared{method: method, route: req.Route, idempotent: req.Idempotent, serial: req.WechatpaySerial, header: req.Header, verify: true}
	// Errors name the route (or nothing), never the path: it may hold
	// personal data.
	path, rawQuery, _ := strings.Cut(req.Path, "?")
	switch {
	case hasPrefixFold(path, "https://") || hasPrefixFold(path, "http://"):
		u, err := url.Parse(req.Path)
		if err != nil || u.Host == "" {
			return nil, errors.New("wechatpay: " + method + " " + p.shownPath("request") + ": Path is not a valid absolute URL")
		}
		if err := c.checkOrigin(u); err != nil {
			return nil, err
		}
		p.abs = u
		path = u.EscapedPath()
		rawQuery = u.RawQuery
	case strings.HasPrefix(path, "/"):
		p.path = path
	default:
		return nil, errors.New("wechatpay: " + method + " " + p.shownPath("request") + ": Path must start with /")
	}
	if problem := dotSegmentProblem(path); problem != "" {
		return nil, &ValidationError{Op: "core.Do", Problems: []FieldError{{Field: "path", Problem: problem}}}
	}
	if q := req.Query.Encode(); q != "" {
		if rawQuery != "" {
			rawQuery += "&"
		}
		rawQuery += q
	}
	p.rawQuery = rawQuery
	switch b := req.Body.(type) {
	case nil:
	case []byte:
		p.body = b
	case json.RawMessage:
		p.body = b
	default:
		body, err := c.encodeJSON(b)
		if err != nil {
			return nil, fmt.Errorf("wechatpay: encoding request body: %w", err)
		}
		p.body = body
	}
	return p, nil
}

// Do calls the API: it signs the request, sends it (retrying per the policy
// when req.Idempotent), verifies the answer's signature, and decodes a 2xx
// JSON body into out (if out is not nil and the body is not empty; a 204 with
// no body is success). If out embeds ResponseMeta it is filled in. The
// request goes to the primary host (failing over to the backup host when
// the primary cannot be reached), or to req.Path when that is an absolute
// URL on one of them.
//
// Errors, all before anything is sent unless noted:
//   - an unsupported method, a nil request, or a Path that is neither
//     absolute nor starts with /: a plain error;
//   - a path with a dot-segment, a percent-encoded control character or a
//     malformed percent-encoding: a *ValidationError;
//   - an absolute URL on another host: an error matching ErrForeignHost;
//   - with WithAutoCertificates, a failed certificate download while the
//     client holds no usable key (ErrNoPlatformCertificates when the
//     merchant has no certificates);
//   - after sending: a non-2xx answer (3xx included: redirects are not
//     followed) as *APIError with its Request-ID and Attempts; an answer
//     whose signature fails as *SignatureError, matching
//     ErrInvalidSignature; an answer over the size cap as ErrBodyTooLarge;
//     a transport failure, wrapped (with the number of attempts when it
//     was retried); a done context as the context's error.
//
// Do is the escape hatch for endpoints this SDK does not wrap.
func (c *Client) Do(ctx context.Context, req *Request, out any) (*Response, error) {
	p, err := c.prepare(req)
	if err != nil {
		return nil, err
	}
	if c.certs != nil {
		if err := c.certs.ensure(ctx); err != nil {
			return nil, err
		}
	}
	return c.execute(ctx, p, out)
}

func (c *Client) execute(ctx context.Context, p *prepared, out any) (*Response, error) {
	hr, body, err := c.send(ctx, p, false)
	if err != nil {
		return nil, err
	}
	meta := ResponseMeta{StatusCode: hr.StatusCode, Header: hr.Header, RequestID: RequestIDFrom(hr.Header)}
	if out != nil && len(bytes.TrimSpace(body)) > 0 {
		if err := json.Unmarshal(body, out); err != nil {
			return nil, fmt.Errorf("wechatpay: %s %s: decoding response [request id %s]: %w", p.method, p.displayPath(), meta.RequestID, err)
		}
	}
	if ms, ok := out.(metaSetter); ok {
		ms.setResponseMeta(meta)
	}
	p.resp = Response{ResponseMeta: meta, Body: body}
	return &p.resp, nil
}

// Download makes a signed GET to rawURL exactly as given and returns the
// unverified streaming response (bill files carry no signature; verify them
// by their hash, spec §5.4: GET /v3/billdownload/file). The caller closes
// the body and caps what it reads. The request asks for the body unencoded
// (Accept-Encoding: identity), so the body is the bytes sent: a server that
// applies a Content-Encoding anyway leaves it to the caller to decode
// (bill.Service.Download does). Transport failures and transient answers
// are retried per the RetryPolicy, as for any idempotent call; redirects
// are not followed.
//
// Errors: rawURL's scheme and host must be the configured primary or
// backup host (see CheckURL): any other URL is refused with ErrForeignHost
// before anything is signed or sent, a path with a dot-segment with a
// *ValidationError. Non-2xx answers are returned as *APIError (a signed
// one verified first), a done context as the context's error.
func (c *Client) Download(ctx context.Context, rawURL string) (*http.Response, error) {
	p, err := c.prepare(&Request{Method: http.MethodGet, Path: rawURL, Idempotent: true})
	if err != nil {
		return nil, err
	}
	hr, _, err := c.send(ctx, p, true)
	return hr, err
}

// displayPath is the path shown in logs and errors: the route template
// when there is one, else the path.
func (p *prepared) displayPath() string {
	if p.route != "" {
		return p.route
	}
	if p.abs != nil {
		return p.abs.EscapedPath()
	}
	return p.path
}

// shownPath is the route, or otherwise when nothing safe is known yet.
func (p *prepared) shownPath(otherwise string) string {
	if p.route != "" {
		return p.route
	}
	return otherwise
}

// send runs the attempt loop. With stream it returns the first 2xx response
// unread and unverified; otherwise it returns the verified body.
func (c *Client) send(ctx context.Context, p *prepared, stream bool) (*http.Response, []byte, error) {
	if ctx == nil {
		return nil, nil, errors.New("wechatpay: nil context")
	}
	maxAttempts := 1
	if p.idempotent {
		maxAttempts = c.retry.MaxAttempts
	}
	var lastErr error
	for attempt := 1; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		start := time.Now()
		hr, err := c.roundTrip(ctx, p)
		var body []byte
		if err == nil && !(stream && hr.StatusCode/100 == 2) {
			body, err = readCapped(hr.Body, hr.ContentLength, c.maxBody)
			hr.Body.Close()
		}
		if err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil {
				return nil, nil, ctxErr
			}
			lastErr = fmt.Errorf("wechatpay: %s %s: %w", p.method, p.displayPath(), err)
			if attempt < maxAttempts && !errors.Is(err, ErrBodyTooLarge) {
				c.log.LogAttrs(ctx, slog.LevelInfo, "wechatpay: retrying after transport error",
					slog.String("method", p.method), slog.String("path", p.displayPath()), slog.Int("attempt", attempt), slog.String("error", err.Error()))
				if err := sleepCtx(ctx, c.retry.delay(attempt)); err != nil {
					return nil, nil, err
				}
				continue
			}
			if attempt > 1 {
				lastErr = fmt.Errorf("%w (after %d attempts)", lastErr, attempt)
			}
			return nil, nil, lastErr
		}
		rid := RequestIDFrom(hr.Header)
		c.log.LogAttrs(ctx, slog.LevelDebug, "wechatpay: call",
			slog.String("method", p.method), slog.String("path", p.displayPath()), slog.Int("status", hr.StatusCode),
			slog.String("request_id", rid), slog.Int("attempt", attempt), slog.Duration("elapsed", time.Since(start)))
		if hr.StatusCode/100 != 2 {
			// WeChat Pay does not sign every error, so an unsigned one is
			// decoded as is; a signed one must verify like any answer.
			if p.verify && HeaderValue(hr.Header, "Wechatpay-Signature") != "" {
				if err := c.verify(ctx, SignatureHeadersFrom(hr.Header), body, rid); err != nil {
					return nil, nil, err
				}
			}
			apiErr := decodeAPIError(hr.StatusCode, body, rid, p.method, p.displayPath())
			apiErr.Attempts = attempt
			c.addHint(apiErr)
			if attempt < maxAttempts && apiErr.Temporary() {
				c.log.LogAttrs(ctx, slog.LevelInfo, "wechatpay: retrying after transient answer",
					slog.String("method", p.method), slog.String("path", p.displayPath()), slog.Int("status", hr.StatusCode),
					slog.String("code", sanitizeServerText(apiErr.Code, maxCodeText)), slog.String("request_id", rid), slog.Int("attempt", attempt))
				if err := sleepCtx(ctx, c.retry.delay(attempt)); err != nil {
					return nil, nil, err
				}
				continue
			}
			return nil, nil, apiErr
		}
		if stream {
			return hr, nil, nil
		}
		if p.verify {
			if err := c.verify(ctx, SignatureHeadersFrom(hr.Header), body, rid); err != nil {
				c.log.LogAttrs(ctx, slog.LevelWarn, "wechatpay: response signature rejected",
					slog.String("method", p.method), slog.String("path", p.displayPath()), slog.String("request_id", rid), slog.String("error", err.Error()))
				return nil, nil, err
			}
		}
		return hr, body, nil
	}
}

// roundTrip sends one attempt, signed afresh, failing over to the backup
// host when the primary cannot be reached.
func (c *Client) roundTrip(ctx context.Context, p *prepared) (*http.Response, error) {
	if p.abs != nil {
		return c.sendTo(ctx, p, p.abs.Scheme+"://"+p.abs.Host, p.abs.EscapedPath())
	}
	hr, err := c.sendTo(ctx, p, c.primary.origin, c.primary.prefix+p.path)
	if err != nil && c.backup.ok() && unreachable(err) && ctx.Err() == nil {
		c.log.LogAttrs(ctx, slog.LevelWarn, "wechatpay: primary host unreachable, using backup host",
			slog.String("backup", c.backup.origin), slog.String("error", err.Error()))
		return c.sendTo(ctx, p, c.backup.origin, c.backup.prefix+p.path)
	}
	return hr, err
}

func (c *Client) sendTo(ctx context.Context, p *prepared, origin, path string) (*http.Response, error) {
	canonical := path
	if p.rawQuery != "" {
		canonical += "?" + p.rawQuery
	}
	// The URL is the origin's, completed with the path and query exactly as
	// signed (RawPath), rather than built as origin+canonical and parsed;
	// what url.Parse would refuse is refused here, before signing.
	if strings.ContainsFunc(canonical, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return nil, errors.New("wechatpay: invalid control character in URL")
	}
	unescaped, err := url.PathUnescape(path)
	if err != nil {
		return nil, err
	}
	auth, err := c.authorization(ctx, p.method, canonical, p.body)
	if err != nil {
		return nil, err
	}
	hreq, err := http.NewRequestWithContext(ctx, p.method, origin, nil)
	if err != nil {
		return nil, err
	}
	hreq.URL.Path, hreq.URL.RawPath, hreq.URL.RawQuery = unescaped, path, p.rawQuery
	a := newAttempt(hreq, p.body)
	for k, vs := range p.header {
		hreq.Header[http.CanonicalHeaderKey(k)] = vs
	}
	// The keys below are canonical, so they are stored as they are.
	a.set(hreq.Header, "Authorization", auth)
	a.set(hreq.Header, "Accept", "application/json")
	if _, set := hreq.Header["Accept-Encoding"]; !set {
		// API answers are small JSON: asking for them uncompressed spares
		// the transport's gzip negotiation and a decompressor per answer.
		// A download asks for its file as it is too: were net/http to
		// negotiate gzip, it would decompress the body below any cap the
		// caller puts on the bytes read, and its gzip reader reads empty
		// members in one Read for as long as they come.
		a.set(hreq.Header, "Accept-Encoding", "identity")
	}
	a.set(hreq.Header, "User-Agent", c.userAgent)
	if p.body != nil {
		a.set(hreq.Header, "Content-Type", "application/json")
	}
	if p.serial != "" {
		a.set(hreq.Header, "Wechatpay-Serial", p.serial)
	} else if c.pubKeyID != "" && len(hreq.Header["Wechatpay-Serial"]) == 0 {
		// So that WeChat Pay signs the answer with the public key (spec
		// §14.3); a Wechatpay-Serial the caller set in Request.Header wins.
		a.set(hreq.Header, "Wechatpay-Serial", c.pubKeyID)
	}
	hr, err := c.hc.Do(hreq)
	if err != nil {
		// url.Error prints the full URL; show the route instead, so that
		// path parameters and the query stay out of error strings and logs.
		// (ue is declared here: errors.As moves it to the heap.)
		var ue *url.Error
		if errors.As(err, &ue) {
			err = &url.Error{Op: ue.Op, URL: origin + p.displayPath(), Err: ue.Err}
		}
	}
	return hr, err
}

// authorization builds the Authorization header for one attempt, with a fresh
// nonce and timestamp. The message "method\ncanonicalURL\ntimestamp\nnonce\nbody\n"
// is written once into a pooled buffer, hashed, and signed with
// rsa.SignPKCS1v15 (SHA-256); the header is assembled after it in the same
// buffer, sized for both up front, which is zeroed before it goes back to
// the pool.
func (c *Client) authorization(ctx context.Context, method, canonicalURL string, body []byte) (string, error) {
	var tsb [20]byte
	ts := strconv.AppendInt(tsb[:0], c.now().Unix(), 10)
	msgLen := len(method) + len(canonicalURL) + len(ts) + nonceLen + len(body) + 5
	hdrLen := len(SignatureScheme+` mchid="",nonce_str="",signature="",timestamp="",serial_no=""`) +
		len(c.mchID) + nonceLen + base64.StdEncoding.EncodedLen(c.secret.get().mchKey.Size()) + len(ts) + len(c.mchSerial)
	sc := c.getScratch(msgLen + hdrLen)
	defer c.putScratch(sc)
	b := append(sc.b, method...)
	b = append(b, '\n')
	b = append(b, canonicalURL...)
	b = append(b, '\n')
	b = append(b, ts...)
	b = append(b, '\n')
	b, err := appendNonce(b)
	if err != nil {
		return "", fmt.Errorf("wechatpay: generating nonce: %w", err)
	}
	nonce := b[len(b)-nonceLen:]
	b = append(b, '\n')
	b = append(b, body...)
	b = append(b, '\n')
	sc.b = b
	sum := sha256.Sum256(b)
	sig, err := rsa.SignPKCS1v15(nil, c.secret.get().mchKey, crypto.SHA256, sum[:])
	if err != nil {
		return "", fmt.Errorf("wechatpay: signing request: %w", err)
	}
	start := len(b)
	b = append(b, SignatureScheme+` mchid="`...)
	b = append(b, c.mchID...)
	b = append(b, `",nonce_str="`...)
	b = append(b, nonce...)
	b = append(b, `",signature="`...)
	b = base64.StdEncoding.AppendEncode(b, sig)
	b = append(b, `",timestamp="`...)
	b = append(b, ts...)
	b = append(b, `",serial_no="`...)
	b = append(b, c.mchSerial...)
	b = append(b, '"')
	sc.b = b
	return string(b[start:]), nil
}

// Sign signs message with the merchant private key (SHA256withRSA, PKCS #1
// v1.5) and returns the signature Base64-encoded, as front-end payment
// parameters require (the paySign of a JSAPI or mini-program payment over
// "appId\ntimeStamp\nnonceStr\npackage\n"). The
// message is signed as given: the caller writes its lines and final "\n".
// ctx is not used; the error never contains the key.
func (c *Client) Sign(ctx context.Context, message string) (string, error) {
	sum := sha256.Sum256([]byte(message))
	sig, err := rsa.SignPKCS1v15(nil, c.secret.get().mchKey, crypto.SHA256, sum[:])
	if err != nil {
		return "", fmt.Errorf("wechatpay: signing: %w", err)
	}
	return base64.StdEncoding.EncodeToString(sig), nil
}

// ErrBodyTooLarge is returned (wrapped, matched with errors.Is) when an
// answer's body is longer than the cap of WithMaxBodySize
// (DefaultMaxBodySize, 8 MiB, by default) — announced by its
// Content-Length or found while reading. Such an answer is not retried.
var ErrBodyTooLarge = errors.New("wechatpay: response body exceeds the size limit")

// readCapped reads a response body of size bytes (its Content-Length, or
// -1 when unknown) up to limit. A known size up to exactSizeRead is read
// into a buffer of exactly that size; otherwise the buffer grows as the
// body arrives, so a size announced but never sent costs nothing.
func readCapped(r io.Reader, size, limit int64) ([]byte, error) {
	if size > limit {
		return nil, ErrBodyTooLarge
	}
	if size >= 0 && size <= exactSizeRead {
		b := make([]byte, size)
		if _, err := io.ReadFull(r, b); err != nil {
			return nil, err
		}
		return b, nil
	}
	b := make([]byte, 0, 512)
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if int64(len(b)) > limit {
			return nil, ErrBodyTooLarge
		}
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// exactSizeRead is the largest announced body size read with one
// allocation of that size.
const exactSizeRead = 1 << 20

// hasPrefixFold is strings.HasPrefix ignoring ASCII case (a URL scheme is
// case-insensitive: CheckURL and Do must agree on what is absolute).
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// Ptr returns a pointer to a copy of v, for optional request fields
// (pointers with omitempty): core.Ptr(false) sends an explicit false, where
// a nil pointer sends nothing.
func Ptr[T any](v T) *T { return &v }
