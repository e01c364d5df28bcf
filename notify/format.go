package notify

import (
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
)

// String describes the notification without its decrypted resource, which
// may hold personal data: Plaintext is shown as [REDACTED] with its length.
// The fields stay usable in code.
func (n Notification) String() string {
	return fmt.Sprintf("notify.Notification{ID: %s, CreateTime: %s, EventType: %s, ResourceType: %s, Summary: %s, OriginalType: %s, Serial: %s, Plaintext: %s}",
		strconv.Quote(n.ID), n.CreateTime.Format(time.RFC3339), strconv.Quote(n.EventType), strconv.Quote(n.ResourceType),
		strconv.Quote(n.Summary), strconv.Quote(n.Resource.OriginalType), strconv.Quote(n.Serial), redactedBytes(n.Plaintext))
}

// GoString is String, so that %#v does not print the plaintext.
func (n Notification) GoString() string { return n.String() }

// Format prints String for every verb (%q quotes it), so that no fmt verb
// prints the plaintext.
func (n Notification) Format(f fmt.State, verb rune) { writeMasked(f, verb, n.String()) }

// LogValue describes the notification to log/slog without its plaintext.
func (n Notification) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("id", n.ID),
		slog.Time("create_time", n.CreateTime),
		slog.String("event_type", n.EventType),
		slog.String("resource_type", n.ResourceType),
		slog.String("original_type", n.Resource.OriginalType),
		slog.String("serial", n.Serial),
		slog.String("plaintext", redactedBytes(n.Plaintext)),
	)
}

func redactedBytes(b []byte) string {
	if len(b) == 0 {
		return "[]"
	}
	return core.Redacted + " (" + strconv.Itoa(len(b)) + " bytes)"
}

func writeMasked(f fmt.State, verb rune, s string) {
	if verb == 'q' {
		s = strconv.Quote(s)
	}
	_, _ = f.Write([]byte(s))
}
