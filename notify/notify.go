package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
)

// Errors returned by Parse and ParseBytes, matched with errors.Is. Every
// signature failure is a *core.SignatureError and also matches
// ErrInvalidSignature (core.ErrInvalidSignature).
var (
	// ErrMissingHeader: one of Wechatpay-Timestamp, -Nonce, -Signature
	// and -Serial is absent (core.ErrMissingHeader).
	ErrMissingHeader = core.ErrMissingHeader
	// ErrStaleTimestamp: Wechatpay-Timestamp is not Unix seconds, or is
	// core.MaxClockSkew (5 minutes) or more away from the client's clock,
	// in the past or in the future (core.ErrStaleTimestamp).
	ErrStaleTimestamp = core.ErrStaleTimestamp
	// ErrUnknownSerial: Wechatpay-Serial names no key the client trusts,
	// even after a certificate download (WithAutoCertificates, at most one
	// a minute for callbacks), or a certificate not valid now
	// (core.ErrUnknownSerial).
	ErrUnknownSerial = core.ErrUnknownSerial
	// ErrInvalidSignature is matched by every signature failure, including
	// a signature that does not match the body, a WECHATPAY/SIGNTEST/ probe
	// (spec §6.6) and a Wechatpay-Signature-Type other than
	// WECHATPAY2-SHA256-RSA2048 (core.ErrInvalidSignature).
	ErrInvalidSignature = core.ErrInvalidSignature
	// ErrDecrypt: the resource could not be decrypted with the APIv3 key
	// (wrong key, tampered ciphertext, a nonce that is not 12 bytes) or its
	// algorithm is not AEAD_AES_256_GCM (core.ErrDecrypt).
	ErrDecrypt = core.ErrDecrypt
	// ErrBodyTooLarge: the body is longer than the Handler's cap
	// (WithMaxBodySize, default DefaultMaxBodySize); nothing of it is
	// verified or decoded.
	ErrBodyTooLarge = errors.New("notify: notification body exceeds the size limit")
	// ErrMalformed: the body could not be read, is not the JSON envelope of
	// spec §6.7, or lacks id or event_type (checked after the signature
	// verified).
	ErrMalformed = errors.New("notify: malformed notification")
	// ErrDuplicate reports a notification that was already handled.
	// Nothing in this package returns it: the Handler acknowledges a
	// duplicate itself through its Deduper. It is for code that
	// de-duplicates around Parse on its own; a callback that returns it is
	// treated like any other callback error (500 FAIL, delivered again).
	ErrDuplicate = errors.New("notify: notification already handled")
)

// DefaultMaxBodySize caps notification bodies, in bytes (64 KiB): WeChat
// Pay's envelopes are a few KiB. Change it with WithMaxBodySize.
const DefaultMaxBodySize = 64 << 10

// Resource is the encrypted part of a notification (resource in spec
// §6.7), as received; Notification.Plaintext holds it decrypted.
type Resource struct {
	// Algorithm is the encryption algorithm; only AEAD_AES_256_GCM is
	// accepted.
	Algorithm string `json:"algorithm"`
	// Ciphertext is Base64 of the encrypted resource followed by its
	// 16-byte GCM tag.
	Ciphertext string `json:"ciphertext"`
	// AssociatedData is the GCM associated data (under 16 bytes; may be
	// empty).
	AssociatedData string `json:"associated_data"`
	// OriginalType names the type of the decrypted object, e.g.
	// transaction, refund, payscore, mall_transaction.
	OriginalType string `json:"original_type"`
	// Nonce is the 12-byte GCM nonce.
	Nonce string `json:"nonce"`
}

// Notification is a verified, decrypted callback: the envelope of spec
// §6.7 and its decrypted resource. It prints without Plaintext (see
// String).
type Notification struct {
	// ID is the notification ID, at most 36 characters (e.g.
	// EV-2018022511223320873); every redelivery of a notification carries
	// the same ID, which is what the Deduper keys on.
	ID string `json:"id"`
	// CreateTime is when WeChat Pay created the notification (RFC 3339,
	// usually +08:00 Asia/Shanghai).
	CreateTime time.Time `json:"create_time"`
	// EventType names the event, at most 32 characters, e.g.
	// PAYSCORE.USER_PAID, MALL_TRANSACTION.SUCCESS, REFUND.SUCCESS; the
	// Handler routes on it (On).
	EventType string `json:"event_type"`
	// ResourceType is the resource's type, encrypt-resource.
	ResourceType string `json:"resource_type"`
	// Summary is WeChat Pay's short description of the event, at most 64
	// characters (e.g. 支付成功).
	Summary string `json:"summary"`
	// Resource is the encrypted resource as received.
	Resource Resource `json:"resource"`
	// Plaintext is the decrypted resource (JSON). It may hold personal data:
	// do not log it.
	Plaintext []byte `json:"-"`
	// Serial is the Wechatpay-Serial of the key that signed the notification.
	Serial string `json:"-"`
}

// Decode unmarshals the decrypted resource (Plaintext, JSON) into v, such
// as a product package's event type. The error names the event type and
// notification ID, never the content.
func (n *Notification) Decode(v any) error {
	if err := json.Unmarshal(n.Plaintext, v); err != nil {
		return fmt.Errorf("notify: decoding %.64q resource of notification %.64q: %w", n.EventType, n.ID, err)
	}
	return nil
}

// Option configures a Handler; NewHandler fails with the first error an
// option returns.
type Option func(*Handler) error

// WithMaxBodySize sets the body cap, in bytes (default
// DefaultMaxBodySize); a longer body fails with ErrBodyTooLarge and is
// answered 400. n must be positive.
func WithMaxBodySize(n int64) Option {
	return func(h *Handler) error {
		if n <= 0 {
			return errors.New("notify: WithMaxBodySize needs a positive size")
		}
		h.maxBody = n
		return nil
	}
}

// WithDeduper sets the store that makes callbacks run exactly once (see
// Deduper and Handler.ServeHTTP). The default is a MemoryDeduper, which is
// enough for a single instance; several instances need a shared store.
// WithDeduper(nil) turns de-duplication off: every delivery then runs the
// callback, and the callback must be idempotent itself.
func WithDeduper(d Deduper) Option {
	return func(h *Handler) error {
		h.dedup = d
		return nil
	}
}

// DefaultClaimLease is how long a delivery holds its claim on a notification
// by default: 1 minute, far longer than the 5 seconds WeChat Pay waits for an
// answer, and short enough that a crashed instance delays the notification
// by only one or two redeliveries.
const DefaultClaimLease = time.Minute

// WithClaimLease sets how long a delivery's claim lasts (default
// DefaultClaimLease). Within the lease other deliveries of the same
// notification are answered 500 FAIL and delivered again later; after it, a
// delivery runs the callback again (the first one is presumed crashed), so
// the lease must be longer than any callback runs.
func WithClaimLease(d time.Duration) Option {
	return func(h *Handler) error {
		if d <= 0 {
			return errors.New("notify: WithClaimLease needs a positive duration")
		}
		h.lease = d
		return nil
	}
}

// WithAtLeastOnce makes the Handler run the callback when the de-duplication
// store cannot be reached (Claim fails), logging the store error at Warn:
// the callback may then run more than once and must be idempotent. Without
// it such a notification is answered 500 FAIL without running the callback,
// and WeChat Pay delivers it again later.
func WithAtLeastOnce() Option {
	return func(h *Handler) error {
		h.atLeastOnce = true
		return nil
	}
}

// WithLogger sets the logger of the Handler (default slog.Default()). It
// logs, never with the notification's content: rejected notifications,
// failed callbacks and de-duplication store failures at Warn; notifications
// acknowledged without a callback because no callback is registered for
// their event type at Warn (a misspelt event type in On shows up here);
// redelivered notifications already processed, or still being processed, at
// Info. WithLogger(nil) restores the default; to silence it pass a logger
// with slog.DiscardHandler.
func WithLogger(l *slog.Logger) Option {
	return func(h *Handler) error {
		h.log = l
		return nil
	}
}

// WithFallback sets the callback for event types no On callback handles.
// Without it such notifications are acknowledged, not run, and logged at
// Warn with their event type and ID.
func WithFallback(fn func(ctx context.Context, n *Notification) error) Option {
	return func(h *Handler) error {
		h.fallback = fn
		return nil
	}
}

// Handler verifies and decrypts notifications with a client's platform keys
// and APIv3 key. It is safe for concurrent use once its callbacks are
// registered.
type Handler struct {
	c           *core.Client
	maxBody     int64
	dedup       Deduper
	lease       time.Duration
	atLeastOnce bool
	log         *slog.Logger
	routes      map[string]func(context.Context, *Notification) error
	fallback    func(context.Context, *Notification) error
}

// NewHandler returns a Handler using c's platform keys and APIv3 key, which
// is required (core.WithAPIv3Key): without it NewHandler fails, as it does
// for a nil client or an option's error. The Handler de-duplicates with a
// new MemoryDeduper unless WithDeduper says otherwise.
func NewHandler(c *core.Client, opts ...Option) (*Handler, error) {
	if c == nil {
		return nil, errors.New("notify: nil client")
	}
	if !c.HasAPIv3Key() {
		return nil, errors.New("notify: the client has no APIv3 key (core.WithAPIv3Key); notifications cannot be decrypted")
	}
	h := &Handler{c: c, maxBody: DefaultMaxBodySize, dedup: &MemoryDeduper{}, lease: DefaultClaimLease, routes: map[string]func(context.Context, *Notification) error{}}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(h); err != nil {
			return nil, err
		}
	}
	if h.log == nil {
		h.log = slog.Default()
	}
	return h, nil
}

// Parse reads, verifies and decrypts the notification in r: it reads at
// most the body cap, then does what ParseBytes does. Errors are those of
// ParseBytes, and ErrMalformed when the body cannot be read.
func (h *Handler) Parse(ctx context.Context, r *http.Request) (*Notification, error) {
	body, err := readBody(r, h.maxBody)
	if err != nil {
		return nil, err
	}
	return h.ParseBytes(ctx, r.Header, body)
}

// readBody reads a request body of at most limit bytes: into one buffer of
// exactly its Content-Length when that is known, otherwise as it comes (a
// request built with http.NewRequest from an unknown reader has a body but
// a Content-Length of 0).
func readBody(r *http.Request, limit int64) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	if r.ContentLength > limit {
		return nil, ErrBodyTooLarge
	}
	if r.ContentLength > 0 {
		body := make([]byte, r.ContentLength)
		if _, err := io.ReadFull(r.Body, body); err != nil {
			return nil, fmt.Errorf("%w: reading body: %v", ErrMalformed, err)
		}
		return body, nil
	}
	// One byte over the limit tells a body at the limit from a longer one
	// (limit+1 cannot overflow: the limit is at most the largest int).
	body, err := io.ReadAll(io.LimitReader(r.Body, min(limit, math.MaxInt64-1)+1))
	if err != nil {
		return nil, fmt.Errorf("%w: reading body: %v", ErrMalformed, err)
	}
	return body, nil
}

// ParseBytes verifies and decrypts a notification given its headers and
// body, for frameworks that have already read the body. Header keys may be
// in any letter case (a plain map from another framework, HTTP/2's lower
// case).
//
// In order: the body cap (ErrBodyTooLarge); Wechatpay-Signature-Type, when
// present, must be WECHATPAY2-SHA256-RSA2048; the signature
// (core.Client.VerifySignature: ErrMissingHeader, ErrStaleTimestamp,
// ErrUnknownSerial, all matching ErrInvalidSignature); only then the
// envelope is decoded (ErrMalformed without id or event_type) and the
// resource decrypted (ErrDecrypt). Errors never contain the body.
func (h *Handler) ParseBytes(ctx context.Context, header http.Header, body []byte) (*Notification, error) {
	if int64(len(body)) > h.maxBody {
		return nil, ErrBodyTooLarge
	}
	sh := core.SignatureHeadersFrom(header)
	if t := core.HeaderValue(header, "Wechatpay-Signature-Type"); t != "" && t != core.SignatureScheme {
		return nil, &core.SignatureError{Reason: "unsupported Wechatpay-Signature-Type " + t, Serial: sh.Serial}
	}
	if err := h.c.VerifySignature(ctx, sh, body); err != nil {
		return nil, err
	}
	n := &Notification{Serial: sh.Serial}
	if err := json.Unmarshal(body, n); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if n.ID == "" || n.EventType == "" {
		return nil, fmt.Errorf("%w: id and event_type are required", ErrMalformed)
	}
	res := n.Resource
	if res.Algorithm != "AEAD_AES_256_GCM" {
		return nil, fmt.Errorf("%w: unsupported resource algorithm %q", ErrDecrypt, res.Algorithm)
	}
	pt, err := h.c.DecryptAEAD(res.AssociatedData, res.Nonce, res.Ciphertext)
	if err != nil {
		return nil, fmt.Errorf("%w (notification %.64q)", err, n.ID)
	}
	n.Plaintext = pt
	return n, nil
}

// On registers fn for notifications of eventType (e.g.
// "PAYSCORE.USER_PAID"). Register callbacks before serving. A notification
// whose event type has no callback (and no WithFallback) is acknowledged
// without running anything and logged at Warn with its event type, so a
// misspelt eventType shows up in the log.
func (h *Handler) On(eventType string, fn func(ctx context.Context, n *Notification) error) {
	h.routes[eventType] = fn
}

// Reply is the JSON body of a failure answer to WeChat Pay (spec §13.2):
// {"code":"FAIL","message":"…"}. A successful answer has no body.
type Reply struct {
	// Code is FAIL: every reply the Handler writes is a failure.
	Code string `json:"code"`
	// Message is a short English reason (e.g. "invalid signature",
	// "handler failed"); it never echoes the notification.
	Message string `json:"message,omitempty"`
}

// ServeHTTP verifies and decrypts the notification, makes sure its callback
// runs exactly once, and answers WeChat Pay (spec §13.2):
//
//   - 405 {"code":"FAIL",…} for a method other than POST.
//   - 401 {"code":"FAIL",…} when the signature is rejected (anything
//     matching ErrInvalidSignature), 400 when the notification is otherwise
//     rejected (too large, malformed, undecryptable); logged at Warn.
//   - Otherwise the notification ID is claimed in the Deduper for the claim
//     lease (WithClaimLease). The delivery that claims it runs the callback
//     registered with On for its event type (or the WithFallback callback):
//     success marks it processed and answers 204 No Content; an
//     error (or a panic, recovered and logged at Error with its stack)
//     releases the claim and answers 500 {"code":"FAIL",…}, so the
//     redelivery runs the callback again.
//   - When marking it processed fails after the callback succeeded (the
//     store went down mid-callback), the answer is still 204 and the
//     failure is logged at Warn: a failure status would only make a
//     redelivery run the callback again once the lease expires. When the
//     callback outlived its lease (another delivery may have claimed and
//     run it meanwhile), it is marked processed all the same and a Warn
//     says the callback may have run twice (raise WithClaimLease).
//   - A delivery that finds the ID claimed by a delivery still running is
//     answered 500 {"code":"FAIL",…} (WeChat Pay delivers it again later; the
//     first attempt may still fail), logged at Info.
//   - A delivery that finds the ID processed is answered 204 without running
//     the callback, logged at Info.
//   - When the store fails, the answer is 500 FAIL and the callback is not
//     run, unless WithAtLeastOnce was given.
//   - A notification with no callback for its event type (and no fallback)
//     is answered 204 and logged at Warn with its event type.
//
// Messages never echo content. Callbacks should return within a few
// seconds: WeChat Pay waits 5 s for the answer.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if r.Method != http.MethodPost {
		writeReply(w, http.StatusMethodNotAllowed, "FAIL", "method not allowed")
		return
	}
	n, err := h.Parse(ctx, r)
	if err != nil {
		status := http.StatusBadRequest
		if errors.Is(err, core.ErrInvalidSignature) {
			status = http.StatusUnauthorized
		}
		h.warn(ctx, "notify: rejected notification", err)
		writeReply(w, status, "FAIL", rejectMessage(err))
		return
	}
	fn := h.routes[n.EventType]
	if fn == nil {
		fn = h.fallback
	}
	if h.dedup == nil {
		h.run(ctx, w, n, fn, nil)
		return
	}
	status, token, err := h.dedup.Claim(ctx, n.ID, h.lease)
	if err != nil {
		if h.atLeastOnce {
			h.warn(ctx, "notify: de-duplication store failed, running the callback anyway (WithAtLeastOnce)", err, notificationAttrs(n)...)
			h.run(ctx, w, n, fn, nil)
			return
		}
		h.warn(ctx, "notify: de-duplication store failed, asking WeChat Pay to deliver again", err, notificationAttrs(n)...)
		writeReply(w, http.StatusInternalServerError, "FAIL", "temporary failure")
		return
	}
	switch status {
	case Claimed:
		h.run(ctx, w, n, fn, &claim{id: n.ID, token: token})
	case InProgress:
		h.log.LogAttrs(ctx, slog.LevelInfo, "notify: notification is being processed by another delivery, asking WeChat Pay to deliver again", notificationAttrs(n)...)
		writeReply(w, http.StatusInternalServerError, "FAIL", "being processed")
	case Processed:
		h.log.LogAttrs(ctx, slog.LevelInfo, "notify: notification already processed, acknowledged without running the callback", notificationAttrs(n)...)
		acknowledge(w)
	default:
		h.warn(ctx, "notify: de-duplication store failed, asking WeChat Pay to deliver again", fmt.Errorf("Claim returned unknown status %d", int(status)), notificationAttrs(n)...)
		writeReply(w, http.StatusInternalServerError, "FAIL", "temporary failure")
	}
}

type claim struct{ id, token string }

// storeTimeout bounds Finish and Release, which run even when the request's
// context is done (WeChat Pay hung up): the claim must not stay held.
const storeTimeout = 5 * time.Second

// run runs fn (nil: none registered) for n under cl (nil: no claim) and
// answers.
func (h *Handler) run(ctx context.Context, w http.ResponseWriter, n *Notification, fn func(context.Context, *Notification) error, cl *claim) {
	if fn == nil {
		h.log.LogAttrs(ctx, slog.LevelWarn, "notify: no callback registered for this event type (check the name given to On, or use WithFallback); acknowledged without running", notificationAttrs(n)...)
		h.finish(ctx, cl, n)
		acknowledge(w)
		return
	}
	if err := h.call(ctx, fn, n, cl); err != nil {
		if err != errCallbackPanicked { // logged at Error already
			h.warn(ctx, "notify: callback failed, asking WeChat Pay to deliver again", err, notificationAttrs(n)...)
		}
		writeReply(w, http.StatusInternalServerError, "FAIL", "handler failed")
		return
	}
	h.finish(ctx, cl, n)
	acknowledge(w)
}

// errCallbackPanicked is the error of a callback that panicked.
var errCallbackPanicked = errors.New("notify: the callback panicked")

// call runs fn; on an error or a panic it releases the claim. A panic is
// recovered, logged at Error with its stack (not its value, which may hold
// the notification's content) and returned as an error, so that WeChat Pay
// gets a 500 FAIL and delivers again; http.ErrAbortHandler, net/http's way
// to abort a response, is propagated.
func (h *Handler) call(ctx context.Context, fn func(context.Context, *Notification) error, n *Notification, cl *claim) (err error) {
	ok := false
	defer func() {
		v := recover()
		if !ok && cl != nil {
			sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
			defer cancel()
			if rerr := h.dedup.Release(sctx, cl.id, cl.token); rerr != nil {
				h.warn(ctx, "notify: releasing the de-duplication claim failed; the notification runs again once the lease expires", rerr, notificationAttrs(n)...)
			}
		}
		if v == nil {
			return
		}
		if v == http.ErrAbortHandler {
			panic(v)
		}
		h.log.LogAttrs(ctx, slog.LevelError, "notify: the callback panicked; asking WeChat Pay to deliver again",
			append(notificationAttrs(n), slog.String("panic_type", fmt.Sprintf("%T", v)), slog.String("stack", string(debug.Stack())))...)
		err = errCallbackPanicked
	}()
	err = fn(ctx, n)
	ok = err == nil
	return err
}

// finish marks the notification processed. The callback succeeded, so the
// answer is 204 whatever happens here: a failure is logged, never turned
// into a redelivery that would run the callback again.
func (h *Handler) finish(ctx context.Context, cl *claim, n *Notification) {
	if cl == nil {
		return
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
	defer cancel()
	switch err := h.dedup.Finish(sctx, cl.id, cl.token); {
	case errors.Is(err, ErrClaimLost):
		h.warn(ctx, "notify: the callback outlived its claim lease, so another delivery may have run it too (it may have run twice); marked processed all the same: raise WithClaimLease above the callback's longest run", err, notificationAttrs(n)...)
	case err != nil:
		h.warn(ctx, "notify: marking the notification processed failed (answered 204 all the same: the callback ran); a redelivery after the claim lease may run the callback again", err, notificationAttrs(n)...)
	}
}

func notificationAttrs(n *Notification) []slog.Attr {
	return []slog.Attr{slog.String("event_type", n.EventType), slog.String("id", n.ID)}
}

func rejectMessage(err error) string {
	switch {
	case errors.Is(err, ErrMissingHeader):
		return "missing signature header"
	case errors.Is(err, ErrStaleTimestamp):
		return "timestamp out of window"
	case errors.Is(err, ErrUnknownSerial):
		return "unknown serial"
	case errors.Is(err, core.ErrInvalidSignature):
		return "invalid signature"
	case errors.Is(err, ErrDecrypt):
		return "decryption failed"
	case errors.Is(err, ErrBodyTooLarge):
		return "body too large"
	default:
		return "malformed notification"
	}
}

func (h *Handler) warn(ctx context.Context, msg string, err error, attrs ...slog.Attr) {
	h.log.LogAttrs(ctx, slog.LevelWarn, msg, append(attrs, slog.String("error", err.Error()))...)
}

// acknowledge answers a handled notification: 204 No Content, no body
// (spec §13.2: WeChat Pay takes 200 or 204 as success and needs no body).
func acknowledge(w http.ResponseWriter) { w.WriteHeader(http.StatusNoContent) }

func writeReply(w http.ResponseWriter, status int, code, msg string) {
	var buf bytes.Buffer
	_ = json.NewEncoder(&buf).Encode(Reply{Code: code, Message: msg})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}
