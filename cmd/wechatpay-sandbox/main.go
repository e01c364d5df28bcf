// Command wechatpay-sandbox runs the local WeChat Pay APIv3 simulator on its
// own, for teams that do not write Go: point any client at it, drive the
// user's side through its admin API under /sandbox/, stop it with Ctrl-C.
//
//	go run ./cmd/wechatpay-sandbox -listen 127.0.0.1:8080 -keys ./sandbox-keys
//
// It writes its test-only credentials as PEM files plus sandbox.env (the
// variables the examples read) into -keys, and refuses to listen beyond
// the loopback interface without -allow-remote. See internal/sandboxcmd
// for every flag.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/wechatpay-biz/wechatpay-biz-go/internal/sandboxcmd"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := sandboxcmd.Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	switch {
	case errors.Is(err, flag.ErrHelp):
	case err != nil:
		fmt.Fprintln(os.Stderr, "wechatpay-sandbox:", err)
		os.Exit(1)
	}
}
