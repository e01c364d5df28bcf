package bill

import (
	"context"
	"net/http"
	"net/url"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/internal/validate"
)

// Service calls the bill APIs. It is safe for concurrent use.
type Service struct{ c *core.Client }

// NewService returns a Service using c. It panics when c is nil: build the
// client with core.NewClient first.
func NewService(c *core.Client) *Service {
	return &Service{c: validate.Client("bill.NewService", c)}
}

// TradeBillRequest asks for the trade bill of one day.
type TradeBillRequest struct {
	// BillDate is the day of the bill, within the last three months.
	// Required.
	BillDate Date `json:"-"`
	// SubMchID (service providers) limits the bill to one sub-merchant;
	// unset, the bill covers every sub-merchant. At most 12 characters.
	SubMchID *string `json:"-"`
	// BillType selects the rows; the server defaults to ALL.
	BillType *BillType `json:"-"`
	// TarType GZIP asks for a compressed file; unset, the file is plain.
	TarType *TarType `json:"-"`
}

// FileResponse is the answer of TradeBill and FundFlowBill: where to
// download the file, and its digest. Pass it to Service.Download through
// DownloadRequest.
type FileResponse struct {
	core.ResponseMeta `json:"-"`
	HashType          HashType `json:"hash_type"`    // SHA1
	HashValue         string   `json:"hash_value"`   // hex SHA-1 of the decompressed file
	DownloadURL       string   `json:"download_url"` // .../v3/billdownload/file?token=…, valid about 5 minutes
	tarType           TarType  // from the request, to decompress the download
}

// DownloadRequest returns the request that downloads and verifies this file,
// decompressing it when it was asked for as GZIP.
func (r *FileResponse) DownloadRequest() *DownloadRequest {
	return &DownloadRequest{DownloadURL: r.DownloadURL, HashType: r.HashType, HashValue: r.HashValue, TarType: r.tarType}
}

// asked completes a successful answer with the tar type the request asked
// for, which the download needs.
func (r *FileResponse) asked(err error, tar TarType) (*FileResponse, error) {
	if err != nil {
		return nil, err
	}
	r.tarType = tar
	return r, nil
}

// TradeBillResponse is the answer of TradeBill.
type TradeBillResponse = FileResponse

// FundFlowBillResponse is the answer of FundFlowBill.
type FundFlowBillResponse = FileResponse

// TradeBill applies for the trade bill of one day and returns its download
// URL and SHA-1 digest. Bills for day D exist from 09:00 on D+1 (fetch
// after 10:00) for three months.
//
// Errors: *core.ValidationError (nothing sent); *core.APIError with the
// Request-ID, e.g. 400 PARAM_ERROR, 400 INVALID_REQUEST, 403 NO_AUTH, 500
// SYSTEM_ERROR; signature errors matching core.ErrInvalidSignature; the
// context's error.
//
// GET /v3/bill/tradebill —
// https://pay.weixin.qq.com/doc/v3/merchant/4012556654
func (s *Service) TradeBill(ctx context.Context, req *TradeBillRequest) (*TradeBillResponse, error) {
	out, err := core.Call[TradeBillResponse](ctx, s.c, core.Endpoint{
		Op: "bill.TradeBill", Method: http.MethodGet, Route: "/v3/bill/tradebill", Idempotent: true,
	}, req, func(r *core.Request) error { r.Query = req.query(); return nil })
	return out.asked(err, req.tar())
}

// Validate reports every broken rule of the request by query parameter
// name (a nil request is one) as a *core.ValidationError, or nil: what
// TradeBill checks before sending anything. That the day is within the
// last three months only the server can tell.
func (r *TradeBillRequest) Validate() error {
	const op = "bill.TradeBill"
	if r == nil {
		return validate.NilRequest(op)
	}
	var v validate.V
	checkDate(&v, r.BillDate)
	optionalSubMchID(&v, r.SubMchID, maxTradeBillSubMchID)
	if r.BillType != nil {
		validate.OneOf(&v, "bill_type", *r.BillType, BillType("").Values())
	}
	checkTar(&v, r.TarType)
	return v.Err(op)
}

func (r *TradeBillRequest) query() url.Values {
	q := url.Values{"bill_date": {r.BillDate.String()}}
	setOpt(q, "sub_mchid", r.SubMchID)
	setOpt(q, "bill_type", r.BillType)
	setOpt(q, "tar_type", r.TarType)
	return q
}

func (r *TradeBillRequest) tar() TarType {
	if r == nil {
		return ""
	}
	return opt(r.TarType)
}

// FundFlowBillRequest asks for the fund-flow bill of one day.
type FundFlowBillRequest struct {
	// BillDate is the day of the bill, within the last three months.
	// Required.
	BillDate Date `json:"-"`
	// AccountType selects the fund account; the server defaults to BASIC.
	// BASIC, OPERATION or FEES.
	AccountType *AccountType `json:"-"`
	// TarType GZIP asks for a compressed file; unset, the file is plain.
	TarType *TarType `json:"-"`
	// SubMchID is the optional sub_mchid query parameter the API
	// description lists for service providers; unset, nothing is sent.
	SubMchID *string `json:"-"`
}

// FundFlowBill applies for the fund-flow bill of one day (every movement of
// one fund account) and returns its download URL and SHA-1 digest.
//
// Errors: *core.ValidationError (nothing sent); *core.APIError with the
// Request-ID, e.g. 400 PARAM_ERROR, 400 INVALID_REQUEST, 403 NO_AUTH, 500
// SYSTEM_ERROR; signature errors matching core.ErrInvalidSignature; the
// context's error.
//
// GET /v3/bill/fundflowbill —
// https://pay.weixin.qq.com/docs/partner/apis/partner-mini-program-payment/get-fund-bill.html
func (s *Service) FundFlowBill(ctx context.Context, req *FundFlowBillRequest) (*FundFlowBillResponse, error) {
	out, err := core.Call[FundFlowBillResponse](ctx, s.c, core.Endpoint{
		Op: "bill.FundFlowBill", Method: http.MethodGet, Route: "/v3/bill/fundflowbill", Idempotent: true,
	}, req, func(r *core.Request) error { r.Query = req.query(); return nil })
	return out.asked(err, req.tar())
}

// Validate reports every broken rule of the request by query parameter
// name (a nil request is one) as a *core.ValidationError, or nil: what
// FundFlowBill checks before sending anything.
func (r *FundFlowBillRequest) Validate() error {
	const op = "bill.FundFlowBill"
	if r == nil {
		return validate.NilRequest(op)
	}
	var v validate.V
	checkDate(&v, r.BillDate)
	if r.AccountType != nil {
		validate.OneOf(&v, "account_type", *r.AccountType, []AccountType{AccountTypeBasic, AccountTypeOperation, AccountTypeFees})
	}
	checkTar(&v, r.TarType)
	optionalSubMchID(&v, r.SubMchID, 0)
	return v.Err(op)
}

func (r *FundFlowBillRequest) query() url.Values {
	q := url.Values{"bill_date": {r.BillDate.String()}}
	setOpt(q, "account_type", r.AccountType)
	setOpt(q, "sub_mchid", r.SubMchID)
	setOpt(q, "tar_type", r.TarType)
	return q
}

func (r *FundFlowBillRequest) tar() TarType {
	if r == nil {
		return ""
	}
	return opt(r.TarType)
}

// SubMerchantFundFlowBillRequest asks a service provider for one
// sub-merchant's fund-flow bill.
type SubMerchantFundFlowBillRequest struct {
	// SubMchID is the sub-merchant. Required, at most 32 characters.
	SubMchID string `json:"-"`
	// BillDate is the day of the bill, within the last three months.
	// Required.
	BillDate Date `json:"-"`
	// AccountType is the fund account: BASIC, OPERATION, FEES or DEPOSIT.
	// Required.
	AccountType AccountType `json:"-"`
	// Algorithm encrypts the files. Required; this SDK decrypts
	// AEAD_AES_256_GCM.
	Algorithm Algorithm `json:"-"`
	// TarType GZIP asks for compressed files; unset, the files are plain.
	TarType *TarType `json:"-"`
}

// EncryptedFile is one part of a sub-merchant fund-flow bill.
type EncryptedFile struct {
	BillSequence int `json:"bill_sequence"` // order of the part, from 1
	// DownloadURL is download_url, the .../v3/billdownload/file?token=...
	// address of this encrypted part; it expires a few minutes after the
	// answer. Download it through Service.DownloadEncrypted, which signs the
	// request.
	DownloadURL string   `json:"download_url"`
	EncryptKey  string   `json:"encrypt_key"` // the file's key, RSA-OAEP encrypted to the merchant certificate, Base64
	HashType    HashType `json:"hash_type"`   // SHA1
	HashValue   string   `json:"hash_value"`  // hex SHA-1 of the decrypted, decompressed part
	Nonce       string   `json:"nonce"`       // the GCM nonce of the part
}

// SubMerchantFundFlowBillResponse lists the encrypted parts of the bill.
// Pass it to Service.DownloadEncrypted through DownloadRequest.
type SubMerchantFundFlowBillResponse struct {
	core.ResponseMeta `json:"-"`
	// DownloadBillCount is download_bill_count, the number of parts the
	// bill is split into (a bill over about 16 GB uncompressed has several).
	DownloadBillCount int `json:"download_bill_count"`
	// DownloadBillList is download_bill_list, one entry per part; join the
	// decrypted parts in BillSequence order (DownloadEncrypted does).
	DownloadBillList []EncryptedFile `json:"download_bill_list,omitempty"`
	algorithm        Algorithm
	tarType          TarType
}

// DownloadRequest returns the request that downloads, decrypts, verifies
// and joins every part of this bill.
func (r *SubMerchantFundFlowBillResponse) DownloadRequest() *EncryptedDownloadRequest {
	return &EncryptedDownloadRequest{
		Count: r.DownloadBillCount, Files: append([]EncryptedFile(nil), r.DownloadBillList...),
		Algorithm: r.algorithm, TarType: r.tarType,
	}
}

// asked completes a successful answer with the algorithm and tar type the
// request asked for, which the download needs.
func (r *SubMerchantFundFlowBillResponse) asked(err error, req *SubMerchantFundFlowBillRequest) (*SubMerchantFundFlowBillResponse, error) {
	if err != nil {
		return nil, err
	}
	r.algorithm, r.tarType = req.Algorithm, opt(req.TarType)
	return r, nil
}

// SubMerchantFundFlowBill applies for one sub-merchant's fund-flow bill (a
// service-provider API needing the 下载二级商户资金账单 permission). The bill
// comes as one or more encrypted parts; DownloadEncrypted decrypts each
// part's key with the merchant private key, decrypts the parts and joins
// them in sequence.
//
// Errors: *core.ValidationError (nothing sent); *core.APIError with the
// Request-ID, e.g. 400 PARAM_ERROR, 400 INVALID_REQUEST, 403 NO_AUTH (the
// 下载二级商户资金账单 permission is missing), 500
// SYSTEM_ERROR; signature errors matching core.ErrInvalidSignature; the
// context's error.
//
// GET /v3/bill/sub-merchant-fundflowbill —
// https://pay.weixin.qq.com/docs/partner/apis/partner-mini-program-payment/get-sub-mch-fund-flow-bill.html
func (s *Service) SubMerchantFundFlowBill(ctx context.Context, req *SubMerchantFundFlowBillRequest) (*SubMerchantFundFlowBillResponse, error) {
	out, err := core.Call[SubMerchantFundFlowBillResponse](ctx, s.c, core.Endpoint{
		Op: "bill.SubMerchantFundFlowBill", Method: http.MethodGet, Route: "/v3/bill/sub-merchant-fundflowbill", Idempotent: true,
	}, req, func(r *core.Request) error { r.Query = req.query(); return nil })
	return out.asked(err, req)
}

// Validate reports every broken rule of the request by query parameter
// name (a nil request is one) as a *core.ValidationError, or nil: what
// SubMerchantFundFlowBill checks before sending anything.
func (r *SubMerchantFundFlowBillRequest) Validate() error {
	const op = "bill.SubMerchantFundFlowBill"
	if r == nil {
		return validate.NilRequest(op)
	}
	var v validate.V
	v.RequiredText("sub_mchid", r.SubMchID, maxSubMchID)
	checkDate(&v, r.BillDate)
	if v.Required("account_type", string(r.AccountType)) {
		validate.OneOf(&v, "account_type", r.AccountType, AccountType("").Values())
	}
	if v.Required("algorithm", string(r.Algorithm)) {
		validate.OneOf(&v, "algorithm", r.Algorithm, Algorithm("").Values())
	}
	checkTar(&v, r.TarType)
	return v.Err(op)
}

func (r *SubMerchantFundFlowBillRequest) query() url.Values {
	q := url.Values{
		"sub_mchid":    {r.SubMchID},
		"bill_date":    {r.BillDate.String()},
		"account_type": {string(r.AccountType)},
		"algorithm":    {string(r.Algorithm)},
	}
	setOpt(q, "tar_type", r.TarType)
	return q
}

// Documented maximum lengths of sub_mchid.
const (
	maxTradeBillSubMchID = 12
	maxSubMchID          = 32
)

func checkDate(v *validate.V, d Date) {
	switch {
	case d.IsZero():
		v.Add("bill_date", "is required")
	case !d.valid():
		v.Add("bill_date", "is not a calendar date")
	}
}

func checkTar(v *validate.V, t *TarType) {
	if t != nil {
		validate.OneOf(v, "tar_type", *t, TarType("").Values())
	}
}

// optionalSubMchID checks a sub_mchid that, when set, must not be empty and
// has at most max characters (no limit when max is 0).
func optionalSubMchID(v *validate.V, s *string, max int) {
	if s != nil && v.Check(*s != "", "sub_mchid", "must not be empty when set") {
		v.OptionalText("sub_mchid", s, max)
	}
}

// setOpt sets the query parameter key when p is set.
func setOpt[T ~string](q url.Values, key string, p *T) {
	if p != nil {
		q.Set(key, string(*p))
	}
}

// opt is *p, or "" when p is nil.
func opt[T ~string](p *T) T {
	if p == nil {
		return ""
	}
	return *p
}
