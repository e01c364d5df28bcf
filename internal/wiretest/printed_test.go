package wiretest

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// recorder is a testing.TB that keeps what it is told.
type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, a ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, a...))
}
func (r *recorder) Fatalf(format string, a ...any) { r.Errorf(format, a...); panic(r) }
func (r *recorder) Fatal(a ...any)                 { r.Errorf("%s", fmt.Sprint(a...)); panic(r) }

// A type that holds a personal field, or a personal type through a
// pointer, slice or embedding, without all three methods is reported.
func TestRequireEveryPersonalTypeMasksFindsGaps(t *testing.T) {
	dir := t.TempDir()
	src := `package p

const personal redact.Fields = "OpenID Plate"

type Car struct{ Plate string; Color string }
type Owner struct{ Cars []*Car }
type Event struct {
	Owner
	Kind string
}
type Plain struct{ Name string }
type Done struct{ OpenID string }

func (d Done) Format(f fmt.State, verb rune) {}
func (d Done) LogValue() slog.Value { return slog.Value{} }
func (d Done) String() string { return "" }
func (c *Car) Format(f fmt.State, verb rune) {}
func (c Car) LogValue() slog.Value { return slog.Value{} }
`
	if err := os.WriteFile(filepath.Join(dir, "p.go"), []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "p_test.go"), []byte("package p\n\ntype InTest struct{ OpenID string }\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := &recorder{TB: t}
	found := RequireEveryPersonalTypeMasks(r, dir)
	if fmt.Sprint(found) != "[Car Done Event Owner]" {
		t.Errorf("personal types: %v", found)
	}
	want := map[string]bool{
		"Car holds personal data but declares no value method Format":     true, // a pointer method does not print a value
		"Car holds personal data but declares no value method String":     true,
		"Owner holds personal data but declares no value method Format":   true,
		"Owner holds personal data but declares no value method LogValue": true,
		"Owner holds personal data but declares no value method String":   true,
		"Event holds personal data but declares no value method Format":   true,
		"Event holds personal data but declares no value method LogValue": true,
		"Event holds personal data but declares no value method String":   true,
	}
	if len(r.errors) != len(want) {
		t.Errorf("got %d reports, want %d: %q", len(r.errors), len(want), r.errors)
	}
	for _, e := range r.errors {
		if !want[e[len(filepath.Base(dir))+1:]] {
			t.Errorf("unexpected report %q", e)
		}
	}

	// A package without the list is reported, not passed.
	empty := t.TempDir()
	if err := os.WriteFile(filepath.Join(empty, "q.go"), []byte("package q\n\ntype T struct{ OpenID string }\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r = &recorder{TB: t}
	func() {
		defer func() { _ = recover() }()
		RequireEveryPersonalTypeMasks(r, empty)
	}()
	if len(r.errors) != 1 {
		t.Errorf("a package without the list: %q", r.errors)
	}
}
