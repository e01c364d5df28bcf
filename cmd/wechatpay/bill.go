package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/wechatpay-biz/wechatpay-biz-go/bill"
	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/internal/envconfig"
)

// Output formats of the bill commands.
const (
	formatRaw  = "raw"  // the verified file as WeChat Pay wrote it
	formatCSV  = "csv"  // parsed rows: English headers, amounts in fen, RFC 3339 times
	formatJSON = "json" // parsed rows and the summary in one JSON document
)

var formats = []string{formatRaw, formatCSV, formatJSON}

// billFlags are the flags every bill subcommand shares.
type billFlags struct {
	merchant    merchantFlags
	date        string
	out         string
	format      string
	subMchID    string
	billType    string
	accountType string
}

const billLong = `Apply for a bill, download it, verify its SHA-1 against the hash WeChat Pay gave,
decrypt it when it comes encrypted (sub-merchant bills, in parts), and write it to --out
atomically: a temporary file beside it is renamed only once everything checked out, so
--out never holds a partial or unverified bill. The bill is then parsed and its summary
row checked against the sum of its rows; the totals are printed.

--format raw writes the bill exactly as WeChat Pay wrote it (UTF-8 CSV with backtick-
prefixed values); csv and json write the parsed, typed rows instead: English column
names, amounts as integer fen, fees as exact yuan strings, times in RFC 3339
(Asia/Shanghai). The file is created with mode 0600: bills hold personal data.

On a terminal a progress bar shows large downloads. The bill of day D exists from
09:00 (Asia/Shanghai) on D+1, for three months.`

func (a *app) billCmd() *cobra.Command {
	var f billFlags
	cmd := &cobra.Command{
		Use:   "bill",
		Short: "Download, verify, decrypt and parse trade, fund-flow and sub-merchant bills",
		Long:  billLong,
	}
	pf := cmd.PersistentFlags()
	f.merchant.register(pf)
	pf.StringVar(&f.date, "date", "", "bill date, yyyy-MM-dd (Asia/Shanghai) (required)")
	pf.StringVarP(&f.out, "out", "o", "", "file to write, atomically (required)")
	pf.StringVar(&f.format, "format", formatRaw, "raw (the verified bill as is), csv or json (parsed, typed rows)")

	trade := &cobra.Command{
		Use:   "trade",
		Short: "The trade bill (交易账单) of one day: GET /v3/bill/tradebill",
		Long:  billLong + "\n\nGET /v3/bill/tradebill — https://pay.weixin.qq.com/doc/v3/merchant/4012556654",
		Example: `  wechatpay bill trade --date 2026-11-29 --out tradebill-2026-11-29.csv
  wechatpay bill trade --date 2026-11-29 --bill-type REFUND --format json -o refunds.json
  wechatpay bill trade --date 2026-11-29 --sub-mchid 1900000200 -o sub.csv   # service providers`,
		Args: noArgs,
	}
	trade.Flags().StringVar(&f.subMchID, "sub-mchid", "", "service providers: one sub-merchant's bill (default: every sub-merchant)")
	trade.Flags().StringVar(&f.billType, "bill-type", string(bill.BillTypeAll), "ALL, SUCCESS, REFUND, RECHARGE_REFUND, ALL_SPECIAL, SUC_SPECIAL or REF_SPECIAL")
	trade.RunE = a.action(func(ctx context.Context, _ *cobra.Command, _ []string) error { return a.tradeBill(ctx, &f) })

	fund := &cobra.Command{
		Use:   "fundflow",
		Short: "The fund-flow bill (资金账单) of one fund account: GET /v3/bill/fundflowbill",
		Long:  billLong + "\n\nGET /v3/bill/fundflowbill — https://pay.weixin.qq.com/docs/partner/apis/partner-mini-program-payment/get-fund-bill.html",
		Example: `  wechatpay bill fundflow --date 2026-11-29 --out fundflow-2026-11-29.csv
  wechatpay bill fundflow --date 2026-11-29 --account-type OPERATION --format csv -o operation.csv`,
		Args: noArgs,
	}
	fund.Flags().StringVar(&f.accountType, "account-type", string(bill.AccountTypeBasic), "BASIC, OPERATION or FEES")
	fund.Flags().StringVar(&f.subMchID, "sub-mchid", "", "the optional sub_mchid the API lists for service providers")
	fund.RunE = a.action(func(ctx context.Context, _ *cobra.Command, _ []string) error { return a.fundFlowBill(ctx, &f) })

	sub := &cobra.Command{
		Use:   "sub-merchant",
		Short: "A sub-merchant's fund-flow bill (二级商户资金账单), encrypted parts decrypted: GET /v3/bill/sub-merchant-fundflowbill",
		Long: billLong + `

Service providers with the 下载二级商户资金账单 permission only. Each part's key is
decrypted with the merchant private key, the parts are decrypted (AEAD_AES_256_GCM),
verified one by one and joined in sequence.

GET /v3/bill/sub-merchant-fundflowbill — https://pay.weixin.qq.com/docs/partner/apis/partner-mini-program-payment/get-sub-mch-fund-flow-bill.html`,
		Example: `  wechatpay bill sub-merchant --date 2026-11-29 --sub-mchid 1900000200 --out sub-fundflow.csv
  wechatpay bill sub-merchant --date 2026-11-29 --sub-mchid 1900000200 --account-type FEES --format json -o fees.json`,
		Args: noArgs,
	}
	sub.Flags().StringVar(&f.subMchID, "sub-mchid", "", "the sub-merchant (required)")
	sub.Flags().StringVar(&f.accountType, "account-type", string(bill.AccountTypeBasic), "BASIC, OPERATION, FEES or DEPOSIT")
	sub.RunE = a.action(func(ctx context.Context, _ *cobra.Command, _ []string) error { return a.subMerchantBill(ctx, &f) })

	return groupCmd(cmd, trade, fund, sub)
}

// check validates the shared flags.
func (f *billFlags) check() (bill.Date, error) {
	var problems []string
	var day bill.Date
	if f.date == "" {
		problems = append(problems, "--date is required (yyyy-MM-dd)")
	} else if d, err := bill.ParseDate(f.date); err != nil {
		problems = append(problems, fmt.Sprintf("--date %q is not a yyyy-MM-dd date", f.date))
	} else {
		day = d
	}
	if f.out == "" {
		problems = append(problems, "--out is required")
	}
	if !slices.Contains(formats, f.format) {
		problems = append(problems, fmt.Sprintf("--format %q is not one of %s", f.format, strings.Join(formats, ", ")))
	}
	if len(problems) > 0 {
		return day, usagef("%s", strings.Join(problems, "; "))
	}
	return day, nil
}

// billFlagOf maps the bill requests' JSON fields to the flags that set them.
var billFlagOf = map[string]string{
	"bill_date": "--date", "bill_type": "--bill-type", "account_type": "--account-type",
	"sub_mchid": "--sub-mchid", "tar_type": "--format", "algorithm": "",
}

// validate checks a bill request before any credentials are read or any
// call is made, and names the flags instead of the request's JSON fields:
// "--account-type: must be one of …", not "invalid bill.FundFlowBill
// request: account_type: …".
func validate(req interface{ Validate() error }) error {
	err := req.Validate()
	var ve *core.ValidationError
	if err == nil || !errors.As(err, &ve) {
		return err
	}
	problems := make([]string, len(ve.Problems))
	for i, p := range ve.Problems {
		name := p.Field
		if fl, ok := billFlagOf[p.Field]; ok && fl != "" {
			name = fl
		}
		problems[i] = name + ": " + p.Problem
	}
	return usagef("%s", strings.Join(problems, "; "))
}

// applyError turns an apply failure into the command's error: a request
// the SDK refused to send is the caller's mistake.
func applyError(what string, day bill.Date, err error) error {
	var ve *core.ValidationError
	if errors.As(err, &ve) {
		return &usageError{err}
	}
	if core.ErrorCode(err) == "NO_STATEMENT_EXIST" {
		return fmt.Errorf("no %s for %s (NO_STATEMENT_EXIST, Request-ID %s)", what, day, core.RequestIDOf(err))
	}
	return err
}

func (a *app) tradeBill(ctx context.Context, f *billFlags) error {
	day, err := f.check()
	if err != nil {
		return err
	}
	req := &bill.TradeBillRequest{BillDate: day, BillType: core.Ptr(bill.BillType(f.billType)), TarType: core.Ptr(bill.TarTypeGzip)}
	if f.subMchID != "" {
		req.SubMchID = &f.subMchID
	}
	return a.applyAndSave(ctx, f, day, "trade bill", "trade bill", req, tradeConverter(day), func(svc *bill.Service) (string, billDownload, error) {
		resp, err := svc.TradeBill(ctx, req)
		if err != nil {
			return "", nil, err
		}
		applied := fmt.Sprintf("applied  GET /v3/bill/tradebill %s: %s %s (Request-ID %s)", day, resp.HashType, resp.HashValue, resp.RequestID)
		return applied, func(w io.Writer) (*bill.DownloadResult, error) { return svc.Download(ctx, resp.DownloadRequest(), w) }, nil
	})
}

func (a *app) fundFlowBill(ctx context.Context, f *billFlags) error {
	day, err := f.check()
	if err != nil {
		return err
	}
	req := &bill.FundFlowBillRequest{BillDate: day, AccountType: core.Ptr(bill.AccountType(f.accountType)), TarType: core.Ptr(bill.TarTypeGzip)}
	if f.subMchID != "" {
		req.SubMchID = &f.subMchID
	}
	return a.applyAndSave(ctx, f, day, "fund-flow bill", "fund-flow bill", req, fundFlowConverter(day, "fundflow"), func(svc *bill.Service) (string, billDownload, error) {
		resp, err := svc.FundFlowBill(ctx, req)
		if err != nil {
			return "", nil, err
		}
		applied := fmt.Sprintf("applied  GET /v3/bill/fundflowbill %s %s: %s %s (Request-ID %s)", day, f.accountType, resp.HashType, resp.HashValue, resp.RequestID)
		return applied, func(w io.Writer) (*bill.DownloadResult, error) { return svc.Download(ctx, resp.DownloadRequest(), w) }, nil
	})
}

func (a *app) subMerchantBill(ctx context.Context, f *billFlags) error {
	day, err := f.check()
	if err != nil {
		return err
	}
	if f.subMchID == "" {
		return usagef("--sub-mchid is required")
	}
	req := &bill.SubMerchantFundFlowBillRequest{
		SubMchID: f.subMchID, BillDate: day, AccountType: bill.AccountType(f.accountType),
		Algorithm: bill.AlgorithmAES256GCM, TarType: core.Ptr(bill.TarTypeGzip),
	}
	return a.applyAndSave(ctx, f, day, "sub-merchant fund-flow bill", "sub-merchant bill", req, fundFlowConverter(day, "sub-merchant-fundflow"), func(svc *bill.Service) (string, billDownload, error) {
		resp, err := svc.SubMerchantFundFlowBill(ctx, req)
		if err != nil {
			return "", nil, err
		}
		applied := fmt.Sprintf("applied  GET /v3/bill/sub-merchant-fundflowbill %s %s: %d encrypted part(s) (Request-ID %s)", day, f.accountType, resp.DownloadBillCount, resp.RequestID)
		return applied, func(w io.Writer) (*bill.DownloadResult, error) {
			return svc.DownloadEncrypted(ctx, resp.DownloadRequest(), w)
		}, nil
	})
}

// A billDownload downloads an applied-for bill into w.
type billDownload func(w io.Writer) (*bill.DownloadResult, error)

// applyAndSave is what the bill commands share: it validates req (a refused
// request is a usage error and sends nothing), applies for the bill with
// apply, which answers the line to print and how to download the bill, and
// saves the bill with saveBill. what names the bill in apply errors, shown
// in the progress line.
func (a *app) applyAndSave(ctx context.Context, f *billFlags, day bill.Date, what, shown string, req interface{ Validate() error }, conv converter, apply func(svc *bill.Service) (applied string, download billDownload, err error)) error {
	if err := validate(req); err != nil {
		return err
	}
	c, err := a.client(&f.merchant, envconfig.Need{})
	if err != nil {
		return err
	}
	applied, download, err := apply(bill.NewService(c))
	if err != nil {
		return applyError(what, day, err)
	}
	fmt.Fprintln(a.stdout, applied)
	return a.saveBill(ctx, f, shown+" "+day.String(), download, conv)
}

// A converter parses a downloaded bill, checks its summary against its rows,
// writes the rows in a format (nil for none) and returns the printed totals.
type converter func(r io.Reader, format string, w io.Writer) (totals string, err error)

// saveBill downloads into a temporary file beside f.out, checks the bill,
// and moves the result into place.
func (a *app) saveBill(ctx context.Context, f *billFlags, what string, download billDownload, conv converter) (err error) {
	dir, base := filepath.Split(f.out)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".*.download")
	if err != nil {
		return err
	}
	rawPath := tmp.Name()
	defer func() {
		_ = tmp.Close()
		if err != nil || f.format != formatRaw {
			_ = os.Remove(rawPath)
		}
	}()

	bw := bufio.NewWriterSize(tmp, 256<<10)
	p := &progress{w: bw, show: a.terminal, after: a.progressAfter, out: a.stderr, what: "downloading " + what}
	res, err := download(p)
	p.finish()
	if err != nil {
		return err
	}
	if err = bw.Flush(); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "download %d file(s), %d bytes, SHA-1 %s verified (Request-ID %s)\n", res.Files, res.Size, res.SHA1, strings.Join(res.RequestIDs, ", "))

	raw, err := os.Open(rawPath)
	if err != nil {
		return err
	}
	defer raw.Close()
	var totals string
	if f.format == formatRaw {
		if totals, err = conv(raw, "", io.Discard); err != nil {
			return err
		}
		if err = tmp.Chmod(0o600); err != nil {
			return err
		}
		if err = tmp.Close(); err != nil {
			return err
		}
		if err = os.Rename(rawPath, f.out); err != nil {
			return err
		}
	} else {
		err = writeAtomically(f.out, 0o600, func(out *os.File) error {
			w := bufio.NewWriterSize(out, 256<<10)
			t, err := conv(raw, f.format, w)
			if err != nil {
				return err
			}
			totals = t
			return w.Flush()
		})
		if err != nil {
			return err
		}
	}
	fmt.Fprintf(a.stdout, "rows     %s\n", totals)
	fmt.Fprintf(a.stdout, "check    the summary row matches the sum of the rows\n")
	fmt.Fprintf(a.stdout, "wrote    %s (%s)\n", f.out, f.format)
	return nil
}

// progress counts the bytes written through it and, on a terminal, shows a
// progress bar once more than after bytes have passed.
type progress struct {
	w     io.Writer
	show  bool
	after int64
	out   io.Writer
	what  string

	n   int64
	bar *progressbar.ProgressBar
}

func (p *progress) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	p.n += int64(n)
	switch {
	case p.bar != nil:
		_ = p.bar.Add(n)
	case p.show && p.n > p.after:
		p.bar = progressbar.NewOptions64(-1,
			progressbar.OptionSetWriter(p.out),
			progressbar.OptionSetDescription(p.what),
			progressbar.OptionShowBytes(true),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionSetSpinnerChangeInterval(0), // no background goroutine
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(p.out) }),
		)
		_ = p.bar.Add64(p.n)
	}
	return n, err
}

func (p *progress) finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
	}
}

// yuan formats fen as yuan with two decimals.
func yuan(fen int64) string {
	sign := ""
	u := uint64(fen)
	if fen < 0 {
		sign, u = "-", uint64(-(fen+1))+1
	}
	return fmt.Sprintf("%s%d.%02d", sign, u/100, u%100)
}

// sum adds v to *total, reporting overflow instead of wrapping.
func sum(total *int64, v int64) error {
	t := *total + v
	if (v > 0 && t < *total) || (v < 0 && t > *total) {
		return errors.New("the bill's amounts overflow 64-bit fen")
	}
	*total = t
	return nil
}

// mismatch describes the summary fields that differ from the rows' sums.
type mismatch []string

func (m *mismatch) check(name string, summary, rows int64, money bool) {
	if summary == rows {
		return
	}
	if money {
		*m = append(*m, fmt.Sprintf("%s %s yuan, rows %s", name, yuan(summary), yuan(rows)))
	} else {
		*m = append(*m, fmt.Sprintf("%s %d, rows %d", name, summary, rows))
	}
}

func (m mismatch) err(what string) error {
	if len(m) == 0 {
		return nil
	}
	return fmt.Errorf("%s: the summary row does not match the rows: %s", what, strings.Join(m, "; "))
}

func tradeConverter(day bill.Date) converter {
	return func(r io.Reader, format string, w io.Writer) (string, error) {
		br := bill.NewTradeBillReader(r)
		rw, err := newRowWriter(format, w, "trade", day, tradeHeader)
		if err != nil {
			return "", err
		}
		var n, settle, refund, order, fee int64
		for row, err := range br.All() {
			if err != nil {
				return "", fmt.Errorf("trade bill: %w", err)
			}
			n++
			for _, e := range []error{sum(&settle, row.SettlementFen), sum(&refund, row.RefundFen), sum(&order, row.OrderFen), sum(&fee, int64(row.Fee))} {
				if e != nil {
					return "", e
				}
			}
			if err := rw.row(tradeRecord(row), tradeValues(row)); err != nil {
				return "", err
			}
		}
		s := br.Summary()
		if s == nil {
			return "", errors.New("trade bill: no summary row")
		}
		var m mismatch
		m.check("count", s.Count, n, false)
		m.check("settlement", s.SettlementFen, settle, true)
		m.check("refunds", s.RefundFen, refund, true)
		m.check("orders", s.OrderFen, order, true)
		if int64(s.Fee) != fee {
			m = append(m, fmt.Sprintf("fees %s yuan, rows %s", s.Fee, bill.Fee(fee)))
		}
		if err := m.err("trade bill"); err != nil {
			return "", err
		}
		if err := rw.close(map[string]any{
			"layout": br.Layout(), "count": s.Count, "settlement_fen": s.SettlementFen, "refund_fen": s.RefundFen,
			"recharge_refund_fen": s.RechargeRefundFen, "fee_yuan": s.Fee.String(), "order_fen": s.OrderFen,
			"refund_apply_fen": s.RefundApplyFen,
		}); err != nil {
			return "", err
		}
		return fmt.Sprintf("%d row(s) (%s layout); settlement %s, refunds %s, orders %s, fees %s yuan",
			s.Count, br.Layout(), yuan(s.SettlementFen), yuan(s.RefundFen), yuan(s.OrderFen), s.Fee), nil
	}
}

func fundFlowConverter(day bill.Date, kind string) converter {
	return func(r io.Reader, format string, w io.Writer) (string, error) {
		br := bill.NewFundFlowReader(r)
		rw, err := newRowWriter(format, w, kind, day, fundHeader)
		if err != nil {
			return "", err
		}
		var n, inN, outN, in, out int64
		for row, err := range br.All() {
			if err != nil {
				return "", fmt.Errorf("fund-flow bill: %w", err)
			}
			n++
			switch row.Direction {
			case bill.Income:
				inN++
				err = sum(&in, row.AmountFen)
			case bill.Expense:
				outN++
				err = sum(&out, row.AmountFen)
			}
			// A direction this tool does not know is counted in no column;
			// the summary check below then reports the difference.
			if err != nil {
				return "", err
			}
			if err := rw.row(fundRecord(row), fundValues(row)); err != nil {
				return "", err
			}
		}
		s := br.Summary()
		if s == nil {
			return "", errors.New("fund-flow bill: no summary row")
		}
		var m mismatch
		m.check("count", s.Count, n, false)
		m.check("income count", s.IncomeCount, inN, false)
		m.check("income", s.IncomeFen, in, true)
		m.check("expense count", s.ExpenseCount, outN, false)
		m.check("expense", s.ExpenseFen, out, true)
		if err := m.err("fund-flow bill"); err != nil {
			return "", err
		}
		if err := rw.close(map[string]any{
			"count": s.Count, "income_count": s.IncomeCount, "income_fen": s.IncomeFen,
			"expense_count": s.ExpenseCount, "expense_fen": s.ExpenseFen,
		}); err != nil {
			return "", err
		}
		return fmt.Sprintf("%d movement(s); income %d (%s yuan), expense %d (%s yuan)",
			s.Count, s.IncomeCount, yuan(s.IncomeFen), s.ExpenseCount, yuan(s.ExpenseFen)), nil
	}
}
