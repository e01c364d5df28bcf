package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/wechatpay-biz/wechatpay-biz-go/internal/sandboxcmd"
)

// sandboxModes are the values of --mode, as internal/sandboxcmd takes them.
var sandboxModes = []string{"migrating", "public-key", "certificate"}

// sandboxFlags are the flags of the sandbox command: those of
// internal/sandboxcmd.Run, which they are passed through to.
type sandboxFlags struct {
	listen, keys, mode              string
	allowRemote, billsToday, logAll bool
}

// args is the command line of sandboxcmd.Run for these flags.
func (f *sandboxFlags) args() []string {
	args := []string{"-listen", f.listen, "-keys", f.keys, "-mode", f.mode}
	for _, b := range []struct {
		on   bool
		flag string
	}{{f.allowRemote, "-allow-remote"}, {f.billsToday, "-bills-today"}, {f.logAll, "-log"}} {
		if b.on {
			args = append(args, b.flag)
		}
	}
	return args
}

func (a *app) sandboxCmd() *cobra.Command {
	var f sandboxFlags
	cmd := &cobra.Command{
		Use:   "sandbox",
		Short: "Run the local WeChat Pay simulator with test-only credentials, for any client",
		Long: `Run the SDK's sandbox — a strict local WeChat Pay APIv3 simulator — as a server, for
teams and tools that do not write Go: a Java or PHP service, a front end testing the
pay-score flow, curl. It checks every request's signature as WeChat Pay does, signs its
answers, keeps per-product state, sends signed and encrypted callbacks, and serves bills.

It writes its TEST-ONLY credentials into --keys: apiclient_key.pem (the merchant's
private key), apiclient_cert.pem (its certificate), wechatpay_public_key.pem,
platform_certificates.pem, and sandbox.env with the WECHATPAY_* variables the SDK's
examples (the Quick start included) and this command read (WECHATPAY_BASE_URL points
at the sandbox). It prints where everything is and runs until Ctrl-C (or
--timeout, when given), then stops cleanly.

The admin API under /sandbox/ (loopback clients only, no signature, JSON) plays the
user's and WeChat Pay's side: the user authorizes pay score, confirms and pays an order,
a mall purchase and its refund, the clock moves on, failures are injected, the callback
delivery log is read. GET /sandbox/ lists every admin endpoint.

The sandbox's keys are public, so anyone who reaches it can forge its answers: it
refuses a --listen address beyond the loopback interface unless --allow-remote is given.
Exit status 0 after a clean stop, 1 when it cannot start (e.g. the port is taken),
2 for bad flags.`,
		Example: `  # start it; credentials and sandbox.env go to ./sandbox-keys
  wechatpay sandbox --listen 127.0.0.1:8080 --keys ./sandbox-keys

  # in another shell: point the examples (or this command) at it
  set -a; . ./sandbox-keys/sandbox.env; set +a
  go run ./examples/bill
  wechatpay certificates --out ./certs

  # play the user's side through the admin API
  curl -s http://127.0.0.1:8080/sandbox/
  curl -s -X POST http://127.0.0.1:8080/sandbox/payscore/authorize \
    -d '{"apply_permissions_token":"<from POST /v3/payscore/permissions>","openid":"oUser1"}'

  # a free port, a merchant in certificate mode, same-day bills, every request logged
  wechatpay sandbox --listen 127.0.0.1:0 --mode certificate --bills-today --log

  # in CI: stop by itself after ten minutes
  wechatpay sandbox --timeout 10m &`,
		Args: noArgs,
	}
	fl := cmd.Flags()
	fl.StringVar(&f.listen, "listen", sandboxcmd.DefaultListen, "address to listen on, host:port (port 0 picks a free one)")
	fl.StringVar(&f.keys, "keys", "sandbox-keys", "directory to write the test credentials and "+sandboxcmd.EnvFile+" to (created if missing)")
	fl.StringVar(&f.mode, "mode", "migrating", "verification keys of the sandbox merchant: "+strings.Join(sandboxModes, ", ")+
		" (migrating: answers signed with the public key when the request sends Wechatpay-Serial: PUB_KEY_ID_…, with the platform certificate otherwise)")
	fl.BoolVar(&f.allowRemote, "allow-remote", false, "allow a --listen address beyond the loopback interface (its keys are public; the admin API still answers loopback clients only)")
	fl.BoolVar(&f.billsToday, "bills-today", false, "serve today's bills at once instead of from 09:00 (Asia/Shanghai) the next day")
	fl.BoolVar(&f.logAll, "log", false, "log every request to standard error")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		a.started = true
		if err := f.check(); err != nil {
			return err
		}
		ctx := cmd.Context()
		// The sandbox runs until Ctrl-C; --timeout bounds it only when given.
		if t := cmd.Flag("timeout"); t != nil && t.Changed {
			if a.timeout <= 0 {
				return usagef("--timeout must be positive")
			}
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, a.timeout)
			defer cancel()
		}
		if err := sandboxcmd.Run(ctx, f.args(), a.stdout, a.stderr); err != nil {
			return sandboxError(err, f.listen)
		}
		return nil
	}
	return cmd
}

// check validates the flags before anything starts: these are usage errors.
func (f *sandboxFlags) check() error {
	var problems []string
	host, port, err := net.SplitHostPort(f.listen)
	switch {
	case err != nil || port == "":
		problems = append(problems, fmt.Sprintf("--listen %q is not host:port (e.g. 127.0.0.1:8080, or 127.0.0.1:0 for a free port)", f.listen))
	case !sandboxcmd.Loopback(f.listen) && !f.allowRemote:
		where := "host " + host
		if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
			where = "every interface"
		}
		problems = append(problems, fmt.Sprintf("--listen %s would listen on %s, beyond the loopback interface: the sandbox's test keys are public, so anyone who reaches it could forge its answers; use 127.0.0.1 or add --allow-remote", f.listen, where))
	}
	if !slices.Contains(sandboxModes, f.mode) {
		problems = append(problems, fmt.Sprintf("--mode %q is not one of %s", f.mode, strings.Join(sandboxModes, ", ")))
	}
	if f.keys == "" {
		problems = append(problems, "--keys must name a directory")
	}
	if len(problems) > 0 {
		return usagef("%s", strings.Join(problems, "; "))
	}
	return nil
}

// sandboxError explains why the sandbox could not start: a usage error
// when sandboxcmd refused the command line (one check does not catch, such
// as a world-writable --keys directory), a failure otherwise.
func sandboxError(err error, listen string) error {
	var ue *sandboxcmd.UsageError
	if errors.As(err, &ue) {
		// Its messages name the standalone command's flags (-keys).
		return usagef("sandbox: %s", strings.ReplaceAll(err.Error(), " -keys ", " --keys "))
	}
	if errors.Is(err, syscall.EADDRINUSE) {
		return fmt.Errorf("sandbox: %s is already in use (another sandbox?): stop it, or pick another --listen port (port 0 picks a free one)", listen)
	}
	return fmt.Errorf("sandbox: %w", err)
}
