package notify_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/notify"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

// FuzzParseBytes signs arbitrary bodies with the sandbox platform key, so the
// fuzzer gets past signature verification and exercises envelope decoding
// and decryption: no panic, no hang, and nothing accepted that does not
// decrypt. Unsigned variants must always be rejected.
func FuzzParseBytes(f *testing.F) {
	sb, err := sandbox.NewServer()
	if err != nil {
		f.Fatal(err)
	}
	defer sb.Close()
	c, err := sb.Client()
	if err != nil {
		f.Fatal(err)
	}
	h, err := notify.NewHandler(c)
	if err != nil {
		f.Fatal(err)
	}
	_, good, err := sb.BuildNotification(sandbox.Event{EventType: "PAYSCORE.USER_PAID", Resource: map[string]int{"a": 1}})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good, true)
	f.Add([]byte(`{"id":"EV-1","event_type":"X","resource":{"algorithm":"AEAD_AES_256_GCM","ciphertext":"AAAA","nonce":"123456789012"}}`), true)
	f.Add([]byte(`{"id":"EV-1","event_type":"X","resource":{"algorithm":"AEAD_AES_256_GCM","ciphertext":"","nonce":""}}`), true)
	f.Add([]byte(`{"id":1}`), false)
	f.Add([]byte(`null`), true)
	f.Add([]byte{}, true)
	f.Fuzz(func(t *testing.T, body []byte, sign bool) {
		hdr := http.Header{}
		if sign {
			hdr = sb.SignatureHeaders(body, time.Now())
		} else {
			hdr.Set("Wechatpay-Timestamp", "1700000000")
			hdr.Set("Wechatpay-Nonce", "n")
			hdr.Set("Wechatpay-Signature", "c2ln")
			hdr.Set("Wechatpay-Serial", sb.PublicKeyID)
		}
		n, err := h.ParseBytes(context.Background(), hdr, body)
		if !sign && err == nil {
			t.Fatal("unsigned notification accepted")
		}
		if err == nil && (n == nil || n.ID == "" || n.EventType == "") {
			t.Fatalf("accepted an incomplete notification: %+v", n)
		}
		if err != nil && sign && core.RequestIDOf(err) != "" {
			t.Fatal("notifications carry no request id")
		}
	})
}
