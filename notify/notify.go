package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
)

// Errors returned by Parse. Every signature failure also matches
// core.ErrInvalidSignature.
var (
	ErrMissingHeader    = core.ErrMissingHeader
	ErrStaleTimestamp   = core.ErrStaleTimestamp
	ErrUnknownSerial    = core.ErrUnknownSerial
	ErrInvalidSignature = core.ErrInvalidSignature
	ErrDecrypt          = core.ErrDecrypt
	ErrBodyTooLarge     = errors.New("notify: notification body exceeds the size limit")
	ErrMalformed        = errors.New("notify: malformed notification")
	ErrDuplicate        = errors.New("notify: notification already handled")
)

// DefaultMaxBodySize caps notification bodies (64 KiB).
const DefaultMaxBodySize = 64 << 10

// Resource is the encrypted part of a notification.
type Resource struct {
	Algorithm      string `json:"algorithm"`
	Ciphertext     string `json:"ciphertext"`
	AssociatedData string `json:"associated_data"`
	OriginalType   string `json:"original_type"`
	Nonce          string `json:"nonce"`
}

// Notification is a verified, decrypted callback.
type Notification struct {
	ID           string    `json:"id"`
	CreateTime   time.Time `json:"create_time"`
	EventType    string    `json:"event_type"`
	ResourceType string    `json:"resource_type"`
	Summary      string    `json:"summary"`
	Resource     Resource  `json:"resource"`
	// Plaintext is the decrypted resource (JSON). It may hold personal data:
	// do not log it.
	Plaintext []byte `json:"-"`
	// Serial is the Wechatpay-Serial of the key that signed the notification.
	Serial string `json:"-"`
}

// Decode unmarshals the decrypted resource into v.
func (n *Notification) Decode(v any) error {
	if err := json.Unmarshal(n.Plaintext, v); err != nil {
		return fmt.Errorf("notify: decoding %s resource of notification %s: %w", n.EventType, n.ID, err)
	}
	return nil
}

// Deduper remembers which notifications were handled, so a notification
// WeChat Pay delivers again is acknowledged without running its callback
// twice. Implementations must be safe for concurrent use; a shared store
// (Redis, SQL) makes it work across instances.
type Deduper interface {
	// Seen reports whether id was already handled.
	Seen(ctx context.Context, id string) (bool, error)
	// Done records that id was handled.
	Done(ctx context.Context, id string) error
}

// MemoryDeduper is an in-memory Deduper remembering IDs for a TTL.
type MemoryDeduper struct {
	TTL time.Duration // default 24 h

	mu   sync.Mutex
	seen map[string]time.Time
}

// Seen implements Deduper.
func (d *MemoryDeduper) Seen(_ context.Context, id string) (bool, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	t, ok := d.seen[id]
	return ok && time.Since(t) < d.ttl(), nil
}

// Done implements Deduper.
func (d *MemoryDeduper) Done(_ context.Context, id string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.seen == nil {
		d.seen = map[string]time.Time{}
	}
	now := time.Now()
	if len(d.seen) > 10000 {
		for k, t := range d.seen {
			if now.Sub(t) >= d.ttl() {
				delete(d.seen, k)
			}
		}
	}
	d.seen[id] = now
	return nil
}

func (d *MemoryDeduper) ttl() time.Duration {
	if d.TTL <= 0 {
		return 24 * time.Hour
	}
	return d.TTL
}

// Option configures a Handler.
type Option func(*Handler) error

// WithMaxBodySize sets the body cap (default DefaultMaxBodySize).
func WithMaxBodySize(n int64) Option {
	return func(h *Handler) error {
		if n <= 0 {
			return errors.New("notify: WithMaxBodySize needs a positive size")
		}
		h.maxBody = n
		return nil
	}
}

// WithDeduper sets the de-duplication store used by ServeHTTP.
// WithDeduper(nil) turns de-duplication off. The default is an in-memory
// MemoryDeduper.
func WithDeduper(d Deduper) Option {
	return func(h *Handler) error {
		h.dedup = d
		return nil
	}
}

// WithLogger logs rejected notifications (never their content).
func WithLogger(l *slog.Logger) Option {
	return func(h *Handler) error {
		h.log = l
		return nil
	}
}

// WithFallback sets the callback for event types no On callback handles.
// Without it such notifications are acknowledged and ignored.
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
	c        *core.Client
	maxBody  int64
	dedup    Deduper
	log      *slog.Logger
	routes   map[string]func(context.Context, *Notification) error
	fallback func(context.Context, *Notification) error
}

// NewHandler returns a Handler using c's platform keys and APIv3 key, which
// is required.
func NewHandler(c *core.Client, opts ...Option) (*Handler, error) {
	if c == nil {
		return nil, errors.New("notify: nil client")
	}
	if !c.HasAPIv3Key() {
		return nil, errors.New("notify: the client has no APIv3 key (core.WithAPIv3Key); notifications cannot be decrypted")
	}
	h := &Handler{c: c, maxBody: DefaultMaxBodySize, dedup: &MemoryDeduper{}, routes: map[string]func(context.Context, *Notification) error{}}
	for _, o := range opts {
		if err := o(h); err != nil {
			return nil, err
		}
	}
	return h, nil
}

// Parse reads, verifies and decrypts the notification in r.
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
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%w: reading body: %v", ErrMalformed, err)
	}
	return body, nil
}

// ParseBytes verifies and decrypts a notification given its headers and
// body, for frameworks that have already read the body.
func (h *Handler) ParseBytes(ctx context.Context, header http.Header, body []byte) (*Notification, error) {
	if int64(len(body)) > h.maxBody {
		return nil, ErrBodyTooLarge
	}
	sh := core.SignatureHeadersFrom(header)
	if t := header.Get("Wechatpay-Signature-Type"); t != "" && t != core.SignatureScheme {
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
		return nil, fmt.Errorf("%w (notification %s)", err, n.ID)
	}
	n.Plaintext = pt
	return n, nil
}

// On registers fn for notifications of eventType (e.g.
// "PAYSCORE.USER_PAID"). Register callbacks before serving.
func (h *Handler) On(eventType string, fn func(ctx context.Context, n *Notification) error) {
	h.routes[eventType] = fn
}

// Reply is the JSON body of an answer to WeChat Pay.
type Reply struct {
	Code    string `json:"code"`
	Message string `json:"message,omitempty"`
}

// ServeHTTP verifies the notification, skips one already handled, calls the
// callback registered for its event type and answers WeChat Pay: 200
// {"code":"SUCCESS"} when handled, 400 or 401 with {"code":"FAIL",…} when
// the notification is rejected, and 500 {"code":"FAIL",…} when the callback
// fails, so that WeChat Pay delivers it again. Messages never echo content.
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
		h.logf(ctx, "notify: rejected notification", err)
		writeReply(w, status, "FAIL", rejectMessage(err))
		return
	}
	if h.dedup != nil {
		seen, err := h.dedup.Seen(ctx, n.ID)
		if err != nil {
			h.logf(ctx, "notify: de-duplication store failed", err)
			writeReply(w, http.StatusInternalServerError, "FAIL", "temporary failure")
			return
		}
		if seen {
			writeReply(w, http.StatusOK, "SUCCESS", "")
			return
		}
	}
	fn := h.routes[n.EventType]
	if fn == nil {
		fn = h.fallback
	}
	if fn != nil {
		if err := fn(ctx, n); err != nil {
			h.logf(ctx, "notify: callback failed for "+n.EventType+" "+n.ID, err)
			writeReply(w, http.StatusInternalServerError, "FAIL", "handler failed")
			return
		}
	}
	if h.dedup != nil {
		if err := h.dedup.Done(ctx, n.ID); err != nil {
			h.logf(ctx, "notify: de-duplication store failed", err)
		}
	}
	writeReply(w, http.StatusOK, "SUCCESS", "")
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

func (h *Handler) logf(ctx context.Context, msg string, err error) {
	if h.log != nil {
		h.log.LogAttrs(ctx, slog.LevelWarn, msg, slog.String("error", err.Error()))
	}
}

func writeReply(w http.ResponseWriter, status int, code, msg string) {
	var buf bytes.Buffer
	_ = json.NewEncoder(&buf).Encode(Reply{Code: code, Message: msg})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}
