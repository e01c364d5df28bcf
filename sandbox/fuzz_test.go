package sandbox_test

import (
	"strings"
	"testing"

	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

// FuzzParseAuthorization: arbitrary Authorization headers never panic, and
// whatever parses has every parameter set.
func FuzzParseAuthorization(f *testing.F) {
	f.Add(`WECHATPAY2-SHA256-RSA2048 mchid="1900000109",nonce_str="593BEC0C930BF1AFEB40B4A08C8FB242",signature="c2ln",timestamp="1554208460",serial_no="1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C"`)
	f.Add(`WECHATPAY2-SHA256-RSA2048 mchid="1"`)
	f.Add(`WECHATPAY2-SHA256-RSA2048 mchid="",nonce_str=""`)
	f.Add(`WECHATPAY2-SHA256-RSA2048 mchid="1,nonce_str="`)
	f.Add(`WECHATPAY2-SHA256-RSA2048 =""`)
	f.Add(`Basic abc`)
	f.Fuzz(func(t *testing.T, v string) {
		a, problem := sandbox.ParseAuthorization(v)
		if problem == "" {
			if a.MchID == "" || a.NonceStr == "" || a.Signature == "" || a.Timestamp == "" || a.SerialNo == "" {
				t.Fatalf("parsed with a missing parameter: %+v", a)
			}
			if !strings.HasPrefix(v, "WECHATPAY2-SHA256-RSA2048 ") {
				t.Fatal("parsed without the scheme")
			}
		}
	})
}
