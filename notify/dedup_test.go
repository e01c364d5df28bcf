package notify_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/notify"
	"github.com/wechatpay-biz/wechatpay-biz-go/notify/notifytest"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

// signed builds one notification with a fixed ID, signed with the sandbox's
// test platform key and encrypted with its APIv3 key.
func signed(t testing.TB, sb *sandbox.Server, id, eventType string) (http.Header, []byte) {
	t.Helper()
	hdr, body, err := notifytest.BuildSigned(
		notifytest.Event{ID: id, EventType: eventType, OriginalType: "payscore", Resource: paid{"1234323JKHDFE1243252", 40000}},
		notifytest.Signer{Serial: sb.PublicKeyID, PrivateKey: sb.PlatformPrivateKey(), APIv3Key: sb.APIv3Key})
	require.NoError(t, err)
	return hdr, body
}

func deliver(h http.Handler, hdr http.Header, body []byte) *httptest.ResponseRecorder {
	rr := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/notify", bytes.NewReader(body))
	req.Header = hdr.Clone()
	h.ServeHTTP(rr, req)
	return rr
}

// 64 simultaneous deliveries of one notification: the callback runs
// exactly once, every other delivery made while it runs is answered with a
// failure status (so WeChat Pay delivers it again), and a later delivery is
// acknowledged without running it.
func TestConcurrentDeliveriesRunTheCallbackOnce(t *testing.T) {
	f := setup(t, notify.WithLogger(slog.New(slog.DiscardHandler)))
	const n = 64
	var calls atomic.Int32
	othersDone := make(chan struct{})
	var answered atomic.Int32
	f.h.On("PAYSCORE.USER_PAID", func(ctx context.Context, _ *notify.Notification) error {
		calls.Add(1)
		select { // hold the claim until every other delivery was answered
		case <-othersDone:
		case <-time.After(5 * time.Second):
			return errors.New("the other deliveries were not answered")
		}
		return nil
	})
	hdr, body := signed(t, f.sb, "EV-2018022511223320873", "PAYSCORE.USER_PAID")

	codes := make([]int, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			rr := deliver(f.h, hdr, body)
			codes[i] = rr.Code
			if rr.Code != http.StatusNoContent && answered.Add(1) == n-1 {
				close(othersDone)
			}
		}()
	}
	close(start)
	wg.Wait()

	ok, fail := 0, 0
	for _, c := range codes {
		switch {
		case c == http.StatusNoContent:
			ok++
		case c >= 400:
			fail++
		}
	}
	assert.EqualValues(t, 1, calls.Load(), "the callback runs once")
	assert.Equal(t, 1, ok, "only the delivery that ran the callback is acknowledged")
	assert.Equal(t, n-1, fail, "a delivery that finds the notification in progress is answered with a failure")

	rr := deliver(f.h, hdr, body)
	assert.Equal(t, http.StatusNoContent, rr.Code, "a redelivery after success is acknowledged")
	assert.EqualValues(t, 1, calls.Load(), "… without running the callback")
}

func TestInProgressDuplicateIsAskedToRetry(t *testing.T) {
	var logs syncBuffer
	f := setup(t, notify.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	entered, leave := make(chan struct{}), make(chan struct{})
	f.h.On("PAYSCORE.USER_PAID", func(context.Context, *notify.Notification) error {
		close(entered)
		<-leave
		return nil
	})
	hdr, body := signed(t, f.sb, "EV-1", "PAYSCORE.USER_PAID")
	first := make(chan int)
	go func() { first <- deliver(f.h, hdr, body).Code }()
	<-entered
	rr := deliver(f.h, hdr, body)
	assert.Equal(t, http.StatusInternalServerError, rr.Code)
	assert.JSONEq(t, `{"code":"FAIL","message":"being processed"}`, rr.Body.String())
	close(leave)
	assert.Equal(t, http.StatusNoContent, <-first)
	assert.Contains(t, logs.String(), "being processed by another delivery")
	assert.Contains(t, logs.String(), "id=EV-1")
}

func TestFailedCallbackIsRunAgainByTheNextDelivery(t *testing.T) {
	f := setup(t, notify.WithLogger(slog.New(slog.DiscardHandler)))
	var calls atomic.Int32
	f.h.On("PAYSCORE.USER_PAID", func(context.Context, *notify.Notification) error {
		if calls.Add(1) == 1 {
			return errors.New("database down")
		}
		return nil
	})
	hdr, body := signed(t, f.sb, "EV-2", "PAYSCORE.USER_PAID")
	assert.Equal(t, http.StatusInternalServerError, deliver(f.h, hdr, body).Code)
	assert.Equal(t, http.StatusNoContent, deliver(f.h, hdr, body).Code, "the redelivery runs the callback again")
	assert.Equal(t, http.StatusNoContent, deliver(f.h, hdr, body).Code)
	assert.EqualValues(t, 2, calls.Load())
}

// A panicking callback is answered 500 FAIL like a failing one (WeChat Pay
// delivers again), its claim is released, and the panic is logged at Error
// with its stack but not its value, which may hold the notification's
// content. net/http's http.ErrAbortHandler still aborts the response.
func TestPanickingCallbackReleasesTheClaim(t *testing.T) {
	var logs syncBuffer
	f := setup(t, notify.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	var calls atomic.Int32
	f.h.On("PAYSCORE.USER_PAID", func(_ context.Context, n *notify.Notification) error {
		switch calls.Add(1) {
		case 1:
			panic("callback bug on " + string(n.Plaintext))
		case 2:
			panic(http.ErrAbortHandler)
		}
		return nil
	})
	hdr, body := signed(t, f.sb, "EV-3", "PAYSCORE.USER_PAID")
	rr := deliver(f.h, hdr, body)
	assert.Equal(t, http.StatusInternalServerError, rr.Code)
	assert.JSONEq(t, `{"code":"FAIL","message":"handler failed"}`, rr.Body.String())
	out := logs.String()
	assert.Contains(t, out, "level=ERROR")
	assert.Contains(t, out, "the callback panicked")
	assert.Contains(t, out, "id=EV-3")
	assert.Contains(t, out, "panic_type=string")
	assert.Contains(t, out, "dedup_test.go", "the stack says where")
	assert.NotContains(t, out, "1234323JKHDFE1243252", "the panic value (here the plaintext) is not logged")
	assert.Equal(t, 1, strings.Count(out, "\n"), "one log line")

	assert.PanicsWithValue(t, http.ErrAbortHandler, func() { deliver(f.h, hdr, body) }, "the claim was released, the callback ran and aborted")
	assert.Equal(t, http.StatusNoContent, deliver(f.h, hdr, body).Code, "released again: the redelivery runs it")
	assert.EqualValues(t, 3, calls.Load())
	assert.Equal(t, http.StatusNoContent, deliver(f.h, hdr, body).Code)
	assert.EqualValues(t, 3, calls.Load())
}

// A callback that outlives its lease: a second delivery claims the
// notification meanwhile and runs the callback, which fails. The first
// callback did succeed, so its Finish marks the notification processed
// (ErrClaimLost, logged at Warn: the callback ran twice) and the next
// delivery is acknowledged without a third run.
func TestCallbackOutlivingItsLeaseIsMarkedProcessed(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 5, 20, 13, 29, 35, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	d := &notify.MemoryDeduper{Clock: clock}
	var logs syncBuffer
	f := setup(t, notify.WithDeduper(d), notify.WithClaimLease(30*time.Second), notify.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	var calls atomic.Int32
	entered, leave := make(chan struct{}), make(chan struct{})
	f.h.On("PAYSCORE.USER_PAID", func(context.Context, *notify.Notification) error {
		if calls.Add(1) == 1 {
			close(entered)
			<-leave // the first delivery's callback is slow
			return nil
		}
		return errors.New("database down") // the second fails
	})
	hdr, body := signed(t, f.sb, "EV-slow", "PAYSCORE.USER_PAID")
	first := make(chan int)
	go func() { first <- deliver(f.h, hdr, body).Code }()
	<-entered
	advance(31 * time.Second) // the first lease expires mid-callback
	assert.Equal(t, http.StatusInternalServerError, deliver(f.h, hdr, body).Code, "the second delivery claimed it and failed")
	close(leave)
	assert.Equal(t, http.StatusNoContent, <-first)
	assert.Contains(t, logs.String(), "may have run twice")
	assert.Contains(t, logs.String(), "level=WARN")

	assert.Equal(t, http.StatusNoContent, deliver(f.h, hdr, body).Code)
	assert.EqualValues(t, 2, calls.Load(), "no third run: the first callback's success was recorded")
}

// A delivery whose instance crashed holds the claim until its lease
// expires; then the next delivery runs the callback.
func TestExpiredLeaseLetsTheNextDeliveryRun(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 5, 20, 13, 29, 35, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	d := &notify.MemoryDeduper{Clock: clock}
	f := setup(t, notify.WithDeduper(d), notify.WithClaimLease(30*time.Second), notify.WithLogger(slog.New(slog.DiscardHandler)))
	var calls atomic.Int32
	f.h.On("PAYSCORE.USER_PAID", func(context.Context, *notify.Notification) error { calls.Add(1); return nil })
	hdr, body := signed(t, f.sb, "EV-4", "PAYSCORE.USER_PAID")

	// Another instance claimed it and crashed.
	st, tok, err := d.Claim(context.Background(), "EV-4", 30*time.Second)
	require.NoError(t, err)
	require.Equal(t, notify.Claimed, st)
	require.NotEmpty(t, tok)

	assert.Equal(t, http.StatusInternalServerError, deliver(f.h, hdr, body).Code)
	advance(29 * time.Second)
	assert.Equal(t, http.StatusInternalServerError, deliver(f.h, hdr, body).Code, "the lease is still live")
	assert.Zero(t, calls.Load())
	advance(time.Second)
	assert.Equal(t, http.StatusNoContent, deliver(f.h, hdr, body).Code, "the expired lease is claimed again")
	assert.EqualValues(t, 1, calls.Load())

	// The crashed instance's late Finish reports that another delivery
	// finished it; the mark stands.
	assert.ErrorIs(t, d.Finish(context.Background(), "EV-4", tok), notify.ErrClaimLost)
	assert.Equal(t, http.StatusNoContent, deliver(f.h, hdr, body).Code)
	assert.EqualValues(t, 1, calls.Load())
}

type failingStore struct{ notify.Deduper }

func (failingStore) Claim(context.Context, string, time.Duration) (notify.ClaimStatus, string, error) {
	return 0, "", errors.New("redis: connection refused")
}

func TestStoreFailureRefusesUnlessAtLeastOnce(t *testing.T) {
	var logs syncBuffer
	f := setup(t, notify.WithDeduper(failingStore{}), notify.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	var calls atomic.Int32
	f.h.On("PAYSCORE.USER_PAID", func(context.Context, *notify.Notification) error { calls.Add(1); return nil })
	hdr, body := signed(t, f.sb, "EV-5", "PAYSCORE.USER_PAID")
	rr := deliver(f.h, hdr, body)
	assert.Equal(t, http.StatusInternalServerError, rr.Code)
	assert.Zero(t, calls.Load(), "without WithAtLeastOnce the callback does not run")

	h2, err := notify.NewHandler(f.c, notify.WithDeduper(failingStore{}), notify.WithAtLeastOnce(), notify.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	require.NoError(t, err)
	h2.On("PAYSCORE.USER_PAID", func(context.Context, *notify.Notification) error { calls.Add(1); return nil })
	assert.Equal(t, http.StatusNoContent, deliver(h2, hdr, body).Code)
	assert.EqualValues(t, 1, calls.Load())
	assert.Contains(t, logs.String(), "level=WARN")
	assert.Contains(t, logs.String(), "connection refused")
	assert.Contains(t, logs.String(), "WithAtLeastOnce")
}

func TestHandlerOptionsAreChecked(t *testing.T) {
	f := setup(t)
	_, err := notify.NewHandler(f.c, notify.WithClaimLease(0))
	assert.Error(t, err)
}

func TestMemoryDeduperContract(t *testing.T) {
	ctx := context.Background()
	var mu sync.Mutex
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	d := &notify.MemoryDeduper{Clock: clock, TTL: time.Hour}

	st, tok, err := d.Claim(ctx, "a", time.Minute)
	require.NoError(t, err)
	assert.Equal(t, notify.Claimed, st)
	st2, _, err := d.Claim(ctx, "a", time.Minute)
	require.NoError(t, err)
	assert.Equal(t, notify.InProgress, st2)

	// Release with a stranger's token does nothing.
	require.NoError(t, d.Release(ctx, "a", "not-the-token"))
	st2, _, _ = d.Claim(ctx, "a", time.Minute)
	assert.Equal(t, notify.InProgress, st2)
	require.NoError(t, d.Release(ctx, "a", tok))
	st, tok, _ = d.Claim(ctx, "a", time.Minute)
	assert.Equal(t, notify.Claimed, st)
	require.NoError(t, d.Finish(ctx, "a", tok))
	require.NoError(t, d.Finish(ctx, "a", tok), "finishing twice is harmless")
	assert.ErrorIs(t, d.Release(ctx, "a", tok), notify.ErrClaimLost, "a processed mark is not released")
	st, _, _ = d.Claim(ctx, "a", time.Minute)
	assert.Equal(t, notify.Processed, st)

	// The processed mark lasts TTL, then the ID is forgotten.
	advance(59 * time.Minute)
	st, _, _ = d.Claim(ctx, "a", time.Minute)
	assert.Equal(t, notify.Processed, st)
	advance(time.Minute)
	st, _, _ = d.Claim(ctx, "a", time.Minute)
	assert.Equal(t, notify.Claimed, st)
	assert.Equal(t, "Processed", notify.Processed.String())
	_, _, err = d.Claim(ctx, "b", 0)
	assert.Error(t, err)
}

func TestMemoryDeduperDefaultTTLCoversRedeliveries(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	d := &notify.MemoryDeduper{Clock: func() time.Time { return now }}
	_, tok, err := d.Claim(ctx, "x", time.Minute)
	require.NoError(t, err)
	require.NoError(t, d.Finish(ctx, "x", tok))
	now = now.Add(3*24*time.Hour - time.Second) // beyond 24h4m and 3 days of hourly retries
	st, _, _ := d.Claim(ctx, "x", time.Minute)
	assert.Equal(t, notify.Processed, st)
}

// Memory is bounded: expired entries are dropped as calls arrive, and a
// full store refuses a claim rather than forget a live mark.
func TestMemoryDeduperBoundedMemory(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	d := &notify.MemoryDeduper{Clock: func() time.Time { return now }, TTL: time.Hour, MaxEntries: 1000}
	id := func(i int) string { return "EV-" + itoa(int64(i)) }
	for i := range 1000 {
		st, tok, err := d.Claim(ctx, id(i), time.Minute)
		require.NoError(t, err)
		require.Equal(t, notify.Claimed, st)
		require.NoError(t, d.Finish(ctx, id(i), tok))
	}
	_, _, err := d.Claim(ctx, "EV-new", time.Minute)
	require.ErrorIs(t, err, notify.ErrDeduperFull)
	st, _, err := d.Claim(ctx, id(0), time.Minute)
	require.NoError(t, err)
	assert.Equal(t, notify.Processed, st, "a full store still answers for what it holds")

	now = now.Add(time.Hour)
	st, tok, err := d.Claim(ctx, "EV-new", time.Minute)
	require.NoError(t, err)
	assert.Equal(t, notify.Claimed, st)
	assert.Equal(t, 1, d.Len(), "every expired mark was dropped")
	require.NoError(t, d.Release(ctx, "EV-new", tok))

	// Claims that are never finished (crashed callbacks) expire too.
	for i := range 1000 {
		_, _, err := d.Claim(ctx, id(i), time.Second)
		require.NoError(t, err)
	}
	now = now.Add(time.Second)
	_, _, err = d.Claim(ctx, "EV-last", time.Second)
	require.NoError(t, err)
	assert.Equal(t, 1, d.Len())
}

// Callers on several goroutines claim disjoint and shared IDs: every ID is
// claimed by exactly one of them.
func TestMemoryDeduperConcurrentClaims(t *testing.T) {
	ctx := context.Background()
	d := &notify.MemoryDeduper{}
	const ids, workers = 200, 16
	var claimed [ids]atomic.Int32
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range ids {
				st, tok, err := d.Claim(ctx, "EV-"+itoa(int64(i)), time.Minute)
				if err != nil {
					t.Error(err)
					return
				}
				if st == notify.Claimed {
					claimed[i].Add(1)
					if err := d.Finish(ctx, "EV-"+itoa(int64(i)), tok); err != nil {
						t.Error(err)
					}
				}
			}
		}()
	}
	wg.Wait()
	for i := range ids {
		assert.EqualValues(t, 1, claimed[i].Load(), "EV-%d", i)
	}
}

func BenchmarkMemoryDeduper(b *testing.B) {
	ctx := context.Background()
	d := &notify.MemoryDeduper{TTL: time.Hour}
	// A store already holding many processed marks: each call stays O(1).
	for i := range 100000 {
		_, tok, _ := d.Claim(ctx, "EV-pre-"+itoa(int64(i)), time.Minute)
		_ = d.Finish(ctx, "EV-pre-"+itoa(int64(i)), tok)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		id := "EV-" + itoa(int64(i))
		i++
		_, tok, err := d.Claim(ctx, id, time.Minute)
		if err != nil {
			b.Fatal(err)
		}
		if err := d.Finish(ctx, id, tok); err != nil {
			b.Fatal(err)
		}
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// A notification acknowledged without running any callback (no On
// registration matches its event type, no fallback) is logged at Warn with
// its event type, so a misspelt event type does not lose callbacks silently.
func TestUnroutedNotificationIsLoggedAtWarn(t *testing.T) {
	var logs syncBuffer
	f := setup(t, notify.WithLogger(slog.New(slog.NewJSONHandler(&logs, nil))))
	var calls atomic.Int32
	f.h.On("PAYSCORE.USER_PAYED", func(context.Context, *notify.Notification) error { calls.Add(1); return nil }) // misspelt
	hdr, body := signed(t, f.sb, "EV-6", "PAYSCORE.USER_PAID")
	assert.Equal(t, http.StatusNoContent, deliver(f.h, hdr, body).Code)
	assert.Zero(t, calls.Load())
	out := logs.String()
	assert.Contains(t, out, `"level":"WARN"`)
	assert.Contains(t, out, `"event_type":"PAYSCORE.USER_PAID"`)
	assert.Contains(t, out, `"id":"EV-6"`)
	assert.Contains(t, out, "no callback registered")
	assert.NotContains(t, out, "1234323JKHDFE1243252", "the content is never logged")

	// A redelivery already processed is visible too (at Info).
	logs.mu.Lock()
	logs.b.Reset()
	logs.mu.Unlock()
	assert.Equal(t, http.StatusNoContent, deliver(f.h, hdr, body).Code)
	assert.Contains(t, logs.String(), `"level":"INFO"`)
	assert.Contains(t, logs.String(), "already processed")
}

// A flood of distinct notification IDs whose callbacks fail (each claim
// released at once) keeps the store small and never refuses a claim: the
// expiry records of released claims are dropped when they pile up, not
// left to block new claims until their leases expire.
func TestMemoryDeduperFloodOfReleasedClaims(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	d := &notify.MemoryDeduper{Clock: func() time.Time { return now }, MaxEntries: 100}
	for i := range 10000 {
		st, tok, err := d.Claim(ctx, "EV-flood-"+itoa(int64(i)), time.Minute)
		require.NoError(t, err, "claim %d", i)
		require.Equal(t, notify.Claimed, st)
		require.NoError(t, d.Release(ctx, "EV-flood-"+itoa(int64(i)), tok))
		require.LessOrEqual(t, notify.QueuedRecords(d), 2*100)
	}
	assert.Zero(t, d.Len())

	// Live entries still count: a full store of live claims refuses.
	for i := range 100 {
		_, _, err := d.Claim(ctx, "EV-live-"+itoa(int64(i)), time.Minute)
		require.NoError(t, err)
	}
	_, _, err := d.Claim(ctx, "EV-one-more", time.Minute)
	require.ErrorIs(t, err, notify.ErrDeduperFull)
	assert.LessOrEqual(t, notify.QueuedRecords(d), 2*100)
}
