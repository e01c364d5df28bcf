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
	AuthTypeRegistered                 AuthType = "REGISTERED_MODE"                   // registration mode
	AuthTypeRegisteredAndAuthorization AuthType = "REGISTERED_AND_AUTHORIZATION_MODE" // registration-and-authorization mode
)

// Values lists the known authorization modes. The server may add more;
// they decode as is.
func (AuthType) Values() []AuthType {
	return []AuthType{AuthTypeRegistered, AuthTypeRegisteredAndAuthorization}
}

// TransactionEvent is the decrypted resource of a MALL_TRANSACTION.SUCCESS
// notification. OpenID and Code identify the member: the event prints them
// masked (fmt and slog); do not copy them into logs yourself.
type TransactionEvent struct {
	MchID        string `json:"mchid"`         // the mall's merchant ID
	MerchantName string `json:"merchant_name"` // the mall's merchant name
	ShopName     string `json:"shop_name"`     // store name given when the mall registered it
	ShopNumber   string `json:"shop_number"`   // the mall's own store code
	AppID        string `json:"appid"`         // mini-program AppID the member authorized with
	OpenID       string `json:"openid"`        // the member's OpenID under AppID
	Amount       int64  `json:"amount"`        // paid amount, fen
	// TimeEnd is time_end, when the payment completed (RFC 3339, +08:00).
	TimeEnd time.Time `json:"time_end"`
	// TransactionID is the WeChat Pay order number; pass it to SyncPoints.
	TransactionID string `json:"transaction_id"`
	// CommitTag is commit_tag, the manual points-submission tag; sent by
	// some versions of the service only, empty otherwise.
	CommitTag string `json:"commit_tag,omitempty"`
	// AuthType is auth_type, how the member authorized the points service
	// (REGISTERED_MODE or REGISTERED_AND_AUTHORIZATION_MODE); sent by some
	// versions of the service only, empty otherwise.
	AuthType AuthType `json:"auth_type,omitempty"`
	// Code is code, the member card code; sent by some versions of the
	// service only, empty otherwise. Personal data: printed masked.
	Code string `json:"code,omitempty"`
}

// RefundEvent is the decrypted resource of a MALL_REFUND.SUCCESS
// notification, sent for a refund (within 30 days) of a purchase synced
// with SyncPoints. OpenID identifies the member: the event prints it masked
// (fmt and slog); do not copy it into logs yourself.
type RefundEvent struct {
	MchID        string    `json:"mchid"`         // the mall's merchant ID
	MerchantName string    `json:"merchant_name"` // the mall's merchant name
	ShopName     string    `json:"shop_name"`     // store name given when the mall registered it
	ShopNumber   string    `json:"shop_number"`   // the mall's own store code
	AppID        string    `json:"appid"`         // mini-program AppID the member authorized with
	OpenID       string    `json:"openid"`        // the member's OpenID under AppID
	RefundTime   time.Time `json:"refund_time"`   // when the refund succeeded (RFC 3339, +08:00)
	PayAmount    int64     `json:"pay_amount"`    // the original paid amount, fen
	RefundAmount int64     `json:"refund_amount"` // the refunded amount, fen
	// TransactionID is the WeChat Pay order number of the refunded purchase.
	TransactionID string `json:"transaction_id"`
	RefundID      string `json:"refund_id"` // WeChat Pay refund number
}

// ActivateCardEvent is the decrypted resource of a MALL_AUTH.ACTIVATE_CARD
// notification: a member authorized the points service in the plugin.
// OpenID and Code identify the member: the event prints them masked (fmt
// and slog); do not copy them into logs yourself.
type ActivateCardEvent struct {
	OpenID string `json:"openid"` // the member's OpenID
	Code   string `json:"code"`   // member card code
	MchID  string `json:"mchid"`  // the mall's merchant ID
	// AuthType is auth_type, how the member authorized: REGISTERED_MODE or
	// REGISTERED_AND_AUTHORIZATION_MODE. Values newer than this SDK decode
	// as they are.
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
