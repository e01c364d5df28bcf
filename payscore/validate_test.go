package payscore_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"math"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/internal/wiretest"
	"github.com/wechatpay-biz/wechatpay-biz-go/payscore"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

// The documented examples of the pay-score pages.
var (
	docPayments  = []payscore.PostPayment{{Name: "就餐费用服务费", Amount: core.Ptr[int64](4000), Description: core.Ptr("就餐人均100元服务费:100/小时"), Count: core.Ptr[int64](1)}}
	docDiscounts = []payscore.PostDiscount{{Name: "满20减1元", Description: core.Ptr("不与其他优惠叠加"), Amount: core.Ptr[int64](100), Count: core.Ptr[int64](2)}}
	docTimeRange = payscore.TimeRange{StartTime: "20091225091010", StartTimeRemark: core.Ptr("备注1"), EndTime: core.Ptr[payscore.Time]("20091225121010"), EndTimeRemark: core.Ptr("备注2")}
	docLocation  = &payscore.Location{StartLocation: core.Ptr("嗨客时尚主题展餐厅"), EndLocation: core.Ptr("嗨客时尚主题展餐厅")}
	docDevice    = &payscore.Device{StartDeviceID: core.Ptr("HG123456"), EndDeviceID: core.Ptr("HG123456"), MaterielNo: core.Ptr("example_materiel_no")}
)

// requestTypes walks every request type of the package: its zero value, the
// fields the zero value must be refused for, and a documented valid example.
var requestTypes = []struct {
	zero     core.Validator
	required []string
	valid    core.Validator
}{
	{&payscore.PreAuthorizeRequest{}, []string{"service_id", "appid", "authorization_code"},
		&payscore.PreAuthorizeRequest{ServiceID: "500001", AppID: "wxd678efh567hg6787", AuthorizationCode: "1234323JKHDFE1243252", NotifyURL: core.Ptr("https://api.test.com")}},
	{&payscore.QueryPermissionByOpenIDRequest{}, []string{"openid", "service_id", "appid"},
		&payscore.QueryPermissionByOpenIDRequest{OpenID: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", ServiceID: "500001", AppID: "wxd678efh567hg6787"}},
	{&payscore.QueryPermissionByAuthorizationCodeRequest{}, []string{"authorization_code", "service_id"},
		&payscore.QueryPermissionByAuthorizationCodeRequest{AuthorizationCode: "1234323JKHDFE1243252", ServiceID: "500001"}},
	{&payscore.TerminatePermissionByOpenIDRequest{}, []string{"openid", "service_id", "appid", "reason"},
		&payscore.TerminatePermissionByOpenIDRequest{OpenID: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", ServiceID: "500001", AppID: "wxd678efh567hg6787", Reason: "撤销原因"}},
	{&payscore.TerminatePermissionByAuthorizationCodeRequest{}, []string{"authorization_code", "service_id", "reason"},
		&payscore.TerminatePermissionByAuthorizationCodeRequest{AuthorizationCode: "1234323JKHDFE1243252", ServiceID: "500001", Reason: "撤销原因"}},
	{&payscore.CreateOrderRequest{}, []string{"out_order_no", "appid", "service_id", "service_introduction", "time_range.start_time", "risk_fund.name", "notify_url"},
		&payscore.CreateOrderRequest{
			OutOrderNo: "1234323JKHDFE1243252", AppID: "wxd678efh567hg6787", ServiceID: "500001", ServiceIntroduction: "某某酒店",
			PostPayments:  docPayments,
			PostDiscounts: []payscore.PostDiscount{{Name: "满20减1元", Description: core.Ptr("不与其他优惠叠加")}},
			TimeRange:     docTimeRange, Location: docLocation,
			RiskFund:  payscore.RiskFund{Name: payscore.RiskFundEstimateOrderCost, Amount: 10000, Description: core.Ptr("就餐的预估费用")},
			Attach:    core.Ptr("Easdfowealsdkjfnlaksjdlfkwqoi&wl3l2sald"),
			NotifyURL: "https://api.test.com", OpenID: core.Ptr("oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"), NeedUserConfirm: core.Ptr(false), Device: docDevice,
		}},
	{&payscore.QueryOrderRequest{}, []string{"out_order_no", "service_id", "appid"},
		&payscore.QueryOrderRequest{OutOrderNo: "1234323JKHDFE1243252", ServiceID: "500001", AppID: "wxd678efh567hg6787"}},
	{&payscore.CancelOrderRequest{}, []string{"out_order_no", "appid", "service_id", "reason"},
		&payscore.CancelOrderRequest{OutOrderNo: "1234323JKHDFE1243252", AppID: "wxd678efh567hg6787", ServiceID: "500001", Reason: "用户投诉"}},
	{&payscore.ModifyOrderRequest{}, []string{"out_order_no", "appid", "service_id", "post_payments", "reason"},
		&payscore.ModifyOrderRequest{OutOrderNo: "1234323JKHDFE1243252", AppID: "wxd678efh567hg6787", ServiceID: "500001",
			PostPayments: docPayments, PostDiscounts: docDiscounts, TotalAmount: 3900, Reason: "用户投诉", Device: docDevice}},
	{&payscore.CompleteOrderRequest{}, []string{"out_order_no", "appid", "service_id", "post_payments"},
		&payscore.CompleteOrderRequest{OutOrderNo: "1234323JKHDFE1243252", AppID: "wxd678efh567hg6787", ServiceID: "500001",
			PostPayments: docPayments, PostDiscounts: docDiscounts, TotalAmount: 3900, TimeRange: &docTimeRange, Location: docLocation,
			ProfitSharing: core.Ptr(false), GoodsTag: core.Ptr("goods_tag"), Device: docDevice}},
	{&payscore.SyncOrderRequest{}, []string{"out_order_no", "appid", "service_id", "type", "detail.paid_time"},
		&payscore.SyncOrderRequest{OutOrderNo: "1234323JKHDFE1243252", AppID: "wxd678efh567hg6787", ServiceID: "500001",
			Type: payscore.SyncOrderPaid, Detail: payscore.SyncDetail{PaidTime: "20091225091210"}}},
	{&payscore.PayOrderRequest{}, []string{"out_order_no"},
		&payscore.PayOrderRequest{OutOrderNo: "1234323JKHDFE1243252", AppID: "wxd678efh567hg6787", ServiceID: "500001"}},
	{&payscore.OrderDetailPageRequest{}, []string{"mch_id", "service_id", "out_order_no", "APIv2Key"},
		&payscore.OrderDetailPageRequest{MchID: "1230000109", ServiceID: "88888888000011", OutOrderNo: "1234323JKHDFE1243252",
			APIv2Key: "192006250b4c09247ec02edce69f6a2d", NonceStr: "zyx53Nkey8o4bHpxTQvd8m7e92nG5mG2"}},
}

func TestEveryRequestTypeValidates(t *testing.T) {
	for _, rt := range requestTypes {
		ve := wiretest.RequireValidation(t, rt.zero.Validate(), rt.required...)
		assert.Len(t, ve.Problems, len(rt.required), "%T: %v", rt.zero, ve)
		assert.True(t, strings.HasPrefix(ve.Op, "payscore."), ve.Op)
		assert.NoError(t, rt.valid.Validate(), "%T", rt.valid)
		assert.Zero(t, testing.AllocsPerRun(20, func() { _ = rt.valid.Validate() }), "%T allocates when valid", rt.valid)
	}
	// A nil request of each type is reported, never a panic.
	for _, nilReq := range []core.Validator{
		(*payscore.PreAuthorizeRequest)(nil), (*payscore.QueryPermissionByOpenIDRequest)(nil),
		(*payscore.QueryPermissionByAuthorizationCodeRequest)(nil), (*payscore.TerminatePermissionByOpenIDRequest)(nil),
		(*payscore.TerminatePermissionByAuthorizationCodeRequest)(nil), (*payscore.CreateOrderRequest)(nil),
		(*payscore.QueryOrderRequest)(nil), (*payscore.CancelOrderRequest)(nil), (*payscore.ModifyOrderRequest)(nil),
		(*payscore.CompleteOrderRequest)(nil), (*payscore.SyncOrderRequest)(nil), (*payscore.PayOrderRequest)(nil),
		(*payscore.OrderDetailPageRequest)(nil),
	} {
		ve := wiretest.RequireValidation(t, nilReq.Validate(), "request")
		assert.Len(t, ve.Problems, 1)
	}
	// Each method runs the same Validate and sends nothing when it fails.
	f := newFixture(t)
	_, err := f.svc.CreateOrder(f.ctx, &payscore.CreateOrderRequest{})
	assert.Equal(t, (&payscore.CreateOrderRequest{}).Validate(), err)
	_, err = f.svc.SyncOrder(f.ctx, nil)
	wiretest.RequireValidation(t, err, "request")
	require.Empty(t, f.requests())
}

// The shared value types validate themselves, with wire names relative to
// the value, so that other request types holding them (the service-provider
// ones) reuse the same rules.
func TestSharedValuesValidateThemselves(t *testing.T) {
	ve := wiretest.RequireValidation(t, payscore.PostPayment{Amount: core.Ptr[int64](-1), Count: core.Ptr[int64](101), Description: core.Ptr(strings.Repeat("长", 31))}.Validate(),
		"name", "amount", "count", "description")
	assert.Len(t, ve.Problems, 4)
	wiretest.RequireValidation(t, payscore.PostDiscount{Name: strings.Repeat("长", 21), Amount: core.Ptr[int64](-1), Count: core.Ptr[int64](0)}.Validate(), "name", "amount", "count")
	wiretest.RequireValidation(t, payscore.RiskFund{Name: "UDEPOSIT", Amount: -1}.Validate(), "name", "amount")
	wiretest.RequireValidation(t, payscore.TimeRange{StartTime: "2009-12-25", EndTime: core.Ptr(payscore.OnAccept)}.Validate(), "start_time", "end_time")
	wiretest.RequireValidation(t, payscore.SyncDetail{}.Validate(), "paid_time")
	wiretest.RequireValidation(t, payscore.Location{StartLocation: core.Ptr("\xff")}.Validate(), "start_location")
	wiretest.RequireValidation(t, payscore.Device{MaterielNo: core.Ptr("😀")}.Validate(), "materiel_no")
	for _, ok := range []interface{ Validate() error }{
		docPayments[0], docDiscounts[0], docTimeRange, *docLocation, *docDevice,
		payscore.RiskFund{Name: payscore.RiskFundDeposit, Amount: 9900}, payscore.TimeRange{StartTime: payscore.OnAccept},
		payscore.SyncDetail{PaidTime: "20091225"},
	} {
		assert.NoError(t, ok.Validate(), "%T", ok)
	}

	// The list rules depend on the call.
	discounts := []payscore.PostDiscount{{Name: "a"}, {Name: "a"}}
	ve = wiretest.RequireValidation(t, payscore.ValidateItems(nil, discounts, payscore.ItemRules{PaymentsRequired: true, DiscountAmountRequired: true}),
		"post_payments", "post_discounts[0].amount", "post_discounts[1].amount", "post_discounts[1].name")
	assert.False(t, ve.Has("post_discounts[0].description"))
	ve = wiretest.RequireValidation(t, payscore.ValidateItems(nil, discounts, payscore.ItemRules{DiscountDescriptionRequired: true, MaxDiscounts: 1}),
		"post_discounts", "post_discounts[0].description", "post_discounts[1].description")
	assert.False(t, ve.Has("post_payments"))
	assert.False(t, ve.Has("post_discounts[1].name"), "a list already too long is not compared pairwise")
	assert.NoError(t, payscore.ValidateItems([]payscore.PostPayment{{Name: "商品信息"}, {Name: "商品信息"}}, nil, payscore.ItemRules{}))
	assert.NoError(t, payscore.ValidateItems(docPayments, docDiscounts, payscore.ItemRules{PaymentsRequired: true, DiscountAmountRequired: true, DiscountDescriptionRequired: true}))
	wiretest.RequireValidation(t, payscore.ValidateTotal(-1, nil, nil), "total_amount")
	assert.NoError(t, payscore.ValidateTotal(3900, docPayments, docDiscounts))
}

// Issue 10, item 13: sums of amounts are checked; an overflow is a
// validation error, never a wrapped-around total that passes the rule.
func TestTotalNeverWraps(t *testing.T) {
	amounts := func(fen ...int64) []payscore.PostPayment {
		var ps []payscore.PostPayment
		for i, a := range fen {
			ps = append(ps, payscore.PostPayment{Name: string(rune('a' + i)), Amount: core.Ptr(a)})
		}
		return ps
	}
	huge := amounts(math.MaxInt64, math.MaxInt64, 2) // wraps to exactly 0 without checks
	total, err := payscore.Total(huge, nil)
	assert.Zero(t, total)
	ve := wiretest.RequireValidation(t, err, "post_payments")
	assert.Equal(t, "payscore.Total", ve.Op)

	_, err = payscore.Total(nil, []payscore.PostDiscount{{Name: "x", Amount: core.Ptr[int64](math.MaxInt64)}, {Name: "y", Amount: core.Ptr[int64](1)}})
	wiretest.RequireValidation(t, err, "post_discounts")
	// Negative amounts are refused by validation; Total still never wraps
	// on them.
	_, err = payscore.Total(amounts(math.MinInt64, -1), nil)
	wiretest.RequireValidation(t, err, "post_payments")
	_, err = payscore.Total(amounts(math.MinInt64), []payscore.PostDiscount{{Name: "x", Amount: core.Ptr[int64](1)}})
	wiretest.RequireValidation(t, err, "total_amount")

	// The edges that fit are exact.
	total, err = payscore.Total(amounts(math.MaxInt64-1, 1), []payscore.PostDiscount{{Name: "x", Amount: core.Ptr[int64](math.MaxInt64)}})
	require.NoError(t, err)
	assert.Zero(t, total)
	total, err = payscore.Total(amounts(math.MaxInt64), nil)
	require.NoError(t, err)
	assert.Equal(t, int64(math.MaxInt64), total)
	total, err = payscore.Total(docPayments, docDiscounts)
	require.NoError(t, err)
	assert.Equal(t, int64(3900), total)

	// A complete or modify request whose amounts overflow is refused,
	// whatever total_amount says, and nothing is sent.
	f := newFixture(t)
	for _, tot := range []int64{0, math.MaxInt64} {
		c := completeReq("OV1")
		c.PostPayments, c.PostDiscounts, c.TotalAmount = huge, nil, tot
		_, err = f.svc.CompleteOrder(f.ctx, c)
		ve = wiretest.RequireValidation(t, err, "post_payments")
		assert.Equal(t, "payscore.CompleteOrder", ve.Op)
		_, err = f.svc.ModifyOrder(f.ctx, &payscore.ModifyOrderRequest{OutOrderNo: "OV1", AppID: appID, ServiceID: noConfirm, PostPayments: huge, TotalAmount: tot, Reason: "x"})
		wiretest.RequireValidation(t, err, "post_payments")
	}
	require.Empty(t, f.requests())
}

// Every path parameter (openid, authorization_code, out_order_no) is
// checked against its documented character set before it is escaped:
// dot-segments, separators, escapes and characters outside the set are a
// ValidationError naming the field, and nothing reaches the server.
func TestPathParametersAreCheckedBeforeSending(t *testing.T) {
	f := newFixture(t)
	common := []string{".", "..", "../x", "x/..", "a/b", "a?b", "a#b", "a%2e", "%2e%2e", "a b", "a+b", "a.b", "张三", "a\\b", "a\tb", "a\x00b"}
	calls := []struct {
		field string
		bad   []string // beyond common: characters outside this parameter's set
		call  func(v string) error
	}{
		{"openid", []string{"a*b", "a|b", "a@b", strings.Repeat("o", 129)}, func(v string) error {
			_, err := f.svc.QueryPermissionByOpenID(f.ctx, &payscore.QueryPermissionByOpenIDRequest{OpenID: v, ServiceID: noConfirm, AppID: appID})
			return err
		}},
		{"openid", []string{"a*b", "a|b", "a@b"}, func(v string) error {
			_, err := f.svc.TerminatePermissionByOpenID(f.ctx, &payscore.TerminatePermissionByOpenIDRequest{OpenID: v, ServiceID: noConfirm, AppID: appID, Reason: "x"})
			return err
		}},
		{"authorization_code", []string{"a|b", "a@b", strings.Repeat("A", 33)}, func(v string) error {
			_, err := f.svc.QueryPermissionByAuthorizationCode(f.ctx, &payscore.QueryPermissionByAuthorizationCodeRequest{AuthorizationCode: v, ServiceID: noConfirm})
			return err
		}},
		{"authorization_code", []string{"a|b", "a@b"}, func(v string) error {
			_, err := f.svc.TerminatePermissionByAuthorizationCode(f.ctx, &payscore.TerminatePermissionByAuthorizationCodeRequest{AuthorizationCode: v, ServiceID: noConfirm, Reason: "x"})
			return err
		}},
		{"out_order_no", []string{"a@b", "a=b", strings.Repeat("N", 33)}, func(v string) error {
			_, err := f.svc.CancelOrder(f.ctx, &payscore.CancelOrderRequest{OutOrderNo: v, AppID: appID, ServiceID: noConfirm, Reason: "x"})
			return err
		}},
		{"out_order_no", []string{"a@b"}, func(v string) error {
			_, err := f.svc.ModifyOrder(f.ctx, &payscore.ModifyOrderRequest{OutOrderNo: v, AppID: appID, ServiceID: noConfirm, PostPayments: docPayments, TotalAmount: 4000, Reason: "x"})
			return err
		}},
		{"out_order_no", []string{"a@b"}, func(v string) error {
			c := completeReq("x")
			c.OutOrderNo = v
			_, err := f.svc.CompleteOrder(f.ctx, c)
			return err
		}},
		{"out_order_no", []string{"a@b"}, func(v string) error {
			_, err := f.svc.SyncOrder(f.ctx, &payscore.SyncOrderRequest{OutOrderNo: v, AppID: appID, ServiceID: noConfirm, Type: payscore.SyncOrderPaid, Detail: payscore.SyncDetail{PaidTime: "20091225"}})
			return err
		}},
		{"out_order_no", []string{"a@b"}, func(v string) error {
			_, err := f.svc.PayOrder(f.ctx, &payscore.PayOrderRequest{OutOrderNo: v})
			return err
		}},
	}
	for _, c := range calls {
		for _, bad := range append(common, c.bad...) {
			ve := wiretest.RequireValidation(t, c.call(bad), c.field)
			assert.Len(t, ve.Problems, 1, "%q: only %s is wrong: %v", bad, c.field, ve)
			if len(bad) > 2 {
				assert.NotContains(t, ve.Error(), bad, "the value never appears in the error")
			}
		}
	}
	require.Empty(t, f.requests(), "no request was sent")

	// Every character of the documented sets goes through, escaped.
	f.authorize("Az09_-*", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o-_")
	f.reset()
	_, err := f.svc.QueryPermissionByAuthorizationCode(f.ctx, &payscore.QueryPermissionByAuthorizationCodeRequest{AuthorizationCode: "Az09_-*", ServiceID: noConfirm})
	require.NoError(t, err)
	assert.Equal(t, "/v3/payscore/permissions/authorization-code/Az09_-%2A", f.last().Path)
	f.reset()
	_, err = f.svc.QueryPermissionByOpenID(f.ctx, &payscore.QueryPermissionByOpenIDRequest{OpenID: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o-_", ServiceID: noConfirm, AppID: appID})
	require.NoError(t, err)
	assert.Equal(t, "/v3/payscore/permissions/openid/oUpF8uMuAJO_M2pxb1Q9zNjWeS6o-_", f.last().Path)
	f.reset()
	_, err = f.svc.PayOrder(f.ctx, &payscore.PayOrderRequest{OutOrderNo: "Az09_-|*"})
	wiretest.RequireAPIError(t, err, http.StatusNotFound, "ORDER_NOT_EXIST")
	assert.Equal(t, "/v3/payscore/serviceorder/Az09_-%7C%2A/pay", f.last().Path)
}

type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// An APIError from an openid endpoint, and the Debug log of the call, show
// the route template and never the OpenID, with the sandbox's own answers.
func TestOpenIDStaysOutOfErrorsAndLogs(t *testing.T) {
	const openid = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"
	sb, err := sandbox.NewServer()
	require.NoError(t, err)
	t.Cleanup(sb.Close)
	var logs logBuffer
	for _, h := range []slog.Handler{
		slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}),
		slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}),
	} {
		c, err := sb.Client(core.WithLogger(slog.New(h)), core.WithRetry(core.NoRetry))
		require.NoError(t, err)
		svc := payscore.NewService(c)
		ctx := context.Background()

		// A success is logged at Debug too.
		_, err = svc.QueryPermissionByOpenID(ctx, &payscore.QueryPermissionByOpenIDRequest{OpenID: openid, ServiceID: noConfirm, AppID: appID})
		require.NoError(t, err)

		_, err = svc.QueryPermissionByOpenID(ctx, &payscore.QueryPermissionByOpenIDRequest{OpenID: openid, ServiceID: "999999", AppID: appID})
		ae := wiretest.RequireAPIError(t, err, http.StatusForbidden, "NO_AUTH")
		assert.Equal(t, "/v3/payscore/permissions/openid/{openid}", ae.Path)
		assert.NotContains(t, err.Error(), openid)
		b, _ := json.Marshal(ae)
		assert.NotContains(t, string(b), openid)

		_, err = svc.TerminatePermissionByOpenID(ctx, &payscore.TerminatePermissionByOpenIDRequest{OpenID: openid, ServiceID: noConfirm, AppID: appID, Reason: "用户投诉"})
		ae = wiretest.RequireAPIError(t, err, http.StatusBadRequest, "INVALID_REQUEST") // never authorized
		assert.Equal(t, "/v3/payscore/permissions/openid/{openid}/terminate", ae.Path)
		assert.NotContains(t, err.Error(), openid)
		b, _ = json.Marshal(ae)
		assert.NotContains(t, string(b), openid)

		// A bad answer signature is an error without the OpenID too.
		sb.ProbeNext(1)
		_, err = svc.QueryPermissionByOpenID(ctx, &payscore.QueryPermissionByOpenIDRequest{OpenID: openid, ServiceID: noConfirm, AppID: appID})
		require.ErrorIs(t, err, core.ErrInvalidSignature)
		assert.NotContains(t, err.Error(), openid)
	}
	out := logs.String()
	assert.Contains(t, out, "/v3/payscore/permissions/openid/{openid}", "the Debug log names the route")
	assert.Contains(t, out, "/v3/payscore/permissions/openid/{openid}/terminate")
	assert.NotContains(t, out, openid)
}

func TestNewServiceRefusesNilClient(t *testing.T) {
	require.PanicsWithValue(t, "payscore.NewService: nil *core.Client; build one with core.NewClient", func() { payscore.NewService(nil) })
}

// Issue 10, item 16: every pay-score time keeps its documented form and
// precision. yyyyMMddHHmmss / yyyyMMdd / OnAccept values are sent and
// received exactly as written; At cuts to the second (the documented
// precision) rather than rounding; the permission times (RFC 3339) keep
// their fraction and offset.
func TestTimesKeepDocumentedPrecision(t *testing.T) {
	at := time.Date(2009, 12, 25, 1, 10, 10, 999999999, time.UTC) // 09:10:10.999… in Beijing
	assert.Equal(t, payscore.Time("20091225091010"), payscore.At(at))
	assert.Equal(t, payscore.Time("20091225"), payscore.Date(at))
	back, err := payscore.At(at).Time()
	require.NoError(t, err)
	assert.True(t, back.Equal(at.Truncate(time.Second)))

	for _, ok := range []payscore.Time{"20091225091010", "20091225", "20200229235959", "20091225000000"} {
		assert.True(t, ok.Valid(), "%s", ok)
	}
	for _, bad := range []payscore.Time{"", payscore.OnAccept, "2009122509101", "200912250910100", "2009-12-25", "20091225 091010",
		"20091225240000", "20091225096010", "20091232", "20190229", "２００９１２２５", "+0091225"} {
		assert.False(t, bad.Valid(), "%q", bad)
	}
	assert.Zero(t, testing.AllocsPerRun(20, func() { _ = payscore.Time("20091225091010").Valid() }))

	// Each Time field decodes and encodes unchanged, unknown forms included.
	for _, doc := range []string{
		`{"time_range":{"start_time":"OnAccept","end_time":"20091225121010"},"collection":{"state":"USER_PAID","details":[{"paid_time":"20091225091210"}]}}`,
		`{"time_range":{"start_time":"20091225","end_time":"20091226"},"collection":{"state":"USER_PAID","details":[{"paid_time":"2009-12-25T09:12:10+08:00"}]}}`,
	} {
		var o payscore.ServiceOrder
		require.NoError(t, json.Unmarshal([]byte(doc), &o))
		b, err := json.Marshal(struct {
			TimeRange  *payscore.TimeRange  `json:"time_range"`
			Collection *payscore.Collection `json:"collection"`
		}{o.TimeRange, o.Collection})
		require.NoError(t, err)
		assert.JSONEq(t, doc, string(b))
	}
	var ev payscore.PermissionEvent
	require.NoError(t, json.Unmarshal([]byte(`{"openorclose_time":"20150420092325"}`), &ev))
	assert.Equal(t, payscore.Time("20150420092325"), ev.OpenOrCloseTime)
	b, err := json.Marshal(payscore.SyncDetail{PaidTime: "20091225091210"})
	require.NoError(t, err)
	assert.JSONEq(t, `{"paid_time":"20091225091210"}`, string(b))

	const success, cancel = "2015-05-20T13:29:35.120+08:00", "2015-05-21T13:29:35+08:00"
	var p payscore.Permission
	require.NoError(t, json.Unmarshal([]byte(`{"authorization_success_time":"`+success+`","cancel_authorization_time":"`+cancel+`"}`), &p))
	assert.Equal(t, 120*time.Millisecond, time.Duration(p.AuthorizationSuccessTime.Nanosecond()))
	_, offset := p.AuthorizationSuccessTime.Zone()
	assert.Equal(t, 8*3600, offset, "the server's offset is kept")
	b, err = json.Marshal(p)
	require.NoError(t, err)
	var again payscore.Permission
	require.NoError(t, json.Unmarshal(b, &again))
	assert.True(t, again.AuthorizationSuccessTime.Equal(*p.AuthorizationSuccessTime), "no precision is lost: %s", b)
	assert.True(t, again.CancelAuthorizationTime.Equal(*p.CancelAuthorizationTime))

	// On the wire, through the sandbox: what is given is what is sent and
	// what comes back.
	f := newFixture(t)
	f.authorize("TIME1", openID)
	f.reset()
	req := noConfirmOrder("T1")
	req.TimeRange = payscore.TimeRange{StartTime: payscore.At(at), EndTime: core.Ptr(payscore.Date(at.Add(24 * time.Hour)))}
	resp, err := f.svc.CreateOrder(f.ctx, req)
	require.NoError(t, err)
	var body struct {
		TimeRange map[string]string `json:"time_range"`
	}
	require.NoError(t, json.Unmarshal(f.last().Body, &body))
	assert.Equal(t, map[string]string{"start_time": "20091225091010", "end_time": "20091226"}, body.TimeRange)
	assert.Equal(t, payscore.Time("20091225091010"), resp.TimeRange.StartTime)
	assert.Equal(t, payscore.Time("20091226"), *resp.TimeRange.EndTime)
}

// BenchmarkValidate shows that validating a valid request costs no
// allocation (0 allocs/op): messages are built only for broken rules.
func BenchmarkValidate(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		for _, rt := range requestTypes {
			if rt.valid.Validate() != nil {
				b.Fatal("valid request refused")
			}
		}
	}
}
