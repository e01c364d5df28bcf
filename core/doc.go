// Package core is the shared HTTP client of the WeChat Pay APIv3 SDK.
//
// A *Client signs every request (WECHATPAY2-SHA256-RSA2048), verifies every
// response signature with the platform public key (PUB_KEY_ID_… mode) or the
// platform certificates (configured, or downloaded and rotated with
// WithAutoCertificates), decodes errors into *APIError carrying the
// Request-ID, retries only idempotent operations on transient failures, and
// fails over to the backup domain when the primary cannot be reached.
//
// Product packages (smartguide, goldplan, payscore, businesscircle, bill) are
// thin typed layers over Client.Do, which is exported so that endpoints this
// SDK does not wrap can be called with the same signing and verification.
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
package core
