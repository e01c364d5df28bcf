// Package validate collects every problem of a request before anything is
// sent, and reports them together as one *core.ValidationError.
package validate

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
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
// into it: values may be personal data.
func (v *V) Addf(field, format string, args ...any) { v.Add(field, fmt.Sprintf(format, args...)) }

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
	v.Check(len(s) <= n, field, fmt.Sprintf("must be at most %d bytes", n))
}

// MaxChars checks the length of s in characters (runes).
func (v *V) MaxChars(field, s string, n int) {
	v.Check(utf8.RuneCountInString(s) <= n, field, fmt.Sprintf("must be at most %d characters", n))
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

// Pattern checks that s matches re; what describes the expected form.
func (v *V) Pattern(field, s string, re *regexp.Regexp, what string) {
	v.Check(re.MatchString(s), field, "must be "+what)
}

// URL checks that s is an absolute http(s) URL.
func (v *V) URL(field, s string) {
	u, err := url.Parse(s)
	v.Check(err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "", field, "must be an absolute http(s) URL")
}

// HTTPSURLNoQuery checks a notification URL: https, absolute, no query.
func (v *V) HTTPSURLNoQuery(field, s string) {
	u, err := url.Parse(s)
	v.Check(err == nil && u.Scheme == "https" && u.Host != "" && u.RawQuery == "", field, "must be an https URL without a query string")
}

// OneOf checks that s is one of allowed.
func OneOf[T ~string](v *V, field string, s T, allowed []T) {
	v.Check(slices.Contains(allowed, s), field, fmt.Sprintf("must be one of %v", allowed))
}

// Range checks lo <= n <= hi.
func Range[T ~int | ~int64](v *V, field string, n, lo, hi T) {
	v.Check(n >= lo && n <= hi, field, fmt.Sprintf("must be between %d and %d", lo, hi))
}

// Err returns nil when there is no problem, or a *core.ValidationError for op.
func (v *V) Err(op string) error {
	if len(v.problems) == 0 {
		return nil
	}
	return &core.ValidationError{Op: op, Problems: slices.Clone(v.problems)}
}
