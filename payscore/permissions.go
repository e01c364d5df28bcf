package payscore

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/internal/validate"
	"github.com/wechatpay-biz/wechatpay-biz-go/payscore/internal/shared"
)

// PreAuthorizeRequest asks for a token to open the authorization page
// (no-confirm mode, 商户预授权).
type PreAuthorizeRequest struct {
	ServiceID string `json:"service_id"` // service ID, at most 32 characters
	AppID     string `json:"appid"`      // AppID bound to the merchant, at most 32 characters
	// AuthorizationCode is the merchant's authorization agreement number:
	// 1-32 digits, letters or _-*, unique per merchant.
	AuthorizationCode string `json:"authorization_code"`
	// NotifyURL receives the PAYSCORE.USER_OPEN_SERVICE and
	// PAYSCORE.USER_CLOSE_SERVICE callbacks; at most 255 characters.
	NotifyURL *string `json:"notify_url,omitempty"`
}

// PreAuthorizeResponse carries the token for AuthorizationPage.
type PreAuthorizeResponse struct {
	core.ResponseMeta `json:"-"`
	// ApplyPermissionsToken opens the authorization page; valid one hour.
	ApplyPermissionsToken string `json:"apply_permissions_token"`
}

// PreAuthorize registers an authorization agreement number and returns the
// token that opens the Pay Score authorization page (see
// AuthorizationPage). The user's decision arrives as a
// PAYSCORE.USER_OPEN_SERVICE callback, or by QueryPermissionByAuthorizationCode.
//
// Errors: *core.ValidationError (nothing sent); *core.APIError with the
// Request-ID, e.g. 400 PARAM_ERROR, 400 INVALID_REQUEST, 403 NO_AUTH, 429
// FREQUENCY_LIMITED, 500 SYSTEM_ERROR; signature errors matching
// core.ErrInvalidSignature; the context's error.
//
// POST /v3/payscore/permissions —
// https://pay.weixin.qq.com/docs/merchant/apis/weixin-pay-score/service-auth/apply-permissions.html
func (s *Service) PreAuthorize(ctx context.Context, req *PreAuthorizeRequest) (*PreAuthorizeResponse, error) {
	// Keyed by authorization_code, so a retry cannot act twice.
	return core.Call[PreAuthorizeResponse](ctx, s.c, core.Endpoint{
		Op: "payscore.PreAuthorize", Method: http.MethodPost, Route: "/v3/payscore/permissions", Idempotent: true,
	}, req, shared.Body(req))
}

// Validate reports every broken rule of the request by wire field name (a
// nil request is one) as a *core.ValidationError, or nil: what PreAuthorize
// checks before sending anything.
func (r *PreAuthorizeRequest) Validate() error {
	const op = "payscore.PreAuthorize"
	if r == nil {
		return validate.NilRequest(op)
	}
	var v validate.V
	shared.ID(&v, "service_id", r.ServiceID)
	shared.ID(&v, "appid", r.AppID)
	authorizationCode(&v, r.AuthorizationCode)
	shared.OptionalNotifyURL(&v, r.NotifyURL)
	return v.Err(op)
}

// Permission is a user's authorization of a service.
type Permission struct {
	ServiceID          string             `json:"service_id"`                   // pay-score service ID
	AppID              string             `json:"appid"`                        // AppID of the latest successful authorization
	MchID              string             `json:"mchid"`                        // merchant of the latest successful authorization
	OpenID             string             `json:"openid,omitempty"`             // the user under AppID
	AuthorizationCode  string             `json:"authorization_code,omitempty"` // pre-authorization only
	AuthorizationState AuthorizationState `json:"authorization_state"`          // UNAVAILABLE, AVAILABLE or UNBINDUSER
	NotifyURL          string             `json:"notify_url,omitempty"`         // authorization callback URL (query by authorization code)
	// CancelAuthorizationTime is the latest withdrawal.
	CancelAuthorizationTime *time.Time `json:"cancel_authorization_time,omitempty"`
	// AuthorizationSuccessTime is the latest successful authorization.
	AuthorizationSuccessTime *time.Time `json:"authorization_success_time,omitempty"`
	// UserRiskLevel is the user's tier, when the server reports it.
	UserRiskLevel *int64 `json:"user_risk_level,omitempty"`
	// RiskLevelVersion is the version of the tiers, with UserRiskLevel.
	RiskLevelVersion *int64 `json:"risk_level_version,omitempty"`
}

// PermissionResponse is returned by the permission queries.
type PermissionResponse struct {
	core.ResponseMeta `json:"-"`
	Permission
}

// QueryPermissionByOpenIDRequest identifies a user's authorization.
type QueryPermissionByOpenIDRequest struct {
	OpenID    string `json:"-"` // path: the user's OpenID under AppID: 1-128 letters, digits, _ and -
	ServiceID string `json:"-"` // query: service ID
	AppID     string `json:"-"` // query: AppID
}

// QueryPermissionByOpenID returns the state of a user's authorization of a
// service. A user who never authorized is UNAVAILABLE.
//
// Errors: *core.ValidationError (nothing sent); *core.APIError with the
// Request-ID, e.g. 400 PARAM_ERROR, 403 NO_AUTH, 429 FREQUENCY_LIMITED, 500
// SYSTEM_ERROR; signature errors matching core.ErrInvalidSignature; the
// context's error. Errors and logs show the route template, never the
// openid.
//
// GET /v3/payscore/permissions/openid/{openid} —
// https://pay.weixin.qq.com/docs/merchant/apis/weixin-pay-score/service-auth/get-permissions-by-open-id.html
func (s *Service) QueryPermissionByOpenID(ctx context.Context, req *QueryPermissionByOpenIDRequest) (*PermissionResponse, error) {
	return core.Call[PermissionResponse](ctx, s.c, core.Endpoint{
		Op: "payscore.QueryPermissionByOpenID", Method: http.MethodGet, Route: "/v3/payscore/permissions/openid/{openid}", Idempotent: true,
	}, req, func(r *core.Request) error { r.Query = req.query(); return r.SetPathParams(openIDParam(req.OpenID)) })
}

// Validate reports every broken rule of the request by wire field name (a
// nil request is one) as a *core.ValidationError, or nil: what
// QueryPermissionByOpenID checks before sending anything.
func (r *QueryPermissionByOpenIDRequest) Validate() error {
	const op = "payscore.QueryPermissionByOpenID"
	if r == nil {
		return validate.NilRequest(op)
	}
	var v validate.V
	openIDKey(&v, r.OpenID, r.ServiceID, r.AppID)
	return v.Err(op)
}

func (r *QueryPermissionByOpenIDRequest) query() url.Values {
	return url.Values{"service_id": {r.ServiceID}, "appid": {r.AppID}}
}

// QueryPermissionByAuthorizationCodeRequest identifies a pre-authorization.
type QueryPermissionByAuthorizationCodeRequest struct {
	AuthorizationCode string `json:"-"` // path: the number given to PreAuthorize (1-32 letters, digits, _-*)
	ServiceID         string `json:"-"` // query: service ID
}

// QueryPermissionByAuthorizationCode returns the state of the authorization
// registered with PreAuthorize: UNBINDUSER until the user authorizes.
//
// Errors: *core.ValidationError (nothing sent); *core.APIError with the
// Request-ID, e.g. 400 PARAM_ERROR, 403 NO_AUTH, 429 FREQUENCY_LIMITED, 500
// SYSTEM_ERROR; signature errors matching core.ErrInvalidSignature; the
// context's error. Errors and logs show the route template, never the
// authorization code.
//
// GET /v3/payscore/permissions/authorization-code/{authorization_code} —
// https://pay.weixin.qq.com/docs/merchant/apis/weixin-pay-score/service-auth/get-permissions-by-code.html
func (s *Service) QueryPermissionByAuthorizationCode(ctx context.Context, req *QueryPermissionByAuthorizationCodeRequest) (*PermissionResponse, error) {
	return core.Call[PermissionResponse](ctx, s.c, core.Endpoint{
		Op: "payscore.QueryPermissionByAuthorizationCode", Method: http.MethodGet, Route: "/v3/payscore/permissions/authorization-code/{authorization_code}", Idempotent: true,
	}, req, func(r *core.Request) error {
		r.Query = req.query()
		return r.SetPathParams(authCodeParam(req.AuthorizationCode))
	})
}

// Validate reports every broken rule of the request by wire field name (a
// nil request is one) as a *core.ValidationError, or nil: what
// QueryPermissionByAuthorizationCode checks before sending anything.
func (r *QueryPermissionByAuthorizationCodeRequest) Validate() error {
	const op = "payscore.QueryPermissionByAuthorizationCode"
	if r == nil {
		return validate.NilRequest(op)
	}
	var v validate.V
	codeKey(&v, r.AuthorizationCode, r.ServiceID)
	return v.Err(op)
}

func (r *QueryPermissionByAuthorizationCodeRequest) query() url.Values {
	return url.Values{"service_id": {r.ServiceID}}
}

// TerminatePermissionByOpenIDRequest withdraws a user's authorization.
type TerminatePermissionByOpenIDRequest struct {
	OpenID    string `json:"-"`          // path: the user's OpenID: 1-128 letters, digits, _ and -
	ServiceID string `json:"service_id"` // service ID
	AppID     string `json:"appid"`      // AppID
	Reason    string `json:"reason"`     // reason, at most 50 characters
}

// TerminatePermissionResponse is the empty (204) answer of the terminate
// calls.
type TerminatePermissionResponse struct {
	core.ResponseMeta `json:"-"`
}

// TerminatePermissionByOpenID withdraws a user's authorization of a
// service. It fails while the user has unfinished orders.
//
// Errors: *core.ValidationError (nothing sent); *core.APIError with the
// Request-ID, e.g. 400 PARAM_ERROR, 400 INVALID_REQUEST, 403 NO_AUTH, 429
// FREQUENCY_LIMITED, 500 SYSTEM_ERROR; signature errors matching
// core.ErrInvalidSignature; the context's error. Errors and logs show the
// route template, never the openid.
//
// POST /v3/payscore/permissions/openid/{openid}/terminate —
// https://pay.weixin.qq.com/docs/merchant/apis/weixin-pay-score/service-auth/terminate-permissions-by-open-id.html
func (s *Service) TerminatePermissionByOpenID(ctx context.Context, req *TerminatePermissionByOpenIDRequest) (*TerminatePermissionResponse, error) {
	return core.Call[TerminatePermissionResponse](ctx, s.c, core.Endpoint{
		Op: "payscore.TerminatePermissionByOpenID", Method: http.MethodPost, Route: "/v3/payscore/permissions/openid/{openid}/terminate",
	}, req, func(r *core.Request) error { r.Body = req; return r.SetPathParams(openIDParam(req.OpenID)) })
}

// Validate reports every broken rule of the request by wire field name (a
// nil request is one) as a *core.ValidationError, or nil: what
// TerminatePermissionByOpenID checks before sending anything.
func (r *TerminatePermissionByOpenIDRequest) Validate() error {
	const op = "payscore.TerminatePermissionByOpenID"
	if r == nil {
		return validate.NilRequest(op)
	}
	var v validate.V
	openIDKey(&v, r.OpenID, r.ServiceID, r.AppID)
	v.RequiredText("reason", r.Reason, shared.MaxReason)
	return v.Err(op)
}

// TerminatePermissionByAuthorizationCodeRequest withdraws a
// pre-authorization.
type TerminatePermissionByAuthorizationCodeRequest struct {
	AuthorizationCode string `json:"-"`          // path: the number given to PreAuthorize (1-32 letters, digits, _-*)
	ServiceID         string `json:"service_id"` // service ID
	Reason            string `json:"reason"`     // reason, at most 50 characters
}

// TerminatePermissionByAuthorizationCode withdraws the authorization
// registered under an authorization agreement number. It fails while the
// user has unfinished orders.
//
// Errors: *core.ValidationError (nothing sent); *core.APIError with the
// Request-ID, e.g. 400 PARAM_ERROR, 400 INVALID_REQUEST, 403 NO_AUTH, 429
// FREQUENCY_LIMITED, 500 SYSTEM_ERROR; signature errors matching
// core.ErrInvalidSignature; the context's error. Errors and logs show the
// route template, never the authorization code.
//
// POST /v3/payscore/permissions/authorization-code/{authorization_code}/terminate —
// https://pay.weixin.qq.com/docs/merchant/apis/weixin-pay-score/service-auth/terminate-permissions-by-code.html
func (s *Service) TerminatePermissionByAuthorizationCode(ctx context.Context, req *TerminatePermissionByAuthorizationCodeRequest) (*TerminatePermissionResponse, error) {
	return core.Call[TerminatePermissionResponse](ctx, s.c, core.Endpoint{
		Op: "payscore.TerminatePermissionByAuthorizationCode", Method: http.MethodPost, Route: "/v3/payscore/permissions/authorization-code/{authorization_code}/terminate",
	}, req, func(r *core.Request) error {
		r.Body = req
		return r.SetPathParams(authCodeParam(req.AuthorizationCode))
	})
}

// Validate reports every broken rule of the request by wire field name (a
// nil request is one) as a *core.ValidationError, or nil: what
// TerminatePermissionByAuthorizationCode checks before sending anything.
func (r *TerminatePermissionByAuthorizationCodeRequest) Validate() error {
	const op = "payscore.TerminatePermissionByAuthorizationCode"
	if r == nil {
		return validate.NilRequest(op)
	}
	var v validate.V
	codeKey(&v, r.AuthorizationCode, r.ServiceID)
	v.RequiredText("reason", r.Reason, shared.MaxReason)
	return v.Err(op)
}

// openIDKey checks what names a user's authorization in the calls by
// OpenID (query and terminate): the openid path parameter, service_id and
// appid.
func openIDKey(v *validate.V, openID, serviceID, appID string) {
	pathOpenID(v, openID)
	shared.ID(v, "service_id", serviceID)
	shared.ID(v, "appid", appID)
}

// codeKey checks what names a pre-authorization in the calls by
// authorization code (query and terminate): the authorization_code path
// parameter and service_id.
func codeKey(v *validate.V, code, serviceID string) {
	authorizationCode(v, code)
	shared.ID(v, "service_id", serviceID)
}
