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
package notify
