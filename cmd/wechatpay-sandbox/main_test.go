package main

import (
	"bufio"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestMain lets the test binary stand in for the command: with
// WECHATPAY_SANDBOX_RUN_MAIN set it runs main, so the test below can send
// it a real SIGINT without building anything.
func TestMain(m *testing.M) {
	if os.Getenv("WECHATPAY_SANDBOX_RUN_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestCommandStopsCleanlyOnSIGINT(t *testing.T) {
	exe, err := os.Executable()
	require.NoError(t, err)
	dir := filepath.Join(t.TempDir(), "keys")
	cmd := exec.Command(exe, "-listen", "127.0.0.1:0", "-keys", dir)
	cmd.Env = append(os.Environ(), "WECHATPAY_SANDBOX_RUN_MAIN=1")
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	sc := bufio.NewScanner(out)
	var lines []string
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if strings.Contains(sc.Text(), "Ctrl-C") {
			break
		}
	}
	require.FileExists(t, filepath.Join(dir, "sandbox.env"), strings.Join(lines, "\n"))
	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		require.NoError(t, err, "exit status 0 after Ctrl-C")
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("the command did not stop on SIGINT")
	}
	require.Contains(t, strings.Join(lines, "\n"), "sandbox stopped")
}

// runCommand runs the command (this test binary standing in for it) to its
// end and returns its exit status and output.
func runCommand(t *testing.T, args ...string) (int, string) {
	t.Helper()
	exe, err := os.Executable()
	require.NoError(t, err)
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), "WECHATPAY_SANDBOX_RUN_MAIN=1")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if err != nil {
		require.ErrorAs(t, err, &exit)
		return exit.ExitCode(), string(out)
	}
	return 0, string(out)
}

func TestCommandRefusesNonLoopback(t *testing.T) {
	code, out := runCommand(t, "-listen", "0.0.0.0:0", "-keys", filepath.Join(t.TempDir(), "keys"))
	require.Equal(t, 2, code, "a usage error: %s", out)
	require.Contains(t, out, "-allow-remote")
}

// Exit statuses as the wechatpay command's: 2 for a usage error, 1 when
// the sandbox cannot start, 0 for -h.
func TestCommandExitStatuses(t *testing.T) {
	keys := filepath.Join(t.TempDir(), "keys")
	shared := filepath.Join(t.TempDir(), "shared")
	require.NoError(t, os.Mkdir(shared, 0o700))
	require.NoError(t, os.Chmod(shared, 0o777))
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-nope"}, "flag provided but not defined: -nope"},
		{[]string{"-listen", "127.0.0.1:0", "extra"}, "unexpected arguments: extra"},
		{[]string{"-listen", "8080"}, `-listen "8080": want host:port`},
		{[]string{"-listen", "127.0.0.1:0", "-mode", "both"}, `-mode "both"`},
		{[]string{"-listen", "127.0.0.1:0", "-keys", ""}, "-keys: give a directory"},
		{[]string{"-listen", "192.0.2.1:0"}, "pass -allow-remote"},
		{[]string{"-listen", "127.0.0.1:0", "-keys", shared}, "writable by every user"},
	} {
		if !slices.Contains(tc.args, "-keys") {
			tc.args = append(tc.args, "-keys", keys)
		}
		code, out := runCommand(t, tc.args...)
		require.Equal(t, 2, code, "%v: %s", tc.args, out)
		require.Contains(t, out, tc.want, tc.args)
		require.Contains(t, out, "(see wechatpay-sandbox -h)", tc.args)
	}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	code, out := runCommand(t, "-listen", l.Addr().String(), "-keys", keys)
	require.Equal(t, 1, code, "a port in use is a failure to start, not a usage error: %s", out)
	require.Contains(t, out, "address already in use")

	code, out = runCommand(t, "-h")
	require.Equal(t, 0, code, out)
	require.Contains(t, out, "usage: wechatpay-sandbox")
}
