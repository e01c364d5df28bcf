// Package setup gives the examples a client: against the embedded sandbox by
// default, or against the real WeChat Pay API (or any other host) when
// credentials are given in environment variables:
//
//	WECHATPAY_MCH_ID          merchant ID; setting it selects the real API
//	WECHATPAY_MCH_KEY_FILE    merchant API private key (apiclient_key.pem)
//	WECHATPAY_MCH_CERT_FILE   merchant API certificate (apiclient_cert.pem), for its serial
//	WECHATPAY_MCH_SERIAL      or the serial itself
//	WECHATPAY_APIV3_KEY       APIv3 key (32 bytes)
//	WECHATPAY_PUBLIC_KEY_ID   WeChat Pay public key ID (PUB_KEY_ID_…), optional
//	WECHATPAY_PUBLIC_KEY_FILE WeChat Pay public key (pub_key.pem), with the ID above
//	WECHATPAY_BASE_URL        another API host (default https://api.mch.weixin.qq.com)
//	WECHATPAY_PLATFORM_CERT_FILE platform certificates (PEM) to trust as well, optional
//
// Without a public key the real client downloads platform certificates.
// Every missing variable is named in the error.
//
// The env file of the standalone sandbox (`wechatpay sandbox` or
// cmd/wechatpay-sandbox) sets these variables plus
// WECHATPAY_SANDBOX_ADMIN_URL and the test values an example needs beyond
// the credentials (sandboxcmd.TestValues): the examples then call that
// sandbox as they would the real API, fall back to those test values for
// any left unset (saying so), and print the admin API call that plays the
// user's side where a real user would have to act.
package setup

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/internal/envconfig"
	"github.com/wechatpay-biz/wechatpay-biz-go/internal/sandboxcmd"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

// AdminURLVar names the admin API of a standalone sandbox; its env file
// sets it.
const AdminURLVar = "WECHATPAY_SANDBOX_ADMIN_URL"

// sandboxDefaults are the standalone sandbox's test values for the
// variables the examples need beyond the credentials; its sandbox.env sets
// them too.
var sandboxDefaults = sandboxcmd.TestValues()

// Env is what an example runs against.
type Env struct {
	// Client is the client the example calls with: the embedded sandbox's
	// (public-key mode) or one built from the WECHATPAY_* variables, its
	// HTTP requests counted (Calls).
	Client  *core.Client
	Sandbox *sandbox.Server // nil against the real API
	BaseURL string          // the host the client calls
	// AdminURL is the admin API of a standalone sandbox the example calls
	// as it would the real API (WECHATPAY_SANDBOX_ADMIN_URL, with a
	// trailing slash), "" otherwise.
	AdminURL string

	calls *atomic.Int64
}

// Real reports whether the example runs against the real API (or another
// host given in WECHATPAY_BASE_URL) rather than the embedded sandbox.
func (e *Env) Real() bool { return e.Sandbox == nil }

// Calls is the number of HTTP requests the client has sent.
func (e *Env) Calls() int64 {
	if e.calls == nil {
		return 0
	}
	return e.calls.Load()
}

// Close stops the sandbox, if any.
func (e *Env) Close() {
	if e.Sandbox != nil {
		e.Sandbox.Close()
	}
}

// countingTransport counts the requests sent through it: the examples use it
// to refuse to report success when they made no call. It is also what a
// metrics RoundTripper looks like.
type countingTransport struct {
	base http.RoundTripper
	n    *atomic.Int64
}

func (t countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	t.n.Add(1)
	return t.base.RoundTrip(r)
}

func countingClient() (*http.Client, *atomic.Int64) {
	n := new(atomic.Int64)
	hc := core.DefaultHTTPClient()
	hc.Transport = countingTransport{base: hc.Transport, n: n}
	return hc, n
}

// NewSandbox starts the embedded sandbox and returns an environment whose
// client is wired to it.
func NewSandbox() (*Env, error) {
	sb, err := sandbox.NewServer()
	if err != nil {
		return nil, err
	}
	hc, n := countingClient()
	c, err := sb.Client(core.WithHTTPClient(hc))
	if err != nil {
		sb.Close()
		return nil, err
	}
	return &Env{Client: c, Sandbox: sb, BaseURL: sb.URL, calls: n}, nil
}

// New returns the environment: real when WECHATPAY_MCH_ID is set, the
// sandbox otherwise.
func New() (*Env, error) {
	if os.Getenv(envconfig.MchID) == "" {
		return NewSandbox()
	}
	cfg := envconfig.FromEnv(os.Getenv)
	opts, err := cfg.Options(envconfig.Need{APIv3Key: true})
	if err != nil {
		return nil, fmt.Errorf("real API mode (%s is set): %w", envconfig.MchID, err)
	}
	hc, n := countingClient()
	c, err := core.NewClient(append(opts, core.WithHTTPClient(hc))...)
	if err != nil {
		return nil, err
	}
	base := cfg.BaseURL
	if base == "" {
		base = core.DefaultBaseURL
	}
	return &Env{Client: c, BaseURL: base, AdminURL: adminURL(), calls: n}, nil
}

// adminURL is WECHATPAY_SANDBOX_ADMIN_URL with one trailing slash, or "".
func adminURL() string {
	u := os.Getenv(AdminURLVar)
	if u == "" {
		return ""
	}
	return strings.TrimRight(u, "/") + "/"
}

// target names what the example calls in messages: the real API, or the
// host in WECHATPAY_BASE_URL.
func target() string {
	if u := os.Getenv(envconfig.BaseURL); u != "" && u != core.DefaultBaseURL {
		return u
	}
	return "the real API"
}

// Getenv returns the values of the named variables, or one error naming
// every one that is unset: what an example needs beyond the credentials
// against the real API. Against a standalone sandbox (its env file sets
// WECHATPAY_SANDBOX_ADMIN_URL) an unset variable takes the sandbox's test
// value, and a line says so.
func Getenv(names ...string) ([]string, error) {
	values := make([]string, len(names))
	var missing []string
	standalone := adminURL() != ""
	for i, name := range names {
		values[i] = os.Getenv(name)
		if values[i] == "" && standalone && sandboxDefaults[name] != "" {
			values[i] = sandboxDefaults[name]
			fmt.Printf("[sandbox] %s=%s (the standalone sandbox's test value; set it to choose another)\n", name, values[i])
		}
		if values[i] == "" {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("against %s this example also needs %s", target(), strings.Join(missing, ", "))
	}
	return values, nil
}

// Must exits the program with the error, if any.
func Must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "example failed:", err)
		os.Exit(1)
	}
}

// Main runs one example flow: it builds the environment, runs flow with a
// 30-second deadline, and exits non-zero on failure — including when the
// flow made no API call at all, so a skipped run never looks like a pass.
func Main(name string, flow func(ctx context.Context, env *Env) error) {
	env, err := New()
	Must(err)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	err = Run(ctx, env, flow)
	cancel()
	env.Close()
	Must(err)
	fmt.Println(name + ": " + Summary(env))
}

// Run runs flow and fails when it returned an error or made no API call.
func Run(ctx context.Context, env *Env, flow func(ctx context.Context, env *Env) error) error {
	if err := flow(ctx, env); err != nil {
		return err
	}
	if env.Calls() == 0 {
		return errors.New("no API call was made")
	}
	return nil
}

// Summary is the closing line of a successful run.
func Summary(env *Env) string {
	if env.Real() {
		return fmt.Sprintf("%d API call(s) to %s answered and verified; sandbox-only steps were skipped", env.Calls(), env.BaseURL)
	}
	return "all steps passed"
}
