package setup_test

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/examples/internal/setup"
	"github.com/wechatpay-biz/wechatpay-biz-go/internal/sandboxcmd"
)

// The env file of the standalone sandbox configures the examples as for
// the real API: they then run against the standalone sandbox.
func TestEnvFileOfTheStandaloneSandbox(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keys")
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := sandboxcmd.Run(ctx, []string{"-listen", "127.0.0.1:0", "-keys", dir}, pw, io.Discard)
		pw.Close()
		done <- err
	}()
	sc := bufio.NewScanner(pr)
	for sc.Scan() && !strings.Contains(sc.Text(), "Ctrl-C") {
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	defer func() { cancel(); require.NoError(t, <-done) }()

	b, err := os.ReadFile(filepath.Join(dir, sandboxcmd.EnvFile))
	require.NoError(t, err)
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(line, "#") {
			t.Setenv(k, strings.Trim(v, "'"))
		}
	}
	env, err := setup.New()
	require.NoError(t, err)
	defer env.Close()
	require.True(t, env.Real(), "configured by variables, as for the real API")
	resp, err := env.Client.Do(context.Background(), &core.Request{Method: http.MethodGet, Path: "/v3/certificates"}, nil)
	require.NoError(t, err)
	require.NotEmpty(t, resp.RequestID)
}
