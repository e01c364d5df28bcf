package core

import (
	"fmt"
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
