package core_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"log/slog"
	"math/big"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

// PrintVerbs are the fmt verbs a secret is checked against.
var printVerbs = []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"}

// secretForms lists how the sandbox client's keys would look in print: the
// APIv3 key as text, quoted, and in hex (%x of a string or of the bytes),
// the first words of its AES key schedule (which starts with the key) in
// decimal and hex, and the merchant key's private exponent and primes as
// numbers and as the machine words fmt shows for a big.Int printed field by
// field.
func secretForms(sb *sandbox.Server) []string {
	k := []byte(sb.APIv3Key)
	forms := []string{sb.APIv3Key, strconv.Quote(sb.APIv3Key)[1:31], hex.EncodeToString(k), strings.ToUpper(hex.EncodeToString(k))}
	for i := 0; i+4 <= 12; i += 4 {
		w := binary.BigEndian.Uint32(k[i:])
		forms = append(forms, strconv.FormatUint(uint64(w), 10), strconv.FormatUint(uint64(w), 16))
	}
	ints := []*big.Int{sb.MerchantPrivateKey.D}
	ints = append(ints, sb.MerchantPrivateKey.Primes...)
	for _, n := range ints {
		forms = append(forms, n.String()[:24], n.Text(16)[:24])
		for _, w := range n.Bits()[:2] {
			forms = append(forms, strconv.FormatUint(uint64(w), 10), strconv.FormatUint(uint64(w), 16))
		}
	}
	return forms
}

// RequireNoSecret fails for every secret form found in out.
func requireNoSecret(t *testing.T, sb *sandbox.Server, what, out string) {
	t.Helper()
	for _, s := range secretForms(sb) {
		if strings.Contains(out, s) {
			t.Errorf("%s prints a secret (%.12s…): %.400s", what, s, out)
			return
		}
	}
}

// RequireNothingPrintsSecrets prints every value in vals with every verb
// and both slog handlers, and fails if a key shows.
func requireNothingPrintsSecrets(t *testing.T, sb *sandbox.Server, vals map[string]any) {
	t.Helper()
	for name, v := range vals {
		for _, verb := range printVerbs {
			requireNoSecret(t, sb, verb+" of "+name, fmt.Sprintf(verb, v))
		}
		var text, js bytes.Buffer
		slog.New(slog.NewTextHandler(&text, nil)).Info("x", "v", v)
		slog.New(slog.NewJSONHandler(&js, nil)).Info("x", "v", v)
		requireNoSecret(t, sb, "slog text of "+name, text.String())
		requireNoSecret(t, sb, "slog JSON of "+name, js.String())
	}
}

// A *core.Client kept in an unexported field is printed by fmt field by
// field, without the Client's own Format (fmt cannot call methods there),
// and for a verb that does not fit a pointer (%s, %q) fmt follows the
// pointer and prints the Client struct. No key may show, whatever the verb,
// the depth, and whether the client is held by pointer or by value.
func TestKeysPrintAtNoDepth(t *testing.T) {
	sb := newSandbox(t)
	c := newClient(t, sb)
	type service struct{ c *core.Client } // every product Service
	type byValue struct{ c core.Client }
	type Exported struct{ C *core.Client }
	vals := map[string]any{
		"client":              c,
		"client value":        *c,
		"depth 1":             service{c},
		"depth 1 pointer":     &service{c},
		"depth 2":             struct{ s service }{service{c}},
		"depth 2 pointer":     struct{ s *service }{&service{c}},
		"depth 1 by value":    byValue{*c},
		"depth 2 by value":    struct{ b byValue }{byValue{*c}},
		"exported field":      Exported{c},
		"slice":               []*core.Client{c},
		"map":                 map[string]*core.Client{"c": c},
		"interface":           struct{ v any }{c},
		"interface by value":  struct{ v any }{*c},
		"array of unexported": [1]service{{c}},
	}
	requireNothingPrintsSecrets(t, sb, vals)

	// The check itself finds a key printed the way fmt printed it before.
	leak := fmt.Sprintf("%v", struct{ k string }{sb.APIv3Key})
	assert.Contains(t, leak, secretForms(sb)[0])
	// What is not secret still shows where the client prints itself.
	assert.Contains(t, fmt.Sprintf("%v", c), sb.MerchantID)
	assert.True(t, c.HasAPIv3Key())
}

// A server's error answer may echo a request value: here an OpenID in
// detail.value and therefore in the body. No verb and no slog handler
// prints it from the *APIError, its value or its Detail; the fields keep
// it for code that needs it.
func TestAPIErrorPrintsNoEchoedValue(t *testing.T) {
	sb := newSandbox(t)
	c := newClient(t, sb)
	const openid = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"
	answer(sb, 400, `{"code":"PARAM_ERROR","message":"参数错误","detail":{"field":"/openid","value":"`+openid+`","issue":"openid\nis invalid","location":"body"}}`, time.Now, nil)
	_, err := c.Do(context.Background(), &core.Request{Method: "POST", Path: "/v3/test/x", Body: map[string]string{"openid": openid}}, nil)
	ae, ok := core.IsAPIError(err)
	require.True(t, ok, "%v", err)
	assert.Equal(t, openid, ae.Detail.Value, "the field stays usable")
	assert.Contains(t, string(ae.Body), openid)
	assert.Contains(t, string(ae.Detail.Raw), openid)

	forms := []string{openid, hex.EncodeToString([]byte(openid)), strings.ToUpper(hex.EncodeToString([]byte(openid)))}
	vals := map[string]any{"err": err, "*APIError": ae, "APIError": *ae, "Detail": ae.Detail, "Detail value": *ae.Detail,
		"in a struct": struct{ E error }{ae}, "wrapped": fmt.Errorf("refund: %w", err),
		"Detail in a struct": struct{ D core.ErrorDetail }{*ae.Detail}}
	for name, v := range vals {
		var text, js bytes.Buffer
		slog.New(slog.NewTextHandler(&text, nil)).Info("x", "v", v)
		slog.New(slog.NewJSONHandler(&js, nil)).Info("x", "v", v)
		outs := map[string]string{"slog text": text.String(), "slog JSON": js.String()}
		for _, verb := range printVerbs {
			outs[verb] = fmt.Sprintf(verb, v)
		}
		for how, out := range outs {
			for _, f := range forms {
				assert.NotContains(t, out, f, "%s of %s", how, name)
			}
			assert.NotContains(t, out, "\nis invalid", "%s of %s: server text is sanitised", how, name)
		}
	}
	assert.Equal(t, ae.Error(), fmt.Sprintf("%v", ae))
	assert.Equal(t, ae.Error(), fmt.Sprintf("%+v", ae), "slog's text handler prints %+v: one line")
	assert.Equal(t, fmt.Sprintf("%q", ae.Error()), fmt.Sprintf("%q", ae))
	gs := fmt.Sprintf("%#v", ae)
	assert.Contains(t, gs, `Code:"PARAM_ERROR"`)
	assert.Contains(t, gs, `Field:"/openid", Value:"[REDACTED]"`)
	assert.Contains(t, gs, fmt.Sprintf("Body:[%d bytes]", len(ae.Body)))
	assert.Contains(t, fmt.Sprint(ae.Detail), "Value:[REDACTED]")
}

// A verified answer's body may hold personal data: a *core.Response prints
// its status, Request-ID and body length only, while Body stays usable.
func TestResponsePrintsNoBody(t *testing.T) {
	sb := newSandbox(t)
	c := newClient(t, sb)
	const openid = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"
	answer(sb, 200, `{"openid":"`+openid+`","name":"张三"}`, time.Now, nil)
	resp, err := c.Do(context.Background(), &core.Request{Method: "GET", Path: "/v3/test/user"}, nil)
	require.NoError(t, err)
	assert.Contains(t, string(resp.Body), openid)
	forms := []string{openid, hex.EncodeToString([]byte(openid)), "张三", `\u5f20`, "229 188 160", base64.StdEncoding.EncodeToString(resp.Body)[:16]}
	for name, v := range map[string]any{"*Response": resp, "Response": *resp, "in a struct": struct{ R *core.Response }{resp}} {
		var text, js bytes.Buffer
		slog.New(slog.NewTextHandler(&text, nil)).Info("x", "v", v)
		slog.New(slog.NewJSONHandler(&js, nil)).Info("x", "v", v)
		outs := []string{text.String(), js.String()}
		for _, verb := range printVerbs {
			outs = append(outs, fmt.Sprintf(verb, v))
		}
		for _, o := range outs {
			for _, f := range forms {
				assert.NotContains(t, o, f, name)
			}
		}
	}
	assert.Contains(t, fmt.Sprint(resp), "RID-TEST-1")
	assert.Contains(t, fmt.Sprint(resp), fmt.Sprintf("[%d bytes]", len(resp.Body)))
}
