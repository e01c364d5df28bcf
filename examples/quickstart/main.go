// Command quickstart is the README's Quick start: it loads the files WeChat
// Pay hands out, builds a client and applies for a recent trade bill — one
// signed request, one verified answer. `make demo` runs it against a local
// sandbox; with your own WECHATPAY_* variables it calls the real API.
package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/wechatpay-biz/wechatpay-biz-go/bill"
	"github.com/wechatpay-biz/wechatpay-biz-go/core"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func run() error {
	var missing []string
	for _, v := range []string{"WECHATPAY_MCH_ID", "WECHATPAY_MCH_KEY_FILE", "WECHATPAY_MCH_CERT_FILE",
		"WECHATPAY_APIV3_KEY", "WECHATPAY_PUBLIC_KEY_ID", "WECHATPAY_PUBLIC_KEY_FILE"} {
		if os.Getenv(v) == "" {
			missing = append(missing, v)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("set %s", strings.Join(missing, ", "))
	}

	// The merchant API key and certificate (商户API证书) and the WeChat Pay
	// public key (微信支付公钥), as downloaded from the merchant platform.
	key, err := core.LoadPrivateKeyFile(os.Getenv("WECHATPAY_MCH_KEY_FILE")) // apiclient_key.pem
	if err != nil {
		return err
	}
	cert, err := core.LoadCertificateFile(os.Getenv("WECHATPAY_MCH_CERT_FILE")) // apiclient_cert.pem
	if err != nil {
		return err
	}
	pub, err := core.LoadPublicKeyFile(os.Getenv("WECHATPAY_PUBLIC_KEY_FILE")) // pub_key.pem
	if err != nil {
		return err
	}
	opts := []core.Option{
		core.WithMerchant(os.Getenv("WECHATPAY_MCH_ID"), core.CertificateSerial(cert), key),
		core.WithAPIv3Key(os.Getenv("WECHATPAY_APIV3_KEY")),
		core.WithPlatformPublicKey(os.Getenv("WECHATPAY_PUBLIC_KEY_ID"), pub), // PUB_KEY_ID_…
	}
	if u := os.Getenv("WECHATPAY_BASE_URL"); u != "" {
		opts = append(opts, core.WithBaseURL(u)) // e.g. a sandbox; default https://api.mch.weixin.qq.com
	}
	c, err := core.NewClient(opts...)
	if err != nil {
		return err // incomplete or inconsistent credentials fail here, before any call
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	// The bill of day D exists from 09:00 (Asia/Shanghai) on D+1, so the day
	// before yesterday is always ready.
	day := bill.DateOf(time.Now()).AddDays(-2)
	resp, err := bill.NewService(c).TradeBill(ctx, &bill.TradeBillRequest{BillDate: day})
	if core.ErrorCode(err) == "NO_STATEMENT_EXIST" {
		fmt.Printf("no trade bill for %s (no payments that day), Request-ID %s\n", day, core.RequestIDOf(err))
		return nil
	}
	if err != nil {
		return err // *core.APIError with its Request-ID, a signature failure, a timeout…
	}
	fmt.Printf("trade bill for %s: SHA-1 %s, Request-ID %s\n", day, resp.HashValue, resp.RequestID)
	return nil
}
