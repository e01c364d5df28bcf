package payscore

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/wechatpay-biz/wechatpay-biz-go/internal/validate"
	"github.com/wechatpay-biz/wechatpay-biz-go/payscore/internal/shared"
)

// Business types that open the Pay Score pages.
const (
	BusinessTypeEnable = "wxpayScoreEnable" // authorization page
	BusinessTypeUse    = "wxpayScoreUse"    // order confirm page
	BusinessTypeDetail = "wxpayScoreDetail" // order detail page
)

// SignTypeHMACSHA256 is the only sign_type the pages accept.
const SignTypeHMACSHA256 = "HMAC-SHA256"

// Param is one page parameter.
type Param struct {
	Key   string // parameter name, e.g. mch_id
	Value string // its value, unescaped
}

// Page is what a front end needs to open a Pay Score page. The same
// parameters serve every client:
//
//   - mini program: wx.openBusinessView({businessType: BusinessType,
//     extraData: ExtraData()})
//   - APP (OpenSDK WXOpenBusinessView.Req): businessType = BusinessType,
//     query = Query()
//   - JSAPI page in WeChat (JS-SDK ≥ 1.5.0): wx.invoke('openBusinessView',
//     {businessType: BusinessType, queryString: Query()}, …)
//
// Page marshals to JSON as {"businessType":…,"extraData":{…},"query":"…"}
// so a server can hand it to the front end as is.
type Page struct {
	BusinessType string  // wxpayScoreEnable, wxpayScoreUse or wxpayScoreDetail
	Params       []Param // in the documented order
}

// ExtraData returns the parameters as the mini program's extraData object.
// Every value is a string (the timestamp too, as the pages require).
func (p *Page) ExtraData() map[string]string {
	m := make(map[string]string, len(p.Params))
	for _, kv := range p.Params {
		m[kv.Key] = kv.Value
	}
	return m
}

// Query returns the parameters as key=value&… with URL-encoded values, the
// APP query and the JSAPI queryString.
func (p *Page) Query() string {
	var b strings.Builder
	for i, kv := range p.Params {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(kv.Key)
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(kv.Value))
	}
	return b.String()
}

// MarshalJSON encodes the page for a front end.
func (p *Page) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		BusinessType string            `json:"businessType"`
		ExtraData    map[string]string `json:"extraData"`
		Query        string            `json:"query"`
	}{p.BusinessType, p.ExtraData(), p.Query()})
}

// AuthorizationPage returns the parameters that open the Pay Score
// authorization page with the token from PreAuthorize, direct or partner
// (no signature is involved). The token is required and at most 300
// characters, its documented length; it is valid for one hour.
//
// https://pay.weixin.qq.com/docs/merchant/apis/weixin-pay-score-no-confirm/jsapi-auth.html
func AuthorizationPage(applyPermissionsToken string) (*Page, error) {
	var v validate.V
	v.RequiredText("apply_permissions_token", applyPermissionsToken, shared.MaxPermissionsToken)
	if err := v.Err("payscore.AuthorizationPage"); err != nil {
		return nil, err
	}
	return &Page{BusinessType: BusinessTypeEnable, Params: []Param{{"apply_permissions_token", applyPermissionsToken}}}, nil
}

// ConfirmOrderPage returns the parameters that open the order confirm page
// with the Package from CreateOrder (confirm mode). The current WeChat Pay
// pages for direct merchants pass the package alone, unsigned.
//
// https://pay.weixin.qq.com/docs/merchant/apis/weixin-pay-score/applets-confirm.html,
// https://pay.weixin.qq.com/docs/merchant/apis/weixin-pay-score/jsapi-confirm.html
func ConfirmOrderPage(pkg string) (*Page, error) {
	var v validate.V
	v.RequiredText("package", pkg, 0) // no documented length
	if err := v.Err("payscore.ConfirmOrderPage"); err != nil {
		return nil, err
	}
	return &Page{BusinessType: BusinessTypeUse, Params: []Param{{"package", pkg}}}, nil
}

// OrderDetailPageRequest describes the order whose detail page to open.
type OrderDetailPageRequest struct {
	MchID      string // merchant ID
	ServiceID  string // service ID
	OutOrderNo string // merchant order number
	// APIv2Key is the merchant's APIv2 key (API密钥, 32 characters), which
	// the page signature uses; it is not the APIv3 key. It is never part
	// of the result or of an error.
	APIv2Key string
	// Timestamp of the signature; zero means now.
	Timestamp time.Time
	// NonceStr of the signature (letters and digits, at most 32); empty
	// means a random one.
	NonceStr string
}

// Validate reports every broken rule of the request (a nil request is one)
// as a *core.ValidationError, or nil: what OrderDetailPage checks before
// signing anything. Problems name the page parameters (mch_id, service_id,
// out_order_no, nonce_str) and APIv2Key, never the key itself.
func (r *OrderDetailPageRequest) Validate() error {
	const op = "payscore.OrderDetailPage"
	if r == nil {
		return validate.NilRequest(op)
	}
	var v validate.V
	shared.ID(&v, "mch_id", r.MchID)
	shared.ID(&v, "service_id", r.ServiceID)
	shared.OutOrderNo(&v, r.OutOrderNo)
	shared.PageSignature(&v, r.APIv2Key, r.NonceStr)
	return v.Err(op)
}

// OrderDetailPage returns the signed parameters that open an order's
// detail page: mch_id, service_id, out_order_no, timestamp, nonce_str,
// sign_type and sign, where sign is the upper-case hex HMAC-SHA256, keyed
// with the APIv2 key, of the other parameters sorted by name as
// k1=v1&k2=v2…&key=<APIv2 key>.
//
// https://pay.weixin.qq.com/docs/merchant/apis/weixin-pay-score/applets-order.html
func OrderDetailPage(req *OrderDetailPageRequest) (*Page, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	return SignedPage(BusinessTypeDetail, []Param{
		{"mch_id", req.MchID}, {"service_id", req.ServiceID}, {"out_order_no", req.OutOrderNo},
	}, req.APIv2Key, req.Timestamp, req.NonceStr), nil
}

// SignedPage returns the page of businessType whose parameters are params,
// in order, followed by timestamp (Unix seconds of ts; zero means now),
// nonce_str (nonceStr; empty means 32 random letters and digits), sign_type
// HMAC-SHA256 and sign: the APIv2 signature of them all — upper-case hex
// HMAC-SHA256, keyed with apiV2Key, of the set parameters but sign sorted by
// name as k1=v1&k2=v2…&key=<apiV2Key>. The key is never part of the page.
//
// SignedPage does not validate: check the parameters, the 32-character
// APIv2 key and the nonce (at most 32 letters and digits) first, as
// OrderDetailPage and payscore/partner's ConfirmOrderPage do.
func SignedPage(businessType string, params []Param, apiV2Key string, ts time.Time, nonceStr string) *Page {
	if ts.IsZero() {
		ts = time.Now()
	}
	if nonceStr == "" {
		nonceStr = randomNonce()
	}
	all := make([]Param, 0, len(params)+4)
	all = append(all, params...)
	all = append(all,
		Param{"timestamp", strconv.FormatInt(ts.Unix(), 10)},
		Param{"nonce_str", nonceStr},
		Param{"sign_type", SignTypeHMACSHA256},
	)
	all = append(all, Param{"sign", signHMACSHA256(all, apiV2Key)})
	return &Page{BusinessType: businessType, Params: all}
}

// signHMACSHA256 is WeChat Pay's APIv2-style signature: parameters with a
// value, except sign, sorted by name, joined as k=v&…, then "&key=" and the
// APIv2 key; HMAC-SHA256 keyed with the APIv2 key, upper-case hex.
func signHMACSHA256(params []Param, apiV2Key string) string {
	kv := make([]Param, 0, len(params))
	for _, p := range params {
		if p.Value != "" && p.Key != "sign" {
			kv = append(kv, p)
		}
	}
	sort.Slice(kv, func(i, j int) bool { return kv[i].Key < kv[j].Key })
	var b strings.Builder
	for _, p := range kv {
		b.WriteString(p.Key)
		b.WriteByte('=')
		b.WriteString(p.Value)
		b.WriteByte('&')
	}
	b.WriteString("key=")
	b.WriteString(apiV2Key)
	m := hmac.New(sha256.New, []byte(apiV2Key))
	m.Write([]byte(b.String()))
	return strings.ToUpper(hex.EncodeToString(m.Sum(nil)))
}

const nonceChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

func randomNonce() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("payscore: crypto/rand failed: " + err.Error())
	}
	for i := range b {
		b[i] = nonceChars[int(b[i])%len(nonceChars)]
	}
	return string(b)
}
