// Package refund calls WeChat Pay's domestic refund APIs (退款): apply for a
// refund of a paid order and query it, for direct merchants and for service
// providers acting for a sub-merchant (SubMchID), and decodes the refund
// callbacks.
//
// Build a Service once from a *core.Client and share it:
//
//	svc := refund.NewService(client)
//	resp, err := svc.Create(ctx, &refund.CreateRequest{
//		TransactionID: core.Ptr("4200000000202611250000000001"),
//		OutRefundNo:   "R20261125001",
//		Amount:        refund.AmountRequest{Refund: 500, Total: 3900, Currency: refund.CurrencyCNY},
//	})
//
// # Money and rules
//
// Amounts are int64 fen and the currency is always CNY. Create checks
// before sending anything what a request alone can break (see
// CreateRequest.Validate): 1 ≤ refund ≤ total, exactly one of
// transaction_id and out_trade_no, the refund number's characters, the
// reason's 80 bytes, the funding split. WeChat Pay checks the rest against
// the order: all refunds of an order together at most what was paid, at
// most MaxRefundsPerOrder refunds a minute apart, within RefundPeriod of
// the payment.
//
// # Idempotency and outcome
//
// A refund is keyed by OutRefundNo: repeating a number refunds only once,
// so Create is retried on transient answers and should be retried later
// with the same number and parameters. An accepted refund is PROCESSING;
// its outcome (SUCCESS, CLOSED or ABNORMAL) comes as a callback:
//
//	h, _ := notify.NewHandler(client)
//	refund.Handle(h, func(ctx context.Context, ev *refund.Event) error {
//		// ev.EventType, ev.OutRefundNo, ev.RefundStatus, ev.Amount.Refund …
//		return nil
//	})
//
// or from Query. The Handler answers 204 No Content once fn returns nil and
// 500 FAIL (delivered again) when it returns an error. WeChat Pay does not
// guarantee delivery: query refunds whose callback has not come.
//
// # Errors
//
// Every method returns *core.ValidationError, listing every broken rule,
// before anything is sent; *core.APIError for WeChat Pay's refusals, with
// the Request-ID (e.g. 400 INVALID_REQUEST, 404 RESOURCE_NOT_EXISTS); errors
// matching core.ErrInvalidSignature for an answer that fails verification.
//
// Reference: spec §11 of this SDK (api-reference.md), POST and GET
// /v3/refund/domestic/refunds[/{out_refund_no}]:
// https://pay.weixin.qq.com/docs/merchant/apis/refund/refunds/create.html
//
// # Pay score
//
// A pay-score deduction is refunded by its transaction_id, taken from the
// order's collection details: ForPayScorePayment builds that request, and
// PayScorePayments lists the payments of an order that can be refunded.
package refund
