package partner_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/internal/wiretest"
	"github.com/wechatpay-biz/wechatpay-biz-go/payscore"
	"github.com/wechatpay-biz/wechatpay-biz-go/payscore/partner"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

func TestPreAuthorize(t *testing.T) {
	e := newEnv(t)
	resp, err := e.svc.PreAuthorize(e.ctx, &partner.PreAuthorizeRequest{
		ServiceID: noConfirm, AppID: appID, SubAppID: core.Ptr(subApp), SubMchID: sub, AuthorizationCode: "PW|1",
		NotifyURL: core.Ptr("https://sp.example.com/payscore/auth"),
	})
	require.NoError(t, err)
	requireWire(t, e.only(t), http.MethodPost, "/v3/payscore/partner/permissions",
		`{"service_id":"500001","appid":"wxd678efh567hg6787","sub_appid":"wxd678efh567hg6999","sub_mchid":"1900000110","authorization_code":"PW|1","notify_url":"https://sp.example.com/payscore/auth"}`)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.NotEmpty(t, resp.RequestID)
	require.NotEmpty(t, resp.ApplyPermissionsToken)
	page, err := payscore.AuthorizationPage(resp.ApplyPermissionsToken)
	require.NoError(t, err)
	require.Equal(t, payscore.BusinessTypeEnable, page.BusinessType)
}

func TestPermissionQueriesAndTerminations(t *testing.T) {
	e := newEnv(t)
	e.authorize(t, "PW|1")

	// By the user under the sub-merchant's AppID: the openid is in the query.
	e.reset()
	p, err := e.svc.QueryPermissionByOpenID(e.ctx, &partner.QueryPermissionByOpenIDRequest{ServiceID: noConfirm, AppID: appID, SubMchID: sub, SubAppID: core.Ptr(subApp), SubOpenID: core.Ptr(subOpenID)})
	require.NoError(t, err)
	requireWire(t, e.only(t), http.MethodGet, "/v3/payscore/partner/permissions/search?appid=wxd678efh567hg6787&service_id=500001&sub_appid=wxd678efh567hg6999&sub_mchid=1900000110&sub_openid="+subOpenID, "")
	require.Equal(t, payscore.AuthorizationAvailable, p.AuthorizationState)
	require.Equal(t, sub, p.SubMchID)
	require.Equal(t, subApp, p.SubAppID)
	require.Equal(t, subOpenID, p.SubOpenID)
	require.Equal(t, openID, p.OpenID)
	require.Equal(t, sandbox.MerchantID, p.MchID, "mchid is the service provider")
	require.Equal(t, "PW|1", p.AuthorizationCode)
	require.NotNil(t, p.AuthorizationSuccessTime)

	// By the user under the provider's AppID.
	e.reset()
	p, err = e.svc.QueryPermissionByOpenID(e.ctx, &partner.QueryPermissionByOpenIDRequest{ServiceID: noConfirm, AppID: appID, SubMchID: sub, OpenID: core.Ptr(openID)})
	require.NoError(t, err)
	requireWire(t, e.only(t), http.MethodGet, "/v3/payscore/partner/permissions/search?appid=wxd678efh567hg6787&openid="+openID+"&service_id=500001&sub_mchid=1900000110", "")
	require.Equal(t, payscore.AuthorizationAvailable, p.AuthorizationState)

	// By authorization code: escaped in the path.
	e.reset()
	p, err = e.svc.QueryPermissionByAuthorizationCode(e.ctx, &partner.QueryPermissionByAuthorizationCodeRequest{AuthorizationCode: "PW|1", ServiceID: noConfirm, SubMchID: sub})
	require.NoError(t, err)
	requireWire(t, e.only(t), http.MethodGet, "/v3/payscore/partner/permissions/authorization-code/PW%7C1?service_id=500001&sub_mchid=1900000110", "")
	require.Equal(t, payscore.AuthorizationAvailable, p.AuthorizationState)

	// Terminate by OpenID: the openid is in the body; 204.
	e.reset()
	tr, err := e.svc.TerminatePermissionByOpenID(e.ctx, &partner.TerminatePermissionByOpenIDRequest{ServiceID: noConfirm, SubMchID: sub, AppID: appID, OpenID: core.Ptr(openID), Reason: "撤销授权"})
	require.NoError(t, err)
	requireWire(t, e.only(t), http.MethodPost, "/v3/payscore/partner/permissions/terminate",
		`{"service_id":"500001","sub_mchid":"1900000110","appid":"wxd678efh567hg6787","openid":"`+openID+`","reason":"撤销授权"}`)
	require.Equal(t, http.StatusNoContent, tr.StatusCode)
	require.NotEmpty(t, tr.RequestID)
	p, err = e.svc.QueryPermissionByAuthorizationCode(e.ctx, &partner.QueryPermissionByAuthorizationCodeRequest{AuthorizationCode: "PW|1", ServiceID: noConfirm, SubMchID: sub})
	require.NoError(t, err)
	require.Equal(t, payscore.AuthorizationUnavailable, p.AuthorizationState)
	require.NotNil(t, p.CancelAuthorizationTime)

	// Terminate by authorization code; 204.
	e.authorize(t, "PW*2")
	e.reset()
	tr, err = e.svc.TerminatePermissionByAuthorizationCode(e.ctx, &partner.TerminatePermissionByAuthorizationCodeRequest{AuthorizationCode: "PW*2", ServiceID: noConfirm, SubMchID: sub, Reason: "撤销授权"})
	require.NoError(t, err)
	requireWire(t, e.only(t), http.MethodPost, "/v3/payscore/partner/permissions/authorization-code/PW%2A2/terminate",
		`{"service_id":"500001","sub_mchid":"1900000110","reason":"撤销授权"}`)
	require.Equal(t, http.StatusNoContent, tr.StatusCode)
}

func TestOrderLifeCycleOnTheWire(t *testing.T) {
	e := newEnv(t)
	e.authorize(t, "PW1")
	const no = "PW-ORDER|1"

	// Create (no-confirm): DOING/USER_CONFIRM for the authorized user.
	e.reset()
	create := exCreate()
	create.ServiceID, create.AppID, create.SubMchID, create.SubAppID, create.OutOrderNo = noConfirm, appID, sub, core.Ptr(subApp), no
	created, err := e.svc.CreateOrder(e.ctx, create)
	require.NoError(t, err)
	requireWire(t, e.only(t), http.MethodPost, "/v3/payscore/partner/serviceorder", `{
		"service_id":"500001","appid":"wxd678efh567hg6787","sub_mchid":"1900000110","sub_appid":"wxd678efh567hg6999",
		"out_order_no":"PW-ORDER|1","service_introduction":"某某酒店",
		"post_payments":[{"name":"就餐费用服务费","amount":4000,"description":"就餐人均100元服务费:100/小时","count":1}],
		"post_discounts":[{"name":"满20减1元","description":"不与其他优惠叠加"}],
		"risk_fund":{"name":"ESTIMATE_ORDER_COST","amount":10000,"description":"就餐的预估费用"},
		"time_range":{"start_time":"20091225091010","start_time_remark":"备注1","end_time":"20091225121010","end_time_remark":"备注2"},
		"location":{"start_location":"嗨客时尚主题展餐厅","end_location":"嗨客时尚主题展餐厅"},
		"openid":"`+openID+`","need_user_confirm":false,"notify_url":"https://api.test.com",
		"attach":"Easdfowealsdkjfnlaksjdlfkwqoi&wl3l2sald",
		"device":{"start_device_id":"HG123456","end_device_id":"HG123456","materiel_no":"example_materiel_no"}}`)
	require.Contains(t, string(e.only(t).Body), `"need_user_confirm":false`, "false is sent")
	require.Equal(t, payscore.StateDoing, created.State)
	require.Equal(t, payscore.StateDescriptionUserConfirm, created.StateDescription)
	require.Equal(t, sub, created.SubMchID)
	require.Equal(t, subApp, created.SubAppID)
	require.Equal(t, sandbox.MerchantID, created.MchID)
	require.NotEmpty(t, created.OrderID)

	// Query: no appid in partner mode.
	e.reset()
	q, err := e.svc.QueryOrder(e.ctx, &partner.QueryOrderRequest{ServiceID: core.Ptr(noConfirm), SubMchID: sub, OutOrderNo: no})
	require.NoError(t, err)
	requireWire(t, e.only(t), http.MethodGet, "/v3/payscore/partner/serviceorder?out_order_no=PW-ORDER%7C1&service_id=500001&sub_mchid=1900000110", "")
	require.Equal(t, created.OrderID, q.OrderID)
	require.Equal(t, sub, q.SubMchID)

	// Complete: 204, complete_time in +08:00 to the second.
	e.reset()
	complete := exComplete()
	complete.OutOrderNo, complete.ServiceID = no, noConfirm
	complete.CompleteTime = core.Ptr(time.Date(2026, 3, 1, 2, 0, 0, 123e6, time.UTC))
	done, err := e.svc.CompleteOrder(e.ctx, complete)
	require.NoError(t, err)
	requireWire(t, e.only(t), http.MethodPost, "/v3/payscore/partner/serviceorder/PW-ORDER%7C1/complete", `{
		"service_id":"500001","sub_mchid":"1900000110",
		"post_payments":[{"name":"就餐费用服务费","amount":4000,"description":"就餐人均100元服务费:100/小时","count":1}],
		"post_discounts":[{"name":"满20减1元","description":"不与其他优惠叠加","amount":100,"count":1}],
		"total_amount":3900,"time_range":{"start_time":"20091225091010","end_time":"20091225121010"},
		"location":{"end_location":"嗨客时尚主题展餐厅"},"profit_sharing":false,
		"complete_time":"2026-03-01T10:00:00+08:00","goods_tag":"goods_tag"}`)
	require.Equal(t, http.StatusNoContent, done.StatusCode)
	require.Nil(t, done.Order, "204: no order in the answer")
	requireState(t, e, no, payscore.StateDoing, payscore.StateDescriptionMchComplete, 3900)

	// Modify: lower the amount; 204.
	e.reset()
	pays := []payscore.PostPayment{{Name: "就餐费用服务费", Amount: core.Ptr[int64](3000)}}
	mod, err := e.svc.ModifyOrder(e.ctx, &partner.ModifyOrderRequest{OutOrderNo: no, ServiceID: core.Ptr(noConfirm), SubMchID: sub,
		PostPayments: pays, TotalAmount: 3000, Reason: "用户投诉"})
	require.NoError(t, err)
	requireWire(t, e.only(t), http.MethodPost, "/v3/payscore/partner/serviceorder/PW-ORDER%7C1/modify",
		`{"service_id":"500001","sub_mchid":"1900000110","post_payments":[{"name":"就餐费用服务费","amount":3000}],"total_amount":3000,"reason":"用户投诉"}`)
	require.Equal(t, http.StatusNoContent, mod.StatusCode)
	require.Nil(t, mod.Order)
	requireState(t, e, no, payscore.StateDoing, payscore.StateDescriptionMchComplete, 3000)

	// Pay (催收): 204.
	e.reset()
	pay, err := e.svc.PayOrder(e.ctx, &partner.PayOrderRequest{OutOrderNo: no, ServiceID: core.Ptr(noConfirm), SubMchID: sub})
	require.NoError(t, err)
	requireWire(t, e.only(t), http.MethodPost, "/v3/payscore/partner/serviceorder/PW-ORDER%7C1/pay", `{"service_id":"500001","sub_mchid":"1900000110"}`)
	require.Equal(t, http.StatusNoContent, pay.StatusCode)

	// Sync an offline payment: 204, then DONE with an MCH payment.
	e.reset()
	sync, err := e.svc.SyncOrder(e.ctx, &partner.SyncOrderRequest{OutOrderNo: no, ServiceID: noConfirm, SubMchID: sub, Type: payscore.SyncOrderPaid,
		Detail: partner.SyncDetail{PaidTime: "20260301103000"}})
	require.NoError(t, err)
	requireWire(t, e.only(t), http.MethodPost, "/v3/payscore/partner/serviceorder/PW-ORDER%7C1/sync",
		`{"service_id":"500001","sub_mchid":"1900000110","type":"Order_Paid","detail":{"paid_time":"20260301103000"}}`)
	require.Equal(t, http.StatusNoContent, sync.StatusCode)
	q = requireState(t, e, no, payscore.StateDone, "", 3000)
	require.Equal(t, payscore.CollectionUserPaid, q.Collection.State)
	require.Equal(t, payscore.PaidTypeMch, q.Collection.Details[0].PaidType)

	// Cancel a confirm-mode order: 204, then REVOKED.
	c2, err := e.svc.CreateOrder(e.ctx, &partner.CreateOrderRequest{ServiceID: confirm, AppID: appID, SubMchID: sub, OutOrderNo: "PW-ORDER-2",
		ServiceIntroduction: "充电宝租借", RiskFund: payscore.RiskFund{Name: payscore.RiskFundDeposit, Amount: 9900},
		TimeRange: payscore.TimeRange{StartTime: payscore.OnAccept}, NotifyURL: "https://sp.example.com/payscore/order"})
	require.NoError(t, err)
	require.Equal(t, payscore.StateCreated, c2.State)
	require.NotEmpty(t, c2.Package)
	e.reset()
	cancel, err := e.svc.CancelOrder(e.ctx, &partner.CancelOrderRequest{OutOrderNo: "PW-ORDER-2", SubMchID: sub, Reason: "用户取消"})
	require.NoError(t, err)
	requireWire(t, e.only(t), http.MethodPost, "/v3/payscore/partner/serviceorder/PW-ORDER-2/cancel", `{"sub_mchid":"1900000110","reason":"用户取消"}`)
	require.Equal(t, http.StatusNoContent, cancel.StatusCode)
	require.Nil(t, cancel.Order)
	q, err = e.svc.QueryOrder(e.ctx, &partner.QueryOrderRequest{SubMchID: sub, OutOrderNo: "PW-ORDER-2"})
	require.NoError(t, err)
	require.Equal(t, payscore.StateRevoked, q.State)
}

func requireState(t *testing.T, e *env, no string, st payscore.State, desc payscore.StateDescription, total int64) *partner.OrderResponse {
	t.Helper()
	q, err := e.svc.QueryOrder(e.ctx, &partner.QueryOrderRequest{ServiceID: core.Ptr(noConfirm), SubMchID: sub, OutOrderNo: no})
	require.NoError(t, err)
	require.Equal(t, st, q.State)
	require.Equal(t, desc, q.StateDescription)
	require.Equal(t, total, q.TotalAmount)
	return q
}

// calls runs each method once, naming sub-merchant s, with a request that
// passes validation.
var calls = []struct {
	name string
	call func(ctx context.Context, svc *partner.Service, s string) error
}{
	{"PreAuthorize", func(ctx context.Context, svc *partner.Service, s string) error {
		_, err := svc.PreAuthorize(ctx, &partner.PreAuthorizeRequest{ServiceID: noConfirm, AppID: appID, SubMchID: s, AuthorizationCode: "X1"})
		return err
	}},
	{"QueryPermissionByOpenID", func(ctx context.Context, svc *partner.Service, s string) error {
		_, err := svc.QueryPermissionByOpenID(ctx, &partner.QueryPermissionByOpenIDRequest{ServiceID: noConfirm, AppID: appID, SubMchID: s, OpenID: core.Ptr(openID)})
		return err
	}},
	{"QueryPermissionByAuthorizationCode", func(ctx context.Context, svc *partner.Service, s string) error {
		_, err := svc.QueryPermissionByAuthorizationCode(ctx, &partner.QueryPermissionByAuthorizationCodeRequest{AuthorizationCode: "X1", ServiceID: noConfirm, SubMchID: s})
		return err
	}},
	{"TerminatePermissionByOpenID", func(ctx context.Context, svc *partner.Service, s string) error {
		_, err := svc.TerminatePermissionByOpenID(ctx, &partner.TerminatePermissionByOpenIDRequest{ServiceID: noConfirm, SubMchID: s, AppID: appID, OpenID: core.Ptr(openID), Reason: "r"})
		return err
	}},
	{"TerminatePermissionByAuthorizationCode", func(ctx context.Context, svc *partner.Service, s string) error {
		_, err := svc.TerminatePermissionByAuthorizationCode(ctx, &partner.TerminatePermissionByAuthorizationCodeRequest{AuthorizationCode: "X1", ServiceID: noConfirm, SubMchID: s, Reason: "r"})
		return err
	}},
	{"CreateOrder", func(ctx context.Context, svc *partner.Service, s string) error {
		r := exCreate()
		r.ServiceID, r.AppID, r.SubMchID, r.SubAppID = noConfirm, appID, s, nil
		_, err := svc.CreateOrder(ctx, r)
		return err
	}},
	{"QueryOrder", func(ctx context.Context, svc *partner.Service, s string) error {
		_, err := svc.QueryOrder(ctx, &partner.QueryOrderRequest{SubMchID: s, OutOrderNo: "X1"})
		return err
	}},
	{"CancelOrder", func(ctx context.Context, svc *partner.Service, s string) error {
		_, err := svc.CancelOrder(ctx, &partner.CancelOrderRequest{OutOrderNo: "X1", SubMchID: s, Reason: "r"})
		return err
	}},
	{"ModifyOrder", func(ctx context.Context, svc *partner.Service, s string) error {
		_, err := svc.ModifyOrder(ctx, &partner.ModifyOrderRequest{OutOrderNo: "X1", SubMchID: s, PostPayments: exPays(), TotalAmount: 4000, Reason: "r"})
		return err
	}},
	{"CompleteOrder", func(ctx context.Context, svc *partner.Service, s string) error {
		r := exComplete()
		r.OutOrderNo, r.ServiceID, r.SubMchID = "X1", noConfirm, s
		_, err := svc.CompleteOrder(ctx, r)
		return err
	}},
	{"PayOrder", func(ctx context.Context, svc *partner.Service, s string) error {
		_, err := svc.PayOrder(ctx, &partner.PayOrderRequest{OutOrderNo: "X1", SubMchID: s})
		return err
	}},
	{"SyncOrder", func(ctx context.Context, svc *partner.Service, s string) error {
		_, err := svc.SyncOrder(ctx, &partner.SyncOrderRequest{OutOrderNo: "X1", ServiceID: noConfirm, SubMchID: s, Type: payscore.SyncOrderPaid, Detail: partner.SyncDetail{PaidTime: "20260301"}})
		return err
	}},
}

// Every method: a sub-merchant of another provider is refused with 403
// NO_AUTH, decoded with its Request-ID; neither the error nor a debug log
// holds the OpenID.
func TestEveryMethodAPIError(t *testing.T) {
	var logs bytes.Buffer
	e := newEnv(t, core.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	for _, c := range calls {
		err := c.call(e.ctx, e.svc, sandbox.PayScoreForeignSubMchID)
		ae := wiretest.RequireAPIError(t, err, http.StatusForbidden, "NO_AUTH")
		require.True(t, strings.HasPrefix(ae.Path, "/v3/payscore/partner/"), c.name)
		require.NotContains(t, err.Error(), openID, c.name)
		require.NotContains(t, err.Error(), "X1", "%s: path parameters stay out of errors", c.name)
	}
	require.Len(t, e.rec.Requests(), len(calls))
	require.Contains(t, logs.String(), "/v3/payscore/partner/permissions/search")
	require.NotContains(t, logs.String(), openID, "no OpenID in logs")
	require.NotContains(t, logs.String(), "X1")
}

// Every method: an answer with a bad signature (a WECHATPAY/SIGNTEST/ probe)
// is refused, whether it is a success or an error.
func TestEveryMethodRejectsABadSignature(t *testing.T) {
	for _, status := range []int{http.StatusOK, http.StatusNoContent, http.StatusBadRequest} {
		sb, err := sandbox.NewServer()
		require.NoError(t, err)
		c, err := sb.Client(core.WithRetry(core.NoRetry))
		require.NoError(t, err)
		svc := partner.NewService(c)
		body := map[int]string{http.StatusOK: `{"apply_permissions_token":"t","out_order_no":"X1"}`, http.StatusNoContent: "", http.StatusBadRequest: `{"code":"PARAM_ERROR","message":"x"}`}[status]
		sb.SetHook(func(w http.ResponseWriter, _ *http.Request) bool {
			sb.ProbeNext(1)
			for k, v := range sb.SignatureHeaders([]byte(body), time.Now()) {
				w.Header()[k] = v
			}
			w.Header().Set("Request-ID", "probe")
			w.WriteHeader(status)
			_, _ = w.Write([]byte(body))
			return true
		})
		for _, cl := range calls {
			err := cl.call(context.Background(), svc, sub)
			require.ErrorIs(t, err, core.ErrInvalidSignature, "%s answered %d", cl.name, status)
		}
		sb.Close()
	}
}

// Every method refuses an invalid request before sending anything.
func TestEveryMethodValidatesFirst(t *testing.T) {
	e := newEnv(t)
	for _, c := range calls {
		err := c.call(e.ctx, e.svc, "")
		wiretest.RequireValidation(t, err, "sub_mchid")
	}
	ctx := e.ctx
	for _, err := range []error{
		second(e.svc.PreAuthorize(ctx, nil)), second(e.svc.QueryPermissionByOpenID(ctx, nil)),
		second(e.svc.QueryPermissionByAuthorizationCode(ctx, nil)), second(e.svc.TerminatePermissionByOpenID(ctx, nil)),
		second(e.svc.TerminatePermissionByAuthorizationCode(ctx, nil)), second(e.svc.CreateOrder(ctx, nil)),
		second(e.svc.QueryOrder(ctx, nil)), second(e.svc.CancelOrder(ctx, nil)), second(e.svc.ModifyOrder(ctx, nil)),
		second(e.svc.CompleteOrder(ctx, nil)), second(e.svc.PayOrder(ctx, nil)), second(e.svc.SyncOrder(ctx, nil)),
	} {
		wiretest.RequireValidation(t, err, "request")
	}
	// Path parameters outside their character set never reach the server.
	for _, bad := range []string{"..", "a/b", "a?b", "a#b", "%2e", "a b"} {
		_, err := e.svc.CancelOrder(ctx, &partner.CancelOrderRequest{OutOrderNo: bad, SubMchID: sub, Reason: "r"})
		wiretest.RequireValidation(t, err, "out_order_no")
		_, err = e.svc.QueryPermissionByAuthorizationCode(ctx, &partner.QueryPermissionByAuthorizationCodeRequest{AuthorizationCode: bad, ServiceID: noConfirm, SubMchID: sub})
		wiretest.RequireValidation(t, err, "authorization_code")
	}
	require.Empty(t, e.rec.Requests(), "nothing may be sent")
}

func second[T any](_ T, err error) error { return err }

// The write calls answer 204; a 200 with the order, which some deployments
// send, is verified and decoded rather than refused.
func TestWriteCallsTolerateA200Body(t *testing.T) {
	order := `{"appid":"wxd678efh567hg6787","mchid":"1230000109","sub_mchid":"1900000110","out_order_no":"X1","service_id":"500001",
		"service_introduction":"某某酒店","state":"DOING","state_description":"MCH_COMPLETE","total_amount":3900,"order_id":"1000000000201912111112345678"}`
	f := wiretest.NewFakeAPI(t, func(int, wire) (int, string) { return http.StatusOK, order })
	svc := partner.NewService(f.Client)
	ctx := context.Background()
	var answers []*partner.ServiceOrder
	cancel, err := svc.CancelOrder(ctx, &partner.CancelOrderRequest{OutOrderNo: "X1", SubMchID: sub, Reason: "r"})
	require.NoError(t, err)
	answers = append(answers, cancel.Order)
	modify, err := svc.ModifyOrder(ctx, &partner.ModifyOrderRequest{OutOrderNo: "X1", SubMchID: sub, PostPayments: exPays(), TotalAmount: 4000, Reason: "r"})
	require.NoError(t, err)
	answers = append(answers, modify.Order)
	r := exComplete()
	r.OutOrderNo = "X1"
	complete, err := svc.CompleteOrder(ctx, r)
	require.NoError(t, err)
	answers = append(answers, complete.Order)
	pay, err := svc.PayOrder(ctx, &partner.PayOrderRequest{OutOrderNo: "X1", SubMchID: sub})
	require.NoError(t, err)
	answers = append(answers, pay.Order)
	sync, err := svc.SyncOrder(ctx, &partner.SyncOrderRequest{OutOrderNo: "X1", ServiceID: noConfirm, SubMchID: sub, Type: payscore.SyncOrderPaid, Detail: partner.SyncDetail{PaidTime: "20260301"}})
	require.NoError(t, err)
	answers = append(answers, sync.Order)
	for _, o := range answers {
		require.NotNil(t, o)
		require.Equal(t, sub, o.SubMchID)
		require.Equal(t, "1230000109", o.MchID)
		require.Equal(t, payscore.StateDescriptionMchComplete, o.StateDescription)
		require.EqualValues(t, 3900, o.TotalAmount)
	}
	require.Equal(t, 200, sync.StatusCode)
	require.Equal(t, "fake-5", sync.RequestID)
	for _, w := range f.Requests() {
		require.Equal(t, http.MethodPost, w.Method)
		require.True(t, strings.HasPrefix(w.URI, "/v3/payscore/partner/serviceorder/X1/"), w.URI)
	}

	// A 200 body that is not an order is an error, never a silent success.
	bad := wiretest.NewFakeAPI(t, func(int, wire) (int, string) { return http.StatusOK, `{"state":1}` })
	_, err = partner.NewService(bad.Client).PayOrder(ctx, &partner.PayOrderRequest{OutOrderNo: "X1", SubMchID: sub})
	require.Error(t, err)
	require.False(t, errors.Is(err, core.ErrInvalidSignature))
}

// CreateOrder and CancelOrder are idempotent on identical parameters and
// are retried on a transient answer; the other writes are not.
func TestRetries(t *testing.T) {
	answers := 0
	f := wiretest.NewFakeAPI(t, func(n int, _ wire) (int, string) {
		answers++
		if n%2 == 1 {
			return http.StatusInternalServerError, `{"code":"SYSTEM_ERROR","message":"busy"}`
		}
		return http.StatusNoContent, ""
	})
	svc := partner.NewService(f.Client)
	ctx := context.Background()
	_, err := svc.CancelOrder(ctx, &partner.CancelOrderRequest{OutOrderNo: "X1", SubMchID: sub, Reason: "r"})
	require.NoError(t, err, "cancel is retried")
	require.Equal(t, 2, answers)
	_, err = svc.PayOrder(ctx, &partner.PayOrderRequest{OutOrderNo: "X1", SubMchID: sub})
	ae := wiretest.RequireAPIError(t, err, http.StatusInternalServerError, "SYSTEM_ERROR")
	require.Equal(t, 1, ae.Attempts, "pay is not retried")
}

func TestNewServiceRefusesNilClient(t *testing.T) {
	require.PanicsWithValue(t, "partner.NewService: nil *core.Client; build one with core.NewClient", func() { partner.NewService(nil) })
}

// Spec §9.7: an order is found by query_id instead of out_order_no, every
// parameter in the query string, service_id only when given and never an
// appid; the answer is the order entity with the sub-merchant fields.
func TestQueryOrderByQueryIDOnTheWire(t *testing.T) {
	f := wiretest.NewFakeAPI(t, func(int, wire) (int, string) {
		return http.StatusOK, `{"out_order_no":"PW-1","service_id":"500001","appid":"wxd678efh567hg6787","mchid":"1230000109",
			"sub_mchid":"1900000110","sub_appid":"wxd678efh567hg6999","sub_openid":"` + subOpenID + `","service_introduction":"x",
			"state":"DOING","state_description":"MCH_COMPLETE","total_amount":3900,"need_collection":true,
			"collection":{"state":"USER_PAYING","total_amount":3900,"paying_amount":3900,"paid_amount":0},
			"risk_fund":{"name":"ESTIMATE_ORDER_COST","amount":10000},"notify_url":"https://sp.example.com/n","order_id":"15646546545165651651"}`
	})
	svc := partner.NewService(f.Client)
	queryID := strings.Repeat("q", 512) // the documented maximum
	q, err := svc.QueryOrder(context.Background(), &partner.QueryOrderRequest{SubMchID: sub, QueryID: queryID})
	require.NoError(t, err)
	reqs := f.Requests()
	require.Len(t, reqs, 1)
	requireWire(t, reqs[0], http.MethodGet, "/v3/payscore/partner/serviceorder?query_id="+queryID+"&sub_mchid="+sub, "")
	require.Equal(t, sub, q.SubMchID)
	require.Equal(t, subApp, q.SubAppID)
	require.Equal(t, subOpenID, q.SubOpenID)
	require.Equal(t, "1230000109", q.MchID, "mchid is the service provider")
	require.Equal(t, payscore.CollectionUserPaying, q.Collection.State)
	require.Equal(t, int64(3900), q.TotalAmount)
}

// Spec §9.3: a user named under the sub-merchant's AppID is revoked with
// sub_appid and sub_openid in the body (no openid), answered 204.
func TestTerminateBySubOpenIDOnTheWire(t *testing.T) {
	f := wiretest.NewFakeAPI(t, func(int, wire) (int, string) { return http.StatusNoContent, "" })
	resp, err := partner.NewService(f.Client).TerminatePermissionByOpenID(context.Background(), &partner.TerminatePermissionByOpenIDRequest{
		ServiceID: noConfirm, SubMchID: sub, AppID: appID, SubAppID: core.Ptr(subApp), SubOpenID: core.Ptr(subOpenID), Reason: "撤销授权"})
	require.NoError(t, err)
	require.Equal(t, http.StatusNoContent, resp.StatusCode)
	reqs := f.Requests()
	require.Len(t, reqs, 1)
	requireWire(t, reqs[0], http.MethodPost, "/v3/payscore/partner/permissions/terminate",
		`{"service_id":"500001","sub_mchid":"1900000110","appid":"wxd678efh567hg6787","sub_appid":"wxd678efh567hg6999","sub_openid":"`+subOpenID+`","reason":"撤销授权"}`)
}
