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
// # Merchant receipt page (商家小票)
//
// With the gold plan and the custom receipt page opened for a sub-merchant
// (ChangeGoldPlanStatus, ChangeCustomPageStatus) and a receipt URL configured
// in the service-provider platform, WeChat Pay's gold plan page — served
// from ReceiptParentOrigin after a JSAPI payment — embeds that URL in an
// iframe and appends three query parameters:
//
//	{receipt_url}?sub_mch_id={sub_mch_id}&out_trade_no={out_trade_no}&check_code={check_code}
//
// The server side of the page: ParseReceiptRequest reads the parameters,
// VerifyCheckCode (or ReceiptRequest.Verify) checks check_code with the
// order's transaction_id from the provider's own records, and the page
// tells its parent it is ready with ReadyMessage. BuildReceiptURL makes
// such URLs for tests.
//
// The 3-second rule: from the start of loading the receipt URL to the
// onIframeReady message at most ReceiptReadyBudget may pass, or the gold
// plan page shows "无法获取订单信息". Verify while rendering on the server,
// post the message right after the content, and on a failed check still
// post it, with DisplayStyleOfficialPage (WeChat Pay's own receipt), rather
// than staying silent. A minimal page (html/template):
//
//	<!doctype html>
//	<html lang="zh-CN"><head><meta charset="utf-8">
//	<meta name="viewport" content="width=device-width,initial-scale=1">
//	<script src="https://wx.gtimg.com/pay_h5/goldplan/js/jgoldplan-1.0.0.js"></script>
//	</head><body>
//	{{if .OK}}<p>取餐号 {{.PickupCode}}</p>{{end}}
//	<script>parent.postMessage({{.Ready}}, {{.Origin}});</script>
//	</body></html>
//
// where .Ready is ReadyMessage(style) and .Origin is ReceiptParentOrigin
// (html/template writes both as JavaScript strings). To leave the receipt,
// post JumpOutMessage(url) the same way.
//
// These rules come from the gold plan product description and its
// development guide, not from an API definition. Left out because no
// official source confirms them: an optional "height" in the
// onIframeReady message; how WeChat Pay joins the parameters to a receipt
// URL that already has a query (configure receipt URLs without one: the
// helpers here refuse them); any message the parent page posts to the
// iframe; letter case and URL-encoding of the check_code input (the
// helpers hash the raw values and compare case-insensitively). Development
// guide: https://pay.weixin.qq.com/docs/partner/products/gold-plan/development.html
//
// API reference:
// https://pay.weixin.qq.com/wiki/doc/apiv3_partner/apis/chapter8_5_1.shtml
package goldplan
