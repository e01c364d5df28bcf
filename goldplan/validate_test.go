package goldplan_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/goldplan"
	"github.com/wechatpay-biz/wechatpay-biz-go/internal/wiretest"
)

// requestTypes walks every request type of the package: its zero value, the
// fields the zero value must be refused for, and a documented valid example.
var requestTypes = []struct {
	zero     core.Validator
	required []string
	valid    core.Validator
}{
	{&goldplan.ChangeGoldPlanStatusRequest{}, []string{"sub_mchid", "operation_type"},
		&goldplan.ChangeGoldPlanStatusRequest{SubMchID: "1900000109", OperationType: goldplan.OperationTypeOpen, OperationPayScene: core.Ptr(goldplan.PaySceneJSAPIAndMiniProgram)}},
	{&goldplan.ChangeCustomPageStatusRequest{}, []string{"sub_mchid", "operation_type"},
		&goldplan.ChangeCustomPageStatusRequest{SubMchID: "1900000109", OperationType: goldplan.OperationTypeClose}},
	{&goldplan.SetAdvertisingIndustryFilterRequest{}, []string{"sub_mchid", "advertising_industry_filters"},
		&goldplan.SetAdvertisingIndustryFilterRequest{SubMchID: "1900000109", AdvertisingIndustryFilters: []goldplan.IndustryFilter{goldplan.IndustryFilterSoftware, goldplan.IndustryFilterSecurity, goldplan.IndustryFilterLoveMarriage}}},
	{&goldplan.OpenAdvertisingShowRequest{}, []string{"sub_mchid"},
		&goldplan.OpenAdvertisingShowRequest{SubMchID: "1900000109", AdvertisingIndustryFilters: []goldplan.IndustryFilter{goldplan.IndustryFilterGame}}},
	{&goldplan.CloseAdvertisingShowRequest{}, []string{"sub_mchid"},
		&goldplan.CloseAdvertisingShowRequest{SubMchID: "1900000109"}},
}

func TestEveryRequestTypeValidates(t *testing.T) {
	for _, rt := range requestTypes {
		ve := wiretest.RequireValidation(t, rt.zero.Validate(), rt.required...)
		assert.Len(t, ve.Problems, len(rt.required), "%T: %v", rt.zero, ve)
		assert.NoError(t, rt.valid.Validate(), "%T", rt.valid)
		assert.Zero(t, testing.AllocsPerRun(20, func() { _ = rt.valid.Validate() }), "%T allocates when valid", rt.valid)
	}
	// A nil request of each type is reported, never a panic.
	for _, nilReq := range []core.Validator{
		(*goldplan.ChangeGoldPlanStatusRequest)(nil), (*goldplan.ChangeCustomPageStatusRequest)(nil),
		(*goldplan.SetAdvertisingIndustryFilterRequest)(nil), (*goldplan.OpenAdvertisingShowRequest)(nil),
		(*goldplan.CloseAdvertisingShowRequest)(nil),
	} {
		ve := wiretest.RequireValidation(t, nilReq.Validate(), "request")
		assert.Len(t, ve.Problems, 1)
	}
}

func TestNewServiceRefusesNilClient(t *testing.T) {
	require.PanicsWithValue(t, "goldplan.NewService: nil *core.Client; build one with core.NewClient", func() { goldplan.NewService(nil) })
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
