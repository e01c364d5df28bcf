package bill_test

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/wechatpay-apiv3/wechatpay-go/utils"

	"github.com/wechatpay-biz/wechatpay-biz-go/bill"
	"github.com/wechatpay-biz/wechatpay-biz-go/core"
)

var ctx = context.Background()

func requireAPIError(t *testing.T, err error, status int, code string) *core.APIError {
	t.Helper()
	ae, ok := core.IsAPIError(err)
	require.True(t, ok, "want *core.APIError, got %v", err)
	require.Equal(t, status, ae.StatusCode)
	require.Equal(t, code, ae.Code)
	require.NotEmpty(t, ae.RequestID, "sandbox errors carry a Request-ID")
	return ae
}

func requireValidation(t *testing.T, e *env, err error, fields ...string) {
	t.Helper()
	var ve *core.ValidationError
	require.True(t, errors.As(err, &ve), "want *core.ValidationError, got %v", err)
	for _, f := range fields {
		require.True(t, ve.Has(f), "problem with %s expected in %v", f, err)
	}
	require.Empty(t, e.requests(), "nothing is sent when validation fails")
}

func TestTradeBillWireFormat(t *testing.T) {
	e := newEnv(t)
	seed(e.sb)
	resp, err := e.svc.TradeBill(ctx, &bill.TradeBillRequest{
		BillDate: billDay, SubMchID: core.Ptr("1900000200"), BillType: core.Ptr(bill.BillTypeAll), TarType: core.Ptr(bill.TarTypeGzip),
	})
	require.NoError(t, err)
	reqs := e.requests()
	require.Len(t, reqs, 1)
	got := reqs[0]
	require.Equal(t, http.MethodGet, got.Method)
	require.Equal(t, "/v3/bill/tradebill", got.Path)
	require.Equal(t, map[string][]string{"bill_date": {"2026-11-24"}, "sub_mchid": {"1900000200"}, "bill_type": {"ALL"}, "tar_type": {"GZIP"}}, got.Query)
	require.Empty(t, got.Body)
	require.True(t, got.SignatureOK, "Authorization signs method, path with query and empty body")

	require.Equal(t, bill.HashTypeSHA1, resp.HashType)
	require.Len(t, resp.HashValue, 40)
	require.True(t, strings.HasPrefix(resp.DownloadURL, e.sb.URL+"/v3/billdownload/file?token="), resp.DownloadURL)
	require.NotEmpty(t, resp.RequestID)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	dr := resp.DownloadRequest()
	require.Equal(t, bill.TarTypeGzip, dr.TarType)
	require.Equal(t, resp.HashValue, dr.HashValue)

	// Only bill_date is required; nothing optional is sent when unset.
	e.reset()
	_, err = e.svc.TradeBill(ctx, &bill.TradeBillRequest{BillDate: billDay})
	require.NoError(t, err)
	require.Equal(t, "/v3/bill/tradebill?bill_date=2026-11-24", e.requests()[0].RequestURI)
}

func TestTradeBillErrors(t *testing.T) {
	e := newEnv(t)
	_, err := e.svc.TradeBill(ctx, &bill.TradeBillRequest{BillDate: billDay})
	ae := requireAPIError(t, err, 400, "NO_STATEMENT_EXIST")
	require.Equal(t, "/v3/bill/tradebill", ae.Path)
	require.Contains(t, err.Error(), ae.RequestID)

	_, err = e.svc.TradeBill(ctx, &bill.TradeBillRequest{BillDate: bill.DateOf(today)})
	requireAPIError(t, err, 400, "STATEMENT_CREATING")

	_, err = e.svc.TradeBill(ctx, &bill.TradeBillRequest{BillDate: bill.DateOf(today).AddDays(1)})
	ae = requireAPIError(t, err, 400, "PARAM_ERROR")
	require.Equal(t, "bill_date", ae.Detail.Field)

	_, err = e.svc.TradeBill(ctx, &bill.TradeBillRequest{BillDate: bill.DateOf(today).AddDays(-100)})
	requireAPIError(t, err, 400, "PARAM_ERROR")

	seed(e.sb)
	e.sb.ProbeNext(1)
	_, err = e.svc.TradeBill(ctx, &bill.TradeBillRequest{BillDate: billDay})
	require.ErrorIs(t, err, core.ErrInvalidSignature, "the apply answer is signed and verified")
}

func TestTradeBillValidation(t *testing.T) {
	e := newEnv(t)
	_, err := e.svc.TradeBill(ctx, nil)
	requireValidation(t, e, err, "request")
	_, err = e.svc.TradeBill(ctx, &bill.TradeBillRequest{
		SubMchID: core.Ptr("1234567890123"), BillType: core.Ptr(bill.BillType("DAILY")), TarType: core.Ptr(bill.TarType("ZIP")),
	})
	requireValidation(t, e, err, "bill_date", "sub_mchid", "bill_type", "tar_type")
	_, err = e.svc.TradeBill(ctx, &bill.TradeBillRequest{BillDate: bill.Date{Year: 2026, Month: 2, Day: 30}})
	requireValidation(t, e, err, "bill_date")
}

func TestFundFlowBillWireAndErrors(t *testing.T) {
	e := newEnv(t)
	seed(e.sb)
	resp, err := e.svc.FundFlowBill(ctx, &bill.FundFlowBillRequest{BillDate: billDay, AccountType: core.Ptr(bill.AccountTypeBasic), TarType: core.Ptr(bill.TarTypeGzip)})
	require.NoError(t, err)
	got := e.requests()[0]
	require.Equal(t, http.MethodGet, got.Method)
	require.Equal(t, "/v3/bill/fundflowbill", got.Path)
	require.Equal(t, map[string][]string{"bill_date": {"2026-11-24"}, "account_type": {"BASIC"}, "tar_type": {"GZIP"}}, got.Query)
	require.True(t, got.SignatureOK)
	require.Equal(t, bill.HashTypeSHA1, resp.HashType)
	require.NotEmpty(t, resp.RequestID)

	_, err = e.svc.FundFlowBill(ctx, &bill.FundFlowBillRequest{BillDate: billDay, AccountType: core.Ptr(bill.AccountTypeOperation)})
	requireAPIError(t, err, 400, "NO_STATEMENT_EXIST")

	// The optional sub_mchid the API description lists, sent only when set.
	e.reset()
	_, err = e.svc.FundFlowBill(ctx, &bill.FundFlowBillRequest{BillDate: billDay, SubMchID: core.Ptr("1900000200")})
	require.NoError(t, err)
	require.Equal(t, "/v3/bill/fundflowbill?bill_date=2026-11-24&sub_mchid=1900000200", e.requests()[0].RequestURI)
	e.reset()
	_, err = e.svc.FundFlowBill(ctx, &bill.FundFlowBillRequest{BillDate: billDay})
	require.NoError(t, err)
	require.Equal(t, "/v3/bill/fundflowbill?bill_date=2026-11-24", e.requests()[0].RequestURI)

	e.reset()
	_, err = e.svc.FundFlowBill(ctx, &bill.FundFlowBillRequest{AccountType: core.Ptr(bill.AccountTypeDeposit), SubMchID: core.Ptr("")})
	requireValidation(t, e, err, "bill_date", "account_type", "sub_mchid")
	_, err = e.svc.FundFlowBill(ctx, nil)
	requireValidation(t, e, err, "request")
}

func TestSubMerchantFundFlowBillWireAndErrors(t *testing.T) {
	e := newEnv(t)
	seed(e.sb)
	resp, err := e.svc.SubMerchantFundFlowBill(ctx, &bill.SubMerchantFundFlowBillRequest{
		SubMchID: "1900000200", BillDate: billDay, AccountType: bill.AccountTypeBasic, Algorithm: bill.AlgorithmAES256GCM,
	})
	require.NoError(t, err)
	got := e.requests()[0]
	require.Equal(t, http.MethodGet, got.Method)
	require.Equal(t, "/v3/bill/sub-merchant-fundflowbill", got.Path)
	require.Equal(t, map[string][]string{"sub_mchid": {"1900000200"}, "bill_date": {"2026-11-24"}, "account_type": {"BASIC"}, "algorithm": {"AEAD_AES_256_GCM"}}, got.Query)
	require.True(t, got.SignatureOK)
	require.Equal(t, 1, resp.DownloadBillCount)
	require.Len(t, resp.DownloadBillList, 1)
	f := resp.DownloadBillList[0]
	require.Equal(t, 1, f.BillSequence)
	require.Len(t, f.Nonce, 12)
	require.NotEmpty(t, f.EncryptKey)
	require.NotEmpty(t, resp.RequestID)

	_, err = e.svc.SubMerchantFundFlowBill(ctx, &bill.SubMerchantFundFlowBillRequest{
		SubMchID: "1900000999", BillDate: billDay, AccountType: bill.AccountTypeBasic, Algorithm: bill.AlgorithmAES256GCM,
	})
	requireAPIError(t, err, 400, "NO_STATEMENT_EXIST")

	e.reset()
	_, err = e.svc.SubMerchantFundFlowBill(ctx, &bill.SubMerchantFundFlowBillRequest{AccountType: "ALL", Algorithm: "RSA"})
	requireValidation(t, e, err, "sub_mchid", "bill_date", "account_type", "algorithm")
	_, err = e.svc.SubMerchantFundFlowBill(ctx, &bill.SubMerchantFundFlowBillRequest{SubMchID: "1900000200", BillDate: billDay})
	requireValidation(t, e, err, "account_type", "algorithm")
}

// sumTrade reads a trade bill and checks its summary row against the sum of
// its rows.
func sumTrade(t *testing.T, r io.Reader) ([]*bill.TradeBillRow, *bill.TradeBillSummary) {
	t.Helper()
	br := bill.NewTradeBillReader(r)
	var rows []*bill.TradeBillRow
	var sum bill.TradeBillSummary
	for row, err := range br.All() {
		require.NoError(t, err)
		rows = append(rows, row)
		sum.Count++
		sum.SettlementFen += row.SettlementFen
		sum.RefundFen += row.RefundFen
		sum.RechargeRefundFen += row.RechargeRefundFen
		sum.Fee += row.Fee
		sum.OrderFen += row.OrderFen
		sum.RefundApplyFen += row.RefundApplyFen
	}
	s := br.Summary()
	require.NotNil(t, s)
	sum.Line, sum.Extra = s.Line, s.Extra
	require.Equal(t, *s, sum, "summary row equals the sum of the rows")
	return rows, s
}

func TestDownloadPlainAndGzipVerified(t *testing.T) {
	for _, tar := range []*bill.TarType{nil, core.Ptr(bill.TarTypeGzip)} {
		name := "plain"
		if tar != nil {
			name = "gzip"
		}
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			seed(e.sb)
			resp, err := e.svc.TradeBill(ctx, &bill.TradeBillRequest{BillDate: billDay, TarType: tar})
			require.NoError(t, err)
			e.reset()
			var buf bytes.Buffer
			res, err := e.svc.Download(ctx, resp.DownloadRequest(), &buf)
			require.NoError(t, err)
			require.Equal(t, resp.HashValue, res.SHA1)
			require.Equal(t, int64(buf.Len()), res.Size)
			require.Equal(t, 1, res.Files)
			require.Len(t, res.RequestIDs, 1)
			require.NotEmpty(t, res.RequestIDs[0])

			dl := e.requests()[0]
			require.Equal(t, http.MethodGet, dl.Method)
			require.Equal(t, "/v3/billdownload/file", dl.Path)
			require.Equal(t, strings.TrimPrefix(resp.DownloadURL, e.sb.URL), dl.RequestURI, "download_url called exactly as given")
			require.Equal(t, strings.TrimPrefix(e.sb.URL, "http://"), dl.Host)
			require.True(t, dl.SignatureOK, "the download is a signed GET")

			rows, s := sumTrade(t, &buf)
			require.Len(t, rows, 5)
			require.Equal(t, int64(5), s.Count)
			require.Equal(t, int64(10000+1234+5000), s.SettlementFen)
			require.Equal(t, int64(3000+5000), s.RefundFen)
			require.Equal(t, `咖啡, "大杯"`, rows[0].Product)
			require.Equal(t, "line1\nline2", rows[0].Attach)
			require.Equal(t, "ORDER-1", rows[3].OutTradeNo, "refund rows name their payment's order")
			require.Equal(t, "1900000200", rows[2].SubMchID)
			require.Equal(t, "0", rows[0].SubMchID)
		})
	}
}

func TestEveryBillTypeFromTheSandbox(t *testing.T) {
	e := newEnv(t)
	seed(e.sb)
	for _, c := range []struct {
		bt     bill.BillType
		layout bill.Layout
		rows   int
	}{{bill.BillTypeAll, bill.LayoutAll, 5}, {bill.BillTypeSuccess, bill.LayoutSuccess, 3}, {bill.BillTypeRefund, bill.LayoutRefund, 2}} {
		resp, err := e.svc.TradeBill(ctx, &bill.TradeBillRequest{BillDate: billDay, BillType: core.Ptr(c.bt)})
		require.NoError(t, err)
		var buf bytes.Buffer
		_, err = e.svc.Download(ctx, resp.DownloadRequest(), &buf)
		require.NoError(t, err)
		br := bill.NewTradeBillReader(bytes.NewReader(buf.Bytes()))
		_, err = br.Header()
		require.NoError(t, err)
		require.Equal(t, c.layout, br.Layout())
		rows, _ := sumTrade(t, &buf)
		require.Len(t, rows, c.rows, c.bt)
	}
	// One sub-merchant only.
	resp, err := e.svc.TradeBill(ctx, &bill.TradeBillRequest{BillDate: billDay, SubMchID: core.Ptr("1900000200")})
	require.NoError(t, err)
	var buf bytes.Buffer
	_, err = e.svc.Download(ctx, resp.DownloadRequest(), &buf)
	require.NoError(t, err)
	rows, _ := sumTrade(t, &buf)
	require.Len(t, rows, 2)
}

func TestFundFlowDownloadParsed(t *testing.T) {
	e := newEnv(t)
	seed(e.sb)
	resp, err := e.svc.FundFlowBill(ctx, &bill.FundFlowBillRequest{BillDate: billDay, TarType: core.Ptr(bill.TarTypeGzip)})
	require.NoError(t, err)
	var buf bytes.Buffer
	_, err = e.svc.Download(ctx, resp.DownloadRequest(), &buf)
	require.NoError(t, err)
	s := sumFundFlow(t, &buf)
	// 3 payments + 3 fees, 2 refunds + 2 returned fees.
	require.Equal(t, bill.FundFlowSummary{Line: s.Line, Count: 10, IncomeCount: 5, IncomeFen: 10000 + 1234 + 5000 + 18 + 30, ExpenseCount: 5, ExpenseFen: 60 + 7 + 30 + 3000 + 5000}, *s)
}

func sumFundFlow(t *testing.T, r io.Reader) *bill.FundFlowSummary {
	t.Helper()
	fr := bill.NewFundFlowReader(r)
	var got bill.FundFlowSummary
	for row, err := range fr.All() {
		require.NoError(t, err)
		got.Count++
		if row.Direction == bill.Income {
			got.IncomeCount++
			got.IncomeFen += row.AmountFen
		} else {
			require.Equal(t, bill.Expense, row.Direction)
			got.ExpenseCount++
			got.ExpenseFen += row.AmountFen
		}
	}
	s := fr.Summary()
	require.NotNil(t, s)
	got.Line, got.Extra = s.Line, s.Extra
	require.Equal(t, *s, got, "summary row equals the sum of the rows")
	return s
}

func TestTamperedFileAndWrongHashRejected(t *testing.T) {
	e := newEnv(t)
	seed(e.sb)
	dir := t.TempDir()
	final := filepath.Join(dir, "trade.csv")

	e.sb.BillSetTamper(true)
	for _, tar := range []*bill.TarType{nil, core.Ptr(bill.TarTypeGzip)} {
		resp, err := e.svc.TradeBill(ctx, &bill.TradeBillRequest{BillDate: billDay, TarType: tar})
		require.NoError(t, err)
		_, err = e.svc.DownloadToFile(ctx, resp.DownloadRequest(), final)
		require.ErrorIs(t, err, bill.ErrHashMismatch)
		require.Contains(t, err.Error(), "request id")
		requireEmptyDir(t, dir)
	}
	e.sb.BillSetTamper(false)

	resp, err := e.svc.TradeBill(ctx, &bill.TradeBillRequest{BillDate: billDay})
	require.NoError(t, err)
	wrong := resp.DownloadRequest()
	wrong.HashValue = strings.Repeat("0", 40)
	_, err = e.svc.DownloadToFile(ctx, wrong, final)
	require.ErrorIs(t, err, bill.ErrHashMismatch)
	require.Contains(t, err.Error(), "request id")
	requireEmptyDir(t, dir)

	// The honest file lands under its final name, verified.
	res, err := e.svc.DownloadToFile(ctx, resp.DownloadRequest(), final)
	require.NoError(t, err)
	require.Equal(t, resp.HashValue, res.SHA1)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1)
	require.Equal(t, "trade.csv", entries[0].Name())
	info, err := os.Stat(final)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	f, err := os.Open(final)
	require.NoError(t, err)
	defer f.Close()
	sumTrade(t, f)
}

func requireEmptyDir(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Empty(t, entries, "no file, final or temporary, is left behind")
}

func TestDownloadTokenExpires(t *testing.T) {
	e := newEnv(t)
	seed(e.sb)
	resp, err := e.svc.TradeBill(ctx, &bill.TradeBillRequest{BillDate: billDay})
	require.NoError(t, err)
	e.advance(5*time.Minute + time.Second)
	_, err = e.svc.Download(ctx, resp.DownloadRequest(), io.Discard)
	ae := requireAPIError(t, err, 400, "INVALID_REQUEST")
	require.Equal(t, "/v3/billdownload/file", ae.Path)
}

func TestDownloadSizeCap(t *testing.T) {
	e := newEnv(t)
	seed(e.sb)
	resp, err := e.svc.TradeBill(ctx, &bill.TradeBillRequest{BillDate: billDay, TarType: core.Ptr(bill.TarTypeGzip)})
	require.NoError(t, err)
	req := resp.DownloadRequest()
	req.MaxSize = 100
	var buf bytes.Buffer
	_, err = e.svc.Download(ctx, req, &buf)
	require.ErrorIs(t, err, bill.ErrFileTooLarge)
	require.LessOrEqual(t, buf.Len(), 101)
}

func TestDownloadValidation(t *testing.T) {
	e := newEnv(t)
	_, err := e.svc.Download(ctx, nil, io.Discard)
	requireValidation(t, e, err, "request")
	_, err = e.svc.Download(ctx, &bill.DownloadRequest{DownloadURL: "/v3/billdownload/file?token=x", HashType: "MD5", HashValue: "xyz", TarType: "ZIP"}, nil)
	requireValidation(t, e, err, "download_url", "hash_type", "hash_value", "tar_type", "destination")
	_, err = e.svc.DownloadToFile(ctx, &bill.DownloadRequest{DownloadURL: e.sb.URL + "/v3/billdownload/file?token=x"}, "")
	requireValidation(t, e, err, "hash_value", "destination")
	_, err = e.svc.DownloadEncrypted(ctx, &bill.EncryptedDownloadRequest{Algorithm: bill.AlgorithmSM4GCM}, io.Discard)
	requireValidation(t, e, err, "algorithm", "download_bill_list")
	_, err = e.svc.DownloadEncrypted(ctx, &bill.EncryptedDownloadRequest{Count: 3, Files: []bill.EncryptedFile{
		{BillSequence: 2, DownloadURL: "https://api.mch.weixin.qq.com/v3/billdownload/file?token=a", EncryptKey: "k", Nonce: "abcdefghijkl", HashValue: strings.Repeat("a", 40)},
	}}, io.Discard)
	requireValidation(t, e, err, "download_bill_count", "download_bill_list[0].bill_sequence")
}

func TestSubMerchantBillDecryptedAndJoined(t *testing.T) {
	for _, tar := range []*bill.TarType{nil, core.Ptr(bill.TarTypeGzip)} {
		e := newEnv(t)
		seed(e.sb)
		e.sb.BillSetSplitSize(200) // several encrypted parts
		resp, err := e.svc.SubMerchantFundFlowBill(ctx, &bill.SubMerchantFundFlowBillRequest{
			SubMchID: "1900000200", BillDate: billDay, AccountType: bill.AccountTypeBasic, Algorithm: bill.AlgorithmAES256GCM, TarType: tar,
		})
		require.NoError(t, err)
		require.Greater(t, resp.DownloadBillCount, 2)
		req := resp.DownloadRequest()
		// Parts are joined by bill_sequence, whatever their order in the list.
		req.Files[0], req.Files[len(req.Files)-1] = req.Files[len(req.Files)-1], req.Files[0]
		e.reset()
		var buf bytes.Buffer
		res, err := e.svc.DownloadEncrypted(ctx, req, &buf)
		require.NoError(t, err)
		require.Equal(t, resp.DownloadBillCount, res.Files)
		require.Len(t, e.requests(), res.Files)
		for _, r := range e.requests() {
			require.True(t, r.SignatureOK)
			require.Equal(t, "/v3/billdownload/file", r.Path)
		}
		s := sumFundFlow(t, &buf)
		// The sub-merchant's payment, its fee, its refund and the returned fee.
		require.Equal(t, bill.FundFlowSummary{Line: s.Line, Count: 4, IncomeCount: 2, IncomeFen: 5000 + 30, ExpenseCount: 2, ExpenseFen: 30 + 5000}, *s)
	}
}

func TestSubMerchantBillTamperingRejected(t *testing.T) {
	e := newEnv(t)
	seed(e.sb)
	apply := func() *bill.EncryptedDownloadRequest {
		resp, err := e.svc.SubMerchantFundFlowBill(ctx, &bill.SubMerchantFundFlowBillRequest{
			SubMchID: "1900000200", BillDate: billDay, AccountType: bill.AccountTypeBasic, Algorithm: bill.AlgorithmAES256GCM,
		})
		require.NoError(t, err)
		return resp.DownloadRequest()
	}
	dir := t.TempDir()
	final := filepath.Join(dir, "sub.csv")

	e.sb.BillSetTamper(true)
	_, err := e.svc.DownloadEncryptedToFile(ctx, apply(), final)
	require.ErrorIs(t, err, bill.ErrHashMismatch)
	requireEmptyDir(t, dir)
	e.sb.BillSetTamper(false)

	// Ciphertext altered on the way: GCM authentication fails.
	req := apply()
	e.sb.SetHook(func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != "/v3/billdownload/file" {
			return false
		}
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(bytes.Repeat([]byte{0x42}, 300))
		return true
	})
	_, err = e.svc.DownloadEncryptedToFile(ctx, req, final)
	require.ErrorIs(t, err, bill.ErrDecrypt)
	requireEmptyDir(t, dir)
	e.sb.SetHook(nil)

	// A key that is not ours.
	req = apply()
	req.Files[0].EncryptKey = "bm90IGEga2V5"
	_, err = e.svc.DownloadEncrypted(ctx, req, io.Discard)
	require.ErrorContains(t, err, "encrypt_key")
}

func TestResponsesAreVerified(t *testing.T) {
	e := newEnv(t)
	seed(e.sb)
	e.sb.ProbeNext(1)
	_, err := e.svc.FundFlowBill(ctx, &bill.FundFlowBillRequest{BillDate: billDay})
	require.ErrorIs(t, err, core.ErrInvalidSignature)
	e.sb.ProbeNext(1)
	_, err = e.svc.SubMerchantFundFlowBill(ctx, &bill.SubMerchantFundFlowBillRequest{
		SubMchID: "1900000200", BillDate: billDay, AccountType: bill.AccountTypeBasic, Algorithm: bill.AlgorithmAES256GCM,
	})
	require.ErrorIs(t, err, core.ErrInvalidSignature)
}

func TestDownloadEncryptedAPIError(t *testing.T) {
	e := newEnv(t)
	seed(e.sb)
	resp, err := e.svc.SubMerchantFundFlowBill(ctx, &bill.SubMerchantFundFlowBillRequest{
		SubMchID: "1900000200", BillDate: billDay, AccountType: bill.AccountTypeBasic, Algorithm: bill.AlgorithmAES256GCM,
	})
	require.NoError(t, err)
	e.advance(6 * time.Minute)
	_, err = e.svc.DownloadEncrypted(ctx, resp.DownloadRequest(), io.Discard)
	requireAPIError(t, err, 400, "INVALID_REQUEST")
	require.Contains(t, err.Error(), "part 1 of 1")
}

// The API paths are relative to the client's base URL: mounted under a
// prefix, every call lands under it (an absolute path would not).
func TestPathsAreRelativeToTheBaseURL(t *testing.T) {
	e := newEnv(t)
	var mu sync.Mutex
	var paths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.URL.RequestURI())
		mu.Unlock()
		w.Header().Set("Request-ID", "prefix-test")
		w.WriteHeader(http.StatusNotFound)
	}))
	defer srv.Close()
	c, err := e.sb.Client(core.WithBaseURL(srv.URL+"/prefix"), core.WithRetry(core.NoRetry))
	require.NoError(t, err)
	svc := bill.NewService(c)
	_, err = svc.TradeBill(ctx, &bill.TradeBillRequest{BillDate: billDay})
	require.Equal(t, "prefix-test", core.RequestIDOf(err))
	_, err = svc.FundFlowBill(ctx, &bill.FundFlowBillRequest{BillDate: billDay})
	require.Error(t, err)
	_, err = svc.SubMerchantFundFlowBill(ctx, &bill.SubMerchantFundFlowBillRequest{SubMchID: "1", BillDate: billDay, AccountType: bill.AccountTypeFees, Algorithm: bill.AlgorithmAES256GCM})
	require.Error(t, err)
	require.Equal(t, []string{
		"/prefix/v3/bill/tradebill?bill_date=2026-11-24",
		"/prefix/v3/bill/fundflowbill?bill_date=2026-11-24",
		"/prefix/v3/bill/sub-merchant-fundflowbill?account_type=FEES&algorithm=AEAD_AES_256_GCM&bill_date=2026-11-24&sub_mchid=1",
	}, paths)
}

// The parts WeChat Pay documents: a 16-character nonce ("a8607ef79034c49c"
// in its example) and a key that may decrypt to raw bytes, Base64 or hex.
// Every form is decrypted, verified and parsed.
func TestDownloadEncryptedNonceAndKeyForms(t *testing.T) {
	plain := "记账时间,微信支付业务单号,资金流水单号,业务名称,业务类型,收支类型,收支金额(元),账户结余(元),资金变更提交申请人,备注,业务凭证号\r\n" +
		"`2026-11-24 09:00:00,`4200,`1900000109202611240000001,`交易,`交易,`收入,`100.00,`10100.00,`system,`,`4200\r\n" +
		"资金流水总笔数,收入笔数,收入金额,支出笔数,支出金额\r\n`1,`1,`100.00,`0,`0.00\r\n"
	sum := sha1.Sum([]byte(plain))
	raw := []byte("0123456789abcdef0123456789abcdef")
	for name, tc := range map[string]struct{ nonce, key string }{
		"16-char nonce, raw key": {"a8607ef79034c49c", string(raw)},
		"12-char nonce, base64":  {"abcdefghijkl", base64.StdEncoding.EncodeToString(raw)},
		"16-char nonce, hex key": {"a8607ef79034c49c", hex.EncodeToString(raw)},
	} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			block, err := aes.NewCipher(raw)
			require.NoError(t, err)
			aead, err := cipher.NewGCMWithNonceSize(block, len(tc.nonce))
			require.NoError(t, err)
			ct := aead.Seal(nil, []byte(tc.nonce), []byte(plain), nil)
			e.sb.SetHook(func(w http.ResponseWriter, r *http.Request) bool {
				w.Header().Set("Request-ID", "dl-1")
				_, _ = w.Write(ct)
				return true
			})
			encKey, err := utils.EncryptOAEPWithPublicKey(tc.key, &e.sb.MerchantPrivateKey.PublicKey)
			require.NoError(t, err)
			var buf bytes.Buffer
			res, err := e.svc.DownloadEncrypted(ctx, &bill.EncryptedDownloadRequest{
				Count: 1, Algorithm: bill.AlgorithmAES256GCM,
				Files: []bill.EncryptedFile{{BillSequence: 1, DownloadURL: e.sb.URL + "/v3/billdownload/file?token=t", EncryptKey: encKey,
					HashType: bill.HashTypeSHA1, HashValue: hex.EncodeToString(sum[:]), Nonce: tc.nonce}},
			}, &buf)
			require.NoError(t, err)
			require.Equal(t, plain, buf.String())
			require.Equal(t, []string{"dl-1"}, res.RequestIDs)
			s := sumFundFlow(t, &buf)
			require.Equal(t, int64(10000), s.IncomeFen)
		})
	}
}
