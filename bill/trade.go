package bill

import (
	"io"
	"iter"
	"time"
)

// Layout is the column layout of a trade bill, which follows its bill_type.
type Layout string

// Trade bill layouts.
const (
	LayoutAll     Layout = "ALL"     // 27 columns: payments and refunds
	LayoutSuccess Layout = "SUCCESS" // 20 columns: payments only
	LayoutRefund  Layout = "REFUND"  // 29 columns: refunds, with their application and success times
)

// TradeBillRow is one detail row of a trade bill. Fields whose column is
// absent from the bill's layout are zero. Amounts are fen, read exactly from
// the file's yuan; Fee is exact to 1/100000 yuan; times are Asia/Shanghai.
// OpenID (用户标识) is personal data: the row prints it masked through fmt
// (String, Format) and slog (LogValue), and it is never put in a
// ParseError; do not copy it into logs yourself.
type TradeBillRow struct {
	Line              int       // 1-based line number in the (decompressed) file
	TradeTime         time.Time // 交易时间: payment success time, or refund initiation time
	AppID             string    // 公众账号ID
	MchID             string    // 商户号
	SubMchID          string    // 特约商户号 ("0" for a direct merchant)
	DeviceInfo        string    // 设备号
	TransactionID     string    // 微信订单号
	OutTradeNo        string    // 商户订单号
	OpenID            string    // 用户标识
	TradeType         string    // 交易类型: JSAPI, NATIVE, APP, MICROPAY, FACE, AUTH (pay score)…
	TradeState        string    // 交易状态: SUCCESS, REFUND, REVOKED
	BankType          string    // 付款银行
	Currency          string    // 货币种类
	SettlementFen     int64     // 应结订单金额 (legacy 总金额)
	CouponFen         int64     // 代金券金额 (legacy 企业红包金额)
	RefundApplyTime   time.Time // 退款申请时间 (REFUND layout)
	RefundSuccessTime time.Time // 退款成功时间 (REFUND layout; zero while processing)
	RefundID          string    // 微信退款单号
	OutRefundNo       string    // 商户退款单号
	RefundFen         int64     // 退款金额
	RechargeRefundFen int64     // 充值券退款金额 (legacy 企业红包退款金额)
	RefundType        string    // 退款类型
	RefundStatus      string    // 退款状态: SUCCESS, PROCESSING
	Product           string    // 商品名称
	Attach            string    // 商户数据包 (pay score: wxzff|<service order>|<out_order_no>)
	Fee               Fee       // 手续费
	FeeRate           string    // 费率, e.g. 0.60%
	OrderFen          int64     // 订单金额
	RefundApplyFen    int64     // 申请退款金额
	FeeRemark         string    // 费率备注
	// Extra holds the columns this SDK does not know, by header name, with
	// the backtick prefix removed and \r, \n unescaped; nil when the bill
	// has none. With ReuseRow the map is reused too.
	Extra map[string]string
}

// TradeBillSummary is the summary row of a trade bill (the last line, under
// the summary header 总交易单数,应结订单总金额,…). Fields whose column is
// absent from the layout are zero. Amounts are fen, read exactly from the
// file's yuan; Fee is exact to 1/100000 yuan.
type TradeBillSummary struct {
	// Line is the 1-based line number of the summary row in the
	// (decompressed) file.
	Line              int
	Count             int64 // 总交易单数
	SettlementFen     int64 // 应结订单总金额
	RefundFen         int64 // 退款总金额
	RechargeRefundFen int64 // 充值券退款总金额
	Fee               Fee   // 手续费总金额
	OrderFen          int64 // 订单总金额
	RefundApplyFen    int64 // 申请退款总金额
	// Extra holds the summary columns this SDK does not know, by header
	// name, with the backtick prefix removed; nil when there are none.
	Extra map[string]string
}

// Trade bill fields, in the order of tradeColumns.
const (
	tTradeTime = iota
	tAppID
	tMchID
	tSubMchID
	tDeviceInfo
	tTransactionID
	tOutTradeNo
	tOpenID
	tTradeType
	tTradeState
	tBankType
	tCurrency
	tSettlement
	tCoupon
	tRefundApplyTime
	tRefundSuccessTime
	tRefundID
	tOutRefundNo
	tRefund
	tRechargeRefund
	tRefundType
	tRefundStatus
	tProduct
	tAttach
	tFee
	tFeeRate
	tOrder
	tRefundApply
	tFeeRemark
)

// tradeColumns are the header names of each field: the current name first,
// then legacy names.
var tradeColumns = [][]string{
	{"交易时间"}, {"公众账号ID"}, {"商户号"}, {"特约商户号", "子商户号"}, {"设备号"},
	{"微信订单号"}, {"商户订单号"}, {"用户标识"}, {"交易类型"}, {"交易状态"},
	{"付款银行"}, {"货币种类"}, {"应结订单金额", "总金额"}, {"代金券金额", "企业红包金额", "代金券或立减优惠金额"},
	{"退款申请时间"}, {"退款成功时间"}, {"微信退款单号"}, {"商户退款单号"}, {"退款金额"},
	{"充值券退款金额", "企业红包退款金额", "代金券或立减优惠退款金额"}, {"退款类型"}, {"退款状态"},
	{"商品名称"}, {"商户数据包"}, {"手续费"}, {"费率"}, {"订单金额"}, {"申请退款金额"}, {"费率备注"},
}

var tradeRequired = []int{tTradeTime, tTransactionID, tOutTradeNo, tTradeState, tSettlement}

const (
	sCount = iota
	sSettlement
	sRefund
	sRechargeRefund
	sFee
	sOrder
	sRefundApply
)

var tradeSummaryColumns = [][]string{
	{"总交易单数"}, {"应结订单总金额", "总交易额"}, {"退款总金额", "总退款金额"},
	{"充值券退款总金额", "总企业红包退款金额", "总代金券或立减优惠退款金额"}, {"手续费总金额"},
	{"订单总金额"}, {"申请退款总金额"},
}

// tradeSheet is the trade bill for the reader core.
var tradeSheet = sheet[TradeBillRow, TradeBillSummary]{
	columns: tradeColumns, summaryColumns: tradeSummaryColumns,
	required: tradeRequired, summaryRequired: []int{sCount, sSettlement},
	summary: func(c cellReader) (*TradeBillSummary, *ParseError) {
		sum := &TradeBillSummary{
			Line:              c.line,
			Count:             c.count(sCount),
			SettlementFen:     c.fen(sSettlement),
			RefundFen:         c.fen(sRefund),
			RechargeRefundFen: c.fen(sRechargeRefund),
			Fee:               c.fee(sFee),
			OrderFen:          c.fen(sOrder),
			RefundApplyFen:    c.fen(sRefundApply),
			Extra:             c.extra(nil),
		}
		return sum, c.err // a statement of its own: c.err is read once the cells are
	},
	reset: func(row *TradeBillRow) {
		extra := row.Extra
		clear(extra)
		*row = TradeBillRow{Extra: extra}
	},
}

// TradeBillReader reads a trade bill (any layout: ALL, SUCCESS, REFUND, and
// the legacy column names) one row at a time, so memory does not depend on
// the size of the bill. Columns are found by header name; unknown extra
// columns land in Extra.
type TradeBillReader struct {
	// ReuseRow, when true, makes Read return the same *TradeBillRow every
	// time, overwritten (its Extra map too) by each call, rather than a new
	// row per call: like encoding/csv's ReuseRecord, it saves an allocation
	// per row. A row is then valid only until the next call to Read (or the
	// next step of All): copy it (row2 := *row, and maps.Clone(row.Extra))
	// to keep it. The strings in a row are never reused and stay valid. A
	// Read that returns an error, io.EOF included, clears the reused row, so
	// the reader holds no row data once the bill is read. Set ReuseRow
	// before the first Read.
	ReuseRow bool

	reader[TradeBillRow, TradeBillSummary] // unexported: the read loop shared with FundFlowReader
}

// NewTradeBillReader returns a reader over a decompressed trade bill.
func NewTradeBillReader(r io.Reader) *TradeBillReader {
	return &TradeBillReader{reader: newReader(&tradeSheet, r)}
}

// Header reads the header line if needed and returns the column names.
func (r *TradeBillReader) Header() ([]string, error) { return r.header() }

// Layout returns the bill's layout, known once the header has been read
// (Header or the first Read).
func (r *TradeBillReader) Layout() Layout {
	switch {
	case r.c.cols.idx == nil:
		return ""
	case r.c.cols.idx[tRefundApplyTime] >= 0:
		return LayoutRefund
	case r.c.cols.idx[tRefundID] >= 0:
		return LayoutAll
	default:
		return LayoutSuccess
	}
}

// Read returns the next detail row. After the last row it reads the summary
// and returns io.EOF; Summary then returns it. A row that cannot be parsed
// is returned as a *ParseError and Read may be called again for the next
// row; a broken file structure (no header, no summary, a line after the
// summary) is returned by every later call too. With ReuseRow the row is
// overwritten by the next call.
func (r *TradeBillReader) Read() (*TradeBillRow, error) {
	c, row, err := r.next(r.ReuseRow)
	if err != nil {
		return nil, err
	}
	row.Line = c.line
	row.TradeTime = c.time(tTradeTime)
	row.AppID = c.raw(tAppID)
	row.MchID = c.raw(tMchID)
	row.SubMchID = c.raw(tSubMchID)
	row.DeviceInfo = c.raw(tDeviceInfo)
	row.TransactionID = c.raw(tTransactionID)
	row.OutTradeNo = c.raw(tOutTradeNo)
	row.OpenID = c.raw(tOpenID)
	row.TradeType = c.raw(tTradeType)
	row.TradeState = c.raw(tTradeState)
	row.BankType = c.raw(tBankType)
	row.Currency = c.raw(tCurrency)
	row.SettlementFen = c.fen(tSettlement)
	row.CouponFen = c.fen(tCoupon)
	row.RefundApplyTime = c.time(tRefundApplyTime)
	row.RefundSuccessTime = c.time(tRefundSuccessTime)
	row.RefundID = c.raw(tRefundID)
	row.OutRefundNo = c.raw(tOutRefundNo)
	row.RefundFen = c.fen(tRefund)
	row.RechargeRefundFen = c.fen(tRechargeRefund)
	row.RefundType = c.raw(tRefundType)
	row.RefundStatus = c.raw(tRefundStatus)
	row.Product = c.text(tProduct)
	row.Attach = c.text(tAttach)
	row.Fee = c.fee(tFee)
	row.FeeRate = c.raw(tFeeRate)
	row.OrderFen = c.fen(tOrder)
	row.RefundApplyFen = c.fen(tRefundApply)
	row.FeeRemark = c.text(tFeeRemark)
	row.Extra = c.extra(row.Extra)
	return r.done(row)
}

// Summary returns the summary row, or nil until Read has returned io.EOF.
func (r *TradeBillReader) Summary() *TradeBillSummary { return r.summary }

// All returns an iterator over the remaining rows. It stops after the last
// row (Summary is then set) or after yielding the first error.
func (r *TradeBillReader) All() iter.Seq2[*TradeBillRow, error] { return rowsOf(r.Read) }
