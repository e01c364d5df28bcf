package sandbox

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"
)

func (f *rfFixture) authorizePayScore(code, openID string) {
	f.t.Helper()
	out := f.ok("POST", "/v3/payscore/permissions", nil, map[string]any{"service_id": PayScoreNoConfirmServiceID, "appid": AppID, "authorization_code": code})
	require.NoError(f.t, f.s.PayScoreSimulateUserAuthorize(f.ctx, out["apply_permissions_token"].(string), openID))
}

func dcBody(no, openID string) map[string]any {
	return map[string]any{
		"out_order_no": no, "appid": AppID, "openid": openID, "service_id": PayScoreNoConfirmServiceID,
		"service_introduction": "停车服务",
		"post_payments":        []any{map[string]any{"name": "停车费", "amount": 1500, "count": 1}},
		"post_discounts":       []any{map[string]any{"name": "会员减免", "description": "会员日", "amount": 500}},
		"time_range":           map[string]any{"start_time": "20260520080000", "end_time": "20260520093000", "start_time_remark": "入场"},
		"total_amount":         1000,
		"notify_url":           "https://merchant.example.com/payscore/notify",
	}
}

func TestPayScoreDirectComplete(t *testing.T) {
	f := newRFFixture(t)
	const path = PayScoreDirectCompletePath

	// Closed by default: WeChat Pay opens it on request.
	f.fails(403, "NO_AUTH", "POST", path, nil, dcBody("DC-ORDER-1", "u1"))
	require.ErrorContains(t, f.s.PayScoreEnableDirectComplete(PayScoreConfirmServiceID), "no-confirm")
	require.ErrorContains(t, f.s.PayScoreEnableDirectComplete("nope"), "no such")
	require.NoError(t, f.s.PayScoreEnableDirectComplete(PayScoreNoConfirmServiceID))

	// Only for a user who authorized the service.
	f.fails(400, "INVALID_REQUEST", "POST", path, nil, dcBody("DC-ORDER-1", "u1"))
	f.authorizePayScore("AUTH-DC", "u1")

	// Served without the /v3 prefix, exactly as documented.
	f.fails(404, "NOT_FOUND", "POST", "/v3"+path, nil, dcBody("DC-ORDER-1", "u1"))

	out := f.ok("POST", path, nil, dcBody("DC-ORDER-1", "u1"))
	require.Equal(t, "DOING", out["state"])
	require.Equal(t, "MCH_COMPLETE", out["state_description"])
	require.EqualValues(t, 1000, out["total_amount"])
	require.Equal(t, MerchantID, out["mchid"])
	require.NotEmpty(t, out["order_id"])
	require.Nil(t, out["risk_fund"], "direct-complete documents no risk_fund")

	// Idempotent on identical parameters; a different body is refused.
	require.Equal(t, out["order_id"], f.ok("POST", path, nil, dcBody("DC-ORDER-1", "u1"))["order_id"])
	changed := dcBody("DC-ORDER-1", "u1")
	changed["service_introduction"] = "洗车服务"
	f.fails(400, "INVALID_REQUEST", "POST", path, nil, changed)

	// The order follows the usual life: deducted, DONE, refundable.
	q := f.ok("GET", "/v3/payscore/serviceorder", url.Values{"out_order_no": {"DC-ORDER-1"}, "service_id": {PayScoreNoConfirmServiceID}, "appid": {AppID}}, nil)
	require.Equal(t, "USER_PAYING", q["collection"].(map[string]any)["state"])
	txID, err := f.s.PayScoreSimulateUserPaid(f.ctx, "DC-ORDER-1")
	require.NoError(t, err)
	q = f.ok("GET", "/v3/payscore/serviceorder", url.Values{"out_order_no": {"DC-ORDER-1"}, "service_id": {PayScoreNoConfirmServiceID}, "appid": {AppID}}, nil)
	require.Equal(t, "DONE", q["state"])
	r := f.refund(map[string]any{"transaction_id": txID, "out_refund_no": "DC-R1", "amount": map[string]any{"refund": 400, "total": 1000, "currency": "CNY"}})
	require.Equal(t, "PROCESSING", r["status"])
	// out_order_no is no payment number.
	f.fails(404, "RESOURCE_NOT_EXISTS", "POST", "/v3/refund/domestic/refunds", nil,
		map[string]any{"out_trade_no": "DC-ORDER-1", "out_refund_no": "DC-R2", "amount": map[string]any{"refund": 1, "total": 1000, "currency": "CNY"}})

	// A zero total is done at once.
	free := dcBody("DC-FREE", "u1")
	free["post_payments"] = []any{map[string]any{"name": "停车费", "amount": 500}}
	free["total_amount"] = 0
	require.Equal(t, "DONE", f.ok("POST", path, nil, free)["state"])
}

func TestPayScoreDirectCompleteRules(t *testing.T) {
	f := newRFFixture(t)
	require.NoError(t, f.s.PayScoreEnableDirectComplete(PayScoreNoConfirmServiceID))
	f.authorizePayScore("AUTH-DC", "u1")
	six := make([]any, 6)
	for i := range six {
		six[i] = map[string]any{"name": string(rune('A' + i)), "description": "d", "amount": 0}
	}
	cases := []struct {
		name  string
		edit  func(m map[string]any)
		field string
	}{
		{"openid", func(m map[string]any) { delete(m, "openid") }, "/openid"},
		{"payments", func(m map[string]any) { delete(m, "post_payments") }, "/post_payments"},
		{"six discounts", func(m map[string]any) { m["post_discounts"] = six }, "/post_discounts"},
		{"discount description", func(m map[string]any) {
			m["post_discounts"] = []any{map[string]any{"name": "会员减免", "amount": 500}}
		}, "/post_discounts/0/description"},
		{"OnAccept", func(m map[string]any) { m["time_range"] = map[string]any{"start_time": "OnAccept"} }, "/time_range/start_time"},
		{"no start", func(m map[string]any) { m["time_range"] = map[string]any{} }, "/time_range/start_time"},
		{"start remark", func(m map[string]any) {
			m["time_range"] = map[string]any{"start_time": "20260520080000", "start_time_remark": "一二三四五六七八九十一二三四五六七八九十一"}
		}, "/time_range/start_time_remark"},
		{"total", func(m map[string]any) { m["total_amount"] = 1500 }, "/total_amount"},
		{"no total", func(m map[string]any) { delete(m, "total_amount") }, "/total_amount"},
		{"notify query", func(m map[string]any) { m["notify_url"] = "https://merchant.example.com/n?x=1" }, "/notify_url"},
	}
	for _, tc := range cases {
		body := dcBody("DC-BAD", "u1")
		tc.edit(body)
		ae := f.fails(400, "PARAM_ERROR", "POST", PayScoreDirectCompletePath, nil, body)
		require.NotNil(t, ae.Detail, tc.name)
		require.Equal(t, tc.field, ae.Detail.Field, tc.name)
	}
	// Above the service's risk ceiling.
	big := dcBody("DC-BIG", "u1")
	big["post_payments"] = []any{map[string]any{"name": "停车费", "amount": PayScoreDefaultRiskCeiling + 500}}
	big["post_discounts"] = []any{}
	big["total_amount"] = PayScoreDefaultRiskCeiling + 500
	f.fails(400, "PARAM_ERROR", "POST", PayScoreDirectCompletePath, nil, big)
}

func TestPayScoreUserServiceState(t *testing.T) {
	f := newRFFixture(t)
	q := url.Values{"appid": {AppID}, "service_id": {PayScoreNoConfirmServiceID}, "openid": {"u1"}}
	out := f.ok("GET", "/v3/payscore/user-service-state", q, nil)
	require.Equal(t, map[string]any{"appid": AppID, "service_id": PayScoreNoConfirmServiceID, "openid": "u1", "use_service_state": "UNAVAILABLE"}, out)

	f.authorizePayScore("AUTH-S", "u1")
	require.Equal(t, "AVAILABLE", f.ok("GET", "/v3/payscore/user-service-state", q, nil)["use_service_state"])

	require.NoError(t, f.s.PayScoreSimulateUserRevoke(f.ctx, PayScoreNoConfirmServiceID, "u1"))
	require.Equal(t, "UNAVAILABLE", f.ok("GET", "/v3/payscore/user-service-state", q, nil)["use_service_state"])

	f.fails(400, "PARAM_ERROR", "GET", "/v3/payscore/user-service-state", url.Values{"appid": {AppID}, "service_id": {PayScoreNoConfirmServiceID}}, nil)
	f.fails(403, "NO_AUTH", "GET", "/v3/payscore/user-service-state", url.Values{"appid": {AppID}, "service_id": {"999"}, "openid": {"u1"}}, nil)
	f.fails(400, "PARAM_ERROR", "GET", "/v3/payscore/user-service-state", url.Values{"appid": {"wx0"}, "service_id": {PayScoreNoConfirmServiceID}, "openid": {"u1"}}, nil)
}
