package redisdedup_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/wechatpay-biz/wechatpay-biz-go/notify"
)

// benchmarkDelivery measures what de-duplication adds to one delivery of a
// new notification: Claim, then Finish.
func benchmarkDelivery(b *testing.B, d notify.Deduper) {
	ctx := context.Background()
	prefix := strconv.FormatInt(time.Now().UnixNano(), 36) + "-"
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		id := prefix + strconv.Itoa(i)
		st, tok, err := d.Claim(ctx, id, time.Minute)
		if err != nil || st != notify.Claimed {
			b.Fatalf("claim: %v %v", st, err)
		}
		if err := d.Finish(ctx, id, tok); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkClaimFinish compares the Redis store (one loopback round trip per
// operation) with the in-memory store.
func BenchmarkClaimFinish(b *testing.B) {
	b.Run("memory", func(b *testing.B) { benchmarkDelivery(b, &notify.MemoryDeduper{}) })
	b.Run("redis", func(b *testing.B) {
		rdb := redisClient(b)
		benchmarkDelivery(b, newStore(b, rdb, "1900000001", uniquePrefix(b)))
	})
}

// BenchmarkDuplicate measures a redelivery of a processed notification: one
// Claim that finds the finished mark.
func BenchmarkDuplicate(b *testing.B) {
	run := func(b *testing.B, d notify.Deduper) {
		ctx := context.Background()
		_, tok, err := d.Claim(ctx, "EV-dup", time.Minute)
		if err != nil {
			b.Fatal(err)
		}
		if err := d.Finish(ctx, "EV-dup", tok); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			if st, _, err := d.Claim(ctx, "EV-dup", time.Minute); err != nil || st != notify.Processed {
				b.Fatalf("claim: %v %v", st, err)
			}
		}
	}
	b.Run("memory", func(b *testing.B) { run(b, &notify.MemoryDeduper{}) })
	b.Run("redis", func(b *testing.B) {
		rdb := redisClient(b)
		run(b, newStore(b, rdb, "1900000001", uniquePrefix(b)))
	})
}
