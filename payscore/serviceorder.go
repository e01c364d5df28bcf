package payscore

import (
	"context"
	"net/http"
	"net/url"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/internal/validate"
)

// CreateOrderRequest creates a service order.
type CreateOrderRequest struct {
	// OutOrderNo is the merchant's order number: 1-32 digits, letters or
	// _-|*. It cannot be used as a refund out_trade_no.
	OutOrderNo string `json:"out_order_no"`
	// AppID must be reused when completing and cancelling the order.
	AppID               string `json:"appid"`
	ServiceID           string `json:"service_id"`
	ServiceIntroduction string `json:"service_introduction"` // shown to the user, at most 20 characters
	// PostPayments lists the post-paid items, at most 100.
	PostPayments []PostPayment `json:"post_payments,omitempty"`
	// PostDiscounts lists the merchant discounts, at most 30.
	PostDiscounts []PostDiscount `json:"post_discounts,omitempty"`
	TimeRange     TimeRange      `json:"time_range"`
	Location      *Location      `json:"location,omitempty"`
	RiskFund      RiskFund       `json:"risk_fund"`
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
	Device          *Device `json:"device,omitempty"`
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
// POST /v3/payscore/serviceorder —
// https://pay.weixin.qq.com/docs/merchant/apis/weixin-pay-score/service-order/create-service-order.html
func (s *Service) CreateOrder(ctx context.Context, req *CreateOrderRequest) (*CreateOrderResponse, error) {
	var v validate.V
	if req == nil {
		v.Add("request", "is required")
	} else {
		outOrderNo(&v, "out_order_no", req.OutOrderNo)
		id(&v, "appid", req.AppID, 32)
		id(&v, "service_id", req.ServiceID, 32)
		v.RequiredText("service_introduction", req.ServiceIntroduction, 20)
		items(&v, req.PostPayments, req.PostDiscounts, false, true, false)
		timeRange(&v, &req.TimeRange, true)
		location(&v, req.Location)
		riskFund(&v, &req.RiskFund)
		v.OptionalText("attach", req.Attach, 256)
		if v.Required("notify_url", req.NotifyURL) {
			notifyURL(&v, "notify_url", req.NotifyURL)
		}
		// openid has no documented maximum length here; when set it must
		// not be empty.
		switch {
		case req.OpenID != nil:
			v.RequiredText("openid", *req.OpenID, 0)
		case req.NeedUserConfirm != nil && !*req.NeedUserConfirm:
			v.Add("openid", "is required when need_user_confirm is false")
		}
		device(&v, req.Device)
	}
	if err := v.Err("payscore.CreateOrder"); err != nil {
		return nil, err
	}
	out := new(CreateOrderResponse)
	// Idempotent on identical parameters, so a retry returns the same order.
	if _, err := s.c.Do(ctx, &core.Request{Method: http.MethodPost, Path: "/v3/payscore/serviceorder", Body: req, Idempotent: true}, out); err != nil {
		return nil, err
	}
	return out, nil
}

func riskFund(v *validate.V, r *RiskFund) {
	if v.Required("risk_fund.name", string(r.Name)) {
		validate.OneOf(v, "risk_fund.name", r.Name, r.Name.Values())
	}
	v.Check(r.Amount >= 0, "risk_fund.amount", "must not be negative")
	v.OptionalText("risk_fund.description", r.Description, 0)
}

// QueryOrderRequest identifies an order by exactly one of OutOrderNo and
// QueryID.
type QueryOrderRequest struct {
	OutOrderNo string `json:"-"` // query: merchant order number
	// QueryID is what the confirm page hands back to the merchant's mini
	// program, at most 64 characters.
	QueryID   string `json:"-"`
	ServiceID string `json:"-"` // query: service ID
	AppID     string `json:"-"` // query: AppID
}

// QueryOrder returns a service order, found by its merchant order number or
// by the query ID the confirm page returned.
//
// GET /v3/payscore/serviceorder —
// https://pay.weixin.qq.com/docs/merchant/apis/weixin-pay-score/service-order/get-service-order.html
func (s *Service) QueryOrder(ctx context.Context, req *QueryOrderRequest) (*OrderResponse, error) {
	var v validate.V
	if req == nil {
		v.Add("request", "is required")
	} else {
		switch {
		case req.OutOrderNo == "" && req.QueryID == "":
			v.Add("out_order_no", "one of out_order_no and query_id is required")
		case req.OutOrderNo != "" && req.QueryID != "":
			v.Add("query_id", "give either out_order_no or query_id, not both")
		case req.OutOrderNo != "":
			outOrderNo(&v, "out_order_no", req.OutOrderNo)
		default:
			v.RequiredText("query_id", req.QueryID, 64)
		}
		id(&v, "service_id", req.ServiceID, 32)
		id(&v, "appid", req.AppID, 32)
	}
	if err := v.Err("payscore.QueryOrder"); err != nil {
		return nil, err
	}
	q := url.Values{"service_id": {req.ServiceID}, "appid": {req.AppID}}
	if req.OutOrderNo != "" {
		q.Set("out_order_no", req.OutOrderNo)
	} else {
		q.Set("query_id", req.QueryID)
	}
	out := new(OrderResponse)
	if _, err := s.c.Do(ctx, &core.Request{Method: http.MethodGet, Path: "/v3/payscore/serviceorder", Query: q, Idempotent: true}, out); err != nil {
		return nil, err
	}
	return out, nil
}

// CancelOrderRequest cancels an order.
type CancelOrderRequest struct {
	OutOrderNo string `json:"-"`          // path: merchant order number
	AppID      string `json:"appid"`      // the AppID the order was created with
	ServiceID  string `json:"service_id"` // service ID
	Reason     string `json:"reason"`     // shown to the user, at most 50 characters
}

// CancelOrderResponse identifies the cancelled order.
type CancelOrderResponse struct {
	core.ResponseMeta `json:"-"`
	AppID             string `json:"appid"`
	MchID             string `json:"mchid"`
	OutOrderNo        string `json:"out_order_no"`
	ServiceID         string `json:"service_id"`
	OrderID           string `json:"order_id"`
}

// CancelOrder cancels an order that is CREATED or DOING (including a
// completed order still waiting for payment); it becomes REVOKED. While a
// payment is being deducted it may fail for a few minutes. Cancelling again
// with identical parameters succeeds.
//
// POST /v3/payscore/serviceorder/{out_order_no}/cancel —
// https://pay.weixin.qq.com/docs/merchant/apis/weixin-pay-score/service-order/cancel-service-order.html
func (s *Service) CancelOrder(ctx context.Context, req *CancelOrderRequest) (*CancelOrderResponse, error) {
	var v validate.V
	if req == nil {
		v.Add("request", "is required")
	} else {
		outOrderNo(&v, "out_order_no", req.OutOrderNo)
		id(&v, "appid", req.AppID, 32)
		id(&v, "service_id", req.ServiceID, 32)
		v.RequiredText("reason", req.Reason, 50)
	}
	if err := v.Err("payscore.CancelOrder"); err != nil {
		return nil, err
	}
	out := new(CancelOrderResponse)
	_, err := s.c.Do(ctx, &core.Request{
		Method:     http.MethodPost,
		Path:       "/v3/payscore/serviceorder/" + url.PathEscape(req.OutOrderNo) + "/cancel",
		Body:       req,
		Idempotent: true, // idempotent on identical parameters
	}, out)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ModifyOrderRequest lowers the amount of a completed, unpaid order.
type ModifyOrderRequest struct {
	OutOrderNo string `json:"-"` // path: merchant order number
	AppID      string `json:"appid"`
	ServiceID  string `json:"service_id"`
	// PostPayments replaces the completed order's items (1 to 100).
	PostPayments []PostPayment `json:"post_payments"`
	// PostDiscounts replaces its discounts (at most 30, each with Amount).
	PostDiscounts []PostDiscount `json:"post_discounts,omitempty"`
	// TotalAmount in fen must equal Total(PostPayments, PostDiscounts) and
	// must not exceed the amount the order was completed with.
	TotalAmount int64 `json:"total_amount"`
	// Reason for the change. Required; the API documents no maximum length.
	Reason string  `json:"reason"`
	Device *Device `json:"device,omitempty"`
}

// ModifyOrder lowers the amount to collect for an order that is
// DOING/MCH_COMPLETE and still USER_PAYING; WeChat Pay then deducts the new
// amount.
//
// POST /v3/payscore/serviceorder/{out_order_no}/modify —
// https://pay.weixin.qq.com/docs/merchant/apis/weixin-pay-score/service-order/modify-service-order.html
func (s *Service) ModifyOrder(ctx context.Context, req *ModifyOrderRequest) (*OrderResponse, error) {
	var v validate.V
	if req == nil {
		v.Add("request", "is required")
	} else {
		outOrderNo(&v, "out_order_no", req.OutOrderNo)
		id(&v, "appid", req.AppID, 32)
		id(&v, "service_id", req.ServiceID, 32)
		items(&v, req.PostPayments, req.PostDiscounts, true, false, true)
		totalRule(&v, req.TotalAmount, req.PostPayments, req.PostDiscounts)
		v.RequiredText("reason", req.Reason, 0)
		device(&v, req.Device)
	}
	if err := v.Err("payscore.ModifyOrder"); err != nil {
		return nil, err
	}
	out := new(OrderResponse)
	_, err := s.c.Do(ctx, &core.Request{
		Method: http.MethodPost,
		Path:   "/v3/payscore/serviceorder/" + url.PathEscape(req.OutOrderNo) + "/modify",
		Body:   req,
	}, out)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// CompleteOrderRequest ends the service and sets the amount to collect.
type CompleteOrderRequest struct {
	OutOrderNo string `json:"-"`     // path: merchant order number
	AppID      string `json:"appid"` // the AppID the order was created with
	ServiceID  string `json:"service_id"`
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
	Location  *Location  `json:"location,omitempty"`
	// ProfitSharing marks the payment for profit sharing.
	ProfitSharing *bool   `json:"profit_sharing,omitempty"`
	GoodsTag      *string `json:"goods_tag,omitempty"`
	Device        *Device `json:"device,omitempty"`
}

// CompleteOrder ends the service of a DOING/USER_CONFIRM order: the order
// becomes DOING/MCH_COMPLETE with collection USER_PAYING and WeChat Pay
// starts deducting TotalAmount (an order completed with 0 is DONE at once).
// The result arrives as a PAYSCORE.USER_PAID callback.
//
// POST /v3/payscore/serviceorder/{out_order_no}/complete —
// https://pay.weixin.qq.com/docs/merchant/apis/weixin-pay-score/service-order/complete-service-order.html
func (s *Service) CompleteOrder(ctx context.Context, req *CompleteOrderRequest) (*OrderResponse, error) {
	var v validate.V
	if req == nil {
		v.Add("request", "is required")
	} else {
		outOrderNo(&v, "out_order_no", req.OutOrderNo)
		id(&v, "appid", req.AppID, 32)
		id(&v, "service_id", req.ServiceID, 32)
		items(&v, req.PostPayments, req.PostDiscounts, true, false, true)
		totalRule(&v, req.TotalAmount, req.PostPayments, req.PostDiscounts)
		if req.TimeRange != nil && req.TimeRange.StartTime.IsOnAccept() {
			v.Add("time_range.start_time", "must be the actual start time, not OnAccept")
		}
		timeRange(&v, req.TimeRange, false)
		location(&v, req.Location)
		v.OptionalText("goods_tag", req.GoodsTag, 0)
		device(&v, req.Device)
	}
	if err := v.Err("payscore.CompleteOrder"); err != nil {
		return nil, err
	}
	out := new(OrderResponse)
	_, err := s.c.Do(ctx, &core.Request{
		Method: http.MethodPost,
		Path:   "/v3/payscore/serviceorder/" + url.PathEscape(req.OutOrderNo) + "/complete",
		Body:   req,
	}, out)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// SyncOrderRequest reports that the user paid through another channel.
type SyncOrderRequest struct {
	OutOrderNo string `json:"-"` // path: merchant order number
	AppID      string `json:"appid"`
	ServiceID  string `json:"service_id"`
	// Type is SyncOrderPaid, the only documented value.
	Type   SyncType   `json:"type"`
	Detail SyncDetail `json:"detail"`
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
// POST /v3/payscore/serviceorder/{out_order_no}/sync —
// https://pay.weixin.qq.com/docs/merchant/apis/weixin-pay-score/service-order/sync-service-order.html
func (s *Service) SyncOrder(ctx context.Context, req *SyncOrderRequest) (*OrderResponse, error) {
	var v validate.V
	if req == nil {
		v.Add("request", "is required")
	} else {
		outOrderNo(&v, "out_order_no", req.OutOrderNo)
		id(&v, "appid", req.AppID, 32)
		id(&v, "service_id", req.ServiceID, 32)
		if v.Required("type", string(req.Type)) {
			validate.OneOf(&v, "type", req.Type, req.Type.Values())
		}
		if v.Required("detail.paid_time", string(req.Detail.PaidTime)) {
			v.Check(req.Detail.PaidTime.valid(true, false), "detail.paid_time", "must be yyyyMMddHHmmss or yyyyMMdd")
		}
	}
	if err := v.Err("payscore.SyncOrder"); err != nil {
		return nil, err
	}
	out := new(OrderResponse)
	_, err := s.c.Do(ctx, &core.Request{
		Method: http.MethodPost,
		Path:   "/v3/payscore/serviceorder/" + url.PathEscape(req.OutOrderNo) + "/sync",
		Body:   req,
	}, out)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// PayOrderRequest asks WeChat Pay to collect a pending order again.
type PayOrderRequest struct {
	OutOrderNo string `json:"-"` // path: merchant order number
	// AppID and ServiceID are optional in the API description and left out
	// of the request when empty; sending both, as the reference clients do,
	// is recommended. At most 32 characters each.
	AppID     string `json:"appid,omitempty"`
	ServiceID string `json:"service_id,omitempty"`
}

// PayOrderResponse identifies the order.
type PayOrderResponse struct {
	core.ResponseMeta `json:"-"`
	AppID             string `json:"appid"`
	MchID             string `json:"mchid"`
	OutOrderNo        string `json:"out_order_no"`
	ServiceID         string `json:"service_id"`
	OrderID           string `json:"order_id"`
}

// PayOrder asks WeChat Pay to try again to deduct a completed order that is
// still waiting for payment (商户发起催收扣款).
//
// POST /v3/payscore/serviceorder/{out_order_no}/pay —
// https://pay.weixin.qq.com/docs/merchant/apis/weixin-pay-score/service-order/pay-service-order.html
func (s *Service) PayOrder(ctx context.Context, req *PayOrderRequest) (*PayOrderResponse, error) {
	var v validate.V
	if req == nil {
		v.Add("request", "is required")
	} else {
		outOrderNo(&v, "out_order_no", req.OutOrderNo)
		v.OptionalText("appid", &req.AppID, 32)
		v.OptionalText("service_id", &req.ServiceID, 32)
	}
	if err := v.Err("payscore.PayOrder"); err != nil {
		return nil, err
	}
	out := new(PayOrderResponse)
	_, err := s.c.Do(ctx, &core.Request{
		Method: http.MethodPost,
		Path:   "/v3/payscore/serviceorder/" + url.PathEscape(req.OutOrderNo) + "/pay",
		Body:   req,
	}, out)
	if err != nil {
		return nil, err
	}
	return out, nil
}
