package bill_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/bill"
	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/internal/wiretest"
)

const docHash = "79bb0f45fc4c42234a918000b2668d689e2bde04" // the documented hash_value example

// requestTypes walks every request type of the package: its zero value, the
// fields the zero value must be refused for, and a documented valid example.
var requestTypes = []struct {
	zero     core.Validator
	required []string
	valid    core.Validator
	noAlloc  bool // validating the valid example allocates nothing
}{
	{&bill.TradeBillRequest{}, []string{"bill_date"},
		&bill.TradeBillRequest{BillDate: bill.NewDate(2019, 6, 11), SubMchID: core.Ptr("19000000001"), BillType: core.Ptr(bill.BillTypeAll), TarType: core.Ptr(bill.TarTypeGzip)}, true},
	{&bill.FundFlowBillRequest{}, []string{"bill_date"},
		&bill.FundFlowBillRequest{BillDate: bill.NewDate(2019, 6, 11), AccountType: core.Ptr(bill.AccountTypeBasic), TarType: core.Ptr(bill.TarTypeGzip)}, true},
	{&bill.SubMerchantFundFlowBillRequest{}, []string{"sub_mchid", "bill_date", "account_type", "algorithm"},
		&bill.SubMerchantFundFlowBillRequest{SubMchID: "19000000001", BillDate: bill.NewDate(2019, 8, 17), AccountType: bill.AccountTypeBasic,
			Algorithm: bill.AlgorithmAES256GCM, TarType: core.Ptr(bill.TarTypeGzip)}, true},
	// The download requests' rules live with the download code, which
	// decodes the hex digest and sorts the parts: a few allocations next to
	// a file download.
	{&bill.DownloadRequest{}, []string{"download_url", "hash_value"},
		&bill.DownloadRequest{DownloadURL: "https://api.mch.weixin.qq.com/v3/billdownload/file?token=6XIv5TUPto7pByrTQKhd6kwvyKLG2uY2wMMR8cNXqaA_Cv_isgaUtBzp4QtiozLO",
			HashType: bill.HashTypeSHA1, HashValue: docHash, TarType: bill.TarTypeGzip}, false},
	{&bill.EncryptedDownloadRequest{}, []string{"download_bill_list"},
		&bill.EncryptedDownloadRequest{Count: 1, Algorithm: bill.AlgorithmAES256GCM, Files: []bill.EncryptedFile{{
			BillSequence: 1, DownloadURL: "https://api.mch.weixin.qq.com/v3/billdownload/file?token=xxx", EncryptKey: "a0YK7p/u2rz1nBk3VjJWJ8aAPkbXqoG5C3FXwsvBAA6oQ1bgsnPRB0", HashType: bill.HashTypeSHA1,
			HashValue: docHash, Nonce: "750e2ee2a6d9",
		}}}, false},
}

func TestEveryRequestTypeValidates(t *testing.T) {
	for _, rt := range requestTypes {
		ve := wiretest.RequireValidation(t, rt.zero.Validate(), rt.required...)
		assert.Len(t, ve.Problems, len(rt.required), "%T: %v", rt.zero, ve)
		assert.True(t, strings.HasPrefix(ve.Op, "bill."), ve.Op)
		assert.NoError(t, rt.valid.Validate(), "%T", rt.valid)
		if rt.noAlloc {
			assert.Zero(t, testing.AllocsPerRun(20, func() { _ = rt.valid.Validate() }), "%T allocates when valid", rt.valid)
		}
	}
	// A nil request of each type is reported, never a panic.
	for _, nilReq := range []core.Validator{
		(*bill.TradeBillRequest)(nil), (*bill.FundFlowBillRequest)(nil), (*bill.SubMerchantFundFlowBillRequest)(nil),
		(*bill.DownloadRequest)(nil), (*bill.EncryptedDownloadRequest)(nil),
	} {
		ve := wiretest.RequireValidation(t, nilReq.Validate(), "request")
		assert.Len(t, ve.Problems, 1)
	}
}

// Each method runs the request's Validate and sends nothing when it fails;
// the download methods add their destination.
func TestMethodsRunValidateFirst(t *testing.T) {
	e := newEnv(t)
	tb := &bill.TradeBillRequest{SubMchID: core.Ptr("")}
	_, err := e.svc.TradeBill(ctx, tb)
	assert.Equal(t, tb.Validate(), err)
	ff := &bill.FundFlowBillRequest{AccountType: core.Ptr(bill.AccountTypeDeposit)}
	_, err = e.svc.FundFlowBill(ctx, ff)
	assert.Equal(t, ff.Validate(), err)
	sm := &bill.SubMerchantFundFlowBillRequest{SubMchID: strings.Repeat("1", 33)}
	_, err = e.svc.SubMerchantFundFlowBill(ctx, sm)
	assert.Equal(t, sm.Validate(), err)

	dr := &bill.DownloadRequest{DownloadURL: "ftp://x", HashValue: "zz"}
	_, err = e.svc.Download(ctx, dr, nil)
	wiretest.RequireValidation(t, err, "download_url", "hash_value", "destination")
	wiretest.RequireValidation(t, dr.Validate(), "download_url", "hash_value")
	assert.False(t, dr.Validate().(*core.ValidationError).Has("destination"), "the destination is the method's, not the request's")
	edr := &bill.EncryptedDownloadRequest{Count: 2, Files: []bill.EncryptedFile{{BillSequence: 2}}}
	_, err = e.svc.DownloadEncrypted(ctx, edr, &bytes.Buffer{})
	wiretest.RequireValidation(t, err, "download_bill_count", "download_bill_list[0].bill_sequence")
	wiretest.RequireValidation(t, edr.Validate(), "download_bill_count", "download_bill_list[0].bill_sequence", "download_bill_list[0].nonce")
	require.Empty(t, e.requests())
}

// A download URL with a dot-segment, plain or percent-encoded, is refused by
// core before anything is signed or sent.
func TestDownloadURLWithDotSegmentsIsRefused(t *testing.T) {
	e := newEnv(t)
	for _, u := range []string{
		e.sb.URL + "/v3/billdownload/../bill/tradebill?bill_date=2026-11-24",
		e.sb.URL + "/v3/billdownload/%2e%2e/file?token=x",
		e.sb.URL + "/v3/./billdownload/file?token=x",
	} {
		_, err := e.svc.Download(ctx, &bill.DownloadRequest{DownloadURL: u, HashValue: docHash}, &bytes.Buffer{})
		wiretest.RequireValidation(t, err, "path")
	}
	require.Empty(t, e.requests())
}

func TestNewServiceRefusesNilClient(t *testing.T) {
	require.PanicsWithValue(t, "bill.NewService: nil *core.Client; build one with core.NewClient", func() { bill.NewService(nil) })
}

// BenchmarkValidate shows that validating a valid apply request costs no
// allocation (0 allocs/op): messages are built only for broken rules.
func BenchmarkValidate(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		for _, rt := range requestTypes[:3] {
			if rt.valid.Validate() != nil {
				b.Fatal("valid request refused")
			}
		}
	}
}
