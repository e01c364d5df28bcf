package refund_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/internal/wiretest"
	"github.com/wechatpay-biz/wechatpay-biz-go/payscore"
	"github.com/wechatpay-biz/wechatpay-biz-go/refund"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

// chargePayScoreOrder runs a no-confirm pay-score order to DONE in the
// sandbox (3900 fen deducted) and returns it as QueryOrder reports it.
func chargePayScoreOrder(t *testing.T, sb *sandbox.Server, c *core.Client, outOrderNo string) *payscore.OrderResponse {
	t.Helper()
	ctx := context.Background()
	ps := payscore.NewService(c)
	const user = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"
	pre, err := ps.PreAuthorize(ctx, &payscore.PreAuthorizeRequest{ServiceID: sandbox.PayScoreNoConfirmServiceID, AppID: sandbox.AppID, AuthorizationCode: "A" + outOrderNo})
	require.NoError(t, err)
	require.NoError(t, sb.PayScoreSimulateUserAuthorize(ctx, pre.ApplyPermissionsToken, user))
	start := time.Now().Add(-2 * time.Hour)
	_, err = ps.CreateOrder(ctx, &payscore.CreateOrderRequest{
		OutOrderNo: outOrderNo, AppID: sandbox.AppID, ServiceID: sandbox.PayScoreNoConfirmServiceID, ServiceIntroduction: "充电宝租借",
		TimeRange: payscore.TimeRange{StartTime: payscore.At(start)},
		RiskFund:  payscore.RiskFund{Name: payscore.RiskFundEstimateOrderCost, Amount: 9900},
		NotifyURL: "https://merchant.example.com/payscore/notify", OpenID: core.Ptr(user), NeedUserConfirm: core.Ptr(false),
	})
	require.NoError(t, err)
	payments := []payscore.PostPayment{{Name: "租借费", Amount: core.Ptr[int64](3900)}}
	_, err = ps.CompleteOrder(ctx, &payscore.CompleteOrderRequest{
		OutOrderNo: outOrderNo, AppID: sandbox.AppID, ServiceID: sandbox.PayScoreNoConfirmServiceID,
		PostPayments: payments, TotalAmount: 3900,
		TimeRange: &payscore.TimeRange{StartTime: payscore.At(start), EndTime: core.Ptr(payscore.At(time.Now()))},
	})
	require.NoError(t, err)
	_, err = sb.PayScoreSimulateUserPaid(ctx, outOrderNo)
	require.NoError(t, err)
	q, err := ps.QueryOrder(ctx, &payscore.QueryOrderRequest{OutOrderNo: outOrderNo, ServiceID: sandbox.PayScoreNoConfirmServiceID, AppID: sandbox.AppID})
	require.NoError(t, err)
	require.Equal(t, payscore.StateDone, q.State)
	return q
}

func TestRefundAPayScoreDeduction(t *testing.T) {
	e := newEnv(t)
	order := chargePayScoreOrder(t, e.sb, e.c, "PS-ORDER-0001")
	payments := refund.PayScorePayments(order.Collection)
	require.Len(t, payments, 1)
	require.Equal(t, payscore.PaidTypeNewton, payments[0].PaidType)

	req, err := refund.ForPayScorePayment(payments[0], "PS-REFUND-1", 1000)
	require.NoError(t, err)
	assert.Equal(t, payments[0].TransactionID, *req.TransactionID)
	assert.Nil(t, req.OutTradeNo, "never the order's out_order_no")
	assert.Equal(t, refund.AmountRequest{Refund: 1000, Total: 3900, Currency: refund.CurrencyCNY}, req.Amount)

	resp, err := e.svc.Create(e.ctx, req)
	require.NoError(t, err)
	assert.Equal(t, refund.StatusProcessing, resp.Status)
	assert.Equal(t, payments[0].TransactionID, resp.TransactionID)
	assert.Equal(t, int64(3900), resp.Amount.Total)
	requireJSON(t, `{"transaction_id":"`+payments[0].TransactionID+`","out_refund_no":"PS-REFUND-1",
		"amount":{"refund":1000,"total":3900,"currency":"CNY"}}`, e.rec.Requests()[len(e.rec.Requests())-1].Body)

	// The order number is no payment number: WeChat Pay refuses it.
	_, err = e.svc.Create(e.ctx, &refund.CreateRequest{OutTradeNo: core.Ptr("PS-ORDER-0001"), OutRefundNo: "PS-REFUND-2",
		Amount: refund.AmountRequest{Refund: 1000, Total: 3900, Currency: refund.CurrencyCNY}})
	wiretest.RequireAPIError(t, err, 404, "RESOURCE_NOT_EXISTS")

	// Nor can more than the payment be refunded.
	req, err = refund.ForPayScorePayment(payments[0], "PS-REFUND-3", 3901)
	require.NoError(t, err)
	_, err = e.svc.Create(e.ctx, req)
	wiretest.RequireValidation(t, err, "amount.refund")
}

func TestPayScorePaymentsWithoutTransactionAreNotRefundable(t *testing.T) {
	col := &payscore.Collection{Details: []payscore.PaymentDetail{
		{Seq: 1, Amount: 500, PaidType: payscore.PaidTypeMch, PaidTime: "20261125100000"},
		{Seq: 2, Amount: 700, PaidType: payscore.PaidTypeNewton, TransactionID: "4200000002"},
	}}
	got := refund.PayScorePayments(col)
	require.Len(t, got, 1)
	assert.Equal(t, int64(2), got[0].Seq)
	assert.Nil(t, refund.PayScorePayments(nil))

	_, err := refund.ForPayScorePayment(col.Details[0], "R-1", 100)
	assert.ErrorIs(t, err, refund.ErrNotRefundable)
}
