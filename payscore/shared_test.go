package payscore_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/payscore"
)

func fields(ps []core.FieldError) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Field)
	}
	return out
}

func TestSharedChecksAcceptTheDocumentedExample(t *testing.T) {
	pays := []payscore.PostPayment{
		{Name: "就餐费用服务费", Amount: core.Ptr[int64](4000), Description: core.Ptr("就餐人均100元服务费:100/小时"), Count: core.Ptr[int64](1)},
		{Name: "商品信息", Amount: core.Ptr[int64](100)}, {Name: "商品信息", Amount: core.Ptr[int64](0)},
	}
	discs := []payscore.PostDiscount{{Name: "满20减1元", Description: core.Ptr("不与其他优惠叠加"), Amount: core.Ptr[int64](100), Count: core.Ptr[int64](1)}}
	tr := &payscore.TimeRange{StartTime: "20091225091010", StartTimeRemark: core.Ptr("备注1"), EndTime: core.Ptr[payscore.Time]("20091225"), EndTimeRemark: core.Ptr("备注2")}
	rf := &payscore.RiskFund{Name: payscore.RiskFundEstimateOrderCost, Amount: 10000, Description: core.Ptr("就餐的预估费用")}
	loc := &payscore.Location{StartLocation: core.Ptr("嗨客时尚主题展餐厅"), EndLocation: core.Ptr("嗨客时尚主题展餐厅")}
	dev := &payscore.Device{StartDeviceID: core.Ptr("HG123456"), EndDeviceID: core.Ptr("HG123456"), MaterielNo: core.Ptr("example_materiel_no")}
	all := allRules()
	checks := map[string]func() []core.FieldError{
		"items":  func() []core.FieldError { return payscore.CheckItems(pays, discs, all) },
		"total":  func() []core.FieldError { return payscore.CheckTotal(4000, pays, discs) },
		"create": func() []core.FieldError { return payscore.CheckCreateTimeRange(tr) },
		"onaccept": func() []core.FieldError {
			return payscore.CheckCreateTimeRange(&payscore.TimeRange{StartTime: payscore.OnAccept})
		},
		"complete": func() []core.FieldError { return payscore.CheckCompleteTimeRange(tr) },
		"nilrange": func() []core.FieldError { return payscore.CheckCompleteTimeRange(nil) },
		"risk":     func() []core.FieldError { return payscore.CheckRiskFund(rf) },
		"location": func() []core.FieldError { return payscore.CheckLocation(loc) },
		"device":   func() []core.FieldError { return payscore.CheckDevice(dev) },
		"paid":     func() []core.FieldError { return payscore.CheckPaidTime("20240229235959") },
	}
	for name, check := range checks {
		assert.Nil(t, check(), name)
		assert.Zero(t, testing.AllocsPerRun(20, func() { _ = check() }), "%s allocates when valid", name)
	}
}

// allRules requires everything an operation can require.
func allRules() payscore.ItemRequirements {
	return payscore.ItemRequirements{PaymentsRequired: true, DiscountDescriptionRequired: true, DiscountAmountRequired: true}
}

func TestCheckItemsListsEveryProblem(t *testing.T) {
	pays := []payscore.PostPayment{
		{Name: ""},
		{Name: strings.Repeat("名", 21), Amount: core.Ptr[int64](-1), Description: core.Ptr(strings.Repeat("说", 31)), Count: core.Ptr[int64](101)},
		{Name: "A", Count: core.Ptr[int64](0)}, {Name: "A", Description: core.Ptr("😀")},
	}
	discs := []payscore.PostDiscount{{Name: "D"}, {Name: "D", Amount: core.Ptr[int64](-5), Count: core.Ptr[int64](0), Description: core.Ptr("")}}
	got := fields(payscore.CheckItems(pays, discs, allRules()))
	require.ElementsMatch(t, []string{
		"post_payments[0].name", "post_payments[1].name", "post_payments[1].amount", "post_payments[1].description", "post_payments[1].count",
		"post_payments[2].count", "post_payments[3].name", "post_payments[3].description",
		"post_discounts[0].description", "post_discounts[0].amount",
		"post_discounts[1].name", "post_discounts[1].description", "post_discounts[1].amount", "post_discounts[1].count",
	}, got)

	got = fields(payscore.CheckItems(nil, nil, payscore.ItemRequirements{PaymentsRequired: true}))
	require.Equal(t, []string{"post_payments"}, got)
	require.Nil(t, payscore.CheckItems(nil, []payscore.PostDiscount{{Name: "D"}}, payscore.ItemRequirements{}), "descriptions and amounts are optional unless the rules say so")

	many := make([]payscore.PostPayment, payscore.MaxPostPayments+1)
	for i := range many {
		many[i] = payscore.PostPayment{Name: "商品信息"}
	}
	manyD := make([]payscore.PostDiscount, payscore.MaxPostDiscounts+1)
	for i := range manyD {
		manyD[i] = payscore.PostDiscount{Name: string(rune('a' + i))}
	}
	got = fields(payscore.CheckItems(many, manyD, payscore.ItemRequirements{}))
	require.Equal(t, []string{"post_payments", "post_discounts"}, got)
}

func TestCheckTotalNeverWraps(t *testing.T) {
	pays := []payscore.PostPayment{{Name: "a", Amount: core.Ptr[int64](math.MaxInt64)}, {Name: "b", Amount: core.Ptr[int64](math.MaxInt64)}, {Name: "c", Amount: core.Ptr[int64](2)}}
	ps := payscore.CheckTotal(0, pays, nil)
	require.Len(t, ps, 1)
	require.Equal(t, "total_amount", ps[0].Field)
	require.Contains(t, ps[0].Problem, "overflows")

	ps = payscore.CheckTotal(0, []payscore.PostPayment{{Name: "a", Amount: core.Ptr[int64](0)}}, []payscore.PostDiscount{{Name: "d", Amount: core.Ptr[int64](math.MinInt64)}})
	require.Len(t, ps, 1)
	require.Contains(t, ps[0].Problem, "overflows")

	pays = []payscore.PostPayment{{Name: "a", Amount: core.Ptr[int64](300)}}
	ps = payscore.CheckTotal(299, pays, []payscore.PostDiscount{{Name: "d", Amount: core.Ptr[int64](1)}})
	require.Nil(t, ps)
	ps = payscore.CheckTotal(300, pays, []payscore.PostDiscount{{Name: "d", Amount: core.Ptr[int64](1)}})
	require.Equal(t, []core.FieldError{{Field: "total_amount", Problem: "must equal Σ post_payments.amount − Σ post_discounts.amount (299 fen)"}}, ps)
	ps = payscore.CheckTotal(-1, nil, []payscore.PostDiscount{{Name: "d", Amount: core.Ptr[int64](1)}})
	require.Equal(t, []string{"total_amount"}, fields(ps))
}

func TestCheckTimeRanges(t *testing.T) {
	require.Equal(t, []string{"time_range"}, fields(payscore.CheckCreateTimeRange(nil)))
	require.Equal(t, []string{"time_range.start_time"}, fields(payscore.CheckCreateTimeRange(&payscore.TimeRange{})))
	bad := &payscore.TimeRange{StartTime: "20240231120000", EndTime: core.Ptr(payscore.OnAccept), StartTimeRemark: core.Ptr("\xff"), EndTimeRemark: core.Ptr("🚗")}
	require.ElementsMatch(t, []string{"time_range.start_time", "time_range.end_time", "time_range.start_time_remark", "time_range.end_time_remark"},
		fields(payscore.CheckCreateTimeRange(bad)))
	require.Equal(t, []string{"time_range.start_time"}, fields(payscore.CheckCompleteTimeRange(&payscore.TimeRange{StartTime: payscore.OnAccept})))
	require.Equal(t, []string{"time_range.start_time"}, fields(payscore.CheckCompleteTimeRange(&payscore.TimeRange{StartTime: "2024-01-01"})))
	require.Nil(t, payscore.CheckCompleteTimeRange(&payscore.TimeRange{EndTime: core.Ptr[payscore.Time]("20240101120000")}), "start_time may be left out when completing")

	require.Equal(t, []string{"detail.paid_time"}, fields(payscore.CheckPaidTime("")))
	require.Equal(t, []string{"detail.paid_time"}, fields(payscore.CheckPaidTime("2024010112000")))
	require.Equal(t, []string{"detail.paid_time"}, fields(payscore.CheckPaidTime(payscore.OnAccept)))
	require.Nil(t, payscore.CheckPaidTime("20240101"))
}

func TestCheckRiskFundLocationDevice(t *testing.T) {
	require.Equal(t, []string{"risk_fund"}, fields(payscore.CheckRiskFund(nil)))
	require.ElementsMatch(t, []string{"risk_fund.name", "risk_fund.amount", "risk_fund.description"},
		fields(payscore.CheckRiskFund(&payscore.RiskFund{Name: "UDEPOSIT", Amount: -1, Description: core.Ptr("\xfe")})))
	require.Equal(t, []string{"risk_fund.name"}, fields(payscore.CheckRiskFund(&payscore.RiskFund{})))
	for _, n := range payscore.RiskFundName("").Values() {
		require.Nil(t, payscore.CheckRiskFund(&payscore.RiskFund{Name: n}), n)
	}
	require.ElementsMatch(t, []string{"location.start_location", "location.end_location"},
		fields(payscore.CheckLocation(&payscore.Location{StartLocation: core.Ptr("\xff"), EndLocation: core.Ptr("😀")})))
	require.ElementsMatch(t, []string{"device.start_device_id", "device.end_device_id", "device.materiel_no"},
		fields(payscore.CheckDevice(&payscore.Device{StartDeviceID: core.Ptr("\xff"), EndDeviceID: core.Ptr("😀"), MaterielNo: core.Ptr("\xfe")})))
	require.Nil(t, payscore.CheckLocation(nil))
	require.Nil(t, payscore.CheckDevice(nil))
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
