package bill

import (
	"io"
	"iter"
)

// sheet describes one kind of bill to the reader core: the columns of its
// detail rows and of its summary (see mapColumns), those that must be
// present, and how the summary and a reused row are filled and emptied.
type sheet[Row, Sum any] struct {
	columns, summaryColumns   [][]string
	required, summaryRequired []int
	summary                   func(cellReader) (*Sum, *ParseError) // reads the summary row
	reset                     func(*Row)                           // zeroes a reused row, keeping its Extra map, empty
}

// reader is the read loop both bill readers share: the header, the detail
// rows (a new row per Read, or one reused row with ReuseRow), the summary,
// and the sticky error of a broken file. A bill reader embeds it and fills
// its row type from the cells of each line:
//
//	c, row, err := r.next(r.ReuseRow)
//	if err != nil {
//		return nil, err
//	}
//	row.Line = c.line
//	… one field per column …
//	return r.done(row)
type reader[Row, Sum any] struct {
	sheet *sheet[Row, Sum]
	t     *table
	row   *Row // the reused row (ReuseRow)
	// c reads the cells of the current row. Its cells, header and columns
	// are set once the header has every required column (c.cols.idx is
	// nil until then); next sets its line. Its error is nil but while a
	// row is being filled: drop clears it when it is reported.
	c       cellReader
	summary *Sum
	err     error // sticky
}

func newReader[Row, Sum any](s *sheet[Row, Sum], r io.Reader) reader[Row, Sum] {
	return reader[Row, Sum]{sheet: s, t: newTable(r)}
}

// init reads the header and maps its columns, once.
func (r *reader[Row, Sum]) init() error {
	if r.c.cols.idx != nil || r.err != nil {
		return r.err
	}
	t := r.t
	if err := t.readHeader(); err != nil {
		r.err = err
		return err
	}
	cols := mapColumns(t.header, r.sheet.columns)
	if err := requireColumns(cols, r.sheet.columns, r.sheet.required); err != nil {
		r.err = err
		return err
	}
	r.c = cellReader{cells: &t.row, header: t.header, cols: cols, days: &t.days}
	return nil
}

// header reads the header line if needed and returns the column names.
func (r *reader[Row, Sum]) header() ([]string, error) {
	if err := r.init(); err != nil {
		return nil, err
	}
	return r.t.header, nil
}

// next returns the reader of the next detail row's cells and the row to
// fill from them: a new row, or with reuse the one reused row (made on the
// first call). After the last row it reads the summary and returns io.EOF; a
// row with the wrong number of cells is a *ParseError after which reading
// goes on; a broken file is an error returned by every later call too.
// Every error clears the reused row.
func (r *reader[Row, Sum]) next(reuse bool) (*cellReader, *Row, error) {
	if r.c.cols.idx == nil || r.err != nil { // else init has nothing to do
		if err := r.init(); err != nil {
			return nil, nil, err
		}
	}
	cells, line, err := r.t.next()
	if err == io.EOF {
		return nil, nil, r.drop(r.readSummary())
	}
	if err != nil {
		r.err = err
		return nil, nil, r.drop(err)
	}
	if cells.len() != len(r.t.header) { // checkRow's test, without a call per row
		return nil, nil, r.drop(checkRow(r.t.header, cells, line))
	}
	r.c.line = line // c.err is nil: drop clears it
	if !reuse {
		return &r.c, new(Row), nil
	}
	if r.row == nil {
		r.row = new(Row)
	}
	return &r.c, r.row, nil
}

// done returns row once it is filled from the cells, or the first cell
// that could not be converted as a *ParseError (the row is then dropped).
func (r *reader[Row, Sum]) done(row *Row) (*Row, error) {
	if r.c.err != nil {
		return nil, r.drop(r.c.err)
	}
	return row, nil
}

// drop zeroes the reused row (ReuseRow), keeping its Extra map, empty, for
// the next row, drops the cells of the last line read and the cell error
// being reported, and returns err: what every error of next and done does,
// so that the reader keeps no row data and the next row starts clean.
func (r *reader[Row, Sum]) drop(err error) error {
	if r.row != nil {
		r.sheet.reset(r.row)
	}
	r.c.err = nil
	r.t.clearCells()
	return err
}

func (r *reader[Row, Sum]) readSummary() error {
	if r.summary != nil {
		return io.EOF
	}
	t := r.t
	cols := mapColumns(t.sumHead, r.sheet.summaryColumns)
	if err := requireColumns(cols, r.sheet.summaryColumns, r.sheet.summaryRequired); err != nil {
		pe := err.(*ParseError)
		pe.Line = t.sumLine - 1
		r.err = pe
		return pe
	}
	if pe := checkRow(t.sumHead, &t.sumRow, t.sumLine); pe != nil {
		r.err = pe
		return pe
	}
	c := cellReader{cells: &t.sumRow, header: t.sumHead, cols: cols, line: t.sumLine}
	s, pe := r.sheet.summary(c)
	if pe != nil {
		r.err = pe
		return pe
	}
	r.summary = s
	r.err = io.EOF
	return io.EOF
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
