package flows

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"strconv"
	"time"

	"github.com/wechatpay-biz/wechatpay-biz-go/businesscircle"
	"github.com/wechatpay-biz/wechatpay-biz-go/examples/internal/setup"
	"github.com/wechatpay-biz/wechatpay-biz-go/notify"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

// BusinessCircle walks the 智慧商圈 flow: a member authorizes the
// points service, pays in a mall store (MALL_TRANSACTION.SUCCESS), the mall
// syncs the points, and the purchase is refunded (MALL_REFUND.SUCCESS, sent
// only because the points were synced). It also queries the authorization
// and pending-points status and syncs a parking event.
//
// Against the sandbox (the default) every step runs. Against the real API
// (see examples/internal/setup) the simulated steps are skipped and only the
// queries run, for the member given in WECHATPAY_BC_APPID and
// WECHATPAY_BC_OPENID (and WECHATPAY_BC_BRANDID for the pending-points
// status).
func BusinessCircle(ctx context.Context, env *setup.Env) error {
	if env.Real() {
		return bcRunReal(ctx, env)
	}
	return bcRunSandbox(ctx, env)
}

func bcRunSandbox(ctx context.Context, env *setup.Env) error {
	sb := env.Sandbox
	svc := businesscircle.NewService(env.Client)
	const openID = "oMember_demo_0001"
	appID := sb.AppID

	// The mall's callback endpoint: verify, decrypt and hand over each event.
	h, err := notify.NewHandler(env.Client)
	if err != nil {
		return err
	}
	transactions := make(chan *businesscircle.TransactionEvent, 1)
	refunds := make(chan *businesscircle.RefundEvent, 1)
	activations := make(chan *businesscircle.ActivateCardEvent, 1)
	h.On(businesscircle.EventTransactionSuccess, func(_ context.Context, n *notify.Notification) error {
		ev, err := businesscircle.ParseTransaction(n)
		if err == nil {
			transactions <- ev
		}
		return err
	})
	h.On(businesscircle.EventRefundSuccess, func(_ context.Context, n *notify.Notification) error {
		ev, err := businesscircle.ParseRefund(n)
		if err == nil {
			refunds <- ev
		}
		return err
	})
	h.On(businesscircle.EventActivateCard, func(_ context.Context, n *notify.Notification) error {
		ev, err := businesscircle.ParseActivateCard(n)
		if err == nil {
			activations <- ev
		}
		return err
	})
	srv := httptest.NewServer(h)
	defer srv.Close()
	sb.BusinessCircleSetNotifyURLs(srv.URL+"/mall/consumption", srv.URL+"/mall/activation")

	// 1. The member authorizes the points service in the plugin.
	if _, err := sb.BusinessCircleAuthorize(ctx, appID, openID); err != nil {
		return fmt.Errorf("authorize: %w", err)
	}
	act, err := bcReceive(ctx, activations)
	if err != nil {
		return err
	}
	fmt.Printf("[callback] %s: member card activated (%s)\n", businesscircle.EventActivateCard, act.AuthType)

	auth, err := svc.QueryUserAuthorization(ctx, &businesscircle.QueryUserAuthorizationRequest{OpenID: openID, AppID: appID})
	if err != nil {
		return fmt.Errorf("query authorization: %w", err)
	}
	fmt.Printf("[api] QueryUserAuthorization -> %s since %s (Request-ID %s)\n", auth.AuthorizeState, auth.AuthorizeTime.Format(time.RFC3339), auth.RequestID)

	// 2. The member pays in a store; WeChat Pay tells the mall.
	if _, err := sb.BusinessCircleSimulateTransaction(ctx, sandbox.BusinessCircleTransaction{
		AppID: appID, OpenID: openID, AmountFen: 25800, ShopName: "二楼书店", ShopNumber: "F2-08",
	}); err != nil {
		return fmt.Errorf("simulate transaction: %w", err)
	}
	tx, err := bcReceive(ctx, transactions)
	if err != nil {
		return err
	}
	fmt.Printf("[callback] %s: %d fen at %s (%s), transaction %s\n", businesscircle.EventTransactionSuccess, tx.Amount, tx.ShopName, tx.ShopNumber, tx.TransactionID)

	// 3. The mall credits points and syncs them: 1 point per yuan.
	points := tx.Amount / 100
	sync, err := svc.SyncPoints(ctx, &businesscircle.SyncPointsRequest{
		TransactionID:    tx.TransactionID,
		AppID:            tx.AppID,
		OpenID:           tx.OpenID,
		EarnPoints:       points > 0,
		IncreasedPoints:  points,
		PointsUpdateTime: time.Now(),
		TotalPoints:      &points,
	})
	if err != nil {
		return fmt.Errorf("sync points: %w", err)
	}
	fmt.Printf("[api] SyncPoints -> HTTP %d, %d points (Request-ID %s)\n", sync.StatusCode, points, sync.RequestID)

	// 4. The purchase is partly refunded; because its points were synced,
	// the mall is told and can take the points back.
	if _, notified, err := sb.BusinessCircleSimulateRefund(ctx, tx.TransactionID, 5800); err != nil {
		return fmt.Errorf("simulate refund: %w", err)
	} else if !notified {
		return errors.New("the refund of a synced transaction was not notified")
	}
	rf, err := bcReceive(ctx, refunds)
	if err != nil {
		return err
	}
	fmt.Printf("[callback] %s: %d of %d fen refunded, refund %s\n", businesscircle.EventRefundSuccess, rf.RefundAmount, rf.PayAmount, rf.RefundID)

	// 5. A purchase left for the member to submit, and the member's car.
	if _, err := sb.BusinessCircleSimulateTransaction(ctx, sandbox.BusinessCircleTransaction{OpenID: openID, AmountFen: 1200, Pending: true}); err != nil {
		return fmt.Errorf("simulate pending transaction: %w", err)
	}
	st, err := svc.QueryPointsCommitStatus(ctx, &businesscircle.QueryPointsCommitStatusRequest{
		OpenID: openID, BrandID: sandbox.BusinessCircleBrandID, AppID: appID,
	})
	if err != nil {
		return fmt.Errorf("query commit status: %w", err)
	}
	fmt.Printf("[api] QueryPointsCommitStatus -> %s (Request-ID %s)\n", st.PointsCommitStatus, st.RequestID)

	park, err := svc.SyncParking(ctx, &businesscircle.SyncParkingRequest{
		BrandID: sandbox.BusinessCircleBrandID, AppID: appID, OpenID: openID,
		PlateNumber: "粤B888888", State: businesscircle.ParkingStateIn, Time: time.Now(),
	})
	if err != nil {
		return fmt.Errorf("sync parking: %w", err)
	}
	fmt.Printf("[api] SyncParking IN -> HTTP %d (Request-ID %s)\n", park.StatusCode, park.RequestID)

	var paid, refunded int64
	for _, e := range sb.Ledger() {
		if e.TradeState == "SUCCESS" {
			paid += e.AmountFen
		}
		refunded += e.RefundFen
	}
	fmt.Printf("[ledger] %d fen paid, %d fen refunded (for the bills)\n", paid, refunded)
	return nil
}

func bcRunReal(ctx context.Context, env *setup.Env) error {
	v, err := setup.Getenv("WECHATPAY_BC_APPID", "WECHATPAY_BC_OPENID")
	if err != nil {
		return fmt.Errorf("%w (the member whose authorization is queried)", err)
	}
	appID, openID := v[0], v[1]
	svc := businesscircle.NewService(env.Client)
	auth, err := svc.QueryUserAuthorization(ctx, &businesscircle.QueryUserAuthorizationRequest{OpenID: openID, AppID: appID})
	if err != nil {
		return fmt.Errorf("query authorization: %w", err)
	}
	fmt.Printf("[api] QueryUserAuthorization -> %s (Request-ID %s)\n", auth.AuthorizeState, auth.RequestID)
	if b := os.Getenv("WECHATPAY_BC_BRANDID"); b != "" {
		brandID, err := strconv.ParseInt(b, 10, 64)
		if err != nil {
			return fmt.Errorf("WECHATPAY_BC_BRANDID=%q is not a brand ID (a number)", b)
		}
		st, err := svc.QueryPointsCommitStatus(ctx, &businesscircle.QueryPointsCommitStatusRequest{OpenID: openID, BrandID: brandID, AppID: appID})
		if err != nil {
			return fmt.Errorf("query commit status: %w", err)
		}
		fmt.Printf("[api] QueryPointsCommitStatus -> %q, HTTP %d (Request-ID %s)\n", st.PointsCommitStatus, st.StatusCode, st.RequestID)
	}
	if env.AdminURL != "" {
		fmt.Printf("standalone sandbox: a member's purchase (then its refund) is played with\n    curl -s -X POST %sbusinesscircle/transaction -d '{\"openid\":\"%s\",\"amount\":2500}'\n", env.AdminURL, openID)
		return nil
	}
	fmt.Println("real API: transaction, points sync and refund need a real purchase; skipped")
	return nil
}

// receive waits for one callback.
func bcReceive[T any](ctx context.Context, ch <-chan T) (T, error) {
	select {
	case v := <-ch:
		return v, nil
	case <-ctx.Done():
		var zero T
		return zero, fmt.Errorf("waiting for a callback: %w", ctx.Err())
	}
}
