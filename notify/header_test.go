package notify_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/notify"
)

// Frameworks hand over header maps with keys in any letter case; a
// notification is verified the same way whatever the case, and a tampered
// one is still rejected.
func TestParseBytesAcceptsHeaderKeysInAnyCase(t *testing.T) {
	f := setup(t)
	hdr, body := signed(t, f.sb, "EV-7", "PAYSCORE.USER_PAID")
	for name, convert := range map[string]func(string) string{
		"lower": strings.ToLower,
		"upper": strings.ToUpper,
		"mixed": func(k string) string { return strings.Replace(strings.ToLower(k), "wechatpay", "WeChatPay", 1) },
	} {
		t.Run(name, func(t *testing.T) {
			plain := http.Header{} // a plain map, keys not canonicalised
			for k, v := range hdr {
				plain[convert(k)] = v
			}
			n, err := f.h.ParseBytes(context.Background(), plain, body)
			require.NoError(t, err)
			assert.Equal(t, "EV-7", n.ID)

			plain[convert("Wechatpay-Signature-Type")] = []string{"HMAC-SHA256"}
			_, err = f.h.ParseBytes(context.Background(), plain, body)
			require.ErrorIs(t, err, notify.ErrInvalidSignature, "the signature type is read in any case too")

			delete(plain, convert("Wechatpay-Signature-Type"))
			plain[convert("Wechatpay-Signature")] = []string{"AAAA"}
			_, err = f.h.ParseBytes(context.Background(), plain, body)
			require.ErrorIs(t, err, notify.ErrInvalidSignature)
		})
	}
}
