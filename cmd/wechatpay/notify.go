package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/internal/envconfig"
	"github.com/wechatpay-biz/wechatpay-biz-go/notify/notifytest"
)

// maxResourceFile caps the resource JSON read by notify send.
const maxResourceFile = 1 << 20

// maxAnswer caps how much of the endpoint's answer is read and printed.
const maxAnswer = 4 << 10

func (a *app) notifyCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "notify",
		Short: "Test callback endpoints: post a signed, encrypted callback to one",
		Long: `Test a deployed callback endpoint (notify_url) in staging: "notify send" builds a
callback exactly as WeChat Pay sends one, from TEST keys the endpoint trusts, posts it
and prints the answer.`,
		Example: `  wechatpay notify send --event PAYSCORE.USER_PAID --resource paid.json \
    --url https://staging.example.com/wechatpay/notify \
    --platform-key-file test_platform_key.pem --serial PUB_KEY_ID_0119000001092026112600000000000001`,
	}
	return groupCmd(cmd, a.notifySendCmd())
}

type notifySendFlags struct {
	event, resource, url          string
	keyFile, serial, certFile     string
	apiV3KeyFile                  string
	originalType, summary, id, ad string
}

func (a *app) notifySendCmd() *cobra.Command {
	var f notifySendFlags
	cmd := &cobra.Command{
		Use:   "send",
		Short: "Post a signed, encrypted test callback to an endpoint",
		Long: `Build a callback exactly as WeChat Pay sends one — the resource JSON encrypted with
AEAD_AES_256_GCM under the APIv3 key, the body signed with the given platform private
key, the four Wechatpay-* headers set — post it to --url and print the answer.

Use it to test a deployed notify endpoint in staging that trusts TEST keys: the
private half of the WeChat Pay public key (or platform certificate) it was configured
with. Real WeChat Pay keys are never in your hands, so this cannot forge production
callbacks. The exit status is 0 when the endpoint answered 2xx, 1 otherwise.`,
		Example: `  # the staging endpoint trusts test key PUB_KEY_ID_0119… and the APIv3 key in apiv3.key
  wechatpay notify send --event PAYSCORE.USER_PAID --resource paid.json \
    --url https://staging.example.com/wechatpay/notify \
    --platform-key-file test_platform_key.pem --serial PUB_KEY_ID_0119000001092026112600000000000001 \
    --apiv3-key-file apiv3.key --original-type payscore

  # paid.json is the decrypted resource, e.g.
  #   {"out_order_no":"1234323JKHDFE1243252","state":"DONE","service_id":"500001"}`,
		Args: noArgs,
	}
	fl := cmd.Flags()
	fl.StringVar(&f.event, "event", "", "event_type, e.g. PAYSCORE.USER_PAID or MALL_TRANSACTION.SUCCESS (required)")
	fl.StringVar(&f.resource, "resource", "", "file with the resource as plain JSON; it is encrypted (required)")
	fl.StringVar(&f.url, "url", "", "the endpoint, http(s)://… (required)")
	fl.StringVar(&f.keyFile, "platform-key-file", "", "TEST platform private key that signs the callback, PEM (required)")
	fl.StringVar(&f.serial, "serial", "", "Wechatpay-Serial: the PUB_KEY_ID_… or certificate serial the endpoint knows the key by")
	fl.StringVar(&f.certFile, "platform-cert-file", "", "TEST platform certificate of that key, to take --serial from")
	fl.StringVar(&f.apiV3KeyFile, "apiv3-key-file", "", "file holding the 32-byte APIv3 key [$WECHATPAY_APIV3_KEY holds the key itself]")
	fl.StringVar(&f.originalType, "original-type", "", "resource.original_type, e.g. payscore, mall_transaction")
	fl.StringVar(&f.summary, "summary", "", "summary of the callback")
	fl.StringVar(&f.id, "id", "", "notification id (default: a random EV-… id)")
	fl.StringVar(&f.ad, "associated-data", "", "resource.associated_data")
	cmd.RunE = a.action(func(ctx context.Context, _ *cobra.Command, _ []string) error { return a.notifySend(ctx, &f) })
	return cmd
}

func (a *app) notifySend(ctx context.Context, f *notifySendFlags) error {
	var missing []string
	for _, r := range []struct{ v, flag string }{
		{f.event, "--event"}, {f.resource, "--resource"}, {f.url, "--url"}, {f.keyFile, "--platform-key-file"},
	} {
		if r.v == "" {
			missing = append(missing, r.flag)
		}
	}
	if f.serial == "" && f.certFile == "" {
		missing = append(missing, "--serial (or --platform-cert-file)")
	}
	apiV3Key := a.getenv(envconfig.APIv3Key)
	if f.apiV3KeyFile != "" {
		k, err := readAPIv3KeyFile(f.apiV3KeyFile)
		if err != nil {
			return err
		}
		apiV3Key = k
	}
	if apiV3Key == "" {
		missing = append(missing, label(envconfig.APIv3Key))
	}
	if len(missing) > 0 {
		return usagef("missing %s", strings.Join(missing, ", "))
	}
	if len(apiV3Key) != 32 {
		return usagef("%s must be exactly 32 bytes, got %d: the APIv3 key the endpoint decrypts callbacks with", label(envconfig.APIv3Key), len(apiV3Key))
	}
	u, err := url.Parse(f.url)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return usagef("--url %q is not an http(s) URL", f.url)
	}
	key, err := core.LoadPrivateKeyFile(f.keyFile)
	if err != nil {
		return &usageError{platformFileError("--platform-key-file", err)}
	}
	serial := f.serial
	if f.certFile != "" {
		cert, err := core.LoadCertificateFile(f.certFile)
		if err != nil {
			return &usageError{platformFileError("--platform-cert-file", err)}
		}
		if !key.PublicKey.Equal(cert.PublicKey) {
			return usagef("--platform-cert-file does not certify the key in --platform-key-file")
		}
		if fromCert := core.CertificateSerial(cert); serial != "" && !strings.EqualFold(serial, fromCert) {
			return usagef("--serial %s differs from the serial %s of --platform-cert-file", serial, fromCert)
		} else {
			serial = fromCert
		}
	}
	resource, err := readResource(f.resource)
	if err != nil {
		return err
	}

	header, body, err := notifytest.BuildSigned(notifytest.Event{
		ID: f.id, EventType: f.event, Summary: f.summary, OriginalType: f.originalType,
		AssociatedData: f.ad, Resource: resource,
	}, notifytest.Signer{Serial: serial, PrivateKey: key, APIv3Key: apiV3Key})
	if err != nil {
		return &usageError{err}
	}
	var env struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(body, &env) // built above: always valid JSON

	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return &usageError{err}
	}
	req.Header = header
	req.Header.Set("User-Agent", "wechatpay-cli/"+core.Version)
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("POST %s: %w", redactURL(u), ctx.Err())
		}
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("POST %s: %w", redactURL(u), err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	if err != nil {
		return fmt.Errorf("POST %s: reading the answer: %w", redactURL(u), err)
	}
	truncated := len(answer) > maxAnswer
	if truncated {
		answer = answer[:maxAnswer]
	}
	fmt.Fprintf(a.stdout, "sent     %s %s (Wechatpay-Serial %s) to %s\n", f.event, env.ID, serial, redactURL(u))
	fmt.Fprintf(a.stdout, "answer   %s\n", resp.Status)
	if text := oneLine(strings.ToValidUTF8(string(answer), "\uFFFD")); text != "" {
		if truncated {
			text += " …"
		}
		fmt.Fprintf(a.stdout, "body     %s\n", text)
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("the endpoint answered %s: WeChat Pay would deliver this callback again", resp.Status)
	}
	return nil
}

// platformFileError explains a test platform key or certificate file of
// the wrong kind in terms of this command's flags: the loaders' own hints
// speak of the merchant's apiclient_*.pem files and of Go functions.
func platformFileError(flag string, err error) error {
	var pe *core.PEMError
	if !errors.As(err, &pe) {
		return fmt.Errorf("%s: %s", flag, strings.TrimPrefix(err.Error(), "wechatpay: "))
	}
	found := "no PEM block found"
	if pe.Found != "" {
		found = "found PEM " + pe.Found
	}
	var hint string
	isKey := strings.Contains(pe.Found, "PRIVATE KEY")
	switch {
	case strings.Contains(pe.Found, "ENCRYPTED"):
		hint = "it is password-protected: decrypt it with `openssl pkey -in " + pe.File + " -out test_platform_key.pem`"
	case flag == "--platform-key-file" && strings.Contains(pe.Found, "CERTIFICATE"):
		hint = "this is a certificate: give it as --platform-cert-file (its serial becomes Wechatpay-Serial) and its private key as --platform-key-file"
	case strings.Contains(pe.Found, "PUBLIC KEY"):
		hint = "this is a public key, which the endpoint keeps; the callback is signed with the private key it belongs to (--platform-key-file)"
	case flag == "--platform-cert-file" && isKey:
		hint = "this is a private key: give it as --platform-key-file; --platform-cert-file is optional, to take --serial from"
	case pe.Found == "":
		hint = "the file is not PEM text; the test key is a PEM file holding a \"PRIVATE KEY\" block"
	default:
		hint = pe.Hint
	}
	want := `the TEST platform private key (PEM "PRIVATE KEY" or "RSA PRIVATE KEY")`
	if flag == "--platform-cert-file" {
		want = `the TEST platform certificate of that key (PEM "CERTIFICATE")`
	}
	msg := fmt.Sprintf("%s %s: %s, want %s", flag, pe.File, found, want)
	if hint != "" {
		msg += ": " + hint
	}
	return &flagFileError{msg: msg, err: err}
}

// flagFileError is a file given to a flag that could not be used; it
// unwraps to the loader's error.
type flagFileError struct {
	msg string
	err error
}

func (e *flagFileError) Error() string { return e.msg }
func (e *flagFileError) Unwrap() error { return e.err }

// readResource reads the resource file and checks that it holds JSON.
func readResource(path string) (json.RawMessage, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, usagef("--resource: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxResourceFile+1))
	if err != nil {
		return nil, usagef("--resource: reading %s: %w", path, err)
	}
	if len(b) > maxResourceFile {
		return nil, usagef("--resource: %s is larger than %d bytes", path, maxResourceFile)
	}
	if !json.Valid(b) {
		return nil, usagef("--resource: %s is not valid JSON", path)
	}
	return json.RawMessage(b), nil
}

// redactURL drops credentials and the query from a URL before it is printed.
func redactURL(u *url.URL) string {
	c := *u
	c.User = nil
	c.RawQuery, c.ForceQuery = "", false
	c.Fragment = ""
	return c.String()
}
