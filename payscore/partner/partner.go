package partner

import (
	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/internal/validate"
	"github.com/wechatpay-biz/wechatpay-biz-go/payscore/internal/shared"
)

// Service calls the Pay Score APIs for service providers. It holds only the
// client, signs with the service provider's merchant key, and is safe for
// concurrent use.
type Service struct{ c *core.Client }

// NewService returns a Service that calls the API through c, the service
// provider's client (its merchant ID is the provider's, sp_mchid). It panics
// when c is nil: build the client with core.NewClient first.
func NewService(c *core.Client) *Service {
	return &Service{c: validate.Client("partner.NewService", c)}
}

// Documented limits of the service-provider APIs, in characters (spec §9);
// those the direct APIs share are in payscore/internal/shared.
const (
	maxQueryID  = 512 // query_id
	maxRiskDesc = 30  // risk_fund.description [OA]
)

// charsetAuthorizationCode is the character set of a partner
// authorization_code: ASCII letters, digits and _-|* (spec §9.1; the direct
// APIs' set, core.CharsetAuthorizationCode, has no '|').
const charsetAuthorizationCode core.Charset = "_-|*"

// authorizationCode checks an authorization agreement number: 1-32
// letters, digits or _-|*.
func authorizationCode(v *validate.V, s string) {
	v.Token("authorization_code", s, charsetAuthorizationCode, shared.MaxID)
}

// serviceKey checks, in this order, the service and the accounts a call
// acts for: service_id, appid, sub_mchid and the optional sub_appid.
func serviceKey(v *validate.V, serviceID, appID, subMchID string, subAppID *string) {
	shared.ID(v, "service_id", serviceID)
	shared.ID(v, "appid", appID)
	shared.ID(v, "sub_mchid", subMchID)
	shared.OptionalID(v, "sub_appid", subAppID)
}

// user checks how a request names the user: at most one of openid and
// sub_openid (exactly one when required), each 1-128 characters, and
// sub_openid only together with sub_appid.
func user(v *validate.V, openID, subOpenID, subAppID *string, required bool) {
	switch {
	case openID == nil && subOpenID == nil:
		if required {
			v.Add("openid", "one of openid and sub_openid is required")
		}
	case openID != nil && subOpenID != nil:
		v.Add("sub_openid", "give either openid or sub_openid, not both")
	}
	if openID != nil {
		v.RequiredText("openid", *openID, shared.MaxOpenID)
	}
	if subOpenID != nil {
		v.RequiredText("sub_openid", *subOpenID, shared.MaxOpenID)
		v.Check(subAppID != nil, "sub_appid", "is required with sub_openid")
	}
}
