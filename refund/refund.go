package refund

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/internal/validate"
)

// Documented limits of a refund.
const (
	// MaxRefundsPerOrder is how many refunds one paid order can have. Each
	// partial refund needs its own OutRefundNo, and WeChat Pay asks for at
	// least a minute between two refunds of the same order. The server
	// enforces both; a client cannot check them.
	MaxRefundsPerOrder = 50
	// RefundPeriod is how long after payment an order can be refunded
	// (365 days).
	RefundPeriod = 365 * 24 * time.Hour
	// MaxReasonBytes is the longest reason, in UTF-8 bytes.
	MaxReasonBytes = 80
)

// Routes of the refund endpoints.
const (
	routeCreate = "/v3/refund/domestic/refunds"
	routeQuery  = "/v3/refund/domestic/refunds/{out_refund_no}"
)

// Service calls the domestic refund APIs (退款). One set of endpoints serves
// direct merchants and service providers: a service provider names the
// sub-merchant of the refunded order in SubMchID. Service is safe for
// concurrent use.
type Service struct{ c *core.Client }

// NewService returns a Service that calls the API through c. It panics when
// c is nil: build the client with core.NewClient first.
func NewService(c *core.Client) *Service {
	return &Service{c: validate.Client("refund.NewService", c)}
}

// CreateRequest applies for the refund of a paid order. Give exactly one of
// TransactionID and OutTradeNo.
//
// To refund a pay-score deduction use the transaction_id of the order's
// collection detail (see ForPayScorePayment): a pay-score out_order_no is
// not a payment number and is refused as OutTradeNo.
type CreateRequest struct {
	// SubMchID is the sub-merchant of the refunded order. Service providers
	// must give it; direct merchants must leave it nil. At most 32
	// characters.
	SubMchID *string `json:"sub_mchid,omitempty"`
	// TransactionID is the WeChat Pay order number of the payment, at most
	// 32 characters.
	TransactionID *string `json:"transaction_id,omitempty"`
	// OutTradeNo is the merchant order number of the payment: at most 32
	// ASCII letters, digits and _-|*. WeChat Pay also refuses fewer than 6
	// characters; the SDK leaves that older, wiki-only rule to the server
	// (spec §11.1), so such a number is sent and answered PARAM_ERROR.
	OutTradeNo *string `json:"out_trade_no,omitempty"`
	// OutRefundNo is the merchant's refund number, unique per merchant: 1
	// to 64 ASCII letters, digits and _-|*@. It is the refund's
	// idempotency key: a repeated number refunds only once, so always retry
	// with the same number and the same parameters. Required.
	OutRefundNo string `json:"out_refund_no"`
	// Reason is shown in the refund message the user receives (not for
	// partial refunds of at most 1 yuan). At most MaxReasonBytes UTF-8
	// bytes.
	Reason *string `json:"reason,omitempty"`
	// NotifyURL receives the refund callbacks (EventSuccess, EventClosed,
	// EventAbnormal) of this refund instead of the refund URL configured in
	// the merchant platform: an https URL of 8 to 256 characters without a
	// query string.
	NotifyURL *string `json:"notify_url,omitempty"`
	// FundsAccount chooses the account the refund is paid from:
	// FundsAccountAvailable or FundsAccountUnsettled. Leave it nil for the
	// default.
	FundsAccount *FundsAccount `json:"funds_account,omitempty"`
	// Amount is the refund and the paid order's total. Required.
	Amount AmountRequest `json:"amount"`
	// GoodsDetail lists the refunded items, for refunds of single items.
	GoodsDetail []GoodsDetail `json:"goods_detail,omitempty"`
}

// AmountRequest is the money of a refund request, in fen.
type AmountRequest struct {
	// Refund is the amount to refund, in fen: at least 1 and at most Total.
	// All refunds of an order together cannot exceed what was paid.
	Refund int64 `json:"refund"`
	// From splits the refund between funding accounts; the amounts must add
	// up to Refund and no account may appear twice. Only for orders in
	// profit sharing when refund-expense separation (退款支出分离) is off.
	From []FundSource `json:"from,omitempty"`
	// Total is the paid order's total, in fen (at least 1).
	Total int64 `json:"total"`
	// Currency is always CurrencyCNY. Required.
	Currency Currency `json:"currency"`
}

// Validate reports every broken amount rule as a *core.ValidationError, or
// nil; a nil AmountRequest is one problem. Fields are named as inside
// CreateRequest (amount.refund, amount.from[1].account, …):
// CreateRequest.Validate runs the same checks. Refund and Total at least 1
// fen, Refund ≤ Total, Currency CNY, and From (when given) with distinct
// accounts whose amounts add up to Refund without overflow.
func (a *AmountRequest) Validate() error {
	const op = "refund.AmountRequest"
	if a == nil {
		return validate.NilRequest(op)
	}
	var v validate.V
	amount(&v, a)
	return v.Err(op)
}

// FundSource is the part of a refund drawn from one account.
type FundSource struct {
	Account Account `json:"account"` // AccountAvailable or AccountUnavailable
	Amount  int64   `json:"amount"`  // fen, at least 1
}

// GoodsDetail is one refunded item.
type GoodsDetail struct {
	// MerchantGoodsID is the merchant's item code, at most 32 characters.
	// Required.
	MerchantGoodsID string `json:"merchant_goods_id"`
	// WechatpayGoodsID is WeChat Pay's item code, at most 32 characters.
	WechatpayGoodsID *string `json:"wechatpay_goods_id,omitempty"`
	// GoodsName is the item's name, at most 256 characters.
	GoodsName *string `json:"goods_name,omitempty"`
	// UnitPrice is the item's price, in fen (≥ 0).
	UnitPrice int64 `json:"unit_price"`
	// RefundAmount is the amount refunded for the item, in fen (≥ 0).
	RefundAmount int64 `json:"refund_amount"`
	// RefundQuantity is how many of the item are refunded (≥ 1).
	RefundQuantity int64 `json:"refund_quantity"`
}

const opCreate = "refund.Create"

// Validate reports every broken rule of the request by wire field name (a
// nil request is one) as a *core.ValidationError, or nil: what Create
// checks before sending anything. The rules: exactly one of transaction_id
// and out_trade_no (at most 32 characters, letters, digits and _-|*);
// out_refund_no's length and characters; 1 ≤ refund ≤
// total; currency CNY; reason at most 80 bytes; an https notify_url of 8 to
// 256 characters without a query; the request values of funds_account;
// from amounts adding up to refund, with distinct accounts; the required
// fields of each goods item. What depends on the order (refunds so far,
// the 50-refund limit, the 365-day period) is checked by WeChat Pay.
func (r *CreateRequest) Validate() error {
	if r == nil {
		return validate.NilRequest(opCreate)
	}
	var v validate.V
	v.OptionalID("sub_mchid", r.SubMchID, 32)
	switch {
	case r.TransactionID == nil && r.OutTradeNo == nil:
		v.Add("transaction_id", "one of transaction_id and out_trade_no is required")
	case r.TransactionID != nil && r.OutTradeNo != nil:
		v.Add("out_trade_no", "give either transaction_id or out_trade_no, not both")
	case r.TransactionID != nil:
		v.RequiredText("transaction_id", *r.TransactionID, 32)
	default:
		outTradeNo(&v, *r.OutTradeNo)
	}
	outRefundNo(&v, r.OutRefundNo)
	if r.Reason != nil {
		v.Text("reason", *r.Reason)
		v.MaxBytes("reason", *r.Reason, MaxReasonBytes)
	}
	if r.NotifyURL != nil {
		u := *r.NotifyURL
		v.HTTPSURLNoQuery("notify_url", u)
		v.Check(len(u) >= 8, "notify_url", "must be at least 8 characters")
		v.MaxChars("notify_url", u, 256)
	}
	if r.FundsAccount != nil {
		fa := *r.FundsAccount
		v.Check(fa == FundsAccountAvailable || fa == FundsAccountUnsettled, "funds_account", "must be AVAILABLE or UNSETTLED")
	}
	amount(&v, &r.Amount)
	for i := range r.GoodsDetail {
		var probe validate.V
		goods(&probe, "", &r.GoodsDetail[i])
		if !probe.OK() {
			goods(&v, validate.Index("goods_detail", i), &r.GoodsDetail[i])
		}
	}
	return v.Err(opCreate)
}

// outTradeNo checks the payment's merchant order number: set, the
// documented characters, at most 32. The minimum of 6 is only in the old
// wiki (spec §11.1): WeChat Pay enforces it, the SDK does not.
func outTradeNo(v *validate.V, s string) { v.Token("out_trade_no", s, core.CharsetOutTradeNo, 32) }

func outRefundNo(v *validate.V, s string) {
	v.PathParam("out_refund_no", s, core.CharsetOutRefundNo)
	if len(s) > 64 {
		v.Add("out_refund_no", "must be at most 64 characters")
	}
}

func amount(v *validate.V, a *AmountRequest) {
	v.Check(a.Refund >= 1, "amount.refund", "must be at least 1 fen")
	v.Check(a.Total >= 1, "amount.total", "must be at least 1 fen")
	if a.Refund >= 1 && a.Total >= 1 && a.Refund > a.Total {
		v.Add("amount.refund", "must not exceed amount.total: a refund cannot return more than was paid")
	}
	if v.Required("amount.currency", string(a.Currency)) {
		v.Check(a.Currency == CurrencyCNY, "amount.currency", "must be CNY")
	}
	if len(a.From) == 0 {
		return
	}
	var sum int64
	overflow := false
	for i, f := range a.From {
		okAccount := f.Account == AccountAvailable || f.Account == AccountUnavailable
		repeated := false
		for j := range i {
			repeated = repeated || a.From[j].Account == f.Account
		}
		if !okAccount || f.Amount < 1 || repeated {
			item := validate.Index("amount.from", i)
			v.Check(okAccount, item+".account", "must be AVAILABLE or UNAVAILABLE")
			v.Check(f.Amount >= 1, item+".amount", "must be at least 1 fen")
			v.Check(!repeated, item+".account", "duplicates the account of an earlier item")
		}
		var ok bool
		if sum, ok = addFen(sum, f.Amount); !ok {
			overflow = true
		}
	}
	switch {
	case overflow:
		v.Add("amount.from", "amounts overflow int64")
	case sum != a.Refund:
		v.Add("amount.from", "amounts must add up to amount.refund ("+strconv.FormatInt(a.Refund, 10)+" fen)")
	}
}

// goods checks one refunded item; item is the item's field name, e.g.
// goods_detail[2] ("" while probing, so that names are built only for a
// failing item).
func goods(v *validate.V, item string, g *GoodsDetail) {
	v.RequiredText(item+".merchant_goods_id", g.MerchantGoodsID, 32)
	v.OptionalText(item+".wechatpay_goods_id", g.WechatpayGoodsID, 32)
	if g.WechatpayGoodsID != nil {
		v.Required(item+".wechatpay_goods_id", *g.WechatpayGoodsID)
	}
	v.OptionalText(item+".goods_name", g.GoodsName, 256)
	v.Check(g.UnitPrice >= 0, item+".unit_price", "must not be negative")
	v.Check(g.RefundAmount >= 0, item+".refund_amount", "must not be negative")
	v.Check(g.RefundQuantity >= 1, item+".refund_quantity", "must be at least 1")
}

// addFen adds two amounts in fen, reporting false on int64 overflow.
func addFen(a, b int64) (int64, bool) {
	s := a + b
	if (b > 0 && s < a) || (b < 0 && s > a) {
		return 0, false
	}
	return s, true
}

// Refund is a refund as WeChat Pay reports it: the answer to Create and
// Query. It prints UserReceivedAccount masked (see String).
type Refund struct {
	// RefundID is WeChat Pay's refund number.
	RefundID string `json:"refund_id"`
	// OutRefundNo is the merchant's refund number.
	OutRefundNo string `json:"out_refund_no"`
	// TransactionID is the WeChat Pay order number of the refunded payment.
	TransactionID string `json:"transaction_id"`
	// OutTradeNo is the merchant order number of the refunded payment.
	OutTradeNo string `json:"out_trade_no"`
	// Channel is where the money goes.
	Channel Channel `json:"channel"`
	// UserReceivedAccount names where the money lands, such as
	// "招商银行信用卡0403" or "支付用户零钱". It may hold the end of a card
	// number: treat it as personal data.
	UserReceivedAccount string `json:"user_received_account"`
	// SuccessTime is when the refund succeeded; set only when Status is
	// StatusSuccess.
	SuccessTime *time.Time `json:"success_time,omitempty"`
	// CreateTime is when the refund was accepted.
	CreateTime time.Time `json:"create_time"`
	// Status is the refund's state; Create usually answers
	// StatusProcessing, the outcome comes by callback or Query.
	Status Status `json:"status"`
	// FundsAccount is the account the refund was paid from.
	FundsAccount FundsAccount `json:"funds_account,omitempty"`
	// Amount details the money, in fen.
	Amount Amount `json:"amount"`
	// PromotionDetail lists the coupons of the payment and what of them was
	// refunded.
	PromotionDetail []Promotion `json:"promotion_detail,omitempty"`
}

// Amount is the money of a refund, in fen.
type Amount struct {
	Total  int64        `json:"total"`          // the order's total
	Refund int64        `json:"refund"`         // the refund
	From   []FundSource `json:"from,omitempty"` // funding split, when one was asked for
	// PayerTotal is what the user paid in cash.
	PayerTotal int64 `json:"payer_total"`
	// PayerRefund is the cash returned to the user (coupons excluded).
	PayerRefund int64 `json:"payer_refund"`
	// SettlementRefund is the refund minus its non-recharge coupon part.
	SettlementRefund int64 `json:"settlement_refund"`
	// SettlementTotal is the total minus non-recharge coupons.
	SettlementTotal int64 `json:"settlement_total"`
	// DiscountRefund is the coupon part of the refund (≤ Refund).
	DiscountRefund int64    `json:"discount_refund"`
	Currency       Currency `json:"currency"` // CNY
	// RefundFee is the fee refunded, when the server reports it.
	RefundFee int64 `json:"refund_fee,omitempty"`
}

// Promotion is a coupon of the refunded payment.
type Promotion struct {
	PromotionID  string         `json:"promotion_id"`           // the coupon's ID
	Scope        PromotionScope `json:"scope"`                  // GLOBAL or SINGLE
	Type         PromotionType  `json:"type"`                   // COUPON or DISCOUNT
	Amount       int64          `json:"amount"`                 // the coupon's amount, fen
	RefundAmount int64          `json:"refund_amount"`          // the coupon part refunded, fen
	GoodsDetail  []GoodsDetail  `json:"goods_detail,omitempty"` // the items the coupon applied to
}

// Response is the answer to Create and Query: the refund and the answer's
// metadata.
type Response struct {
	core.ResponseMeta `json:"-"`
	Refund
}

// Create applies for a refund of a paid order (in part or in full). A 200
// answer means the refund was accepted, usually StatusProcessing; the
// outcome arrives as a callback (see ParseEvent) or from Query.
//
// The call is idempotent by OutRefundNo — a repeated number refunds only
// once — so it is retried on transient answers (5xx, SYSTEM_ERROR,
// FREQUENCY_LIMITED…) with the same body. When it still fails, retry later
// with the same OutRefundNo and parameters, never a new number.
//
// Errors: *core.ValidationError (nothing sent); *core.APIError, e.g. 400
// PARAM_ERROR or INVALID_REQUEST (a business rule: more than was paid, too
// many refunds, older than a year), 403 NO_AUTH, NOT_ENOUGH (balance),
// USER_ACCOUNT_ABNORMAL, 404 RESOURCE_NOT_EXISTS (unknown or unpaid order),
// 429 FREQUENCY_LIMITED, 500 SYSTEM_ERROR; signature errors matching
// core.ErrInvalidSignature.
//
// POST /v3/refund/domestic/refunds
// https://pay.weixin.qq.com/docs/merchant/apis/refund/refunds/create.html
func (s *Service) Create(ctx context.Context, req *CreateRequest) (*Response, error) {
	return core.Call[Response](ctx, s.c, core.Endpoint{
		Op: opCreate, Method: http.MethodPost, Route: routeCreate, Idempotent: true,
	}, req, func(r *core.Request) error { r.Body = req; return nil })
}

// QueryRequest identifies a refund by the merchant's refund number.
type QueryRequest struct {
	// OutRefundNo is the merchant's refund number given to Create (path):
	// 1 to 64 ASCII letters, digits and _-|*@. Required.
	OutRefundNo string `json:"-"`
	// SubMchID is the sub-merchant of the refund (query). Service providers
	// must give it; direct merchants leave it nil. At most 32 characters.
	SubMchID *string `json:"-"`
}

const opQuery = "refund.Query"

// Validate reports every broken rule of the request by wire field name (a
// nil request is one) as a *core.ValidationError, or nil: what Query checks
// before sending anything.
func (r *QueryRequest) Validate() error {
	if r == nil {
		return validate.NilRequest(opQuery)
	}
	var v validate.V
	outRefundNo(&v, r.OutRefundNo)
	v.OptionalID("sub_mchid", r.SubMchID, 32)
	return v.Err(opQuery)
}

// Query returns a refund by the merchant's refund number. Query about a
// minute after Create; balance refunds settle within minutes, bank cards
// take 1 to 3 working days.
//
// Errors: *core.ValidationError (nothing sent); *core.APIError, e.g. 404
// RESOURCE_NOT_EXISTS for an unknown refund; signature errors matching
// core.ErrInvalidSignature.
//
// GET /v3/refund/domestic/refunds/{out_refund_no}
// https://pay.weixin.qq.com/docs/merchant/apis/refund/refunds/query-by-out-refund-no.html
func (s *Service) Query(ctx context.Context, req *QueryRequest) (*Response, error) {
	return core.Call[Response](ctx, s.c, core.Endpoint{
		Op: opQuery, Method: http.MethodGet, Route: routeQuery, Idempotent: true,
	}, req, func(r *core.Request) error {
		if req.SubMchID != nil {
			r.Query = url.Values{"sub_mchid": {*req.SubMchID}}
		}
		return r.SetPathParams(core.PathParam{Name: "out_refund_no", Value: req.OutRefundNo, Charset: core.CharsetOutRefundNo})
	})
}
