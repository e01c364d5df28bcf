// Package sandbox is a local WeChat Pay APIv3 simulator for tests, examples
// and demos: no credentials, no network beyond the loopback interface.
//
// It is as strict as the real service where that matters to a client: every
// request's Authorization is checked (scheme, merchant, serial, ±5 minute
// timestamp window, one-time nonce, signature over method, path with query
// and body) and answered 401 SIGN_ERROR otherwise; every answer is signed and
// carries a Request-ID; GET /v3/certificates serves platform certificates
// encrypted with the APIv3 key. The products (smart guide, gold plan,
// business circle, pay score for direct merchants and for service providers,
// bills) are simulated with state, and the
// sandbox can send signed, encrypted notifications to a URL.
//
// Its keys are fixed test keys embedded from testdata/: never use them for
// anything real.
package sandbox
