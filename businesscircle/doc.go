// Package businesscircle wraps the WeChat Pay 智慧商圈 (business circle)
// APIs: a mall that has enabled "pay to earn points" learns of its members'
// purchases in the mall's stores through MALL_TRANSACTION.SUCCESS
// notifications, reports the points each purchase earned with SyncPoints,
// and is then told of refunds of those purchases (MALL_REFUND.SUCCESS).
//
// Build a Service from a core.Client:
//
//	svc := businesscircle.NewService(client)
//	_, err := svc.SyncPoints(ctx, &businesscircle.SyncPointsRequest{...})
//
// The callbacks are verified and decrypted by notify.Handler; ParseTransaction,
// ParseRefund and ParseActivateCard turn a *notify.Notification into a typed
// event:
//
//	h.On(businesscircle.EventTransactionSuccess, func(ctx context.Context, n *notify.Notification) error {
//		ev, err := businesscircle.ParseTransaction(n)
//		...
//	})
//
// Refund notifications are only sent for transactions whose points were
// synced with SyncPoints, so sync every transaction, also those that earn
// no points (EarnPoints false, IncreasedPoints 0).
//
// Every request type has an exported Validate, which the methods call
// first (through core.Call): it lists every problem in a
// *core.ValidationError by wire field name, and nothing is sent when it
// fails. The OpenID path parameter is checked against its character set
// before it is escaped; errors and logs show the route template
// (/v3/businesscircle/user-authorizations/{openid}), never the OpenID.
// Requests, answers and events print OpenIDs, plate numbers and member card
// codes masked through fmt and slog. Times are sent as RFC 3339 in +08:00
// (Asia/Shanghai).
//
// API list: https://pay.weixin.qq.com/wiki/doc/apiv3/open/pay/chapter3_6_4.shtml
// Development guide: https://pay.weixin.qq.com/docs/partner/products/smart-business-circle/development.html
package businesscircle
