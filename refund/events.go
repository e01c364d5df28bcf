package refund

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/wechatpay-biz/wechatpay-biz-go/notify"
)

// Event types of the refund callbacks (notify.Notification.EventType). WeChat
// Pay sends one when a refund reaches a final state, to the refund's
// NotifyURL or else to the refund URL configured in the merchant platform,
// and delivers it again (15 s, 15 s, 30 s, 3 min … over about 24 hours)
// until it is acknowledged. Documentation:
// https://pay.weixin.qq.com/docs/merchant/apis/weixin-pay-score/refunds/refund-result-notice.html
const (
	// EventSuccess: the refund succeeded.
	EventSuccess = "REFUND.SUCCESS"
	// EventAbnormal: the money could not reach the user; handle it in the
	// merchant platform (or with the abnormal-refund API).
	EventAbnormal = "REFUND.ABNORMAL"
	// EventClosed: the refund was closed without refunding.
	EventClosed = "REFUND.CLOSED"
)

// EventTypes lists the refund callback event types.
func EventTypes() []string { return []string{EventSuccess, EventAbnormal, EventClosed} }

// ErrEventType is returned by ParseEvent when the notification is not a
// refund callback.
var ErrEventType = errors.New("refund: unexpected notification event type")

// Event is the decrypted resource of a refund callback. Service providers
// receive the callbacks of all their sub-merchants on one URL: route them
// by SubMchID. It prints UserReceivedAccount masked (see String).
type Event struct {
	// EventType is the notification's event type: EventSuccess,
	// EventAbnormal or EventClosed.
	EventType string `json:"-"`

	// MchID is the merchant, for direct merchants.
	MchID string `json:"mchid,omitempty"`
	// SpMchID is the service provider, for service providers.
	SpMchID string `json:"sp_mchid,omitempty"`
	// SubMchID is the sub-merchant of the refund, for service providers.
	SubMchID string `json:"sub_mchid,omitempty"`
	// OutTradeNo is the merchant order number of the refunded payment.
	OutTradeNo string `json:"out_trade_no"`
	// TransactionID is the WeChat Pay order number of the refunded payment.
	TransactionID string `json:"transaction_id"`
	// OutRefundNo is the merchant's refund number: with EventType, the key
	// to de-duplicate callbacks on.
	OutRefundNo string `json:"out_refund_no"`
	// RefundID is WeChat Pay's refund number.
	RefundID string `json:"refund_id"`
	// RefundStatus is StatusSuccess, StatusClosed or StatusAbnormal, as the
	// event type says.
	RefundStatus Status `json:"refund_status"`
	// SuccessTime is when the refund succeeded (EventSuccess only).
	SuccessTime *time.Time `json:"success_time,omitempty"`
	// UserReceivedAccount names where the money lands; it may hold the end
	// of a card number: treat it as personal data.
	UserReceivedAccount string `json:"user_received_account"`
	// Amount is the money, in fen.
	Amount EventAmount `json:"amount"`
}

// EventAmount is the money of a refund callback, in fen.
type EventAmount struct {
	Total       int64 `json:"total"`        // the order's total
	Refund      int64 `json:"refund"`       // the refund
	PayerTotal  int64 `json:"payer_total"`  // what the user paid in cash
	PayerRefund int64 `json:"payer_refund"` // the cash returned to the user
}

// ParseEvent decodes a verified refund callback (REFUND.SUCCESS,
// REFUND.ABNORMAL or REFUND.CLOSED). Another event type is an error
// matching ErrEventType.
func ParseEvent(n *notify.Notification) (*Event, error) {
	if n == nil {
		return nil, fmt.Errorf("%w: nil notification", ErrEventType)
	}
	switch n.EventType {
	case EventSuccess, EventAbnormal, EventClosed:
	default:
		return nil, fmt.Errorf("%w: got %q, want one of %v (notification %s)", ErrEventType, n.EventType, EventTypes(), n.ID)
	}
	ev := &Event{EventType: n.EventType}
	if err := n.Decode(ev); err != nil {
		return nil, err
	}
	return ev, nil
}

// Handle registers fn on h for the three refund callbacks: each verified
// notification is decoded with ParseEvent and passed to fn. When fn returns
// nil, h answers WeChat Pay 204 No Content; when fn (or the decoding)
// fails, h answers 500 {"code":"FAIL",…}, so the callback is delivered
// again on WeChat Pay's schedule. h runs fn once per notification ID (see
// notify.Handler).
func Handle(h *notify.Handler, fn func(ctx context.Context, ev *Event) error) {
	cb := func(ctx context.Context, n *notify.Notification) error {
		ev, err := ParseEvent(n)
		if err != nil {
			return err
		}
		return fn(ctx, ev)
	}
	for _, t := range EventTypes() {
		h.On(t, cb)
	}
}
