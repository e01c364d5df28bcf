package bill

import (
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func openFixture(t *testing.T, name string) *os.File {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	require.NoError(t, err)
	t.Cleanup(func() { f.Close() })
	return f
}

// tradeSums adds up the detail rows the way the summary row does.
func tradeSums(t *testing.T, r *TradeBillReader) (rows []*TradeBillRow, sum TradeBillSummary) {
	t.Helper()
	for row, err := range r.All() {
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
	return rows, sum
}

func requireSummaryMatches(t *testing.T, want *TradeBillSummary, got TradeBillSummary) {
	t.Helper()
	require.NotNil(t, want, "summary read")
	got.Line, got.Extra = want.Line, want.Extra
	require.Equal(t, *want, got, "summary row equals the sum of the rows")
}

func TestTradeBillAllLayout(t *testing.T) {
	r := NewTradeBillReader(openFixture(t, "tradebill_all.csv"))
	rows, sums := tradeSums(t, r)
	require.Equal(t, LayoutAll, r.Layout())
	require.Len(t, rows, 3)
	requireSummaryMatches(t, r.Summary(), sums)
	s := r.Summary()
	require.Equal(t, int64(3), s.Count)
	require.Equal(t, int64(11234), s.SettlementFen)
	require.Equal(t, Fee(49404), s.Fee)
	require.Equal(t, 6, s.Line)

	first := rows[0]
	require.Equal(t, 2, first.Line)
	require.Equal(t, time.Date(2026, 11, 24, 9, 15, 2, 0, shanghai), first.TradeTime)
	require.Equal(t, "2026-11-24T01:15:02Z", first.TradeTime.UTC().Format(time.RFC3339))
	require.Equal(t, "wxd678efh567hg6787", first.AppID, "byte-order mark stripped from the header")
	require.Equal(t, "0", first.SubMchID)
	require.Equal(t, "4200000001202611240000000001", first.TransactionID)
	require.Equal(t, `咖啡, "大杯" 套餐`, first.Product, "commas and quotes inside a value survive")
	require.Equal(t, "wxzff|1000000000202611240000001|SO-1", first.Attach)
	require.Equal(t, int64(10000), first.SettlementFen)
	require.Equal(t, Fee(60000), first.Fee)
	require.Equal(t, "0.60000", first.Fee.String())
	require.Equal(t, "0.60%", first.FeeRate)
	require.Empty(t, first.FeeRemark)
	require.Nil(t, first.Extra)

	second := rows[1]
	require.Equal(t, "line1\nline2\r\nend", second.Attach, "escaped control characters decoded")
	require.Equal(t, int64(1234), second.SettlementFen)
	require.Equal(t, int64(100), second.CouponFen)
	require.Equal(t, Fee(7404), second.Fee)
	fen, exact := second.Fee.Fen()
	require.Equal(t, int64(7), fen)
	require.False(t, exact)
	require.Equal(t, "优惠费率", second.FeeRemark)

	refund := rows[2]
	require.Equal(t, "REFUND", refund.TradeState)
	require.Equal(t, int64(3000), refund.RefundFen)
	require.Equal(t, "REFUND-0001", refund.OutRefundNo)
	require.Equal(t, Fee(-18000), refund.Fee)
	require.Equal(t, "-0.18000", refund.Fee.String())
}

func TestTradeBillSuccessLayout(t *testing.T) {
	r := NewTradeBillReader(openFixture(t, "tradebill_success.csv"))
	rows, sums := tradeSums(t, r)
	require.Equal(t, LayoutSuccess, r.Layout())
	require.Len(t, rows, 2)
	requireSummaryMatches(t, r.Summary(), sums)
	require.Equal(t, int64(11334), r.Summary().OrderFen)
	require.Empty(t, rows[0].RefundID)
}

func TestTradeBillRefundLayout(t *testing.T) {
	r := NewTradeBillReader(openFixture(t, "tradebill_refund.csv"))
	rows, sums := tradeSums(t, r)
	require.Equal(t, LayoutRefund, r.Layout())
	require.Len(t, rows, 2)
	requireSummaryMatches(t, r.Summary(), sums)
	require.Equal(t, time.Date(2026, 11, 24, 18, 0, 5, 0, shanghai), rows[0].RefundSuccessTime)
	require.True(t, rows[1].RefundSuccessTime.IsZero(), "a processing refund has no success time")
	require.Equal(t, "PROCESSING", rows[1].RefundStatus)
	require.Equal(t, int64(50), rows[1].RechargeRefundFen)
	require.Equal(t, Fee(-19200), r.Summary().Fee)
}

func TestTradeBillLegacyHeaderAndExtraColumn(t *testing.T) {
	r := NewTradeBillReader(openFixture(t, "tradebill_legacy.csv"))
	rows, sums := tradeSums(t, r)
	require.Equal(t, LayoutSuccess, r.Layout())
	requireSummaryMatches(t, r.Summary(), sums)
	require.Equal(t, int64(10000), rows[0].SettlementFen, "总金额 read as 应结订单金额")
	require.Equal(t, int64(100), rows[1].CouponFen, "企业红包金额 read as 代金券金额")
	require.Equal(t, map[string]string{"新增列": "x2"}, rows[1].Extra, "unknown columns tolerated")
}

func TestFundFlowBill(t *testing.T) {
	r := NewFundFlowReader(openFixture(t, "fundflow.csv"))
	var rows []*FundFlowRow
	var got FundFlowSummary
	for row, err := range r.All() {
		require.NoError(t, err)
		rows = append(rows, row)
		got.Count++
		switch row.Direction {
		case Income:
			got.IncomeCount++
			got.IncomeFen += row.AmountFen
		case Expense:
			got.ExpenseCount++
			got.ExpenseFen += row.AmountFen
		default:
			t.Fatalf("unknown direction on line %d", row.Line)
		}
	}
	s := r.Summary()
	require.NotNil(t, s)
	got.Line = s.Line
	require.Equal(t, *s, got, "summary row equals the sum of the rows")
	require.Equal(t, FundFlowSummary{Line: 7, Count: 4, IncomeCount: 2, IncomeFen: 10018, ExpenseCount: 2, ExpenseFen: 3060}, *s)
	require.Equal(t, "备注, 含逗号", rows[0].Remark)
	require.Equal(t, "第一行\n第二行", rows[2].Remark)
	require.Equal(t, int64(106958), rows[3].BalanceFen)
	require.Equal(t, "退还交易手续费", rows[3].BusinessType)
}

func TestParseFixed(t *testing.T) {
	for _, c := range []struct {
		in    string
		scale int
		want  int64
		ok    bool
	}{
		{"0.01", 2, 1, true}, {"100", 2, 10000, true}, {"1.5", 2, 150, true}, {"-0.18", 2, -18, true},
		{"0.10000", 2, 10, true}, {"0.105", 2, 0, false}, {"", 2, 0, true}, {"1e3", 2, 0, false},
		{"0.00600", 5, 600, true}, {"12345678901234.56", 2, 1234567890123456, true},
		{"99999999999999999999", 2, 0, false}, {".", 2, 0, false}, {"-", 2, 0, false}, {"1,000.00", 2, 0, false},
	} {
		got, ok := parseFixed(c.in, c.scale)
		require.Equal(t, c.ok, ok, c.in)
		if ok {
			require.Equal(t, c.want, got, c.in)
		}
	}
}

const successHeader = "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,商品名称,商户数据包,手续费,费率,订单金额,费率备注\n"

func successRow(amount, when string) string {
	return "`" + when + ",`wx1,`1900000109,`0,`,`4200,`O1,`openid,`JSAPI,`SUCCESS,`CMB,`CNY,`" + amount + ",`0.00,`p,`a,`0.00600,`0.60%,`" + amount + ",`\n"
}

const successSummary = "总交易单数,应结订单总金额,手续费总金额,订单总金额\n`1,`1.00,`0.00600,`1.00\n"

func TestMalformedLinesReportTheirLineNumber(t *testing.T) {
	bill := successHeader +
		successRow("1.00", "2026-11-24 10:00:00") +
		successRow("1.001", "2026-11-24 10:00:00") + // line 3: not exact in fen
		successRow("1.00", "24/11/2026 10:00") + // line 4: bad time
		"`only,`three,`cells\n" + // line 5: wrong count
		successRow("1.00", "2026-11-24 10:00:00") +
		successSummary
	r := NewTradeBillReader(strings.NewReader(bill))
	var lines []int
	var errs []error
	for {
		row, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			errs = append(errs, err)
			var pe *ParseError
			require.True(t, errors.As(err, &pe))
			lines = append(lines, pe.Line)
			continue
		}
		require.NotNil(t, row)
	}
	require.Equal(t, []int{3, 4, 5}, lines)
	require.ErrorIs(t, errs[0], ErrMalformed)
	require.Contains(t, errs[0].Error(), "line 3, column 应结订单金额")
	require.NotContains(t, errs[1].Error(), "24/11/2026", "values never appear in errors")
	require.Contains(t, errs[2].Error(), "3 values, but the header has 20 columns")
	require.NotNil(t, r.Summary(), "reading continues after a bad row")
}

func TestStructuralErrors(t *testing.T) {
	for name, c := range map[string]struct {
		bill string
		line int
		msg  string
	}{
		"empty":            {"", 1, "no header"},
		"no summary":       {successHeader + successRow("1.00", "2026-11-24 10:00:00"), 3, "without its summary"},
		"summary row gone": {successHeader + "总交易单数,应结订单总金额,手续费总金额,订单总金额\n", 3, "without its summary"},
		"after summary":    {successHeader + successSummary + "extra\n", 4, "after the summary"},
		"missing column":   {"交易时间,商户号\n" + successSummary, 1, "no 微信订单号 column"},
		"row for header":   {"`2026-11-24 10:00:00,`x\n", 1, "not a header"},
	} {
		t.Run(name, func(t *testing.T) {
			r := NewTradeBillReader(strings.NewReader(c.bill))
			var err error
			for _, err = range r.All() {
			}
			if err == nil {
				_, err = r.Read()
			}
			var pe *ParseError
			require.True(t, errors.As(err, &pe), "got %v", err)
			require.Equal(t, c.line, pe.Line)
			require.Contains(t, err.Error(), c.msg)
			_, again := r.Read()
			require.Equal(t, err, again, "structural errors are sticky")
		})
	}
}

func TestLongLinesAreCapped(t *testing.T) {
	bill := successHeader + "`" + strings.Repeat("x", MaxLineLength+10) + "\n" + successSummary
	_, err := NewTradeBillReader(strings.NewReader(bill)).Read()
	require.ErrorIs(t, err, ErrMalformed)
	require.Contains(t, err.Error(), "line 2")
}

func TestDate(t *testing.T) {
	d := NewDate(2026, time.November, 25)
	require.Equal(t, "2026-11-25", d.String())
	b, err := d.MarshalText()
	require.NoError(t, err)
	require.Equal(t, "2026-11-25", string(b))
	var back Date
	require.NoError(t, back.UnmarshalText([]byte("2026-01-05")))
	require.Equal(t, NewDate(2026, 1, 5), back)
	require.Error(t, back.UnmarshalText([]byte("2026-02-30")))
	require.Equal(t, NewDate(2026, 3, 1), NewDate(2026, 2, 29), "normalised like time.Date")

	// 2026-11-25 17:30 UTC is already 2026-11-26 01:30 in Shanghai.
	now := time.Date(2026, 11, 25, 17, 30, 0, 0, time.UTC)
	require.Equal(t, NewDate(2026, 11, 25), Yesterday(now))
	require.Equal(t, NewDate(2026, 11, 24), Yesterday(time.Date(2026, 11, 25, 15, 59, 0, 0, time.UTC)))
	require.Equal(t, NewDate(2025, 12, 31), NewDate(2026, 1, 1).AddDays(-1))
	require.True(t, Date{}.IsZero())
	_, err = Date{Year: 2026, Month: 2, Day: 30}.MarshalText()
	require.Error(t, err)
}

func TestParseDateTimeFastAgreesWithTimeParse(t *testing.T) {
	for _, s := range []string{
		"2026-11-25 00:00:00", "2026-11-25 23:59:59", "2024-02-29 12:30:45", "1999-12-31 08:00:00",
		"2026-02-30 00:00:00", "2026-13-01 00:00:00", "2026-11-25 24:00:00", "2026-11-25 12:60:00",
		"2026-11-25T12:00:00", "2026-1-25 12:00:00", "2026-11-25 12:00:0x", "", "x",
	} {
		want, werr := time.ParseInLocation(time.DateTime, s, shanghai)
		got, ok := parseTime(s)
		if s == "" {
			if !ok || !got.IsZero() {
				t.Errorf("empty: got %v %v", got, ok)
			}
			continue
		}
		if ok != (werr == nil) || (ok && !got.Equal(want)) {
			t.Errorf("%q: got %v %v, time.Parse says %v %v", s, got, ok, want, werr)
		}
	}
}

func TestTimesAreInAsiaShanghai(t *testing.T) {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	got, ok := parseTime("2026-11-25 10:30:00")
	if !ok || got.Location().String() != "Asia/Shanghai" || !got.Equal(time.Date(2026, 11, 25, 10, 30, 0, 0, loc)) {
		t.Fatalf("got %v (%v)", got, got.Location())
	}
}
