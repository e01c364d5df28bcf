package envconfig_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"log/slog"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/internal/envconfig"
	"github.com/wechatpay-biz/wechatpay-biz-go/internal/sandboxfiles"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

func getenv(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestEveryMissingVariableIsNamed(t *testing.T) {
	cfg := envconfig.FromEnv(getenv(map[string]string{envconfig.MchID: "1900000109"}))
	_, err := cfg.Options(envconfig.Need{})
	require.EqualError(t, err, "missing WECHATPAY_MCH_KEY_FILE, WECHATPAY_MCH_SERIAL (or WECHATPAY_MCH_CERT_FILE), "+
		"WECHATPAY_APIV3_KEY (needed to download platform certificates without WECHATPAY_PUBLIC_KEY_ID)")

	cfg = envconfig.FromEnv(getenv(map[string]string{envconfig.PublicKeyID: "PUB_KEY_ID_01"}))
	cfg.Label = func(v string) string { return "--flag or " + v }
	_, err = cfg.Options(envconfig.Need{APIv3Key: true})
	require.EqualError(t, err, "missing --flag or WECHATPAY_MCH_ID, --flag or WECHATPAY_MCH_KEY_FILE, "+
		"--flag or WECHATPAY_MCH_SERIAL (or --flag or WECHATPAY_MCH_CERT_FILE), --flag or WECHATPAY_APIV3_KEY, "+
		"--flag or WECHATPAY_PUBLIC_KEY_FILE (with --flag or WECHATPAY_PUBLIC_KEY_ID)")
}

func sandboxEnv(t *testing.T) (*sandbox.Server, map[string]string) {
	t.Helper()
	sb, err := sandbox.NewServer()
	require.NoError(t, err)
	t.Cleanup(sb.Close)
	vars, err := sandboxfiles.Write(sb, t.TempDir())
	require.NoError(t, err)
	return sb, vars
}

func TestOptionsBuildAWorkingClient(t *testing.T) {
	sb, vars := sandboxEnv(t)
	for name, edit := range map[string]func(map[string]string){
		"serial from the certificate": func(map[string]string) {},
		"serial given": func(m map[string]string) {
			delete(m, envconfig.MchCertFile)
			m[envconfig.MchSerial] = sb.MerchantSerialNo
		},
		"both, agreeing (any case)": func(m map[string]string) { m[envconfig.MchSerial] = "5157f09efdc096de15ebe81a47057a7232f1b8e1" },
	} {
		t.Run(name, func(t *testing.T) {
			m := map[string]string{}
			for k, v := range vars {
				m[k] = v
			}
			edit(m)
			cfg := envconfig.FromEnv(getenv(m))
			opts, err := cfg.Options(envconfig.Need{APIv3Key: true})
			require.NoError(t, err)
			c, err := core.NewClient(opts...)
			require.NoError(t, err)
			resp, err := c.Do(t.Context(), &core.Request{Method: "GET", Path: "/v3/certificates", Idempotent: true}, nil)
			require.NoError(t, err)
			require.NotEmpty(t, resp.RequestID)
		})
	}
}

func TestOptionsRejectInconsistentFiles(t *testing.T) {
	_, vars := sandboxEnv(t)
	dir := filepath.Dir(vars[envconfig.MchKeyFile])

	m := getenv(map[string]string{
		envconfig.MchID: "1900000109", envconfig.MchKeyFile: vars[envconfig.MchKeyFile],
		envconfig.MchCertFile: vars[envconfig.MchCertFile], envconfig.MchSerial: "0A12",
		envconfig.APIv3Key: vars[envconfig.APIv3Key],
	})
	cfg := envconfig.FromEnv(m)
	_, err := cfg.Options(envconfig.Need{})
	require.EqualError(t, err, "WECHATPAY_MCH_SERIAL is 0A12 but the certificate in WECHATPAY_MCH_CERT_FILE has serial 5157F09EFDC096DE15EBE81A47057A7232F1B8E1")

	// The key and the certificate swapped: the loader names the variable and the file.
	cfg.MchSerial, cfg.MchKeyFile, cfg.MchCertFile = "", vars[envconfig.MchCertFile], vars[envconfig.MchKeyFile]
	_, err = cfg.Options(envconfig.Need{})
	require.ErrorContains(t, err, "WECHATPAY_MCH_KEY_FILE: "+vars[envconfig.MchCertFile]+`: found PEM "CERTIFICATE", want an RSA private key`)
	require.ErrorContains(t, err, "this is a certificate: apiclient_cert.pem goes to WECHATPAY_MCH_CERT_FILE")
	var pe *core.PEMError
	require.ErrorAs(t, err, &pe)
	var fe *envconfig.FileError
	require.ErrorAs(t, err, &fe)
	require.Equal(t, "WECHATPAY_MCH_KEY_FILE", fe.Setting)

	// A public key given as the private key.
	cfg.MchKeyFile, cfg.MchCertFile = vars[envconfig.PublicKeyFile], vars[envconfig.MchCertFile]
	_, err = cfg.Options(envconfig.Need{})
	require.ErrorContains(t, err, `found PEM "PUBLIC KEY"`)
	require.ErrorContains(t, err, "the WeChat Pay public key (pub_key.pem) goes to WECHATPAY_PUBLIC_KEY_FILE")

	// A certificate of another key.
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &ecKey.PublicKey, ecKey)
	require.NoError(t, err)
	other := filepath.Join(dir, "other_cert.pem")
	require.NoError(t, os.WriteFile(other, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600))
	cfg = envconfig.FromEnv(m)
	cfg.MchSerial, cfg.MchCertFile = "", other
	_, err = cfg.Options(envconfig.Need{})
	require.EqualError(t, err, "WECHATPAY_MCH_CERT_FILE does not certify the key in WECHATPAY_MCH_KEY_FILE: use the apiclient_cert.pem and apiclient_key.pem issued together")

	cfg = envconfig.FromEnv(m)
	cfg.APIv3Key = "short"
	cfg.MchSerial = ""
	_, err = cfg.Options(envconfig.Need{})
	require.ErrorContains(t, err, "WECHATPAY_APIV3_KEY must be exactly 32 bytes, got 5")
}

// Messages about files name the setting (as a flag too, for the command),
// the file and where the file belongs, once, without Go function names or
// a repeated "wechatpay:" prefix.
func TestFileErrorsSpeakInSettings(t *testing.T) {
	_, vars := sandboxEnv(t)
	dir := filepath.Dir(vars[envconfig.MchKeyFile])
	label := func(v string) string {
		if v == envconfig.MchCertFile {
			return "--mch-cert-file or " + v
		}
		return v
	}
	for _, tc := range []struct {
		edit func(*envconfig.Config)
		want string
	}{
		{func(c *envconfig.Config) { c.MchKeyFile = filepath.Join(dir, "nope.pem") },
			"WECHATPAY_MCH_KEY_FILE: open " + filepath.Join(dir, "nope.pem") + ": no such file or directory"},
		{func(c *envconfig.Config) { c.MchCertFile = vars[envconfig.MchKeyFile] },
			"--mch-cert-file or WECHATPAY_MCH_CERT_FILE: " + vars[envconfig.MchKeyFile] + `: found PEM "PRIVATE KEY", want an X.509 certificate (PEM "CERTIFICATE", e.g. apiclient_cert.pem): this is a private key: apiclient_key.pem goes to WECHATPAY_MCH_KEY_FILE`},
		{func(c *envconfig.Config) { c.PublicKeyFile = vars[envconfig.MchCertFile] },
			"WECHATPAY_PUBLIC_KEY_FILE: " + vars[envconfig.MchCertFile] + `: found PEM "CERTIFICATE", want an RSA public key`},
		{func(c *envconfig.Config) { c.PublicKeyFile = vars[envconfig.MchKeyFile] },
			"this is a private key (apiclient_key.pem goes to WECHATPAY_MCH_KEY_FILE)"},
		{func(c *envconfig.Config) { c.PlatformCertFile = vars[envconfig.PublicKeyFile] },
			"WECHATPAY_PLATFORM_CERT_FILE: " + vars[envconfig.PublicKeyFile] + `: found PEM "PUBLIC KEY", want an X.509 certificate (PEM "CERTIFICATE", e.g. apiclient_cert.pem): this is a key, not certificates: the WeChat Pay public key goes to WECHATPAY_PUBLIC_KEY_FILE`},
		{func(c *envconfig.Config) { c.BaseURL = "127.0.0.1:8080" },
			`WECHATPAY_BASE_URL "127.0.0.1:8080" is not an http(s) URL, e.g. https://api.mch.weixin.qq.com`},
	} {
		m := map[string]string{}
		for k, v := range vars {
			m[k] = v
		}
		cfg := envconfig.FromEnv(getenv(m))
		cfg.Label = label
		tc.edit(&cfg)
		_, err := cfg.Options(envconfig.Need{})
		require.Error(t, err)
		require.Contains(t, err.Error(), tc.want)
		require.NotContains(t, err.Error(), "wechatpay:")
		require.NotContains(t, err.Error(), "Load")
		require.NotContains(t, err.Error(), "-----BEGIN")
	}
}

// The APIv3 key prints masked in every fmt verb and slog handler, also
// held in another struct; the other settings still show and the field
// keeps its value.
func TestConfigPrintsTheAPIv3KeyMasked(t *testing.T) {
	const key = "sandboxAPIv3Key0123456789abcdefg"
	cfg := envconfig.FromEnv(getenv(map[string]string{envconfig.MchID: "1900000109", envconfig.APIv3Key: key}))
	cfg.Label = func(v string) string { return v }
	forms := []string{key, hex.EncodeToString([]byte(key)), strings.ToUpper(hex.EncodeToString([]byte(key)))}
	type Holder struct{ Cfg *envconfig.Config }
	for name, v := range map[string]any{"value": cfg, "pointer": &cfg, "in a struct": Holder{&cfg}, "slice": []envconfig.Config{cfg}} {
		var text, js bytes.Buffer
		slog.New(slog.NewTextHandler(&text, nil)).Info("cfg", "c", v)
		slog.New(slog.NewJSONHandler(&js, nil)).Info("cfg", "c", v)
		outs := []string{text.String(), js.String()}
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X"} {
			outs = append(outs, fmt.Sprintf(verb, v))
		}
		for _, o := range outs {
			for _, f := range forms {
				require.NotContains(t, o, f, name)
			}
		}
	}
	require.Contains(t, fmt.Sprintf("%+v", cfg), "MchID:1900000109")
	require.Contains(t, fmt.Sprintf("%+v", cfg), "APIv3Key:***")
	require.Contains(t, fmt.Sprintf("%+v", envconfig.Config{}), "APIv3Key: ", "unset shows as unset")
	require.Equal(t, key, cfg.APIv3Key)
}
