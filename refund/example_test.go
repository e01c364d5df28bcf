package refund_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"time"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/notify"
	"github.com/wechatpay-biz/wechatpay-biz-go/payscore"
	"github.com/wechatpay-biz/wechatpay-biz-go/refund"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

// Refund part of a payment, receive the outcome as a callback, and query it.
func ExampleService_Create() {
	sb, _ := sandbox.NewServer()
	defer sb.Close()
	client, _ := sb.Client()
	ctx := context.Background()
	// A payment of 39 yuan the sandbox knows of.
	sb.Record(sandbox.LedgerEntry{Time: time.Now().Add(-time.Hour), AppID: sb.AppID, TransactionID: "4200000001202611250000000001",
		OutTradeNo: "ORDER-0001", TradeType: "JSAPI", TradeState: "SUCCESS", AmountFen: 3900})

	// The refund callback endpoint (in production: the refund URL
	// configured in the merchant platform, or CreateRequest.NotifyURL).
	h, _ := notify.NewHandler(client)
	done := make(chan *refund.Event, 1)
	refund.Handle(h, func(_ context.Context, ev *refund.Event) error {
		done <- ev
		return nil
	})
	listener := httptest.NewServer(h)
	defer listener.Close()
	sb.RefundSetNotifyURL(listener.URL)

	svc := refund.NewService(client)
	resp, err := svc.Create(ctx, &refund.CreateRequest{
		TransactionID: core.Ptr("4200000001202611250000000001"),
		OutRefundNo:   "REFUND-0001", // retry with the same number, never a new one
		Reason:        core.Ptr("商品已售完"),
		Amount:        refund.AmountRequest{Refund: 1000, Total: 3900, Currency: refund.CurrencyCNY},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("accepted:", resp.Status, resp.Amount.Refund, "fen")

	_ = sb.RefundSimulateSuccess(ctx, resp.RefundID) // WeChat Pay completes the refund
	ev := <-done
	fmt.Println("callback:", ev.EventType, ev.OutRefundNo, ev.Amount.Refund, "fen")

	q, err := svc.Query(ctx, &refund.QueryRequest{OutRefundNo: "REFUND-0001"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("query:", q.Status)
	// Output:
	// accepted: PROCESSING 1000 fen
	// callback: REFUND.SUCCESS REFUND-0001 1000 fen
	// query: SUCCESS
}

// Validation lists every broken rule before anything is sent.
func ExampleCreateRequest_Validate() {
	req := &refund.CreateRequest{
		OutRefundNo: "REFUND 1",
		Amount:      refund.AmountRequest{Refund: 5000, Total: 3900, Currency: "USD"},
	}
	var ve *core.ValidationError
	if errors.As(req.Validate(), &ve) {
		for _, p := range ve.Problems {
			fmt.Println(p.Field)
		}
	}
	// Output:
	// transaction_id
	// out_refund_no
	// amount.refund
	// amount.currency
}

// A pay-score deduction is refunded by the transaction_id of the order's
// collection detail (from QueryOrder or the PAYSCORE.USER_PAID callback),
// never by the order's out_order_no.
func ExampleForPayScorePayment() {
	col := &payscore.Collection{State: payscore.CollectionUserPaid, PaidAmount: 3900, Details: []payscore.PaymentDetail{
		{Seq: 1, Amount: 3900, PaidType: payscore.PaidTypeNewton, PaidTime: "20261125103000", TransactionID: "4200000002202611250000000007"},
	}}
	for _, p := range refund.PayScorePayments(col) {
		req, err := refund.ForPayScorePayment(p, "PS-REFUND-0001", 1000)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(*req.TransactionID, req.Amount.Refund, "of", req.Amount.Total, "fen")
		// then: refund.NewService(client).Create(ctx, req)
	}
	// Output: 4200000002202611250000000007 1000 of 3900 fen
}
