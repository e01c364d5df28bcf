package payscore_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http/httptest"
	"time"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/notify"
	"github.com/wechatpay-biz/wechatpay-biz-go/payscore"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

// The no-confirm flow: the user authorizes once, then orders start DOING
// without confirmation.
func ExampleService_CreateOrder() {
	sb, _ := sandbox.NewServer()
	defer sb.Close()
	client, _ := sb.Client()
	svc := payscore.NewService(client)
	ctx := context.Background()

	pre, err := svc.PreAuthorize(ctx, &payscore.PreAuthorizeRequest{
		ServiceID: sandbox.PayScoreNoConfirmServiceID, AppID: sandbox.AppID, AuthorizationCode: "AUTH0001",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	// In production the user authorizes on the page opened with
	// payscore.AuthorizationPage(pre.ApplyPermissionsToken).
	_ = sb.PayScoreSimulateUserAuthorize(ctx, pre.ApplyPermissionsToken, "user-openid")

	order, err := svc.CreateOrder(ctx, &payscore.CreateOrderRequest{
		OutOrderNo: "ORDER0001", AppID: sandbox.AppID, ServiceID: sandbox.PayScoreNoConfirmServiceID,
		ServiceIntroduction: "共享充电宝",
		TimeRange:           payscore.TimeRange{StartTime: payscore.At(time.Now())},
		RiskFund:            payscore.RiskFund{Name: payscore.RiskFundEstimateOrderCost, Amount: 9900},
		NotifyURL:           "https://merchant.example.com/payscore/notify",
		OpenID:              core.Ptr("user-openid"),
		NeedUserConfirm:     core.Ptr(false), // sent as "need_user_confirm":false
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(order.State, order.StateDescription)
	// Output: DOING USER_CONFIRM
}

// CompleteOrder checks the amount rule before sending anything: it runs the
// same Validate first and sends nothing when it fails. Call it yourself to
// reject a bad form early; Total computes the amount to send.
func ExampleCompleteOrderRequest_Validate() {
	payments := []payscore.PostPayment{{Name: "租借费", Amount: core.Ptr[int64](400)}}
	discounts := []payscore.PostDiscount{{Name: "新用户优惠", Amount: core.Ptr[int64](100)}}
	req := &payscore.CompleteOrderRequest{
		OutOrderNo: "ORDER0001", AppID: sandbox.AppID, ServiceID: sandbox.PayScoreNoConfirmServiceID,
		PostPayments: payments, PostDiscounts: discounts, TotalAmount: 400,
	}
	err := req.Validate()
	var ve *core.ValidationError
	total, _ := payscore.Total(payments, discounts)
	fmt.Println(errors.As(err, &ve), ve.Has("total_amount"), total)
	// Output: true true 300
}

// Total checks every addition: amounts that do not fit in an int64 are an
// error, never a wrapped-around total that would pass the amount rule.
func ExampleTotal() {
	payments := []payscore.PostPayment{
		{Name: "押金", Amount: core.Ptr[int64](math.MaxInt64)},
		{Name: "租金", Amount: core.Ptr[int64](math.MaxInt64)},
		{Name: "服务费", Amount: core.Ptr[int64](2)},
	}
	total, err := payscore.Total(payments, nil)
	fmt.Println(total, err)
	// Output: 0 wechatpay: invalid payscore.Total request: post_payments: the amounts add up to more than an int64 holds
}

// A callback endpoint decoding the paid notification.
func ExampleParseOrderEvent() {
	sb, _ := sandbox.NewServer()
	defer sb.Close()
	client, _ := sb.Client()
	svc := payscore.NewService(client)
	ctx := context.Background()

	h, _ := notify.NewHandler(client)
	paid := make(chan *payscore.OrderEvent, 1)
	h.On(payscore.EventUserPaid, func(_ context.Context, n *notify.Notification) error {
		ev, err := payscore.ParseOrderEvent(n)
		if err != nil {
			return err // answered 500: WeChat Pay delivers again
		}
		paid <- ev
		return nil
	})
	endpoint := httptest.NewServer(h)
	defer endpoint.Close()

	pre, _ := svc.PreAuthorize(ctx, &payscore.PreAuthorizeRequest{ServiceID: sandbox.PayScoreNoConfirmServiceID, AppID: sandbox.AppID, AuthorizationCode: "AUTH0002"})
	_ = sb.PayScoreSimulateUserAuthorize(ctx, pre.ApplyPermissionsToken, "user-openid")
	start := payscore.At(time.Now())
	_, _ = svc.CreateOrder(ctx, &payscore.CreateOrderRequest{
		OutOrderNo: "ORDER0002", AppID: sandbox.AppID, ServiceID: sandbox.PayScoreNoConfirmServiceID,
		ServiceIntroduction: "共享充电宝", TimeRange: payscore.TimeRange{StartTime: start, EndTime: &start},
		RiskFund:  payscore.RiskFund{Name: payscore.RiskFundEstimateOrderCost, Amount: 9900},
		NotifyURL: endpoint.URL, OpenID: core.Ptr("user-openid"), NeedUserConfirm: core.Ptr(false),
	})
	payments := []payscore.PostPayment{{Name: "租借费", Amount: core.Ptr[int64](300)}}
	total, err := payscore.Total(payments, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = svc.CompleteOrder(ctx, &payscore.CompleteOrderRequest{
		OutOrderNo: "ORDER0002", AppID: sandbox.AppID, ServiceID: sandbox.PayScoreNoConfirmServiceID,
		PostPayments: payments, TotalAmount: total,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	_, _ = sb.PayScoreSimulateUserPaid(ctx, "ORDER0002") // Pay Score deducts and calls back

	ev := <-paid
	fmt.Println(ev.EventType, ev.State, ev.Collection.State, ev.Collection.PaidAmount)
	// Output: PAYSCORE.USER_PAID DONE USER_PAID 300
}

// The signed parameters of the order detail page, for a mini program
// (extraData), an APP (query) or a JSAPI page (queryString).
func ExampleOrderDetailPage() {
	page, err := payscore.OrderDetailPage(&payscore.OrderDetailPageRequest{
		MchID: "1230000109", ServiceID: "88888888000011", OutOrderNo: "1234323JKHDFE1243252",
		APIv2Key:  "192006250b4c09247ec02edce69f6a2d", // the APIv2 key, not the APIv3 key
		Timestamp: time.Unix(1530097563, 0), NonceStr: "zyx53Nkey8o4bHpxTQvd8m7e92nG5mG2",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(page.BusinessType)
	fmt.Println(page.ExtraData()["sign_type"], len(page.ExtraData()["sign"]))
	// Output:
	// wxpayScoreDetail
	// HMAC-SHA256 64
}
