package main

import (
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/bill"
	"github.com/wechatpay-biz/wechatpay-biz-go/examples/internal/flows"
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
