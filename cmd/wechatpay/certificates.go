package main

import (
	"context"
	"encoding/pem"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/internal/envconfig"
)

func (a *app) certificatesCmd() *cobra.Command {
	var m merchantFlags
	var out string
	cmd := &cobra.Command{
		Use:   "certificates",
		Short: "Download, verify and save the WeChat Pay platform certificates as PEM",
		Long: `Download the platform certificates (GET /v3/certificates), decrypt each one with
the APIv3 key, check that its serial matches its entry, verify the answer's signature
(with the downloaded certificates, or the WeChat Pay public key when one is configured),
and save every certificate that is valid now as DIR/wechatpay_<SERIAL>.pem, written
atomically. Expired certificates are listed and skipped.

Merchants that only have a WeChat Pay public key (public-key mode) have no platform
certificates: the command then says so and exits with status 1.

GET /v3/certificates — https://pay.weixin.qq.com/wiki/doc/apiv3/apis/wechatpay5_1.shtml`,
		Example: `  # credentials from the environment, as for the SDK's examples
  export WECHATPAY_MCH_ID=1900000109 WECHATPAY_APIV3_KEY=...
  export WECHATPAY_MCH_KEY_FILE=apiclient_key.pem WECHATPAY_MCH_CERT_FILE=apiclient_cert.pem
  wechatpay certificates --out ./wechatpay-certs

  # or from flags, with the APIv3 key in a file
  wechatpay certificates --mch-id 1900000109 --mch-key-file apiclient_key.pem \
    --mch-serial 5157F09EFDC096DE15EBE81A47057A7232F1B8E1 --apiv3-key-file apiv3.key --out .`,
		Args: noArgs,
	}
	m.register(cmd.Flags())
	cmd.Flags().StringVarP(&out, "out", "o", ".", "directory to save wechatpay_<SERIAL>.pem files in (created if missing)")
	cmd.RunE = a.action(func(ctx context.Context, _ *cobra.Command, _ []string) error {
		return a.certificates(ctx, &m, out)
	})
	return cmd
}

// certificateList is the answer of GET /v3/certificates.
type certificateList struct {
	Data []struct {
		SerialNo           string    `json:"serial_no"`
		EffectiveTime      time.Time `json:"effective_time"`
		ExpireTime         time.Time `json:"expire_time"`
		EncryptCertificate struct {
			Algorithm      string `json:"algorithm"`
			Nonce          string `json:"nonce"`
			AssociatedData string `json:"associated_data"`
			Ciphertext     string `json:"ciphertext"`
		} `json:"encrypt_certificate"`
	} `json:"data"`
}

func (a *app) certificates(ctx context.Context, m *merchantFlags, out string) error {
	if out == "" {
		return usagef("--out must name a directory")
	}
	// WithAutoCertificates makes the client download, decrypt and verify the
	// list before its first call, so the answer below is verified with keys
	// the client already checked.
	c, err := a.client(m, envconfig.Need{APIv3Key: true}, core.WithAutoCertificates())
	if err != nil {
		return err
	}
	var list certificateList
	resp, err := c.Do(ctx, &core.Request{Method: http.MethodGet, Path: "/v3/certificates", Idempotent: true}, &list)
	if ae, ok := core.IsAPIError(err); ok && (ae.StatusCode == http.StatusNotFound || ae.Code == "NOT_FOUND") {
		return fmt.Errorf("this merchant has no platform certificates (GET /v3/certificates answered %s, Request-ID %s): it verifies with the WeChat Pay public key (pub_key.pem, public-key mode), so there is nothing to download", ae.Code, ae.RequestID)
	}
	if err != nil {
		return err
	}
	if len(list.Data) == 0 {
		return fmt.Errorf("GET /v3/certificates listed no certificate (Request-ID %s)", resp.RequestID)
	}
	trusted := map[string]core.PlatformKey{}
	for _, k := range c.PlatformKeys() {
		trusted[k.Serial] = k
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", out, err)
	}
	now := time.Now()
	saved := 0
	for _, d := range list.Data {
		ec := d.EncryptCertificate
		if ec.Algorithm != "" && ec.Algorithm != "AEAD_AES_256_GCM" {
			return fmt.Errorf("certificate %s is encrypted with %s; only AEAD_AES_256_GCM is supported", d.SerialNo, ec.Algorithm)
		}
		plain, err := c.DecryptAEAD(ec.AssociatedData, ec.Nonce, ec.Ciphertext)
		if err != nil {
			return fmt.Errorf("certificate %s does not decrypt with the APIv3 key (wrong key, or not from WeChat Pay) (Request-ID %s)", d.SerialNo, resp.RequestID)
		}
		cert, err := core.LoadCertificate(plain)
		if err != nil {
			return fmt.Errorf("certificate %s: %w", d.SerialNo, err)
		}
		serial := core.CertificateSerial(cert)
		if serial != d.SerialNo {
			return fmt.Errorf("the certificate listed as %s has serial %s", d.SerialNo, serial)
		}
		if !now.Before(cert.NotAfter) {
			fmt.Fprintf(a.stdout, "skipped  %s: expired on %s\n", serial, cert.NotAfter.UTC().Format(time.DateOnly))
			continue
		}
		if k, ok := trusted[serial]; !ok || !k.PublicKey.Equal(cert.PublicKey) {
			return fmt.Errorf("certificate %s was not verified by the client's own download", serial)
		}
		path := filepath.Join(out, "wechatpay_"+serial+".pem")
		err = writeAtomically(path, 0o644, func(f *os.File) error {
			return pem.Encode(f, &pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})
		})
		if err != nil {
			return fmt.Errorf("saving %s: %w", path, err)
		}
		saved++
		fmt.Fprintf(a.stdout, "saved    %s: valid %s to %s -> %s\n", serial,
			cert.NotBefore.UTC().Format(time.DateOnly), cert.NotAfter.UTC().Format(time.DateOnly), path)
	}
	if saved == 0 {
		return fmt.Errorf("every listed platform certificate has expired (Request-ID %s)", resp.RequestID)
	}
	fmt.Fprintf(a.stdout, "%d platform certificate(s) decrypted, verified and saved (Request-ID %s)\n", saved, resp.RequestID)
	return nil
}
