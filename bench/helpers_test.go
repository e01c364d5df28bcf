package bench

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"

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
