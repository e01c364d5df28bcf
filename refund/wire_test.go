package refund_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/internal/wiretest"
	"github.com/wechatpay-biz/wechatpay-biz-go/refund"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

const (
	txDirect  = "4200000001202611250000000001" // a direct payment of 1000 fen (100 of them coupon)
	txPartner = "4200000001202611250000000002" // sub-merchant 1900000200's payment of 2000 fen
	subMchID  = "1900000200"
)

// env is a sandbox with two payments in its ledger, a client, a recorder of
// what reaches the sandbox (signatures verified independently) and the
// service under test.
type env struct {
	sb  *sandbox.Server
	c   *core.Client
	rec *wiretest.Recorder
	svc *refund.Service
	ctx context.Context
}

func newEnv(t *testing.T) *env {
	t.Helper()
	sb, err := sandbox.NewServer()
	require.NoError(t, err)
	t.Cleanup(sb.Close)
	c, err := sb.Client(core.WithRetry(core.NoRetry))
	require.NoError(t, err)
	paid := time.Now().Add(-time.Hour)
	sb.Record(sandbox.LedgerEntry{Time: paid, AppID: sb.AppID, TransactionID: txDirect, OutTradeNo: "ORDER-0001", OpenID: "u1",
		TradeType: "JSAPI", TradeState: "SUCCESS", BankType: "OTHERS", AmountFen: 900, CouponFen: 100, Product: "咖啡"})
	sb.Record(sandbox.LedgerEntry{Time: paid, AppID: sb.AppID, SubMchID: subMchID, TransactionID: txPartner, OutTradeNo: "ORDER-0002",
		OpenID: "u2", TradeType: "JSAPI", TradeState: "SUCCESS", BankType: "OTHERS", AmountFen: 2000, Product: "蛋糕"})
	return &env{sb: sb, c: c, rec: wiretest.Record(t, sb), svc: refund.NewService(c), ctx: context.Background()}
}

func createRequest(no string, fen int64) *refund.CreateRequest {
	return &refund.CreateRequest{
		TransactionID: core.Ptr(txDirect), OutRefundNo: no,
		Amount: refund.AmountRequest{Refund: fen, Total: 1000, Currency: refund.CurrencyCNY},
	}
}

func requireJSON(t *testing.T, want string, got []byte) {
	t.Helper()
	var w, g any
	require.NoError(t, json.Unmarshal([]byte(want), &w))
	require.NoError(t, json.Unmarshal(got, &g), "body is JSON")
	require.Equal(t, w, g)
}

func TestCreateOnTheWire(t *testing.T) {
	e := newEnv(t)
	req := &refund.CreateRequest{
		TransactionID: core.Ptr(txDirect), OutRefundNo: "R|2026*11@25-1",
		Reason: core.Ptr("商品已售完"), NotifyURL: core.Ptr("https://merchant.example.com/refund/notify"),
		FundsAccount: core.Ptr(refund.FundsAccountAvailable),
		Amount: refund.AmountRequest{Refund: 300, Total: 1000, Currency: refund.CurrencyCNY,
			From: []refund.FundSource{{Account: refund.AccountAvailable, Amount: 100}, {Account: refund.AccountUnavailable, Amount: 200}}},
		GoodsDetail: []refund.GoodsDetail{{MerchantGoodsID: "SKU-1", GoodsName: core.Ptr("咖啡"), UnitPrice: 300, RefundAmount: 300, RefundQuantity: 1}},
	}
	resp, err := e.svc.Create(e.ctx, req)
	require.NoError(t, err)

	w := e.rec.Only(t)
	assert.Equal(t, http.MethodPost, w.Method)
	assert.Equal(t, "/v3/refund/domestic/refunds", w.URI)
	assert.Equal(t, "application/json", w.Header.Get("Content-Type"))
	requireJSON(t, `{
		"transaction_id": "`+txDirect+`", "out_refund_no": "R|2026*11@25-1", "reason": "商品已售完",
		"notify_url": "https://merchant.example.com/refund/notify", "funds_account": "AVAILABLE",
		"amount": {"refund": 300, "total": 1000, "currency": "CNY",
			"from": [{"account": "AVAILABLE", "amount": 100}, {"account": "UNAVAILABLE", "amount": 200}]},
		"goods_detail": [{"merchant_goods_id": "SKU-1", "goods_name": "咖啡", "unit_price": 300, "refund_amount": 300, "refund_quantity": 1}]
	}`, w.Body)

	assert.NotEmpty(t, resp.RequestID)
	assert.Equal(t, refund.StatusProcessing, resp.Status)
	assert.Equal(t, "R|2026*11@25-1", resp.OutRefundNo)
	assert.Equal(t, txDirect, resp.TransactionID)
	assert.Equal(t, "ORDER-0001", resp.OutTradeNo)
	assert.Equal(t, refund.ChannelOriginal, resp.Channel)
	assert.Equal(t, refund.FundsAccountAvailable, resp.FundsAccount)
	assert.False(t, resp.CreateTime.IsZero())
	assert.Nil(t, resp.SuccessTime)
	assert.Equal(t, refund.Amount{
		Total: 1000, Refund: 300, From: req.Amount.From, PayerTotal: 900, PayerRefund: 270,
		SettlementRefund: 270, SettlementTotal: 900, DiscountRefund: 30, Currency: refund.CurrencyCNY,
	}, resp.Amount)

	// Optional fields left nil are not sent; a partner names its sub-merchant.
	e.rec.Reset()
	_, err = e.svc.Create(e.ctx, &refund.CreateRequest{
		SubMchID: core.Ptr(subMchID), OutTradeNo: core.Ptr("ORDER-0002"), OutRefundNo: "P-1",
		Amount: refund.AmountRequest{Refund: 2000, Total: 2000, Currency: refund.CurrencyCNY},
	})
	require.NoError(t, err)
	requireJSON(t, `{"sub_mchid": "`+subMchID+`", "out_trade_no": "ORDER-0002", "out_refund_no": "P-1",
		"amount": {"refund": 2000, "total": 2000, "currency": "CNY"}}`, e.rec.Only(t).Body)
}

// Spec §11.1 decision: out_trade_no's minimum of 6 characters (old wiki
// only) is the server's rule, not the client's: a short number is sent as
// given and WeChat Pay (here the sandbox) answers 400 PARAM_ERROR.
func TestShortOutTradeNoIsLeftToTheServer(t *testing.T) {
	e := newEnv(t)
	_, err := e.svc.Create(e.ctx, &refund.CreateRequest{OutTradeNo: core.Ptr("O-1"), OutRefundNo: "R-SHORT",
		Amount: refund.AmountRequest{Refund: 100, Total: 1000, Currency: refund.CurrencyCNY}})
	wiretest.RequireAPIError(t, err, http.StatusBadRequest, "PARAM_ERROR")
	requireJSON(t, `{"out_trade_no": "O-1", "out_refund_no": "R-SHORT", "amount": {"refund": 100, "total": 1000, "currency": "CNY"}}`, e.rec.Only(t).Body)
}

func TestQueryOnTheWire(t *testing.T) {
	e := newEnv(t)
	created, err := e.svc.Create(e.ctx, createRequest("R|1*@x", 100))
	require.NoError(t, err)
	e.rec.Reset()

	got, err := e.svc.Query(e.ctx, &refund.QueryRequest{OutRefundNo: "R|1*@x"})
	require.NoError(t, err)
	w := e.rec.Only(t)
	assert.Equal(t, http.MethodGet, w.Method)
	assert.Equal(t, "/v3/refund/domestic/refunds/R%7C1%2A@x", w.URI, "the path parameter is escaped, and signed as sent")
	assert.Empty(t, w.Body)
	assert.Equal(t, created.RefundID, got.RefundID)
	assert.Equal(t, refund.StatusProcessing, got.Status)

	// The outcome shows in the query.
	require.NoError(t, e.sb.RefundSimulateSuccess(e.ctx, created.RefundID))
	got, err = e.svc.Query(e.ctx, &refund.QueryRequest{OutRefundNo: "R|1*@x"})
	require.NoError(t, err)
	assert.Equal(t, refund.StatusSuccess, got.Status)
	require.NotNil(t, got.SuccessTime)

	// A partner's query carries sub_mchid in the query string.
	_, err = e.svc.Create(e.ctx, &refund.CreateRequest{SubMchID: core.Ptr(subMchID), TransactionID: core.Ptr(txPartner), OutRefundNo: "P-1",
		Amount: refund.AmountRequest{Refund: 1, Total: 2000, Currency: refund.CurrencyCNY}})
	require.NoError(t, err)
	e.rec.Reset()
	_, err = e.svc.Query(e.ctx, &refund.QueryRequest{OutRefundNo: "P-1", SubMchID: core.Ptr(subMchID)})
	require.NoError(t, err)
	assert.Equal(t, "/v3/refund/domestic/refunds/P-1?sub_mchid="+subMchID, e.rec.Only(t).URI)
}

func TestAPIErrorsCarryTheRequestID(t *testing.T) {
	e := newEnv(t)
	// More than was paid: the sandbox checks the ledger.
	_, err := e.svc.Create(e.ctx, &refund.CreateRequest{TransactionID: core.Ptr(txDirect), OutRefundNo: "R-1",
		Amount: refund.AmountRequest{Refund: 1000, Total: 1000, Currency: refund.CurrencyCNY}})
	require.NoError(t, err)
	_, err = e.svc.Create(e.ctx, createRequest("R-2", 1))
	ae := wiretest.RequireAPIError(t, err, 400, "INVALID_REQUEST")
	assert.Equal(t, "/v3/refund/domestic/refunds", ae.Path)

	_, err = e.svc.Query(e.ctx, &refund.QueryRequest{OutRefundNo: "UNKNOWN"})
	ae = wiretest.RequireAPIError(t, err, 404, "RESOURCE_NOT_EXISTS")
	assert.Equal(t, "/v3/refund/domestic/refunds/{out_refund_no}", ae.Path, "errors show the route, not the refund number")
	assert.NotContains(t, err.Error(), "UNKNOWN")
}

func TestBadResponseSignatureIsRejected(t *testing.T) {
	e := newEnv(t)
	e.sb.ProbeNext(1)
	_, err := e.svc.Create(e.ctx, createRequest("R-1", 100))
	require.ErrorIs(t, err, core.ErrInvalidSignature)

	_, err = e.svc.Create(e.ctx, createRequest("R-1", 100)) // same number: the same refund
	require.NoError(t, err)
	e.sb.ProbeNext(1)
	_, err = e.svc.Query(e.ctx, &refund.QueryRequest{OutRefundNo: "R-1"})
	require.ErrorIs(t, err, core.ErrInvalidSignature)
}

func TestInvalidRequestsAreNotSent(t *testing.T) {
	e := newEnv(t)
	_, err := e.svc.Create(e.ctx, &refund.CreateRequest{OutRefundNo: "R-1"})
	wiretest.RequireValidation(t, err, "transaction_id", "amount.refund", "amount.total", "amount.currency")
	_, err = e.svc.Create(e.ctx, nil)
	wiretest.RequireValidation(t, err, "request")
	_, err = e.svc.Query(e.ctx, &refund.QueryRequest{OutRefundNo: "../x"})
	wiretest.RequireValidation(t, err, "out_refund_no")
	_, err = e.svc.Query(e.ctx, nil)
	wiretest.RequireValidation(t, err, "request")
	assert.Empty(t, e.rec.Requests(), "nothing reached the server")
}

// Create is idempotent by out_refund_no: a transient answer is retried with
// the very same body (signed afresh); a business error is not retried.
func TestCreateIsRetriedOnTransientAnswers(t *testing.T) {
	answer := `{"refund_id":"50300000000000000000000000001","out_refund_no":"R-1","transaction_id":"` + txDirect + `",
		"out_trade_no":"ORDER-0001","channel":"ORIGINAL","user_received_account":"支付用户零钱",
		"create_time":"2026-11-25T10:00:00+08:00","status":"PROCESSING",
		"amount":{"total":1000,"refund":100,"payer_total":1000,"payer_refund":100,"settlement_refund":100,
		"settlement_total":1000,"discount_refund":0,"currency":"CNY"}}`
	f := wiretest.NewFakeAPI(t, func(n int, _ wiretest.Wire) (int, string) {
		if n == 1 {
			return 500, `{"code":"SYSTEM_ERROR","message":"系统错误"}`
		}
		return 200, answer
	})
	svc := refund.NewService(f.Client)
	resp, err := svc.Create(context.Background(), createRequest("R-1", 100))
	require.NoError(t, err)
	assert.Equal(t, refund.StatusProcessing, resp.Status)
	reqs := f.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, reqs[0].Body, reqs[1].Body)
	assert.NotEqual(t, reqs[0].Header.Get("Authorization"), reqs[1].Header.Get("Authorization"), "each attempt is signed afresh")

	g := wiretest.NewFakeAPI(t, func(int, wiretest.Wire) (int, string) {
		return 400, `{"code":"INVALID_REQUEST","message":"申请退款金额超过订单可退金额"}`
	})
	_, err = refund.NewService(g.Client).Create(context.Background(), createRequest("R-1", 100))
	ae := wiretest.RequireAPIError(t, err, 400, "INVALID_REQUEST")
	assert.Equal(t, 1, ae.Attempts)
	assert.Len(t, g.Requests(), 1)
}

func TestUnknownValuesDecode(t *testing.T) {
	f := wiretest.NewFakeAPI(t, func(int, wiretest.Wire) (int, string) {
		return 200, `{"refund_id":"1","out_refund_no":"R-1","transaction_id":"t","out_trade_no":"o","channel":"NEW_CHANNEL",
			"user_received_account":"x","create_time":"2026-11-25T10:00:00+08:00","status":"NEW_STATUS","funds_account":"NEW_ACCOUNT",
			"amount":{"total":1,"refund":1,"payer_total":1,"payer_refund":1,"settlement_refund":1,"settlement_total":1,"discount_refund":0,"currency":"CNY","refund_fee":0},
			"promotion_detail":[{"promotion_id":"p","scope":"GLOBAL","type":"COUPON","amount":1,"refund_amount":1}],"a_new_field":true}`
	})
	got, err := refund.NewService(f.Client).Query(context.Background(), &refund.QueryRequest{OutRefundNo: "R-1"})
	require.NoError(t, err)
	assert.Equal(t, refund.Status("NEW_STATUS"), got.Status)
	assert.Equal(t, refund.Channel("NEW_CHANNEL"), got.Channel)
	assert.Equal(t, refund.PromotionScopeGlobal, got.PromotionDetail[0].Scope)
	assert.Equal(t, "/v3/refund/domestic/refunds/R-1", f.Requests()[0].URI)
}

func TestRefundPrintsTheAccountMasked(t *testing.T) {
	r := refund.Refund{RefundID: "5030", UserReceivedAccount: "招商银行信用卡0403", Status: refund.StatusSuccess}
	ev := refund.Event{OutRefundNo: "R-1", UserReceivedAccount: "招商银行信用卡0403"}
	resp := refund.Response{Refund: r}
	for _, v := range []any{r, &r, ev, &ev, resp} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
			out := fmt.Sprintf(verb, v)
			assert.NotContains(t, out, "0403", verb)
			assert.Contains(t, out, "***", verb)
		}
	}
	assert.Contains(t, r.GoString(), "refund.Refund{")
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("refund", "refund", r, "event", ev)
	assert.NotContains(t, logged.String(), "0403")
	assert.Contains(t, logged.String(), "5030")
	assert.Equal(t, "招商银行信用卡0403", r.UserReceivedAccount, "the field itself is untouched")
}
