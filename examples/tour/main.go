// Command tour walks the SDK against the embedded sandbox: platform
// certificates, a signed call, and a callback round trip over a real local
// HTTP listener. It exits non-zero if any step fails.
package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"time"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/notify"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "tour failed:", err)
		os.Exit(1)
	}
	fmt.Println("tour: all steps passed")
}

func run() error {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	sb, err := sandbox.NewServer()
	if err != nil {
		return err
	}
	defer sb.Close()
	fmt.Printf("sandbox listening on %s (merchant %s, public key %s)\n", sb.URL, sb.MerchantID, sb.PublicKeyID)

	c, err := sb.Client()
	if err != nil {
		return err
	}

	// 1. Platform certificates, downloaded with a client that trusts only them.
	certSandbox, err := sandbox.NewServer(sandbox.WithSigningMode(sandbox.SignWithCertificate))
	if err != nil {
		return err
	}
	defer certSandbox.Close()
	cc, err := certSandbox.CertificateClient()
	if err != nil {
		return err
	}
	if err := cc.RefreshCertificates(ctx); err != nil {
		return fmt.Errorf("certificates: %w", err)
	}
	for _, k := range cc.PlatformKeys() {
		fmt.Printf("[certificates] trusted platform certificate %s, valid until %s\n", k.Serial, k.NotAfter.Format(time.DateOnly))
	}

	// 2. A raw signed call through the escape hatch, verified.
	var certs struct {
		Data []struct {
			SerialNo string `json:"serial_no"`
		} `json:"data"`
	}
	resp, err := c.Do(ctx, &core.Request{Method: http.MethodGet, Path: "/v3/certificates", Idempotent: true}, &certs)
	if err != nil {
		return fmt.Errorf("escape hatch: %w", err)
	}
	fmt.Printf("[core] GET /v3/certificates -> %d certificate(s), Request-ID %s\n", len(certs.Data), resp.RequestID)

	// 3. A callback round trip over a real local listener.
	h, err := notify.NewHandler(c)
	if err != nil {
		return err
	}
	got := make(chan string, 1)
	h.On("TOUR.PING", func(_ context.Context, n *notify.Notification) error {
		var v struct {
			Message string `json:"message"`
		}
		if err := n.Decode(&v); err != nil {
			return err
		}
		got <- v.Message
		return nil
	})
	ln := httptest.NewServer(h)
	defer ln.Close()
	if err := sb.Notify(ctx, ln.URL, sandbox.Event{EventType: "TOUR.PING", Summary: "ping", OriginalType: "tour", Resource: map[string]string{"message": "hello"}}); err != nil {
		return fmt.Errorf("callback: %w", err)
	}
	fmt.Printf("[notify] TOUR.PING verified and decrypted: %q\n", <-got)
	return nil
}
