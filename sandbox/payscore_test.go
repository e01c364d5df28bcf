package sandbox

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/notify"
)

// psFixture drives the pay-score simulation with raw signed requests, so
// the sandbox is tested independently of the payscore package.
type psFixture struct {
	t     *testing.T
	s     *Server
	c     *core.Client
	clock *atomic.Int64
	ctx   context.Context
}

func newPSFixture(t *testing.T) *psFixture {
	t.Helper()
	clock := new(atomic.Int64)
	clock.Store(time.Date(2026, 3, 1, 10, 0, 0, 0, shanghai).Unix())
	s, err := NewServer(WithClock(func() time.Time { return time.Unix(clock.Load(), 0) }))
	require.NoError(t, err)
	t.Cleanup(s.Close)
	c, err := s.Client(core.WithRetry(core.NoRetry))
	require.NoError(t, err)
	return &psFixture{t: t, s: s, c: c, clock: clock, ctx: context.Background()}
}

func (f *psFixture) call(method, path string, q url.Values, body any) (map[string]any, error) {
	var out map[string]any
	_, err := f.c.Do(f.ctx, &core.Request{Method: method, Path: path, Query: q, Body: body}, &out)
	return out, err
}

func (f *psFixture) ok(method, path string, q url.Values, body any) map[string]any {
	f.t.Helper()
	out, err := f.call(method, path, q, body)
	require.NoError(f.t, err)
	return out
}

func (f *psFixture) fails(status int, code string, method, path string, body any) *core.APIError {
	f.t.Helper()
	_, err := f.call(method, path, nil, body)
	ae, ok := core.IsAPIError(err)
	require.True(f.t, ok, "want an API error, got %v", err)
	require.Equal(f.t, status, ae.StatusCode, ae.Error())
	require.Equal(f.t, code, ae.Code, ae.Error())
	require.NotEmpty(f.t, ae.RequestID)
	return ae
}

func (f *psFixture) authorize(code, openID string) {
	f.t.Helper()
	out := f.ok("POST", "/v3/payscore/permissions", nil, map[string]any{"service_id": PayScoreNoConfirmServiceID, "appid": AppID, "authorization_code": code})
	require.NoError(f.t, f.s.PayScoreSimulateUserAuthorize(f.ctx, out["apply_permissions_token"].(string), openID))
}

func psNoConfirmBody(no, openID string) map[string]any {
	return map[string]any{
		"out_order_no": no, "appid": AppID, "service_id": PayScoreNoConfirmServiceID, "service_introduction": "某某酒店",
		"post_payments": []any{map[string]any{"name": "就餐费用服务费", "amount": 4000, "count": 1}},
		"time_range":    map[string]any{"start_time": "20260301100000", "end_time": "20260301130000"},
		"risk_fund":     map[string]any{"name": "ESTIMATE_ORDER_COST", "amount": 10000},
		"notify_url":    "https://merchant.example.com/notify", "openid": openID, "need_user_confirm": false,
	}
}

func psConfirmBody(no string) map[string]any {
	return map[string]any{
		"out_order_no": no, "appid": AppID, "service_id": PayScoreConfirmServiceID, "service_introduction": "充电宝",
		"time_range": map[string]any{"start_time": "OnAccept"},
		"risk_fund":  map[string]any{"name": "DEPOSIT", "amount": 9900},
		"notify_url": "https://merchant.example.com/notify",
	}
}

func psComplete(service string, pay, discount, total int64) map[string]any {
	return map[string]any{
		"appid": AppID, "service_id": service,
		"post_payments":  []any{map[string]any{"name": "服务费", "amount": pay}},
		"post_discounts": []any{map[string]any{"name": "优惠", "amount": discount}},
		"total_amount":   total, "time_range": map[string]any{"end_time": "20260301120000"},
	}
}

func (f *psFixture) query(no, service string) map[string]any {
	f.t.Helper()
	return f.ok("GET", "/v3/payscore/serviceorder", url.Values{"out_order_no": {no}, "service_id": {service}, "appid": {AppID}}, nil)
}

func (f *psFixture) state(no, service string) string {
	f.t.Helper()
	o := f.query(no, service)
	st, _ := o["state"].(string)
	if d, ok := o["state_description"].(string); ok {
		st += "/" + d
	}
	if col, ok := o["collection"].(map[string]any); ok {
		st += "+" + col["state"].(string)
	}
	return st
}

func TestPayScorePermissionLifecycle(t *testing.T) {
	f := newPSFixture(t)
	perm := func() string {
		out := f.ok("GET", "/v3/payscore/permissions/openid/u1", url.Values{"service_id": {PayScoreNoConfirmServiceID}, "appid": {AppID}}, nil)
		return out["authorization_state"].(string)
	}
	byCode := func() string {
		out := f.ok("GET", "/v3/payscore/permissions/authorization-code/A1", url.Values{"service_id": {PayScoreNoConfirmServiceID}}, nil)
		return out["authorization_state"].(string)
	}
	require.Equal(t, "UNAVAILABLE", perm())

	pre := f.ok("POST", "/v3/payscore/permissions", nil, map[string]any{"service_id": PayScoreNoConfirmServiceID, "appid": AppID, "authorization_code": "A1"})
	token := pre["apply_permissions_token"].(string)
	require.Equal(t, "UNBINDUSER", byCode())
	require.Equal(t, "UNAVAILABLE", perm())

	// Tokens last one hour.
	f.clock.Add(int64(2 * time.Hour / time.Second))
	require.ErrorContains(t, f.s.PayScoreSimulateUserAuthorize(f.ctx, token, "u1"), "expired")
	pre = f.ok("POST", "/v3/payscore/permissions", nil, map[string]any{"service_id": PayScoreNoConfirmServiceID, "appid": AppID, "authorization_code": "A1"})
	require.NoError(t, f.s.PayScoreSimulateUserAuthorize(f.ctx, pre["apply_permissions_token"].(string), "u1"))
	require.Equal(t, "AVAILABLE", perm())
	require.Equal(t, "AVAILABLE", byCode())

	// A bound authorization code cannot be pre-authorized again.
	f.fails(400, "INVALID_REQUEST", "POST", "/v3/payscore/permissions", map[string]any{"service_id": PayScoreNoConfirmServiceID, "appid": AppID, "authorization_code": "A1"})
	// Pre-authorization is a no-confirm feature.
	f.fails(403, "NO_AUTH", "POST", "/v3/payscore/permissions", map[string]any{"service_id": PayScoreConfirmServiceID, "appid": AppID, "authorization_code": "A2"})

	// Terminating is refused while an order is unfinished.
	f.ok("POST", "/v3/payscore/serviceorder", nil, psNoConfirmBody("O1", "u1"))
	terminate := map[string]any{"service_id": PayScoreNoConfirmServiceID, "appid": AppID, "reason": "用户要求"}
	f.fails(400, "INVALID_REQUEST", "POST", "/v3/payscore/permissions/openid/u1/terminate", terminate)
	require.ErrorContains(t, f.s.PayScoreSimulateUserRevoke(f.ctx, PayScoreNoConfirmServiceID, "u1"), "unfinished")
	f.ok("POST", "/v3/payscore/serviceorder/O1/cancel", nil, map[string]any{"appid": AppID, "service_id": PayScoreNoConfirmServiceID, "reason": "测试"})

	f.ok("POST", "/v3/payscore/permissions/openid/u1/terminate", nil, terminate)
	require.Equal(t, "UNAVAILABLE", perm())
	out := f.ok("GET", "/v3/payscore/permissions/openid/u1", url.Values{"service_id": {PayScoreNoConfirmServiceID}, "appid": {AppID}}, nil)
	require.NotEmpty(t, out["cancel_authorization_time"])
	f.fails(400, "INVALID_REQUEST", "POST", "/v3/payscore/permissions/openid/u1/terminate", terminate)
	f.fails(400, "INVALID_REQUEST", "POST", "/v3/payscore/permissions/authorization-code/A1/terminate", map[string]any{"service_id": PayScoreNoConfirmServiceID, "reason": "x"})

	// No-confirm creation needs an AVAILABLE permission.
	f.fails(400, "INVALID_REQUEST", "POST", "/v3/payscore/serviceorder", psNoConfirmBody("O2", "u1"))

	// Authorize again, then the user revokes in WeChat.
	f.authorize("A3", "u1")
	require.Equal(t, "AVAILABLE", perm())
	require.NoError(t, f.s.PayScoreSimulateUserRevoke(f.ctx, PayScoreNoConfirmServiceID, "u1"))
	require.Equal(t, "UNAVAILABLE", perm())
	require.Error(t, f.s.PayScoreSimulateUserRevoke(f.ctx, PayScoreNoConfirmServiceID, "u1"))

	// By authorization code.
	f.authorize("A4", "u2")
	f.ok("POST", "/v3/payscore/permissions/authorization-code/A4/terminate", nil, map[string]any{"service_id": PayScoreNoConfirmServiceID, "reason": "x"})
	out = f.ok("GET", "/v3/payscore/permissions/authorization-code/A4", url.Values{"service_id": {PayScoreNoConfirmServiceID}}, nil)
	require.Equal(t, "UNAVAILABLE", out["authorization_state"])
}

func TestPayScoreOrderStateMachine(t *testing.T) {
	f := newPSFixture(t)
	f.authorize("A1", "u1")
	cancel := func(no, service string) map[string]any {
		return map[string]any{"appid": AppID, "service_id": service, "reason": "测试"}
	}
	sync := map[string]any{"appid": AppID, "service_id": PayScoreNoConfirmServiceID, "type": "Order_Paid", "detail": map[string]any{"paid_time": "20260301120000"}}
	pay := map[string]any{"appid": AppID, "service_id": PayScoreNoConfirmServiceID}
	modify := func(pay, discount, total int64) map[string]any {
		m := psComplete(PayScoreNoConfirmServiceID, pay, discount, total)
		delete(m, "time_range")
		m["reason"] = "调整"
		return m
	}

	// Confirm mode: CREATED → DOING/USER_CONFIRM → MCH_COMPLETE+USER_PAYING → DONE+USER_PAID.
	created := f.ok("POST", "/v3/payscore/serviceorder", nil, psConfirmBody("C1"))
	require.Equal(t, "CREATED", created["state"])
	require.NotEmpty(t, created["package"])
	require.Equal(t, "CREATED", f.state("C1", PayScoreConfirmServiceID))
	// Illegal from CREATED: complete, modify, sync, pay.
	f.fails(400, "INVALID_ORDER_STATE", "POST", "/v3/payscore/serviceorder/C1/complete", psComplete(PayScoreConfirmServiceID, 500, 0, 500))
	qid, err := f.s.PayScoreSimulateUserConfirm(f.ctx, "C1", "u9")
	require.NoError(t, err)
	require.Equal(t, "DOING/USER_CONFIRM", f.state("C1", PayScoreConfirmServiceID))
	byQID := f.ok("GET", "/v3/payscore/serviceorder", url.Values{"query_id": {qid}, "service_id": {PayScoreConfirmServiceID}, "appid": {AppID}}, nil)
	require.Equal(t, "C1", byQID["out_order_no"])
	require.Equal(t, "20260301100000", byQID["time_range"].(map[string]any)["start_time"], "OnAccept becomes the confirmation time")
	_, err = f.s.PayScoreSimulateUserConfirm(f.ctx, "C1", "u9")
	require.Error(t, err, "confirming twice")
	// Deposit-free: total may not exceed the deposit.
	ae := f.fails(400, "PARAM_ERROR", "POST", "/v3/payscore/serviceorder/C1/complete", psComplete(PayScoreConfirmServiceID, 10000, 0, 10000))
	require.Equal(t, "/total_amount", ae.Detail.Field)
	// The amount rule.
	ae = f.fails(400, "PARAM_ERROR", "POST", "/v3/payscore/serviceorder/C1/complete", psComplete(PayScoreConfirmServiceID, 500, 100, 500))
	require.Equal(t, "/total_amount", ae.Detail.Field)
	// end_time was not given at creation, so it is required now.
	noEnd := psComplete(PayScoreConfirmServiceID, 500, 100, 400)
	delete(noEnd, "time_range")
	ae = f.fails(400, "PARAM_ERROR", "POST", "/v3/payscore/serviceorder/C1/complete", noEnd)
	require.Equal(t, "/time_range/end_time", ae.Detail.Field)
	done := f.ok("POST", "/v3/payscore/serviceorder/C1/complete", nil, psComplete(PayScoreConfirmServiceID, 500, 100, 400))
	require.Equal(t, "MCH_COMPLETE", done["state_description"])
	require.Equal(t, "DOING/MCH_COMPLETE+USER_PAYING", f.state("C1", PayScoreConfirmServiceID))
	// Completing again with the same parameters is harmless; with others it is refused.
	f.ok("POST", "/v3/payscore/serviceorder/C1/complete", nil, psComplete(PayScoreConfirmServiceID, 500, 100, 400))
	f.fails(400, "INVALID_ORDER_STATE", "POST", "/v3/payscore/serviceorder/C1/complete", psComplete(PayScoreConfirmServiceID, 500, 200, 300))
	_, err = f.s.PayScoreSimulateUserPaid(f.ctx, "C1")
	require.NoError(t, err)
	require.Equal(t, "DONE+USER_PAID", f.state("C1", PayScoreConfirmServiceID))
	// Illegal from DONE.
	f.fails(400, "ORDER_DONE", "POST", "/v3/payscore/serviceorder/C1/cancel", cancel("C1", PayScoreConfirmServiceID))
	f.fails(400, "ORDER_DONE", "POST", "/v3/payscore/serviceorder/C1/complete", psComplete(PayScoreConfirmServiceID, 500, 100, 400))
	_, err = f.s.PayScoreSimulateUserPaid(f.ctx, "C1")
	require.Error(t, err)

	// No-confirm: DOING/USER_CONFIRM at once; modify lowers; sync ends it.
	n1 := f.ok("POST", "/v3/payscore/serviceorder", nil, psNoConfirmBody("N1", "u1"))
	require.Equal(t, "DOING", n1["state"])
	require.Equal(t, "USER_CONFIRM", n1["state_description"])
	// One unfinished order per user.
	f.fails(400, "INVALID_REQUEST", "POST", "/v3/payscore/serviceorder", psNoConfirmBody("N2", "u1"))
	// Illegal before completion: modify, sync, pay.
	f.fails(400, "INVALID_ORDER_STATE", "POST", "/v3/payscore/serviceorder/N1/modify", modify(3000, 0, 3000))
	f.fails(400, "INVALID_ORDER_STATE", "POST", "/v3/payscore/serviceorder/N1/sync", sync)
	f.fails(400, "INVALID_ORDER_STATE", "POST", "/v3/payscore/serviceorder/N1/pay", pay)
	// Enjoy-first: the ceiling caps the total.
	ae = f.fails(400, "PARAM_ERROR", "POST", "/v3/payscore/serviceorder/N1/complete", psComplete(PayScoreNoConfirmServiceID, PayScoreDefaultRiskCeiling+1, 0, PayScoreDefaultRiskCeiling+1))
	require.Equal(t, "/total_amount", ae.Detail.Field)
	f.ok("POST", "/v3/payscore/serviceorder/N1/complete", nil, psComplete(PayScoreNoConfirmServiceID, 4000, 0, 4000))
	f.ok("POST", "/v3/payscore/serviceorder/N1/pay", nil, pay)
	// Modify only lowers.
	ae = f.fails(400, "PARAM_ERROR", "POST", "/v3/payscore/serviceorder/N1/modify", modify(5000, 0, 5000))
	require.Equal(t, "/total_amount", ae.Detail.Field)
	m := f.ok("POST", "/v3/payscore/serviceorder/N1/modify", nil, modify(4000, 1000, 3000))
	require.EqualValues(t, 3000, m["total_amount"])
	require.EqualValues(t, 3000, m["collection"].(map[string]any)["paying_amount"])
	// Sync: exactly "Order_Paid".
	bad := map[string]any{"appid": AppID, "service_id": PayScoreNoConfirmServiceID, "type": "ORDER_PAID", "detail": map[string]any{"paid_time": "20260301120000"}}
	ae = f.fails(400, "PARAM_ERROR", "POST", "/v3/payscore/serviceorder/N1/sync", bad)
	require.Equal(t, "/type", ae.Detail.Field)
	synced := f.ok("POST", "/v3/payscore/serviceorder/N1/sync", nil, sync)
	require.Equal(t, "DONE", synced["state"])
	detail := synced["collection"].(map[string]any)["details"].([]any)[0].(map[string]any)
	require.Equal(t, "MCH", detail["paid_type"])
	f.fails(400, "ORDER_DONE", "POST", "/v3/payscore/serviceorder/N1/sync", sync)
	f.fails(400, "ORDER_DONE", "POST", "/v3/payscore/serviceorder/N1/modify", modify(1000, 0, 1000))

	// Cancel from DOING/MCH_COMPLETE (still USER_PAYING) → REVOKED.
	f.ok("POST", "/v3/payscore/serviceorder", nil, psNoConfirmBody("N3", "u1"))
	f.ok("POST", "/v3/payscore/serviceorder/N3/complete", nil, psComplete(PayScoreNoConfirmServiceID, 100, 0, 100))
	f.ok("POST", "/v3/payscore/serviceorder/N3/cancel", nil, cancel("N3", PayScoreNoConfirmServiceID))
	require.Equal(t, "REVOKED+USER_PAYING", f.state("N3", PayScoreNoConfirmServiceID))                 // never deducted
	f.ok("POST", "/v3/payscore/serviceorder/N3/cancel", nil, cancel("N3", PayScoreNoConfirmServiceID)) // identical repeat
	f.fails(400, "ORDER_CANCELED", "POST", "/v3/payscore/serviceorder/N3/complete", psComplete(PayScoreNoConfirmServiceID, 100, 0, 100))
	f.fails(400, "ORDER_CANCELED", "POST", "/v3/payscore/serviceorder/N3/pay", pay)
	_, err = f.s.PayScoreSimulateUserPaid(f.ctx, "N3")
	require.Error(t, err)

	// Cancel from CREATED; EXPIRED after 30 days, by control or by clock.
	f.ok("POST", "/v3/payscore/serviceorder", nil, psConfirmBody("C2"))
	f.ok("POST", "/v3/payscore/serviceorder/C2/cancel", nil, cancel("C2", PayScoreConfirmServiceID))
	require.Equal(t, "REVOKED", f.state("C2", PayScoreConfirmServiceID))
	f.ok("POST", "/v3/payscore/serviceorder", nil, psConfirmBody("C3"))
	require.NoError(t, f.s.PayScoreExpireOrder("C3"))
	require.Equal(t, "EXPIRED", f.state("C3", PayScoreConfirmServiceID))
	f.fails(400, "INVALID_ORDER_STATE", "POST", "/v3/payscore/serviceorder/C3/cancel", cancel("C3", PayScoreConfirmServiceID))
	_, err = f.s.PayScoreSimulateUserConfirm(f.ctx, "C3", "u9")
	require.Error(t, err)
	f.ok("POST", "/v3/payscore/serviceorder", nil, psConfirmBody("C4"))
	f.clock.Add(int64(30 * 24 * time.Hour / time.Second))
	require.Equal(t, "EXPIRED", f.state("C4", PayScoreConfirmServiceID))
}

func TestPayScoreCreateRules(t *testing.T) {
	f := newPSFixture(t)
	f.authorize("A1", "u1")
	mutate := func(base map[string]any, k string, v any) map[string]any {
		m := map[string]any{}
		for kk, vv := range base {
			m[kk] = vv
		}
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}
	base := psNoConfirmBody("R1", "u1")
	cases := []struct {
		name, field string
		body        map[string]any
	}{
		{"openid required without confirmation", "/openid", mutate(base, "openid", nil)},
		{"enjoy-first risk fund name", "/risk_fund/name", mutate(base, "risk_fund", map[string]any{"name": "DEPOSIT", "amount": 100})},
		{"unknown risk fund name", "/risk_fund/name", mutate(base, "risk_fund", map[string]any{"name": "UDEPOSIT", "amount": 100})},
		{"risk ceiling", "/risk_fund/amount", mutate(base, "risk_fund", map[string]any{"name": "ESTIMATE_ORDER_COST", "amount": PayScoreDefaultRiskCeiling + 1})},
		{"introduction length", "/service_introduction", mutate(base, "service_introduction", "一二三四五六七八九十一二三四五六七八九十一")},
		{"duplicate item names", "/post_payments/1/name", mutate(base, "post_payments", []any{map[string]any{"name": "A"}, map[string]any{"name": "A"}})},
		{"discount description", "/post_discounts/0/description", mutate(base, "post_discounts", []any{map[string]any{"name": "D"}})},
		{"end time is no keyword", "/time_range/end_time", mutate(base, "time_range", map[string]any{"start_time": "20260301100000", "end_time": "OnAccept"})},
		{"start time format", "/time_range/start_time", mutate(base, "time_range", map[string]any{"start_time": "2026-03-01"})},
		{"notify_url query", "/notify_url", mutate(base, "notify_url", "https://x.example.com/n?a=1")},
		{"out_order_no charset", "/out_order_no", mutate(base, "out_order_no", "bad no")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ae := f.fails(400, "PARAM_ERROR", "POST", "/v3/payscore/serviceorder", tc.body)
			require.Equal(t, tc.field, ae.Detail.Field)
		})
	}
	items := make([]any, 101)
	for i := range items {
		items[i] = map[string]any{"name": "项目" + string(rune('a'+i%26)) + string(rune('a'+i/26))}
	}
	f.fails(400, "PARAM_ERROR", "POST", "/v3/payscore/serviceorder", mutate(base, "post_payments", items))
	// Mode mismatch and unknown service.
	f.fails(403, "NO_AUTH", "POST", "/v3/payscore/serviceorder", mutate(base, "need_user_confirm", true))
	f.fails(403, "NO_AUTH", "POST", "/v3/payscore/serviceorder", mutate(base, "service_id", "999"))
	f.fails(400, "PARAM_ERROR", "POST", "/v3/payscore/serviceorder", mutate(base, "appid", "wx0000000000000000"))
	// Idempotent on identical parameters only.
	first := f.ok("POST", "/v3/payscore/serviceorder", nil, base)
	again := f.ok("POST", "/v3/payscore/serviceorder", nil, base)
	require.Equal(t, first["order_id"], again["order_id"])
	require.Equal(t, first["package"], again["package"])
	f.fails(400, "INVALID_REQUEST", "POST", "/v3/payscore/serviceorder", mutate(base, "service_introduction", "别的"))
	// Query: exactly one key; unknown order.
	_, err := f.call("GET", "/v3/payscore/serviceorder", url.Values{"service_id": {PayScoreNoConfirmServiceID}, "appid": {AppID}}, nil)
	ae, _ := core.IsAPIError(err)
	require.Equal(t, "PARAM_ERROR", ae.Code)
	_, err = f.call("GET", "/v3/payscore/serviceorder", url.Values{"out_order_no": {"R1"}, "query_id": {"q"}, "service_id": {PayScoreNoConfirmServiceID}, "appid": {AppID}}, nil)
	ae, _ = core.IsAPIError(err)
	require.Equal(t, "PARAM_ERROR", ae.Code)
	_, err = f.call("GET", "/v3/payscore/serviceorder", url.Values{"out_order_no": {"NOPE"}, "service_id": {PayScoreNoConfirmServiceID}, "appid": {AppID}}, nil)
	ae, _ = core.IsAPIError(err)
	require.Equal(t, "ORDER_NOT_EXIST", ae.Code)
	f.fails(404, "ORDER_NOT_EXIST", "POST", "/v3/payscore/serviceorder/NOPE/cancel", map[string]any{"appid": AppID, "service_id": PayScoreNoConfirmServiceID, "reason": "x"})
	// Cancel must use the creation appid... and a reason of at most 50 characters.
	long := ""
	for i := 0; i < 51; i++ {
		long += "因"
	}
	ae = f.fails(400, "PARAM_ERROR", "POST", "/v3/payscore/serviceorder/R1/cancel", map[string]any{"appid": AppID, "service_id": PayScoreNoConfirmServiceID, "reason": long})
	require.Equal(t, "/reason", ae.Detail.Field)
}

func TestPayScoreCallbacksAndLedger(t *testing.T) {
	f := newPSFixture(t)
	var mu sync.Mutex
	var got []string
	var resources []map[string]any
	h, err := notify.NewHandler(f.c, notify.WithFallback(func(_ context.Context, n *notify.Notification) error {
		var m map[string]any
		if err := json.Unmarshal(n.Plaintext, &m); err != nil {
			return err
		}
		mu.Lock()
		got = append(got, n.EventType)
		resources = append(resources, m)
		mu.Unlock()
		return nil
	}))
	require.NoError(t, err)
	local := httptest.NewServer(h)
	t.Cleanup(local.Close)
	srv := local.URL

	pre := f.ok("POST", "/v3/payscore/permissions", nil, map[string]any{"service_id": PayScoreNoConfirmServiceID, "appid": AppID, "authorization_code": "A1", "notify_url": srv + "/auth"})
	require.NoError(t, f.s.PayScoreSimulateUserAuthorize(f.ctx, pre["apply_permissions_token"].(string), "u1"))
	body := psNoConfirmBody("L1", "u1")
	body["notify_url"] = srv + "/order"
	f.ok("POST", "/v3/payscore/serviceorder", nil, body)
	f.ok("POST", "/v3/payscore/serviceorder/L1/complete", nil, psComplete(PayScoreNoConfirmServiceID, 4000, 100, 3900))
	tx, err := f.s.PayScoreSimulateUserPaid(f.ctx, "L1")
	require.NoError(t, err)
	require.Len(t, tx, 28)
	require.NoError(t, f.s.PayScoreSimulateUserRevoke(f.ctx, PayScoreNoConfirmServiceID, "u1"))

	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, []string{"PAYSCORE.USER_OPEN_SERVICE", "PAYSCORE.USER_PAID", "PAYSCORE.USER_CLOSE_SERVICE"}, got)
	require.Equal(t, "USER_OPEN_SERVICE", resources[0]["user_service_status"])
	require.Equal(t, "A1", resources[0]["authorization_code"])
	require.Equal(t, "DONE", resources[1]["state"])
	require.EqualValues(t, 3900, resources[1]["collection"].(map[string]any)["paid_amount"])

	ledger := f.s.Ledger()
	require.Len(t, ledger, 1)
	e := ledger[0]
	require.Equal(t, "AUTH", e.TradeType)
	require.Equal(t, "SUCCESS", e.TradeState)
	require.Equal(t, tx, e.TransactionID)
	require.EqualValues(t, 3900, e.AmountFen)
	require.Equal(t, "wxzff|"+resources[1]["order_id"].(string)+"|L1", e.Attach)
	require.Equal(t, "u1", e.OpenID)

	// Callbacks to non-loopback URLs are dropped, never sent.
	f.authorize("A2", "u2")
	b2 := psNoConfirmBody("L2", "u2")
	f.ok("POST", "/v3/payscore/serviceorder", nil, b2)
	f.ok("POST", "/v3/payscore/serviceorder/L2/complete", nil, psComplete(PayScoreNoConfirmServiceID, 100, 0, 100))
	mu.Unlock()
	_, err = f.s.PayScoreSimulateUserPaid(f.ctx, "L2")
	require.NoError(t, err)
	mu.Lock()
	require.Len(t, got, 3)
}

// Requests the spec allows with optional fields left out, or with values it
// sets no limit on, are accepted; documented limits are enforced.
func TestPayScoreAcceptsWhatTheSpecAllows(t *testing.T) {
	f := newPSFixture(t)
	f.authorize("A1", "u1")

	// OnAccept is a documented start time in no-confirm mode too: the
	// order is accepted as it is created.
	body := psNoConfirmBody("K1", "u1")
	body["time_range"] = map[string]any{"start_time": "OnAccept"}
	created := f.ok("POST", "/v3/payscore/serviceorder", nil, body)
	require.Equal(t, "DOING", created["state"])
	require.Equal(t, "20260301100000", created["time_range"].(map[string]any)["start_time"])
	again := f.ok("POST", "/v3/payscore/serviceorder", nil, body)
	require.Equal(t, created["order_id"], again["order_id"], "identical parameters: the same order")

	// Cancel: service_id is optional (current doc page); appid is not.
	f.fails(400, "PARAM_ERROR", "POST", "/v3/payscore/serviceorder/K1/cancel", map[string]any{"reason": "测试"})
	f.ok("POST", "/v3/payscore/serviceorder/K1/cancel", nil, map[string]any{"appid": AppID, "reason": "测试"})
	require.Equal(t, "REVOKED", f.state("K1", PayScoreNoConfirmServiceID))
	// A given service_id must still be the order's.
	f.ok("POST", "/v3/payscore/serviceorder", nil, psConfirmBody("K2"))
	f.fails(404, "ORDER_NOT_EXIST", "POST", "/v3/payscore/serviceorder/K2/cancel", map[string]any{"appid": AppID, "service_id": PayScoreNoConfirmServiceID, "reason": "测试"})

	// Pay: appid and service_id are optional, and so is the body.
	f.ok("POST", "/v3/payscore/serviceorder", nil, psNoConfirmBody("K3", "u1"))
	f.ok("POST", "/v3/payscore/serviceorder/K3/complete", nil, psComplete(PayScoreNoConfirmServiceID, 4000, 0, 4000))
	out := f.ok("POST", "/v3/payscore/serviceorder/K3/pay", nil, map[string]any{})
	require.Equal(t, AppID, out["appid"])
	require.Equal(t, PayScoreNoConfirmServiceID, out["service_id"])
	f.ok("POST", "/v3/payscore/serviceorder/K3/pay", nil, nil)
	f.fails(400, "PARAM_ERROR", "POST", "/v3/payscore/serviceorder/K3/pay", map[string]any{"appid": "wx0000000000000000"})

	// The modify reason has no documented maximum length.
	long := strings.Repeat("因", 80)
	m := psComplete(PayScoreNoConfirmServiceID, 4000, 1000, 3000)
	delete(m, "time_range")
	m["reason"] = long
	f.ok("POST", "/v3/payscore/serviceorder/K3/modify", nil, m)

	// Nor does openid at creation: a long one is refused only because that
	// user has not authorized.
	f.fails(400, "INVALID_REQUEST", "POST", "/v3/payscore/serviceorder", psNoConfirmBody("K4", strings.Repeat("o", 200)))

	// Authorization codes are digits, letters and _-* only.
	ae := f.fails(400, "PARAM_ERROR", "POST", "/v3/payscore/permissions", map[string]any{"service_id": PayScoreNoConfirmServiceID, "appid": AppID, "authorization_code": "A|1"})
	require.Equal(t, "/authorization_code", ae.Detail.Field)
	f.ok("POST", "/v3/payscore/permissions", nil, map[string]any{"service_id": PayScoreNoConfirmServiceID, "appid": AppID, "authorization_code": "A_-*1"})
}

// Every order operation in every state: the legal transitions and the
// refusal of the others, with the documented error codes.
func TestPayScoreOperationStateMatrix(t *testing.T) {
	f := newPSFixture(t)
	svc := PayScoreConfirmServiceID
	n := 0
	// reach creates a confirm-mode order and brings it to state.
	reach := func(state string) string {
		t.Helper()
		n++
		no := "MX" + string(rune('A'+n/26)) + string(rune('A'+n%26))
		f.ok("POST", "/v3/payscore/serviceorder", nil, psConfirmBody(no))
		switch state {
		case "CREATED":
			return no
		case "EXPIRED":
			require.NoError(t, f.s.PayScoreExpireOrder(no))
			return no
		case "REVOKED":
			f.ok("POST", "/v3/payscore/serviceorder/"+no+"/cancel", nil, map[string]any{"appid": AppID, "service_id": svc, "reason": "测试"})
			return no
		}
		_, err := f.s.PayScoreSimulateUserConfirm(f.ctx, no, "u-"+no)
		require.NoError(t, err)
		if state == "DOING/USER_CONFIRM" {
			return no
		}
		f.ok("POST", "/v3/payscore/serviceorder/"+no+"/complete", nil, psComplete(svc, 500, 100, 400))
		if state == "DOING/MCH_COMPLETE" {
			return no
		}
		_, err = f.s.PayScoreSimulateUserPaid(f.ctx, no)
		require.NoError(t, err)
		return no
	}
	modify := psComplete(svc, 500, 200, 300)
	delete(modify, "time_range")
	modify["reason"] = "调整"
	ops := []struct {
		name string
		body map[string]any
	}{
		{"cancel", map[string]any{"appid": AppID, "service_id": svc, "reason": "另一个原因"}},
		{"complete", psComplete(svc, 500, 0, 500)},
		{"modify", modify},
		{"sync", map[string]any{"appid": AppID, "service_id": svc, "type": "Order_Paid", "detail": map[string]any{"paid_time": "20260301120000"}}},
		{"pay", map[string]any{"appid": AppID, "service_id": svc}},
	}
	// want: "" = allowed, then the state after; otherwise the error code.
	type outcome struct{ code, after string }
	matrix := map[string]map[string]outcome{
		"CREATED": {
			"cancel": {"", "REVOKED"}, "complete": {"INVALID_ORDER_STATE", ""}, "modify": {"INVALID_ORDER_STATE", ""},
			"sync": {"INVALID_ORDER_STATE", ""}, "pay": {"INVALID_ORDER_STATE", ""},
		},
		"DOING/USER_CONFIRM": {
			"cancel": {"", "REVOKED"}, "complete": {"", "DOING/MCH_COMPLETE+USER_PAYING"}, "modify": {"INVALID_ORDER_STATE", ""},
			"sync": {"INVALID_ORDER_STATE", ""}, "pay": {"INVALID_ORDER_STATE", ""},
		},
		"DOING/MCH_COMPLETE": {
			"cancel": {"", "REVOKED+USER_PAYING"}, "complete": {"INVALID_ORDER_STATE", ""}, "modify": {"", "DOING/MCH_COMPLETE+USER_PAYING"},
			"sync": {"", "DONE+USER_PAID"}, "pay": {"", "DOING/MCH_COMPLETE+USER_PAYING"},
		},
		"DONE": {
			"cancel": {"ORDER_DONE", ""}, "complete": {"ORDER_DONE", ""}, "modify": {"ORDER_DONE", ""},
			"sync": {"ORDER_DONE", ""}, "pay": {"ORDER_DONE", ""},
		},
		"REVOKED": {
			"cancel": {"ORDER_CANCELED", ""}, "complete": {"ORDER_CANCELED", ""}, "modify": {"ORDER_CANCELED", ""},
			"sync": {"ORDER_CANCELED", ""}, "pay": {"ORDER_CANCELED", ""},
		},
		"EXPIRED": {
			"cancel": {"INVALID_ORDER_STATE", ""}, "complete": {"INVALID_ORDER_STATE", ""}, "modify": {"INVALID_ORDER_STATE", ""},
			"sync": {"INVALID_ORDER_STATE", ""}, "pay": {"INVALID_ORDER_STATE", ""},
		},
	}
	for _, state := range []string{"CREATED", "DOING/USER_CONFIRM", "DOING/MCH_COMPLETE", "DONE", "REVOKED", "EXPIRED"} {
		for _, op := range ops {
			want := matrix[state][op.name]
			no := reach(state)
			path := "/v3/payscore/serviceorder/" + no + "/" + op.name
			before := f.state(no, svc)
			if want.code != "" {
				f.fails(400, want.code, "POST", path, op.body)
				require.Equal(t, before, f.state(no, svc), "%s in %s must not change the order", op.name, state)
				continue
			}
			f.ok("POST", path, nil, op.body)
			require.Equal(t, want.after, f.state(no, svc), "%s in %s", op.name, state)
		}
	}
}
