package flows

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"time"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/examples/internal/setup"
	"github.com/wechatpay-biz/wechatpay-biz-go/notify"
	"github.com/wechatpay-biz/wechatpay-biz-go/payscore"
	"github.com/wechatpay-biz/wechatpay-biz-go/payscore/partner"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

// PayScorePartner is the Pay Score flow of a service provider (服务商) for
// one of its sub-merchants: pre-authorize for the sub-merchant, the user
// authorizes (partner callback verified, routed by sub_mchid), a no-confirm
// order is created for the user under the sub-merchant's AppID, completed
// (204) and paid (callback with the transaction ID a refund needs), then a
// confirm-mode order gets its signed confirm page, is confirmed and
// cancelled; a sub-merchant of another provider is refused.
//
// The user's actions are simulated, so it runs against the embedded sandbox
// only (the sandbox merchant plays the service provider).
func PayScorePartner(ctx context.Context, env *setup.Env) error {
	if env.Real() {
		return errors.New("the service-provider pay-score flow simulates the user and runs against the sandbox only")
	}
	sb := env.Sandbox
	svc := partner.NewService(env.Client)
	sub, subApp := sandbox.PayScorePartnerSubMchID, sandbox.PayScorePartnerSubAppID
	serviceID, appID := sandbox.PayScoreNoConfirmServiceID, sandbox.AppID
	openID, subOpenID := "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", "oUpF8uN95-Ptaags6E_roPHg7AG0"

	// One callback URL for every sub-merchant; the events name theirs.
	h, err := notify.NewHandler(env.Client)
	if err != nil {
		return err
	}
	events := make(chan any, 8)
	onPerm := func(_ context.Context, n *notify.Notification) error {
		ev, err := partner.ParsePermissionEvent(n)
		if err == nil {
			events <- ev
		}
		return err
	}
	onOrder := func(_ context.Context, n *notify.Notification) error {
		ev, err := partner.ParseOrderEvent(n)
		if err == nil {
			events <- ev
		}
		return err
	}
	h.On(partner.EventUserOpenService, onPerm)
	h.On(partner.EventUserConfirm, onOrder)
	h.On(partner.EventUserPaid, onOrder)
	listener := httptest.NewServer(h)
	defer listener.Close()
	notifyURL := listener.URL + "/payscore/partner/notify"

	// Step 1: pre-authorize for the sub-merchant and its AppID.
	code := fmt.Sprintf("SP|%d", time.Now().UnixNano())
	pre, err := svc.PreAuthorize(ctx, &partner.PreAuthorizeRequest{ServiceID: serviceID, AppID: appID, SubAppID: core.Ptr(subApp),
		SubMchID: sub, AuthorizationCode: code, NotifyURL: core.Ptr(notifyURL)})
	if err != nil {
		return fmt.Errorf("pre-authorize: %w", err)
	}
	page, err := payscore.AuthorizationPage(pre.ApplyPermissionsToken)
	if err != nil {
		return err
	}
	fmt.Printf("[1] POST partner/permissions for %s -> token; front end opens %s (Request-ID %s)\n", sub, page.BusinessType, pre.RequestID)

	// Step 2 (simulated): the user authorizes; the callback names the sub-merchant.
	if err := sb.PayScorePartnerSimulateUserAuthorize(ctx, pre.ApplyPermissionsToken, openID, subOpenID); err != nil {
		return err
	}
	opened, ok := (<-events).(*partner.PermissionEvent)
	if !ok || opened.UserServiceStatus != payscore.UserOpenService || opened.SubMchID != sub {
		return errors.New("unexpected authorization callback")
	}
	fmt.Printf("[2] callback %s verified for sub-merchant %s at %s\n", opened.EventType, opened.SubMchID, opened.OpenOrCloseTime)

	perm, err := svc.QueryPermissionByOpenID(ctx, &partner.QueryPermissionByOpenIDRequest{ServiceID: serviceID, AppID: appID, SubMchID: sub,
		SubAppID: core.Ptr(subApp), SubOpenID: core.Ptr(subOpenID)})
	if err != nil {
		return fmt.Errorf("query permission: %w", err)
	}
	fmt.Printf("[3] GET partner/permissions/search (sub_openid in the query) -> %s (Request-ID %s)\n", perm.AuthorizationState, perm.RequestID)
	if perm.AuthorizationState != payscore.AuthorizationAvailable {
		return errors.New("the authorization is not AVAILABLE")
	}

	// Step 4: a no-confirm order for the user under the sub-merchant's AppID.
	outOrderNo := fmt.Sprintf("SP%d", time.Now().UnixNano())
	start := time.Now()
	created, err := svc.CreateOrder(ctx, &partner.CreateOrderRequest{
		ServiceID: serviceID, AppID: appID, SubMchID: sub, SubAppID: core.Ptr(subApp), OutOrderNo: outOrderNo,
		ServiceIntroduction: "共享充电宝",
		RiskFund:            payscore.RiskFund{Name: payscore.RiskFundEstimateOrderCost, Amount: 9900, Description: core.Ptr("充电宝押金")},
		TimeRange:           payscore.TimeRange{StartTime: payscore.At(start)},
		SubOpenID:           core.Ptr(subOpenID), NeedUserConfirm: core.Ptr(false), NotifyURL: notifyURL,
	})
	if err != nil {
		return fmt.Errorf("create order: %w", err)
	}
	fmt.Printf("[4] POST partner/serviceorder -> %s/%s for %s (Request-ID %s)\n", created.State, created.StateDescription, created.SubMchID, created.RequestID)

	// Step 5: complete; the partner API answers 204.
	pays := []payscore.PostPayment{{Name: "充电宝租借", Amount: core.Ptr[int64](600), Description: core.Ptr("2小时"), Count: core.Ptr[int64](1)}}
	discs := []payscore.PostDiscount{{Name: "新用户立减", Description: core.Ptr("首单立减1元"), Amount: core.Ptr[int64](100)}}
	completed, err := svc.CompleteOrder(ctx, &partner.CompleteOrderRequest{
		OutOrderNo: outOrderNo, ServiceID: serviceID, SubMchID: sub, PostPayments: pays, PostDiscounts: discs,
		TotalAmount: 600 - 100, TimeRange: &payscore.TimeRange{EndTime: core.Ptr(payscore.At(time.Now()))},
		CompleteTime: core.Ptr(time.Now()),
	})
	if err != nil {
		return fmt.Errorf("complete order: %w", err)
	}
	fmt.Printf("[5] POST partner/serviceorder/%s/complete -> HTTP %d (Request-ID %s)\n", outOrderNo, completed.StatusCode, completed.RequestID)

	// Step 6 (simulated): Pay Score deducts; the paid callback carries the
	// transaction ID that a refund of this deduction must use.
	if _, err := sb.PayScoreSimulateUserPaid(ctx, outOrderNo); err != nil {
		return err
	}
	paid, ok := (<-events).(*partner.OrderEvent)
	if !ok || paid.State != payscore.StateDone || paid.SubMchID != sub || paid.Collection == nil || len(paid.Collection.Details) == 0 {
		return errors.New("unexpected paid callback")
	}
	fmt.Printf("[6] callback %s verified: %s paid %d fen to %s, transaction %s\n", paid.EventType, paid.OutOrderNo, paid.Collection.PaidAmount, paid.SubMchID, paid.Collection.Details[0].TransactionID)

	q, err := svc.QueryOrder(ctx, &partner.QueryOrderRequest{ServiceID: core.Ptr(serviceID), SubMchID: sub, OutOrderNo: outOrderNo})
	if err != nil {
		return fmt.Errorf("query order: %w", err)
	}
	if q.State != payscore.StateDone || q.Collection == nil || q.Collection.State != payscore.CollectionUserPaid {
		return errors.New("the order is not DONE/USER_PAID")
	}
	fmt.Printf("[7] GET partner/serviceorder -> %s, collection %s (Request-ID %s)\n", q.State, q.Collection.State, q.RequestID)

	// Step 8: a confirm-mode order: the provider signs the confirm page,
	// the user confirms, the provider cancels.
	confirmNo := outOrderNo + "C"
	c2, err := svc.CreateOrder(ctx, &partner.CreateOrderRequest{
		ServiceID: sandbox.PayScoreConfirmServiceID, AppID: appID, SubMchID: sub, OutOrderNo: confirmNo,
		ServiceIntroduction: "共享充电宝", RiskFund: payscore.RiskFund{Name: payscore.RiskFundDeposit, Amount: 9900},
		TimeRange: payscore.TimeRange{StartTime: payscore.OnAccept}, NotifyURL: notifyURL,
	})
	if err != nil {
		return fmt.Errorf("create confirm-mode order: %w", err)
	}
	confirmPage, err := partner.ConfirmOrderPage(&partner.ConfirmOrderPageRequest{
		MchID: env.Client.MerchantID(), Package: c2.Package,
		APIv2Key: "sandboxAPIv2Key0123456789abcdefg", // a demo key: never hard-code a real one
	})
	if err != nil {
		return err
	}
	fmt.Printf("[8] POST partner/serviceorder -> %s; confirm page %s signed %s\n", c2.State, confirmPage.BusinessType, confirmPage.ExtraData()["sign_type"])
	if _, err := sb.PayScoreSimulateUserConfirm(ctx, confirmNo, openID); err != nil {
		return err
	}
	confirmed, ok := (<-events).(*partner.OrderEvent)
	if !ok || confirmed.EventType != partner.EventUserConfirm || confirmed.SubMchID != sub {
		return errors.New("unexpected confirm callback")
	}
	cancelled, err := svc.CancelOrder(ctx, &partner.CancelOrderRequest{OutOrderNo: confirmNo, ServiceID: core.Ptr(sandbox.PayScoreConfirmServiceID), SubMchID: sub, Reason: "用户未取走充电宝"})
	if err != nil {
		return fmt.Errorf("cancel order: %w", err)
	}
	fmt.Printf("[9] callback %s verified; POST partner/serviceorder/%s/cancel -> HTTP %d (Request-ID %s)\n", confirmed.EventType, confirmNo, cancelled.StatusCode, cancelled.RequestID)

	// A sub-merchant of another service provider is out of reach.
	_, err = svc.QueryOrder(ctx, &partner.QueryOrderRequest{SubMchID: sandbox.PayScoreForeignSubMchID, OutOrderNo: outOrderNo})
	ae, ok := core.IsAPIError(err)
	if !ok || ae.Code != "NO_AUTH" {
		return fmt.Errorf("another provider's sub-merchant: want NO_AUTH, got %v", err)
	}
	fmt.Printf("[10] another provider's sub-merchant -> %d %s (Request-ID %s)\n", ae.StatusCode, ae.Code, ae.RequestID)
	return nil
}
