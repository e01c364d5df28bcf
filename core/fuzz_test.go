package core

import (
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

// FuzzDecodeAPIError feeds arbitrary error bodies to the decoder: it must
// never panic, always keep the status and Request-ID, and produce a one-line
// message of bounded size, in valid UTF-8, free of control, line-separator
// and invisible formatting characters.
func FuzzDecodeAPIError(f *testing.F) {
	f.Add(400, []byte(`{"code":"PARAM_ERROR","message":"参数错误","detail":{"field":"/amount","value":"X","issue":"bad","location":"body"}}`))
	f.Add(401, []byte(`{"code":"SIGN_ERROR","message":"签名错误","detail":{"detail":{"issue":"sign not match"},"field":"signature","location":"authorization","sign_information":{"method":"GET","sign_message_length":5,"truncated_sign_message":"GET\n/","url":"/v3/x"}}}`))
	f.Add(502, []byte(`<html>bad gateway</html>`))
	f.Add(500, []byte(`{"code":"SYSTEM_ERROR","message":"line1\nline2","detail":null}`))
	f.Add(429, []byte(`{"code":1,"message":["x"],"detail":"str"}`))
	f.Add(404, []byte{})
	f.Add(400, []byte(`{"code":"PARAM_ERROR\nlevel=ERROR msg=forged","message":"a\u2028b\u2029c\u0085d\u202ee\r\n"}`))
	f.Add(400, []byte(`{"code":"`+strings.Repeat("C", 300)+`","message":"`+strings.Repeat("参数错误", 100)+`"}`))
	f.Add(400, []byte("{\"code\":\"\xff\xfe\",\"message\":\"\xe5\x8f\"}"))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		e := decodeAPIError(status, body, "RID", "GET", "/v3/x")
		if e.StatusCode != status || e.RequestID != "RID" {
			t.Fatalf("lost status or request id: %+v", e)
		}
		msg := e.Error()
		if strings.ContainsAny(msg, "\n\r") {
			t.Fatalf("multi-line error: %q", msg)
		}
		if len(msg) > 2048 {
			t.Fatalf("error message too long: %d bytes", len(msg))
		}
		if !utf8.ValidString(msg) {
			t.Fatalf("invalid UTF-8 in error: %q", msg)
		}
		for _, r := range msg {
			if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || unicode.Is(unicode.Cf, r) {
				t.Fatalf("control or separator character %U in error: %q", r, msg)
			}
		}
		_ = e.Temporary()
		// No verb's output depends on what the server echoed (Body,
		// Detail.Raw, Detail.Value): the same error with those replaced
		// prints the same, and %#v is one clean line too.
		other := *e
		if e.Body != nil {
			other.Body = make([]byte, len(e.Body))
		}
		if e.Detail != nil {
			d := *e.Detail
			if d.Value != nil {
				d.Value = "other"
			}
			if d.Raw != nil {
				d.Raw = make([]byte, len(d.Raw))
			}
			other.Detail = &d
		}
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
			if got, want := fmt.Sprintf(verb, e), fmt.Sprintf(verb, &other); got != want {
				t.Fatalf("%s depends on the echoed body or value:\n%s\n%s", verb, got, want)
			}
		}
		gs := fmt.Sprintf("%#v", e)
		if !utf8.ValidString(gs) || strings.ContainsFunc(gs, func(r rune) bool { return unicode.IsControl(r) || r == '\u2028' || r == '\u2029' }) {
			t.Fatalf("%%#v is not one clean line: %q", gs)
		}
	})
}

// FuzzVerifySignature feeds arbitrary headers and bodies to response
// verification: it must never panic and never accept them.
func FuzzVerifySignature(f *testing.F) {
	f.Add("1700000000", "nonce", "c2lnbmF0dXJl", "PUB_KEY_ID_0000000000000000000000000001", []byte(`{}`))
	f.Add("", "", "", "", []byte(nil))
	f.Add("-99999999999999999999", "n", "WECHATPAY/SIGNTEST/abc", "X", []byte(`{"a":1}`))
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		f.Fatal(err)
	}
	cl, err := NewClient(WithMerchant("1", "5157F09EFDC096DE15EBE81A47057A7232F1B8E1", key), WithPlatformPublicKey("PUB_KEY_ID_0000000000000000000000000001", &key.PublicKey))
	if err == nil {
		f.Fatal("a merchant key used as platform key must be refused")
	}
	platform, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		f.Fatal(err)
	}
	cl, err = NewClient(WithMerchant("1", "5157F09EFDC096DE15EBE81A47057A7232F1B8E1", key), WithPlatformPublicKey("PUB_KEY_ID_0000000000000000000000000001", &platform.PublicKey),
		WithClock(func() time.Time { return time.Unix(1700000000, 0) }))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, ts, nonce, sig, serial string, body []byte) {
		err := cl.VerifySignature(t.Context(), SignatureHeaders{Timestamp: ts, Nonce: nonce, Signature: sig, Serial: serial}, body)
		if err == nil {
			t.Fatal("an arbitrary signature was accepted")
		}
	})
}
