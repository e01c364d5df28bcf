package bill

import (
	"encoding/csv"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"testing"
)

// tradeBillGenerator produces an ALL-layout trade bill of n rows on the fly
// (never held in memory), then its summary row.
type tradeBillGenerator struct {
	n, i                  int
	buf                   []byte
	off                   int
	done                  bool
	settle, refund, order int64
	fee                   int64
}

func newTradeBillGenerator(n int) *tradeBillGenerator {
	g := &tradeBillGenerator{n: n}
	g.buf = append(g.buf, "\ufeff交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注\r\n"...)
	return g
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

// append2 appends v as two digits, then sep unless it is 0.
func append2(b []byte, v int, sep byte) []byte {
	b = append(b, byte('0'+v/10), byte('0'+v%10))
	if sep != 0 {
		b = append(b, sep)
	}
	return b
}

func (g *tradeBillGenerator) fill() {
	g.buf, g.off = g.buf[:0], 0
	for k := 0; k < 256 && g.i < g.n; k++ {
		i := g.i
		g.i++
		amount := int64(1 + i%99999)
		b := append(g.buf, "`2026-11-24 "...)
		b = append2(b, i/3600%24, ':')
		b = append2(b, i/60%60, ':')
		b = append2(b, i%60, 0)
		b = append(b, ",`wxd678efh567hg6787,`1900000109,`0,`,`"...)
		b = append(b, "42000000012026112"...)
		b = strconv.AppendInt(b, 100000000000+int64(i), 10)
		b = append(b, ",`ORDER-"...)
		b = strconv.AppendInt(b, int64(i), 10)
		b = append(b, ",`oUpF8uMuAJO_M2pxb1Q9zNjWeS6o,`JSAPI,"...)
		if i%10 == 9 { // every tenth row is a refund
			refund := amount / 2
			b = append(b, "`REFUND,`CMB_DEBIT,`CNY,`0.00,`0.00,`5000000001202611240"...)
			b = strconv.AppendInt(b, int64(i), 10)
			b = append(b, ",`R-"...)
			b = strconv.AppendInt(b, int64(i), 10)
			b = append(b, ",`"...)
			b = appendYuan(b, refund, 2)
			b = append(b, ",`0.00,`ORIGINAL,`SUCCESS,`咖啡, \"大杯\" 套餐,`wxzff|1000|SO,`"...)
			b = appendYuan(b, -refund*6, 5)
			b = append(b, ",`0.60%,`0.00,`"...)
			b = appendYuan(b, refund, 2)
			b = append(b, ",`\r\n"...)
			g.refund += refund
			g.fee -= refund * 6
		} else {
			b = append(b, "`SUCCESS,`CMB_DEBIT,`CNY,`"...)
			b = appendYuan(b, amount, 2)
			b = append(b, ",`0.00,`0,`0,`0.00,`0.00,`,`,`咖啡, \"大杯\" 套餐,`wxzff|1000|SO,`"...)
			b = appendYuan(b, amount*6, 5)
			b = append(b, ",`0.60%,`"...)
			b = appendYuan(b, amount, 2)
			b = append(b, ",`0.00,`\r\n"...)
			g.settle += amount
			g.order += amount
			g.fee += amount * 6
		}
		g.buf = b
	}
	if g.i == g.n && !g.done {
		g.done = true
		b := append(g.buf, "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额\r\n`"...)
		b = strconv.AppendInt(b, int64(g.n), 10)
		b = append(b, ",`"...)
		b = appendYuan(b, g.settle, 2)
		b = append(b, ",`"...)
		b = appendYuan(b, g.refund, 2)
		b = append(b, ",`0.00,`"...)
		b = appendYuan(b, g.fee, 5)
		b = append(b, ",`"...)
		b = appendYuan(b, g.order, 2)
		b = append(b, ",`"...)
		b = appendYuan(b, g.refund, 2)
		g.buf = append(b, "\r\n"...)
	}
}

func (g *tradeBillGenerator) Read(p []byte) (int, error) {
	for g.off >= len(g.buf) {
		if g.done {
			return 0, io.EOF
		}
		g.fill()
	}
	n := copy(p, g.buf[g.off:])
	g.off += n
	return n, nil
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// heapPeak samples the heap every so many rows: HeapInuse as it is (live
// data plus garbage not yet collected), and HeapAlloc right after a forced
// collection (what the parse really retains).
type heapPeak struct{ inuse, live uint64 }

func (h *heapPeak) sample() {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	h.inuse = max(h.inuse, m.HeapInuse)
	runtime.GC()
	runtime.ReadMemStats(&m)
	h.live = max(h.live, m.HeapAlloc)
}

func (h *heapPeak) report(b *testing.B) {
	b.ReportMetric(float64(h.inuse)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(h.live)/(1<<10), "live-heap-KiB")
}

var benchSizes = []int{10_000, 100_000, 1_000_000}

const sampleEvery = 50_000

// BenchmarkTradeBillReader parses generated ALL-layout bills of growing
// size with TradeBillReader. MB/s is the parse throughput (generation
// included, see BenchmarkTradeBillGenerate); peak-heap-MiB is the largest
// HeapInuse seen while parsing and live-heap-KiB the largest heap retained
// (after a forced GC): both stay flat as the bill grows from 10k to 1M rows.
func BenchmarkTradeBillReader(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			var peak heapPeak
			var size int64
			for b.Loop() {
				runtime.GC()
				src := &countingReader{r: newTradeBillGenerator(n)}
				r := NewTradeBillReader(src)
				var settle int64
				rows := 0
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
				peak.sample()
				if s := r.Summary(); s == nil || s.Count != int64(n) || s.SettlementFen != settle {
					b.Fatalf("summary does not match the rows")
				}
				size = src.n
			}
			b.SetBytes(size)
			peak.report(b)
			b.ReportMetric(float64(size)/float64(n), "B/row")
		})
	}
}

// BenchmarkEncodingCSV reads the same generated bytes with encoding/csv
// (ReuseRecord, LazyQuotes), which only splits fields: no backtick
// stripping, no types, and it splits product names at their commas.
func BenchmarkEncodingCSV(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			var peak heapPeak
			var size int64
			for b.Loop() {
				runtime.GC()
				src := &countingReader{r: newTradeBillGenerator(n)}
				r := csv.NewReader(src)
				r.ReuseRecord, r.LazyQuotes, r.FieldsPerRecord = true, true, -1
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
				peak.sample()
				size = src.n
			}
			b.SetBytes(size)
			peak.report(b)
		})
	}
}

// BenchmarkTradeBillGenerate is the cost of generating the bytes alone, to
// subtract from the two benchmarks above.
func BenchmarkTradeBillGenerate(b *testing.B) {
	n := 1_000_000
	var size int64
	for b.Loop() {
		size, _ = io.Copy(io.Discard, newTradeBillGenerator(n))
	}
	b.SetBytes(size)
}

func TestTradeBillGeneratorSummaryMatches(t *testing.T) {
	r := NewTradeBillReader(newTradeBillGenerator(1234))
	var sum TradeBillSummary
	for row, err := range r.All() {
		if err != nil {
			t.Fatal(err)
		}
		sum.Count++
		sum.SettlementFen += row.SettlementFen
		sum.RefundFen += row.RefundFen
		sum.Fee += row.Fee
		sum.OrderFen += row.OrderFen
		sum.RefundApplyFen += row.RefundApplyFen
		if row.Product != `咖啡, "大杯" 套餐` {
			t.Fatalf("line %d: product split", row.Line)
		}
	}
	s := r.Summary()
	sum.Line = s.Line
	if s.Extra != nil || s.Count != sum.Count || s.SettlementFen != sum.SettlementFen || s.RefundFen != sum.RefundFen ||
		s.Fee != sum.Fee || s.OrderFen != sum.OrderFen || s.RefundApplyFen != sum.RefundApplyFen {
		t.Fatalf("summary %+v, rows add up to %+v", *s, sum)
	}
}
