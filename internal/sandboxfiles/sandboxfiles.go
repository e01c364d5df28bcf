// Package sandboxfiles writes a sandbox merchant's test-only credentials as
// the PEM files WeChat Pay hands out, for programs that read credentials
// from files (the Quick start, the wechatpay command) and their tests.
package sandboxfiles

import (
	"os"
	"path/filepath"

	"github.com/wechatpay-biz/wechatpay-biz-go/internal/envconfig"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

// Write writes the sandbox merchant's test-only credentials to
// dir as the files WeChat Pay hands out — apiclient_key.pem, the
// certificate apiclient_cert.pem carrying the merchant serial, and
// pub_key.pem — and returns the WECHATPAY_* variables that point at them
// and at the sandbox.
func Write(sb *sandbox.Server, dir string) (map[string]string, error) {
	creds := sb.CredentialFiles()
	files := map[string][]byte{
		"apiclient_key.pem":  creds[sandbox.CredentialMerchantKey],
		"apiclient_cert.pem": creds[sandbox.CredentialMerchantCertificate],
		"pub_key.pem":        creds[sandbox.CredentialPublicKey],
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			return nil, err
		}
	}
	return map[string]string{
		envconfig.MchID:         sb.MerchantID,
		envconfig.MchKeyFile:    filepath.Join(dir, "apiclient_key.pem"),
		envconfig.MchCertFile:   filepath.Join(dir, "apiclient_cert.pem"),
		envconfig.APIv3Key:      sb.APIv3Key,
		envconfig.PublicKeyID:   sb.PublicKeyID,
		envconfig.PublicKeyFile: filepath.Join(dir, "pub_key.pem"),
		envconfig.BaseURL:       sb.URL,
	}, nil
}
