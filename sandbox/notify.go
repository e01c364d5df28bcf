package sandbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/wechatpay-biz/wechatpay-biz-go/notify/notifytest"
)

// Event is a notification the sandbox sends.
type Event struct {
	ID           string // notification ID; default a random EV-… ID
	EventType    string // e.g. PAYSCORE.USER_PAID; selects the redelivery schedule
	Summary      string // envelope summary (WeChat Pay: at most 64 characters, e.g. 支付成功)
	OriginalType string // e.g. payscore
	Resource     any    // the plaintext resource, marshalled to JSON
}

// BuildNotification signs and encrypts ev as WeChat Pay would: encrypted
// with the APIv3 key, signed with the key callbacks are signed with now
// (see SetCallbackPublicKeyShare and the rotation's gray release).
func (s *Server) BuildNotification(ev Event) (http.Header, []byte, error) {
	serial, key := s.callbackKey()
	return notifytest.BuildSigned(notifytest.Event{
		ID: ev.ID, EventType: ev.EventType, Summary: ev.Summary, OriginalType: ev.OriginalType, Resource: ev.Resource,
	}, notifytest.Signer{Serial: serial, PrivateKey: key, APIv3Key: s.APIv3Key, Time: s.now()})
}

// RedeliverySchedule returns when WeChat Pay delivers a callback of
// eventType again after a first delivery that was not acknowledged:
// offsets from the first attempt, in order (spec §13.1).
//
//   - PAYSCORE.USER_CONFIRM, PAYSCORE.USER_PAID (pay-score orders): 15 s,
//     30 s, 1 min, 4 min, 34 min, 1 h 04, 1 h 34, 2 h 04, 3 h 04.
//   - PAYSCORE.USER_OPEN_SERVICE, PAYSCORE.USER_CLOSE_SERVICE
//     (authorizations): the same, then hourly up to 3 days (71 h 04).
//   - MALL_AUTH.ACTIVATE_CARD: 1 s, 11 s, 21 s, 31 s, 41 s, 51 s, 1 min 51,
//     2 min 51, 3 min 51, 4 min 51.
//   - everything else (payments, refunds, MALL_TRANSACTION.SUCCESS,
//     MALL_REFUND.SUCCESS …): 15 s, 30 s, 1 min, 4 min, 14 min, 34 min,
//     1 h 04, 1 h 34, 2 h 04, 3 h 04, 6 h 04, 9 h 04, 12 h 04, 18 h 04,
//     24 h 04.
func RedeliverySchedule(eventType string) []time.Duration {
	const s, m, h = time.Second, time.Minute, time.Hour
	payScore := []time.Duration{15 * s, 30 * s, m, 4 * m, 34 * m, h + 4*m, h + 34*m, 2*h + 4*m, 3*h + 4*m}
	switch eventType {
	case "PAYSCORE.USER_CONFIRM", "PAYSCORE.USER_PAID":
		return payScore
	case "PAYSCORE.USER_OPEN_SERVICE", "PAYSCORE.USER_CLOSE_SERVICE":
		for next := 4*h + 4*m; next <= 72*h; next += h {
			payScore = append(payScore, next)
		}
		return payScore
	case "MALL_AUTH.ACTIVATE_CARD":
		return []time.Duration{s, 11 * s, 21 * s, 31 * s, 41 * s, 51 * s, m + 51*s, 2*m + 51*s, 3*m + 51*s, 4*m + 51*s}
	}
	return []time.Duration{15 * s, 30 * s, m, 4 * m, 14 * m, 34 * m, h + 4*m, h + 34*m, 2*h + 4*m, 3*h + 4*m,
		6*h + 4*m, 9*h + 4*m, 12*h + 4*m, 18*h + 4*m, 24*h + 4*m}
}

// DeliveryState is where a notification's delivery stands.
type DeliveryState string

// Delivery states.
const (
	DeliveryPending      DeliveryState = "PENDING"      // not acknowledged yet; another attempt is scheduled
	DeliveryAcknowledged DeliveryState = "ACKNOWLEDGED" // the merchant answered 200 or 204
	DeliveryGaveUp       DeliveryState = "GAVE_UP"      // the schedule ran out without an acknowledgement
	DeliveryNotSent      DeliveryState = "NOT_SENT"     // addressed beyond the loopback interface: never sent (see Note)
)

// DeliveryAttempt is one delivery of a notification.
type DeliveryAttempt struct {
	Attempt      int           `json:"attempt"`            // 1 for the first delivery
	Time         time.Time     `json:"time"`               // sandbox time it was sent
	Status       int           `json:"status,omitempty"`   // the merchant's HTTP status; 0 when none came
	Latency      time.Duration `json:"latency"`            // real time until the answer or the failure
	Error        string        `json:"error,omitempty"`    // timeout or connection failure
	Serial       string        `json:"serial"`             // Wechatpay-Serial it was signed with
	Probe        bool          `json:"probe,omitempty"`    // signed with a WECHATPAY/SIGNTEST/ probe
	Acknowledged bool          `json:"acknowledged"`       // answered 200 or 204 in time
	Response     string        `json:"response,omitempty"` // start of the merchant's answer body
}

// Delivery is the delivery log of one notification: every attempt, with
// the same notification ID and body on each.
type Delivery struct {
	ID          string            `json:"id"`                    // the notification ID, the same on every attempt
	EventType   string            `json:"event_type"`            // e.g. PAYSCORE.USER_PAID
	URL         string            `json:"url"`                   // the merchant's notify URL
	Created     time.Time         `json:"create_time"`           // sandbox time the notification was created
	State       DeliveryState     `json:"state"`                 // where the delivery stands
	NextAttempt time.Time         `json:"next_attempt,omitzero"` // when PENDING
	Attempts    []DeliveryAttempt `json:"attempts"`              // every attempt so far, oldest first
	Note        string            `json:"note,omitempty"`        // why a NOT_SENT notification was not sent
}

// deliveryState is the delivery log. Guarded by its own mutex; never held
// while doing I/O.
type deliveryState struct {
	mu     sync.Mutex
	byID   map[string]*delivery
	order  []*delivery // oldest first, for listing and trimming
	client *http.Client
}

// maxDeliveries bounds the log: the oldest finished deliveries go first.
const maxDeliveries = 10000

type delivery struct {
	Delivery
	body     []byte
	schedule []time.Duration
}

func (d *delivery) snapshot() Delivery {
	c := d.Delivery
	c.Attempts = slices.Clone(d.Attempts)
	return c
}

// Notify delivers a signed, encrypted notification to url as WeChat Pay
// does: the first attempt now, and — when it is not acknowledged with 200
// or 204 within the callback timeout (WithCallbackTimeout, 5 s) — again on
// the event type's schedule (RedeliverySchedule), with the same
// notification ID and body, each attempt signed afresh at its time. Later
// attempts run when the sandbox clock reaches them (Advance, or by itself).
// Every attempt is in the delivery log (Deliveries, DeliveryOf).
//
// It returns a *DeliveryError when the first attempt was not acknowledged.
func (s *Server) Notify(ctx context.Context, url string, ev Event) error {
	_, err := s.notify(ctx, url, ev)
	return err
}

// notify is Notify returning the notification ID.
func (s *Server) notify(ctx context.Context, url string, ev Event) (string, error) {
	if s.closed() {
		return "", errors.New("sandbox: closed: no more notifications")
	}
	if ev.ID == "" {
		ev.ID = "EV-" + randomDigits(20)
	}
	_, body, err := s.BuildNotification(ev)
	if err != nil {
		return "", err
	}
	d := &delivery{
		Delivery: Delivery{ID: ev.ID, EventType: ev.EventType, URL: url, Created: s.now(), State: DeliveryPending},
		body:     body, schedule: RedeliverySchedule(ev.EventType),
	}
	ds := &s.deliveries
	ds.mu.Lock()
	if ds.byID == nil {
		ds.byID = map[string]*delivery{}
	}
	if _, dup := ds.byID[ev.ID]; dup {
		ds.mu.Unlock()
		return "", fmt.Errorf("sandbox: a notification with ID %s was already sent", ev.ID)
	}
	ds.byID[ev.ID] = d
	ds.order = append(ds.order, d)
	ds.trimLocked()
	ds.mu.Unlock()
	return ev.ID, s.attempt(ctx, d)
}

// logNotSent records, in the delivery log, a notification the sandbox did
// not send to url, and why.
func (s *Server) logNotSent(url string, ev Event, why string) {
	if ev.ID == "" {
		ev.ID = "EV-" + randomDigits(20)
	}
	d := &delivery{Delivery: Delivery{ID: ev.ID, EventType: ev.EventType, URL: url, Created: s.now(), State: DeliveryNotSent, Note: why}}
	ds := &s.deliveries
	ds.mu.Lock()
	defer ds.mu.Unlock()
	if ds.byID == nil {
		ds.byID = map[string]*delivery{}
	}
	ds.byID[d.ID] = d
	ds.order = append(ds.order, d)
	ds.trimLocked()
	if s.log != nil {
		s.log.Info("sandbox: callback", "id", d.ID, "event_type", d.EventType, "state", d.State, "note", why)
	}
}

// trimLocked drops the oldest finished deliveries beyond maxDeliveries.
func (ds *deliveryState) trimLocked() {
	for len(ds.order) > maxDeliveries {
		i := slices.IndexFunc(ds.order, func(d *delivery) bool { return d.State != DeliveryPending })
		if i < 0 {
			return
		}
		delete(ds.byID, ds.order[i].ID)
		ds.order = slices.Delete(ds.order, i, i+1)
	}
}

// attempt delivers d once and schedules the next attempt when this one
// fails and the schedule has one left.
func (s *Server) attempt(ctx context.Context, d *delivery) error {
	ds := &s.deliveries
	ds.mu.Lock()
	n := len(d.Attempts) + 1
	ds.mu.Unlock()
	at := s.now()
	serial, key := s.callbackKey()
	probe := s.takeCallbackFault(d.EventType, d.URL)
	h := s.sign(serial, key, d.body, at, probe)
	probe = strings.HasPrefix(h.Get("Wechatpay-Signature"), "WECHATPAY/SIGNTEST/")
	a := DeliveryAttempt{Attempt: n, Time: at, Serial: serial, Probe: probe}
	s.post(ctx, d.URL, h, d.body, &a)

	ds.mu.Lock()
	d.Attempts = append(d.Attempts, a)
	var next time.Time
	switch {
	case a.Acknowledged:
		d.State, d.NextAttempt = DeliveryAcknowledged, time.Time{}
	case n-1 < len(d.schedule):
		next = d.Created.Add(d.schedule[n-1])
		d.State, d.NextAttempt = DeliveryPending, next
	default:
		d.State, d.NextAttempt = DeliveryGaveUp, time.Time{}
	}
	ds.mu.Unlock()
	if s.log != nil {
		s.log.Info("sandbox: callback", "id", d.ID, "event_type", d.EventType, "attempt", n, "status", a.Status,
			"acknowledged", a.Acknowledged, "error", a.Error, "next_attempt", next)
	}
	if !next.IsZero() && !s.closed() {
		s.schedule(next, func(ctx context.Context) { _ = s.attempt(ctx, d) })
	}
	if a.Acknowledged {
		return nil
	}
	reason := a.Error
	if reason == "" {
		reason = fmt.Sprintf("answered HTTP %d (only 200 and 204 acknowledge)", a.Status)
	}
	return &DeliveryError{ID: d.ID, EventType: d.EventType, URL: d.URL, Attempt: n, Status: a.Status, Reason: reason, NextAttempt: next}
}

// post sends one delivery and records its outcome in a.
func (s *Server) post(ctx context.Context, url string, h http.Header, body []byte, a *DeliveryAttempt) {
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, s.cbTimeout)
	defer cancel()
	defer context.AfterFunc(s.life, cancel)() // Close cancels it
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		a.Error = "bad notify URL: " + err.Error()
		return
	}
	req.Header = h
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.callbackClient().Do(req)
	if err != nil {
		a.Latency = time.Since(start)
		switch {
		case s.closed():
			a.Error = "cancelled: the sandbox was closed"
		case errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil:
			a.Error = fmt.Sprintf("timeout: no answer within %s", s.cbTimeout)
		default:
			a.Error = "connection failed: " + err.Error()
		}
		return
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	a.Latency = time.Since(start)
	if ctx.Err() != nil { // the body came too late
		a.Error = fmt.Sprintf("timeout: no complete answer within %s", s.cbTimeout)
		if s.closed() {
			a.Error = "cancelled: the sandbox was closed"
		}
		return
	}
	a.Status = resp.StatusCode
	a.Response = strings.ToValidUTF8(string(b[:min(len(b), 256)]), "")
	a.Acknowledged = resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusNoContent
}

// DeliveryError reports a callback delivery that was not acknowledged.
// Unless NextAttempt is zero, the notification is delivered again then.
type DeliveryError struct {
	ID          string    // notification ID
	EventType   string    // e.g. PAYSCORE.USER_PAID
	URL         string    // the notify URL
	Attempt     int       // 1 for the first delivery
	Status      int       // the merchant's HTTP status; 0 when none came
	Reason      string    // what went wrong
	NextAttempt time.Time // sandbox time of the next delivery; zero when the schedule ran out
}

// Error describes the failed delivery (no secrets: IDs, URL, status).
func (e *DeliveryError) Error() string {
	return fmt.Sprintf("sandbox: %s notification %s to %s, attempt %d: %s", e.EventType, e.ID, e.URL, e.Attempt, e.Reason)
}

// callbackClient is the client deliveries use: its own transport (so
// Close can close its connections, and no proxy from the environment is
// used: callbacks go straight to the merchant), redirects not followed.
func (s *Server) callbackClient() *http.Client {
	ds := &s.deliveries
	ds.mu.Lock()
	defer ds.mu.Unlock()
	if ds.client == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.Proxy = nil
		ds.client = &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	return ds.client
}

// closeIdle closes the callback client's idle connections.
func (ds *deliveryState) closeIdle() {
	ds.mu.Lock()
	c := ds.client
	ds.mu.Unlock()
	if c != nil {
		c.CloseIdleConnections()
	}
}

// Deliveries returns the delivery log of every notification sent, oldest
// first (the 10,000 most recent).
func (s *Server) Deliveries() []Delivery {
	ds := &s.deliveries
	ds.mu.Lock()
	defer ds.mu.Unlock()
	out := make([]Delivery, len(ds.order))
	for i, d := range ds.order {
		out[i] = d.snapshot()
	}
	return out
}

// DeliveryOf returns the delivery log of the notification with ID id.
func (s *Server) DeliveryOf(id string) (Delivery, bool) {
	ds := &s.deliveries
	ds.mu.Lock()
	defer ds.mu.Unlock()
	d, ok := ds.byID[id]
	if !ok {
		return Delivery{}, false
	}
	return d.snapshot(), true
}

func randomDigits(n int) string {
	b := []byte(randomAlnum(n))
	for i := range b {
		b[i] = '0' + b[i]%10
	}
	return string(b)
}
