package bill

import (
	"io"
	"os"
	"strings"
	"testing"
)

// FuzzReaders: arbitrary bytes never panic either reader, every error is a
// line-numbered *ParseError, and reading always ends.
func FuzzReaders(f *testing.F) {
	for _, name := range []string{"tradebill_all.csv", "tradebill_success.csv", "tradebill_refund.csv", "tradebill_legacy.csv", "fundflow.csv"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("\ufeff"))
	f.Add([]byte("a\n`\n"))
	f.Add([]byte(successHeader + "`,`,`\n" + successSummary))
	f.Fuzz(func(t *testing.T, data []byte) {
		check := func(err error) {
			if err == nil || err == io.EOF {
				return
			}
			pe, ok := err.(*ParseError)
			if !ok || pe.Line < 1 || !strings.HasPrefix(pe.Error(), "bill: line ") {
				t.Fatalf("unexpected error %T %v", err, err)
			}
		}
		tr := NewTradeBillReader(strings.NewReader(string(data)))
		for i := 0; i < 10000; i++ {
			_, err := tr.Read()
			check(err)
			if err == io.EOF || (err != nil && tr.err != nil) {
				break
			}
		}
		fr := NewFundFlowReader(strings.NewReader(string(data)))
		for i := 0; i < 10000; i++ {
			_, err := fr.Read()
			check(err)
			if err == io.EOF || (err != nil && fr.err != nil) {
				break
			}
		}
	})
}
