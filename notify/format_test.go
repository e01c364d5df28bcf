package notify_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/notify"
	"github.com/wechatpay-biz/wechatpay-biz-go/notify/notifytest"
)

// Item 10: a decrypted notification, and notifytest.Signer's keys, print
// masked in every way Go prints values, while the fields stay usable.
func TestNotificationPrintsNoPersonalData(t *testing.T) {
	f := setup(t)
	hdr, body, err := notifytest.BuildSigned(
		notifytest.Event{ID: "EV-8", EventType: "MALL_AUTH.ACTIVATE_CARD", Resource: map[string]string{"openid": "oWmnN4xxxxxxxxxxe92NHIGf1xd8", "name": "张三", "mobile": "13800138000"}},
		notifytest.Signer{Serial: f.sb.PublicKeyID, PrivateKey: f.sb.PlatformPrivateKey(), APIv3Key: f.sb.APIv3Key})
	require.NoError(t, err)
	n, err := f.h.ParseBytes(context.Background(), hdr, body)
	require.NoError(t, err)
	assert.Contains(t, string(n.Plaintext), "13800138000", "the field stays usable in code")

	personal := []string{"13800138000", "张三", "oWmnN4xxxxxxxxxxe92NHIGf1xd8", "31333830", "\\u5f20"}
	var outs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
		outs = append(outs, fmt.Sprintf(verb, n), fmt.Sprintf(verb, *n), fmt.Sprintf(verb, struct{ N notify.Notification }{*n}), fmt.Sprintf(verb, []notify.Notification{*n}))
	}
	var text, js bytes.Buffer
	slog.New(slog.NewTextHandler(&text, nil)).Info("got", "n", n, "v", *n)
	slog.New(slog.NewJSONHandler(&js, nil)).Info("got", "n", n, "v", *n)
	outs = append(outs, text.String(), js.String())
	for _, o := range outs {
		for _, p := range personal {
			assert.NotContains(t, o, p)
		}
	}
	assert.Contains(t, fmt.Sprintf("%+v", n), "EV-8", "what is not personal is still shown")
	assert.Contains(t, fmt.Sprintf("%+v", n), "[REDACTED]")
	assert.Contains(t, js.String(), `"event_type":"MALL_AUTH.ACTIVATE_CARD"`)

	s := notifytest.Signer{Serial: f.sb.PublicKeyID, PrivateKey: f.sb.PlatformPrivateKey(), APIv3Key: f.sb.APIv3Key}
	d := f.sb.PlatformPrivateKey().D
	text.Reset()
	slog.New(slog.NewTextHandler(&text, nil)).Info("signer", "s", s)
	for _, o := range []string{fmt.Sprintf("%+v", s), fmt.Sprintf("%#v", &s), fmt.Sprintf("%v", []any{s}), text.String()} {
		assert.NotContains(t, o, f.sb.APIv3Key)
		assert.NotContains(t, o, d.String())
		assert.NotContains(t, o, d.Text(16))
	}
}
