package bill

import (
	"bytes"
	"io"
	"strconv"
	"testing"
)

// readerRows is the size of the bills BenchmarkReaders reads: large enough
// that the per-row cost dominates, small enough to keep an iteration short.
const readerRows = 100_000

// fundFlowBill returns a fund-flow bill of n rows and its summary.
func fundFlowBill(n int) []byte {
	var b bytes.Buffer
	b.WriteString("记账时间,微信支付业务单号,资金流水单号,业务名称,业务类型,收支类型,收支金额(元),账户结余(元),资金变更提交申请人,备注,业务凭证号\r\n")
	var in, out int64
	var nin, nout int
	balance := int64(100_000_00)
	for i := range n {
		amount := int64(1 + i%99999)
		dir := "收入"
		if i%3 == 2 {
			dir = "支出"
			balance -= amount
			out += amount
			nout++
		} else {
			balance += amount
			in += amount
			nin++
		}
		row := appendYuan(nil, amount, 2)
		bal := appendYuan(nil, balance, 2)
		id := strconv.Itoa(4200000001_0000 + i)
		b.WriteString("`2026-11-24 " + string(append2(append2(append2(nil, i/3600%24, ':'), i/60%60, ':'), i%60, 0)) +
			",`" + id + ",`1900000109" + id + ",`交易,`交易,`" + dir + ",`" + string(row) + ",`" + string(bal) +
			",`system,`备注, 含逗号,`" + id + "\r\n")
	}
	b.WriteString("资金流水总笔数,收入笔数,收入金额,支出笔数,支出金额\r\n`" + strconv.Itoa(n) + ",`" + strconv.Itoa(nin) + ",`" +
		string(appendYuan(nil, in, 2)) + ",`" + strconv.Itoa(nout) + ",`" + string(appendYuan(nil, out, 2)) + "\r\n")
	return b.Bytes()
}

// BenchmarkReaders reads a 100,000-row trade bill (generated on the fly)
// and a 100,000-row fund-flow bill (from memory) with a new row per Read
// and with ReuseRow, so that a change to the readers' shared loop shows in
// ns/op and allocs/op for both kinds of bill and both modes.
func BenchmarkReaders(b *testing.B) {
	fund := fundFlowBill(readerRows)
	for _, reuse := range []bool{false, true} {
		name := "fresh"
		if reuse {
			name = "reuse"
		}
		b.Run("trade/"+name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				r := NewTradeBillReader(newTradeBillGenerator(readerRows))
				r.ReuseRow = reuse
				n := 0
				for _, err := range r.All() {
					if err != nil {
						b.Fatal(err)
					}
					n++
				}
				if n != readerRows || r.Summary() == nil {
					b.Fatalf("read %d rows", n)
				}
			}
		})
		b.Run("fundflow/"+name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(fund)))
			for b.Loop() {
				r := NewFundFlowReader(bytes.NewReader(fund))
				r.ReuseRow = reuse
				n := 0
				for {
					_, err := r.Read()
					if err == io.EOF {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
					n++
				}
				if s := r.Summary(); n != readerRows || s == nil || s.Count != readerRows {
					b.Fatalf("read %d rows, summary %+v", n, s)
				}
			}
		})
	}
}
