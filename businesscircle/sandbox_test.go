package businesscircle_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/businesscircle"
	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/notify"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

// mall is a mall's back end against the sandbox: a service and callback
// endpoints that parse every business circle event.
type mall struct {
	sb  *sandbox.Server
	svc *businesscircle.Service

	mu           sync.Mutex
	transactions []*businesscircle.TransactionEvent
	refunds      []*businesscircle.RefundEvent
	activations  []*businesscircle.ActivateCardEvent
	sent         []recorded // what the sandbox received
}

func newMall(t *testing.T) *mall {
	t.Helper()
	sb, err := sandbox.NewServer()
	require.NoError(t, err)
	t.Cleanup(sb.Close)
	c, err := sb.Client()
	require.NoError(t, err)
	m := &mall{sb: sb, svc: businesscircle.NewService(c)}
	h, err := notify.NewHandler(c)
	require.NoError(t, err)
	h.On(businesscircle.EventTransactionSuccess, func(_ context.Context, n *notify.Notification) error {
		ev, err := businesscircle.ParseTransaction(n)
		if err == nil {
			m.mu.Lock()
			m.transactions = append(m.transactions, ev)
			m.mu.Unlock()
		}
		return err
	})
	h.On(businesscircle.EventRefundSuccess, func(_ context.Context, n *notify.Notification) error {
		ev, err := businesscircle.ParseRefund(n)
		if err == nil {
			m.mu.Lock()
			m.refunds = append(m.refunds, ev)
			m.mu.Unlock()
		}
		return err
	})
	h.On(businesscircle.EventActivateCard, func(_ context.Context, n *notify.Notification) error {
		ev, err := businesscircle.ParseActivateCard(n)
		if err == nil {
			m.mu.Lock()
			m.activations = append(m.activations, ev)
			m.mu.Unlock()
		}
		return err
	})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	sb.BusinessCircleSetNotifyURLs(srv.URL+"/consumption", srv.URL+"/activation")
	sb.SetHook(func(_ http.ResponseWriter, r *http.Request) bool {
		b, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(b))
		m.mu.Lock()
		m.sent = append(m.sent, recorded{Method: r.Method, RequestURI: r.RequestURI, Header: r.Header.Clone(), Body: b})
		m.mu.Unlock()
		return false
	})
	return m
}

// events returns copies of the parsed callbacks received so far.
func (m *mall) events() (tx []*businesscircle.TransactionEvent, rf []*businesscircle.RefundEvent, act []*businesscircle.ActivateCardEvent) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append(tx, m.transactions...), append(rf, m.refunds...), append(act, m.activations...)
}

func (m *mall) requests() []recorded {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]recorded(nil), m.sent...)
}

func TestMallFlowAgainstSandbox(t *testing.T) {
	m := newMall(t)
	ctx := context.Background()
	const openID = "oMember_flow"
	appID := m.sb.AppID

	auth, err := m.svc.QueryUserAuthorization(ctx, &businesscircle.QueryUserAuthorizationRequest{OpenID: openID, AppID: appID})
	require.NoError(t, err)
	require.Equal(t, businesscircle.AuthorizeStateUnauthorized, auth.AuthorizeState)
	require.NotEmpty(t, auth.RequestID)

	code, err := m.sb.BusinessCircleAuthorize(ctx, appID, openID)
	require.NoError(t, err)
	_, _, acts := m.events()
	require.Len(t, acts, 1)
	require.Equal(t, businesscircle.ActivateCardEvent{OpenID: openID, Code: code, MchID: sandbox.MerchantID, AuthType: businesscircle.AuthTypeRegistered}, *acts[0])

	auth, err = m.svc.QueryUserAuthorization(ctx, &businesscircle.QueryUserAuthorizationRequest{OpenID: openID, AppID: appID})
	require.NoError(t, err)
	require.Equal(t, businesscircle.AuthorizeStateAuthorized, auth.AuthorizeState)
	require.NotNil(t, auth.AuthorizeTime)
	require.WithinDuration(t, time.Now(), *auth.AuthorizeTime, time.Minute)

	// A purchase in a store: the transaction callback, then the points sync.
	txID, err := m.sb.BusinessCircleSimulateTransaction(ctx, sandbox.BusinessCircleTransaction{
		AppID: appID, OpenID: openID, AmountFen: 25800, ShopName: "二楼书店", ShopNumber: "F2-08",
	})
	require.NoError(t, err)
	txs, _, _ := m.events()
	require.Len(t, txs, 1)
	tx := txs[0]
	require.Equal(t, txID, tx.TransactionID)
	require.Equal(t, int64(25800), tx.Amount)
	require.Equal(t, "二楼书店", tx.ShopName)
	require.Equal(t, "F2-08", tx.ShopNumber)
	require.Equal(t, sandbox.MerchantID, tx.MchID)
	require.Equal(t, sandbox.BusinessCircleMerchantName, tx.MerchantName)
	require.Equal(t, appID, tx.AppID)
	require.Equal(t, openID, tx.OpenID)
	require.Equal(t, code, tx.Code)
	require.WithinDuration(t, time.Now(), tx.TimeEnd, time.Minute)

	// Refund before the sync: the sandbox (like WeChat Pay) stays silent.
	before, err := m.sb.BusinessCircleSimulateTransaction(ctx, sandbox.BusinessCircleTransaction{OpenID: openID, AmountFen: 100})
	require.NoError(t, err)
	_, notified, err := m.sb.BusinessCircleSimulateRefund(ctx, before, 100)
	require.NoError(t, err)
	require.False(t, notified)
	_, rfs, _ := m.events()
	require.Empty(t, rfs)

	n := len(m.requests())
	_, err = m.svc.SyncPoints(ctx, &businesscircle.SyncPointsRequest{
		TransactionID: txID, AppID: tx.AppID, OpenID: tx.OpenID,
		EarnPoints: false, IncreasedPoints: 0, PointsUpdateTime: time.Now(),
		NoPointsRemarks: core.Ptr("图书不参与积分"),
	})
	require.NoError(t, err)
	sent := m.requests()[n]
	require.Contains(t, string(sent.Body), `"earn_points":false`)
	require.Contains(t, string(sent.Body), `"increased_points":0`)
	p, ok := m.sb.BusinessCirclePointsOf(txID)
	require.True(t, ok)
	require.False(t, p.EarnPoints)
	require.Equal(t, "图书不参与积分", p.NoPointsRemarks)

	refundID, notified, err := m.sb.BusinessCircleSimulateRefund(ctx, txID, 5800)
	require.NoError(t, err)
	require.True(t, notified)
	_, rfs, _ = m.events()
	require.Len(t, rfs, 1)
	rf := rfs[0]
	require.Equal(t, txID, rf.TransactionID)
	require.Equal(t, refundID, rf.RefundID)
	require.Equal(t, int64(25800), rf.PayAmount)
	require.Equal(t, int64(5800), rf.RefundAmount)
	require.Equal(t, "二楼书店", rf.ShopName)
	require.WithinDuration(t, time.Now(), rf.RefundTime, time.Minute)

	// Pending purchases and parking.
	_, err = m.sb.BusinessCircleSimulateTransaction(ctx, sandbox.BusinessCircleTransaction{OpenID: openID, AmountFen: 900, Pending: true})
	require.NoError(t, err)
	st, err := m.svc.QueryPointsCommitStatus(ctx, &businesscircle.QueryPointsCommitStatusRequest{OpenID: openID, BrandID: sandbox.BusinessCircleBrandID, AppID: appID})
	require.NoError(t, err)
	require.True(t, st.Known())
	require.True(t, st.Pending())

	_, err = m.svc.SyncParking(ctx, &businesscircle.SyncParkingRequest{
		BrandID: sandbox.BusinessCircleBrandID, AppID: appID, OpenID: openID,
		PlateNumber: "沪AD12345", State: businesscircle.ParkingStateIn, Time: time.Now(),
	})
	require.NoError(t, err)
	park, ok := m.sb.BusinessCircleParkingOf("沪AD12345")
	require.True(t, ok)
	require.Equal(t, "IN", park.State)

	// The ledger has both payments and both refunds for bills.
	var states []string
	for _, e := range m.sb.Ledger() {
		states = append(states, e.TradeState)
	}
	require.Equal(t, []string{"SUCCESS", "SUCCESS", "REFUND", "REFUND", "SUCCESS"}, states)
}

func TestCommitStatusNoContentAgainstSandbox(t *testing.T) {
	m := newMall(t)
	ctx := context.Background()
	_, err := m.sb.BusinessCircleAuthorize(ctx, m.sb.AppID, "o204")
	require.NoError(t, err)
	m.sb.BusinessCircleCommitStatusNoContent(true)
	st, err := m.svc.QueryPointsCommitStatus(ctx, &businesscircle.QueryPointsCommitStatusRequest{OpenID: "o204", BrandID: sandbox.BusinessCircleBrandID, AppID: m.sb.AppID})
	require.NoError(t, err)
	require.Equal(t, http.StatusNoContent, st.StatusCode)
	require.False(t, st.Known())
	require.NotEmpty(t, st.RequestID)
}

func TestSandboxErrorsCarryRequestID(t *testing.T) {
	m := newMall(t)
	ctx := context.Background()
	_, err := m.svc.SyncPoints(ctx, &businesscircle.SyncPointsRequest{
		TransactionID: "4200000000000000000000000000", AppID: m.sb.AppID, OpenID: "o", PointsUpdateTime: time.Now(),
	})
	ae, ok := core.IsAPIError(err)
	require.True(t, ok, "%v", err)
	require.Equal(t, http.StatusNotFound, ae.StatusCode)
	require.Equal(t, "RESOURCE_NOT_EXISTS", ae.Code)
	require.NotEmpty(t, ae.RequestID)
	require.Equal(t, ae.RequestID, core.RequestIDOf(err))

	_, err = m.svc.QueryPointsCommitStatus(ctx, &businesscircle.QueryPointsCommitStatusRequest{OpenID: "o", BrandID: 42, AppID: m.sb.AppID})
	require.Equal(t, "NO_AUTH", core.ErrorCode(err))
	require.NotEmpty(t, core.RequestIDOf(err))

	_, err = m.svc.SyncParking(ctx, &businesscircle.SyncParkingRequest{BrandID: sandbox.BusinessCircleBrandID, AppID: m.sb.AppID, OpenID: "o", PlateNumber: "粤B1", State: "IN", Time: time.Now()})
	require.Equal(t, "INVALID_REQUEST", core.ErrorCode(err), "non-members cannot sync parking")

	n := len(m.requests())
	_, err = m.svc.SyncParking(ctx, &businesscircle.SyncParkingRequest{})
	var ve *core.ValidationError
	require.ErrorAs(t, err, &ve)
	require.Len(t, m.requests(), n, "a rejected request is never sent")
}

func TestProbeSignatureRejected(t *testing.T) {
	m := newMall(t)
	m.sb.ProbeNext(1)
	_, err := m.svc.QueryUserAuthorization(context.Background(), &businesscircle.QueryUserAuthorizationRequest{OpenID: "o", AppID: m.sb.AppID})
	require.ErrorIs(t, err, core.ErrInvalidSignature)
}

func TestParseChecksEventType(t *testing.T) {
	n := &notify.Notification{ID: "EV-1", EventType: businesscircle.EventRefundSuccess, Plaintext: []byte(`{"transaction_id":"42"}`)}
	_, err := businesscircle.ParseTransaction(n)
	require.ErrorIs(t, err, businesscircle.ErrEventType)
	_, err = businesscircle.ParseActivateCard(n)
	require.ErrorIs(t, err, businesscircle.ErrEventType)
	_, err = businesscircle.ParseRefund(nil)
	require.ErrorIs(t, err, businesscircle.ErrEventType)
	rf, err := businesscircle.ParseRefund(n)
	require.NoError(t, err)
	require.Equal(t, "42", rf.TransactionID)

	bad := &notify.Notification{ID: "EV-2", EventType: businesscircle.EventTransactionSuccess, Plaintext: []byte(`{"amount":"lots"}`)}
	_, err = businesscircle.ParseTransaction(bad)
	require.Error(t, err)
	require.False(t, errors.Is(err, businesscircle.ErrEventType))
}

func TestTransactionEventToleratesUnknownFields(t *testing.T) {
	n := &notify.Notification{ID: "EV-3", EventType: businesscircle.EventTransactionSuccess, Plaintext: []byte(`{
		"mchid":"1900000109","merchant_name":"商圈","shop_name":"店","shop_number":"S1","appid":"wx","openid":"o",
		"amount":100,"time_end":"2026-11-26T10:00:00+08:00","transaction_id":"42","commit_tag":"TAG",
		"auth_type":"A_NEW_MODE","brand_new_field":{"x":1}}`)}
	ev, err := businesscircle.ParseTransaction(n)
	require.NoError(t, err)
	require.Equal(t, businesscircle.AuthType("A_NEW_MODE"), ev.AuthType)
	require.Equal(t, "TAG", ev.CommitTag)
	require.True(t, ev.TimeEnd.Equal(time.Date(2026, 11, 26, 2, 0, 0, 0, time.UTC)))
}
