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
	// Serial is what Wechatpay-Serial carries for this key: the public
	// key's ID (PUB_KEY_ID_ followed by digits) or the certificate's serial
	// number in upper-case hexadecimal (40 characters for WeChat Pay's).
	Serial string
	// PublicKey is the RSA public key (2048 bits from WeChat Pay) that
	// verifies answers and callbacks signed under Serial and encrypts
	// sensitive request fields to it.
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
// certificate rotation replaces entries while calls verify. Keys configured
// by hand (public keys, WithPlatformCertificates) stay; downloaded
// certificates are replaced as a whole by each successful download.
type keyring struct {
	mu         sync.RWMutex
	keys       map[string]PlatformKey
	configured map[string]bool
}

func newKeyring() *keyring {
	return &keyring{keys: map[string]PlatformKey{}, configured: map[string]bool{}}
}

func (r *keyring) get(serial string) (PlatformKey, bool) {
	r.mu.RLock()
	k, ok := r.keys[serial]
	r.mu.RUnlock()
	return k, ok
}

// configure adds a key given by hand; it is never dropped.
func (r *keyring) configure(k PlatformKey) {
	r.mu.Lock()
	r.keys[k.Serial] = k
	r.configured[k.Serial] = true
	r.mu.Unlock()
}

// replaceDownloaded makes the trusted keys exactly the configured ones plus
// downloaded, whose certificates expired before now are left out: a
// certificate WeChat Pay no longer serves is no longer trusted. A configured
// key keeps precedence over a downloaded one with the same serial. It
// returns how many keys were dropped.
func (r *keyring) replaceDownloaded(downloaded []PlatformKey, now time.Time) (dropped []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	next := make(map[string]PlatformKey, len(r.configured)+len(downloaded))
	for s := range r.configured {
		next[s] = r.keys[s]
	}
	for _, k := range downloaded {
		if r.configured[k.Serial] || (!k.NotAfter.IsZero() && !now.Before(k.NotAfter)) {
			continue
		}
		next[k.Serial] = k
	}
	for s := range r.keys {
		if _, ok := next[s]; !ok {
			dropped = append(dropped, s)
		}
	}
	slices.Sort(dropped)
	r.keys = next
	return dropped
}

// len returns how many keys are trusted.
func (r *keyring) len() int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return len(r.keys)
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

// latestExpiry returns the NotAfter of the certificate that expires last, or
// zero when there is none.
func (r *keyring) latestExpiry() time.Time {
	var t time.Time
	for _, k := range r.all() {
		if !k.NotAfter.IsZero() && k.NotAfter.After(t) {
			t = k.NotAfter
		}
	}
	return t
}
