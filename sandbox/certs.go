package sandbox

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"strings"
	"time"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
)

// The platform certificate rotation timeline of spec §14.1 (doc center
// "平台证书更换操作指引", 2024.12.04), relative to T, the expire_time of the
// certificate being replaced.
const (
	// CertificateGenerateLead: the new certificate is generated 210 days
	// before T, but not listed yet.
	CertificateGenerateLead = 210 * 24 * time.Hour
	// CertificateListLead: GET /v3/certificates lists both certificates from
	// 180 days before T. The new one may be used for encryption at once;
	// answers and callbacks stay signed with the old one until a gray
	// release moves them over (SetCertificateGrayRelease).
	CertificateListLead = 180 * 24 * time.Hour
)

// platformCert is one platform certificate and when it is listed.
type platformCert struct {
	cert   *x509.Certificate
	key    *rsa.PrivateKey
	listed time.Time // GET /v3/certificates returns it from then on
}

// certState is the platform-certificate and signing state. Guarded by
// Server.mu.
type certState struct {
	certs []platformCert // oldest first
	// gray is the percentage of certificate-signed answers and callbacks
	// signed with the newest valid certificate while an older one is still
	// valid (the gray release, 灰度). grayAcc spreads the share evenly.
	gray, grayAcc float64
	// cbPublicKey is the percentage of callbacks signed with the WeChat Pay
	// public key in SignMigrating mode (the callback side of the migration,
	// §14.3); cbAcc spreads it evenly.
	cbPublicKey, cbAcc float64
}

// share decides, deterministically, whether the next of a stream of events
// falls in a percentage: exactly percent of every hundred events do, spread
// evenly (an accumulator rather than a random draw, so tests can count).
func share(percent float64, acc *float64) bool {
	if percent <= 0 {
		return false
	}
	if percent >= 100 {
		return true
	}
	*acc += percent
	if *acc >= 100 {
		*acc -= 100
		return true
	}
	return false
}

// CertificateInfo describes one platform certificate of the sandbox and
// where it stands in the rotation timeline (spec §14.1).
type CertificateInfo struct {
	Serial        string            `json:"serial_no"`      // upper-case hex, as Wechatpay-Serial carries it
	EffectiveTime time.Time         `json:"effective_time"` // NotBefore
	ExpireTime    time.Time         `json:"expire_time"`    // NotAfter: T for the next rotation
	ListedFrom    time.Time         `json:"listed_from"`    // GET /v3/certificates returns it from then on
	Listed        bool              `json:"listed"`         // listed now (and not expired)
	Expired       bool              `json:"expired"`        // the sandbox clock has reached ExpireTime
	Certificate   *x509.Certificate `json:"-"`              // the certificate itself (self-signed, test only)
}

// Certificates returns every platform certificate the sandbox has issued,
// oldest first, including ones not listed yet (generated ahead of a
// rotation) and expired ones, as of the sandbox clock.
func (s *Server) Certificates() []CertificateInfo {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]CertificateInfo, 0, len(s.certs.certs))
	for _, c := range s.certs.certs {
		out = append(out, CertificateInfo{
			Serial: certSerial(c.cert), EffectiveTime: c.cert.NotBefore, ExpireTime: c.cert.NotAfter,
			ListedFrom: c.listed, Listed: listedAt(c, now), Expired: !now.Before(c.cert.NotAfter), Certificate: c.cert,
		})
	}
	return out
}

func listedAt(c platformCert, now time.Time) bool {
	return !now.Before(c.listed) && now.Before(c.cert.NotAfter)
}

// validLocked returns the certificates that are listed and unexpired now,
// oldest first. Callers hold s.mu.
func (s *Server) validLocked(now time.Time) []platformCert {
	var out []platformCert
	for _, c := range s.certs.certs {
		if listedAt(c, now) {
			out = append(out, c)
		}
	}
	return out
}

// PlatformPrivateKey returns the private half of the sandbox's WeChat Pay
// public key — a test-only key — so tests can decrypt what a client
// encrypted to the platform, or sign answers of their own.
func (s *Server) PlatformPrivateKey() *rsa.PrivateKey { return s.platformKey }

// PlatformCertificate returns the newest platform certificate that GET
// /v3/certificates lists now (the one clients encrypt to). Before anything
// is listed, or after everything expired, it returns the newest issued one.
func (s *Server) PlatformCertificate() *x509.Certificate {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if v := s.validLocked(now); len(v) > 0 {
		return v[len(v)-1].cert
	}
	return s.certs.certs[len(s.certs.certs)-1].cert
}

// PlatformCertificates returns the platform certificates GET
// /v3/certificates lists now, oldest first.
func (s *Server) PlatformCertificates() []*x509.Certificate {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	v := s.validLocked(now)
	out := make([]*x509.Certificate, len(v))
	for i, c := range v {
		out[i] = c.cert
	}
	return out
}

// RotateCertificate starts a platform certificate rotation as WeChat Pay
// runs it (spec §14.1), on the sandbox clock. With T the expiry of the
// newest certificate, the new certificate is generated at T−210 days
// (effective_time) and listed by GET /v3/certificates from T−180 days — or
// now, when those moments have passed. From its listing clients may encrypt
// to it, but answers and callbacks stay signed with the old certificate
// until a gray release moves a share over (SetCertificateGrayRelease), and
// the old one keeps verifying until it expires at T; from then on the new
// one signs everything. The certificate-list answer is always signed with
// the oldest valid certificate, one a client that downloaded before can
// already verify.
//
// A merchant has at most one rotation in progress: while an older
// certificate is still valid next to a newer one (from RotateCertificate
// or RotateCertificateAbruptly), RotateCertificate starts nothing, leaves
// the gray release as it is, and returns that newer, pending certificate —
// the same one each time (the admin API's POST
// /sandbox/certificates/rotate answers it with "started": false). Once the
// old certificate has expired, the next call starts the next rotation.
//
// Step through the phases with Advance or AdvanceTo (RotationMilestones
// gives the moments). It returns the new certificate.
func (s *Server) RotateCertificate() (*x509.Certificate, error) {
	cert, _, err := s.rotateCertificate()
	return cert, err
}

// rotateCertificate is RotateCertificate; started is false when a rotation
// was already in progress and its certificate is returned.
func (s *Server) rotateCertificate() (cert *x509.Certificate, started bool, err error) {
	now := s.now()
	s.mu.Lock()
	if c, ok := s.pendingLocked(now); ok {
		s.mu.Unlock()
		return c.cert, false, nil
	}
	newest := s.certs.certs[len(s.certs.certs)-1]
	key := s.certKeys[len(s.certs.certs)%2]
	s.mu.Unlock()
	t := newest.cert.NotAfter
	generated := laterOf(now, t.Add(-s.timeline.generate))
	listed := laterOf(now, t.Add(-s.timeline.list))
	cert, err = newCertificate(key, generated, generated.Add(s.certLife))
	if err != nil {
		return nil, false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.pendingLocked(now); ok { // a concurrent call started it first
		return c.cert, false, nil
	}
	s.certs.certs = append(s.certs.certs, platformCert{cert: cert, key: key, listed: listed})
	s.certs.gray, s.certs.grayAcc = 0, 0
	return cert, true, nil
}

// pendingLocked returns the newest certificate when a rotation is in
// progress at now: an older certificate is still valid next to it.
// Callers hold s.mu.
func (s *Server) pendingLocked(now time.Time) (platformCert, bool) {
	valid := 0
	for _, c := range s.certs.certs {
		if now.Before(c.cert.NotAfter) {
			valid++
		}
	}
	newest := s.certs.certs[len(s.certs.certs)-1]
	if valid < 2 || !now.Before(newest.cert.NotAfter) {
		return platformCert{}, false
	}
	return newest, true
}

// RotateCertificateAbruptly issues a new platform certificate that is listed
// and signs every answer and callback at once, while the old one is still
// listed — what a client sees when it slept through the whole overlap of a
// rotation. Use it to test how a client handles an answer signed by a
// serial it has never seen; RotateCertificate models the documented
// timeline.
func (s *Server) RotateCertificateAbruptly() (*x509.Certificate, error) {
	now := s.now()
	s.mu.Lock()
	key := s.certKeys[len(s.certs.certs)%2]
	s.mu.Unlock()
	cert, err := s.issueCertificate(key, now, now.Add(s.certLife), now)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.certs.gray, s.certs.grayAcc = 100, 0
	s.mu.Unlock()
	return cert, nil
}

// RotationMilestones are the moments of the rotation away from the oldest
// valid certificate (spec §14.1), for tests that step through them.
type RotationMilestones struct {
	Serial    string    // the new certificate's serial (upper-case hex)
	Generated time.Time // the new certificate's effective_time (T−210 days)
	Listed    time.Time // GET /v3/certificates lists both (T−180 days)
	Expiry    time.Time // T: the old certificate expires; the new one signs everything
}

// RotationMilestones returns the milestones of the rotation in progress —
// from the oldest valid certificate to the newest, the one
// RotateCertificate returns — and false when no newer certificate has been
// issued (see RotateCertificate).
func (s *Server) RotationMilestones() (RotationMilestones, bool) {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	newest, ok := s.pendingLocked(now)
	if !ok {
		return RotationMilestones{}, false
	}
	for _, c := range s.certs.certs {
		if now.Before(c.cert.NotAfter) { // the oldest valid one
			return RotationMilestones{Serial: certSerial(newest.cert), Generated: newest.cert.NotBefore, Listed: newest.listed, Expiry: c.cert.NotAfter}, true
		}
	}
	return RotationMilestones{}, false
}

// SetCertificateGrayRelease sets the share, in percent, of certificate-
// signed answers and callbacks that the newest listed certificate signs
// while the old one is still valid — the manual gray release of the
// merchant platform (账户中心 → API安全 → 平台证书 → 管理证书, spec §14.1).
// As there, the share only goes up, from 0.01 to 100; StopCertificateGray
// Release returns to 0 %. It fails when no rotation is in its overlap.
func (s *Server) SetCertificateGrayRelease(percent float64) error {
	if percent < 0.01 || percent > 100 {
		return errors.New("sandbox: the gray-release share is 0.01 to 100 percent")
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.validLocked(now)) < 2 {
		return errors.New("sandbox: no new platform certificate is listed yet: nothing to release (RotateCertificate, then advance the clock to its listing)")
	}
	if percent < s.certs.gray {
		return fmt.Errorf("sandbox: the gray-release share only goes up (it is %g %%); stop the release to return to 0 %%", s.certs.gray)
	}
	s.certs.gray = percent
	return nil
}

// StopCertificateGrayRelease terminates the gray release: answers and
// callbacks are signed with the old certificate again (0 %) until the
// release is restarted or the old certificate expires.
func (s *Server) StopCertificateGrayRelease() {
	s.mu.Lock()
	s.certs.gray, s.certs.grayAcc = 0, 0
	s.mu.Unlock()
}

// CertificateGrayRelease returns the current gray-release share, in
// percent.
func (s *Server) CertificateGrayRelease() float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.certs.gray
}

// SetCallbackPublicKeyShare sets the percentage of callbacks signed with
// the WeChat Pay public key (the rest with the platform certificate) — the
// callback side of a migration to the public key, which WeChat Pay moves
// up over about a week (spec §14.3). The default is 100. It fails unless
// the sandbox is in SignMigrating mode (the default).
func (s *Server) SetCallbackPublicKeyShare(percent float64) error {
	if percent < 0 || percent > 100 {
		return errors.New("sandbox: the callback public-key share is 0 to 100 percent")
	}
	if s.mode != SignMigrating || s.noCerts {
		return errors.New("sandbox: the callback share only applies to a merchant migrating between certificates and the public key (SignMigrating mode, with certificates)")
	}
	s.mu.Lock()
	s.certs.cbPublicKey, s.certs.cbAcc = percent, 0
	s.mu.Unlock()
	return nil
}

// CallbackPublicKeyShare returns the percentage of callbacks signed with
// the WeChat Pay public key.
func (s *Server) CallbackPublicKeyShare() float64 {
	switch {
	case s.mode == SignWithPublicKey || s.noCerts:
		return 100
	case s.mode == SignWithCertificate:
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.certs.cbPublicKey
}

// DropOldCertificates stops serving and signing with every platform
// certificate but the newest, as when an old certificate is withdrawn
// early.
func (s *Server) DropOldCertificates() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.certs.certs = s.certs.certs[len(s.certs.certs)-1:]
	s.certs.gray, s.certs.grayAcc = 0, 0
}

// issueCertificate issues a platform certificate for key, valid from
// notBefore to notAfter, listed from listed.
func (s *Server) issueCertificate(key *rsa.PrivateKey, notBefore, notAfter, listed time.Time) (*x509.Certificate, error) {
	cert, err := newCertificate(key, notBefore, notAfter)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.certs.certs = append(s.certs.certs, platformCert{cert: cert, key: key, listed: listed})
	s.mu.Unlock()
	return cert, nil
}

// newCertificate creates a self-signed platform certificate for key, valid
// from notBefore to notAfter, with a random serial.
func newCertificate(key *rsa.PrivateKey, notBefore, notAfter time.Time) (*x509.Certificate, error) {
	serial := make([]byte, 20)
	if _, err := rand.Read(serial); err != nil {
		return nil, err
	}
	serial[0] &= 0x7f
	serial[0] |= 0x10
	tmpl := &x509.Certificate{
		SerialNumber: new(big.Int).SetBytes(serial),
		Subject:      pkix.Name{CommonName: "Sandbox WeChat Pay platform (TEST ONLY)", Organization: []string{"wechatpay-biz-go sandbox"}},
		NotBefore:    notBefore,
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("sandbox: issuing platform certificate: %w", err)
	}
	return x509.ParseCertificate(der)
}

func laterOf(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// certSerial formats a certificate serial as WeChat Pay does (upper-case hex).
func certSerial(c *x509.Certificate) string {
	return strings.ToUpper(hex.EncodeToString(c.SerialNumber.Bytes()))
}

// certificateKey returns the certificate an answer or callback is signed
// with now: the old certificate, or the new one for the gray-release share
// of them, or the new one alone once the old one expired (WeChat Pay never
// signs with an expired certificate). forList selects the oldest valid
// certificate, for the certificate-list answer.
func (s *Server) certificateKey(now time.Time, forList bool) (string, *rsa.PrivateKey) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := s.validLocked(now)
	var c platformCert
	switch {
	case len(v) == 0: // nothing valid: a misconfigured sandbox; sign with the newest anyway
		c = s.certs.certs[len(s.certs.certs)-1]
	case len(v) == 1 || forList:
		c = v[0]
	case share(s.certs.gray, &s.certs.grayAcc):
		c = v[len(v)-1]
	default:
		c = v[0]
	}
	return certSerial(c.cert), c.key
}

// answerKey returns the serial and key an answer to r is signed with. A
// migrating merchant (SignMigrating) gets answers signed with the WeChat
// Pay public key exactly when the request carries Wechatpay-Serial:
// PUB_KEY_ID_… (spec §14.3), with a platform certificate otherwise.
func (s *Server) answerKey(r *http.Request, forList bool) (string, *rsa.PrivateKey) {
	usePublic := false
	switch {
	case s.noCerts || s.mode == SignWithPublicKey:
		usePublic = true
	case s.mode == SignWithCertificate:
	case r != nil:
		usePublic = strings.HasPrefix(r.Header.Get("Wechatpay-Serial"), core.PublicKeyIDPrefix)
	}
	if usePublic {
		return s.PublicKeyID, s.platformKey
	}
	return s.certificateKey(s.now(), forList)
}

// callbackKey returns the serial and key a callback is signed with now.
func (s *Server) callbackKey() (string, *rsa.PrivateKey) {
	usePublic := false
	switch {
	case s.noCerts || s.mode == SignWithPublicKey:
		usePublic = true
	case s.mode == SignWithCertificate:
	default:
		s.mu.Lock()
		usePublic = share(s.certs.cbPublicKey, &s.certs.cbAcc)
		s.mu.Unlock()
	}
	if usePublic {
		return s.PublicKeyID, s.platformKey
	}
	return s.certificateKey(s.now(), false)
}

// decryptionKey returns the private key of the platform key named serial
// (the Wechatpay-Serial of a request carrying encrypted fields): the
// public key, or any listed, unexpired certificate (none WithoutCertificates).
func (s *Server) decryptionKey(serial string) (*rsa.PrivateKey, bool) {
	if serial == s.PublicKeyID {
		return s.platformKey, true
	}
	if s.noCerts { // a merchant without platform certificates cannot have encrypted to one
		return nil, false
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.validLocked(now) {
		if certSerial(c.cert) == serial {
			return c.key, true
		}
	}
	return nil, false
}

func (s *Server) handleCertificates(c *Call) Reply {
	if s.noCerts {
		return Error(http.StatusNotFound, "NOT_FOUND", "商户未申请平台证书，请使用微信支付公钥")
	}
	if t := c.Query("algorithm_type"); t != "" && t != "RSA" && t != "ALL" && t != "SM2" {
		return ParamError("algorithm_type", "query", "algorithm_type 取值错误")
	}
	type enc struct {
		Algorithm      string `json:"algorithm"`
		Nonce          string `json:"nonce"`
		AssociatedData string `json:"associated_data"`
		Ciphertext     string `json:"ciphertext"`
	}
	type item struct {
		SerialNo           string `json:"serial_no"`
		EffectiveTime      string `json:"effective_time"`
		ExpireTime         string `json:"expire_time"`
		EncryptCertificate enc    `json:"encrypt_certificate"`
	}
	data := []item{}
	certs := s.PlatformCertificates()
	if c.Query("algorithm_type") == "SM2" {
		certs = nil // the sandbox's platform certificates are all RSA
	}
	for _, cert := range certs {
		pemText := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})
		nonce := randomAlnum(12)
		ct, err := core.EncryptAEAD(s.APIv3Key, "certificate", nonce, pemText)
		if err != nil {
			return Error(http.StatusInternalServerError, "SYSTEM_ERROR", "sandbox: "+err.Error())
		}
		data = append(data, item{
			SerialNo:           certSerial(cert),
			EffectiveTime:      cert.NotBefore.In(shanghai).Format(time.RFC3339),
			ExpireTime:         cert.NotAfter.In(shanghai).Format(time.RFC3339),
			EncryptCertificate: enc{Algorithm: "AEAD_AES_256_GCM", Nonce: nonce, AssociatedData: "certificate", Ciphertext: ct},
		})
	}
	r := JSON(http.StatusOK, map[string]any{"data": data})
	r.certList = true
	return r
}
