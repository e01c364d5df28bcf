// Package smartguide calls the WeChat Pay 支付即服务 (smart guide) APIs: a
// merchant registers its service staff ("guides"), assigns one to an order
// before it is paid, and the payer then sees that guide's card (name, avatar,
// QR code) on the payment voucher.
//
// Build a Service from a *core.Client and call one method per endpoint:
//
//	svc := smartguide.NewService(client)
//	reg, err := svc.Register(ctx, &smartguide.RegisterRequest{...})
//	_, err = svc.Assign(ctx, &smartguide.AssignRequest{GuideID: reg.GuideID, OutTradeNo: "..."})
//	for g, err := range svc.QueryAll(ctx, &smartguide.QueryRequest{StoreID: 1234}) { ... }
//
// Personal data is handled for you: give a guide's name and mobile number in
// plaintext; the SDK encrypts them (and the mobile query parameter) with the
// WeChat Pay platform key (RSA-OAEP) and sends that key's ID as
// Wechatpay-Serial. Query answers carry name and mobile encrypted to the
// merchant key; the SDK decrypts them into Guide.Name and Guide.Mobile and
// keeps the ciphertext in Guide.NameCiphertext and Guide.MobileCiphertext.
// Plaintext never appears in errors, and RegisterRequest, UpdateRequest,
// QueryRequest, Guide and QueryResponse print (fmt, slog) with the name and
// mobile masked.
//
// Every request type has an exported Validate, which the methods call
// first (through core.Call): it lists every problem in a
// *core.ValidationError by wire field name, checking Name and Mobile in
// plaintext (at most 64 and 32 bytes), and nothing is sent when it fails.
// The guide_id path parameter is checked against its character set
// (letters, digits, _ and -) before it is escaped; errors and logs show the
// route template (/v3/smartguide/guides/{guide_id}), never the guide ID.
//
// Service providers act for a sub-merchant by setting SubMchID; direct
// merchants leave it nil.
//
// API reference (service-provider pages; the direct-merchant pages are the
// same under /wiki/doc/apiv3/apis/):
// https://pay.weixin.qq.com/wiki/doc/apiv3_partner/apis/chapter8_4_1.shtml
package smartguide
