package payscore

import (
	"github.com/wechatpay-biz/wechatpay-biz-go/core"
)

// Service calls the Pay Score APIs. It is safe for concurrent use.
type Service struct{ c *core.Client }

// NewService returns a Service using c for signing, sending and verifying.
// It panics when c is nil: build the client with core.NewClient first.
func NewService(c *core.Client) *Service {
	if c == nil {
		panic("payscore.NewService: nil *core.Client; build one with core.NewClient")
	}
	return &Service{c: c}
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

// Location is where the service starts and ends.
type Location struct {
	StartLocation *string `json:"start_location,omitempty"`
	EndLocation   *string `json:"end_location,omitempty"`
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

// Device identifies the devices of an unattended service.
type Device struct {
	StartDeviceID *string `json:"start_device_id,omitempty"`
	EndDeviceID   *string `json:"end_device_id,omitempty"`
	MaterielNo    *string `json:"materiel_no,omitempty"` // material or QR code identifier
}

// ServiceOrder is a service order as the API returns it (query, modify,
// complete, sync) and as the confirm and paid callbacks carry it. Fields
// the server leaves out are zero.
type ServiceOrder struct {
	AppID               string           `json:"appid"`
	MchID               string           `json:"mchid"`
	OutOrderNo          string           `json:"out_order_no"`
	ServiceID           string           `json:"service_id"`
	ServiceIntroduction string           `json:"service_introduction"`
	State               State            `json:"state"`
	StateDescription    StateDescription `json:"state_description,omitempty"` // only while DOING
	PostPayments        []PostPayment    `json:"post_payments,omitempty"`
	PostDiscounts       []PostDiscount   `json:"post_discounts,omitempty"`
	RiskFund            *RiskFund        `json:"risk_fund,omitempty"`
	TotalAmount         int64            `json:"total_amount,omitempty"` // fen
	NeedCollection      *bool            `json:"need_collection,omitempty"`
	Collection          *Collection      `json:"collection,omitempty"`
	TimeRange           *TimeRange       `json:"time_range,omitempty"`
	Location            *Location        `json:"location,omitempty"`
	Attach              string           `json:"attach,omitempty"`
	NotifyURL           string           `json:"notify_url,omitempty"`
	OpenID              string           `json:"openid,omitempty"`
	OrderID             string           `json:"order_id,omitempty"` // WeChat Pay service order number
}

// Collection is the payment information of a completed order.
type Collection struct {
	State        CollectionState `json:"state"`
	TotalAmount  int64           `json:"total_amount,omitempty"`  // fen to collect
	PayingAmount int64           `json:"paying_amount,omitempty"` // fen still unpaid
	PaidAmount   int64           `json:"paid_amount,omitempty"`   // fen already paid
	Details      []PaymentDetail `json:"details,omitempty"`
	BankType     string          `json:"bank_type,omitempty"`
}

// PaymentDetail is one payment of an order.
type PaymentDetail struct {
	Seq             int64             `json:"seq,omitempty"`
	Amount          int64             `json:"amount,omitempty"` // fen
	PaidType        PaidType          `json:"paid_type,omitempty"`
	PaidTime        Time              `json:"paid_time,omitempty"`      // yyyyMMddHHmmss
	TransactionID   string            `json:"transaction_id,omitempty"` // use it for refunds
	PromotionDetail []PromotionDetail `json:"promotion_detail,omitempty"`
}

// PromotionDetail is a coupon applied to a payment.
type PromotionDetail struct {
	CouponID            string           `json:"coupon_id"`
	Name                string           `json:"name,omitempty"`
	Scope               PromotionScope   `json:"scope,omitempty"`
	Type                PromotionType    `json:"type,omitempty"`
	Amount              int64            `json:"amount"` // fen
	StockID             string           `json:"stock_id,omitempty"`
	WechatpayContribute int64            `json:"wechatpay_contribute,omitempty"`
	MerchantContribute  int64            `json:"merchant_contribute,omitempty"`
	OtherContribute     int64            `json:"other_contribute,omitempty"`
	Currency            string           `json:"currency,omitempty"`
	GoodsDetail         []PromotionGoods `json:"goods_detail,omitempty"`
}

// PromotionGoods is a goods line of a coupon.
type PromotionGoods struct {
	GoodsID        string `json:"goods_id"`
	Quantity       int64  `json:"quantity,omitempty"`
	UnitPrice      int64  `json:"unit_price,omitempty"`      // fen
	DiscountAmount int64  `json:"discount_amount,omitempty"` // fen
	GoodsRemark    string `json:"goods_remark,omitempty"`
}

// OrderResponse is a service order returned by QueryOrder, ModifyOrder,
// CompleteOrder and SyncOrder.
type OrderResponse struct {
	core.ResponseMeta `json:"-"`
	ServiceOrder
}
