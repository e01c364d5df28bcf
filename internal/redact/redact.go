// Package redact helps types that hold personal data (names, mobiles) print
// masked in every way Go prints a value — fmt's %v, %+v, %#v, %s, and
// log/slog's text and JSON handlers — while their fields stay usable in
// code.
//
// The short way is Fields: a package names its personal fields once and each
// type gets three one-line methods (Format, LogValue, String) that print
// through reflection with those fields masked; see Fields.
//
// Alternatively, a type T with personal fields defines an unexported twin
// type with the same underlying struct and no methods, a masked() method
// returning a copy converted to the twin with every personal field passed
// through String or Ptr, and then:
//
//	func (t T) String() string                  { return fmt.Sprint(t.masked()) }
//	func (t T) GoString() string                { return redact.GoString(t.masked(), "pkg.T") }
//	func (t T) Format(f fmt.State, verb rune)   { redact.Format(f, verb, t.masked(), "pkg.T") }
//	func (t T) LogValue() slog.Value            { return slog.AnyValue(t.masked()) }
package redact

import (
	"fmt"
	"io"
	"strings"
)

// Mask replaces a personal value that is set.
const Mask = "***"

// String masks s: Mask when s is set, "" when it is not (so that an unset
// field still shows as unset).
func String(s string) string {
	if s == "" {
		return ""
	}
	return Mask
}

// Ptr masks the string p points to, in a new pointer; nil stays nil.
func Ptr(p *string) *string {
	if p == nil {
		return nil
	}
	m := String(*p)
	return &m
}

// Format prints masked (the masked twin of a value) for verb as fmt would
// print the value; under %#v the twin's type name is replaced by typeName.
func Format(f fmt.State, verb rune, masked any, typeName string) {
	if verb == 'v' && f.Flag('#') {
		_, _ = io.WriteString(f, GoString(masked, typeName))
		return
	}
	_, _ = fmt.Fprintf(f, fmt.FormatString(f, verb), masked)
}

// GoString is the %#v form of masked, named typeName.
func GoString(masked any, typeName string) string {
	s := fmt.Sprintf("%#v", masked)
	if i := strings.IndexByte(s, '{'); i >= 0 {
		s = typeName + s[i:]
	}
	return s
}
