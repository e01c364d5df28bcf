package core

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
)

// Redacted replaces a secret wherever this SDK prints a value.
const Redacted = "[REDACTED]"

// String describes the client without its secrets: the merchant ID, the
// merchant certificate serial, the hosts and the platform keys it trusts.
// The merchant private key and the APIv3 key are shown as [REDACTED].
func (c Client) String() string {
	var b strings.Builder
	b.WriteString("core.Client{mchid: ")
	b.WriteString(c.mchID)
	b.WriteString(", serial_no: ")
	b.WriteString(c.mchSerial)
	b.WriteString(", private_key: ")
	b.WriteString(Redacted)
	b.WriteString(", apiv3_key: ")
	if c.hasAPIv3Key {
		b.WriteString(Redacted)
	} else {
		b.WriteString("none")
	}
	b.WriteString(", base_url: ")
	b.WriteString(c.primary.origin + c.primary.prefix)
	if c.backup.ok() {
		b.WriteString(", backup_url: ")
		b.WriteString(c.backup.origin + c.backup.prefix)
	}
	if c.keys != nil {
		b.WriteString(", platform_keys: [")
		for i, k := range c.keys.all() {
			if i > 0 {
				b.WriteString(" ")
			}
			b.WriteString(k.Serial)
		}
		b.WriteString("]")
	}
	b.WriteString(", auto_certificates: ")
	b.WriteString(strconv.FormatBool(c.certs != nil))
	b.WriteString("}")
	return b.String()
}

// GoString is String, so that %#v does not print the keys.
func (c Client) GoString() string { return c.String() }

// Format prints String for every verb (%q quotes it), so that no fmt verb
// prints the keys.
func (c Client) Format(f fmt.State, verb rune) { formatMasked(f, verb, c.String()) }

// LogValue describes the client to log/slog without its secrets.
func (c Client) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("mchid", c.mchID),
		slog.String("serial_no", c.mchSerial),
		slog.String("private_key", Redacted),
		slog.Bool("apiv3_key_set", c.hasAPIv3Key),
		slog.String("base_url", c.primary.origin+c.primary.prefix),
	)
}

// formatMasked writes s for any verb: quoted for %q, as is otherwise.
func formatMasked(f fmt.State, verb rune, s string) {
	if verb == 'q' {
		s = strconv.Quote(s)
	}
	_, _ = f.Write([]byte(s))
}

// Format prints Error() for every verb (%q quotes it, %x and %X give its
// hex, width and flags apply as for a string), except %#v, which prints the
// fields with the server's text sanitised, Detail.Value masked and the raw
// bodies as their length: a server's answer may echo a request value (an
// OpenID, a mobile number), so no verb prints Body, Detail.Raw or
// Detail.Value. The fields themselves stay as received.
func (e APIError) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		_, _ = io.WriteString(f, e.GoString())
		return
	}
	if verb != 'q' && verb != 'x' && verb != 'X' {
		verb = 's'
	}
	_, _ = fmt.Fprintf(f, fmt.FormatString(f, verb), e.Error())
}

// GoString is the %#v form (see Format).
func (e APIError) GoString() string {
	var b strings.Builder
	fmt.Fprintf(&b, "core.APIError{StatusCode:%d, Code:%q, Message:%q, Detail:", e.StatusCode,
		sanitizeServerText(e.Code, maxCodeText), sanitizeServerText(e.Message, maxMessageText))
	if e.Detail == nil {
		b.WriteString("(*core.ErrorDetail)(nil)")
	} else {
		b.WriteString("&" + e.Detail.GoString())
	}
	fmt.Fprintf(&b, ", RequestID:%q, Method:%q, Path:%q, Attempts:%d, Body:%s, Hint:%q}",
		sanitizeServerText(e.RequestID, maxRequestIDText), sanitizeServerText(e.Method, 16), sanitizeServerText(e.Path, 256),
		e.Attempts, maskedBytes(e.Body), e.Hint)
	return b.String()
}

// String describes the detail with its Value masked (it may echo a request
// value, such as an OpenID) and Raw shown as its length; the server's text
// is sanitised.
func (d ErrorDetail) String() string {
	return fmt.Sprintf("{Field:%s Value:%s Issue:%s Location:%s Raw:%s}",
		sanitizeServerText(d.Field, maxFieldText), maskedAny(d.Value), sanitizeServerText(d.Issue, maxMessageText),
		sanitizeServerText(d.Location, maxCodeText), maskedBytes(d.Raw))
}

// GoString is the %#v form of String.
func (d ErrorDetail) GoString() string {
	return fmt.Sprintf("core.ErrorDetail{Field:%q, Value:%q, Issue:%q, Location:%q, Raw:%s}",
		sanitizeServerText(d.Field, maxFieldText), maskedAny(d.Value), sanitizeServerText(d.Issue, maxMessageText),
		sanitizeServerText(d.Location, maxCodeText), maskedBytes(d.Raw))
}

// Format prints String for every verb (%q quotes it) and GoString for %#v,
// so that no verb prints Value or Raw.
func (d ErrorDetail) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		_, _ = io.WriteString(f, d.GoString())
		return
	}
	formatMasked(f, verb, d.String())
}

// LogValue is the detail for log/slog, Value masked and Raw left out.
func (d ErrorDetail) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("field", sanitizeServerText(d.Field, maxFieldText)),
		slog.String("value", maskedAny(d.Value)),
		slog.String("issue", sanitizeServerText(d.Issue, maxMessageText)),
		slog.String("location", sanitizeServerText(d.Location, maxCodeText)),
	)
}

// maskedAny is Redacted for a value that is set, "" for nil.
func maskedAny(v any) string {
	if v == nil {
		return ""
	}
	return Redacted
}

// maskedBytes shows raw bytes as their length only.
func maskedBytes(b []byte) string {
	if b == nil {
		return "nil"
	}
	return "[" + strconv.Itoa(len(b)) + " bytes]"
}

// MarshalJSON encodes the error as its Error() string, as log/slog's JSON
// handler shows an error, also where it is reached as a value or inside
// another struct; field by field, JSON would carry Body and Detail.Value.
func (e APIError) MarshalJSON() ([]byte, error) { return json.Marshal(e.Error()) }

// MarshalJSON encodes the detail with Value masked and without Raw, so that
// a detail logged inside another value by a JSON handler does not carry
// what the server echoed. Decoding (UnmarshalJSON is not overridden) reads
// WeChat Pay's detail object as documented.
func (d ErrorDetail) MarshalJSON() ([]byte, error) {
	type shown struct {
		Field    string `json:"field,omitempty"`
		Value    string `json:"value,omitempty"`
		Issue    string `json:"issue,omitempty"`
		Location string `json:"location,omitempty"`
	}
	return json.Marshal(shown{Field: d.Field, Value: maskedAny(d.Value), Issue: d.Issue, Location: d.Location})
}

// String describes the response without its body, which may hold personal
// data (OpenIDs, names, mobiles): the status, the Request-ID and the body's
// length. Body itself stays usable in code.
func (r Response) String() string {
	return fmt.Sprintf("core.Response{StatusCode: %d, RequestID: %q, Body: %s}", r.StatusCode, r.RequestID, maskedBytes(r.Body))
}

// GoString is String, so that %#v does not print the body.
func (r Response) GoString() string { return r.String() }

// Format prints String for every verb (%q quotes it), so that no verb
// prints the body.
func (r Response) Format(f fmt.State, verb rune) { formatMasked(f, verb, r.String()) }

// LogValue describes the response to log/slog without its body.
func (r Response) LogValue() slog.Value {
	return slog.GroupValue(slog.Int("status", r.StatusCode), slog.String("request_id", r.RequestID), slog.Int("body_bytes", len(r.Body)))
}

// MarshalJSON encodes the response as LogValue describes it, without its
// body, so that a JSON log of a value holding a Response does not carry
// the body (Base64 would only hide it from the eye).
func (r Response) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Status    int    `json:"status"`
		RequestID string `json:"request_id"`
		BodyBytes int    `json:"body_bytes"`
	}{r.StatusCode, r.RequestID, len(r.Body)})
}
