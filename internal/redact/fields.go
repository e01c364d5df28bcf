package redact

import (
	"cmp"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Fields names, separated by spaces, the fields of a package's struct types
// that hold personal data or a secret ("OpenID PlateNumber"). A type prints
// through it with one-line methods and no twin type:
//
//	const personal redact.Fields = "OpenID"
//
//	func (e Event) Format(f fmt.State, verb rune) { personal.Print(f, verb, e) }
//	func (e Event) LogValue() slog.Value         { return personal.LogValue(e) }
//	func (e Event) String() string               { return fmt.Sprint(e) }
//
// The Format method, through Print, covers every fmt verb (fmt prefers a
// Formatter to String and GoString), LogValue every slog handler, the JSON
// one included, and String callers that look for a fmt.Stringer. The JSON
// encoding (the wire format) is not touched. The names apply to the direct
// fields of the value printed; a field whose type has its own Format and
// LogValue (a nested personal type) masks itself.
type Fields string

// has reports whether fs names the field name.
func (fs Fields) has(name string) bool {
	for n := range strings.FieldsSeq(string(fs)) {
		if n == name {
			return true
		}
	}
	return false
}

// field returns field i of the struct v, masked (see masked) when fs names
// it. ok is false for an unexported field that is set, which is shown as
// Mask whether named or not: fmt cannot call its methods (a *core.Client
// in it would not mask itself), and printed on its own a pointer in it
// would be followed to what it points to. An unset one is returned as is.
func (fs Fields) field(v reflect.Value, i int) (_ reflect.Value, ok bool) {
	sf, fv := v.Type().Field(i), v.Field(i)
	switch {
	case !sf.IsExported():
		return fv, fv.IsZero()
	case fs.has(sf.Name):
		return masked(fv, 0), true
	}
	return fv, true
}

// Print prints the struct v (or the struct v points to) for verb as fmt
// prints a struct — {a b} for %v and %s, {A:a B:b} for %+v, pkg.T{A:a, B:b}
// for %#v — with the fields fs names masked: every string in them replaced
// by Mask, while an empty string or a nil pointer, slice or map still shows
// as unset. Every field is printed by fmt with the verb and flags of f, so a
// field whose type masks itself stays masked; an unexported field that is
// set prints Mask, named or not (see field). A nil pointer prints <nil>; a
// value that is not a struct prints Mask.
func (fs Fields) Print(f fmt.State, verb rune, v any) {
	rv, ok := structOf(v)
	if !ok {
		if rv.IsValid() {
			_, _ = io.WriteString(f, Mask)
		} else {
			_, _ = io.WriteString(f, "<nil>")
		}
		return
	}
	format := fmt.FormatString(f, verb)
	sharp := verb == 'v' && f.Flag('#')
	named := sharp || verb == 'v' && f.Flag('+')
	sep := " "
	if sharp {
		sep = ", "
		_, _ = io.WriteString(f, rv.Type().String())
	}
	_, _ = io.WriteString(f, "{")
	for i := range rv.NumField() {
		if i > 0 {
			_, _ = io.WriteString(f, sep)
		}
		if named {
			_, _ = io.WriteString(f, rv.Type().Field(i).Name+":")
		}
		if fv, ok := fs.field(rv, i); ok {
			// fmt prints the value a reflect.Value holds, calling its
			// methods when the field is exported.
			_, _ = fmt.Fprintf(f, format, fv)
		} else {
			_, _ = fmt.Fprintf(f, format, Mask)
		}
	}
	_, _ = io.WriteString(f, "}")
}

// LogValue is the slog form of the struct v (or the struct v points to): a
// group with an attribute per exported field (unexported ones are left out),
// keyed by its Go name, with the fields fs names masked as Print masks them.
// Embedded structs are inlined; pointers are followed and nil ones left out,
// as are nil slices, maps and interfaces; times stay times; a named number
// or string with a String method logs as slog logs one; slices of
// strings, numbers or booleans stay lists, other slices and maps become
// groups keyed by index or key; a nested slog.LogValuer is resolved here, so
// a field whose type masks itself stays masked under every handler, also
// one that does not resolve nested values. A value that is not a struct
// logs as Mask.
func (fs Fields) LogValue(v any) slog.Value {
	rv, ok := structOf(v)
	if !ok {
		return slog.StringValue(Mask)
	}
	attrs := make([]slog.Attr, 0, rv.NumField())
	for i := range rv.NumField() {
		sf := rv.Type().Field(i)
		if !sf.IsExported() {
			continue
		}
		fv, _ := fs.field(rv, i)
		if a, ok := attr(sf, fv, 0); ok {
			attrs = append(attrs, a)
		}
	}
	return slog.GroupValue(attrs...)
}

// structOf follows the pointers of v to a struct. It returns the last valid
// value and false when there is none (nil) or it is not a struct.
func structOf(v any) (reflect.Value, bool) {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return reflect.Value{}, false
		}
		rv = rv.Elem()
	}
	return rv, rv.Kind() == reflect.Struct
}

// maxDepth bounds how deep masked and logValue follow a value, so that a
// cyclic value cannot recurse for ever.
const maxDepth = 16

// masked returns a new value of v's type holding v with every string
// replaced by Mask. Empty strings and nil pointers, slices, maps and
// interfaces are kept, so that unset still shows as unset; other scalars
// (numbers, booleans) become their zero value.
func masked(v reflect.Value, depth int) reflect.Value {
	out := reflect.New(v.Type()).Elem()
	if depth > maxDepth {
		return out
	}
	switch v.Kind() {
	case reflect.String:
		if v.Len() > 0 {
			out.SetString(Mask)
		}
	case reflect.Pointer:
		if !v.IsNil() {
			p := reflect.New(v.Type().Elem())
			p.Elem().Set(masked(v.Elem(), depth+1))
			out.Set(p)
		}
	case reflect.Interface:
		if !v.IsNil() {
			out.Set(masked(v.Elem(), depth+1))
		}
	case reflect.Slice:
		if !v.IsNil() {
			out.Set(reflect.MakeSlice(v.Type(), v.Len(), v.Len()))
		}
		fallthrough
	case reflect.Array:
		for i := range v.Len() {
			out.Index(i).Set(masked(v.Index(i), depth+1))
		}
	case reflect.Map:
		if !v.IsNil() {
			out.Set(reflect.MakeMapWithSize(v.Type(), v.Len()))
			for it := v.MapRange(); it.Next(); {
				out.SetMapIndex(masked(it.Key(), depth+1), masked(it.Value(), depth+1))
			}
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if out.Field(i).CanSet() {
				out.Field(i).Set(masked(v.Field(i), depth+1))
			}
		}
	}
	return out
}

// attr is the attribute of struct field sf holding v; an embedded struct
// gets the empty key, which handlers inline.
func attr(sf reflect.StructField, v reflect.Value, depth int) (slog.Attr, bool) {
	val, ok := logValue(v, depth)
	if !ok {
		return slog.Attr{}, false
	}
	key := sf.Name
	if sf.Anonymous && val.Kind() == slog.KindGroup {
		key = ""
	}
	return slog.Attr{Key: key, Value: val}, true
}

// logValue converts v for slog; ok is false for what is left out (nil,
// functions, channels).
func logValue(v reflect.Value, depth int) (_ slog.Value, ok bool) {
	if !v.IsValid() || depth > maxDepth {
		return slog.Value{}, false
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Slice, reflect.Map:
		if v.IsNil() {
			return slog.Value{}, false
		}
	}
	if v.CanInterface() {
		switch x := v.Interface().(type) {
		case slog.LogValuer:
			return slog.AnyValue(x).Resolve(), true
		case time.Time:
			return slog.TimeValue(x), true
		case time.Duration:
			return slog.DurationValue(x), true
		case fmt.Stringer:
			// A named number or string that prints itself logs as slog
			// logs any such value: its String in text, its JSON in JSON.
			if scalar(v.Kind()) {
				return slog.AnyValue(x), true
			}
		}
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		return logValue(v.Elem(), depth+1)
	case reflect.String:
		return slog.StringValue(v.String()), true
	case reflect.Bool:
		return slog.BoolValue(v.Bool()), true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return slog.Int64Value(v.Int()), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return slog.Uint64Value(v.Uint()), true
	case reflect.Float32, reflect.Float64:
		return slog.Float64Value(v.Float()), true
	case reflect.Struct:
		attrs := make([]slog.Attr, 0, v.NumField())
		for i := range v.NumField() {
			if sf := v.Type().Field(i); sf.IsExported() {
				if a, ok := attr(sf, v.Field(i), depth+1); ok {
					attrs = append(attrs, a)
				}
			}
		}
		return slog.GroupValue(attrs...), true
	case reflect.Slice, reflect.Array:
		if scalar(v.Type().Elem().Kind()) && v.CanInterface() {
			return slog.AnyValue(v.Interface()), true
		}
		attrs := make([]slog.Attr, 0, v.Len())
		for i := range v.Len() {
			if val, ok := logValue(v.Index(i), depth+1); ok {
				attrs = append(attrs, slog.Attr{Key: strconv.Itoa(i), Value: val})
			}
		}
		return slog.GroupValue(attrs...), true
	case reflect.Map:
		attrs := make([]slog.Attr, 0, v.Len())
		for it := v.MapRange(); it.Next(); {
			if val, ok := logValue(it.Value(), depth+1); ok {
				attrs = append(attrs, slog.Attr{Key: fmt.Sprint(it.Key()), Value: val})
			}
		}
		slices.SortFunc(attrs, func(a, b slog.Attr) int { return cmp.Compare(a.Key, b.Key) })
		return slog.GroupValue(attrs...), true
	}
	return slog.Value{}, false
}

// scalar reports whether values of kind k log as themselves.
func scalar(k reflect.Kind) bool {
	switch k {
	case reflect.String, reflect.Bool,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return true
	}
	return false
}
