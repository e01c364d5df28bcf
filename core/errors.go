package core

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ErrInvalidSignature is matched (with errors.Is) by every error that reports a
// response or notification whose WeChat Pay signature could not be verified:
// a missing or malformed header, an unknown serial, a timestamp outside the
// ±5 minute window, or a signature that does not match (including WeChat Pay's
// deliberate WECHATPAY/SIGNTEST/ probes).
var ErrInvalidSignature = errors.New("wechatpay: invalid signature")

// ErrUnknownSerial is matched by signature errors whose Wechatpay-Serial names
// a key the client does not know. It also matches ErrInvalidSignature.
var ErrUnknownSerial = errors.New("wechatpay: unknown platform key serial")

// ErrStaleTimestamp is matched by signature errors whose Wechatpay-Timestamp is
// outside the allowed window, in the past or in the future. It also matches
// ErrInvalidSignature.
var ErrStaleTimestamp = errors.New("wechatpay: timestamp outside the allowed window")

// SignatureError describes why a signature was rejected. It matches
// ErrInvalidSignature and, where it applies, ErrUnknownSerial or
// ErrStaleTimestamp.
type SignatureError struct {
	Reason    string // what failed, never secret
	Serial    string // the Wechatpay-Serial that was presented
	RequestID string // Request-ID of the response, when there is one
	kind      error
}

// Error returns one line: "wechatpay: invalid signature: <reason>", then
// the serial and the Request-ID when known, each sanitised and capped. It
// never contains the signature, the body or a key.
func (e *SignatureError) Error() string {
	var b strings.Builder
	b.WriteString("wechatpay: invalid signature: ")
	b.WriteString(sanitizeServerText(e.Reason, 512))
	if e.Serial != "" {
		fmt.Fprintf(&b, " (serial %s)", sanitizeServerText(e.Serial, maxSerialText))
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " (request id %s)", sanitizeServerText(e.RequestID, maxRequestIDText))
	}
	return b.String()
}

// Is reports whether target is ErrInvalidSignature or the specific cause.
func (e *SignatureError) Is(target error) bool {
	return target == ErrInvalidSignature || (e.kind != nil && target == e.kind)
}

// ErrorDetail is the optional detail object of a WeChat Pay error body
// (spec §6.8): which field was wrong, where, and why. It prints with Value
// masked and Raw as its length (see String), since the server may echo
// personal data.
// See https://pay.weixin.qq.com/docs/merchant/development/interface-rules/basic-rules.html
type ErrorDetail struct {
	Field    string `json:"field,omitempty"`    // JSON Pointer (body) or parameter name (path/query)
	Value    any    `json:"value,omitempty"`    // the offending value as the server reported it
	Issue    string `json:"issue,omitempty"`    // what is wrong
	Location string `json:"location,omitempty"` // body, query, path, authorization…
	// Raw holds the detail exactly as received, for fields not modelled here
	// (e.g. sign_information on SIGN_ERROR).
	Raw json.RawMessage `json:"-"`
}

// APIError is the error returned for every non-2xx answer from WeChat Pay,
// signed or not (a signed one is verified first), decoded from the error
// body {"code", "message", "detail"} of spec §6.8; a body that is not JSON
// still gives the status and Request-ID. Match it with errors.As or the
// helpers IsAPIError and ErrorCode, which see through wrapping. It prints
// without Body and Detail.Value (see Format), which may echo personal data.
// See https://pay.weixin.qq.com/docs/merchant/development/interface-rules/basic-rules.html
type APIError struct {
	StatusCode int          // HTTP status
	Code       string       // error code, e.g. PARAM_ERROR
	Message    string       // human-readable reason from the server
	Detail     *ErrorDetail // optional detail
	RequestID  string       // Request-ID header, quote it to WeChat Pay support
	Method     string       // HTTP method of the failed call
	Path       string       // route template of the failed call (Request.Route, e.g. …/openid/{openid}), else its path; never the query
	Attempts   int          // how many attempts were made (1 when not retried)
	// Body is the raw response body, capped. It never holds request data.
	Body []byte
	// Hint says what to check, for errors whose usual cause is the client's
	// configuration (401 SIGN_ERROR). It is written by this SDK, not the
	// server, and is part of Error().
	Hint string
}

// Error returns one line. The server's code, message and detail are
// sanitised first: control and line-separator characters become spaces,
// invisible formatting characters are dropped, and each is capped in length
// (cut on a character boundary), so a hostile or broken answer cannot forge
// log lines or grow the error without bound.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "wechatpay: %s %s: HTTP %d", e.Method, sanitizeServerText(e.Path, 256), e.StatusCode)
	if e.Code != "" {
		fmt.Fprintf(&b, " %s", sanitizeServerText(e.Code, maxCodeText))
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", sanitizeServerText(e.Message, maxMessageText))
	}
	if e.Detail != nil && e.Detail.Field != "" {
		fmt.Fprintf(&b, " (field %s", sanitizeServerText(e.Detail.Field, maxFieldText))
		if e.Detail.Issue != "" {
			fmt.Fprintf(&b, ": %s", sanitizeServerText(e.Detail.Issue, maxMessageText))
		}
		b.WriteString(")")
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " [request id %s]", sanitizeServerText(e.RequestID, maxRequestIDText))
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " after %d attempts", e.Attempts)
	}
	if e.Hint != "" {
		fmt.Fprintf(&b, "; %s", sanitizeServerText(e.Hint, 512))
	}
	return b.String()
}

// Temporary reports whether the error is transient on WeChat Pay's side
// (5xx, rate limiting, SYSTEM_ERROR) so that the same request may be retried.
func (e *APIError) Temporary() bool {
	if e.StatusCode >= 500 || e.StatusCode == 429 {
		return true
	}
	switch e.Code {
	case "SYSTEM_ERROR", "SERVICE_UNAVAILABLE", "RATELIMIT_EXCEEDED", "FREQUENCY_LIMITED", "RATE_LIMITED":
		return true
	}
	return false
}

// IsAPIError reports whether err (or anything it wraps) is an *APIError and
// returns it.
func IsAPIError(err error) (*APIError, bool) {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae, true
	}
	return nil, false
}

// ErrorCode returns the WeChat Pay error code carried by err, or "".
func ErrorCode(err error) string {
	if ae, ok := IsAPIError(err); ok {
		return ae.Code
	}
	return ""
}

// RequestIDOf returns the Request-ID carried by an *APIError or
// *SignatureError in err's chain, or "".
func RequestIDOf(err error) string {
	if ae, ok := IsAPIError(err); ok {
		return ae.RequestID
	}
	var se *SignatureError
	if errors.As(err, &se) {
		return se.RequestID
	}
	return ""
}

// decodeAPIError builds the APIError for a non-2xx answer. Bodies that are
// not JSON (a gateway's HTML page, garbage) still give an APIError with the
// status and Request-ID.
func decodeAPIError(status int, body []byte, requestID, method, path string) *APIError {
	e := &APIError{StatusCode: status, RequestID: requestID, Method: method, Path: path, Attempts: 1}
	if len(body) > 0 {
		e.Body = body
		var wire struct {
			Code    string          `json:"code"`
			Message string          `json:"message"`
			Detail  json.RawMessage `json:"detail"`
		}
		if json.Unmarshal(body, &wire) == nil {
			e.Code, e.Message = wire.Code, wire.Message
			if len(wire.Detail) > 0 && string(wire.Detail) != "null" {
				d := &ErrorDetail{Raw: wire.Detail}
				if json.Unmarshal(wire.Detail, d) == nil {
					e.Detail = d
				} else {
					e.Detail = &ErrorDetail{Raw: wire.Detail}
				}
			}
		}
	}
	return e
}

// Caps, in bytes, on server text copied into errors and logs.
const (
	maxCodeText      = 64
	maxMessageText   = 256
	maxFieldText     = 128
	maxSerialText    = 64
	maxRequestIDText = 128
)

// sanitizeServerText makes text that came from the network safe to put in an
// error or a log line: invalid UTF-8 becomes U+FFFD, control characters
// (C0, DEL, C1) and the line and paragraph separators become spaces,
// invisible formatting characters (bidirectional overrides, zero-width
// characters) are dropped, and the result is cut to at most max bytes on a
// character boundary, with "…" marking the cut (within max).
func sanitizeServerText(s string, max int) string {
	clean := true
	for _, r := range s {
		if r < 0x20 || r >= 0x7f {
			clean = false
			break
		}
	}
	if clean && len(s) <= max {
		return s
	}
	const ellipsis = "…"
	b := make([]byte, 0, min(len(s), max))
	cut := 0 // length of b at the last character boundary leaving room for the ellipsis
	for _, r := range s {
		switch {
		case r == utf8.RuneError:
			r = '\uFFFD'
		case unicode.IsControl(r) || r == '\u2028' || r == '\u2029':
			r = ' '
		case unicode.Is(unicode.Cf, r):
			continue
		}
		if len(b)+utf8.RuneLen(r) > max {
			return string(append(b[:cut], ellipsis...))
		}
		b = utf8.AppendRune(b, r)
		if len(b) <= max-len(ellipsis) {
			cut = len(b)
		}
	}
	return string(b)
}

// FieldError is one problem found by client-side validation, named by the
// field's wire name.
type FieldError struct {
	Field   string // the JSON name (or path, e.g. post_payments[2].name) of the field
	Problem string // what is wrong; never the value itself
}

// ValidationError lists every problem found in a request before anything was
// sent. Match it with errors.As.
type ValidationError struct {
	Op string // the operation, e.g. smartguide.Register
	// Problems lists every broken rule, in the order the fields were
	// checked (one field may appear more than once); never empty when
	// returned by this SDK.
	Problems []FieldError
}

// Error returns one line: "wechatpay: invalid <Op> request: " and every
// problem as "field: problem", separated by "; ". It never contains the
// values checked.
func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString("wechatpay: invalid ")
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(" ")
	}
	b.WriteString("request: ")
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.Field)
		b.WriteString(": ")
		b.WriteString(p.Problem)
	}
	return b.String()
}

// Has reports whether field is among the problems.
func (e *ValidationError) Has(field string) bool {
	for _, p := range e.Problems {
		if p.Field == field {
			return true
		}
	}
	return false
}
