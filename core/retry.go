package core

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"time"
)

// RetryPolicy says how a Client retries. Only requests marked Idempotent are
// ever retried, and only after a transport failure before any response, or
// an answer that is transient (HTTP 5xx, 429, SYSTEM_ERROR and the rate-limit
// codes). WeChat Pay has no idempotency-key header, so a POST that is not
// keyed by the merchant's own business number is never retried.
//
// Every attempt is signed afresh (new nonce and timestamp). The delay before
// attempt n+1 is a random duration in [0, min(MaxDelay, BaseDelay·2^(n-1))]
// ("full jitter"); the wait ends early when the context is done.
type RetryPolicy struct {
	MaxAttempts int           // total attempts, 1 disables retries
	BaseDelay   time.Duration // 0 retries immediately (useful in tests)
	MaxDelay    time.Duration // cap on one delay; 0 means BaseDelay·8
}

// DefaultRetryPolicy is used when WithRetry is not given: 3 attempts,
// 200 ms base delay, at most 2 s between attempts.
var DefaultRetryPolicy = RetryPolicy{MaxAttempts: 3, BaseDelay: 200 * time.Millisecond, MaxDelay: 2 * time.Second}

// NoRetry disables retries.
var NoRetry = RetryPolicy{MaxAttempts: 1}

func (p RetryPolicy) delay(attempt int) time.Duration {
	if p.BaseDelay <= 0 {
		return 0
	}
	maxd := p.MaxDelay
	if maxd <= 0 {
		maxd = p.BaseDelay * 8
	}
	d := p.BaseDelay
	for i := 1; i < attempt && d < maxd; i++ {
		d *= 2
	}
	d = min(d, maxd)
	return time.Duration(rand.Int64N(int64(d) + 1))
}

// sleepCtx waits d or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// unreachable reports whether err means the host could not be reached at all,
// so the request was certainly not received: the condition for failing over
// to the backup host, which is then safe even for non-idempotent calls.
func unreachable(err error) bool {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return true
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "dial" {
		return true
	}
	return false
}
