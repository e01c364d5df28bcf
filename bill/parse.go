package bill

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"iter"
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
// An empty string is 0 (bills leave some amounts blank).
func parseFixed(s string, scale int) (int64, bool) {
	if s == "" {
		return 0, true
	}
	neg := false
	switch s[0] {
	case '-':
		neg, s = true, s[1:]
	case '+':
		s = s[1:]
	}
	ip, fp, _ := strings.Cut(s, ".")
	if ip == "" && fp == "" {
		return 0, false
	}
	var v int64
	const limit = (1<<63 - 1 - 9) / 10
	for i := 0; i < len(ip); i++ {
		c := ip[i]
		if c < '0' || c > '9' || v > limit {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	for i := 0; i < len(fp); i++ {
		c := fp[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if i >= scale {
			if c != '0' {
				return 0, false
			}
			continue
		}
		if v > limit {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	for i := len(fp); i < scale; i++ {
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
	if s == "" {
		return time.Time{}, true
	}
	if t, ok := parseDateTimeFast(s); ok {
		return t, true
	}
	t, err := time.ParseInLocation(time.DateTime, s, shanghai)
	return t, err == nil
}

// parseDateTimeFast parses the exact form yyyy-MM-dd HH:mm:ss without the
// general layout machinery (a bill has a million of them). Anything else,
// including impossible dates, is left to time.ParseInLocation.
func parseDateTimeFast(s string) (time.Time, bool) {
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
	y, mo, d, h, mi, se := num(0, 4), num(5, 2), num(8, 2), num(11, 2), num(14, 2), num(17, 2)
	if y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 59 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(mo), d, h, mi, se, 0, shanghai)
	if t.Day() != d { // 2026-02-30 and the like
		return time.Time{}, false
	}
	return t, true
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
	cells   []string // reused for every row
	sumHead []string
	sumRow  []string
	sumLine int
	err     error // sticky
}

func newTable(r io.Reader) *table {
	return &table{br: bufio.NewReaderSize(r, 64<<10)}
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
	b = bytes.TrimRight(b, "\r\n")
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

// splitCells splits a data line on comma-plus-backtick (so commas and quotes
// inside a value survive) and strips the leading backtick of each value.
func splitCells(dst []string, s string) []string {
	dst = dst[:0]
	start, pos := 1, 1 // after the first value's backtick
	for {
		i := strings.IndexByte(s[pos:], '`')
		if i < 0 {
			return append(dst, s[start:])
		}
		i += pos
		if i > start && s[i-1] == ',' {
			dst = append(dst, s[start:i-1])
			start = i + 1
		}
		pos = i + 1
	}
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

// next returns the cells of the next detail row and its line number. At the
// end it returns io.EOF, with the summary in sumHead/sumRow.
func (t *table) next() ([]string, int, error) {
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
		if len(bytes.TrimSpace(b)) == 0 {
			continue
		}
		switch t.state {
		case stRows:
			if b[0] == '`' {
				t.cells = splitCells(t.cells, string(b))
				return t.cells, t.line, nil
			}
			t.sumHead = splitHeader(b)
			t.state = stSummaryHeader
		case stSummaryHeader:
			if b[0] != '`' {
				return nil, 0, t.fail(t.line, "the summary header is not followed by the summary row")
			}
			t.sumRow = splitCells(nil, string(b))
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
	cells  []string
	header []string
	cols   columns
	line   int
	err    *ParseError
}

func (c *cellReader) raw(f int) string {
	i := c.cols.idx[f]
	if i < 0 || i >= len(c.cells) {
		return ""
	}
	return c.cells[i]
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
	v, ok := parseTime(c.raw(f))
	if !ok {
		c.bad(f, "not a yyyy-MM-dd HH:mm:ss time")
	}
	return v
}

func (c *cellReader) extra() map[string]string {
	if len(c.cols.extra) == 0 {
		return nil
	}
	m := make(map[string]string, len(c.cols.extra))
	for _, i := range c.cols.extra {
		if i < len(c.cells) {
			m[c.header[i]] = unescape(c.cells[i])
		}
	}
	return m
}

// checkRow verifies the cell count against the header.
func checkRow(header []string, cells []string, line int) *ParseError {
	if len(cells) != len(header) {
		return &ParseError{Line: line, Err: fmt.Errorf("%d values, but the header has %d columns", len(cells), len(header))}
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

// sheet is what the bill readers share: the table, its columns once the
// header is read, and the sticky error (a broken structure, or io.EOF once
// the summary has been read).
type sheet struct {
	t    *table
	cols columns
	err  error
}

// open reads the header, once, and finds the columns of names in it,
// requiring those of required.
func (s *sheet) open(names [][]string, required []int) error {
	if s.cols.idx != nil || s.err != nil {
		return s.err
	}
	if err := s.t.readHeader(); err != nil {
		s.err = err
		return err
	}
	cols := mapColumns(s.t.header, names)
	if s.err = requireColumns(cols, names, required); s.err == nil {
		s.cols = cols
	}
	return s.err
}

// row reads the header if needed (see open) and returns a reader over the
// next detail row. After the last row it reads the summary with
// readSummary and returns what that returns: io.EOF, or the summary's
// error. A row whose cells do not match the header is a *ParseError for
// that row only; a broken structure sticks.
func (s *sheet) row(names [][]string, required []int, readSummary func() error) (cellReader, error) {
	if err := s.open(names, required); err != nil {
		return cellReader{}, err
	}
	cells, line, err := s.t.next()
	switch {
	case err == io.EOF:
		return cellReader{}, readSummary()
	case err != nil:
		s.err = err
		return cellReader{}, err
	}
	if pe := checkRow(s.t.header, cells, line); pe != nil {
		return cellReader{}, pe
	}
	return cellReader{cells: cells, header: s.t.header, cols: s.cols, line: line}, nil
}

// summaryRow returns a reader over the summary row, its columns found by
// names, those of required present. Its errors stick.
func (s *sheet) summaryRow(names [][]string, required []int) (cellReader, error) {
	t := s.t
	cols := mapColumns(t.sumHead, names)
	if err := requireColumns(cols, names, required); err != nil {
		pe := err.(*ParseError)
		pe.Line = t.sumLine - 1
		s.err = pe
		return cellReader{}, pe
	}
	if pe := checkRow(t.sumHead, t.sumRow, t.sumLine); pe != nil {
		s.err = pe
		return cellReader{}, pe
	}
	return cellReader{cells: t.sumRow, header: t.sumHead, cols: cols, line: t.sumLine}, nil
}

// end ends the reading after the summary was decoded with c: io.EOF, or
// c's error; either sticks.
func (s *sheet) end(c *cellReader) error {
	s.err = io.EOF
	if c.err != nil {
		s.err = c.err
	}
	return s.err
}

// rowsOf turns a Read method into an iterator that stops at io.EOF or after
// yielding the first error.
func rowsOf[T any](read func() (T, error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for {
			row, err := read()
			if err == io.EOF {
				return
			}
			if !yield(row, err) || err != nil {
				return
			}
		}
	}
}
