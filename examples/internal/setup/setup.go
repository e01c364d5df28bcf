// Package setup gives the examples a client: against the embedded sandbox by
// default, or against the real WeChat Pay API when credentials are given in
// environment variables:
//
//	WECHATPAY_MCH_ID          merchant ID
//	WECHATPAY_MCH_SERIAL      merchant API certificate serial
//	WECHATPAY_MCH_KEY_FILE    path of the merchant API private key (PEM)
//	WECHATPAY_APIV3_KEY       APIv3 key (32 bytes)
//	WECHATPAY_PUBLIC_KEY_ID   WeChat Pay public key ID (PUB_KEY_ID_…), optional
//	WECHATPAY_PUBLIC_KEY_FILE WeChat Pay public key (PEM), with the ID above
//	WECHATPAY_PLATFORM_CERT_FILE platform certificates (PEM) to trust as well, optional
//	WECHATPAY_BASE_URL        API base URL, optional (default the production host)
//
// Without a public key or certificates the real client downloads platform
// certificates. The standalone sandbox (go run ./cmd/wechatpay-sandbox)
// writes these variables to sandbox-keys/sandbox.env, so the examples can
// run against it as against the real API.
package setup

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"time"

	"github.com/wechatpay-apiv3/wechatpay-go/utils"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

// Env is what an example runs against.
type Env struct {
	Client  *core.Client
	Sandbox *sandbox.Server // nil against the real API
}

// Real reports whether the example runs against the real API.
func (e *Env) Real() bool { return e.Sandbox == nil }

// Close stops the sandbox, if any.
func (e *Env) Close() {
	if e.Sandbox != nil {
		e.Sandbox.Close()
	}
}

// New returns the environment: real when WECHATPAY_MCH_ID is set, the
// sandbox otherwise.
func New() (*Env, error) {
	if os.Getenv("WECHATPAY_MCH_ID") == "" {
		sb, err := sandbox.NewServer()
		if err != nil {
			return nil, err
		}
		c, err := sb.Client()
		if err != nil {
			sb.Close()
			return nil, err
		}
		return &Env{Client: c, Sandbox: sb}, nil
	}
	key, err := utils.LoadPrivateKeyWithPath(os.Getenv("WECHATPAY_MCH_KEY_FILE"))
	if err != nil {
		return nil, fmt.Errorf("WECHATPAY_MCH_KEY_FILE: %w", err)
	}
	opts := []core.Option{
		core.WithMerchant(os.Getenv("WECHATPAY_MCH_ID"), os.Getenv("WECHATPAY_MCH_SERIAL"), key),
		core.WithAPIv3Key(os.Getenv("WECHATPAY_APIV3_KEY")),
	}
	if base := os.Getenv("WECHATPAY_BASE_URL"); base != "" {
		opts = append(opts, core.WithBaseURL(base))
	}
	trusted := false
	if id := os.Getenv("WECHATPAY_PUBLIC_KEY_ID"); id != "" {
		pub, err := utils.LoadPublicKeyWithPath(os.Getenv("WECHATPAY_PUBLIC_KEY_FILE"))
		if err != nil {
			return nil, fmt.Errorf("WECHATPAY_PUBLIC_KEY_FILE: %w", err)
		}
		opts, trusted = append(opts, core.WithPlatformPublicKey(id, pub)), true
	}
	if path := os.Getenv("WECHATPAY_PLATFORM_CERT_FILE"); path != "" {
		certs, err := loadCertificates(path)
		if err != nil {
			return nil, fmt.Errorf("WECHATPAY_PLATFORM_CERT_FILE: %w", err)
		}
		opts, trusted = append(opts, core.WithPlatformCertificates(certs...)), true
	}
	if !trusted {
		opts = append(opts, core.WithAutoCertificates())
	}
	c, err := core.NewClient(opts...)
	if err != nil {
		return nil, err
	}
	return &Env{Client: c}, nil
}

// loadCertificates reads every certificate of a PEM file.
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
		if block.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no certificate in %s", path)
	}
	return out, nil
}

// Must exits the program with the error, if any.
func Must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "example failed:", err)
		os.Exit(1)
	}
}

// Main runs one example flow: it builds the environment, runs flow with a
// 30-second deadline, and exits non-zero on failure.
func Main(name string, flow func(ctx context.Context, env *Env) error) {
	env, err := New()
	Must(err)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	err = flow(ctx, env)
	cancel()
	env.Close()
	Must(err)
	fmt.Printf("%s: all steps passed\n", name)
}
