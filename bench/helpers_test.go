package bench

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"testing"

	"github.com/wechatpay-apiv3/wechatpay-go/core/auth"
	"github.com/wechatpay-apiv3/wechatpay-go/core/auth/verifiers"

	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

// x509MarshalPKIX returns the PEM of a public key, as gopay takes it.
func x509MarshalPKIX(pub *rsa.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

func verifierFor(sb *sandbox.Server) auth.Verifier {
	return verifiers.NewSHA256WithRSAPubkeyVerifier(sb.PublicKeyID, *sb.PlatformPublicKey)
}

// loop runs op b.N times with b.Loop and reports, next to the wall time,
// this process's CPU time per operation (user + system, from getrusage):
// cpu-ns/op. With an in-process server it includes the server's share.
func loop(b *testing.B, op func()) {
	b.ReportAllocs()
	c0 := processCPU()
	for b.Loop() {
		op()
	}
	reportCPU(b, c0)
}

func reportCPU(b *testing.B, c0 int64) {
	if c0 >= 0 && b.N > 0 {
		b.ReportMetric(float64(processCPU()-c0)/float64(b.N), "cpu-ns/op")
	}
}
