package core

import "strings"

// signErrorHint says what to check when WeChat Pay answers 401 SIGN_ERROR:
// the request was signed, but not with what WeChat Pay holds for this
// merchant.
func (c *Client) signErrorHint() string {
	return "check the three things WeChat Pay matches the signature against: the merchant ID (WithMerchant gave " + c.mchID +
		"), the merchant certificate serial (gave " + c.mchSerial + "; it must be the serial of apiclient_cert.pem), " +
		"and the private key (it must be apiclient_key.pem, the key of that certificate)"
}

// addHint fills in APIError.Hint for errors that usually come from the
// client's configuration.
func (c *Client) addHint(e *APIError) {
	if e.Code == "SIGN_ERROR" {
		e.Hint = c.signErrorHint()
	}
}

// unknownSerialHint explains an unknown Wechatpay-Serial that names a kind
// of key the client is not configured for: a certificate serial for a
// client holding only the WeChat Pay public key, or a public-key ID for a
// client holding only certificates.
func (c *Client) unknownSerialHint(serial string) string {
	var hasPublicKey, hasCert bool
	for _, k := range c.keys.all() {
		if k.IsPublicKey() {
			hasPublicKey = true
		} else {
			hasCert = true
		}
	}
	switch {
	case strings.HasPrefix(serial, PublicKeyIDPrefix) && !hasPublicKey:
		return "; it is a WeChat Pay public-key ID and the client holds only platform certificates: configure that public key with WithPlatformPublicKey (download it in 账户中心 → API安全 → 微信支付公钥)"
	case !strings.HasPrefix(serial, PublicKeyIDPrefix) && isHex(serial) && !hasCert && c.certs == nil:
		return "; it is a platform certificate serial and the client holds only the WeChat Pay public key: WeChat Pay still signs with platform certificates for this merchant (migration not finished), so add WithAutoCertificates or WithPlatformCertificates"
	}
	return ""
}
