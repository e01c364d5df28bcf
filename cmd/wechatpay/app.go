package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/internal/envconfig"
)

// Exit statuses.
const (
	exitOK      = 0
	exitFailure = 1 // WeChat Pay or the endpoint refused, or verification failed
	exitUsage   = 2 // bad flags, arguments or configuration
)

// app is one run of the command: its streams, environment and terminal
// state, injected so that tests drive it in-process.
type app struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	terminal       bool  // stderr is a terminal: show progress bars
	progressAfter  int64 // bytes downloaded before a progress bar appears
	timeout        time.Duration
	clientOptions  []core.Option // appended to every client (tests: clock, retries)

	started bool // a command's action began: later errors are failures, not usage errors
}

func newApp(stdout, stderr io.Writer, getenv func(string) string) *app {
	return &app{stdout: stdout, stderr: stderr, getenv: getenv, progressAfter: 1 << 20}
}

// usageError marks an error as the caller's: exit status 2.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Errorf(format, args...)}
}

// run executes the command line and returns the exit status.
func (a *app) run(ctx context.Context, args []string) int {
	root := a.rootCmd()
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return exitOK
	}
	code := exitFailure
	var ue *usageError
	if !a.started || errors.As(err, &ue) {
		code = exitUsage
	}
	msg := inFlags.Replace(oneLine(err.Error()))
	if !strings.HasPrefix(msg, "wechatpay: ") {
		msg = "wechatpay: " + msg
	}
	if code == exitUsage && cmd != nil {
		msg += ` (see "` + cmd.CommandPath() + ` --help")`
	}
	fmt.Fprintln(a.stderr, msg)
	return code
}

// inFlags rewrites the SDK's hints, written for Go callers (option names),
// in terms of this command's flags and variables, and drops the "wechatpay: "
// prefix that wrapped SDK errors repeat inside the message.
var inFlags = strings.NewReplacer(
	": wechatpay: ", ": ",
	"configure that public key with WithPlatformPublicKey",
	"give that public key as --public-key-id and --public-key-file (or WECHATPAY_PUBLIC_KEY_ID and WECHATPAY_PUBLIC_KEY_FILE)",
	"configure the WeChat Pay public key with WithPlatformPublicKey",
	"give the WeChat Pay public key as --public-key-id and --public-key-file (or WECHATPAY_PUBLIC_KEY_ID and WECHATPAY_PUBLIC_KEY_FILE)",
	"so add WithAutoCertificates or WithPlatformCertificates",
	"so save them with `wechatpay certificates -o DIR` and give them, joined in one file, as WECHATPAY_PLATFORM_CERT_FILE",
	"the merchant ID (WithMerchant gave ", "the merchant ID (--mch-id or WECHATPAY_MCH_ID gave ",
	"the merchant certificate serial (gave ", "the merchant certificate serial (--mch-serial, or the serial of --mch-cert-file, gave ",
)

// oneLine keeps an error message on one line, without control characters.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)), " ")
	return s
}

func (a *app) rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "wechatpay",
		Short: "Operator's tool for WeChat Pay APIv3: platform certificates, bills, test callbacks, a local sandbox",
		Long: `wechatpay downloads and verifies WeChat Pay platform certificates, downloads
bills (verified by their hash, sub-merchant parts decrypted, written atomically, the
summary checked against the rows), posts signed, encrypted test callbacks to an
endpoint in staging, and runs the SDK's sandbox — a local WeChat Pay simulator with
test-only credentials — for clients in any language.

Credentials come from flags or from the WECHATPAY_* variables the SDK's examples use;
a flag wins over its variable. The APIv3 key is read from WECHATPAY_APIV3_KEY or from
the file given with --apiv3-key-file, never from the command line.

Exit status: 0 success, 1 refused by WeChat Pay or the endpoint, failed verification,
or the sandbox could not start, 2 usage or configuration error. Errors are one line on
standard error and name the flag (and variable) to fix.`,
		Example: `  export WECHATPAY_MCH_ID=1900000109 WECHATPAY_APIV3_KEY=...
  export WECHATPAY_MCH_KEY_FILE=apiclient_key.pem WECHATPAY_MCH_CERT_FILE=apiclient_cert.pem
  export WECHATPAY_PUBLIC_KEY_ID=PUB_KEY_ID_... WECHATPAY_PUBLIC_KEY_FILE=pub_key.pem

  wechatpay certificates --out ./wechatpay-certs
  wechatpay bill trade --date 2026-11-29 --out tradebill-2026-11-29.csv
  wechatpay bill fundflow --date 2026-11-29 --format json --out fundflow-2026-11-29.json
  wechatpay bill sub-merchant --date 2026-11-29 --sub-mchid 1900000200 --out sub.csv
  wechatpay notify send --event PAYSCORE.USER_PAID --resource paid.json \
    --url https://staging.example.com/wechatpay/notify \
    --platform-key-file test_platform_key.pem --serial PUB_KEY_ID_...

  # a local simulator; its test credentials and sandbox.env go to ./sandbox-keys
  wechatpay sandbox --listen 127.0.0.1:8080 --keys ./sandbox-keys`,
		Version:       core.Version,
		SilenceErrors: true,
		SilenceUsage:  true,
		CompletionOptions: cobra.CompletionOptions{
			HiddenDefaultCmd: true,
		},
	}
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{err} })
	root.PersistentFlags().DurationVar(&a.timeout, "timeout", 10*time.Minute, "give up after this long, e.g. 30s or 5m (sandbox: runs until Ctrl-C unless given)")
	root.AddCommand(a.certificatesCmd(), a.billCmd(), a.notifyCmd(), a.sandboxCmd())
	return root
}

// noArgs refuses positional arguments: every command takes flags only.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usagef("unexpected argument %q: %s takes flags only", args[0], subcommand(cmd))
	}
	return nil
}

// groupCmd is a command that only holds subcommands: run without one (or
// with an unknown one) it is a usage error naming them, so that flags given
// to it are never silently ignored with exit status 0.
func groupCmd(cmd *cobra.Command, subs ...*cobra.Command) *cobra.Command {
	names := make([]string, len(subs))
	for i, c := range subs {
		names[i] = c.Name()
		cmd.AddCommand(c)
	}
	choice := strings.Join(names, ", ")
	if len(names) > 1 {
		choice = strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
	}
	cmd.Args = func(c *cobra.Command, args []string) error {
		if len(args) > 0 {
			return usagef("unknown command %q for %s: choose %s", args[0], subcommand(c), choice)
		}
		return nil
	}
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		return usagef("%s needs a command: %s", subcommand(c), choice)
	}
	// Runnable only to refuse: the help shows "wechatpay bill [command]",
	// not also "wechatpay bill [flags]".
	t := cmd.UsageTemplate()
	if u := strings.Replace(t, "{{if .Runnable}}", "{{if and .Runnable (not .HasAvailableSubCommands)}}", 1); u != t {
		cmd.SetUsageTemplate(u)
	}
	return cmd
}

// subcommand names cmd without the program name, as messages that start
// with "wechatpay: " do.
func subcommand(cmd *cobra.Command) string {
	if !cmd.HasParent() {
		return cmd.Name()
	}
	return strings.TrimPrefix(cmd.CommandPath(), cmd.Root().Name()+" ")
}

// action wraps a command's work: from here on errors are failures unless
// marked as usage errors, and the context carries the --timeout.
func (a *app) action(f func(ctx context.Context, cmd *cobra.Command, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		a.started = true
		if a.timeout <= 0 {
			return usagef("--timeout must be positive")
		}
		ctx, cancel := context.WithTimeout(cmd.Context(), a.timeout)
		defer cancel()
		return f(ctx, cmd, args)
	}
}

// merchantFlags are the credentials of the merchant that calls the API.
type merchantFlags struct {
	mchID, mchSerial, mchCertFile, mchKeyFile string
	apiV3KeyFile                              string
	publicKeyID, publicKeyFile                string
	baseURL                                   string
}

// flagOf maps each variable to the flag that overrides it.
var flagOf = map[string]string{
	envconfig.MchID:         "mch-id",
	envconfig.MchSerial:     "mch-serial",
	envconfig.MchCertFile:   "mch-cert-file",
	envconfig.MchKeyFile:    "mch-key-file",
	envconfig.APIv3Key:      "apiv3-key-file",
	envconfig.PublicKeyID:   "public-key-id",
	envconfig.PublicKeyFile: "public-key-file",
	envconfig.BaseURL:       "base-url",
}

func (m *merchantFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&m.mchID, "mch-id", "", "merchant ID (商户号) [$WECHATPAY_MCH_ID]")
	fs.StringVar(&m.mchKeyFile, "mch-key-file", "", "merchant API private key, apiclient_key.pem [$WECHATPAY_MCH_KEY_FILE]")
	fs.StringVar(&m.mchCertFile, "mch-cert-file", "", "merchant API certificate, apiclient_cert.pem: its serial is used [$WECHATPAY_MCH_CERT_FILE]")
	fs.StringVar(&m.mchSerial, "mch-serial", "", "merchant API certificate serial, instead of --mch-cert-file [$WECHATPAY_MCH_SERIAL]")
	fs.StringVar(&m.apiV3KeyFile, "apiv3-key-file", "", "file holding the 32-byte APIv3 key [$WECHATPAY_APIV3_KEY holds the key itself]")
	fs.StringVar(&m.publicKeyID, "public-key-id", "", "WeChat Pay public key ID, PUB_KEY_ID_… [$WECHATPAY_PUBLIC_KEY_ID]")
	fs.StringVar(&m.publicKeyFile, "public-key-file", "", "WeChat Pay public key, pub_key.pem [$WECHATPAY_PUBLIC_KEY_FILE]")
	fs.StringVar(&m.baseURL, "base-url", "", "API host (default https://api.mch.weixin.qq.com) [$WECHATPAY_BASE_URL]")
}

// label names a setting in messages: its flag and its variable.
func label(variable string) string {
	if f, ok := flagOf[variable]; ok {
		return "--" + f + " or " + variable
	}
	return variable
}

// config merges the flags over the environment.
func (m *merchantFlags) config(getenv func(string) string) (envconfig.Config, error) {
	cfg := envconfig.FromEnv(getenv)
	cfg.Label = label
	for _, o := range []struct {
		flag string
		dst  *string
	}{
		{m.mchID, &cfg.MchID}, {m.mchSerial, &cfg.MchSerial}, {m.mchCertFile, &cfg.MchCertFile},
		{m.mchKeyFile, &cfg.MchKeyFile}, {m.publicKeyID, &cfg.PublicKeyID}, {m.publicKeyFile, &cfg.PublicKeyFile},
		{m.baseURL, &cfg.BaseURL},
	} {
		if o.flag != "" {
			*o.dst = o.flag
		}
	}
	if m.apiV3KeyFile != "" {
		k, err := readAPIv3KeyFile(m.apiV3KeyFile)
		if err != nil {
			return cfg, err
		}
		cfg.APIv3Key = k
	}
	return cfg, nil
}

// readAPIv3KeyFile reads an APIv3 key from a file, ignoring surrounding
// white space (a trailing newline). The key never appears in errors.
func readAPIv3KeyFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", usagef("--apiv3-key-file: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, 4096))
	if err != nil {
		return "", usagef("--apiv3-key-file: reading %s: %w", path, err)
	}
	k := strings.TrimSpace(string(b))
	if len(k) != 32 {
		return "", usagef("--apiv3-key-file: %s must hold the 32-byte APIv3 key, it holds %d bytes", path, len(k))
	}
	return k, nil
}

// client builds the merchant's client from flags and environment. Any
// problem is a usage error naming the flag and the variable.
func (a *app) client(m *merchantFlags, need envconfig.Need, extra ...core.Option) (*core.Client, error) {
	cfg, err := m.config(a.getenv)
	if err != nil {
		return nil, err
	}
	opts, err := cfg.Options(need)
	if err != nil {
		return nil, &usageError{err}
	}
	opts = append(opts, core.WithUserAgent("wechatpay-cli"))
	opts = append(opts, extra...)
	opts = append(opts, a.clientOptions...)
	c, err := core.NewClient(opts...)
	if err != nil {
		return nil, &usageError{err}
	}
	return c, nil
}

// writeAtomically writes a file next to path, syncs it and renames it to
// path only when fill succeeded, so path never holds a partial file.
func writeAtomically(path string, mode os.FileMode, fill func(f *os.File) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".*.partial")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(tmp)
		}
	}()
	if err = fill(f); err != nil {
		return err
	}
	if err = f.Chmod(mode); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
