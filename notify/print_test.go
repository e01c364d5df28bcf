package notify_test

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"testing"

	"github.com/wechatpay-biz/wechatpay-biz-go/bill"
	"github.com/wechatpay-biz/wechatpay-biz-go/notify"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
	"github.com/wechatpay-biz/wechatpay-biz-go/smartguide"
)

// keyForms is how the client's keys would look in print: the APIv3 key as
// text and hex, the first words of its AES key schedule, the merchant
// key's private exponent in decimal, hex and machine words.
func keyForms(sb *sandbox.Server) []string {
	k := []byte(sb.APIv3Key)
	forms := []string{sb.APIv3Key, hex.EncodeToString(k), strings.ToUpper(hex.EncodeToString(k))}
	for i := 0; i < 8; i += 4 {
		w := binary.BigEndian.Uint32(k[i:])
		forms = append(forms, strconv.FormatUint(uint64(w), 10), strconv.FormatUint(uint64(w), 16))
	}
	d := sb.MerchantPrivateKey.D
	forms = append(forms, d.String()[:24], d.Text(16)[:24])
	for _, w := range d.Bits()[:2] {
		forms = append(forms, strconv.FormatUint(uint64(w), 10), strconv.FormatUint(uint64(w), 16))
	}
	return forms
}

// A notify.Handler and every product Service keep their *core.Client in an
// unexported field, where fmt prints it without its own Format. No verb,
// at depth 1 or 2, and no slog handler prints a key through them.
func TestHandlerAndServicesPrintNoKeys(t *testing.T) {
	f := setup(t)
	type app struct {
		h  *notify.Handler
		sg *smartguide.Service
	}
	vals := map[string]any{
		"handler":              f.h,
		"handler value":        *f.h,
		"bill.Service":         bill.NewService(f.c),
		"smartguide.Service":   smartguide.NewService(f.c),
		"service value":        *bill.NewService(f.c),
		"depth 2":              app{f.h, smartguide.NewService(f.c)},
		"depth 2 pointer":      &app{f.h, smartguide.NewService(f.c)},
		"depth 3":              struct{ a app }{app{f.h, smartguide.NewService(f.c)}},
		"handler in interface": struct{ v any }{f.h},
	}
	forms := keyForms(f.sb)
	for name, v := range vals {
		outs := map[string]string{}
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"} {
			outs[verb] = fmt.Sprintf(verb, v)
		}
		var text, js bytes.Buffer
		slog.New(slog.NewTextHandler(&text, nil)).Info("x", "v", v)
		slog.New(slog.NewJSONHandler(&js, nil)).Info("x", "v", v)
		outs["slog text"], outs["slog JSON"] = text.String(), js.String()
		for how, out := range outs {
			for _, s := range forms {
				if strings.Contains(out, s) {
					t.Errorf("%s of %s prints a key (%.12s…): %.300s", how, name, s, out)
					break
				}
			}
		}
	}
}
