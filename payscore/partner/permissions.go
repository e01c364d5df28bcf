package partner

import (
	"context"
	"net/http"
	"net/url"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/internal/validate"
	"github.com/wechatpay-biz/wechatpay-biz-go/payscore/internal/shared"
)

// PreAuthorizeRequest asks for a token that opens the Pay Score
// authorization page for a user of a sub-merchant (商户预授权).
type PreAuthorizeRequest struct {
	// ServiceID is the pay-score service ID, at most 32 characters.
	ServiceID string `json:"service_id"`
	// AppID is the service provider's AppID, at most 32 characters.
	AppID string `json:"appid"`
	// SubAppID is an AppID bound to the sub-merchant, at most 32
	// characters. Optional.
	SubAppID *string `json:"sub_appid,omitempty"`
	// SubMchID is the sub-merchant (特约商户号), at most 32 characters.
	SubMchID string `json:"sub_mchid"`
	// AuthorizationCode is the provider's authorization agreement number:
	// 1-32 letters, digits or _-|*, unique under the provider and never
	// reused for another user.
	AuthorizationCode string `json:"authorization_code"`
	// NotifyURL receives the PAYSCORE.USER_OPEN_SERVICE and
	// PAYSCORE.USER_CLOSE_SERVICE callbacks of this authorization; at most
	// 255 characters, no query string. Optional.
	NotifyURL *string `json:"notify_url,omitempty"`
}

// Validate reports every broken rule of the request by wire field name (a
// nil request is one) as a *core.ValidationError, or nil: what PreAuthorize
// checks before sending anything.
func (r *PreAuthorizeRequest) Validate() error {
	if r == nil {
		return validate.NilRequest("partner.PreAuthorize")
	}
	var v validate.V
	shared.ID(&v, "service_id", r.ServiceID)
	shared.ID(&v, "appid", r.AppID)
	shared.OptionalID(&v, "sub_appid", r.SubAppID)
	shared.ID(&v, "sub_mchid", r.SubMchID)
	authorizationCode(&v, r.AuthorizationCode)
	shared.OptionalNotifyURL(&v, r.NotifyURL)
	return v.Err("partner.PreAuthorize")
}

// PreAuthorizeResponse carries the token for the authorization page.
type PreAuthorizeResponse struct {
	core.ResponseMeta `json:"-"`
	// ApplyPermissionsToken opens the authorization page
	// (payscore.AuthorizationPage); it is valid for one hour.
	ApplyPermissionsToken string `json:"apply_permissions_token"`
}

// PreAuthorize registers an authorization agreement number for a
// sub-merchant and returns the token that opens the Pay Score authorization
// page (payscore.AuthorizationPage). The user's decision arrives as a
// PAYSCORE.USER_OPEN_SERVICE callback, or by
// QueryPermissionByAuthorizationCode. Keyed by the authorization number, it
// is retried on transient failures.
//
// POST /v3/payscore/partner/permissions —
// https://pay.weixin.qq.com/docs/partner/apis/partner-weixin-pay-score/partner-service-auth/apply-partner-permissions.html
func (s *Service) PreAuthorize(ctx context.Context, req *PreAuthorizeRequest) (*PreAuthorizeResponse, error) {
	return core.Call[PreAuthorizeResponse](ctx, s.c, core.Endpoint{
		Op: "partner.PreAuthorize", Method: http.MethodPost, Route: "/v3/payscore/partner/permissions", Idempotent: true,
	}, req, shared.Body(req))
}

// QueryPermissionByOpenIDRequest identifies a user's authorization for a
// sub-merchant, by exactly one of OpenID and SubOpenID. Every field goes in
// the query string.
type QueryPermissionByOpenIDRequest struct {
	ServiceID string `json:"-"` // service ID, at most 32 characters
	AppID     string `json:"-"` // the service provider's AppID, at most 32 characters
	SubMchID  string `json:"-"` // the sub-merchant, at most 32 characters
	// SubAppID is the sub-merchant's AppID; required with SubOpenID.
	SubAppID *string `json:"-"`
	// OpenID is the user under AppID, at most 128 characters.
	OpenID *string `json:"-"`
	// SubOpenID is the user under SubAppID, at most 128 characters.
	SubOpenID *string `json:"-"`
}

// Validate reports every broken rule of the request by wire field name (a
// nil request is one) as a *core.ValidationError, or nil: what
// QueryPermissionByOpenID checks before sending anything.
func (r *QueryPermissionByOpenIDRequest) Validate() error {
	if r == nil {
		return validate.NilRequest("partner.QueryPermissionByOpenID")
	}
	var v validate.V
	serviceKey(&v, r.ServiceID, r.AppID, r.SubMchID, r.SubAppID)
	user(&v, r.OpenID, r.SubOpenID, r.SubAppID, true)
	return v.Err("partner.QueryPermissionByOpenID")
}

// QueryPermissionByOpenID returns the state of a user's authorization of a
// service for a sub-merchant. A user who never authorized is UNAVAILABLE.
// The OpenID travels in the query string (there is no partner
// /openid/{openid} path); logs and errors show only the route.
//
// GET /v3/payscore/partner/permissions/search —
// https://pay.weixin.qq.com/docs/partner/apis/partner-weixin-pay-score/partner-service-auth/get-partner-permissions-by-open-id.html
func (s *Service) QueryPermissionByOpenID(ctx context.Context, req *QueryPermissionByOpenIDRequest) (*PermissionResponse, error) {
	return core.Call[PermissionResponse](ctx, s.c, core.Endpoint{
		Op: "partner.QueryPermissionByOpenID", Method: http.MethodGet, Route: "/v3/payscore/partner/permissions/search", Idempotent: true,
	}, req, func(r *core.Request) error {
		q := url.Values{"service_id": {req.ServiceID}, "appid": {req.AppID}, "sub_mchid": {req.SubMchID}}
		setOptional(q, "sub_appid", req.SubAppID)
		setOptional(q, "openid", req.OpenID)
		setOptional(q, "sub_openid", req.SubOpenID)
		r.Query = q
		return nil
	})
}

func setOptional(q url.Values, key string, v *string) {
	if v != nil {
		q.Set(key, *v)
	}
}

// QueryPermissionByAuthorizationCodeRequest identifies a pre-authorization.
type QueryPermissionByAuthorizationCodeRequest struct {
	// AuthorizationCode is the number given to PreAuthorize (path).
	AuthorizationCode string `json:"-"`
	ServiceID         string `json:"-"` // query: service ID
	SubMchID          string `json:"-"` // query: the sub-merchant
}

// Validate reports every broken rule of the request by wire field name (a
// nil request is one) as a *core.ValidationError, or nil: what
// QueryPermissionByAuthorizationCode checks before sending anything.
func (r *QueryPermissionByAuthorizationCodeRequest) Validate() error {
	if r == nil {
		return validate.NilRequest("partner.QueryPermissionByAuthorizationCode")
	}
	var v validate.V
	codeKey(&v, r.AuthorizationCode, r.ServiceID, r.SubMchID)
	return v.Err("partner.QueryPermissionByAuthorizationCode")
}

// QueryPermissionByAuthorizationCode returns the state of the authorization
// registered with PreAuthorize: UNBINDUSER until the user authorizes.
//
// GET /v3/payscore/partner/permissions/authorization-code/{authorization_code} —
// https://pay.weixin.qq.com/docs/partner/apis/partner-weixin-pay-score/partner-service-auth/get-partner-permissions-by-code.html
func (s *Service) QueryPermissionByAuthorizationCode(ctx context.Context, req *QueryPermissionByAuthorizationCodeRequest) (*PermissionResponse, error) {
	return core.Call[PermissionResponse](ctx, s.c, core.Endpoint{
		Op: "partner.QueryPermissionByAuthorizationCode", Method: http.MethodGet,
		Route: "/v3/payscore/partner/permissions/authorization-code/{authorization_code}", Idempotent: true,
	}, req, func(r *core.Request) error {
		r.Query = url.Values{"service_id": {req.ServiceID}, "sub_mchid": {req.SubMchID}}
		return r.SetPathParams(authCodeParam(req.AuthorizationCode))
	})
}

// TerminatePermissionByOpenIDRequest withdraws a user's authorization for a
// sub-merchant, naming the user by exactly one of OpenID and SubOpenID.
type TerminatePermissionByOpenIDRequest struct {
	ServiceID string `json:"service_id"` // service ID, at most 32 characters
	SubMchID  string `json:"sub_mchid"`  // the sub-merchant, at most 32 characters
	AppID     string `json:"appid"`      // the service provider's AppID, at most 32 characters
	// SubAppID is the sub-merchant's AppID; required with SubOpenID.
	SubAppID *string `json:"sub_appid,omitempty"`
	// OpenID is the user under AppID, at most 128 characters.
	OpenID *string `json:"openid,omitempty"`
	// SubOpenID is the user under SubAppID, at most 128 characters.
	SubOpenID *string `json:"sub_openid,omitempty"`
	// Reason says why the provider withdraws it, at most 50 characters.
	Reason string `json:"reason"`
}

// Validate reports every broken rule of the request by wire field name (a
// nil request is one) as a *core.ValidationError, or nil: what
// TerminatePermissionByOpenID checks before sending anything.
func (r *TerminatePermissionByOpenIDRequest) Validate() error {
	if r == nil {
		return validate.NilRequest("partner.TerminatePermissionByOpenID")
	}
	var v validate.V
	shared.ID(&v, "service_id", r.ServiceID)
	shared.ID(&v, "sub_mchid", r.SubMchID)
	shared.ID(&v, "appid", r.AppID)
	shared.OptionalID(&v, "sub_appid", r.SubAppID)
	user(&v, r.OpenID, r.SubOpenID, r.SubAppID, true)
	v.RequiredText("reason", r.Reason, shared.MaxReason)
	return v.Err("partner.TerminatePermissionByOpenID")
}

// TerminatePermissionByOpenID withdraws a user's authorization of a service
// for a sub-merchant. It fails while the user has unfinished orders. The
// OpenID travels in the body. It is not retried.
//
// POST /v3/payscore/partner/permissions/terminate —
// https://pay.weixin.qq.com/docs/partner/apis/partner-weixin-pay-score/partner-service-auth/terminate-partner-permissions-by-open-id.html
func (s *Service) TerminatePermissionByOpenID(ctx context.Context, req *TerminatePermissionByOpenIDRequest) (*TerminatePermissionResponse, error) {
	return core.Call[TerminatePermissionResponse](ctx, s.c, core.Endpoint{
		Op: "partner.TerminatePermissionByOpenID", Method: http.MethodPost, Route: "/v3/payscore/partner/permissions/terminate",
	}, req, shared.Body(req))
}

// TerminatePermissionByAuthorizationCodeRequest withdraws a
// pre-authorization.
type TerminatePermissionByAuthorizationCodeRequest struct {
	// AuthorizationCode is the number given to PreAuthorize (path).
	AuthorizationCode string `json:"-"`
	ServiceID         string `json:"service_id"` // service ID, at most 32 characters
	SubMchID          string `json:"sub_mchid"`  // the sub-merchant, at most 32 characters
	Reason            string `json:"reason"`     // at most 50 characters
}

// Validate reports every broken rule of the request by wire field name (a
// nil request is one) as a *core.ValidationError, or nil: what
// TerminatePermissionByAuthorizationCode checks before sending anything.
func (r *TerminatePermissionByAuthorizationCodeRequest) Validate() error {
	if r == nil {
		return validate.NilRequest("partner.TerminatePermissionByAuthorizationCode")
	}
	var v validate.V
	codeKey(&v, r.AuthorizationCode, r.ServiceID, r.SubMchID)
	v.RequiredText("reason", r.Reason, shared.MaxReason)
	return v.Err("partner.TerminatePermissionByAuthorizationCode")
}

// TerminatePermissionByAuthorizationCode withdraws the authorization
// registered under an authorization agreement number. It fails while the
// user has unfinished orders. It is not retried.
//
// POST /v3/payscore/partner/permissions/authorization-code/{authorization_code}/terminate —
// https://pay.weixin.qq.com/docs/partner/apis/partner-weixin-pay-score/partner-service-auth/terminate-partner-permissions-by-code.html
func (s *Service) TerminatePermissionByAuthorizationCode(ctx context.Context, req *TerminatePermissionByAuthorizationCodeRequest) (*TerminatePermissionResponse, error) {
	return core.Call[TerminatePermissionResponse](ctx, s.c, core.Endpoint{
		Op: "partner.TerminatePermissionByAuthorizationCode", Method: http.MethodPost,
		Route: "/v3/payscore/partner/permissions/authorization-code/{authorization_code}/terminate",
	}, req, func(r *core.Request) error {
		r.Body = req
		return r.SetPathParams(authCodeParam(req.AuthorizationCode))
	})
}

// codeKey checks what names a pre-authorization in the calls by
// authorization code (query and terminate): the authorization_code path
// parameter, service_id and sub_mchid.
func codeKey(v *validate.V, code, serviceID, subMchID string) {
	authorizationCode(v, code)
	shared.ID(v, "service_id", serviceID)
	shared.ID(v, "sub_mchid", subMchID)
}

func authCodeParam(s string) core.PathParam {
	return core.PathParam{Name: "authorization_code", Value: s, Charset: charsetAuthorizationCode}
}
