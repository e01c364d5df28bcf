package notifytest

import (
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
)

// String describes the signer without its private key and APIv3 key.
func (s Signer) String() string {
	return fmt.Sprintf("notifytest.Signer{Serial: %s, PrivateKey: %s, APIv3Key: %s, Time: %s}",
		strconv.Quote(s.Serial), core.Redacted, core.Redacted, s.Time.Format(time.RFC3339))
}

// GoString is String, so that %#v does not print the keys.
func (s Signer) GoString() string { return s.String() }

// Format prints String for every verb (%q quotes it), so that no fmt verb
// prints the keys.
func (s Signer) Format(f fmt.State, verb rune) {
	out := s.String()
	if verb == 'q' {
		out = strconv.Quote(out)
	}
	_, _ = f.Write([]byte(out))
}

// LogValue describes the signer to log/slog without its keys.
func (s Signer) LogValue() slog.Value {
	return slog.GroupValue(slog.String("serial", s.Serial), slog.String("private_key", core.Redacted), slog.String("apiv3_key", core.Redacted))
}
