package sandbox

import (
	"context"
	"io"
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

// rfFixture drives the refund (and pay-score extras) simulation with raw
// signed requests, so the sandbox is tested independently of the SDK's
// product packages.
type rfFixture struct {
	t     *testing.T
	s     *Server
	c     *core.Client
	clock *atomic.Int64
	ctx   context.Context
}

// rfDay is the fixture's first day: payments are made at 09:00 on it.
var rfDay = time.Date(2026, 5, 20, 0, 0, 0, 0, shanghai)

func newRFFixture(t *testing.T) *rfFixture {
	t.Helper()
	clock := new(atomic.Int64)
	clock.Store(rfDay.Add(10 * time.Hour).Unix())
	s, err := NewServer(WithClock(func() time.Time { return time.Unix(clock.Load(), 0) }))
	require.NoError(t, err)
	t.Cleanup(s.Close)
	c, err := s.Client(core.WithRetry(core.NoRetry))
	require.NoError(t, err)
	s.Record(LedgerEntry{Time: rfDay.Add(9 * time.Hour), AppID: AppID, TransactionID: "4200000001202605200000000001", OutTradeNo: "ORDER-0001",
		OpenID: "u1", TradeType: "JSAPI", TradeState: "SUCCESS", BankType: "OTHERS", AmountFen: 900, CouponFen: 100, Product: "咖啡"})
	s.Record(LedgerEntry{Time: rfDay.Add(9 * time.Hour), AppID: AppID, SubMchID: "1900000200", TransactionID: "4200000001202605200000000002",
		OutTradeNo: "ORDER-0002", OpenID: "u2", TradeType: "JSAPI", TradeState: "SUCCESS", BankType: "OTHERS", AmountFen: 2000, Product: "蛋糕"})
	return &rfFixture{t: t, s: s, c: c, clock: clock, ctx: context.Background()}
}

func (f *rfFixture) advance(d time.Duration) { f.clock.Add(int64(d / time.Second)) }

func (f *rfFixture) call(method, path string, q url.Values, body any) (map[string]any, error) {
	var out map[string]any
	_, err := f.c.Do(f.ctx, &core.Request{Method: method, Path: path, Query: q, Body: body}, &out)
	return out, err
}

func (f *rfFixture) ok(method, path string, q url.Values, body any) map[string]any {
	f.t.Helper()
	out, err := f.call(method, path, q, body)
	require.NoError(f.t, err)
	return out
}

func (f *rfFixture) fails(status int, code, method, path string, q url.Values, body any) *core.APIError {
	f.t.Helper()
	_, err := f.call(method, path, q, body)
	ae, ok := core.IsAPIError(err)
	require.True(f.t, ok, "want an API error, got %v", err)
	require.Equal(f.t, status, ae.StatusCode, ae.Error())
	require.Equal(f.t, code, ae.Code, ae.Error())
	require.NotEmpty(f.t, ae.RequestID)
	return ae
}

func rfBody(no string, refund, total int64) map[string]any {
	return map[string]any{
		"transaction_id": "4200000001202605200000000001", "out_refund_no": no,
		"amount": map[string]any{"refund": refund, "total": total, "currency": "CNY"},
	}
}

func (f *rfFixture) refund(body map[string]any) map[string]any {
	f.t.Helper()
	return f.ok("POST", "/v3/refund/domestic/refunds", nil, body)
}

// rfReceiver is a merchant refund callback endpoint built on notify.
type rfReceiver struct {
	mu     sync.Mutex
	events []map[string]any
	types  []string
	url    string
}

func newRFReceiver(t *testing.T, c *core.Client) *rfReceiver {
	h, err := notify.NewHandler(c)
	require.NoError(t, err)
	rc := &rfReceiver{}
	on := func(_ context.Context, n *notify.Notification) error {
		var m map[string]any
		if err := n.Decode(&m); err != nil {
			return err
		}
		rc.mu.Lock()
		rc.events, rc.types = append(rc.events, m), append(rc.types, n.EventType)
		rc.mu.Unlock()
		return nil
	}
	for _, et := range []string{"REFUND.SUCCESS", "REFUND.CLOSED", "REFUND.ABNORMAL"} {
		h.On(et, on)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	rc.url = srv.URL + "/refund/notify"
	return rc
}

func TestRefundAgainstTheLedger(t *testing.T) {
	f := newRFFixture(t)

	r1 := f.refund(rfBody("R-1", 300, 1000))
	require.Equal(t, "PROCESSING", r1["status"])
	require.Equal(t, "ORDER-0001", r1["out_trade_no"])
	require.Equal(t, "ORIGINAL", r1["channel"])
	require.NotEmpty(t, r1["create_time"])
	require.Nil(t, r1["success_time"])
	amt := r1["amount"].(map[string]any)
	require.EqualValues(t, 1000, amt["total"])
	require.EqualValues(t, 300, amt["refund"])
	require.EqualValues(t, 900, amt["payer_total"])
	require.EqualValues(t, 30, amt["discount_refund"], "the coupon share of the refund")
	require.EqualValues(t, 270, amt["payer_refund"])
	require.Equal(t, "CNY", amt["currency"])

	// A repeated number refunds only once; other parameters are refused.
	again := f.refund(rfBody("R-1", 300, 1000))
	require.Equal(t, r1["refund_id"], again["refund_id"])
	f.fails(400, "INVALID_REQUEST", "POST", "/v3/refund/domestic/refunds", nil, rfBody("R-1", 200, 1000))

	// Two refunds of one order need a minute between them.
	f.fails(429, "FREQUENCY_LIMITED", "POST", "/v3/refund/domestic/refunds", nil, rfBody("R-2", 100, 1000))
	f.advance(61 * time.Second)
	byTradeNo := map[string]any{"out_trade_no": "ORDER-0001", "out_refund_no": "R-2", "reason": "部分退款",
		"amount": map[string]any{"refund": 600, "total": 1000, "currency": "CNY"}}
	require.Equal(t, "PROCESSING", f.refund(byTradeNo)["status"])

	// 900 of 1000 refunded: 101 more is too much, 100 is fine.
	f.advance(61 * time.Second)
	ae := f.fails(400, "INVALID_REQUEST", "POST", "/v3/refund/domestic/refunds", nil, rfBody("R-3", 101, 1000))
	require.Contains(t, ae.Message, "100")
	require.Equal(t, "PROCESSING", f.refund(rfBody("R-3", 100, 1000))["status"])
	f.advance(61 * time.Second)
	f.fails(400, "INVALID_REQUEST", "POST", "/v3/refund/domestic/refunds", nil, rfBody("R-4", 1, 1000))

	// The total must be the order's.
	f.fails(400, "PARAM_ERROR", "POST", "/v3/refund/domestic/refunds", nil, map[string]any{
		"out_trade_no": "ORDER-0002", "sub_mchid": "1900000200", "out_refund_no": "R-5",
		"amount": map[string]any{"refund": 1, "total": 1999, "currency": "CNY"}})

	// The refunds are in the ledger, with the payment's details.
	var rows []LedgerEntry
	for _, e := range f.s.Ledger() {
		if e.TradeState == "REFUND" {
			rows = append(rows, e)
		}
	}
	require.Len(t, rows, 3)
	require.Equal(t, "R-1", rows[0].OutRefundNo)
	require.Equal(t, int64(300), rows[0].RefundFen)
	require.Equal(t, "PROCESSING", rows[0].RefundStatus)
	require.Equal(t, "ORDER-0001", rows[0].OutTradeNo)
	require.Equal(t, "JSAPI", rows[0].TradeType)
}

func TestRefundOnlyOfOwnPayments(t *testing.T) {
	f := newRFFixture(t)
	sub := map[string]any{"transaction_id": "4200000001202605200000000002", "out_refund_no": "S-1",
		"amount": map[string]any{"refund": 500, "total": 2000, "currency": "CNY"}}

	f.fails(404, "RESOURCE_NOT_EXISTS", "POST", "/v3/refund/domestic/refunds", nil, sub) // not the merchant's own payment
	sub["sub_mchid"] = "1900000201"
	f.fails(404, "RESOURCE_NOT_EXISTS", "POST", "/v3/refund/domestic/refunds", nil, sub) // another sub-merchant's
	unknown := rfBody("S-2", 1, 1000)
	unknown["transaction_id"] = "4200000001202605200000009999"
	f.fails(404, "RESOURCE_NOT_EXISTS", "POST", "/v3/refund/domestic/refunds", nil, unknown)

	sub["sub_mchid"] = "1900000200"
	r := f.refund(sub)
	require.Equal(t, "ORDER-0002", r["out_trade_no"])

	// Queries are per sub-merchant too.
	f.fails(404, "RESOURCE_NOT_EXISTS", "GET", "/v3/refund/domestic/refunds/S-1", nil, nil)
	got := f.ok("GET", "/v3/refund/domestic/refunds/S-1", url.Values{"sub_mchid": {"1900000200"}}, nil)
	require.Equal(t, r["refund_id"], got["refund_id"])
	f.fails(404, "RESOURCE_NOT_EXISTS", "GET", "/v3/refund/domestic/refunds/NOPE", nil, nil)
	f.fails(400, "PARAM_ERROR", "GET", "/v3/refund/domestic/refunds/a%20b", nil, nil)

	// The same refund number is free for another (sub-)merchant.
	require.Equal(t, "PROCESSING", f.refund(rfBody("S-1", 1, 1000))["status"])
}

func TestRefundStateMachineAndCallbacks(t *testing.T) {
	f := newRFFixture(t)
	rc := newRFReceiver(t, f.c)
	f.s.RefundSetNotifyURL(rc.url)

	// PROCESSING -> SUCCESS, with REFUND.SUCCESS.
	id := f.refund(rfBody("R-OK", 400, 1000))["refund_id"].(string)
	require.NoError(t, f.s.RefundSimulateSuccess(f.ctx, id))
	got := f.ok("GET", "/v3/refund/domestic/refunds/R-OK", nil, nil)
	require.Equal(t, "SUCCESS", got["status"])
	require.NotEmpty(t, got["success_time"])
	require.Equal(t, []string{"REFUND.SUCCESS"}, rc.types)
	ev := rc.events[0]
	require.Equal(t, MerchantID, ev["mchid"])
	require.Equal(t, "R-OK", ev["out_refund_no"])
	require.Equal(t, id, ev["refund_id"])
	require.Equal(t, "SUCCESS", ev["refund_status"])
	require.Equal(t, "ORDER-0001", ev["out_trade_no"])
	require.NotEmpty(t, ev["success_time"])
	require.EqualValues(t, 400, ev["amount"].(map[string]any)["refund"])
	for _, sim := range []func(context.Context, string) error{f.s.RefundSimulateSuccess, f.s.RefundSimulateClose, f.s.RefundSimulateAbnormal} {
		require.ErrorContains(t, sim(f.ctx, id), "not PROCESSING", "a final state is final")
	}
	require.ErrorContains(t, f.s.RefundSimulateSuccess(f.ctx, "50300000"), "no such refund_id")

	// PROCESSING -> CLOSED gives the money back: it can be refunded again.
	f.advance(time.Minute)
	closed := f.refund(rfBody("R-CLOSE", 600, 1000))["refund_id"].(string)
	f.advance(time.Minute)
	f.fails(400, "INVALID_REQUEST", "POST", "/v3/refund/domestic/refunds", nil, rfBody("R-AGAIN", 600, 1000))
	require.NoError(t, f.s.RefundSimulateClose(f.ctx, closed))
	require.Equal(t, "CLOSED", f.ok("GET", "/v3/refund/domestic/refunds/R-CLOSE", nil, nil)["status"])
	require.Equal(t, "REFUND.CLOSED", rc.types[1])
	require.Equal(t, "CLOSED", rc.events[1]["refund_status"])
	require.Nil(t, rc.events[1]["success_time"])

	// PROCESSING -> ABNORMAL, to the refund's own URL when it gave one.
	own := newRFReceiver(t, f.c)
	abnormal := f.refund(rfBody("R-AGAIN", 600, 1000))["refund_id"].(string)
	require.NoError(t, f.s.RefundSimulateAbnormal(f.ctx, abnormal))
	require.Equal(t, "ABNORMAL", f.ok("GET", "/v3/refund/domestic/refunds/R-AGAIN", nil, nil)["status"])
	require.Equal(t, "REFUND.ABNORMAL", rc.types[2])
	require.Empty(t, own.types)

	// A partner's refund callback names the provider and the sub-merchant.
	f.s.RefundSetNotifyURL(own.url)
	sub := f.refund(map[string]any{"sub_mchid": "1900000200", "out_trade_no": "ORDER-0002", "out_refund_no": "S-1",
		"amount": map[string]any{"refund": 2000, "total": 2000, "currency": "CNY"}})
	require.NoError(t, f.s.RefundSimulateSuccess(f.ctx, sub["refund_id"].(string)))
	require.Equal(t, MerchantID, own.events[0]["sp_mchid"])
	require.Equal(t, "1900000200", own.events[0]["sub_mchid"])
	require.Nil(t, own.events[0]["mchid"])
}

func TestRefundLimits(t *testing.T) {
	f := newRFFixture(t)
	// At most 50 refunds of one order.
	for i := range RefundMaxPerOrder {
		f.refund(rfBody("N-"+strings.Repeat("x", i+1), 1, 1000))
		f.advance(RefundMinInterval)
	}
	ae := f.fails(400, "INVALID_REQUEST", "POST", "/v3/refund/domestic/refunds", nil, rfBody("N-51", 1, 1000))
	require.Contains(t, ae.Message, "50")

	// Not after 365 days.
	f.advance(RefundPeriod)
	f.fails(400, "INVALID_REQUEST", "POST", "/v3/refund/domestic/refunds", nil, map[string]any{
		"sub_mchid": "1900000200", "out_trade_no": "ORDER-0002", "out_refund_no": "OLD",
		"amount": map[string]any{"refund": 1, "total": 2000, "currency": "CNY"}})
}

func TestRefundRejectsBadRequests(t *testing.T) {
	f := newRFFixture(t)
	cases := []struct {
		name  string
		edit  func(m map[string]any)
		field string
	}{
		{"no order", func(m map[string]any) { delete(m, "transaction_id") }, "/transaction_id"},
		{"both orders", func(m map[string]any) { m["out_trade_no"] = "ORDER-0001" }, "/out_trade_no"},
		{"short out_trade_no", func(m map[string]any) { delete(m, "transaction_id"); m["out_trade_no"] = "ORD1" }, "/out_trade_no"},
		{"out_refund_no charset", func(m map[string]any) { m["out_refund_no"] = "R 1" }, "/out_refund_no"},
		{"out_refund_no length", func(m map[string]any) { m["out_refund_no"] = strings.Repeat("r", 65) }, "/out_refund_no"},
		{"reason bytes", func(m map[string]any) { m["reason"] = strings.Repeat("退", 27) }, "/reason"},
		{"http notify_url", func(m map[string]any) { m["notify_url"] = "http://merchant.example.com/refund" }, "/notify_url"},
		{"notify_url query", func(m map[string]any) { m["notify_url"] = "https://merchant.example.com/refund?a=1" }, "/notify_url"},
		{"funds_account", func(m map[string]any) { m["funds_account"] = "BASIC" }, "/funds_account"},
		{"no amount", func(m map[string]any) { delete(m, "amount") }, "/amount"},
		{"zero refund", func(m map[string]any) { m["amount"].(map[string]any)["refund"] = 0 }, "/amount/refund"},
		{"refund over total", func(m map[string]any) { m["amount"].(map[string]any)["refund"] = 1001 }, "/amount/refund"},
		{"currency", func(m map[string]any) { m["amount"].(map[string]any)["currency"] = "USD" }, "/amount/currency"},
		{"from sum", func(m map[string]any) {
			m["amount"].(map[string]any)["from"] = []any{map[string]any{"account": "AVAILABLE", "amount": 100}}
		}, "/amount/from"},
		{"from duplicate", func(m map[string]any) {
			m["amount"].(map[string]any)["from"] = []any{map[string]any{"account": "AVAILABLE", "amount": 100}, map[string]any{"account": "AVAILABLE", "amount": 200}}
		}, "/amount/from/1/account"},
		{"goods quantity", func(m map[string]any) {
			m["goods_detail"] = []any{map[string]any{"merchant_goods_id": "G1", "unit_price": 100, "refund_amount": 100, "refund_quantity": 0}}
		}, "/goods_detail/0/refund_quantity"},
	}
	for _, tc := range cases {
		body := rfBody("BAD-1", 300, 1000)
		tc.edit(body)
		ae := f.fails(400, "PARAM_ERROR", "POST", "/v3/refund/domestic/refunds", nil, body)
		require.NotNil(t, ae.Detail, tc.name)
		require.Equal(t, tc.field, ae.Detail.Field, tc.name)
	}
	// Nothing was refunded.
	for _, e := range f.s.Ledger() {
		require.NotEqual(t, "REFUND", e.TradeState)
	}
	// A well-formed split and goods list are accepted.
	ok := rfBody("GOOD-1", 300, 1000)
	ok["amount"].(map[string]any)["from"] = []any{map[string]any{"account": "AVAILABLE", "amount": 100}, map[string]any{"account": "UNAVAILABLE", "amount": 200}}
	ok["goods_detail"] = []any{map[string]any{"merchant_goods_id": "G1", "goods_name": "咖啡", "unit_price": 300, "refund_amount": 300, "refund_quantity": 1}}
	ok["notify_url"] = "https://merchant.example.com/refund"
	ok["funds_account"] = "AVAILABLE"
	r := f.refund(ok)
	require.Equal(t, "AVAILABLE", r["funds_account"])
	require.Len(t, r["amount"].(map[string]any)["from"], 2)
}

func TestRefundsInBills(t *testing.T) {
	f := newRFFixture(t)
	f.s.BillServeToday(true)
	id := f.refund(rfBody("R-BILL", 300, 1000))["refund_id"].(string)
	require.NoError(t, f.s.RefundSimulateSuccess(f.ctx, id))
	f.advance(time.Minute)
	closed := f.refund(rfBody("R-CLOSED", 200, 1000))["refund_id"].(string)
	require.NoError(t, f.s.RefundSimulateClose(f.ctx, closed))

	download := func(path string, q url.Values) string {
		ans := f.ok("GET", path, q, nil)
		hr, err := f.c.Download(f.ctx, ans["download_url"].(string))
		require.NoError(t, err)
		defer hr.Body.Close()
		b, err := io.ReadAll(hr.Body)
		require.NoError(t, err)
		return string(b)
	}
	date := rfDay.Format(time.DateOnly)

	// Trade bill, refund rows: one per accepted refund, as accepted
	// (PROCESSING), none for the closure.
	trade := download("/v3/bill/tradebill", url.Values{"bill_date": {date}, "bill_type": {"REFUND"}})
	lines := strings.Split(strings.TrimSpace(trade), "\r\n")
	require.Len(t, lines, 5, trade) // header, two refunds, summary header, summary
	// 退款金额 is the settlement refund (the coupon's 10% share excluded, as
	// the refund's settlement_refund), 申请退款金额 the amount applied for.
	require.Contains(t, lines[1], "`"+id+",`R-BILL,`2.70,")
	require.Contains(t, lines[1], ",`0.00,`3.00,`")
	require.Contains(t, lines[1], "`ORDER-0001,")
	require.Contains(t, lines[1], "`ORIGINAL,`PROCESSING,")
	require.Contains(t, lines[2], "`R-CLOSED,`1.80,")
	require.Equal(t, "`2,`0.00,`4.50,`0.00,`-0.02700,`0.00,`5.00", lines[4], "the summary: two refunds, 4.50 yuan settled of 5 applied")

	// Fund-flow bill: the payment, the refunds as expenses, the closure as
	// an income.
	flow := download("/v3/bill/fundflowbill", url.Values{"bill_date": {date}})
	require.Contains(t, flow, "`"+id+",")
	require.Contains(t, flow, "`退款,`退款,`支出,`2.70,")
	require.Contains(t, flow, "`退款,`退款,`支出,`1.80,")
	require.Contains(t, flow, "`退款,`退款关闭,`收入,`1.80,")
}
