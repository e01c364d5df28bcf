package sandbox

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/notify"
)

// The partner pay-score simulation, driven with raw signed requests like
// the direct one (payscore_test.go), independently of package partner.

const (
	pspSub  = PayScorePartnerSubMchID
	pspSub2 = PayScorePartnerSecondSubMchID
	pspBase = "/v3/payscore/partner"
)

func pspPreAuth(sub, code string) map[string]any {
	return map[string]any{"service_id": PayScoreNoConfirmServiceID, "appid": AppID, "sub_mchid": sub, "authorization_code": code}
}

// pspAuthorize pre-authorizes code for sub and lets openID authorize it.
func (f *psFixture) pspAuthorize(sub, code, openID, subOpenID string) {
	f.t.Helper()
	body := pspPreAuth(sub, code)
	if subOpenID != "" {
		body["sub_appid"] = PayScorePartnerSubAppID
	}
	out := f.ok("POST", pspBase+"/permissions", nil, body)
	require.NoError(f.t, f.s.PayScorePartnerSimulateUserAuthorize(f.ctx, out["apply_permissions_token"].(string), openID, subOpenID))
}

func pspConfirmBody(sub, no string) map[string]any {
	b := psConfirmBody(no)
	b["sub_mchid"] = sub
	return b
}

func pspNoConfirmBody(sub, no, openID string) map[string]any {
	b := psNoConfirmBody(no, openID)
	b["sub_mchid"] = sub
	return b
}

// pspComplete is a partner complete body: sub_mchid instead of appid.
func pspComplete(sub, service string, pay, discount, total int64) map[string]any {
	b := psComplete(service, pay, discount, total)
	delete(b, "appid")
	b["sub_mchid"] = sub
	b["post_discounts"].([]any)[0].(map[string]any)["description"] = "优惠说明"
	return b
}

func (f *psFixture) pspQuery(sub, no string) map[string]any {
	f.t.Helper()
	return f.ok("GET", pspBase+"/serviceorder", url.Values{"sub_mchid": {sub}, "out_order_no": {no}}, nil)
}

func (f *psFixture) pspState(sub, no string) string {
	f.t.Helper()
	o := f.pspQuery(sub, no)
	st, _ := o["state"].(string)
	if d, ok := o["state_description"].(string); ok {
		st += "/" + d
	}
	if col, ok := o["collection"].(map[string]any); ok {
		st += "+" + col["state"].(string)
	}
	return st
}

// noContent calls and requires the documented 204 with no body.
func (f *psFixture) noContent(method, path string, q url.Values, body any) {
	f.t.Helper()
	var out map[string]any
	resp, err := f.c.Do(f.ctx, &core.Request{Method: method, Path: path, Query: q, Body: body}, &out)
	require.NoError(f.t, err)
	require.Equal(f.t, http.StatusNoContent, resp.StatusCode)
	require.Empty(f.t, resp.Body)
}

func (f *psFixture) pspPermission(q url.Values) map[string]any {
	f.t.Helper()
	return f.ok("GET", pspBase+"/permissions/search", q, nil)
}

func TestPayScorePartnerPermissionLifecycle(t *testing.T) {
	f := newPSFixture(t)
	byOpenID := url.Values{"service_id": {PayScoreNoConfirmServiceID}, "appid": {AppID}, "sub_mchid": {pspSub}, "openid": {"u1"}}
	bySubOpenID := url.Values{"service_id": {PayScoreNoConfirmServiceID}, "appid": {AppID}, "sub_mchid": {pspSub}, "sub_appid": {PayScorePartnerSubAppID}, "sub_openid": {"su1"}}
	byCode := func(code, sub string) (map[string]any, error) {
		return f.call("GET", pspBase+"/permissions/authorization-code/"+url.PathEscape(code), url.Values{"service_id": {PayScoreNoConfirmServiceID}, "sub_mchid": {sub}}, nil)
	}

	// Never authorized: UNAVAILABLE, echoing the sub-merchant.
	p := f.pspPermission(byOpenID)
	require.Equal(t, "UNAVAILABLE", p["authorization_state"])
	require.Equal(t, pspSub, p["sub_mchid"])
	require.Equal(t, MerchantID, p["mchid"], "mchid is the service provider")

	// Pre-authorize with a sub_appid: UNBINDUSER until the user authorizes.
	body := pspPreAuth(pspSub, "PA|1")
	body["sub_appid"] = PayScorePartnerSubAppID
	body["notify_url"] = "https://sp.example.com/auth"
	tok := f.ok("POST", pspBase+"/permissions", nil, body)["apply_permissions_token"].(string)
	got, err := byCode("PA|1", pspSub)
	require.NoError(t, err)
	require.Equal(t, "UNBINDUSER", got["authorization_state"])
	require.Equal(t, "https://sp.example.com/auth", got["notify_url"])
	require.Equal(t, PayScorePartnerSubAppID, got["sub_appid"])
	_, err = byCode("PA|1", pspSub2)
	requireCode(t, err, 404, "RESOURCE_NOT_EXISTS")
	// The same number for another sub-merchant is refused.
	f.fails(400, "INVALID_REQUEST", "POST", pspBase+"/permissions", pspPreAuth(pspSub2, "PA|1"))

	// UNBINDUSER → AVAILABLE, found by openid and by sub_appid + sub_openid.
	require.NoError(t, f.s.PayScorePartnerSimulateUserAuthorize(f.ctx, tok, "u1", "su1"))
	require.Error(t, f.s.PayScorePartnerSimulateUserAuthorize(f.ctx, tok, "u1", "su1"), "a token is used once")
	for _, q := range []url.Values{byOpenID, bySubOpenID} {
		p = f.pspPermission(q)
		require.Equal(t, "AVAILABLE", p["authorization_state"])
		require.Equal(t, "u1", p["openid"])
		require.Equal(t, "su1", p["sub_openid"])
		require.Equal(t, "PA|1", p["authorization_code"])
		require.NotEmpty(t, p["authorization_success_time"])
	}
	// Not for the other sub-merchant.
	other := url.Values{"service_id": {PayScoreNoConfirmServiceID}, "appid": {AppID}, "sub_mchid": {pspSub2}, "openid": {"u1"}}
	require.Equal(t, "UNAVAILABLE", f.pspPermission(other)["authorization_state"])

	// AVAILABLE → refused while an order is unfinished → UNAVAILABLE.
	f.ok("POST", pspBase+"/serviceorder", nil, pspNoConfirmBody(pspSub, "PO1", "u1"))
	terminate := map[string]any{"service_id": PayScoreNoConfirmServiceID, "sub_mchid": pspSub, "appid": AppID, "openid": "u1", "reason": "撤销"}
	f.fails(400, "INVALID_REQUEST", "POST", pspBase+"/permissions/terminate", terminate)
	require.Error(t, f.s.PayScorePartnerSimulateUserRevoke(f.ctx, pspSub, PayScoreNoConfirmServiceID, "u1"))
	f.noContent("POST", pspBase+"/serviceorder/PO1/cancel", nil, map[string]any{"sub_mchid": pspSub, "reason": "测试"})
	f.noContent("POST", pspBase+"/permissions/terminate", nil, terminate)
	p = f.pspPermission(bySubOpenID)
	require.Equal(t, "UNAVAILABLE", p["authorization_state"])
	require.NotEmpty(t, p["cancel_authorization_time"])
	f.fails(400, "INVALID_REQUEST", "POST", pspBase+"/permissions/terminate", terminate)

	// By authorization code, and by the user in WeChat.
	f.pspAuthorize(pspSub, "PA2", "u2", "")
	f.noContent("POST", pspBase+"/permissions/authorization-code/PA2/terminate", nil, map[string]any{"service_id": PayScoreNoConfirmServiceID, "sub_mchid": pspSub, "reason": "撤销"})
	got, err = byCode("PA2", pspSub)
	require.NoError(t, err)
	require.Equal(t, "UNAVAILABLE", got["authorization_state"])
	f.fails(404, "RESOURCE_NOT_EXISTS", "POST", pspBase+"/permissions/authorization-code/NOPE/terminate", map[string]any{"service_id": PayScoreNoConfirmServiceID, "sub_mchid": pspSub, "reason": "撤销"})
	f.pspAuthorize(pspSub, "PA3", "u3", "")
	require.NoError(t, f.s.PayScorePartnerSimulateUserRevoke(f.ctx, pspSub, PayScoreNoConfirmServiceID, "u3"))
	got, err = byCode("PA3", pspSub)
	require.NoError(t, err)
	require.Equal(t, "UNAVAILABLE", got["authorization_state"])

	// The token expires after an hour.
	tok = f.ok("POST", pspBase+"/permissions", nil, pspPreAuth(pspSub, "PA4"))["apply_permissions_token"].(string)
	f.clock.Add(int64(time.Hour / time.Second))
	require.ErrorContains(t, f.s.PayScorePartnerSimulateUserAuthorize(f.ctx, tok, "u4", ""), "expired")
	// A sub_openid needs a pre-authorization with a sub_appid.
	tok = f.ok("POST", pspBase+"/permissions", nil, pspPreAuth(pspSub, "PA5"))["apply_permissions_token"].(string)
	require.ErrorContains(t, f.s.PayScorePartnerSimulateUserAuthorize(f.ctx, tok, "u5", "su5"), "sub_appid")
	// Confirm-mode services have no pre-authorization.
	b := pspPreAuth(pspSub, "PA6")
	b["service_id"] = PayScoreConfirmServiceID
	f.fails(403, "NO_AUTH", "POST", pspBase+"/permissions", b)
}

func requireCode(t *testing.T, err error, status int, code string) {
	t.Helper()
	ae, ok := core.IsAPIError(err)
	require.True(t, ok, "want an API error, got %v", err)
	require.Equal(t, status, ae.StatusCode)
	require.Equal(t, code, ae.Code)
}

// A service provider reaches only its own sub-merchants that accepted the
// product, and a sub-merchant's orders only through that sub-merchant.
func TestPayScorePartnerSubMerchantIsolation(t *testing.T) {
	f := newPSFixture(t)
	require.NoError(t, f.s.PayScoreAddSubMerchant(PayScoreSubMerchant{SubMchID: "1900000120", Unauthorized: true}))
	require.Error(t, f.s.PayScoreAddSubMerchant(PayScoreSubMerchant{SubMchID: MerchantID}))
	f.ok("POST", pspBase+"/serviceorder", nil, pspConfirmBody(pspSub, "ISO1"))
	for _, sub := range []string{PayScoreForeignSubMchID, "1900000120", "1900009999"} {
		search := url.Values{"service_id": {PayScoreNoConfirmServiceID}, "appid": {AppID}, "sub_mchid": {sub}, "openid": {"u1"}}
		_, err := f.call("GET", pspBase+"/permissions/search", search, nil)
		requireCode(t, err, 403, "NO_AUTH")
		_, err = f.call("GET", pspBase+"/serviceorder", url.Values{"sub_mchid": {sub}, "out_order_no": {"ISO1"}}, nil)
		requireCode(t, err, 403, "NO_AUTH")
		_, err = f.call("GET", pspBase+"/permissions/authorization-code/X", url.Values{"service_id": {PayScoreNoConfirmServiceID}, "sub_mchid": {sub}}, nil)
		requireCode(t, err, 403, "NO_AUTH")
		for path, body := range map[string]map[string]any{
			"/permissions":                                pspPreAuth(sub, "X"),
			"/permissions/terminate":                      {"service_id": PayScoreNoConfirmServiceID, "sub_mchid": sub, "appid": AppID, "openid": "u1", "reason": "r"},
			"/permissions/authorization-code/X/terminate": {"service_id": PayScoreNoConfirmServiceID, "sub_mchid": sub, "reason": "r"},
			"/serviceorder":                               pspConfirmBody(sub, "ISO2"),
			"/serviceorder/ISO1/cancel":                   {"sub_mchid": sub, "reason": "r"},
			"/serviceorder/ISO1/complete":                 pspComplete(sub, PayScoreConfirmServiceID, 100, 0, 100),
			"/serviceorder/ISO1/modify":                   {"sub_mchid": sub, "post_payments": []any{map[string]any{"name": "a", "amount": 1}}, "total_amount": 1, "reason": "r"},
			"/serviceorder/ISO1/pay":                      {"sub_mchid": sub},
			"/serviceorder/ISO1/sync":                     {"sub_mchid": sub, "service_id": PayScoreConfirmServiceID, "type": "Order_Paid", "detail": map[string]any{"paid_time": "20260301"}},
		} {
			f.fails(403, "NO_AUTH", "POST", pspBase+path, body)
		}
	}
	// Another sub-merchant of the same provider does not see the order.
	_, err := f.call("GET", pspBase+"/serviceorder", url.Values{"sub_mchid": {pspSub2}, "out_order_no": {"ISO1"}}, nil)
	requireCode(t, err, 404, "ORDER_NOT_EXIST")
	f.fails(404, "ORDER_NOT_EXIST", "POST", pspBase+"/serviceorder/ISO1/cancel", map[string]any{"sub_mchid": pspSub2, "reason": "r"})
	// Nor do the direct APIs; and the partner APIs do not see direct orders.
	_, err = f.call("GET", "/v3/payscore/serviceorder", url.Values{"out_order_no": {"ISO1"}, "service_id": {PayScoreConfirmServiceID}, "appid": {AppID}}, nil)
	requireCode(t, err, 404, "ORDER_NOT_EXIST")
	f.fails(404, "ORDER_NOT_EXIST", "POST", "/v3/payscore/serviceorder/ISO1/cancel", map[string]any{"appid": AppID, "reason": "r"})
	f.ok("POST", "/v3/payscore/serviceorder", nil, psConfirmBody("DIRECT1"))
	_, err = f.call("GET", pspBase+"/serviceorder", url.Values{"sub_mchid": {pspSub}, "out_order_no": {"DIRECT1"}}, nil)
	requireCode(t, err, 404, "ORDER_NOT_EXIST")
	f.fails(404, "ORDER_NOT_EXIST", "POST", pspBase+"/serviceorder/DIRECT1/cancel", map[string]any{"sub_mchid": pspSub, "reason": "r"})
	// The order numbers are one namespace: another sub-merchant's number
	// cannot be reused with other parameters.
	f.fails(400, "INVALID_REQUEST", "POST", pspBase+"/serviceorder", pspConfirmBody(pspSub2, "ISO1"))
	// The query by query_id is also kept to the sub-merchant.
	qid, ok := f.s.PayScoreQueryID("ISO1")
	require.True(t, ok)
	_, err = f.call("GET", pspBase+"/serviceorder", url.Values{"sub_mchid": {pspSub2}, "query_id": {qid}}, nil)
	requireCode(t, err, 404, "ORDER_NOT_EXIST")
	require.Equal(t, "ISO1", f.ok("GET", pspBase+"/serviceorder", url.Values{"sub_mchid": {pspSub}, "query_id": {qid}}, nil)["out_order_no"])
	require.Equal(t, "CREATED", f.pspState(pspSub, "ISO1"), "nothing above changed the order")
}

func TestPayScorePartnerCreateRules(t *testing.T) {
	f := newPSFixture(t)
	// Confirm mode: CREATED with a package, the partner fields echoed.
	b := pspConfirmBody(pspSub, "CR1")
	b["sub_appid"] = PayScorePartnerSubAppID
	created := f.ok("POST", pspBase+"/serviceorder", nil, b)
	require.Equal(t, "CREATED", created["state"])
	require.NotEmpty(t, created["package"])
	require.Equal(t, pspSub, created["sub_mchid"])
	require.Equal(t, PayScorePartnerSubAppID, created["sub_appid"])
	require.Equal(t, MerchantID, created["mchid"])
	again := f.ok("POST", pspBase+"/serviceorder", nil, b)
	require.Equal(t, created["order_id"], again["order_id"], "identical parameters: the same order")

	// How the user is named.
	cases := []struct {
		name, field string
		mutate      func(map[string]any)
	}{
		{"both openids", "/sub_openid", func(m map[string]any) { m["sub_openid"], m["sub_appid"] = "su", PayScorePartnerSubAppID }},
		{"sub_openid without sub_appid", "/sub_appid", func(m map[string]any) { delete(m, "openid"); m["sub_openid"] = "su" }},
		{"no user in no-confirm mode", "/openid", func(m map[string]any) { delete(m, "openid") }},
		{"sub_appid not bound", "", func(m map[string]any) { m["sub_appid"] = "wx0000000000000000" }},
		{"sub_mchid missing", "/sub_mchid", func(m map[string]any) { delete(m, "sub_mchid") }},
		{"items", "/post_payments/0/name", func(m map[string]any) { m["post_payments"] = []any{map[string]any{"name": ""}} }},
	}
	for _, c := range cases {
		m := pspNoConfirmBody(pspSub, "CR2", "u1")
		c.mutate(m)
		ae := f.fails(400, "PARAM_ERROR", "POST", pspBase+"/serviceorder", m)
		if c.field != "" {
			require.Equal(t, c.field, ae.Detail.Field, c.name)
		}
	}

	// No-confirm mode admits only users who authorized that sub-merchant.
	f.fails(400, "INVALID_REQUEST", "POST", pspBase+"/serviceorder", pspNoConfirmBody(pspSub, "CR3", "u1"))
	f.pspAuthorize(pspSub2, "CA1", "u1", "")
	f.fails(400, "INVALID_REQUEST", "POST", pspBase+"/serviceorder", pspNoConfirmBody(pspSub, "CR3", "u1"))
	f.pspAuthorize(pspSub, "CA2", "u1", "su1")
	bySub := pspNoConfirmBody(pspSub, "CR3", "")
	delete(bySub, "openid")
	bySub["sub_appid"], bySub["sub_openid"] = PayScorePartnerSubAppID, "su1"
	o := f.ok("POST", pspBase+"/serviceorder", nil, bySub)
	require.Equal(t, "DOING", o["state"])
	require.Equal(t, "USER_CONFIRM", o["state_description"])
	require.Equal(t, "u1", o["openid"], "the authorized user's OpenIDs are both recorded")
	require.Equal(t, "su1", o["sub_openid"])
	// One unfinished order per user and sub-merchant service.
	f.fails(400, "INVALID_REQUEST", "POST", pspBase+"/serviceorder", pspNoConfirmBody(pspSub, "CR4", "u1"))
	f.ok("POST", pspBase+"/serviceorder", nil, pspNoConfirmBody(pspSub2, "CR5", "u1"))

	// The direct API does not take partner fields.
	d := psConfirmBody("CR6")
	d["sub_mchid"] = pspSub
	ae := f.fails(400, "PARAM_ERROR", "POST", "/v3/payscore/serviceorder", d)
	require.Equal(t, "/sub_mchid", ae.Detail.Field)
}

// Every order operation in every state, through the partner endpoints: the
// legal transitions answer 204, the refusals carry the documented codes and
// change nothing. The rules are the direct ones (TestPayScoreOperationStateMatrix).
func TestPayScorePartnerOperationStateMatrix(t *testing.T) {
	f := newPSFixture(t)
	svc := PayScoreConfirmServiceID
	n := 0
	reach := func(state string) string {
		t.Helper()
		n++
		no := "PX" + string(rune('A'+n/26)) + string(rune('A'+n%26))
		f.ok("POST", pspBase+"/serviceorder", nil, pspConfirmBody(pspSub, no))
		switch state {
		case "CREATED":
			return no
		case "EXPIRED":
			require.NoError(t, f.s.PayScoreExpireOrder(no))
			return no
		case "REVOKED":
			f.noContent("POST", pspBase+"/serviceorder/"+no+"/cancel", nil, map[string]any{"sub_mchid": pspSub, "reason": "测试"})
			return no
		}
		_, err := f.s.PayScoreSimulateUserConfirm(f.ctx, no, "u-"+no)
		require.NoError(t, err)
		if state == "DOING/USER_CONFIRM" {
			return no
		}
		f.noContent("POST", pspBase+"/serviceorder/"+no+"/complete", nil, pspComplete(pspSub, svc, 500, 100, 400))
		if state == "DOING/MCH_COMPLETE" {
			return no
		}
		_, err = f.s.PayScoreSimulateUserPaid(f.ctx, no)
		require.NoError(t, err)
		return no
	}
	modify := pspComplete(pspSub, svc, 500, 200, 300)
	delete(modify, "time_range")
	delete(modify, "service_id") // optional in partner mode
	modify["reason"] = "调整"
	ops := []struct {
		name string
		body map[string]any
	}{
		{"cancel", map[string]any{"sub_mchid": pspSub, "reason": "另一个原因"}},
		{"complete", pspComplete(pspSub, svc, 500, 0, 500)},
		{"modify", modify},
		{"sync", map[string]any{"sub_mchid": pspSub, "service_id": svc, "type": "Order_Paid", "detail": map[string]any{"paid_time": "20260301120000"}}},
		{"pay", map[string]any{"sub_mchid": pspSub}},
	}
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
			path := pspBase + "/serviceorder/" + no + "/" + op.name
			before := f.pspState(pspSub, no)
			if want.code != "" {
				f.fails(400, want.code, "POST", path, op.body)
				require.Equal(t, before, f.pspState(pspSub, no), "%s in %s must not change the order", op.name, state)
				continue
			}
			f.noContent("POST", path, nil, op.body)
			require.Equal(t, want.after, f.pspState(pspSub, no), "%s in %s", op.name, state)
		}
	}

	// A modified amount is what remains to pay; a synced payment is MCH.
	no := reach("DOING/MCH_COMPLETE")
	f.noContent("POST", pspBase+"/serviceorder/"+no+"/modify", nil, modify)
	o := f.pspQuery(pspSub, no)
	require.EqualValues(t, 300, o["total_amount"])
	require.EqualValues(t, 300, o["collection"].(map[string]any)["paying_amount"])
	f.fails(400, "PARAM_ERROR", "POST", pspBase+"/serviceorder/"+no+"/modify", func() map[string]any {
		m := pspComplete(pspSub, svc, 500, 0, 500)
		delete(m, "time_range")
		m["reason"] = "调高"
		return m
	}())
	f.noContent("POST", pspBase+"/serviceorder/"+no+"/sync", nil, map[string]any{"sub_mchid": pspSub, "service_id": svc, "type": "Order_Paid", "detail": map[string]any{"paid_time": "20260301", "seq": 1, "paid_amount": 300}})
	details := f.pspQuery(pspSub, no)["collection"].(map[string]any)["details"].([]any)
	require.Equal(t, "MCH", details[0].(map[string]any)["paid_type"])
	require.Equal(t, "20260301000000", details[0].(map[string]any)["paid_time"])

	// Complete and sync need service_id in partner mode; complete_time is
	// RFC 3339.
	no = reach("DOING/USER_CONFIRM")
	c := pspComplete(pspSub, svc, 500, 0, 500)
	delete(c, "service_id")
	ae := f.fails(400, "PARAM_ERROR", "POST", pspBase+"/serviceorder/"+no+"/complete", c)
	require.Equal(t, "/service_id", ae.Detail.Field)
	c = pspComplete(pspSub, svc, 500, 0, 500)
	c["complete_time"] = "2026-03-01 12:00:00"
	ae = f.fails(400, "PARAM_ERROR", "POST", pspBase+"/serviceorder/"+no+"/complete", c)
	require.Equal(t, "/complete_time", ae.Detail.Field)
	c["complete_time"] = "2026-03-01T12:00:00+08:00"
	f.noContent("POST", pspBase+"/serviceorder/"+no+"/complete", nil, c)
	f.noContent("POST", pspBase+"/serviceorder/"+no+"/complete", nil, c) // an identical repeat succeeds

	// Orders left CREATED expire after 30 days by the sandbox clock.
	no = reach("CREATED")
	f.clock.Add(int64(payScoreExpiry / time.Second))
	require.Equal(t, "EXPIRED", f.pspState(pspSub, no))
}

func TestPayScorePartnerCallbacksAndLedger(t *testing.T) {
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

	b := pspPreAuth(pspSub, "CB1")
	b["notify_url"], b["sub_appid"] = local.URL+"/auth", PayScorePartnerSubAppID
	tok := f.ok("POST", pspBase+"/permissions", nil, b)["apply_permissions_token"].(string)
	require.NoError(t, f.s.PayScorePartnerSimulateUserAuthorize(f.ctx, tok, "u1", "su1"))

	o := pspConfirmBody(pspSub, "CBO")
	o["notify_url"] = local.URL + "/order"
	f.ok("POST", pspBase+"/serviceorder", nil, o)
	_, err = f.s.PayScoreSimulateUserConfirm(f.ctx, "CBO", "u1")
	require.NoError(t, err)
	f.noContent("POST", pspBase+"/serviceorder/CBO/complete", nil, pspComplete(pspSub, PayScoreConfirmServiceID, 500, 100, 400))
	tx, err := f.s.PayScoreSimulateUserPaid(f.ctx, "CBO")
	require.NoError(t, err)
	require.NoError(t, f.s.PayScorePartnerSimulateUserRevoke(f.ctx, pspSub, PayScoreNoConfirmServiceID, "u1"))

	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, []string{"PAYSCORE.USER_OPEN_SERVICE", "PAYSCORE.USER_CONFIRM", "PAYSCORE.USER_PAID", "PAYSCORE.USER_CLOSE_SERVICE"}, got)
	open := resources[0]
	require.Equal(t, pspSub, open["sub_mchid"])
	require.Equal(t, PayScorePartnerSubAppID, open["sub_appid"])
	require.Equal(t, "su1", open["sub_openid"])
	require.Equal(t, MerchantID, open["mchid"])
	require.Equal(t, "CB1", open["authorization_code"])
	require.Equal(t, "DOING", resources[1]["state"])
	require.Equal(t, pspSub, resources[1]["sub_mchid"])
	paid := resources[2]
	require.Equal(t, "DONE", paid["state"])
	require.Equal(t, pspSub, paid["sub_mchid"])
	require.Equal(t, tx, paid["collection"].(map[string]any)["details"].([]any)[0].(map[string]any)["transaction_id"])
	require.Equal(t, "USER_CLOSE_SERVICE", resources[3]["user_service_status"])
	require.Equal(t, pspSub, resources[3]["sub_mchid"])

	ledger := f.s.Ledger()
	require.Len(t, ledger, 1)
	require.Equal(t, pspSub, ledger[0].SubMchID, "the payment is the sub-merchant's")
	require.Equal(t, tx, ledger[0].TransactionID)
	require.EqualValues(t, 400, ledger[0].AmountFen)
}
