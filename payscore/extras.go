package payscore

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/internal/validate"
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

// Documented lengths of create-and-complete fields, in characters.
const (
	dcMaxID              = 32
	dcMaxOpenID          = 128
	dcMaxIntroduction    = 20
	dcMaxItemName        = 20
	dcMaxItemDescription = 30
	dcMaxItemCount       = 100
	dcMaxStartRemark     = 20
	dcMaxEndRemark       = 50
	dcMaxGoodsTag        = 32
	dcMaxAttach          = 256
	dcMaxNotifyURL       = 255
	dcSharedItemName     = "商品信息" // may repeat among post_payments
)

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
	v.PathParam("out_order_no", r.OutOrderNo, core.CharsetOutTradeNo) // the documented character set
	if len(r.OutOrderNo) > dcMaxID {
		v.Add("out_order_no", "must be at most 32 characters")
	}
	v.RequiredText("appid", r.AppID, dcMaxID)
	v.RequiredText("openid", r.OpenID, dcMaxOpenID)
	v.RequiredText("service_id", r.ServiceID, dcMaxID)
	v.RequiredText("service_introduction", r.ServiceIntroduction, dcMaxIntroduction)
	dcItems(&v, r.PostPayments, r.PostDiscounts)
	dcTimeRange(&v, &r.TimeRange)
	if l := r.Location; l != nil {
		v.OptionalText("location.start_location", l.StartLocation, 0)
		v.OptionalText("location.end_location", l.EndLocation, 0)
	}
	dcTotal(&v, r.TotalAmount, r.PostPayments, r.PostDiscounts)
	v.OptionalText("goods_tag", r.GoodsTag, dcMaxGoodsTag)
	v.OptionalText("attach", r.Attach, dcMaxAttach)
	if r.NotifyURL != nil {
		dcNotifyURL(&v, *r.NotifyURL)
	}
	return v.Err(opDirectComplete)
}

// dcItems checks the items of a create-and-complete order. Item names
// (post_payments[i]…) are built only for an item that fails.
func dcItems(v *validate.V, payments []PostPayment, discounts []PostDiscount) {
	switch {
	case len(payments) == 0:
		v.Add("post_payments", "at least one item is required")
	case len(payments) > MaxPostPayments:
		v.Add("post_payments", "must have at most "+strconv.Itoa(MaxPostPayments)+" items")
	}
	if len(discounts) > MaxDirectCompleteDiscounts {
		v.Add("post_discounts", "must have at most "+strconv.Itoa(MaxDirectCompleteDiscounts)+" items")
	}
	for i := range payments {
		p := &payments[i]
		repeated := p.Name != dcSharedItemName && len(payments) <= MaxPostPayments && dcRepeatsPayment(payments[:i], p.Name)
		var probe validate.V
		dcPayment(&probe, "", p)
		if probe.OK() && !repeated {
			continue
		}
		item := validate.Index("post_payments", i)
		dcPayment(v, item, p)
		v.Check(!repeated, item+".name", "duplicates the name of another post_payments item")
	}
	for i := range discounts {
		d := &discounts[i]
		repeated := len(discounts) <= MaxDirectCompleteDiscounts && dcRepeatsDiscount(discounts[:i], d.Name)
		var probe validate.V
		dcDiscount(&probe, "", d)
		if probe.OK() && !repeated {
			continue
		}
		item := validate.Index("post_discounts", i)
		dcDiscount(v, item, d)
		v.Check(!repeated, item+".name", "duplicates the name of another post_discounts item")
	}
}

func dcPayment(v *validate.V, item string, p *PostPayment) {
	v.RequiredText(item+".name", p.Name, dcMaxItemName)
	if p.Amount != nil {
		v.Check(*p.Amount >= 0, item+".amount", "must not be negative")
	}
	v.OptionalText(item+".description", p.Description, dcMaxItemDescription)
	if p.Count != nil {
		validate.Range(v, item+".count", *p.Count, 1, dcMaxItemCount)
	}
}

func dcDiscount(v *validate.V, item string, d *PostDiscount) {
	v.RequiredText(item+".name", d.Name, dcMaxItemName)
	if v.Check(d.Description != nil && *d.Description != "", item+".description", "is required") {
		v.OptionalText(item+".description", d.Description, dcMaxItemDescription)
	}
	if d.Amount != nil {
		v.Check(*d.Amount >= 0, item+".amount", "must not be negative")
	}
	if d.Count != nil {
		v.Check(*d.Count >= 1, item+".count", "must be at least 1")
	}
}

func dcRepeatsPayment(before []PostPayment, name string) bool {
	for i := range before {
		if name != "" && before[i].Name == name {
			return true
		}
	}
	return false
}

func dcRepeatsDiscount(before []PostDiscount, name string) bool {
	for i := range before {
		if name != "" && before[i].Name == name {
			return true
		}
	}
	return false
}

func dcTimeRange(v *validate.V, tr *TimeRange) {
	switch {
	case tr.StartTime == "":
		v.Add("time_range.start_time", "is required")
	case tr.StartTime.IsOnAccept():
		v.Add("time_range.start_time", "must be a time: OnAccept is for orders the user confirms")
	default:
		_, err := tr.StartTime.Time()
		v.Check(err == nil, "time_range.start_time", "must be yyyyMMddHHmmss or yyyyMMdd")
	}
	if tr.EndTime != nil {
		_, err := tr.EndTime.Time()
		v.Check(err == nil, "time_range.end_time", "must be yyyyMMddHHmmss or yyyyMMdd")
	}
	v.OptionalText("time_range.start_time_remark", tr.StartTimeRemark, dcMaxStartRemark)
	v.OptionalText("time_range.end_time_remark", tr.EndTimeRemark, dcMaxEndRemark)
}

// dcTotal checks total_amount against the items: not negative, and equal
// to Σ post_payments.amount − Σ post_discounts.amount, every addition
// checked so that a sum never wraps around.
func dcTotal(v *validate.V, total int64, payments []PostPayment, discounts []PostDiscount) {
	v.Check(total >= 0, "total_amount", "must not be negative")
	var paid, off int64
	ok := true
	for i := range payments {
		if a := payments[i].Amount; a != nil && ok {
			paid, ok = dcAdd(paid, *a)
		}
	}
	for i := range discounts {
		if a := discounts[i].Amount; a != nil && ok {
			off, ok = dcAdd(off, *a)
		}
	}
	var want int64
	if ok {
		want, ok = dcAdd(paid, -off)
	}
	switch {
	case !ok:
		v.Add("total_amount", "the item amounts overflow int64")
	case total != want:
		v.Add("total_amount", "must equal Σ post_payments.amount − Σ post_discounts.amount ("+strconv.FormatInt(want, 10)+" fen)")
	}
}

// dcAdd returns a+b and whether it did not overflow. The amounts it adds
// are not negative (other rules say so) or a negated sum of such.
func dcAdd(a, b int64) (int64, bool) {
	s := a + b
	if (b > 0 && s < a) || (b < 0 && s > a) {
		return 0, false
	}
	return s, true
}

func dcNotifyURL(v *validate.V, s string) {
	const field = "notify_url"
	v.URL(field, s)
	v.MaxChars(field, s, dcMaxNotifyURL)
	for i := 0; i < len(s); i++ {
		if s[i] == '?' {
			v.Add(field, "must not have a query string")
			return
		}
	}
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
	}, req, func(r *core.Request) error { r.Body = req; return nil })
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
	v.RequiredText("service_id", r.ServiceID, dcMaxID)
	v.RequiredText("appid", r.AppID, dcMaxID)
	v.RequiredText("openid", r.OpenID, dcMaxOpenID)
	return v.Err(opUserServiceState)
}

// QueryUserServiceStateResponse is the user's state for the service.
type QueryUserServiceStateResponse struct {
	core.ResponseMeta `json:"-"`
	AppID             string          `json:"appid"`
	ServiceID         string          `json:"service_id"`
	OpenID            string          `json:"openid,omitempty"`
	UseServiceState   UseServiceState `json:"use_service_state"`
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
