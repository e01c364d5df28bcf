package goldplan_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/goldplan"
	"github.com/wechatpay-biz/wechatpay-biz-go/internal/wiretest"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

const sub = "1900000110"

func openGoldPlan(t *testing.T, e *env) {
	t.Helper()
	_, err := e.svc.ChangeGoldPlanStatus(context.Background(), &goldplan.ChangeGoldPlanStatusRequest{SubMchID: sub, OperationType: goldplan.OperationTypeOpen})
	require.NoError(t, err)
	e.reset()
}

func requireWire(t *testing.T, w wire, method, path, body string) {
	t.Helper()
	require.Equal(t, method, w.Method)
	require.Equal(t, path, w.URI)
	// Nothing is encrypted in gold plan calls, but a client with a WeChat Pay
	// public key names it on every request (issue 10 item 18).
	require.Equal(t, sandbox.PublicKeyID, w.Header.Get("Wechatpay-Serial"))
	require.Equal(t, "application/json", w.Header.Get("Content-Type"))
	require.JSONEq(t, body, string(w.Body))
}

func TestChangeGoldPlanStatus(t *testing.T) {
	e := newEnv(t)
	resp, err := e.svc.ChangeGoldPlanStatus(context.Background(), &goldplan.ChangeGoldPlanStatusRequest{
		SubMchID: sub, OperationType: goldplan.OperationTypeOpen, OperationPayScene: core.Ptr(goldplan.PaySceneJSAPIAndMiniProgram),
	})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.NotEmpty(t, resp.RequestID)
	require.Equal(t, sub, resp.SubMchID)
	requireWire(t, e.only(t), http.MethodPost, "/v3/goldplan/merchants/changegoldplanstatus",
		`{"sub_mchid":"1900000110","operation_type":"OPEN","operation_pay_scene":"JSAPI_AND_MINIPROGRAM"}`)
	st := e.sb.GoldPlanStatus(sub)
	require.True(t, st.GoldPlanOpen)
	require.Equal(t, "JSAPI_AND_MINIPROGRAM", st.PayScene)
}

func TestChangeGoldPlanStatusDefaultScene(t *testing.T) {
	e := newEnv(t)
	openGoldPlan(t, e)
	require.Equal(t, "JSAPI", e.sb.GoldPlanStatus(sub).PayScene)
}

// clock is a settable sandbox clock; the client signs with the same clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestChangeGoldPlanStatusReopenNeeds24Hours(t *testing.T) {
	clk := &clock{t: time.Now()}
	e := newEnv(t, sandbox.WithClock(clk.now))
	ctx := context.Background()
	openGoldPlan(t, e)
	_, err := e.svc.ChangeGoldPlanStatus(ctx, &goldplan.ChangeGoldPlanStatusRequest{SubMchID: sub, OperationType: goldplan.OperationTypeClose})
	require.NoError(t, err)
	require.False(t, e.sb.GoldPlanStatus(sub).GoldPlanOpen)

	clk.add(23 * time.Hour)
	_, err = e.svc.ChangeGoldPlanStatus(ctx, &goldplan.ChangeGoldPlanStatusRequest{SubMchID: sub, OperationType: goldplan.OperationTypeOpen})
	wiretest.RequireAPIError(t, err, http.StatusBadRequest, "INVALID_REQUEST")

	clk.add(time.Hour)
	_, err = e.svc.ChangeGoldPlanStatus(ctx, &goldplan.ChangeGoldPlanStatusRequest{SubMchID: sub, OperationType: goldplan.OperationTypeOpen})
	require.NoError(t, err)
}

func TestChangeGoldPlanStatusValidation(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, err := e.svc.ChangeGoldPlanStatus(ctx, nil)
	wiretest.RequireValidation(t, err, "request")
	_, err = e.svc.ChangeGoldPlanStatus(ctx, &goldplan.ChangeGoldPlanStatusRequest{})
	wiretest.RequireValidation(t, err, "sub_mchid", "operation_type")
	_, err = e.svc.ChangeGoldPlanStatus(ctx, &goldplan.ChangeGoldPlanStatusRequest{
		SubMchID: strings.Repeat("1", 33), OperationType: "open", OperationPayScene: core.Ptr(goldplan.PayScene("jsapi")),
	})
	wiretest.RequireValidation(t, err, "sub_mchid", "operation_type", "operation_pay_scene")
	require.Empty(t, e.requests())
}

func TestChangeGoldPlanStatusIsNotRetried(t *testing.T) {
	e := newEnv(t)
	calls := 0
	e.sb.SetHook(func(w http.ResponseWriter, _ *http.Request) bool {
		calls++
		w.Header().Set("Request-ID", "hook-1")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(`{"code":"SYSTEM_ERROR","message":"busy"}`))
		return true
	})
	_, err := e.svc.ChangeGoldPlanStatus(context.Background(), &goldplan.ChangeGoldPlanStatusRequest{SubMchID: sub, OperationType: goldplan.OperationTypeOpen})
	ae := wiretest.RequireAPIError(t, err, http.StatusInternalServerError, "SYSTEM_ERROR")
	require.Equal(t, 1, ae.Attempts)
	require.Equal(t, 1, calls)
}

func TestChangeCustomPageStatus(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	req := &goldplan.ChangeCustomPageStatusRequest{SubMchID: sub, OperationType: goldplan.OperationTypeOpen}

	// The custom page needs the gold plan open.
	_, err := e.svc.ChangeCustomPageStatus(ctx, req)
	wiretest.RequireAPIError(t, err, http.StatusBadRequest, "INVALID_REQUEST")

	openGoldPlan(t, e)
	resp, err := e.svc.ChangeCustomPageStatus(ctx, req)
	require.NoError(t, err)
	require.Equal(t, sub, resp.SubMchID)
	require.NotEmpty(t, resp.RequestID)
	requireWire(t, e.only(t), http.MethodPost, "/v3/goldplan/merchants/changecustompagestatus",
		`{"sub_mchid":"1900000110","operation_type":"OPEN"}`)
	require.True(t, e.sb.GoldPlanStatus(sub).CustomPageOpen)

	_, err = e.svc.ChangeCustomPageStatus(ctx, &goldplan.ChangeCustomPageStatusRequest{SubMchID: sub, OperationType: goldplan.OperationTypeClose})
	require.NoError(t, err)
	require.False(t, e.sb.GoldPlanStatus(sub).CustomPageOpen)
}

func TestChangeCustomPageStatusNeedsReceiptURL(t *testing.T) {
	e := newEnv(t)
	openGoldPlan(t, e)
	e.sb.GoldPlanSetReceiptURLConfigured(false)
	_, err := e.svc.ChangeCustomPageStatus(context.Background(), &goldplan.ChangeCustomPageStatusRequest{SubMchID: sub, OperationType: goldplan.OperationTypeOpen})
	ae := wiretest.RequireAPIError(t, err, http.StatusBadRequest, "INVALID_REQUEST")
	require.Contains(t, ae.Message, "商家小票链接")
}

func TestChangeCustomPageStatusDecodesOperationTypeWhenPresent(t *testing.T) {
	f := newFakeAPI(t, func(int, wire) (int, string) {
		return http.StatusOK, `{"sub_mchid":"1900000110","operation_type":"SUSPEND"}`
	})
	resp, err := goldplan.NewService(f.c).ChangeCustomPageStatus(context.Background(), &goldplan.ChangeCustomPageStatusRequest{SubMchID: sub, OperationType: goldplan.OperationTypeOpen})
	require.NoError(t, err)
	require.Equal(t, goldplan.OperationType("SUSPEND"), resp.OperationType, "unknown enum values decode")
}

func TestChangeCustomPageStatusValidation(t *testing.T) {
	e := newEnv(t)
	_, err := e.svc.ChangeCustomPageStatus(context.Background(), nil)
	wiretest.RequireValidation(t, err, "request")
	_, err = e.svc.ChangeCustomPageStatus(context.Background(), &goldplan.ChangeCustomPageStatusRequest{OperationType: "TOGGLE"})
	wiretest.RequireValidation(t, err, "sub_mchid", "operation_type")
	require.Empty(t, e.requests())
}

func TestSetAdvertisingIndustryFilter(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	req := &goldplan.SetAdvertisingIndustryFilterRequest{SubMchID: sub, AdvertisingIndustryFilters: []goldplan.IndustryFilter{
		goldplan.IndustryFilterSoftware, goldplan.IndustryFilterSecurity, goldplan.IndustryFilterLoveMarriage,
	}}
	_, err := e.svc.SetAdvertisingIndustryFilter(ctx, req)
	wiretest.RequireAPIError(t, err, http.StatusBadRequest, "INVALID_REQUEST")

	openGoldPlan(t, e)
	resp, err := e.svc.SetAdvertisingIndustryFilter(ctx, req)
	require.NoError(t, err)
	require.Equal(t, http.StatusNoContent, resp.StatusCode)
	require.NotEmpty(t, resp.RequestID)
	requireWire(t, e.only(t), http.MethodPost, "/v3/goldplan/merchants/set-advertising-industry-filter",
		`{"sub_mchid":"1900000110","advertising_industry_filters":["SOFTWARE","SECURITY","LOVE_MARRIAGE"]}`)
	require.Equal(t, []string{"SOFTWARE", "SECURITY", "LOVE_MARRIAGE"}, e.sb.GoldPlanStatus(sub).IndustryFilters)

	// A new set replaces the old one.
	_, err = e.svc.SetAdvertisingIndustryFilter(ctx, &goldplan.SetAdvertisingIndustryFilterRequest{SubMchID: sub, AdvertisingIndustryFilters: []goldplan.IndustryFilter{goldplan.IndustryFilterPhotography}})
	require.NoError(t, err)
	require.Equal(t, []string{"POTOGRAPHY"}, e.sb.GoldPlanStatus(sub).IndustryFilters)
}

func TestSetAdvertisingIndustryFilterUnknownValueReachesServer(t *testing.T) {
	e := newEnv(t)
	openGoldPlan(t, e)
	_, err := e.svc.SetAdvertisingIndustryFilter(context.Background(), &goldplan.SetAdvertisingIndustryFilterRequest{
		SubMchID: sub, AdvertisingIndustryFilters: []goldplan.IndustryFilter{goldplan.IndustryFilterFood, "SPACE_TRAVEL"},
	})
	ae := wiretest.RequireAPIError(t, err, http.StatusBadRequest, "PARAM_ERROR")
	require.NotNil(t, ae.Detail)
	require.Equal(t, "/advertising_industry_filters/1", ae.Detail.Field)
	require.Equal(t, "body", ae.Detail.Location)
}

func TestSetAdvertisingIndustryFilterValidation(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, err := e.svc.SetAdvertisingIndustryFilter(ctx, nil)
	wiretest.RequireValidation(t, err, "request")
	_, err = e.svc.SetAdvertisingIndustryFilter(ctx, &goldplan.SetAdvertisingIndustryFilterRequest{})
	wiretest.RequireValidation(t, err, "sub_mchid", "advertising_industry_filters")
	_, err = e.svc.SetAdvertisingIndustryFilter(ctx, &goldplan.SetAdvertisingIndustryFilterRequest{SubMchID: sub, AdvertisingIndustryFilters: []goldplan.IndustryFilter{}})
	wiretest.RequireValidation(t, err, "advertising_industry_filters")
	_, err = e.svc.SetAdvertisingIndustryFilter(ctx, &goldplan.SetAdvertisingIndustryFilterRequest{SubMchID: sub, AdvertisingIndustryFilters: []goldplan.IndustryFilter{
		goldplan.IndustryFilterCar, goldplan.IndustryFilterGame, goldplan.IndustryFilterLaw, goldplan.IndustryFilterFood,
	}})
	wiretest.RequireValidation(t, err, "advertising_industry_filters")
	_, err = e.svc.SetAdvertisingIndustryFilter(ctx, &goldplan.SetAdvertisingIndustryFilterRequest{SubMchID: sub, AdvertisingIndustryFilters: []goldplan.IndustryFilter{
		goldplan.IndustryFilterCar, "car", goldplan.IndustryFilterCar,
	}})
	wiretest.RequireValidation(t, err, "advertising_industry_filters[1]", "advertising_industry_filters[2]")
	_, err = e.svc.SetAdvertisingIndustryFilter(ctx, &goldplan.SetAdvertisingIndustryFilterRequest{SubMchID: sub, AdvertisingIndustryFilters: []goldplan.IndustryFilter{
		goldplan.IndustryFilterFood, goldplan.IndustryFilterFood,
	}})
	ve := wiretest.RequireValidation(t, err, "advertising_industry_filters", "advertising_industry_filters[1]")
	require.Len(t, ve.Problems, 2, "the list rule and the repeating item")
	require.Empty(t, e.requests())
}

func TestOpenAdvertisingShow(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, err := e.svc.OpenAdvertisingShow(ctx, &goldplan.OpenAdvertisingShowRequest{SubMchID: sub})
	wiretest.RequireAPIError(t, err, http.StatusBadRequest, "INVALID_REQUEST")

	openGoldPlan(t, e)
	resp, err := e.svc.OpenAdvertisingShow(ctx, &goldplan.OpenAdvertisingShowRequest{SubMchID: sub,
		AdvertisingIndustryFilters: []goldplan.IndustryFilter{goldplan.IndustryFilterBusiness, goldplan.IndustryFilterIndustry}})
	require.NoError(t, err)
	require.Equal(t, http.StatusNoContent, resp.StatusCode)
	require.NotEmpty(t, resp.RequestID)
	requireWire(t, e.only(t), http.MethodPatch, "/v3/goldplan/merchants/open-advertising-show",
		`{"sub_mchid":"1900000110","advertising_industry_filters":["BUSSINESS","INDUSTY"]}`)
	st := e.sb.GoldPlanStatus(sub)
	require.True(t, st.AdvertisingShown)
	require.Equal(t, []string{"BUSSINESS", "INDUSTY"}, st.IndustryFilters)

	// Without filters the field is omitted and the filters are kept.
	e.reset()
	_, err = e.svc.OpenAdvertisingShow(ctx, &goldplan.OpenAdvertisingShowRequest{SubMchID: sub})
	require.NoError(t, err)
	requireWire(t, e.only(t), http.MethodPatch, "/v3/goldplan/merchants/open-advertising-show", `{"sub_mchid":"1900000110"}`)
	require.Equal(t, []string{"BUSSINESS", "INDUSTY"}, e.sb.GoldPlanStatus(sub).IndustryFilters)
}

func TestOpenAdvertisingShowValidation(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, err := e.svc.OpenAdvertisingShow(ctx, nil)
	wiretest.RequireValidation(t, err, "request")
	_, err = e.svc.OpenAdvertisingShow(ctx, &goldplan.OpenAdvertisingShowRequest{AdvertisingIndustryFilters: []goldplan.IndustryFilter{
		goldplan.IndustryFilterCar, goldplan.IndustryFilterGame, goldplan.IndustryFilterLaw, goldplan.IndustryFilterCar,
	}})
	wiretest.RequireValidation(t, err, "sub_mchid", "advertising_industry_filters", "advertising_industry_filters[3]")
	_, err = e.svc.OpenAdvertisingShow(ctx, &goldplan.OpenAdvertisingShowRequest{SubMchID: sub, AdvertisingIndustryFilters: []goldplan.IndustryFilter{""}})
	wiretest.RequireValidation(t, err, "advertising_industry_filters[0]")
	require.Empty(t, e.requests())
}

func TestCloseAdvertisingShow(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, err := e.svc.CloseAdvertisingShow(ctx, &goldplan.CloseAdvertisingShowRequest{SubMchID: sub})
	wiretest.RequireAPIError(t, err, http.StatusBadRequest, "INVALID_REQUEST")

	openGoldPlan(t, e)
	_, err = e.svc.OpenAdvertisingShow(ctx, &goldplan.OpenAdvertisingShowRequest{SubMchID: sub})
	require.NoError(t, err)
	e.reset()
	resp, err := e.svc.CloseAdvertisingShow(ctx, &goldplan.CloseAdvertisingShowRequest{SubMchID: sub})
	require.NoError(t, err)
	require.Equal(t, http.StatusNoContent, resp.StatusCode)
	require.NotEmpty(t, resp.RequestID)
	// POST, signed as POST (the hook verifies the signature over the method sent).
	requireWire(t, e.only(t), http.MethodPost, "/v3/goldplan/merchants/close-advertising-show", `{"sub_mchid":"1900000110"}`)
	require.False(t, e.sb.GoldPlanStatus(sub).AdvertisingShown)
}

func TestCloseAdvertisingShowValidation(t *testing.T) {
	e := newEnv(t)
	_, err := e.svc.CloseAdvertisingShow(context.Background(), nil)
	wiretest.RequireValidation(t, err, "request")
	_, err = e.svc.CloseAdvertisingShow(context.Background(), &goldplan.CloseAdvertisingShowRequest{})
	wiretest.RequireValidation(t, err, "sub_mchid")
	require.Empty(t, e.requests())
}

func TestProviderOwnIDIsNotASubMerchant(t *testing.T) {
	e := newEnv(t)
	_, err := e.svc.ChangeGoldPlanStatus(context.Background(), &goldplan.ChangeGoldPlanStatusRequest{SubMchID: e.sb.MerchantID, OperationType: goldplan.OperationTypeOpen})
	wiretest.RequireAPIError(t, err, http.StatusBadRequest, "INVALID_REQUEST")
}

func TestBadResponseSignature(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	openGoldPlan(t, e)
	filters := []goldplan.IndustryFilter{goldplan.IndustryFilterFood}
	calls := map[string]func() error{
		"ChangeGoldPlanStatus": func() error {
			_, err := e.svc.ChangeGoldPlanStatus(ctx, &goldplan.ChangeGoldPlanStatusRequest{SubMchID: sub, OperationType: goldplan.OperationTypeOpen})
			return err
		},
		"ChangeCustomPageStatus": func() error {
			_, err := e.svc.ChangeCustomPageStatus(ctx, &goldplan.ChangeCustomPageStatusRequest{SubMchID: sub, OperationType: goldplan.OperationTypeOpen})
			return err
		},
		"SetAdvertisingIndustryFilter": func() error {
			_, err := e.svc.SetAdvertisingIndustryFilter(ctx, &goldplan.SetAdvertisingIndustryFilterRequest{SubMchID: sub, AdvertisingIndustryFilters: filters})
			return err
		},
		"OpenAdvertisingShow": func() error {
			_, err := e.svc.OpenAdvertisingShow(ctx, &goldplan.OpenAdvertisingShowRequest{SubMchID: sub})
			return err
		},
		"CloseAdvertisingShow": func() error {
			_, err := e.svc.CloseAdvertisingShow(ctx, &goldplan.CloseAdvertisingShowRequest{SubMchID: sub})
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			e.sb.ProbeNext(1)
			require.ErrorIs(t, call(), core.ErrInvalidSignature)
		})
	}
}

func TestPathPrefixAndMethods(t *testing.T) {
	f := newFakeAPI(t, func(_ int, w wire) (int, string) {
		if strings.HasSuffix(w.URI, "status") {
			return http.StatusOK, `{"sub_mchid":"1900000110"}`
		}
		return http.StatusNoContent, ""
	})
	svc := goldplan.NewService(f.c)
	ctx := context.Background()
	_, err := svc.ChangeGoldPlanStatus(ctx, &goldplan.ChangeGoldPlanStatusRequest{SubMchID: sub, OperationType: goldplan.OperationTypeOpen})
	require.NoError(t, err)
	_, err = svc.ChangeCustomPageStatus(ctx, &goldplan.ChangeCustomPageStatusRequest{SubMchID: sub, OperationType: goldplan.OperationTypeOpen})
	require.NoError(t, err)
	_, err = svc.SetAdvertisingIndustryFilter(ctx, &goldplan.SetAdvertisingIndustryFilterRequest{SubMchID: sub, AdvertisingIndustryFilters: []goldplan.IndustryFilter{goldplan.IndustryFilterCar}})
	require.NoError(t, err)
	_, err = svc.OpenAdvertisingShow(ctx, &goldplan.OpenAdvertisingShowRequest{SubMchID: sub})
	require.NoError(t, err)
	_, err = svc.CloseAdvertisingShow(ctx, &goldplan.CloseAdvertisingShowRequest{SubMchID: sub})
	require.NoError(t, err)
	var got []string
	for _, w := range f.requests() {
		got = append(got, w.Method+" "+w.URI)
	}
	require.Equal(t, []string{
		"POST /v3/goldplan/merchants/changegoldplanstatus",
		"POST /v3/goldplan/merchants/changecustompagestatus",
		"POST /v3/goldplan/merchants/set-advertising-industry-filter",
		"PATCH /v3/goldplan/merchants/open-advertising-show",
		"POST /v3/goldplan/merchants/close-advertising-show",
	}, got)
}

func TestEnums(t *testing.T) {
	industries := goldplan.IndustryFilter("").Values()
	require.Len(t, industries, 36)
	seen := map[goldplan.IndustryFilter]bool{}
	for _, v := range industries {
		require.False(t, seen[v], "duplicate %s", v)
		seen[v] = true
	}
	for _, spelled := range []goldplan.IndustryFilter{"POTOGRAPHY", "BUSSINESS", "INDUSTY", "E_COMMERCE", "ONLINE_AVR", "HOME_DIGITAL"} {
		require.True(t, seen[spelled], "%s is spelled as the API spells it", spelled)
	}
	require.Equal(t, []goldplan.OperationType{"OPEN", "CLOSE"}, goldplan.OperationType("").Values())
	require.Equal(t, []goldplan.PayScene{"JSAPI_AND_MINIPROGRAM", "JSAPI", "MINIPROGRAM"}, goldplan.PayScene("").Values())

	var v struct {
		F []goldplan.IndustryFilter `json:"f"`
		S goldplan.PayScene         `json:"s"`
	}
	require.NoError(t, json.Unmarshal([]byte(`{"f":["FOOD","NEW_ONE"],"s":"APP"}`), &v))
	require.Equal(t, goldplan.IndustryFilter("NEW_ONE"), v.F[1])
	require.Equal(t, goldplan.PayScene("APP"), v.S)
}
