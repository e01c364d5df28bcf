package partner

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"time"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/internal/validate"
	"github.com/wechatpay-biz/wechatpay-biz-go/payscore"
	"github.com/wechatpay-biz/wechatpay-biz-go/payscore/internal/shared"
)

// CreateOrderRequest creates a service order for a sub-merchant.
type CreateOrderRequest struct {
	// ServiceID is the pay-score service ID, at most 32 characters.
	ServiceID string `json:"service_id"`
	// AppID is the service provider's AppID, at most 32 characters; reuse
	// it for every later call on the order.
	AppID string `json:"appid"`
	// SubMchID is the sub-merchant that receives the money, at most 32
	// characters.
	SubMchID string `json:"sub_mchid"`
	// SubAppID is an AppID bound to the sub-merchant, at most 32
	// characters; required with SubOpenID. When set, the confirm page must
	// be opened from it.
	SubAppID *string `json:"sub_appid,omitempty"`
	// OutOrderNo is the provider's order number: 1-32 letters, digits or
	// _-|*, unique under the provider. It cannot be used as a refund's
	// out_trade_no.
	OutOrderNo string `json:"out_order_no"`
	// ServiceIntroduction is shown to the user, at most 20 characters.
	ServiceIntroduction string `json:"service_introduction"`
	// PostPayments lists the post-paid items, at most 100.
	PostPayments []payscore.PostPayment `json:"post_payments,omitempty"`
	// PostDiscounts lists the discounts, at most 30, each with a
	// description.
	PostDiscounts []payscore.PostDiscount `json:"post_discounts,omitempty"`
	// RiskFund is the order's risk fund; its description is at most 30
	// characters.
	RiskFund payscore.RiskFund `json:"risk_fund"`
	// TimeRange is the service period: StartTime is required; the start
	// remark is at most 20 characters and the end remark at most 50.
	TimeRange payscore.TimeRange `json:"time_range"`
	// Location is where the service starts and is expected to end.
	Location *payscore.Location `json:"location,omitempty"`
	// OpenID is the user under AppID, at most 128 characters. In no-confirm
	// mode (NeedUserConfirm false) exactly one of OpenID and SubOpenID is
	// required; otherwise at most one may be given.
	OpenID *string `json:"openid,omitempty"`
	// SubOpenID is the user under SubAppID, at most 128 characters.
	SubOpenID *string `json:"sub_openid,omitempty"`
	// NeedUserConfirm defaults to true (confirm mode). Set it to
	// core.Ptr(false) for no-confirm mode, which needs the user's
	// authorization: false is then sent explicitly.
	NeedUserConfirm *bool `json:"need_user_confirm,omitempty"`
	// NotifyURL receives the PAYSCORE.USER_CONFIRM and PAYSCORE.USER_PAID
	// callbacks of the order; at most 255 characters, no query string.
	NotifyURL string `json:"notify_url"`
	// Attach is echoed in the callbacks; at most 256 characters
	// (URL-encode it).
	Attach *string `json:"attach,omitempty"`
	// Device identifies the devices of an unattended service.
	Device *payscore.Device `json:"device,omitempty"`
}

// Validate reports every broken rule of the request by wire field name (a
// nil request is one) as a *core.ValidationError, or nil: what CreateOrder
// checks before sending anything.
func (r *CreateOrderRequest) Validate() error {
	if r == nil {
		return validate.NilRequest("partner.CreateOrder")
	}
	var v validate.V
	serviceKey(&v, r.ServiceID, r.AppID, r.SubMchID, r.SubAppID)
	shared.OutOrderNo(&v, r.OutOrderNo)
	v.RequiredText("service_introduction", r.ServiceIntroduction, shared.MaxIntroduction)
	v.Nested("", payscore.ValidateItems(r.PostPayments, r.PostDiscounts, payscore.ItemRules{DiscountDescriptionRequired: true}))
	v.Nested("risk_fund.", r.RiskFund.Validate())
	if r.RiskFund.Description != nil {
		v.MaxChars("risk_fund.description", *r.RiskFund.Description, maxRiskDesc)
	}
	v.Nested("time_range.", payscore.ValidateTimeRange(r.TimeRange, payscore.TimeRangeRules{StartRequired: true, RemarkLimits: true}))
	v.Nested("location.", shared.Optional(r.Location, payscore.Location.Validate))
	user(&v, r.OpenID, r.SubOpenID, r.SubAppID, r.NeedUserConfirm != nil && !*r.NeedUserConfirm)
	shared.RequiredNotifyURL(&v, r.NotifyURL)
	v.OptionalText("attach", r.Attach, shared.MaxAttach)
	v.Nested("device.", shared.Optional(r.Device, payscore.Device.Validate))
	return v.Err("partner.CreateOrder")
}

// CreateOrderResponse is the created order.
type CreateOrderResponse struct {
	core.ResponseMeta `json:"-"`
	ServiceOrder
	// Package opens the confirm page (ConfirmOrderPage); set in confirm
	// mode.
	Package string `json:"package,omitempty"`
}

// CreateOrder creates a service order for a sub-merchant. In confirm mode
// it starts CREATED and the user confirms it on the page opened with the
// returned Package (ConfirmOrderPage); in no-confirm mode (NeedUserConfirm
// false, for a user who authorized the service) it starts
// DOING/USER_CONFIRM. Creating again with identical parameters returns the
// same order, so it is retried on transient failures.
//
// POST /v3/payscore/partner/serviceorder —
// https://pay.weixin.qq.com/doc/v3/partner/4012692136
func (s *Service) CreateOrder(ctx context.Context, req *CreateOrderRequest) (*CreateOrderResponse, error) {
	return core.Call[CreateOrderResponse](ctx, s.c, core.Endpoint{
		Op: "partner.CreateOrder", Method: http.MethodPost, Route: "/v3/payscore/partner/serviceorder", Idempotent: true,
	}, req, shared.Body(req))
}

// QueryOrderRequest identifies a sub-merchant's order by exactly one of
// OutOrderNo and QueryID. Every field goes in the query string; there is no
// appid parameter in partner mode.
type QueryOrderRequest struct {
	// ServiceID is optional in the current documentation but required by
	// older descriptions of the API: send it whenever known.
	ServiceID *string `json:"-"`
	SubMchID  string  `json:"-"` // the sub-merchant, at most 32 characters
	// OutOrderNo is the provider's order number.
	OutOrderNo string `json:"-"`
	// QueryID is what the confirm page hands back when the user returns,
	// at most 512 characters.
	QueryID string `json:"-"`
}

// Validate reports every broken rule of the request by wire field name (a
// nil request is one) as a *core.ValidationError, or nil: what QueryOrder
// checks before sending anything.
func (r *QueryOrderRequest) Validate() error {
	if r == nil {
		return validate.NilRequest("partner.QueryOrder")
	}
	var v validate.V
	shared.OptionalID(&v, "service_id", r.ServiceID)
	shared.ID(&v, "sub_mchid", r.SubMchID)
	shared.OrderOrQueryID(&v, r.OutOrderNo, r.QueryID, maxQueryID)
	return v.Err("partner.QueryOrder")
}

// QueryOrder returns a sub-merchant's service order, found by the
// provider's order number or by the query ID the confirm page returned.
// Its Collection.Details carry the transaction IDs that refunds need.
//
// GET /v3/payscore/partner/serviceorder —
// https://pay.weixin.qq.com/docs/partner/apis/partner-weixin-pay-score/partner-service-order/get-partner-service-order.html
func (s *Service) QueryOrder(ctx context.Context, req *QueryOrderRequest) (*OrderResponse, error) {
	return core.Call[OrderResponse](ctx, s.c, core.Endpoint{
		Op: "partner.QueryOrder", Method: http.MethodGet, Route: "/v3/payscore/partner/serviceorder", Idempotent: true,
	}, req, func(r *core.Request) error {
		q := url.Values{"sub_mchid": {req.SubMchID}}
		setOptional(q, "service_id", req.ServiceID)
		if req.OutOrderNo != "" {
			q.Set("out_order_no", req.OutOrderNo)
		} else {
			q.Set("query_id", req.QueryID)
		}
		r.Query = q
		return nil
	})
}

// CancelOrderRequest cancels a sub-merchant's order.
type CancelOrderRequest struct {
	// OutOrderNo is the provider's order number (path).
	OutOrderNo string `json:"-"`
	// ServiceID is optional in the current documentation; send it
	// whenever known.
	ServiceID *string `json:"service_id,omitempty"`
	SubMchID  string  `json:"sub_mchid"` // the sub-merchant, at most 32 characters
	// Reason is shown to the user, at most 50 characters. A repeat must
	// carry the same reason to be idempotent.
	Reason string `json:"reason"`
}

// Validate reports every broken rule of the request by wire field name (a
// nil request is one) as a *core.ValidationError, or nil: what CancelOrder
// checks before sending anything.
func (r *CancelOrderRequest) Validate() error {
	if r == nil {
		return validate.NilRequest("partner.CancelOrder")
	}
	var v validate.V
	orderKey(&v, r.OutOrderNo, r.ServiceID, r.SubMchID)
	v.RequiredText("reason", r.Reason, shared.MaxReason)
	return v.Err("partner.CancelOrder")
}

// CancelOrder cancels an order that is CREATED, DOING/USER_CONFIRM, or
// completed and still waiting for payment; it becomes REVOKED. While a
// deduction runs it fails for about three minutes. Cancelling again with
// identical parameters succeeds, so it is retried on transient failures.
// WeChat Pay answers 204 No Content.
//
// POST /v3/payscore/partner/serviceorder/{out_order_no}/cancel —
// https://pay.weixin.qq.com/doc/v3/partner/4012458758
func (s *Service) CancelOrder(ctx context.Context, req *CancelOrderRequest) (*CancelOrderResponse, error) {
	return core.Call[CancelOrderResponse](ctx, s.c, core.Endpoint{
		Op: "partner.CancelOrder", Method: http.MethodPost, Route: "/v3/payscore/partner/serviceorder/{out_order_no}/cancel", Idempotent: true,
	}, req, func(r *core.Request) error { return shared.OrderBody(r, req.OutOrderNo, req) })
}

// ModifyOrderRequest lowers the amount of a completed, unpaid order.
type ModifyOrderRequest struct {
	// OutOrderNo is the provider's order number (path).
	OutOrderNo string `json:"-"`
	// ServiceID is optional; send it whenever known.
	ServiceID *string `json:"service_id,omitempty"`
	SubMchID  string  `json:"sub_mchid"` // the sub-merchant, at most 32 characters
	// PostPayments replaces the order's items (1 to 100).
	PostPayments []payscore.PostPayment `json:"post_payments"`
	// PostDiscounts replaces its discounts (at most 30, each with Amount).
	PostDiscounts []payscore.PostDiscount `json:"post_discounts,omitempty"`
	// TotalAmount in fen must equal Σ PostPayments amounts − Σ
	// PostDiscounts amounts (see payscore.Total and payscore.ValidateTotal) and be lower than the
	// completed amount.
	TotalAmount int64 `json:"total_amount"`
	// Reason for the change. Required; the API documents no maximum length.
	Reason string `json:"reason"`
	// Device identifies the devices of an unattended service.
	Device *payscore.Device `json:"device,omitempty"`
}

// Validate reports every broken rule of the request by wire field name (a
// nil request is one) as a *core.ValidationError, or nil: what ModifyOrder
// checks before sending anything.
func (r *ModifyOrderRequest) Validate() error {
	if r == nil {
		return validate.NilRequest("partner.ModifyOrder")
	}
	var v validate.V
	orderKey(&v, r.OutOrderNo, r.ServiceID, r.SubMchID)
	finalAmounts(&v, r.PostPayments, r.PostDiscounts, r.TotalAmount, false)
	v.RequiredText("reason", r.Reason, 0)
	v.Nested("device.", shared.Optional(r.Device, payscore.Device.Validate))
	return v.Err("partner.ModifyOrder")
}

// ModifyOrder lowers the amount to collect for an order that is
// DOING/MCH_COMPLETE and still USER_PAYING; WeChat Pay then deducts the new
// amount. WeChat Pay answers 204 No Content. It is not retried.
//
// POST /v3/payscore/partner/serviceorder/{out_order_no}/modify —
// https://pay.weixin.qq.com/docs/partner/apis/partner-weixin-pay-score/partner-service-order/modify-partner-service-order.html
func (s *Service) ModifyOrder(ctx context.Context, req *ModifyOrderRequest) (*ModifyOrderResponse, error) {
	return core.Call[ModifyOrderResponse](ctx, s.c, core.Endpoint{
		Op: "partner.ModifyOrder", Method: http.MethodPost, Route: "/v3/payscore/partner/serviceorder/{out_order_no}/modify",
	}, req, func(r *core.Request) error { return shared.OrderBody(r, req.OutOrderNo, req) })
}

// CompleteOrderRequest ends the service and sets the amount to collect.
type CompleteOrderRequest struct {
	// OutOrderNo is the provider's order number (path).
	OutOrderNo string `json:"-"`
	ServiceID  string `json:"service_id"` // service ID, at most 32 characters
	SubMchID   string `json:"sub_mchid"`  // the sub-merchant, at most 32 characters
	// PostPayments are the final items (1 to 100).
	PostPayments []payscore.PostPayment `json:"post_payments"`
	// PostDiscounts are the final discounts (at most 30, each with a
	// description and an amount).
	PostDiscounts []payscore.PostDiscount `json:"post_discounts,omitempty"`
	// TotalAmount in fen must equal Σ PostPayments amounts − Σ
	// PostDiscounts amounts (see payscore.Total and payscore.ValidateTotal). It may not exceed the
	// service's risk ceiling, nor, for deposit-free (先免) services,
	// risk_fund.amount.
	TotalAmount int64 `json:"total_amount"`
	// TimeRange gives the actual service period; EndTime is required if it
	// was not given at creation, and StartTime may not be OnAccept.
	TimeRange *payscore.TimeRange `json:"time_range,omitempty"`
	// Location is where the service actually started and ended.
	Location *payscore.Location `json:"location,omitempty"`
	// ProfitSharing marks the payment for profit sharing (possible only
	// after the deduction succeeds).
	ProfitSharing *bool `json:"profit_sharing,omitempty"`
	// CompleteTime is when the service completed; sent as RFC 3339 in
	// Asia/Shanghai (+08:00) with second precision. Optional.
	CompleteTime *time.Time `json:"complete_time,omitempty"`
	// GoodsTag is a coupon or goods tag.
	GoodsTag *string `json:"goods_tag,omitempty"`
	// Device identifies the devices of an unattended service.
	Device *payscore.Device `json:"device,omitempty"`
}

// beijing is the zone WeChat Pay writes its RFC 3339 times in.
var beijing = time.FixedZone("CST", 8*3600)

// completeOrderFields is CompleteOrderRequest without its methods.
type completeOrderFields CompleteOrderRequest

// MarshalJSON writes the request as sent, complete_time as
// yyyy-MM-ddTHH:mm:ss+08:00.
func (r CompleteOrderRequest) MarshalJSON() ([]byte, error) {
	w := struct {
		*completeOrderFields
		CompleteTime *string `json:"complete_time,omitempty"`
	}{completeOrderFields: (*completeOrderFields)(&r)}
	if r.CompleteTime != nil {
		s := r.CompleteTime.In(beijing).Format(time.RFC3339)
		w.CompleteTime = &s
	}
	return json.Marshal(w)
}

// Validate reports every broken rule of the request by wire field name (a
// nil request is one) as a *core.ValidationError, or nil: what
// CompleteOrder checks before sending anything.
func (r *CompleteOrderRequest) Validate() error {
	if r == nil {
		return validate.NilRequest("partner.CompleteOrder")
	}
	var v validate.V
	orderKey(&v, r.OutOrderNo, &r.ServiceID, r.SubMchID)
	finalAmounts(&v, r.PostPayments, r.PostDiscounts, r.TotalAmount, true)
	if r.TimeRange != nil {
		v.Nested("time_range.", payscore.ValidateTimeRange(*r.TimeRange, payscore.TimeRangeRules{ActualStart: true, RemarkLimits: true}))
	}
	v.Nested("location.", shared.Optional(r.Location, payscore.Location.Validate))
	if r.CompleteTime != nil {
		v.Check(!r.CompleteTime.IsZero(), "complete_time", "must not be the zero time when set")
	}
	v.OptionalText("goods_tag", r.GoodsTag, 0)
	v.Nested("device.", shared.Optional(r.Device, payscore.Device.Validate))
	return v.Err("partner.CompleteOrder")
}

// CompleteOrder ends the service of a DOING/USER_CONFIRM order: it becomes
// DOING/MCH_COMPLETE with collection USER_PAYING, and WeChat Pay deducts
// TotalAmount until paid (an order completed with 0 is DONE at once). The
// result arrives as a PAYSCORE.USER_PAID callback. WeChat Pay answers 204
// No Content. It is not retried.
//
// POST /v3/payscore/partner/serviceorder/{out_order_no}/complete —
// https://pay.weixin.qq.com/doc/v3/partner/4012692408
func (s *Service) CompleteOrder(ctx context.Context, req *CompleteOrderRequest) (*CompleteOrderResponse, error) {
	return core.Call[CompleteOrderResponse](ctx, s.c, core.Endpoint{
		Op: "partner.CompleteOrder", Method: http.MethodPost, Route: "/v3/payscore/partner/serviceorder/{out_order_no}/complete",
	}, req, func(r *core.Request) error { return shared.OrderBody(r, req.OutOrderNo, req) })
}

// PayOrderRequest asks WeChat Pay to collect a completed order now.
type PayOrderRequest struct {
	// OutOrderNo is the provider's order number (path).
	OutOrderNo string `json:"-"`
	// ServiceID is optional; send it whenever known.
	ServiceID *string `json:"service_id,omitempty"`
	SubMchID  string  `json:"sub_mchid"` // the sub-merchant, at most 32 characters
}

// Validate reports every broken rule of the request by wire field name (a
// nil request is one) as a *core.ValidationError, or nil: what PayOrder
// checks before sending anything.
func (r *PayOrderRequest) Validate() error {
	if r == nil {
		return validate.NilRequest("partner.PayOrder")
	}
	var v validate.V
	orderKey(&v, r.OutOrderNo, r.ServiceID, r.SubMchID)
	return v.Err("partner.PayOrder")
}

// PayOrder asks WeChat Pay to deduct a completed order that is still
// waiting for payment (催收). WeChat Pay answers 204 No Content. It is not
// retried.
//
// POST /v3/payscore/partner/serviceorder/{out_order_no}/pay —
// https://pay.weixin.qq.com/docs/partner/apis/partner-weixin-pay-score/partner-service-order/pay-partner-service-order.html
func (s *Service) PayOrder(ctx context.Context, req *PayOrderRequest) (*PayOrderResponse, error) {
	return core.Call[PayOrderResponse](ctx, s.c, core.Endpoint{
		Op: "partner.PayOrder", Method: http.MethodPost, Route: "/v3/payscore/partner/serviceorder/{out_order_no}/pay",
	}, req, func(r *core.Request) error { return shared.OrderBody(r, req.OutOrderNo, req) })
}

// SyncOrderRequest reports that the user paid through another channel.
type SyncOrderRequest struct {
	// OutOrderNo is the provider's order number (path).
	OutOrderNo string `json:"-"`
	ServiceID  string `json:"service_id"` // service ID, at most 32 characters
	SubMchID   string `json:"sub_mchid"`  // the sub-merchant, at most 32 characters
	// Type is payscore.SyncOrderPaid, the only documented value.
	Type payscore.SyncType `json:"type"`
	// Detail describes the payment.
	Detail SyncDetail `json:"detail"`
}

// SyncDetail is the payment information of a SyncOrder call.
type SyncDetail struct {
	// PaidTime is when the user paid: yyyyMMddHHmmss or yyyyMMdd
	// (midnight), Beijing time. Required.
	PaidTime payscore.Time `json:"paid_time"`
	// Seq is the number of the payment in the order (from 1). Optional:
	// only the API description lists it; leave it nil unless told
	// otherwise.
	Seq *int64 `json:"seq,omitempty"`
	// PaidAmount is the amount paid, fen. Optional, like Seq.
	PaidAmount *int64 `json:"paid_amount,omitempty"`
}

// Validate reports every broken rule of the request by wire field name (a
// nil request is one) as a *core.ValidationError, or nil: what SyncOrder
// checks before sending anything.
func (r *SyncOrderRequest) Validate() error {
	if r == nil {
		return validate.NilRequest("partner.SyncOrder")
	}
	var v validate.V
	orderKey(&v, r.OutOrderNo, &r.ServiceID, r.SubMchID)
	if v.Required("type", string(r.Type)) {
		validate.OneOf(&v, "type", r.Type, r.Type.Values())
	}
	v.Nested("detail.", payscore.SyncDetail{PaidTime: r.Detail.PaidTime}.Validate())
	if r.Detail.Seq != nil {
		v.Check(*r.Detail.Seq >= 1, "detail.seq", "must be at least 1")
	}
	if r.Detail.PaidAmount != nil {
		v.Check(*r.Detail.PaidAmount >= 0, "detail.paid_amount", "must not be negative")
	}
	return v.Err("partner.SyncOrder")
}

// SyncOrder tells WeChat Pay that the user of an order still USER_PAYING
// paid through another channel: deduction stops and the order becomes
// DONE/USER_PAID with a payment of type MCH. WeChat Pay answers 204 No
// Content. It is not retried.
//
// POST /v3/payscore/partner/serviceorder/{out_order_no}/sync —
// https://pay.weixin.qq.com/docs/partner/apis/partner-weixin-pay-score/partner-service-order/sync-partner-service-order.html
func (s *Service) SyncOrder(ctx context.Context, req *SyncOrderRequest) (*SyncOrderResponse, error) {
	return core.Call[SyncOrderResponse](ctx, s.c, core.Endpoint{
		Op: "partner.SyncOrder", Method: http.MethodPost, Route: "/v3/payscore/partner/serviceorder/{out_order_no}/sync",
	}, req, func(r *core.Request) error { return shared.OrderBody(r, req.OutOrderNo, req) })
}

// orderKey checks what names the order in the calls on it: out_order_no
// (also the path parameter), service_id and sub_mchid. service_id is
// optional in the calls whose field is a pointer; the others pass its
// address, so that an empty one is reported as required.
func orderKey(v *validate.V, no string, serviceID *string, subMchID string) {
	shared.OutOrderNo(v, no)
	shared.OptionalID(v, "service_id", serviceID)
	shared.ID(v, "sub_mchid", subMchID)
}

// finalAmounts checks the items and total_amount of CompleteOrder and
// ModifyOrder: at least one payment, every discount with an amount (and,
// when completing, a description), and the amount rule.
func finalAmounts(v *validate.V, payments []payscore.PostPayment, discounts []payscore.PostDiscount, total int64, describeDiscounts bool) {
	rules := payscore.ItemRules{PaymentsRequired: true, DiscountDescriptionRequired: describeDiscounts, DiscountAmountRequired: true}
	v.Nested("", payscore.ValidateItems(payments, discounts, rules))
	v.Nested("", payscore.ValidateTotal(total, payments, discounts))
}
