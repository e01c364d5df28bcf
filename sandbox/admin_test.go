package sandbox_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	wxcore "github.com/wechatpay-apiv3/wechatpay-go/core"
	"github.com/wechatpay-apiv3/wechatpay-go/core/option"
	"github.com/wechatpay-apiv3/wechatpay-go/utils"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/notify"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

// admin calls the admin API as curl would and decodes the JSON answer.
func admin(t *testing.T, base, method, path, body string) (int, map[string]any) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, base+path, r)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var out map[string]any
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		require.NoError(t, json.Unmarshal(b, &out), string(b))
	} else {
		out = map[string]any{"raw": string(b)}
	}
	return resp.StatusCode, out
}

func adminOK(t *testing.T, base, method, path, body string) map[string]any {
	t.Helper()
	status, out := admin(t, base, method, path, body)
	require.Equal(t, http.StatusOK, status, "%s %s: %v", method, path, out)
	return out
}

// TestPayScoreFlowThroughTheAdminAPI is what a team that does not write Go
// does: read the credentials over HTTP, call WeChat Pay's API with another
// SDK (the official wechatpay-go client), receive the callbacks on its own
// endpoint, and play the user, the clock and the failures through the
// admin API — no Go sandbox helper is called.
func TestPayScoreFlowThroughTheAdminAPI(t *testing.T) {
	sb := newSandbox(t)
	base := sb.URL
	ctx := context.Background()

	cst := time.FixedZone("CST", 8*3600)
	clock := func() time.Time { // the sandbox time, as the admin API tells it
		ts, err := time.Parse(time.RFC3339Nano, adminOK(t, base, "GET", "/sandbox/clock", "")["now"].(string))
		require.NoError(t, err)
		return ts.In(cst)
	}

	// Credentials, as PEM.
	cred := adminOK(t, base, "GET", "/sandbox/credentials", "")
	mchID, serial := cred["mchid"].(string), cred["merchant_serial_no"].(string)
	key, err := utils.LoadPrivateKey(cred["merchant_private_key_pem"].(string))
	require.NoError(t, err)
	pub, err := utils.LoadPublicKey(cred["wechatpay_public_key_pem"].(string))
	require.NoError(t, err)
	pubID, apiV3Key, appID := cred["public_key_id"].(string), cred["apiv3_key"].(string), cred["appid"].(string)
	serviceID := cred["payscore_service_id"].(string)
	status, pemFile := admin(t, base, "GET", "/sandbox/credentials/apiclient_key.pem", "")
	require.Equal(t, 200, status)
	assert.Equal(t, cred["merchant_private_key_pem"], pemFile["raw"])
	// The merchant certificate (apiclient_cert.pem) is the key's, with the
	// merchant serial: clients that take the serial from it sign correctly.
	status, certFile := admin(t, base, "GET", "/sandbox/credentials/apiclient_cert.pem", "")
	require.Equal(t, 200, status)
	assert.Equal(t, cred["merchant_certificate_pem"], certFile["raw"])
	mchCert, err := core.LoadCertificate([]byte(certFile["raw"].(string)))
	require.NoError(t, err)
	assert.Equal(t, serial, core.CertificateSerial(mchCert))
	assert.True(t, key.PublicKey.Equal(mchCert.PublicKey), "the certificate of the merchant key")

	// The merchant's API client: the official SDK, in public-key mode.
	api, err := wxcore.NewClient(ctx, option.WithWechatPayPublicKeyAuthCipher(mchID, serial, key, pubID, pub))
	require.NoError(t, err)
	call := func(method, path string, body any) (int, map[string]any) {
		t.Helper()
		var res *wxcore.APIResult
		var err error
		if method == http.MethodGet {
			res, err = api.Get(ctx, base+path)
		} else {
			res, err = api.Post(ctx, base+path, body)
		}
		if res == nil || res.Response == nil {
			require.NoError(t, err)
		}
		defer res.Response.Body.Close()
		var out map[string]any
		b, _ := io.ReadAll(res.Response.Body)
		_ = json.Unmarshal(b, &out)
		return res.Response.StatusCode, out
	}

	// The merchant's notify endpoint; it fails the first paid callback.
	verifier, err := core.NewClient(core.WithMerchant(mchID, serial, key), core.WithAPIv3Key(apiV3Key), core.WithPlatformPublicKey(pubID, pub), core.WithBaseURL(sb.URL))
	require.NoError(t, err)
	h, err := notify.NewHandler(verifier)
	require.NoError(t, err)
	var mu sync.Mutex
	events := map[string]int{}
	h.On("PAYSCORE.USER_OPEN_SERVICE", func(context.Context, *notify.Notification) error {
		mu.Lock()
		defer mu.Unlock()
		events["open"]++
		return nil
	})
	h.On("PAYSCORE.USER_PAID", func(context.Context, *notify.Notification) error {
		mu.Lock()
		defer mu.Unlock()
		if events["paid"]++; events["paid"] == 1 {
			return errors.New("busy")
		}
		return nil
	})
	endpoint := httptest.NewServer(h)
	defer endpoint.Close()

	// Pre-authorize; the user authorizes (admin).
	status, pre := call("POST", "/v3/payscore/permissions", map[string]any{
		"service_id": serviceID, "appid": appID, "authorization_code": "AUTH-ADMIN-1", "notify_url": endpoint.URL + "/notify"})
	require.Equal(t, 200, status, pre)
	out := adminOK(t, base, "POST", "/sandbox/payscore/authorize",
		`{"apply_permissions_token":"`+pre["apply_permissions_token"].(string)+`","openid":"oAdminUser"}`)
	assert.Nil(t, out["callback"], "the authorization callback was acknowledged")

	// Create, complete; Pay Score collects (admin); the callback fails once.
	status, order := call("POST", "/v3/payscore/serviceorder", map[string]any{
		"out_order_no": "ADMIN-1", "appid": appID, "service_id": serviceID, "service_introduction": "充电宝",
		"post_payments": []any{map[string]any{"name": "租借费", "amount": 300, "count": 1}},
		"time_range":    map[string]any{"start_time": clock().Add(-time.Hour).Format("20060102150405")},
		"risk_fund":     map[string]any{"name": "ESTIMATE_ORDER_COST", "amount": 10000},
		"notify_url":    endpoint.URL + "/notify", "openid": "oAdminUser", "need_user_confirm": false,
	})
	require.Equal(t, 200, status, order)
	assert.Equal(t, "DOING", order["state"])
	status, done := call("POST", "/v3/payscore/serviceorder/ADMIN-1/complete", map[string]any{
		"appid": appID, "service_id": serviceID, "total_amount": 300,
		"post_payments": []any{map[string]any{"name": "租借费", "amount": 300, "count": 1}},
		"time_range":    map[string]any{"end_time": clock().Format("20060102150405")},
	})
	require.Equal(t, 200, status, done)
	paid := adminOK(t, base, "POST", "/sandbox/payscore/pay", `{"out_order_no":"ADMIN-1"}`)
	assert.NotEmpty(t, paid["transaction_id"])
	cb, ok := paid["callback"].(map[string]any)
	require.True(t, ok, "the first paid callback failed: %v", paid)
	assert.Equal(t, false, cb["acknowledged"])
	id := cb["id"].(string)

	// The clock (admin) reaches the redelivery; the delivery log shows both.
	adv := adminOK(t, base, "POST", "/sandbox/clock/advance", `{"by":"15s"}`)
	assert.Equal(t, 1.0, adv["ran"])
	log := adminOK(t, base, "GET", "/sandbox/notifications/"+id, "")
	assert.Equal(t, "ACKNOWLEDGED", log["state"])
	attempts := log["attempts"].([]any)
	require.Len(t, attempts, 2)
	assert.Equal(t, 500.0, attempts[0].(map[string]any)["status"])
	assert.Equal(t, true, attempts[1].(map[string]any)["acknowledged"])
	all := adminOK(t, base, "GET", "/sandbox/notifications", "")
	assert.Len(t, all["notifications"], 2, "open service and paid")
	mu.Lock()
	assert.Equal(t, map[string]int{"open": 1, "paid": 2}, events)
	mu.Unlock()

	status, q := call("GET", "/v3/payscore/serviceorder?out_order_no=ADMIN-1&service_id="+serviceID+"&appid="+appID, nil)
	require.Equal(t, 200, status, q)
	assert.Equal(t, "DONE", q["state"])

	// A confirm-mode order, confirmed by the user (admin).
	status, co := call("POST", "/v3/payscore/serviceorder", map[string]any{
		"out_order_no": "ADMIN-2", "appid": appID, "service_id": cred["payscore_confirm_service_id"], "service_introduction": "充电宝",
		"time_range": map[string]any{"start_time": "OnAccept"}, "risk_fund": map[string]any{"name": "DEPOSIT", "amount": 9900},
		"notify_url": endpoint.URL + "/notify",
	})
	require.Equal(t, 200, status, co)
	conf := adminOK(t, base, "POST", "/sandbox/payscore/confirm", `{"out_order_no":"ADMIN-2","openid":"oAdminUser"}`)
	assert.NotEmpty(t, conf["query_id"])

	// A failure on demand (admin): the next call is rate limited.
	adminOK(t, base, "POST", "/sandbox/faults", `{"kind":"rate_limited","count":1}`)
	status, rl := call("GET", "/v3/payscore/serviceorder?out_order_no=ADMIN-1&service_id="+serviceID+"&appid="+appID, nil)
	assert.Equal(t, 429, status)
	assert.Equal(t, "FREQUENCY_LIMITED", rl["code"])
	status, _ = call("GET", "/v3/payscore/serviceorder?out_order_no=ADMIN-1&service_id="+serviceID+"&appid="+appID, nil)
	assert.Equal(t, 200, status)

	// A refused simulation is an error answer, not a success.
	st, bad := admin(t, base, "POST", "/sandbox/payscore/pay", `{"out_order_no":"ADMIN-1"}`)
	assert.Equal(t, 400, st)
	assert.Contains(t, bad["message"], "not waiting for payment")
}

func TestAdminAPIBasics(t *testing.T) {
	sb := newSandbox(t, sandbox.WithClock(fixedClock))
	base := sb.URL

	idx := adminOK(t, base, "GET", "/sandbox/", "")
	assert.Equal(t, base, idx["base_url"])
	var routes []string
	for _, e := range idx["endpoints"].([]any) {
		routes = append(routes, e.(map[string]any)["route"].(string))
	}
	for _, want := range []string{"POST /sandbox/clock/advance", "POST /sandbox/payscore/pay", "POST /sandbox/faults", "GET /sandbox/notifications"} {
		assert.Contains(t, routes, want)
	}

	// Clock.
	c := adminOK(t, base, "POST", "/sandbox/clock/advance", `{"by":"1d2h"}`)
	assert.Equal(t, t0.Add(26*time.Hour).Format(time.RFC3339Nano), c["now"])
	c = adminOK(t, base, "POST", "/sandbox/clock/advance", `{"to":"2027-01-01T00:00:00+08:00"}`)
	assert.Equal(t, "2027-01-01T00:00:00+08:00", c["now"])
	assert.True(t, sb.Now().Equal(time.Date(2027, 1, 1, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))))
	for _, body := range []string{``, `{}`, `{"by":"soon"}`, `{"by":"1s","to":"2027-01-01T00:00:00Z"}`, `{"by":"1s","extra":1}`, `{"by":15}`} {
		st, e := admin(t, base, "POST", "/sandbox/clock/advance", body)
		assert.Equal(t, 400, st, body)
		assert.NotEmpty(t, e["message"], body)
	}

	// Faults.
	f := adminOK(t, base, "POST", "/sandbox/faults", `{"kind":"slow","route":"GET /v3/certificates","delay":"2s"}`)
	assert.Equal(t, []any{map[string]any{"kind": "slow", "count": 0.0, "route": "GET /v3/certificates", "delay": "2s"}}, f["faults"])
	st, e := admin(t, base, "POST", "/sandbox/faults", `{"kind":"nope"}`)
	assert.Equal(t, 400, st)
	assert.Contains(t, e["message"], "unknown fault")
	adminOK(t, base, "DELETE", "/sandbox/faults", "")
	assert.Empty(t, sb.Faults())

	// Certificates: rotate, then the gray release waits for the listing.
	adminOK(t, base, "POST", "/sandbox/certificates/rotate", "")
	assert.Len(t, sb.Certificates(), 2)
	st, _ = admin(t, base, "POST", "/sandbox/certificates/gray-release", `{"percent":10}`)
	assert.Equal(t, 400, st)
	m, _ := sb.RotationMilestones()
	adminOK(t, base, "POST", "/sandbox/clock/advance", `{"to":"`+m.Listed.Format(time.RFC3339)+`"}`)
	cv := adminOK(t, base, "POST", "/sandbox/certificates/gray-release", `{"percent":10}`)
	assert.Equal(t, 10.0, cv["gray_release_percent"])
	cv = adminOK(t, base, "POST", "/sandbox/callbacks/public-key-share", `{"percent":0}`)
	assert.Equal(t, 0.0, cv["callback_public_key_share_percent"])

	// Bills, ledger, businesscircle.
	adminOK(t, base, "POST", "/sandbox/bills/options", `{"serve_today":true,"download_ttl":"5m"}`)
	adminOK(t, base, "POST", "/sandbox/businesscircle/authorize", `{"openid":"oMember"}`)
	tx := adminOK(t, base, "POST", "/sandbox/businesscircle/transaction", `{"openid":"oMember","amount":2500}`)
	assert.NotEmpty(t, tx["transaction_id"])
	rf := adminOK(t, base, "POST", "/sandbox/businesscircle/refund", `{"transaction_id":"`+tx["transaction_id"].(string)+`","refund_amount":500}`)
	assert.Equal(t, false, rf["notified"], "points were never synced")
	ledger := adminOK(t, base, "GET", "/sandbox/ledger", "")
	assert.Len(t, ledger["ledger"], 2)

	// Unknown endpoints and files.
	st, e = admin(t, base, "GET", "/sandbox/nope", "")
	assert.Equal(t, 404, st)
	assert.Contains(t, e["message"], "GET /sandbox/")
	st, _ = admin(t, base, "GET", "/sandbox/credentials/other.pem", "")
	assert.Equal(t, 404, st)
	st, _ = admin(t, base, "GET", "/sandbox/notifications/EV-none", "")
	assert.Equal(t, 404, st)

	// The admin API is not WeChat Pay: /v3 still needs a signature, and
	// /sandbox needs none.
	resp, err := http.Post(base+"/v3/payscore/serviceorder", "application/json", bytes.NewReader([]byte(`{}`)))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 401, resp.StatusCode)
}
