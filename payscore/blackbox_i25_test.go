package payscore_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/payscore"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

// bbRecorder records every request that leaves the client.
type bbRecorder struct {
	mu   sync.Mutex
	reqs []*http.Request
}

func (r *bbRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.reqs = append(r.reqs, req.Clone(req.Context()))
	r.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

func (r *bbRecorder) all() []*http.Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*http.Request(nil), r.reqs...)
}

func bbSandbox(t *testing.T) (*sandbox.Server, *payscore.Service, *bbRecorder) {
	t.Helper()
	sb, err := sandbox.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sb.Close)
	rec := &bbRecorder{}
	c, err := sb.Client(core.WithHTTPClient(&http.Client{Transport: rec}))
	if err != nil {
		t.Fatal(err)
	}
	return sb, payscore.NewService(c), rec
}

// The direct-complete call is sent to /payscore/serviceorder/direct-complete
// (no /v3), signed for that path (the sandbox checks the signature), and
// carries the public key ID like every other request.
func TestBlackBoxDirectCompletePathOnWire(t *testing.T) {
	sb, svc, rec := bbSandbox(t)
	ctx := context.Background()
	if err := sb.PayScoreEnableDirectComplete(sandbox.PayScoreNoConfirmServiceID); err != nil {
		t.Fatal(err)
	}
	pre, err := svc.PreAuthorize(ctx, &payscore.PreAuthorizeRequest{
		ServiceID: sandbox.PayScoreNoConfirmServiceID, AppID: sandbox.AppID, AuthorizationCode: "AUTHBB01",
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := sb.PayScoreSimulateUserAuthorize(ctx, pre.ApplyPermissionsToken, "bb-openid"); err != nil {
		t.Fatal(err)
	}
	st, err := svc.QueryUserServiceState(ctx, &payscore.QueryUserServiceStateRequest{
		ServiceID: sandbox.PayScoreNoConfirmServiceID, AppID: sandbox.AppID, OpenID: "bb-openid",
	})
	if err != nil {
		t.Fatal(err)
	}
	if st.UseServiceState != "AVAILABLE" {
		t.Fatalf("state %q", st.UseServiceState)
	}
	_, err = svc.DirectCompleteOrder(ctx, &payscore.DirectCompleteOrderRequest{
		OutOrderNo: "BBDC0001", AppID: sandbox.AppID, OpenID: "bb-openid", ServiceID: sandbox.PayScoreNoConfirmServiceID,
		ServiceIntroduction: "停车服务",
		PostPayments:        []payscore.PostPayment{{Name: "停车费", Amount: core.Ptr[int64](1500)}},
		TimeRange:           payscore.TimeRange{StartTime: "20261125080000"},
		TotalAmount:         1500,
	})
	if err != nil {
		t.Fatal(err)
	}
	reqs := rec.all()
	var sawDC, sawState bool
	for _, r := range reqs {
		if got := r.Header.Get("Wechatpay-Serial"); !strings.HasPrefix(got, "PUB_KEY_ID_") {
			t.Errorf("%s %s: Wechatpay-Serial = %q, want PUB_KEY_ID_…", r.Method, r.URL.Path, got)
		}
		if !strings.HasPrefix(r.Header.Get("Authorization"), "WECHATPAY2-SHA256-RSA2048 ") {
			t.Errorf("%s %s: not signed", r.Method, r.URL.Path)
		}
		switch r.URL.Path {
		case "/payscore/serviceorder/direct-complete":
			sawDC = r.Method == http.MethodPost
		case "/v3/payscore/user-service-state":
			q := r.URL.Query()
			sawState = r.Method == http.MethodGet && q.Get("openid") == "bb-openid" &&
				q.Get("appid") == sandbox.AppID && q.Get("service_id") == sandbox.PayScoreNoConfirmServiceID
		}
		if strings.Contains(r.URL.Path, "direct-complete") && r.URL.Path != "/payscore/serviceorder/direct-complete" {
			t.Errorf("direct-complete sent to %q", r.URL.Path)
		}
	}
	if !sawDC || !sawState {
		t.Fatalf("direct-complete seen %v, user-service-state seen %v", sawDC, sawState)
	}
}

// Path parameters that would change the route are refused before sending.
func TestBlackBoxPathInjectionNothingSent(t *testing.T) {
	_, svc, rec := bbSandbox(t)
	ctx := context.Background()
	for _, bad := range []string{"..", ".", "a/b", "%2e%2e", "a%20b", "a?b", "a#b", "a b", "", "用户"} {
		_, err := svc.TerminatePermissionByOpenID(ctx, &payscore.TerminatePermissionByOpenIDRequest{
			OpenID: bad, ServiceID: sandbox.PayScoreNoConfirmServiceID, AppID: sandbox.AppID, Reason: "r",
		})
		var ve *core.ValidationError
		if !errors.As(err, &ve) {
			t.Errorf("openid %q: err = %v, want *core.ValidationError", bad, err)
		}
		_, err = svc.QueryPermissionByOpenID(ctx, &payscore.QueryPermissionByOpenIDRequest{
			OpenID: bad, ServiceID: sandbox.PayScoreNoConfirmServiceID, AppID: sandbox.AppID,
		})
		if !errors.As(err, &ve) {
			t.Errorf("query openid %q: err = %v, want *core.ValidationError", bad, err)
		}
		_, err = svc.CancelOrder(ctx, &payscore.CancelOrderRequest{
			OutOrderNo: bad, ServiceID: sandbox.PayScoreNoConfirmServiceID, AppID: sandbox.AppID, Reason: "r",
		})
		if !errors.As(err, &ve) {
			t.Errorf("out_order_no %q: err = %v, want *core.ValidationError", bad, err)
		}
		_, err = svc.QueryPermissionByAuthorizationCode(ctx, &payscore.QueryPermissionByAuthorizationCodeRequest{
			AuthorizationCode: bad, ServiceID: sandbox.PayScoreNoConfirmServiceID,
		})
		if !errors.As(err, &ve) {
			t.Errorf("authorization_code %q: err = %v, want *core.ValidationError", bad, err)
		}
	}
	if n := len(rec.all()); n != 0 {
		t.Fatalf("%d requests sent", n)
	}
}

func TestBlackBoxTotalOverflow(t *testing.T) {
	pp := []payscore.PostPayment{
		{Name: "a", Amount: core.Ptr[int64](math.MaxInt64)},
		{Name: "b", Amount: core.Ptr[int64](math.MaxInt64)},
		{Name: "c", Amount: core.Ptr[int64](2)},
	}
	if _, err := payscore.Total(pp, nil); err == nil {
		t.Fatal("Total overflow: no error")
	}
	neg := []payscore.PostDiscount{{Name: "d", Description: core.Ptr("x"), Amount: core.Ptr[int64](math.MaxInt64)}}
	if _, err := payscore.Total([]payscore.PostPayment{{Name: "a", Amount: core.Ptr[int64](-10)}}, neg); err == nil {
		t.Fatal("Total underflow: no error")
	}
}

// A nil receiver of every request type answers a ValidationError, no panic.
func TestBlackBoxNilValidate(t *testing.T) {
	for name, v := range map[string]interface{ Validate() error }{
		"PreAuthorize":            (*payscore.PreAuthorizeRequest)(nil),
		"QueryPermissionByOpenID": (*payscore.QueryPermissionByOpenIDRequest)(nil),
		"QueryPermissionByCode":   (*payscore.QueryPermissionByAuthorizationCodeRequest)(nil),
		"TerminateByOpenID":       (*payscore.TerminatePermissionByOpenIDRequest)(nil),
		"TerminateByCode":         (*payscore.TerminatePermissionByAuthorizationCodeRequest)(nil),
		"CreateOrder":             (*payscore.CreateOrderRequest)(nil),
		"QueryOrder":              (*payscore.QueryOrderRequest)(nil),
		"CancelOrder":             (*payscore.CancelOrderRequest)(nil),
		"ModifyOrder":             (*payscore.ModifyOrderRequest)(nil),
		"CompleteOrder":           (*payscore.CompleteOrderRequest)(nil),
		"PayOrder":                (*payscore.PayOrderRequest)(nil),
		"SyncOrder":               (*payscore.SyncOrderRequest)(nil),
		"DirectComplete":          (*payscore.DirectCompleteOrderRequest)(nil),
		"UserServiceState":        (*payscore.QueryUserServiceStateRequest)(nil),
		"OrderDetailPage":         (*payscore.OrderDetailPageRequest)(nil),
	} {
		err := v.Validate()
		var ve *core.ValidationError
		if !errors.As(err, &ve) {
			t.Errorf("%s: nil Validate = %v", name, err)
		}
	}
}

// An APIError from an openid endpoint, and the Debug log of the call, show
// the route template, never the OpenID.
func TestBlackBoxOpenIDNotInErrorsOrLogs(t *testing.T) {
	sb, err := sandbox.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sb.Close)
	var logs strings.Builder
	var mu sync.Mutex
	lg := slog.New(slog.NewTextHandler(bbWriter{&mu, &logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, err := sb.Client(core.WithLogger(lg))
	if err != nil {
		t.Fatal(err)
	}
	svc := payscore.NewService(c)
	if err := sb.InjectFault(sandbox.Fault{Kind: sandbox.FaultRateLimited}); err != nil {
		t.Fatal(err)
	}
	const secret = "oBBSecretOpenID4242"
	_, err = svc.QueryPermissionByOpenID(context.Background(), &payscore.QueryPermissionByOpenIDRequest{
		OpenID: secret, ServiceID: sandbox.PayScoreNoConfirmServiceID, AppID: sandbox.AppID,
	})
	var ae *core.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("err = %v, want *core.APIError", err)
	}
	_, err2 := svc.TerminatePermissionByOpenID(context.Background(), &payscore.TerminatePermissionByOpenIDRequest{
		OpenID: secret, ServiceID: sandbox.PayScoreNoConfirmServiceID, AppID: sandbox.AppID, Reason: "r",
	})
	mu.Lock()
	out := logs.String()
	mu.Unlock()
	if !strings.Contains(out, "level=DEBUG") {
		t.Fatalf("no Debug log of the call: %q", out)
	}
	for _, s := range []string{err.Error(), fmt.Sprintf("%+v", err), ae.Path, fmt.Sprint(err2), out} {
		if strings.Contains(s, secret) {
			t.Errorf("openid leaked: %q", s)
		}
	}
	if !strings.Contains(ae.Path, "{openid}") {
		t.Errorf("APIError.Path = %q, want the route template", ae.Path)
	}
}

type bbWriter struct {
	mu *sync.Mutex
	b  *strings.Builder
}

func (w bbWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}
