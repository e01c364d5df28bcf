package flows_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/examples/internal/flows"
	"github.com/wechatpay-biz/wechatpay-biz-go/examples/internal/setup"
	"github.com/wechatpay-biz/wechatpay-biz-go/internal/sandboxcmd"
)

// sandbox.env carries the test values the examples need beyond the
// credentials (pay score, gold plan, smart guide, business circle), so a
// client in any language has them: configured by the file alone, every
// example runs against the standalone sandbox without falling back to a
// built-in value.
func TestEnvFileCarriesTheExamplesTestValues(t *testing.T) {
	for _, v := range []string{"WECHATPAY_MCH_ID", "WECHATPAY_MCH_SERIAL", "WECHATPAY_MCH_CERT_FILE", "WECHATPAY_BASE_URL",
		"WECHATPAY_BC_BRANDID", "WECHATPAY_SG_SUB_MCHID", "WECHATPAY_SUB_MCHID", "WECHATPAY_OUT_REFUND_NO"} {
		t.Setenv(v, "")
	}
	for k := range sandboxcmd.TestValues() {
		t.Setenv(k, "")
	}
	dir := filepath.Join(t.TempDir(), "keys")
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := sandboxcmd.Run(ctx, []string{"-listen", "127.0.0.1:0", "-keys", dir}, pw, io.Discard)
		pw.CloseWithError(errors.New("Run returned"))
		done <- err
	}()
	sc := bufio.NewScanner(pr)
	for sc.Scan() && !strings.Contains(sc.Text(), "Ctrl-C") {
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	defer func() { cancel(); require.NoError(t, <-done) }()

	b, err := os.ReadFile(filepath.Join(dir, sandboxcmd.EnvFile))
	require.NoError(t, err)
	file := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(line, "#") {
			file[k] = strings.Trim(v, "'")
			t.Setenv(k, file[k])
		}
	}
	for k, v := range sandboxcmd.TestValues() {
		require.Equal(t, v, file[k], "sandbox.env sets %s", k)
	}
	require.Equal(t, "1900000110", file["WECHATPAY_GP_SUB_MCHID"], "the sandbox's sub-merchant")

	env, err := setup.New()
	require.NoError(t, err)
	require.True(t, env.Real())
	for name, flow := range map[string]func(context.Context, *setup.Env) error{
		"goldplan": flows.GoldPlan, "smartguide": flows.SmartGuide, "businesscircle": flows.BusinessCircle,
		"payscore": flows.PayScore, "payscore-refund": flows.Refund,
	} {
		out, err := stdout(t, func() error { return setup.Run(context.Background(), env, flow) })
		require.NoError(t, err, "%s: %s", name, out)
		require.NotContains(t, out, "[sandbox] WECHATPAY_", "%s took every value from sandbox.env", name)
	}
}
