package core

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
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

func (e *SignatureError) Error() string {
	var b strings.Builder
	b.WriteString("wechatpay: invalid signature: ")
	b.WriteString(e.Reason)
	if e.Serial != "" {
		fmt.Fprintf(&b, " (serial %s)", e.Serial)
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " (request id %s)", e.RequestID)
	}
	return b.String()
}

// Is reports whether target is ErrInvalidSignature or the specific cause.
func (e *SignatureError) Is(target error) bool {
	return target == ErrInvalidSignature || (e.kind != nil && target == e.kind)
}

// ErrorDetail is the optional detail object of a WeChat Pay error body.
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
// signed or not. Match it with errors.As or the helpers IsAPIError and
// ErrorCode, which see through wrapping.
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
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "wechatpay: %s %s: HTTP %d", e.Method, e.Path, e.StatusCode)
	if e.Code != "" {
		fmt.Fprintf(&b, " %s", e.Code)
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", oneLine(e.Message))
	}
	if e.Detail != nil && e.Detail.Field != "" {
		fmt.Fprintf(&b, " (field %s", oneLine(e.Detail.Field))
		if e.Detail.Issue != "" {
			fmt.Fprintf(&b, ": %s", oneLine(e.Detail.Issue))
		}
		b.WriteString(")")
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " [request id %s]", e.RequestID)
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " after %d attempts", e.Attempts)
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

func oneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == '\t' {
			return ' '
		}
		return r
	}, s)
	const max = 256
	if len(s) > max {
		s = s[:max] + "…"
	}
	return s
}

// FieldError is one problem found by client-side validation.
type FieldError struct {
	Field   string // the JSON name (or path, e.g. post_payments[2].name) of the field
	Problem string // what is wrong; never the value itself
}

// ValidationError lists every problem found in a request before anything was
// sent. Match it with errors.As.
type ValidationError struct {
	Op       string // the operation, e.g. smartguide.Register
	Problems []FieldError
}

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
