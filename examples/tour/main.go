// Command tour starts the embedded sandbox and walks every product's main
// flow — smart guide, gold plan, business circle, pay score (direct and for
// service providers), a refund of a pay-score deduction and bills — with the
// callbacks delivered over real local HTTP listeners, printing each call's
// Request-ID. It exits non-zero if any step fails. The bills at the end are
// today's, generated from the pay-score and mall payments and the refunds the
// tour itself made.
//
// Each product's flow also runs on its own (go run ./examples/<product>),
// and against the real API when credentials are set (see README.md).
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/wechatpay-biz/wechatpay-biz-go/bill"
	"github.com/wechatpay-biz/wechatpay-biz-go/examples/internal/flows"
	"github.com/wechatpay-biz/wechatpay-biz-go/examples/internal/setup"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

func main() {
	start := time.Now()
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "tour failed:", err)
		os.Exit(1)
	}
	fmt.Printf("tour: every step passed in %s\n", time.Since(start).Round(time.Millisecond))
}

func run() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	sb, err := sandbox.NewServer()
	if err != nil {
		return err
	}
	defer sb.Close()
	c, err := sb.Client()
	if err != nil {
		return err
	}
	env := &setup.Env{Client: c, Sandbox: sb}
	fmt.Printf("sandbox on %s: merchant %s, WeChat Pay public key %s\n", sb.URL, sb.MerchantID, sb.PublicKeyID)

	section("platform certificates")
	if err := certificates(ctx); err != nil {
		return fmt.Errorf("certificates: %w", err)
	}
	steps := []struct {
		name string
		run  func(context.Context, *setup.Env) error
	}{
		{"smart guide (支付即服务)", flows.SmartGuide},
		{"gold plan (点金计划)", flows.GoldPlan},
		{"business circle (智慧商圈)", flows.BusinessCircle},
		{"pay score (微信支付分)", flows.PayScore},
		{"pay score for service providers (微信支付分·服务商)", flows.PayScorePartner},
		{"refund of a pay-score deduction (退款)", flows.Refund},
		{"bills (账单)", func(ctx context.Context, env *setup.Env) error {
			sb.BillServeToday(true)
			return flows.BillFor(ctx, env, bill.DateOf(time.Now()), false)
		}},
	}
	for _, s := range steps {
		section(s.name)
		if err := s.run(ctx, env); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
	}
	return nil
}

// certificates shows certificate mode: a client that trusts nothing but the
// platform certificates it downloads, decrypts and verifies itself, through
// a rotation as WeChat Pay runs it (new certificate listed 180 days before
// the old one expires, signing moved over by a gray release), on the
// sandbox clock.
func certificates(ctx context.Context) error {
	sb, err := sandbox.NewServer()
	if err != nil {
		return err
	}
	defer sb.Close()
	c, err := sb.CertificateClient()
	if err != nil {
		return err
	}
	trusted := func(when string) error {
		if err := c.RefreshCertificates(ctx); err != nil {
			return err
		}
		for _, k := range c.PlatformKeys() {
			fmt.Printf("[certificates] %s: GET /v3/certificates -> trusted %s, valid until %s\n", when, k.Serial, k.NotAfter.Format(time.DateOnly))
		}
		return nil
	}
	if err := trusted("today"); err != nil {
		return err
	}
	if _, err := sb.RotateCertificate(); err != nil {
		return err
	}
	m, _ := sb.RotationMilestones()
	fmt.Printf("[certificates] rotation: new certificate listed from %s, old one expires %s\n", m.Listed.Format(time.DateOnly), m.Expiry.Format(time.DateOnly))
	sb.AdvanceTo(m.Listed)
	if err := trusted("T-180d (list signed with the old certificate)"); err != nil {
		return err
	}
	if err := sb.SetCertificateGrayRelease(50); err != nil {
		return err
	}
	fmt.Println("[certificates] gray release: half of the answers signed with the new certificate")
	sb.AdvanceTo(m.Expiry)
	return trusted("T (the old certificate expired)")
}

func section(name string) { fmt.Printf("\n== %s ==\n", name) }
