package sandbox_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/notify"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

// receiver is a merchant notify endpoint that answers with the statuses
// it is given, in turn (the last one repeats), and records every delivery.
type receiver struct {
	mu       sync.Mutex
	statuses []int
	got      []received
}

type received struct {
	ID        string
	Timestamp string
	Body      string
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	var env struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(b, &env)
	rc.mu.Lock()
	rc.got = append(rc.got, received{ID: env.ID, Timestamp: r.Header.Get("Wechatpay-Timestamp"), Body: string(b)})
	status := rc.statuses[min(len(rc.got), len(rc.statuses))-1]
	rc.mu.Unlock()
	w.WriteHeader(status)
}

func (rc *receiver) deliveries() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.got...)
}

func offsets(d sandbox.Delivery) []time.Duration {
	var out []time.Duration
	for _, a := range d.Attempts {
		out = append(out, a.Time.Sub(d.Created))
	}
	return out
}

// TestRedeliveryFailsTwiceThenAcknowledged: a merchant endpoint — the
// SDK's own notification handler — fails twice and then answers: the
// notification is delivered three times, at the documented offsets of the
// pay-score schedule (0, 15 s, 30 s), with the same ID, each attempt
// signed at its own time, and never again.
func TestRedeliveryFailsTwiceThenAcknowledged(t *testing.T) {
	sb := newSandbox(t, sandbox.WithClock(fixedClock))
	c, err := sb.Client()
	require.NoError(t, err)
	h, err := notify.NewHandler(c)
	require.NoError(t, err)
	var mu sync.Mutex
	var ids []string
	h.On("PAYSCORE.USER_PAID", func(_ context.Context, n *notify.Notification) error {
		mu.Lock()
		defer mu.Unlock()
		ids = append(ids, n.ID)
		if len(ids) <= 2 {
			return errors.New("database unavailable")
		}
		return nil
	})
	srv := httptest.NewServer(h)
	defer srv.Close()

	err = sb.Notify(context.Background(), srv.URL, sandbox.Event{EventType: "PAYSCORE.USER_PAID", Summary: "用户支付成功", OriginalType: "payscore", Resource: map[string]string{"out_order_no": "1234"}})
	var de *sandbox.DeliveryError
	require.ErrorAs(t, err, &de, "the first delivery failed")
	assert.Equal(t, 1, de.Attempt)
	assert.Equal(t, http.StatusInternalServerError, de.Status)
	assert.Equal(t, t0.Add(15*time.Second), de.NextAttempt)

	assert.Zero(t, sb.Advance(14*time.Second), "nothing due before 15 s")
	assert.Equal(t, 1, sb.Advance(time.Second))
	assert.Equal(t, 1, sb.Advance(15*time.Second))
	assert.Zero(t, sb.Advance(24*time.Hour), "acknowledged: no more deliveries")

	d, ok := sb.DeliveryOf(de.ID)
	require.True(t, ok)
	assert.Equal(t, sandbox.DeliveryAcknowledged, d.State)
	assert.Equal(t, []time.Duration{0, 15 * time.Second, 30 * time.Second}, offsets(d))
	var statuses []int
	for i, a := range d.Attempts {
		assert.Equal(t, i+1, a.Attempt)
		assert.Equal(t, sb.PublicKeyID, a.Serial)
		assert.Positive(t, a.Latency)
		statuses = append(statuses, a.Status)
	}
	assert.Equal(t, []int{500, 500}, statuses[:2])
	assert.Contains(t, []int{200, 204}, statuses[2])
	assert.True(t, d.Attempts[2].Acknowledged)
	mu.Lock()
	assert.Equal(t, []string{de.ID, de.ID, de.ID}, ids, "the same notification ID on every attempt")
	mu.Unlock()
	n, _ := sb.Pending()
	assert.Zero(t, n)
}

// Every event type follows its own row of spec §13.1, and a notification
// that is never acknowledged is given up after the last one.
func TestRedeliverySchedules(t *testing.T) {
	const s, m, h = time.Second, time.Minute, time.Hour
	payScoreOrder := []time.Duration{0, 15 * s, 30 * s, m, 4 * m, 34 * m, h + 4*m, h + 34*m, 2*h + 4*m, 3*h + 4*m}
	standard := []time.Duration{0, 15 * s, 30 * s, m, 4 * m, 14 * m, 34 * m, h + 4*m, h + 34*m, 2*h + 4*m, 3*h + 4*m,
		6*h + 4*m, 9*h + 4*m, 12*h + 4*m, 18*h + 4*m, 24*h + 4*m}
	auth := append([]time.Duration(nil), payScoreOrder...)
	for k := 4; k <= 71; k++ {
		auth = append(auth, time.Duration(k)*h+4*m)
	}
	for _, tc := range []struct {
		eventType string
		want      []time.Duration
	}{
		{"PAYSCORE.USER_CONFIRM", payScoreOrder},
		{"PAYSCORE.USER_PAID", payScoreOrder},
		{"PAYSCORE.USER_OPEN_SERVICE", auth},
		{"PAYSCORE.USER_CLOSE_SERVICE", auth},
		{"MALL_AUTH.ACTIVATE_CARD", []time.Duration{0, s, 11 * s, 21 * s, 31 * s, 41 * s, 51 * s, m + 51*s, 2*m + 51*s, 3*m + 51*s, 4*m + 51*s}},
		{"MALL_TRANSACTION.SUCCESS", standard},
		{"MALL_REFUND.SUCCESS", standard},
		{"TRANSACTION.SUCCESS", standard},
		{"REFUND.SUCCESS", standard},
	} {
		t.Run(tc.eventType, func(t *testing.T) {
			assert.Equal(t, tc.want[1:], sandbox.RedeliverySchedule(tc.eventType))
			sb := newSandbox(t, sandbox.WithClock(fixedClock))
			rc := &receiver{statuses: []int{http.StatusInternalServerError}}
			srv := httptest.NewServer(rc)
			defer srv.Close()
			require.Error(t, sb.Notify(context.Background(), srv.URL, sandbox.Event{EventType: tc.eventType, Resource: 1}))
			ran := sb.Advance(73 * time.Hour)
			assert.Equal(t, len(tc.want)-1, ran)
			d := sb.Deliveries()[0]
			assert.Equal(t, tc.want, offsets(d))
			assert.Equal(t, sandbox.DeliveryGaveUp, d.State)
			assert.True(t, d.NextAttempt.IsZero())
			got := rc.deliveries()
			require.Len(t, got, len(tc.want))
			for i, r := range got {
				assert.Equal(t, d.ID, r.ID)
				assert.Equal(t, got[0].Body, r.Body, "the same body on every attempt")
				assert.Equal(t, strconv.FormatInt(d.Created.Add(tc.want[i]).Unix(), 10), r.Timestamp, "signed at its own time")
			}
		})
	}
}

// Only 200 and 204 acknowledge (spec §13.2); the success body is ignored.
func TestAcknowledgementRule(t *testing.T) {
	for status, ack := range map[int]bool{200: true, 204: true, 201: false, 202: false, 302: false, 400: false, 404: false, 500: false, 503: false} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			sb := newSandbox(t, sandbox.WithClock(fixedClock))
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Location", "/elsewhere")
				w.WriteHeader(status)
				_, _ = io.WriteString(w, `{"code":"FAIL","message":"x"}`)
			}))
			defer srv.Close()
			err := sb.Notify(context.Background(), srv.URL, sandbox.Event{EventType: "MALL_TRANSACTION.SUCCESS", Resource: 1})
			d := sb.Deliveries()[0]
			require.Len(t, d.Attempts, 1)
			assert.Equal(t, status, d.Attempts[0].Status)
			assert.Equal(t, ack, d.Attempts[0].Acknowledged)
			if ack {
				require.NoError(t, err)
				assert.Equal(t, sandbox.DeliveryAcknowledged, d.State)
			} else {
				require.Error(t, err)
				assert.Equal(t, sandbox.DeliveryPending, d.State)
				assert.Equal(t, t0.Add(15*time.Second), d.NextAttempt)
			}
		})
	}
}

// A late answer and a failed connection are failures too.
func TestLateAnswerAndConnectionFailure(t *testing.T) {
	sb := newSandbox(t, sandbox.WithClock(fixedClock), sandbox.WithCallbackTimeout(20*time.Millisecond))
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer slow.Close()
	defer close(release)
	err := sb.Notify(context.Background(), slow.URL, sandbox.Event{EventType: "PAYSCORE.USER_PAID", Resource: 1})
	var de *sandbox.DeliveryError
	require.ErrorAs(t, err, &de)
	assert.Contains(t, de.Reason, "timeout")
	a := sb.Deliveries()[0].Attempts[0]
	assert.Zero(t, a.Status)
	assert.GreaterOrEqual(t, a.Latency, 20*time.Millisecond)

	assert.Equal(t, 1, sb.Advance(15*time.Second), "delivered again")

	sb = newSandbox(t, sandbox.WithClock(fixedClock))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closed := "http://" + l.Addr().String() + "/notify"
	l.Close()
	err = sb.Notify(context.Background(), closed, sandbox.Event{EventType: "PAYSCORE.USER_PAID", Resource: 1})
	require.ErrorAs(t, err, &de)
	assert.Contains(t, de.Reason, "connection failed")
	assert.Equal(t, 1, sb.Advance(15*time.Second), "delivered again")
}

// A probe-signed callback must be refused by the merchant; the notification
// is then delivered again with a real signature.
func TestCallbackProbeIsRedelivered(t *testing.T) {
	sb := newSandbox(t, sandbox.WithClock(fixedClock))
	c, err := sb.Client()
	require.NoError(t, err)
	h, err := notify.NewHandler(c)
	require.NoError(t, err)
	var runs int
	h.On("MALL_TRANSACTION.SUCCESS", func(context.Context, *notify.Notification) error { runs++; return nil })
	srv := httptest.NewServer(h)
	defer srv.Close()
	require.NoError(t, sb.InjectFault(sandbox.Fault{Kind: sandbox.FaultCallbackProbe, Count: 1}))
	require.Error(t, sb.Notify(context.Background(), srv.URL, sandbox.Event{EventType: "MALL_TRANSACTION.SUCCESS", Resource: 1}))
	assert.Zero(t, runs, "the SDK handler rejects the probe")
	sb.Advance(15 * time.Second)
	d := sb.Deliveries()[0]
	require.Len(t, d.Attempts, 2)
	assert.True(t, d.Attempts[0].Probe)
	assert.Equal(t, http.StatusUnauthorized, d.Attempts[0].Status)
	assert.False(t, d.Attempts[1].Probe)
	assert.True(t, d.Attempts[1].Acknowledged)
	assert.Equal(t, 1, runs)
}

// Simulations deliver their callbacks through the same machinery: a
// pay-score payment whose callback fails is logged and delivered again.
func TestSimulationCallbacksAreRedelivered(t *testing.T) {
	sb := newSandbox(t, sandbox.WithClock(fixedClock))
	rc := &receiver{statuses: []int{503, 200}}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	sb.BusinessCircleSetNotifyURLs(srv.URL, "")
	_, err := sb.BusinessCircleAuthorize(context.Background(), sb.AppID, "oUser")
	require.NoError(t, err)
	tx, err := sb.BusinessCircleSimulateTransaction(context.Background(), sandbox.BusinessCircleTransaction{OpenID: "oUser", AmountFen: 100})
	var de *sandbox.DeliveryError
	require.ErrorAs(t, err, &de)
	assert.NotEmpty(t, tx, "the transaction stands")
	sb.Advance(time.Minute)
	d, ok := sb.DeliveryOf(de.ID)
	require.True(t, ok)
	assert.Equal(t, sandbox.DeliveryAcknowledged, d.State)
	assert.Len(t, d.Attempts, 2)
}

// When the clock reaches a redelivery by itself (a standalone sandbox on
// real time), the background runner delivers it without any Advance.
func TestRedeliveryRunsWhenTheClockGetsThereByItself(t *testing.T) {
	var mu sync.Mutex
	now := t0
	sb := newSandbox(t, sandbox.WithClock(func() time.Time { mu.Lock(); defer mu.Unlock(); return now }))
	got := make(chan string, 8)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var env struct {
			ID string `json:"id"`
		}
		_ = json.Unmarshal(b, &env)
		got <- env.ID
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	require.Error(t, sb.Notify(context.Background(), srv.URL, sandbox.Event{ID: "EV-FIRST", EventType: "PAYSCORE.USER_PAID", Resource: 1}))
	require.Equal(t, "EV-FIRST", <-got)

	mu.Lock()
	now = now.Add(15 * time.Second) // the clock moves on its own
	mu.Unlock()
	// Scheduling anything wakes the runner (if it is not awake already),
	// which finds the first one due.
	require.Error(t, sb.Notify(context.Background(), srv.URL, sandbox.Event{ID: "EV-SECOND", EventType: "PAYSCORE.USER_PAID", Resource: 1}))
	seen := map[string]bool{}
	for range 2 {
		select {
		case id := <-got:
			seen[id] = true
		case <-time.After(5 * time.Second):
			t.Fatal("the background runner did not deliver the due notification")
		}
	}
	require.Equal(t, map[string]bool{"EV-FIRST": true, "EV-SECOND": true}, seen, "EV-FIRST redelivered by the runner")
	require.Eventually(t, func() bool {
		d, _ := sb.DeliveryOf("EV-FIRST")
		return len(d.Attempts) == 2
	}, 5*time.Second, time.Millisecond)
}
