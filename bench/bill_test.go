package bench

import (
	"encoding/csv"
	"io"
	"runtime"
	"strconv"
	"testing"

	"github.com/wechatpay-biz/wechatpay-biz-go/bill"
)

// --- Bills: a 1,000,000-row trade bill from memory ---------------------------------

const (
	billBlockRows = 10_000
	billRepeats   = 100 // billBlockRows × billRepeats = 1,000,000 rows
	billRows      = billBlockRows * billRepeats
)

const allHeader = "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注\r\n"

// billBytes is an ALL-layout trade bill held in memory: its header, a block
// of billBlockRows distinct rows (every tenth a refund; product names with a
// comma and quotes, as real bills have) and the summary of the whole bill.
// The block is served billRepeats times, so the readers see a 1M-row bill
// (about 265 MB) while the live heap stays small, as when a bill is streamed
// from disk: no generator is timed and no collection is forced.
type billBytes struct {
	header, block, summary []byte
	settle                 int64 // 应结订单总金额 of the whole bill, in fen
}

func newBillBytes() *billBytes {
	bb := &billBytes{header: []byte(allHeader)}
	var settle, refund, fee int64
	b := make([]byte, 0, 280*billBlockRows)
	for i := range billBlockRows {
		amount := int64(1 + i*7919%99999)
		b = append(b, "`2026-11-24 "...)
		b = append2(b, i/3600%24, ':')
		b = append2(b, i/60%60, ':')
		b = append2(b, i%60, 0)
		b = append(b, ",`wxd678efh567hg6787,`1900000109,`0,`,`42000000012026112"...)
		b = strconv.AppendInt(b, 100000000000+int64(i), 10)
		b = append(b, ",`ORDER-"...)
		b = strconv.AppendInt(b, int64(i), 10)
		b = append(b, ",`oUpF8uMuAJO_M2pxb1Q9zNjWeS6o,`JSAPI,"...)
		if i%10 == 9 {
			r := amount / 2
			b = append(b, "`REFUND,`CMB_DEBIT,`CNY,`0.00,`0.00,`5000000001202611240"...)
			b = strconv.AppendInt(b, int64(i), 10)
			b = append(b, ",`R-"...)
			b = strconv.AppendInt(b, int64(i), 10)
			b = append(b, ",`"...)
			b = appendYuan(b, r, 2)
			b = append(b, ",`0.00,`ORIGINAL,`SUCCESS,`咖啡, \"大杯\" 套餐,`wxzff|1000|SO,`"...)
			b = appendYuan(b, -r*6, 5)
			b = append(b, ",`0.60%,`0.00,`"...)
			b = appendYuan(b, r, 2)
			b = append(b, ",`\r\n"...)
			refund += r
			fee -= r * 6
		} else {
			b = append(b, "`SUCCESS,`CMB_DEBIT,`CNY,`"...)
			b = appendYuan(b, amount, 2)
			b = append(b, ",`0.00,`0,`0,`0.00,`0.00,`,`,`咖啡, \"大杯\" 套餐,`wxzff|1000|SO,`"...)
			b = appendYuan(b, amount*6, 5)
			b = append(b, ",`0.60%,`"...)
			b = appendYuan(b, amount, 2)
			b = append(b, ",`0.00,`\r\n"...)
			settle += amount
			fee += amount * 6
		}
	}
	bb.block = b
	bb.settle = settle * billRepeats
	s := []byte("总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额\r\n`")
	s = strconv.AppendInt(s, billRows, 10)
	s = append(s, ",`"...)
	s = appendYuan(s, bb.settle, 2)
	s = append(s, ",`"...)
	s = appendYuan(s, refund*billRepeats, 2)
	s = append(s, ",`0.00,`"...)
	s = appendYuan(s, fee*billRepeats, 5)
	s = append(s, ",`"...)
	s = appendYuan(s, bb.settle, 2)
	s = append(s, ",`"...)
	s = appendYuan(s, refund*billRepeats, 2)
	bb.summary = append(s, "\r\n"...)
	return bb
}

func (bb *billBytes) size() int64 {
	return int64(len(bb.header) + billRepeats*len(bb.block) + len(bb.summary))
}

// reader returns a fresh reader over the whole bill.
func (bb *billBytes) reader() io.Reader {
	return &billSource{bb: bb, cur: bb.header}
}

type billSource struct {
	bb    *billBytes
	cur   []byte
	block int // blocks served so far
	done  bool
}

func (s *billSource) Read(p []byte) (int, error) {
	for len(s.cur) == 0 {
		switch {
		case s.done:
			return 0, io.EOF
		case s.block < billRepeats:
			s.cur = s.bb.block
			s.block++
		default:
			s.cur, s.done = s.bb.summary, true
		}
	}
	n := copy(p, s.cur)
	s.cur = s.cur[n:]
	return n, nil
}

func appendYuan(b []byte, v int64, decimals int) []byte {
	if v < 0 {
		b, v = append(b, '-'), -v
	}
	scale := int64(1)
	for range decimals {
		scale *= 10
	}
	b = strconv.AppendInt(b, v/scale, 10)
	b = append(b, '.')
	n := len(b)
	b = strconv.AppendInt(b, v%scale+scale, 10) // a leading 1, then zero-padded decimals
	return append(b[:n], b[n+1:]...)
}

func append2(b []byte, v int, sep byte) []byte {
	b = append(b, byte('0'+v/10), byte('0'+v%10))
	if sep != 0 {
		b = append(b, sep)
	}
	return b
}

// heapPeak records the largest HeapInuse seen (live data plus garbage not
// yet collected), sampled without forcing a collection.
type heapPeak uint64

func (h *heapPeak) sample() {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	*h = heapPeak(max(uint64(*h), m.HeapInuse))
}

const sampleEvery = 100_000

// BenchmarkTradeBill1M reads the same 1M-row trade bill from memory with
// TradeBillReader (typed rows: Asia/Shanghai times, exact fen, Fee) reusing
// its row (ReuseRow), with a fresh row per Read, and with encoding/csv
// (ReuseRecord, LazyQuotes: it only splits strings, and splits product
// names at their commas). MB/s is throughput; peak-heap-MiB the largest
// HeapInuse sampled every 100,000 rows.
func BenchmarkTradeBill1M(b *testing.B) {
	bb := newBillBytes()
	check := func(b *testing.B, r *bill.TradeBillReader, rows int, settle int64) {
		if s := r.Summary(); rows != billRows || s == nil || s.SettlementFen != bb.settle || settle != bb.settle {
			b.Fatalf("rows = %d, summary %+v, rows add up to %d fen", rows, s, settle)
		}
	}
	ours := func(reuse bool) func(b *testing.B) {
		return func(b *testing.B) {
			b.SetBytes(bb.size())
			var peak heapPeak
			loop(b, func() {
				r := bill.NewTradeBillReader(bb.reader())
				r.ReuseRow = reuse
				rows, settle := 0, int64(0)
				for {
					row, err := r.Read()
					if err == io.EOF {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
					settle += row.SettlementFen
					if rows++; rows%sampleEvery == 0 {
						peak.sample()
					}
				}
				check(b, r, rows, settle)
			})
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
		}
	}
	b.Run("wechatpay-biz-go-reuse", ours(true))
	b.Run("wechatpay-biz-go", ours(false))
	b.Run("encoding-csv", func(b *testing.B) {
		b.SetBytes(bb.size())
		var peak heapPeak
		loop(b, func() {
			r := csv.NewReader(bb.reader())
			r.FieldsPerRecord, r.LazyQuotes, r.ReuseRecord = -1, true, true
			rows := 0
			for {
				_, err := r.Read()
				if err == io.EOF {
					break
				}
				if err != nil {
					b.Fatal(err)
				}
				if rows++; rows%sampleEvery == 0 {
					peak.sample()
				}
			}
			if rows != billRows+3 { // + the header, summary header and summary
				b.Fatalf("rows = %d", rows)
			}
		})
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	})
}
