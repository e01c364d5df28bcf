// Package partner wraps WeChat Pay Score (微信支付分) for service providers
// (服务商) acting for their sub-merchants (特约商户): the
// /v3/payscore/partner/… APIs, their callbacks, and the signed confirm page.
//
// Build a Service once from the service provider's *core.Client (its
// merchant ID, key and APIv3 key are the provider's) and share it:
//
//	svc := partner.NewService(client)
//
// The methods have the names of payscore.Service for what exists in partner
// mode: PreAuthorize, QueryPermissionByOpenID,
// QueryPermissionByAuthorizationCode, TerminatePermissionByOpenID,
// TerminatePermissionByAuthorizationCode, CreateOrder, QueryOrder,
// CancelOrder, ModifyOrder, CompleteOrder, PayOrder and SyncOrder. The value
// types (payscore.TimeRange, PostPayment, PostDiscount, RiskFund, Location,
// Device, Time, the states and enums) are those of package payscore and are
// checked by the same rules: their Validate methods, payscore.ValidateItems,
// payscore.ValidateTotal and payscore.ValidateTimeRange, with the rules of
// each partner call (payscore.ItemRules, payscore.TimeRangeRules).
//
// # What differs from direct mode
//
//   - Every call names the sub-merchant, SubMchID. AppID is the service
//     provider's AppID; SubAppID an AppID bound to the sub-merchant. A user
//     is named by exactly one of OpenID (under AppID) and SubOpenID (under
//     SubAppID, which it then requires). CreateOrder requires one only in
//     no-confirm mode (NeedUserConfirm false); in confirm mode at most one
//     may be given.
//   - The OpenID look-ups are /permissions/search (OpenID in the query) and
//     /permissions/terminate (OpenID in the body), not /openid/{openid}.
//     The query string never reaches a log or an error: they show the route.
//   - QueryOrder takes no AppID; its ServiceID is optional.
//   - CancelOrder, ModifyOrder, CompleteOrder, PayOrder and SyncOrder answer
//     204 No Content: their responses carry Order == nil (ResponseMeta
//     still holds the status and Request-ID). A 200 answer with
//     the order, which some WeChat Pay deployments send, is verified and
//     decoded into Order instead of refused.
//   - Authorization numbers may hold letters, digits and _-|*.
//   - The confirm page is signed with the provider's APIv2 key, HMAC-SHA256
//     (ConfirmOrderPage); the authorization and detail pages are built with
//     payscore.AuthorizationPage and payscore.OrderDetailPage.
//   - A pay-score deduction is refunded with the transaction_id of
//     Collection.Details (QueryOrder or the USER_PAID callback), never with
//     the order number.
//
// # Callbacks
//
// USER_OPEN_SERVICE, USER_CLOSE_SERVICE, USER_CONFIRM and USER_PAID reach the
// provider's callback URL for every sub-merchant. Register them on a
// notify.Handler built from the provider's client, parse them with
// ParsePermissionEvent and ParseOrderEvent (ErrEventType for another event
// type), and route by SubMchID. The Handler answers 204 No Content once a
// callback returns nil, 500 FAIL (delivered again) when it returns an
// error:
//
//	h, _ := notify.NewHandler(client)
//	h.On(partner.EventUserPaid, func(ctx context.Context, n *notify.Notification) error {
//		ev, err := partner.ParseOrderEvent(n)
//		if err != nil {
//			return err
//		}
//		return ledgerFor(ev.SubMchID).Paid(ctx, ev.OutOrderNo, ev.Collection)
//	})
//
// Money is int64 fen. Pay-score times (time_range, openorclose_time, the
// collection's paid_time) are payscore.Time, yyyyMMddHHmmss in Beijing time
// (Asia/Shanghai); other times (complete_time) are RFC 3339 time.Time.
// Every method validates its request
// first (a *core.ValidationError lists every broken rule and nothing is
// sent) and returns *core.APIError for WeChat Pay's refusals, with the
// Request-ID; answers are verified (errors matching
// core.ErrInvalidSignature).
//
// Reference: spec §9 of this SDK (api-reference.md) and
// https://pay.weixin.qq.com/docs/partner/apis/partner-weixin-pay-score/partner-service-order/get-partner-service-order.html
// and its sibling pages.
package partner
