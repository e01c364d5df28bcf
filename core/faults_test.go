package core_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

// Fault tests: the server misbehaves, the client never panics, retries only
// what it may, and returns the right kind of error.

func TestFaultConnectionClosedMidBody(t *testing.T) {
	sb := newSandbox(t)
	var calls atomic.Int32
	sb.SetHook(func(w http.ResponseWriter, r *http.Request) bool {
		calls.Add(1)
		w.Header().Set("Content-Length", "1000")
		w.WriteHeader(200)
		_, _ = io.WriteString(w, `{"data":[{"serial`)
		return true // the server closes the connection short of 1000 bytes
	})
	c := newClient(t, sb, core.WithRetry(core.RetryPolicy{MaxAttempts: 3}))

	_, err := c.Do(context.Background(), &core.Request{Method: "GET", Path: "/v3/x", Idempotent: true}, nil)
	require.Error(t, err)
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.Contains(t, err.Error(), "after 3 attempts")
	assert.EqualValues(t, 3, calls.Load(), "an idempotent GET is retried")

	calls.Store(0)
	_, err = c.Do(context.Background(), &core.Request{Method: "POST", Path: "/v3/x", Body: map[string]int{}}, nil)
	require.Error(t, err)
	assert.EqualValues(t, 1, calls.Load(), "a POST whose answer was cut may have acted: not retried")
}

func TestFaultTruncatedSignedJSON(t *testing.T) {
	sb := newSandbox(t)
	answer(sb, 200, `{"guide_id":"LLA3WJ6DSZUfiaZDS79FH5Wm5m4X69TBic`, time.Now, nil)
	c := newClient(t, sb)
	var out struct {
		GuideID string `json:"guide_id"`
	}
	_, err := c.Do(context.Background(), &core.Request{Method: "GET", Path: "/v3/x", Idempotent: true}, &out)
	require.Error(t, err)
	assert.NotErrorIs(t, err, core.ErrInvalidSignature)
	assert.Contains(t, err.Error(), "decoding response")
	assert.Contains(t, err.Error(), "RID-TEST-1")
}

func TestFaultGarbageUnsignedSuccessIsRejected(t *testing.T) {
	sb := newSandbox(t)
	sb.SetHook(func(w http.ResponseWriter, r *http.Request) bool {
		_, _ = io.WriteString(w, "\x00\xff garbage")
		return true
	})
	c := newClient(t, sb)
	_, err := c.Do(context.Background(), &core.Request{Method: "GET", Path: "/v3/x", Idempotent: true}, nil)
	require.ErrorIs(t, err, core.ErrInvalidSignature)
	require.ErrorIs(t, err, core.ErrMissingHeader)
}

func TestFaultGarbageErrorBody(t *testing.T) {
	sb := newSandbox(t)
	answer(sb, 400, `{"code":`, time.Now, nil)
	c := newClient(t, sb)
	_, err := c.Do(context.Background(), &core.Request{Method: "GET", Path: "/v3/x", Idempotent: true}, nil)
	ae, ok := core.IsAPIError(err)
	require.True(t, ok)
	assert.Equal(t, 400, ae.StatusCode)
	assert.Equal(t, "RID-TEST-1", ae.RequestID)
	assert.Equal(t, 1, ae.Attempts, "a 400 is not retried")
}

func TestFaultBurstOf5xx(t *testing.T) {
	sb := newSandbox(t)
	var calls atomic.Int32
	sb.Handle("GET /v3/test/burst", func(*sandbox.Call) sandbox.Reply {
		calls.Add(1)
		return sandbox.Error(500, "SYSTEM_ERROR", "系统错误")
	})
	sb.Handle("POST /v3/test/burst", func(*sandbox.Call) sandbox.Reply {
		calls.Add(1)
		return sandbox.Error(500, "SYSTEM_ERROR", "系统错误")
	})
	c := newClient(t, sb, core.WithRetry(core.RetryPolicy{MaxAttempts: 4, BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond}))
	_, err := c.Do(context.Background(), &core.Request{Method: "GET", Path: "/v3/test/burst", Idempotent: true}, nil)
	ae, ok := core.IsAPIError(err)
	require.True(t, ok)
	assert.Equal(t, 4, ae.Attempts)
	assert.EqualValues(t, 4, calls.Load())

	calls.Store(0)
	_, err = c.Do(context.Background(), &core.Request{Method: "POST", Path: "/v3/test/burst", Body: map[string]int{}}, nil)
	assert.Equal(t, "SYSTEM_ERROR", core.ErrorCode(err))
	assert.EqualValues(t, 1, calls.Load())
}

func TestFaultRateLimitedIsRetriedForIdempotent(t *testing.T) {
	sb := newSandbox(t)
	var calls atomic.Int32
	sb.Handle("GET /v3/test/limited", func(*sandbox.Call) sandbox.Reply {
		if calls.Add(1) == 1 {
			return sandbox.Error(429, "FREQUENCY_LIMITED", "频率超限")
		}
		return sandbox.JSON(200, map[string]string{})
	})
	c := newClient(t, sb)
	_, err := c.Do(context.Background(), &core.Request{Method: "GET", Path: "/v3/test/limited", Idempotent: true}, nil)
	require.NoError(t, err)
	assert.EqualValues(t, 2, calls.Load())
}

func TestFaultAnswerAfterDeadline(t *testing.T) {
	sb := newSandbox(t)
	var calls atomic.Int32
	release := make(chan struct{})
	defer close(release)
	sb.SetHook(func(w http.ResponseWriter, r *http.Request) bool {
		calls.Add(1)
		select {
		case <-release:
		case <-time.After(2 * time.Second):
		}
		return false
	})
	c := newClient(t, sb)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Do(ctx, &core.Request{Method: "GET", Path: "/v3/certificates", Idempotent: true}, nil)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), time.Second)
	assert.EqualValues(t, 1, calls.Load(), "no retry once the context is done")
}

func TestFaultPrimaryDownBackupServes(t *testing.T) {
	sb := newSandbox(t)
	c := newClient(t, sb, core.WithBaseURL(refusedURL(t)), core.WithBackupURL(sb.URL))
	for range 3 {
		resp, err := c.Do(context.Background(), &core.Request{Method: "GET", Path: "/v3/certificates", Idempotent: true}, nil)
		require.NoError(t, err)
		assert.NotEmpty(t, resp.RequestID)
	}
	// Both down: a transport error, not an APIError, and no panic.
	c2 := newClient(t, sb, core.WithBaseURL(refusedURL(t)), core.WithBackupURL(refusedURL(t)), core.WithRetry(core.RetryPolicy{MaxAttempts: 2}))
	_, err := c2.Do(context.Background(), &core.Request{Method: "GET", Path: "/v3/certificates", Idempotent: true}, nil)
	require.Error(t, err)
	_, isAPI := core.IsAPIError(err)
	assert.False(t, isAPI)
	assert.False(t, errors.Is(err, core.ErrInvalidSignature))
}

func TestFaultSignedWithUnknownSerialInPublicKeyMode(t *testing.T) {
	sb := newSandbox(t, sandbox.WithSigningMode(sandbox.SignWithCertificate))
	c := newClient(t, sb) // trusts only the public key
	_, err := c.Do(context.Background(), &core.Request{Method: "GET", Path: "/v3/certificates"}, nil)
	require.ErrorIs(t, err, core.ErrUnknownSerial)
}

// The server lies about Content-Length. Longer than announced: the body is
// read to the announced length only, which no longer matches the signature
// over the whole body, so the answer is refused as badly signed. Shorter
// than announced: a transport error, retried for an idempotent call. An
// announced length above the cap is refused before reading. Nothing
// panics.
func TestFaultContentLengthLies(t *testing.T) {
	sb := newSandbox(t)
	const body = `{"state":"DONE","openid":"oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"}`
	var declared atomic.Int64
	sb.SetHook(func(w http.ResponseWriter, r *http.Request) bool {
		h := sb.SignatureHeaders([]byte(body), time.Now())
		hj, ok := w.(http.Hijacker)
		require.True(t, ok)
		conn, buf, err := hj.Hijack()
		require.NoError(t, err)
		defer conn.Close()
		_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nRequest-ID: RID-LIE\r\n")
		for k, v := range h {
			_, _ = buf.WriteString(k + ": " + v[0] + "\r\n")
		}
		_, _ = buf.WriteString("Content-Length: " + strconv.FormatInt(declared.Load(), 10) + "\r\n\r\n" + body)
		_ = buf.Flush()
		return true
	})
	c := newClient(t, sb, core.WithRetry(core.RetryPolicy{MaxAttempts: 2}), core.WithMaxBodySize(1<<10))
	do := func() error {
		_, err := c.Do(context.Background(), &core.Request{Method: "GET", Path: "/v3/x", Idempotent: true}, nil)
		return err
	}
	declared.Store(int64(len(body)))
	require.NoError(t, do(), "the truth verifies")
	declared.Store(int64(len(body)) - 10)
	require.ErrorIs(t, do(), core.ErrInvalidSignature, "a body cut to a shorter Content-Length does not verify")
	declared.Store(int64(len(body)) + 10)
	err := do()
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.Contains(t, err.Error(), "after 2 attempts")
	declared.Store(1 << 40)
	require.ErrorIs(t, do(), core.ErrBodyTooLarge)
	declared.Store(0)
	require.ErrorIs(t, do(), core.ErrInvalidSignature, "an empty body does not verify against the signature of a full one")
}

// Every answer is verified before it is trusted, not only a 200 with a
// body: a 204 (signed over an empty body) and a signed error answer fail
// verification when probed (WECHATPAY/SIGNTEST/), tampered with, stale or,
// for a 204, unsigned; a failed verification is never an *APIError, so no
// code acts on an error code it cannot trust.
func TestEveryAnswerIsVerified(t *testing.T) {
	probe := func(h http.Header, _ *string) {
		h.Set("Wechatpay-Signature", "WECHATPAY/SIGNTEST/"+h.Get("Wechatpay-Signature")[19:])
	}
	old := func() time.Time { return time.Now().Add(-6 * time.Minute) }
	for _, tc := range []struct {
		name   string
		status int
		body   string
		at     func() time.Time
		mutate func(http.Header, *string)
		ok     bool
	}{
		{"204 signed", 204, "", time.Now, nil, true},
		{"204 probe", 204, "", time.Now, probe, false},
		{"204 stale", 204, "", old, nil, false},
		{"204 unsigned", 204, "", time.Now, func(h http.Header, _ *string) { h.Del("Wechatpay-Signature") }, false},
		{"204 with a body smuggled in", 204, "", time.Now, func(_ http.Header, b *string) { *b = `{"x":1}` }, true}, // net/http drops a 204's body
		{"400 probe", 400, `{"code":"ORDER_NOT_EXIST","message":"订单不存在"}`, time.Now, probe, false},
		{"400 tampered", 400, `{"code":"PARAM_ERROR","message":"x"}`, time.Now, func(_ http.Header, b *string) { *b = `{"code":"ORDER_NOT_EXIST","message":"x"}` }, false},
		{"400 stale", 400, `{"code":"ORDER_NOT_EXIST","message":"x"}`, old, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sb := newSandbox(t)
			c := newClient(t, sb, core.WithRetry(core.NoRetry))
			answer(sb, tc.status, tc.body, tc.at, tc.mutate)
			_, err := c.Do(context.Background(), &core.Request{Method: "POST", Path: "/v3/x", Body: map[string]string{}}, nil)
			_, isAPI := core.IsAPIError(err)
			switch {
			case tc.ok && tc.status == 204:
				require.NoError(t, err)
			case tc.ok:
				require.True(t, isAPI, "%v", err)
			default:
				require.ErrorIs(t, err, core.ErrInvalidSignature)
				assert.False(t, isAPI, "an unverified error answer is not an APIError")
				assert.Empty(t, core.ErrorCode(err))
			}
		})
	}
}
