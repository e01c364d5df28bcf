package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/internal/sandboxcmd"
)

// running is `wechatpay sandbox` started in-process, serving until stop.
type running struct {
	keys   string
	lines  []string // standard output up to the "press Ctrl-C" line
	stderr *lockedWriter
	stop   context.CancelFunc
	done   chan int
	rest   chan string // standard output after the ready line, once it ends
}

// lockedWriter is an io.Writer safe for the goroutine running the command.
type lockedWriter struct {
	mu sync.Mutex
	b  strings.Builder
}

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *lockedWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// startSandbox runs the command with args and waits, reading its output
// as it comes (no sleeping), until it says it is ready.
func startSandbox(t *testing.T, args ...string) *running {
	t.Helper()
	keys := filepath.Join(t.TempDir(), "keys")
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	r := &running{keys: keys, stderr: &lockedWriter{}, stop: cancel, done: make(chan int, 1), rest: make(chan string, 1)}
	a := newApp(pw, r.stderr, func(string) string { return "" })
	go func() {
		code := a.run(ctx, append([]string{"sandbox", "--keys", keys}, args...))
		pw.Close()
		r.done <- code
	}()
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		r.lines = append(r.lines, sc.Text())
		if strings.Contains(sc.Text(), "press Ctrl-C") {
			break
		}
	}
	go func() {
		b, _ := io.ReadAll(pr)
		r.rest <- string(b)
	}()
	require.FileExists(t, filepath.Join(keys, sandboxcmd.EnvFile), "stdout %q, stderr %q", r.lines, r.stderr.String())
	t.Cleanup(cancel)
	return r
}

// env reads the sandbox.env the command wrote.
func (r *running) env(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(r.keys, sandboxcmd.EnvFile))
	require.NoError(t, err)
	env := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(line, "#") {
			env[k] = strings.Trim(v, "'")
		}
	}
	return env
}

// wait stops the sandbox as Ctrl-C does and returns the exit status and
// the rest of standard output.
func (r *running) wait(t *testing.T) (int, string) {
	t.Helper()
	r.stop()
	select {
	case code := <-r.done:
		return code, <-r.rest
	case <-time.After(10 * time.Second):
		t.Fatal("wechatpay sandbox did not stop when its context ended")
		return 0, ""
	}
}

func TestSandboxServesUntilStopped(t *testing.T) {
	r := startSandbox(t, "--listen", "127.0.0.1:0", "--bills-today")
	out := strings.Join(r.lines, "\n")
	require.Contains(t, out, "WeChat Pay sandbox (test-only keys) listening on http://127.0.0.1:")
	env := r.env(t)
	base := env["WECHATPAY_BASE_URL"]
	require.True(t, strings.HasPrefix(base, "http://127.0.0.1:"), base)
	require.Contains(t, out, filepath.Join(r.keys, sandboxcmd.EnvFile))

	// The admin API answers, without a signature.
	resp, err := http.Get(base + "/sandbox/credentials")
	require.NoError(t, err)
	var creds struct {
		MchID string `json:"mchid"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&creds))
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, env["WECHATPAY_MCH_ID"], creds.MchID)

	// The signed API answers: this command, configured by sandbox.env alone
	// as an operator's shell would be, downloads and verifies the platform
	// certificates from it.
	var stdout, stderr strings.Builder
	certs := filepath.Join(t.TempDir(), "certs")
	code := newApp(&stdout, &stderr, func(k string) string { return env[k] }).run(context.Background(), []string{"certificates", "--out", certs})
	require.Equal(t, 0, code, stderr.String())
	require.Contains(t, stdout.String(), "1 platform certificate(s) decrypted, verified and saved")

	code, rest := r.wait(t)
	require.Equal(t, 0, code, r.stderr.String())
	require.Contains(t, rest, "sandbox stopped")
	require.Empty(t, r.stderr.String())
	_, err = http.Get(base + "/sandbox/")
	require.Error(t, err, "nothing listens after the stop")
}

func TestSandboxTimeoutStopsIt(t *testing.T) {
	var stdout, stderr strings.Builder
	keys := filepath.Join(t.TempDir(), "keys")
	code := newApp(&stdout, &stderr, os.Getenv).run(context.Background(),
		[]string{"sandbox", "--listen", "127.0.0.1:0", "--keys", keys, "--timeout", "1ms"})
	require.Equal(t, 0, code, stderr.String())
	require.Contains(t, stdout.String(), "sandbox stopped")
	require.FileExists(t, filepath.Join(keys, sandboxcmd.EnvFile))
}

func TestSandboxUsageAndStartFailures(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--listen", "8080"}, `--listen "8080" is not host:port (e.g. 127.0.0.1:8080`},
		{[]string{"--listen", ":8080"}, "--listen :8080 would listen on every interface, beyond the loopback interface"},
		{[]string{"--listen", "0.0.0.0:8080"}, "would listen on every interface"},
		{[]string{"--listen", "192.0.2.1:8080"}, "would listen on host 192.0.2.1"},
		{[]string{"--listen", "127.0.0.1:0", "--mode", "public"}, `--mode "public" is not one of migrating, public-key, certificate`},
		{[]string{"--listen", "127.0.0.1:0", "--keys", ""}, "--keys must name a directory"},
		{[]string{"--port", "8080"}, "unknown flag: --port"},
		{[]string{"127.0.0.1:8080"}, `unexpected argument "127.0.0.1:8080": sandbox takes flags only`},
		{[]string{"--timeout", "0"}, "--timeout must be positive"},
	} {
		r := f.run(t, append([]string{"sandbox", "--keys", filepath.Join(f.dir, "keys")}, tc.args...)...)
		require.Equal(t, 2, r.code, "%v: %s", tc.args, r.stderr)
		require.Contains(t, r.stderr, tc.want, tc.args)
		require.Contains(t, r.stderr, `(see "wechatpay sandbox --help")`)
	}
	require.Empty(t, leftovers(t, f.dir), "nothing written on a usage error")

	// A --keys directory every user can write to is refused by the
	// standalone logic after the flags passed: a usage error too, as from
	// cmd/wechatpay-sandbox, in this command's flag names.
	shared := filepath.Join(f.dir, "shared")
	require.NoError(t, os.Mkdir(shared, 0o700))
	require.NoError(t, os.Chmod(shared, 0o777))
	r := f.run(t, "sandbox", "--listen", "127.0.0.1:0", "--keys", shared)
	require.Equal(t, 2, r.code, r.stderr)
	require.Contains(t, r.stderr, "writable by every user (mode 0777); use a private --keys directory")
	require.Contains(t, r.stderr, `(see "wechatpay sandbox --help")`)
	require.NoError(t, os.Remove(shared))

	// A taken port is a failure to start (1), and says what to do.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	r = f.run(t, "sandbox", "--listen", l.Addr().String(), "--keys", filepath.Join(f.dir, "keys"))
	require.Equal(t, 1, r.code, r.stderr)
	require.Contains(t, r.stderr, "wechatpay: sandbox: "+l.Addr().String()+" is already in use (another sandbox?)")
}

// Every flag of internal/sandboxcmd.Run is a flag of `wechatpay sandbox`
// with the same default, so the two commands never drift apart.
func TestSandboxFlagsMatchTheStandaloneCommand(t *testing.T) {
	var usage strings.Builder
	err := sandboxcmd.Run(context.Background(), []string{"-h"}, io.Discard, &usage)
	require.True(t, errors.Is(err, flag.ErrHelp), "%v", err)
	cmd := newApp(io.Discard, io.Discard, os.Getenv).sandboxCmd()
	re := regexp.MustCompile(`(?m)^  -([a-z-]+)(?: \w+)?\n\s+.*?(?:\(default "?([^")]*)"?\))?$`)
	found := re.FindAllStringSubmatch(usage.String(), -1)
	var names []string
	for _, m := range found {
		names = append(names, m[1])
	}
	require.Subset(t, names, []string{"listen", "keys", "allow-remote", "mode", "bills-today", "log"}, usage.String())
	for _, m := range found {
		fl := cmd.Flags().Lookup(m[1])
		require.NotNil(t, fl, "wechatpay sandbox lacks --%s", m[1])
		if m[2] != "" {
			require.Equal(t, m[2], fl.DefValue, "default of --%s", m[1])
		}
	}
}
