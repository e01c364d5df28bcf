package refund_test

import (
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/internal/wiretest"
	"github.com/wechatpay-biz/wechatpay-biz-go/refund"
)

// requestTypes walks every request type of the package: its zero value, the
// fields the zero value must be refused for, and a documented valid example.
var requestTypes = []struct {
	zero     core.Validator
	required []string
	valid    core.Validator
}{
	{&refund.CreateRequest{}, []string{"transaction_id", "out_refund_no", "amount.refund", "amount.total", "amount.currency"},
		&refund.CreateRequest{
			SubMchID: core.Ptr("1900000109"), OutTradeNo: core.Ptr("1217752501201407033233368018"), OutRefundNo: "1217752501201407033233368018",
			Reason: core.Ptr("商品已售完"), NotifyURL: core.Ptr("https://weixin.qq.com"), FundsAccount: core.Ptr(refund.FundsAccountAvailable),
			Amount: refund.AmountRequest{Refund: 888, Total: 888, Currency: refund.CurrencyCNY,
				From: []refund.FundSource{{Account: refund.AccountAvailable, Amount: 444}, {Account: refund.AccountUnavailable, Amount: 444}}},
			GoodsDetail: []refund.GoodsDetail{{MerchantGoodsID: "1217752501201407033233368018", WechatpayGoodsID: core.Ptr("1001"),
				GoodsName: core.Ptr("iPhone6s 16G"), UnitPrice: 528800, RefundAmount: 528800, RefundQuantity: 1}},
		}},
	{&refund.QueryRequest{}, []string{"out_refund_no"},
		&refund.QueryRequest{OutRefundNo: "1217752501201407033233368018", SubMchID: core.Ptr("1900000109")}},
}

func TestEveryRequestTypeValidates(t *testing.T) {
	for _, rt := range requestTypes {
		ve := wiretest.RequireValidation(t, rt.zero.Validate(), rt.required...)
		assert.Len(t, ve.Problems, len(rt.required), "%T: %v", rt.zero, ve)
		assert.NoError(t, rt.valid.Validate(), "%T", rt.valid)
		assert.Zero(t, testing.AllocsPerRun(20, func() { _ = rt.valid.Validate() }), "%T allocates when valid", rt.valid)
	}
	for _, nilReq := range []core.Validator{(*refund.CreateRequest)(nil), (*refund.QueryRequest)(nil)} {
		ve := wiretest.RequireValidation(t, nilReq.Validate(), "request")
		assert.Len(t, ve.Problems, 1)
	}
}

// Every documented rule of a refund request, each reported by its field.
func TestCreateRequestRules(t *testing.T) {
	valid := func() *refund.CreateRequest {
		return &refund.CreateRequest{TransactionID: core.Ptr("4200000001"), OutRefundNo: "R-1",
			Amount: refund.AmountRequest{Refund: 100, Total: 1000, Currency: refund.CurrencyCNY}}
	}
	require.NoError(t, valid().Validate())
	cases := []struct {
		name  string
		edit  func(r *refund.CreateRequest)
		field string
		says  string
	}{
		{"both order numbers", func(r *refund.CreateRequest) { r.OutTradeNo = core.Ptr("ORDER-1") }, "out_trade_no", "not both"},
		{"empty transaction_id", func(r *refund.CreateRequest) { r.TransactionID = core.Ptr("") }, "transaction_id", "required"},
		{"long transaction_id", func(r *refund.CreateRequest) { r.TransactionID = core.Ptr(strings.Repeat("4", 33)) }, "transaction_id", "32"},
		{"long out_trade_no", func(r *refund.CreateRequest) { r.TransactionID, r.OutTradeNo = nil, core.Ptr(strings.Repeat("o", 33)) }, "out_trade_no", "32"},
		{"out_trade_no charset", func(r *refund.CreateRequest) { r.TransactionID, r.OutTradeNo = nil, core.Ptr("ORDER@0001") }, "out_trade_no", "letters"},
		{"out_refund_no charset", func(r *refund.CreateRequest) { r.OutRefundNo = "R 1" }, "out_refund_no", "letters"},
		{"out_refund_no dot-segment", func(r *refund.CreateRequest) { r.OutRefundNo = ".." }, "out_refund_no", "dot"},
		{"long out_refund_no", func(r *refund.CreateRequest) { r.OutRefundNo = strings.Repeat("r", 65) }, "out_refund_no", "64"},
		{"empty sub_mchid", func(r *refund.CreateRequest) { r.SubMchID = core.Ptr("") }, "sub_mchid", "required"},
		{"long sub_mchid", func(r *refund.CreateRequest) { r.SubMchID = core.Ptr(strings.Repeat("1", 33)) }, "sub_mchid", "32"},
		{"reason over 80 bytes", func(r *refund.CreateRequest) { r.Reason = core.Ptr(strings.Repeat("退", 27)) }, "reason", "80 bytes"},
		{"reason emoji", func(r *refund.CreateRequest) { r.Reason = core.Ptr("退款😀") }, "reason", "4-byte"},
		{"http notify_url", func(r *refund.CreateRequest) { r.NotifyURL = core.Ptr("http://merchant.example.com/n") }, "notify_url", "https"},
		{"notify_url query", func(r *refund.CreateRequest) { r.NotifyURL = core.Ptr("https://merchant.example.com/n?a=1") }, "notify_url", "query"},
		{"long notify_url", func(r *refund.CreateRequest) {
			r.NotifyURL = core.Ptr("https://merchant.example.com/" + strings.Repeat("n", 240))
		}, "notify_url", "256"},
		{"funds_account", func(r *refund.CreateRequest) { r.FundsAccount = core.Ptr(refund.FundsAccountBasic) }, "funds_account", "AVAILABLE or UNSETTLED"},
		{"zero refund", func(r *refund.CreateRequest) { r.Amount.Refund = 0 }, "amount.refund", "at least 1"},
		{"negative total", func(r *refund.CreateRequest) { r.Amount.Total = -1 }, "amount.total", "at least 1"},
		{"refund over total", func(r *refund.CreateRequest) { r.Amount.Refund = 1001 }, "amount.refund", "more than was paid"},
		{"currency", func(r *refund.CreateRequest) { r.Amount.Currency = "USD" }, "amount.currency", "CNY"},
		{"from sum", func(r *refund.CreateRequest) {
			r.Amount.From = []refund.FundSource{{Account: refund.AccountAvailable, Amount: 60}}
		}, "amount.from", "add up"},
		{"from overflow", func(r *refund.CreateRequest) {
			r.Amount.From = []refund.FundSource{{Account: refund.AccountAvailable, Amount: math.MaxInt64}, {Account: refund.AccountUnavailable, Amount: math.MaxInt64}}
		}, "amount.from", "overflow"},
		{"from account", func(r *refund.CreateRequest) {
			r.Amount.From = []refund.FundSource{{Account: "BASIC", Amount: 100}}
		}, "amount.from[0].account", "AVAILABLE or UNAVAILABLE"},
		{"from duplicate", func(r *refund.CreateRequest) {
			r.Amount.From = []refund.FundSource{{Account: refund.AccountAvailable, Amount: 50}, {Account: refund.AccountAvailable, Amount: 50}}
		}, "amount.from[1].account", "duplicates"},
		{"from zero", func(r *refund.CreateRequest) {
			r.Amount.From = []refund.FundSource{{Account: refund.AccountAvailable, Amount: 0}, {Account: refund.AccountUnavailable, Amount: 100}}
		}, "amount.from[0].amount", "at least 1"},
		{"goods id", func(r *refund.CreateRequest) {
			r.GoodsDetail = []refund.GoodsDetail{{UnitPrice: 1, RefundAmount: 1, RefundQuantity: 1}}
		}, "goods_detail[0].merchant_goods_id", "required"},
		{"goods quantity", func(r *refund.CreateRequest) {
			r.GoodsDetail = []refund.GoodsDetail{{MerchantGoodsID: "G", RefundQuantity: 0}}
		}, "goods_detail[0].refund_quantity", "at least 1"},
		{"goods price", func(r *refund.CreateRequest) {
			r.GoodsDetail = []refund.GoodsDetail{{MerchantGoodsID: "G", UnitPrice: -1, RefundQuantity: 1}}
		}, "goods_detail[0].unit_price", "negative"},
		{"goods name", func(r *refund.CreateRequest) {
			r.GoodsDetail = []refund.GoodsDetail{{MerchantGoodsID: "G", RefundQuantity: 1}, {MerchantGoodsID: "H", RefundQuantity: 1, GoodsName: core.Ptr(strings.Repeat("名", 257))}}
		}, "goods_detail[1].goods_name", "256"},
	}
	for _, tc := range cases {
		r := valid()
		tc.edit(r)
		ve := wiretest.RequireValidation(t, r.Validate(), tc.field)
		assert.Contains(t, ve.Error(), tc.says, tc.name)
		assert.Equal(t, "refund.Create", ve.Op, tc.name)
	}

	// Spec §11.1: the minimum of 6 characters of out_trade_no is enforced by
	// the server only (see TestShortOutTradeNoIsLeftToTheServer).
	short := valid()
	short.TransactionID, short.OutTradeNo = nil, core.Ptr("O-1")
	require.NoError(t, short.Validate())

	// Everything wrong at once is listed at once.
	bad := &refund.CreateRequest{TransactionID: core.Ptr(""), OutRefundNo: "R 1", Reason: core.Ptr(strings.Repeat("r", 81)),
		Amount: refund.AmountRequest{Refund: 5, Total: 4, Currency: "USD"}}
	wiretest.RequireValidation(t, bad.Validate(), "transaction_id", "out_refund_no", "reason", "amount.refund", "amount.currency")
}

func TestQueryRequestRules(t *testing.T) {
	for _, no := range []string{"", ".", "..", "a/b", "a?b", "a#b", "a%2e", "a b", "退款", strings.Repeat("r", 65)} {
		wiretest.RequireValidation(t, (&refund.QueryRequest{OutRefundNo: no}).Validate(), "out_refund_no")
	}
	require.NoError(t, (&refund.QueryRequest{OutRefundNo: "A-z_0|9*@" + strings.Repeat("r", 55)}).Validate())
	wiretest.RequireValidation(t, (&refund.QueryRequest{OutRefundNo: "R-1", SubMchID: core.Ptr("")}).Validate(), "sub_mchid")
}

func TestNewServiceRefusesNilClient(t *testing.T) {
	require.PanicsWithValue(t, "refund.NewService: nil *core.Client; build one with core.NewClient", func() { refund.NewService(nil) })
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
