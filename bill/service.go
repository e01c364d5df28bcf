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

// NewService returns a Service using c.
func NewService(c *core.Client) *Service { return &Service{c: c} }

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
	DownloadURL       string   `json:"download_url"` // valid for a few minutes
	tarType           TarType  // from the request, to decompress the download
}

// DownloadRequest returns the request that downloads and verifies this file,
// decompressing it when it was asked for as GZIP.
func (r *FileResponse) DownloadRequest() *DownloadRequest {
	return &DownloadRequest{DownloadURL: r.DownloadURL, HashType: r.HashType, HashValue: r.HashValue, TarType: r.tarType}
}

// TradeBillResponse is the answer of TradeBill.
type TradeBillResponse = FileResponse

// FundFlowBillResponse is the answer of FundFlowBill.
type FundFlowBillResponse = FileResponse

// TradeBill applies for the trade bill of one day and returns its download
// URL and SHA-1 digest. Bills for day D exist from 09:00 on D+1 (fetch
// after 10:00) for three months.
//
// GET /v3/bill/tradebill —
// https://pay.weixin.qq.com/doc/v3/merchant/4012556654
func (s *Service) TradeBill(ctx context.Context, req *TradeBillRequest) (*TradeBillResponse, error) {
	var v validate.V
	if req == nil {
		v.Add("request", "is required")
		return nil, v.Err("bill.TradeBill")
	}
	checkDate(&v, req.BillDate)
	v.OptionalText("sub_mchid", req.SubMchID, 12)
	if req.SubMchID != nil {
		v.Required("sub_mchid", *req.SubMchID)
	}
	if req.BillType != nil {
		validate.OneOf(&v, "bill_type", *req.BillType, BillType("").Values())
	}
	checkTar(&v, req.TarType)
	if err := v.Err("bill.TradeBill"); err != nil {
		return nil, err
	}
	q := url.Values{"bill_date": {req.BillDate.String()}}
	if req.SubMchID != nil {
		q.Set("sub_mchid", *req.SubMchID)
	}
	if req.BillType != nil {
		q.Set("bill_type", string(*req.BillType))
	}
	if req.TarType != nil {
		q.Set("tar_type", string(*req.TarType))
	}
	out := &TradeBillResponse{}
	if _, err := s.c.Do(ctx, &core.Request{Method: http.MethodGet, Path: "/v3/bill/tradebill", Query: q, Idempotent: true}, out); err != nil {
		return nil, err
	}
	if req.TarType != nil {
		out.tarType = *req.TarType
	}
	return out, nil
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
// GET /v3/bill/fundflowbill —
// https://pay.weixin.qq.com/docs/partner/apis/partner-mini-program-payment/get-fund-bill.html
func (s *Service) FundFlowBill(ctx context.Context, req *FundFlowBillRequest) (*FundFlowBillResponse, error) {
	var v validate.V
	if req == nil {
		v.Add("request", "is required")
		return nil, v.Err("bill.FundFlowBill")
	}
	checkDate(&v, req.BillDate)
	if req.AccountType != nil {
		validate.OneOf(&v, "account_type", *req.AccountType, []AccountType{AccountTypeBasic, AccountTypeOperation, AccountTypeFees})
	}
	checkTar(&v, req.TarType)
	if req.SubMchID != nil {
		v.Check(*req.SubMchID != "", "sub_mchid", "must not be empty when set")
		v.OptionalText("sub_mchid", req.SubMchID, 0)
	}
	if err := v.Err("bill.FundFlowBill"); err != nil {
		return nil, err
	}
	q := url.Values{"bill_date": {req.BillDate.String()}}
	if req.AccountType != nil {
		q.Set("account_type", string(*req.AccountType))
	}
	if req.SubMchID != nil {
		q.Set("sub_mchid", *req.SubMchID)
	}
	if req.TarType != nil {
		q.Set("tar_type", string(*req.TarType))
	}
	out := &FundFlowBillResponse{}
	if _, err := s.c.Do(ctx, &core.Request{Method: http.MethodGet, Path: "/v3/bill/fundflowbill", Query: q, Idempotent: true}, out); err != nil {
		return nil, err
	}
	if req.TarType != nil {
		out.tarType = *req.TarType
	}
	return out, nil
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
	BillSequence int      `json:"bill_sequence"` // order of the part, from 1
	DownloadURL  string   `json:"download_url"`
	EncryptKey   string   `json:"encrypt_key"` // the file's key, encrypted to the merchant certificate
	HashType     HashType `json:"hash_type"`   // SHA1
	HashValue    string   `json:"hash_value"`  // hex SHA-1 of the decrypted, decompressed part
	Nonce        string   `json:"nonce"`       // the GCM nonce of the part
}

// SubMerchantFundFlowBillResponse lists the encrypted parts of the bill.
// Pass it to Service.DownloadEncrypted through DownloadRequest.
type SubMerchantFundFlowBillResponse struct {
	core.ResponseMeta `json:"-"`
	DownloadBillCount int             `json:"download_bill_count"`
	DownloadBillList  []EncryptedFile `json:"download_bill_list,omitempty"`
	algorithm         Algorithm
	tarType           TarType
}

// DownloadRequest returns the request that downloads, decrypts, verifies
// and joins every part of this bill.
func (r *SubMerchantFundFlowBillResponse) DownloadRequest() *EncryptedDownloadRequest {
	return &EncryptedDownloadRequest{
		Count: r.DownloadBillCount, Files: append([]EncryptedFile(nil), r.DownloadBillList...),
		Algorithm: r.algorithm, TarType: r.tarType,
	}
}

// SubMerchantFundFlowBill applies for one sub-merchant's fund-flow bill (a
// service-provider API needing the 下载二级商户资金账单 permission). The bill
// comes as one or more encrypted parts; DownloadEncrypted decrypts each
// part's key with the merchant private key, decrypts the parts and joins
// them in sequence.
//
// GET /v3/bill/sub-merchant-fundflowbill —
// https://pay.weixin.qq.com/docs/partner/apis/partner-mini-program-payment/get-sub-mch-fund-flow-bill.html
func (s *Service) SubMerchantFundFlowBill(ctx context.Context, req *SubMerchantFundFlowBillRequest) (*SubMerchantFundFlowBillResponse, error) {
	var v validate.V
	if req == nil {
		v.Add("request", "is required")
		return nil, v.Err("bill.SubMerchantFundFlowBill")
	}
	v.RequiredText("sub_mchid", req.SubMchID, 32)
	checkDate(&v, req.BillDate)
	if v.Required("account_type", string(req.AccountType)) {
		validate.OneOf(&v, "account_type", req.AccountType, AccountType("").Values())
	}
	if v.Required("algorithm", string(req.Algorithm)) {
		validate.OneOf(&v, "algorithm", req.Algorithm, Algorithm("").Values())
	}
	checkTar(&v, req.TarType)
	if err := v.Err("bill.SubMerchantFundFlowBill"); err != nil {
		return nil, err
	}
	q := url.Values{
		"sub_mchid":    {req.SubMchID},
		"bill_date":    {req.BillDate.String()},
		"account_type": {string(req.AccountType)},
		"algorithm":    {string(req.Algorithm)},
	}
	if req.TarType != nil {
		q.Set("tar_type", string(*req.TarType))
	}
	out := &SubMerchantFundFlowBillResponse{}
	if _, err := s.c.Do(ctx, &core.Request{Method: http.MethodGet, Path: "/v3/bill/sub-merchant-fundflowbill", Query: q, Idempotent: true}, out); err != nil {
		return nil, err
	}
	out.algorithm = req.Algorithm
	if req.TarType != nil {
		out.tarType = *req.TarType
	}
	return out, nil
}

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
