package sandboxcmd_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

// readmeAdminBlock returns the lines of the README's ```sh block that
// drives the admin API (the one starting S=$WECHATPAY_SANDBOX_ADMIN_URL).
func readmeAdminBlock(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	md := string(b)
	i := strings.Index(md, "```sh\nS=$WECHATPAY_SANDBOX_ADMIN_URL")
	require.GreaterOrEqual(t, i, 0, "%s: no ```sh block starting S=$WECHATPAY_SANDBOX_ADMIN_URL", path)
	md = md[i+len("```sh\n"):]
	j := strings.Index(md, "\n```\n")
	require.GreaterOrEqual(t, j, 0, "%s: the block does not end", path)
	return strings.Split(md[:j], "\n")
}

// shell is a bash session the README's lines run in one by one, so that
// variables (P=$(…)) carry over and the test can act between lines.
type shell struct {
	t   *testing.T
	in  io.WriteCloser
	out *bufio.Scanner
}

func newShell(t *testing.T, env []string) *shell {
	t.Helper()
	cmd := exec.Command("bash", "--noprofile", "--norc")
	cmd.Dir = t.TempDir()
	cmd.Env = env
	in, err := cmd.StdinPipe()
	require.NoError(t, err)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = cmd.Stdout
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { in.Close(); _ = cmd.Wait() })
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 1<<20), 1<<22)
	sh := &shell{t: t, in: in, out: sc}
	// A failed HTTP answer fails the line (curl -s alone would exit 0),
	// and so does any command of a pipeline.
	sh.run(`set -o pipefail; curl() { command curl --fail-with-body --max-time 20 "$@"; }`)
	return sh
}

// run runs one line and returns its exit status and output.
func (sh *shell) run(line string) (int, string) {
	sh.t.Helper()
	_, err := fmt.Fprintf(sh.in, "%s\nprintf '\\n@@END %%d\\n' $?\n", line)
	require.NoError(sh.t, err)
	var out strings.Builder
	for sh.out.Scan() {
		if rest, ok := strings.CutPrefix(sh.out.Text(), "@@END "); ok {
			code, err := strconv.Atoi(rest)
			require.NoError(sh.t, err)
			return code, out.String()
		}
		out.WriteString(sh.out.Text() + "\n")
	}
	sh.t.Fatalf("bash ended while running %q: %s", line, out.String())
	return 0, ""
}

// TestReadmeAdminExamplesRun runs the admin API examples of both READMEs,
// line by line as written, against the standalone sandbox configured by
// its sandbox.env, with bash, curl and jq. Where a comment says the
// merchant's service makes a /v3 call, the test makes it (signed, through
// the SDK's client built from sandbox.env) and puts the <…> value it
// returns into the line. Every line must succeed with a 2xx answer, and
// every endpoint GET /sandbox/ lists must appear in the block.
func TestReadmeAdminExamplesRun(t *testing.T) {
	for _, bin := range []string{"bash", "curl", "jq"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Skipf("the README's examples need %s: %v", bin, err)
		}
	}
	for _, readme := range []string{"../../README.md", "../../README.zh-CN.md"} {
		t.Run(filepath.Base(readme), func(t *testing.T) { runReadmeAdminBlock(t, readme) })
	}
	// Both READMEs show the same commands; only the comments are translated.
	require.Equal(t, commands(readmeAdminBlock(t, "../../README.md")), commands(readmeAdminBlock(t, "../../README.zh-CN.md")))
}

// commands drops the comment lines of a shell block and the comments after
// the commands (set off by spaces).
func commands(lines []string) []string {
	var out []string
	for _, l := range lines {
		if strings.HasPrefix(l, "#") || strings.TrimSpace(l) == "" {
			continue
		}
		if i := strings.Index(l, "  #"); i >= 0 {
			l = l[:i]
		}
		out = append(out, strings.TrimSpace(l))
	}
	return out
}

func runReadmeAdminBlock(t *testing.T, readme string) {
	lines := readmeAdminBlock(t, readme)
	s := Start(t, "-listen", "127.0.0.1:0")
	ctx := context.Background()
	key, err := core.LoadPrivateKeyFile(s.Env["WECHATPAY_MCH_KEY_FILE"])
	require.NoError(t, err)
	pub, err := core.LoadPublicKeyFile(s.Env["WECHATPAY_PUBLIC_KEY_FILE"])
	require.NoError(t, err)
	c, err := core.NewClient(core.WithMerchant(s.Env["WECHATPAY_MCH_ID"], s.Env["WECHATPAY_MCH_SERIAL"], key),
		core.WithAPIv3Key(s.Env["WECHATPAY_APIV3_KEY"]), core.WithPlatformPublicKey(s.Env["WECHATPAY_PUBLIC_KEY_ID"], pub),
		core.WithBaseURL(s.Env["WECHATPAY_BASE_URL"]), core.WithRetry(core.NoRetry))
	require.NoError(t, err)
	call := func(path string, body any) map[string]any {
		t.Helper()
		var out map[string]any
		_, err := c.Do(ctx, &core.Request{Method: http.MethodPost, Path: path, Body: body}, &out)
		require.NoError(t, err, "POST %s", path)
		return out
	}
	appID := s.Env["WECHATPAY_APPID"]
	const notifyURL = "http://127.0.0.1:9/notify" // loopback: plain http allowed; nobody listens
	createOrder := func(no string) {
		call("/v3/payscore/serviceorder", map[string]any{
			"out_order_no": no, "appid": appID, "service_id": sandbox.PayScoreConfirmServiceID, "service_introduction": "充电宝",
			"time_range": map[string]any{"start_time": "OnAccept"}, "risk_fund": map[string]any{"name": "DEPOSIT", "amount": 9900},
			"notify_url": notifyURL,
		})
	}
	const paid = 2900
	sh := newShell(t, append(os.Environ(), "WECHATPAY_SANDBOX_ADMIN_URL="+s.Env["WECHATPAY_SANDBOX_ADMIN_URL"]))

	// What the merchant's service does before a line, keyed by what the
	// line contains; each returns the line with its <…> values filled in.
	hooks := []struct {
		marker string
		before func(line string) string
		ran    bool
	}{
		{`"<token>"`, func(line string) string {
			out := call("/v3/payscore/permissions", map[string]any{"service_id": sandbox.PayScoreNoConfirmServiceID, "appid": appID, "authorization_code": "README-1"})
			return strings.Replace(line, "<token>", out["apply_permissions_token"].(string), 1)
		}, false},
		{"/payscore/confirm", func(line string) string { createOrder("ORDER-1"); return line }, false},
		{"/payscore/pay", func(line string) string {
			end := time.Now().In(time.FixedZone("CST", 8*3600)).Format("20060102150405")
			call("/v3/payscore/serviceorder/ORDER-1/complete", map[string]any{
				"appid": appID, "service_id": sandbox.PayScoreConfirmServiceID, "total_amount": paid,
				"post_payments": []any{map[string]any{"name": "服务费", "amount": paid}},
				"time_range":    map[string]any{"end_time": end},
			})
			return line
		}, false},
		{"/payscore/expire", func(line string) string { createOrder("ORDER-2"); return line }, false},
		{`"<partner token>"`, func(line string) string {
			out := call("/v3/payscore/partner/permissions", map[string]any{"service_id": sandbox.PayScoreNoConfirmServiceID, "appid": appID,
				"sub_mchid": sandbox.PayScorePartnerSubMchID, "authorization_code": "README-2"})
			return strings.Replace(line, "<partner token>", out["apply_permissions_token"].(string), 1)
		}, false},
		{`"<refund_id>"`, func(line string) string {
			code, p := sh.run(`printf '%s\n' "$P"`)
			require.Zero(t, code)
			p = strings.TrimSpace(p)
			require.Regexp(t, `^\d+$`, p, "$P holds the transaction_id of the pay-score payment")
			out := call("/v3/refund/domestic/refunds", map[string]any{"transaction_id": p, "out_refund_no": "README-R1",
				"amount": map[string]any{"refund": 900, "total": paid, "currency": "CNY"}})
			require.Equal(t, "PROCESSING", out["status"])
			return strings.Replace(line, "<refund_id>", out["refund_id"].(string), 1)
		}, false},
	}

	for _, line := range lines {
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		for i := range hooks {
			if strings.Contains(line, hooks[i].marker) && !hooks[i].ran {
				line, hooks[i].ran = hooks[i].before(line), true
			}
		}
		require.NotRegexp(t, `<[^>]*>`, line, "a placeholder the test does not fill")
		code, out := sh.run(line)
		require.Zero(t, code, "%s: %s\n%s", readme, line, out) // curl --fail-with-body: a 2xx answer
	}
	for _, h := range hooks {
		require.True(t, h.ran, "%s: no line for %s", readme, h.marker)
	}

	// Every admin endpoint is in the block.
	resp, err := http.Get(s.Env["WECHATPAY_SANDBOX_ADMIN_URL"] + "/")
	require.NoError(t, err)
	defer resp.Body.Close()
	var index struct {
		Endpoints []struct{ Route string } `json:"endpoints"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&index))
	block := strings.Join(lines, "\n")
	for _, e := range index.Endpoints {
		method, path, _ := strings.Cut(e.Route, " ")
		path = strings.TrimPrefix(path, "/sandbox")
		end := `(\s|$)`
		if p, _, ok := strings.Cut(path, "{"); ok { // GET /sandbox/notifications/{id}: any id
			path, end = p, ``
		}
		re := `curl -s \$S` + regexp.QuoteMeta(path) + end
		if method != http.MethodGet {
			re = `curl -s -X ` + method + ` \$S` + regexp.QuoteMeta(path) + end
		}
		require.Regexp(t, re, block, "%s: the block shows %s", readme, e.Route)
	}
}
