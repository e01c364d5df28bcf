package payscore

import (
	"context"
	"net/http"
	"net/url"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/internal/validate"
	"github.com/wechatpay-biz/wechatpay-biz-go/payscore/internal/shared"
)

// DirectCompleteOrderPath is the path of create-and-complete (创单结单合并).
// The current official page documents it WITHOUT the /v3 prefix of every
// other pay-score endpoint, and the request is signed over this path as
// sent; older descriptions put it under /v3. DirectCompleteOrder uses this
// constant: should the live server disagree, call core.Call with the other
// path.
const DirectCompleteOrderPath = "/payscore/serviceorder/direct-complete"

// MaxDirectCompleteDiscounts is the most post_discounts a create-and-
// complete order may have (5, where other calls allow MaxPostDiscounts).
const MaxDirectCompleteDiscounts = 5

// maxGoodsTag is the documented length of a create-and-complete goods_tag,
// in characters.
const maxGoodsTag = 32

// DirectCompleteOrderRequest creates a service order and completes it in
// one call: the user, who authorized the no-confirm service, is charged at
// once (password-free deduction).
type DirectCompleteOrderRequest struct {
	// OutOrderNo is the merchant's order number, unique per merchant: 1 to
	// 32 ASCII letters, digits and _-|*. It cannot be used as a refund
	// out_trade_no (refund the collection detail's transaction_id).
	OutOrderNo string `json:"out_order_no"`
	// AppID is bound to the merchant, at most 32 characters.
	AppID string `json:"appid"`
	// OpenID is the user under AppID, at most 128 characters.
	OpenID string `json:"openid"`
	// ServiceID is the no-confirm service, at most 32 characters.
	ServiceID string `json:"service_id"`
	// ServiceIntroduction is shown to the user, at most 20 characters.
	ServiceIntroduction string `json:"service_introduction"`
	// PostPayments are the charged items, 1 to 100.
	PostPayments []PostPayment `json:"post_payments"`
	// PostDiscounts are the merchant discounts, at most 5, each with a name
	// and a description.
	PostDiscounts []PostDiscount `json:"post_discounts,omitempty"`
	// TimeRange is the service period: StartTime (yyyyMMddHHmmss or
	// yyyyMMdd, Beijing time; not OnAccept, as nobody confirms) is required;
	// StartTimeRemark at most 20 characters, EndTimeRemark at most 50.
	TimeRange TimeRange `json:"time_range"`
	// Location is where the service started and ended.
	Location *Location `json:"location,omitempty"`
	// TotalAmount is what the user is charged, in fen: Σ post_payments.amount
	// − Σ post_discounts.amount, at most the service's risk ceiling. It is
	// always sent, 0 included.
	TotalAmount int64 `json:"total_amount"`
	// ProfitSharing marks the payment for profit sharing (default false).
	ProfitSharing *bool `json:"profit_sharing,omitempty"`
	// GoodsTag is a coupon tag, at most 32 characters.
	GoodsTag *string `json:"goods_tag,omitempty"`
	// Attach is merchant data, at most 256 characters (URL-encode it); it
	// is echoed in the PAYSCORE.USER_PAID callback.
	Attach *string `json:"attach,omitempty"`
	// NotifyURL receives the PAYSCORE.USER_PAID callback: absolute, without
	// a query string, at most 255 characters.
	NotifyURL *string `json:"notify_url,omitempty"`
}

const opDirectComplete = "payscore.DirectCompleteOrder"

// Validate reports every broken rule of the request by wire field name (a
// nil request is one) as a *core.ValidationError, or nil: what
// DirectCompleteOrder checks before sending anything. Besides the lengths
// above: post_payments 1 to 100 items with unique names (商品信息 may
// repeat), non-negative amounts and counts of 1 to 100; at most 5
// post_discounts, each with a unique name and a description; a start time
// that is a real yyyyMMddHHmmss or yyyyMMdd time; total_amount equal to
// the items' amounts (sums checked for overflow).
func (r *DirectCompleteOrderRequest) Validate() error {
	if r == nil {
		return validate.NilRequest(opDirectComplete)
	}
	var v validate.V
	shared.OutOrderNo(&v, r.OutOrderNo)
	shared.ID(&v, "appid", r.AppID)
	v.RequiredText("openid", r.OpenID, shared.MaxOpenID)
	shared.ID(&v, "service_id", r.ServiceID)
	v.RequiredText("service_introduction", r.ServiceIntroduction, shared.MaxIntroduction)
	v.Nested("", ValidateItems(r.PostPayments, r.PostDiscounts, ItemRules{
		PaymentsRequired: true, DiscountDescriptionRequired: true, MaxDiscounts: MaxDirectCompleteDiscounts,
	}))
	v.Nested("time_range.", ValidateTimeRange(r.TimeRange, TimeRangeRules{StartRequired: true, ActualStart: true, RemarkLimits: true}))
	v.Nested("location.", shared.Optional(r.Location, Location.Validate))
	v.Nested("", ValidateTotal(r.TotalAmount, r.PostPayments, r.PostDiscounts))
	v.OptionalText("goods_tag", r.GoodsTag, maxGoodsTag)
	v.OptionalText("attach", r.Attach, shared.MaxAttach)
	shared.OptionalNotifyURL(&v, r.NotifyURL)
	return v.Err(opDirectComplete)
}

// DirectCompleteOrderResponse is the order created and completed by
// DirectCompleteOrder. The state it is left in is not documented: expect
// DOING/MCH_COMPLETE while the deduction runs, or DONE; the deduction is
// reported by the PAYSCORE.USER_PAID callback (see ParseOrderEvent).
type DirectCompleteOrderResponse struct {
	core.ResponseMeta `json:"-"`
	ServiceOrder
}

// DirectCompleteOrder creates a service order and completes it in one call
// (创单结单合并), charging the user at once without any order-level risk
// check. WeChat Pay opens it only on request, only for no-confirm services
// and only for users whose authorization is AVAILABLE.
//
// Its documented path has no /v3 prefix (see DirectCompleteOrderPath). The
// call is keyed by OutOrderNo, so it is retried on transient answers: a
// merchant order number creates at most one order.
//
// Errors: *core.ValidationError (nothing sent); *core.APIError, e.g. 403
// NO_AUTH (not opened for the merchant), 400 PARAM_ERROR or
// INVALID_REQUEST (the user has not authorized, the order number was used
// with other parameters), 429 FREQUENCY_LIMITED, 500 SYSTEM_ERROR;
// signature errors matching core.ErrInvalidSignature.
//
// POST /payscore/serviceorder/direct-complete
// https://pay.weixin.qq.com/doc/v3/merchant/4012924361
func (s *Service) DirectCompleteOrder(ctx context.Context, req *DirectCompleteOrderRequest) (*DirectCompleteOrderResponse, error) {
	return core.Call[DirectCompleteOrderResponse](ctx, s.c, core.Endpoint{
		Op: opDirectComplete, Method: http.MethodPost, Route: DirectCompleteOrderPath, Idempotent: true,
	}, req, shared.Body(req))
}

// UseServiceState says whether a user has enabled a service, in the legacy
// ordinary-authorization flow.
type UseServiceState string

// Use service states.
const (
	UseServiceUnavailable UseServiceState = "UNAVAILABLE" // not authorized
	UseServiceAvailable   UseServiceState = "AVAILABLE"   // authorized
)

// Values lists the documented use service states.
func (UseServiceState) Values() []UseServiceState {
	return []UseServiceState{UseServiceUnavailable, UseServiceAvailable}
}

// QueryUserServiceStateRequest asks whether a user has enabled a service.
// All three fields go in the query string.
type QueryUserServiceStateRequest struct {
	ServiceID string `json:"-"` // the service ID, at most 32 characters
	AppID     string `json:"-"` // the AppID, at most 32 characters
	OpenID    string `json:"-"` // the user under AppID, at most 128 characters
}

const opUserServiceState = "payscore.QueryUserServiceState"

// Validate reports every broken rule of the request by wire field name (a
// nil request is one) as a *core.ValidationError, or nil: what
// QueryUserServiceState checks before sending anything.
func (r *QueryUserServiceStateRequest) Validate() error {
	if r == nil {
		return validate.NilRequest(opUserServiceState)
	}
	var v validate.V
	shared.ID(&v, "service_id", r.ServiceID)
	shared.ID(&v, "appid", r.AppID)
	v.RequiredText("openid", r.OpenID, shared.MaxOpenID)
	return v.Err(opUserServiceState)
}

// QueryUserServiceStateResponse is the user's state for the service.
type QueryUserServiceStateResponse struct {
	core.ResponseMeta `json:"-"`
	AppID             string          `json:"appid"`             // echo of the AppID
	ServiceID         string          `json:"service_id"`        // echo of the service ID
	OpenID            string          `json:"openid,omitempty"`  // echo of the user's OpenID
	UseServiceState   UseServiceState `json:"use_service_state"` // AVAILABLE or UNAVAILABLE
}

// QueryUserServiceState tells whether a user has enabled (authorized) a
// service. Legacy: it belongs to the older ordinary-authorization flow;
// merchants using pre-authorization query QueryPermissionByOpenID or
// QueryPermissionByAuthorizationCode instead. There is no service-provider
// variant.
//
// Errors: *core.ValidationError (nothing sent); *core.APIError, e.g. 400
// PARAM_ERROR, 403 NO_AUTH; signature errors matching
// core.ErrInvalidSignature.
//
// GET /v3/payscore/user-service-state
// https://pay.weixin.qq.com/wiki/doc/apiv3/wxpay/payscore/chapter3_8.shtml
func (s *Service) QueryUserServiceState(ctx context.Context, req *QueryUserServiceStateRequest) (*QueryUserServiceStateResponse, error) {
	return core.Call[QueryUserServiceStateResponse](ctx, s.c, core.Endpoint{
		Op: opUserServiceState, Method: http.MethodGet, Route: "/v3/payscore/user-service-state", Idempotent: true,
	}, req, func(r *core.Request) error {
		r.Query = url.Values{"appid": {req.AppID}, "service_id": {req.ServiceID}, "openid": {req.OpenID}}
		return nil
	})
}
