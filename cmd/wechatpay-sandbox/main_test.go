package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
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

func TestCommandRefusesNonLoopback(t *testing.T) {
	exe, err := os.Executable()
	require.NoError(t, err)
	cmd := exec.Command(exe, "-listen", "0.0.0.0:0", "-keys", filepath.Join(t.TempDir(), "keys"))
	cmd.Env = append(os.Environ(), "WECHATPAY_SANDBOX_RUN_MAIN=1")
	out, err := cmd.CombinedOutput()
	require.Error(t, err)
	require.Contains(t, string(out), "-allow-remote")
}
