// Package sandboxfiles writes a sandbox merchant's test-only credentials as
// the PEM files WeChat Pay hands out, for programs that read credentials
// from files (the Quick start, the wechatpay command) and their tests.
package sandboxfiles

import (
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"time"

	"github.com/wechatpay-biz/wechatpay-biz-go/internal/envconfig"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

// Write writes the sandbox merchant's test-only credentials to
// dir as the files WeChat Pay hands out — apiclient_key.pem, a certificate
// apiclient_cert.pem carrying the merchant serial, and pub_key.pem — and
// returns the WECHATPAY_* variables that point at them and at the sandbox.
func Write(sb *sandbox.Server, dir string) (map[string]string, error) {
	keyDER, err := x509.MarshalPKCS8PrivateKey(sb.MerchantPrivateKey)
	if err != nil {
		return nil, err
	}
	serial, ok := new(big.Int).SetString(sb.MerchantSerialNo, 16)
	if !ok {
		return nil, fmt.Errorf("sandbox merchant serial %q is not hex", sb.MerchantSerialNo)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: sb.MerchantID, Organization: []string{"wechatpay-biz-go sandbox merchant (TEST ONLY)"}},
		NotBefore:    now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0),
		KeyUsage: x509.KeyUsageDigitalSignature,
	}
	certDER, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &sb.MerchantPrivateKey.PublicKey, sb.MerchantPrivateKey)
	if err != nil {
		return nil, err
	}
	pubDER, err := x509.MarshalPKIXPublicKey(sb.PlatformPublicKey)
	if err != nil {
		return nil, err
	}
	files := map[string]*pem.Block{
		"apiclient_key.pem":  {Type: "PRIVATE KEY", Bytes: keyDER},
		"apiclient_cert.pem": {Type: "CERTIFICATE", Bytes: certDER},
		"pub_key.pem":        {Type: "PUBLIC KEY", Bytes: pubDER},
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), pem.EncodeToMemory(b), 0o600); err != nil {
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
