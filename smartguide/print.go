package smartguide

import (
	"fmt"
	"log/slog"

	"github.com/wechatpay-biz/wechatpay-biz-go/internal/redact"
)

// The types below hold a guide's name and mobile in plaintext. Each prints
// them masked ("***") in every way Go prints a value — String, GoString,
// Format (so %v, %+v, %#v, %s) and slog.LogValuer (slog's text and JSON
// handlers) — while the fields themselves stay as they are for code. The
// JSON encoding is the wire format and is not masked.

type (
	maskedRegisterRequest RegisterRequest
	maskedUpdateRequest   UpdateRequest
	maskedQueryRequest    QueryRequest
	maskedGuide           Guide
)

func (r RegisterRequest) masked() maskedRegisterRequest {
	m := maskedRegisterRequest(r)
	m.Name, m.Mobile = redact.String(r.Name), redact.String(r.Mobile)
	return m
}

// String prints the request with Name and Mobile masked.
func (r RegisterRequest) String() string { return fmt.Sprint(r.masked()) }

// GoString prints the request as %#v does, with Name and Mobile masked.
func (r RegisterRequest) GoString() string {
	return redact.GoString(r.masked(), "smartguide.RegisterRequest")
}

// Format prints the request for any verb with Name and Mobile masked.
func (r RegisterRequest) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, r.masked(), "smartguide.RegisterRequest")
}

// LogValue logs the request with Name and Mobile masked.
func (r RegisterRequest) LogValue() slog.Value { return slog.AnyValue(r.masked()) }

func (r UpdateRequest) masked() maskedUpdateRequest {
	m := maskedUpdateRequest(r)
	m.Name, m.Mobile = redact.Ptr(r.Name), redact.Ptr(r.Mobile)
	return m
}

// String prints the request with Name and Mobile masked.
func (r UpdateRequest) String() string { return fmt.Sprint(r.masked()) }

// GoString prints the request as %#v does, with Name and Mobile masked.
func (r UpdateRequest) GoString() string {
	return redact.GoString(r.masked(), "smartguide.UpdateRequest")
}

// Format prints the request for any verb with Name and Mobile masked.
func (r UpdateRequest) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, r.masked(), "smartguide.UpdateRequest")
}

// LogValue logs the request with Name and Mobile masked.
func (r UpdateRequest) LogValue() slog.Value { return slog.AnyValue(r.masked()) }

func (r QueryRequest) masked() maskedQueryRequest {
	m := maskedQueryRequest(r)
	m.Mobile = redact.Ptr(r.Mobile)
	return m
}

// String prints the request with Mobile masked.
func (r QueryRequest) String() string { return fmt.Sprint(r.masked()) }

// GoString prints the request as %#v does, with Mobile masked.
func (r QueryRequest) GoString() string {
	return redact.GoString(r.masked(), "smartguide.QueryRequest")
}

// Format prints the request for any verb with Mobile masked.
func (r QueryRequest) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, r.masked(), "smartguide.QueryRequest")
}

// LogValue logs the request with Mobile masked.
func (r QueryRequest) LogValue() slog.Value { return slog.AnyValue(r.masked()) }

func (g Guide) masked() maskedGuide {
	m := maskedGuide(g)
	m.Name, m.Mobile = redact.String(g.Name), redact.String(g.Mobile)
	return m
}

// String prints the guide with Name and Mobile masked.
func (g Guide) String() string { return fmt.Sprint(g.masked()) }

// GoString prints the guide as %#v does, with Name and Mobile masked.
func (g Guide) GoString() string { return redact.GoString(g.masked(), "smartguide.Guide") }

// Format prints the guide for any verb with Name and Mobile masked.
func (g Guide) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, g.masked(), "smartguide.Guide")
}

// LogValue logs the guide with Name and Mobile masked. Its JSON form holds
// only the ciphertexts (Name and Mobile are tagged json:"-").
func (g Guide) LogValue() slog.Value { return slog.AnyValue(g.masked()) }
