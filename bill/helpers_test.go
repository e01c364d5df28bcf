package bill_test

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/bill"
	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

// shanghai is UTC+8, the bills' zone.
var shanghai = time.FixedZone("CST", 8*3600)

// captured is one request the sandbox received, its signature checked.
type captured struct {
	Method, Path, RequestURI, Host string
	Query                          map[string][]string
	Body                           []byte
	SignatureOK                    bool
}

type env struct {
	sb  *sandbox.Server
	c   *core.Client
	svc *bill.Service

	mu   sync.Mutex
	now  time.Time
	reqs []captured
}

func (e *env) clock() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.now
}

func (e *env) advance(d time.Duration) {
	e.mu.Lock()
	e.now = e.now.Add(d)
	e.mu.Unlock()
}

func (e *env) requests() []captured {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]captured(nil), e.reqs...)
}

func (e *env) reset() {
	e.mu.Lock()
	e.reqs = nil
	e.mu.Unlock()
}

// today is the fixed "now" of the tests' sandbox: 2026-11-25 12:00 in
// Shanghai, so the newest bill is 2026-11-24.
var today = time.Date(2026, 11, 25, 12, 0, 0, 0, shanghai)

var billDay = bill.NewDate(2026, 11, 24)

// newEnv starts a sandbox on a fixed clock, records every request it
// receives (checking the Authorization signature with the merchant's public
// key) and returns a bill service wired to it.
func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{now: today}
	sb, err := sandbox.NewServer(sandbox.WithClock(e.clock))
	require.NoError(t, err)
	t.Cleanup(sb.Close)
	sb.SetHook(func(_ http.ResponseWriter, r *http.Request) bool {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		e.mu.Lock()
		e.reqs = append(e.reqs, captured{
			Method: r.Method, Path: r.URL.Path, RequestURI: r.RequestURI, Host: r.Host, Query: r.URL.Query(), Body: body,
			SignatureOK: signatureOK(sb, r, body),
		})
		e.mu.Unlock()
		return false
	})
	c, err := sb.Client(core.WithRetry(core.NoRetry))
	require.NoError(t, err)
	e.sb, e.c, e.svc = sb, c, bill.NewService(c)
	return e
}

func signatureOK(sb *sandbox.Server, r *http.Request, body []byte) bool {
	a, problem := sandbox.ParseAuthorization(r.Header.Get("Authorization"))
	if problem != "" || a.MchID != sb.MerchantID || a.SerialNo != sb.MerchantSerialNo {
		return false
	}
	sig, err := base64.StdEncoding.DecodeString(a.Signature)
	if err != nil {
		return false
	}
	msg := r.Method + "\n" + r.RequestURI + "\n" + a.Timestamp + "\n" + a.NonceStr + "\n" + string(body) + "\n"
	sum := sha256.Sum256([]byte(msg))
	return rsa.VerifyPKCS1v15(&sb.MerchantPrivateKey.PublicKey, crypto.SHA256, sum[:], sig) == nil
}

// seed records a day of business on 2026-11-24: three payments (one with a
// coupon, one for a sub-merchant, a product name with a comma and quotes,
// an attach with a line break) and two refunds.
func seed(sb *sandbox.Server) {
	at := func(h, m int) time.Time { return time.Date(2026, 11, 24, h, m, 0, 0, shanghai) }
	sb.Record(sandbox.LedgerEntry{Time: at(9, 0), AppID: sb.AppID, TransactionID: "4200000001202611240000000001", OutTradeNo: "ORDER-1",
		OpenID: "openid-1", TradeType: "JSAPI", TradeState: "SUCCESS", BankType: "CMB_DEBIT", AmountFen: 10000,
		Product: `咖啡, "大杯"`, Attach: "line1\nline2"})
	sb.Record(sandbox.LedgerEntry{Time: at(10, 30), AppID: sb.AppID, TransactionID: "4200000001202611240000000002", OutTradeNo: "ORDER-2",
		OpenID: "openid-2", TradeType: "AUTH", TradeState: "SUCCESS", BankType: "OTHERS", AmountFen: 1234, CouponFen: 100,
		Product: "充电宝租借", Attach: "wxzff|1000000000202611240000001|SO-1"})
	sb.Record(sandbox.LedgerEntry{Time: at(11, 0), AppID: sb.AppID, SubMchID: "1900000200", TransactionID: "4200000001202611240000000003",
		OutTradeNo: "MALL-3", OpenID: "openid-3", TradeType: "MICROPAY", TradeState: "SUCCESS", BankType: "OTHERS", AmountFen: 5000, Product: "商场消费"})
	sb.Record(sandbox.LedgerEntry{Time: at(18, 0), AppID: sb.AppID, TransactionID: "4200000001202611240000000001", OpenID: "openid-1",
		TradeType: "JSAPI", TradeState: "REFUND", BankType: "CMB_DEBIT", AmountFen: 10000, RefundID: "50000000012026112400000001",
		OutRefundNo: "REFUND-1", RefundFen: 3000, RefundStatus: "SUCCESS", Product: `咖啡, "大杯"`})
	sb.Record(sandbox.LedgerEntry{Time: at(19, 0), AppID: sb.AppID, SubMchID: "1900000200", TransactionID: "4200000001202611240000000003",
		OpenID: "openid-3", TradeType: "MICROPAY", TradeState: "REFUND", BankType: "OTHERS", AmountFen: 5000, RefundID: "50000000012026112400000002",
		OutRefundNo: "REFUND-2", RefundFen: 5000, RefundStatus: "PROCESSING", Product: "商场消费"})
	// Another day, never in the 2026-11-24 bill.
	sb.Record(sandbox.LedgerEntry{Time: time.Date(2026, 11, 23, 23, 59, 59, 0, shanghai), AppID: sb.AppID, TransactionID: "4200000001202611230000000009",
		OutTradeNo: "ORDER-0", OpenID: "openid-0", TradeType: "NATIVE", TradeState: "SUCCESS", BankType: "OTHERS", AmountFen: 1})
}
