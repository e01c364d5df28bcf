package payscore

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
)

// The example of WeChat Pay's signature rules (安全规范), HMAC-SHA256 variant.
func TestSignHMACSHA256KnownVector(t *testing.T) {
	params := []Param{
		{"appid", "wxd930ea5d5a258f4f"}, {"mch_id", "10000100"}, {"device_info", "1000"},
		{"body", "test"}, {"nonce_str", "ibuaiVcKdpRxkhJA"}, {"empty", ""}, {"sign", "ignored"},
	}
	require.Equal(t, "6A9AE1657590FD6257D693A078E1C3E4BB6BA4DC30B23E0EE2496E54170DACD6",
		signHMACSHA256(params, "192006250b4c09247ec02edce69f6a2d"))
}

func TestOrderDetailPage(t *testing.T) {
	key := "192006250b4c09247ec02edce69f6a2d"
	p, err := OrderDetailPage(&OrderDetailPageRequest{
		MchID: "1230000109", ServiceID: "88888888000011", OutOrderNo: "1234323JKHDFE1243252",
		APIv2Key: key, Timestamp: time.Unix(1530097563, 0), NonceStr: "zyx53Nkey8o4bHpxTQvd8m7e92nG5mG2",
	})
	require.NoError(t, err)
	require.Equal(t, BusinessTypeDetail, p.BusinessType)
	ed := p.ExtraData()
	require.Equal(t, "1530097563", ed["timestamp"])
	require.Equal(t, SignTypeHMACSHA256, ed["sign_type"])
	want := signHMACSHA256([]Param{
		{"mch_id", "1230000109"}, {"nonce_str", "zyx53Nkey8o4bHpxTQvd8m7e92nG5mG2"}, {"out_order_no", "1234323JKHDFE1243252"},
		{"service_id", "88888888000011"}, {"sign_type", "HMAC-SHA256"}, {"timestamp", "1530097563"},
	}, key)
	require.Equal(t, want, ed["sign"])
	require.Len(t, ed["sign"], 64)
	require.Equal(t, "mch_id=1230000109&service_id=88888888000011&out_order_no=1234323JKHDFE1243252&timestamp=1530097563&nonce_str=zyx53Nkey8o4bHpxTQvd8m7e92nG5mG2&sign_type=HMAC-SHA256&sign="+want, p.Query())

	b, err := json.Marshal(p)
	require.NoError(t, err)
	require.NotContains(t, string(b), key, "the APIv2 key never leaves the server")
	var front struct {
		BusinessType string            `json:"businessType"`
		ExtraData    map[string]string `json:"extraData"`
		Query        string            `json:"query"`
	}
	require.NoError(t, json.Unmarshal(b, &front))
	require.Equal(t, ed, front.ExtraData)

	// Random nonce and current time by default.
	p2, err := OrderDetailPage(&OrderDetailPageRequest{MchID: "1230000109", ServiceID: "1", OutOrderNo: "A", APIv2Key: key})
	require.NoError(t, err)
	require.Len(t, p2.ExtraData()["nonce_str"], 32)

	_, err = OrderDetailPage(&OrderDetailPageRequest{MchID: "1", ServiceID: "1", OutOrderNo: "bad no", APIv2Key: "short", NonceStr: "bad-nonce"})
	var ve *core.ValidationError
	require.ErrorAs(t, err, &ve)
	require.True(t, ve.Has("APIv2Key") && ve.Has("out_order_no") && ve.Has("nonce_str"))
	require.NotContains(t, err.Error(), "short")
}

func TestAuthorizationAndConfirmPages(t *testing.T) {
	p, err := AuthorizationPage("AAQTnZoAAAAB+/=x")
	require.NoError(t, err)
	require.Equal(t, BusinessTypeEnable, p.BusinessType)
	require.Equal(t, map[string]string{"apply_permissions_token": "AAQTnZoAAAAB+/=x"}, p.ExtraData())
	q, err := url.ParseQuery(p.Query())
	require.NoError(t, err)
	require.Equal(t, "AAQTnZoAAAAB+/=x", q.Get("apply_permissions_token"), "values are URL-encoded")
	require.True(t, strings.HasPrefix(p.Query(), "apply_permissions_token=AAQTnZoAAAAB%2B%2F%3Dx"))

	c, err := ConfirmOrderPage("XXXXXXXX")
	require.NoError(t, err)
	require.Equal(t, BusinessTypeUse, c.BusinessType)
	require.Equal(t, "package=XXXXXXXX", c.Query())

	_, err = AuthorizationPage("")
	require.Error(t, err)
	_, err = ConfirmOrderPage("")
	require.Error(t, err)

	// Spec §9.1: apply_permissions_token is at most 300 characters; the
	// package has no documented length, so none is invented.
	_, err = AuthorizationPage(strings.Repeat("T", 300))
	require.NoError(t, err)
	_, err = AuthorizationPage(strings.Repeat("T", 301))
	require.ErrorAs(t, err, new(*core.ValidationError))
	_, err = ConfirmOrderPage(strings.Repeat("P", 4096))
	require.NoError(t, err)
}
