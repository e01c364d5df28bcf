// Command wechatpay is the operator's tool for WeChat Pay APIv3, built on
// this SDK:
//
//	wechatpay certificates            download, verify and save the platform certificates
//	wechatpay bill trade|fundflow|sub-merchant
//	                                  apply for a bill, download it, verify its hash,
//	                                  decrypt sub-merchant parts, write it atomically
//	                                  (raw, or parsed rows as CSV or JSON) and check its summary
//	wechatpay notify send             post a signed, encrypted test callback to an endpoint
//	wechatpay sandbox                 run the local WeChat Pay simulator with test-only
//	                                  credentials (and its admin API) for any client, until Ctrl-C
//
// Install it with
//
//	go install github.com/wechatpay-biz/wechatpay-biz-go/cmd/wechatpay@latest
//
// or run it from a checkout with `go run ./cmd/wechatpay`. Credentials come
// from flags or from the WECHATPAY_* variables the examples use
// (WECHATPAY_MCH_ID, WECHATPAY_MCH_KEY_FILE, WECHATPAY_MCH_CERT_FILE or
// WECHATPAY_MCH_SERIAL, WECHATPAY_APIV3_KEY, WECHATPAY_PUBLIC_KEY_ID,
// WECHATPAY_PUBLIC_KEY_FILE, WECHATPAY_BASE_URL); a flag wins over its
// variable. The APIv3 key is never taken on the command line, where other
// users could see it: use the variable or --apiv3-key-file.
//
// Exit status: 0 on success, 1 when WeChat Pay (or the endpoint) refused or
// an answer, file or bill failed verification (or the sandbox could not
// start), 2 on a usage or configuration error. Errors are one line on standard error and never
// contain keys or personal data.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	a := newApp(os.Stdout, os.Stderr, os.Getenv)
	a.terminal = isTerminal(os.Stderr)
	code := a.run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}

// isTerminal reports whether f is a character device (a terminal), where
// progress bars make sense.
func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
