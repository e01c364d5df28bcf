package flows_test

import (
	"context"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
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
	against := "against " + env.BaseURL // the host in WECHATPAY_BASE_URL, not "the real API"
	for _, tc := range []struct {
		flow func(context.Context, *setup.Env) error
		want string
	}{
		{flows.PayScore, against + " this example also needs WECHATPAY_APPID, WECHATPAY_PAYSCORE_SERVICE_ID, WECHATPAY_OPENID"},
		{flows.BusinessCircle, against + " this example also needs WECHATPAY_BC_APPID, WECHATPAY_BC_OPENID (the member whose authorization is queried)"},
		{flows.SmartGuide, against + " this example also needs WECHATPAY_SG_STORE_ID (the store whose guides are queried)"},
		{flows.GoldPlan, against + " this example also needs WECHATPAY_GP_SUB_MCHID (the sub-merchant whose gold plan settings this example changes)"},
		{flows.Refund, against + " this example also needs WECHATPAY_APPID, WECHATPAY_PAYSCORE_SERVICE_ID, WECHATPAY_OPENID (the user whose pay-score state is queried), or WECHATPAY_OUT_REFUND_NO (a refund of yours to query)"},
	} {
		require.EqualError(t, setup.Run(ctx, env, tc.flow), tc.want)
	}
	require.Zero(t, env.Calls(), "nothing was sent")

	t.Setenv("WECHATPAY_OPENID", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o")
	require.EqualError(t, flows.PayScore(ctx, env), against+" this example also needs WECHATPAY_APPID, WECHATPAY_PAYSCORE_SERVICE_ID")
	t.Setenv("WECHATPAY_BASE_URL", "")
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

// stdout runs f with the standard output captured (the flows print their
// steps, as the examples do).
func stdout(t *testing.T, f func() error) (string, error) {
	t.Helper()
	r, w, err := os.Pipe()
	require.NoError(t, err)
	saved := os.Stdout
	os.Stdout = w
	done := make(chan string)
	go func() {
		b, _ := io.ReadAll(r)
		done <- string(b)
	}()
	ferr := f()
	os.Stdout = saved
	w.Close()
	return <-done, ferr
}

// curlOf finds the printed `curl -s -X POST URL -d 'JSON'` after marker
// and sends it as a shell would.
func curlOf(t *testing.T, out, marker string) *http.Response {
	t.Helper()
	m := regexp.MustCompile(regexp.QuoteMeta(marker) + `\s+curl -s -X POST (\S+) -d '([^']*)'`).FindStringSubmatch(out)
	require.NotNil(t, m, "no curl after %q in:\n%s", marker, out)
	resp, err := http.Post(m[1], "application/json", strings.NewReader(m[2]))
	require.NoError(t, err)
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// Configured by the standalone sandbox's env file (WECHATPAY_SANDBOX_ADMIN_URL
// set), every example runs without further variables, and the pay-score
// example prints the admin API calls that play the user: sending them as
// printed lets a second run create and complete the order.
func TestRealModeAgainstTheStandaloneSandbox(t *testing.T) {
	env := realEnv(t)
	t.Setenv(setup.AdminURLVar, env.BaseURL+"/sandbox") // as sandbox.env sets it
	env.AdminURL = env.BaseURL + "/sandbox/"
	ctx := context.Background()
	for name, flow := range map[string]func(context.Context, *setup.Env) error{
		"goldplan": flows.GoldPlan, "smartguide": flows.SmartGuide, "businesscircle": flows.BusinessCircle,
		"payscore-refund": flows.Refund, "bill": flows.Bill,
	} {
		before := env.Calls()
		out, err := stdout(t, func() error { return flow(ctx, env) })
		require.NoError(t, err, "%s: %s", name, out)
		require.Greater(t, env.Calls(), before, name)
	}

	out, err := stdout(t, func() error { return flows.PayScore(ctx, env) })
	require.NoError(t, err, out)
	require.Contains(t, out, "[sandbox] WECHATPAY_OPENID=oUpF8uMuAJO_M2pxb1Q9zNjWeS6o (the standalone sandbox's test value")
	resp := curlOf(t, out, "standalone sandbox: the user authorizes with")
	require.Equal(t, http.StatusOK, resp.StatusCode)

	out, err = stdout(t, func() error { return flows.PayScore(ctx, env) })
	require.NoError(t, err, out)
	require.Contains(t, out, "[1] GET permissions/openid -> AVAILABLE")
	require.Contains(t, out, "[5] POST serviceorder/")
	resp = curlOf(t, out, "standalone sandbox: Pay Score collects with")
	require.Equal(t, http.StatusOK, resp.StatusCode)
}
