package partner_test

import (
	"bytes"
	"context"
	"net/http"
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

// receiver is a service provider's callback endpoint built on
// notify.Handler, routing the four partner events by type.
type receiver struct {
	mu     sync.Mutex
	perms  []*partner.PermissionEvent
	orders []*partner.OrderEvent
	url    string
}

func newReceiver(t *testing.T, c *core.Client) *receiver {
	t.Helper()
	h, err := notify.NewHandler(c)
	require.NoError(t, err)
	rc := &receiver{}
	onPerm := func(_ context.Context, n *notify.Notification) error {
		ev, err := partner.ParsePermissionEvent(n)
		if err != nil {
			return err
		}
		rc.mu.Lock()
		rc.perms = append(rc.perms, ev)
		rc.mu.Unlock()
		return nil
	}
	onOrder := func(_ context.Context, n *notify.Notification) error {
		ev, err := partner.ParseOrderEvent(n)
		if err != nil {
			return err
		}
		rc.mu.Lock()
		rc.orders = append(rc.orders, ev)
		rc.mu.Unlock()
		return nil
	}
	h.On(partner.EventUserOpenService, onPerm)
	h.On(partner.EventUserCloseService, onPerm)
	h.On(partner.EventUserConfirm, onOrder)
	h.On(partner.EventUserPaid, onOrder)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	rc.url = srv.URL + "/payscore/partner/notify"
	return rc
}

func TestCallbacksEndToEnd(t *testing.T) {
	e := newEnv(t)
	rc := newReceiver(t, e.c)

	// USER_OPEN_SERVICE for the sub-merchant.
	pre, err := e.svc.PreAuthorize(e.ctx, &partner.PreAuthorizeRequest{ServiceID: noConfirm, AppID: appID, SubAppID: core.Ptr(subApp), SubMchID: sub,
		AuthorizationCode: "CB1", NotifyURL: core.Ptr(rc.url)})
	require.NoError(t, err)
	require.NoError(t, e.sb.PayScorePartnerSimulateUserAuthorize(e.ctx, pre.ApplyPermissionsToken, openID, subOpenID))
	require.Len(t, rc.perms, 1)
	open := rc.perms[0]
	require.Equal(t, partner.EventUserOpenService, open.EventType)
	require.Equal(t, payscore.UserOpenService, open.UserServiceStatus)
	require.Equal(t, sub, open.SubMchID)
	require.Equal(t, subApp, open.SubAppID)
	require.Equal(t, sandbox.MerchantID, open.MchID)
	require.Equal(t, appID, open.AppID)
	require.Equal(t, openID, open.OpenID)
	require.Equal(t, subOpenID, open.SubOpenID)
	require.Equal(t, noConfirm, open.ServiceID)
	require.Equal(t, "CB1", open.AuthorizationCode)
	_, err = open.OpenOrCloseTime.Time()
	require.NoError(t, err)

	// Confirm mode: USER_CONFIRM, then USER_PAID, naming the sub-merchant.
	_, err = e.svc.CreateOrder(e.ctx, &partner.CreateOrderRequest{ServiceID: confirm, AppID: appID, SubMchID: sub, OutOrderNo: "CB-ORDER",
		ServiceIntroduction: "充电宝租借", RiskFund: payscore.RiskFund{Name: payscore.RiskFundDeposit, Amount: 9900},
		TimeRange: payscore.TimeRange{StartTime: payscore.OnAccept}, Attach: core.Ptr("shop%3D1"), NotifyURL: rc.url})
	require.NoError(t, err)
	_, err = e.sb.PayScoreSimulateUserConfirm(e.ctx, "CB-ORDER", openID)
	require.NoError(t, err)
	require.Len(t, rc.orders, 1)
	confirmed := rc.orders[0]
	require.Equal(t, partner.EventUserConfirm, confirmed.EventType)
	require.Equal(t, payscore.StateDoing, confirmed.State)
	require.Equal(t, payscore.StateDescriptionUserConfirm, confirmed.StateDescription)
	require.Equal(t, sub, confirmed.SubMchID)
	require.Equal(t, "shop%3D1", confirmed.Attach)

	pays := []payscore.PostPayment{{Name: "租借费", Amount: core.Ptr[int64](300)}}
	_, err = e.svc.CompleteOrder(e.ctx, &partner.CompleteOrderRequest{OutOrderNo: "CB-ORDER", ServiceID: confirm, SubMchID: sub,
		PostPayments: pays, TotalAmount: 300, TimeRange: &payscore.TimeRange{EndTime: core.Ptr(confirmed.TimeRange.StartTime)}})
	require.NoError(t, err)
	txID, err := e.sb.PayScoreSimulateUserPaid(e.ctx, "CB-ORDER")
	require.NoError(t, err)
	require.Len(t, rc.orders, 2)
	paid := rc.orders[1]
	require.Equal(t, partner.EventUserPaid, paid.EventType)
	require.Equal(t, payscore.StateDone, paid.State)
	require.Equal(t, sub, paid.SubMchID)
	require.Equal(t, payscore.CollectionUserPaid, paid.Collection.State)
	require.Equal(t, int64(300), paid.Collection.PaidAmount)
	require.Equal(t, txID, paid.Collection.Details[0].TransactionID, "the transaction ID refunds need")

	// The payment is the sub-merchant's in the ledger (bills, refunds).
	var found bool
	for _, le := range e.sb.Ledger() {
		if le.TransactionID == txID {
			found = true
			require.Equal(t, sub, le.SubMchID)
			require.Equal(t, int64(300), le.AmountFen)
		}
	}
	require.True(t, found)

	// USER_CLOSE_SERVICE.
	require.NoError(t, e.sb.PayScorePartnerSimulateUserRevoke(e.ctx, sub, noConfirm, openID))
	require.Len(t, rc.perms, 2)
	require.Equal(t, partner.EventUserCloseService, rc.perms[1].EventType)
	require.Equal(t, payscore.UserCloseService, rc.perms[1].UserServiceStatus)
	require.Equal(t, sub, rc.perms[1].SubMchID)
}

// The authorization payload spells the merchant keys mch_id/sub_mch_id in
// some sources and mchid/sub_mchid in others: both decode, through the
// handler, into the same fields.
func TestPermissionEventBothSpellings(t *testing.T) {
	e := newEnv(t)
	rc := newReceiver(t, e.c)
	for _, res := range []map[string]string{
		{"appid": appID, "mch_id": "1230000109", "sub_mch_id": sub, "service_id": noConfirm, "openid": openID,
			"user_service_status": "USER_OPEN_SERVICE", "openorclose_time": "20260301120000", "authorization_code": "S1"},
		{"appid": appID, "mchid": "1230000109", "sub_mchid": sub, "service_id": noConfirm, "sub_appid": subApp, "sub_openid": subOpenID,
			"user_service_status": "USER_CLOSE_SERVICE", "openorclose_time": "20260301130000", "out_request_no": "R1"},
		{"mchid": "1230000109", "mch_id": "other", "sub_mchid": sub, "sub_mch_id": "other", "user_service_status": "USER_OPEN_SERVICE"},
	} {
		hdr, body, err := e.sb.BuildNotification(sandbox.Event{EventType: "PAYSCORE." + res["user_service_status"], OriginalType: "payscore", Resource: res})
		require.NoError(t, err)
		// Delivered over HTTP to the notify.Handler behind the receiver.
		resp, err := http.DefaultClient.Do(mustRequest(t, rc.url, hdr, body))
		require.NoError(t, err)
		resp.Body.Close()
		require.Contains(t, []int{200, 204}, resp.StatusCode)
	}
	require.Len(t, rc.perms, 3)
	for _, ev := range rc.perms {
		require.Equal(t, "1230000109", ev.MchID)
		require.Equal(t, sub, ev.SubMchID)
	}
	require.Equal(t, "S1", rc.perms[0].AuthorizationCode)
	require.Equal(t, subOpenID, rc.perms[1].SubOpenID)
	require.Equal(t, "R1", rc.perms[1].OutRequestNo)
	require.Equal(t, payscore.Time("20260301130000"), rc.perms[1].OpenOrCloseTime)
}

func mustRequest(t *testing.T, url string, hdr http.Header, body []byte) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header = hdr
	return req
}

func TestParseChecksTheEventType(t *testing.T) {
	e := newEnv(t)
	h, err := notify.NewHandler(e.c)
	require.NoError(t, err)
	hdr, body, err := e.sb.BuildNotification(sandbox.Event{EventType: partner.EventUserPaid, OriginalType: "payscore",
		Resource: map[string]any{"sub_mchid": sub, "out_order_no": "X1", "state": "DONE"}})
	require.NoError(t, err)
	n, err := h.ParseBytes(e.ctx, hdr, body)
	require.NoError(t, err)

	_, err = partner.ParsePermissionEvent(n)
	require.ErrorIs(t, err, partner.ErrEventType)
	ev, err := partner.ParseOrderEvent(n)
	require.NoError(t, err)
	require.Equal(t, sub, ev.SubMchID)
	require.Equal(t, payscore.StateDone, ev.State)

	_, err = partner.ParseOrderEvent(nil)
	require.ErrorIs(t, err, partner.ErrEventType)
	_, err = partner.ParsePermissionEvent(nil)
	require.ErrorIs(t, err, partner.ErrEventType)
}
