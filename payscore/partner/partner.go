package partner

import (
	"strings"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/internal/validate"
)

// Service calls the Pay Score APIs for service providers. It holds only the
// client, signs with the service provider's merchant key, and is safe for
// concurrent use.
type Service struct{ c *core.Client }

// NewService returns a Service that calls the API through c, the service
// provider's client (its merchant ID is the provider's, sp_mchid). It panics
// when c is nil: build the client with core.NewClient first.
func NewService(c *core.Client) *Service {
	if c == nil {
		panic("partner.NewService: nil *core.Client; build one with core.NewClient")
	}
	return &Service{c: c}
}

// Documented limits, in characters (spec §9).
const (
	maxID           = 32  // appid, sub_appid, sub_mchid, service_id, out_order_no, authorization_code
	maxOpenID       = 128 // openid, sub_openid
	maxReason       = 50  // terminate and cancel reasons
	maxNotifyURL    = 255
	maxAttach       = 256
	maxIntroduction = 20
	maxQueryID      = 512
	maxRiskDesc     = 30 // risk_fund.description [OA]
	maxStartRemark  = 20 // time_range.start_time_remark [OA]
	maxEndRemark    = 50 // time_range.end_time_remark [OA]
)

// charsetAuthorizationCode is the character set of a partner
// authorization_code: ASCII letters, digits and _-|* (spec §9.1; the direct
// APIs' set, core.CharsetAuthorizationCode, has no '|').
const charsetAuthorizationCode core.Charset = "_-|*"

// id checks a required identifier of at most maxID characters.
func id(v *validate.V, field, s string) { v.RequiredText(field, s, maxID) }

// optionalID checks an optional identifier: when set, not empty and at most
// max characters.
func optionalID(v *validate.V, field string, s *string, max int) {
	if s != nil {
		v.Check(*s != "", field, "must not be empty when set")
		v.OptionalText(field, s, max)
	}
}

// outOrderNo checks a merchant order number: 1-32 letters, digits or _-|*.
func outOrderNo(v *validate.V, field, s string) { token(v, field, s, core.CharsetOutTradeNo) }

// authorizationCode checks an authorization agreement number: 1-32
// letters, digits or _-|*.
func authorizationCode(v *validate.V, field, s string) { token(v, field, s, charsetAuthorizationCode) }

func token(v *validate.V, field, s string, cs core.Charset) {
	if p := cs.Problem(s); p != "" {
		v.Add(field, p)
		return
	}
	v.MaxChars(field, s, maxID)
}

// notifyURL checks a callback URL: absolute http(s), no query string, at
// most 255 characters. WeChat Pay requires https in production; http is
// let through for local receivers (the sandbox, tests).
func notifyURL(v *validate.V, field, s string) {
	if !v.Required(field, s) {
		return
	}
	v.URL(field, s)
	v.MaxChars(field, s, maxNotifyURL)
	if strings.IndexByte(s, '?') >= 0 {
		v.Add(field, "must not have a query string")
	}
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
		v.RequiredText("openid", *openID, maxOpenID)
	}
	if subOpenID != nil {
		v.RequiredText("sub_openid", *subOpenID, maxOpenID)
		v.Check(subAppID != nil, "sub_appid", "is required with sub_openid")
	}
}

// addAll appends problems found by a payscore Check function.
func addAll(v *validate.V, problems []core.FieldError) {
	for _, p := range problems {
		v.Add(p.Field, p.Problem)
	}
}
