package businesscircle

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/internal/validate"
)

// Service calls the business circle APIs. It is safe for concurrent use.
type Service struct{ c *core.Client }

// NewService returns a Service that calls the API through c. It panics when
// c is nil: build the client with core.NewClient first.
func NewService(c *core.Client) *Service {
	return &Service{c: validate.Client("businesscircle.NewService", c)}
}

// shanghai is the zone WeChat Pay formats its times in (+08:00).
var shanghai = time.FixedZone("CST", 8*3600)

// formatTime formats t as RFC 3339 in +08:00 with the precision WeChat Pay
// documents: seconds, and milliseconds when t has a fraction of a second
// (2020-05-20T13:29:35.120+08:00, the documented example; anything finer
// is cut, not rounded). Both fit the documented 32 characters.
func formatTime(t time.Time) string {
	t = t.In(shanghai)
	if t.Nanosecond() < int(time.Millisecond) {
		return t.Format(time.RFC3339)
	}
	return t.Format("2006-01-02T15:04:05.000Z07:00")
}

// AuthorizeState is a member's points-service authorization state.
type AuthorizeState string

// Authorization states.
const (
	AuthorizeStateUnauthorized AuthorizeState = "UNAUTHORIZED" // never authorized
	AuthorizeStateAuthorized   AuthorizeState = "AUTHORIZED"   // authorized
	AuthorizeStateDeauthorized AuthorizeState = "DEAUTHORIZED" // authorization withdrawn
)

// Values lists the known authorization states. The server may add more;
// they decode as is.
func (AuthorizeState) Values() []AuthorizeState {
	return []AuthorizeState{AuthorizeStateUnauthorized, AuthorizeStateAuthorized, AuthorizeStateDeauthorized}
}

// PointsCommitStatus tells whether a member has purchases today that still
// wait for the member to submit them for points in the plugin.
type PointsCommitStatus string

// Points commit statuses.
const (
	PointsCommitStatusPending  PointsCommitStatus = "PENDING"  // purchases wait to be submitted
	PointsCommitStatusFinished PointsCommitStatus = "FINISHED" // nothing waits
)

// Values lists the known points commit statuses.
func (PointsCommitStatus) Values() []PointsCommitStatus {
	return []PointsCommitStatus{PointsCommitStatusPending, PointsCommitStatusFinished}
}

// ParkingState is a member's car parking state.
type ParkingState string

// Parking states.
const (
	ParkingStateIn  ParkingState = "IN"  // the car entered the mall
	ParkingStateOut ParkingState = "OUT" // the car left the mall
)

// Values lists the known parking states.
func (ParkingState) Values() []ParkingState { return []ParkingState{ParkingStateIn, ParkingStateOut} }

// SyncPointsRequest reports the points a mall transaction earned.
type SyncPointsRequest struct {
	// SubMchID is the mall's merchant ID, in service-provider mode only.
	// At most 64 characters.
	SubMchID *string `json:"sub_mchid,omitempty"`
	// TransactionID is the WeChat Pay order number from the
	// MALL_TRANSACTION.SUCCESS notification. Required, at most 64 characters.
	TransactionID string `json:"transaction_id"`
	// AppID is the mini-program AppID the member authorized with. Required,
	// at most 128 characters.
	AppID string `json:"appid"`
	// OpenID is the member's OpenID under AppID. Required, at most 64
	// characters.
	OpenID string `json:"openid"`
	// EarnPoints tells whether the transaction earned points. It is always
	// sent, false included.
	EarnPoints bool `json:"earn_points"`
	// IncreasedPoints is the number of points the transaction added; always
	// sent, 0 included. Must be 0 when EarnPoints is false.
	IncreasedPoints int64 `json:"increased_points"`
	// PointsUpdateTime is when the points were credited. Required; sent as
	// RFC 3339 in +08:00, with milliseconds when it has them (e.g.
	// 2020-05-20T13:29:35.120+08:00), else with seconds.
	PointsUpdateTime time.Time `json:"points_update_time"`
	// NoPointsRemarks says why no points were earned. At most 128
	// characters.
	NoPointsRemarks *string `json:"no_points_remarks,omitempty"`
	// TotalPoints is the member's point balance after this update.
	TotalPoints *int64 `json:"total_points,omitempty"`
}

// MarshalJSON encodes the request as sent on the wire.
func (r SyncPointsRequest) MarshalJSON() ([]byte, error) {
	type plain SyncPointsRequest
	return json.Marshal(struct {
		plain
		PointsUpdateTime string `json:"points_update_time"`
	}{plain(r), formatTime(r.PointsUpdateTime)})
}

// SyncPointsResponse is the answer to SyncPoints (204, no body).
type SyncPointsResponse struct {
	core.ResponseMeta `json:"-"`
}

// SyncPoints tells WeChat Pay whether a mall transaction, received through a
// MALL_TRANSACTION.SUCCESS notification, earned points. Only transactions
// synced this way are followed by MALL_REFUND.SUCCESS notifications, so sync
// every transaction, also those that earn nothing. Syncing the same
// transaction again is safe, so the call is retried on transient failures.
//
// Errors: *core.ValidationError (nothing sent); *core.APIError with the
// Request-ID, e.g. 400 PARAM_ERROR, 400 INVALID_REQUEST, 403 NO_AUTH, 500
// SYSTEM_ERROR; signature errors matching core.ErrInvalidSignature; the
// context's error.
//
// POST /v3/businesscircle/points/notify
//
// https://pay.weixin.qq.com/docs/merchant/apis/smart-business-circle/points/notify-points.html
func (s *Service) SyncPoints(ctx context.Context, req *SyncPointsRequest) (*SyncPointsResponse, error) {
	return core.Call[SyncPointsResponse](ctx, s.c, core.Endpoint{
		Op: "businesscircle.SyncPoints", Method: http.MethodPost, Route: "/v3/businesscircle/points/notify",
		Idempotent: true, // keyed by transaction_id: a repeat sets the same points
	}, req, func(r *core.Request) error { r.Body = req; return nil })
}

// Validate reports every broken rule of the request by wire field name
// (a nil request is one) as a *core.ValidationError, or nil: what
// SyncPoints checks before sending anything.
func (r *SyncPointsRequest) Validate() error {
	if r == nil {
		return validate.NilRequest("businesscircle.SyncPoints")
	}
	var v validate.V
	optionalID(&v, "sub_mchid", r.SubMchID, 64)
	v.RequiredText("transaction_id", r.TransactionID, 64)
	v.RequiredText("appid", r.AppID, 128)
	v.RequiredText("openid", r.OpenID, 64)
	v.Check(r.IncreasedPoints >= 0, "increased_points", "must not be negative")
	v.Check(r.EarnPoints || r.IncreasedPoints == 0, "increased_points", "must be 0 when earn_points is false")
	v.Check(!r.PointsUpdateTime.IsZero(), "points_update_time", "is required")
	v.OptionalText("no_points_remarks", r.NoPointsRemarks, 128)
	if r.TotalPoints != nil {
		v.Check(*r.TotalPoints >= 0, "total_points", "must not be negative")
	}
	return v.Err("businesscircle.SyncPoints")
}

// QueryUserAuthorizationRequest asks for a member's points-service
// authorization state.
type QueryUserAuthorizationRequest struct {
	// OpenID is the member's OpenID under AppID (path). Required, at most 64
	// characters.
	OpenID string `json:"-"`
	// AppID is the mini-program AppID (query). Required, at most 128
	// characters.
	AppID string `json:"-"`
	// SubMchID is the mall's merchant ID (query), in service-provider mode
	// only. At most 64 characters.
	SubMchID *string `json:"-"`
}

// QueryUserAuthorizationResponse is a member's authorization state.
type QueryUserAuthorizationResponse struct {
	core.ResponseMeta `json:"-"`
	// OpenID is openid, the member's OpenID under the queried AppID (at
	// most 64 characters). Personal data: the response prints it masked.
	OpenID string `json:"openid"`
	// AuthorizeState is authorize_state: UNAUTHORIZED (never authorized),
	// AUTHORIZED, or DEAUTHORIZED (authorization withdrawn). Values newer
	// than this SDK decode as they are.
	AuthorizeState AuthorizeState `json:"authorize_state"`
	// AuthorizeTime is authorize_time, when the member authorized (RFC
	// 3339, +08:00); nil if never.
	AuthorizeTime *time.Time `json:"authorize_time,omitempty"`
	// DeauthorizeTime is deauthorize_time, when the member withdrew
	// authorization (RFC 3339, +08:00); nil unless withdrawn.
	DeauthorizeTime *time.Time `json:"deauthorize_time,omitempty"`
}

// QueryUserAuthorization returns whether a member has authorized the mall's
// points service (UNAUTHORIZED, AUTHORIZED or DEAUTHORIZED) and when.
// WeChat Pay allows it 150 queries per second; it is retried on transient
// failures.
//
// Errors: *core.ValidationError (nothing sent); *core.APIError with the
// Request-ID, e.g. 400 PARAM_ERROR, 400 INVALID_REQUEST, 403 NO_AUTH, 429 when
// rate limited, 500
// SYSTEM_ERROR; signature errors matching core.ErrInvalidSignature; the
// context's error. Errors and logs show the route
// template, never the OpenID.
//
// GET /v3/businesscircle/user-authorizations/{openid}
//
// https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter8_6_4.shtml
func (s *Service) QueryUserAuthorization(ctx context.Context, req *QueryUserAuthorizationRequest) (*QueryUserAuthorizationResponse, error) {
	return core.Call[QueryUserAuthorizationResponse](ctx, s.c, core.Endpoint{
		Op: "businesscircle.QueryUserAuthorization", Method: http.MethodGet, Route: "/v3/businesscircle/user-authorizations/{openid}", Idempotent: true,
	}, req, func(r *core.Request) error {
		r.Query = query(req.SubMchID, "appid", req.AppID)
		return r.SetPathParams(openIDParam(req.OpenID))
	})
}

// Validate reports every broken rule of the request by wire field name
// (a nil request is one) as a *core.ValidationError, or nil: what
// QueryUserAuthorization checks before sending anything.
func (r *QueryUserAuthorizationRequest) Validate() error {
	if r == nil {
		return validate.NilRequest("businesscircle.QueryUserAuthorization")
	}
	var v validate.V
	openID(&v, r.OpenID, 64)
	v.RequiredText("appid", r.AppID, 128)
	optionalID(&v, "sub_mchid", r.SubMchID, 64)
	return v.Err("businesscircle.QueryUserAuthorization")
}

// QueryPointsCommitStatusRequest asks whether a member has purchases today
// that wait to be submitted for points.
type QueryPointsCommitStatusRequest struct {
	// OpenID is the member's OpenID under AppID (path). Required, at most
	// 128 characters.
	OpenID string `json:"-"`
	// BrandID is the brand ID (query brandid); the caller must be the
	// brand's main merchant or its service provider. Required, positive.
	BrandID int64 `json:"-"`
	// AppID is an AppID bound to the brand (query). Required, at most 128
	// characters.
	AppID string `json:"-"`
	// SubMchID is the sub-merchant ID (query), required in service-provider
	// mode. At most 32 characters.
	SubMchID *string `json:"-"`
}

// QueryPointsCommitStatusResponse is a member's pending-points status.
type QueryPointsCommitStatusResponse struct {
	core.ResponseMeta `json:"-"`
	// PointsCommitStatus is PENDING when purchases wait for the member to
	// submit them in the plugin, FINISHED when none do. It is empty when
	// the server answered 204 with no body, as some documentation versions
	// describe; check Known.
	PointsCommitStatus PointsCommitStatus `json:"points_commit_status,omitempty"`
}

// Known reports whether the server told the status (a 200 with a body);
// false after a 204 with no body.
func (r *QueryPointsCommitStatusResponse) Known() bool { return r.PointsCommitStatus != "" }

// Pending reports whether the member has purchases waiting to be submitted.
func (r *QueryPointsCommitStatusResponse) Pending() bool {
	return r.PointsCommitStatus == PointsCommitStatusPending
}

// QueryPointsCommitStatus tells whether an authorized member has purchases
// in the mall today that still wait for the member to submit them in the
// "商圈会员快速积分" plugin, so the mall can lead the member there. Both a
// 200 carrying points_commit_status and a 204 with no body are success;
// it is retried on transient failures.
//
// Errors: *core.ValidationError (nothing sent); *core.APIError with the
// Request-ID, e.g. 400 PARAM_ERROR, 400 INVALID_REQUEST, 403 NO_AUTH, 500
// SYSTEM_ERROR; signature errors matching core.ErrInvalidSignature; the
// context's error. Errors and logs show the route
// template, never the OpenID.
//
// GET /v3/businesscircle/users/{openid}/points/commit_status
//
// https://pay.weixin.qq.com/docs/merchant/apis/smart-business-circle/points/get-points-commit-status.html
func (s *Service) QueryPointsCommitStatus(ctx context.Context, req *QueryPointsCommitStatusRequest) (*QueryPointsCommitStatusResponse, error) {
	return core.Call[QueryPointsCommitStatusResponse](ctx, s.c, core.Endpoint{
		Op: "businesscircle.QueryPointsCommitStatus", Method: http.MethodGet, Route: "/v3/businesscircle/users/{openid}/points/commit_status", Idempotent: true,
	}, req, func(r *core.Request) error {
		r.Query = query(req.SubMchID, "brandid", strconv.FormatInt(req.BrandID, 10), "appid", req.AppID)
		return r.SetPathParams(openIDParam(req.OpenID))
	})
}

// Validate reports every broken rule of the request by wire field name
// (a nil request is one) as a *core.ValidationError, or nil: what
// QueryPointsCommitStatus checks before sending anything.
func (r *QueryPointsCommitStatusRequest) Validate() error {
	if r == nil {
		return validate.NilRequest("businesscircle.QueryPointsCommitStatus")
	}
	var v validate.V
	openID(&v, r.OpenID, 128)
	v.Check(r.BrandID > 0, "brandid", "is required (a positive brand ID)")
	v.RequiredText("appid", r.AppID, 128)
	optionalID(&v, "sub_mchid", r.SubMchID, 32)
	return v.Err("businesscircle.QueryPointsCommitStatus")
}

// SyncParkingRequest reports a member's car entering or leaving the mall.
type SyncParkingRequest struct {
	// SubMchID is the sub-merchant ID, required in service-provider mode.
	// At most 32 characters.
	SubMchID *string `json:"sub_mchid,omitempty"`
	// BrandID is the brand ID. Required, positive.
	BrandID int64 `json:"brandid"`
	// AppID is an AppID bound to the brand. Required, at most 32 characters.
	AppID string `json:"appid"`
	// OpenID is the member's OpenID under AppID. Required, at most 64
	// characters.
	OpenID string `json:"openid"`
	// PlateNumber is the car's plate: a Chinese province abbreviation, then
	// upper-case letters, digits or Chinese characters. Required, at most
	// 32 characters.
	PlateNumber string `json:"plate_number"`
	// State is IN (the car entered) or OUT (the car left). Required.
	State ParkingState `json:"state"`
	// Time is when the state changed. Required; sent as RFC 3339 in +08:00,
	// with milliseconds when it has them, else with seconds.
	Time time.Time `json:"time"`
}

// MarshalJSON encodes the request as sent on the wire.
func (r SyncParkingRequest) MarshalJSON() ([]byte, error) {
	type plain SyncParkingRequest
	return json.Marshal(struct {
		plain
		Time string `json:"time"`
	}{plain(r), formatTime(r.Time)})
}

// SyncParkingResponse is the answer to SyncParking (204, no body).
type SyncParkingResponse struct {
	core.ResponseMeta `json:"-"`
}

// SyncParking tells WeChat Pay that a member's car entered or left the mall,
// which lets purchases in the mall's stores earn points automatically. The
// report carries no business number of the merchant's that would make a
// repeat harmless, so it is never retried automatically: on a transient
// error (5xx) check and report again.
//
// Errors: *core.ValidationError (nothing sent); *core.APIError with the
// Request-ID, e.g. 400 PARAM_ERROR, 400 INVALID_REQUEST, 403 NO_AUTH, 500
// SYSTEM_ERROR; signature errors matching core.ErrInvalidSignature; the
// context's error.
//
// POST /v3/businesscircle/parkings
//
// https://pay.weixin.qq.com/docs/merchant/apis/smart-business-circle/parkings/update-parkings.html
func (s *Service) SyncParking(ctx context.Context, req *SyncParkingRequest) (*SyncParkingResponse, error) {
	// Not Idempotent: no business key, so a blind retry could report the
	// car's arrival twice.
	return core.Call[SyncParkingResponse](ctx, s.c, core.Endpoint{
		Op: "businesscircle.SyncParking", Method: http.MethodPost, Route: "/v3/businesscircle/parkings",
	}, req, func(r *core.Request) error { r.Body = req; return nil })
}

// Validate reports every broken rule of the request by wire field name
// (a nil request is one) as a *core.ValidationError, or nil: what
// SyncParking checks before sending anything.
func (r *SyncParkingRequest) Validate() error {
	if r == nil {
		return validate.NilRequest("businesscircle.SyncParking")
	}
	var v validate.V
	optionalID(&v, "sub_mchid", r.SubMchID, 32)
	v.Check(r.BrandID > 0, "brandid", "is required (a positive brand ID)")
	v.RequiredText("appid", r.AppID, 32)
	v.RequiredText("openid", r.OpenID, 64)
	if v.Required("plate_number", r.PlateNumber) {
		v.MaxChars("plate_number", r.PlateNumber, 32)
		v.Check(ValidPlateNumber(r.PlateNumber), "plate_number",
			"must start with a Chinese province abbreviation followed by upper-case letters, digits or Chinese characters")
	}
	if v.Required("state", string(r.State)) {
		validate.OneOf(&v, "state", r.State, r.State.Values())
	}
	v.Check(!r.Time.IsZero(), "time", "is required")
	return v.Err("businesscircle.SyncParking")
}

var plateTail = regexp.MustCompile(`^[A-Z0-9\p{Han}]+$`)

// ValidPlateNumber reports whether p has the documented plate form: a
// Chinese character (the province abbreviation) followed by at least one
// upper-case letter, digit or Chinese character.
func ValidPlateNumber(p string) bool {
	r, n := utf8.DecodeRuneInString(p)
	return unicode.Is(unicode.Han, r) && plateTail.MatchString(p[n:])
}

// optionalID checks an optional identifier: when set it must be non-empty
// text of at most max characters.
func optionalID(v *validate.V, field string, s *string, max int) {
	if s == nil {
		return
	}
	if v.Check(*s != "", field, "must not be empty when set") {
		v.OptionalText(field, s, max)
	}
}

// openID checks an OpenID path parameter: set, at most max characters,
// letters, digits, '_' and '-' only (core.CharsetOpenID).
func openID(v *validate.V, s string, max int) {
	if v.Required("openid", s) {
		v.MaxChars("openid", s, max)
		v.PathParam("openid", s, core.CharsetOpenID)
	}
}

func openIDParam(s string) core.PathParam {
	return core.PathParam{Name: "openid", Value: s, Charset: core.CharsetOpenID}
}

// query is a query string of key, value pairs, plus sub_mchid when set.
func query(subMchID *string, kv ...string) url.Values {
	q := make(url.Values, len(kv)/2+1)
	for i := 0; i+1 < len(kv); i += 2 {
		q.Set(kv[i], kv[i+1])
	}
	if subMchID != nil {
		q.Set("sub_mchid", *subMchID)
	}
	return q
}
