package sandbox

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/wechatpay-apiv3/wechatpay-go/utils"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
)

type sgFixture struct {
	sb *Server
	c  *core.Client
}

func newSGFixture(t *testing.T) *sgFixture {
	t.Helper()
	sb, err := NewServer()
	require.NoError(t, err)
	t.Cleanup(sb.Close)
	// A migrating merchant's client that sends Wechatpay-Serial only when
	// told to and trusts both the public key and the certificate, so that
	// requests without the header can be tested.
	c, err := sb.Client(core.WithRetry(core.RetryPolicy{MaxAttempts: 1}), core.WithHTTPClient(core.DefaultHTTPClient()),
		core.WithPlatformCertificates(sb.PlatformCertificate()))
	require.NoError(t, err)
	return &sgFixture{sb: sb, c: c}
}

// enc encrypts to the sandbox's WeChat Pay public key.
func (f *sgFixture) enc(t *testing.T, pt string) string {
	t.Helper()
	ct, err := utils.EncryptOAEPWithPublicKey(pt, f.sb.PlatformPublicKey)
	require.NoError(t, err)
	return ct
}

// do sends a raw call; serial is the Wechatpay-Serial to send ("" for none).
func (f *sgFixture) do(t *testing.T, method, path string, q url.Values, body any, serial string, out any) error {
	t.Helper()
	c := f.c
	if serial == "" {
		// A client with a public key sends its ID on every request (issue 10
		// item 18); this one strips the header on the way out.
		var err error
		c, err = f.sb.Client(core.WithRetry(core.RetryPolicy{MaxAttempts: 1}), core.WithHTTPClient(&http.Client{Transport: noSerial{}}),
			core.WithPlatformCertificates(f.sb.PlatformCertificate())) // without the header, answers come certificate-signed (spec §14.3)
		require.NoError(t, err)
	}
	_, err := c.Do(context.Background(), &core.Request{Method: method, Path: path, Query: q, Body: body, WechatpaySerial: serial}, out)
	return err
}

// noSerial sends requests without a Wechatpay-Serial header.
type noSerial struct{}

func (noSerial) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Del("Wechatpay-Serial")
	return http.DefaultTransport.RoundTrip(r)
}

func (f *sgFixture) registerBody(t *testing.T, userID string) map[string]any {
	return map[string]any{
		"sub_mchid": "1900000110", "corpid": "ww01", "store_id": 1234, "userid": userID,
		"name": f.enc(t, "张三"), "mobile": f.enc(t, "13800138000"),
		"qr_code": "https://open.work.weixin.qq.com/wwopen/userQRCode?vcode=xxx", "avatar": "https://example.com/a.png",
	}
}

func (f *sgFixture) register(t *testing.T, userID string) string {
	t.Helper()
	var out struct {
		GuideID string `json:"guide_id"`
	}
	require.NoError(t, f.do(t, http.MethodPost, "/v3/smartguide/guides", nil, f.registerBody(t, userID), f.sb.PublicKeyID, &out))
	return out.GuideID
}

// sgRequireError checks an API error and, when field is not "", its detail.
func sgRequireError(t *testing.T, err error, status int, code, field, location string) {
	t.Helper()
	ae, ok := core.IsAPIError(err)
	require.True(t, ok, "want an API error, got %v", err)
	require.Equal(t, status, ae.StatusCode, ae.Error())
	require.Equal(t, code, ae.Code, ae.Error())
	require.NotEmpty(t, ae.RequestID)
	if field != "" {
		require.NotNil(t, ae.Detail, ae.Error())
		require.Equal(t, field, ae.Detail.Field)
		require.Equal(t, location, ae.Detail.Location)
	}
}

func TestSmartGuideRegisterRequiredFields(t *testing.T) {
	f := newSGFixture(t)
	for _, field := range []string{"corpid", "store_id", "userid", "name", "mobile", "qr_code", "avatar"} {
		t.Run(field, func(t *testing.T) {
			body := f.registerBody(t, "robert")
			delete(body, field)
			err := f.do(t, http.MethodPost, "/v3/smartguide/guides", nil, body, f.sb.PublicKeyID, nil)
			sgRequireError(t, err, http.StatusBadRequest, "PARAM_ERROR", "/"+field, "body")
		})
	}
}

func TestSmartGuideRegisterRejectsBadFields(t *testing.T) {
	f := newSGFixture(t)
	cases := map[string]struct {
		set   func(map[string]any)
		field string
	}{
		"plaintext name":       {func(b map[string]any) { b["name"] = "张三" }, "/name"},
		"name over 64 bytes":   {func(b map[string]any) { b["name"] = f.enc(t, strings.Repeat("名", 22)) }, "/name"},
		"mobile over 32":       {func(b map[string]any) { b["mobile"] = f.enc(t, strings.Repeat("1", 33)) }, "/mobile"},
		"store_id as string":   {func(b map[string]any) { b["store_id"] = "1234" }, ""},
		"store_id zero":        {func(b map[string]any) { b["store_id"] = 0 }, "/store_id"},
		"qr_code not a URL":    {func(b map[string]any) { b["qr_code"] = "userQRCode" }, "/qr_code"},
		"avatar ftp":           {func(b map[string]any) { b["avatar"] = "ftp://example.com/a.png" }, "/avatar"},
		"group_qrcode empty":   {func(b map[string]any) { b["group_qrcode"] = "" }, "/group_qrcode"},
		"userid too long":      {func(b map[string]any) { b["userid"] = strings.Repeat("u", 65) }, "/userid"},
		"sub_mchid not digits": {func(b map[string]any) { b["sub_mchid"] = "abc" }, "/sub_mchid"},
		"emoji in name":        {func(b map[string]any) { b["name"] = f.enc(t, "张三😀") }, "/name"},
		"emoji in userid":      {func(b map[string]any) { b["userid"] = "rob😀" }, "/userid"},
		"emoji in corpid":      {func(b map[string]any) { b["corpid"] = "ww😀" }, "/corpid"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			body := f.registerBody(t, "robert")
			tc.set(body)
			err := f.do(t, http.MethodPost, "/v3/smartguide/guides", nil, body, f.sb.PublicKeyID, nil)
			loc := "body"
			if tc.field == "" {
				loc = ""
			}
			sgRequireError(t, err, http.StatusBadRequest, "PARAM_ERROR", tc.field, loc)
		})
	}
}

func TestSmartGuideRegisterNeedsTheRightSerial(t *testing.T) {
	f := newSGFixture(t)
	err := f.do(t, http.MethodPost, "/v3/smartguide/guides", nil, f.registerBody(t, "robert"), "", nil)
	sgRequireError(t, err, http.StatusBadRequest, "PARAM_ERROR", "", "")
	err = f.do(t, http.MethodPost, "/v3/smartguide/guides", nil, f.registerBody(t, "robert"), "PUB_KEY_ID_0000", nil)
	sgRequireError(t, err, http.StatusBadRequest, "PARAM_ERROR", "", "")

	// Fields encrypted to the platform certificate decrypt with that serial.
	cert := f.sb.PlatformCertificate()
	body := f.registerBody(t, "robert")
	for _, k := range []string{"name", "mobile"} {
		ct, err := utils.EncryptOAEPWithCertificate(map[string]string{"name": "李四", "mobile": "13900139000"}[k], cert)
		require.NoError(t, err)
		body[k] = ct
	}
	var out struct {
		GuideID string `json:"guide_id"`
	}
	require.NoError(t, f.do(t, http.MethodPost, "/v3/smartguide/guides", nil, body, certSerial(cert), &out))
	rec, ok := f.sb.SmartGuideGuide(out.GuideID)
	require.True(t, ok)
	require.Equal(t, "李四", rec.Name)
	require.Equal(t, "13900139000", rec.Mobile)
}

func TestSmartGuideRegisterTwiceIsRefused(t *testing.T) {
	f := newSGFixture(t)
	f.register(t, "robert")
	err := f.do(t, http.MethodPost, "/v3/smartguide/guides", nil, f.registerBody(t, "robert"), f.sb.PublicKeyID, nil)
	sgRequireError(t, err, http.StatusBadRequest, "INVALID_REQUEST", "", "")
}

func TestSmartGuideAssignRules(t *testing.T) {
	f := newSGFixture(t)
	id := f.register(t, "robert")
	path := "/v3/smartguide/guides/" + id + "/assign"

	for _, bad := range []string{"", "订单", "a b", strings.Repeat("1", 33)} {
		err := f.do(t, http.MethodPost, path, nil, map[string]any{"sub_mchid": "1900000110", "out_trade_no": bad}, "", nil)
		sgRequireError(t, err, http.StatusBadRequest, "PARAM_ERROR", "/out_trade_no", "body")
	}
	// The guide belongs to sub-merchant 1900000110, not to another one or the provider itself.
	err := f.do(t, http.MethodPost, path, nil, map[string]any{"sub_mchid": "1900000111", "out_trade_no": "T1"}, "", nil)
	sgRequireError(t, err, http.StatusNotFound, "RESOURCE_NOT_EXISTS", "", "")
	err = f.do(t, http.MethodPost, path, nil, map[string]any{"out_trade_no": "T1"}, "", nil)
	sgRequireError(t, err, http.StatusNotFound, "RESOURCE_NOT_EXISTS", "", "")
	err = f.do(t, http.MethodPost, "/v3/smartguide/guides/nosuch/assign", nil, map[string]any{"sub_mchid": "1900000110", "out_trade_no": "T1"}, "", nil)
	sgRequireError(t, err, http.StatusNotFound, "RESOURCE_NOT_EXISTS", "", "")

	require.NoError(t, f.do(t, http.MethodPost, path, nil, map[string]any{"sub_mchid": "1900000110", "out_trade_no": "T1"}, "", nil))
	got, ok := f.sb.SmartGuideAssignment("1900000110", "T1")
	require.True(t, ok)
	require.Equal(t, id, got)

	f.sb.Record(LedgerEntry{SubMchID: "1900000110", OutTradeNo: "PAID", TradeState: "SUCCESS"})
	err = f.do(t, http.MethodPost, path, nil, map[string]any{"sub_mchid": "1900000110", "out_trade_no": "PAID"}, "", nil)
	sgRequireError(t, err, http.StatusBadRequest, "INVALID_REQUEST", "", "")
}

type sgPage struct {
	TotalCount int `json:"total_count"`
	Limit      int `json:"limit"`
	Offset     int `json:"offset"`
	Data       []struct {
		GuideID string `json:"guide_id"`
		StoreID int64  `json:"store_id"`
		Name    string `json:"name"`
		Mobile  string `json:"mobile"`
		UserID  string `json:"userid"`
		WorkID  string `json:"work_id"`
	} `json:"data"`
}

func TestSmartGuideQueryPagingAndFilters(t *testing.T) {
	f := newSGFixture(t)
	for _, u := range []string{"a", "b", "c"} {
		f.register(t, u)
	}
	personal := f.sb.SmartGuideAddPersonalGuide("1900000110", 1234, "W9", "王五", "13700137000")
	f.sb.SmartGuideAddPersonalGuide("1900000110", 999, "W9", "别店", "13700137001")

	var p sgPage
	q := url.Values{"sub_mchid": {"1900000110"}, "store_id": {"1234"}, "limit": {"2"}, "offset": {"2"}}
	require.NoError(t, f.do(t, http.MethodGet, "/v3/smartguide/guides", q, nil, f.sb.PublicKeyID, &p))
	require.Equal(t, 4, p.TotalCount)
	require.Equal(t, 2, p.Limit)
	require.Equal(t, 2, p.Offset)
	require.Len(t, p.Data, 2)
	require.Equal(t, "c", p.Data[0].UserID)
	require.Equal(t, personal, p.Data[1].GuideID)
	// Personal data comes back encrypted to the merchant's key.
	name, err := f.c.DecryptSensitive(p.Data[1].Name)
	require.NoError(t, err)
	require.Equal(t, "王五", name)

	q = url.Values{"sub_mchid": {"1900000110"}, "store_id": {"1234"}, "work_id": {"W9"}}
	require.NoError(t, f.do(t, http.MethodGet, "/v3/smartguide/guides", q, nil, f.sb.PublicKeyID, &p))
	require.Len(t, p.Data, 1)
	require.Equal(t, personal, p.Data[0].GuideID)

	q = url.Values{"sub_mchid": {"1900000110"}, "store_id": {"1234"}, "mobile": {f.enc(t, "13700137000")}}
	require.NoError(t, f.do(t, http.MethodGet, "/v3/smartguide/guides", q, nil, f.sb.PublicKeyID, &p))
	require.Len(t, p.Data, 1)
	require.Equal(t, personal, p.Data[0].GuideID)

	// Direct-merchant scope sees none of the sub-merchant's guides.
	require.NoError(t, f.do(t, http.MethodGet, "/v3/smartguide/guides", url.Values{"store_id": {"1234"}}, nil, f.sb.PublicKeyID, &p))
	require.Equal(t, 0, p.TotalCount)
	require.NotNil(t, p.Data)
}

func TestSmartGuideQueryRejectsBadParameters(t *testing.T) {
	f := newSGFixture(t)
	for name, tc := range map[string]struct {
		q     url.Values
		field string
	}{
		"no store_id":   {url.Values{}, "store_id"},
		"bad store_id":  {url.Values{"store_id": {"x"}}, "store_id"},
		"limit 11":      {url.Values{"store_id": {"1"}, "limit": {"11"}}, "limit"},
		"limit 0":       {url.Values{"store_id": {"1"}, "limit": {"0"}}, "limit"},
		"offset -1":     {url.Values{"store_id": {"1"}, "offset": {"-1"}}, "offset"},
		"empty userid":  {url.Values{"store_id": {"1"}, "userid": {""}}, "userid"},
		"empty work_id": {url.Values{"store_id": {"1"}, "work_id": {""}}, "work_id"},
		"mobile plain":  {url.Values{"store_id": {"1"}, "mobile": {"13800138000"}}, "mobile"},
	} {
		t.Run(name, func(t *testing.T) {
			err := f.do(t, http.MethodGet, "/v3/smartguide/guides", tc.q, nil, f.sb.PublicKeyID, nil)
			sgRequireError(t, err, http.StatusBadRequest, "PARAM_ERROR", tc.field, "query")
		})
	}
	err := f.do(t, http.MethodGet, "/v3/smartguide/guides", url.Values{"store_id": {"1"}}, nil, "", nil)
	sgRequireError(t, err, http.StatusBadRequest, "PARAM_ERROR", "", "")
}

func TestSmartGuideQueryMobileMustBeURLEncoded(t *testing.T) {
	f := newSGFixture(t)
	f.register(t, "robert")
	var ct string
	for ct == "" || !strings.Contains(ct, "+") { // make sure the ciphertext has a '+'
		ct = f.enc(t, "13800138000")
	}
	// Sent raw, '+' reads as a space: the ciphertext no longer decrypts.
	err := f.do(t, http.MethodGet, "/v3/smartguide/guides?store_id=1234&sub_mchid=1900000110&mobile="+ct, nil, nil, f.sb.PublicKeyID, nil)
	sgRequireError(t, err, http.StatusBadRequest, "PARAM_ERROR", "mobile", "query")
	var p sgPage
	q := url.Values{"sub_mchid": {"1900000110"}, "store_id": {"1234"}, "mobile": {ct}}
	require.NoError(t, f.do(t, http.MethodGet, "/v3/smartguide/guides", q, nil, f.sb.PublicKeyID, &p))
	require.Len(t, p.Data, 1)
}

func TestSmartGuideUpdateRules(t *testing.T) {
	f := newSGFixture(t)
	id := f.register(t, "robert")
	path := "/v3/smartguide/guides/" + id

	err := f.do(t, http.MethodPatch, path, nil, map[string]any{"sub_mchid": "1900000110"}, f.sb.PublicKeyID, nil)
	sgRequireError(t, err, http.StatusBadRequest, "PARAM_ERROR", "", "")
	err = f.do(t, http.MethodPatch, path, nil, map[string]any{"sub_mchid": "1900000110", "name": "plain"}, f.sb.PublicKeyID, nil)
	sgRequireError(t, err, http.StatusBadRequest, "PARAM_ERROR", "/name", "body")
	err = f.do(t, http.MethodPatch, path, nil, map[string]any{"sub_mchid": "1900000110", "avatar": "nope"}, f.sb.PublicKeyID, nil)
	sgRequireError(t, err, http.StatusBadRequest, "PARAM_ERROR", "/avatar", "body")
	err = f.do(t, http.MethodPatch, "/v3/smartguide/guides/nosuch", nil, map[string]any{"avatar": "https://example.com/b.png"}, f.sb.PublicKeyID, nil)
	sgRequireError(t, err, http.StatusNotFound, "RESOURCE_NOT_EXISTS", "", "")

	require.NoError(t, f.do(t, http.MethodPatch, path, nil, map[string]any{"sub_mchid": "1900000110", "mobile": f.enc(t, "13600136000"), "group_qrcode": "https://example.com/g"}, f.sb.PublicKeyID, nil))
	rec, _ := f.sb.SmartGuideGuide(id)
	require.Equal(t, "13600136000", rec.Mobile)
	require.Equal(t, "张三", rec.Name)
	require.Equal(t, "https://example.com/g", rec.GroupQRCode)

	personal := f.sb.SmartGuideAddPersonalGuide("", 1, "W1", "王五", "13700137000")
	err = f.do(t, http.MethodPatch, "/v3/smartguide/guides/"+personal, nil, map[string]any{"group_qrcode": "https://example.com/g"}, f.sb.PublicKeyID, nil)
	sgRequireError(t, err, http.StatusBadRequest, "INVALID_REQUEST", "", "")
}

func TestSmartGuideProviderOwnIDIsRefused(t *testing.T) {
	f := newSGFixture(t)
	body := f.registerBody(t, "robert")
	body["sub_mchid"] = f.sb.MerchantID
	err := f.do(t, http.MethodPost, "/v3/smartguide/guides", nil, body, f.sb.PublicKeyID, nil)
	sgRequireError(t, err, http.StatusBadRequest, "INVALID_REQUEST", "", "")
}
