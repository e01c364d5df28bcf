package partner

import (
	"time"

	"github.com/wechatpay-biz/wechatpay-biz-go/internal/validate"
	"github.com/wechatpay-biz/wechatpay-biz-go/payscore"
	"github.com/wechatpay-biz/wechatpay-biz-go/payscore/internal/shared"
)

// The Pay Score pages (spec §9.14) are opened by the front end with
// openBusinessView (see payscore.Page for the mini program, APP and JSAPI
// forms), from the AppID the order was created with: SubAppID when it was
// given, else AppID.
//
//   - Authorization page (wxpayScoreEnable): payscore.AuthorizationPage with
//     the token from PreAuthorize, as for direct merchants (unsigned).
//   - Order detail page (wxpayScoreDetail): payscore.OrderDetailPage, with
//     MchID the service provider's merchant ID and the provider's APIv2 key.
//   - Confirm page (wxpayScoreUse): ConfirmOrderPage below. It differs from
//     the direct variant: partners sign it.

// ConfirmOrderPageRequest describes the confirm page of an order created in
// confirm mode.
type ConfirmOrderPageRequest struct {
	// MchID is the service provider's merchant ID (mch_id), at most 32
	// characters.
	MchID string
	// Package is CreateOrderResponse.Package.
	Package string
	// APIv2Key is the service provider's APIv2 key (API密钥, 32
	// characters), which signs the page; it is not the APIv3 key. It is
	// never part of the result or of an error.
	APIv2Key string
	// Timestamp of the signature; zero means now.
	Timestamp time.Time
	// NonceStr of the signature (letters and digits, at most 32); empty
	// means a random one.
	NonceStr string
}

// Validate reports every broken rule of the request (a nil request is one)
// as a *core.ValidationError, or nil: what ConfirmOrderPage checks before
// building anything. The key is checked for its length only.
func (r *ConfirmOrderPageRequest) Validate() error {
	if r == nil {
		return validate.NilRequest("partner.ConfirmOrderPage")
	}
	var v validate.V
	shared.ID(&v, "mch_id", r.MchID)
	v.RequiredText("package", r.Package, 0) // no documented length
	shared.PageSignature(&v, r.APIv2Key, r.NonceStr)
	return v.Err("partner.ConfirmOrderPage")
}

// ConfirmOrderPage returns the signed parameters that open the confirm page
// of an order a service provider created in confirm mode: mch_id, package,
// timestamp, nonce_str, sign_type HMAC-SHA256 and sign, the APIv2
// signature with the provider's APIv2 key (see payscore.SignedPage).
//
// https://pay.weixin.qq.com/doc/global/v3/zh/4014096508,
// https://pay.weixin.qq.com/doc/global/v3/zh/4014096486 and
// https://pay.weixin.qq.com/doc/global/v3/zh/4014096496 (the pages of each
// client)
func ConfirmOrderPage(req *ConfirmOrderPageRequest) (*payscore.Page, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	return payscore.SignedPage(payscore.BusinessTypeUse, []payscore.Param{
		{Key: "mch_id", Value: req.MchID}, {Key: "package", Value: req.Package},
	}, req.APIv2Key, req.Timestamp, req.NonceStr), nil
}
