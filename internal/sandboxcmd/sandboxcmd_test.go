package sandboxcmd_test

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wechatpay-apiv3/wechatpay-go/utils"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/internal/sandboxcmd"
)

// lockedBuffer is an io.Writer safe for the goroutine running Run.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Standalone is a sandbox started by Run in the background.
type Standalone struct {
	Dir    string
	Env    map[string]string
	Stdout *lockedBuffer
	stop   context.CancelFunc
	done   chan error
}

// Stop ends Run (as Ctrl-C does) and returns its error.
func (s *Standalone) Stop(t *testing.T) error {
	t.Helper()
	s.stop()
	select {
	case err := <-s.done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after its context ended")
		return nil
	}
}

// Start runs the standalone sandbox with args plus -keys and waits until
// it says it is ready (no sleeping: it reads Run's output as it comes).
func Start(t *testing.T, args ...string) *Standalone {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "keys")
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	s := &Standalone{Dir: dir, Stdout: &lockedBuffer{}, stop: cancel, done: make(chan error, 1)}
	go func() {
		err := sandboxcmd.Run(ctx, append(args, "-keys", dir), pw, io.Discard)
		pw.CloseWithError(errors.New("Run returned"))
		s.done <- err
	}()
	sc := bufio.NewScanner(pr)
	ready := false
	for !ready && sc.Scan() {
		_, _ = s.Stdout.Write([]byte(sc.Text() + "\n"))
		ready = strings.Contains(sc.Text(), "Ctrl-C")
	}
	require.True(t, ready, "Run did not get ready: %s", s.Stdout.String())
	go func() { // keep draining: Run writes again when it stops
		for sc.Scan() {
			_, _ = s.Stdout.Write([]byte(sc.Text() + "\n"))
		}
	}()
	t.Cleanup(func() { cancel() })
	s.Env = readEnv(t, filepath.Join(dir, sandboxcmd.EnvFile))
	return s
}

func readEnv(t *testing.T, path string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	env := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		require.True(t, ok, line)
		env[k] = strings.Trim(v, "'")
	}
	return env
}

func TestRunWritesCredentialsServesAndStops(t *testing.T) {
	s := Start(t, "-listen", "127.0.0.1:0")
	base := s.Env["WECHATPAY_BASE_URL"]
	require.True(t, strings.HasPrefix(base, "http://127.0.0.1:"), base)
	out := s.Stdout.String()
	for _, want := range []string{base, s.Dir, sandboxcmd.EnvFile, "apiclient_key.pem", "/sandbox/", "test-only"} {
		assert.Contains(t, out, want)
	}
	assert.NotContains(t, out, "PRIVATE KEY", "keys are written to files, not printed")
	for _, k := range []string{"WECHATPAY_MCH_ID", "WECHATPAY_MCH_SERIAL", "WECHATPAY_MCH_KEY_FILE", "WECHATPAY_APIV3_KEY",
		"WECHATPAY_PUBLIC_KEY_ID", "WECHATPAY_PUBLIC_KEY_FILE", "WECHATPAY_APPID", "WECHATPAY_PAYSCORE_SERVICE_ID"} {
		assert.NotEmpty(t, s.Env[k], k)
	}
	fi, err := os.Stat(s.Env["WECHATPAY_MCH_KEY_FILE"])
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), "the private key file is private")

	// A client built only from the files calls the sandbox.
	key, err := utils.LoadPrivateKeyWithPath(s.Env["WECHATPAY_MCH_KEY_FILE"])
	require.NoError(t, err)
	pub, err := utils.LoadPublicKeyWithPath(s.Env["WECHATPAY_PUBLIC_KEY_FILE"])
	require.NoError(t, err)
	cert, err := utils.LoadCertificateWithPath(s.Env["WECHATPAY_PLATFORM_CERT_FILE"])
	require.NoError(t, err)
	c, err := core.NewClient(core.WithMerchant(s.Env["WECHATPAY_MCH_ID"], s.Env["WECHATPAY_MCH_SERIAL"], key),
		core.WithAPIv3Key(s.Env["WECHATPAY_APIV3_KEY"]), core.WithPlatformPublicKey(s.Env["WECHATPAY_PUBLIC_KEY_ID"], pub),
		core.WithPlatformCertificates(cert), core.WithBaseURL(base))
	require.NoError(t, err)
	for _, serial := range []string{"", s.Env["WECHATPAY_PUBLIC_KEY_ID"]} {
		_, err = c.Do(context.Background(), &core.Request{Method: http.MethodGet, Path: "/v3/certificates", WechatpaySerial: serial}, nil)
		require.NoError(t, err, "serial %q", serial)
	}
	// The admin URL ends without a slash, so the documented
	// $WECHATPAY_SANDBOX_ADMIN_URL/notifications is one path; the URL
	// itself, and paths with a doubled slash (a base ending in /), are
	// served where asked, not redirected (curl does not follow, and a
	// redirected POST loses its body).
	adminURL := s.Env["WECHATPAY_SANDBOX_ADMIN_URL"]
	require.Equal(t, base+"/sandbox", adminURL)
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, c := range []struct{ method, url, body, want string }{
		{"GET", adminURL, "", `"endpoints"`},
		{"GET", adminURL + "/", "", `"endpoints"`},
		{"GET", adminURL + "/notifications", "", `"notifications"`},
		{"GET", adminURL + "//notifications", "", `"notifications"`},
		{"POST", adminURL + "//clock/advance", `{"by":"1s"}`, `"now"`},
	} {
		req, err := http.NewRequest(c.method, c.url, strings.NewReader(c.body))
		require.NoError(t, err)
		resp, err := noRedirect.Do(req)
		require.NoError(t, err)
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, resp.StatusCode, "%s %s: %s", c.method, c.url, b)
		require.Contains(t, string(b), c.want, "%s %s", c.method, c.url)
	}
	assert.Contains(t, out, "curl -s "+adminURL+"/credentials")

	// Ctrl-C: Run returns nil and the port is closed.
	require.NoError(t, s.Stop(t))
	_, err = net.DialTimeout("tcp", strings.TrimPrefix(base, "http://"), time.Second)
	require.Error(t, err, "nothing listens any more")
}

func TestRunRefusesNonLoopbackWithoutPermission(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.10:0", "[::]:0", "example.com:0", "nonsense"} {
		dir := filepath.Join(t.TempDir(), "keys")
		err := sandboxcmd.Run(context.Background(), []string{"-listen", addr, "-keys", dir}, io.Discard, io.Discard)
		require.Error(t, err, addr)
		if addr != "nonsense" {
			assert.Contains(t, err.Error(), "-allow-remote", addr)
		}
		_, statErr := os.Stat(dir)
		assert.True(t, os.IsNotExist(statErr), "nothing written for %s", addr)
	}
	for addr, want := range map[string]bool{"127.0.0.1:8080": true, "127.1.2.3:1": true, "[::1]:0": true, "localhost:0": true, "0.0.0.0:1": false, ":1": false} {
		assert.Equal(t, want, sandboxcmd.Loopback(addr), addr)
	}
}

func TestRunAllowsRemoteWhenTold(t *testing.T) {
	s := Start(t, "-listen", "0.0.0.0:0", "-allow-remote", "-mode", "public-key")
	assert.Contains(t, s.Stdout.String(), "warning")
	require.NoError(t, s.Stop(t))
}

func TestRunFlags(t *testing.T) {
	var stderr lockedBuffer
	err := sandboxcmd.Run(context.Background(), []string{"-h"}, io.Discard, &stderr)
	require.ErrorIs(t, err, flag.ErrHelp)
	assert.Contains(t, stderr.String(), "-listen")
	var ue *sandboxcmd.UsageError
	for _, args := range [][]string{{"-nope"}, {"-mode", "both"}, {"extra"}, {"-listen", "nonsense"}, {"-listen", "0.0.0.0:0"}, {"-keys", ""}} {
		err := sandboxcmd.Run(context.Background(), args, io.Discard, io.Discard)
		require.ErrorAs(t, err, &ue, "%v: a usage error (exit status 2)", args)
	}
	// A port in use is a failure to start, not a usage error.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	err = sandboxcmd.Run(context.Background(), []string{"-listen", l.Addr().String(), "-keys", filepath.Join(t.TempDir(), "k")}, io.Discard, io.Discard)
	require.Error(t, err)
	require.False(t, errors.As(err, &ue), "%v", err)
}
