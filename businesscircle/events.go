package businesscircle

import (
	"errors"
	"fmt"
	"time"

	"github.com/wechatpay-biz/wechatpay-biz-go/notify"
)

// Event types of the business circle callbacks (notify.Notification.EventType),
// spelled with an underscore as WeChat Pay sends them. Callback
// documentation: https://pay.weixin.qq.com/wiki/doc/apiv3/open/pay/chapter3_6_4.shtml
// (API list) and https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter8_6_6.shtml
// (authorization result).
const (
	// EventTransactionSuccess: an authorized member paid in one of the
	// mall's stores. Sent to the "user consumption" callback URL.
	EventTransactionSuccess = "MALL_TRANSACTION.SUCCESS"
	// EventRefundSuccess: a purchase whose points were synced (SyncPoints)
	// was refunded within 30 days. Sent to the same URL as
	// EventTransactionSuccess.
	EventRefundSuccess = "MALL_REFUND.SUCCESS"
	// EventActivateCard: a member authorized the points service in the
	// plugin. Sent to the "points service activation" callback URL.
	EventActivateCard = "MALL_AUTH.ACTIVATE_CARD"
)

// ErrEventType is returned by the Parse functions when the notification is
// of another event type.
var ErrEventType = errors.New("businesscircle: unexpected notification event type")

// AuthType is how a member authorized the points service.
type AuthType string

// Authorization modes.
const (
	AuthTypeRegistered                 AuthType = "REGISTERED_MODE"
	AuthTypeRegisteredAndAuthorization AuthType = "REGISTERED_AND_AUTHORIZATION_MODE"
)

// Values lists the known authorization modes.
func (AuthType) Values() []AuthType {
	return []AuthType{AuthTypeRegistered, AuthTypeRegisteredAndAuthorization}
}

// TransactionEvent is the decrypted resource of a MALL_TRANSACTION.SUCCESS
// notification. It holds the member's OpenID: treat it as personal data.
type TransactionEvent struct {
	MchID        string `json:"mchid"`         // the mall's merchant ID
	MerchantName string `json:"merchant_name"` // the mall's merchant name
	ShopName     string `json:"shop_name"`     // store name given when the mall registered it
	ShopNumber   string `json:"shop_number"`   // the mall's own store code
	AppID        string `json:"appid"`         // mini-program AppID the member authorized with
	OpenID       string `json:"openid"`        // the member's OpenID under AppID
	Amount       int64  `json:"amount"`        // paid amount, fen
	// TimeEnd is when the payment completed.
	TimeEnd time.Time `json:"time_end"`
	// TransactionID is the WeChat Pay order number; pass it to SyncPoints.
	TransactionID string `json:"transaction_id"`
	// CommitTag, AuthType and Code are sent by some versions of the service
	// (manual-submission tag, authorization mode, member card code).
	CommitTag string   `json:"commit_tag,omitempty"`
	AuthType  AuthType `json:"auth_type,omitempty"`
	Code      string   `json:"code,omitempty"`
}

// RefundEvent is the decrypted resource of a MALL_REFUND.SUCCESS
// notification.
type RefundEvent struct {
	MchID        string    `json:"mchid"`
	MerchantName string    `json:"merchant_name"`
	ShopName     string    `json:"shop_name"`
	ShopNumber   string    `json:"shop_number"`
	AppID        string    `json:"appid"`
	OpenID       string    `json:"openid"`
	RefundTime   time.Time `json:"refund_time"`   // when the refund succeeded
	PayAmount    int64     `json:"pay_amount"`    // the original paid amount, fen
	RefundAmount int64     `json:"refund_amount"` // the refunded amount, fen
	// TransactionID is the WeChat Pay order number of the refunded purchase.
	TransactionID string `json:"transaction_id"`
	RefundID      string `json:"refund_id"` // WeChat Pay refund number
}

// ActivateCardEvent is the decrypted resource of a MALL_AUTH.ACTIVATE_CARD
// notification.
type ActivateCardEvent struct {
	OpenID   string   `json:"openid"`
	Code     string   `json:"code"` // member card code
	MchID    string   `json:"mchid"`
	AuthType AuthType `json:"auth_type"`
}

// ParseTransaction decodes a verified MALL_TRANSACTION.SUCCESS notification.
func ParseTransaction(n *notify.Notification) (*TransactionEvent, error) {
	ev := new(TransactionEvent)
	if err := decode(n, EventTransactionSuccess, ev); err != nil {
		return nil, err
	}
	return ev, nil
}

// ParseRefund decodes a verified MALL_REFUND.SUCCESS notification.
func ParseRefund(n *notify.Notification) (*RefundEvent, error) {
	ev := new(RefundEvent)
	if err := decode(n, EventRefundSuccess, ev); err != nil {
		return nil, err
	}
	return ev, nil
}

// ParseActivateCard decodes a verified MALL_AUTH.ACTIVATE_CARD notification.
func ParseActivateCard(n *notify.Notification) (*ActivateCardEvent, error) {
	ev := new(ActivateCardEvent)
	if err := decode(n, EventActivateCard, ev); err != nil {
		return nil, err
	}
	return ev, nil
}

func decode(n *notify.Notification, eventType string, v any) error {
	if n == nil {
		return fmt.Errorf("%w: nil notification, want %s", ErrEventType, eventType)
	}
	if n.EventType != eventType {
		return fmt.Errorf("%w: got %q, want %s (notification %s)", ErrEventType, n.EventType, eventType, n.ID)
	}
	return n.Decode(v)
}
