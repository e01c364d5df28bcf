package bill

import (
	"io"
	"iter"
	"time"
)

// Direction is 收支类型, the direction of a fund movement.
type Direction string

// Directions as written in the bill.
const (
	Income  Direction = "收入"
	Expense Direction = "支出"
)

// Values lists the known directions.
func (Direction) Values() []Direction { return []Direction{Income, Expense} }

// FundFlowRow is one detail row of a fund-flow bill (also of a decrypted
// sub-merchant fund-flow bill). Amounts are fen, read exactly from the
// file's yuan; Time is 记账时间 (yyyy-MM-dd HH:mm:ss) in Asia/Shanghai.
// Business and flow numbers are up to 128 characters, 备注 up to 2048.
type FundFlowRow struct {
	Line         int       // 1-based line number in the (decompressed) file
	Time         time.Time // 记账时间
	BusinessID   string    // 微信支付业务单号
	FlowID       string    // 资金流水单号
	BusinessName string    // 业务名称: 交易, 退款, 充值, 提现, 企业付款, 代金券, 分账…
	BusinessType string    // 业务类型: 交易, 扣除交易手续费, 退款, 退款关闭, 退还交易手续费…
	Direction    Direction // 收支类型
	AmountFen    int64     // 收支金额(元), positive in both directions
	BalanceFen   int64     // 账户结余(元)
	Applicant    string    // 资金变更提交申请人
	Remark       string    // 备注
	VoucherID    string    // 业务凭证号
	// Extra holds the columns this SDK does not know, by header name, with
	// the backtick prefix removed and \r, \n unescaped; nil when the bill
	// has none. With ReuseRow the map is reused too.
	Extra map[string]string
}

// FundFlowSummary is the summary row of a fund-flow bill (the last line,
// under the summary header 资金流水总笔数,收入笔数,收入金额,支出笔数,支出金额).
// Amounts are fen, read exactly from the file's yuan.
type FundFlowSummary struct {
	// Line is the 1-based line number of the summary row in the
	// (decompressed) file.
	Line         int
	Count        int64 // 资金流水总笔数
	IncomeCount  int64 // 收入笔数
	IncomeFen    int64 // 收入金额
	ExpenseCount int64 // 支出笔数
	ExpenseFen   int64 // 支出金额
	// Extra holds the summary columns this SDK does not know, by header
	// name, with the backtick prefix removed; nil when there are none.
	Extra map[string]string
}

const (
	fTime = iota
	fBusinessID
	fFlowID
	fBusinessName
	fBusinessType
	fDirection
	fAmount
	fBalance
	fApplicant
	fRemark
	fVoucher
)

var fundColumns = [][]string{
	{"记账时间"}, {"微信支付业务单号"}, {"资金流水单号"}, {"业务名称"}, {"业务类型"}, {"收支类型"},
	{"收支金额(元)", "收支金额（元）", "收支金额"}, {"账户结余(元)", "账户结余（元）", "账户结余"},
	{"资金变更提交申请人"}, {"备注"}, {"业务凭证号"},
}

var fundRequired = []int{fTime, fDirection, fAmount}

const (
	fsCount = iota
	fsIncomeCount
	fsIncome
	fsExpenseCount
	fsExpense
)

var fundSummaryColumns = [][]string{
	{"资金流水总笔数"}, {"收入笔数"}, {"收入金额", "收入金额(元)"}, {"支出笔数"}, {"支出金额", "支出金额(元)"},
}

// fundSheet is the fund-flow bill for the reader core.
var fundSheet = sheet[FundFlowRow, FundFlowSummary]{
	columns: fundColumns, summaryColumns: fundSummaryColumns,
	required: fundRequired, summaryRequired: []int{fsCount},
	summary: func(c cellReader) (*FundFlowSummary, *ParseError) {
		sum := &FundFlowSummary{
			Line:         c.line,
			Count:        c.count(fsCount),
			IncomeCount:  c.count(fsIncomeCount),
			IncomeFen:    c.fen(fsIncome),
			ExpenseCount: c.count(fsExpenseCount),
			ExpenseFen:   c.fen(fsExpense),
			Extra:        c.extra(nil),
		}
		return sum, c.err // a statement of its own: c.err is read once the cells are
	},
	reset: func(row *FundFlowRow) {
		extra := row.Extra
		clear(extra)
		*row = FundFlowRow{Extra: extra}
	},
}

// FundFlowReader reads a fund-flow bill one row at a time, so memory does
// not depend on the size of the bill.
type FundFlowReader struct {
	// ReuseRow, when true, makes Read return the same *FundFlowRow every
	// time, overwritten (its Extra map too) by each call, rather than a new
	// row per call: like encoding/csv's ReuseRecord, it saves an allocation
	// per row. A row is then valid only until the next call to Read (or the
	// next step of All): copy it (row2 := *row, and maps.Clone(row.Extra))
	// to keep it. The strings in a row are never reused and stay valid. A
	// Read that returns an error, io.EOF included, clears the reused row, so
	// the reader holds no row data once the bill is read. Set ReuseRow
	// before the first Read.
	ReuseRow bool

	reader[FundFlowRow, FundFlowSummary] // unexported: the read loop shared with TradeBillReader
}

// NewFundFlowReader returns a reader over a decompressed (and, for the
// sub-merchant bill, decrypted) fund-flow bill.
func NewFundFlowReader(r io.Reader) *FundFlowReader {
	return &FundFlowReader{reader: newReader(&fundSheet, r)}
}

// Header reads the header line if needed and returns the column names.
func (r *FundFlowReader) Header() ([]string, error) { return r.header() }

// Read returns the next detail row, then io.EOF after reading the summary
// (see Summary). Errors behave as for TradeBillReader.Read. With ReuseRow
// the row is overwritten by the next call.
func (r *FundFlowReader) Read() (*FundFlowRow, error) {
	c, row, err := r.next(r.ReuseRow)
	if err != nil {
		return nil, err
	}
	row.Line = c.line
	row.Time = c.time(fTime)
	row.BusinessID = c.raw(fBusinessID)
	row.FlowID = c.raw(fFlowID)
	row.BusinessName = c.text(fBusinessName)
	row.BusinessType = c.text(fBusinessType)
	row.Direction = Direction(c.raw(fDirection))
	row.AmountFen = c.fen(fAmount)
	row.BalanceFen = c.fen(fBalance)
	row.Applicant = c.text(fApplicant)
	row.Remark = c.text(fRemark)
	row.VoucherID = c.raw(fVoucher)
	row.Extra = c.extra(row.Extra)
	return r.done(row)
}

// Summary returns the summary row, or nil until Read has returned io.EOF.
func (r *FundFlowReader) Summary() *FundFlowSummary { return r.summary }

// All returns an iterator over the remaining rows. It stops after the last
// row (Summary is then set) or after yielding the first error.
func (r *FundFlowReader) All() iter.Seq2[*FundFlowRow, error] { return rowsOf(r.Read) }
