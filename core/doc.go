// Package core is the shared HTTP client of the WeChat Pay APIv3 SDK.
//
// A *Client signs every request (Authorization: WECHATPAY2-SHA256-RSA2048,
// a fresh nonce and Unix-seconds timestamp on every attempt), verifies every
// answer's signature with the WeChat Pay public key (PUB_KEY_ID_… mode) or
// the platform certificates (configured, or downloaded and rotated with
// WithAutoCertificates), decodes errors into *APIError carrying the
// Request-ID, retries only idempotent operations on transient failures, and
// fails over to the backup host when the primary cannot be reached at all
// (DNS failure, refused or timed-out dial: the request was certainly not
// received). The backup host is DefaultBackupURL unless WithBaseURL is
// given alone; WithBackupURL sets it, WithBackupURL("") disables it.
//
// What reaches the network is bounded:
//
//   - Signed requests go only to the configured hosts: the primary host
//     (DefaultBaseURL, or WithBaseURL) and the backup host
//     (DefaultBackupURL, or WithBackupURL). An absolute URL on any other
//     scheme, host or port is refused with ErrForeignHost before anything is
//     signed (Client.CheckURL).
//   - Redirects are never followed, whatever http.Client is configured: a
//     3xx answer is returned as an *APIError, so the Authorization header
//     never travels to a redirect target.
//   - When a WeChat Pay public key is configured (WithPlatformPublicKey),
//     every request carries Wechatpay-Serial: <public key ID>, not only
//     those with encrypted fields, so that WeChat Pay signs its answers
//     with the public key (spec §14.3); Request.WechatpaySerial or a
//     Wechatpay-Serial in Request.Header takes precedence.
//   - Answers are read up to WithMaxBodySize (DefaultMaxBodySize, 8 MiB);
//     a larger one fails with ErrBodyTooLarge.
//
// Product packages (smartguide, goldplan, payscore, payscore/partner,
// businesscircle, refund, bill) are thin typed layers over Client.Do, which
// is exported so that endpoints this SDK does not wrap can be called with
// the same signing and verification.
//
// Every product method has one shape, Call: the request validates itself
// (Validator; nothing is sent when it fails), an Endpoint gives the method,
// the route template ("/v3/…/openid/{openid}") and whether the call may be
// retried, and a short build function adds the body, query, path parameters
// (checked against their Charset, then escaped, by SetPathParams) and
// encrypted fields (EncryptFields). Logs and errors show the route template,
// never a path parameter's value; any path with a dot-segment is refused.
//
// A Client is immutable after NewClient returns and safe for concurrent use.
//
// WeChat Pay's rules this package follows:
//   - request signing: https://pay.weixin.qq.com/docs/merchant/development/interface-rules/signature-generation.html
//   - answer and callback verification: https://pay.weixin.qq.com/docs/merchant/development/interface-rules/signature-verification.html
//   - sensitive-field encryption: https://pay.weixin.qq.com/docs/merchant/development/interface-rules/sensitive-data-encryption.html
//   - AEAD_AES_256_GCM decryption: https://pay.weixin.qq.com/docs/merchant/development/interface-rules/certificate-callback-decryption.html
//   - GET /v3/certificates: https://pay.weixin.qq.com/wiki/doc/apiv3/apis/wechatpay5_1.shtml
//   - WeChat Pay public key (PUB_KEY_ID_…): https://pay.weixin.qq.com/doc/v3/partner/4013038589
package core
