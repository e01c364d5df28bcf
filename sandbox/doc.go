// Package sandbox is a local WeChat Pay APIv3 simulator for tests, examples
// and demos: no credentials, no network beyond the loopback interface.
//
// It is as strict as the real service where that matters to a client: every
// request's Authorization is checked (scheme, merchant, serial, ±5 minute
// timestamp window on the sandbox clock, one-time nonce, signature over
// method, path with query and body) and answered 401 SIGN_ERROR otherwise;
// a body must be UTF-8 application/json of at most 1 MiB; a wrong method
// is answered 405; every answer is signed and carries a Request-ID; GET
// /v3/certificates serves platform certificates encrypted with the APIv3
// key. The products (smart guide, gold plan,
// business circle, pay score for direct merchants and for service
// providers, bills, refunds) are simulated with state, and
// the sandbox delivers signed, encrypted notifications to a URL. Payments
// and refunds are kept in one ledger: refunds are checked against it and
// bills are generated from it.
//
// Client returns a *core.Client in public-key mode, which sends
// Wechatpay-Serial: PublicKeyID on every request and so gets answers signed
// with the public key; CertificateClient returns one that trusts only
// downloaded platform certificates. Both sign with the test merchant key
// and work against a default sandbox.
//
// It behaves like WeChat Pay over time, on its own clock (Now, Advance,
// AdvanceTo), which the clients from Client and CertificateClient share:
//
//   - a default sandbox is a merchant migrating to the WeChat Pay public
//     key (SignMigrating, the default of WithSigningMode; spec §14.3): an
//     answer is signed with the public key exactly when the request
//     carries Wechatpay-Serial: PUB_KEY_ID_…, with a platform certificate
//     otherwise; callbacks with the public key for a configurable share
//     (SetCallbackPublicKeyShare, default 100 %), the rest with a
//     certificate. SignWithPublicKey and SignWithCertificate model a
//     merchant with one kind of key only;
//   - platform certificates rotate on the documented timeline (spec §14.1,
//     RotateCertificate, SetCertificateGrayRelease, RotationMilestones);
//   - callbacks that are not acknowledged with 200 or 204 within 5 s
//     (WithCallbackTimeout) are delivered again on the schedule of their
//     event type (spec §13, Notify, Deliveries, RedeliverySchedule); the
//     answer's body is ignored; Advance runs what falls due without
//     sleeping;
//   - bills exist from 09:00 Asia/Shanghai the next day (spec §5) and their
//     download links expire;
//   - documented failures are injected by name (InjectFault).
//
// An admin HTTP API under /sandbox/ (loopback clients only) does what the
// Go helpers do, for teams that drive the sandbox from another language;
// cmd/wechatpay-sandbox runs it on its own.
//
// Its keys are fixed test keys embedded from testdata/: never use them for
// anything real.
package sandbox
