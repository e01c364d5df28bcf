// Package envconfig reads the WECHATPAY_* settings shared by the examples and
// the wechatpay command, and turns them into core.Options: one list of
// variable names, one set of messages naming what is missing.
package envconfig

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strings"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/internal/redact"
)

// The variables, as the README documents them.
const (
	MchID         = "WECHATPAY_MCH_ID"          // merchant ID (商户号)
	MchSerial     = "WECHATPAY_MCH_SERIAL"      // merchant API certificate serial; or give MchCertFile
	MchCertFile   = "WECHATPAY_MCH_CERT_FILE"   // apiclient_cert.pem, whose serial is taken
	MchKeyFile    = "WECHATPAY_MCH_KEY_FILE"    // apiclient_key.pem
	APIv3Key      = "WECHATPAY_APIV3_KEY"       // the 32-byte APIv3 key
	PublicKeyID   = "WECHATPAY_PUBLIC_KEY_ID"   // PUB_KEY_ID_… (public-key mode)
	PublicKeyFile = "WECHATPAY_PUBLIC_KEY_FILE" // pub_key.pem (public-key mode)
	BaseURL       = "WECHATPAY_BASE_URL"        // another API host, e.g. a sandbox
	// PlatformCertFile holds platform certificates (PEM, one or more) to
	// trust besides the public key; the standalone sandbox writes it.
	PlatformCertFile = "WECHATPAY_PLATFORM_CERT_FILE"
)

// Config holds the settings, one field per variable of the same name
// above, as given (no trimming). Empty fields are unset. It prints with the
// APIv3 key masked (see Format).
type Config struct {
	// MchID is the merchant ID (digits); MchSerial the merchant API
	// certificate serial (hexadecimal), or MchCertFile the path of
	// apiclient_cert.pem to take it from; MchKeyFile the path of
	// apiclient_key.pem (PEM, PKCS #8 or PKCS #1).
	MchID, MchSerial, MchCertFile, MchKeyFile string
	// APIv3Key is the APIv3 key, exactly 32 bytes when set.
	APIv3Key string
	// PublicKeyID (PUB_KEY_ID_…) and PublicKeyFile (the path of
	// pub_key.pem) select public-key mode; they go together.
	PublicKeyID, PublicKeyFile string
	// BaseURL replaces the API host (an http(s) URL, e.g. a sandbox's).
	BaseURL string
	// PlatformCertFile is the path of a PEM file of one or more platform
	// certificates to trust.
	PlatformCertFile string

	// Label names a setting in messages; it receives the variable name.
	// nil names the variable itself. The wechatpay command names its
	// flag as well ("--mch-id or WECHATPAY_MCH_ID").
	Label func(variable string) string
}

// FromEnv reads the variables with getenv (os.Getenv).
func FromEnv(getenv func(string) string) Config {
	return Config{
		MchID: getenv(MchID), MchSerial: getenv(MchSerial), MchCertFile: getenv(MchCertFile),
		MchKeyFile: getenv(MchKeyFile), APIv3Key: getenv(APIv3Key),
		PublicKeyID: getenv(PublicKeyID), PublicKeyFile: getenv(PublicKeyFile),
		BaseURL: getenv(BaseURL), PlatformCertFile: getenv(PlatformCertFile),
	}
}

func (c *Config) label(v string) string {
	if c.Label != nil {
		return c.Label(v)
	}
	return v
}

// Need says which optional parts a caller requires.
type Need struct {
	APIv3Key bool // callbacks, certificate download, notify handlers
}

// Options loads the key files and returns the client options: the merchant
// (serial from MchSerial or from the certificate in MchCertFile, which must
// agree), the APIv3 key, public-key mode when PublicKeyID is set, the
// certificates of PlatformCertFile when set, downloaded certificates
// (core.WithAutoCertificates, which needs the APIv3 key) when neither is,
// and the base URL. Every missing setting is named in one error ("missing
// …", each by its Label); an inconsistent one (a certificate that does not
// certify the key, a serial that differs from the certificate's, an APIv3
// key that is not 32 bytes, a BaseURL that is not http(s)) in its own; a
// file that cannot be used is a *FileError wrapping the loader's error (a
// *core.PEMError, an fs error, or no certificate in PlatformCertFile). No
// error contains key material.
func (c *Config) Options(need Need) ([]core.Option, error) {
	var missing []string
	if c.MchID == "" {
		missing = append(missing, c.label(MchID))
	}
	if c.MchKeyFile == "" {
		missing = append(missing, c.label(MchKeyFile))
	}
	if c.MchSerial == "" && c.MchCertFile == "" {
		missing = append(missing, c.label(MchSerial)+" (or "+c.label(MchCertFile)+")")
	}
	autoCerts := c.PublicKeyID == "" && c.PublicKeyFile == "" && c.PlatformCertFile == ""
	if (need.APIv3Key || autoCerts) && c.APIv3Key == "" {
		why := ""
		if autoCerts {
			why = " (needed to download platform certificates without " + c.label(PublicKeyID) + ")"
		}
		missing = append(missing, c.label(APIv3Key)+why)
	}
	switch {
	case c.PublicKeyID != "" && c.PublicKeyFile == "":
		missing = append(missing, c.label(PublicKeyFile)+" (with "+c.label(PublicKeyID)+")")
	case c.PublicKeyID == "" && c.PublicKeyFile != "":
		missing = append(missing, c.label(PublicKeyID)+" (with "+c.label(PublicKeyFile)+")")
	}
	if len(missing) > 0 {
		return nil, errors.New("missing " + strings.Join(missing, ", "))
	}

	if c.BaseURL != "" {
		if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("%s %q is not an http(s) URL, e.g. %s", c.label(BaseURL), c.BaseURL, core.DefaultBaseURL)
		}
	}

	key, err := core.LoadPrivateKeyFile(c.MchKeyFile)
	if err != nil {
		return nil, c.fileError(MchKeyFile, c.MchKeyFile, err)
	}
	serial := c.MchSerial
	if c.MchCertFile != "" {
		cert, err := core.LoadCertificateFile(c.MchCertFile)
		if err != nil {
			return nil, c.fileError(MchCertFile, c.MchCertFile, err)
		}
		if !key.PublicKey.Equal(cert.PublicKey) {
			return nil, fmt.Errorf("%s does not certify the key in %s: use the apiclient_cert.pem and apiclient_key.pem issued together", c.label(MchCertFile), c.label(MchKeyFile))
		}
		fromCert := core.CertificateSerial(cert)
		if serial != "" && !strings.EqualFold(serial, fromCert) {
			return nil, fmt.Errorf("%s is %s but the certificate in %s has serial %s", c.label(MchSerial), serial, c.label(MchCertFile), fromCert)
		}
		serial = fromCert
	}
	opts := []core.Option{core.WithMerchant(c.MchID, serial, key)}
	if c.APIv3Key != "" {
		if len(c.APIv3Key) != 32 {
			return nil, fmt.Errorf("%s must be exactly 32 bytes, got %d (the APIv3 key set under 账户中心 → API安全, not the APIv2 key)", c.label(APIv3Key), len(c.APIv3Key))
		}
		opts = append(opts, core.WithAPIv3Key(c.APIv3Key))
	}
	if autoCerts {
		opts = append(opts, core.WithAutoCertificates())
	}
	if c.PublicKeyID != "" {
		pub, err := core.LoadPublicKeyFile(c.PublicKeyFile)
		if err != nil {
			return nil, c.fileError(PublicKeyFile, c.PublicKeyFile, err)
		}
		opts = append(opts, core.WithPlatformPublicKey(c.PublicKeyID, pub))
	}
	if c.PlatformCertFile != "" {
		certs, err := loadCertificates(c.PlatformCertFile)
		if err != nil {
			return nil, c.fileError(PlatformCertFile, c.PlatformCertFile, err)
		}
		opts = append(opts, core.WithPlatformCertificates(certs...))
	}
	if c.BaseURL != "" {
		opts = append(opts, core.WithBaseURL(c.BaseURL))
	}
	return opts, nil
}

// FileError is a file a setting names that could not be used. Its message
// names the setting, then the file, what was found in it and what to do —
// in terms of the settings (which variable or flag the file belongs to)
// rather than of Go functions — and never contains key material. It
// unwraps to the loader's error: a *core.PEMError or an fs error.
type FileError struct {
	Setting string // the setting's label, e.g. "WECHATPAY_MCH_KEY_FILE"
	msg     string
	err     error
}

// Error returns "<setting>: <file>: <problem>".
func (e *FileError) Error() string { return e.Setting + ": " + e.msg }

// Unwrap returns the loader's error.
func (e *FileError) Unwrap() error { return e.err }

// fileError wraps a loader's error for the file path that variable names.
func (c *Config) fileError(variable, path string, err error) error {
	fe := &FileError{Setting: c.label(variable), err: err}
	var pe *core.PEMError
	if !errors.As(err, &pe) {
		fe.msg = strings.TrimPrefix(err.Error(), "wechatpay: ")
		return fe
	}
	var b strings.Builder
	if pe.File != "" {
		path = pe.File
	}
	b.WriteString(path + ": ")
	if pe.Found == "" {
		b.WriteString("no PEM block found")
	} else {
		b.WriteString("found PEM " + pe.Found)
	}
	b.WriteString(", want " + pe.Want)
	hint := c.hint(variable, pe.Found)
	if hint == "" {
		hint = pe.Hint
	}
	if hint != "" {
		b.WriteString(": " + hint)
	}
	fe.msg = b.String()
	return fe
}

// hint says where a file of the wrong kind belongs, when it is a whole
// file of one other kind WeChat Pay hands out; "" leaves the loader's hint
// (password-protected keys, conversions with openssl, …).
func (c *Config) hint(variable, found string) string {
	const (
		cert   = `"CERTIFICATE"`
		key    = `"PRIVATE KEY"`
		rsaKey = `"RSA PRIVATE KEY"`
		pub    = `"PUBLIC KEY"`
		rsaPub = `"RSA PUBLIC KEY"`
	)
	isKey, isPub := found == key || found == rsaKey, found == pub || found == rsaPub
	switch {
	case variable == MchKeyFile && found == cert:
		return "this is a certificate: apiclient_cert.pem goes to " + c.label(MchCertFile) + ", and the private key is the apiclient_key.pem issued with it"
	case variable == MchKeyFile && isPub:
		return "this is a public key: the WeChat Pay public key (pub_key.pem) goes to " + c.label(PublicKeyFile) + "; the merchant private key is apiclient_key.pem"
	case variable == MchCertFile && isKey:
		return "this is a private key: apiclient_key.pem goes to " + c.label(MchKeyFile) + "; the certificate is the apiclient_cert.pem issued with it"
	case variable == MchCertFile && isPub:
		return "this is a public key: the WeChat Pay public key (pub_key.pem) goes to " + c.label(PublicKeyFile) + "; the merchant certificate is apiclient_cert.pem"
	case variable == PublicKeyFile && found == cert:
		return "this is a certificate: a platform certificate goes to " + c.label(PlatformCertFile) + " and the merchant's apiclient_cert.pem to " + c.label(MchCertFile) + "; the WeChat Pay public key is pub_key.pem, downloaded with its PUB_KEY_ID_… from the merchant platform"
	case variable == PublicKeyFile && isKey:
		return "this is a private key (apiclient_key.pem goes to " + c.label(MchKeyFile) + "); the WeChat Pay public key is pub_key.pem, downloaded with its PUB_KEY_ID_… from the merchant platform"
	case variable == PlatformCertFile && (isKey || isPub):
		return "this is a key, not certificates: the WeChat Pay public key goes to " + c.label(PublicKeyFile) + ", apiclient_key.pem to " + c.label(MchKeyFile)
	}
	return ""
}

// loadCertificates reads every certificate of a PEM file (a platform
// certificate list may hold several during a rotation).
func loadCertificates(path string) ([]*x509.Certificate, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []*x509.Certificate
	for {
		var block *pem.Block
		block, b = pem.Decode(b)
		if block == nil {
			break
		}
		cert, err := core.LoadCertificate(pem.EncodeToMemory(block))
		if err != nil {
			return nil, err
		}
		out = append(out, cert)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no PEM certificate in it", path)
	}
	return out, nil
}

// secret names the Config fields that print masked.
const secret redact.Fields = "APIv3Key"

// Format prints the Config as fmt prints a struct, for every verb, with the
// APIv3 key masked (an unset one still shows as unset); the field itself is
// unchanged.
func (c Config) Format(f fmt.State, verb rune) { secret.Print(f, verb, c) }

// LogValue is the Config for log/slog, the APIv3 key masked.
func (c Config) LogValue() slog.Value { return secret.LogValue(c) }

// String is the Config as %v prints it, the APIv3 key masked.
func (c Config) String() string { return fmt.Sprint(c) }
