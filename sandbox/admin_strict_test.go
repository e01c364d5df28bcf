package sandbox_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	wxcore "github.com/wechatpay-apiv3/wechatpay-go/core"
	"github.com/wechatpay-apiv3/wechatpay-go/core/auth/verifiers"
	wxnotify "github.com/wechatpay-apiv3/wechatpay-go/core/notify"
	"github.com/wechatpay-apiv3/wechatpay-go/core/option"
	"github.com/wechatpay-apiv3/wechatpay-go/services/refunddomestic"
	"github.com/wechatpay-apiv3/wechatpay-go/utils"

	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

// Admin inputs that would have moved the clock by an overflowing amount,
// or that carry trailing data, are refused and change nothing; a known
// admin path with the wrong method is 405.
func TestAdminRefusesOutOfRangeAndTrailingInput(t *testing.T) {
	sb := newSandbox(t)
	base := sb.URL
	before := sb.Now()
	for _, body := range []string{
		`{"by":"999999999999d"}`, `{"by":"36501d"}`, `{"by":"2562047h"}`, `{"by":"100000d1h"}`, `{"by":"+1d"}`,
		`{"to":"0001-01-01T00:00:00Z"}`, `{"to":"9999-12-31T23:59:59Z"}`,
		`{"by":"1s"} {"by":"1s"}`, `{"by":"1s"}garbage`, `{"by":"1s"}]`,
	} {
		st, e := admin(t, base, "POST", "/sandbox/clock/advance", body)
		assert.Equal(t, http.StatusBadRequest, st, body)
		assert.NotEmpty(t, e["message"], body)
	}
	assert.Less(t, sb.Now().Sub(before), time.Minute, "the clock did not move")
	c := adminOK(t, base, "POST", "/sandbox/clock/advance", `{"by":"1d2h"} `)
	assert.Equal(t, 0.0, c["ran"])
	assert.GreaterOrEqual(t, sb.Now().Sub(before), 26*time.Hour)

	for _, tc := range []struct{ method, path, allow string }{
		{"GET", "/sandbox/clock/advance", "POST"},
		{"DELETE", "/sandbox/clock", "GET"},
		{"PUT", "/sandbox/faults", "GET, POST, DELETE"},
	} {
		req, err := http.NewRequest(tc.method, base+tc.path, nil)
		require.NoError(t, err)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode, tc.path)
		assert.Equal(t, tc.allow, resp.Header.Get("Allow"), tc.path)
	}
}

// A refund and a service provider's pay-score authorization, driven only
// through the official wechatpay-go client (its refunddomestic service and
// its notify handler) and the admin API: what a team that does not write
// Go against this SDK needs to finish a refund or authorize for a
// sub-merchant.
func TestRefundAndPartnerFlowThroughTheAdminAPI(t *testing.T) {
	sb := newSandbox(t)
	base := sb.URL
	ctx := context.Background()
	cred := adminOK(t, base, "GET", "/sandbox/credentials", "")
	key, err := utils.LoadPrivateKey(cred["merchant_private_key_pem"].(string))
	require.NoError(t, err)
	pub, err := utils.LoadPublicKey(cred["wechatpay_public_key_pem"].(string))
	require.NoError(t, err)
	mchID, serial, pubID := cred["mchid"].(string), cred["merchant_serial_no"].(string), cred["public_key_id"].(string)
	u, err := url.Parse(base)
	require.NoError(t, err)
	api, err := wxcore.NewClient(ctx, option.WithWechatPayPublicKeyAuthCipher(mchID, serial, key, pubID, pub),
		option.WithHTTPClient(&http.Client{Transport: toSandbox{u}}))
	require.NoError(t, err)

	// The refund callback endpoint: the official SDK's notify handler.
	handler, err := wxnotify.NewRSANotifyHandler(cred["apiv3_key"].(string), verifiers.NewSHA256WithRSAPubkeyVerifier(pubID, *pub))
	require.NoError(t, err)
	got := make(chan map[string]any, 4)
	endpoint := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var res map[string]any
		n, err := handler.ParseNotifyRequest(r.Context(), r, &res)
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		res["event_type"] = n.EventType
		got <- res
		w.WriteHeader(http.StatusNoContent)
	}))
	defer endpoint.Close()
	adminOK(t, base, "POST", "/sandbox/refunds/notify-url", `{"url":"`+endpoint.URL+`/refund"}`)

	// A payment to refund: a mall purchase (admin).
	adminOK(t, base, "POST", "/sandbox/businesscircle/authorize", `{"openid":"oRefundUser"}`)
	tx := adminOK(t, base, "POST", "/sandbox/businesscircle/transaction", `{"openid":"oRefundUser","amount":2500}`)["transaction_id"].(string)

	refunds := refunddomestic.RefundsApiService{Client: api}
	created, _, err := refunds.Create(ctx, refunddomestic.CreateRequest{TransactionId: wxcore.String(tx), OutRefundNo: wxcore.String("ADMIN-R1"),
		Amount: &refunddomestic.AmountReq{Refund: wxcore.Int64(1000), Total: wxcore.Int64(2500), Currency: wxcore.String("CNY")}})
	require.NoError(t, err, "the official client verifies the answer")
	require.Equal(t, refunddomestic.STATUS_PROCESSING, *created.Status)

	st, e := admin(t, base, "POST", "/sandbox/refunds/finish", `{"refund_id":"`+*created.RefundId+`","status":"DONE"}`)
	assert.Equal(t, http.StatusBadRequest, st)
	assert.Contains(t, e["message"], "SUCCESS, CLOSED or ABNORMAL")
	out := adminOK(t, base, "POST", "/sandbox/refunds/finish", `{"refund_id":"`+*created.RefundId+`","status":"SUCCESS"}`)
	assert.Nil(t, out["callback"], "acknowledged")
	select {
	case res := <-got:
		assert.Equal(t, "REFUND.SUCCESS", res["event_type"])
		assert.Equal(t, "ADMIN-R1", res["out_refund_no"])
		assert.Equal(t, "SUCCESS", res["refund_status"])
	case <-time.After(5 * time.Second):
		t.Fatal("no refund callback")
	}
	q, _, err := refunds.QueryByOutRefundNo(ctx, refunddomestic.QueryByOutRefundNoRequest{OutRefundNo: wxcore.String("ADMIN-R1")})
	require.NoError(t, err)
	assert.Equal(t, refunddomestic.STATUS_SUCCESS, *q.Status)
	st, _ = admin(t, base, "POST", "/sandbox/refunds/finish", `{"refund_id":"`+*created.RefundId+`","status":"CLOSED"}`)
	assert.Equal(t, http.StatusBadRequest, st, "only a PROCESSING refund ends")

	// Pay score for a sub-merchant: pre-authorize (official client), the
	// user authorizes and revokes (admin).
	sub, svc := sandbox.PayScorePartnerSubMchID, cred["payscore_service_id"].(string)
	res, err := api.Post(ctx, "https://api.mch.weixin.qq.com/v3/payscore/partner/permissions", map[string]any{
		"service_id": svc, "appid": cred["appid"], "sub_mchid": sub, "authorization_code": "ADMIN-P1"})
	require.NoError(t, err)
	var pre map[string]string
	require.NoError(t, json.NewDecoder(res.Response.Body).Decode(&pre))
	adminOK(t, base, "POST", "/sandbox/payscore/partner/authorize", `{"apply_permissions_token":"`+pre["apply_permissions_token"]+`","openid":"oPartnerUser"}`)
	state := func() string {
		res, err := api.Get(ctx, "https://api.mch.weixin.qq.com/v3/payscore/partner/permissions/search?"+url.Values{
			"service_id": {svc}, "appid": {cred["appid"].(string)}, "sub_mchid": {sub}, "openid": {"oPartnerUser"}}.Encode())
		require.NoError(t, err)
		var m map[string]any
		require.NoError(t, json.NewDecoder(res.Response.Body).Decode(&m))
		return m["authorization_state"].(string)
	}
	assert.Equal(t, "AVAILABLE", state())
	adminOK(t, base, "POST", "/sandbox/payscore/partner/revoke", `{"sub_mchid":"`+sub+`","service_id":"`+svc+`","openid":"oPartnerUser"}`)
	assert.Equal(t, "UNAVAILABLE", state())
	st, _ = admin(t, base, "POST", "/sandbox/payscore/partner/revoke", `{"sub_mchid":"`+sub+`","service_id":"`+svc+`","openid":"oPartnerUser"}`)
	assert.Equal(t, http.StatusBadRequest, st)

	// Create-and-complete opened by WeChat Pay operations (admin).
	st, _ = admin(t, base, "POST", "/sandbox/payscore/direct-complete", `{"service_id":"`+sandbox.PayScoreConfirmServiceID+`"}`)
	assert.Equal(t, http.StatusBadRequest, st, "only for no-confirm services")
	adminOK(t, base, "POST", "/sandbox/payscore/direct-complete", `{"service_id":"`+svc+`"}`)
}
