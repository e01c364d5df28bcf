package wiretest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"log/slog"
	"path/filepath"
	"slices"
	"strconv"
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

// RequireEveryPersonalTypeMasks reads the Go package in dir (its non-test
// files) and checks that every struct type holding a field that the
// package's `personal` redact.Fields constant names — directly, or through
// a field or an embedded value of such a type (a pointer, slice, array or
// map of one included) — declares the value methods Format, LogValue and
// String, so that a type added later cannot print what its package masks.
// It returns the personal types found.
func RequireEveryPersonalTypeMasks(t testing.TB, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string                   // the personal field names
	structs := map[string][]*ast.Field{} // struct type name → fields
	methods := map[string]map[string]bool{}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			switch d := decl.(type) {
			case *ast.GenDecl:
				for _, spec := range d.Specs {
					switch s := spec.(type) {
					case *ast.ValueSpec:
						if len(s.Names) == 1 && s.Names[0].Name == "personal" && len(s.Values) == 1 {
							if lit, ok := s.Values[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
								v, _ := strconv.Unquote(lit.Value)
								names = strings.Fields(v)
							}
						}
					case *ast.TypeSpec:
						if st, ok := s.Type.(*ast.StructType); ok {
							structs[s.Name.Name] = st.Fields.List
						}
					}
				}
			case *ast.FuncDecl:
				if d.Recv != nil && len(d.Recv.List) == 1 {
					if id, ok := d.Recv.List[0].Type.(*ast.Ident); ok { // value receivers only
						if methods[id.Name] == nil {
							methods[id.Name] = map[string]bool{}
						}
						methods[id.Name][d.Name.Name] = true
					}
				}
			}
		}
	}
	if len(names) == 0 {
		t.Fatalf("%s: no `const personal redact.Fields = \"…\"`", dir)
	}
	personal := map[string]bool{}
	for changed := true; changed; {
		changed = false
		for typ, fields := range structs {
			if !personal[typ] && holdsPersonal(fields, names, personal) {
				personal[typ], changed = true, true
			}
		}
	}
	var found []string
	for typ := range personal {
		found = append(found, typ)
		for _, m := range []string{"Format", "LogValue", "String"} {
			if !methods[typ][m] {
				t.Errorf("%s.%s holds personal data but declares no value method %s", filepath.Base(dir), typ, m)
			}
		}
	}
	slices.Sort(found)
	return found
}

// holdsPersonal reports whether one of fields is named in names or has a
// type that is personal.
func holdsPersonal(fields []*ast.Field, names []string, personal map[string]bool) bool {
	for _, f := range fields {
		for _, n := range f.Names {
			if slices.Contains(names, n.Name) {
				return true
			}
		}
		if personal[baseType(f.Type)] {
			return true
		}
	}
	return false
}

// baseType is the name of the package-local type that e is, or points to,
// or holds the elements of; "" for anything else.
func baseType(e ast.Expr) string {
	for {
		switch x := e.(type) {
		case *ast.Ident:
			return x.Name
		case *ast.StarExpr:
			e = x.X
		case *ast.ArrayType:
			e = x.Elt
		case *ast.MapType:
			e = x.Value
		default:
			return ""
		}
	}
}
