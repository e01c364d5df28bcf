package payscore

import (
	"errors"

	"github.com/wechatpay-biz/wechatpay-biz-go/notify"
	"github.com/wechatpay-biz/wechatpay-biz-go/payscore/internal/shared"
)

// Callback event types (notify.Notification.EventType).
const (
	// EventUserOpenService: the user authorized the service.
	EventUserOpenService = "PAYSCORE.USER_OPEN_SERVICE"
	// EventUserCloseService: the user withdrew the authorization.
	EventUserCloseService = "PAYSCORE.USER_CLOSE_SERVICE"
	// EventUserConfirm: the user confirmed an order (confirm mode).
	EventUserConfirm = "PAYSCORE.USER_CONFIRM"
	// EventUserPaid: an order's payment was collected.
	EventUserPaid = "PAYSCORE.USER_PAID"
)

// ErrEventType is returned by ParsePermissionEvent and ParseOrderEvent (and
// by those of payscore/partner) for a notification of another event type.
var ErrEventType = errors.New("payscore: unexpected notification event type")

// PermissionEvent is the decrypted resource of the
// PAYSCORE.USER_OPEN_SERVICE and PAYSCORE.USER_CLOSE_SERVICE callbacks.
type PermissionEvent struct {
	// EventType is the notification's event type.
	EventType string `json:"-"`

	AppID     string `json:"appid"`      // AppID
	MchID     string `json:"mchid"`      // merchant ID
	ServiceID string `json:"service_id"` // pay-score service ID
	OpenID    string `json:"openid"`     // the user under AppID
	// OutRequestNo is the merchant request number (ordinary authorization
	// flow).
	OutRequestNo string `json:"out_request_no,omitempty"`
	// AuthorizationCode is set in the pre-authorization flow.
	AuthorizationCode string `json:"authorization_code,omitempty"`
	// UserServiceStatus is USER_OPEN_SERVICE or USER_CLOSE_SERVICE.
	UserServiceStatus UserServiceStatus `json:"user_service_status"`
	// OpenOrCloseTime is when the user opened or closed the service
	// (yyyyMMddHHmmss).
	OpenOrCloseTime Time `json:"openorclose_time"`
}

// ParsePermissionEvent decodes a verified PAYSCORE.USER_OPEN_SERVICE or
// PAYSCORE.USER_CLOSE_SERVICE notification. A notification of another type
// is an error matching ErrEventType.
func ParsePermissionEvent(n *notify.Notification) (*PermissionEvent, error) {
	return shared.ParseEvent(n, ErrEventType, func(ev *PermissionEvent) *string { return &ev.EventType }, EventUserOpenService, EventUserCloseService)
}

// OrderEvent is the decrypted resource of the PAYSCORE.USER_CONFIRM and
// PAYSCORE.USER_PAID callbacks: the service order. After USER_CONFIRM the
// order is DOING/USER_CONFIRM; after USER_PAID it is DONE with collection
// USER_PAID.
type OrderEvent struct {
	// EventType is the notification's event type.
	EventType string `json:"-"`
	ServiceOrder
}

// ParseOrderEvent decodes a verified PAYSCORE.USER_CONFIRM or
// PAYSCORE.USER_PAID notification. A notification of another type is an
// error matching ErrEventType.
func ParseOrderEvent(n *notify.Notification) (*OrderEvent, error) {
	return shared.ParseEvent(n, ErrEventType, func(ev *OrderEvent) *string { return &ev.EventType }, EventUserConfirm, EventUserPaid)
}
