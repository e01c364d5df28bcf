package sandbox

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
)

// headerRecorder keeps the headers of every answer a client receives.
type headerRecorder struct {
	mu   sync.Mutex
	last http.Header
}

func (h *headerRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err == nil {
		h.mu.Lock()
		h.last = resp.Header.Clone()
		h.mu.Unlock()
	}
	return resp, err
}

func (f *psFixture) orderExists(no string) bool {
	f.t.Helper()
	_, err := f.call("GET", "/v3/payscore/serviceorder", url.Values{"out_order_no": {no}, "service_id": {PayScoreNoConfirmServiceID}, "appid": {AppID}}, nil)
	if err == nil {
		return true
	}
	require.Equal(f.t, "ORDER_NOT_EXIST", core.ErrorCode(err), err)
	return false
}

func TestFaultRateLimitedForTheNextCalls(t *testing.T) {
	f := newPSFixture(t)
	require.NoError(t, f.s.InjectFault(Fault{Kind: FaultRateLimited, Count: 2}))
	require.Equal(t, []Fault{{Kind: FaultRateLimited, Count: 2}}, f.s.Faults())
	for range 2 {
		f.fails(429, "FREQUENCY_LIMITED", "GET", "/v3/certificates", nil)
	}
	f.ok("GET", "/v3/certificates", nil, nil)
	require.Empty(t, f.s.Faults(), "used up")
}

func TestFaultSystemErrorOnOneRoute(t *testing.T) {
	f := newPSFixture(t)
	f.authorize("AUTH-1", "oUser1")
	f.ok("POST", "/v3/payscore/serviceorder", nil, psNoConfirmBody("SE-1", "oUser1"))
	// A route as registered, with its wildcard, until cleared.
	require.NoError(t, f.s.InjectFault(Fault{Kind: FaultSystemError, Route: "POST /v3/payscore/serviceorder/{out_order_no}/cancel"}))
	for range 3 {
		f.fails(500, "SYSTEM_ERROR", "POST", "/v3/payscore/serviceorder/SE-1/cancel", map[string]any{"appid": AppID, "service_id": PayScoreNoConfirmServiceID, "reason": "用户取消"})
	}
	require.Equal(t, "DOING/USER_CONFIRM", f.state("SE-1", PayScoreNoConfirmServiceID), "the failed calls did nothing; other routes answer")
	f.s.ClearFaults()
	f.ok("POST", "/v3/payscore/serviceorder/SE-1/cancel", nil, map[string]any{"appid": AppID, "service_id": PayScoreNoConfirmServiceID, "reason": "用户取消"})

	// A method and path as sent; a client that retries gets through.
	require.NoError(t, f.s.InjectFault(Fault{Kind: FaultSystemError, Count: 2, Route: "GET /v3/certificates"}))
	c, err := f.s.Client(core.WithRetry(core.RetryPolicy{MaxAttempts: 3}))
	require.NoError(t, err)
	_, err = c.Do(f.ctx, &core.Request{Method: "GET", Path: "/v3/certificates", Idempotent: true}, nil)
	require.NoError(t, err, "the third attempt succeeds")
}

func TestFaultPayScoreRiskRejection(t *testing.T) {
	f := newPSFixture(t)
	f.authorize("AUTH-1", "oUser1")
	require.NoError(t, f.s.InjectFault(Fault{Kind: FaultPayScoreRisk, Count: 1}))
	f.ok("GET", "/v3/certificates", nil, nil) // not an order creation: not counted
	ae := f.fails(400, "INVALID_REQUEST", "POST", "/v3/payscore/serviceorder", psNoConfirmBody("RISK-1", "oUser1"))
	require.Equal(t, "综合评估不通过", ae.Message)
	require.False(t, f.orderExists("RISK-1"), "no order was created")
	f.ok("POST", "/v3/payscore/serviceorder", nil, psNoConfirmBody("RISK-1", "oUser1"))
}

// A slow answer: the call takes effect, the caller's deadline passes first.
func TestFaultSlowAnswerPastTheDeadline(t *testing.T) {
	f := newPSFixture(t)
	f.authorize("AUTH-1", "oUser1")
	require.NoError(t, f.s.InjectFault(Fault{Kind: FaultSlow, Count: 1}))
	require.Equal(t, DefaultSlowDelay, f.s.Faults()[0].Delay)
	ctx, cancel := context.WithTimeout(f.ctx, 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := f.c.Do(ctx, &core.Request{Method: "POST", Path: "/v3/payscore/serviceorder", Body: psNoConfirmBody("SLOW-1", "oUser1")}, nil)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Less(t, time.Since(start), DefaultSlowDelay)
	require.True(t, f.orderExists("SLOW-1"), "the order was created all the same")

	// A short delay answers, late.
	require.NoError(t, f.s.InjectFault(Fault{Kind: FaultSlow, Count: 1, Delay: 5 * time.Millisecond}))
	start = time.Now()
	f.ok("GET", "/v3/certificates", nil, nil)
	require.GreaterOrEqual(t, time.Since(start), 5*time.Millisecond)
}

// A reset mid-answer: the call took effect, the caller gets a transport
// error, not an answer.
func TestFaultConnectionResetMidAnswer(t *testing.T) {
	f := newPSFixture(t)
	f.authorize("AUTH-1", "oUser1")
	require.NoError(t, f.s.InjectFault(Fault{Kind: FaultConnectionReset, Route: "/v3/payscore/serviceorder", Count: 1}))
	_, err := f.call("POST", "/v3/payscore/serviceorder", nil, psNoConfirmBody("RST-1", "oUser1"))
	require.Error(t, err)
	_, isAPI := core.IsAPIError(err)
	require.False(t, isAPI, "no answer arrived: %v", err)
	require.True(t, strings.Contains(err.Error(), "reset") || strings.Contains(err.Error(), "EOF"), "%v", err)
	require.True(t, f.orderExists("RST-1"), "the order was created all the same")
}

func TestFaultUnsignedError(t *testing.T) {
	f := newPSFixture(t)
	rec := &headerRecorder{}
	c, err := f.s.Client(core.WithRetry(core.NoRetry), core.WithHTTPClient(&http.Client{Transport: rec}))
	require.NoError(t, err)
	require.NoError(t, f.s.InjectFault(Fault{Kind: FaultUnsignedError, Count: 1}))
	_, err = c.Do(f.ctx, &core.Request{Method: "GET", Path: "/v3/certificates"}, nil)
	ae, ok := core.IsAPIError(err)
	require.True(t, ok, "%v", err)
	require.Equal(t, 500, ae.StatusCode)
	require.Equal(t, "SYSTEM_ERROR", ae.Code)
	require.Empty(t, rec.last.Get("Wechatpay-Signature"), "no signature headers")
	require.NotEmpty(t, rec.last.Get("Request-ID"))
}

func TestFaultSignatureProbe(t *testing.T) {
	f := newPSFixture(t)
	f.authorize("AUTH-1", "oUser1")
	require.NoError(t, f.s.InjectFault(Fault{Kind: FaultSignatureProbe, Route: "POST /v3/payscore/serviceorder", Count: 1}))
	f.ok("GET", "/v3/certificates", nil, nil)
	_, err := f.call("POST", "/v3/payscore/serviceorder", nil, psNoConfirmBody("PROBE-1", "oUser1"))
	require.ErrorIs(t, err, core.ErrInvalidSignature)
	require.True(t, f.orderExists("PROBE-1"), "the call was performed; its answer is not to be trusted")
}

func TestInjectFaultChecksItsInput(t *testing.T) {
	s, err := NewServer()
	require.NoError(t, err)
	defer s.Close()
	err = s.InjectFault(Fault{Kind: "teapot"})
	require.Error(t, err)
	require.True(t, strings.Contains(err.Error(), "rate_limited"), "lists the known kinds: %v", err)
	require.Error(t, s.InjectFault(Fault{Kind: FaultSystemError, Count: -1}))
	require.Empty(t, s.Faults())
}
