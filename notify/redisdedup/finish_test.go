package redisdedup_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/notify"
	"github.com/wechatpay-biz/wechatpay-biz-go/notify/redisdedup"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

// The store writes one key per notification, "<prefix><mchid>:<id>",
// holding the claim's token while it is held and a finished mark after;
// nothing else.
func TestKeysAndValuesAreWhatTheScriptsSay(t *testing.T) {
	rdb := redisClient(t)
	ctx := context.Background()
	prefix := uniquePrefix(t)
	s := newStore(t, rdb, "1900000001", prefix)
	_, tok, err := s.Claim(ctx, "EV-k:1", time.Minute)
	require.NoError(t, err)
	key := prefix + "1900000001:EV-k:1"
	v, err := rdb.Get(ctx, key).Result()
	require.NoError(t, err)
	assert.Equal(t, "c:"+tok, v)
	require.NoError(t, s.Finish(ctx, "EV-k:1", tok))
	v, err = rdb.Get(ctx, key).Result()
	require.NoError(t, err)
	assert.Equal(t, "d:"+tok, v)
	keys, err := rdb.Keys(ctx, prefix+"*").Result()
	require.NoError(t, err)
	assert.Equal(t, []string{key}, keys)
	require.NoError(t, s.Finish(ctx, "EV-k:1", tok), "finishing twice is harmless")
	assert.Error(t, s.Finish(ctx, "EV-k:1", ""), "finish needs the claim token")

	// The finished mark of earlier versions still reads as finished.
	require.NoError(t, rdb.Set(ctx, prefix+"1900000001:EV-old", "done", time.Minute).Err())
	st, _, err := s.Claim(ctx, "EV-old", time.Minute)
	require.NoError(t, err)
	assert.Equal(t, notify.Processed, st)
	require.ErrorIs(t, s.Finish(ctx, "EV-old", tok), notify.ErrClaimLost)
	v, err = rdb.Get(ctx, prefix+"1900000001:EV-old").Result()
	require.NoError(t, err)
	assert.Equal(t, "done", v)
}

// A callback that outlived its lease: its Finish still records the
// notification as processed (the callback succeeded), for the full
// retention, and reports notify.ErrClaimLost. Over another delivery's live
// claim the mark is written too (that delivery's Release then leaves it);
// a mark another delivery wrote first is kept.
func TestFinishAfterTheLeaseExpired(t *testing.T) {
	rdb := redisClient(t)
	ctx := context.Background()
	prefix := uniquePrefix(t)
	s := newStore(t, rdb, "1900000001", prefix)
	key := func(id string) string { return prefix + "1900000001:" + id }

	// The lease ran out and nobody claimed the ID since (Redis dropped the key).
	_, tok, err := s.Claim(ctx, "EV-late", time.Minute)
	require.NoError(t, err)
	require.NoError(t, rdb.Del(ctx, key("EV-late")).Err()) // what expiry does
	require.ErrorIs(t, s.Finish(ctx, "EV-late", tok), notify.ErrClaimLost)
	st, _, err := s.Claim(ctx, "EV-late", time.Minute)
	require.NoError(t, err)
	assert.Equal(t, notify.Processed, st)
	ttl, err := rdb.PTTL(ctx, key("EV-late")).Result()
	require.NoError(t, err)
	assert.Greater(t, ttl, redisdedup.MinRetention)

	// Another delivery claimed it after the lease expired, and fails.
	_, first, err := s.Claim(ctx, "EV-taken", time.Minute)
	require.NoError(t, err)
	require.NoError(t, rdb.Del(ctx, key("EV-taken")).Err())
	st, second, err := s.Claim(ctx, "EV-taken", time.Minute)
	require.NoError(t, err)
	require.Equal(t, notify.Claimed, st)
	require.ErrorIs(t, s.Finish(ctx, "EV-taken", first), notify.ErrClaimLost)
	require.NoError(t, s.Release(ctx, "EV-taken", second), "the second delivery's release leaves the mark")
	st, _, err = s.Claim(ctx, "EV-taken", time.Minute)
	require.NoError(t, err)
	assert.Equal(t, notify.Processed, st)
	require.ErrorIs(t, s.Finish(ctx, "EV-taken", second), notify.ErrClaimLost, "finished by another delivery")
	v, err := rdb.Get(ctx, key("EV-taken")).Result()
	require.NoError(t, err)
	assert.Equal(t, "d:"+first, v, "the first mark is kept")
}

// Two instances: the first's callback outlives its lease, the second
// claims the notification and its callback fails. The first callback's
// success is recorded, so the next delivery, to either instance, is
// acknowledged without a third run; the first instance warns that the
// callback may have run twice.
func TestCallbackOutlivingItsLeaseOnTwoInstances(t *testing.T) {
	prefix := uniquePrefix(t)
	var logs syncBuffer
	f := newFleet(t, prefix, notify.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	rdb := redisClient(t)
	var mu sync.Mutex
	calls := 0
	entered, leave := make(chan struct{}), make(chan struct{})
	f.on("PAYSCORE.USER_PAID", func(context.Context, *notify.Notification) error {
		mu.Lock()
		calls++
		n := calls
		mu.Unlock()
		if n == 1 {
			close(entered)
			<-leave
			return nil
		}
		return errors.New("database down")
	})
	hdr, body := signedNotification(t, f.sb, "EV-outlived")
	first := make(chan int)
	go func() { first <- deliver(f.handlers[0], hdr, body) }()
	<-entered
	keys, err := rdb.Keys(context.Background(), prefix+"*").Result()
	require.NoError(t, err)
	require.Len(t, keys, 1)
	require.NoError(t, rdb.Del(context.Background(), keys[0]).Err()) // the lease expires
	assert.Equal(t, http.StatusInternalServerError, deliver(f.handlers[1], hdr, body))
	close(leave)
	assert.Equal(t, http.StatusNoContent, <-first)
	assert.Contains(t, logs.String(), "may have run twice")
	for _, h := range f.handlers {
		assert.True(t, acknowledged(deliver(h, hdr, body)))
	}
	assert.Equal(t, 2, calls)
}

// Redis fails while the callback runs. The callback succeeded, so the
// delivery is acknowledged (a failure status would only make a redelivery
// run it again), and the failure is logged at Warn. The claim stays until
// its lease expires: a redelivery meanwhile is asked to come back later.
// A failing callback whose release fails is answered 500 and logged.
func TestRedisFailingMidCallback(t *testing.T) {
	prefix := uniquePrefix(t)
	sb, err := sandbox.NewServer()
	require.NoError(t, err)
	t.Cleanup(sb.Close)
	c, err := sb.Client()
	require.NoError(t, err)
	healthy := newStore(t, redisClient(t), c.MerchantID(), prefix)

	for _, fail := range []bool{false, true} {
		var logs syncBuffer
		rdb := redisClient(t) // this instance's pool, closed mid-callback
		store := newStore(t, rdb, c.MerchantID(), prefix)
		h, err := notify.NewHandler(c, notify.WithDeduper(store), notify.WithClaimLease(time.Minute), notify.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
		require.NoError(t, err)
		h.On("PAYSCORE.USER_PAID", func(context.Context, *notify.Notification) error {
			require.NoError(t, rdb.Close()) // Redis goes away
			if fail {
				return errors.New("database down")
			}
			return nil
		})
		id := "EV-redis-mid-ok"
		if fail {
			id = "EV-redis-mid-fail"
		}
		hdr, body := signedNotification(t, sb, id)
		code := deliver(h, hdr, body)
		if fail {
			assert.Equal(t, http.StatusInternalServerError, code)
			assert.Contains(t, logs.String(), "releasing the de-duplication claim failed")
		} else {
			assert.Equal(t, http.StatusNoContent, code, "the callback ran: acknowledged")
			assert.Contains(t, logs.String(), "marking the notification processed failed")
		}
		assert.Contains(t, logs.String(), "level=WARN")
		assert.Contains(t, logs.String(), "redis: client is closed")
		st, _, err := healthy.Claim(context.Background(), id, time.Minute)
		require.NoError(t, err)
		assert.Equal(t, notify.InProgress, st, "the claim stays until its lease expires")
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  []byte
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b = append(s.b, p...)
	return len(p), nil
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return string(s.b)
}
