// Package notify verifies and decrypts WeChat Pay callbacks (notifications).
//
// A Handler checks, in this order: the body size cap, the four Wechatpay-*
// headers, the timestamp window in both directions, the key by serial, the
// signature, then decrypts the AEAD_AES_256_GCM resource with the APIv3 key
// and decodes the envelope. Nothing of the body is trusted before the
// signature is verified.
//
// Use Parse (or ParseBytes, with any web framework) to get a *Notification,
// or mount the Handler itself as an http.Handler that routes by event type to
// callbacks registered with On and answers WeChat Pay as spec §13.2 asks:
// 204 No Content with no body once the callback succeeded (WeChat Pay takes
// 200 or 204 as success and needs no body), and a failure status with
// {"code":"FAIL","message":"…"} — 400 or 401 for a notification it
// rejects, 405 for a method other than POST, 500 when the callback failed
// or the notification must be delivered again later — so that WeChat Pay
// redelivers it on its schedule. Messages never echo the notification.
//
// WeChat Pay waits 5 s for the answer: callbacks should be quick and do
// slow work after answering.
//
// To test your own callbacks, package notify/notifytest builds signed,
// encrypted notifications from test keys, as net/http/httptest does for
// HTTP.
//
// # Exactly-once callbacks
//
// WeChat Pay delivers a notification again until it is acknowledged, and
// sometimes delivers it twice at once. The Handler runs each notification's
// callback at most once at a time and exactly once in the end, through a
// Deduper: the first delivery atomically claims the notification ID for a
// lease (WithClaimLease) and runs the callback; a delivery that finds the ID
// claimed is answered 500 FAIL so that it is delivered again later (the
// first attempt may still fail); a delivery that finds it processed is
// acknowledged without running; a callback that fails releases the claim,
// so the redelivery runs it; a crashed instance's claim expires with its
// lease. MemoryDeduper, the default, serves one instance; several instances
// share a store (Redis, SQL) implementing Deduper with atomic operations;
// package notify/redisdedup is one on Redis.
//
// WeChat Pay's rules this package follows:
//   - callback signature verification: https://pay.weixin.qq.com/docs/merchant/development/interface-rules/signature-verification.html
//   - resource decryption (AEAD_AES_256_GCM with the APIv3 key): https://pay.weixin.qq.com/docs/merchant/development/interface-rules/certificate-callback-decryption.html
package notify
