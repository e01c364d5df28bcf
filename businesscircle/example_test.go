package businesscircle_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"time"

	"github.com/wechatpay-biz/wechatpay-biz-go/businesscircle"
	"github.com/wechatpay-biz/wechatpay-biz-go/notify"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

// The whole mall flow against the sandbox: the transaction callback, the
// points sync, and the refund callback that only synced transactions get.
func Example() {
	ctx := context.Background()
	sb, err := sandbox.NewServer()
	if err != nil {
		panic(err)
	}
	defer sb.Close()
	client, err := sb.Client()
	if err != nil {
		panic(err)
	}
	svc := businesscircle.NewService(client)

	// The mall's callback endpoint.
	h, err := notify.NewHandler(client)
	if err != nil {
		panic(err)
	}
	h.On(businesscircle.EventTransactionSuccess, func(ctx context.Context, n *notify.Notification) error {
		ev, err := businesscircle.ParseTransaction(n)
		if err != nil {
			return err
		}
		fmt.Printf("paid %d fen at %s\n", ev.Amount, ev.ShopName)
		// Tell WeChat Pay what the purchase earned, here 1 point per yuan.
		_, err = svc.SyncPoints(ctx, &businesscircle.SyncPointsRequest{
			TransactionID:    ev.TransactionID,
			AppID:            ev.AppID,
			OpenID:           ev.OpenID,
			EarnPoints:       true,
			IncreasedPoints:  ev.Amount / 100,
			PointsUpdateTime: time.Now(),
		})
		if err == nil {
			fmt.Printf("synced %d points\n", ev.Amount/100)
		}
		return err
	})
	h.On(businesscircle.EventRefundSuccess, func(_ context.Context, n *notify.Notification) error {
		ev, err := businesscircle.ParseRefund(n)
		if err != nil {
			return err
		}
		fmt.Printf("refunded %d of %d fen\n", ev.RefundAmount, ev.PayAmount)
		return nil
	})
	srv := httptest.NewServer(h)
	defer srv.Close()

	// Sandbox only: the member authorizes, pays, and is refunded.
	sb.BusinessCircleSetNotifyURLs(srv.URL, "")
	if _, err := sb.BusinessCircleAuthorize(ctx, sb.AppID, "oMember"); err != nil {
		panic(err)
	}
	txID, err := sb.BusinessCircleSimulateTransaction(ctx, sandbox.BusinessCircleTransaction{
		OpenID: "oMember", AmountFen: 8800, ShopName: "一楼咖啡",
	})
	if err != nil {
		panic(err)
	}
	if _, _, err := sb.BusinessCircleSimulateRefund(ctx, txID, 3000); err != nil {
		panic(err)
	}
	// Output:
	// paid 8800 fen at 一楼咖啡
	// synced 88 points
	// refunded 3000 of 8800 fen
}

func ExampleService_SyncPoints() {
	ctx := context.Background()
	sb, _ := sandbox.NewServer()
	defer sb.Close()
	client, _ := sb.Client()
	svc := businesscircle.NewService(client)

	// Sandbox only: a member's purchase the mall was notified of.
	_, _ = sb.BusinessCircleAuthorize(ctx, sb.AppID, "oMember")
	txID, _ := sb.BusinessCircleSimulateTransaction(ctx, sandbox.BusinessCircleTransaction{OpenID: "oMember", AmountFen: 500})

	// A purchase that earns nothing is synced too: EarnPoints false and
	// IncreasedPoints 0 are sent as such.
	_, err := svc.SyncPoints(ctx, &businesscircle.SyncPointsRequest{
		TransactionID:    txID,
		AppID:            sb.AppID,
		OpenID:           "oMember",
		EarnPoints:       false,
		IncreasedPoints:  0,
		PointsUpdateTime: time.Now(),
	})
	fmt.Println("synced:", err == nil)
	// Output:
	// synced: true
}

func ExampleService_QueryUserAuthorization() {
	ctx := context.Background()
	sb, _ := sandbox.NewServer()
	defer sb.Close()
	client, _ := sb.Client()
	svc := businesscircle.NewService(client)

	req := &businesscircle.QueryUserAuthorizationRequest{OpenID: "oMember", AppID: sb.AppID}
	before, err := svc.QueryUserAuthorization(ctx, req)
	if err != nil {
		panic(err)
	}
	_, _ = sb.BusinessCircleAuthorize(ctx, sb.AppID, "oMember") // sandbox only
	after, err := svc.QueryUserAuthorization(ctx, req)
	if err != nil {
		panic(err)
	}
	fmt.Println(before.AuthorizeState, "->", after.AuthorizeState, after.AuthorizeTime != nil)
	// Output:
	// UNAUTHORIZED -> AUTHORIZED true
}

func ExampleService_QueryPointsCommitStatus() {
	ctx := context.Background()
	sb, _ := sandbox.NewServer()
	defer sb.Close()
	client, _ := sb.Client()
	svc := businesscircle.NewService(client)

	// Sandbox only: a member's purchase that waits to be submitted in the plugin.
	_, _ = sb.BusinessCircleAuthorize(ctx, sb.AppID, "oMember")
	_, _ = sb.BusinessCircleSimulateTransaction(ctx, sandbox.BusinessCircleTransaction{OpenID: "oMember", AmountFen: 500, Pending: true})

	st, err := svc.QueryPointsCommitStatus(ctx, &businesscircle.QueryPointsCommitStatusRequest{
		OpenID: "oMember", BrandID: sandbox.BusinessCircleBrandID, AppID: sb.AppID,
	})
	if err != nil {
		panic(err)
	}
	switch {
	case !st.Known():
		fmt.Println("no status given (204)")
	case st.Pending():
		fmt.Println("lead the member to the plugin:", st.PointsCommitStatus)
	default:
		fmt.Println("nothing waits:", st.PointsCommitStatus)
	}
	// Output:
	// lead the member to the plugin: PENDING
}

func ExampleService_SyncParking() {
	ctx := context.Background()
	sb, _ := sandbox.NewServer()
	defer sb.Close()
	client, _ := sb.Client()
	svc := businesscircle.NewService(client)
	_, _ = sb.BusinessCircleAuthorize(ctx, sb.AppID, "oMember") // sandbox only

	resp, err := svc.SyncParking(ctx, &businesscircle.SyncParkingRequest{
		BrandID:     sandbox.BusinessCircleBrandID,
		AppID:       sb.AppID,
		OpenID:      "oMember",
		PlateNumber: "粤B888888",
		State:       businesscircle.ParkingStateIn,
		Time:        time.Now(),
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("HTTP", resp.StatusCode)
	// Output:
	// HTTP 204
}

func ExampleParseActivateCard() {
	ctx := context.Background()
	sb, _ := sandbox.NewServer()
	defer sb.Close()
	client, _ := sb.Client()

	h, _ := notify.NewHandler(client)
	h.On(businesscircle.EventActivateCard, func(_ context.Context, n *notify.Notification) error {
		ev, err := businesscircle.ParseActivateCard(n)
		if err != nil {
			return err
		}
		fmt.Println("member activated:", ev.AuthType)
		return nil
	})
	srv := httptest.NewServer(h)
	defer srv.Close()

	sb.BusinessCircleSetNotifyURLs("", srv.URL) // sandbox only
	_, _ = sb.BusinessCircleAuthorize(ctx, sb.AppID, "oMember")
	// Output:
	// member activated: REGISTERED_MODE
}
