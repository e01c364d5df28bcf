package redisdedup_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/notify"
	"github.com/wechatpay-biz/wechatpay-biz-go/notify/notifytest"
	"github.com/wechatpay-biz/wechatpay-biz-go/notify/redisdedup"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

// fleet is two "instances" of a merchant's back end: two notify.Handlers,
// each with its own Redis connection pool and Store, sharing one Redis.
type fleet struct {
	sb       *sandbox.Server
	handlers [2]*notify.Handler
}

func newFleet(t *testing.T, prefix string, opts ...notify.Option) fleet {
	t.Helper()
	sb, err := sandbox.NewServer()
	require.NoError(t, err)
	t.Cleanup(sb.Close)
	var f fleet
	f.sb = sb
	for i := range f.handlers {
		c, err := sb.Client()
		require.NoError(t, err)
		rdb := redisClient(t) // one pool per instance
		store := newStore(t, rdb, c.MerchantID(), prefix)
		h, err := notify.NewHandler(c, append([]notify.Option{notify.WithDeduper(store), notify.WithLogger(slog.New(slog.DiscardHandler))}, opts...)...)
		require.NoError(t, err)
		f.handlers[i] = h
	}
	return f
}

// on registers fn on both instances.
func (f fleet) on(eventType string, fn func(context.Context, *notify.Notification) error) {
	for _, h := range f.handlers {
		h.On(eventType, fn)
	}
}

type paid struct {
	OutOrderNo string `json:"out_order_no"`
	Amount     int64  `json:"total_amount"`
}

func signedNotification(t testing.TB, sb *sandbox.Server, id string) (http.Header, []byte) {
	t.Helper()
	hdr, body, err := notifytest.BuildSigned(
		notifytest.Event{ID: id, EventType: "PAYSCORE.USER_PAID", OriginalType: "payscore", Resource: paid{"1234323JKHDFE1243252", 40000}},
		notifytest.Signer{Serial: sb.PublicKeyID, PrivateKey: sb.PlatformPrivateKey(), APIv3Key: sb.APIv3Key})
	require.NoError(t, err)
	return hdr, body
}

func deliver(h http.Handler, hdr http.Header, body []byte) int {
	rr := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/notify", bytes.NewReader(body))
	req.Header = hdr.Clone()
	h.ServeHTTP(rr, req)
	return rr.Code
}

func acknowledged(code int) bool { return code == http.StatusOK || code == http.StatusNoContent }

// 64 simultaneous deliveries of one notification, split between two
// instances: the callback runs exactly once, every delivery made while it
// runs is answered with a failure (WeChat Pay delivers again), and later
// deliveries to either instance are acknowledged without running it.
func TestTwoInstancesRunTheCallbackExactlyOnce(t *testing.T) {
	f := newFleet(t, uniquePrefix(t))
	const n = 64
	var calls, answered atomic.Int32
	othersDone := make(chan struct{})
	f.on("PAYSCORE.USER_PAID", func(context.Context, *notify.Notification) error {
		calls.Add(1)
		select { // hold the claim until every other delivery was answered
		case <-othersDone:
			return nil
		case <-time.After(10 * time.Second):
			return errors.New("the other deliveries were not answered")
		}
	})
	hdr, body := signedNotification(t, f.sb, "EV-2018022511223320873")

	codes := make([]int, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			codes[i] = deliver(f.handlers[i%2], hdr, body)
			if !acknowledged(codes[i]) && answered.Add(1) == n-1 {
				close(othersDone)
			}
		}()
	}
	close(start)
	wg.Wait()

	ok := 0
	for _, c := range codes {
		if acknowledged(c) {
			ok++
		} else {
			assert.GreaterOrEqual(t, c, 500, "an in-progress duplicate asks WeChat Pay to retry")
		}
	}
	assert.EqualValues(t, 1, calls.Load(), "the callback runs once across both instances")
	assert.Equal(t, 1, ok, "only the delivery that ran the callback is acknowledged")
	for _, h := range f.handlers {
		assert.True(t, acknowledged(deliver(h, hdr, body)), "a redelivery after success is acknowledged")
	}
	assert.EqualValues(t, 1, calls.Load(), "… without running the callback")
}

// A callback that fails on one instance releases the claim: the next
// delivery, to the other instance, runs it.
func TestFailedCallbackRunsAgainOnTheOtherInstance(t *testing.T) {
	f := newFleet(t, uniquePrefix(t))
	var calls atomic.Int32
	f.on("PAYSCORE.USER_PAID", func(context.Context, *notify.Notification) error {
		if calls.Add(1) == 1 {
			return errors.New("database down")
		}
		return nil
	})
	hdr, body := signedNotification(t, f.sb, "EV-fail-then-ok")
	assert.Equal(t, http.StatusInternalServerError, deliver(f.handlers[0], hdr, body))
	assert.True(t, acknowledged(deliver(f.handlers[1], hdr, body)))
	assert.True(t, acknowledged(deliver(f.handlers[0], hdr, body)))
	assert.EqualValues(t, 2, calls.Load())
}

// An instance that crashes mid-callback never finishes or releases its
// claim; once the lease expires the next delivery runs the callback.
func TestExpiredLeaseLetsTheNextDeliveryRun(t *testing.T) {
	f := newFleet(t, uniquePrefix(t), notify.WithClaimLease(30*time.Millisecond))
	hdr, body := signedNotification(t, f.sb, "EV-crashed")
	var calls atomic.Int32
	crashed := make(chan struct{})
	defer close(crashed)
	entered := make(chan struct{})
	f.on("PAYSCORE.USER_PAID", func(ctx context.Context, _ *notify.Notification) error {
		if calls.Add(1) == 1 {
			close(entered)
			<-crashed // the first instance hangs for the rest of the test
		}
		return nil
	})
	go deliver(f.handlers[0], hdr, body)
	<-entered
	code := deliver(f.handlers[1], hdr, body)
	if acknowledged(code) {
		t.Fatal("a live lease must not be acknowledged")
	}
	require.Eventually(t, func() bool { return acknowledged(deliver(f.handlers[1], hdr, body)) }, 3*time.Second, 10*time.Millisecond)
	assert.EqualValues(t, 2, calls.Load(), "the delivery after the lease expired ran the callback")
}

// Two merchants sharing one Redis: the same notification ID is processed
// once for each.
func TestMerchantsSharingOneRedisNeverCollide(t *testing.T) {
	prefix := uniquePrefix(t)
	sb, err := sandbox.NewServer()
	require.NoError(t, err)
	t.Cleanup(sb.Close)
	rdb := redisClient(t)
	c, err := sb.Client()
	require.NoError(t, err)
	var calls atomic.Int32
	var hs []*notify.Handler
	for _, mch := range []string{c.MerchantID(), "1900009999"} {
		store := newStore(t, rdb, mch, prefix)
		h, err := notify.NewHandler(c, notify.WithDeduper(store), notify.WithLogger(slog.New(slog.DiscardHandler)))
		require.NoError(t, err)
		h.On("PAYSCORE.USER_PAID", func(context.Context, *notify.Notification) error { calls.Add(1); return nil })
		hs = append(hs, h)
	}
	hdr, body := signedNotification(t, sb, "EV-shared-id")
	for _, h := range hs {
		assert.True(t, acknowledged(deliver(h, hdr, body)))
		assert.True(t, acknowledged(deliver(h, hdr, body)))
	}
	assert.EqualValues(t, 2, calls.Load(), "once per merchant")
}

// With Redis unreachable the delivery fails (WeChat Pay retries) and the
// callback does not run blind — unless the merchant chose at-least-once.
func TestRedisDownFailsTheDeliveryUnlessAtLeastOnce(t *testing.T) {
	sb, err := sandbox.NewServer()
	require.NoError(t, err)
	t.Cleanup(sb.Close)
	c, err := sb.Client()
	require.NoError(t, err)
	down := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: []string{"127.0.0.1:1"}, DialTimeout: 200 * time.Millisecond, MaxRetries: -1})
	t.Cleanup(func() { down.Close() })
	store, err := redisdedup.New(down, c.MerchantID())
	require.NoError(t, err)
	hdr, body := signedNotification(t, sb, "EV-redis-down")

	var calls atomic.Int32
	count := func(context.Context, *notify.Notification) error { calls.Add(1); return nil }

	strict, err := notify.NewHandler(c, notify.WithDeduper(store), notify.WithLogger(slog.New(slog.DiscardHandler)))
	require.NoError(t, err)
	strict.On("PAYSCORE.USER_PAID", count)
	assert.Equal(t, http.StatusInternalServerError, deliver(strict, hdr, body))
	assert.EqualValues(t, 0, calls.Load(), "the callback is not run without a claim")

	lenient, err := notify.NewHandler(c, notify.WithDeduper(store), notify.WithAtLeastOnce(), notify.WithLogger(slog.New(slog.DiscardHandler)))
	require.NoError(t, err)
	lenient.On("PAYSCORE.USER_PAID", count)
	assert.True(t, acknowledged(deliver(lenient, hdr, body)))
	assert.EqualValues(t, 1, calls.Load(), "at-least-once runs the callback anyway")
}
