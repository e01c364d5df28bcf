package redact_test

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/internal/redact"
	"github.com/wechatpay-biz/wechatpay-biz-go/internal/wiretest"
)

const personal redact.Fields = "OpenID Where Tags Extra Next secret"

// Place masks itself, as a nested personal type does.
type Place struct {
	Where *string `json:"where"`
}

func (p Place) Format(f fmt.State, verb rune) { personal.Print(f, verb, p) }
func (p Place) LogValue() slog.Value          { return personal.LogValue(p) }

type Meta struct {
	RequestID string
	Header    map[string][]string
}

type Item struct {
	Name  string
	Count *int64
}

type Record struct {
	Meta
	ID       string            `json:"id"`
	OpenID   string            `json:"openid"`
	Amount   int64             `json:"amount"`
	When     time.Time         `json:"when"`
	Place    *Place            `json:"place,omitempty"`
	Home     Place             `json:"home"`
	Tags     []string          `json:"tags"`
	Extra    map[string]string `json:"extra"`
	Items    []Item            `json:"items"`
	Note     *string           `json:"note"`
	Unset    *string           `json:"unset"`
	Anything any               `json:"anything"`
	Level    Level             `json:"level"`
	secret   string
}

// Level is a number that prints itself.
type Level int

func (l Level) String() string { return "level-" + strconv.Itoa(int(l)) }

func (r Record) Format(f fmt.State, verb rune) { personal.Print(f, verb, r) }
func (r Record) LogValue() slog.Value          { return personal.LogValue(r) }
func (r Record) String() string                { return fmt.Sprint(r) }

// secrets are the personal values of newRecord, each distinct from
// everything else it holds.
var secrets = []string{"oPERSONALopenid", "PERSONAL-street", "PERSONAL-home", "PERSONAL-tag", "PERSONAL-extra", "PERSONAL-key", "PERSONAL-hidden"}

func newRecord() Record {
	street, home, note := "PERSONAL-street", "PERSONAL-home", "visible-note"
	n := int64(3)
	return Record{
		Meta:     Meta{RequestID: "req-1", Header: map[string][]string{"Request-Id": {"req-1"}}},
		ID:       "visible-id",
		OpenID:   "oPERSONALopenid",
		Amount:   12345,
		When:     time.Date(2024, 5, 20, 13, 29, 35, 120e6, time.FixedZone("CST", 8*3600)),
		Place:    &Place{Where: &street},
		Home:     Place{Where: &home},
		Tags:     []string{"PERSONAL-tag"},
		Extra:    map[string]string{"PERSONAL-key": "PERSONAL-extra"},
		Items:    []Item{{Name: "visible-item", Count: &n}},
		Note:     &note,
		Anything: "visible-any",
		Level:    7,
		secret:   "PERSONAL-hidden",
	}
}

func TestFieldsMaskEveryWayAValueIsPrinted(t *testing.T) {
	r := newRecord()
	for _, v := range []any{r, &r} {
		wiretest.RequireMasked(t, v, secrets, []string{"req-1", "visible-id", "12345", "visible-item", "visible-any"})
	}
	// Each form keeps its shape and the rest of the value.
	printed := wiretest.Printed(r)
	for how, want := range map[string][]string{
		"%v":        {"{{req-1 map[Request-Id:[req-1]]} visible-id *** 12345 2024-05-20 13:29:35.12 +0800 CST {0x", "[***] map[***:***] [{visible-item 0x", " <nil> visible-any level-7 ***}"},
		"%+v":       {"{Meta:{RequestID:req-1 ", "ID:visible-id OpenID:*** Amount:12345", "Home:{Where:0x", "Tags:[***] Extra:map[***:***] Items:[{Name:visible-item Count:0x", "Unset:<nil>", "secret:***}"},
		"%#v":       {`redact_test.Record{Meta:redact_test.Meta{RequestID:"req-1"`, `OpenID:"***", Amount:12345`, `Home:redact_test.Place{Where:(*string)(0x`, `Unset:(*string)(nil), Anything:"visible-any", Level:7, secret:"***"}`},
		"slog text": {"v.RequestID=req-1 v.Header.Request-Id=[req-1] v.ID=visible-id v.OpenID=*** v.Amount=12345 v.When=2024-05-20T13:29:35.120+08:00 v.Place.Where=*** v.Home.Where=*** v.Tags=[***] v.Extra.***=*** v.Items.0.Name=visible-item v.Items.0.Count=3 v.Note=visible-note v.Anything=visible-any v.Level=level-7\n"},
		"slog JSON": {`"v":{"RequestID":"req-1","Header":{"Request-Id":["req-1"]},"ID":"visible-id","OpenID":"***","Amount":12345,"When":"2024-05-20T13:29:35.12+08:00","Place":{"Where":"***"},"Home":{"Where":"***"},"Tags":["***"],"Extra":{"***":"***"},"Items":{"0":{"Name":"visible-item","Count":3}},"Note":"visible-note","Anything":"visible-any","Level":7}}`},
		"String":    {"{{req-1 map[Request-Id:[req-1]]} visible-id *** 12345 "},
	} {
		for _, w := range want {
			assert.Contains(t, printed[how], w, how)
		}
	}
	// The value itself and its JSON encoding keep the real data.
	assert.Equal(t, "oPERSONALopenid", r.OpenID)
	assert.Equal(t, "PERSONAL-street", *r.Place.Where)
	b, err := json.Marshal(r)
	require.NoError(t, err)
	for _, want := range []string{`"openid":"oPERSONALopenid"`, `"where":"PERSONAL-street"`, `"tags":["PERSONAL-tag"]`, `"extra":{"PERSONAL-key":"PERSONAL-extra"}`} {
		assert.Contains(t, string(b), want)
	}
}

// Unset personal fields still show as unset; values that are not structs,
// or nil, never print their content; a value that refers to itself stops.
func TestFieldsEdgeCases(t *testing.T) {
	assert.Contains(t, fmt.Sprintf("%+v", Record{}), " OpenID: Amount:0 ")
	assert.Contains(t, fmt.Sprintf("%+v", Record{}), " Tags:[] Extra:map[] ")
	var b strings.Builder
	for _, v := range []any{"PERSONAL", 42, (*Record)(nil), nil} {
		fmt.Fprintf(&b, "%v|%v|", printer{v}, personal.LogValue(v))
	}
	assert.Equal(t, "***|***|***|***|<nil>|***|<nil>|***|", b.String())
	assert.Equal(t, "<nil>", fmt.Sprintf("%v", (*Record)(nil)), "a nil pointer prints as fmt prints it")

	n := &Node{Name: "visible-node", Next: &Node{Name: "PERSONAL-next"}}
	n.Next.Next = n
	wiretest.RequireMasked(t, n, []string{"PERSONAL-next"}, []string{"visible-node"})
	loop := &Node{Name: "visible-loop"}
	loop.Next = loop
	assert.NotEmpty(t, wiretest.Printed(loop)["slog JSON"])
}

// Holder keeps a value with a secret behind an unexported pointer, as a
// service keeps its client, and an unexported string.
type Holder struct {
	ID     string
	client *inner
	note   string
}

type inner struct{ key string }

func (h Holder) Format(f fmt.State, verb rune) { personal.Print(f, verb, h) }
func (h Holder) LogValue() slog.Value          { return personal.LogValue(h) }

// An unexported field, which fmt cannot print through its own methods, is
// never followed or shown, in any verb: printed alone a pointer is followed
// by fmt, so a client's key behind it would show.
func TestFieldsNeverShowUnexportedFields(t *testing.T) {
	h := Holder{ID: "visible-holder", client: &inner{key: "PERSONAL-inner-key"}, note: "PERSONAL-note"}
	wiretest.RequireMasked(t, h, []string{"PERSONAL-inner-key", "PERSONAL-note"}, []string{"visible-holder"})
	assert.Equal(t, "{ID:visible-holder client:*** note:***}", fmt.Sprintf("%+v", h))
	assert.Equal(t, `redact_test.Holder{ID:"visible-holder", client:"***", note:"***"}`, fmt.Sprintf("%#v", h))
	assert.Equal(t, "{ID:visible-holder client:<nil> note:}", fmt.Sprintf("%+v", Holder{ID: "visible-holder"}), "unset stays unset")
}

// Node refers to itself through a masked field.
type Node struct {
	Name string
	Next *Node
}

func (n Node) Format(f fmt.State, verb rune) { personal.Print(f, verb, n) }
func (n Node) LogValue() slog.Value          { return personal.LogValue(n) }

type printer struct{ v any }

func (p printer) Format(f fmt.State, verb rune) { personal.Print(f, verb, p.v) }
