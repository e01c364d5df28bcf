package core

import (
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"
)

// publishedTestKeys are the SHA-256 fingerprints (of the PKIX DER public
// key) of the RSA keys this repository publishes for its sandbox, in
// sandbox/testdata: the merchant key, the WeChat Pay public key and the two
// platform certificate keys. Their private halves are public, so a client
// for the production hosts that trusts one of them would accept callbacks
// and answers forged by anyone. A test in package core_test checks that this
// list matches the sandbox's keys.
var publishedTestKeys = map[string]string{
	"3df23560f4cb7d33d0c4600013e59f4befbb87f28e40b2924b511ad65cb0def4": "sandbox merchant key (sandbox/testdata/merchant.pem)",
	"edf8276a944065a145ad195d2977a4edcbc67762e94bec1110cd0cca0b650a8f": "sandbox WeChat Pay public key (sandbox/testdata/platform_pubkey.pem)",
	"881f2047a27548bc75d006b0a2f4da3afd96cd653a785d76fbdcc4aee412f585": "sandbox platform certificate key (sandbox/testdata/platform_cert_a.pem)",
	"2e8b456e138c0a72529b84540eae6291bcda6de5b027f552dcfdaefce78d12b1": "sandbox platform certificate key (sandbox/testdata/platform_cert_b.pem)",
}

// publishedTestAPIv3Key is the SHA-256 of the sandbox's published APIv3 key.
const publishedTestAPIv3Key = "06b255cc08f4cc7d3d57fa89cf54a57ad183aa27c5aa35d81aae42483ba32674"

func keyFingerprint(pub *rsa.PublicKey) string {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:])
}

// isProductionHost reports whether an endpoint is one of WeChat Pay's own
// hosts (api.mch.weixin.qq.com, api2.mch.weixin.qq.com and any other host
// under weixin.qq.com), in any letter case, with or without a port or a
// trailing dot.
func isProductionHost(e endpoint) bool {
	u, err := url.Parse(e.origin)
	if err != nil {
		return false
	}
	// A fully qualified name's trailing dot names the same host.
	h := strings.TrimRight(strings.ToLower(u.Hostname()), ".")
	return h == "weixin.qq.com" || strings.HasSuffix(h, ".weixin.qq.com")
}

// checkCredentials checks the keys given to NewClient where they enter and
// returns every problem, each saying what to do. now is the client's clock.
func checkCredentials(s *settings, production bool, now time.Time) []string {
	var problems []string
	if s.mchKey != nil {
		if !isDigits(s.mchID) {
			problems = append(problems, fmt.Sprintf("merchant ID %q is not a WeChat Pay merchant number (digits only, e.g. 1900000109): copy it from the merchant platform (账户中心 → 商户信息)", sanitizeServerText(s.mchID, 32)))
		}
		if !isHex(s.mchSerial) {
			problems = append(problems, fmt.Sprintf("merchant certificate serial %q is not hexadecimal: give the serial number of apiclient_cert.pem (openssl x509 -in apiclient_cert.pem -noout -serial)", sanitizeServerText(s.mchSerial, 64)))
		}
		if err := s.mchKey.Validate(); err != nil {
			problems = append(problems, "the merchant private key is inconsistent ("+err.Error()+"): load apiclient_key.pem again")
		}
	}
	if production {
		if s.mchKey != nil {
			if what, ok := publishedTestKeys[keyFingerprint(&s.mchKey.PublicKey)]; ok {
				problems = append(problems, "the merchant key is the "+what+", a published test key: use your own apiclient_key.pem with the production hosts, or point the client at the sandbox with WithBaseURL")
			}
		}
		if s.apiV3KeySet {
			sum := sha256.Sum256([]byte(s.apiV3Key))
			if hex.EncodeToString(sum[:]) == publishedTestAPIv3Key {
				problems = append(problems, "the APIv3 key is the sandbox's published test key: set your own APIv3 key (账户中心 → API安全) with the production hosts, or point the client at the sandbox with WithBaseURL")
			}
		}
	}
	platformKey := func(kind, serial string, pub *rsa.PublicKey) {
		if s.mchKey != nil && s.mchKey.PublicKey.Equal(pub) {
			problems = append(problems, "the "+kind+" "+serial+" is the merchant's own key: give WeChat Pay's key (the platform certificate from GET /v3/certificates or the WeChat Pay public key from 账户中心 → API安全), not apiclient_cert.pem")
		}
		if production {
			if what, ok := publishedTestKeys[keyFingerprint(pub)]; ok {
				problems = append(problems, "the "+kind+" "+serial+" is the "+what+", a published test key that would let anyone forge callbacks: use WeChat Pay's real key with the production hosts, or point the client at the sandbox with WithBaseURL")
			}
		}
	}
	seen := map[string]*rsa.PublicKey{}
	for _, k := range s.publicKeys {
		if prev, dup := seen[k.Serial]; dup && !prev.Equal(k.PublicKey) {
			problems = append(problems, "two different public keys were given for "+k.Serial+": keep the one downloaded with that ID")
		}
		seen[k.Serial] = k.PublicKey
		platformKey("platform public key", k.Serial, k.PublicKey)
	}
	usableCert := false
	for _, c := range s.certs {
		k, err := keyFromCertificate(c)
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		if prev, dup := seen[k.Serial]; dup && !prev.Equal(k.PublicKey) {
			problems = append(problems, "two platform certificates with serial "+k.Serial+" hold different keys: keep the one GET /v3/certificates returns")
		}
		seen[k.Serial] = k.PublicKey
		platformKey("platform certificate", k.Serial, k.PublicKey)
		if k.validAt(now) {
			usableCert = true
		}
	}
	if len(s.certs) > 0 && !usableCert && len(s.publicKeys) == 0 && !s.autoCerts {
		problems = append(problems, "no platform certificate given is valid now (expired or not yet valid) and nothing else can verify WeChat Pay's signatures: download the current certificates (GET /v3/certificates, or WithAutoCertificates) or configure the WeChat Pay public key (WithPlatformPublicKey)")
	}
	return problems
}

// fastKey returns a copy of key with its CRT values precomputed, so that
// signing takes the fast path whatever form the caller's key is in. The
// caller's key is left untouched (it may be in use elsewhere).
func fastKey(key *rsa.PrivateKey) *rsa.PrivateKey {
	cp := *key
	cp.Primes = slices.Clone(key.Primes)
	cp.Precompute()
	return &cp
}

func isDigits(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isHex(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// ErrForeignHost is matched by the error returned when a request would be
// signed for a URL whose scheme and host are not the client's configured API
// hosts (the primary host, or the backup host). Nothing is sent: the
// Authorization header is valid for five minutes and must only reach WeChat
// Pay.
var ErrForeignHost = errors.New("wechatpay: refusing to sign a request for a host other than the configured API hosts")

// CheckURL reports whether rawURL may receive a signed request from this
// client: an absolute http(s) URL whose scheme and host (port included) are
// those of the primary host or the backup host (by default
// https://api.mch.weixin.qq.com and https://api2.mch.weixin.qq.com;
// WithBaseURL and WithBackupURL change them). Otherwise the error matches
// ErrForeignHost. Do and Download make this check themselves; it is
// exported so that a caller with several URLs (a split bill) can check them
// all before fetching any.
func (c *Client) CheckURL(rawURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return fmt.Errorf("wechatpay: bad URL %q", sanitizeServerText(rawURL, 256))
	}
	return c.checkOrigin(u)
}

func (c *Client) checkOrigin(u *url.URL) error {
	if u.User == nil {
		o := origin(u.Scheme, u.Host)
		for _, e := range [...]endpoint{c.primary, c.backup} {
			if e.ok() && o == e.canonical {
				return nil
			}
		}
	}
	allowed := c.primary.origin
	if c.backup.ok() {
		allowed += " or " + c.backup.origin
	}
	return fmt.Errorf("%w: %s is not %s (set WithBaseURL or WithBackupURL to call another host)", ErrForeignHost, sanitizeServerText(u.Scheme+"://"+u.Host, 256), allowed)
}

// origin normalises scheme://host[:port]: lower case, default port dropped.
func origin(scheme, host string) string {
	scheme, host = strings.ToLower(scheme), strings.ToLower(host)
	if h, port, err := net.SplitHostPort(host); err == nil && (scheme == "https" && port == "443" || scheme == "http" && port == "80") {
		host = h
		if strings.Contains(h, ":") {
			host = "[" + h + "]"
		}
	}
	return scheme + "://" + host
}
