package main

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/bill"
	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/internal/envconfig"
	"github.com/wechatpay-biz/wechatpay-biz-go/internal/sandboxfiles"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

// fixture is a sandbox plus the WECHATPAY_* variables pointing at its
// test-only credentials, written as PEM files: the command runs in-process
// against it, as an operator's shell would run it against WeChat Pay.
type fixture struct {
	sb  *sandbox.Server
	env map[string]string
	dir string // a scratch directory for outputs
}

func newFixture(t *testing.T, opts ...sandbox.Option) *fixture {
	t.Helper()
	sb, err := sandbox.NewServer(opts...)
	require.NoError(t, err)
	t.Cleanup(sb.Close)
	vars, err := sandboxfiles.Write(sb, t.TempDir())
	require.NoError(t, err)
	return &fixture{sb: sb, env: vars, dir: t.TempDir()}
}

type result struct {
	code           int
	stdout, stderr string
}

func (f *fixture) run(t *testing.T, args ...string) result {
	t.Helper()
	return f.runWith(t, func(*app) {}, args...)
}

func (f *fixture) runWith(t *testing.T, edit func(*app), args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	a := newApp(&out, &errb, func(k string) string { return f.env[k] })
	a.clientOptions = []core.Option{core.WithRetry(core.RetryPolicy{MaxAttempts: 1})}
	edit(a)
	code := a.run(context.Background(), args)
	r := result{code: code, stdout: out.String(), stderr: errb.String()}
	// Whatever happened: errors are one line, and nothing secret is printed.
	if code != 0 {
		require.Equal(t, 1, strings.Count(r.stderr, "\n"), "one line on stderr: %q", r.stderr)
		require.True(t, strings.HasPrefix(r.stderr, "wechatpay: "), r.stderr)
	}
	for _, s := range []string{r.stdout, r.stderr} {
		require.NotContains(t, s, sandbox.APIv3Key)
		require.NotContains(t, s, "-----BEGIN")
		require.NotContains(t, s, "MII")
		require.NotContains(t, s, "Authorization")
	}
	return r
}

// recordDay puts a day of business into the sandbox ledger: a pay-score
// payment, a mall payment for sub-merchant 1900000200 and its partial
// refund.
func recordDay(sb *sandbox.Server, day bill.Date) {
	at := func(h int) time.Time { return day.Start().Add(time.Duration(h) * time.Hour) }
	sb.Record(sandbox.LedgerEntry{Time: at(9), AppID: sb.AppID, TransactionID: "4200000001000000000000000001", OutTradeNo: "PS-20001",
		OpenID: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", TradeType: "AUTH", TradeState: "SUCCESS", BankType: "OTHERS", AmountFen: 3500,
		Product: "充电宝租借 2 小时"})
	sb.Record(sandbox.LedgerEntry{Time: at(12), AppID: sb.AppID, SubMchID: "1900000200", TransactionID: "4200000001000000000000000002",
		OutTradeNo: "MALL-30001", OpenID: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6p", TradeType: "MICROPAY", TradeState: "SUCCESS", BankType: "CMB_DEBIT",
		AmountFen: 25800, CouponFen: 1000, Product: `咖啡, "大杯" 套餐`})
	sb.Record(sandbox.LedgerEntry{Time: at(20), AppID: sb.AppID, SubMchID: "1900000200", TransactionID: "4200000001000000000000000002",
		OpenID: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6p", TradeType: "MICROPAY", TradeState: "REFUND", BankType: "CMB_DEBIT", AmountFen: 25800,
		RefundID: "50000000010000000000000001", OutRefundNo: "MALLR-30001", RefundFen: 5800, RefundStatus: "SUCCESS", Product: `咖啡, "大杯" 套餐`})
}

// billDay is a day whose bills the sandbox serves: bills for day D exist
// from 09:00 on D+1 (sandbox clock), so two days ago always has them.
func billDay() bill.Date { return bill.DateOf(time.Now()).AddDays(-2) }

// leftovers lists the files in dir other than the expected ones: no
// temporary file may survive a run.
func leftovers(t *testing.T, dir string, expected ...string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var out []string
	for _, e := range entries {
		if !contains(expected, e.Name()) {
			out = append(out, e.Name())
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func TestCertificatesSavesVerifiedPEMs(t *testing.T) {
	f := newFixture(t, sandbox.WithSigningMode(sandbox.SignWithCertificate))
	// Certificate mode only: no public key configured.
	delete(f.env, envconfig.PublicKeyID)
	delete(f.env, envconfig.PublicKeyFile)
	out := filepath.Join(f.dir, "certs")

	r := f.run(t, "certificates", "--out", out)
	require.Equal(t, 0, r.code, r.stderr)
	want := f.sb.PlatformCertificate()
	serial := core.CertificateSerial(want)
	b, err := os.ReadFile(filepath.Join(out, "wechatpay_"+serial+".pem"))
	require.NoError(t, err)
	blk, _ := pem.Decode(b)
	require.NotNil(t, blk)
	got, err := x509.ParseCertificate(blk.Bytes)
	require.NoError(t, err)
	require.True(t, got.Equal(want))
	require.Contains(t, r.stdout, "saved    "+serial)
	require.Contains(t, r.stdout, "1 platform certificate(s) decrypted, verified and saved")
	require.Empty(t, leftovers(t, out, "wechatpay_"+serial+".pem"))

	// After a rotation both certificates are listed, verified and saved.
	rotated, err := f.sb.RotateCertificateAbruptly() // listed at once: the CLI runs on the real clock
	require.NoError(t, err)
	r = f.run(t, "certificates", "--out", out)
	require.Equal(t, 0, r.code, r.stderr)
	require.FileExists(t, filepath.Join(out, "wechatpay_"+core.CertificateSerial(rotated)+".pem"))
	require.Contains(t, r.stdout, "2 platform certificate(s)")
}

func TestCertificatesWithPublicKeyAndFlags(t *testing.T) {
	f := newFixture(t, sandbox.WithSigningMode(sandbox.SignWithCertificate))
	env := f.env
	f.env = map[string]string{envconfig.APIv3Key: env[envconfig.APIv3Key]} // only the key from the environment
	r := f.run(t, "certificates", "--out", f.dir,
		"--mch-id", env[envconfig.MchID], "--mch-key-file", env[envconfig.MchKeyFile], "--mch-cert-file", env[envconfig.MchCertFile],
		"--public-key-id", env[envconfig.PublicKeyID], "--public-key-file", env[envconfig.PublicKeyFile], "--base-url", env[envconfig.BaseURL])
	require.Equal(t, 0, r.code, r.stderr)
	require.FileExists(t, filepath.Join(f.dir, "wechatpay_"+core.CertificateSerial(f.sb.PlatformCertificate())+".pem"))
}

func TestCertificatesFailures(t *testing.T) {
	// A public-key-only merchant has no platform certificates.
	f := newFixture(t, sandbox.WithoutCertificates())
	r := f.run(t, "certificates", "--out", f.dir)
	require.Equal(t, 1, r.code)
	require.Contains(t, r.stderr, "no platform certificates")
	require.Empty(t, leftovers(t, f.dir))

	// A wrong APIv3 key cannot decrypt them, and is not printed.
	f = newFixture(t, sandbox.WithSigningMode(sandbox.SignWithCertificate))
	delete(f.env, envconfig.PublicKeyID)
	delete(f.env, envconfig.PublicKeyFile)
	f.env[envconfig.APIv3Key] = "WRONGwrongWRONGwrongWRONGwrong32"
	r = f.run(t, "certificates", "--out", f.dir)
	require.Equal(t, 1, r.code)
	require.Contains(t, r.stderr, "wrong APIv3 key")
	require.NotContains(t, r.stderr, "WRONGwrong")
	require.Empty(t, leftovers(t, f.dir))

	// Every answer must verify: a signature probe fails the download.
	f = newFixture(t)
	f.sb.ProbeNext(10)
	r = f.run(t, "certificates", "--out", f.dir)
	require.Equal(t, 1, r.code)
	require.Contains(t, r.stderr, "signature")
}

func TestBillTradeFormats(t *testing.T) {
	f := newFixture(t)
	day := billDay()
	recordDay(f.sb, day)

	raw := filepath.Join(f.dir, "trade.txt")
	r := f.run(t, "bill", "trade", "--date", day.String(), "--out", raw)
	require.Equal(t, 0, r.code, r.stderr)
	require.Contains(t, r.stdout, "applied  GET /v3/bill/tradebill "+day.String())
	require.Contains(t, r.stdout, "3 row(s) (ALL layout); settlement 293.00, refunds 58.00")
	require.Contains(t, r.stdout, "check    the summary row matches the sum of the rows")
	b, err := os.ReadFile(raw)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(string(b), "交易时间,"), "the raw bill as WeChat Pay wrote it")
	st, err := os.Stat(raw)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), st.Mode().Perm(), "bills hold personal data")

	csvPath := filepath.Join(f.dir, "trade.csv")
	r = f.run(t, "bill", "trade", "--date", day.String(), "--out", csvPath, "--format", "csv")
	require.Equal(t, 0, r.code, r.stderr)
	b, err = os.ReadFile(csvPath)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	require.Len(t, lines, 4)
	require.True(t, strings.HasPrefix(lines[0], "trade_time,appid,mchid,sub_mchid,"))
	require.Contains(t, lines[2], ",MALL-30001,")
	require.Contains(t, lines[2], ",25800,1000,")
	require.Contains(t, lines[2], `"咖啡, ""大杯"" 套餐"`)

	jsonPath := filepath.Join(f.dir, "trade.json")
	r = f.run(t, "bill", "trade", "--date", day.String(), "-o", jsonPath, "--format", "json", "--bill-type", "SUCCESS")
	require.Equal(t, 0, r.code, r.stderr)
	var doc struct {
		Bill     string     `json:"bill"`
		BillDate string     `json:"bill_date"`
		Rows     []tradeRow `json:"rows"`
		Summary  struct {
			Layout        string `json:"layout"`
			Count         int64  `json:"count"`
			SettlementFen int64  `json:"settlement_fen"`
		} `json:"summary"`
	}
	b, err = os.ReadFile(jsonPath)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &doc))
	require.Equal(t, "trade", doc.Bill)
	require.Equal(t, day.String(), doc.BillDate)
	require.Len(t, doc.Rows, 2)
	require.Equal(t, "SUCCESS", doc.Summary.Layout)
	require.EqualValues(t, 2, doc.Summary.Count)
	require.EqualValues(t, 3500+25800, doc.Summary.SettlementFen)
	require.Equal(t, day.Start().Add(9*time.Hour).Format(time.RFC3339), doc.Rows[0].TradeTime)

	require.Empty(t, leftovers(t, f.dir, "trade.txt", "trade.csv", "trade.json"))
}

func TestBillFundFlowAndSubMerchant(t *testing.T) {
	f := newFixture(t)
	day := billDay()
	recordDay(f.sb, day)

	path := filepath.Join(f.dir, "fundflow.json")
	r := f.run(t, "bill", "fundflow", "--date", day.String(), "--out", path, "--format", "json")
	require.Equal(t, 0, r.code, r.stderr)
	require.Contains(t, r.stdout, "6 movement(s); income 3 (293.35 yuan), expense 3 (59.76 yuan)")
	var doc struct {
		Bill string    `json:"bill"`
		Rows []fundRow `json:"rows"`
	}
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &doc))
	require.Equal(t, "fundflow", doc.Bill)
	require.Len(t, doc.Rows, 6)
	require.Equal(t, "income", doc.Rows[0].Direction)
	require.EqualValues(t, 3500, doc.Rows[0].AmountFen)

	// The sub-merchant bill comes in encrypted parts: decrypted, verified, joined.
	f.sb.BillSetSplitSize(256)
	path = filepath.Join(f.dir, "sub.csv")
	r = f.run(t, "bill", "sub-merchant", "--date", day.String(), "--sub-mchid", "1900000200", "--out", path, "--format", "csv")
	require.Equal(t, 0, r.code, r.stderr)
	require.Regexp(t, `applied  GET /v3/bill/sub-merchant-fundflowbill \S+ BASIC: [2-9] encrypted part\(s\)`, r.stdout)
	require.Contains(t, r.stdout, "4 movement(s); income 2 (258.35 yuan), expense 2 (59.55 yuan)")
	b, err = os.ReadFile(path)
	require.NoError(t, err)
	require.Len(t, strings.Split(strings.TrimSpace(string(b)), "\n"), 5)
	require.Empty(t, leftovers(t, f.dir, "fundflow.json", "sub.csv"))
}

func TestBillFailuresLeaveNoFile(t *testing.T) {
	f := newFixture(t)
	day := billDay()
	out := filepath.Join(f.dir, "bill.csv")

	// No business that day.
	r := f.run(t, "bill", "trade", "--date", day.String(), "--out", out)
	require.Equal(t, 1, r.code)
	require.Contains(t, r.stderr, "no trade bill for "+day.String()+" (NO_STATEMENT_EXIST, Request-ID ")

	// A download that does not match its hash.
	recordDay(f.sb, day)
	f.sb.BillSetTamper(true)
	r = f.run(t, "bill", "fundflow", "--date", day.String(), "--out", out)
	require.Equal(t, 1, r.code)
	require.Contains(t, r.stderr, "does not match its hash_value")
	require.Empty(t, leftovers(t, f.dir), "neither the bill nor a temporary file")
}

func TestBillSummaryMismatchLeavesNoFile(t *testing.T) {
	f := newFixture(t)
	bad := "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注\n" +
		"`2026-11-28 09:12:00,`wx1,`1900000109,`0,`,`4200000001,`T1,`o1,`JSAPI,`SUCCESS,`OTHERS,`CNY,`10.00,`0.00,`0,`0,`0.00,`0.00,`,`,`p,`,`0.06000,`0.60%,`10.00,`0.00,`\n" +
		"总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额\n" +
		"`1,`11.00,`0.00,`0.00,`0.06000,`10.00,`0.00\n"
	for _, format := range formats {
		a := newApp(&bytes.Buffer{}, &bytes.Buffer{}, func(string) string { return "" })
		out := filepath.Join(f.dir, "bill."+format)
		err := a.saveBill(context.Background(), &billFlags{out: out, format: format}, "trade bill",
			func(w io.Writer) (*bill.DownloadResult, error) {
				_, err := w.Write([]byte(bad))
				return &bill.DownloadResult{Files: 1, Size: int64(len(bad))}, err
			}, tradeConverter(bill.NewDate(2026, 11, 28)))
		require.EqualError(t, err, "trade bill: the summary row does not match the rows: settlement 11.00 yuan, rows 10.00", format)
		require.Empty(t, leftovers(t, f.dir), format)
	}
}

func TestBillProgressOnlyOnATerminal(t *testing.T) {
	f := newFixture(t)
	day := billDay()
	recordDay(f.sb, day)
	args := []string{"bill", "trade", "--date", day.String(), "--out", filepath.Join(f.dir, "t.csv")}

	r := f.runWith(t, func(a *app) { a.terminal, a.progressAfter = true, 0 }, args...)
	require.Equal(t, 0, r.code, r.stderr)
	require.Contains(t, r.stderr, "downloading trade bill "+day.String())

	r = f.runWith(t, func(a *app) { a.terminal, a.progressAfter = false, 0 }, args...)
	require.Equal(t, 0, r.code, r.stderr)
	require.Empty(t, r.stderr)

	r = f.runWith(t, func(a *app) { a.terminal = true }, args...) // a small bill: no bar
	require.Equal(t, 0, r.code, r.stderr)
	require.Empty(t, r.stderr)
}

func TestUsageErrorsExit2(t *testing.T) {
	f := newFixture(t)
	day := billDay().String()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"bill", "trade", "--out", "x"}, "--date is required (yyyy-MM-dd)"},
		{[]string{"bill", "trade", "--date", "2026/11/29", "--out", "x", "--format", "xml"}, `--date "2026/11/29" is not a yyyy-MM-dd date; --format "xml" is not one of raw, csv, json`},
		{[]string{"bill", "trade", "--date", day}, "--out is required"},
		{[]string{"bill", "sub-merchant", "--date", day, "--out", "x"}, "--sub-mchid is required"},
		{[]string{"bill", "trade", "--date", day, "--out", "x", "--bill-type", "EVERYTHING"}, "--bill-type: must be one of [ALL SUCCESS REFUND"},
		{[]string{"bill", "fundflow", "--date", day, "--out", "x", "--account-type", "DEPOSIT"}, "--account-type: must be one of [BASIC OPERATION FEES]"},
		{[]string{"bill", "trade", "--nope"}, "unknown flag: --nope"},
		{[]string{"bills"}, `unknown command "bills" for "wechatpay"`},
		{[]string{"certificates", "extra"}, `unexpected argument "extra": certificates takes flags only`},
		{[]string{"bill", "trade", day, "--out", "x"}, `unexpected argument "` + day + `": bill trade takes flags only`},
		{[]string{"bill", "--date", day, "--out", "x"}, "bill needs a command: trade, fundflow or sub-merchant"},
		{[]string{"bill"}, "bill needs a command: trade, fundflow or sub-merchant"},
		{[]string{"bill", "trades"}, `unknown command "trades" for bill: choose trade, fundflow or sub-merchant`},
		{[]string{"notify"}, "notify needs a command: send"},
		{[]string{"--timeout", "0", "certificates"}, "--timeout must be positive"},
		{[]string{"notify", "send", "--event", "X"}, "missing --resource, --url, --platform-key-file, --serial (or --platform-cert-file)"},
	} {
		r := f.run(t, tc.args...)
		require.Equal(t, 2, r.code, "%v: %s", tc.args, r.stderr)
		require.Contains(t, r.stderr, tc.want, tc.args)
		require.Contains(t, r.stderr, "--help", tc.args)
	}
	require.Empty(t, leftovers(t, f.dir))

	// Missing credentials name both the flag and the variable.
	f.env = map[string]string{}
	r := f.run(t, "bill", "trade", "--date", day, "--out", filepath.Join(f.dir, "x"))
	require.Equal(t, 2, r.code)
	require.Contains(t, r.stderr, "missing --mch-id or WECHATPAY_MCH_ID, --mch-key-file or WECHATPAY_MCH_KEY_FILE, "+
		"--mch-serial or WECHATPAY_MCH_SERIAL (or --mch-cert-file or WECHATPAY_MCH_CERT_FILE), "+
		"--apiv3-key-file or WECHATPAY_APIV3_KEY (needed to download platform certificates without --public-key-id or WECHATPAY_PUBLIC_KEY_ID)")

	// A key file of the wrong kind: named, explained, no key material.
	g := newFixture(t)
	g.env[envconfig.MchKeyFile] = g.env[envconfig.MchCertFile]
	r = g.run(t, "certificates", "--out", g.dir)
	require.Equal(t, 2, r.code)
	require.Contains(t, r.stderr, `--mch-key-file or WECHATPAY_MCH_KEY_FILE: `+g.env[envconfig.MchCertFile]+`: found PEM "CERTIFICATE"`)
	require.Contains(t, r.stderr, "apiclient_cert.pem goes to --mch-cert-file or WECHATPAY_MCH_CERT_FILE")

	// A base URL without a scheme.
	r = g.run(t, "certificates", "--out", g.dir, "--base-url", "127.0.0.1:8080")
	require.Equal(t, 2, r.code)
	require.Contains(t, r.stderr, `--base-url or WECHATPAY_BASE_URL "127.0.0.1:8080" is not an http(s) URL, e.g. https://api.mch.weixin.qq.com`)

	// An APIv3 key file that holds something else.
	keyFile := filepath.Join(g.dir, "apiv3.key")
	require.NoError(t, os.WriteFile(keyFile, []byte("not a key\n"), 0o600))
	r = g.run(t, "certificates", "--out", g.dir, "--apiv3-key-file", keyFile)
	require.Equal(t, 2, r.code)
	require.Contains(t, r.stderr, "must hold the 32-byte APIv3 key, it holds 9 bytes")
}

func TestHelpAndVersion(t *testing.T) {
	f := newFixture(t)
	r := f.run(t, "--help")
	require.Equal(t, 0, r.code)
	for _, s := range []string{"certificates", "bill", "notify", "sandbox", "Exit status: 0 success, 1", "wechatpay bill trade --date 2026-11-29",
		"wechatpay sandbox --listen 127.0.0.1:8080 --keys ./sandbox-keys"} {
		require.Contains(t, r.stdout, s)
	}
	r = f.run(t, "bill", "sub-merchant", "--help")
	require.Equal(t, 0, r.code)
	require.Contains(t, r.stdout, "wechatpay bill sub-merchant --date 2026-11-29 --sub-mchid 1900000200")
	require.Contains(t, r.stdout, "$WECHATPAY_MCH_KEY_FILE")
	r = f.run(t, "notify", "send", "--help")
	require.Equal(t, 0, r.code)
	require.Contains(t, r.stdout, "wechatpay notify send --event PAYSCORE.USER_PAID --resource paid.json")
	r = f.run(t, "sandbox", "--help")
	require.Equal(t, 0, r.code)
	for _, s := range []string{"wechatpay sandbox --listen 127.0.0.1:8080 --keys ./sandbox-keys", "set -a; . ./sandbox-keys/sandbox.env; set +a",
		"/sandbox/payscore/authorize", "--allow-remote", "--bills-today", "--mode string"} {
		require.Contains(t, r.stdout, s)
	}
	r = f.run(t, "--version")
	require.Equal(t, 0, r.code)
	require.Contains(t, r.stdout, core.Version)
}

// The SDK's hints name Go options; the command names its flags and
// variables instead, and says "wechatpay:" once.
func TestHintsNameFlags(t *testing.T) {
	// A merchant whose answers come signed with the public key, configured
	// without it.
	f := newFixture(t, sandbox.WithSigningMode(sandbox.SignWithPublicKey))
	delete(f.env, envconfig.PublicKeyID)
	delete(f.env, envconfig.PublicKeyFile)
	r := f.run(t, "bill", "trade", "--date", billDay().String(), "--out", filepath.Join(f.dir, "t.csv"))
	require.Equal(t, 1, r.code, r.stderr)
	require.Contains(t, r.stderr, "give that public key as --public-key-id and --public-key-file (or WECHATPAY_PUBLIC_KEY_ID and WECHATPAY_PUBLIC_KEY_FILE)")
	require.NotContains(t, r.stderr, "WithPlatformPublicKey")
	require.Equal(t, 1, strings.Count(r.stderr, "wechatpay:"), r.stderr)

	// A public-key-only merchant configured without its public key.
	h := newFixture(t, sandbox.WithoutCertificates())
	delete(h.env, envconfig.PublicKeyID)
	delete(h.env, envconfig.PublicKeyFile)
	r = h.run(t, "bill", "trade", "--date", billDay().String(), "--out", filepath.Join(h.dir, "t.csv"))
	require.Equal(t, 1, r.code, r.stderr)
	require.Contains(t, r.stderr, "this merchant has no platform certificates; give the WeChat Pay public key as --public-key-id and --public-key-file")
	require.NotContains(t, r.stderr, "WithPlatformPublicKey")

	// A serial that is not the merchant certificate's: WeChat Pay answers
	// SIGN_ERROR, and the hint names the flags to check.
	g := newFixture(t)
	delete(g.env, envconfig.MchCertFile)
	g.env[envconfig.MchSerial] = "0123456789ABCDEF0123456789ABCDEF01234567"
	r = g.run(t, "bill", "trade", "--date", billDay().String(), "--out", filepath.Join(g.dir, "t.csv"))
	require.Equal(t, 1, r.code, r.stderr)
	require.Contains(t, r.stderr, "SIGN_ERROR")
	require.Contains(t, r.stderr, "the merchant ID (--mch-id or WECHATPAY_MCH_ID gave 1900000109), the merchant certificate serial (--mch-serial, or the serial of --mch-cert-file, gave 0123456789ABCDEF0123456789ABCDEF01234567")
	require.NotContains(t, r.stderr, "WithMerchant")
}

// A command group's help offers its subcommands, not a runnable form of
// its own (which only refuses).
func TestGroupHelpShowsCommandsOnly(t *testing.T) {
	f := newFixture(t)
	for _, g := range []string{"bill", "notify"} {
		r := f.run(t, g, "--help")
		require.Equal(t, 0, r.code)
		require.Contains(t, r.stdout, "Usage:\n  wechatpay "+g+" [command]\n")
		require.NotContains(t, r.stdout, "wechatpay "+g+" [flags]")
	}
	r := f.run(t, "bill", "trade", "--help")
	require.Contains(t, r.stdout, "Usage:\n  wechatpay bill trade [flags]\n")
}
