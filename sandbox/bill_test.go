package sandbox

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha1"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
)

// billNow is the tests' fixed time: 2026-11-25 12:00 in Shanghai.
var billNow = time.Date(2026, 11, 25, 12, 0, 0, 0, shanghai)

type billClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *billClock) get() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *billClock) add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func billSandbox(t *testing.T) (*Server, *core.Client, *billClock) {
	t.Helper()
	clk := &billClock{now: billNow}
	s, err := NewServer(WithClock(clk.get))
	require.NoError(t, err)
	t.Cleanup(s.Close)
	c, err := s.Client(core.WithRetry(core.NoRetry))
	require.NoError(t, err)
	at := func(h int) time.Time { return time.Date(2026, 11, 24, h, 0, 0, 0, shanghai) }
	s.Record(LedgerEntry{Time: at(9), AppID: s.AppID, TransactionID: "4200000001", OutTradeNo: "O-1", OpenID: "u1", TradeType: "JSAPI",
		TradeState: "SUCCESS", BankType: "OTHERS", AmountFen: 10000, CouponFen: 500, Product: "a,\"b\"\x01c", Attach: "x\r\ny"})
	s.Record(LedgerEntry{Time: at(10), AppID: s.AppID, SubMchID: "1900000200", TransactionID: "4200000002", OutTradeNo: "O-2", OpenID: "u2",
		TradeType: "MICROPAY", TradeState: "SUCCESS", BankType: "OTHERS", AmountFen: 2000, Product: "p2"})
	s.Record(LedgerEntry{Time: at(11), AppID: s.AppID, TransactionID: "4200000001", OpenID: "u1", TradeType: "JSAPI", TradeState: "REFUND",
		BankType: "OTHERS", RefundID: "5000000001", OutRefundNo: "R-1", RefundFen: 2500, Product: "a"})
	return s, c, clk
}

type billFileAnswer struct {
	core.ResponseMeta `json:"-"`
	HashType          string `json:"hash_type"`
	HashValue         string `json:"hash_value"`
	DownloadURL       string `json:"download_url"`
}

func billApply(t *testing.T, c *core.Client, path string, q url.Values) (*billFileAnswer, error) {
	t.Helper()
	var out billFileAnswer
	_, err := c.Do(context.Background(), &core.Request{Method: http.MethodGet, Path: path, Query: q}, &out)
	return &out, err
}

func billFetch(t *testing.T, c *core.Client, u string) ([]byte, *http.Response) {
	t.Helper()
	hr, err := c.Download(context.Background(), u)
	require.NoError(t, err)
	defer hr.Body.Close()
	require.Empty(t, hr.Header.Get("Wechatpay-Signature"), "bill files are unsigned")
	require.NotEmpty(t, hr.Header.Get("Request-ID"))
	b, err := io.ReadAll(hr.Body)
	require.NoError(t, err)
	return b, hr
}

func billCode(t *testing.T, err error, status int, code, field string) {
	t.Helper()
	ae, ok := core.IsAPIError(err)
	require.True(t, ok, "want an API error, got %v", err)
	require.Equal(t, status, ae.StatusCode)
	require.Equal(t, code, ae.Code)
	require.NotEmpty(t, ae.RequestID)
	if field != "" {
		require.NotNil(t, ae.Detail)
		require.Equal(t, field, ae.Detail.Field)
	}
}

func TestBillApplyRules(t *testing.T) {
	s, c, _ := billSandbox(t)
	q := func(kv ...string) url.Values {
		v := url.Values{}
		for i := 0; i < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	for name, tc := range map[string]struct {
		path   string
		q      url.Values
		status int
		code   string
		field  string
	}{
		"no date":          {"/v3/bill/tradebill", q(), 400, "PARAM_ERROR", "bill_date"},
		"bad date":         {"/v3/bill/tradebill", q("bill_date", "2026-11-4"), 400, "PARAM_ERROR", "bill_date"},
		"future":           {"/v3/bill/tradebill", q("bill_date", "2026-11-26"), 400, "PARAM_ERROR", "bill_date"},
		"today":            {"/v3/bill/tradebill", q("bill_date", "2026-11-25"), 400, "STATEMENT_CREATING", ""},
		"over 3 months":    {"/v3/bill/tradebill", q("bill_date", "2026-08-24"), 400, "PARAM_ERROR", "bill_date"},
		"bill type":        {"/v3/bill/tradebill", q("bill_date", "2026-11-24", "bill_type", "DAILY"), 400, "PARAM_ERROR", "bill_type"},
		"tar type":         {"/v3/bill/tradebill", q("bill_date", "2026-11-24", "tar_type", "ZIP"), 400, "PARAM_ERROR", "tar_type"},
		"sub_mchid long":   {"/v3/bill/tradebill", q("bill_date", "2026-11-24", "sub_mchid", "1234567890123"), 400, "PARAM_ERROR", "sub_mchid"},
		"no rows":          {"/v3/bill/tradebill", q("bill_date", "2026-11-23"), 400, "NO_STATEMENT_EXIST", ""},
		"recharge refund":  {"/v3/bill/tradebill", q("bill_date", "2026-11-24", "bill_type", "RECHARGE_REFUND"), 400, "NO_STATEMENT_EXIST", ""},
		"account type":     {"/v3/bill/fundflowbill", q("bill_date", "2026-11-24", "account_type", "DEPOSIT"), 400, "PARAM_ERROR", "account_type"},
		"fees account":     {"/v3/bill/fundflowbill", q("bill_date", "2026-11-24", "account_type", "FEES"), 400, "NO_STATEMENT_EXIST", ""},
		"flow sub no rows": {"/v3/bill/fundflowbill", q("bill_date", "2026-11-24", "sub_mchid", "1900000999"), 400, "NO_STATEMENT_EXIST", ""},
		"sub no sub_mchid": {"/v3/bill/sub-merchant-fundflowbill", q("bill_date", "2026-11-24", "account_type", "BASIC", "algorithm", "AEAD_AES_256_GCM"), 400, "PARAM_ERROR", "sub_mchid"},
		"sub no account":   {"/v3/bill/sub-merchant-fundflowbill", q("sub_mchid", "1900000200", "bill_date", "2026-11-24", "algorithm", "AEAD_AES_256_GCM"), 400, "PARAM_ERROR", "account_type"},
		"sub no algorithm": {"/v3/bill/sub-merchant-fundflowbill", q("sub_mchid", "1900000200", "bill_date", "2026-11-24", "account_type", "BASIC"), 400, "PARAM_ERROR", "algorithm"},
		"sub sm4":          {"/v3/bill/sub-merchant-fundflowbill", q("sub_mchid", "1900000200", "bill_date", "2026-11-24", "account_type", "BASIC", "algorithm", "SM4_GCM"), 400, "INVALID_REQUEST", ""},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := billApply(t, c, tc.path, tc.q)
			billCode(t, err, tc.status, tc.code, tc.field)
		})
	}

	// Today's bill on demand.
	s.Record(LedgerEntry{Time: billNow.Add(-time.Hour), AppID: s.AppID, TransactionID: "4200000009", OutTradeNo: "O-9", TradeType: "AUTH", TradeState: "SUCCESS", AmountFen: 1})
	s.BillServeToday(true)
	_, err := billApply(t, c, "/v3/bill/tradebill", q("bill_date", "2026-11-25"))
	require.NoError(t, err)
}

func TestBillTradeFileContent(t *testing.T) {
	_, c, _ := billSandbox(t)
	ans, err := billApply(t, c, "/v3/bill/tradebill", url.Values{"bill_date": {"2026-11-24"}})
	require.NoError(t, err)
	require.Equal(t, "SHA1", ans.HashType)
	body, hr := billFetch(t, c, ans.DownloadURL)
	require.Equal(t, "text/plain; charset=utf-8", hr.Header.Get("Content-Type"))
	sum := sha1.Sum(body)
	require.Equal(t, ans.HashValue, hex.EncodeToString(sum[:]))
	want := billHeaderAll + "\r\n" +
		"`2026-11-24 09:00:00,`wxd678efh567hg6787,`1900000109,`0,`,`4200000001,`O-1,`u1,`JSAPI,`SUCCESS,`OTHERS,`CNY,`100.00,`5.00,`0,`0,`0.00,`0.00,`,`,`a,\"b\" c,`x\\r\\ny,`0.60000,`0.60%,`105.00,`0.00,`\r\n" +
		"`2026-11-24 10:00:00,`wxd678efh567hg6787,`1900000109,`1900000200,`,`4200000002,`O-2,`u2,`MICROPAY,`SUCCESS,`OTHERS,`CNY,`20.00,`0.00,`0,`0,`0.00,`0.00,`,`,`p2,`,`0.12000,`0.60%,`20.00,`0.00,`\r\n" +
		"`2026-11-24 11:00:00,`wxd678efh567hg6787,`1900000109,`0,`,`4200000001,`O-1,`u1,`JSAPI,`REFUND,`OTHERS,`CNY,`0.00,`0.00,`5000000001,`R-1,`25.00,`0.00,`ORIGINAL,`SUCCESS,`a,`,`-0.15000,`0.60%,`0.00,`25.00,`\r\n" +
		billSumAll + "\r\n" +
		"`3,`120.00,`25.00,`0.00,`0.57000,`125.00,`25.00\r\n"
	require.Equal(t, want, string(body))

	// The same bill, gzip-compressed: the hash is over the decompressed file.
	gz, err := billApply(t, c, "/v3/bill/tradebill", url.Values{"bill_date": {"2026-11-24"}, "tar_type": {"GZIP"}})
	require.NoError(t, err)
	require.Equal(t, ans.HashValue, gz.HashValue)
	require.True(t, strings.HasSuffix(gz.DownloadURL, "&tartype=gzip"))
	zbody, hr := billFetch(t, c, gz.DownloadURL)
	require.Equal(t, "application/x-gzip", hr.Header.Get("Content-Type"))
	zr, err := gzip.NewReader(bytes.NewReader(zbody))
	require.NoError(t, err)
	plain, err := io.ReadAll(zr)
	require.NoError(t, err)
	require.Equal(t, want, string(plain))
}

func TestBillDownloadTokens(t *testing.T) {
	s, c, clk := billSandbox(t)
	ans, err := billApply(t, c, "/v3/bill/tradebill", url.Values{"bill_date": {"2026-11-24"}})
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(ans.DownloadURL, s.URL+"/v3/billdownload/file?token="), "download URLs point at the sandbox")

	// Unsigned download requests are refused like any API call.
	resp, err := http.Get(ans.DownloadURL)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)

	_, err = c.Download(context.Background(), s.URL+"/v3/billdownload/file?token=nope")
	billCode(t, err, 400, "PARAM_ERROR", "token")
	_, err = c.Download(context.Background(), s.URL+"/v3/billdownload/file")
	billCode(t, err, 400, "PARAM_ERROR", "token")

	clk.add(BillDefaultDownloadTTL - time.Second)
	billFetch(t, c, ans.DownloadURL) // still valid, and reusable
	clk.add(time.Second)
	_, err = c.Download(context.Background(), ans.DownloadURL)
	billCode(t, err, 400, "INVALID_REQUEST", "")

	s.BillSetDownloadTTL(30 * time.Second)
	ans, err = billApply(t, c, "/v3/bill/tradebill", url.Values{"bill_date": {"2026-11-24"}})
	require.NoError(t, err)
	clk.add(30 * time.Second)
	_, err = c.Download(context.Background(), ans.DownloadURL)
	billCode(t, err, 400, "INVALID_REQUEST", "")
}

func TestBillTamperSwitch(t *testing.T) {
	s, c, _ := billSandbox(t)
	s.BillSetTamper(true)
	ans, err := billApply(t, c, "/v3/bill/fundflowbill", url.Values{"bill_date": {"2026-11-24"}})
	require.NoError(t, err)
	body, _ := billFetch(t, c, ans.DownloadURL)
	sum := sha1.Sum(body)
	require.NotEqual(t, ans.HashValue, hex.EncodeToString(sum[:]))

	s.BillSetTamper(false)
	ans, err = billApply(t, c, "/v3/bill/fundflowbill", url.Values{"bill_date": {"2026-11-24"}})
	require.NoError(t, err)
	body, _ = billFetch(t, c, ans.DownloadURL)
	sum = sha1.Sum(body)
	require.Equal(t, ans.HashValue, hex.EncodeToString(sum[:]))
	require.True(t, strings.HasPrefix(string(body), billFundHeader+"\r\n"))
	require.True(t, strings.HasSuffix(string(body), billFundSum+"\r\n`6,`3,`120.15,`3,`25.72\r\n"), string(body))
}

func TestBillSubMerchantPartsDecrypt(t *testing.T) {
	s, c, _ := billSandbox(t)
	s.BillSetSplitSize(100)
	var out struct {
		Count int `json:"download_bill_count"`
		List  []struct {
			Seq   int    `json:"bill_sequence"`
			URL   string `json:"download_url"`
			Key   string `json:"encrypt_key"`
			Hash  string `json:"hash_value"`
			Nonce string `json:"nonce"`
		} `json:"download_bill_list"`
	}
	_, err := c.Do(context.Background(), &core.Request{Method: http.MethodGet, Path: "/v3/bill/sub-merchant-fundflowbill", Query: url.Values{
		"sub_mchid": {"1900000200"}, "bill_date": {"2026-11-24"}, "account_type": {"BASIC"}, "algorithm": {"AEAD_AES_256_GCM"},
	}}, &out)
	require.NoError(t, err)
	require.Equal(t, len(out.List), out.Count)
	require.Greater(t, out.Count, 1)
	var joined []byte
	for i, p := range out.List {
		require.Equal(t, i+1, p.Seq)
		key, err := c.DecryptSensitive(p.Key)
		require.NoError(t, err)
		require.Len(t, key, 32)
		ct, hr := billFetch(t, c, p.URL)
		require.Equal(t, "application/octet-stream", hr.Header.Get("Content-Type"))
		block, err := aes.NewCipher([]byte(key))
		require.NoError(t, err)
		aead, err := cipher.NewGCM(block)
		require.NoError(t, err)
		pt, err := aead.Open(nil, []byte(p.Nonce), ct, nil)
		require.NoError(t, err)
		sum := sha1.Sum(pt)
		require.Equal(t, p.Hash, hex.EncodeToString(sum[:]))
		joined = append(joined, pt...)
	}
	require.True(t, strings.HasPrefix(string(joined), billFundHeader+"\r\n"))
	require.True(t, strings.HasSuffix(string(joined), billFundSum+"\r\n`2,`1,`20.00,`1,`0.12\r\n"), string(joined))
	require.NotContains(t, string(joined), "4200000001", "only the sub-merchant's movements")
}

// The fund-flow bill's optional sub_mchid (listed by the API description)
// limits the bill to that sub-merchant's movements.
func TestBillFundFlowForOneSubMerchant(t *testing.T) {
	_, c, _ := billSandbox(t)
	ans, err := billApply(t, c, "/v3/bill/fundflowbill", url.Values{"bill_date": {"2026-11-24"}, "sub_mchid": {"1900000200"}})
	require.NoError(t, err)
	body, _ := billFetch(t, c, ans.DownloadURL)
	require.True(t, strings.HasSuffix(string(body), billFundSum+"\r\n`2,`1,`20.00,`1,`0.12\r\n"), string(body))
	require.NotContains(t, string(body), "4200000001", "only the sub-merchant's movements")

	ans, err = billApply(t, c, "/v3/bill/fundflowbill", url.Values{"bill_date": {"2026-11-24"}, "sub_mchid": {""}})
	require.NoError(t, err)
	body, _ = billFetch(t, c, ans.DownloadURL)
	require.True(t, strings.HasSuffix(string(body), billFundSum+"\r\n`6,`3,`120.15,`3,`25.72\r\n"), "empty sub_mchid: the whole bill")
}

// The bill of day D exists from 09:00 Asia/Shanghai on D+1 (spec §5),
// following the sandbox clock; before that every apply API answers
// STATEMENT_CREATING 账单生成中. Same-day bills need BillServeToday.
func TestBillExistsFromNineNextMorning(t *testing.T) {
	s, c, clk := billSandbox(t)
	require.Equal(t, time.Date(2026, 11, 25, 9, 0, 0, 0, shanghai), BillAvailableAt(time.Date(2026, 11, 24, 23, 59, 0, 0, shanghai)))
	require.Equal(t, time.Date(2026, 11, 25, 9, 0, 0, 0, shanghai), BillAvailableAt(time.Date(2026, 11, 23, 16, 0, 0, 0, time.UTC)), "the Shanghai date counts")
	clk.add(time.Date(2026, 11, 25, 8, 59, 59, 0, shanghai).Sub(billNow)) // back to 08:59:59
	sub := url.Values{"sub_mchid": {"1900000200"}, "bill_date": {"2026-11-24"}, "account_type": {"BASIC"}, "algorithm": {"AEAD_AES_256_GCM"}}
	for _, path := range []string{"/v3/bill/tradebill", "/v3/bill/fundflowbill", "/v3/bill/sub-merchant-fundflowbill"} {
		q := url.Values{"bill_date": {"2026-11-24"}}
		if strings.Contains(path, "sub-merchant") {
			q = sub
		}
		_, err := billApply(t, c, path, q)
		billCode(t, err, 400, "STATEMENT_CREATING", "")
		require.Contains(t, err.Error(), "账单生成中")
	}
	// The day before is long available.
	s.Record(LedgerEntry{Time: time.Date(2026, 11, 23, 10, 0, 0, 0, shanghai), AppID: s.AppID, TransactionID: "4200000007", OutTradeNo: "O-7", TradeType: "JSAPI", TradeState: "SUCCESS", AmountFen: 1})
	_, err := billApply(t, c, "/v3/bill/tradebill", url.Values{"bill_date": {"2026-11-23"}})
	require.NoError(t, err)

	s.Advance(time.Second) // 09:00 on D+1, by the sandbox clock
	_, err = billApply(t, c, "/v3/bill/tradebill", url.Values{"bill_date": {"2026-11-24"}})
	require.NoError(t, err)

	// Today's bill only on demand.
	s.Record(LedgerEntry{Time: time.Date(2026, 11, 25, 8, 0, 0, 0, shanghai), AppID: s.AppID, TransactionID: "4200000008", OutTradeNo: "O-8", TradeType: "JSAPI", TradeState: "SUCCESS", AmountFen: 1})
	_, err = billApply(t, c, "/v3/bill/tradebill", url.Values{"bill_date": {"2026-11-25"}})
	billCode(t, err, 400, "STATEMENT_CREATING", "")
	s.BillServeToday(true)
	_, err = billApply(t, c, "/v3/bill/tradebill", url.Values{"bill_date": {"2026-11-25"}})
	require.NoError(t, err)
}

// Download links expire after 30 seconds by default, the stricter of the
// documented values.
func TestBillDownloadLinkLifetimeDefault(t *testing.T) {
	s, c, _ := billSandbox(t)
	require.Equal(t, 30*time.Second, BillDefaultDownloadTTL)
	ans, err := billApply(t, c, "/v3/bill/tradebill", url.Values{"bill_date": {"2026-11-24"}})
	require.NoError(t, err)
	s.Advance(29 * time.Second)
	billFetch(t, c, ans.DownloadURL)
	s.Advance(time.Second)
	_, err = c.Download(context.Background(), ans.DownloadURL)
	billCode(t, err, 400, "INVALID_REQUEST", "")
}
