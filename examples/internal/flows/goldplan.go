package flows

import (
	"context"
	"fmt"
	"slices"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/examples/internal/setup"
	"github.com/wechatpay-biz/wechatpay-biz-go/goldplan"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

// GoldPlan walks the 点金计划 flow from the development guide: a
// service provider opens the gold plan for a sub-merchant, opens its custom
// receipt page (商家小票), sets same-industry advert filters, and turns
// adverts on and off.
//
// Against the sandbox (the default) every step runs for sub-merchant
// 1900000110 and the sandbox's state is checked after each one. Against the
// real API (see examples/internal/setup) the same calls are made for the
// sub-merchant in WECHATPAY_GP_SUB_MCHID; they change that sub-merchant's
// settings, so the example refuses to run without it.
func GoldPlan(ctx context.Context, env *setup.Env) error { return gpRun(ctx, env) }

func gpRun(ctx context.Context, env *setup.Env) error {
	sub := "1900000110"
	if env.Real() {
		v, err := setup.Getenv("WECHATPAY_GP_SUB_MCHID")
		if err != nil {
			return fmt.Errorf("%w (the sub-merchant whose gold plan settings this example changes)", err)
		}
		sub = v[0]
	}
	svc := goldplan.NewService(env.Client)
	// check compares the sandbox's state with what the step should have done;
	// against the real API there is nothing to compare with.
	check := func(step string, ok func(sandbox.GoldPlanRecord) bool) error {
		if env.Sandbox != nil && !ok(env.Sandbox.GoldPlanStatus(sub)) {
			return fmt.Errorf("%s: the sandbox state is %+v", step, env.Sandbox.GoldPlanStatus(sub))
		}
		return nil
	}

	// 1. Open the gold plan (点金计划管理) for JSAPI payments and mini programs.
	st, err := svc.ChangeGoldPlanStatus(ctx, &goldplan.ChangeGoldPlanStatusRequest{
		SubMchID: sub, OperationType: goldplan.OperationTypeOpen,
		OperationPayScene: core.Ptr(goldplan.PaySceneJSAPIAndMiniProgram),
	})
	if err != nil {
		return fmt.Errorf("open gold plan: %w", err)
	}
	fmt.Printf("[gold plan] POST changegoldplanstatus OPEN -> sub_mchid %s (Request-ID %s)\n", st.SubMchID, st.RequestID)
	if err := check("open gold plan", func(r sandbox.GoldPlanRecord) bool { return r.GoldPlanOpen }); err != nil {
		return err
	}

	// 2. Open the custom receipt page (商家小票管理); it needs the gold plan open.
	cp, err := svc.ChangeCustomPageStatus(ctx, &goldplan.ChangeCustomPageStatusRequest{SubMchID: sub, OperationType: goldplan.OperationTypeOpen})
	if err != nil {
		return fmt.Errorf("open custom page: %w", err)
	}
	fmt.Printf("[custom page] POST changecustompagestatus OPEN -> sub_mchid %s (Request-ID %s)\n", cp.SubMchID, cp.RequestID)
	if err := check("open custom page", func(r sandbox.GoldPlanRecord) bool { return r.CustomPageOpen }); err != nil {
		return err
	}

	// 3. Same-industry filters (同业过滤标签管理): one to three industries.
	filters := []goldplan.IndustryFilter{goldplan.IndustryFilterSoftware, goldplan.IndustryFilterSecurity, goldplan.IndustryFilterLoveMarriage}
	sf, err := svc.SetAdvertisingIndustryFilter(ctx, &goldplan.SetAdvertisingIndustryFilterRequest{SubMchID: sub, AdvertisingIndustryFilters: filters})
	if err != nil {
		return fmt.Errorf("set filters: %w", err)
	}
	fmt.Printf("[filters] POST set-advertising-industry-filter %v -> %d (Request-ID %s)\n", filters, sf.StatusCode, sf.RequestID)
	if err := check("set filters", func(r sandbox.GoldPlanRecord) bool {
		return slices.Equal(r.IndustryFilters, []string{"SOFTWARE", "SECURITY", "LOVE_MARRIAGE"})
	}); err != nil {
		return err
	}

	// 4. Adverts on (开通广告展示), a PATCH.
	on, err := svc.OpenAdvertisingShow(ctx, &goldplan.OpenAdvertisingShowRequest{SubMchID: sub})
	if err != nil {
		return fmt.Errorf("open adverts: %w", err)
	}
	fmt.Printf("[adverts] PATCH open-advertising-show -> %d (Request-ID %s)\n", on.StatusCode, on.RequestID)
	if err := check("open adverts", func(r sandbox.GoldPlanRecord) bool { return r.AdvertisingShown }); err != nil {
		return err
	}

	// 5. Adverts off (关闭广告展示), a POST.
	off, err := svc.CloseAdvertisingShow(ctx, &goldplan.CloseAdvertisingShowRequest{SubMchID: sub})
	if err != nil {
		return fmt.Errorf("close adverts: %w", err)
	}
	fmt.Printf("[adverts] POST close-advertising-show -> %d (Request-ID %s)\n", off.StatusCode, off.RequestID)
	return check("close adverts", func(r sandbox.GoldPlanRecord) bool { return !r.AdvertisingShown })
}
