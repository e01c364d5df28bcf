package redisdedup_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/notify"
	"github.com/wechatpay-biz/wechatpay-biz-go/notify/redisdedup"
)

// RedisAddrEnv names the variable holding the address of the real
// redis-server these tests use (make test and .ci/run start one on a
// loopback port and set it).
const RedisAddrEnv = "WECHATPAY_TEST_REDIS_ADDR"

// redisClient connects to the test Redis, or skips the test when none was
// started — except in CI, where a missing Redis fails the run.
func redisClient(tb testing.TB) redis.UniversalClient {
	tb.Helper()
	addr := os.Getenv(RedisAddrEnv)
	if addr == "" {
		if os.Getenv("CI") != "" {
			tb.Fatalf("%s is not set: CI must run the Redis tests against a real redis-server (.ci/run starts one)", RedisAddrEnv)
		}
		tb.Skipf("skipped: %s is not set (make test starts redis-server when it is on the PATH)", RedisAddrEnv)
	}
	rdb := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: []string{addr}})
	tb.Cleanup(func() { rdb.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := rdb.Ping(ctx).Err(); err != nil {
		tb.Fatalf("the test Redis at %s does not answer: %v", addr, err)
	}
	return rdb
}

// uniquePrefix keeps each test's keys apart from earlier runs'.
func uniquePrefix(tb testing.TB) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return "test:" + tb.Name() + ":" + hex.EncodeToString(b[:]) + ":"
}

func newStore(tb testing.TB, rdb redis.UniversalClient, mchID, prefix string) *redisdedup.Store {
	tb.Helper()
	s, err := redisdedup.New(rdb, mchID, redisdedup.WithKeyPrefix(prefix))
	require.NoError(tb, err)
	return s
}

func TestNewRejectsBadInput(t *testing.T) {
	rdb := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: []string{"127.0.0.1:1"}})
	defer rdb.Close()
	_, err := redisdedup.New(nil, "1900000001")
	require.ErrorContains(t, err, "nil Redis client")
	for _, id := range []string{"", "19:00", "1900 0001", "{1900}"} {
		_, err = redisdedup.New(rdb, id)
		require.ErrorContains(t, err, "merchant ID", id)
	}
	_, err = redisdedup.New(rdb, "1900000001", redisdedup.WithRetention(time.Hour))
	require.ErrorContains(t, err, "shorter than WeChat Pay's redelivery schedule")
	_, err = redisdedup.New(rdb, "1900000001", redisdedup.WithKeyPrefix(""))
	require.Error(t, err)
	s, err := redisdedup.New(rdb, "1900000001", redisdedup.WithRetention(redisdedup.MinRetention))
	require.NoError(t, err)
	_, _, err = s.Claim(context.Background(), "", time.Second)
	require.ErrorContains(t, err, "notification ID")
}

func TestClaimFinishRelease(t *testing.T) {
	rdb := redisClient(t)
	ctx := context.Background()
	s := newStore(t, rdb, "1900000001", uniquePrefix(t))

	st, tok, err := s.Claim(ctx, "EV-1", time.Minute)
	require.NoError(t, err)
	require.Equal(t, notify.Claimed, st)
	require.Len(t, tok, 32)

	st, tok2, err := s.Claim(ctx, "EV-1", time.Minute)
	require.NoError(t, err)
	require.Equal(t, notify.InProgress, st, "a live claim blocks a second delivery")
	require.Empty(t, tok2)

	// A failed callback releases the claim: the next delivery runs it.
	require.NoError(t, s.Release(ctx, "EV-1", tok))
	st, tok, err = s.Claim(ctx, "EV-1", time.Minute)
	require.NoError(t, err)
	require.Equal(t, notify.Claimed, st)

	// A stale token never drops someone else's claim.
	require.NoError(t, s.Release(ctx, "EV-1", "0123456789abcdef0123456789abcdef"))
	st, _, err = s.Claim(ctx, "EV-1", time.Minute)
	require.NoError(t, err)
	require.Equal(t, notify.InProgress, st)

	require.NoError(t, s.Finish(ctx, "EV-1", tok))
	st, _, err = s.Claim(ctx, "EV-1", time.Minute)
	require.NoError(t, err)
	require.Equal(t, notify.Processed, st)
	// Release after Finish leaves the finished mark.
	require.NoError(t, s.Release(ctx, "EV-1", tok))
	st, _, err = s.Claim(ctx, "EV-1", time.Minute)
	require.NoError(t, err)
	require.Equal(t, notify.Processed, st)
	require.Error(t, s.Release(ctx, "EV-1", ""), "release needs the claim token")
}

func TestFinishedMarkCoversTheRedeliverySchedule(t *testing.T) {
	rdb := redisClient(t)
	ctx := context.Background()
	prefix := uniquePrefix(t)
	s := newStore(t, rdb, "1900000001", prefix)
	_, tok, err := s.Claim(ctx, "EV-ttl", time.Minute)
	require.NoError(t, err)
	require.NoError(t, s.Finish(ctx, "EV-ttl", tok))
	ttl, err := rdb.PTTL(ctx, prefix+"1900000001:EV-ttl").Result()
	require.NoError(t, err)
	require.Greater(t, ttl, redisdedup.MinRetention, "the finished mark outlives the 24h4m schedule")
	require.LessOrEqual(t, ttl, redisdedup.DefaultRetention)

	// A claim carries the lease, not the retention.
	_, _, err = s.Claim(ctx, "EV-lease", 1500*time.Millisecond)
	require.NoError(t, err)
	ttl, err = rdb.PTTL(ctx, prefix+"1900000001:EV-lease").Result()
	require.NoError(t, err)
	require.Greater(t, ttl, time.Second)
	require.LessOrEqual(t, ttl, 1500*time.Millisecond)
}

func TestExpiredLeaseCanBeClaimedAgain(t *testing.T) {
	rdb := redisClient(t)
	ctx := context.Background()
	s := newStore(t, rdb, "1900000001", uniquePrefix(t))
	st, crashed, err := s.Claim(ctx, "EV-crash", 20*time.Millisecond)
	require.NoError(t, err)
	require.Equal(t, notify.Claimed, st)
	// The instance "crashes": it never finishes or releases.
	require.Eventually(t, func() bool {
		st, _, err := s.Claim(ctx, "EV-crash", time.Minute)
		return err == nil && st == notify.Claimed
	}, 2*time.Second, 5*time.Millisecond)
	// The crashed instance's late release does not drop the new claim.
	require.NoError(t, s.Release(ctx, "EV-crash", crashed))
	st, _, err = s.Claim(ctx, "EV-crash", time.Minute)
	require.NoError(t, err)
	require.Equal(t, notify.InProgress, st)
}

func TestMerchantsNeverCollide(t *testing.T) {
	rdb := redisClient(t)
	ctx := context.Background()
	prefix := uniquePrefix(t)
	a := newStore(t, rdb, "1900000001", prefix)
	b := newStore(t, rdb, "1900000002", prefix)
	_, tok, err := a.Claim(ctx, "EV-same", time.Minute)
	require.NoError(t, err)
	require.NoError(t, a.Finish(ctx, "EV-same", tok))
	st, _, err := b.Claim(ctx, "EV-same", time.Minute)
	require.NoError(t, err)
	require.Equal(t, notify.Claimed, st, "another merchant's notification with the same ID is its own")
	st, _, err = a.Claim(ctx, "EV-same", time.Minute)
	require.NoError(t, err)
	require.Equal(t, notify.Processed, st)
}

func TestConcurrentClaimsHaveOneWinner(t *testing.T) {
	rdb := redisClient(t)
	ctx := context.Background()
	prefix := uniquePrefix(t)
	// Two stores (two instances) on one Redis.
	stores := []*redisdedup.Store{newStore(t, rdb, "1900000001", prefix), newStore(t, rdb, "1900000001", prefix)}
	var won atomic.Int32
	var wg sync.WaitGroup
	for i := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, _, err := stores[i%2].Claim(ctx, "EV-race", time.Minute)
			if err == nil && st == notify.Claimed {
				won.Add(1)
			}
		}()
	}
	wg.Wait()
	require.EqualValues(t, 1, won.Load())
}

func TestUnreachableRedisIsAnError(t *testing.T) {
	rdb := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: []string{"127.0.0.1:1"}, DialTimeout: 200 * time.Millisecond, MaxRetries: -1})
	defer rdb.Close()
	s, err := redisdedup.New(rdb, "1900000001")
	require.NoError(t, err)
	ctx := context.Background()
	_, _, err = s.Claim(ctx, "EV-down", time.Minute)
	require.ErrorContains(t, err, "redisdedup: claim")
	require.Error(t, s.Finish(ctx, "EV-down", "t"))
	require.Error(t, s.Release(ctx, "EV-down", "t"))
}
