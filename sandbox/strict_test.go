package sandbox

import (
	"context"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/wechatpay-apiv3/wechatpay-go/utils"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
)

// Adversarial tests: places where the sandbox was looser (or stricter)
// than WeChat Pay, each kept as a regression test.

// rawAnswer is an answer to a hand-built request.
type rawAnswer struct {
	status int
	header http.Header
	body   string
}

// rawSigned sends a request signed with the merchant key by hand, so that
// headers and body can be anything a client might send.
func rawSigned(t *testing.T, s *Server, method, uri, body string, header map[string]string) rawAnswer {
	t.Helper()
	ts := strconv.FormatInt(s.now().Unix(), 10)
	nonce := randomAlnum(16)
	sig, err := utils.SignSHA256WithRSA(method+"\n"+uri+"\n"+ts+"\n"+nonce+"\n"+body+"\n", s.MerchantPrivateKey)
	require.NoError(t, err)
	req, err := http.NewRequest(method, s.URL+uri, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", core.SignatureScheme+` mchid="`+s.MerchantID+`",nonce_str="`+nonce+`",timestamp="`+ts+`",serial_no="`+s.MerchantSerialNo+`",signature="`+sig+`"`)
	req.Header.Set("Accept", "application/json")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return rawAnswer{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// A known path called with the wrong method is 405 with Allow (spec §6.8),
// signed like every answer; an unknown path stays 404.
func TestWrongMethodIs405(t *testing.T) {
	f := newPSFixture(t)
	for _, tc := range []struct{ method, path, allow string }{
		{"DELETE", "/v3/certificates", "GET"},
		{"PATCH", "/v3/payscore/serviceorder", "GET, POST"},
		{"GET", "/v3/payscore/serviceorder/O1/cancel", "POST"},
		{"POST", "/v3/goldplan/merchants/open-advertising-show", "PATCH"},
		{"PUT", "/v3/refund/domestic/refunds/R1", "GET"},
	} {
		_, err := f.call(tc.method, tc.path, nil, nil)
		ae, ok := core.IsAPIError(err)
		require.True(t, ok, "%s %s: %v", tc.method, tc.path, err)
		require.Equal(t, http.StatusMethodNotAllowed, ae.StatusCode, ae.Error())
		require.Equal(t, "METHOD_NOT_ALLOWED", ae.Code)
		require.NotEmpty(t, ae.RequestID, "verified and decoded by the client")
		a := rawSigned(t, f.s, tc.method, tc.path, "", nil)
		require.Equal(t, tc.allow, a.header.Get("Allow"), tc.path)
	}
	_, err := f.call("GET", "/v3/no/such/api", nil, nil)
	ae, ok := core.IsAPIError(err)
	require.True(t, ok, err)
	require.Equal(t, http.StatusNotFound, ae.StatusCode)
}

// Amount sums are checked: items whose amounts wrap around int64 cannot
// pass the amount formula with a tiny total_amount (complete, modify,
// direct-complete).
func TestPayScoreAmountSumsDoNotOverflow(t *testing.T) {
	f := newPSFixture(t)
	f.authorize("AUTH-OV", "u1")
	f.ok("POST", "/v3/payscore/serviceorder", nil, psNoConfirmBody("OV1", "u1"))
	max := int64(math.MaxInt64)
	wrapDiscounts := psComplete(PayScoreNoConfirmServiceID, 0, 0, 2)
	wrapDiscounts["post_discounts"] = []any{map[string]any{"name": "a", "amount": max}, map[string]any{"name": "b", "amount": max}}
	ae := f.fails(400, "PARAM_ERROR", "POST", "/v3/payscore/serviceorder/OV1/complete", wrapDiscounts)
	require.Equal(t, "/total_amount", ae.Detail.Field)
	wrapPayments := psComplete(PayScoreNoConfirmServiceID, 0, 0, 1)
	wrapPayments["post_payments"] = []any{map[string]any{"name": "a", "amount": max}, map[string]any{"name": "b", "amount": max}, map[string]any{"name": "c", "amount": 3}}
	delete(wrapPayments, "post_discounts")
	f.fails(400, "PARAM_ERROR", "POST", "/v3/payscore/serviceorder/OV1/complete", wrapPayments)
	require.Equal(t, "DOING/USER_CONFIRM", f.state("OV1", PayScoreNoConfirmServiceID), "nothing completed")

	f.ok("POST", "/v3/payscore/serviceorder/OV1/complete", nil, psComplete(PayScoreNoConfirmServiceID, 3000, 0, 3000))
	wrapPayments["reason"] = "调整"
	delete(wrapPayments, "time_range")
	f.fails(400, "PARAM_ERROR", "POST", "/v3/payscore/serviceorder/OV1/modify", wrapPayments)

	require.NoError(t, f.s.PayScoreEnableDirectComplete(PayScoreNoConfirmServiceID))
	dc := dcBody("OV2", "u1")
	dc["post_discounts"] = []any{map[string]any{"name": "a", "description": "d", "amount": max}, map[string]any{"name": "b", "description": "d", "amount": max}}
	dc["post_payments"] = []any{map[string]any{"name": "停车费", "amount": 0}}
	dc["total_amount"] = 2
	f.fails(400, "PARAM_ERROR", "POST", PayScoreDirectCompletePath, dc)
}

// A mall purchase has one ledger: refunds through the refund API and
// simulated mall refunds together never exceed what was paid, and a
// refund-API refund that succeeds is notified to the mall
// (MALL_REFUND.SUCCESS) once its points were synced.
func TestMallRefundsShareTheLedger(t *testing.T) {
	f := newBCFixture(t)
	ctx := context.Background()
	const openID = "oBC_member_ledger"
	_, err := f.sb.BusinessCircleAuthorize(ctx, AppID, openID)
	require.NoError(t, err)
	tx, err := f.sb.BusinessCircleSimulateTransaction(ctx, BusinessCircleTransaction{OpenID: openID, AmountFen: 1000})
	require.NoError(t, err)
	require.NoError(t, f.syncPoints(tx, openID, true, 10))

	refund := func(no string, fen int64) (map[string]any, error) {
		var out map[string]any
		_, err := f.c.Do(ctx, &core.Request{Method: "POST", Path: "/v3/refund/domestic/refunds", Body: map[string]any{
			"transaction_id": tx, "out_refund_no": no, "amount": map[string]any{"refund": fen, "total": 1000, "currency": "CNY"}}}, &out)
		return out, err
	}
	r1, err := refund("MALL-R1", 600)
	require.NoError(t, err)
	_, _, err = f.sb.BusinessCircleSimulateRefund(ctx, tx, 500)
	require.ErrorContains(t, err, "between 1 and 400", "600 of 1000 already refunded through the API")
	_, notified, err := f.sb.BusinessCircleSimulateRefund(ctx, tx, 400)
	require.NoError(t, err)
	require.True(t, notified)
	f.advance(2 * time.Minute)
	_, err = refund("MALL-R2", 1)
	requireAPIError(t, err, 400, "INVALID_REQUEST", "")

	// The API refund succeeds: the mall hears of it too.
	before := len(f.consumer.events())
	require.NoError(t, f.sb.RefundSimulateSuccess(ctx, r1["refund_id"].(string)))
	evs := f.consumer.events()
	require.Len(t, evs, before+1)
	require.Equal(t, "MALL_REFUND.SUCCESS", evs[before].EventType)
	res := f.consumer.resource(t, before)
	require.Equal(t, r1["refund_id"], res["refund_id"])
	require.EqualValues(t, 600, res["refund_amount"])
	require.EqualValues(t, 1000, res["pay_amount"])
}

// sandboxGoroutines counts goroutines running sandbox code, other than the
// caller and test code (merchant endpoints).
func sandboxGoroutines() int {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	n := 0
	for _, g := range strings.Split(string(buf), "\n\n")[1:] { // [0] is the caller
		if strings.Contains(g, "wechatpay-biz-go/sandbox.") && !strings.Contains(g, "wechatpay-biz-go/sandbox.Test") {
			n++
		}
	}
	return n
}

// Close ends everything: a delivery in flight to a merchant that does not
// answer is cancelled at once (not after the 5 s callback timeout), nothing
// is redelivered afterwards — not even when Advance passes it — Notify
// fails, and no sandbox goroutine is left.
func TestCloseEndsDeliveries(t *testing.T) {
	arrived := make(chan struct{}, 4)
	hang := make(chan struct{})
	merchant := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		if r.URL.Path == "/fail" {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		select {
		case <-hang:
		case <-r.Context().Done():
		}
	}))
	defer merchant.Close()
	defer close(hang)
	s, err := NewServer(WithCallbackTimeout(time.Minute))
	require.NoError(t, err)

	// One notification waits for its redelivery, one hangs in flight.
	require.Error(t, s.Notify(context.Background(), merchant.URL+"/fail", Event{ID: "EV-CLOSE-1", EventType: "REFUND.SUCCESS", Resource: map[string]int{"a": 1}}))
	<-arrived
	done := make(chan error, 1)
	go func() {
		done <- s.Notify(context.Background(), merchant.URL+"/hang", Event{ID: "EV-CLOSE-2", EventType: "REFUND.SUCCESS", Resource: map[string]int{"a": 2}})
	}()
	<-arrived
	s.Close()
	select {
	case err := <-done:
		var de *DeliveryError
		require.ErrorAs(t, err, &de)
		require.Contains(t, de.Reason, "closed")
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not cancel the delivery in flight")
	}
	require.Zero(t, s.Advance(48*time.Hour), "nothing runs after Close")
	d, ok := s.DeliveryOf("EV-CLOSE-1")
	require.True(t, ok)
	require.Len(t, d.Attempts, 1)
	require.ErrorContains(t, s.Notify(context.Background(), merchant.URL+"/fail", Event{EventType: "REFUND.SUCCESS", Resource: 1}), "closed")
	require.Zero(t, sandboxGoroutines(), "no sandbox goroutine outlives Close")
}

// Callback URLs of orders and refunds must be https (spec §4.6, §6.7,
// §11.1): a plain-http notify_url that production would refuse is refused
// here too. Plain http stays allowed on a loopback host, where the sandbox
// delivers to a test's endpoint.
func TestCallbackURLsMustBeHTTPS(t *testing.T) {
	f := newRFFixture(t)
	f.authorizePayScore("AUTH-HTTPS", "u1")
	require.NoError(t, f.s.PayScoreEnableDirectComplete(PayScoreNoConfirmServiceID))
	partner := pspConfirmBody(PayScorePartnerSubMchID, "H-P1")
	for name, tc := range map[string]struct {
		path string
		body map[string]any
	}{
		"create":          {"/v3/payscore/serviceorder", psConfirmBody("H-1")},
		"partner create":  {"/v3/payscore/partner/serviceorder", partner},
		"direct-complete": {PayScoreDirectCompletePath, dcBody("H-2", "u1")},
		"refund":          {"/v3/refund/domestic/refunds", rfBody("H-R1", 100, 1000)},
		"pre-authorization": {"/v3/payscore/permissions", map[string]any{
			"service_id": PayScoreNoConfirmServiceID, "appid": AppID, "authorization_code": "H-PA1"}},
		"partner pre-authorization": {pspBase + "/permissions", pspPreAuth(pspSub, "H-PA2")},
	} {
		for _, bad := range []string{"http://merchant.example.com/notify", "ftp://merchant.example.com/n", "https://merchant.example.com/n?x=1", "https://merchant.example.com/n?"} {
			tc.body["notify_url"] = bad
			ae := f.fails(400, "PARAM_ERROR", "POST", tc.path, nil, tc.body)
			require.Equal(t, "/notify_url", ae.Detail.Field, "%s %s", name, bad)
		}
		tc.body["notify_url"] = "http://127.0.0.1:9/notify"
		f.ok("POST", tc.path, nil, tc.body)
	}
}

// A body is JSON when its media type is application/json, whatever the
// case and parameters; look-alike types are refused.
func TestContentTypeIsAMediaType(t *testing.T) {
	f := newPSFixture(t)
	body := `{"service_id":"` + PayScoreNoConfirmServiceID + `","appid":"` + AppID + `","authorization_code":"CT-1"}`
	for _, ct := range []string{"application/json", "Application/JSON; charset=UTF-8", "application/json;charset=utf-8"} {
		a := rawSigned(t, f.s, "POST", "/v3/payscore/permissions", body, map[string]string{"Content-Type": ct})
		require.Equal(t, http.StatusOK, a.status, "%s: %s", ct, a.body)
	}
	for _, ct := range []string{"text/plain", "application/jsonp", "application/json-patch+json", "application/x-www-form-urlencoded", "application/json; charset", ""} {
		a := rawSigned(t, f.s, "POST", "/v3/payscore/permissions", body, map[string]string{"Content-Type": ct})
		require.Equal(t, http.StatusBadRequest, a.status, ct)
		require.Contains(t, a.body, "INVALID_REQUEST", ct)
	}
}

// A merchant without platform certificates (WithoutCertificates) cannot
// have encrypted to one: a certificate serial in Wechatpay-Serial is
// refused, the public key ID accepted.
func TestNoCertificatesNoCertificateSerial(t *testing.T) {
	s, err := NewServer(WithoutCertificates())
	require.NoError(t, err)
	t.Cleanup(s.Close)
	c, err := s.Client(core.WithRetry(core.NoRetry))
	require.NoError(t, err)
	cert := s.PlatformCertificate()
	body := func(enc func(string) (string, error)) map[string]any {
		name, err := enc("张三")
		require.NoError(t, err)
		mobile, err := enc("13800138000")
		require.NoError(t, err)
		return map[string]any{"corpid": "ww01", "store_id": 1234, "userid": "u-nocert", "name": name, "mobile": mobile,
			"qr_code": "https://example.com/qr.png", "avatar": "https://example.com/a.png"}
	}
	toCert := func(pt string) (string, error) { return utils.EncryptOAEPWithCertificate(pt, cert) }
	_, err = c.Do(context.Background(), &core.Request{Method: "POST", Path: "/v3/smartguide/guides", Body: body(toCert), WechatpaySerial: certSerial(cert)}, nil)
	ae, ok := core.IsAPIError(err)
	require.True(t, ok, err)
	require.Equal(t, "PARAM_ERROR", ae.Code)
	toKey := func(pt string) (string, error) { return utils.EncryptOAEPWithPublicKey(pt, s.PlatformPublicKey) }
	_, err = c.Do(context.Background(), &core.Request{Method: "POST", Path: "/v3/smartguide/guides", Body: body(toKey)}, nil)
	require.NoError(t, err)
}

// Provider isolation reaches refunds: a sub-merchant of another service
// provider is 403 NO_AUTH, even for a payment the ledger holds for it.
func TestRefundOfAnotherProvidersSubMerchant(t *testing.T) {
	f := newRFFixture(t)
	f.s.Record(LedgerEntry{Time: rfDay.Add(9 * time.Hour), AppID: AppID, SubMchID: PayScoreForeignSubMchID, TransactionID: "4200000001202605200000000310",
		OutTradeNo: "FOREIGN-1", TradeType: "JSAPI", TradeState: "SUCCESS", BankType: "OTHERS", AmountFen: 500})
	body := map[string]any{"sub_mchid": PayScoreForeignSubMchID, "transaction_id": "4200000001202605200000000310", "out_refund_no": "F-1",
		"amount": map[string]any{"refund": 100, "total": 500, "currency": "CNY"}}
	f.fails(403, "NO_AUTH", "POST", "/v3/refund/domestic/refunds", nil, body)
	f.fails(403, "NO_AUTH", "GET", "/v3/refund/domestic/refunds/F-1", url.Values{"sub_mchid": {PayScoreForeignSubMchID}}, nil)
	// Our own sub-merchants are refundable as before.
	body["sub_mchid"], body["transaction_id"] = "1900000200", "4200000001202605200000000002"
	body["amount"] = map[string]any{"refund": 100, "total": 2000, "currency": "CNY"}
	f.ok("POST", "/v3/refund/domestic/refunds", nil, body)
}

// With WithListener a client can call before NewServer returns; the
// sandbox's URL, which handlers read, is set before it serves (run with
// -race).
func TestServesOnlyWhenReady(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := "http://" + l.Addr().String()
	got := make(chan string, 1)
	go func() {
		for {
			resp, err := http.Get(addr + "/sandbox/")
			if err == nil {
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				got <- string(b)
				return
			}
		}
	}()
	s, err := NewServer(WithListener(l))
	require.NoError(t, err)
	defer s.Close()
	require.Contains(t, <-got, `"base_url": "`+addr+`"`)
	require.Equal(t, addr, s.URL)
}

// billCells splits a bill line into its values, backticks stripped.
func billCells(line string) []string {
	cells := strings.Split(line, ",`")
	cells[0] = strings.TrimPrefix(cells[0], "`")
	return cells
}

// billMinor parses a bill amount (yuan with 2 or 5 decimals) into
// 1/100000 yuan.
func billMinor(t *testing.T, v string) int64 {
	t.Helper()
	neg := strings.HasPrefix(v, "-")
	whole, frac, ok := strings.Cut(strings.TrimPrefix(v, "-"), ".")
	require.True(t, ok, v)
	frac += strings.Repeat("0", 5-len(frac))
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	require.NoError(t, err, v)
	if neg {
		n = -n
	}
	return n
}

// The bills reconcile with the refund API: a refund's 退款金额 in the trade
// bill and its expense in the fund-flow bill are its settlement_refund (the
// coupon's share excluded), 申请退款金额 is the amount applied for, and
// every summary row is the sum of its columns.
func TestBillsReconcileWithRefunds(t *testing.T) {
	f := newRFFixture(t)
	f.s.BillServeToday(true)
	r1 := f.refund(rfBody("REC-1", 333, 1000)) // order of 900 paid + 100 coupon
	require.NoError(t, f.s.RefundSimulateSuccess(f.ctx, r1["refund_id"].(string)))
	f.advance(time.Minute)
	r2 := f.refund(rfBody("REC-2", 500, 1000))
	require.NoError(t, f.s.RefundSimulateClose(f.ctx, r2["refund_id"].(string)))
	r3 := f.refund(map[string]any{"sub_mchid": "1900000200", "out_trade_no": "ORDER-0002", "out_refund_no": "REC-3",
		"amount": map[string]any{"refund": 2000, "total": 2000, "currency": "CNY"}})
	settled := map[string]int64{}
	for _, r := range []map[string]any{r1, r2, r3} {
		a := r["amount"].(map[string]any)
		settled[r["out_refund_no"].(string)] = int64(a["settlement_refund"].(float64))
	}
	require.Equal(t, map[string]int64{"REC-1": 300, "REC-2": 450, "REC-3": 2000}, settled)

	download := func(path string, q url.Values) []string {
		ans := f.ok("GET", path, q, nil)
		hr, err := f.c.Download(f.ctx, ans["download_url"].(string))
		require.NoError(t, err)
		defer hr.Body.Close()
		b, err := io.ReadAll(hr.Body)
		require.NoError(t, err)
		return strings.Split(strings.TrimSpace(string(b)), "\r\n")
	}
	date := rfDay.Format(time.DateOnly)

	// Trade bill, ALL: columns 12 应结订单金额, 16 退款金额, 22 手续费, 24
	// 订单金额, 25 申请退款金额; summary 1, 2, 4, 5, 6.
	lines := download("/v3/bill/tradebill", url.Values{"bill_date": {date}})
	rows, sum := lines[1:len(lines)-2], billCells(lines[len(lines)-1])
	require.Equal(t, strconv.Itoa(len(rows)), sum[0])
	cols := map[int]int{12: 1, 16: 2, 22: 4, 24: 5, 25: 6}
	for col, sumCol := range cols {
		var total int64
		for _, row := range rows {
			total += billMinor(t, billCells(row)[col])
		}
		require.Equal(t, billMinor(t, sum[sumCol]), total, "column %d", col)
	}
	for _, row := range rows {
		c := billCells(row)
		if want, ok := settled[c[15]]; ok {
			require.Equal(t, want*1000, billMinor(t, c[16]), "退款金额 of %s is its settlement_refund", c[15])
		}
	}

	// Fund-flow bill: income and expense counts and sums, and the balance
	// moving by each amount.
	lines = download("/v3/bill/fundflowbill", url.Values{"bill_date": {date}})
	rows, sum = lines[1:len(lines)-2], billCells(lines[len(lines)-1])
	var inN, outN, in, out int64
	balance := billMinor(t, billCells(rows[0])[7]) - billMinor(t, billCells(rows[0])[6])
	for _, row := range rows {
		c := billCells(row)
		amt := billMinor(t, c[6])
		if c[5] == "收入" {
			inN, in, balance = inN+1, in+amt, balance+amt
		} else {
			outN, out, balance = outN+1, out+amt, balance-amt
		}
		require.Equal(t, balance, billMinor(t, c[7]), row)
		if c[4] == "退款" || c[4] == "退款关闭" {
			require.Equal(t, settled[c[9]]*1000, amt, "%s of %s moves its settlement_refund", c[4], c[9])
		}
	}
	require.Equal(t, []string{strconv.Itoa(len(rows)), strconv.FormatInt(inN, 10), yuan(in / 1000), strconv.FormatInt(outN, 10), yuan(out / 1000)}, sum)
}

// APIv3 bodies are UTF-8: a body in another encoding (GBK from a
// misconfigured client) is refused, not decoded into U+FFFD and accepted.
func TestBodyMustBeUTF8(t *testing.T) {
	f := newPSFixture(t)
	gbk := "\xb3\xe4\xb5\xe7\xb1\xa6" // 充电宝 in GBK
	body := `{"out_order_no":"GBK-1","appid":"` + AppID + `","service_id":"` + PayScoreConfirmServiceID + `","service_introduction":"` + gbk +
		`","time_range":{"start_time":"OnAccept"},"risk_fund":{"name":"DEPOSIT","amount":100},"notify_url":"https://merchant.example.com/n"}`
	a := rawSigned(t, f.s, "POST", "/v3/payscore/serviceorder", body, nil)
	require.Equal(t, http.StatusBadRequest, a.status, a.body)
	require.Contains(t, a.body, "PARAM_ERROR")
	require.Contains(t, a.body, "UTF-8")
	a = rawSigned(t, f.s, "POST", "/v3/payscore/serviceorder", strings.Replace(body, gbk, "充电宝", 1), nil)
	require.Equal(t, http.StatusOK, a.status, a.body)
}

// algorithm_type selects certificates by algorithm (spec §6.9): the
// sandbox's are RSA, so SM2 lists none, RSA and ALL list them.
func TestCertificatesByAlgorithm(t *testing.T) {
	f := newPSFixture(t)
	for alg, n := range map[string]int{"": 1, "RSA": 1, "ALL": 1, "SM2": 0} {
		q := url.Values{}
		if alg != "" {
			q.Set("algorithm_type", alg)
		}
		out := f.ok("GET", "/v3/certificates", q, nil)
		require.Len(t, out["data"], n, alg)
	}
	f.fails(400, "PARAM_ERROR", "GET", "/v3/certificates?algorithm_type=rsa", nil)
}

// Provider isolation reaches bills: another provider's sub-merchant's
// bills are 403 NO_AUTH, even when the ledger holds its payments.
func TestBillsOfAnotherProvidersSubMerchant(t *testing.T) {
	f := newRFFixture(t)
	f.s.BillServeToday(true)
	f.s.Record(LedgerEntry{Time: rfDay.Add(9 * time.Hour), AppID: AppID, SubMchID: PayScoreForeignSubMchID, TransactionID: "4200000001202605200000000310",
		OutTradeNo: "FOREIGN-1", TradeType: "JSAPI", TradeState: "SUCCESS", BankType: "OTHERS", AmountFen: 500})
	date := rfDay.Format(time.DateOnly)
	for path, q := range map[string]url.Values{
		"/v3/bill/tradebill":                 {"bill_date": {date}, "sub_mchid": {PayScoreForeignSubMchID}},
		"/v3/bill/fundflowbill":              {"bill_date": {date}, "sub_mchid": {PayScoreForeignSubMchID}},
		"/v3/bill/sub-merchant-fundflowbill": {"bill_date": {date}, "sub_mchid": {PayScoreForeignSubMchID}, "account_type": {"BASIC"}, "algorithm": {"AEAD_AES_256_GCM"}},
	} {
		f.fails(403, "NO_AUTH", "GET", path, q, nil)
		q.Set("sub_mchid", "1900000200")
		f.ok("GET", path, q, nil)
	}
}

// Every write endpoint answers hostile bodies with a signed 4xx: no panic,
// no 5xx, no dropped connection. The orders and sub-merchant named in the
// paths exist, so the bodies reach the handlers' decoding.
func TestHostileBodiesGetSigned4xx(t *testing.T) {
	f := newPSFixture(t)
	f.ok("POST", "/v3/payscore/serviceorder", nil, psConfirmBody("HB-1"))
	f.ok("POST", "/v3/payscore/partner/serviceorder", nil, pspConfirmBody(PayScorePartnerSubMchID, "HB-2"))
	routes := []string{
		"POST /v3/businesscircle/points/notify", "POST /v3/businesscircle/parkings",
		"POST /v3/goldplan/merchants/changegoldplanstatus", "POST /v3/goldplan/merchants/changecustompagestatus",
		"POST /v3/goldplan/merchants/set-advertising-industry-filter", "PATCH /v3/goldplan/merchants/open-advertising-show",
		"POST /v3/goldplan/merchants/close-advertising-show",
		"POST /v3/payscore/permissions", "POST /v3/payscore/permissions/openid/o1/terminate",
		"POST /v3/payscore/permissions/authorization-code/A1/terminate", "POST /v3/payscore/serviceorder",
		"POST /v3/payscore/serviceorder/HB-1/cancel", "POST /v3/payscore/serviceorder/HB-1/modify",
		"POST /v3/payscore/serviceorder/HB-1/complete", "POST /v3/payscore/serviceorder/HB-1/sync",
		"POST /v3/payscore/serviceorder/HB-1/pay", "POST " + PayScoreDirectCompletePath,
		"POST /v3/payscore/partner/permissions", "POST /v3/payscore/partner/permissions/terminate",
		"POST /v3/payscore/partner/permissions/authorization-code/A1/terminate", "POST /v3/payscore/partner/serviceorder",
		"POST /v3/payscore/partner/serviceorder/HB-2/cancel", "POST /v3/payscore/partner/serviceorder/HB-2/modify",
		"POST /v3/payscore/partner/serviceorder/HB-2/complete", "POST /v3/payscore/partner/serviceorder/HB-2/sync",
		"POST /v3/payscore/partner/serviceorder/HB-2/pay",
		"POST /v3/refund/domestic/refunds", "POST /v3/smartguide/guides", "POST /v3/smartguide/guides/G1/assign",
		"PATCH /v3/smartguide/guides/G1",
	}
	sub := `"sub_mchid":"` + PayScorePartnerSubMchID + `"`
	bodies := []string{
		"null", "[]", `{"a":`, `{"a":1}x`,
		`{` + sub + `,"service_id":null,"appid":7,"post_payments":[null,{}],"total_amount":1e400}`,
		`{` + sub + `,"post_payments":{},"post_discounts":"x","time_range":[],"risk_fund":null,"detail":7,"amount":{"refund":"1"}}`,
		`{` + sub + `,"type":"Order_Paid","detail":null,"reason":"` + strings.Repeat("理", 5000) + `"}`,
		`{"out_order_no":"\u0000","notify_url":"https://[::1]:x/","time_range":{"start_time":"99999999999999"},"risk_fund":{"name":"DEPOSIT","amount":-1}}`,
		`{"amount":{"refund":9223372036854775807,"total":9223372036854775807,"currency":"CNY","from":[{"account":"AVAILABLE","amount":9223372036854775807},{"account":"UNAVAILABLE","amount":9223372036854775807}]},"transaction_id":"1","out_refund_no":"x"}`,
	}
	for _, route := range routes {
		method, path, _ := strings.Cut(route, " ")
		for _, body := range bodies {
			a := rawSigned(t, f.s, method, path, body, nil)
			require.True(t, a.status >= 400 && a.status < 500, "%s %.40q: %d %s", route, body, a.status, a.body)
			require.NotEmpty(t, a.header.Get("Wechatpay-Signature"), route)
			require.Contains(t, a.body, `"code"`, route)
		}
	}
}

// What the partner pages document beyond the direct ones is enforced:
// risk_fund.description ≤ 30, start_time_remark ≤ 20, end_time_remark ≤ 50
// at creation (spec §9.6), a description on every discount at completion
// (spec §9.10).
func TestPartnerOrderDocumentedLimits(t *testing.T) {
	f := newPSFixture(t)
	sub := PayScorePartnerSubMchID
	for field, mutate := range map[string]func(map[string]any){
		"/risk_fund/description": func(b map[string]any) {
			b["risk_fund"].(map[string]any)["description"] = strings.Repeat("押", 31)
		},
		"/time_range/start_time_remark": func(b map[string]any) {
			b["time_range"].(map[string]any)["start_time_remark"] = strings.Repeat("始", 21)
		},
		"/time_range/end_time_remark": func(b map[string]any) {
			b["time_range"].(map[string]any)["end_time_remark"] = strings.Repeat("终", 51)
		},
	} {
		b := pspConfirmBody(sub, "PL-1")
		mutate(b)
		ae := f.fails(400, "PARAM_ERROR", "POST", pspBase+"/serviceorder", b)
		require.Equal(t, field, ae.Detail.Field)
	}
	b := pspConfirmBody(sub, "PL-1")
	b["risk_fund"].(map[string]any)["description"] = strings.Repeat("押", 30)
	b["time_range"].(map[string]any)["start_time_remark"] = strings.Repeat("始", 20)
	b["time_range"].(map[string]any)["end_time_remark"] = strings.Repeat("终", 50)
	f.ok("POST", pspBase+"/serviceorder", nil, b)

	_, err := f.s.PayScoreSimulateUserConfirm(f.ctx, "PL-1", "u-pl")
	require.NoError(t, err)
	complete := pspComplete(sub, PayScoreConfirmServiceID, 500, 100, 400)
	delete(complete["post_discounts"].([]any)[0].(map[string]any), "description")
	ae := f.fails(400, "PARAM_ERROR", "POST", pspBase+"/serviceorder/PL-1/complete", complete)
	require.Equal(t, "/post_discounts/0/description", ae.Detail.Field)
	require.Equal(t, "DOING/USER_CONFIRM", f.pspState(sub, "PL-1"))
	f.ok("POST", pspBase+"/serviceorder/PL-1/complete", nil, pspComplete(sub, PayScoreConfirmServiceID, 500, 100, 400))
	require.Equal(t, "DOING/MCH_COMPLETE+USER_PAYING", f.pspState(sub, "PL-1"))
}

// Device and location fields are text of 1-3 byte characters like every
// other (spec §6.8), on create, complete and modify; a completion's
// start_location is kept, as its end_location is.
func TestPayScoreDeviceAndLocationText(t *testing.T) {
	f := newPSFixture(t)
	f.authorize("AUTH-DEV", "u1")
	emoji := "柜\U0001F600"
	b := psNoConfirmBody("DEV-1", "u1")
	b["device"] = map[string]any{"start_device_id": emoji}
	ae := f.fails(400, "PARAM_ERROR", "POST", "/v3/payscore/serviceorder", b)
	require.Equal(t, "/device/start_device_id", ae.Detail.Field)
	b["device"] = map[string]any{"start_device_id": "柜-1", "materiel_no": "M-1"}
	f.ok("POST", "/v3/payscore/serviceorder", nil, b)

	c := psComplete(PayScoreNoConfirmServiceID, 3000, 0, 3000)
	c["location"] = map[string]any{"start_location": emoji}
	ae = f.fails(400, "PARAM_ERROR", "POST", "/v3/payscore/serviceorder/DEV-1/complete", c)
	require.Equal(t, "/location/start_location", ae.Detail.Field)
	c["location"] = map[string]any{"start_location": "一号门", "end_location": "二号门"}
	c["device"] = map[string]any{"end_device_id": emoji}
	ae = f.fails(400, "PARAM_ERROR", "POST", "/v3/payscore/serviceorder/DEV-1/complete", c)
	require.Equal(t, "/device/end_device_id", ae.Detail.Field)
	delete(c, "device")
	done := f.ok("POST", "/v3/payscore/serviceorder/DEV-1/complete", nil, c)
	require.Equal(t, map[string]any{"start_location": "一号门", "end_location": "二号门"}, done["location"])

	m := psComplete(PayScoreNoConfirmServiceID, 2000, 0, 2000)
	delete(m, "time_range")
	m["reason"], m["device"] = "调整", map[string]any{"materiel_no": emoji}
	ae = f.fails(400, "PARAM_ERROR", "POST", "/v3/payscore/serviceorder/DEV-1/modify", m)
	require.Equal(t, "/device/materiel_no", ae.Detail.Field)
}

// The request log (WithLogger) names routes by template: OpenIDs and order
// numbers in paths stay out of it.
func TestRequestLogShowsRouteTemplates(t *testing.T) {
	var buf syncBuffer
	s, err := NewServer(WithLogger(slog.New(slog.NewTextHandler(&buf, nil))))
	require.NoError(t, err)
	t.Cleanup(s.Close)
	c, err := s.Client(core.WithRetry(core.NoRetry))
	require.NoError(t, err)
	const openID = "oSECRETuserOPENID0000000000"
	_, _ = c.Do(context.Background(), &core.Request{Method: "GET", Path: "/v3/payscore/permissions/openid/" + openID,
		Query: url.Values{"service_id": {PayScoreNoConfirmServiceID}, "appid": {AppID}}}, nil)
	_, _ = c.Do(context.Background(), &core.Request{Method: "GET", Path: "/v3/no/such/" + openID}, nil)
	out := buf.String()
	require.Contains(t, out, "route=/v3/payscore/permissions/openid/{openid}")
	require.Contains(t, out, `route="(no such API)"`)
	require.NotContains(t, out, openID)
}

// syncBuffer is a strings.Builder safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// A callback addressed beyond the loopback interface is not sent, but the
// delivery log says so, and why — a missing callback is explained.
func TestCallbackNotSentIsLogged(t *testing.T) {
	f := newPSFixture(t)
	f.ok("POST", "/v3/payscore/serviceorder", nil, psConfirmBody("NS-1")) // notify_url https://merchant.example.com/notify
	_, err := f.s.PayScoreSimulateUserConfirm(f.ctx, "NS-1", "u-ns")
	require.NoError(t, err)
	ds := f.s.Deliveries()
	require.Len(t, ds, 1)
	require.Equal(t, DeliveryNotSent, ds[0].State)
	require.Equal(t, "PAYSCORE.USER_CONFIRM", ds[0].EventType)
	require.Equal(t, "https://merchant.example.com/notify", ds[0].URL)
	require.Contains(t, ds[0].Note, "loopback")
	require.Empty(t, ds[0].Attempts)
	n, _ := f.s.Pending()
	require.Zero(t, n, "nothing to redeliver")

	resp, err := http.Get(f.s.URL + "/sandbox/notifications/" + ds[0].ID)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Contains(t, string(b), `"state": "NOT_SENT"`)
	require.Contains(t, string(b), "loopback")
}

// Concurrent refunds of one payment — through the refund API and as
// simulated mall refunds — never refund more than was paid (run with
// -race).
func TestConcurrentRefundsNeverExceedThePayment(t *testing.T) {
	f := newBCFixture(t)
	ctx := context.Background()
	const openID = "oBC_member_concurrent"
	_, err := f.sb.BusinessCircleAuthorize(ctx, AppID, openID)
	require.NoError(t, err)
	tx, err := f.sb.BusinessCircleSimulateTransaction(ctx, BusinessCircleTransaction{OpenID: openID, AmountFen: 1000})
	require.NoError(t, err)
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	for i := range 9 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			if i%3 == 0 {
				_, err = f.c.Do(ctx, &core.Request{Method: "POST", Path: "/v3/refund/domestic/refunds", Body: map[string]any{
					"transaction_id": tx, "out_refund_no": "CC-" + strconv.Itoa(i), "amount": map[string]any{"refund": 300, "total": 1000, "currency": "CNY"}}}, nil)
			} else {
				_, _, err = f.sb.BusinessCircleSimulateRefund(ctx, tx, 300)
			}
			if err == nil {
				mu.Lock()
				ok++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	var refunded int64
	for _, e := range f.sb.Ledger() {
		if e.TradeState == "REFUND" && e.TransactionID == tx {
			refunded += e.RefundFen
		}
	}
	require.Equal(t, 3, ok, "three refunds of 300 fit in 1000")
	require.Equal(t, int64(900), refunded)
}
