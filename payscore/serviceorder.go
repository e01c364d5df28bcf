package payscore

import (
	"context"
	"net/http"
	"net/url"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/internal/validate"
	"github.com/wechatpay-biz/wechatpay-biz-go/payscore/internal/shared"
)

// CreateOrderRequest creates a service order.
type CreateOrderRequest struct {
	// OutOrderNo is the merchant's order number: 1-32 digits, letters or
	// _-|*. It cannot be used as a refund out_trade_no.
	OutOrderNo string `json:"out_order_no"`
	// AppID must be reused when completing and cancelling the order.
	AppID               string `json:"appid"`
	ServiceID           string `json:"service_id"`           // pay-score service ID, at most 32 characters
	ServiceIntroduction string `json:"service_introduction"` // shown to the user, at most 20 characters
	// PostPayments lists the post-paid items, at most 100.
	PostPayments []PostPayment `json:"post_payments,omitempty"`
	// PostDiscounts lists the merchant discounts, at most 30.
	PostDiscounts []PostDiscount `json:"post_discounts,omitempty"`
	TimeRange     TimeRange      `json:"time_range"`         // service period; StartTime is required
	Location      *Location      `json:"location,omitempty"` // where the service starts and is expected to end
	RiskFund      RiskFund       `json:"risk_fund"`          // required
	// Attach is echoed in the confirm and paid callbacks; at most 256
	// characters (URL-encode it).
	Attach *string `json:"attach,omitempty"`
	// NotifyURL receives the PAYSCORE.USER_CONFIRM and PAYSCORE.USER_PAID
	// callbacks; at most 255 characters, no query string.
	NotifyURL string `json:"notify_url"`
	// OpenID of the user; required when NeedUserConfirm is false.
	OpenID *string `json:"openid,omitempty"`
	// NeedUserConfirm defaults to true (confirm mode). Set it to
	// core.Ptr(false) for no-confirm mode, which needs the user's
	// authorization: false is then sent explicitly.
	NeedUserConfirm *bool   `json:"need_user_confirm,omitempty"`
	Device          *Device `json:"device,omitempty"` // devices of an unattended service
}

// CreateOrderResponse is the created order.
type CreateOrderResponse struct {
	core.ResponseMeta `json:"-"`
	ServiceOrder
	// Package opens the confirm page (see ConfirmOrderPage).
	Package string `json:"package"`
}

// CreateOrder creates a service order. In confirm mode it starts CREATED
// and the user confirms it on the page opened with the returned Package; in
// no-confirm mode (NeedUserConfirm false) it starts DOING/USER_CONFIRM, and
// any other state means creation failed. Creating again with identical
// parameters returns the same order.
//
// Errors: *core.ValidationError (nothing sent); *core.APIError with the
// Request-ID, e.g. 400 PARAM_ERROR, 400 INVALID_REQUEST (such as the
// order number already used with other parameters), 403 NO_AUTH, 429
// FREQUENCY_LIMITED, 500 SYSTEM_ERROR; signature errors matching
// core.ErrInvalidSignature; the context's error.
//
// POST /v3/payscore/serviceorder —
// https://pay.weixin.qq.com/docs/merchant/apis/weixin-pay-score/service-order/create-service-order.html
func (s *Service) CreateOrder(ctx context.Context, req *CreateOrderRequest) (*CreateOrderResponse, error) {
	// Idempotent on identical parameters, so a retry returns the same order.
	return core.Call[CreateOrderResponse](ctx, s.c, core.Endpoint{
		Op: "payscore.CreateOrder", Method: http.MethodPost, Route: "/v3/payscore/serviceorder", Idempotent: true,
	}, req, shared.Body(req))
}

// Validate reports every broken rule of the request by wire field name (a
// nil request is one) as a *core.ValidationError, or nil: what CreateOrder
// checks before sending anything. Amounts are checked not to be negative;
// the risk fund's amount against the service's ceiling only the server can
// check.
func (r *CreateOrderRequest) Validate() error {
	const op = "payscore.CreateOrder"
	if r == nil {
		return validate.NilRequest(op)
	}
	var v validate.V
	shared.OutOrderNo(&v, r.OutOrderNo)
	shared.ID(&v, "appid", r.AppID)
	shared.ID(&v, "service_id", r.ServiceID)
	v.RequiredText("service_introduction", r.ServiceIntroduction, shared.MaxIntroduction)
	v.Nested("", ValidateItems(r.PostPayments, r.PostDiscounts, ItemRules{DiscountDescriptionRequired: true}))
	v.Nested("time_range.", ValidateTimeRange(r.TimeRange, TimeRangeRules{StartRequired: true}))
	v.Nested("location.", shared.Optional(r.Location, Location.Validate))
	v.Nested("risk_fund.", r.RiskFund.Validate())
	v.OptionalText("attach", r.Attach, shared.MaxAttach)
	shared.RequiredNotifyURL(&v, r.NotifyURL)
	// openid has no documented maximum length here; when set it must not
	// be empty.
	switch {
	case r.OpenID != nil:
		v.RequiredText("openid", *r.OpenID, 0)
	case r.NeedUserConfirm != nil && !*r.NeedUserConfirm:
		v.Add("openid", "is required when need_user_confirm is false")
	}
	v.Nested("device.", shared.Optional(r.Device, Device.Validate))
	return v.Err(op)
}

// QueryOrderRequest identifies an order by exactly one of OutOrderNo and
// QueryID.
type QueryOrderRequest struct {
	OutOrderNo string `json:"-"` // query: merchant order number, 1-32 letters, digits, _-|*
	// QueryID is what the confirm page hands back to the merchant's mini
	// program, at most 64 characters.
	QueryID   string `json:"-"`
	ServiceID string `json:"-"` // query: service ID
	AppID     string `json:"-"` // query: AppID
}

// QueryOrder returns a service order, found by its merchant order number or
// by the query ID the confirm page returned.
//
// Errors: *core.ValidationError (nothing sent); *core.APIError with the
// Request-ID, e.g. 404 ORDER_NOT_EXIST, 400 PARAM_ERROR, 403 NO_AUTH, 429
// FREQUENCY_LIMITED, 500 SYSTEM_ERROR; signature errors matching
// core.ErrInvalidSignature; the context's error.
//
// GET /v3/payscore/serviceorder —
// https://pay.weixin.qq.com/docs/merchant/apis/weixin-pay-score/service-order/get-service-order.html
func (s *Service) QueryOrder(ctx context.Context, req *QueryOrderRequest) (*OrderResponse, error) {
	return core.Call[OrderResponse](ctx, s.c, core.Endpoint{
		Op: "payscore.QueryOrder", Method: http.MethodGet, Route: "/v3/payscore/serviceorder", Idempotent: true,
	}, req, func(r *core.Request) error { r.Query = req.query(); return nil })
}

// Validate reports every broken rule of the request by wire field name (a
// nil request is one) as a *core.ValidationError, or nil: what QueryOrder
// checks before sending anything, including that exactly one of OutOrderNo
// and QueryID is set.
func (r *QueryOrderRequest) Validate() error {
	const op = "payscore.QueryOrder"
	if r == nil {
		return validate.NilRequest(op)
	}
	var v validate.V
	shared.OrderOrQueryID(&v, r.OutOrderNo, r.QueryID, maxQueryID)
	shared.ID(&v, "service_id", r.ServiceID)
	shared.ID(&v, "appid", r.AppID)
	return v.Err(op)
}

func (r *QueryOrderRequest) query() url.Values {
	q := url.Values{"service_id": {r.ServiceID}, "appid": {r.AppID}}
	if r.OutOrderNo != "" {
		q.Set("out_order_no", r.OutOrderNo)
	} else {
		q.Set("query_id", r.QueryID)
	}
	return q
}

// CancelOrderRequest cancels an order.
type CancelOrderRequest struct {
	OutOrderNo string `json:"-"`          // path: merchant order number, 1-32 letters, digits, _-|*
	AppID      string `json:"appid"`      // the AppID the order was created with
	ServiceID  string `json:"service_id"` // service ID
	Reason     string `json:"reason"`     // shown to the user, at most 50 characters
}

// CancelOrderResponse identifies the cancelled order.
type CancelOrderResponse struct {
	core.ResponseMeta `json:"-"`
	AppID             string `json:"appid"`        // AppID of the order
	MchID             string `json:"mchid"`        // merchant ID
	OutOrderNo        string `json:"out_order_no"` // merchant order number
	ServiceID         string `json:"service_id"`   // service ID
	OrderID           string `json:"order_id"`     // WeChat Pay service order number
}

// CancelOrder cancels an order that is CREATED or DOING (including a
// completed order still waiting for payment); it becomes REVOKED. While a
// payment is being deducted it may fail for a few minutes. Cancelling again
// with identical parameters succeeds.
//
// Errors: *core.ValidationError (nothing sent); *core.APIError with the
// Request-ID, e.g. 400 INVALID_ORDER_STATE, 400 ORDER_CANCELED, 400
// ORDER_DONE, 404 ORDER_NOT_EXIST, 400 PARAM_ERROR, 400 INVALID_REQUEST, 403
// NO_AUTH, 429 FREQUENCY_LIMITED, 500 SYSTEM_ERROR; signature errors
// matching core.ErrInvalidSignature; the context's error. Errors and logs
// show the route template, never the order number.
//
// POST /v3/payscore/serviceorder/{out_order_no}/cancel —
// https://pay.weixin.qq.com/docs/merchant/apis/weixin-pay-score/service-order/cancel-service-order.html
func (s *Service) CancelOrder(ctx context.Context, req *CancelOrderRequest) (*CancelOrderResponse, error) {
	// Idempotent on identical parameters.
	return core.Call[CancelOrderResponse](ctx, s.c, core.Endpoint{
		Op: "payscore.CancelOrder", Method: http.MethodPost, Route: "/v3/payscore/serviceorder/{out_order_no}/cancel", Idempotent: true,
	}, req, func(r *core.Request) error { return shared.OrderBody(r, req.OutOrderNo, req) })
}

// Validate reports every broken rule of the request by wire field name (a
// nil request is one) as a *core.ValidationError, or nil: what CancelOrder
// checks before sending anything.
func (r *CancelOrderRequest) Validate() error {
	const op = "payscore.CancelOrder"
	if r == nil {
		return validate.NilRequest(op)
	}
	var v validate.V
	orderKey(&v, r.OutOrderNo, r.AppID, r.ServiceID)
	v.RequiredText("reason", r.Reason, shared.MaxReason)
	return v.Err(op)
}

// ModifyOrderRequest lowers the amount of a completed, unpaid order.
type ModifyOrderRequest struct {
	OutOrderNo string `json:"-"`          // path: merchant order number, 1-32 letters, digits, _-|*
	AppID      string `json:"appid"`      // the AppID the order was created with
	ServiceID  string `json:"service_id"` // service ID, at most 32 characters
	// PostPayments replaces the completed order's items (1 to 100).
	PostPayments []PostPayment `json:"post_payments"`
	// PostDiscounts replaces its discounts (at most 30, each with Amount).
	PostDiscounts []PostDiscount `json:"post_discounts,omitempty"`
	// TotalAmount in fen must equal Total(PostPayments, PostDiscounts) and
	// must not exceed the amount the order was completed with.
	TotalAmount int64 `json:"total_amount"`
	// Reason for the change. Required; the API documents no maximum length.
	Reason string  `json:"reason"`
	Device *Device `json:"device,omitempty"` // devices of an unattended service
}

// ModifyOrder lowers the amount to collect for an order that is
// DOING/MCH_COMPLETE and still USER_PAYING; WeChat Pay then deducts the new
// amount.
//
// Errors: *core.ValidationError (nothing sent); *core.APIError with the
// Request-ID, e.g. 400 INVALID_ORDER_STATE, 400 ORDER_CANCELED, 400
// ORDER_DONE, 404 ORDER_NOT_EXIST, 400 PARAM_ERROR, 400 INVALID_REQUEST, 403
// NO_AUTH, 429 FREQUENCY_LIMITED, 500 SYSTEM_ERROR; signature errors
// matching core.ErrInvalidSignature; the context's error. Errors and logs
// show the route template, never the order number.
//
// POST /v3/payscore/serviceorder/{out_order_no}/modify —
// https://pay.weixin.qq.com/docs/merchant/apis/weixin-pay-score/service-order/modify-service-order.html
func (s *Service) ModifyOrder(ctx context.Context, req *ModifyOrderRequest) (*OrderResponse, error) {
	return core.Call[OrderResponse](ctx, s.c, core.Endpoint{
		Op: "payscore.ModifyOrder", Method: http.MethodPost, Route: "/v3/payscore/serviceorder/{out_order_no}/modify",
	}, req, func(r *core.Request) error { return shared.OrderBody(r, req.OutOrderNo, req) })
}

// Validate reports every broken rule of the request by wire field name (a
// nil request is one) as a *core.ValidationError, or nil: what ModifyOrder
// checks before sending anything, including the amount rule (see
// ValidateTotal). That the amount goes down only the server can check.
func (r *ModifyOrderRequest) Validate() error {
	const op = "payscore.ModifyOrder"
	if r == nil {
		return validate.NilRequest(op)
	}
	var v validate.V
	orderKey(&v, r.OutOrderNo, r.AppID, r.ServiceID)
	finalAmounts(&v, r.PostPayments, r.PostDiscounts, r.TotalAmount)
	v.RequiredText("reason", r.Reason, 0)
	v.Nested("device.", shared.Optional(r.Device, Device.Validate))
	return v.Err(op)
}

// CompleteOrderRequest ends the service and sets the amount to collect.
type CompleteOrderRequest struct {
	OutOrderNo string `json:"-"`          // path: merchant order number, 1-32 letters, digits, _-|*
	AppID      string `json:"appid"`      // the AppID the order was created with
	ServiceID  string `json:"service_id"` // service ID, at most 32 characters
	// PostPayments are the final items (1 to 100).
	PostPayments []PostPayment `json:"post_payments"`
	// PostDiscounts are the final discounts (at most 30, each with Amount).
	PostDiscounts []PostDiscount `json:"post_discounts,omitempty"`
	// TotalAmount in fen must equal Total(PostPayments, PostDiscounts). It
	// may not exceed risk_fund.amount (deposit-free services) or the
	// service's risk ceiling (enjoy-first services).
	TotalAmount int64 `json:"total_amount"`
	// TimeRange gives the actual service period; EndTime is required if it
	// was not given at creation.
	TimeRange *TimeRange `json:"time_range,omitempty"`
	Location  *Location  `json:"location,omitempty"` // where the service actually started and ended
	// ProfitSharing marks the payment for profit sharing.
	ProfitSharing *bool   `json:"profit_sharing,omitempty"`
	GoodsTag      *string `json:"goods_tag,omitempty"` // coupon or goods tag
	Device        *Device `json:"device,omitempty"`    // devices of an unattended service
}

// CompleteOrder ends the service of a DOING/USER_CONFIRM order: the order
// becomes DOING/MCH_COMPLETE with collection USER_PAYING and WeChat Pay
// starts deducting TotalAmount (an order completed with 0 is DONE at once).
// The result arrives as a PAYSCORE.USER_PAID callback.
//
// Errors: *core.ValidationError (nothing sent); *core.APIError with the
// Request-ID, e.g. 400 INVALID_ORDER_STATE, 400 ORDER_CANCELED, 400
// ORDER_DONE, 404 ORDER_NOT_EXIST, 400 PARAM_ERROR, 400 INVALID_REQUEST, 403
// NO_AUTH, 429 FREQUENCY_LIMITED, 500 SYSTEM_ERROR; signature errors
// matching core.ErrInvalidSignature; the context's error. Errors and logs
// show the route template, never the order number.
//
// POST /v3/payscore/serviceorder/{out_order_no}/complete —
// https://pay.weixin.qq.com/docs/merchant/apis/weixin-pay-score/service-order/complete-service-order.html
func (s *Service) CompleteOrder(ctx context.Context, req *CompleteOrderRequest) (*OrderResponse, error) {
	return core.Call[OrderResponse](ctx, s.c, core.Endpoint{
		Op: "payscore.CompleteOrder", Method: http.MethodPost, Route: "/v3/payscore/serviceorder/{out_order_no}/complete",
	}, req, func(r *core.Request) error { return shared.OrderBody(r, req.OutOrderNo, req) })
}

// Validate reports every broken rule of the request by wire field name (a
// nil request is one) as a *core.ValidationError, or nil: what
// CompleteOrder checks before sending anything, including the amount rule
// (see ValidateTotal). The ceiling (risk_fund.amount or the service's)
// only the server can check.
func (r *CompleteOrderRequest) Validate() error {
	const op = "payscore.CompleteOrder"
	if r == nil {
		return validate.NilRequest(op)
	}
	var v validate.V
	orderKey(&v, r.OutOrderNo, r.AppID, r.ServiceID)
	finalAmounts(&v, r.PostPayments, r.PostDiscounts, r.TotalAmount)
	if r.TimeRange != nil {
		v.Nested("time_range.", ValidateTimeRange(*r.TimeRange, TimeRangeRules{ActualStart: true}))
	}
	v.Nested("location.", shared.Optional(r.Location, Location.Validate))
	v.OptionalText("goods_tag", r.GoodsTag, 0)
	v.Nested("device.", shared.Optional(r.Device, Device.Validate))
	return v.Err(op)
}

// SyncOrderRequest reports that the user paid through another channel.
type SyncOrderRequest struct {
	OutOrderNo string `json:"-"`          // path: merchant order number, 1-32 letters, digits, _-|*
	AppID      string `json:"appid"`      // the AppID the order was created with
	ServiceID  string `json:"service_id"` // service ID, at most 32 characters
	// Type is SyncOrderPaid, the only documented value.
	Type   SyncType   `json:"type"`
	Detail SyncDetail `json:"detail"` // the payment; its PaidTime is required
}

// SyncDetail is the payment information of a SyncOrder call.
type SyncDetail struct {
	// PaidTime is when the user paid, yyyyMMddHHmmss or yyyyMMdd
	// (midnight). Required.
	PaidTime Time `json:"paid_time"`
}

// SyncOrder tells WeChat Pay that the user of a DOING/MCH_COMPLETE order
// still USER_PAYING paid through another channel: deduction stops and the
// order becomes DONE/USER_PAID with a payment of type MCH.
//
// Errors: *core.ValidationError (nothing sent); *core.APIError with the
// Request-ID, e.g. 400 INVALID_ORDER_STATE, 400 ORDER_CANCELED, 400
// ORDER_DONE, 404 ORDER_NOT_EXIST, 400 PARAM_ERROR, 400 INVALID_REQUEST, 403
// NO_AUTH, 429 FREQUENCY_LIMITED, 500 SYSTEM_ERROR; signature errors
// matching core.ErrInvalidSignature; the context's error. Errors and logs
// show the route template, never the order number.
//
// POST /v3/payscore/serviceorder/{out_order_no}/sync —
// https://pay.weixin.qq.com/docs/merchant/apis/weixin-pay-score/service-order/sync-service-order.html
func (s *Service) SyncOrder(ctx context.Context, req *SyncOrderRequest) (*OrderResponse, error) {
	return core.Call[OrderResponse](ctx, s.c, core.Endpoint{
		Op: "payscore.SyncOrder", Method: http.MethodPost, Route: "/v3/payscore/serviceorder/{out_order_no}/sync",
	}, req, func(r *core.Request) error { return shared.OrderBody(r, req.OutOrderNo, req) })
}

// Validate reports every broken rule of the request by wire field name (a
// nil request is one) as a *core.ValidationError, or nil: what SyncOrder
// checks before sending anything.
func (r *SyncOrderRequest) Validate() error {
	const op = "payscore.SyncOrder"
	if r == nil {
		return validate.NilRequest(op)
	}
	var v validate.V
	orderKey(&v, r.OutOrderNo, r.AppID, r.ServiceID)
	if v.Required("type", string(r.Type)) {
		validate.OneOf(&v, "type", r.Type, r.Type.Values())
	}
	v.Nested("detail.", r.Detail.Validate())
	return v.Err(op)
}

// PayOrderRequest asks WeChat Pay to collect a pending order again.
type PayOrderRequest struct {
	OutOrderNo string `json:"-"` // path: merchant order number, 1-32 letters, digits, _-|*
	// AppID and ServiceID are optional in the API description and left out
	// of the request when empty; sending both, as the reference clients do,
	// is recommended. At most 32 characters each.
	AppID     string `json:"appid,omitempty"`
	ServiceID string `json:"service_id,omitempty"` // see AppID
}

// PayOrderResponse identifies the order.
type PayOrderResponse struct {
	core.ResponseMeta `json:"-"`
	AppID             string `json:"appid"`        // AppID of the order
	MchID             string `json:"mchid"`        // merchant ID
	OutOrderNo        string `json:"out_order_no"` // merchant order number
	ServiceID         string `json:"service_id"`   // service ID
	OrderID           string `json:"order_id"`     // WeChat Pay service order number
}

// PayOrder asks WeChat Pay to try again to deduct a completed order that is
// still waiting for payment (商户发起催收扣款).
//
// Errors: *core.ValidationError (nothing sent); *core.APIError with the
// Request-ID, e.g. 400 INVALID_ORDER_STATE, 400 ORDER_CANCELED, 400
// ORDER_DONE, 404 ORDER_NOT_EXIST, 400 PARAM_ERROR, 400 INVALID_REQUEST, 403
// NO_AUTH, 429 FREQUENCY_LIMITED, 500 SYSTEM_ERROR; signature errors
// matching core.ErrInvalidSignature; the context's error. Errors and logs
// show the route template, never the order number.
//
// POST /v3/payscore/serviceorder/{out_order_no}/pay —
// https://pay.weixin.qq.com/docs/merchant/apis/weixin-pay-score/service-order/pay-service-order.html
func (s *Service) PayOrder(ctx context.Context, req *PayOrderRequest) (*PayOrderResponse, error) {
	return core.Call[PayOrderResponse](ctx, s.c, core.Endpoint{
		Op: "payscore.PayOrder", Method: http.MethodPost, Route: "/v3/payscore/serviceorder/{out_order_no}/pay",
	}, req, func(r *core.Request) error { return shared.OrderBody(r, req.OutOrderNo, req) })
}

// Validate reports every broken rule of the request by wire field name (a
// nil request is one) as a *core.ValidationError, or nil: what PayOrder
// checks before sending anything.
func (r *PayOrderRequest) Validate() error {
	const op = "payscore.PayOrder"
	if r == nil {
		return validate.NilRequest(op)
	}
	var v validate.V
	shared.OutOrderNo(&v, r.OutOrderNo)
	v.OptionalText("appid", &r.AppID, shared.MaxID)
	v.OptionalText("service_id", &r.ServiceID, shared.MaxID)
	return v.Err(op)
}

// orderKey checks what names the order in the calls on it: out_order_no
// (also the path parameter), appid and service_id.
func orderKey(v *validate.V, no, appID, serviceID string) {
	shared.OutOrderNo(v, no)
	shared.ID(v, "appid", appID)
	shared.ID(v, "service_id", serviceID)
}

// finalAmounts checks the items and total_amount of CompleteOrder and
// ModifyOrder: at least one payment, every discount with an amount, and the
// amount rule.
func finalAmounts(v *validate.V, payments []PostPayment, discounts []PostDiscount, total int64) {
	v.Nested("", ValidateItems(payments, discounts, ItemRules{PaymentsRequired: true, DiscountAmountRequired: true}))
	v.Nested("", ValidateTotal(total, payments, discounts))
}
