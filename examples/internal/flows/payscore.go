package flows

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"time"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/examples/internal/setup"
	"github.com/wechatpay-biz/wechatpay-biz-go/notify"
	"github.com/wechatpay-biz/wechatpay-biz-go/payscore"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

// PayScore follows the Pay Score no-confirm development guide
// (微信支付分开发指引·免确认模式) end to end: query the user's authorization,
// pre-authorize, the user authorizes (callback verified), create an order
// without confirmation, complete it, receive the paid callback, and query the
// order DONE.
//
// Against the embedded sandbox (the default) the user's actions are
// simulated. Against the real API (see examples/internal/setup) it also
// needs WECHATPAY_APPID, WECHATPAY_PAYSCORE_SERVICE_ID and WECHATPAY_OPENID,
// and stops after printing the authorization page parameters: a real user
// has to authorize in WeChat first.
func PayScore(ctx context.Context, env *setup.Env) error { return psRun(ctx, env) }

func psRun(ctx context.Context, env *setup.Env) error {
	svc := payscore.NewService(env.Client)
	appID, serviceID, openID := sandbox.AppID, sandbox.PayScoreNoConfirmServiceID, "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"
	if env.Real() {
		v, err := setup.Getenv("WECHATPAY_APPID", "WECHATPAY_PAYSCORE_SERVICE_ID", "WECHATPAY_OPENID")
		if err != nil {
			return err
		}
		appID, serviceID, openID = v[0], v[1], v[2]
	}

	// Callbacks arrive on a local listener (in production: your HTTPS notify_url).
	h, err := notify.NewHandler(env.Client)
	if err != nil {
		return err
	}
	events := make(chan any, 4)
	h.On(payscore.EventUserOpenService, func(_ context.Context, n *notify.Notification) error {
		ev, err := payscore.ParsePermissionEvent(n)
		if err == nil {
			events <- ev
		}
		return err
	})
	h.On(payscore.EventUserPaid, func(_ context.Context, n *notify.Notification) error {
		ev, err := payscore.ParseOrderEvent(n)
		if err == nil {
			events <- ev
		}
		return err
	})
	listener := httptest.NewServer(h)
	defer listener.Close()
	notifyURL := listener.URL + "/payscore/notify"

	// Step 1: query the user's authorization.
	perm, err := svc.QueryPermissionByOpenID(ctx, &payscore.QueryPermissionByOpenIDRequest{OpenID: openID, ServiceID: serviceID, AppID: appID})
	if err != nil {
		return fmt.Errorf("query permission: %w", err)
	}
	fmt.Printf("[1] GET permissions/openid -> %s (Request-ID %s)\n", perm.AuthorizationState, perm.RequestID)

	if perm.AuthorizationState != payscore.AuthorizationAvailable {
		// Step 2: pre-authorize, then send the user to the authorization page.
		code := fmt.Sprintf("AUTH%d", time.Now().UnixNano())
		pre, err := svc.PreAuthorize(ctx, &payscore.PreAuthorizeRequest{ServiceID: serviceID, AppID: appID, AuthorizationCode: code, NotifyURL: core.Ptr(notifyURL)})
		if err != nil {
			return fmt.Errorf("pre-authorize: %w", err)
		}
		fmt.Printf("[2] POST permissions -> token of %d characters (Request-ID %s)\n", len(pre.ApplyPermissionsToken), pre.RequestID)
		page, err := payscore.AuthorizationPage(pre.ApplyPermissionsToken)
		if err != nil {
			return err
		}
		fmt.Printf("    front end: openBusinessView businessType=%s with apply_permissions_token\n", page.BusinessType)
		if env.Real() {
			if env.AdminURL != "" {
				// A standalone sandbox: its admin API plays the user.
				fmt.Printf("    standalone sandbox: the user authorizes with\n    curl -s -X POST %spayscore/authorize -d '{\"apply_permissions_token\":\"%s\",\"openid\":\"%s\"}'\n    then run this example again\n",
					env.AdminURL, pre.ApplyPermissionsToken, openID)
				return nil
			}
			fmt.Println("    real API: let the user authorize in WeChat, then run again")
			return nil
		}

		// Step 3 (sandbox): the user authorizes; the callback is verified and decrypted.
		if err := env.Sandbox.PayScoreSimulateUserAuthorize(ctx, pre.ApplyPermissionsToken, openID); err != nil {
			return err
		}
		ev, ok := (<-events).(*payscore.PermissionEvent)
		if !ok || ev.UserServiceStatus != payscore.UserOpenService || ev.AuthorizationCode != code {
			return errors.New("unexpected authorization callback")
		}
		fmt.Printf("[3] callback %s verified: %s at %s\n", ev.EventType, ev.UserServiceStatus, ev.OpenOrCloseTime)

		byCode, err := svc.QueryPermissionByAuthorizationCode(ctx, &payscore.QueryPermissionByAuthorizationCodeRequest{AuthorizationCode: code, ServiceID: serviceID})
		if err != nil {
			return fmt.Errorf("query permission by code: %w", err)
		}
		fmt.Printf("    GET permissions/authorization-code -> %s (Request-ID %s)\n", byCode.AuthorizationState, byCode.RequestID)
		if byCode.AuthorizationState != payscore.AuthorizationAvailable {
			return errors.New("the authorization is not AVAILABLE")
		}
	}

	// Step 4: create the order without user confirmation (先享 risk fund).
	outOrderNo := fmt.Sprintf("PS%d", time.Now().UnixNano())
	start := time.Now()
	created, err := svc.CreateOrder(ctx, &payscore.CreateOrderRequest{
		OutOrderNo: outOrderNo, AppID: appID, ServiceID: serviceID,
		ServiceIntroduction: "某某酒店",
		PostPayments: []payscore.PostPayment{{Name: "就餐费用服务费", Amount: core.Ptr[int64](4000),
			Description: core.Ptr("就餐人均100元服务费:100/小时"), Count: core.Ptr[int64](1)}},
		PostDiscounts:   []payscore.PostDiscount{{Name: "满20减1元", Description: core.Ptr("不与其他优惠叠加")}},
		TimeRange:       payscore.TimeRange{StartTime: payscore.At(start), EndTime: core.Ptr(payscore.At(start.Add(3 * time.Hour)))},
		Location:        &payscore.Location{StartLocation: core.Ptr("嗨客时尚主题展餐厅"), EndLocation: core.Ptr("嗨客时尚主题展餐厅")},
		RiskFund:        payscore.RiskFund{Name: payscore.RiskFundEstimateOrderCost, Amount: 10000, Description: core.Ptr("就餐的预估费用")},
		Attach:          core.Ptr("Easdfowealsdkjfnlaksjdlfkwqoi&wl3l2sald"),
		NotifyURL:       notifyURL,
		OpenID:          core.Ptr(openID),
		NeedUserConfirm: core.Ptr(false),
	})
	if err != nil {
		return fmt.Errorf("create order: %w", err)
	}
	fmt.Printf("[4] POST serviceorder -> %s/%s, order_id %s (Request-ID %s)\n", created.State, created.StateDescription, created.OrderID, created.RequestID)
	if created.State != payscore.StateDoing {
		return errors.New("no-confirm creation did not return DOING")
	}

	// Step 5: the service ends; complete with total = 4000 − 100.
	payments := []payscore.PostPayment{{Name: "就餐费用服务费", Amount: core.Ptr[int64](4000), Description: core.Ptr("就餐人均100元服务费:100/小时"), Count: core.Ptr[int64](1)}}
	discounts := []payscore.PostDiscount{{Name: "满20减1元", Description: core.Ptr("不与其他优惠叠加"), Amount: core.Ptr[int64](100)}}
	total, err := payscore.Total(payments, discounts)
	if err != nil {
		return fmt.Errorf("total: %w", err)
	}
	completed, err := svc.CompleteOrder(ctx, &payscore.CompleteOrderRequest{
		OutOrderNo: outOrderNo, AppID: appID, ServiceID: serviceID,
		PostPayments: payments, PostDiscounts: discounts, TotalAmount: total,
		TimeRange:     &payscore.TimeRange{StartTime: payscore.At(start), EndTime: core.Ptr(payscore.At(time.Now()))},
		ProfitSharing: core.Ptr(false),
	})
	if err != nil {
		return fmt.Errorf("complete order: %w", err)
	}
	// The complete answer documents no collection object (need_collection
	// says whether Pay Score deducts), so it is not assumed here.
	fmt.Printf("[5] POST serviceorder/%s/complete -> %s/%s, %d fen to collect (Request-ID %s)\n", outOrderNo, completed.State, completed.StateDescription, completed.TotalAmount, completed.RequestID)
	if env.Real() {
		if env.AdminURL != "" {
			fmt.Printf("    standalone sandbox: Pay Score collects with\n    curl -s -X POST %spayscore/pay -d '{\"out_order_no\":\"%s\"}'\n    (PAYSCORE.USER_PAID then goes to this example's listener, gone by then: %snotifications shows the attempts)\n",
				env.AdminURL, outOrderNo, env.AdminURL)
		}
		return nil
	}

	// Step 6 (sandbox): Pay Score deducts; the paid callback arrives.
	if _, err := env.Sandbox.PayScoreSimulateUserPaid(ctx, outOrderNo); err != nil {
		return err
	}
	paid, ok := (<-events).(*payscore.OrderEvent)
	if !ok || paid.State != payscore.StateDone || paid.Collection == nil || paid.Collection.State != payscore.CollectionUserPaid || len(paid.Collection.Details) == 0 {
		return errors.New("unexpected paid callback")
	}
	fmt.Printf("[6] callback %s verified: %s, paid %d fen, transaction %s\n", paid.EventType, paid.State, paid.Collection.PaidAmount, paid.Collection.Details[0].TransactionID)

	// Step 7: query the order: DONE and USER_PAID.
	q, err := svc.QueryOrder(ctx, &payscore.QueryOrderRequest{OutOrderNo: outOrderNo, ServiceID: serviceID, AppID: appID})
	if err != nil {
		return fmt.Errorf("query order: %w", err)
	}
	if q.State != payscore.StateDone || q.Collection == nil || q.Collection.State != payscore.CollectionUserPaid {
		return errors.New("the order is not DONE/USER_PAID")
	}
	fmt.Printf("[7] GET serviceorder -> %s, collection %s (Request-ID %s)\n", q.State, q.Collection.State, q.RequestID)

	// The order detail page for the front end, signed with the APIv2 key
	// (a demo key here: never hard-code a real one).
	detail, err := payscore.OrderDetailPage(&payscore.OrderDetailPageRequest{
		MchID: env.Client.MerchantID(), ServiceID: serviceID, OutOrderNo: outOrderNo,
		APIv2Key: "sandboxAPIv2Key0123456789abcdefg",
	})
	if err != nil {
		return err
	}
	b, _ := json.Marshal(detail)
	fmt.Printf("    detail page parameters: %d bytes of JSON, businessType %s\n", len(b), detail.BusinessType)
	return nil
}
