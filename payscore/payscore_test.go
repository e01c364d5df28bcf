package payscore_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/payscore"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

const (
	appID     = sandbox.AppID
	noConfirm = sandbox.PayScoreNoConfirmServiceID
	confirm   = sandbox.PayScoreConfirmServiceID
	openID    = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"
)

// captured is one request as the sandbox received it.
type captured struct {
	Method, Path, RawQuery string
	Body                   []byte
	SignatureOK            bool
}

type fixture struct {
	t   *testing.T
	sb  *sandbox.Server
	c   *core.Client
	svc *payscore.Service
	ctx context.Context

	mu   sync.Mutex
	reqs []captured
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	sb, err := sandbox.NewServer()
	require.NoError(t, err)
	t.Cleanup(sb.Close)
	c, err := sb.Client(core.WithRetry(core.NoRetry))
	require.NoError(t, err)
	f := &fixture{t: t, sb: sb, c: c, svc: payscore.NewService(c), ctx: context.Background()}
	sb.SetHook(func(_ http.ResponseWriter, r *http.Request) bool {
		b, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(b))
		f.mu.Lock()
		f.reqs = append(f.reqs, captured{Method: r.Method, Path: r.URL.EscapedPath(), RawQuery: r.URL.RawQuery, Body: b, SignatureOK: verifyAuthorization(sb, r, b)})
		f.mu.Unlock()
		return false
	})
	return f
}

// verifyAuthorization checks the request signature with the merchant's
// public key, independently of the sandbox.
func verifyAuthorization(sb *sandbox.Server, r *http.Request, body []byte) bool {
	a, problem := sandbox.ParseAuthorization(r.Header.Get("Authorization"))
	if problem != "" || a.MchID != sb.MerchantID || a.SerialNo != sb.MerchantSerialNo {
		return false
	}
	sig, err := base64.StdEncoding.DecodeString(a.Signature)
	if err != nil {
		return false
	}
	sum := sha256.Sum256([]byte(r.Method + "\n" + r.RequestURI + "\n" + a.Timestamp + "\n" + a.NonceStr + "\n" + string(body) + "\n"))
	return rsa.VerifyPKCS1v15(&sb.MerchantPrivateKey.PublicKey, crypto.SHA256, sum[:], sig) == nil
}

func (f *fixture) reset() {
	f.mu.Lock()
	f.reqs = nil
	f.mu.Unlock()
}

func (f *fixture) requests() []captured {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]captured(nil), f.reqs...)
}

// last returns the only request since the last reset.
func (f *fixture) last() captured {
	f.t.Helper()
	rs := f.requests()
	require.Len(f.t, rs, 1, "exactly one request expected")
	require.True(f.t, rs[0].SignatureOK, "request signature must verify with the merchant public key")
	return rs[0]
}

// authorize pre-authorizes code and lets the user authorize it.
func (f *fixture) authorize(code, user string) {
	f.t.Helper()
	pre, err := f.svc.PreAuthorize(f.ctx, &payscore.PreAuthorizeRequest{ServiceID: noConfirm, AppID: appID, AuthorizationCode: code})
	require.NoError(f.t, err)
	require.NoError(f.t, f.sb.PayScoreSimulateUserAuthorize(f.ctx, pre.ApplyPermissionsToken, user))
}

func noConfirmOrder(no string) *payscore.CreateOrderRequest {
	return &payscore.CreateOrderRequest{
		OutOrderNo: no, AppID: appID, ServiceID: noConfirm, ServiceIntroduction: "某某酒店",
		PostPayments:  []payscore.PostPayment{{Name: "就餐费用服务费", Amount: core.Ptr[int64](4000), Description: core.Ptr("就餐人均100元服务费:100/小时"), Count: core.Ptr[int64](1)}},
		PostDiscounts: []payscore.PostDiscount{{Name: "满20减1元", Description: core.Ptr("不与其他优惠叠加")}},
		TimeRange:     payscore.TimeRange{StartTime: "20091225091010", EndTime: core.Ptr[payscore.Time]("20091225121010")},
		RiskFund:      payscore.RiskFund{Name: payscore.RiskFundEstimateOrderCost, Amount: 10000, Description: core.Ptr("就餐的预估费用")},
		NotifyURL:     "https://api.test.com",
		OpenID:        core.Ptr(openID), NeedUserConfirm: core.Ptr(false),
	}
}

func completeReq(no string) *payscore.CompleteOrderRequest {
	pays := []payscore.PostPayment{{Name: "就餐费用服务费", Amount: core.Ptr[int64](4000), Description: core.Ptr("就餐人均100元服务费:100/小时"), Count: core.Ptr[int64](1)}}
	discs := []payscore.PostDiscount{{Name: "满20减1元", Description: core.Ptr("不与其他优惠叠加"), Amount: core.Ptr[int64](100)}}
	return &payscore.CompleteOrderRequest{OutOrderNo: no, AppID: appID, ServiceID: noConfirm, PostPayments: pays, PostDiscounts: discs, TotalAmount: 3900,
		TimeRange: &payscore.TimeRange{StartTime: "20091225091010", EndTime: core.Ptr[payscore.Time]("20091225121010")}, ProfitSharing: core.Ptr(false)}
}

// doingOrder creates a no-confirm order for a freshly authorized user.
func (f *fixture) doingOrder(no string) {
	f.t.Helper()
	f.authorize("CODE"+no, openID)
	_, err := f.svc.CreateOrder(f.ctx, noConfirmOrder(no))
	require.NoError(f.t, err)
}

func (f *fixture) completedOrder(no string) {
	f.t.Helper()
	f.doingOrder(no)
	_, err := f.svc.CompleteOrder(f.ctx, completeReq(no))
	require.NoError(f.t, err)
}

func requireAPIError(t *testing.T, err error, status int, code string) *core.APIError {
	t.Helper()
	var ae *core.APIError
	require.True(t, errors.As(err, &ae), "want *core.APIError, got %v", err)
	require.Equal(t, status, ae.StatusCode)
	require.Equal(t, code, ae.Code)
	require.NotEmpty(t, ae.RequestID)
	require.Equal(t, ae.RequestID, core.RequestIDOf(err))
	return ae
}

func TestPreAuthorize(t *testing.T) {
	f := newFixture(t)
	resp, err := f.svc.PreAuthorize(f.ctx, &payscore.PreAuthorizeRequest{ServiceID: noConfirm, AppID: appID, AuthorizationCode: "1234323JKHDFE1243252", NotifyURL: core.Ptr("https://www.qq.com")})
	require.NoError(t, err)
	r := f.last()
	require.Equal(t, "POST", r.Method)
	require.Equal(t, "/v3/payscore/permissions", r.Path)
	require.JSONEq(t, `{"service_id":"500001","appid":"wxd678efh567hg6787","authorization_code":"1234323JKHDFE1243252","notify_url":"https://www.qq.com"}`, string(r.Body))
	require.NotEmpty(t, resp.ApplyPermissionsToken)
	require.NotEmpty(t, resp.RequestID)
	require.Equal(t, http.StatusOK, resp.StatusCode)

	f.reset()
	_, err = f.svc.PreAuthorize(f.ctx, &payscore.PreAuthorizeRequest{ServiceID: "999999", AppID: appID, AuthorizationCode: "X1"})
	requireAPIError(t, err, http.StatusForbidden, "NO_AUTH")

	f.reset()
	_, err = f.svc.PreAuthorize(f.ctx, &payscore.PreAuthorizeRequest{AppID: appID, AuthorizationCode: "bad code!", NotifyURL: core.Ptr("ftp://x")})
	var ve *core.ValidationError
	require.ErrorAs(t, err, &ve)
	require.True(t, ve.Has("service_id"))
	require.True(t, ve.Has("authorization_code"))
	require.True(t, ve.Has("notify_url"))
	_, err = f.svc.PreAuthorize(f.ctx, &payscore.PreAuthorizeRequest{ServiceID: noConfirm, AppID: appID, AuthorizationCode: "CODE|1"})
	require.ErrorAs(t, err, &ve)
	require.True(t, ve.Has("authorization_code"), "| is not allowed in an authorization code")
	require.Empty(t, f.requests(), "nothing may be sent")
}

func TestQueryPermissionByOpenID(t *testing.T) {
	f := newFixture(t)
	resp, err := f.svc.QueryPermissionByOpenID(f.ctx, &payscore.QueryPermissionByOpenIDRequest{OpenID: openID, ServiceID: noConfirm, AppID: appID})
	require.NoError(t, err)
	r := f.last()
	require.Equal(t, "GET", r.Method)
	require.Equal(t, "/v3/payscore/permissions/openid/"+openID, r.Path)
	q, _ := url.ParseQuery(r.RawQuery)
	require.Equal(t, url.Values{"service_id": {noConfirm}, "appid": {appID}}, q)
	require.Empty(t, r.Body)
	require.Equal(t, payscore.AuthorizationUnavailable, resp.AuthorizationState)

	f.authorize("CODE1", openID)
	resp, err = f.svc.QueryPermissionByOpenID(f.ctx, &payscore.QueryPermissionByOpenIDRequest{OpenID: openID, ServiceID: noConfirm, AppID: appID})
	require.NoError(t, err)
	require.Equal(t, payscore.AuthorizationAvailable, resp.AuthorizationState)
	require.Equal(t, "CODE1", resp.AuthorizationCode)
	require.Equal(t, sandbox.MerchantID, resp.MchID)
	require.NotNil(t, resp.AuthorizationSuccessTime)

	// Path parameters are checked against their character set before they
	// are escaped: a slash or a space is refused and nothing is sent.
	f.reset()
	_, err = f.svc.QueryPermissionByOpenID(f.ctx, &payscore.QueryPermissionByOpenIDRequest{OpenID: "a/b c", ServiceID: noConfirm, AppID: appID})
	var pe *core.ValidationError
	require.ErrorAs(t, err, &pe)
	require.True(t, pe.Has("openid"))
	require.Empty(t, f.requests())

	_, err = f.svc.QueryPermissionByOpenID(f.ctx, &payscore.QueryPermissionByOpenIDRequest{OpenID: openID, ServiceID: "999", AppID: appID})
	requireAPIError(t, err, http.StatusForbidden, "NO_AUTH")

	f.reset()
	_, err = f.svc.QueryPermissionByOpenID(f.ctx, nil)
	var ve *core.ValidationError
	require.ErrorAs(t, err, &ve)
	_, err = f.svc.QueryPermissionByOpenID(f.ctx, &payscore.QueryPermissionByOpenIDRequest{OpenID: strings.Repeat("o", 129)})
	require.ErrorAs(t, err, &ve)
	require.True(t, ve.Has("openid") && ve.Has("service_id") && ve.Has("appid"))
	require.Empty(t, f.requests())
}

func TestQueryPermissionByAuthorizationCode(t *testing.T) {
	f := newFixture(t)
	_, err := f.svc.PreAuthorize(f.ctx, &payscore.PreAuthorizeRequest{ServiceID: noConfirm, AppID: appID, AuthorizationCode: "CODE-1", NotifyURL: core.Ptr("https://example.com/cb")})
	require.NoError(t, err)
	f.reset()
	resp, err := f.svc.QueryPermissionByAuthorizationCode(f.ctx, &payscore.QueryPermissionByAuthorizationCodeRequest{AuthorizationCode: "CODE-1", ServiceID: noConfirm})
	require.NoError(t, err)
	r := f.last()
	require.Equal(t, "GET", r.Method)
	require.Equal(t, "/v3/payscore/permissions/authorization-code/CODE-1", r.Path)
	require.Equal(t, "service_id="+noConfirm, r.RawQuery)
	require.Equal(t, payscore.AuthorizationUnbindUser, resp.AuthorizationState)
	require.Equal(t, "https://example.com/cb", resp.NotifyURL)

	_, err = f.svc.QueryPermissionByAuthorizationCode(f.ctx, &payscore.QueryPermissionByAuthorizationCodeRequest{AuthorizationCode: "NOPE", ServiceID: noConfirm})
	requireAPIError(t, err, http.StatusNotFound, "RESOURCE_NOT_EXISTS")

	f.reset()
	_, err = f.svc.QueryPermissionByAuthorizationCode(f.ctx, &payscore.QueryPermissionByAuthorizationCodeRequest{AuthorizationCode: strings.Repeat("A", 33), ServiceID: noConfirm})
	var ve *core.ValidationError
	require.ErrorAs(t, err, &ve)
	require.True(t, ve.Has("authorization_code"))
	require.Empty(t, f.requests())
}

func TestTerminatePermissionByOpenID(t *testing.T) {
	f := newFixture(t)
	f.authorize("CODE1", openID)
	f.reset()
	resp, err := f.svc.TerminatePermissionByOpenID(f.ctx, &payscore.TerminatePermissionByOpenIDRequest{OpenID: openID, ServiceID: noConfirm, AppID: appID, Reason: "用户投诉"})
	require.NoError(t, err)
	r := f.last()
	require.Equal(t, "POST", r.Method)
	require.Equal(t, "/v3/payscore/permissions/openid/"+openID+"/terminate", r.Path)
	require.JSONEq(t, `{"service_id":"500001","appid":"wxd678efh567hg6787","reason":"用户投诉"}`, string(r.Body))
	require.Equal(t, http.StatusNoContent, resp.StatusCode)
	require.NotEmpty(t, resp.RequestID)

	// Already withdrawn.
	_, err = f.svc.TerminatePermissionByOpenID(f.ctx, &payscore.TerminatePermissionByOpenIDRequest{OpenID: openID, ServiceID: noConfirm, AppID: appID, Reason: "用户投诉"})
	requireAPIError(t, err, http.StatusBadRequest, "INVALID_REQUEST")

	f.reset()
	_, err = f.svc.TerminatePermissionByOpenID(f.ctx, &payscore.TerminatePermissionByOpenIDRequest{OpenID: openID, ServiceID: noConfirm, AppID: appID, Reason: strings.Repeat("因", 51)})
	var ve *core.ValidationError
	require.ErrorAs(t, err, &ve)
	require.True(t, ve.Has("reason"))
	require.Empty(t, f.requests())
}

func TestTerminatePermissionByAuthorizationCode(t *testing.T) {
	f := newFixture(t)
	f.authorize("CODE*2", openID)
	f.reset()
	resp, err := f.svc.TerminatePermissionByAuthorizationCode(f.ctx, &payscore.TerminatePermissionByAuthorizationCodeRequest{AuthorizationCode: "CODE*2", ServiceID: noConfirm, Reason: "用户投诉"})
	require.NoError(t, err)
	r := f.last()
	require.Equal(t, "/v3/payscore/permissions/authorization-code/CODE%2A2/terminate", r.Path)
	require.JSONEq(t, `{"service_id":"500001","reason":"用户投诉"}`, string(r.Body))
	require.Equal(t, http.StatusNoContent, resp.StatusCode)

	_, err = f.svc.TerminatePermissionByAuthorizationCode(f.ctx, &payscore.TerminatePermissionByAuthorizationCodeRequest{AuthorizationCode: "NOPE", ServiceID: noConfirm, Reason: "x"})
	requireAPIError(t, err, http.StatusNotFound, "RESOURCE_NOT_EXISTS")

	f.reset()
	_, err = f.svc.TerminatePermissionByAuthorizationCode(f.ctx, &payscore.TerminatePermissionByAuthorizationCodeRequest{AuthorizationCode: "CODE*2", ServiceID: noConfirm})
	var ve *core.ValidationError
	require.ErrorAs(t, err, &ve)
	require.True(t, ve.Has("reason"))
	require.Empty(t, f.requests())
}

func TestCreateOrderNoConfirmSendsFalse(t *testing.T) {
	f := newFixture(t)
	f.authorize("CODE1", openID)
	f.reset()
	resp, err := f.svc.CreateOrder(f.ctx, noConfirmOrder("1234323JKHDFE1243252"))
	require.NoError(t, err)
	r := f.last()
	require.Equal(t, "POST", r.Method)
	require.Equal(t, "/v3/payscore/serviceorder", r.Path)
	require.JSONEq(t, `{
		"out_order_no":"1234323JKHDFE1243252","appid":"wxd678efh567hg6787","service_id":"500001",
		"service_introduction":"某某酒店",
		"post_payments":[{"name":"就餐费用服务费","amount":4000,"description":"就餐人均100元服务费:100/小时","count":1}],
		"post_discounts":[{"name":"满20减1元","description":"不与其他优惠叠加"}],
		"time_range":{"start_time":"20091225091010","end_time":"20091225121010"},
		"risk_fund":{"name":"ESTIMATE_ORDER_COST","amount":10000,"description":"就餐的预估费用"},
		"notify_url":"https://api.test.com","openid":"oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
		"need_user_confirm":false}`, string(r.Body))
	require.Contains(t, string(r.Body), `"need_user_confirm":false`)
	require.Equal(t, payscore.StateDoing, resp.State)
	require.Equal(t, payscore.StateDescriptionUserConfirm, resp.StateDescription)
	require.NotEmpty(t, resp.OrderID)
	require.NotEmpty(t, resp.Package)
	require.Equal(t, sandbox.MerchantID, resp.MchID)
	require.Equal(t, payscore.RiskFundEstimateOrderCost, resp.RiskFund.Name)

	// Identical parameters: the same order; different parameters: refused.
	again, err := f.svc.CreateOrder(f.ctx, noConfirmOrder("1234323JKHDFE1243252"))
	require.NoError(t, err)
	require.Equal(t, resp.OrderID, again.OrderID)
	changed := noConfirmOrder("1234323JKHDFE1243252")
	changed.ServiceIntroduction = "另一家酒店"
	_, err = f.svc.CreateOrder(f.ctx, changed)
	requireAPIError(t, err, http.StatusBadRequest, "INVALID_REQUEST")
}

func TestCreateOrderConfirmModeOmitsNeedUserConfirm(t *testing.T) {
	f := newFixture(t)
	req := &payscore.CreateOrderRequest{
		OutOrderNo: "C1", AppID: appID, ServiceID: confirm, ServiceIntroduction: "充电宝",
		TimeRange: payscore.TimeRange{StartTime: payscore.OnAccept},
		RiskFund:  payscore.RiskFund{Name: payscore.RiskFundDeposit, Amount: 9900},
		NotifyURL: "https://example.com/payscore",
	}
	resp, err := f.svc.CreateOrder(f.ctx, req)
	require.NoError(t, err)
	r := f.last()
	require.NotContains(t, string(r.Body), "need_user_confirm")
	require.JSONEq(t, `{"out_order_no":"C1","appid":"wxd678efh567hg6787","service_id":"500002","service_introduction":"充电宝",
		"time_range":{"start_time":"OnAccept"},"risk_fund":{"name":"DEPOSIT","amount":9900},"notify_url":"https://example.com/payscore"}`, string(r.Body))
	require.Equal(t, payscore.StateCreated, resp.State)
	require.Empty(t, resp.StateDescription)
	require.Equal(t, payscore.OnAccept, resp.TimeRange.StartTime)

	// need_user_confirm false on a confirm-mode service: NO_AUTH.
	bad := noConfirmOrder("C2")
	bad.ServiceID = confirm
	_, err = f.svc.CreateOrder(f.ctx, bad)
	requireAPIError(t, err, http.StatusForbidden, "NO_AUTH")
}

func TestCreateOrderValidation(t *testing.T) {
	f := newFixture(t)
	var ve *core.ValidationError

	req := noConfirmOrder("bad no!")
	req.OpenID = nil
	req.ServiceIntroduction = strings.Repeat("长", 21)
	req.RiskFund.Name = "UDEPOSIT"
	req.NotifyURL = "https://example.com/cb?x=1"
	req.Attach = core.Ptr(strings.Repeat("a", 257))
	req.TimeRange.StartTime = "2009-12-25"
	req.PostPayments = append(req.PostPayments, req.PostPayments[0])
	req.PostDiscounts = append(req.PostDiscounts, payscore.PostDiscount{Name: "无说明"})
	_, err := f.svc.CreateOrder(f.ctx, req)
	require.ErrorAs(t, err, &ve)
	for _, field := range []string{"out_order_no", "service_introduction", "risk_fund.name", "notify_url", "attach",
		"time_range.start_time", "post_payments[1].name", "post_discounts[1].description", "openid"} {
		require.True(t, ve.Has(field), "expected a problem with %s in %v", field, ve)
	}
	require.NotContains(t, err.Error(), "UDEPOSIT", "values never appear in errors")

	req = noConfirmOrder("N1")
	req.PostPayments = make([]payscore.PostPayment, payscore.MaxPostPayments+1)
	for i := range req.PostPayments {
		req.PostPayments[i] = payscore.PostPayment{Name: fmt.Sprintf("项目%d", i)}
	}
	req.PostDiscounts = make([]payscore.PostDiscount, payscore.MaxPostDiscounts+1)
	for i := range req.PostDiscounts {
		req.PostDiscounts[i] = payscore.PostDiscount{Name: fmt.Sprintf("优惠%d", i), Description: core.Ptr("说明")}
	}
	req.TimeRange.EndTime = core.Ptr(payscore.OnAccept)
	_, err = f.svc.CreateOrder(f.ctx, req)
	require.ErrorAs(t, err, &ve)
	require.True(t, ve.Has("post_payments") && ve.Has("post_discounts") && ve.Has("time_range.end_time"))
	require.False(t, ve.Has("time_range.start_time"))

	// A set openid may not be empty, in either mode.
	req = noConfirmOrder("N4")
	req.OpenID = core.Ptr("")
	_, err = f.svc.CreateOrder(f.ctx, req)
	require.ErrorAs(t, err, &ve)
	require.True(t, ve.Has("openid"))
	req.NeedUserConfirm = nil
	_, err = f.svc.CreateOrder(f.ctx, req)
	require.ErrorAs(t, err, &ve)
	require.True(t, ve.Has("openid"))

	// The create API documents no maximum length for openid: a long one is
	// sent (and refused by the server only because the user has not
	// authorized).
	f.reset()
	req = noConfirmOrder("N3")
	req.OpenID = core.Ptr(strings.Repeat("o", 200))
	_, err = f.svc.CreateOrder(f.ctx, req)
	requireAPIError(t, err, http.StatusBadRequest, "INVALID_REQUEST")
	require.Len(t, f.requests(), 1)

	// The shared item name 商品信息 may repeat.
	req = noConfirmOrder("N2")
	req.PostPayments = []payscore.PostPayment{{Name: "商品信息"}, {Name: "商品信息"}}
	_, err = f.svc.CreateOrder(f.ctx, req)
	requireAPIError(t, err, http.StatusBadRequest, "INVALID_REQUEST") // passes validation; the user has not authorized

	f.reset()
	_, err = f.svc.CreateOrder(f.ctx, nil)
	require.ErrorAs(t, err, &ve)
	require.Empty(t, f.requests())
}

// OnAccept is a documented start time in both modes; without confirmation
// the order is accepted as it is created.
func TestCreateOrderNoConfirmOnAccept(t *testing.T) {
	f := newFixture(t)
	f.authorize("CODE1", openID)
	f.reset()
	req := noConfirmOrder("OA1")
	req.TimeRange = payscore.TimeRange{StartTime: payscore.OnAccept}
	resp, err := f.svc.CreateOrder(f.ctx, req)
	require.NoError(t, err)
	var body map[string]any
	require.NoError(t, json.Unmarshal(f.last().Body, &body))
	require.Equal(t, map[string]any{"start_time": "OnAccept"}, body["time_range"])
	require.Equal(t, false, body["need_user_confirm"])
	require.Equal(t, payscore.StateDoing, resp.State)
	require.Equal(t, payscore.StateDescriptionUserConfirm, resp.StateDescription)
	_, err = resp.TimeRange.StartTime.Time()
	require.NoError(t, err, "the start time is the creation time")
}

func TestQueryOrder(t *testing.T) {
	f := newFixture(t)
	f.doingOrder("Q1")
	f.reset()
	resp, err := f.svc.QueryOrder(f.ctx, &payscore.QueryOrderRequest{OutOrderNo: "Q1", ServiceID: noConfirm, AppID: appID})
	require.NoError(t, err)
	r := f.last()
	require.Equal(t, "GET", r.Method)
	require.Equal(t, "/v3/payscore/serviceorder", r.Path)
	q, _ := url.ParseQuery(r.RawQuery)
	require.Equal(t, url.Values{"out_order_no": {"Q1"}, "service_id": {noConfirm}, "appid": {appID}}, q)
	require.Equal(t, payscore.StateDoing, resp.State)
	require.Equal(t, openID, resp.OpenID)
	require.Len(t, resp.PostPayments, 1)
	require.Equal(t, int64(4000), *resp.PostPayments[0].Amount)

	qid, ok := f.sb.PayScoreQueryID("Q1")
	require.True(t, ok)
	f.reset()
	byQID, err := f.svc.QueryOrder(f.ctx, &payscore.QueryOrderRequest{QueryID: qid, ServiceID: noConfirm, AppID: appID})
	require.NoError(t, err)
	q, _ = url.ParseQuery(f.last().RawQuery)
	require.Equal(t, qid, q.Get("query_id"))
	require.Empty(t, q.Get("out_order_no"))
	require.Equal(t, resp.OrderID, byQID.OrderID)

	_, err = f.svc.QueryOrder(f.ctx, &payscore.QueryOrderRequest{OutOrderNo: "NOPE", ServiceID: noConfirm, AppID: appID})
	requireAPIError(t, err, http.StatusNotFound, "ORDER_NOT_EXIST")

	f.reset()
	var ve *core.ValidationError
	_, err = f.svc.QueryOrder(f.ctx, &payscore.QueryOrderRequest{ServiceID: noConfirm, AppID: appID})
	require.ErrorAs(t, err, &ve)
	require.True(t, ve.Has("out_order_no"))
	_, err = f.svc.QueryOrder(f.ctx, &payscore.QueryOrderRequest{OutOrderNo: "Q1", QueryID: qid, ServiceID: noConfirm, AppID: appID})
	require.ErrorAs(t, err, &ve)
	require.True(t, ve.Has("query_id"))
	require.Empty(t, f.requests())
}

func TestCancelOrder(t *testing.T) {
	f := newFixture(t)
	f.doingOrder("X1")
	f.reset()
	req := &payscore.CancelOrderRequest{OutOrderNo: "X1", AppID: appID, ServiceID: noConfirm, Reason: "用户投诉"}
	resp, err := f.svc.CancelOrder(f.ctx, req)
	require.NoError(t, err)
	r := f.last()
	require.Equal(t, "POST", r.Method)
	require.Equal(t, "/v3/payscore/serviceorder/X1/cancel", r.Path)
	require.JSONEq(t, `{"appid":"wxd678efh567hg6787","service_id":"500001","reason":"用户投诉"}`, string(r.Body))
	require.Equal(t, "X1", resp.OutOrderNo)
	require.NotEmpty(t, resp.OrderID)
	require.Equal(t, sandbox.MerchantID, resp.MchID)

	// Identical repeat succeeds; another reason is refused.
	_, err = f.svc.CancelOrder(f.ctx, req)
	require.NoError(t, err)
	_, err = f.svc.CancelOrder(f.ctx, &payscore.CancelOrderRequest{OutOrderNo: "X1", AppID: appID, ServiceID: noConfirm, Reason: "其他"})
	requireAPIError(t, err, http.StatusBadRequest, "ORDER_CANCELED")
	_, err = f.svc.CancelOrder(f.ctx, &payscore.CancelOrderRequest{OutOrderNo: "NOPE", AppID: appID, ServiceID: noConfirm, Reason: "x"})
	requireAPIError(t, err, http.StatusNotFound, "ORDER_NOT_EXIST")

	f.reset()
	var ve *core.ValidationError
	_, err = f.svc.CancelOrder(f.ctx, &payscore.CancelOrderRequest{OutOrderNo: "X1", AppID: appID, ServiceID: noConfirm, Reason: strings.Repeat("因", 51)})
	require.ErrorAs(t, err, &ve)
	require.True(t, ve.Has("reason"))
	require.Empty(t, f.requests())
}

func TestCompleteOrder(t *testing.T) {
	f := newFixture(t)
	f.doingOrder("D1")
	f.reset()
	resp, err := f.svc.CompleteOrder(f.ctx, completeReq("D1"))
	require.NoError(t, err)
	r := f.last()
	require.Equal(t, "POST", r.Method)
	require.Equal(t, "/v3/payscore/serviceorder/D1/complete", r.Path)
	require.JSONEq(t, `{"appid":"wxd678efh567hg6787","service_id":"500001",
		"post_payments":[{"name":"就餐费用服务费","amount":4000,"description":"就餐人均100元服务费:100/小时","count":1}],
		"post_discounts":[{"name":"满20减1元","description":"不与其他优惠叠加","amount":100}],
		"total_amount":3900,"time_range":{"start_time":"20091225091010","end_time":"20091225121010"},
		"profit_sharing":false}`, string(r.Body))
	require.Equal(t, payscore.StateDoing, resp.State)
	require.Equal(t, payscore.StateDescriptionMchComplete, resp.StateDescription)
	require.Equal(t, int64(3900), resp.TotalAmount)
	require.Equal(t, payscore.CollectionUserPaying, resp.Collection.State)
	require.Equal(t, int64(3900), resp.Collection.PayingAmount)
	require.True(t, *resp.NeedCollection)

	// Above the service's risk ceiling (enjoy-first): refused by the server.
	require.NoError(t, f.sb.PayScoreAddService(sandbox.PayScoreService{ID: "600001", NoConfirm: true, EnjoyFirst: true, RiskCeiling: 10000}))
	pre, err := f.svc.PreAuthorize(f.ctx, &payscore.PreAuthorizeRequest{ServiceID: "600001", AppID: appID, AuthorizationCode: "C600"})
	require.NoError(t, err)
	require.NoError(t, f.sb.PayScoreSimulateUserAuthorize(f.ctx, pre.ApplyPermissionsToken, "user600"))
	o := noConfirmOrder("D2")
	o.ServiceID, o.OpenID = "600001", core.Ptr("user600")
	_, err = f.svc.CreateOrder(f.ctx, o)
	require.NoError(t, err)
	big := completeReq("D2")
	big.ServiceID = "600001"
	big.PostPayments[0].Amount = core.Ptr[int64](20100)
	big.TotalAmount = 20000
	_, err = f.svc.CompleteOrder(f.ctx, big)
	ae := requireAPIError(t, err, http.StatusBadRequest, "PARAM_ERROR")
	require.Equal(t, "/total_amount", ae.Detail.Field)

	// The amount rule is checked before sending.
	f.reset()
	var ve *core.ValidationError
	bad := completeReq("D1")
	bad.TotalAmount = 4000
	bad.PostDiscounts[0].Amount = nil
	bad.PostPayments = nil
	_, err = f.svc.CompleteOrder(f.ctx, bad)
	require.ErrorAs(t, err, &ve)
	require.True(t, ve.Has("total_amount") && ve.Has("post_payments") && ve.Has("post_discounts[0].amount"))
	require.Empty(t, f.requests())
}

// Completing with only the end time keeps the creation's start time: no
// empty start_time goes on the wire.
func TestCompleteOrderTimeRangeWithoutStart(t *testing.T) {
	f := newFixture(t)
	f.authorize("CODE1", openID)
	req := noConfirmOrder("E1")
	req.TimeRange.EndTime = nil
	_, err := f.svc.CreateOrder(f.ctx, req)
	require.NoError(t, err)
	f.reset()
	c := completeReq("E1")
	c.TimeRange = &payscore.TimeRange{EndTime: core.Ptr[payscore.Time]("20091225121010"), EndTimeRemark: core.Ptr("离店")}
	resp, err := f.svc.CompleteOrder(f.ctx, c)
	require.NoError(t, err)
	var body map[string]any
	require.NoError(t, json.Unmarshal(f.last().Body, &body))
	require.Equal(t, map[string]any{"end_time": "20091225121010", "end_time_remark": "离店"}, body["time_range"])
	require.Equal(t, payscore.Time("20091225091010"), resp.TimeRange.StartTime)
	require.Equal(t, payscore.Time("20091225121010"), *resp.TimeRange.EndTime)
}

func TestModifyOrder(t *testing.T) {
	f := newFixture(t)
	f.completedOrder("M1")
	f.reset()
	pays := []payscore.PostPayment{{Name: "就餐费用服务费", Amount: core.Ptr[int64](4000), Description: core.Ptr("就餐人均100元服务费:100/小时"), Count: core.Ptr[int64](1)}}
	discs := []payscore.PostDiscount{{Name: "满20减1元", Description: core.Ptr("不与其他优惠叠加"), Amount: core.Ptr[int64](2000)}}
	resp, err := f.svc.ModifyOrder(f.ctx, &payscore.ModifyOrderRequest{OutOrderNo: "M1", AppID: appID, ServiceID: noConfirm, PostPayments: pays, PostDiscounts: discs, TotalAmount: 2000, Reason: "用户投诉"})
	require.NoError(t, err)
	r := f.last()
	require.Equal(t, "/v3/payscore/serviceorder/M1/modify", r.Path)
	require.JSONEq(t, `{"appid":"wxd678efh567hg6787","service_id":"500001",
		"post_payments":[{"name":"就餐费用服务费","amount":4000,"description":"就餐人均100元服务费:100/小时","count":1}],
		"post_discounts":[{"name":"满20减1元","description":"不与其他优惠叠加","amount":2000}],
		"total_amount":2000,"reason":"用户投诉"}`, string(r.Body))
	require.Equal(t, int64(2000), resp.TotalAmount)
	require.Equal(t, int64(2000), resp.Collection.PayingAmount)

	// Raising the amount is refused by the server.
	discs[0].Amount = core.Ptr[int64](0)
	_, err = f.svc.ModifyOrder(f.ctx, &payscore.ModifyOrderRequest{OutOrderNo: "M1", AppID: appID, ServiceID: noConfirm, PostPayments: pays, PostDiscounts: discs, TotalAmount: 4000, Reason: "涨价"})
	requireAPIError(t, err, http.StatusBadRequest, "PARAM_ERROR")

	// The modify reason has no documented maximum length: a long one is sent.
	f.reset()
	discs[0].Amount = core.Ptr[int64](3000)
	long := strings.Repeat("因", 80)
	resp, err = f.svc.ModifyOrder(f.ctx, &payscore.ModifyOrderRequest{OutOrderNo: "M1", AppID: appID, ServiceID: noConfirm, PostPayments: pays, PostDiscounts: discs, TotalAmount: 1000, Reason: long})
	require.NoError(t, err)
	require.Contains(t, string(f.last().Body), long)
	require.Equal(t, int64(1000), resp.TotalAmount)

	f.reset()
	var ve *core.ValidationError
	_, err = f.svc.ModifyOrder(f.ctx, &payscore.ModifyOrderRequest{OutOrderNo: "M1", AppID: appID, ServiceID: noConfirm, PostPayments: pays, TotalAmount: 1})
	require.ErrorAs(t, err, &ve)
	require.True(t, ve.Has("total_amount") && ve.Has("reason"))
	require.Empty(t, f.requests())
}

func TestSyncOrder(t *testing.T) {
	f := newFixture(t)
	f.completedOrder("S1")
	f.reset()
	resp, err := f.svc.SyncOrder(f.ctx, &payscore.SyncOrderRequest{OutOrderNo: "S1", AppID: appID, ServiceID: noConfirm, Type: payscore.SyncOrderPaid, Detail: payscore.SyncDetail{PaidTime: "20091225091210"}})
	require.NoError(t, err)
	r := f.last()
	require.Equal(t, "/v3/payscore/serviceorder/S1/sync", r.Path)
	require.JSONEq(t, `{"appid":"wxd678efh567hg6787","service_id":"500001","type":"Order_Paid","detail":{"paid_time":"20091225091210"}}`, string(r.Body))
	require.Equal(t, payscore.StateDone, resp.State)
	require.Equal(t, payscore.CollectionUserPaid, resp.Collection.State)
	require.Len(t, resp.Collection.Details, 1)
	require.Equal(t, payscore.PaidTypeMch, resp.Collection.Details[0].PaidType)
	require.Equal(t, payscore.Time("20091225091210"), resp.Collection.Details[0].PaidTime)

	_, err = f.svc.SyncOrder(f.ctx, &payscore.SyncOrderRequest{OutOrderNo: "S1", AppID: appID, ServiceID: noConfirm, Type: payscore.SyncOrderPaid, Detail: payscore.SyncDetail{PaidTime: "20091225"}})
	requireAPIError(t, err, http.StatusBadRequest, "ORDER_DONE")

	f.reset()
	var ve *core.ValidationError
	_, err = f.svc.SyncOrder(f.ctx, &payscore.SyncOrderRequest{OutOrderNo: "S1", AppID: appID, ServiceID: noConfirm, Type: "ORDER_PAID", Detail: payscore.SyncDetail{PaidTime: "20091325"}})
	require.ErrorAs(t, err, &ve)
	require.True(t, ve.Has("type") && ve.Has("detail.paid_time"))
	require.Empty(t, f.requests())
}

func TestPayOrder(t *testing.T) {
	f := newFixture(t)
	f.completedOrder("P1")
	f.reset()
	resp, err := f.svc.PayOrder(f.ctx, &payscore.PayOrderRequest{OutOrderNo: "P1", AppID: appID, ServiceID: noConfirm})
	require.NoError(t, err)
	r := f.last()
	require.Equal(t, "/v3/payscore/serviceorder/P1/pay", r.Path)
	require.JSONEq(t, `{"appid":"wxd678efh567hg6787","service_id":"500001"}`, string(r.Body))
	require.Equal(t, "P1", resp.OutOrderNo)
	require.NotEmpty(t, resp.OrderID)

	_, err = f.sb.PayScoreSimulateUserPaid(f.ctx, "P1")
	require.NoError(t, err)
	_, err = f.svc.PayOrder(f.ctx, &payscore.PayOrderRequest{OutOrderNo: "P1", AppID: appID, ServiceID: noConfirm})
	requireAPIError(t, err, http.StatusBadRequest, "ORDER_DONE")

	f.reset()
	var ve *core.ValidationError
	_, err = f.svc.PayOrder(f.ctx, &payscore.PayOrderRequest{OutOrderNo: "bad no!", AppID: strings.Repeat("a", 33)})
	require.ErrorAs(t, err, &ve)
	require.True(t, ve.Has("out_order_no") && ve.Has("appid"))
	require.Empty(t, f.requests())
}

// appid and service_id are optional for pay: empty ones are left out.
func TestPayOrderWithoutOptionalFields(t *testing.T) {
	f := newFixture(t)
	f.completedOrder("P2")
	f.reset()
	resp, err := f.svc.PayOrder(f.ctx, &payscore.PayOrderRequest{OutOrderNo: "P2"})
	require.NoError(t, err)
	r := f.last()
	require.Equal(t, "/v3/payscore/serviceorder/P2/pay", r.Path)
	require.JSONEq(t, `{}`, string(r.Body))
	require.Equal(t, "P2", resp.OutOrderNo)
	require.Equal(t, appID, resp.AppID)
	require.Equal(t, noConfirm, resp.ServiceID)
}

func TestBadResponseSignatureIsRejected(t *testing.T) {
	f := newFixture(t)
	f.sb.ProbeNext(1)
	_, err := f.svc.QueryPermissionByOpenID(f.ctx, &payscore.QueryPermissionByOpenIDRequest{OpenID: openID, ServiceID: noConfirm, AppID: appID})
	require.ErrorIs(t, err, core.ErrInvalidSignature)
	require.NotEmpty(t, core.RequestIDOf(err))
}

func TestTime(t *testing.T) {
	at := time.Date(2009, 12, 25, 1, 10, 10, 0, time.UTC) // 09:10:10 in Beijing
	require.Equal(t, payscore.Time("20091225091010"), payscore.At(at))
	require.Equal(t, payscore.Time("20091225"), payscore.Date(at))
	got, err := payscore.At(at).Time()
	require.NoError(t, err)
	require.True(t, got.Equal(at))
	d, err := payscore.Time("20091225").Time()
	require.NoError(t, err)
	require.Equal(t, "2009-12-25T00:00:00+08:00", d.Format(time.RFC3339))
	_, err = payscore.OnAccept.Time()
	require.Error(t, err)
	require.True(t, payscore.OnAccept.IsOnAccept())
}

func TestEnumsAreOpen(t *testing.T) {
	var o payscore.ServiceOrder
	require.NoError(t, json.Unmarshal([]byte(`{"state":"FUTURE","state_description":"NEW","risk_fund":{"name":"UDEPOSIT","amount":1},"collection":{"state":"USER_ACCEPT","details":[{"paid_type":"OTHER"}]}}`), &o))
	require.Equal(t, payscore.State("FUTURE"), o.State)
	require.Equal(t, payscore.CollectionState("USER_ACCEPT"), o.Collection.State)
	require.Contains(t, payscore.State("").Values(), payscore.StateExpired)
	require.Len(t, payscore.RiskFundName("").Values(), 4)
	require.Equal(t, []payscore.SyncType{"Order_Paid"}, payscore.SyncType("").Values())
}

// Every method verifies the answer's signature, whatever the answer.
func TestEveryMethodVerifiesTheResponseSignature(t *testing.T) {
	f := newFixture(t)
	f.completedOrder("V1")
	// Core verifies successful answers, so each call below succeeds on its
	// own, in any order.
	f.authorize("SIGC1", "sig-user-1")
	f.authorize("SIGC2", "sig-user-2")
	_, err := f.svc.CreateOrder(f.ctx, &payscore.CreateOrderRequest{
		OutOrderNo: "V2", AppID: appID, ServiceID: confirm, ServiceIntroduction: "充电宝",
		TimeRange: payscore.TimeRange{StartTime: payscore.OnAccept},
		RiskFund:  payscore.RiskFund{Name: payscore.RiskFundDeposit, Amount: 9900}, NotifyURL: "https://example.com/n",
	})
	require.NoError(t, err)
	f.authorize("SIGC3", "sig-user-3")
	v3 := noConfirmOrder("V3")
	v3.OpenID = core.Ptr("sig-user-3")
	_, err = f.svc.CreateOrder(f.ctx, v3)
	require.NoError(t, err)
	_, err = f.svc.CompleteOrder(f.ctx, completeReq("V3"))
	require.NoError(t, err)
	pays := []payscore.PostPayment{{Name: "服务费", Amount: core.Ptr[int64](100)}}
	calls := map[string]func() error{
		"PreAuthorize": func() error {
			_, err := f.svc.PreAuthorize(f.ctx, &payscore.PreAuthorizeRequest{ServiceID: noConfirm, AppID: appID, AuthorizationCode: "SIG1"})
			return err
		},
		"QueryPermissionByOpenID": func() error {
			_, err := f.svc.QueryPermissionByOpenID(f.ctx, &payscore.QueryPermissionByOpenIDRequest{OpenID: openID, ServiceID: noConfirm, AppID: appID})
			return err
		},
		"QueryPermissionByAuthorizationCode": func() error {
			_, err := f.svc.QueryPermissionByAuthorizationCode(f.ctx, &payscore.QueryPermissionByAuthorizationCodeRequest{AuthorizationCode: "CODEV1", ServiceID: noConfirm})
			return err
		},
		"TerminatePermissionByOpenID": func() error {
			_, err := f.svc.TerminatePermissionByOpenID(f.ctx, &payscore.TerminatePermissionByOpenIDRequest{OpenID: "sig-user-1", ServiceID: noConfirm, AppID: appID, Reason: "x"})
			return err
		},
		"TerminatePermissionByAuthorizationCode": func() error {
			_, err := f.svc.TerminatePermissionByAuthorizationCode(f.ctx, &payscore.TerminatePermissionByAuthorizationCodeRequest{AuthorizationCode: "SIGC2", ServiceID: noConfirm, Reason: "x"})
			return err
		},
		"CreateOrder": func() error {
			_, err := f.svc.CreateOrder(f.ctx, noConfirmOrder("V1"))
			return err
		},
		"QueryOrder": func() error {
			_, err := f.svc.QueryOrder(f.ctx, &payscore.QueryOrderRequest{OutOrderNo: "V1", ServiceID: noConfirm, AppID: appID})
			return err
		},
		"CancelOrder": func() error {
			_, err := f.svc.CancelOrder(f.ctx, &payscore.CancelOrderRequest{OutOrderNo: "V2", AppID: appID, ServiceID: confirm, Reason: "x"})
			return err
		},
		"ModifyOrder": func() error {
			_, err := f.svc.ModifyOrder(f.ctx, &payscore.ModifyOrderRequest{OutOrderNo: "V1", AppID: appID, ServiceID: noConfirm, PostPayments: pays, TotalAmount: 100, Reason: "x"})
			return err
		},
		"CompleteOrder": func() error {
			_, err := f.svc.CompleteOrder(f.ctx, completeReq("V1"))
			return err
		},
		"SyncOrder": func() error {
			_, err := f.svc.SyncOrder(f.ctx, &payscore.SyncOrderRequest{OutOrderNo: "V3", AppID: appID, ServiceID: noConfirm, Type: payscore.SyncOrderPaid, Detail: payscore.SyncDetail{PaidTime: "20091225"}})
			return err
		},
		"PayOrder": func() error {
			_, err := f.svc.PayOrder(f.ctx, &payscore.PayOrderRequest{OutOrderNo: "V1", AppID: appID, ServiceID: noConfirm})
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			f.reset()
			f.sb.ProbeNext(1)
			err := call()
			require.ErrorIs(t, err, core.ErrInvalidSignature)
			require.NotEmpty(t, core.RequestIDOf(err))
			require.Len(t, f.requests(), 1)
		})
	}
}
