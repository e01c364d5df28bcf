package goldplan_test

import (
	"context"
	"fmt"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/goldplan"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

// A service provider opens the gold plan for a sub-merchant, then its custom
// receipt page, sets same-industry filters and turns adverts on and off.
func Example() {
	sb, err := sandbox.NewServer()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer sb.Close()
	c, err := sb.Client()
	if err != nil {
		fmt.Println(err)
		return
	}
	svc := goldplan.NewService(c)
	ctx := context.Background()
	const subMchID = "1900000110"

	st, err := svc.ChangeGoldPlanStatus(ctx, &goldplan.ChangeGoldPlanStatusRequest{
		SubMchID: subMchID, OperationType: goldplan.OperationTypeOpen,
		OperationPayScene: core.Ptr(goldplan.PaySceneJSAPIAndMiniProgram),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("gold plan opened for", st.SubMchID)

	if _, err := svc.ChangeCustomPageStatus(ctx, &goldplan.ChangeCustomPageStatusRequest{SubMchID: subMchID, OperationType: goldplan.OperationTypeOpen}); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("custom receipt page opened")

	if _, err := svc.SetAdvertisingIndustryFilter(ctx, &goldplan.SetAdvertisingIndustryFilterRequest{
		SubMchID: subMchID,
		AdvertisingIndustryFilters: []goldplan.IndustryFilter{
			goldplan.IndustryFilterSoftware, goldplan.IndustryFilterSecurity, goldplan.IndustryFilterLoveMarriage,
		},
	}); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("filters:", sb.GoldPlanStatus(subMchID).IndustryFilters)

	if _, err := svc.OpenAdvertisingShow(ctx, &goldplan.OpenAdvertisingShowRequest{SubMchID: subMchID}); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("adverts shown:", sb.GoldPlanStatus(subMchID).AdvertisingShown)

	if _, err := svc.CloseAdvertisingShow(ctx, &goldplan.CloseAdvertisingShowRequest{SubMchID: subMchID}); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("adverts shown:", sb.GoldPlanStatus(subMchID).AdvertisingShown)
	// Output:
	// gold plan opened for 1900000110
	// custom receipt page opened
	// filters: [SOFTWARE SECURITY LOVE_MARRIAGE]
	// adverts shown: true
	// adverts shown: false
}

// Filters are checked before sending: one to three, no duplicates.
// SetAdvertisingIndustryFilter runs the same Validate first and sends
// nothing when it fails; call it yourself to reject a bad form early.
func ExampleSetAdvertisingIndustryFilterRequest_Validate() {
	req := &goldplan.SetAdvertisingIndustryFilterRequest{
		SubMchID: "1900000110",
		AdvertisingIndustryFilters: []goldplan.IndustryFilter{
			goldplan.IndustryFilterFood, goldplan.IndustryFilterCar, goldplan.IndustryFilterFood, goldplan.IndustryFilterGame,
		},
	}
	err := req.Validate()
	fmt.Println(err)
	// Output:
	// wechatpay: invalid goldplan.SetAdvertisingIndustryFilter request: advertising_industry_filters: must have at most 3 industries; advertising_industry_filters: must not name an industry twice; advertising_industry_filters[2]: duplicates an earlier industry
}

// An API error carries WeChat Pay's code and the Request-ID to quote to
// support.
func ExampleService_ChangeCustomPageStatus_apiError() {
	sb, err := sandbox.NewServer()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer sb.Close()
	c, err := sb.Client()
	if err != nil {
		fmt.Println(err)
		return
	}
	// The gold plan is not open yet, so the custom page cannot be.
	_, err = goldplan.NewService(c).ChangeCustomPageStatus(context.Background(), &goldplan.ChangeCustomPageStatusRequest{
		SubMchID: "1900000110", OperationType: goldplan.OperationTypeOpen,
	})
	if ae, ok := core.IsAPIError(err); ok {
		fmt.Println(ae.StatusCode, ae.Code, ae.RequestID != "")
	}
	// Output: 400 INVALID_REQUEST true
}
