package partner_test

import (
	"context"
	"errors"
	"testing"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/payscore/partner"
)

// The names are a contract: NewService and the twelve methods, each
// taking its request type, and every request validating a nil receiver.
func TestBlackBoxMethodSetContract(t *testing.T) {
	var newService func(*core.Client) *partner.Service = partner.NewService
	_ = newService
	type (
		ctx = context.Context
		s   = *partner.Service
	)
	_ = []any{
		func(x s) func(ctx, *partner.PreAuthorizeRequest) (*partner.PreAuthorizeResponse, error) {
			return x.PreAuthorize
		},
		func(x s) func(ctx, *partner.QueryPermissionByOpenIDRequest) (*partner.PermissionResponse, error) {
			return x.QueryPermissionByOpenID
		},
		func(x s) func(ctx, *partner.QueryPermissionByAuthorizationCodeRequest) (*partner.PermissionResponse, error) {
			return x.QueryPermissionByAuthorizationCode
		},
		func(x s) func(ctx, *partner.TerminatePermissionByOpenIDRequest) (*partner.TerminatePermissionResponse, error) {
			return x.TerminatePermissionByOpenID
		},
		func(x s) func(ctx, *partner.TerminatePermissionByAuthorizationCodeRequest) (*partner.TerminatePermissionResponse, error) {
			return x.TerminatePermissionByAuthorizationCode
		},
		func(x s) func(ctx, *partner.CreateOrderRequest) (*partner.CreateOrderResponse, error) {
			return x.CreateOrder
		},
		func(x s) func(ctx, *partner.QueryOrderRequest) (*partner.OrderResponse, error) { return x.QueryOrder },
		func(x s) func(ctx, *partner.CancelOrderRequest) (*partner.CancelOrderResponse, error) {
			return x.CancelOrder
		},
		func(x s) func(ctx, *partner.ModifyOrderRequest) (*partner.ModifyOrderResponse, error) {
			return x.ModifyOrder
		},
		func(x s) func(ctx, *partner.CompleteOrderRequest) (*partner.CompleteOrderResponse, error) {
			return x.CompleteOrder
		},
		func(x s) func(ctx, *partner.PayOrderRequest) (*partner.PayOrderResponse, error) { return x.PayOrder },
		func(x s) func(ctx, *partner.SyncOrderRequest) (*partner.SyncOrderResponse, error) { return x.SyncOrder },
	}
	for name, v := range map[string]interface{ Validate() error }{
		"PreAuthorize":                           (*partner.PreAuthorizeRequest)(nil),
		"QueryPermissionByOpenID":                (*partner.QueryPermissionByOpenIDRequest)(nil),
		"QueryPermissionByAuthorizationCode":     (*partner.QueryPermissionByAuthorizationCodeRequest)(nil),
		"TerminatePermissionByOpenID":            (*partner.TerminatePermissionByOpenIDRequest)(nil),
		"TerminatePermissionByAuthorizationCode": (*partner.TerminatePermissionByAuthorizationCodeRequest)(nil),
		"CreateOrder":                            (*partner.CreateOrderRequest)(nil),
		"QueryOrder":                             (*partner.QueryOrderRequest)(nil),
		"CancelOrder":                            (*partner.CancelOrderRequest)(nil),
		"ModifyOrder":                            (*partner.ModifyOrderRequest)(nil),
		"CompleteOrder":                          (*partner.CompleteOrderRequest)(nil),
		"PayOrder":                               (*partner.PayOrderRequest)(nil),
		"SyncOrder":                              (*partner.SyncOrderRequest)(nil),
	} {
		var ve *core.ValidationError
		if err := v.Validate(); !errors.As(err, &ve) {
			t.Errorf("%s: nil Validate = %v", name, err)
		}
	}
}

// Path parameters of the partner routes are checked: nothing is sent.
func TestBlackBoxPartnerPathInjection(t *testing.T) {
	e := newEnv(t)
	for _, bad := range []string{"..", ".", "a/b", "%2e", "a b", "a?b", "a#b"} {
		_, err := e.svc.CancelOrder(e.ctx, &partner.CancelOrderRequest{OutOrderNo: bad, SubMchID: sub, Reason: "r"})
		var ve *core.ValidationError
		if !errors.As(err, &ve) {
			t.Errorf("out_order_no %q: %v", bad, err)
		}
		_, err = e.svc.QueryPermissionByAuthorizationCode(e.ctx, &partner.QueryPermissionByAuthorizationCodeRequest{AuthorizationCode: bad, ServiceID: noConfirm, SubMchID: sub})
		if !errors.As(err, &ve) {
			t.Errorf("authorization_code %q: %v", bad, err)
		}
	}
	if n := len(e.rec.Requests()); n != 0 {
		t.Fatalf("%d requests sent", n)
	}
}
