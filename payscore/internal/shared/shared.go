// Package shared holds what the direct pay-score package (payscore) and the
// service-provider one (payscore/partner) both need but neither exports:
// the rules of the identifier, URL and page-signature fields the two modes
// have in common, and the event-type check of their callbacks. The rules of
// the value types an order carries (items, totals, time range, risk fund…)
// are exported by payscore itself, for users as well.
//
// Every rule records its problems on a *validate.V by wire field name and
// allocates nothing when the value is fine.
package shared

import (
	"fmt"
	"slices"
	"strings"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/internal/validate"
	"github.com/wechatpay-biz/wechatpay-biz-go/notify"
)

// Documented maximum lengths, in characters, of fields both modes share
// (spec §4, §9, §10).
const (
	MaxID           = 32  // appid, sub_appid, mch_id, sub_mchid, service_id, out_order_no, authorization_code
	MaxOpenID       = 128 // openid, sub_openid
	MaxReason       = 50  // cancel and terminate reasons
	MaxNotifyURL    = 255 // notify_url
	MaxAttach       = 256 // attach
	MaxIntroduction = 20  // service_introduction
	// MaxPermissionsToken is the documented length of
	// apply_permissions_token (spec §9.1). The order package has none.
	MaxPermissionsToken = 300
	APIv2KeyLength      = 32 // the APIv2 key that signs the pages
	MaxNonce            = 32 // nonce_str of a signed page
)

// ID checks a required identifier (appid, service_id, sub_mchid…): set,
// valid text, at most MaxID characters.
func ID(v *validate.V, field, s string) { v.RequiredText(field, s, MaxID) }

// OptionalID checks an optional identifier: when set, not empty and at
// most MaxID characters.
func OptionalID(v *validate.V, field string, s *string) { v.OptionalID(field, s, MaxID) }

// OutOrderNo checks a merchant service order number: 1 to 32 ASCII
// letters, digits and _-|*.
func OutOrderNo(v *validate.V, s string) {
	v.Token("out_order_no", s, core.CharsetOutTradeNo, MaxID)
}

// OrderBody prepares a call on one order: body is the JSON body and no the
// out_order_no path parameter, checked against its character set before it
// is escaped.
func OrderBody(r *core.Request, no string, body any) error {
	r.Body = body
	return r.SetPathParams(core.PathParam{Name: "out_order_no", Value: no, Charset: core.CharsetOutTradeNo})
}

// OrderOrQueryID checks how an order query names the order: exactly one of
// out_order_no (see OutOrderNo) and query_id (at most maxQueryID
// characters, which differs between the modes).
func OrderOrQueryID(v *validate.V, outOrderNo, queryID string, maxQueryID int) {
	switch {
	case outOrderNo == "" && queryID == "":
		v.Add("out_order_no", "one of out_order_no and query_id is required")
	case outOrderNo != "" && queryID != "":
		v.Add("query_id", "give either out_order_no or query_id, not both")
	case outOrderNo != "":
		OutOrderNo(v, outOrderNo)
	default:
		v.RequiredText("query_id", queryID, maxQueryID)
	}
}

// NotifyURL checks a callback URL that is set: absolute http(s), no query
// string, at most MaxNotifyURL characters. WeChat Pay requires https in
// production; http is accepted because the documented examples and local
// receivers (the sandbox, tests) use it.
func NotifyURL(v *validate.V, s string) {
	const field = "notify_url"
	v.URL(field, s)
	v.MaxChars(field, s, MaxNotifyURL)
	if strings.IndexByte(s, '?') >= 0 {
		v.Add(field, "must not have a query string")
	}
}

// OptionalNotifyURL checks an optional callback URL: when set, as
// NotifyURL.
func OptionalNotifyURL(v *validate.V, s *string) {
	if s != nil {
		NotifyURL(v, *s)
	}
}

// RequiredNotifyURL checks a required callback URL: set, and as NotifyURL.
func RequiredNotifyURL(v *validate.V, s string) {
	if v.Required("notify_url", s) {
		NotifyURL(v, s)
	}
}

// Body prepares a call whose only input is its JSON body: the request
// itself, its route having no path parameter.
func Body(body any) func(*core.Request) error {
	return func(r *core.Request) error { r.Body = body; return nil }
}

// PageSignature checks what signs a pay-score page: the 32-character APIv2
// key (named APIv2Key, never quoted) and, when given, nonce_str (at most 32
// ASCII letters and digits).
func PageSignature(v *validate.V, apiV2Key, nonce string) {
	v.Check(len(apiV2Key) == APIv2KeyLength, "APIv2Key", "must be the 32-character APIv2 key")
	if nonce != "" {
		v.Check(len(nonce) <= MaxNonce && core.CharsetAlnum.Problem(nonce) == "", "nonce_str", "must be at most 32 letters and digits")
	}
}

// Optional runs check on *p when p is set: the Validate of an optional
// nested value (a *payscore.Location, say).
func Optional[T any](p *T, check func(T) error) error {
	if p == nil {
		return nil
	}
	return check(*p)
}

// ParseEvent decodes a verified notification of one of the want event types
// into a new T and records the type in the field eventType points at; a
// notification of another type is an error wrapping sentinel (see
// CheckEvent).
func ParseEvent[T any](n *notify.Notification, sentinel error, eventType func(*T) *string, want ...string) (*T, error) {
	if err := CheckEvent(n, sentinel, want...); err != nil {
		return nil, err
	}
	ev := new(T)
	if err := n.Decode(ev); err != nil {
		return nil, err
	}
	*eventType(ev) = n.EventType
	return ev, nil
}

// CheckEvent returns nil when n is a notification of one of the want event
// types, else an error wrapping sentinel that names the type received and
// the notification ID (never its payload).
func CheckEvent(n *notify.Notification, sentinel error, want ...string) error {
	if n == nil {
		return fmt.Errorf("%w: nil notification, want %v", sentinel, want)
	}
	if slices.Contains(want, n.EventType) {
		return nil
	}
	return fmt.Errorf("%w: got %q, want %v (notification %s)", sentinel, n.EventType, want, n.ID)
}
