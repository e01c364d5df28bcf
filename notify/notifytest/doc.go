// Package notifytest builds WeChat Pay notifications for tests: the
// headers and body of a callback signed and encrypted exactly as WeChat Pay
// sends them, from test keys, so that a notify.Handler (or any code built on
// it) can be tested end to end without WeChat Pay. It is the notify
// counterpart of net/http/httptest and, like it, is meant for tests and
// simulators only: production code never needs it.
//
// A notification built here is what WeChat Pay sends (spec §6.7): the
// envelope {id, create_time, event_type, resource_type, summary,
// resource} with the resource encrypted with AEAD_AES_256_GCM under the
// APIv3 key (12-character nonce), and the headers Wechatpay-Timestamp
// (Unix seconds), Wechatpay-Nonce (32 characters), Wechatpay-Signature
// (SHA256withRSA over "timestamp\nnonce\nbody\n", Base64),
// Wechatpay-Serial and Wechatpay-Signature-Type. Use the sandbox's keys
// (sandbox.Server: PublicKeyID, PlatformPrivateKey, APIv3Key) or keys of
// your own tests, never production keys.
package notifytest
