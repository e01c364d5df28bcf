package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/wechatpay-biz/wechatpay-biz-go/bill"
)

// rowWriter writes parsed bill rows in one format: csv (a header line, then
// one line per row) or json (one document: the bill, its date, the rows and
// the summary), streaming either way. format "" writes nothing.
type rowWriter struct {
	format string
	w      io.Writer
	csv    *csv.Writer
	buf    bytes.Buffer
	enc    *json.Encoder // into buf, without HTML escaping
	rows   int
}

func newRowWriter(format string, w io.Writer, kind string, day bill.Date, header []string) (*rowWriter, error) {
	rw := &rowWriter{format: format, w: w}
	switch format {
	case formatCSV:
		rw.csv = csv.NewWriter(w)
		return rw, rw.csv.Write(header)
	case formatJSON:
		rw.enc = json.NewEncoder(&rw.buf)
		rw.enc.SetEscapeHTML(false)
		_, err := fmt.Fprintf(w, "{\"bill\":%q,\"bill_date\":%q,\"rows\":[", kind, day.String())
		return rw, err
	}
	return rw, nil
}

func (rw *rowWriter) row(record any, values []string) error {
	switch rw.format {
	case formatCSV:
		return rw.csv.Write(values)
	case formatJSON:
		sep := ",\n"
		if rw.rows == 0 {
			sep = "\n"
		}
		rw.rows++
		return rw.writeJSON(sep, record) // one row per line
	}
	return nil
}

// writeJSON writes prefix and v as JSON, without a trailing newline.
func (rw *rowWriter) writeJSON(prefix string, v any) error {
	rw.buf.Reset()
	rw.buf.WriteString(prefix)
	if err := rw.enc.Encode(v); err != nil {
		return err
	}
	_, err := rw.w.Write(bytes.TrimSuffix(rw.buf.Bytes(), []byte("\n")))
	return err
}

func (rw *rowWriter) close(summary map[string]any) error {
	switch rw.format {
	case formatCSV:
		rw.csv.Flush()
		return rw.csv.Error()
	case formatJSON:
		if err := rw.writeJSON("\n],\"summary\":", summary); err != nil {
			return err
		}
		_, err := io.WriteString(rw.w, "}\n")
		return err
	}
	return nil
}

// rfc3339 formats a bill time (Asia/Shanghai); the zero time is "".
func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339)
}

func fen(v int64) string { return strconv.FormatInt(v, 10) }

// extraJSON renders unknown columns as a JSON object ("" when none).
func extraJSON(m map[string]string) string {
	if len(m) == 0 {
		return ""
	}
	b, _ := json.Marshal(m) // a map of strings always marshals
	return string(b)
}

// tradeRow is a trade bill row as written by --format csv and json.
type tradeRow struct {
	TradeTime         string            `json:"trade_time"`
	AppID             string            `json:"appid"`
	MchID             string            `json:"mchid"`
	SubMchID          string            `json:"sub_mchid"`
	DeviceInfo        string            `json:"device_info"`
	TransactionID     string            `json:"transaction_id"`
	OutTradeNo        string            `json:"out_trade_no"`
	OpenID            string            `json:"openid"`
	TradeType         string            `json:"trade_type"`
	TradeState        string            `json:"trade_state"`
	BankType          string            `json:"bank_type"`
	Currency          string            `json:"currency"`
	SettlementFen     int64             `json:"settlement_fen"`
	CouponFen         int64             `json:"coupon_fen"`
	RefundApplyTime   string            `json:"refund_apply_time"`
	RefundSuccessTime string            `json:"refund_success_time"`
	RefundID          string            `json:"refund_id"`
	OutRefundNo       string            `json:"out_refund_no"`
	RefundFen         int64             `json:"refund_fen"`
	RechargeRefundFen int64             `json:"recharge_refund_fen"`
	RefundType        string            `json:"refund_type"`
	RefundStatus      string            `json:"refund_status"`
	Product           string            `json:"product"`
	Attach            string            `json:"attach"`
	FeeYuan           string            `json:"fee_yuan"`
	FeeRate           string            `json:"fee_rate"`
	OrderFen          int64             `json:"order_fen"`
	RefundApplyFen    int64             `json:"refund_apply_fen"`
	FeeRemark         string            `json:"fee_remark"`
	Extra             map[string]string `json:"extra,omitempty"`
}

var tradeHeader = []string{
	"trade_time", "appid", "mchid", "sub_mchid", "device_info", "transaction_id", "out_trade_no", "openid",
	"trade_type", "trade_state", "bank_type", "currency", "settlement_fen", "coupon_fen", "refund_apply_time",
	"refund_success_time", "refund_id", "out_refund_no", "refund_fen", "recharge_refund_fen", "refund_type",
	"refund_status", "product", "attach", "fee_yuan", "fee_rate", "order_fen", "refund_apply_fen", "fee_remark", "extra",
}

func tradeRecord(r *bill.TradeBillRow) tradeRow {
	return tradeRow{
		TradeTime: rfc3339(r.TradeTime), AppID: r.AppID, MchID: r.MchID, SubMchID: r.SubMchID, DeviceInfo: r.DeviceInfo,
		TransactionID: r.TransactionID, OutTradeNo: r.OutTradeNo, OpenID: r.OpenID, TradeType: r.TradeType,
		TradeState: r.TradeState, BankType: r.BankType, Currency: r.Currency, SettlementFen: r.SettlementFen,
		CouponFen: r.CouponFen, RefundApplyTime: rfc3339(r.RefundApplyTime), RefundSuccessTime: rfc3339(r.RefundSuccessTime),
		RefundID: r.RefundID, OutRefundNo: r.OutRefundNo, RefundFen: r.RefundFen, RechargeRefundFen: r.RechargeRefundFen,
		RefundType: r.RefundType, RefundStatus: r.RefundStatus, Product: r.Product, Attach: r.Attach,
		FeeYuan: r.Fee.String(), FeeRate: r.FeeRate, OrderFen: r.OrderFen, RefundApplyFen: r.RefundApplyFen,
		FeeRemark: r.FeeRemark, Extra: r.Extra,
	}
}

func tradeValues(r *bill.TradeBillRow) []string {
	return []string{
		rfc3339(r.TradeTime), r.AppID, r.MchID, r.SubMchID, r.DeviceInfo, r.TransactionID, r.OutTradeNo, r.OpenID,
		r.TradeType, r.TradeState, r.BankType, r.Currency, fen(r.SettlementFen), fen(r.CouponFen), rfc3339(r.RefundApplyTime),
		rfc3339(r.RefundSuccessTime), r.RefundID, r.OutRefundNo, fen(r.RefundFen), fen(r.RechargeRefundFen), r.RefundType,
		r.RefundStatus, r.Product, r.Attach, r.Fee.String(), r.FeeRate, fen(r.OrderFen), fen(r.RefundApplyFen), r.FeeRemark,
		extraJSON(r.Extra),
	}
}

// fundRow is a fund-flow bill row as written by --format csv and json.
// Direction is "income" or "expense" (收入/支出; another value as is).
type fundRow struct {
	Time         string            `json:"time"`
	BusinessID   string            `json:"business_id"`
	FlowID       string            `json:"flow_id"`
	BusinessName string            `json:"business_name"`
	BusinessType string            `json:"business_type"`
	Direction    string            `json:"direction"`
	AmountFen    int64             `json:"amount_fen"`
	BalanceFen   int64             `json:"balance_fen"`
	Applicant    string            `json:"applicant"`
	Remark       string            `json:"remark"`
	VoucherID    string            `json:"voucher_id"`
	Extra        map[string]string `json:"extra,omitempty"`
}

var fundHeader = []string{
	"time", "business_id", "flow_id", "business_name", "business_type", "direction", "amount_fen", "balance_fen",
	"applicant", "remark", "voucher_id", "extra",
}

func direction(d bill.Direction) string {
	switch d {
	case bill.Income:
		return "income"
	case bill.Expense:
		return "expense"
	}
	return string(d)
}

func fundRecord(r *bill.FundFlowRow) fundRow {
	return fundRow{
		Time: rfc3339(r.Time), BusinessID: r.BusinessID, FlowID: r.FlowID, BusinessName: r.BusinessName,
		BusinessType: r.BusinessType, Direction: direction(r.Direction), AmountFen: r.AmountFen, BalanceFen: r.BalanceFen,
		Applicant: r.Applicant, Remark: r.Remark, VoucherID: r.VoucherID, Extra: r.Extra,
	}
}

func fundValues(r *bill.FundFlowRow) []string {
	return []string{
		rfc3339(r.Time), r.BusinessID, r.FlowID, r.BusinessName, r.BusinessType, direction(r.Direction),
		fen(r.AmountFen), fen(r.BalanceFen), r.Applicant, r.Remark, r.VoucherID, extraJSON(r.Extra),
	}
}
