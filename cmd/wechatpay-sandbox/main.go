// Command wechatpay-sandbox runs the local WeChat Pay APIv3 simulator on its
// own, for teams that do not write Go: point any client at it, drive the
// user's side through its admin API under /sandbox/, stop it with Ctrl-C.
//
//	go run ./cmd/wechatpay-sandbox -listen 127.0.0.1:8080 -keys ./sandbox-keys
//
// It writes its test-only credentials as PEM files plus sandbox.env (the
// variables the examples read) into -keys, and refuses to listen beyond
// the loopback interface without -allow-remote. See internal/sandboxcmd
// for every flag. Exit status: 0 after a clean stop, 1 when it cannot
// start (e.g. the port is taken), 2 for a usage error.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/wechatpay-biz/wechatpay-biz-go/internal/sandboxcmd"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := sandboxcmd.Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// exitCode reports err on stderr and returns the exit status, as the
// wechatpay command does: 0 after a clean stop (or -h), 2 for a usage
// error (bad flags, a non-loopback -listen without -allow-remote), 1 when
// the sandbox could not start (a port in use).
func exitCode(err error, stderr io.Writer) int {
	var ue *sandboxcmd.UsageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "wechatpay-sandbox: %v (see wechatpay-sandbox -h)\n", err)
		return 2
	default:
		fmt.Fprintln(stderr, "wechatpay-sandbox:", err)
		return 1
	}
}
