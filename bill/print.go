package bill

import (
	"fmt"
	"log/slog"

	"github.com/wechatpay-biz/wechatpay-biz-go/internal/redact"
)

// personal names the bill fields that identify a payer and must never be
// printed: the OpenID (用户标识). Order, transaction and refund numbers,
// amounts, fees and product names are the merchant's own records and print
// as they are. TradeBillRow, and the reader that may be reusing one, print
// it masked in every way Go prints a value (see redact.Fields).
const personal redact.Fields = "OpenID"

// Format prints the row for every fmt verb with OpenID masked.
func (r TradeBillRow) Format(f fmt.State, verb rune) { personal.Print(f, verb, r) }

// LogValue logs the row with OpenID masked.
func (r TradeBillRow) LogValue() slog.Value { return personal.LogValue(r) }

// String is the row as %v prints it, OpenID masked.
func (r TradeBillRow) String() string { return fmt.Sprint(r) }

// Format prints the reader for every fmt verb; the row it may be reusing
// (ReuseRow) is not shown.
func (r TradeBillReader) Format(f fmt.State, verb rune) { personal.Print(f, verb, r) }

// LogValue logs the reader without the row it may be reusing.
func (r TradeBillReader) LogValue() slog.Value { return personal.LogValue(r) }

// String is the reader as %v prints it, without the row it may be reusing.
func (r TradeBillReader) String() string { return fmt.Sprint(r) }
