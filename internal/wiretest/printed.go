package wiretest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// Printed returns v as Go prints it in every common way, keyed by how: the
// fmt verbs %v, %+v, %#v, %s, %q, %x, %X and a width, Sprint, Sprintln,
// String when v is a fmt.Stringer, and the log lines of slog's text and
// JSON handlers given v as an attribute.
func Printed(v any) map[string]string {
	out := map[string]string{}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%40v"} {
		out[verb] = fmt.Sprintf(verb, v)
	}
	out["Sprint"], out["Sprintln"] = fmt.Sprint(v), fmt.Sprintln(v)
	if s, ok := v.(fmt.Stringer); ok {
		out["String"] = s.String()
	}
	var text, js bytes.Buffer
	slog.New(slog.NewTextHandler(&text, nil)).Info("value", "v", v)
	slog.New(slog.NewJSONHandler(&js, nil)).Info("value", "v", v)
	out["slog text"], out["slog JSON"] = text.String(), js.String()
	return out
}

// RequireMasked checks that v, printed in every way Printed prints it, never
// shows any of personal, as text or in hex, while each of visible (plain
// ASCII without quotes or backslashes) shows in every readable form.
func RequireMasked(t testing.TB, v any, personal, visible []string) {
	t.Helper()
	printed := Printed(v)
	for how, s := range printed {
		for _, p := range personal {
			for _, form := range []string{p, fmt.Sprintf("%x", p), fmt.Sprintf("%X", p)} {
				if strings.Contains(s, form) {
					t.Errorf("%T printed with %s shows %q: %s", v, how, p, s)
				}
			}
		}
	}
	for _, how := range []string{"%v", "%+v", "%#v", "%s", "Sprint", "slog text", "slog JSON"} {
		for _, w := range visible {
			if !strings.Contains(printed[how], w) {
				t.Errorf("%T printed with %s lost %q: %s", v, how, w, printed[how])
			}
		}
	}
}

// RequireOnWire checks that v's JSON encoding, what is sent to or received
// from WeChat Pay, still carries each of want: masking is for printing only.
func RequireOnWire(t testing.TB, v any, want ...string) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("%T: %v", v, err)
	}
	for _, w := range want {
		if !strings.Contains(string(b), w) {
			t.Errorf("%T on the wire lost %s: %s", v, w, b)
		}
	}
}
