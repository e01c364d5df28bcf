package goldplan

import (
	"context"
	"net/http"
	"regexp"
	"strconv"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/internal/validate"
)

// MaxIndustryFilters is the most advertising industry filters a
// sub-merchant can have.
const MaxIndustryFilters = 3

const maxSubMchID = 32

// enumRE is the shape of an API enum value; values newer than this SDK are
// let through if they have it.
var enumRE = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)

// Service calls the gold plan (点金计划) APIs. They are for service providers
// and channel merchants acting for their sub-merchants. None is retried:
// WeChat Pay does not document them as idempotent. Service is safe for
// concurrent use.
//
// Every method validates its request first (nothing is sent when Validate
// fails) and goes through core.Call, which signs the request and verifies
// the answer. WeChat Pay's errors come back as *core.APIError; the
// gold-plan codes are 400 INVALID_REQUEST (the caller is not an ordinary
// service provider or channel merchant, the provider or the sub-merchant
// has not opened the gold plan, the sub-merchant is not the provider's or
// is punished, the custom receipt URL is not configured, rate limited), 400
// MCH_NOT_EXISTS, 400 PARAM_ERROR and 500 SYSTEM_ERROR.
type Service struct{ c *core.Client }

// NewService returns a Service that calls the API through c. It panics when
// c is nil: build the client with core.NewClient first.
func NewService(c *core.Client) *Service {
	return &Service{c: validate.Client("goldplan.NewService", c)}
}

// ChangeGoldPlanStatusRequest opens or closes the gold plan of a
// sub-merchant.
type ChangeGoldPlanStatusRequest struct {
	// SubMchID is sub_mchid, the sub-merchant (特约商户号). Required, at most
	// 32 characters.
	SubMchID string `json:"sub_mchid"`
	// OperationType is operation_type: OperationTypeOpen (OPEN) or
	// OperationTypeClose (CLOSE). Required.
	OperationType OperationType `json:"operation_type"`
	// OperationPayScene is operation_pay_scene, the payment scene to open
	// the gold plan page for: JSAPI_AND_MINIPROGRAM, JSAPI or MINIPROGRAM
	// (PayScene). When nil it is not sent and WeChat Pay applies its
	// default (JSAPI per the current documentation; older descriptions say
	// every scene).
	OperationPayScene *PayScene `json:"operation_pay_scene,omitempty"`
}

// Validate reports every broken rule of the request by wire field name
// (a nil request is one) as a *core.ValidationError, or nil: what
// ChangeGoldPlanStatus checks before sending anything.
func (r *ChangeGoldPlanStatusRequest) Validate() error {
	if r == nil {
		return validate.NilRequest("goldplan.ChangeGoldPlanStatus")
	}
	var v validate.V
	subMchID(&v, r.SubMchID)
	operationType(&v, r.OperationType)
	if r.OperationPayScene != nil {
		enumValue(&v, "operation_pay_scene", string(*r.OperationPayScene))
	}
	return v.Err("goldplan.ChangeGoldPlanStatus")
}

// ChangeGoldPlanStatusResponse is the answer to ChangeGoldPlanStatus.
type ChangeGoldPlanStatusResponse struct {
	core.ResponseMeta `json:"-"`
	// SubMchID is sub_mchid, the sub-merchant (特约商户号) whose gold plan
	// was opened or closed, as echoed by WeChat Pay; at most 32 characters.
	SubMchID string `json:"sub_mchid"`
}

// ChangeGoldPlanStatus opens or closes the gold plan for a sub-merchant:
// once open, the sub-merchant's payers see the gold plan page after paying
// (within about five minutes). After closing, the gold plan can be reopened
// only 24 hours later.
//
// Errors: *core.ValidationError (nothing sent); *core.APIError with the
// Request-ID and one of the gold-plan codes listed on Service; signature
// errors matching core.ErrInvalidSignature; the context's error.
//
// POST /v3/goldplan/merchants/changegoldplanstatus
// https://pay.weixin.qq.com/wiki/doc/apiv3_partner/apis/chapter8_5_1.shtml
func (s *Service) ChangeGoldPlanStatus(ctx context.Context, req *ChangeGoldPlanStatusRequest) (*ChangeGoldPlanStatusResponse, error) {
	return core.Call[ChangeGoldPlanStatusResponse](ctx, s.c, core.Endpoint{
		Op: "goldplan.ChangeGoldPlanStatus", Method: http.MethodPost, Route: "/v3/goldplan/merchants/changegoldplanstatus",
	}, req, func(r *core.Request) error { r.Body = req; return nil })
}

// ChangeCustomPageStatusRequest opens or closes a sub-merchant's custom
// receipt page.
type ChangeCustomPageStatusRequest struct {
	// SubMchID is sub_mchid, the sub-merchant (特约商户号). Required, at most
	// 32 characters.
	SubMchID string `json:"sub_mchid"`
	// OperationType is operation_type: OperationTypeOpen (OPEN) or
	// OperationTypeClose (CLOSE). Required.
	OperationType OperationType `json:"operation_type"`
}

// Validate reports every broken rule of the request by wire field name
// (a nil request is one) as a *core.ValidationError, or nil: what
// ChangeCustomPageStatus checks before sending anything.
func (r *ChangeCustomPageStatusRequest) Validate() error {
	if r == nil {
		return validate.NilRequest("goldplan.ChangeCustomPageStatus")
	}
	var v validate.V
	subMchID(&v, r.SubMchID)
	operationType(&v, r.OperationType)
	return v.Err("goldplan.ChangeCustomPageStatus")
}

// ChangeCustomPageStatusResponse is the answer to ChangeCustomPageStatus.
type ChangeCustomPageStatusResponse struct {
	core.ResponseMeta `json:"-"`
	// SubMchID is sub_mchid, the sub-merchant (特约商户号) whose custom
	// receipt page was opened or closed, as echoed by WeChat Pay; at most 32
	// characters.
	SubMchID string `json:"sub_mchid"`
	// OperationType is operation_type, OPEN or CLOSE, echoed when the server
	// includes it (the API description declares it; the documented example
	// omits it); empty otherwise.
	OperationType OperationType `json:"operation_type,omitempty"`
}

// ChangeCustomPageStatus opens or closes the merchant's custom receipt
// (商家小票) embedded in the gold plan page of a sub-merchant. The receipt
// URL must be configured in the service-provider platform first, and the
// receipt is only shown while the sub-merchant's gold plan is open.
//
// Errors: *core.ValidationError (nothing sent); *core.APIError with the
// Request-ID and one of the gold-plan codes listed on Service (400
// INVALID_REQUEST also when no receipt URL is configured); signature
// errors matching core.ErrInvalidSignature; the context's error.
//
// POST /v3/goldplan/merchants/changecustompagestatus
// https://pay.weixin.qq.com/wiki/doc/apiv3_partner/apis/chapter8_5_2.shtml
func (s *Service) ChangeCustomPageStatus(ctx context.Context, req *ChangeCustomPageStatusRequest) (*ChangeCustomPageStatusResponse, error) {
	return core.Call[ChangeCustomPageStatusResponse](ctx, s.c, core.Endpoint{
		Op: "goldplan.ChangeCustomPageStatus", Method: http.MethodPost, Route: "/v3/goldplan/merchants/changecustompagestatus",
	}, req, func(r *core.Request) error { r.Body = req; return nil })
}

// SetAdvertisingIndustryFilterRequest sets a sub-merchant's advertising
// industry filters.
type SetAdvertisingIndustryFilterRequest struct {
	// SubMchID is sub_mchid, the sub-merchant (特约商户号). Required, at most
	// 32 characters.
	SubMchID string `json:"sub_mchid"`
	// AdvertisingIndustryFilters are 1 to 3 distinct industries whose
	// adverts are not shown. They replace the current filters.
	AdvertisingIndustryFilters []IndustryFilter `json:"advertising_industry_filters"`
}

// Validate reports every broken rule of the request by wire field name
// (a nil request is one) as a *core.ValidationError, or nil: what
// SetAdvertisingIndustryFilter checks before sending anything.
func (r *SetAdvertisingIndustryFilterRequest) Validate() error {
	if r == nil {
		return validate.NilRequest("goldplan.SetAdvertisingIndustryFilter")
	}
	var v validate.V
	subMchID(&v, r.SubMchID)
	if v.Check(len(r.AdvertisingIndustryFilters) > 0, "advertising_industry_filters", "is required (1 to 3 industries)") {
		filters(&v, r.AdvertisingIndustryFilters)
	}
	return v.Err("goldplan.SetAdvertisingIndustryFilter")
}

// SetAdvertisingIndustryFilterResponse is the answer to
// SetAdvertisingIndustryFilter (204 No Content).
type SetAdvertisingIndustryFilterResponse struct {
	core.ResponseMeta `json:"-"`
}

// SetAdvertisingIndustryFilter sets the industries whose adverts are not
// shown on a sub-merchant's gold plan page (so that a competitor's advert
// does not follow the payment), replacing the filters set before. Filters
// can only be cleared in the service-provider platform.
//
// Errors: *core.ValidationError (nothing sent); *core.APIError with the
// Request-ID and one of the gold-plan codes listed on Service; signature
// errors matching core.ErrInvalidSignature; the context's error.
//
// POST /v3/goldplan/merchants/set-advertising-industry-filter
// https://pay.weixin.qq.com/wiki/doc/apiv3_partner/apis/chapter8_5_3.shtml
func (s *Service) SetAdvertisingIndustryFilter(ctx context.Context, req *SetAdvertisingIndustryFilterRequest) (*SetAdvertisingIndustryFilterResponse, error) {
	return core.Call[SetAdvertisingIndustryFilterResponse](ctx, s.c, core.Endpoint{
		Op: "goldplan.SetAdvertisingIndustryFilter", Method: http.MethodPost, Route: "/v3/goldplan/merchants/set-advertising-industry-filter",
	}, req, func(r *core.Request) error { r.Body = req; return nil })
}

// OpenAdvertisingShowRequest turns on adverts for a sub-merchant.
type OpenAdvertisingShowRequest struct {
	// SubMchID is sub_mchid, the sub-merchant (特约商户号). Required, at most
	// 32 characters.
	SubMchID string `json:"sub_mchid"`
	// AdvertisingIndustryFilters, when given, are up to 3 distinct
	// industries whose adverts are not shown; they replace the current
	// filters. Leave empty to keep the current filters.
	AdvertisingIndustryFilters []IndustryFilter `json:"advertising_industry_filters,omitempty"`
}

// Validate reports every broken rule of the request by wire field name
// (a nil request is one) as a *core.ValidationError, or nil: what
// OpenAdvertisingShow checks before sending anything.
func (r *OpenAdvertisingShowRequest) Validate() error {
	if r == nil {
		return validate.NilRequest("goldplan.OpenAdvertisingShow")
	}
	var v validate.V
	subMchID(&v, r.SubMchID)
	filters(&v, r.AdvertisingIndustryFilters)
	return v.Err("goldplan.OpenAdvertisingShow")
}

// OpenAdvertisingShowResponse is the answer to OpenAdvertisingShow (204 No
// Content).
type OpenAdvertisingShowResponse struct {
	core.ResponseMeta `json:"-"`
}

// OpenAdvertisingShow turns on adverts on a sub-merchant's gold plan page,
// optionally setting its industry filters at the same time.
//
// Errors: *core.ValidationError (nothing sent); *core.APIError with the
// Request-ID and one of the gold-plan codes listed on Service; signature
// errors matching core.ErrInvalidSignature; the context's error.
//
// PATCH /v3/goldplan/merchants/open-advertising-show
// https://pay.weixin.qq.com/wiki/doc/apiv3_partner/apis/chapter8_5_4.shtml
func (s *Service) OpenAdvertisingShow(ctx context.Context, req *OpenAdvertisingShowRequest) (*OpenAdvertisingShowResponse, error) {
	return core.Call[OpenAdvertisingShowResponse](ctx, s.c, core.Endpoint{
		Op: "goldplan.OpenAdvertisingShow", Method: http.MethodPatch, Route: "/v3/goldplan/merchants/open-advertising-show",
	}, req, func(r *core.Request) error { r.Body = req; return nil })
}

// CloseAdvertisingShowRequest turns off adverts for a sub-merchant.
type CloseAdvertisingShowRequest struct {
	// SubMchID is sub_mchid, the sub-merchant (特约商户号). Required, at most
	// 32 characters.
	SubMchID string `json:"sub_mchid"`
}

// Validate reports every broken rule of the request by wire field name
// (a nil request is one) as a *core.ValidationError, or nil: what
// CloseAdvertisingShow checks before sending anything.
func (r *CloseAdvertisingShowRequest) Validate() error {
	if r == nil {
		return validate.NilRequest("goldplan.CloseAdvertisingShow")
	}
	var v validate.V
	subMchID(&v, r.SubMchID)
	return v.Err("goldplan.CloseAdvertisingShow")
}

// CloseAdvertisingShowResponse is the answer to CloseAdvertisingShow (204 No
// Content).
type CloseAdvertisingShowResponse struct {
	core.ResponseMeta `json:"-"`
}

// CloseAdvertisingShow turns off adverts on a sub-merchant's gold plan page.
// Note the method: POST, although opening is a PATCH.
//
// Errors: *core.ValidationError (nothing sent); *core.APIError with the
// Request-ID and one of the gold-plan codes listed on Service; signature
// errors matching core.ErrInvalidSignature; the context's error.
//
// POST /v3/goldplan/merchants/close-advertising-show
// https://pay.weixin.qq.com/wiki/doc/apiv3_partner/apis/chapter8_5_5.shtml
func (s *Service) CloseAdvertisingShow(ctx context.Context, req *CloseAdvertisingShowRequest) (*CloseAdvertisingShowResponse, error) {
	return core.Call[CloseAdvertisingShowResponse](ctx, s.c, core.Endpoint{
		Op: "goldplan.CloseAdvertisingShow", Method: http.MethodPost, Route: "/v3/goldplan/merchants/close-advertising-show",
	}, req, func(r *core.Request) error { r.Body = req; return nil })
}

func subMchID(v *validate.V, s string) {
	v.RequiredText("sub_mchid", s, maxSubMchID)
}

func operationType(v *validate.V, t OperationType) {
	if v.Required("operation_type", string(t)) {
		validate.OneOf(v, "operation_type", t, t.Values())
	}
}

func enumValue(v *validate.V, field, s string) {
	if v.Required(field, s) {
		v.Pattern(field, s, enumRE, "an upper-case API enum value")
	}
}

// filters checks 0 to MaxIndustryFilters distinct, well-formed industries.
// A repeated industry breaks a rule of the list, so it is reported on the
// list, and on each repeating item to say which. Item names (…[i]) are built
// only for an item that fails.
func filters(v *validate.V, fs []IndustryFilter) {
	const field = "advertising_industry_filters"
	if len(fs) > MaxIndustryFilters {
		v.Add(field, "must have at most "+strconv.Itoa(MaxIndustryFilters)+" industries")
	}
	var first map[IndustryFilter]int // industry -> index of its first use, for lists far too long to scan
	if len(fs) > 16 {
		first = make(map[IndustryFilter]int, len(fs))
		for i, f := range fs {
			if _, ok := first[f]; !ok {
				first[f] = i
			}
		}
	}
	firstUse := func(i int) int {
		if first != nil {
			return first[fs[i]]
		}
		for j := range i {
			if fs[j] == fs[i] {
				return j
			}
		}
		return i
	}
	dup := false
	for i := range fs {
		dup = dup || firstUse(i) != i
	}
	v.Check(!dup, field, "must not name an industry twice")
	for i, f := range fs {
		repeated := firstUse(i) != i
		if !repeated && enumRE.MatchString(string(f)) {
			continue
		}
		item := validate.Index(field, i)
		enumValue(v, item, string(f))
		v.Check(!repeated, item, "duplicates an earlier industry")
	}
}
