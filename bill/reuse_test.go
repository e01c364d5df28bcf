package bill

import (
	"io"
	"maps"
	"math/rand/v2"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// readAllTrade reads a bill to its end, copying each row, and returns the
// rows and the errors (nil for a good row) in order.
func readAllTrade(t *testing.T, data string, reuse bool) (rows []TradeBillRow, errs []error, ptrs []*TradeBillRow) {
	t.Helper()
	r := NewTradeBillReader(strings.NewReader(data))
	r.ReuseRow = reuse
	for range 10000 {
		row, err := r.Read()
		if err == io.EOF {
			return
		}
		errs = append(errs, err)
		if err != nil {
			if r.err != nil {
				return
			}
			rows = append(rows, TradeBillRow{})
			continue
		}
		cp := *row
		cp.Extra = maps.Clone(row.Extra)
		rows, ptrs = append(rows, cp), append(ptrs, row)
	}
	t.Fatal("the reader did not end")
	return
}

func readAllFund(t *testing.T, data string, reuse bool) (rows []FundFlowRow, errs []error, ptrs []*FundFlowRow) {
	t.Helper()
	r := NewFundFlowReader(strings.NewReader(data))
	r.ReuseRow = reuse
	for range 10000 {
		row, err := r.Read()
		if err == io.EOF {
			return
		}
		errs = append(errs, err)
		if err != nil {
			if r.err != nil {
				return
			}
			rows = append(rows, FundFlowRow{})
			continue
		}
		cp := *row
		cp.Extra = maps.Clone(row.Extra)
		rows, ptrs = append(rows, cp), append(ptrs, row)
	}
	t.Fatal("the reader did not end")
	return
}

func fixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	require.NoError(t, err)
	return string(b)
}

// A reused row carries exactly what a fresh row would, on every fixture and
// on a bill with bad rows (so no field of an earlier row survives into a
// later one), and Read returns the same pointer each time.
func TestReuseRowReadsTheSameRows(t *testing.T) {
	bad := successHeader +
		strings.Replace(successRow("1.00", "2026-11-24 10:00:00"), "`p,", "`第一行\\n,", 1) +
		successRow("1.001", "2026-11-24 10:00:00") +
		"`only,`three,`cells\n" +
		successRow("2.00", "2026-11-25 23:59:59") +
		successSummary
	for _, data := range []string{
		fixture(t, "tradebill_all.csv"), fixture(t, "tradebill_success.csv"), fixture(t, "tradebill_refund.csv"),
		fixture(t, "tradebill_legacy.csv"), bad,
	} {
		fresh, freshErrs, freshPtrs := readAllTrade(t, data, false)
		reused, reusedErrs, reusedPtrs := readAllTrade(t, data, true)
		require.Equal(t, fresh, reused)
		require.Equal(t, freshErrs, reusedErrs)
		require.Greater(t, len(reusedPtrs), 1)
		for _, p := range reusedPtrs {
			require.Same(t, reusedPtrs[0], p, "ReuseRow returns one row")
		}
		require.NotSame(t, freshPtrs[0], freshPtrs[1], "without ReuseRow every row is new")
	}
	fresh, freshErrs, _ := readAllFund(t, fixture(t, "fundflow.csv"), false)
	reused, reusedErrs, ptrs := readAllFund(t, fixture(t, "fundflow.csv"), true)
	require.Equal(t, fresh, reused)
	require.Equal(t, freshErrs, reusedErrs)
	require.Same(t, ptrs[0], ptrs[len(ptrs)-1])
}

// The reader keeps no row data (personal data: openids, names in remarks)
// once the bill is read or a row fails: the reused row is zeroed and the
// cells of the last line dropped.
func TestReuseRowKeepsNoRowDataAfterwards(t *testing.T) {
	r := NewTradeBillReader(strings.NewReader(fixture(t, "tradebill_legacy.csv")))
	r.ReuseRow = true
	var last *TradeBillRow
	for row, err := range r.All() {
		require.NoError(t, err)
		require.NotEmpty(t, row.OpenID)
		last = row
	}
	require.NotNil(t, r.Summary())
	require.Empty(t, last.Extra)
	require.Equal(t, TradeBillRow{Extra: last.Extra}, *last, "the reused row is cleared at io.EOF")
	requireNoCells(t, r.t)

	f := NewFundFlowReader(strings.NewReader(fixture(t, "fundflow.csv")))
	f.ReuseRow = true
	var lastFund *FundFlowRow
	for row, err := range f.All() {
		require.NoError(t, err)
		lastFund = row
	}
	require.Equal(t, FundFlowRow{}, *lastFund)
	requireNoCells(t, f.t)

	// A row that fails leaves nothing behind either.
	bad := successHeader + successRow("1.00", "2026-11-24 10:00:00") + successRow("1.001", "2026-11-24 10:00:00") + successSummary
	r = NewTradeBillReader(strings.NewReader(bad))
	r.ReuseRow = true
	row, err := r.Read()
	require.NoError(t, err)
	require.Equal(t, "openid", row.OpenID)
	_, err = r.Read()
	require.ErrorIs(t, err, ErrMalformed)
	require.Equal(t, TradeBillRow{}, *row)
	requireNoCells(t, r.t)
}

func requireNoCells(t *testing.T, tb *table) {
	t.Helper()
	require.Empty(t, tb.row.line, "the last line is still referenced")
	require.Empty(t, strings.Trim(string(tb.long), "\x00"), "an over-long line is still held")
}

// splitCellsReference is the plain definition splitCells must agree with:
// values are separated by ",`", and the line starts with a backtick.
func splitCellsReference(s string) []string {
	return strings.Split(s[1:], ",`")
}

func TestSplitCellsAgreesWithReference(t *testing.T) {
	cases := []string{
		"`", "`a", "`,`", "`a,`,`b", "`a,`b,", "`,`,`", "`,,``,`x", "`a,`,`", "`a,-`b",
		"`a,-`b,-`,`c,`,-,`d,`-,`e,`,,`,`", "`0123456,-`0123456,`01234567,`x",
		"`2026-11-24 05:33:20,`wxd678efh567hg6787,`商品，含逗号\"引号\", 又一个,`0.60%,`",
	}
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte(",`-a,`\xe5")
	for range 5000 {
		b := []byte{'`'}
		for range rng.IntN(40) {
			b = append(b, alphabet[rng.IntN(len(alphabet))])
		}
		cases = append(cases, string(b))
	}
	for _, s := range cases {
		var c cells
		c.split(s)
		got := make([]string, c.len())
		for i := range got {
			got[i] = c.get(i)
		}
		if want := splitCellsReference(s); !slices.Equal(got, want) {
			t.Fatalf("%q: got %q, want %q", s, got, want)
		}
	}
}

func TestParseFixedSinglePass(t *testing.T) {
	for _, c := range []struct {
		in    string
		scale int
		want  int64
		ok    bool
	}{
		{"5.", 2, 500, true}, {".5", 2, 50, true}, {"+1.00", 2, 100, true}, {"1.2.3", 2, 0, false},
		{"0.0010", 2, 0, false}, {"-0.00", 2, 0, true}, {"-.", 2, 0, false}, {"+", 2, 0, false},
		{"92233720368547757.99", 2, 9223372036854775799, true}, {"92233720368547758.07", 2, 0, false},
		{"0.12345000", 5, 12345, true}, {"1.", 5, 100000, true}, {" 1.00", 2, 0, false},
		{"1.00 ", 2, 0, false}, {"１.00", 2, 0, false},
	} {
		got, ok := parseFixed(c.in, c.scale)
		require.Equal(t, c.ok, ok, c.in)
		if ok {
			require.Equal(t, c.want, got, c.in)
		}
	}
}

// The cached midnight gives what time.ParseInLocation gives, including on
// the days Asia/Shanghai changed its clocks (daylight saving, 1986–1991),
// whether the cache holds that day or another.
func TestDayCacheAgreesWithTimeParse(t *testing.T) {
	var days []time.Time
	for d := time.Date(1986, 1, 1, 0, 0, 0, 0, shanghai); d.Year() < 1992; d = d.AddDate(0, 0, 1) {
		if _, end := d.ZoneBounds(); !end.IsZero() && end.Before(d.AddDate(0, 0, 1)) {
			days = append(days, d, d.AddDate(0, 0, -1), d.AddDate(0, 0, 1))
		}
	}
	require.NotEmpty(t, days, "Shanghai's clock changes are in the zone database")
	days = append(days, time.Date(2026, 11, 24, 0, 0, 0, 0, shanghai), time.Date(2024, 2, 29, 0, 0, 0, 0, shanghai))
	var dc dayCache
	check := func(s string) {
		want, werr := time.ParseInLocation(time.DateTime, s, shanghai)
		got, ok := dc.parseTime(s)
		require.Equal(t, werr == nil, ok, s)
		if ok {
			require.True(t, got.Equal(want), "%s: got %v, want %v", s, got, want)
			require.Equal(t, want.Location(), got.Location(), s)
		}
	}
	for _, d := range days {
		for m := 0; m < 24*60; m += 7 {
			check(d.Format(time.DateOnly) + " " + time.Date(2000, 1, 1, m/60, m%60, m%60, 0, time.UTC).Format(time.TimeOnly))
		}
	}
	for range 3 { // the cache switching between dates, and bad dates in between
		check("2026-11-24 23:59:59")
		check("2026-02-30 10:00:00")
		check("2026-11-25 00:00:00")
		check("2026-11-25 24:00:00")
	}
}

// The fuzz target's contract for ReuseRow: on any input the reused row
// reads as fresh rows do.
func FuzzReuseRow(f *testing.F) {
	for _, name := range []string{"tradebill_all.csv", "tradebill_legacy.csv", "fundflow.csv"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		a, aerr, _ := readAllTrade(t, string(data), false)
		b, berr, _ := readAllTrade(t, string(data), true)
		if !reflect.DeepEqual(a, b) || !reflect.DeepEqual(aerr, berr) {
			t.Fatalf("reused trade rows differ from fresh rows")
		}
		fa, faerr, _ := readAllFund(t, string(data), false)
		fb, fberr, _ := readAllFund(t, string(data), true)
		if !reflect.DeepEqual(fa, fb) || !reflect.DeepEqual(faerr, fberr) {
			t.Fatalf("reused fund-flow rows differ from fresh rows")
		}
	})
}
