// Package goldplan calls the WeChat Pay 点金计划 (gold plan) APIs, with
// which a service provider or channel merchant turns on, for its
// sub-merchants, WeChat Pay's post-payment page (the gold plan page), the
// merchant's own receipt embedded in it (商家小票), and the adverts shown on
// it, optionally filtering out adverts from the sub-merchant's own industry.
//
// Build a Service from a *core.Client and call one method per endpoint:
//
//	svc := goldplan.NewService(client)
//	_, err := svc.ChangeGoldPlanStatus(ctx, &goldplan.ChangeGoldPlanStatusRequest{
//		SubMchID: "1900000110", OperationType: goldplan.OperationTypeOpen,
//	})
//
// The order that works: open the gold plan; then open the custom receipt
// page (it needs the gold plan open and a receipt URL configured in the
// service-provider platform); set the industry filters; turn adverts on or
// off. After closing the gold plan, it can be reopened only 24 hours later.
//
// OperationType, PayScene and IndustryFilter are open enums: the constants
// list the values known at release and unknown values from the server decode
// without error. In requests, OperationType must be OPEN or CLOSE, while
// PayScene and IndustryFilter values newer than this SDK may be sent (the
// SDK only checks that they look like API enum values: upper-case letters,
// digits and underscores).
//
// API reference:
// https://pay.weixin.qq.com/wiki/doc/apiv3_partner/apis/chapter8_5_1.shtml
package goldplan
