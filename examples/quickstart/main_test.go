package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/bill"
	"github.com/wechatpay-biz/wechatpay-biz-go/examples/internal/flows"
	"github.com/wechatpay-biz/wechatpay-biz-go/internal/sandboxcmd"
	"github.com/wechatpay-biz/wechatpay-biz-go/internal/sandboxfiles"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

// TestReadmeQuickStartIsThisProgram fails when the Quick start in either
// README differs from this file: the README shows the program `make demo`
// runs, character for character.
func TestReadmeQuickStartIsThisProgram(t *testing.T) {
	src, err := os.ReadFile("main.go")
	require.NoError(t, err)
	for _, readme := range []string{"../../README.md", "../../README.zh-CN.md"} {
		b, err := os.ReadFile(readme)
		require.NoError(t, err)
		var blocks []string
		for _, block := range goBlocks(string(b)) {
			if strings.HasPrefix(block, "// Command quickstart") {
				blocks = append(blocks, block)
			}
		}
		require.Len(t, blocks, 1, "%s: one ```go block starting with \"// Command quickstart\"", readme)
		require.Equal(t, string(src), blocks[0], "%s: the Quick start must be examples/quickstart/main.go verbatim", readme)
	}
}

// goBlocks returns the contents of the ```go fenced blocks of a Markdown text.
func goBlocks(md string) []string {
	var out []string
	for {
		i := strings.Index(md, "\n```go\n")
		if i < 0 {
			return out
		}
		md = md[i+len("\n```go\n"):]
		j := strings.Index(md, "\n```\n")
		if j < 0 {
			return out
		}
		out = append(out, md[:j+1])
		md = md[j:]
	}
}

func TestQuickstartAgainstSandbox(t *testing.T) {
	sb, err := sandbox.NewServer()
	require.NoError(t, err)
	defer sb.Close()
	day := bill.DateOf(time.Now()).AddDays(-2)
	flows.RecordBusinessDay(sb, day)
	vars, err := sandboxfiles.Write(sb, t.TempDir())
	require.NoError(t, err)
	for k, v := range vars {
		t.Setenv(k, v)
	}
	out := captureStdout(t, func() { require.NoError(t, run()) })
	require.Regexp(t, `^trade bill for `+day.String()+`: SHA-1 [0-9a-f]{40}, Request-ID \S+\n$`, out)

	// A day without payments is a verified answer too, not a failure.
	sb2, err := sandbox.NewServer()
	require.NoError(t, err)
	defer sb2.Close()
	t.Setenv("WECHATPAY_BASE_URL", sb2.URL)
	out = captureStdout(t, func() { require.NoError(t, run()) })
	require.Regexp(t, `^no trade bill for `+day.String()+` \(no payments that day\), Request-ID \S+\n$`, out)
}

// The Quick start runs against the standalone sandbox configured only by
// the env file it writes (`go run ./cmd/wechatpay-sandbox`, then `set -a;
// . ./sandbox-keys/sandbox.env; set +a; go run ./examples/quickstart`): the
// file names the merchant certificate too.
func TestQuickstartAgainstTheStandaloneSandbox(t *testing.T) {
	for _, v := range []string{"WECHATPAY_MCH_ID", "WECHATPAY_MCH_KEY_FILE", "WECHATPAY_MCH_CERT_FILE", "WECHATPAY_MCH_SERIAL",
		"WECHATPAY_APIV3_KEY", "WECHATPAY_PUBLIC_KEY_ID", "WECHATPAY_PUBLIC_KEY_FILE", "WECHATPAY_BASE_URL"} {
		t.Setenv(v, "")
	}
	dir := filepath.Join(t.TempDir(), "sandbox keys") // a space: the file's quoting is exercised
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

	env := sourceEnvFile(t, filepath.Join(dir, sandboxcmd.EnvFile))
	require.Equal(t, filepath.Join(dir, "apiclient_cert.pem"), env["WECHATPAY_MCH_CERT_FILE"])
	for k, v := range env {
		t.Setenv(k, v)
	}
	out := captureStdout(t, func() { require.NoError(t, run()) })
	day := bill.DateOf(time.Now()).AddDays(-2)
	require.Regexp(t, `^no trade bill for `+day.String()+` \(no payments that day\), Request-ID \S+\n$`, out,
		"a verified answer from the standalone sandbox (no business recorded there)")
}

// sourceEnvFile reads NAME=value lines as `set -a; . file; set +a` would:
// a value is bare, or in single quotes as a POSIX shell quotes it.
func sourceEnvFile(t *testing.T, path string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	env := map[string]string{}
	for _, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		require.True(t, ok, "not NAME=value: %q", line)
		if strings.HasPrefix(v, "'") {
			require.True(t, len(v) >= 2 && strings.HasSuffix(v, "'"), "unterminated quote: %q", line)
			v = strings.ReplaceAll(v[1:len(v)-1], `'\''`, "'")
		} else {
			require.NotContains(t, v, " ", "an unquoted value with a space: %q", line)
		}
		env[k] = v
	}
	return env
}

func TestQuickstartNamesEveryMissingVariable(t *testing.T) {
	for _, v := range []string{"WECHATPAY_MCH_ID", "WECHATPAY_MCH_KEY_FILE", "WECHATPAY_MCH_CERT_FILE",
		"WECHATPAY_APIV3_KEY", "WECHATPAY_PUBLIC_KEY_ID", "WECHATPAY_PUBLIC_KEY_FILE"} {
		t.Setenv(v, "")
	}
	t.Setenv("WECHATPAY_MCH_ID", "1900000109")
	err := run()
	require.EqualError(t, err, "set WECHATPAY_MCH_KEY_FILE, WECHATPAY_MCH_CERT_FILE, WECHATPAY_APIV3_KEY, WECHATPAY_PUBLIC_KEY_ID, WECHATPAY_PUBLIC_KEY_FILE")
}

func captureStdout(t *testing.T, f func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	require.NoError(t, err)
	old := os.Stdout
	os.Stdout = w
	defer func() { os.Stdout = old }()
	done := make(chan []byte)
	go func() {
		b, _ := io.ReadAll(r)
		done <- b
	}()
	f()
	w.Close()
	return string(<-done)
}
