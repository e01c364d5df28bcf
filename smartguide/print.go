package smartguide

import (
	"fmt"
	"log/slog"

	"github.com/wechatpay-biz/wechatpay-biz-go/internal/redact"
)

// personal names the fields of this package that hold a guide's personal
// data in plaintext: the name and the mobile number. Guide, store and WeCom
// user IDs, staff numbers, URLs and the ciphertexts WeChat Pay returns are
// not masked. Every type holding one, directly or through a Guide, prints
// it masked in every way Go prints a value (see redact.Fields); a Guide's
// JSON holds only the ciphertexts (its plaintext Name and Mobile are tagged
// json:"-").
const personal redact.Fields = "Name Mobile"

// Format prints the request for every fmt verb with Name and Mobile masked.
func (r RegisterRequest) Format(f fmt.State, verb rune) { personal.Print(f, verb, r) }

// LogValue logs the request with Name and Mobile masked.
func (r RegisterRequest) LogValue() slog.Value { return personal.LogValue(r) }

// String is the request as %v prints it, Name and Mobile masked.
func (r RegisterRequest) String() string { return fmt.Sprint(r) }

// Format prints the request for every fmt verb with Name and Mobile masked.
func (r UpdateRequest) Format(f fmt.State, verb rune) { personal.Print(f, verb, r) }

// LogValue logs the request with Name and Mobile masked.
func (r UpdateRequest) LogValue() slog.Value { return personal.LogValue(r) }

// String is the request as %v prints it, Name and Mobile masked.
func (r UpdateRequest) String() string { return fmt.Sprint(r) }

// Format prints the request for every fmt verb with Mobile masked.
func (r QueryRequest) Format(f fmt.State, verb rune) { personal.Print(f, verb, r) }

// LogValue logs the request with Mobile masked.
func (r QueryRequest) LogValue() slog.Value { return personal.LogValue(r) }

// String is the request as %v prints it, Mobile masked.
func (r QueryRequest) String() string { return fmt.Sprint(r) }

// Format prints the guide for every fmt verb with Name and Mobile masked.
func (g Guide) Format(f fmt.State, verb rune) { personal.Print(f, verb, g) }

// LogValue logs the guide with Name and Mobile masked.
func (g Guide) LogValue() slog.Value { return personal.LogValue(g) }

// String is the guide as %v prints it, Name and Mobile masked.
func (g Guide) String() string { return fmt.Sprint(g) }

// Format prints the page for every fmt verb with each guide's Name and
// Mobile masked.
func (r QueryResponse) Format(f fmt.State, verb rune) { personal.Print(f, verb, r) }

// LogValue logs the page with each guide's Name and Mobile masked.
func (r QueryResponse) LogValue() slog.Value { return personal.LogValue(r) }

// String is the page as %v prints it, each guide's Name and Mobile masked.
func (r QueryResponse) String() string { return fmt.Sprint(r) }
