package payscore_test

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/internal/wiretest"
	"github.com/wechatpay-biz/wechatpay-biz-go/notify"
	"github.com/wechatpay-biz/wechatpay-biz-go/payscore"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

const exUser = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"

// exEnv is a sandbox, a client without retries, a recorder of what reaches
// the sandbox (signatures verified independently) and the service.
type exEnv struct {
	sb  *sandbox.Server
	c   *core.Client
	rec *wiretest.Recorder
	svc *payscore.Service
	ctx context.Context
}

func newExEnv(t *testing.T) *exEnv {
	t.Helper()
	sb, err := sandbox.NewServer()
	require.NoError(t, err)
	t.Cleanup(sb.Close)
	c, err := sb.Client(core.WithRetry(core.NoRetry))
	require.NoError(t, err)
	return &exEnv{sb: sb, c: c, rec: wiretest.Record(t, sb), svc: payscore.NewService(c), ctx: context.Background()}
}

// authorize lets exUser authorize the no-confirm service.
func (e *exEnv) authorize(t *testing.T, code string) {
	t.Helper()
	pre, err := e.svc.PreAuthorize(e.ctx, &payscore.PreAuthorizeRequest{ServiceID: sandbox.PayScoreNoConfirmServiceID, AppID: sandbox.AppID, AuthorizationCode: code})
	require.NoError(t, err)
	require.NoError(t, e.sb.PayScoreSimulateUserAuthorize(e.ctx, pre.ApplyPermissionsToken, exUser))
	e.rec.Reset()
}

// exDirectComplete is the documented example of create-and-complete.
func exDirectComplete(no string) *payscore.DirectCompleteOrderRequest {
	return &payscore.DirectCompleteOrderRequest{
		OutOrderNo: no, AppID: sandbox.AppID, OpenID: exUser, ServiceID: sandbox.PayScoreNoConfirmServiceID,
		ServiceIntroduction: "停车服务",
		PostPayments:        []payscore.PostPayment{{Name: "停车费", Amount: core.Ptr[int64](1500), Description: core.Ptr("1.5小时"), Count: core.Ptr[int64](1)}},
		PostDiscounts:       []payscore.PostDiscount{{Name: "会员减免", Description: core.Ptr("会员日优惠"), Amount: core.Ptr[int64](500), Count: core.Ptr[int64](1)}},
		TimeRange: payscore.TimeRange{StartTime: "20261125080000", StartTimeRemark: core.Ptr("入场"),
			EndTime: core.Ptr(payscore.Time("20261125093000")), EndTimeRemark: core.Ptr("出场")},
		Location:      &payscore.Location{StartLocation: core.Ptr("A 区"), EndLocation: core.Ptr("A 区")},
		TotalAmount:   1000,
		ProfitSharing: core.Ptr(false),
		GoodsTag:      core.Ptr("parking"),
		Attach:        core.Ptr("lot%3D7"),
		NotifyURL:     core.Ptr("https://merchant.example.com/payscore/notify"),
	}
}

func exJSON(t *testing.T, want string, got []byte) {
	t.Helper()
	var w, g any
	require.NoError(t, json.Unmarshal([]byte(want), &w))
	require.NoError(t, json.Unmarshal(got, &g), "body is JSON")
	require.Equal(t, w, g)
}

func TestDirectCompleteOrderOnTheWire(t *testing.T) {
	e := newExEnv(t)
	require.NoError(t, e.sb.PayScoreEnableDirectComplete(sandbox.PayScoreNoConfirmServiceID))
	e.authorize(t, "AUTH-DC-1")

	resp, err := e.svc.DirectCompleteOrder(e.ctx, exDirectComplete("DC-ORDER-0001"))
	require.NoError(t, err)
	w := e.rec.Only(t) // its Authorization verified over exactly this method, URI and body
	assert.Equal(t, http.MethodPost, w.Method)
	assert.Equal(t, "/payscore/serviceorder/direct-complete", w.URI, "the documented path has no /v3 prefix")
	exJSON(t, `{
		"out_order_no": "DC-ORDER-0001", "appid": "`+sandbox.AppID+`", "openid": "`+exUser+`",
		"service_id": "`+sandbox.PayScoreNoConfirmServiceID+`", "service_introduction": "停车服务",
		"post_payments": [{"name": "停车费", "amount": 1500, "description": "1.5小时", "count": 1}],
		"post_discounts": [{"name": "会员减免", "description": "会员日优惠", "amount": 500, "count": 1}],
		"time_range": {"start_time": "20261125080000", "start_time_remark": "入场", "end_time": "20261125093000", "end_time_remark": "出场"},
		"location": {"start_location": "A 区", "end_location": "A 区"},
		"total_amount": 1000, "profit_sharing": false, "goods_tag": "parking", "attach": "lot%3D7",
		"notify_url": "https://merchant.example.com/payscore/notify"
	}`, w.Body)

	assert.NotEmpty(t, resp.RequestID)
	assert.Equal(t, payscore.StateDoing, resp.State)
	assert.Equal(t, payscore.StateDescriptionMchComplete, resp.StateDescription)
	assert.Equal(t, int64(1000), resp.TotalAmount)
	assert.Equal(t, sandbox.MerchantID, resp.MchID)
	assert.NotEmpty(t, resp.OrderID)

	// A zero total is sent as 0.
	e.rec.Reset()
	free := exDirectComplete("DC-ORDER-0002")
	free.PostDiscounts, free.PostPayments[0].Amount, free.TotalAmount = nil, core.Ptr[int64](0), 0
	_, err = e.svc.DirectCompleteOrder(e.ctx, free)
	require.NoError(t, err)
	assert.Contains(t, string(e.rec.Only(t).Body), `"total_amount":0`)
}

// The signing message is built over the path without /v3, exactly as sent,
// here checked by hand against a server mounted under a prefix.
func TestDirectCompleteOrderIsSignedOverItsPath(t *testing.T) {
	sb, err := sandbox.NewServer()
	require.NoError(t, err)
	defer sb.Close()
	var uri, auth string
	var body []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		uri, auth = r.RequestURI, r.Header.Get("Authorization")
		body, _ = io.ReadAll(r.Body)
		answer := []byte(`{"out_order_no":"DC-1","state":"DONE","order_id":"1"}`)
		for k, v := range sb.SignatureHeaders(answer, time.Now()) {
			w.Header()[k] = v
		}
		_, _ = w.Write(answer)
	}))
	defer srv.Close()
	c, err := sb.Client(core.WithBaseURL(srv.URL))
	require.NoError(t, err)
	out, err := payscore.NewService(c).DirectCompleteOrder(context.Background(), exDirectComplete("DC-1"))
	require.NoError(t, err)
	assert.Equal(t, payscore.StateDone, out.State, "any state decodes")

	assert.Equal(t, "/payscore/serviceorder/direct-complete", uri)
	a, problem := sandbox.ParseAuthorization(auth)
	require.Empty(t, problem)
	msg := "POST\n/payscore/serviceorder/direct-complete\n" + a.Timestamp + "\n" + a.NonceStr + "\n" + string(body) + "\n"
	sum := sha256.Sum256([]byte(msg))
	sig, err := base64.StdEncoding.DecodeString(a.Signature)
	require.NoError(t, err)
	require.NoError(t, rsa.VerifyPKCS1v15(&sb.MerchantPrivateKey.PublicKey, crypto.SHA256, sum[:], sig))
}

func TestDirectCompleteOrderLifecycle(t *testing.T) {
	e := newExEnv(t)
	h, err := notify.NewHandler(e.c)
	require.NoError(t, err)
	paid := make(chan *payscore.OrderEvent, 1)
	h.On(payscore.EventUserPaid, func(_ context.Context, n *notify.Notification) error {
		ev, err := payscore.ParseOrderEvent(n)
		if err == nil {
			paid <- ev
		}
		return err
	})
	listener := httptest.NewServer(h)
	defer listener.Close()

	// Not opened for the merchant yet.
	_, err = e.svc.DirectCompleteOrder(e.ctx, exDirectComplete("DC-ORDER-0001"))
	ae := wiretest.RequireAPIError(t, err, 403, "NO_AUTH")
	assert.Equal(t, "/payscore/serviceorder/direct-complete", ae.Path)

	require.NoError(t, e.sb.PayScoreEnableDirectComplete(sandbox.PayScoreNoConfirmServiceID))
	_, err = e.svc.DirectCompleteOrder(e.ctx, exDirectComplete("DC-ORDER-0001"))
	wiretest.RequireAPIError(t, err, 400, "INVALID_REQUEST") // the user has not authorized
	e.authorize(t, "AUTH-DC-2")

	req := exDirectComplete("DC-ORDER-0001")
	req.NotifyURL = core.Ptr(listener.URL + "/payscore/notify")
	_, err = e.svc.DirectCompleteOrder(e.ctx, req)
	require.NoError(t, err)
	again, err := e.svc.DirectCompleteOrder(e.ctx, req)
	require.NoError(t, err, "identical parameters: the same order")
	assert.Equal(t, payscore.StateDescriptionMchComplete, again.StateDescription)

	tx, err := e.sb.PayScoreSimulateUserPaid(e.ctx, "DC-ORDER-0001")
	require.NoError(t, err)
	ev := <-paid
	assert.Equal(t, payscore.StateDone, ev.State)
	require.NotNil(t, ev.Collection)
	require.Len(t, ev.Collection.Details, 1)
	assert.Equal(t, tx, ev.Collection.Details[0].TransactionID)
	assert.Equal(t, int64(1000), ev.Collection.PaidAmount)

	q, err := e.svc.QueryOrder(e.ctx, &payscore.QueryOrderRequest{OutOrderNo: "DC-ORDER-0001", ServiceID: sandbox.PayScoreNoConfirmServiceID, AppID: sandbox.AppID})
	require.NoError(t, err)
	assert.Equal(t, payscore.StateDone, q.State)

	e.sb.ProbeNext(1)
	_, err = e.svc.DirectCompleteOrder(e.ctx, req)
	require.ErrorIs(t, err, core.ErrInvalidSignature)
}

func TestDirectCompleteOrderIsRetriedOnTransientAnswers(t *testing.T) {
	f := wiretest.NewFakeAPI(t, func(n int, _ wiretest.Wire) (int, string) {
		if n == 1 {
			return 503, `{"code":"SERVICE_UNAVAILABLE","message":"服务不可用"}`
		}
		return 200, `{"out_order_no":"DC-1","appid":"wx","service_id":"1","mchid":"1","order_id":"1","service_introduction":"x","state":"DOING","state_description":"MCH_COMPLETE"}`
	})
	_, err := payscore.NewService(f.Client).DirectCompleteOrder(context.Background(), exDirectComplete("DC-1"))
	require.NoError(t, err)
	reqs := f.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, "/payscore/serviceorder/direct-complete", reqs[0].URI)
	assert.Equal(t, reqs[0].Body, reqs[1].Body)
}

func TestQueryUserServiceStateOnTheWire(t *testing.T) {
	e := newExEnv(t)
	req := &payscore.QueryUserServiceStateRequest{ServiceID: sandbox.PayScoreNoConfirmServiceID, AppID: sandbox.AppID, OpenID: exUser}
	got, err := e.svc.QueryUserServiceState(e.ctx, req)
	require.NoError(t, err)
	w := e.rec.Only(t)
	assert.Equal(t, http.MethodGet, w.Method)
	assert.Equal(t, "/v3/payscore/user-service-state?appid="+sandbox.AppID+"&openid="+exUser+"&service_id="+sandbox.PayScoreNoConfirmServiceID, w.URI)
	assert.Empty(t, w.Body)
	assert.Equal(t, payscore.UseServiceUnavailable, got.UseServiceState)
	assert.Equal(t, exUser, got.OpenID)
	assert.Equal(t, sandbox.AppID, got.AppID)
	assert.NotEmpty(t, got.RequestID)

	e.authorize(t, "AUTH-USS")
	got, err = e.svc.QueryUserServiceState(e.ctx, req)
	require.NoError(t, err)
	assert.Equal(t, payscore.UseServiceAvailable, got.UseServiceState)

	// An error names the route, never the OpenID in the query.
	_, err = e.svc.QueryUserServiceState(e.ctx, &payscore.QueryUserServiceStateRequest{ServiceID: "999", AppID: sandbox.AppID, OpenID: exUser})
	ae := wiretest.RequireAPIError(t, err, 403, "NO_AUTH")
	assert.Equal(t, "/v3/payscore/user-service-state", ae.Path)
	assert.NotContains(t, err.Error(), exUser)

	e.sb.ProbeNext(1)
	_, err = e.svc.QueryUserServiceState(e.ctx, req)
	require.ErrorIs(t, err, core.ErrInvalidSignature)
}

func TestExtrasValidate(t *testing.T) {
	e := newExEnv(t)
	for _, tc := range []struct {
		zero     core.Validator
		required []string
		valid    core.Validator
	}{
		{&payscore.DirectCompleteOrderRequest{}, []string{"out_order_no", "appid", "openid", "service_id", "service_introduction", "post_payments", "time_range.start_time"},
			exDirectComplete("DC-ORDER-0001")},
		{&payscore.QueryUserServiceStateRequest{}, []string{"service_id", "appid", "openid"},
			&payscore.QueryUserServiceStateRequest{ServiceID: "500001", AppID: sandbox.AppID, OpenID: exUser}},
	} {
		ve := wiretest.RequireValidation(t, tc.zero.Validate(), tc.required...)
		assert.Len(t, ve.Problems, len(tc.required), "%T: %v", tc.zero, ve)
		assert.NoError(t, tc.valid.Validate(), "%T", tc.valid)
		assert.Zero(t, testing.AllocsPerRun(20, func() { _ = tc.valid.Validate() }), "%T allocates when valid", tc.valid)
	}
	for _, nilReq := range []core.Validator{(*payscore.DirectCompleteOrderRequest)(nil), (*payscore.QueryUserServiceStateRequest)(nil)} {
		wiretest.RequireValidation(t, nilReq.Validate(), "request")
	}

	// Nothing invalid is sent.
	_, err := e.svc.DirectCompleteOrder(e.ctx, &payscore.DirectCompleteOrderRequest{})
	wiretest.RequireValidation(t, err, "out_order_no")
	_, err = e.svc.DirectCompleteOrder(e.ctx, nil)
	wiretest.RequireValidation(t, err, "request")
	_, err = e.svc.QueryUserServiceState(e.ctx, &payscore.QueryUserServiceStateRequest{})
	wiretest.RequireValidation(t, err, "openid")
	assert.Empty(t, e.rec.Requests())
}

func TestDirectCompleteOrderRules(t *testing.T) {
	six := make([]payscore.PostDiscount, 6)
	for i := range six {
		six[i] = payscore.PostDiscount{Name: string(rune('A' + i)), Description: core.Ptr("d"), Amount: core.Ptr[int64](0)}
	}
	cases := []struct {
		name  string
		edit  func(r *payscore.DirectCompleteOrderRequest)
		field string
		says  string
	}{
		{"out_order_no charset", func(r *payscore.DirectCompleteOrderRequest) { r.OutOrderNo = "DC/1" }, "out_order_no", "letters"},
		{"long out_order_no", func(r *payscore.DirectCompleteOrderRequest) { r.OutOrderNo = strings.Repeat("d", 33) }, "out_order_no", "32"},
		{"long openid", func(r *payscore.DirectCompleteOrderRequest) { r.OpenID = strings.Repeat("o", 129) }, "openid", "128"},
		{"long introduction", func(r *payscore.DirectCompleteOrderRequest) { r.ServiceIntroduction = strings.Repeat("停", 21) }, "service_introduction", "20"},
		{"too many payments", func(r *payscore.DirectCompleteOrderRequest) {
			r.PostPayments = make([]payscore.PostPayment, 101)
			for i := range r.PostPayments {
				r.PostPayments[i] = payscore.PostPayment{Name: "商品信息"}
			}
			r.PostDiscounts, r.TotalAmount = nil, 0
		}, "post_payments", "100"},
		{"six discounts", func(r *payscore.DirectCompleteOrderRequest) { r.PostDiscounts = six }, "post_discounts", "at most 5"},
		{"payment name", func(r *payscore.DirectCompleteOrderRequest) { r.PostPayments[0].Name = "" }, "post_payments[0].name", "required"},
		{"payment count", func(r *payscore.DirectCompleteOrderRequest) { r.PostPayments[0].Count = core.Ptr[int64](101) }, "post_payments[0].count", "between 1 and 100"},
		{"negative payment", func(r *payscore.DirectCompleteOrderRequest) {
			r.PostPayments[0].Amount = core.Ptr[int64](-1)
		}, "post_payments[0].amount", "negative"},
		{"repeated payment", func(r *payscore.DirectCompleteOrderRequest) {
			r.PostPayments = append(r.PostPayments, payscore.PostPayment{Name: "停车费"})
		}, "post_payments[1].name", "duplicates"},
		{"discount description", func(r *payscore.DirectCompleteOrderRequest) { r.PostDiscounts[0].Description = nil }, "post_discounts[0].description", "required"},
		{"repeated discount", func(r *payscore.DirectCompleteOrderRequest) {
			r.PostDiscounts = append(r.PostDiscounts, payscore.PostDiscount{Name: "会员减免", Description: core.Ptr("x")})
		}, "post_discounts[1].name", "duplicates"},
		{"OnAccept", func(r *payscore.DirectCompleteOrderRequest) { r.TimeRange.StartTime = payscore.OnAccept }, "time_range.start_time", "OnAccept"},
		{"bad start", func(r *payscore.DirectCompleteOrderRequest) { r.TimeRange.StartTime = "20261345080000" }, "time_range.start_time", "yyyyMMdd"},
		{"bad end", func(r *payscore.DirectCompleteOrderRequest) { r.TimeRange.EndTime = core.Ptr(payscore.Time("soon")) }, "time_range.end_time", "yyyyMMdd"},
		{"start remark", func(r *payscore.DirectCompleteOrderRequest) {
			r.TimeRange.StartTimeRemark = core.Ptr(strings.Repeat("入", 21))
		}, "time_range.start_time_remark", "20"},
		{"end remark", func(r *payscore.DirectCompleteOrderRequest) {
			r.TimeRange.EndTimeRemark = core.Ptr(strings.Repeat("出", 51))
		}, "time_range.end_time_remark", "50"},
		{"total", func(r *payscore.DirectCompleteOrderRequest) { r.TotalAmount = 1500 }, "total_amount", "1000 fen"},
		{"negative total", func(r *payscore.DirectCompleteOrderRequest) {
			r.PostDiscounts[0].Amount, r.TotalAmount = core.Ptr[int64](2000), -500
		}, "total_amount", "negative"},
		{"overflow", func(r *payscore.DirectCompleteOrderRequest) {
			r.PostPayments = []payscore.PostPayment{{Name: "a", Amount: core.Ptr[int64](math.MaxInt64)}, {Name: "b", Amount: core.Ptr[int64](math.MaxInt64)}, {Name: "c", Amount: core.Ptr[int64](2)}}
			r.PostDiscounts, r.TotalAmount = nil, 0
		}, "total_amount", "overflow"},
		{"goods tag", func(r *payscore.DirectCompleteOrderRequest) { r.GoodsTag = core.Ptr(strings.Repeat("g", 33)) }, "goods_tag", "32"},
		{"attach", func(r *payscore.DirectCompleteOrderRequest) { r.Attach = core.Ptr(strings.Repeat("a", 257)) }, "attach", "256"},
		{"notify query", func(r *payscore.DirectCompleteOrderRequest) {
			r.NotifyURL = core.Ptr("https://merchant.example.com/n?x=1")
		}, "notify_url", "query"},
		{"notify relative", func(r *payscore.DirectCompleteOrderRequest) { r.NotifyURL = core.Ptr("/notify") }, "notify_url", "absolute"},
	}
	for _, tc := range cases {
		r := exDirectComplete("DC-ORDER-0001")
		tc.edit(r)
		ve := wiretest.RequireValidation(t, r.Validate(), tc.field)
		assert.Contains(t, ve.Error(), tc.says, tc.name)
		assert.Equal(t, "payscore.DirectCompleteOrder", ve.Op, tc.name)
	}
}
