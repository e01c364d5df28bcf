package flows

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"time"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/examples/internal/setup"
	"github.com/wechatpay-biz/wechatpay-biz-go/notify"
	"github.com/wechatpay-biz/wechatpay-biz-go/payscore"
	"github.com/wechatpay-biz/wechatpay-biz-go/refund"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

// Refund charges a pay-score order and refunds part of it: check that the
// user has enabled the no-confirm service, create and complete the order in
// one call (创单结单合并), receive the PAYSCORE.USER_PAID callback, refund 10
// yuan of the deduction by the transaction_id of its collection detail (the
// order's out_order_no is no payment number), receive the REFUND.SUCCESS
// callback, and query the refund.
//
// Against the embedded sandbox (the default) the user's authorization, the
// deduction and the refund's completion are simulated. Against the real API
// (see examples/internal/setup) it only reads: the refund named by
// WECHATPAY_OUT_REFUND_NO (and WECHATPAY_SUB_MCHID for a sub-merchant's)
// when set, otherwise the pay-score service state of the user in
// WECHATPAY_OPENID (with WECHATPAY_APPID and WECHATPAY_PAYSCORE_SERVICE_ID):
// charging and refunding real money is left to you.
func Refund(ctx context.Context, env *setup.Env) error {
	if env.Real() {
		return refundQueryReal(ctx, env)
	}
	sb := env.Sandbox
	ps, rf := payscore.NewService(env.Client), refund.NewService(env.Client)
	appID, serviceID, openID := sandbox.AppID, sandbox.PayScoreNoConfirmServiceID, "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"

	// Callbacks arrive on a local listener (in production: your HTTPS URLs).
	h, err := notify.NewHandler(env.Client)
	if err != nil {
		return err
	}
	paid := make(chan *payscore.OrderEvent, 1)
	refunded := make(chan *refund.Event, 1)
	h.On(payscore.EventUserPaid, func(_ context.Context, n *notify.Notification) error {
		ev, err := payscore.ParseOrderEvent(n)
		if err == nil {
			paid <- ev
		}
		return err
	})
	refund.Handle(h, func(_ context.Context, ev *refund.Event) error {
		refunded <- ev
		return nil
	})
	listener := httptest.NewServer(h)
	defer listener.Close()
	// The refund callback URL is configured in the merchant platform (a
	// refund's own notify_url must be https).
	sb.RefundSetNotifyURL(listener.URL + "/refund/notify")
	// WeChat Pay opens create-and-complete for a merchant on request.
	if err := sb.PayScoreEnableDirectComplete(serviceID); err != nil {
		return err
	}

	// Step 1: has the user enabled the service?
	st, err := ps.QueryUserServiceState(ctx, &payscore.QueryUserServiceStateRequest{ServiceID: serviceID, AppID: appID, OpenID: openID})
	if err != nil {
		return fmt.Errorf("user service state: %w", err)
	}
	fmt.Printf("[1] GET /v3/payscore/user-service-state -> %s (Request-ID %s)\n", st.UseServiceState, st.RequestID)
	if st.UseServiceState != payscore.UseServiceAvailable {
		code := fmt.Sprintf("AUTH%d", time.Now().UnixNano())
		pre, err := ps.PreAuthorize(ctx, &payscore.PreAuthorizeRequest{ServiceID: serviceID, AppID: appID, AuthorizationCode: code})
		if err != nil {
			return fmt.Errorf("pre-authorize: %w", err)
		}
		if err := sb.PayScoreSimulateUserAuthorize(ctx, pre.ApplyPermissionsToken, openID); err != nil {
			return err
		}
		fmt.Println("    [sandbox] the user authorized the service")
	}

	// Step 2: create and complete in one call: 40 yuan of parking, 1 off.
	outOrderNo := fmt.Sprintf("PARK%d", time.Now().UnixNano())
	start := time.Now().Add(-90 * time.Minute)
	payments := []payscore.PostPayment{{Name: "停车费", Amount: core.Ptr[int64](4000), Description: core.Ptr("1.5小时"), Count: core.Ptr[int64](1)}}
	discounts := []payscore.PostDiscount{{Name: "会员减免", Description: core.Ptr("会员日优惠"), Amount: core.Ptr[int64](100)}}
	order, err := ps.DirectCompleteOrder(ctx, &payscore.DirectCompleteOrderRequest{
		OutOrderNo: outOrderNo, AppID: appID, OpenID: openID, ServiceID: serviceID,
		ServiceIntroduction: "停车服务", PostPayments: payments, PostDiscounts: discounts,
		TimeRange:   payscore.TimeRange{StartTime: payscore.At(start), EndTime: core.Ptr(payscore.At(time.Now()))},
		TotalAmount: 3900,
		NotifyURL:   core.Ptr(listener.URL + "/payscore/notify"),
	})
	if err != nil {
		return fmt.Errorf("direct complete: %w", err)
	}
	fmt.Printf("[2] POST %s -> %s/%s, %d fen (Request-ID %s)\n", payscore.DirectCompleteOrderPath, order.State, order.StateDescription, order.TotalAmount, order.RequestID)

	// Step 3 (sandbox): Pay Score deducts; the paid callback carries the
	// collection details.
	if _, err := sb.PayScoreSimulateUserPaid(ctx, outOrderNo); err != nil {
		return err
	}
	ev, err := refundWait(ctx, paid)
	if err != nil {
		return err
	}
	deductions := refund.PayScorePayments(ev.Collection)
	if ev.State != payscore.StateDone || len(deductions) == 0 {
		return errors.New("unexpected paid callback")
	}
	fmt.Printf("[3] callback %s verified: %s, paid %d fen, transaction %s\n", ev.EventType, ev.State, ev.Collection.PaidAmount, deductions[0].TransactionID)

	// Step 4: refund 10 yuan of the deduction, by its transaction_id.
	outRefundNo := fmt.Sprintf("REFUND%d", time.Now().UnixNano())
	req, err := refund.ForPayScorePayment(deductions[0], outRefundNo, 1000)
	if err != nil {
		return err
	}
	req.Reason = core.Ptr("停车优惠补退")
	created, err := rf.Create(ctx, req) // retry with the same outRefundNo, never a new one
	if err != nil {
		return fmt.Errorf("refund: %w", err)
	}
	fmt.Printf("[4] POST /v3/refund/domestic/refunds -> %s, %d of %d fen, refund_id %s (Request-ID %s)\n",
		created.Status, created.Amount.Refund, created.Amount.Total, created.RefundID, created.RequestID)

	// Step 5 (sandbox): the refund succeeds; the callback arrives.
	if err := sb.RefundSimulateSuccess(ctx, created.RefundID); err != nil {
		return err
	}
	rev, err := refundWait(ctx, refunded)
	if err != nil {
		return err
	}
	if rev.EventType != refund.EventSuccess || rev.OutRefundNo != outRefundNo {
		return errors.New("unexpected refund callback")
	}
	fmt.Printf("[5] callback %s verified: %s, %d fen refunded\n", rev.EventType, rev.RefundStatus, rev.Amount.Refund)

	// Step 6: query the refund.
	q, err := rf.Query(ctx, &refund.QueryRequest{OutRefundNo: outRefundNo})
	if err != nil {
		return fmt.Errorf("query refund: %w", err)
	}
	if q.Status != refund.StatusSuccess || q.SuccessTime == nil {
		return errors.New("the refund is not SUCCESS")
	}
	fmt.Printf("[6] GET /v3/refund/domestic/refunds/{out_refund_no} -> %s at %s (Request-ID %s)\n", q.Status, q.SuccessTime.Format(time.DateTime), q.RequestID)
	return nil
}

func refundWait[T any](ctx context.Context, ch <-chan T) (T, error) {
	select {
	case v := <-ch:
		return v, nil
	case <-ctx.Done():
		var zero T
		return zero, fmt.Errorf("waiting for a callback: %w", ctx.Err())
	}
}

func refundQueryReal(ctx context.Context, env *setup.Env) error {
	no := os.Getenv("WECHATPAY_OUT_REFUND_NO")
	if no == "" {
		v, err := setup.Getenv("WECHATPAY_APPID", "WECHATPAY_PAYSCORE_SERVICE_ID", "WECHATPAY_OPENID")
		if err != nil {
			return fmt.Errorf("%w (the user whose pay-score state is queried), or WECHATPAY_OUT_REFUND_NO (a refund of yours to query)", err)
		}
		st, err := payscore.NewService(env.Client).QueryUserServiceState(ctx, &payscore.QueryUserServiceStateRequest{AppID: v[0], ServiceID: v[1], OpenID: v[2]})
		if err != nil {
			return fmt.Errorf("user service state: %w", err)
		}
		fmt.Printf("GET /v3/payscore/user-service-state -> %s (Request-ID %s)\n", st.UseServiceState, st.RequestID)
		fmt.Println("set WECHATPAY_OUT_REFUND_NO to query one of your refunds (nothing is charged or refunded here)")
		return nil
	}
	req := &refund.QueryRequest{OutRefundNo: no}
	if sub := os.Getenv("WECHATPAY_SUB_MCHID"); sub != "" {
		req.SubMchID = core.Ptr(sub)
	}
	q, err := refund.NewService(env.Client).Query(ctx, req)
	if err != nil {
		return fmt.Errorf("query refund: %w", err)
	}
	fmt.Printf("GET /v3/refund/domestic/refunds/{out_refund_no} -> %s, %d of %d fen (Request-ID %s)\n", q.Status, q.Amount.Refund, q.Amount.Total, q.RequestID)
	return nil
}
