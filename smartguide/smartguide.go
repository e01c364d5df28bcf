package smartguide

import (
	"context"
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

// NewService returns a Service that calls the API through c.
func NewService(c *core.Client) *Service { return &Service{c: c} }

// RegisterRequest registers a WeCom (企业微信) employee as a service person.
type RegisterRequest struct {
	// SubMchID is the sub-merchant the guide belongs to, set only when a
	// service provider calls for a sub-merchant. At most 64 characters.
	SubMchID *string `json:"sub_mchid,omitempty"`
	// CorpID is the merchant's WeCom corp ID (企业ID).
	CorpID string `json:"corpid"`
	// StoreID is the store's ID in the merchant platform's store management
	// (营销中心 → 门店管理).
	StoreID int64 `json:"store_id"`
	// UserID is the employee's WeCom user ID. At most 64 characters.
	UserID string `json:"userid"`
	// Name is the employee's name in plaintext, at most 64 bytes. The SDK
	// encrypts it with the platform key before sending.
	Name string `json:"name"`
	// Mobile is the employee's phone number in plaintext, at most 32 bytes.
	// The SDK encrypts it with the platform key before sending.
	Mobile string `json:"mobile"`
	// QRCode is the URL of the employee's personal WeCom QR code.
	QRCode string `json:"qr_code"`
	// Avatar is the URL of the employee's avatar.
	Avatar string `json:"avatar"`
	// GroupQRCode is the URL of the store's WeCom group "live code" QR code.
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
// POST /v3/smartguide/guides
// https://pay.weixin.qq.com/wiki/doc/apiv3_partner/apis/chapter8_4_1.shtml
func (s *Service) Register(ctx context.Context, req *RegisterRequest) (*RegisterResponse, error) {
	const op = "smartguide.Register"
	var v validate.V
	if req == nil {
		v.Add("request", "is required")
		return nil, v.Err(op)
	}
	optionalID(&v, "sub_mchid", req.SubMchID, maxSubMchID)
	v.RequiredText("corpid", req.CorpID, 0)
	v.Check(req.StoreID > 0, "store_id", "is required and must be positive")
	v.RequiredText("userid", req.UserID, maxUserID)
	plaintext(&v, "name", &req.Name, maxNameBytes, true)
	plaintext(&v, "mobile", &req.Mobile, maxMobileByte, true)
	urlField(&v, "qr_code", &req.QRCode, true)
	urlField(&v, "avatar", &req.Avatar, true)
	urlField(&v, "group_qrcode", req.GroupQRCode, false)
	if err := v.Err(op); err != nil {
		return nil, err
	}

	enc, err := s.c.Encrypter(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	body := *req // the caller's request is never modified
	if body.Name, err = enc.Encrypt(req.Name); err != nil {
		return nil, fmt.Errorf("%s: name: %w", op, err)
	}
	if body.Mobile, err = enc.Encrypt(req.Mobile); err != nil {
		return nil, fmt.Errorf("%s: mobile: %w", op, err)
	}
	out := new(RegisterResponse)
	if _, err := s.c.Do(ctx, &core.Request{
		Method:          http.MethodPost,
		Path:            "/v3/smartguide/guides",
		Body:            &body,
		WechatpaySerial: enc.Serial(),
	}, out); err != nil {
		return nil, err
	}
	return out, nil
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
// POST /v3/smartguide/guides/{guide_id}/assign
// https://pay.weixin.qq.com/wiki/doc/apiv3_partner/apis/chapter8_4_2.shtml
func (s *Service) Assign(ctx context.Context, req *AssignRequest) (*AssignResponse, error) {
	const op = "smartguide.Assign"
	var v validate.V
	if req == nil {
		v.Add("request", "is required")
		return nil, v.Err(op)
	}
	guideID(&v, req.GuideID)
	optionalID(&v, "sub_mchid", req.SubMchID, maxSubMchID)
	if v.Required("out_trade_no", req.OutTradeNo) {
		v.MaxChars("out_trade_no", req.OutTradeNo, maxOutTradeNo)
		v.Pattern("out_trade_no", req.OutTradeNo, outTradeNoRE, "letters, digits and -_|* only")
	}
	if err := v.Err(op); err != nil {
		return nil, err
	}
	out := new(AssignResponse)
	if _, err := s.c.Do(ctx, &core.Request{
		Method:     http.MethodPost,
		Path:       "/v3/smartguide/guides/" + url.PathEscape(req.GuideID) + "/assign",
		Body:       req,
		Idempotent: true,
	}, out); err != nil {
		return nil, err
	}
	return out, nil
}

// QueryRequest looks up guides: every guide of a store (paged, at most
// MaxLimit per page), or one guide by UserID, WorkID or Mobile.
type QueryRequest struct {
	// SubMchID is the sub-merchant, set only when a service provider calls
	// for a sub-merchant. At most 64 characters.
	SubMchID *string `json:"-"`
	// StoreID is the store whose guides are listed.
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
	TotalCount        int     `json:"total_count"` // number of matching guides
	Limit             int     `json:"limit"`       // page size used
	Offset            int     `json:"offset"`      // offset of Data[0]
	Data              []Guide `json:"data"`
}

// Guide is a registered service person.
type Guide struct {
	GuideID string `json:"guide_id"`
	StoreID int64  `json:"store_id"`
	// Name and Mobile are decrypted with the merchant private key. They are
	// personal data: do not log them.
	Name   string `json:"-"`
	Mobile string `json:"-"`
	// NameCiphertext and MobileCiphertext are the fields as received,
	// encrypted to the merchant's key (RSA-OAEP, Base64).
	NameCiphertext   string `json:"name,omitempty"`
	MobileCiphertext string `json:"mobile,omitempty"`
	UserID           string `json:"userid,omitempty"`  // WeCom user ID (WeCom merchants)
	WorkID           string `json:"work_id,omitempty"` // staff number (personal-WeChat merchants)
}

func (r *QueryRequest) validate(v *validate.V) {
	optionalID(v, "sub_mchid", r.SubMchID, maxSubMchID)
	v.Check(r.StoreID > 0, "store_id", "is required and must be positive")
	optionalID(v, "userid", r.UserID, maxUserID)
	optionalID(v, "work_id", r.WorkID, 0)
	plaintext(v, "mobile", r.Mobile, maxMobileByte, false)
	if r.Limit != nil {
		validate.Range(v, "limit", *r.Limit, 1, MaxLimit)
	}
	if r.Offset != nil {
		v.Check(*r.Offset >= 0, "offset", "must not be negative")
	}
}

// Query returns one page of guides, with Name and Mobile decrypted. The
// mobile filter is encrypted with the platform key and sent URL-encoded.
// Queries are retried on transient failures. QueryAll ranges over every
// page.
//
// GET /v3/smartguide/guides
// https://pay.weixin.qq.com/wiki/doc/apiv3_partner/apis/chapter8_4_3.shtml
func (s *Service) Query(ctx context.Context, req *QueryRequest) (*QueryResponse, error) {
	const op = "smartguide.Query"
	var v validate.V
	if req == nil {
		v.Add("request", "is required")
		return nil, v.Err(op)
	}
	req.validate(&v)
	if err := v.Err(op); err != nil {
		return nil, err
	}

	enc, err := s.c.Encrypter(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	q := url.Values{}
	q.Set("store_id", strconv.FormatInt(req.StoreID, 10))
	setOpt(q, "sub_mchid", req.SubMchID)
	setOpt(q, "userid", req.UserID)
	setOpt(q, "work_id", req.WorkID)
	if req.Mobile != nil {
		ct, err := enc.Encrypt(*req.Mobile)
		if err != nil {
			return nil, fmt.Errorf("%s: mobile: %w", op, err)
		}
		q.Set("mobile", ct)
	}
	if req.Limit != nil {
		q.Set("limit", strconv.Itoa(*req.Limit))
	}
	if req.Offset != nil {
		q.Set("offset", strconv.Itoa(*req.Offset))
	}
	out := new(QueryResponse)
	if _, err := s.c.Do(ctx, &core.Request{
		Method:          http.MethodGet,
		Path:            "/v3/smartguide/guides",
		Query:           q,
		Idempotent:      true,
		WechatpaySerial: enc.Serial(),
	}, out); err != nil {
		return nil, err
	}
	for i := range out.Data {
		g := &out.Data[i]
		if g.Name, err = s.decrypt(g.NameCiphertext); err != nil {
			return nil, fmt.Errorf("%s: data[%d].name [request id %s]: %w", op, i, out.RequestID, err)
		}
		if g.Mobile, err = s.decrypt(g.MobileCiphertext); err != nil {
			return nil, fmt.Errorf("%s: data[%d].mobile [request id %s]: %w", op, i, out.RequestID, err)
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
// at least one must be set.
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
	// QRCode is the new personal QR code URL (WeCom guides only).
	QRCode *string `json:"qr_code,omitempty"`
	// Avatar is the new avatar URL.
	Avatar *string `json:"avatar,omitempty"`
	// GroupQRCode is the new WeCom group live-code URL (WeCom guides only).
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
// PATCH /v3/smartguide/guides/{guide_id}
// https://pay.weixin.qq.com/wiki/doc/apiv3_partner/apis/chapter8_4_4.shtml
func (s *Service) Update(ctx context.Context, req *UpdateRequest) (*UpdateResponse, error) {
	const op = "smartguide.Update"
	var v validate.V
	if req == nil {
		v.Add("request", "is required")
		return nil, v.Err(op)
	}
	guideID(&v, req.GuideID)
	optionalID(&v, "sub_mchid", req.SubMchID, maxSubMchID)
	plaintext(&v, "name", req.Name, maxNameBytes, false)
	plaintext(&v, "mobile", req.Mobile, maxMobileByte, false)
	urlField(&v, "qr_code", req.QRCode, false)
	urlField(&v, "avatar", req.Avatar, false)
	urlField(&v, "group_qrcode", req.GroupQRCode, false)
	v.Check(req.Name != nil || req.Mobile != nil || req.QRCode != nil || req.Avatar != nil || req.GroupQRCode != nil,
		"request", "sets no field to update (name, mobile, qr_code, avatar or group_qrcode)")
	if err := v.Err(op); err != nil {
		return nil, err
	}

	enc, err := s.c.Encrypter(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	body := *req // the caller's request is never modified
	if req.Name != nil {
		ct, err := enc.Encrypt(*req.Name)
		if err != nil {
			return nil, fmt.Errorf("%s: name: %w", op, err)
		}
		body.Name = &ct
	}
	if req.Mobile != nil {
		ct, err := enc.Encrypt(*req.Mobile)
		if err != nil {
			return nil, fmt.Errorf("%s: mobile: %w", op, err)
		}
		body.Mobile = &ct
	}
	out := new(UpdateResponse)
	if _, err := s.c.Do(ctx, &core.Request{
		Method:          http.MethodPatch,
		Path:            "/v3/smartguide/guides/" + url.PathEscape(req.GuideID),
		Body:            &body,
		WechatpaySerial: enc.Serial(),
	}, out); err != nil {
		return nil, err
	}
	return out, nil
}

// --- validation helpers -----------------------------------------------------

func guideID(v *validate.V, id string) {
	v.RequiredText("guide_id", id, maxGuideID)
}

// optionalID checks a set optional identifier: not empty, valid text, at
// most max characters (when max > 0).
func optionalID(v *validate.V, field string, s *string, max int) {
	if s == nil {
		return
	}
	v.RequiredText(field, *s, max)
}

// plaintext checks a field the SDK encrypts: its byte length before
// encryption is what the API limits.
func plaintext(v *validate.V, field string, s *string, maxBytes int, required bool) {
	if s == nil {
		if required {
			v.Add(field, "is required")
		}
		return
	}
	if !v.Required(field, *s) {
		return
	}
	v.Text(field, *s)
	v.MaxBytes(field, *s, maxBytes)
}

func urlField(v *validate.V, field string, s *string, required bool) {
	if s == nil {
		if required {
			v.Add(field, "is required")
		}
		return
	}
	if !v.Required(field, *s) {
		return
	}
	v.URL(field, *s)
	v.MaxChars(field, *s, maxURL)
}

func setOpt(q url.Values, key string, p *string) {
	if p != nil {
		q.Set(key, *p)
	}
}
