package payscore_test

import (
	"context"
	"fmt"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/payscore"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

// Create-and-complete (创单结单合并): a user who authorized the no-confirm
// service is charged for a finished service in one call. Note the path,
// without /v3.
func ExampleService_DirectCompleteOrder() {
	sb, _ := sandbox.NewServer()
	defer sb.Close()
	client, _ := sb.Client()
	svc := payscore.NewService(client)
	ctx := context.Background()
	_ = sb.PayScoreEnableDirectComplete(sandbox.PayScoreNoConfirmServiceID) // WeChat Pay opens it on request

	pre, _ := svc.PreAuthorize(ctx, &payscore.PreAuthorizeRequest{
		ServiceID: sandbox.PayScoreNoConfirmServiceID, AppID: sandbox.AppID, AuthorizationCode: "AUTH0002",
	})
	_ = sb.PayScoreSimulateUserAuthorize(ctx, pre.ApplyPermissionsToken, "user-openid")

	state, _ := svc.QueryUserServiceState(ctx, &payscore.QueryUserServiceStateRequest{
		ServiceID: sandbox.PayScoreNoConfirmServiceID, AppID: sandbox.AppID, OpenID: "user-openid",
	})
	fmt.Println("user service state:", state.UseServiceState)

	order, err := svc.DirectCompleteOrder(ctx, &payscore.DirectCompleteOrderRequest{
		OutOrderNo: "PARK0001", AppID: sandbox.AppID, OpenID: "user-openid", ServiceID: sandbox.PayScoreNoConfirmServiceID,
		ServiceIntroduction: "停车服务",
		PostPayments:        []payscore.PostPayment{{Name: "停车费", Amount: core.Ptr[int64](1500)}},
		PostDiscounts:       []payscore.PostDiscount{{Name: "会员减免", Description: core.Ptr("会员日"), Amount: core.Ptr[int64](500)}},
		TimeRange:           payscore.TimeRange{StartTime: "20261125080000", EndTime: core.Ptr(payscore.Time("20261125093000"))},
		TotalAmount:         1000,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(payscore.DirectCompleteOrderPath, "->", order.State, order.StateDescription, order.TotalAmount, "fen")
	// Output:
	// user service state: AVAILABLE
	// /payscore/serviceorder/direct-complete -> DOING MCH_COMPLETE 1000 fen
}
