// Package sandboxcmd runs the sandbox as a standalone program: the logic
// behind cmd/wechatpay-sandbox, reusable as a subcommand of another CLI.
//
// It starts the simulator on a loopback address, writes its test-only
// credentials as PEM files plus an env file with the variable names the
// examples read, prints where everything is, and stops cleanly when its
// context ends (Ctrl-C in the commands). It refuses to listen beyond the
// loopback interface unless told explicitly: the sandbox's keys are public.
package sandboxcmd

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

// EnvFile is the name of the env file written next to the PEM files.
const EnvFile = "sandbox.env"

// DefaultListen is the address the sandbox listens on by default.
const DefaultListen = "127.0.0.1:8080"

// UsageError is a command line Run refuses before serving: an unknown flag
// or a stray argument, a bad -listen, -mode or -keys, a non-loopback
// address without -allow-remote. The commands exit with status 2 for it
// (1 for other failures, such as a port in use).
type UsageError struct {
	Err error // what is wrong with the command line, in one line
}

// Error returns Err's message.
func (e *UsageError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying error.
func (e *UsageError) Unwrap() error { return e.Err }

func usagef(format string, args ...any) error {
	return &UsageError{fmt.Errorf(format, args...)}
}

// Run parses args (flags only, without the program name), starts the
// sandbox and serves until ctx is done, then shuts it down and returns nil.
// It writes what it does to stdout and usage or request logs to stderr.
// With -h it prints the usage and returns flag.ErrHelp; a bad command line
// is a *UsageError.
//
// Flags:
//
//	-listen addr     where to listen (default 127.0.0.1:8080; port 0 picks one)
//	-keys dir        where to write the credentials (default ./sandbox-keys)
//	-allow-remote    allow a non-loopback -listen address (the admin API
//	                 under /sandbox/ still answers loopback clients only)
//	-mode m          migrating (default), public-key or certificate: which
//	                 verification keys the sandbox merchant has
//	-bills-today     serve today's bills at once (demos)
//	-log             log every request to stderr
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("wechatpay-sandbox", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", DefaultListen, "address to listen on (host:port; port 0 picks a free one)")
	keys := fs.String("keys", "sandbox-keys", "directory to write the test credentials and "+EnvFile+" to")
	allowRemote := fs.Bool("allow-remote", false, "allow listening on a non-loopback address (the sandbox's keys are public)")
	mode := fs.String("mode", "migrating", "verification keys of the sandbox merchant: migrating, public-key or certificate")
	billsToday := fs.Bool("bills-today", false, "serve today's bills at once instead of from 09:00 the next day")
	logRequests := fs.Bool("log", false, "log every request to stderr")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: wechatpay-sandbox [flags]\n\nRuns the local WeChat Pay APIv3 simulator with test-only credentials.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &UsageError{err}
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return usagef("unexpected arguments: %s (it takes flags only)", strings.Join(fs.Args(), " "))
	}
	modes := map[string]sandbox.SigningMode{"migrating": sandbox.SignMigrating, "public-key": sandbox.SignWithPublicKey, "certificate": sandbox.SignWithCertificate}
	m, ok := modes[*mode]
	if !ok {
		return usagef("-mode %q: use migrating, public-key or certificate", *mode)
	}
	if *keys == "" {
		return usagef("-keys: give a directory for the credentials (an empty name would be the current directory)")
	}
	if _, _, err := net.SplitHostPort(*listen); err != nil {
		return usagef("-listen %q: want host:port, e.g. %s (%v)", *listen, DefaultListen, err)
	}
	if !Loopback(*listen) && !*allowRemote {
		return refuseRemote(*listen)
	}

	l, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	// What was bound, not what was asked: a name like localhost could
	// resolve to another interface.
	if ta, ok := l.Addr().(*net.TCPAddr); ok && !ta.IP.IsLoopback() && !*allowRemote {
		l.Close()
		return refuseRemote(l.Addr().String())
	}
	opts := []sandbox.Option{sandbox.WithListener(l), sandbox.WithSigningMode(m)}
	if *logRequests {
		opts = append(opts, sandbox.WithLogger(slog.New(slog.NewTextHandler(stderr, nil))))
	}
	sb, err := sandbox.NewServer(opts...)
	if err != nil {
		l.Close()
		return err
	}
	defer sb.Close()
	sb.BillServeToday(*billsToday)

	dir, err := filepath.Abs(*keys)
	if err != nil {
		return err
	}
	files, err := writeCredentials(sb, dir)
	if err != nil {
		return err
	}
	report(stdout, sb, dir, files, *mode, Loopback(*listen))

	<-ctx.Done()
	fmt.Fprintln(stdout, "stopping the sandbox")
	sb.Close()
	fmt.Fprintln(stdout, "sandbox stopped")
	return nil
}

func refuseRemote(addr string) error {
	return usagef("refusing to listen on %s: it is not a loopback address, and the sandbox's test keys are public, so anyone who can reach it can forge its answers; pass -allow-remote to do it anyway", addr)
}

// Loopback reports whether a listen address stays on the loopback
// interface: 127.0.0.0/8, ::1 or localhost. An empty host listens on every
// interface; other host names are not trusted to resolve to loopback.
func Loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// writeCredentials writes the PEM files and the env file into dir and
// returns the env variables, by name.
func writeCredentials(sb *sandbox.Server, dir string) (map[string]string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, err
	}
	if fi.Mode().Perm()&0o002 != 0 {
		// Anyone could replace the env file there (and point the examples
		// at another server).
		return nil, usagef("refusing to write credentials into %s: it is writable by every user (mode %04o); use a private -keys directory", dir, fi.Mode().Perm())
	}
	for name, b := range sb.CredentialFiles() {
		perm := os.FileMode(0o644)
		if name == sandbox.CredentialMerchantKey {
			perm = 0o600
		}
		if err := writeFile(filepath.Join(dir, name), b, perm); err != nil {
			return nil, err
		}
	}
	env := map[string]string{
		"WECHATPAY_BASE_URL":           sb.URL,
		"WECHATPAY_MCH_ID":             sb.MerchantID,
		"WECHATPAY_MCH_SERIAL":         sb.MerchantSerialNo,
		"WECHATPAY_MCH_KEY_FILE":       filepath.Join(dir, sandbox.CredentialMerchantKey),
		"WECHATPAY_MCH_CERT_FILE":      filepath.Join(dir, sandbox.CredentialMerchantCertificate),
		"WECHATPAY_APIV3_KEY":          sb.APIv3Key,
		"WECHATPAY_PUBLIC_KEY_ID":      sb.PublicKeyID,
		"WECHATPAY_PUBLIC_KEY_FILE":    filepath.Join(dir, sandbox.CredentialPublicKey),
		"WECHATPAY_PLATFORM_CERT_FILE": filepath.Join(dir, sandbox.CredentialCertificates),
		"WECHATPAY_SANDBOX_ADMIN_URL":  sb.URL + "/sandbox", // no trailing slash: $WECHATPAY_SANDBOX_ADMIN_URL/notifications
	}
	values := TestValues()
	var b strings.Builder
	b.WriteString("# Local WeChat Pay sandbox: TEST-ONLY credentials, valid against this sandbox only.\n")
	b.WriteString("# Load with: set -a; . " + filepath.Join(dir, EnvFile) + "; set +a\n")
	writeVars(&b, env)
	b.WriteString("# Test values the examples need beyond the credentials (pay score, gold plan,\n# smart guide, business circle), for clients in any language.\n")
	writeVars(&b, values)
	for k, v := range values {
		env[k] = v
	}
	return env, writeFile(filepath.Join(dir, EnvFile), []byte(b.String()), 0o600)
}

// TestValues returns the standalone sandbox's test values for the
// variables the examples need beyond the credentials — the pay-score AppID,
// service and user, the gold-plan sub-merchant, the smart-guide store, the
// business-circle AppID and member — by variable name. sandbox.env sets
// them; the examples fall back to them against a standalone sandbox.
func TestValues() map[string]string {
	return map[string]string{
		"WECHATPAY_APPID":               sandbox.AppID,
		"WECHATPAY_PAYSCORE_SERVICE_ID": sandbox.PayScoreNoConfirmServiceID,
		"WECHATPAY_OPENID":              "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",  // a test user of the sandbox
		"WECHATPAY_GP_SUB_MCHID":        sandbox.PayScorePartnerSubMchID, // a sub-merchant of the sandbox's service provider
		"WECHATPAY_SG_STORE_ID":         "1234",
		"WECHATPAY_BC_APPID":            sandbox.AppID,
		"WECHATPAY_BC_OPENID":           "oMember", // the mall member of the README's admin API examples
	}
}

// writeVars writes NAME=value lines, sorted by name, values quoted for a
// POSIX shell.
func writeVars(b *strings.Builder, vars map[string]string) {
	names := make([]string, 0, len(vars))
	for k := range vars {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		b.WriteString(k + "=" + shellQuote(vars[k]) + "\n")
	}
}

// writeFile writes b to path with mode perm atomically: into a new file
// that only the owner can read (os.CreateTemp makes it 0600), then renamed
// over path. So the private key is never readable by others, not even for a
// moment over an old file with a wider mode, and a symbolic link planted at
// path is replaced, not followed.
func writeFile(path string, b []byte, perm os.FileMode) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if _, err = f.Write(b); err != nil {
		return err
	}
	if err = f.Chmod(perm); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// shellQuote quotes v for a POSIX shell when it needs it.
func shellQuote(v string) string {
	if v != "" && !strings.ContainsAny(v, " \t\n'\"$`\\!*?[]#~;&|<>(){}") {
		return v
	}
	return "'" + strings.ReplaceAll(v, "'", `'\''`) + "'"
}

func report(w io.Writer, sb *sandbox.Server, dir string, env map[string]string, mode string, loopback bool) {
	fmt.Fprintf(w, "WeChat Pay sandbox (test-only keys) listening on %s\n", sb.URL)
	fmt.Fprintf(w, "  merchant %s, API certificate serial %s\n", sb.MerchantID, sb.MerchantSerialNo)
	fmt.Fprintf(w, "  WeChat Pay public key %s; signing mode %s\n", sb.PublicKeyID, mode)
	if mode == "migrating" {
		fmt.Fprintf(w, "  answers are signed with the public key when the request carries Wechatpay-Serial: %s, with the platform certificate otherwise\n", sb.PublicKeyID)
	}
	fmt.Fprintf(w, "credentials in %s:\n", dir)
	for _, name := range []string{sandbox.CredentialMerchantKey, sandbox.CredentialMerchantCertificate, sandbox.CredentialPublicKey, sandbox.CredentialCertificates, EnvFile} {
		fmt.Fprintf(w, "  %s\n", filepath.Join(dir, name))
	}
	fmt.Fprintf(w, "load them with: set -a; . %s; set +a\n", shellQuote(filepath.Join(dir, EnvFile)))
	fmt.Fprintf(w, "admin API (loopback only): %s  (curl -s %s/ lists it; e.g. curl -s %s/credentials)\n", env["WECHATPAY_SANDBOX_ADMIN_URL"], env["WECHATPAY_SANDBOX_ADMIN_URL"], env["WECHATPAY_SANDBOX_ADMIN_URL"])
	if !loopback {
		fmt.Fprintln(w, "warning: listening beyond the loopback interface; anyone who reaches it can forge answers with the public test keys")
	}
	fmt.Fprintln(w, "press Ctrl-C to stop")
}
