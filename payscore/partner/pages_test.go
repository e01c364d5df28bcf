package partner_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/internal/wiretest"
	"github.com/wechatpay-biz/wechatpay-biz-go/payscore"
	"github.com/wechatpay-biz/wechatpay-biz-go/payscore/partner"
)

const apiV2Key = "192006250b4c09247ec02edce69f6a2d" // WeChat Pay's documentation example key, test only

func TestConfirmOrderPageIsSignedWithTheProvidersKey(t *testing.T) {
	p, err := partner.ConfirmOrderPage(&partner.ConfirmOrderPageRequest{
		MchID: "1230000109", Package: "XXXXXXXX", APIv2Key: apiV2Key,
		Timestamp: time.Unix(1530097563, 0), NonceStr: "zyx53Nkey8o4bHpxTQvd8m7e92nG5mG2",
	})
	require.NoError(t, err)
	require.Equal(t, payscore.BusinessTypeUse, p.BusinessType)

	// The APIv2 signature, computed here independently: sorted k=v pairs,
	// &key=, HMAC-SHA256 keyed with the key, upper-case hex.
	msg := "mch_id=1230000109&nonce_str=zyx53Nkey8o4bHpxTQvd8m7e92nG5mG2&package=XXXXXXXX&sign_type=HMAC-SHA256&timestamp=1530097563&key=" + apiV2Key
	m := hmac.New(sha256.New, []byte(apiV2Key))
	m.Write([]byte(msg))
	want := strings.ToUpper(hex.EncodeToString(m.Sum(nil)))

	ed := p.ExtraData()
	require.Equal(t, map[string]string{
		"mch_id": "1230000109", "package": "XXXXXXXX", "timestamp": "1530097563",
		"nonce_str": "zyx53Nkey8o4bHpxTQvd8m7e92nG5mG2", "sign_type": "HMAC-SHA256", "sign": want,
	}, ed)
	require.Equal(t, "mch_id=1230000109&package=XXXXXXXX&timestamp=1530097563&nonce_str=zyx53Nkey8o4bHpxTQvd8m7e92nG5mG2&sign_type=HMAC-SHA256&sign="+want, p.Query())
	b, err := json.Marshal(p)
	require.NoError(t, err)
	require.NotContains(t, string(b), apiV2Key, "the key never leaves the server")

	// Defaults: now and a random nonce.
	p, err = partner.ConfirmOrderPage(&partner.ConfirmOrderPageRequest{MchID: "1230000109", Package: "XXXXXXXX", APIv2Key: apiV2Key})
	require.NoError(t, err)
	require.Len(t, p.ExtraData()["nonce_str"], 32)

	// Spec §9.6/§9.14 give the package no length: none is invented.
	_, err = partner.ConfirmOrderPage(&partner.ConfirmOrderPageRequest{MchID: "1230000109", Package: strings.Repeat("P", 4096), APIv2Key: apiV2Key})
	require.NoError(t, err)

	_, err = partner.ConfirmOrderPage(&partner.ConfirmOrderPageRequest{MchID: "1230000109", Package: "XXXXXXXX", APIv2Key: "short", NonceStr: "not-alnum"})
	ve := wiretest.RequireValidation(t, err, "APIv2Key", "nonce_str")
	require.NotContains(t, ve.Error(), "short", "the key is never in an error")
	_, err = partner.ConfirmOrderPage(nil)
	wiretest.RequireValidation(t, err, "request")
}

// The detail page of a partner order is the direct one with the provider's
// merchant ID and key.
func TestOrderDetailPageForPartners(t *testing.T) {
	p, err := payscore.OrderDetailPage(&payscore.OrderDetailPageRequest{MchID: "1230000109", ServiceID: "88888888000011", OutOrderNo: "1234323JKHDFE1243252",
		APIv2Key: apiV2Key, Timestamp: time.Unix(1530097563, 0), NonceStr: "zyx53Nkey8o4bHpxTQvd8m7e92nG5mG2"})
	require.NoError(t, err)
	msg := "mch_id=1230000109&nonce_str=zyx53Nkey8o4bHpxTQvd8m7e92nG5mG2&out_order_no=1234323JKHDFE1243252&service_id=88888888000011&sign_type=HMAC-SHA256&timestamp=1530097563&key=" + apiV2Key
	m := hmac.New(sha256.New, []byte(apiV2Key))
	m.Write([]byte(msg))
	require.Equal(t, strings.ToUpper(hex.EncodeToString(m.Sum(nil))), p.ExtraData()["sign"])
}
