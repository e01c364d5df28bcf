package smartguide_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/internal/wiretest"
	"github.com/wechatpay-biz/wechatpay-biz-go/smartguide"
)

// requestTypes walks every request type of the package: its zero value, the
// fields the zero value must be refused for, and a documented valid example.
var requestTypes = []struct {
	zero     core.Validator
	required []string
	valid    core.Validator
}{
	{&smartguide.RegisterRequest{}, []string{"corpid", "store_id", "userid", "name", "mobile", "qr_code", "avatar"},
		registerReq("robert", "张三", "13800138000")},
	{&smartguide.AssignRequest{}, []string{"guide_id", "out_trade_no"},
		&smartguide.AssignRequest{GuideID: "LLA3WJ6DSZUfiaZDS79FH5Wm5m4X69TBic", SubMchID: core.Ptr(subMch), OutTradeNo: "20150806125346"}},
	{&smartguide.QueryRequest{}, []string{"store_id"},
		&smartguide.QueryRequest{StoreID: store, Mobile: core.Ptr("13800138000"), Limit: core.Ptr(10), Offset: core.Ptr(0)}},
	{&smartguide.UpdateRequest{}, []string{"guide_id", "request"},
		&smartguide.UpdateRequest{GuideID: "LLA3WJ6DSZUfiaZDS79FH5Wm5m4X69TBic", Name: core.Ptr("张三丰"), Avatar: core.Ptr(avatar)}},
}

func TestEveryRequestTypeValidates(t *testing.T) {
	for _, rt := range requestTypes {
		ve := wiretest.RequireValidation(t, rt.zero.Validate(), rt.required...)
		assert.Len(t, ve.Problems, len(rt.required), "%T: %v", rt.zero, ve)
		assert.NoError(t, rt.valid.Validate(), "%T", rt.valid)
		assert.Zero(t, testing.AllocsPerRun(20, func() { _ = rt.valid.Validate() }), "%T allocates when valid", rt.valid)
	}
	for _, nilReq := range []core.Validator{
		(*smartguide.RegisterRequest)(nil), (*smartguide.AssignRequest)(nil),
		(*smartguide.QueryRequest)(nil), (*smartguide.UpdateRequest)(nil),
	} {
		ve := wiretest.RequireValidation(t, nilReq.Validate(), "request")
		assert.Len(t, ve.Problems, 1)
	}
}

// Every path parameter (guide_id of Assign and Update) is checked against
// its character set before it is escaped; nothing reaches the server.
func TestPathParametersAreCheckedBeforeSending(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for _, bad := range []string{".", "..", "../x", "a/b", "a?b", "a#b", "a%2e", "%2e%2e", "a b", "a+b", "a.b", "张三", "a\\b", "a/b c?d"} {
		_, err := e.svc.Assign(ctx, &smartguide.AssignRequest{GuideID: bad, OutTradeNo: "T1"})
		ve := wiretest.RequireValidation(t, err, "guide_id")
		assert.Equal(t, "smartguide.Assign", ve.Op)
		_, err = e.svc.Update(ctx, &smartguide.UpdateRequest{GuideID: bad, Avatar: core.Ptr(avatar)})
		wiretest.RequireValidation(t, err, "guide_id")
	}
	require.Empty(t, e.requests(), "no request was sent")
}

func TestNewServiceRefusesNilClient(t *testing.T) {
	require.PanicsWithValue(t, "smartguide.NewService: nil *core.Client; build one with core.NewClient", func() { smartguide.NewService(nil) })
}

// Names and mobiles are masked in every way Go prints these values, while
// the fields stay usable and the wire format is unchanged.
func TestPersonalDataIsNeverPrinted(t *testing.T) {
	const name, mobile = "张三丰", "13800138000"
	reg := registerReq("robert", name, mobile)
	upd := &smartguide.UpdateRequest{GuideID: "g1", Name: core.Ptr(name), Mobile: core.Ptr(mobile)}
	qry := &smartguide.QueryRequest{StoreID: store, Mobile: core.Ptr(mobile)}
	guide := smartguide.Guide{GuideID: "g1", StoreID: store, Name: name, Mobile: mobile, UserID: "robert"}
	resp := &smartguide.QueryResponse{TotalCount: 1, Data: []smartguide.Guide{guide}}
	for _, v := range []any{reg, *reg, upd, *upd, qry, *qry, guide, &guide, resp, *resp} {
		var out []string
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%10v"} {
			out = append(out, fmt.Sprintf(verb, v))
		}
		out = append(out, fmt.Sprint(v), fmt.Sprintln(v))
		for _, h := range []func(*bytes.Buffer) slog.Handler{
			func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
			func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
		} {
			var buf bytes.Buffer
			slog.New(h(&buf)).Info("value", "v", v)
			out = append(out, buf.String())
		}
		for _, s := range out {
			assert.NotContains(t, s, name, "%T printed a name: %s", v, s)
			assert.NotContains(t, s, mobile, "%T printed a mobile: %s", v, s)
			assert.NotContains(t, s, fmt.Sprintf("%x", name), "%T printed a name in hex", v)
		}
	}
	assert.True(t, strings.HasPrefix(fmt.Sprintf("%#v", guide), "smartguide.Guide{"), fmt.Sprintf("%#v", guide))
	assert.Contains(t, fmt.Sprintf("%+v", guide), "Name:*** Mobile:***")
	assert.Contains(t, fmt.Sprintf("%+v", guide), "GuideID:g1")
	// The fields themselves are untouched, and so is the wire encoding.
	assert.Equal(t, name, reg.Name)
	assert.Equal(t, mobile, *upd.Mobile)
	b, err := json.Marshal(reg)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"name":"张三丰"`)
}
