package payscore_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/internal/wiretest"
	"github.com/wechatpay-biz/wechatpay-biz-go/payscore"
)

// fields lists the fields err names, each under prefix ("" when err is
// nil).
func fields(err error, prefix string) []string {
	if err == nil {
		return nil
	}
	var out []string
	for _, p := range err.(*core.ValidationError).Problems {
		out = append(out, prefix+p.Field)
	}
	return out
}

// The value rules that both modes (and create-and-complete) share accept
// the documented example and cost nothing when the values are valid.
func TestSharedRulesAcceptTheDocumentedExample(t *testing.T) {
	pays := []payscore.PostPayment{
		{Name: "就餐费用服务费", Amount: core.Ptr[int64](4000), Description: core.Ptr("就餐人均100元服务费:100/小时"), Count: core.Ptr[int64](1)},
		{Name: "商品信息", Amount: core.Ptr[int64](100)}, {Name: "商品信息", Amount: core.Ptr[int64](0)},
	}
	discs := []payscore.PostDiscount{{Name: "满20减1元", Description: core.Ptr("不与其他优惠叠加"), Amount: core.Ptr[int64](100), Count: core.Ptr[int64](1)}}
	tr := payscore.TimeRange{StartTime: "20091225091010", StartTimeRemark: core.Ptr("备注1"), EndTime: core.Ptr[payscore.Time]("20091225"), EndTimeRemark: core.Ptr("备注2")}
	rf := payscore.RiskFund{Name: payscore.RiskFundEstimateOrderCost, Amount: 10000, Description: core.Ptr("就餐的预估费用")}
	loc := payscore.Location{StartLocation: core.Ptr("嗨客时尚主题展餐厅"), EndLocation: core.Ptr("嗨客时尚主题展餐厅")}
	dev := payscore.Device{StartDeviceID: core.Ptr("HG123456"), EndDeviceID: core.Ptr("HG123456"), MaterielNo: core.Ptr("example_materiel_no")}
	all := allRules()
	create := payscore.TimeRangeRules{StartRequired: true, RemarkLimits: true}
	complete := payscore.TimeRangeRules{ActualStart: true, RemarkLimits: true}
	checks := map[string]func() error{
		"items":  func() error { return payscore.ValidateItems(pays, discs, all) },
		"total":  func() error { return payscore.ValidateTotal(4000, pays, discs) },
		"create": func() error { return payscore.ValidateTimeRange(tr, create) },
		"onaccept": func() error {
			return payscore.ValidateTimeRange(payscore.TimeRange{StartTime: payscore.OnAccept}, create)
		},
		"complete": func() error { return payscore.ValidateTimeRange(tr, complete) },
		"norange":  func() error { return payscore.ValidateTimeRange(payscore.TimeRange{}, complete) },
		"risk":     rf.Validate,
		"location": loc.Validate,
		"device":   dev.Validate,
		"paid":     payscore.SyncDetail{PaidTime: "20240229235959"}.Validate,
	}
	for name, check := range checks {
		assert.NoError(t, check(), name)
		assert.Zero(t, testing.AllocsPerRun(20, func() { _ = check() }), "%s allocates when valid", name)
	}
}

// allRules requires everything an operation can require.
func allRules() payscore.ItemRules {
	return payscore.ItemRules{PaymentsRequired: true, DiscountDescriptionRequired: true, DiscountAmountRequired: true}
}

func TestValidateItemsListsEveryProblem(t *testing.T) {
	pays := []payscore.PostPayment{
		{Name: ""},
		{Name: strings.Repeat("名", 21), Amount: core.Ptr[int64](-1), Description: core.Ptr(strings.Repeat("说", 31)), Count: core.Ptr[int64](101)},
		{Name: "A", Count: core.Ptr[int64](0)}, {Name: "A", Description: core.Ptr("😀")},
	}
	discs := []payscore.PostDiscount{{Name: "D"}, {Name: "D", Amount: core.Ptr[int64](-5), Count: core.Ptr[int64](0), Description: core.Ptr("")}}
	got := fields(payscore.ValidateItems(pays, discs, allRules()), "")
	require.ElementsMatch(t, []string{
		"post_payments[0].name", "post_payments[1].name", "post_payments[1].amount", "post_payments[1].description", "post_payments[1].count",
		"post_payments[2].count", "post_payments[3].name", "post_payments[3].description",
		"post_discounts[0].description", "post_discounts[0].amount",
		"post_discounts[1].name", "post_discounts[1].description", "post_discounts[1].amount", "post_discounts[1].count",
	}, got)

	got = fields(payscore.ValidateItems(nil, nil, payscore.ItemRules{PaymentsRequired: true}), "")
	require.Equal(t, []string{"post_payments"}, got)
	require.NoError(t, payscore.ValidateItems(nil, []payscore.PostDiscount{{Name: "D"}}, payscore.ItemRules{}), "descriptions and amounts are optional unless the rules say so")

	many := make([]payscore.PostPayment, payscore.MaxPostPayments+1)
	for i := range many {
		many[i] = payscore.PostPayment{Name: "商品信息"}
	}
	manyD := make([]payscore.PostDiscount, payscore.MaxPostDiscounts+1)
	for i := range manyD {
		manyD[i] = payscore.PostDiscount{Name: string(rune('a' + i))}
	}
	got = fields(payscore.ValidateItems(many, manyD, payscore.ItemRules{}), "")
	require.Equal(t, []string{"post_payments", "post_discounts"}, got)
}

func TestValidateTotalNeverWraps(t *testing.T) {
	pays := []payscore.PostPayment{{Name: "a", Amount: core.Ptr[int64](math.MaxInt64)}, {Name: "b", Amount: core.Ptr[int64](math.MaxInt64)}, {Name: "c", Amount: core.Ptr[int64](2)}}
	ve := wiretest.RequireValidation(t, payscore.ValidateTotal(0, pays, nil), "post_payments", "total_amount")
	require.Len(t, ve.Problems, 2, "the list whose sum overflows, and the total that cannot be checked")
	require.Contains(t, ve.Problems[1].Problem, "overflow")

	ve = wiretest.RequireValidation(t, payscore.ValidateTotal(0, []payscore.PostPayment{{Name: "a", Amount: core.Ptr[int64](0)}}, []payscore.PostDiscount{{Name: "d", Amount: core.Ptr[int64](math.MinInt64)}}), "total_amount")
	require.Len(t, ve.Problems, 1)
	require.Contains(t, ve.Problems[0].Problem, "overflows")

	pays = []payscore.PostPayment{{Name: "a", Amount: core.Ptr[int64](300)}}
	require.NoError(t, payscore.ValidateTotal(299, pays, []payscore.PostDiscount{{Name: "d", Amount: core.Ptr[int64](1)}}))
	ve = wiretest.RequireValidation(t, payscore.ValidateTotal(300, pays, []payscore.PostDiscount{{Name: "d", Amount: core.Ptr[int64](1)}}))
	require.Equal(t, []core.FieldError{{Field: "total_amount", Problem: "must equal Σ post_payments.amount − Σ post_discounts.amount (299 fen)"}}, ve.Problems)
	require.Equal(t, []string{"total_amount"}, fields(payscore.ValidateTotal(-1, nil, []payscore.PostDiscount{{Name: "d", Amount: core.Ptr[int64](1)}}), ""))
}

func TestValidateTimeRange(t *testing.T) {
	create := payscore.TimeRangeRules{StartRequired: true, RemarkLimits: true}
	complete := payscore.TimeRangeRules{ActualStart: true, RemarkLimits: true}
	const tr = "time_range."
	require.Equal(t, []string{"time_range.start_time"}, fields(payscore.ValidateTimeRange(payscore.TimeRange{}, create), tr))
	bad := payscore.TimeRange{StartTime: "20240231120000", EndTime: core.Ptr(payscore.OnAccept), StartTimeRemark: core.Ptr("\xff"), EndTimeRemark: core.Ptr("🚗")}
	require.ElementsMatch(t, []string{"time_range.start_time", "time_range.end_time", "time_range.start_time_remark", "time_range.end_time_remark"},
		fields(payscore.ValidateTimeRange(bad, create), tr))
	require.Equal(t, []string{"time_range.start_time"}, fields(payscore.ValidateTimeRange(payscore.TimeRange{StartTime: payscore.OnAccept}, complete), tr))
	require.Equal(t, []string{"time_range.start_time"}, fields(payscore.ValidateTimeRange(payscore.TimeRange{StartTime: "2024-01-01"}, complete), tr))
	require.NoError(t, payscore.ValidateTimeRange(payscore.TimeRange{EndTime: core.Ptr[payscore.Time]("20240101120000")}, complete), "start_time may be left out when completing")

	// The documented remark lengths (20 and 50) apply where the call
	// documents them.
	long := payscore.TimeRange{StartTime: payscore.OnAccept, StartTimeRemark: core.Ptr(strings.Repeat("始", 21)), EndTimeRemark: core.Ptr(strings.Repeat("终", 51))}
	require.Equal(t, []string{"time_range.start_time_remark", "time_range.end_time_remark"}, fields(payscore.ValidateTimeRange(long, create), tr))
	require.NoError(t, long.Validate())

	for _, paid := range []payscore.Time{"", "2024010112000", payscore.OnAccept} {
		require.Equal(t, []string{"detail.paid_time"}, fields(payscore.SyncDetail{PaidTime: paid}.Validate(), "detail."), "%q", paid)
	}
	require.NoError(t, payscore.SyncDetail{PaidTime: "20240101"}.Validate())
}

func TestRiskFundLocationDeviceRules(t *testing.T) {
	require.ElementsMatch(t, []string{"risk_fund.name", "risk_fund.amount", "risk_fund.description"},
		fields(payscore.RiskFund{Name: "UDEPOSIT", Amount: -1, Description: core.Ptr("\xfe")}.Validate(), "risk_fund."))
	require.Equal(t, []string{"risk_fund.name"}, fields(payscore.RiskFund{}.Validate(), "risk_fund."))
	for _, n := range payscore.RiskFundName("").Values() {
		require.NoError(t, payscore.RiskFund{Name: n}.Validate(), n)
	}
	require.ElementsMatch(t, []string{"location.start_location", "location.end_location"},
		fields(payscore.Location{StartLocation: core.Ptr("\xff"), EndLocation: core.Ptr("😀")}.Validate(), "location."))
	require.ElementsMatch(t, []string{"device.start_device_id", "device.end_device_id", "device.materiel_no"},
		fields(payscore.Device{StartDeviceID: core.Ptr("\xff"), EndDeviceID: core.Ptr("😀"), MaterielNo: core.Ptr("\xfe")}.Validate(), "device."))
	require.NoError(t, payscore.Location{}.Validate())
	require.NoError(t, payscore.Device{}.Validate())
}

// SignedPage signs exactly as OrderDetailPage does.
func TestSignedPageMatchesOrderDetailPage(t *testing.T) {
	key := "192006250b4c09247ec02edce69f6a2d"
	ts, nonce := time.Unix(1530097563, 0), "zyx53Nkey8o4bHpxTQvd8m7e92nG5mG2"
	want, err := payscore.OrderDetailPage(&payscore.OrderDetailPageRequest{
		MchID: "1230000109", ServiceID: "88888888000011", OutOrderNo: "1234323JKHDFE1243252", APIv2Key: key, Timestamp: ts, NonceStr: nonce,
	})
	require.NoError(t, err)
	got := payscore.SignedPage(payscore.BusinessTypeDetail, []payscore.Param{
		{Key: "mch_id", Value: "1230000109"}, {Key: "service_id", Value: "88888888000011"}, {Key: "out_order_no", Value: "1234323JKHDFE1243252"},
	}, key, ts, nonce)
	require.Equal(t, want, got)

	random := payscore.SignedPage(payscore.BusinessTypeUse, []payscore.Param{{Key: "package", Value: "XXX"}}, key, time.Time{}, "")
	ed := random.ExtraData()
	require.Len(t, ed["nonce_str"], 32)
	require.NotEmpty(t, ed["timestamp"])
	require.NotContains(t, random.Query(), key)
}
