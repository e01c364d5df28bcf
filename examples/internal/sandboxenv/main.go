// Command sandboxenv runs another command against a fresh embedded sandbox:
// it starts the sandbox, records a day of business two days ago (so that
// day's bills exist), writes the sandbox merchant's test-only credentials as
// PEM files to a temporary directory, and runs the command with the
// WECHATPAY_* variables pointing at them. `make demo` uses it to run the
// README's Quick start (examples/quickstart), which only reads those
// variables, exactly as it would against the real API.
//
//	go run ./examples/internal/sandboxenv go run ./examples/quickstart
package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"time"

	"github.com/wechatpay-biz/wechatpay-biz-go/bill"
	"github.com/wechatpay-biz/wechatpay-biz-go/examples/internal/flows"
	"github.com/wechatpay-biz/wechatpay-biz-go/internal/sandboxfiles"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

func main() {
	code, err := run(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "sandboxenv:", err)
	}
	os.Exit(code)
}

func run(args []string) (int, error) {
	if len(args) == 0 {
		return 2, errors.New("usage: sandboxenv COMMAND [ARG...]")
	}
	sb, err := sandbox.NewServer()
	if err != nil {
		return 1, err
	}
	defer sb.Close()
	flows.RecordBusinessDay(sb, bill.DateOf(time.Now()).AddDays(-2))
	dir, err := os.MkdirTemp("", "wechatpay-sandbox-keys-")
	if err != nil {
		return 1, err
	}
	defer os.RemoveAll(dir)
	vars, err := sandboxfiles.Write(sb, dir)
	if err != nil {
		return 1, err
	}
	fmt.Printf("[sandbox] %s, merchant %s; test-only credentials in %s\n", sb.URL, sb.MerchantID, dir)
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = os.Environ()
	for k, v := range vars {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return exit.ExitCode(), nil
		}
		return 1, err
	}
	return 0, nil
}
