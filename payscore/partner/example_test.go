package partner_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/payscore"
	"github.com/wechatpay-biz/wechatpay-biz-go/payscore/partner"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

// A service provider runs a no-confirm order for a sub-merchant: the user
// authorizes, the order is created and completed, and the deduction is
// found by querying the order. Against the sandbox; with a real client the
// user's steps happen in WeChat.
func Example() {
	sb, _ := sandbox.NewServer()
	defer sb.Close()
	client, _ := sb.Client() // the service provider's client
	svc := partner.NewService(client)
	ctx := context.Background()

	pre, err := svc.PreAuthorize(ctx, &partner.PreAuthorizeRequest{
		ServiceID: sandbox.PayScoreNoConfirmServiceID, AppID: sandbox.AppID,
		SubMchID: sandbox.PayScorePartnerSubMchID, AuthorizationCode: "EXAMPLE-1",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = sb.PayScorePartnerSimulateUserAuthorize(ctx, pre.ApplyPermissionsToken, "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", "")

	created, err := svc.CreateOrder(ctx, &partner.CreateOrderRequest{
		ServiceID: sandbox.PayScoreNoConfirmServiceID, AppID: sandbox.AppID, SubMchID: sandbox.PayScorePartnerSubMchID,
		OutOrderNo: "EXAMPLE-ORDER-1", ServiceIntroduction: "共享充电宝",
		RiskFund:  payscore.RiskFund{Name: payscore.RiskFundEstimateOrderCost, Amount: 9900},
		TimeRange: payscore.TimeRange{StartTime: payscore.At(time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC))},
		OpenID:    core.Ptr("oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"), NeedUserConfirm: core.Ptr(false),
		NotifyURL: "https://sp.example.com/payscore/notify",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("created:", created.State, created.StateDescription, "for", created.SubMchID)

	pays := []payscore.PostPayment{{Name: "充电宝租借", Amount: core.Ptr[int64](300)}}
	done, err := svc.CompleteOrder(ctx, &partner.CompleteOrderRequest{
		OutOrderNo: "EXAMPLE-ORDER-1", ServiceID: sandbox.PayScoreNoConfirmServiceID, SubMchID: sandbox.PayScorePartnerSubMchID,
		PostPayments: pays, TotalAmount: 300, // Σ payments − Σ discounts, in fen
		TimeRange: &payscore.TimeRange{EndTime: core.Ptr(payscore.At(time.Date(2026, 3, 1, 11, 0, 0, 0, time.UTC)))},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("completed: HTTP", done.StatusCode, "order in answer:", done.Order != nil)

	_, _ = sb.PayScoreSimulateUserPaid(ctx, "EXAMPLE-ORDER-1")
	q, err := svc.QueryOrder(ctx, &partner.QueryOrderRequest{SubMchID: sandbox.PayScorePartnerSubMchID, OutOrderNo: "EXAMPLE-ORDER-1"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("now:", q.State, q.Collection.State, q.Collection.PaidAmount, "fen, refundable by transaction ID:", q.Collection.Details[0].TransactionID != "")
	// Output:
	// created: DOING USER_CONFIRM for 1900000110
	// completed: HTTP 204 order in answer: false
	// now: DONE USER_PAID 300 fen, refundable by transaction ID: true
}

// A sub-merchant of another service provider is refused by WeChat Pay; the
// error is a *core.APIError carrying the Request-ID.
func ExampleService_QueryOrder_noAuth() {
	sb, _ := sandbox.NewServer()
	defer sb.Close()
	client, _ := sb.Client()
	svc := partner.NewService(client)
	_, err := svc.QueryOrder(context.Background(), &partner.QueryOrderRequest{SubMchID: sandbox.PayScoreForeignSubMchID, OutOrderNo: "ANY-1"})
	var ae *core.APIError
	if errors.As(err, &ae) {
		fmt.Println(ae.StatusCode, ae.Code, ae.RequestID != "")
	}
	// Output: 403 NO_AUTH true
}

// Invalid requests are refused before anything is sent, with every
// problem listed by wire field name.
func ExampleCreateOrderRequest_Validate() {
	err := (&partner.CreateOrderRequest{
		ServiceID: "500001", AppID: "wxd678efh567hg6787", SubMchID: "1900000110", OutOrderNo: "A-1",
		ServiceIntroduction: "共享充电宝", NotifyURL: "https://sp.example.com/notify",
		RiskFund:        payscore.RiskFund{Name: payscore.RiskFundEstimateOrderCost, Amount: 9900},
		TimeRange:       payscore.TimeRange{StartTime: payscore.OnAccept},
		NeedUserConfirm: core.Ptr(false), SubOpenID: core.Ptr("oUpF8uN95-Ptaags6E_roPHg7AG0"),
	}).Validate()
	fmt.Println(err)
	// Output: wechatpay: invalid partner.CreateOrder request: sub_appid: is required with sub_openid
}

// The confirm page of a partner order is signed with the service
// provider's APIv2 key.
func ExampleConfirmOrderPage() {
	page, err := partner.ConfirmOrderPage(&partner.ConfirmOrderPageRequest{
		MchID: "1230000109", Package: "XXXXXXXX", APIv2Key: "192006250b4c09247ec02edce69f6a2d",
		Timestamp: time.Unix(1530097563, 0), NonceStr: "zyx53Nkey8o4bHpxTQvd8m7e92nG5mG2",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(page.BusinessType, page.ExtraData()["sign_type"], len(page.ExtraData()["sign"]))
	// Output: wxpayScoreUse HMAC-SHA256 64
}
