package bill

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"strconv"
	"strings"
	"time"
)

// ErrMalformed is matched (errors.Is) by every *ParseError.
var ErrMalformed = errors.New("bill: malformed bill file")

// ParseError reports a line of a bill file that cannot be read. It never
// contains the line's content (bills hold personal data), only where and
// what is wrong.
type ParseError struct {
	Line   int    // 1-based line number in the (decompressed) file
	Column string // header name of the offending column, if any
	Err    error  // what is wrong
}

// Error returns "bill: line N[, column C]: problem", one line without the
// content of the bill.
func (e *ParseError) Error() string {
	if e.Column != "" {
		return fmt.Sprintf("bill: line %d, column %s: %v", e.Line, e.Column, e.Err)
	}
	return fmt.Sprintf("bill: line %d: %v", e.Line, e.Err)
}

// Unwrap returns the cause.
func (e *ParseError) Unwrap() error { return e.Err }

// Is makes every ParseError match ErrMalformed.
func (e *ParseError) Is(target error) bool { return target == ErrMalformed }

// MaxLineLength caps one line of a bill file (1 MiB); a longer line is a
// ParseError rather than unbounded memory.
const MaxLineLength = 1 << 20

// Fee is an amount in 1/100000 yuan (0.001 fen): the precision of the fee
// column (手续费, e.g. `0.00600`), kept exact.
type Fee int64

// String formats f in yuan with five decimals, e.g. 0.00600.
func (f Fee) String() string {
	sign, v := "", int64(f)
	if v < 0 {
		sign, v = "-", -v
	}
	return fmt.Sprintf("%s%d.%05d", sign, v/100000, v%100000)
}

// Fen returns f in fen, and whether that is exact (no fraction of a fen).
func (f Fee) Fen() (fen int64, exact bool) { return int64(f) / 1000, int64(f)%1000 == 0 }

// parseFixed parses a decimal string into an integer of 10^-scale units,
// exactly: more decimals than scale are accepted only when they are zeros.
// An empty string is 0 (bills leave some amounts blank). It reads s once,
// left to right.
func parseFixed(s string, scale int) (int64, bool) {
	if s == "" {
		return 0, true
	}
	i, neg := 0, false
	switch s[0] {
	case '-':
		i, neg = 1, true
	case '+':
		i = 1
	}
	const limit = (1<<63 - 1 - 9) / 10
	var v int64
	digits, decimals := 0, -1 // decimals is -1 until the point
	for ; i < len(s); i++ {
		c := s[i]
		if c == '.' {
			if decimals >= 0 {
				return 0, false
			}
			decimals = 0
			continue
		}
		if c < '0' || c > '9' {
			return 0, false
		}
		digits++
		if decimals >= 0 {
			if decimals >= scale {
				if c != '0' {
					return 0, false
				}
				continue
			}
			decimals++
		}
		if v > limit {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	if digits == 0 {
		return 0, false
	}
	for decimals = max(decimals, 0); decimals < scale; decimals++ {
		if v > limit {
			return 0, false
		}
		v *= 10
	}
	if neg {
		v = -v
	}
	return v, true
}

// unescape decodes the escapes WeChat Pay writes for control characters in
// text cells: the two-character sequences \r and \n back to CR and LF.
func unescape(s string) string {
	if strings.IndexByte(s, '\\') < 0 {
		return s
	}
	return strings.NewReplacer(`\r`, "\r", `\n`, "\n").Replace(s)
}

// parseTime reads yyyy-MM-dd HH:mm:ss in Asia/Shanghai; empty is the zero
// time.
func parseTime(s string) (time.Time, bool) {
	var d dayCache
	return d.parseTime(s)
}

// dayCache remembers the Asia/Shanghai midnight of the last date parsed:
// the rows of a bill share a handful of dates, so most times are that
// midnight plus a clock reading, without a zone lookup.
type dayCache struct {
	date     [10]byte  // yyyy-MM-dd of midnight; all zero before the first date
	midnight time.Time // 00:00:00 of date in Asia/Shanghai
	// uniform is true when the UTC offset does not change during the day,
	// so that midnight.Add(clock) is the wall-clock time (Shanghai's last
	// change was in 1991).
	uniform bool
}

// parseTime is the package's parseTime, using and updating the cache.
func (dc *dayCache) parseTime(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, true
	}
	if t, ok := dc.parseDateTimeFast(s); ok {
		return t, true
	}
	t, err := time.ParseInLocation(time.DateTime, s, shanghai)
	return t, err == nil
}

// parseDateTimeFast parses the exact form yyyy-MM-dd HH:mm:ss without the
// general layout machinery (a bill has a million of them). Anything else,
// including impossible dates, is left to time.ParseInLocation.
func (dc *dayCache) parseDateTimeFast(s string) (time.Time, bool) {
	if len(s) != 19 || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' || s[16] != ':' {
		return time.Time{}, false
	}
	num := func(i, n int) int {
		v := 0
		for j := i; j < i+n; j++ {
			c := s[j]
			if c < '0' || c > '9' {
				return -1
			}
			v = v*10 + int(c-'0')
		}
		return v
	}
	h, mi, se := num(11, 2), num(14, 2), num(17, 2)
	if h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 59 {
		return time.Time{}, false
	}
	if s[:10] != string(dc.date[:]) {
		y, mo, d := num(0, 4), num(5, 2), num(8, 2)
		if y < 0 || mo < 1 || mo > 12 || d < 1 {
			return time.Time{}, false
		}
		midnight := time.Date(y, time.Month(mo), d, 0, 0, 0, 0, shanghai)
		if midnight.Day() != d { // 2026-02-30 and the like
			return time.Time{}, false
		}
		_, end := midnight.ZoneBounds()
		copy(dc.date[:], s[:10])
		dc.midnight = midnight
		dc.uniform = midnight.Hour() == 0 && midnight.Minute() == 0 && (end.IsZero() || !end.Before(midnight.Add(24*time.Hour)))
	}
	if !dc.uniform {
		y, mo, d := dc.midnight.Date()
		return time.Date(y, mo, d, h, mi, se, 0, shanghai), true
	}
	return dc.midnight.Add(time.Duration(h*3600+mi*60+se) * time.Second), true
}

// Table states.
const (
	stHeader = iota
	stRows
	stSummaryHeader
	stSummary
)

// table splits a bill file into its header, detail rows, summary header
// and summary row, one line at a time.
type table struct {
	br      *bufio.Reader
	line    int
	long    []byte
	state   int
	header  []string
	row     cells // the current row; its offsets are reused
	sumHead []string
	sumRow  cells
	sumLine int
	days    dayCache
	err     error // sticky
}

func newTable(r io.Reader) *table {
	return &table{br: bufio.NewReaderSize(r, 64<<10)}
}

// clearCells drops the reused cells (and the buffer of an over-long
// line), which refer to the last line read, so that the table keeps no
// row data after an error or the end of the bill.
func (t *table) clearCells() {
	t.row.line = ""
	clear(t.long)
}

func (t *table) fail(line int, format string, args ...any) error {
	t.err = &ParseError{Line: line, Err: fmt.Errorf(format, args...)}
	return t.err
}

// readLine returns the next line without its line ending, io.EOF at the end.
func (t *table) readLine() ([]byte, error) {
	b, err := t.br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		t.long = append(t.long[:0], b...)
		for errors.Is(err, bufio.ErrBufferFull) {
			if len(t.long) > MaxLineLength {
				return nil, t.fail(t.line+1, "line longer than %d bytes", MaxLineLength)
			}
			b, err = t.br.ReadSlice('\n')
			t.long = append(t.long, b...)
		}
		b = t.long
	}
	if err != nil && err != io.EOF {
		t.err = err
		return nil, err
	}
	if len(b) == 0 && err == io.EOF {
		return nil, io.EOF
	}
	t.line++
	if len(b) > MaxLineLength {
		return nil, t.fail(t.line, "line longer than %d bytes", MaxLineLength)
	}
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	if t.line == 1 {
		b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	}
	return b, nil
}

func splitHeader(b []byte) []string {
	names := strings.Split(string(b), ",")
	for i, n := range names {
		names[i] = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(n), "\ufeff"))
	}
	return names
}

// cells are the values of one data line: value i is
// line[at[2i]:at[2i+1]]. Offsets rather than strings, so that splitting a
// line stores no pointers (a million rows' worth of GC write barriers).
type cells struct {
	line string
	at   []uint32
}

func (c *cells) len() int { return len(c.at) / 2 }

func (c *cells) get(i int) string { return c.line[c.at[2*i]:c.at[2*i+1]] }

// split splits line (a data line, at most MaxLineLength bytes) into c,
// reusing c's offsets.
func (c *cells) split(line string) {
	c.line, c.at = line, splitCells(c.at[:0], line)
}

// splitCells appends to at the bounds of each value of a data line: values
// are separated by comma-plus-backtick (so commas and quotes inside a value
// survive), and the line starts with the first value's backtick.
//
// It looks for commas eight bytes at a time: x is a word of the line with
// every comma turned into a zero byte, and (x-0x01…01) &^ x & 0x80…80 has
// the high bit set in each zero byte (and, after a borrow, possibly in a
// later byte, hence the check of s[j]).
func splitCells(at []uint32, s string) []uint32 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	start, i := 1, 1 // after the first value's backtick
	for ; i+9 <= len(s); i += 8 {
		x := load64(s, i) ^ (ones * ',')
		for m := (x - ones) &^ x & highs; m != 0; m &= m - 1 {
			j := i + bits.TrailingZeros64(m)/8
			if s[j] == ',' && s[j+1] == '`' && j >= start {
				at = append(at, uint32(start), uint32(j))
				start = j + 2
			}
		}
	}
	for ; i+1 < len(s); i++ {
		if s[i] == ',' && s[i+1] == '`' && i >= start {
			at = append(at, uint32(start), uint32(i))
			start = i + 2
		}
	}
	return append(at, uint32(min(start, len(s))), uint32(len(s)))
}

// load64 returns the eight bytes of s from i as a little-endian word.
func load64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// readHeader reads the detail header (the first non-blank line).
func (t *table) readHeader() error {
	if t.err != nil {
		return t.err
	}
	if t.state != stHeader {
		return nil
	}
	for {
		b, err := t.readLine()
		if err == io.EOF {
			return t.fail(t.line+1, "empty bill: no header line")
		}
		if err != nil {
			return err
		}
		if len(bytes.TrimSpace(b)) == 0 {
			continue
		}
		if b[0] == '`' {
			return t.fail(t.line, "the first line is not a header")
		}
		t.header = splitHeader(b)
		t.state = stRows
		return nil
	}
}

// next returns the cells of the next detail row (valid until the next call)
// and its line number. At the end it returns io.EOF, with the summary in
// sumHead/sumRow.
func (t *table) next() (*cells, int, error) {
	if err := t.readHeader(); err != nil {
		return nil, 0, err
	}
	for {
		b, err := t.readLine()
		if err == io.EOF {
			if t.state != stSummary {
				return nil, 0, t.fail(t.line+1, "the bill ends without its summary (truncated file?)")
			}
			t.err = io.EOF
			return nil, 0, io.EOF
		}
		if err != nil {
			return nil, 0, err
		}
		if len(b) == 0 || b[0] != '`' && len(bytes.TrimSpace(b)) == 0 {
			continue
		}
		switch t.state {
		case stRows:
			if b[0] == '`' {
				t.row.split(string(b))
				return &t.row, t.line, nil
			}
			t.sumHead = splitHeader(b)
			t.state = stSummaryHeader
		case stSummaryHeader:
			if b[0] != '`' {
				return nil, 0, t.fail(t.line, "the summary header is not followed by the summary row")
			}
			t.sumRow.split(string(b))
			t.sumLine = t.line
			t.state = stSummary
		case stSummary:
			return nil, 0, t.fail(t.line, "unexpected line after the summary row")
		}
	}
}

// columns maps each wanted field to its column index (-1 when absent) and
// lists the columns nobody asked for.
type columns struct {
	idx   []int
	extra []int
}

func mapColumns(header []string, names [][]string) columns {
	c := columns{idx: make([]int, len(names))}
	used := make([]bool, len(header))
	for f, aliases := range names {
		c.idx[f] = -1
	find:
		for _, a := range aliases {
			for i, h := range header {
				if h == a && !used[i] {
					c.idx[f], used[i] = i, true
					break find
				}
			}
		}
	}
	for i, u := range used {
		if !u {
			c.extra = append(c.extra, i)
		}
	}
	return c
}

// cellReader converts the cells of one line, remembering the first problem.
type cellReader struct {
	cells  *cells
	header []string
	cols   columns
	line   int
	days   *dayCache // nil: no cache
	err    *ParseError
}

func (c *cellReader) raw(f int) string {
	i := c.cols.idx[f]
	if i < 0 || i >= c.cells.len() {
		return ""
	}
	return c.cells.get(i)
}

func (c *cellReader) bad(f int, problem string) {
	if c.err == nil {
		c.err = &ParseError{Line: c.line, Column: c.header[c.cols.idx[f]], Err: errors.New(problem)}
	}
}

func (c *cellReader) text(f int) string { return unescape(c.raw(f)) }

func (c *cellReader) fen(f int) int64 {
	v, ok := parseFixed(c.raw(f), 2)
	if !ok {
		c.bad(f, "not an amount in yuan with at most 2 decimals")
	}
	return v
}

func (c *cellReader) fee(f int) Fee {
	v, ok := parseFixed(c.raw(f), 5)
	if !ok {
		c.bad(f, "not an amount in yuan with at most 5 decimals")
	}
	return Fee(v)
}

func (c *cellReader) count(f int) int64 {
	s := c.raw(f)
	if s == "" {
		return 0
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < 0 {
		c.bad(f, "not a count")
	}
	return v
}

func (c *cellReader) time(f int) time.Time {
	var once dayCache
	days := c.days
	if days == nil {
		days = &once
	}
	v, ok := days.parseTime(c.raw(f))
	if !ok {
		c.bad(f, "not a yyyy-MM-dd HH:mm:ss time")
	}
	return v
}

// extra returns the unknown columns, by header name, in m when it is not
// nil (cleared first) or in a new map.
func (c *cellReader) extra(m map[string]string) map[string]string {
	if len(c.cols.extra) == 0 {
		return nil
	}
	if m == nil {
		m = make(map[string]string, len(c.cols.extra))
	} else {
		clear(m)
	}
	for _, i := range c.cols.extra {
		if i < c.cells.len() {
			m[c.header[i]] = unescape(c.cells.get(i))
		}
	}
	return m
}

// checkRow verifies the cell count against the header.
func checkRow(header []string, cells *cells, line int) *ParseError {
	if cells.len() != len(header) {
		return &ParseError{Line: line, Err: fmt.Errorf("%d values, but the header has %d columns", cells.len(), len(header))}
	}
	return nil
}

// requireColumns reports the first required field missing from the header.
func requireColumns(cols columns, names [][]string, required []int) error {
	for _, f := range required {
		if cols.idx[f] < 0 {
			return &ParseError{Line: 1, Err: fmt.Errorf("the header has no %s column", names[f][0])}
		}
	}
	return nil
}
