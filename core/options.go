package core

import (
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Default hosts of the WeChat Pay APIv3 (spec "Host for every endpoint").
const (
	// DefaultBaseURL is the primary host, used unless WithBaseURL is given.
	DefaultBaseURL = "https://api.mch.weixin.qq.com"
	// DefaultBackupURL is the backup host, tried when the primary cannot be
	// reached; used unless WithBaseURL or WithBackupURL is given.
	DefaultBackupURL = "https://api2.mch.weixin.qq.com"
)

// DefaultMaxBodySize caps, in bytes (8 MiB), how much of an API response
// body is read when WithMaxBodySize is not given; a longer body fails with
// ErrBodyTooLarge.
const DefaultMaxBodySize = 8 << 20

// An Option configures a Client. Options check their input; NewClient fails
// with the first problem found.
type Option func(*settings) error

type settings struct {
	mchID, mchSerial string
	mchKey           *rsa.PrivateKey
	apiV3Key         string
	apiV3KeySet      bool
	publicKeys       []PlatformKey
	certs            []*x509.Certificate
	autoCerts        bool
	baseURL          string
	backupURL        *string
	httpClient       *http.Client
	retry            RetryPolicy
	logger           *slog.Logger
	clock            func() time.Time
	maxBody          int64
	userAgent        string
}

// WithMerchant sets the merchant ID, the merchant API certificate serial and
// the merchant API private key that signs every request. Required.
//
// NewClient checks them: the merchant ID must be digits (e.g. 1900000109),
// the serial hexadecimal (the serial number of apiclient_cert.pem), the key
// at least 2048 bits and consistent, and — for a client of the production
// hosts — not one of the sandbox's published test keys. The client signs
// with a copy of key whose CRT values are precomputed (a key without them
// signs about 1.7× slower); key itself is not modified.
func WithMerchant(mchID, certSerialNo string, key *rsa.PrivateKey) Option {
	return func(s *settings) error {
		var bad []string
		if strings.TrimSpace(mchID) == "" {
			bad = append(bad, "merchant ID is empty")
		}
		if strings.TrimSpace(certSerialNo) == "" {
			bad = append(bad, "merchant certificate serial is empty")
		}
		if key == nil {
			bad = append(bad, "merchant private key is nil")
		} else if key.N.BitLen() < 2048 {
			bad = append(bad, "merchant private key is shorter than 2048 bits")
		}
		if len(bad) > 0 {
			return errors.New("WithMerchant: " + strings.Join(bad, ", "))
		}
		s.mchID, s.mchSerial, s.mchKey = mchID, certSerialNo, key
		return nil
	}
}

// WithAPIv3Key sets the 32-byte APIv3 key used to decrypt notifications and
// downloaded platform certificates.
func WithAPIv3Key(key string) Option {
	return func(s *settings) error {
		if len(key) != 32 {
			return fmt.Errorf("WithAPIv3Key: the APIv3 key must be exactly 32 bytes, got %d", len(key))
		}
		s.apiV3Key, s.apiV3KeySet = key, true
		return nil
	}
}

// WithPlatformPublicKey configures public-key mode: responses and
// notifications whose Wechatpay-Serial is keyID are verified with key, and
// sensitive fields are encrypted to it. keyID starts with PUB_KEY_ID_ (the
// ID shown with pub_key.pem in 账户中心 → API安全); key is pub_key.pem
// (LoadPublicKeyFile).
//
// Every request then carries Wechatpay-Serial: keyID (the first public
// key's ID by sort order when several are given), whether or not it has
// encrypted fields, which makes WeChat Pay sign its answers with the
// public key (spec §14.3). While migrating, combine it with certificates
// (WithAutoCertificates or WithPlatformCertificates): callbacks may still
// be signed by a platform certificate until the switch completes.
// See https://pay.weixin.qq.com/doc/v3/partner/4013038589
func WithPlatformPublicKey(keyID string, key *rsa.PublicKey) Option {
	return func(s *settings) error {
		if !strings.HasPrefix(keyID, PublicKeyIDPrefix) || len(keyID) == len(PublicKeyIDPrefix) {
			return fmt.Errorf("WithPlatformPublicKey: key ID %q must start with %s", keyID, PublicKeyIDPrefix)
		}
		if key == nil {
			return errors.New("WithPlatformPublicKey: public key is nil")
		}
		s.publicKeys = append(s.publicKeys, newPlatformKey(keyID, key, time.Time{}, time.Time{}))
		return nil
	}
}

// WithPlatformCertificates configures platform certificates to verify with
// and encrypt to. Use WithAutoCertificates to download and rotate them.
//
// NewClient refuses a certificate holding the merchant's own key (that is
// apiclient_cert.pem, not a WeChat Pay certificate), two certificates with
// one serial and different keys, certificates of which none is valid now
// when nothing else can verify, and — for a client of the production hosts
// — the sandbox's published test keys. Certificates given here are trusted
// for as long as they are valid, whatever WithAutoCertificates downloads.
func WithPlatformCertificates(certs ...*x509.Certificate) Option {
	return func(s *settings) error {
		if len(certs) == 0 {
			return errors.New("WithPlatformCertificates: no certificate given")
		}
		for i, c := range certs {
			if c == nil {
				return fmt.Errorf("WithPlatformCertificates: certificate %d is nil", i)
			}
			if _, ok := c.PublicKey.(*rsa.PublicKey); !ok {
				return fmt.Errorf("WithPlatformCertificates: certificate %d does not hold an RSA key", i)
			}
		}
		s.certs = append(s.certs, certs...)
		return nil
	}
}

// WithAutoCertificates downloads the platform certificates from
// GET /v3/certificates (decrypted with the APIv3 key, which is then required),
// refreshes them every 12 hours and before they expire, and when an answer
// names a serial the client does not know (at most once a minute for one
// serial, and for callbacks at most once a minute in all). After each
// download the client trusts exactly the certificates WeChat Pay served
// (several while it rotates them) plus the keys configured by hand, so a
// certificate withdrawn early stops being trusted.
//
// Downloads are shared by concurrent calls and run on their own context,
// bounded to 30 seconds, so one caller's deadline never fails another; a
// failed download (other than a timeout) is not retried for a minute while
// the current keys stay in use.
func WithAutoCertificates() Option {
	return func(s *settings) error {
		s.autoCerts = true
		return nil
	}
}

// WithBaseURL sets the API host, e.g. a sandbox's URL. It may carry a path
// prefix. Setting it drops the default backup host unless WithBackupURL is
// also given. Signed requests go only to the scheme and host set here or by
// WithBackupURL (see Client.CheckURL).
func WithBaseURL(u string) Option {
	return func(s *settings) error {
		v, err := checkBaseURL(u)
		if err != nil {
			return fmt.Errorf("WithBaseURL: %w", err)
		}
		s.baseURL = v
		return nil
	}
}

// WithBackupURL sets the host tried when the primary host cannot be reached
// (connection refused, DNS failure, dial timeout). "" disables fail-over.
func WithBackupURL(u string) Option {
	return func(s *settings) error {
		if u == "" {
			s.backupURL = &u
			return nil
		}
		v, err := checkBaseURL(u)
		if err != nil {
			return fmt.Errorf("WithBackupURL: %w", err)
		}
		s.backupURL = &v
		return nil
	}
}

func checkBaseURL(u string) (string, error) {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" {
		return "", fmt.Errorf("%q is not an http(s) URL", u)
	}
	if p.RawQuery != "" || p.Fragment != "" {
		return "", fmt.Errorf("%q must not have a query or fragment", u)
	}
	return strings.TrimRight(u, "/"), nil
}

// WithHTTPClient sets the *http.Client used for every call. The default
// client (DefaultHTTPClient) closes idle connections after 5 s (WeChat Pay
// drops idle keep-alive connections at 8 s) and does not follow redirects.
//
// Whatever hc says, the Client never follows a redirect (the 3xx is
// returned as an *APIError): a redirected request would carry the
// Authorization header, which net/http keeps for the same host name on
// another port or scheme. NewClient keeps a copy of hc for this, so that hc
// itself is not changed: its Transport is used as it is at each call (a
// test double installed later is used), while its Jar and Timeout are
// those it had at NewClient and its CheckRedirect is not called.
func WithHTTPClient(hc *http.Client) Option {
	return func(s *settings) error {
		if hc == nil {
			return errors.New("WithHTTPClient: client is nil")
		}
		s.httpClient = hc
		return nil
	}
}

// WithRetry sets the retry policy. See RetryPolicy and DefaultRetryPolicy.
func WithRetry(p RetryPolicy) Option {
	return func(s *settings) error {
		if p.MaxAttempts < 1 {
			return errors.New("WithRetry: MaxAttempts must be at least 1")
		}
		if p.BaseDelay < 0 || p.MaxDelay < 0 {
			return errors.New("WithRetry: delays must not be negative")
		}
		s.retry = p
		return nil
	}
}

// WithLogger sets a structured logger. The client logs each attempt at Debug
// and retries and certificate refreshes at Info/Warn. It never logs keys,
// the Authorization header or bodies.
func WithLogger(l *slog.Logger) Option {
	return func(s *settings) error {
		s.logger = l
		return nil
	}
}

// WithClock replaces time.Now, for tests of timestamp windows and
// certificate expiry.
func WithClock(now func() time.Time) Option {
	return func(s *settings) error {
		if now == nil {
			return errors.New("WithClock: nil clock")
		}
		s.clock = now
		return nil
	}
}

// WithMaxBodySize caps how many bytes of an API response are read (default
// DefaultMaxBodySize).
func WithMaxBodySize(n int64) Option {
	return func(s *settings) error {
		if n <= 0 {
			return errors.New("WithMaxBodySize: size must be positive")
		}
		s.maxBody = n
		return nil
	}
}

// WithUserAgent appends a product token to the User-Agent header.
func WithUserAgent(ua string) Option {
	return func(s *settings) error {
		s.userAgent = ua
		return nil
	}
}
