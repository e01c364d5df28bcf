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
// callbacks registered with On and answers WeChat Pay correctly.
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
// share a store (Redis, SQL) implementing Deduper with atomic operations.
package notify
