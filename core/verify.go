package core

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// MaxClockSkew bounds the difference, in either direction, between a
// Wechatpay-Timestamp (Unix seconds) and the local clock: a difference of
// MaxClockSkew (5 minutes, spec §6.3) or more fails with ErrStaleTimestamp.
const MaxClockSkew = 5 * time.Minute

// maxNonceLen bounds a Wechatpay-Nonce (WeChat Pay sends 32 characters).
const maxNonceLen = 1024

// SignatureHeaders are the four headers WeChat Pay signs responses and
// notifications with.
type SignatureHeaders struct {
	Timestamp string // Wechatpay-Timestamp, Unix seconds
	Nonce     string // Wechatpay-Nonce
	Signature string // Wechatpay-Signature, Base64
	Serial    string // Wechatpay-Serial, the key that signed
}

// SignatureHeadersFrom reads the four Wechatpay-* headers from h, whatever
// the letter case of its keys: an http.Header filled by net/http has
// canonical keys, but one built by hand or converted from another framework
// may hold "wechatpay-signature" or "WECHATPAY-SIGNATURE".
func SignatureHeadersFrom(h http.Header) SignatureHeaders {
	return SignatureHeaders{
		Timestamp: HeaderValue(h, "Wechatpay-Timestamp"),
		Nonce:     HeaderValue(h, "Wechatpay-Nonce"),
		Signature: HeaderValue(h, "Wechatpay-Signature"),
		Serial:    HeaderValue(h, "Wechatpay-Serial"),
	}
}

// RequestIDFrom returns the Request-ID header of a WeChat Pay answer,
// sanitised (no control characters, at most 128 bytes) since it is copied
// into errors and logs.
func RequestIDFrom(h http.Header) string {
	return sanitizeServerText(HeaderValue(h, "Request-Id"), maxRequestIDText) // canonical key: Get does not allocate
}

// HeaderValue returns the first value of the header name in h, matching the
// key in any letter case (h.Get matches only the canonical form).
func HeaderValue(h http.Header, name string) string {
	if v := h.Get(name); v != "" {
		return v
	}
	for k, vs := range h {
		if len(vs) > 0 && vs[0] != "" && strings.EqualFold(k, name) {
			return vs[0]
		}
	}
	return ""
}

// ErrMissingHeader is matched by signature errors caused by an absent
// Wechatpay-* header. It also matches ErrInvalidSignature.
var ErrMissingHeader = errorString("wechatpay: missing Wechatpay-* signature header")

type errorString string

func (e errorString) Error() string { return string(e) }

// VerifySignature checks that body was signed by WeChat Pay: all four headers
// present, the timestamp within MaxClockSkew of now in both directions, a
// known serial (refreshing auto-downloaded certificates, rate-limited, when the
// serial is new) and a valid SHA256-RSA signature over
// "timestamp\nnonce\nbody\n" (spec §6.3).
//
// Every failure is a *SignatureError matching ErrInvalidSignature and,
// where it applies, ErrMissingHeader, ErrStaleTimestamp (also for a
// timestamp that is not Unix seconds) or ErrUnknownSerial (also for a
// certificate not valid now); a WECHATPAY/SIGNTEST/ probe fails like any
// bad signature (spec §6.6).
//
// A callback's unknown serial starts at most one certificate download a
// minute, since anyone can send a callback.
// See https://pay.weixin.qq.com/docs/merchant/development/interface-rules/signature-verification.html
func (c *Client) VerifySignature(ctx context.Context, h SignatureHeaders, body []byte) error {
	return c.verifyWith(ctx, h, body, "", c.lookup(ctx, true))
}

func (c *Client) verify(ctx context.Context, h SignatureHeaders, body []byte, requestID string) error {
	return c.verifyWith(ctx, h, body, requestID, c.lookup(ctx, false))
}

// lookup finds a key by serial, downloading the platform certificates again
// (WithAutoCertificates) when the serial is new.
func (c *Client) lookup(ctx context.Context, notification bool) func(string) (PlatformKey, bool) {
	return func(serial string) (PlatformKey, bool) {
		key, ok := c.keys.get(serial)
		if !ok && c.certs != nil && !strings.HasPrefix(serial, PublicKeyIDPrefix) {
			c.certs.refreshForSerial(ctx, serial, notification)
			key, ok = c.keys.get(serial)
		}
		return key, ok
	}
}

func (c *Client) verifyWith(ctx context.Context, h SignatureHeaders, body []byte, requestID string, lookup func(string) (PlatformKey, bool)) error {
	fail := func(kind error, serial, reason string) error {
		return &SignatureError{Reason: reason, Serial: serial, RequestID: requestID, kind: kind}
	}
	var missing []string
	for _, m := range [...]struct{ name, v string }{
		{"Wechatpay-Timestamp", h.Timestamp}, {"Wechatpay-Nonce", h.Nonce},
		{"Wechatpay-Signature", h.Signature}, {"Wechatpay-Serial", h.Serial},
	} {
		if m.v == "" {
			missing = append(missing, m.name)
		}
	}
	if len(missing) > 0 {
		return fail(ErrMissingHeader, h.Serial, "missing header "+strings.Join(missing, ", "))
	}
	ts, err := strconv.ParseInt(h.Timestamp, 10, 64)
	if err != nil {
		return fail(ErrStaleTimestamp, h.Serial, "malformed Wechatpay-Timestamp")
	}
	skew := c.now().Sub(time.Unix(ts, 0))
	if skew >= MaxClockSkew || skew <= -MaxClockSkew {
		return fail(ErrStaleTimestamp, h.Serial, "Wechatpay-Timestamp is "+skew.Round(time.Second).String()+" away from the local clock")
	}
	key, ok := lookup(h.Serial)
	if !ok {
		return fail(ErrUnknownSerial, h.Serial, "no platform key with this serial"+c.unknownSerialHint(h.Serial))
	}
	if !key.validAt(c.now()) {
		return fail(ErrUnknownSerial, h.Serial, "platform certificate is not valid now")
	}
	// A signature longer than the key's, or a nonce longer than any WeChat
	// Pay sends, cannot verify: refuse it before hashing and copying what a
	// forged callback may make a megabyte long.
	if len(h.Signature) > base64.StdEncoding.EncodedLen(key.PublicKey.Size()) || len(h.Nonce) > maxNonceLen {
		reason := "signature does not match"
		if strings.HasPrefix(h.Signature, "WECHATPAY/SIGNTEST/") {
			reason = "signature probe (WECHATPAY/SIGNTEST/) rejected"
		}
		return fail(nil, h.Serial, reason)
	}
	// The message is written once into a pooled buffer (zeroed after use:
	// it holds the body) and hashed there; the signature is copied after it
	// and decoded into a stack array when it fits (a 4096-bit key's does).
	sc := c.getScratch(len(h.Timestamp) + len(h.Nonce) + len(body) + 3 + len(h.Signature))
	defer c.putScratch(sc)
	msg := append(sc.b, h.Timestamp...)
	msg = append(msg, '\n')
	msg = append(msg, h.Nonce...)
	msg = append(msg, '\n')
	msg = append(msg, body...)
	msg = append(msg, '\n')
	sum := sha256.Sum256(msg)
	sc.b = append(msg, h.Signature...)
	b64 := sc.b[len(msg):]
	var sigBuf [512]byte
	sig := sigBuf[:0]
	if n := base64.StdEncoding.DecodedLen(len(b64)); n > len(sigBuf) {
		sig = make([]byte, 0, n)
	}
	sig, err = base64.StdEncoding.AppendDecode(sig, b64)
	if err != nil || rsa.VerifyPKCS1v15(key.PublicKey, crypto.SHA256, sum[:], sig) != nil {
		reason := "signature does not match"
		if strings.HasPrefix(h.Signature, "WECHATPAY/SIGNTEST/") {
			reason = "signature probe (WECHATPAY/SIGNTEST/) rejected"
		}
		return fail(nil, h.Serial, reason)
	}
	return nil
}
