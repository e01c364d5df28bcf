package refund_test

import (
	"context"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/notify"
	"github.com/wechatpay-biz/wechatpay-biz-go/notify/notifytest"
	"github.com/wechatpay-biz/wechatpay-biz-go/refund"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

// receiver is a merchant refund callback endpoint: notify verifies and
// decrypts, refund.Handle decodes.
type receiver struct {
	mu     sync.Mutex
	events []*refund.Event
	url    string
}

func newReceiver(t *testing.T, c *core.Client) *receiver {
	t.Helper()
	h, err := notify.NewHandler(c)
	require.NoError(t, err)
	rc := &receiver{}
	refund.Handle(h, func(_ context.Context, ev *refund.Event) error {
		rc.mu.Lock()
		rc.events = append(rc.events, ev)
		rc.mu.Unlock()
		return nil
	})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	rc.url = srv.URL + "/refund/notify"
	return rc
}

func (rc *receiver) got() []*refund.Event {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]*refund.Event(nil), rc.events...)
}

func TestCallbacksEndToEnd(t *testing.T) {
	e := newEnv(t)
	rc := newReceiver(t, e.c)
	e.sb.RefundSetNotifyURL(rc.url) // the refund URL configured in the merchant platform

	ok, err := e.svc.Create(e.ctx, createRequest("R-OK", 400))
	require.NoError(t, err)
	require.NoError(t, e.sb.RefundSimulateSuccess(e.ctx, ok.RefundID))

	partner, err := e.svc.Create(e.ctx, &refund.CreateRequest{SubMchID: core.Ptr(subMchID), TransactionID: core.Ptr(txPartner), OutRefundNo: "P-1",
		Amount: refund.AmountRequest{Refund: 2000, Total: 2000, Currency: refund.CurrencyCNY}})
	require.NoError(t, err)
	require.NoError(t, e.sb.RefundSimulateClose(e.ctx, partner.RefundID))

	evs := rc.got()
	require.Len(t, evs, 2)
	s := evs[0]
	assert.Equal(t, refund.EventSuccess, s.EventType)
	assert.Equal(t, refund.StatusSuccess, s.RefundStatus)
	assert.Equal(t, sandbox.MerchantID, s.MchID)
	assert.Empty(t, s.SubMchID)
	assert.Equal(t, "R-OK", s.OutRefundNo)
	assert.Equal(t, ok.RefundID, s.RefundID)
	assert.Equal(t, txDirect, s.TransactionID)
	assert.Equal(t, "ORDER-0001", s.OutTradeNo)
	require.NotNil(t, s.SuccessTime)
	assert.WithinDuration(t, time.Now(), *s.SuccessTime, time.Minute)
	assert.Equal(t, refund.EventAmount{Total: 1000, Refund: 400, PayerTotal: 900, PayerRefund: 360}, s.Amount)
	assert.NotEmpty(t, s.UserReceivedAccount)

	c := evs[1]
	assert.Equal(t, refund.EventClosed, c.EventType)
	assert.Equal(t, refund.StatusClosed, c.RefundStatus)
	assert.Equal(t, sandbox.MerchantID, c.SpMchID, "partner callbacks name the service provider")
	assert.Equal(t, subMchID, c.SubMchID, "… and the sub-merchant to route by")
	assert.Empty(t, c.MchID)
	assert.Nil(t, c.SuccessTime)
}

func TestAbnormalCallbackToTheRefundsOwnURL(t *testing.T) {
	e := newEnv(t)
	platform := newReceiver(t, e.c)
	e.sb.RefundSetNotifyURL(platform.url)
	r, err := e.svc.Create(e.ctx, createRequest("R-AB", 100))
	require.NoError(t, err)
	require.NoError(t, e.sb.RefundSimulateAbnormal(e.ctx, r.RefundID))
	evs := platform.got()
	require.Len(t, evs, 1)
	assert.Equal(t, refund.EventAbnormal, evs[0].EventType)
	assert.Equal(t, refund.StatusAbnormal, evs[0].RefundStatus)
	got, err := e.svc.Query(e.ctx, &refund.QueryRequest{OutRefundNo: "R-AB"})
	require.NoError(t, err)
	assert.Equal(t, refund.StatusAbnormal, got.Status)
}

// Users' own tests can build refund callbacks with notify.BuildSigned; the
// extra fields some documentation pages list decode as unknowns.
func TestParseEventFromASignedNotification(t *testing.T) {
	sb, err := sandbox.NewServer()
	require.NoError(t, err)
	defer sb.Close()
	c, err := sb.Client()
	require.NoError(t, err)
	h, err := notify.NewHandler(c)
	require.NoError(t, err)
	header, body, err := notifytest.BuildSigned(notifytest.Event{
		EventType: refund.EventSuccess, Summary: "退款成功", OriginalType: "refund", AssociatedData: "refund",
		Resource: map[string]any{
			"sp_mchid": "1900000100", "sub_mchid": "1900000109", "out_trade_no": "O-1", "transaction_id": "T-1",
			"out_refund_no": "R-1", "refund_id": "5030", "refund_status": "SUCCESS", "success_time": "2026-11-25T10:00:05+08:00",
			"user_received_account": "支付用户零钱", "amount": map[string]any{"total": 999, "refund": 999, "payer_total": 999, "payer_refund": 999},
			"recv_account": "x", "settlement_refund": 999,
		},
	}, notifytest.Signer{Serial: sb.PublicKeyID, PrivateKey: sb.PlatformPrivateKey(), APIv3Key: sb.APIv3Key})
	require.NoError(t, err)
	n, err := h.ParseBytes(context.Background(), header, body)
	require.NoError(t, err)
	ev, err := refund.ParseEvent(n)
	require.NoError(t, err)
	assert.Equal(t, "1900000100", ev.SpMchID, "spec §11.3: partner refund callbacks spell the provider sp_mchid")
	assert.Equal(t, "1900000109", ev.SubMchID)
	assert.Empty(t, ev.MchID)
	assert.Equal(t, int64(999), ev.Amount.PayerRefund)
	assert.Equal(t, time.Date(2026, 11, 25, 2, 0, 5, 0, time.UTC), ev.SuccessTime.UTC())

	n.EventType = "PAYSCORE.USER_PAID"
	_, err = refund.ParseEvent(n)
	assert.ErrorIs(t, err, refund.ErrEventType)
	_, err = refund.ParseEvent(nil)
	assert.ErrorIs(t, err, refund.ErrEventType)
	assert.Equal(t, []string{"REFUND.SUCCESS", "REFUND.ABNORMAL", "REFUND.CLOSED"}, refund.EventTypes())
}
