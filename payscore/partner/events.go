package partner

import (
	"encoding/json"

	"github.com/wechatpay-biz/wechatpay-biz-go/notify"
	"github.com/wechatpay-biz/wechatpay-biz-go/payscore"
	"github.com/wechatpay-biz/wechatpay-biz-go/payscore/internal/shared"
)

// Callback event types (notify.Notification.EventType). They are spelled as
// for direct merchants; what differs is the payload, which names the
// sub-merchant. All four arrive at the service provider (one callback URL
// for every sub-merchant), verified and decrypted with the provider's keys
// by a notify.Handler; route them with Handler.On and then by the event's
// SubMchID. Spec §9.13.
const (
	// EventUserOpenService: the user authorized the service for a
	// sub-merchant. Sent to the PreAuthorize NotifyURL.
	EventUserOpenService = payscore.EventUserOpenService
	// EventUserCloseService: the user withdrew the authorization.
	EventUserCloseService = payscore.EventUserCloseService
	// EventUserConfirm: the user confirmed an order (confirm mode). Sent
	// to the CreateOrder NotifyURL.
	EventUserConfirm = payscore.EventUserConfirm
	// EventUserPaid: an order's deduction succeeded. It may come more than
	// once while several deductions accumulate: deduplicate on
	// out_order_no, the event type and collection.paid_amount.
	EventUserPaid = payscore.EventUserPaid
)

// ErrEventType is returned by the Parse functions for a notification of
// another event type. It is payscore.ErrEventType, so that one errors.Is
// check serves the callbacks of both modes.
var ErrEventType = payscore.ErrEventType

// PermissionEvent is the decrypted resource of a partner
// PAYSCORE.USER_OPEN_SERVICE or PAYSCORE.USER_CLOSE_SERVICE notification.
// OpenID and SubOpenID are personal data: the event prints them masked
// (fmt and slog); do not copy them into logs yourself.
type PermissionEvent struct {
	// EventType is the notification's event type.
	EventType string `json:"-"`

	AppID string `json:"appid"` // the service provider's AppID
	// MchID is the service provider's merchant ID. The payload spells it
	// mchid or mch_id; both decode here (mchid wins when both are set).
	MchID    string `json:"mchid"`
	SubAppID string `json:"sub_appid,omitempty"` // the sub-merchant's AppID, if any
	// SubMchID is the sub-merchant, spelled sub_mchid or sub_mch_id in the
	// payload; both decode here (sub_mchid wins when both are set).
	SubMchID  string `json:"sub_mchid"`
	ServiceID string `json:"service_id"`           // the pay-score service
	OpenID    string `json:"openid,omitempty"`     // the user under AppID, if given
	SubOpenID string `json:"sub_openid,omitempty"` // the user under SubAppID, if given
	// UserServiceStatus is USER_OPEN_SERVICE or USER_CLOSE_SERVICE.
	UserServiceStatus payscore.UserServiceStatus `json:"user_service_status"`
	// OpenOrCloseTime is when the user opened or closed the service
	// (yyyyMMddHHmmss, Beijing time).
	OpenOrCloseTime payscore.Time `json:"openorclose_time"`
	// AuthorizationCode is the pre-authorization number (PreAuthorize).
	AuthorizationCode string `json:"authorization_code,omitempty"`
	// OutRequestNo is set only in the ordinary (non-pre-authorization)
	// flow.
	OutRequestNo string `json:"out_request_no,omitempty"`
}

// permissionEventFields is PermissionEvent without its methods.
type permissionEventFields PermissionEvent

// UnmarshalJSON decodes the payload, taking the merchant IDs under either
// of their spellings.
func (e *PermissionEvent) UnmarshalJSON(b []byte) error {
	var w struct {
		*permissionEventFields
		AltMchID    string `json:"mch_id"`
		AltSubMchID string `json:"sub_mch_id"`
	}
	w.permissionEventFields = (*permissionEventFields)(e)
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	if e.MchID == "" {
		e.MchID = w.AltMchID
	}
	if e.SubMchID == "" {
		e.SubMchID = w.AltSubMchID
	}
	return nil
}

// ParsePermissionEvent decodes a verified partner PAYSCORE.USER_OPEN_SERVICE
// or PAYSCORE.USER_CLOSE_SERVICE notification. A notification of another
// type is ErrEventType.
func ParsePermissionEvent(n *notify.Notification) (*PermissionEvent, error) {
	return shared.ParseEvent(n, ErrEventType, func(ev *PermissionEvent) *string { return &ev.EventType }, EventUserOpenService, EventUserCloseService)
}

// OrderEvent is the decrypted resource of a partner PAYSCORE.USER_CONFIRM
// or PAYSCORE.USER_PAID notification: the sub-merchant's service order.
// After USER_CONFIRM it is DOING/USER_CONFIRM; after USER_PAID it is DONE
// with collection USER_PAID, and Collection.Details carry the transaction
// IDs that refunds need.
type OrderEvent struct {
	// EventType is the notification's event type.
	EventType string `json:"-"`
	ServiceOrder
}

// ParseOrderEvent decodes a verified partner PAYSCORE.USER_CONFIRM or
// PAYSCORE.USER_PAID notification. A notification of another type is
// ErrEventType.
func ParseOrderEvent(n *notify.Notification) (*OrderEvent, error) {
	return shared.ParseEvent(n, ErrEventType, func(ev *OrderEvent) *string { return &ev.EventType }, EventUserConfirm, EventUserPaid)
}
