package smartguide

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/internal/validate"
)

// MaxLimit is the largest page size Query accepts.
const MaxLimit = 10

// Documented limits. Plaintext limits of the encrypted fields are in bytes
// (before encryption); the others are in characters.
const (
	maxSubMchID   = 64
	maxUserID     = 64
	maxGuideID    = 64
	maxNameBytes  = 64
	maxMobileByte = 32
	maxURL        = 1024
	maxOutTradeNo = 32
)

var outTradeNoRE = regexp.MustCompile(`^[0-9A-Za-z_\-|*]+$`)

// Service calls the smart guide (支付即服务) APIs. It is safe for concurrent
// use.
type Service struct{ c *core.Client }

// NewService returns a Service that calls the API through c. It panics when
// c is nil: build the client with core.NewClient first.
func NewService(c *core.Client) *Service {
	return &Service{c: validate.Client("smartguide.NewService", c)}
}

// RegisterRequest registers a WeCom (企业微信) employee as a service person.
// It prints (fmt, slog) with Name and Mobile masked.
type RegisterRequest struct {
	// SubMchID is the sub-merchant the guide belongs to, set only when a
	// service provider calls for a sub-merchant. At most 64 characters.
	SubMchID *string `json:"sub_mchid,omitempty"`
	// CorpID is corpid, the merchant's WeCom corp ID (企业ID). Required; no
	// length is checked (the sources disagree: 32 or unbounded).
	CorpID string `json:"corpid"`
	// StoreID is store_id, the store's ID in the merchant platform's store
	// management (营销中心 → 门店管理). Required, positive.
	StoreID int64 `json:"store_id"`
	// UserID is userid, the employee's WeCom user ID. Required, at most 64
	// characters.
	UserID string `json:"userid"`
	// Name is the employee's name in plaintext, at most 64 bytes. The SDK
	// encrypts it with the platform key before sending.
	Name string `json:"name"`
	// Mobile is the employee's phone number in plaintext, at most 32 bytes.
	// The SDK encrypts it with the platform key before sending.
	Mobile string `json:"mobile"`
	// QRCode is qr_code, the URL of the employee's personal WeCom QR code.
	// Required: an absolute http(s) URL of at most 1024 characters.
	QRCode string `json:"qr_code"`
	// Avatar is the URL of the employee's avatar. Required: an absolute
	// http(s) URL of at most 1024 characters.
	Avatar string `json:"avatar"`
	// GroupQRCode is group_qrcode, the URL of the store's WeCom group "live
	// code" QR code: an absolute http(s) URL of at most 1024 characters.
	GroupQRCode *string `json:"group_qrcode,omitempty"`
}

// RegisterResponse is the answer to Register.
type RegisterResponse struct {
	core.ResponseMeta `json:"-"`
	// GuideID identifies the registered guide; keep it to assign orders.
	GuideID string `json:"guide_id"`
}

// Register registers a WeCom employee as a service person and returns the
// guide ID WeChat Pay assigned. Name and Mobile are encrypted with the
// platform key. It is not retried (a repeated registration is not
// idempotent).
//
// Errors: *core.ValidationError (nothing sent); core.ErrNoEncryptionKey
// when no platform key is configured to encrypt with; *core.APIError with
// the Request-ID, e.g. 400 PARAM_ERROR, 400 INVALID_REQUEST, 403 NO_AUTH,
// 500 SYSTEM_ERROR; signature errors matching core.ErrInvalidSignature; the
// context's error. No error holds the name or the mobile number.
//
// POST /v3/smartguide/guides
// https://pay.weixin.qq.com/wiki/doc/apiv3_partner/apis/chapter8_4_1.shtml
func (s *Service) Register(ctx context.Context, req *RegisterRequest) (*RegisterResponse, error) {
	return core.Call[RegisterResponse](ctx, s.c, core.Endpoint{
		Op: "smartguide.Register", Method: http.MethodPost, Route: "/v3/smartguide/guides",
	}, req, func(r *core.Request) (err error) {
		body := *req // the caller's request is never modified
		r.Body = &body
		r.WechatpaySerial, err = s.c.EncryptFields(ctx, &body.Name, &body.Mobile)
		return err
	})
}

// Validate reports every broken rule of the request by wire field name
// (a nil request is one) as a *core.ValidationError, or nil: what Register
// checks before sending anything. Name and Mobile are checked in plaintext.
func (r *RegisterRequest) Validate() error {
	if r == nil {
		return validate.NilRequest("smartguide.Register")
	}
	var v validate.V
	v.OptionalID("sub_mchid", r.SubMchID, maxSubMchID)
	v.RequiredText("corpid", r.CorpID, 0)
	v.Check(r.StoreID > 0, "store_id", "is required and must be positive")
	v.RequiredText("userid", r.UserID, maxUserID)
	plaintext(&v, "name", &r.Name, maxNameBytes, true)
	plaintext(&v, "mobile", &r.Mobile, maxMobileByte, true)
	urlField(&v, "qr_code", &r.QRCode, true)
	urlField(&v, "avatar", &r.Avatar, true)
	urlField(&v, "group_qrcode", r.GroupQRCode, false)
	return v.Err("smartguide.Register")
}

// AssignRequest assigns a guide to an order.
type AssignRequest struct {
	// GuideID is the guide to assign (path parameter). At most 64 characters.
	GuideID string `json:"-"`
	// SubMchID is the sub-merchant of the guide, set only when a service
	// provider calls for a sub-merchant. At most 64 characters.
	SubMchID *string `json:"sub_mchid,omitempty"`
	// OutTradeNo is the merchant's order number: at most 32 characters of
	// letters, digits and -_|*.
	OutTradeNo string `json:"out_trade_no"`
}

// AssignResponse is the answer to Assign (204 No Content).
type AssignResponse struct {
	core.ResponseMeta `json:"-"`
}

// Assign assigns a guide to an order, so that the payer sees the guide's
// card on the payment voucher. Call it before the order is paid; an
// assignment made after payment is not shown. Keyed by the merchant's order
// number, it is retried on transient failures.
//
// Errors: *core.ValidationError (nothing sent); *core.APIError with
// the Request-ID, e.g. 400 PARAM_ERROR, 400 INVALID_REQUEST, 403 NO_AUTH,
// 500 SYSTEM_ERROR; signature errors matching core.ErrInvalidSignature; the
// context's error. Errors and logs show the route template
// (/v3/smartguide/guides/{guide_id}/assign), never the guide ID.
//
// POST /v3/smartguide/guides/{guide_id}/assign
// https://pay.weixin.qq.com/wiki/doc/apiv3_partner/apis/chapter8_4_2.shtml
func (s *Service) Assign(ctx context.Context, req *AssignRequest) (*AssignResponse, error) {
	return core.Call[AssignResponse](ctx, s.c, core.Endpoint{
		Op: "smartguide.Assign", Method: http.MethodPost, Route: "/v3/smartguide/guides/{guide_id}/assign", Idempotent: true,
	}, req, func(r *core.Request) error {
		r.Body = req
		return r.SetPathParams(guideIDParam(req.GuideID))
	})
}

// Validate reports every broken rule of the request by wire field name
// (a nil request is one) as a *core.ValidationError, or nil: what Assign
// checks before sending anything.
func (r *AssignRequest) Validate() error {
	if r == nil {
		return validate.NilRequest("smartguide.Assign")
	}
	var v validate.V
	guideID(&v, r.GuideID)
	v.OptionalID("sub_mchid", r.SubMchID, maxSubMchID)
	if v.Required("out_trade_no", r.OutTradeNo) {
		v.MaxChars("out_trade_no", r.OutTradeNo, maxOutTradeNo)
		v.Pattern("out_trade_no", r.OutTradeNo, outTradeNoRE, "letters, digits and -_|* only")
	}
	return v.Err("smartguide.Assign")
}

// QueryRequest looks up guides: every guide of a store (paged, at most
// MaxLimit per page), or one guide by UserID, WorkID or Mobile. It prints
// (fmt, slog) with Mobile masked.
type QueryRequest struct {
	// SubMchID is the sub-merchant, set only when a service provider calls
	// for a sub-merchant. At most 64 characters.
	SubMchID *string `json:"-"`
	// StoreID is store_id, the store whose guides are listed. Required,
	// positive.
	StoreID int64 `json:"-"`
	// UserID finds the guide with this WeCom user ID (WeCom merchants).
	UserID *string `json:"-"`
	// Mobile finds the guide registered with this phone number, in
	// plaintext (at most 32 bytes); the SDK encrypts it.
	Mobile *string `json:"-"`
	// WorkID finds the guide with this staff number (personal-WeChat
	// merchants).
	WorkID *string `json:"-"`
	// Limit is the page size, 1 to MaxLimit (the server's default when nil).
	Limit *int `json:"-"`
	// Offset is the index of the first guide to return (default 0).
	Offset *int `json:"-"`
}

// QueryResponse is one page of guides.
type QueryResponse struct {
	core.ResponseMeta `json:"-"`
	TotalCount        int `json:"total_count"` // number of matching guides
	Limit             int `json:"limit"`       // page size used
	Offset            int `json:"offset"`      // offset of Data[0]
	// Data is data, the guides of this page (at most MaxLimit), with Name
	// and Mobile already decrypted; empty past the last page.
	Data []Guide `json:"data"`
}

// Guide is a registered service person, as Query returns it. It prints
// (fmt, slog) with Name and Mobile masked.
type Guide struct {
	// GuideID is guide_id, WeChat Pay's ID of the guide (e.g.
	// LLA3WJ6DSZUfiaZDS79FH5Wm5m4X69TBic): pass it to Assign and Update.
	GuideID string `json:"guide_id"`
	// StoreID is store_id, the store in the merchant platform's store
	// management the guide belongs to.
	StoreID int64 `json:"store_id"`
	// Name is the guide's name, decrypted from NameCiphertext with the
	// merchant private key; personal data, printed masked.
	Name string `json:"-"`
	// Mobile is the guide's phone number, decrypted from MobileCiphertext
	// with the merchant private key; personal data, printed masked.
	Mobile string `json:"-"`
	// NameCiphertext is name as received: RSA-OAEP ciphertext, Base64,
	// encrypted to the merchant API certificate's key.
	NameCiphertext string `json:"name,omitempty"`
	// MobileCiphertext is mobile as received: RSA-OAEP ciphertext, Base64,
	// encrypted to the merchant API certificate's key.
	MobileCiphertext string `json:"mobile,omitempty"`
	UserID           string `json:"userid,omitempty"`  // WeCom user ID (WeCom merchants)
	WorkID           string `json:"work_id,omitempty"` // staff number (personal-WeChat merchants)
}

// Validate reports every broken rule of the request by wire field name
// (a nil request is one) as a *core.ValidationError, or nil: what Query
// checks before sending anything.
func (r *QueryRequest) Validate() error {
	if r == nil {
		return validate.NilRequest("smartguide.Query")
	}
	var v validate.V
	v.OptionalID("sub_mchid", r.SubMchID, maxSubMchID)
	v.Check(r.StoreID > 0, "store_id", "is required and must be positive")
	v.OptionalID("userid", r.UserID, maxUserID)
	v.OptionalID("work_id", r.WorkID, 0)
	plaintext(&v, "mobile", r.Mobile, maxMobileByte, false)
	if r.Limit != nil {
		validate.Range(&v, "limit", *r.Limit, 1, MaxLimit)
	}
	if r.Offset != nil {
		v.Check(*r.Offset >= 0, "offset", "must not be negative")
	}
	return v.Err("smartguide.Query")
}

// query is the request's query string, with the mobile filter encrypted,
// and the serial of the key it was encrypted to.
func (r *QueryRequest) query(ctx context.Context, c *core.Client) (url.Values, string, error) {
	mobile := clonePtr(r.Mobile) // encrypted in place; the caller's request is never modified
	serial, err := c.EncryptFields(ctx, mobile)
	if err != nil {
		return nil, "", err
	}
	q := url.Values{}
	q.Set("store_id", strconv.FormatInt(r.StoreID, 10))
	setOpt(q, "sub_mchid", r.SubMchID)
	setOpt(q, "userid", r.UserID)
	setOpt(q, "work_id", r.WorkID)
	setOpt(q, "mobile", mobile)
	if r.Limit != nil {
		q.Set("limit", strconv.Itoa(*r.Limit))
	}
	if r.Offset != nil {
		q.Set("offset", strconv.Itoa(*r.Offset))
	}
	return q, serial, nil
}

// Query returns one page of guides, with Name and Mobile decrypted. The
// mobile filter is encrypted with the platform key and sent URL-encoded.
// Queries are retried on transient failures. QueryAll ranges over every
// page.
//
// Errors: *core.ValidationError (nothing sent); core.ErrNoEncryptionKey
// when no platform key is configured to encrypt with; *core.APIError with
// the Request-ID, e.g. 400 PARAM_ERROR, 400 INVALID_REQUEST, 403 NO_AUTH,
// 500 SYSTEM_ERROR; signature errors matching core.ErrInvalidSignature; the
// context's error. A name or mobile that does not decrypt with the
// merchant private key is an error naming data[i].name or data[i].mobile and
// the Request-ID. No error holds the mobile filter or a decrypted value.
//
// GET /v3/smartguide/guides
// https://pay.weixin.qq.com/wiki/doc/apiv3_partner/apis/chapter8_4_3.shtml
func (s *Service) Query(ctx context.Context, req *QueryRequest) (*QueryResponse, error) {
	out, err := core.Call[QueryResponse](ctx, s.c, core.Endpoint{
		Op: "smartguide.Query", Method: http.MethodGet, Route: "/v3/smartguide/guides", Idempotent: true,
	}, req, func(r *core.Request) (err error) {
		r.Query, r.WechatpaySerial, err = req.query(ctx, s.c)
		return err
	})
	return s.decrypted(out, err)
}

// decrypted decrypts the names and mobiles of a page of guides.
func (s *Service) decrypted(out *QueryResponse, err error) (*QueryResponse, error) {
	if err != nil {
		return nil, err
	}
	for i := range out.Data {
		g := &out.Data[i]
		if g.Name, err = s.decrypt(g.NameCiphertext); err != nil {
			return nil, fmt.Errorf("smartguide.Query: data[%d].name [request id %s]: %w", i, out.RequestID, err)
		}
		if g.Mobile, err = s.decrypt(g.MobileCiphertext); err != nil {
			return nil, fmt.Errorf("smartguide.Query: data[%d].mobile [request id %s]: %w", i, out.RequestID, err)
		}
	}
	return out, nil
}

func (s *Service) decrypt(ct string) (string, error) {
	if ct == "" {
		return "", nil
	}
	return s.c.DecryptSensitive(ct)
}

// QueryAll ranges over every guide matching req, page by page (req.Limit
// per page, MaxLimit by default), starting at req.Offset. Nothing is sent
// until the sequence is ranged over. It copies req, so the caller's request
// is never changed. It yields an error at most once and then stops. It
// stops after an empty or short page, once total_count guides have been
// seen, or when the offset stops advancing: a page that repeats the previous
// one (the server ignoring offset) ends the sequence without yielding its
// guides again.
func (s *Service) QueryAll(ctx context.Context, req *QueryRequest) iter.Seq2[Guide, error] {
	var page *QueryRequest
	if req != nil {
		page = req.clone()
	}
	return func(yield func(Guide, error) bool) {
		if page == nil {
			_, err := s.Query(ctx, nil)
			yield(Guide{}, err)
			return
		}
		p := *page.clone() // each range starts afresh
		limit, offset := MaxLimit, 0
		if p.Limit != nil {
			limit = *p.Limit
		}
		if p.Offset != nil {
			offset = *p.Offset
		}
		var prev []guideKey
		for {
			l, o := limit, offset
			p.Limit, p.Offset = &l, &o
			resp, err := s.Query(ctx, &p)
			if err != nil {
				yield(Guide{}, err)
				return
			}
			n := len(resp.Data)
			if n == 0 {
				return
			}
			keys := make([]guideKey, n)
			for i, g := range resp.Data {
				keys[i] = guideKey{g.GuideID, g.StoreID, g.UserID, g.WorkID, g.Name, g.Mobile}
			}
			if slices.Equal(keys, prev) {
				return // the offset did not advance: the server sent the same page again
			}
			prev = keys
			for _, g := range resp.Data {
				if !yield(g, nil) {
					return
				}
			}
			offset += n
			if resp.TotalCount > 0 {
				if offset >= resp.TotalCount {
					return
				}
			} else if n < limit {
				return
			}
		}
	}
}

// guideKey identifies a guide as a page shows it (ciphertexts are left out:
// RSA-OAEP makes them differ on every answer).
type guideKey struct {
	guideID        string
	storeID        int64
	userID, workID string
	name, mobile   string
}

func (r *QueryRequest) clone() *QueryRequest {
	c := *r
	c.SubMchID = clonePtr(r.SubMchID)
	c.UserID = clonePtr(r.UserID)
	c.Mobile = clonePtr(r.Mobile)
	c.WorkID = clonePtr(r.WorkID)
	c.Limit = clonePtr(r.Limit)
	c.Offset = clonePtr(r.Offset)
	return &c
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// UpdateRequest changes a guide's details. Only set the fields to change;
// at least one must be set. It prints (fmt, slog) with Name and Mobile
// masked.
type UpdateRequest struct {
	// GuideID is the guide to update (path parameter). At most 64 characters.
	GuideID string `json:"-"`
	// SubMchID is the sub-merchant, set only when a service provider calls
	// for a sub-merchant. At most 64 characters.
	SubMchID *string `json:"sub_mchid,omitempty"`
	// Name is the new name in plaintext, at most 64 bytes; the SDK
	// encrypts it.
	Name *string `json:"name,omitempty"`
	// Mobile is the new phone number in plaintext, at most 32 bytes; the SDK
	// encrypts it.
	Mobile *string `json:"mobile,omitempty"`
	// QRCode is qr_code, the new personal QR code URL (WeCom guides only):
	// an absolute http(s) URL of at most 1024 characters.
	QRCode *string `json:"qr_code,omitempty"`
	// Avatar is the new avatar URL: an absolute http(s) URL of at most 1024
	// characters.
	Avatar *string `json:"avatar,omitempty"`
	// GroupQRCode is group_qrcode, the new WeCom group live-code URL (WeCom
	// guides only): an absolute http(s) URL of at most 1024 characters.
	GroupQRCode *string `json:"group_qrcode,omitempty"`
}

// UpdateResponse is the answer to Update (204 No Content).
type UpdateResponse struct {
	core.ResponseMeta `json:"-"`
}

// Update changes a guide's name, phone number, avatar or QR codes. Name and
// Mobile are encrypted with the platform key. It is not retried: it is keyed
// by WeChat Pay's guide ID, not by a business number of the merchant, and
// WeChat Pay does not document it as idempotent (a blind retry could undo a
// concurrent update).
//
// Errors: *core.ValidationError (nothing sent); core.ErrNoEncryptionKey
// when no platform key is configured to encrypt with; *core.APIError with
// the Request-ID, e.g. 400 PARAM_ERROR, 400 INVALID_REQUEST, 403 NO_AUTH,
// 500 SYSTEM_ERROR; signature errors matching core.ErrInvalidSignature; the
// context's error. Errors and logs show the route template
// (/v3/smartguide/guides/{guide_id}), never the guide ID.
// No error holds the name or the mobile number.
//
// PATCH /v3/smartguide/guides/{guide_id}
// https://pay.weixin.qq.com/wiki/doc/apiv3_partner/apis/chapter8_4_4.shtml
func (s *Service) Update(ctx context.Context, req *UpdateRequest) (*UpdateResponse, error) {
	return core.Call[UpdateResponse](ctx, s.c, core.Endpoint{
		Op: "smartguide.Update", Method: http.MethodPatch, Route: "/v3/smartguide/guides/{guide_id}",
	}, req, func(r *core.Request) (err error) {
		body := *req // the caller's request is never modified
		body.Name, body.Mobile, r.Body = clonePtr(req.Name), clonePtr(req.Mobile), &body
		r.WechatpaySerial, err = s.c.EncryptFields(ctx, body.Name, body.Mobile)
		return errors.Join(err, r.SetPathParams(guideIDParam(req.GuideID)))
	})
}

// Validate reports every broken rule of the request by wire field name
// (a nil request is one) as a *core.ValidationError, or nil: what Update
// checks before sending anything. At least one field to change must be
// set.
func (r *UpdateRequest) Validate() error {
	if r == nil {
		return validate.NilRequest("smartguide.Update")
	}
	var v validate.V
	guideID(&v, r.GuideID)
	v.OptionalID("sub_mchid", r.SubMchID, maxSubMchID)
	plaintext(&v, "name", r.Name, maxNameBytes, false)
	plaintext(&v, "mobile", r.Mobile, maxMobileByte, false)
	urlField(&v, "qr_code", r.QRCode, false)
	urlField(&v, "avatar", r.Avatar, false)
	urlField(&v, "group_qrcode", r.GroupQRCode, false)
	v.Check(r.Name != nil || r.Mobile != nil || r.QRCode != nil || r.Avatar != nil || r.GroupQRCode != nil,
		"request", "sets no field to update (name, mobile, qr_code, avatar or group_qrcode)")
	return v.Err("smartguide.Update")
}

// --- validation helpers -----------------------------------------------------

// guideID checks a guide_id path parameter: set, at most 64 characters,
// letters, digits, '_' and '-' only (core.CharsetGuideID).
func guideID(v *validate.V, id string) {
	if v.Required("guide_id", id) {
		v.MaxChars("guide_id", id, maxGuideID)
		v.PathParam("guide_id", id, core.CharsetGuideID)
	}
}

func guideIDParam(id string) core.PathParam {
	return core.PathParam{Name: "guide_id", Value: id, Charset: core.CharsetGuideID}
}

// given reports whether the optional field s holds a value to check: set
// and not empty. A nil s is a problem when the field is required, an empty
// one always.
func given(v *validate.V, field string, s *string, required bool) bool {
	if s == nil {
		if required {
			v.Add(field, "is required")
		}
		return false
	}
	return v.Required(field, *s)
}

// plaintext checks a field the SDK encrypts: its byte length before
// encryption is what the API limits.
func plaintext(v *validate.V, field string, s *string, maxBytes int, required bool) {
	if given(v, field, s, required) {
		v.Text(field, *s)
		v.MaxBytes(field, *s, maxBytes)
	}
}

// urlField checks a URL field: an absolute http(s) URL of at most maxURL
// characters.
func urlField(v *validate.V, field string, s *string, required bool) {
	if given(v, field, s, required) {
		v.URL(field, *s)
		v.MaxChars(field, *s, maxURL)
	}
}

func setOpt(q url.Values, key string, p *string) {
	if p != nil {
		q.Set(key, *p)
	}
}
