package bill_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/wechatpay-biz/wechatpay-biz-go/bill"
	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

// exampleSandbox starts a sandbox with one payment and one refund recorded
// yesterday (Beijing time).
func exampleSandbox() (*sandbox.Server, *core.Client, bill.Date) {
	sb, err := sandbox.NewServer()
	if err != nil {
		panic(err)
	}
	c, err := sb.Client()
	if err != nil {
		panic(err)
	}
	day := bill.Yesterday(time.Now())
	sb.Record(sandbox.LedgerEntry{Time: day.Start().Add(9 * time.Hour), AppID: sb.AppID, SubMchID: "1900000200",
		TransactionID: "4200000001000000000000000001", OutTradeNo: "ORDER-1", OpenID: "openid", TradeType: "JSAPI",
		TradeState: "SUCCESS", BankType: "OTHERS", AmountFen: 12345, Product: "T-shirt, blue"})
	sb.Record(sandbox.LedgerEntry{Time: day.Start().Add(15 * time.Hour), AppID: sb.AppID, SubMchID: "1900000200",
		TransactionID: "4200000001000000000000000001", OpenID: "openid", TradeType: "JSAPI", TradeState: "REFUND",
		BankType: "OTHERS", RefundID: "50000000010000000000000001", OutRefundNo: "REFUND-1", RefundFen: 2345, RefundStatus: "SUCCESS", Product: "T-shirt, blue"})
	return sb, c, day
}

// Apply for yesterday's trade bill, download it gzip-compressed (checked
// against its SHA-1 while streaming) and read it.
func ExampleService_TradeBill() {
	sb, c, day := exampleSandbox()
	defer sb.Close()
	ctx := context.Background()
	svc := bill.NewService(c)

	resp, err := svc.TradeBill(ctx, &bill.TradeBillRequest{BillDate: day, TarType: core.Ptr(bill.TarTypeGzip)})
	if err != nil {
		fmt.Println(err)
		return
	}
	var buf bytes.Buffer // use DownloadToFile for real bills
	if _, err := svc.Download(ctx, resp.DownloadRequest(), &buf); err != nil {
		fmt.Println(err)
		return
	}
	r := bill.NewTradeBillReader(&buf)
	for row, err := range r.All() {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(row.TradeState, row.OutTradeNo, row.SettlementFen, row.RefundFen, row.Product)
	}
	s := r.Summary()
	fmt.Printf("%s layout: %d rows, settlement %d fen, refunds %d fen, fees %s yuan\n", r.Layout(), s.Count, s.SettlementFen, s.RefundFen, s.Fee)
	// Output:
	// SUCCESS ORDER-1 12345 0 T-shirt, blue
	// REFUND ORDER-1 0 2345 T-shirt, blue
	// ALL layout: 2 rows, settlement 12345 fen, refunds 2345 fen, fees 0.60000 yuan
}

// A service provider fetches one sub-merchant's fund-flow bill: the parts
// are decrypted with keys only the merchant private key can open, verified
// and joined.
func ExampleService_SubMerchantFundFlowBill() {
	sb, c, day := exampleSandbox()
	defer sb.Close()
	ctx := context.Background()
	svc := bill.NewService(c)

	resp, err := svc.SubMerchantFundFlowBill(ctx, &bill.SubMerchantFundFlowBillRequest{
		SubMchID: "1900000200", BillDate: day, AccountType: bill.AccountTypeBasic, Algorithm: bill.AlgorithmAES256GCM,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	var buf bytes.Buffer
	res, err := svc.DownloadEncrypted(ctx, resp.DownloadRequest(), &buf)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("parts:", res.Files)
	r := bill.NewFundFlowReader(&buf)
	for row, err := range r.All() {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(row.BusinessType, row.Direction, row.AmountFen)
	}
	s := r.Summary()
	fmt.Printf("income %d fen, expense %d fen\n", s.IncomeFen, s.ExpenseFen)
	// Output:
	// parts: 1
	// 交易 收入 12345
	// 扣除交易手续费 支出 74
	// 退款 支出 2345
	// 退还交易手续费 收入 14
	// income 12359 fen, expense 2419 fen
}

// Reading a bill from any io.Reader: backticks stripped, commas inside a
// value kept, amounts exact in fen.
func ExampleNewTradeBillReader() {
	const file = "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,商品名称,商户数据包,手续费,费率,订单金额,费率备注\n" +
		"`2026-11-24 09:30:00,`wxd678efh567hg6787,`1900000109,`0,`,`4200000001202611240000000001,`ORDER-1,`openid,`NATIVE,`SUCCESS,`OTHERS,`CNY,`19.90,`0.00,`Book, \"Go\",`,`0.11940,`0.60%,`19.90,`\n" +
		"总交易单数,应结订单总金额,手续费总金额,订单总金额\n" +
		"`1,`19.90,`0.11940,`19.90\n"
	r := bill.NewTradeBillReader(strings.NewReader(file))
	row, err := r.Read()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(row.TradeTime.UTC().Format(time.RFC3339), row.SettlementFen, row.Product, row.Fee)
	// Output:
	// 2026-11-24T01:30:00Z 1990 Book, "Go" 0.11940
}
