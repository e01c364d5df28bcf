package payscore_test

import (
	"context"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/notify"
	"github.com/wechatpay-biz/wechatpay-biz-go/payscore"
	"github.com/wechatpay-biz/wechatpay-biz-go/payscore/partner"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

// receiver is a merchant callback endpoint built on notify.Handler.
type receiver struct {
	mu     sync.Mutex
	perms  []*payscore.PermissionEvent
	orders []*payscore.OrderEvent
	url    string
}

func newReceiver(t *testing.T, c *core.Client) *receiver {
	h, err := notify.NewHandler(c)
	require.NoError(t, err)
	rc := &receiver{}
	onPerm := func(_ context.Context, n *notify.Notification) error {
		ev, err := payscore.ParsePermissionEvent(n)
		if err != nil {
			return err
		}
		rc.mu.Lock()
		rc.perms = append(rc.perms, ev)
		rc.mu.Unlock()
		return nil
	}
	onOrder := func(_ context.Context, n *notify.Notification) error {
		ev, err := payscore.ParseOrderEvent(n)
		if err != nil {
			return err
		}
		rc.mu.Lock()
		rc.orders = append(rc.orders, ev)
		rc.mu.Unlock()
		return nil
	}
	h.On(payscore.EventUserOpenService, onPerm)
	h.On(payscore.EventUserCloseService, onPerm)
	h.On(payscore.EventUserConfirm, onOrder)
	h.On(payscore.EventUserPaid, onOrder)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	rc.url = srv.URL + "/payscore/notify"
	return rc
}

func TestCallbacksEndToEnd(t *testing.T) {
	f := newFixture(t)
	rc := newReceiver(t, f.c)

	// Authorization: PAYSCORE.USER_OPEN_SERVICE.
	pre, err := f.svc.PreAuthorize(f.ctx, &payscore.PreAuthorizeRequest{ServiceID: noConfirm, AppID: appID, AuthorizationCode: "CB1", NotifyURL: core.Ptr(rc.url)})
	require.NoError(t, err)
	require.NoError(t, f.sb.PayScoreSimulateUserAuthorize(f.ctx, pre.ApplyPermissionsToken, openID))
	require.Len(t, rc.perms, 1)
	open := rc.perms[0]
	require.Equal(t, payscore.EventUserOpenService, open.EventType)
	require.Equal(t, payscore.UserOpenService, open.UserServiceStatus)
	require.Equal(t, openID, open.OpenID)
	require.Equal(t, "CB1", open.AuthorizationCode)
	require.Equal(t, sandbox.MerchantID, open.MchID)
	_, err = open.OpenOrCloseTime.Time()
	require.NoError(t, err)

	// Confirm mode: PAYSCORE.USER_CONFIRM, then PAYSCORE.USER_PAID.
	_, err = f.svc.CreateOrder(f.ctx, &payscore.CreateOrderRequest{
		OutOrderNo: "CB-ORDER", AppID: appID, ServiceID: confirm, ServiceIntroduction: "充电宝租借",
		TimeRange: payscore.TimeRange{StartTime: payscore.OnAccept},
		RiskFund:  payscore.RiskFund{Name: payscore.RiskFundDeposit, Amount: 9900},
		Attach:    core.Ptr("shop%3D1"), NotifyURL: rc.url,
	})
	require.NoError(t, err)
	_, err = f.sb.PayScoreSimulateUserConfirm(f.ctx, "CB-ORDER", openID)
	require.NoError(t, err)
	require.Len(t, rc.orders, 1)
	confirmed := rc.orders[0]
	require.Equal(t, payscore.EventUserConfirm, confirmed.EventType)
	require.Equal(t, payscore.StateDoing, confirmed.State)
	require.Equal(t, payscore.StateDescriptionUserConfirm, confirmed.StateDescription)
	require.Equal(t, "shop%3D1", confirmed.Attach)
	require.False(t, confirmed.TimeRange.StartTime.IsOnAccept(), "OnAccept becomes the confirmation time")

	pays := []payscore.PostPayment{{Name: "租借费", Amount: core.Ptr[int64](300)}}
	_, err = f.svc.CompleteOrder(f.ctx, &payscore.CompleteOrderRequest{OutOrderNo: "CB-ORDER", AppID: appID, ServiceID: confirm,
		PostPayments: pays, TotalAmount: 300, TimeRange: &payscore.TimeRange{EndTime: core.Ptr(confirmed.TimeRange.StartTime)}})
	require.NoError(t, err)
	txID, err := f.sb.PayScoreSimulateUserPaid(f.ctx, "CB-ORDER")
	require.NoError(t, err)
	require.Len(t, rc.orders, 2)
	paid := rc.orders[1]
	require.Equal(t, payscore.EventUserPaid, paid.EventType)
	require.Equal(t, payscore.StateDone, paid.State)
	require.Equal(t, payscore.CollectionUserPaid, paid.Collection.State)
	require.Equal(t, int64(300), paid.Collection.PaidAmount)
	require.Equal(t, txID, paid.Collection.Details[0].TransactionID)
	require.Equal(t, payscore.PaidTypeNewton, paid.Collection.Details[0].PaidType)

	// The payment is in the ledger for bills.
	var found bool
	for _, e := range f.sb.Ledger() {
		if e.TransactionID == txID {
			found = true
			require.Equal(t, "AUTH", e.TradeType)
			require.Equal(t, "SUCCESS", e.TradeState)
			require.Equal(t, int64(300), e.AmountFen)
			require.Equal(t, "wxzff|"+paid.OrderID+"|CB-ORDER", e.Attach)
		}
	}
	require.True(t, found, "ledger entry for the paid order")

	// Withdrawal: PAYSCORE.USER_CLOSE_SERVICE.
	require.NoError(t, f.sb.PayScoreSimulateUserRevoke(f.ctx, noConfirm, openID))
	require.Len(t, rc.perms, 2)
	require.Equal(t, payscore.EventUserCloseService, rc.perms[1].EventType)
	require.Equal(t, payscore.UserCloseService, rc.perms[1].UserServiceStatus)
}

func TestParseEventChecksTheType(t *testing.T) {
	f := newFixture(t)
	h, err := notify.NewHandler(f.c)
	require.NoError(t, err)
	hdr, body, err := f.sb.BuildNotification(sandbox.Event{EventType: payscore.EventUserOpenService, OriginalType: "payscore",
		Resource: map[string]string{"openid": openID, "user_service_status": "USER_OPEN_SERVICE", "openorclose_time": "20240101120000"}})
	require.NoError(t, err)
	n, err := h.ParseBytes(f.ctx, hdr, body)
	require.NoError(t, err)

	_, err = payscore.ParseOrderEvent(n)
	require.ErrorContains(t, err, "PAYSCORE.USER_OPEN_SERVICE")
	require.ErrorIs(t, err, payscore.ErrEventType)
	require.ErrorIs(t, err, partner.ErrEventType, "one sentinel for both modes")
	ev, err := payscore.ParsePermissionEvent(n)
	require.NoError(t, err)
	require.Equal(t, payscore.Time("20240101120000"), ev.OpenOrCloseTime)

	_, err = payscore.ParsePermissionEvent(nil)
	require.ErrorIs(t, err, payscore.ErrEventType)
}
