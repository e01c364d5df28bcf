package partner_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/internal/wiretest"
	"github.com/wechatpay-biz/wechatpay-biz-go/payscore"
	"github.com/wechatpay-biz/wechatpay-biz-go/payscore/partner"
)

// Documented example values (spec §9 and the partner pages).
const (
	exService = "500001"
	exAppID   = "wxd678efh567hg6787"
	exSubMch  = "1900000110"
	exSubApp  = "wxd678efh567hg6999"
	exOpenID  = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"
	exOrderNo = "1234323JKHDFE1243252"
)

func exPays() []payscore.PostPayment {
	return []payscore.PostPayment{{Name: "就餐费用服务费", Amount: core.Ptr[int64](4000), Description: core.Ptr("就餐人均100元服务费:100/小时"), Count: core.Ptr[int64](1)}}
}

func exDiscs() []payscore.PostDiscount {
	return []payscore.PostDiscount{{Name: "满20减1元", Description: core.Ptr("不与其他优惠叠加"), Amount: core.Ptr[int64](100), Count: core.Ptr[int64](1)}}
}

func exCreate() *partner.CreateOrderRequest {
	return &partner.CreateOrderRequest{
		ServiceID: exService, AppID: exAppID, SubMchID: exSubMch, SubAppID: core.Ptr(exSubApp), OutOrderNo: exOrderNo,
		ServiceIntroduction: "某某酒店", PostPayments: exPays(),
		PostDiscounts: []payscore.PostDiscount{{Name: "满20减1元", Description: core.Ptr("不与其他优惠叠加")}},
		RiskFund:      payscore.RiskFund{Name: payscore.RiskFundEstimateOrderCost, Amount: 10000, Description: core.Ptr("就餐的预估费用")},
		TimeRange:     payscore.TimeRange{StartTime: "20091225091010", StartTimeRemark: core.Ptr("备注1"), EndTime: core.Ptr[payscore.Time]("20091225121010"), EndTimeRemark: core.Ptr("备注2")},
		Location:      &payscore.Location{StartLocation: core.Ptr("嗨客时尚主题展餐厅"), EndLocation: core.Ptr("嗨客时尚主题展餐厅")},
		OpenID:        core.Ptr(exOpenID), NeedUserConfirm: core.Ptr(false), NotifyURL: "https://api.test.com",
		Attach: core.Ptr("Easdfowealsdkjfnlaksjdlfkwqoi&wl3l2sald"),
		Device: &payscore.Device{StartDeviceID: core.Ptr("HG123456"), EndDeviceID: core.Ptr("HG123456"), MaterielNo: core.Ptr("example_materiel_no")},
	}
}

func exComplete() *partner.CompleteOrderRequest {
	return &partner.CompleteOrderRequest{
		OutOrderNo: exOrderNo, ServiceID: exService, SubMchID: exSubMch, PostPayments: exPays(), PostDiscounts: exDiscs(), TotalAmount: 3900,
		TimeRange:     &payscore.TimeRange{StartTime: "20091225091010", EndTime: core.Ptr[payscore.Time]("20091225121010")},
		Location:      &payscore.Location{EndLocation: core.Ptr("嗨客时尚主题展餐厅")},
		ProfitSharing: core.Ptr(false), CompleteTime: core.Ptr(time.Date(2019, 11, 11, 16, 24, 5, 0, time.UTC)), GoodsTag: core.Ptr("goods_tag"),
	}
}

// requestTypes walks every request type of the package: its zero value, the
// fields the zero value must be refused for, and a documented valid example.
var requestTypes = []struct {
	zero     core.Validator
	required []string
	valid    core.Validator
}{
	{&partner.PreAuthorizeRequest{}, []string{"service_id", "appid", "sub_mchid", "authorization_code"},
		&partner.PreAuthorizeRequest{ServiceID: exService, AppID: exAppID, SubAppID: core.Ptr(exSubApp), SubMchID: exSubMch, AuthorizationCode: "4554ffff|-_*", NotifyURL: core.Ptr("https://api.test.com")}},
	{&partner.QueryPermissionByOpenIDRequest{}, []string{"service_id", "appid", "sub_mchid", "openid"},
		&partner.QueryPermissionByOpenIDRequest{ServiceID: exService, AppID: exAppID, SubMchID: exSubMch, SubAppID: core.Ptr(exSubApp), SubOpenID: core.Ptr(exOpenID)}},
	{&partner.QueryPermissionByAuthorizationCodeRequest{}, []string{"authorization_code", "service_id", "sub_mchid"},
		&partner.QueryPermissionByAuthorizationCodeRequest{AuthorizationCode: "4554ffff", ServiceID: exService, SubMchID: exSubMch}},
	{&partner.TerminatePermissionByOpenIDRequest{}, []string{"service_id", "sub_mchid", "appid", "openid", "reason"},
		&partner.TerminatePermissionByOpenIDRequest{ServiceID: exService, SubMchID: exSubMch, AppID: exAppID, OpenID: core.Ptr(exOpenID), Reason: "撤销授权"}},
	{&partner.TerminatePermissionByAuthorizationCodeRequest{}, []string{"authorization_code", "service_id", "sub_mchid", "reason"},
		&partner.TerminatePermissionByAuthorizationCodeRequest{AuthorizationCode: "4554ffff", ServiceID: exService, SubMchID: exSubMch, Reason: "撤销授权"}},
	{&partner.CreateOrderRequest{}, []string{"service_id", "appid", "sub_mchid", "out_order_no", "service_introduction", "risk_fund.name", "time_range.start_time", "notify_url"},
		exCreate()},
	{&partner.QueryOrderRequest{}, []string{"sub_mchid", "out_order_no"},
		&partner.QueryOrderRequest{ServiceID: core.Ptr(exService), SubMchID: exSubMch, QueryID: "15646546545165651651"}},
	{&partner.CancelOrderRequest{}, []string{"out_order_no", "sub_mchid", "reason"},
		&partner.CancelOrderRequest{OutOrderNo: exOrderNo, ServiceID: core.Ptr(exService), SubMchID: exSubMch, Reason: "用户投诉"}},
	{&partner.ModifyOrderRequest{}, []string{"out_order_no", "sub_mchid", "post_payments", "reason"},
		&partner.ModifyOrderRequest{OutOrderNo: exOrderNo, ServiceID: core.Ptr(exService), SubMchID: exSubMch, PostPayments: exPays(), PostDiscounts: exDiscs(), TotalAmount: 3900, Reason: "用户投诉"}},
	{&partner.CompleteOrderRequest{}, []string{"out_order_no", "service_id", "sub_mchid", "post_payments"},
		exComplete()},
	{&partner.PayOrderRequest{}, []string{"out_order_no", "sub_mchid"},
		&partner.PayOrderRequest{OutOrderNo: exOrderNo, ServiceID: core.Ptr(exService), SubMchID: exSubMch}},
	{&partner.SyncOrderRequest{}, []string{"out_order_no", "service_id", "sub_mchid", "type", "detail.paid_time"},
		&partner.SyncOrderRequest{OutOrderNo: exOrderNo, ServiceID: exService, SubMchID: exSubMch, Type: payscore.SyncOrderPaid, Detail: partner.SyncDetail{PaidTime: "20091225121010"}}},
	{&partner.ConfirmOrderPageRequest{}, []string{"mch_id", "package", "APIv2Key"},
		&partner.ConfirmOrderPageRequest{MchID: "1230000109", Package: "XXXXXXXX", APIv2Key: "192006250b4c09247ec02edce69f6a2d", NonceStr: "zyx53Nkey8o4bHpxTQvd8m7e92nG5mG2"}},
}

func TestEveryRequestTypeValidates(t *testing.T) {
	for _, rt := range requestTypes {
		ve := wiretest.RequireValidation(t, rt.zero.Validate(), rt.required...)
		assert.Len(t, ve.Problems, len(rt.required), "%T: %v", rt.zero, ve)
		assert.NoError(t, rt.valid.Validate(), "%T", rt.valid)
		assert.Zero(t, testing.AllocsPerRun(20, func() { _ = rt.valid.Validate() }), "%T allocates when valid", rt.valid)
	}
	for _, nilReq := range []core.Validator{
		(*partner.PreAuthorizeRequest)(nil), (*partner.QueryPermissionByOpenIDRequest)(nil),
		(*partner.QueryPermissionByAuthorizationCodeRequest)(nil), (*partner.TerminatePermissionByOpenIDRequest)(nil),
		(*partner.TerminatePermissionByAuthorizationCodeRequest)(nil), (*partner.CreateOrderRequest)(nil),
		(*partner.QueryOrderRequest)(nil), (*partner.CancelOrderRequest)(nil), (*partner.ModifyOrderRequest)(nil),
		(*partner.CompleteOrderRequest)(nil), (*partner.PayOrderRequest)(nil), (*partner.SyncOrderRequest)(nil),
		(*partner.ConfirmOrderPageRequest)(nil),
	} {
		ve := wiretest.RequireValidation(t, nilReq.Validate(), "request")
		assert.Len(t, ve.Problems, 1)
	}
}

func TestUserRules(t *testing.T) {
	// Both OpenIDs, an empty one, sub_openid without sub_appid.
	err := (&partner.QueryPermissionByOpenIDRequest{ServiceID: exService, AppID: exAppID, SubMchID: exSubMch,
		OpenID: core.Ptr(exOpenID), SubOpenID: core.Ptr("")}).Validate()
	ve := wiretest.RequireValidation(t, err, "sub_openid", "sub_appid")
	require.Len(t, ve.Problems, 3, "%v", ve) // not both; sub_openid empty; sub_appid missing

	err = (&partner.TerminatePermissionByOpenIDRequest{ServiceID: exService, SubMchID: exSubMch, AppID: exAppID,
		SubAppID: core.Ptr(""), OpenID: core.Ptr(strings.Repeat("o", 129)), Reason: strings.Repeat("因", 51)}).Validate()
	wiretest.RequireValidation(t, err, "sub_appid", "openid", "reason")

	// In confirm mode CreateOrder names no user; in no-confirm mode it must.
	c := exCreate()
	c.OpenID, c.NeedUserConfirm = nil, nil
	require.NoError(t, c.Validate())
	c.NeedUserConfirm = core.Ptr(false)
	wiretest.RequireValidation(t, c.Validate(), "openid")
	c.SubOpenID, c.SubAppID = core.Ptr(exOpenID), nil
	ve = wiretest.RequireValidation(t, c.Validate(), "sub_appid")
	require.Len(t, ve.Problems, 1)
	c.SubAppID = core.Ptr(exSubApp)
	require.NoError(t, c.Validate())
	c.OpenID, c.NeedUserConfirm = core.Ptr(exOpenID), nil
	wiretest.RequireValidation(t, c.Validate(), "sub_openid")
}

func TestCreateOrderValidationListsEveryProblem(t *testing.T) {
	c := exCreate()
	c.OutOrderNo = "bad no"
	c.ServiceIntroduction = strings.Repeat("介", 21)
	c.PostPayments = append(c.PostPayments, payscore.PostPayment{Name: "就餐费用服务费"})
	c.PostDiscounts[0].Description = nil
	c.RiskFund = payscore.RiskFund{Name: "UDEPOSIT", Amount: -1, Description: core.Ptr(strings.Repeat("风", 31))}
	c.TimeRange = payscore.TimeRange{StartTime: "2009-12-25", StartTimeRemark: core.Ptr(strings.Repeat("始", 21)), EndTimeRemark: core.Ptr(strings.Repeat("终", 51))}
	c.Location = &payscore.Location{StartLocation: core.Ptr("\xff")}
	c.NotifyURL = "https://api.test.com/notify?x=1"
	c.Attach = core.Ptr(strings.Repeat("a", 257))
	c.Device = &payscore.Device{MaterielNo: core.Ptr("😀")}
	c.SubMchID = strings.Repeat("1", 33)
	wiretest.RequireValidation(t, c.Validate(), "out_order_no", "service_introduction", "post_payments[1].name", "post_discounts[0].description",
		"risk_fund.name", "risk_fund.amount", "risk_fund.description", "time_range.start_time", "time_range.start_time_remark",
		"time_range.end_time_remark", "location.start_location", "notify_url", "attach", "device.materiel_no", "sub_mchid")
}

func TestOrderOperationsValidation(t *testing.T) {
	m := &partner.ModifyOrderRequest{OutOrderNo: "../x", SubMchID: exSubMch, PostPayments: exPays(),
		PostDiscounts: []payscore.PostDiscount{{Name: "d"}}, TotalAmount: 1, Reason: "r", ServiceID: core.Ptr("")}
	wiretest.RequireValidation(t, m.Validate(), "out_order_no", "post_discounts[0].amount", "total_amount", "service_id")

	c := exComplete()
	c.TimeRange.StartTime = payscore.OnAccept
	c.TotalAmount = 4000
	c.CompleteTime = &time.Time{}
	c.PostDiscounts[0].Description = nil
	wiretest.RequireValidation(t, c.Validate(), "time_range.start_time", "total_amount", "complete_time", "post_discounts[0].description")

	s := &partner.SyncOrderRequest{OutOrderNo: exOrderNo, ServiceID: exService, SubMchID: exSubMch, Type: "ORDER_PAID",
		Detail: partner.SyncDetail{PaidTime: "20240230", Seq: core.Ptr[int64](0), PaidAmount: core.Ptr[int64](-1)}}
	wiretest.RequireValidation(t, s.Validate(), "type", "detail.paid_time", "detail.seq", "detail.paid_amount")

	q := &partner.QueryOrderRequest{SubMchID: exSubMch, OutOrderNo: exOrderNo, QueryID: "q"}
	wiretest.RequireValidation(t, q.Validate(), "query_id")
	q = &partner.QueryOrderRequest{SubMchID: exSubMch, QueryID: strings.Repeat("q", 513)}
	wiretest.RequireValidation(t, q.Validate(), "query_id")

	for _, bad := range []string{".", "..", "a/b", "a?b", "a#b", "a%2F", "a b", "订单", strings.Repeat("1", 33)} {
		wiretest.RequireValidation(t, (&partner.CancelOrderRequest{OutOrderNo: bad, SubMchID: exSubMch, Reason: "r"}).Validate(), "out_order_no")
		wiretest.RequireValidation(t, (&partner.QueryPermissionByAuthorizationCodeRequest{AuthorizationCode: bad, ServiceID: exService, SubMchID: exSubMch}).Validate(), "authorization_code")
	}
}

func TestCompleteTimeIsSentAsRFC3339InBeijing(t *testing.T) {
	b, err := json.Marshal(exComplete())
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	require.Equal(t, "2019-11-12T00:24:05+08:00", m["complete_time"])
	require.Equal(t, exSubMch, m["sub_mchid"])
	require.NotContains(t, m, "out_order_no", "the order number goes in the path")

	c := exComplete()
	c.CompleteTime = nil
	b, err = json.Marshal(c)
	require.NoError(t, err)
	require.NotContains(t, string(b), "complete_time")
}

// BenchmarkValidate shows that validating a valid request costs no
// allocation (0 allocs/op).
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
