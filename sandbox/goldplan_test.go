package sandbox

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
)

type gpFixture struct {
	sb    *Server
	c     *core.Client
	clock *atomic.Int64 // Unix seconds
}

func newGPFixture(t *testing.T) *gpFixture {
	t.Helper()
	f := &gpFixture{clock: new(atomic.Int64)}
	f.clock.Store(time.Now().Unix())
	sb, err := NewServer(WithClock(func() time.Time { return time.Unix(f.clock.Load(), 0) }))
	require.NoError(t, err)
	t.Cleanup(sb.Close)
	c, err := sb.Client(core.WithRetry(core.RetryPolicy{MaxAttempts: 1}))
	require.NoError(t, err)
	f.sb, f.c = sb, c
	return f
}

func (f *gpFixture) do(method, endpoint string, body any) error {
	_, err := f.c.Do(context.Background(), &core.Request{Method: method, Path: "/v3/goldplan/merchants/" + endpoint, Body: body}, nil)
	return err
}

func (f *gpFixture) status(t *testing.T, op string) {
	t.Helper()
	require.NoError(t, f.do(http.MethodPost, "changegoldplanstatus", map[string]any{"sub_mchid": "1900000110", "operation_type": op}))
}

func TestGoldPlanRejectsBadBodies(t *testing.T) {
	f := newGPFixture(t)
	for name, tc := range map[string]struct {
		endpoint string
		body     map[string]any
		field    string
	}{
		"no sub_mchid":         {"changegoldplanstatus", map[string]any{"operation_type": "OPEN"}, "/sub_mchid"},
		"sub_mchid too long":   {"changegoldplanstatus", map[string]any{"sub_mchid": "123456789012345678901234567890123", "operation_type": "OPEN"}, "/sub_mchid"},
		"lower-case operation": {"changegoldplanstatus", map[string]any{"sub_mchid": "1900000110", "operation_type": "open"}, "/operation_type"},
		"no operation":         {"changecustompagestatus", map[string]any{"sub_mchid": "1900000110"}, "/operation_type"},
		"unknown scene":        {"changegoldplanstatus", map[string]any{"sub_mchid": "1900000110", "operation_type": "OPEN", "operation_pay_scene": "APP"}, "/operation_pay_scene"},
		"no filters":           {"set-advertising-industry-filter", map[string]any{"sub_mchid": "1900000110"}, "/advertising_industry_filters"},
		"empty filters":        {"set-advertising-industry-filter", map[string]any{"sub_mchid": "1900000110", "advertising_industry_filters": []string{}}, "/advertising_industry_filters"},
		"four filters":         {"set-advertising-industry-filter", map[string]any{"sub_mchid": "1900000110", "advertising_industry_filters": []string{"CAR", "GAME", "LAW", "FOOD"}}, "/advertising_industry_filters"},
		"corrected spelling":   {"set-advertising-industry-filter", map[string]any{"sub_mchid": "1900000110", "advertising_industry_filters": []string{"PHOTOGRAPHY"}}, "/advertising_industry_filters/0"},
		"duplicate filter":     {"set-advertising-industry-filter", map[string]any{"sub_mchid": "1900000110", "advertising_industry_filters": []string{"CAR", "CAR"}}, "/advertising_industry_filters/1"},
	} {
		t.Run(name, func(t *testing.T) {
			sgRequireError(t, f.do(http.MethodPost, tc.endpoint, tc.body), http.StatusBadRequest, "PARAM_ERROR", tc.field, "body")
		})
	}
	// Open with four filters is also refused, with PATCH.
	err := f.do(http.MethodPatch, "open-advertising-show", map[string]any{"sub_mchid": "1900000110", "advertising_industry_filters": []string{"CAR", "GAME", "LAW", "FOOD"}})
	sgRequireError(t, err, http.StatusBadRequest, "PARAM_ERROR", "/advertising_industry_filters", "body")
}

func TestGoldPlanMethodsAreStrict(t *testing.T) {
	f := newGPFixture(t)
	f.status(t, "OPEN")
	body := map[string]any{"sub_mchid": "1900000110"}
	require.Error(t, f.do(http.MethodPost, "open-advertising-show", body), "opening adverts is a PATCH")
	require.Error(t, f.do(http.MethodPatch, "close-advertising-show", body), "closing adverts is a POST")
	require.NoError(t, f.do(http.MethodPatch, "open-advertising-show", body))
	require.NoError(t, f.do(http.MethodPost, "close-advertising-show", body))
}

func TestGoldPlanFlow(t *testing.T) {
	f := newGPFixture(t)
	sub := map[string]any{"sub_mchid": "1900000110"}
	open := map[string]any{"sub_mchid": "1900000110", "operation_type": "OPEN"}

	// Everything but opening the gold plan (and closing pages) needs it open.
	sgRequireError(t, f.do(http.MethodPost, "changecustompagestatus", open), http.StatusBadRequest, "INVALID_REQUEST", "", "")
	sgRequireError(t, f.do(http.MethodPost, "set-advertising-industry-filter", map[string]any{"sub_mchid": "1900000110", "advertising_industry_filters": []string{"CAR"}}), http.StatusBadRequest, "INVALID_REQUEST", "", "")
	sgRequireError(t, f.do(http.MethodPatch, "open-advertising-show", sub), http.StatusBadRequest, "INVALID_REQUEST", "", "")
	sgRequireError(t, f.do(http.MethodPost, "close-advertising-show", sub), http.StatusBadRequest, "INVALID_REQUEST", "", "")
	require.NoError(t, f.do(http.MethodPost, "changecustompagestatus", map[string]any{"sub_mchid": "1900000110", "operation_type": "CLOSE"}))

	// Closing a gold plan that was never open does not start the 24-hour wait.
	f.status(t, "CLOSE")
	f.status(t, "OPEN")
	require.Equal(t, GoldPlanRecord{GoldPlanOpen: true, PayScene: "JSAPI"}, f.sb.GoldPlanStatus("1900000110"))

	require.NoError(t, f.do(http.MethodPost, "changecustompagestatus", open))
	require.NoError(t, f.do(http.MethodPost, "set-advertising-industry-filter", map[string]any{"sub_mchid": "1900000110", "advertising_industry_filters": []string{"POTOGRAPHY", "BUSSINESS", "INDUSTY"}}))
	require.NoError(t, f.do(http.MethodPatch, "open-advertising-show", map[string]any{"sub_mchid": "1900000110", "advertising_industry_filters": []string{"FOOD"}}))
	st := f.sb.GoldPlanStatus("1900000110")
	require.True(t, st.CustomPageOpen)
	require.True(t, st.AdvertisingShown)
	require.Equal(t, []string{"FOOD"}, st.IndustryFilters, "open with filters replaces them")
	st.IndustryFilters[0] = "CAR"
	require.Equal(t, []string{"FOOD"}, f.sb.GoldPlanStatus("1900000110").IndustryFilters, "the record is a copy")

	// Closed, it can only be reopened 24 hours later.
	f.status(t, "CLOSE")
	f.clock.Add(int64((24*time.Hour - time.Second) / time.Second))
	sgRequireError(t, f.do(http.MethodPost, "changegoldplanstatus", open), http.StatusBadRequest, "INVALID_REQUEST", "", "")
	f.clock.Add(1)
	f.status(t, "OPEN")

	// Another sub-merchant is independent; the provider itself is not a sub-merchant.
	require.Equal(t, GoldPlanRecord{}, f.sb.GoldPlanStatus("1900000111"))
	err := f.do(http.MethodPost, "changegoldplanstatus", map[string]any{"sub_mchid": f.sb.MerchantID, "operation_type": "OPEN"})
	sgRequireError(t, err, http.StatusBadRequest, "INVALID_REQUEST", "", "")
}

func TestGoldPlanCustomPageNeedsReceiptURL(t *testing.T) {
	f := newGPFixture(t)
	f.status(t, "OPEN")
	f.sb.GoldPlanSetReceiptURLConfigured(false)
	open := map[string]any{"sub_mchid": "1900000110", "operation_type": "OPEN"}
	sgRequireError(t, f.do(http.MethodPost, "changecustompagestatus", open), http.StatusBadRequest, "INVALID_REQUEST", "", "")
	f.sb.GoldPlanSetReceiptURLConfigured(true)
	require.NoError(t, f.do(http.MethodPost, "changecustompagestatus", open))
}
