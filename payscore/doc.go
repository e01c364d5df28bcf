// Package payscore wraps WeChat Pay Score (微信支付分) for direct merchants:
// user authorizations ("permissions"), service orders, their callbacks, and
// the parameters a mini program, APP or JSAPI page needs to open the Pay
// Score pages.
//
// Build a Service once from a *core.Client and share it:
//
//	svc := payscore.NewService(client)
//
// # Modes
//
// In confirm mode (需确认) an order is created CREATED and the user confirms
// it in the Pay Score mini program, opened with ConfirmOrderPage and the
// order's package. In no-confirm mode (免确认) the user authorizes the
// merchant's service once (PreAuthorize, then AuthorizationPage); orders are
// then created with NeedUserConfirm set to false and the user's OpenID, and
// start DOING/USER_CONFIRM at once.
//
// # Order states
//
//	CREATED ──user confirms──▶ DOING/USER_CONFIRM ──CompleteOrder──▶ DOING/MCH_COMPLETE
//	   │                            │                     (collection USER_PAYING)
//	   │                            │                          │ deducted, or SyncOrder
//	   ├──CancelOrder──▶ REVOKED ◀──┴──CancelOrder─────────────┤
//	   └──30 days──▶ EXPIRED                                   ▼
//	                                                   DONE (collection USER_PAID)
//
// # Validation
//
// Every request type has an exported Validate method, which each Service
// method calls first: it reports every problem at once in a
// *core.ValidationError, naming fields as on the wire, and nothing is sent
// when it fails. Call it yourself to reject a bad form early. The rules are
// the documented ones: required fields, lengths, formats, at most 100
// post_payments and 30 post_discounts, unique item names, risk fund names,
// and total_amount = Σ post_payments.amount − Σ post_discounts.amount when
// completing or modifying an order, every sum checked for overflow (see
// Total).
//
// The values orders share validate themselves (PostPayment, PostDiscount,
// TimeRange, RiskFund, Location, Device, SyncDetail), and ValidateItems,
// ValidateTotal and ValidateTimeRange hold the list, amount and service
// period rules, with what differs between calls in ItemRules and
// TimeRangeRules. Every request type holding them — direct, create-and-
// complete, and the service-provider ones of payscore/partner — applies
// these same rules.
//
// Path parameters (openid, authorization_code, out_order_no) are checked
// against their documented character sets before they are escaped: an
// OpenID is letters, digits, _ and -; an authorization code adds *; an
// order number adds | and *. Errors and logs show the route template
// (/v3/payscore/permissions/openid/{openid}), never the OpenID.
//
// # Times
//
// The API writes pay-score times as yyyyMMddHHmmss (Beijing time), some also
// as yyyyMMdd, and the start time may be the keyword OnAccept. Time holds
// such a value exactly as sent; build one with At, Date or OnAccept.
//
// Reference: https://pay.weixin.qq.com/doc/v3/merchant/4012587900 and the
// no-confirm development guide.
package payscore
