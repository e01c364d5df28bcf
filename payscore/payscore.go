package payscore

import (
	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/internal/validate"
)

// Service calls the Pay Score APIs. It is safe for concurrent use.
type Service struct{ c *core.Client }

// NewService returns a Service using c for signing, sending and verifying.
// It panics when c is nil: build the client with core.NewClient first.
func NewService(c *core.Client) *Service {
	return &Service{c: validate.Client("payscore.NewService", c)}
}

// PostPayment is a post-paid item of an order (后付费项目).
type PostPayment struct {
	// Name of the item, at most 20 characters, unique in the order (except
	// "商品信息"). Required.
	Name string `json:"name"`
	// Amount of the item in fen, ≥ 0 (0 means free).
	Amount *int64 `json:"amount,omitempty"`
	// Description, at most 30 characters.
	Description *string `json:"description,omitempty"`
	// Count, 1 to 100.
	Count *int64 `json:"count,omitempty"`
}

// PostDiscount is a merchant discount of an order (商户优惠).
type PostDiscount struct {
	// Name of the discount, at most 20 characters, unique in the order.
	// Required.
	Name string `json:"name"`
	// Description of its conditions, at most 30 characters. Required when
	// creating an order.
	Description *string `json:"description,omitempty"`
	// Amount in fen. Required when completing or modifying an order.
	Amount *int64 `json:"amount,omitempty"`
	// Count of discounts used.
	Count *int64 `json:"count,omitempty"`
}

// TimeRange is the service period.
type TimeRange struct {
	// StartTime is yyyyMMddHHmmss, yyyyMMdd or OnAccept. Required when
	// creating an order; when completing, leave it empty to keep the start
	// time given at creation (it is then left out of the request).
	StartTime Time `json:"start_time,omitempty"`
	// StartTimeRemark is shown with the start time.
	StartTimeRemark *string `json:"start_time_remark,omitempty"`
	// EndTime is the expected end (yyyyMMddHHmmss or yyyyMMdd). When not
	// given at creation it must be given when completing the order.
	EndTime *Time `json:"end_time,omitempty"`
	// EndTimeRemark is shown with the end time.
	EndTimeRemark *string `json:"end_time_remark,omitempty"`
}

// Location is where the service starts and ends. No length is documented.
type Location struct {
	StartLocation *string `json:"start_location,omitempty"` // where the service starts
	EndLocation   *string `json:"end_location,omitempty"`   // where it ends (is expected to end)
}

// RiskFund describes the order's risk fund.
type RiskFund struct {
	// Name depends on the service's mode (see RiskFundName). Required.
	Name RiskFundName `json:"name"`
	// Amount in fen, at most the service's risk ceiling. Required.
	Amount int64 `json:"amount"`
	// Description of the risk fund.
	Description *string `json:"description,omitempty"`
}

// Device identifies the devices of an unattended service. No length is
// documented.
type Device struct {
	StartDeviceID *string `json:"start_device_id,omitempty"` // device where the service starts
	EndDeviceID   *string `json:"end_device_id,omitempty"`   // device where it ends
	MaterielNo    *string `json:"materiel_no,omitempty"`     // material or QR code identifier
}

// ServiceOrder is a service order as the API returns it (query, modify,
// complete, sync) and as the confirm and paid callbacks carry it. Fields
// the server leaves out are zero. Amounts are fen. OpenID and the
// locations are personal data: the order prints them masked (fmt and
// slog); do not copy them into logs yourself.
type ServiceOrder struct {
	AppID               string           `json:"appid"`                       // AppID of the order (the service provider's in partner mode)
	MchID               string           `json:"mchid"`                       // merchant ID (the service provider's in partner mode)
	OutOrderNo          string           `json:"out_order_no"`                // merchant order number
	ServiceID           string           `json:"service_id"`                  // pay-score service ID
	ServiceIntroduction string           `json:"service_introduction"`        // description shown to the user
	State               State            `json:"state"`                       // order state
	StateDescription    StateDescription `json:"state_description,omitempty"` // only while DOING
	PostPayments        []PostPayment    `json:"post_payments,omitempty"`     // post-paid items
	PostDiscounts       []PostDiscount   `json:"post_discounts,omitempty"`    // merchant discounts
	RiskFund            *RiskFund        `json:"risk_fund,omitempty"`         // risk fund
	TotalAmount         int64            `json:"total_amount,omitempty"`      // fen to collect
	NeedCollection      *bool            `json:"need_collection,omitempty"`   // whether WeChat Pay collects the money
	Collection          *Collection      `json:"collection,omitempty"`        // payment information, once completed
	TimeRange           *TimeRange       `json:"time_range,omitempty"`        // service period
	Location            *Location        `json:"location,omitempty"`          // service location
	Attach              string           `json:"attach,omitempty"`            // merchant data given at creation
	NotifyURL           string           `json:"notify_url,omitempty"`        // callback URL given at creation
	OpenID              string           `json:"openid,omitempty"`            // the user under AppID
	OrderID             string           `json:"order_id,omitempty"`          // WeChat Pay service order number
}

// Collection is the payment information of a completed order.
type Collection struct {
	State        CollectionState `json:"state"`                   // USER_PAYING or USER_PAID
	TotalAmount  int64           `json:"total_amount,omitempty"`  // fen to collect
	PayingAmount int64           `json:"paying_amount,omitempty"` // fen still unpaid
	PaidAmount   int64           `json:"paid_amount,omitempty"`   // fen already paid
	Details      []PaymentDetail `json:"details,omitempty"`       // one per payment
	BankType     string          `json:"bank_type,omitempty"`     // paying bank
}

// PaymentDetail is one payment of an order. Refund it with its
// TransactionID (package refund, ForPayScorePayment).
type PaymentDetail struct {
	Seq             int64             `json:"seq,omitempty"`              // number of the payment in the order
	Amount          int64             `json:"amount,omitempty"`           // fen
	PaidType        PaidType          `json:"paid_type,omitempty"`        // NEWTON (pay score) or MCH (merchant's channel)
	PaidTime        Time              `json:"paid_time,omitempty"`        // yyyyMMddHHmmss
	TransactionID   string            `json:"transaction_id,omitempty"`   // use it for refunds
	PromotionDetail []PromotionDetail `json:"promotion_detail,omitempty"` // coupons of the payment
}

// PromotionDetail is a coupon applied to a payment. Amounts are fen.
type PromotionDetail struct {
	CouponID            string           `json:"coupon_id"`                      // coupon ID
	Name                string           `json:"name,omitempty"`                 // coupon name
	Scope               PromotionScope   `json:"scope,omitempty"`                // GLOBAL or SINGLE
	Type                PromotionType    `json:"type,omitempty"`                 // CASH or NOCASH
	Amount              int64            `json:"amount"`                         // fen
	StockID             string           `json:"stock_id,omitempty"`             // coupon stock (batch) ID
	WechatpayContribute int64            `json:"wechatpay_contribute,omitempty"` // fen funded by WeChat Pay
	MerchantContribute  int64            `json:"merchant_contribute,omitempty"`  // fen funded by the merchant
	OtherContribute     int64            `json:"other_contribute,omitempty"`     // fen funded by others
	Currency            string           `json:"currency,omitempty"`             // CNY
	GoodsDetail         []PromotionGoods `json:"goods_detail,omitempty"`         // goods the coupon applies to
}

// PromotionGoods is a goods line of a coupon.
type PromotionGoods struct {
	GoodsID        string `json:"goods_id"`                  // goods ID
	Quantity       int64  `json:"quantity,omitempty"`        // quantity
	UnitPrice      int64  `json:"unit_price,omitempty"`      // fen
	DiscountAmount int64  `json:"discount_amount,omitempty"` // fen
	GoodsRemark    string `json:"goods_remark,omitempty"`    // remark
}

// OrderResponse is a service order returned by QueryOrder, ModifyOrder,
// CompleteOrder and SyncOrder.
type OrderResponse struct {
	core.ResponseMeta `json:"-"`
	ServiceOrder
}
