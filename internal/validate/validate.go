// Package validate collects every problem of a request before anything is
// sent, and reports them together as one *core.ValidationError.
//
// Validation costs nothing when it passes: a rule formats its message, and a
// V allocates, only when the rule fails. Keep it so: build a message (or an
// indexed field name such as items[2]) only on the failing branch.
package validate

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
)

// V accumulates problems. The zero value is ready to use.
type V struct {
	problems []core.FieldError
}

// Add records a problem with field.
func (v *V) Add(field, problem string) {
	v.problems = append(v.problems, core.FieldError{Field: field, Problem: problem})
}

// Addf records a formatted problem with field. Never format a field's value
// into it: values may be personal data. Call it only on a failing branch.
func (v *V) Addf(field, format string, args ...any) { v.Add(field, fmt.Sprintf(format, args...)) }

// Index returns field[i], the name of a list item in a problem. It
// allocates: call it only on a failing branch.
func Index(field string, i int) string { return field + "[" + strconv.Itoa(i) + "]" }

// OK reports whether no problem has been recorded yet.
func (v *V) OK() bool { return len(v.problems) == 0 }

// Check records problem when ok is false, and returns ok.
func (v *V) Check(ok bool, field, problem string) bool {
	if !ok {
		v.Add(field, problem)
	}
	return ok
}

// Required records a problem when s is empty, and reports whether it was set.
func (v *V) Required(field, s string) bool { return v.Check(s != "", field, "is required") }

// MaxBytes checks the UTF-8 byte length of s.
func (v *V) MaxBytes(field, s string, n int) {
	if len(s) > n {
		v.Add(field, "must be at most "+strconv.Itoa(n)+" bytes")
	}
}

// MaxChars checks the length of s in characters (runes).
func (v *V) MaxChars(field, s string, n int) {
	if utf8.RuneCountInString(s) > n {
		v.Add(field, "must be at most "+strconv.Itoa(n)+" characters")
	}
}

// Text checks that s is valid UTF-8 made of 1-3 byte characters, as APIv3
// requires (no emoji or other 4-byte characters).
func (v *V) Text(field, s string) {
	if !utf8.ValidString(s) {
		v.Add(field, "must be valid UTF-8")
		return
	}
	for _, r := range s {
		if r > 0xFFFF {
			v.Add(field, "must not contain 4-byte UTF-8 characters (such as emoji)")
			return
		}
	}
}

// RequiredText is Required plus Text plus MaxChars (when max > 0).
func (v *V) RequiredText(field, s string, max int) {
	if v.Required(field, s) {
		v.OptionalText(field, &s, max)
	}
}

// OptionalText checks a set optional string with Text and MaxChars (when
// max > 0).
func (v *V) OptionalText(field string, s *string, max int) {
	if s == nil {
		return
	}
	v.Text(field, *s)
	if max > 0 {
		v.MaxChars(field, *s, max)
	}
}

// OptionalID checks an optional identifier that, when set, must not be
// empty: RequiredText (valid text, and at most max characters when max > 0).
func (v *V) OptionalID(field string, s *string, max int) {
	if s != nil {
		v.RequiredText(field, *s, max)
	}
}

// Token checks an identifier with a documented character set that may go
// into a path (an out_order_no, an authorization code, an OpenID): set, not
// a dot-segment, only characters of cs (see PathParam), and at most max
// characters.
func (v *V) Token(field, s string, cs core.Charset, max int) {
	v.PathParam(field, s, cs)
	v.MaxChars(field, s, max)
}

// Pattern checks that s matches re; what describes the expected form.
func (v *V) Pattern(field, s string, re *regexp.Regexp, what string) {
	if !re.MatchString(s) {
		v.Add(field, "must be "+what)
	}
}

// URL checks that s is an absolute http(s) URL.
func (v *V) URL(field, s string) {
	if scheme := plainURLScheme(s, true); scheme == "http" || scheme == "https" {
		return
	}
	u, err := url.Parse(s)
	v.Check(err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "", field, "must be an absolute http(s) URL")
}

// HTTPSURLNoQuery checks a notification URL: https, absolute, no query.
func (v *V) HTTPSURLNoQuery(field, s string) {
	if plainURLScheme(s, false) == "https" {
		return
	}
	u, err := url.Parse(s)
	v.Check(err == nil && u.Scheme == "https" && u.Host != "" && u.RawQuery == "", field, "must be an https URL without a query string")
}

// plainURLScheme is the allocation-free fast path of the URL rules: it
// returns "http" or "https" when s is plainly such a URL — lower-case
// scheme, "://", a host of letters, digits, '.' and '-' with an optional
// numeric port, then an optional path (and, with query, a query) of
// unreserved and sub-delim characters and well-formed %XX escapes — which
// url.Parse accepts with that scheme, a host and (without '?') no query.
// Anything else returns "" and the rule asks url.Parse.
func plainURLScheme(s string, query bool) string {
	var scheme string
	switch {
	case strings.HasPrefix(s, "https://"):
		scheme, s = "https", s[len("https://"):]
	case strings.HasPrefix(s, "http://"):
		scheme, s = "http", s[len("http://"):]
	default:
		return ""
	}
	i := 0
	for i < len(s) && (isAlnum(s[i]) || s[i] == '.' || s[i] == '-') {
		i++
	}
	if i == 0 {
		return ""
	}
	if i < len(s) && s[i] == ':' {
		j := i + 1
		for j < len(s) && '0' <= s[j] && s[j] <= '9' {
			j++
		}
		if j == i+1 {
			return ""
		}
		i = j
	}
	if i < len(s) && s[i] != '/' && !(query && s[i] == '?') {
		return ""
	}
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case isAlnum(c) || strings.IndexByte("-._~!$&'()*+,;=:@/", c) >= 0:
		case c == '?' && query:
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			i += 2
		default:
			return ""
		}
	}
	return scheme
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// OneOf checks that s is one of allowed.
func OneOf[T ~string](v *V, field string, s T, allowed []T) {
	if slices.Contains(allowed, s) {
		return
	}
	var b strings.Builder
	b.WriteString("must be one of [")
	for i, a := range allowed {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(string(a))
	}
	b.WriteByte(']')
	v.Add(field, b.String())
}

// Range checks lo <= n <= hi.
func Range[T ~int | ~int64](v *V, field string, n, lo, hi T) {
	if n < lo || n > hi {
		v.Add(field, "must be between "+strconv.FormatInt(int64(lo), 10)+" and "+strconv.FormatInt(int64(hi), 10))
	}
}

// PathParam checks s as a path parameter of charset cs (see core.Charset):
// set, not "." or "..", only characters of the set. The path builder checks
// the same again before escaping; this rule lists the problem among the
// others in Validate.
func (v *V) PathParam(field, s string, cs core.Charset) {
	if p := cs.Problem(s); p != "" {
		v.Add(field, p)
	}
}

// NilRequest is the error a Validate method returns for a nil receiver:
// "request: is required" for op. The shape of every Validate method is
//
//	func (r *AssignRequest) Validate() error {
//		if r == nil {
//			return validate.NilRequest("smartguide.Assign")
//		}
//		var v validate.V
//		v.PathParam("guide_id", r.GuideID, core.CharsetGuideID)
//		// … every rule, each formatting its message only when it fails
//		return v.Err("smartguide.Assign")
//	}
//
// (A V must not be passed to a function value such as a closure: it would
// then escape to the heap, and a valid request would cost an allocation.)
func NilRequest(op string) error { return core.MissingRequest(op) }

// Err returns nil when there is no problem, or a *core.ValidationError for op.
func (v *V) Err(op string) error {
	if len(v.problems) == 0 {
		return nil
	}
	return v.newErr(op)
}

// newErr keeps the allocating branch out of Err, so that Err inlines.
func (v *V) newErr(op string) error {
	return &core.ValidationError{Op: op, Problems: slices.Clone(v.problems)}
}

// Client returns c, the client a product's NewService (named op, e.g.
// "bill.NewService") was given, and panics when it is nil: a Service
// without a client is a programming error that no call could report.
func Client(op string, c *core.Client) *core.Client {
	if c == nil {
		panic(op + ": nil *core.Client; build one with core.NewClient")
	}
	return c
}
