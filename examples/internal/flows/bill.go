package flows

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/wechatpay-biz/wechatpay-biz-go/bill"
	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/examples/internal/setup"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

// Bill walks the bill flow: apply for yesterday's trade bill →
// download it (gzip) to a file, verified by its SHA-1 → parse it → print the
// totals and check the summary row against the rows; then the same for the
// fund-flow bill and, for service providers, one sub-merchant's encrypted
// fund-flow bill.
//
// Against the embedded sandbox it first records a day of business
// (sandbox-only step) and, before 09:00 Asia/Shanghai — when yesterday's
// bill does not exist yet — moves the sandbox clock to 09:00. Against the
// real API (see examples/internal/setup) it fetches the real bills; set
// WECHATPAY_SUB_MCHID to also fetch a sub-merchant's fund-flow bill.
func Bill(ctx context.Context, env *setup.Env) error {
	if env.Real() {
		return BillFor(ctx, env, bill.Yesterday(time.Now()), true)
	}
	day := bill.Yesterday(env.Sandbox.Now())
	if ready := sandbox.BillAvailableAt(day.Start()); env.Sandbox.Now().Before(ready) {
		fmt.Printf("[sandbox] the bill of %s exists from %s: moving the sandbox clock there\n", day, ready.Format("2006-01-02 15:04 MST"))
		env.Sandbox.AdvanceTo(ready)
	}
	return BillFor(ctx, env, day, true)
}

// BillFor runs the bill flow for day. With record set and a sandbox, it
// first records a day of business in the sandbox's ledger.
func BillFor(ctx context.Context, env *setup.Env, day bill.Date, record bool) error {
	svc := bill.NewService(env.Client)
	subMchID := os.Getenv("WECHATPAY_SUB_MCHID")
	if !env.Real() {
		subMchID = "1900000200"
		if record {
			RecordBusinessDay(env.Sandbox, day)
			fmt.Printf("[sandbox] recorded a day of business on %s\n", day)
		}
	}
	dir, err := os.MkdirTemp("", "wechatpay-bills-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	// 1. Trade bill: apply, download (gzip, verified), parse.
	trade, err := svc.TradeBill(ctx, &bill.TradeBillRequest{BillDate: day, BillType: core.Ptr(bill.BillTypeAll), TarType: core.Ptr(bill.TarTypeGzip)})
	if billNoBill(err, "trade bill") {
		return nil
	} else if err != nil {
		return fmt.Errorf("trade bill: %w", err)
	}
	fmt.Printf("[apply]    GET /v3/bill/tradebill %s -> %s %s, Request-ID %s\n", day, trade.HashType, trade.HashValue, trade.RequestID)
	path := filepath.Join(dir, "trade-"+day.String()+".csv")
	res, err := svc.DownloadToFile(ctx, trade.DownloadRequest(), path)
	if err != nil {
		return fmt.Errorf("downloading the trade bill: %w", err)
	}
	fmt.Printf("[download] %d bytes after gunzip, SHA-1 verified, Request-ID %s\n", res.Size, res.RequestIDs[0])
	if err := billPrintTrade(path); err != nil {
		return err
	}

	// 2. Fund-flow bill of the basic account.
	flow, err := svc.FundFlowBill(ctx, &bill.FundFlowBillRequest{BillDate: day, AccountType: core.Ptr(bill.AccountTypeBasic)})
	if billNoBill(err, "fund-flow bill") {
		return nil
	} else if err != nil {
		return fmt.Errorf("fund-flow bill: %w", err)
	}
	fmt.Printf("[apply]    GET /v3/bill/fundflowbill %s -> Request-ID %s\n", day, flow.RequestID)
	path = filepath.Join(dir, "fundflow-"+day.String()+".csv")
	if res, err = svc.DownloadToFile(ctx, flow.DownloadRequest(), path); err != nil {
		return fmt.Errorf("downloading the fund-flow bill: %w", err)
	}
	fmt.Printf("[download] %d bytes, SHA-1 verified, Request-ID %s\n", res.Size, res.RequestIDs[0])
	if err := billPrintFundFlow(path); err != nil {
		return err
	}

	// 3. A sub-merchant's fund-flow bill: encrypted parts, decrypted and joined.
	if subMchID == "" {
		return nil
	}
	if !env.Real() {
		env.Sandbox.BillSetSplitSize(256) // show a bill split into parts
	}
	sub, err := svc.SubMerchantFundFlowBill(ctx, &bill.SubMerchantFundFlowBillRequest{
		SubMchID: subMchID, BillDate: day, AccountType: bill.AccountTypeBasic, Algorithm: bill.AlgorithmAES256GCM, TarType: core.Ptr(bill.TarTypeGzip),
	})
	if billNoBill(err, "sub-merchant fund-flow bill") {
		return nil
	} else if err != nil {
		return fmt.Errorf("sub-merchant fund-flow bill: %w", err)
	}
	fmt.Printf("[apply]    GET /v3/bill/sub-merchant-fundflowbill -> %d encrypted part(s), Request-ID %s\n", sub.DownloadBillCount, sub.RequestID)
	path = filepath.Join(dir, "sub-fundflow-"+day.String()+".csv")
	if res, err = svc.DownloadEncryptedToFile(ctx, sub.DownloadRequest(), path); err != nil {
		return fmt.Errorf("downloading the sub-merchant bill: %w", err)
	}
	fmt.Printf("[download] %d part(s) decrypted, gunzipped, verified and joined: %d bytes, Request-IDs %v\n", res.Files, res.Size, res.RequestIDs)
	return billPrintFundFlow(path)
}

// noBill reports (and prints) the "no bill for that day" and "bill being
// generated" answers, which are not failures against the real API.
func billNoBill(err error, what string) bool {
	switch core.ErrorCode(err) {
	case "NO_STATEMENT_EXIST":
		fmt.Printf("[apply]    no %s for that day (NO_STATEMENT_EXIST), Request-ID %s\n", what, core.RequestIDOf(err))
		return true
	case "STATEMENT_CREATING":
		fmt.Printf("[apply]    the %s is being generated (STATEMENT_CREATING): bills exist from 09:00 the next day, try after 10:00; Request-ID %s\n", what, core.RequestIDOf(err))
		return true
	}
	return false
}

func billPrintTrade(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	r := bill.NewTradeBillReader(f)
	var n, settle, refund, order int64
	var fee bill.Fee
	for row, err := range r.All() {
		if err != nil {
			return err
		}
		n++
		settle, refund, order, fee = settle+row.SettlementFen, refund+row.RefundFen, order+row.OrderFen, fee+row.Fee
	}
	s := r.Summary()
	fmt.Printf("[parse]    trade bill (%s layout): %d rows; settlement %s, refunds %s, orders %s, fees %s yuan\n",
		r.Layout(), s.Count, billYuan(s.SettlementFen), billYuan(s.RefundFen), billYuan(s.OrderFen), s.Fee)
	if n != s.Count || settle != s.SettlementFen || refund != s.RefundFen || order != s.OrderFen || fee != s.Fee {
		return errors.New("trade bill: the summary row does not match the sum of the rows")
	}
	fmt.Println("[check]    summary row matches the sum of the rows")
	return nil
}

func billPrintFundFlow(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	r := bill.NewFundFlowReader(f)
	var n, in, out int64
	for row, err := range r.All() {
		if err != nil {
			return err
		}
		n++
		if row.Direction == bill.Income {
			in += row.AmountFen
		} else {
			out += row.AmountFen
		}
	}
	s := r.Summary()
	fmt.Printf("[parse]    fund-flow bill: %d movements; income %d (%s yuan), expense %d (%s yuan)\n",
		s.Count, s.IncomeCount, billYuan(s.IncomeFen), s.ExpenseCount, billYuan(s.ExpenseFen))
	if n != s.Count || in != s.IncomeFen || out != s.ExpenseFen {
		return errors.New("fund-flow bill: the summary row does not match the sum of the rows")
	}
	fmt.Println("[check]    summary row matches the sum of the rows")
	return nil
}

func billYuan(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	return fmt.Sprintf("%s%d.%02d", sign, fen/100, fen%100)
}

// RecordBusinessDay puts a day of business into the sandbox ledger, as its
// pay-score and business-circle simulations do: a pay-score payment, a mall
// payment and its partial refund, so that the day's bills have rows.
func RecordBusinessDay(sb *sandbox.Server, day bill.Date) {
	at := func(h, m int) time.Time {
		return day.Start().Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute)
	}
	sb.Record(sandbox.LedgerEntry{Time: at(9, 12), AppID: sb.AppID, TransactionID: "4200000001000000000000000001", OutTradeNo: "PS-20001",
		OpenID: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", TradeType: "AUTH", TradeState: "SUCCESS", BankType: "OTHERS", AmountFen: 3500,
		Product: "充电宝租借 2 小时", Attach: "wxzff|1000000000000000000000001|PS-20001"})
	sb.Record(sandbox.LedgerEntry{Time: at(12, 40), AppID: sb.AppID, SubMchID: "1900000200", TransactionID: "4200000001000000000000000002",
		OutTradeNo: "MALL-30001", OpenID: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6p", TradeType: "MICROPAY", TradeState: "SUCCESS", BankType: "CMB_DEBIT",
		AmountFen: 25800, CouponFen: 1000, Product: `咖啡, "大杯" 套餐`})
	sb.Record(sandbox.LedgerEntry{Time: at(20, 5), AppID: sb.AppID, SubMchID: "1900000200", TransactionID: "4200000001000000000000000002",
		OpenID: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6p", TradeType: "MICROPAY", TradeState: "REFUND", BankType: "CMB_DEBIT", AmountFen: 25800,
		RefundID: "50000000010000000000000001", OutRefundNo: "MALLR-30001", RefundFen: 5800, RefundStatus: "SUCCESS", Product: `咖啡, "大杯" 套餐`})
}
