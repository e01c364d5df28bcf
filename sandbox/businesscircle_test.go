package sandbox

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/notify"
)

// bcReceiver is a mall's callback endpoint: it verifies and decrypts
// notifications with the sandbox client and keeps them.
type bcReceiver struct {
	mu  sync.Mutex
	got []*notify.Notification
	srv *httptest.Server
}

func (r *bcReceiver) events() []*notify.Notification {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*notify.Notification(nil), r.got...)
}

func (r *bcReceiver) resource(t *testing.T, i int) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(r.events()[i].Plaintext, &m))
	return m
}

type bcFixture struct {
	sb       *Server
	c        *core.Client
	clock    *atomic.Int64 // Unix seconds
	consumer *bcReceiver
	activate *bcReceiver
}

func newBCFixture(t *testing.T) *bcFixture {
	t.Helper()
	f := &bcFixture{clock: new(atomic.Int64)}
	f.clock.Store(time.Now().Unix())
	sb, err := NewServer(WithClock(func() time.Time { return time.Unix(f.clock.Load(), 0) }))
	require.NoError(t, err)
	t.Cleanup(sb.Close)
	c, err := sb.Client()
	require.NoError(t, err)
	f.sb, f.c = sb, c
	mk := func() *bcReceiver {
		r := &bcReceiver{}
		h, err := notify.NewHandler(c, notify.WithFallback(func(_ context.Context, n *notify.Notification) error {
			r.mu.Lock()
			r.got = append(r.got, n)
			r.mu.Unlock()
			return nil
		}))
		require.NoError(t, err)
		r.srv = httptest.NewServer(h)
		t.Cleanup(r.srv.Close)
		return r
	}
	f.consumer, f.activate = mk(), mk()
	sb.BusinessCircleSetNotifyURLs(f.consumer.srv.URL, f.activate.srv.URL)
	return f
}

func (f *bcFixture) advance(d time.Duration) { f.clock.Add(int64(d / time.Second)) }

func (f *bcFixture) call(method, path string, q url.Values, body any) (*core.Response, error) {
	return f.c.Do(context.Background(), &core.Request{Method: method, Path: path, Query: q, Body: body}, nil)
}

func (f *bcFixture) syncPoints(txID, openID string, earn bool, points int64) error {
	_, err := f.call(http.MethodPost, "/v3/businesscircle/points/notify", nil, map[string]any{
		"transaction_id": txID, "appid": AppID, "openid": openID, "earn_points": earn,
		"increased_points": points, "points_update_time": "2026-11-26T10:00:00+08:00",
	})
	return err
}

func requireAPIError(t *testing.T, err error, status int, code, field string) {
	t.Helper()
	ae, ok := core.IsAPIError(err)
	require.True(t, ok, "want an APIError, got %v", err)
	require.Equal(t, status, ae.StatusCode, ae.Error())
	require.Equal(t, code, ae.Code, ae.Error())
	require.NotEmpty(t, ae.RequestID)
	if field != "" {
		require.NotNil(t, ae.Detail, ae.Error())
		require.Equal(t, field, ae.Detail.Field)
	}
}

func TestBusinessCircleRefundIsNotifiedOnlyAfterPointsSync(t *testing.T) {
	f := newBCFixture(t)
	ctx := context.Background()
	const openID = "oBC_member_1"
	_, err := f.sb.BusinessCircleAuthorize(ctx, AppID, openID)
	require.NoError(t, err)

	// A purchase is notified; refunding it before any points sync sends nothing.
	unsynced, err := f.sb.BusinessCircleSimulateTransaction(ctx, BusinessCircleTransaction{OpenID: openID, AmountFen: 8800, ShopName: "一楼咖啡", ShopNumber: "F1-01"})
	require.NoError(t, err)
	require.Len(t, f.consumer.events(), 1)
	require.Equal(t, "MALL_TRANSACTION.SUCCESS", f.consumer.events()[0].EventType)
	tx := f.consumer.resource(t, 0)
	require.Equal(t, unsynced, tx["transaction_id"])
	require.Equal(t, float64(8800), tx["amount"])
	require.Equal(t, "一楼咖啡", tx["shop_name"])
	require.Equal(t, AppID, tx["appid"])
	require.Equal(t, openID, tx["openid"])

	refundID, notified, err := f.sb.BusinessCircleSimulateRefund(ctx, unsynced, 8800)
	require.NoError(t, err)
	require.NotEmpty(t, refundID)
	require.False(t, notified, "no refund notification before points are synced")
	require.Len(t, f.consumer.events(), 1)

	// A synced purchase (even one that earned nothing) is followed by its refund.
	synced, err := f.sb.BusinessCircleSimulateTransaction(ctx, BusinessCircleTransaction{OpenID: openID, AmountFen: 12000})
	require.NoError(t, err)
	require.NoError(t, f.syncPoints(synced, openID, false, 0))
	p, ok := f.sb.BusinessCirclePointsOf(synced)
	require.True(t, ok)
	require.False(t, p.EarnPoints)
	require.Zero(t, p.IncreasedPoints)

	refundID, notified, err = f.sb.BusinessCircleSimulateRefund(ctx, synced, 2000)
	require.NoError(t, err)
	require.True(t, notified)
	evs := f.consumer.events()
	require.Len(t, evs, 3)
	require.Equal(t, "MALL_REFUND.SUCCESS", evs[2].EventType)
	require.Equal(t, "mall_refund", evs[2].Resource.OriginalType)
	rf := f.consumer.resource(t, 2)
	require.Equal(t, synced, rf["transaction_id"])
	require.Equal(t, refundID, rf["refund_id"])
	require.Equal(t, float64(12000), rf["pay_amount"])
	require.Equal(t, float64(2000), rf["refund_amount"])
	require.Equal(t, MerchantID, rf["mchid"])

	// Over-refunding is refused.
	_, _, err = f.sb.BusinessCircleSimulateRefund(ctx, synced, 10001)
	require.Error(t, err)

	// Every payment and refund is in the ledger, for bills.
	var pays, refunds int
	var refunded int64
	for _, e := range f.sb.Ledger() {
		switch e.TradeState {
		case "SUCCESS":
			pays++
		case "REFUND":
			refunds++
			refunded += e.RefundFen
			require.NotEmpty(t, e.RefundID)
		}
	}
	require.Equal(t, 2, pays)
	require.Equal(t, 2, refunds)
	require.Equal(t, int64(10800), refunded)
}

func TestBusinessCircleRefundAfterThirtyDaysIsNotNotified(t *testing.T) {
	f := newBCFixture(t)
	ctx := context.Background()
	_, err := f.sb.BusinessCircleAuthorize(ctx, AppID, "oOld")
	require.NoError(t, err)
	tx, err := f.sb.BusinessCircleSimulateTransaction(ctx, BusinessCircleTransaction{OpenID: "oOld", AmountFen: 500})
	require.NoError(t, err)
	require.NoError(t, f.syncPoints(tx, "oOld", true, 5))
	f.advance(31 * 24 * time.Hour)
	_, notified, err := f.sb.BusinessCircleSimulateRefund(ctx, tx, 500)
	require.NoError(t, err)
	require.False(t, notified)
	require.Len(t, f.consumer.events(), 1)
}

func TestBusinessCircleSyncPointsIsStrict(t *testing.T) {
	f := newBCFixture(t)
	ctx := context.Background()
	_, err := f.sb.BusinessCircleAuthorize(ctx, AppID, "oA")
	require.NoError(t, err)
	tx, err := f.sb.BusinessCircleSimulateTransaction(ctx, BusinessCircleTransaction{OpenID: "oA", AmountFen: 100})
	require.NoError(t, err)
	pending, err := f.sb.BusinessCircleSimulateTransaction(ctx, BusinessCircleTransaction{OpenID: "oA", AmountFen: 100, Pending: true})
	require.NoError(t, err)

	valid := func() map[string]any {
		return map[string]any{"transaction_id": tx, "appid": AppID, "openid": "oA", "earn_points": true,
			"increased_points": 1, "points_update_time": "2026-11-26T10:00:00+08:00"}
	}
	cases := []struct {
		name   string
		edit   func(m map[string]any)
		status int
		code   string
		field  string
	}{
		{"missing transaction_id", func(m map[string]any) { delete(m, "transaction_id") }, 400, "PARAM_ERROR", "/transaction_id"},
		{"missing earn_points", func(m map[string]any) { delete(m, "earn_points") }, 400, "PARAM_ERROR", "/earn_points"},
		{"missing increased_points", func(m map[string]any) { delete(m, "increased_points") }, 400, "PARAM_ERROR", "/increased_points"},
		{"points without earning", func(m map[string]any) { m["earn_points"] = false }, 400, "PARAM_ERROR", "/increased_points"},
		{"negative points", func(m map[string]any) { m["increased_points"] = -1 }, 400, "PARAM_ERROR", "/increased_points"},
		{"bad time", func(m map[string]any) { m["points_update_time"] = "2026-11-26 10:00:00" }, 400, "PARAM_ERROR", "/points_update_time"},
		{"long appid", func(m map[string]any) { m["appid"] = strings.Repeat("w", 129) }, 400, "PARAM_ERROR", "/appid"},
		{"long remarks", func(m map[string]any) { m["no_points_remarks"] = strings.Repeat("无", 129) }, 400, "PARAM_ERROR", "/no_points_remarks"},
		{"unknown transaction", func(m map[string]any) { m["transaction_id"] = "4200000000000000000000000000" }, 404, "RESOURCE_NOT_EXISTS", ""},
		{"transaction never sent", func(m map[string]any) { m["transaction_id"] = pending }, 404, "RESOURCE_NOT_EXISTS", ""},
		{"other merchant", func(m map[string]any) { m["sub_mchid"] = "1900000999" }, 404, "RESOURCE_NOT_EXISTS", ""},
		{"other member", func(m map[string]any) { m["openid"] = "oB" }, 400, "INVALID_REQUEST", ""},
		{"not a number", func(m map[string]any) { m["increased_points"] = "10" }, 400, "PARAM_ERROR", ""},
		{"emoji remarks", func(m map[string]any) { m["no_points_remarks"] = "🎁" }, 400, "PARAM_ERROR", "/no_points_remarks"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := valid()
			tc.edit(m)
			_, err := f.call(http.MethodPost, "/v3/businesscircle/points/notify", nil, m)
			requireAPIError(t, err, tc.status, tc.code, tc.field)
		})
	}
	_, ok := f.sb.BusinessCirclePointsOf(tx)
	require.False(t, ok, "no rejected sync may be recorded")

	resp, err := f.call(http.MethodPost, "/v3/businesscircle/points/notify", nil, valid())
	require.NoError(t, err)
	require.Equal(t, http.StatusNoContent, resp.StatusCode)
	require.Empty(t, resp.Body)
	_, err = f.call(http.MethodPost, "/v3/businesscircle/points/notify", nil, valid())
	require.NoError(t, err, "a repeated sync is accepted")
	// A direct mall may send sub_mchid empty: the documentation says 留空.
	m := valid()
	m["sub_mchid"] = ""
	_, err = f.call(http.MethodPost, "/v3/businesscircle/points/notify", nil, m)
	require.NoError(t, err, "an empty sub_mchid is no sub_mchid")
	p, ok := f.sb.BusinessCirclePointsOf(tx)
	require.True(t, ok)
	require.Equal(t, 3, p.Syncs)
	require.True(t, p.EarnPoints)
	require.Equal(t, int64(1), p.IncreasedPoints)
}

func TestBusinessCircleUserAuthorization(t *testing.T) {
	f := newBCFixture(t)
	ctx := context.Background()
	query := func(openID string, q url.Values) (map[string]any, error) {
		var out map[string]any
		_, err := f.c.Do(ctx, &core.Request{Method: http.MethodGet, Path: "/v3/businesscircle/user-authorizations/" + url.PathEscape(openID), Query: q}, &out)
		return out, err
	}
	q := url.Values{"appid": {AppID}}

	got, err := query("oNew", q)
	require.NoError(t, err)
	require.Equal(t, map[string]any{"openid": "oNew", "authorize_state": "UNAUTHORIZED"}, got)

	code, err := f.sb.BusinessCircleAuthorize(ctx, AppID, "oNew")
	require.NoError(t, err)
	require.Len(t, f.activate.events(), 1)
	require.Equal(t, "MALL_AUTH.ACTIVATE_CARD", f.activate.events()[0].EventType)
	act := f.activate.resource(t, 0)
	require.Equal(t, "oNew", act["openid"])
	require.Equal(t, code, act["code"])
	require.Equal(t, "REGISTERED_MODE", act["auth_type"])
	require.Empty(t, f.consumer.events())

	got, err = query("oNew", q)
	require.NoError(t, err)
	require.Equal(t, "AUTHORIZED", got["authorize_state"])
	require.NotEmpty(t, got["authorize_time"])
	require.NotContains(t, got, "deauthorize_time")

	require.NoError(t, f.sb.BusinessCircleDeauthorize(AppID, "oNew"))
	got, err = query("oNew", q)
	require.NoError(t, err)
	require.Equal(t, "DEAUTHORIZED", got["authorize_state"])
	require.NotEmpty(t, got["deauthorize_time"])
	_, err = f.sb.BusinessCircleSimulateTransaction(ctx, BusinessCircleTransaction{OpenID: "oNew", AmountFen: 1})
	require.Error(t, err, "purchases of members who withdrew are not notified")

	_, err = query("oNew", nil)
	requireAPIError(t, err, 400, "PARAM_ERROR", "appid")
	_, err = query("oNew", url.Values{"appid": {"wxnotbound"}})
	requireAPIError(t, err, 400, "INVALID_REQUEST", "")
	_, err = query("oNew", url.Values{"appid": {AppID}, "sub_mchid": {strings.Repeat("1", 65)}})
	requireAPIError(t, err, 400, "PARAM_ERROR", "sub_mchid")
	got, err = query("oNew", url.Values{"appid": {AppID}, "sub_mchid": {""}})
	require.NoError(t, err, "an empty sub_mchid (留空) is no sub_mchid")
	require.Equal(t, "DEAUTHORIZED", got["authorize_state"])
	_, err = query(strings.Repeat("o", 65), q)
	requireAPIError(t, err, 400, "PARAM_ERROR", "openid")

	require.NoError(t, f.sb.BusinessCircleAddAppID("wxsecondapp"))
	got, err = query("oNew", url.Values{"appid": {"wxsecondapp"}})
	require.NoError(t, err)
	require.Equal(t, "UNAUTHORIZED", got["authorize_state"], "authorization is per AppID")
}

func TestBusinessCircleCommitStatus(t *testing.T) {
	f := newBCFixture(t)
	ctx := context.Background()
	path := "/v3/businesscircle/users/oC/points/commit_status"
	q := url.Values{"brandid": {"1000"}, "appid": {AppID}}
	status := func() string {
		t.Helper()
		var out struct {
			S string `json:"points_commit_status"`
		}
		_, err := f.c.Do(ctx, &core.Request{Method: http.MethodGet, Path: path, Query: q}, &out)
		require.NoError(t, err)
		return out.S
	}

	_, err := f.call(http.MethodGet, path, q, nil)
	requireAPIError(t, err, 400, "INVALID_REQUEST", "")

	_, err = f.sb.BusinessCircleAuthorize(ctx, AppID, "oC")
	require.NoError(t, err)
	require.Equal(t, "FINISHED", status())

	tx, err := f.sb.BusinessCircleSimulateTransaction(ctx, BusinessCircleTransaction{OpenID: "oC", AmountFen: 300, Pending: true})
	require.NoError(t, err)
	require.Empty(t, f.consumer.events(), "a pending purchase is not notified")
	require.Equal(t, "PENDING", status())

	n, err := f.sb.BusinessCircleSubmitPending(ctx, AppID, "oC")
	require.NoError(t, err)
	require.Equal(t, 1, n)
	require.Equal(t, "FINISHED", status())
	require.Len(t, f.consumer.events(), 1)
	require.Equal(t, tx, f.consumer.resource(t, 0)["transaction_id"])

	f.sb.BusinessCircleCommitStatusNoContent(true)
	resp, err := f.call(http.MethodGet, path, q, nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusNoContent, resp.StatusCode)
	require.Empty(t, resp.Body)

	_, err = f.call(http.MethodGet, path, url.Values{"appid": {AppID}}, nil)
	requireAPIError(t, err, 400, "PARAM_ERROR", "brandid")
	_, err = f.call(http.MethodGet, path, url.Values{"brandid": {"x"}, "appid": {AppID}}, nil)
	requireAPIError(t, err, 400, "PARAM_ERROR", "brandid")
	_, err = f.call(http.MethodGet, path, url.Values{"brandid": {"1000"}}, nil)
	requireAPIError(t, err, 400, "PARAM_ERROR", "appid")
	_, err = f.call(http.MethodGet, path, url.Values{"brandid": {"2000"}, "appid": {AppID}}, nil)
	requireAPIError(t, err, 403, "NO_AUTH", "")
	_, err = f.call(http.MethodGet, path, url.Values{"brandid": {"1000"}, "appid": {AppID}, "sub_mchid": {strings.Repeat("1", 33)}}, nil)
	requireAPIError(t, err, 400, "PARAM_ERROR", "sub_mchid")
}

func TestBusinessCircleParking(t *testing.T) {
	f := newBCFixture(t)
	ctx := context.Background()
	valid := func() map[string]any {
		return map[string]any{"brandid": 1000, "appid": AppID, "openid": "oP", "plate_number": "粤B888888",
			"state": "IN", "time": "2026-11-26T09:30:00+08:00"}
	}
	post := func(m map[string]any) error {
		_, err := f.call(http.MethodPost, "/v3/businesscircle/parkings", nil, m)
		return err
	}
	requireAPIError(t, post(valid()), 400, "INVALID_REQUEST", "") // not a member yet
	_, err := f.sb.BusinessCircleAuthorize(ctx, AppID, "oP")
	require.NoError(t, err)
	require.NoError(t, post(valid()))
	p, ok := f.sb.BusinessCircleParkingOf("粤B888888")
	require.True(t, ok)
	require.Equal(t, "IN", p.State)
	require.Equal(t, "oP", p.OpenID)
	require.True(t, p.Time.Equal(time.Date(2026, 11, 26, 1, 30, 0, 0, time.UTC)))

	cases := []struct {
		name, field string
		edit        func(m map[string]any)
	}{
		{"missing brandid", "/brandid", func(m map[string]any) { delete(m, "brandid") }},
		{"lower-case plate", "/plate_number", func(m map[string]any) { m["plate_number"] = "粤b888888" }},
		{"plate without province", "/plate_number", func(m map[string]any) { m["plate_number"] = "B888888" }},
		{"long plate", "/plate_number", func(m map[string]any) { m["plate_number"] = "粤" + strings.Repeat("8", 32) }},
		{"bad state", "/state", func(m map[string]any) { m["state"] = "PARKED" }},
		{"missing state", "/state", func(m map[string]any) { delete(m, "state") }},
		{"long appid", "/appid", func(m map[string]any) { m["appid"] = strings.Repeat("w", 33) }},
		{"bad time", "/time", func(m map[string]any) { m["time"] = "yesterday" }},
		{"long sub_mchid", "/sub_mchid", func(m map[string]any) { m["sub_mchid"] = strings.Repeat("1", 33) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := valid()
			tc.edit(m)
			requireAPIError(t, post(m), 400, "PARAM_ERROR", tc.field)
		})
	}
	m := valid()
	m["brandid"] = 7
	requireAPIError(t, post(m), 403, "NO_AUTH", "")

	m = valid()
	m["state"] = "OUT"
	m["sub_mchid"] = "" // left empty outside partner mode
	require.NoError(t, post(m))
	p, _ = f.sb.BusinessCircleParkingOf("粤B888888")
	require.Equal(t, "OUT", p.State)
	require.Empty(t, p.SubMchID)
}

func TestBusinessCircleSimulationPreconditions(t *testing.T) {
	f := newBCFixture(t)
	ctx := context.Background()
	_, err := f.sb.BusinessCircleSimulateTransaction(ctx, BusinessCircleTransaction{OpenID: "oX", AmountFen: 1})
	require.Error(t, err, "non-members are not notified")
	_, err = f.sb.BusinessCircleAuthorize(ctx, "wxunbound", "oX")
	require.Error(t, err)
	_, _, err = f.sb.BusinessCircleSimulateRefund(ctx, "42000000", 1)
	require.Error(t, err)
	for _, id := range []string{"wx1", "wx2", "wx3", "wx4"} {
		require.NoError(t, f.sb.BusinessCircleAddAppID(id))
	}
	require.Error(t, f.sb.BusinessCircleAddAppID("wx5"), "at most five AppIDs")
}

func TestBusinessCirclePartnerMode(t *testing.T) {
	f := newBCFixture(t)
	ctx := context.Background()
	const mall = "1900000110"
	_, err := f.sb.BusinessCircleAuthorize(ctx, AppID, "oS")
	require.NoError(t, err)
	tx, err := f.sb.BusinessCircleSimulateTransaction(ctx, BusinessCircleTransaction{OpenID: "oS", AmountFen: 700, SubMchID: mall})
	require.NoError(t, err)
	require.Equal(t, mall, f.consumer.resource(t, 0)["mchid"], "the mall's merchant ID is notified")

	body := map[string]any{"transaction_id": tx, "appid": AppID, "openid": "oS", "earn_points": true,
		"increased_points": 7, "points_update_time": "2026-11-26T10:00:00.120+08:00"}
	_, err = f.call(http.MethodPost, "/v3/businesscircle/points/notify", nil, body)
	requireAPIError(t, err, 404, "RESOURCE_NOT_EXISTS", "") // without the mall's sub_mchid
	body["sub_mchid"] = mall
	_, err = f.call(http.MethodPost, "/v3/businesscircle/points/notify", nil, body)
	require.NoError(t, err)

	_, notified, err := f.sb.BusinessCircleSimulateRefund(ctx, tx, 700)
	require.NoError(t, err)
	require.True(t, notified)
	require.Equal(t, mall, f.consumer.resource(t, 1)["mchid"])
	last := f.sb.Ledger()[len(f.sb.Ledger())-1]
	require.Equal(t, mall, last.SubMchID)
	require.Equal(t, "REFUND", last.TradeState)
}
