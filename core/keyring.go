package core

import (
	"crypto/rsa"
	"crypto/x509"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/wechatpay-apiv3/wechatpay-go/core/auth/verifiers"
	"github.com/wechatpay-apiv3/wechatpay-go/utils"
)

// PublicKeyIDPrefix starts every WeChat Pay public-key ID (public-key mode).
const PublicKeyIDPrefix = "PUB_KEY_ID_"

// PlatformKey is one key WeChat Pay signs with: the WeChat Pay public key
// (Serial starts with PUB_KEY_ID_) or a platform certificate's key.
type PlatformKey struct {
	Serial    string
	PublicKey *rsa.PublicKey
	// NotBefore and NotAfter bound a certificate's validity; both are zero
	// for a WeChat Pay public key, which does not expire.
	NotBefore, NotAfter time.Time

	verifier *verifiers.SHA256WithRSAPubkeyVerifier
}

// IsPublicKey reports whether the key is a WeChat Pay public key rather than
// a platform certificate.
func (k PlatformKey) IsPublicKey() bool { return strings.HasPrefix(k.Serial, PublicKeyIDPrefix) }

func (k PlatformKey) validAt(t time.Time) bool {
	if k.NotAfter.IsZero() {
		return true
	}
	return !t.Before(k.NotBefore) && t.Before(k.NotAfter)
}

func newPlatformKey(serial string, pub *rsa.PublicKey, notBefore, notAfter time.Time) PlatformKey {
	return PlatformKey{
		Serial: serial, PublicKey: pub, NotBefore: notBefore, NotAfter: notAfter,
		verifier: verifiers.NewSHA256WithRSAPubkeyVerifier(serial, *pub),
	}
}

func keyFromCertificate(cert *x509.Certificate) (PlatformKey, error) {
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return PlatformKey{}, fmt.Errorf("platform certificate %s does not hold an RSA key", utils.GetCertificateSerialNumber(*cert))
	}
	return newPlatformKey(utils.GetCertificateSerialNumber(*cert), pub, cert.NotBefore, cert.NotAfter), nil
}

// keyring holds the platform keys by serial. It is safe for concurrent use:
// certificate rotation replaces entries while calls verify.
type keyring struct {
	mu   sync.RWMutex
	keys map[string]PlatformKey
}

func newKeyring() *keyring { return &keyring{keys: map[string]PlatformKey{}} }

func (r *keyring) get(serial string) (PlatformKey, bool) {
	r.mu.RLock()
	k, ok := r.keys[serial]
	r.mu.RUnlock()
	return k, ok
}

func (r *keyring) put(keys ...PlatformKey) {
	r.mu.Lock()
	for _, k := range keys {
		r.keys[k.Serial] = k
	}
	r.mu.Unlock()
}

// prune drops certificates that expired before t. Public keys stay.
func (r *keyring) prune(t time.Time) {
	r.mu.Lock()
	for s, k := range r.keys {
		if !k.NotAfter.IsZero() && !t.Before(k.NotAfter) {
			delete(r.keys, s)
		}
	}
	r.mu.Unlock()
}

func (r *keyring) all() []PlatformKey {
	r.mu.RLock()
	out := make([]PlatformKey, 0, len(r.keys))
	for _, k := range r.keys {
		out = append(out, k)
	}
	r.mu.RUnlock()
	slices.SortFunc(out, func(a, b PlatformKey) int { return strings.Compare(a.Serial, b.Serial) })
	return out
}

// encryptionKey picks the key to encrypt sensitive fields with: the WeChat
// Pay public key when there is one (it is what WeChat Pay recommends during
// migration), otherwise the valid certificate that became effective last.
func (r *keyring) encryptionKey(now time.Time) (PlatformKey, bool) {
	var best PlatformKey
	found := false
	for _, k := range r.all() {
		if k.IsPublicKey() {
			return k, true
		}
		if !k.validAt(now) {
			continue
		}
		if !found || k.NotBefore.After(best.NotBefore) {
			best, found = k, true
		}
	}
	return best, found
}

// earliestExpiry returns the NotAfter of the certificate that expires first,
// or zero when there is none.
func (r *keyring) latestExpiry() time.Time {
	var t time.Time
	for _, k := range r.all() {
		if !k.NotAfter.IsZero() && k.NotAfter.After(t) {
			t = k.NotAfter
		}
	}
	return t
}
