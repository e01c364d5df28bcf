package flows_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/examples/internal/flows"
	"github.com/wechatpay-biz/wechatpay-biz-go/examples/internal/setup"
	"github.com/wechatpay-biz/wechatpay-biz-go/internal/sandboxfiles"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

// realEnv builds the examples' real-API environment from WECHATPAY_*
// variables pointing at a sandbox (WECHATPAY_BASE_URL), as a merchant's
// staging host would be: Env.Sandbox is nil, so sandbox-only steps are
// skipped exactly as against the real API.
func realEnv(t *testing.T) *setup.Env {
	t.Helper()
	sb, err := sandbox.NewServer()
	require.NoError(t, err)
	t.Cleanup(sb.Close)
	vars, err := sandboxfiles.Write(sb, t.TempDir())
	require.NoError(t, err)
	for k, v := range vars {
		t.Setenv(k, v)
	}
	for _, v := range []string{"WECHATPAY_APPID", "WECHATPAY_PAYSCORE_SERVICE_ID", "WECHATPAY_OPENID",
		"WECHATPAY_BC_APPID", "WECHATPAY_BC_OPENID", "WECHATPAY_BC_BRANDID",
		"WECHATPAY_SG_STORE_ID", "WECHATPAY_SG_SUB_MCHID", "WECHATPAY_GP_SUB_MCHID", "WECHATPAY_SUB_MCHID"} {
		t.Setenv(v, "")
	}
	env, err := setup.New()
	require.NoError(t, err)
	require.True(t, env.Real())
	require.Equal(t, sb.URL, env.BaseURL)
	return env
}

func TestRealModeNamesEveryMissingVariable(t *testing.T) {
	env := realEnv(t)
	ctx := context.Background()
	for _, tc := range []struct {
		flow func(context.Context, *setup.Env) error
		want string
	}{
		{flows.PayScore, "against the real API this example also needs WECHATPAY_APPID, WECHATPAY_PAYSCORE_SERVICE_ID, WECHATPAY_OPENID"},
		{flows.BusinessCircle, "against the real API this example also needs WECHATPAY_BC_APPID, WECHATPAY_BC_OPENID (the member whose authorization is queried)"},
		{flows.SmartGuide, "against the real API this example also needs WECHATPAY_SG_STORE_ID (the store whose guides are queried)"},
		{flows.GoldPlan, "against the real API this example also needs WECHATPAY_GP_SUB_MCHID (the sub-merchant whose gold plan settings this example changes)"},
	} {
		require.EqualError(t, setup.Run(ctx, env, tc.flow), tc.want)
	}
	require.Zero(t, env.Calls(), "nothing was sent")

	t.Setenv("WECHATPAY_OPENID", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o")
	require.EqualError(t, flows.PayScore(ctx, env), "against the real API this example also needs WECHATPAY_APPID, WECHATPAY_PAYSCORE_SERVICE_ID")
	t.Setenv("WECHATPAY_SG_STORE_ID", "12x")
	require.EqualError(t, flows.SmartGuide(ctx, env), `WECHATPAY_SG_STORE_ID="12x" is not a store ID (a number)`)
}

func TestRealModeRunsAgainstWECHATPAY_BASE_URL(t *testing.T) {
	env := realEnv(t)
	t.Setenv("WECHATPAY_GP_SUB_MCHID", "1900000110")
	require.NoError(t, setup.Run(context.Background(), env, flows.GoldPlan))
	require.EqualValues(t, 5, env.Calls())
	require.Equal(t, "5 API call(s) to "+env.BaseURL+" answered and verified; sandbox-only steps were skipped", setup.Summary(env))
}

func TestRealModeWithoutCredentials(t *testing.T) {
	t.Setenv("WECHATPAY_MCH_ID", "1900000109")
	for _, v := range []string{"WECHATPAY_MCH_SERIAL", "WECHATPAY_MCH_CERT_FILE", "WECHATPAY_MCH_KEY_FILE", "WECHATPAY_APIV3_KEY",
		"WECHATPAY_PUBLIC_KEY_ID", "WECHATPAY_PUBLIC_KEY_FILE", "WECHATPAY_BASE_URL"} {
		t.Setenv(v, "")
	}
	_, err := setup.New()
	require.EqualError(t, err, "real API mode (WECHATPAY_MCH_ID is set): missing WECHATPAY_MCH_KEY_FILE, "+
		"WECHATPAY_MCH_SERIAL (or WECHATPAY_MCH_CERT_FILE), WECHATPAY_APIV3_KEY (needed to download platform certificates without WECHATPAY_PUBLIC_KEY_ID)")
}

func TestAFlowThatMadeNoCallDoesNotPass(t *testing.T) {
	env, err := setup.NewSandbox()
	require.NoError(t, err)
	defer env.Close()
	err = setup.Run(context.Background(), env, func(context.Context, *setup.Env) error { return nil })
	require.EqualError(t, err, "no API call was made")
	require.NoError(t, setup.Run(context.Background(), env, flows.GoldPlan))
	require.Equal(t, "all steps passed", setup.Summary(env))
}
