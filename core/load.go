package core

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

// MaxPEMFileSize caps how much the Load…File functions read: the PEM files
// WeChat Pay hands out are a few kilobytes.
const MaxPEMFileSize = 1 << 20

// PEM block types the loaders recognise.
const (
	pemPrivateKey          = "PRIVATE KEY"           // PKCS #8
	pemRSAPrivateKey       = "RSA PRIVATE KEY"       // PKCS #1
	pemEncryptedPrivateKey = "ENCRYPTED PRIVATE KEY" // PKCS #8, password-protected
	pemPublicKey           = "PUBLIC KEY"            // PKIX (SubjectPublicKeyInfo)
	pemRSAPublicKey        = "RSA PUBLIC KEY"        // PKCS #1
	pemCertificate         = "CERTIFICATE"
)

// PEMError is returned by the loaders (LoadPrivateKey, LoadPublicKey,
// LoadCertificate and their …File forms) when the input is not what was
// asked for. Its message is one line: the file, the PEM type found, what was
// expected and how to convert. It never contains key material.
type PEMError struct {
	File  string // the path given to a …File loader; "" for in-memory input
	Found string // the PEM block type(s) found, e.g. "CERTIFICATE"; "" when there is no PEM block
	Want  string // what the loader expects, e.g. "an RSA private key"
	Hint  string // what to do, often an openssl command
}

// Error returns the one-line message: file, PEM type found, what was
// expected, and the hint.
func (e *PEMError) Error() string {
	var b strings.Builder
	b.WriteString("wechatpay: ")
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteString(": ")
	}
	if e.Found == "" {
		b.WriteString("no PEM block found")
	} else {
		b.WriteString("found PEM ")
		b.WriteString(e.Found)
	}
	b.WriteString(", want ")
	b.WriteString(e.Want)
	if e.Hint != "" {
		b.WriteString(": ")
		b.WriteString(e.Hint)
	}
	return b.String()
}

const (
	wantPrivateKey  = `an RSA private key (PEM "PRIVATE KEY" or "RSA PRIVATE KEY", e.g. apiclient_key.pem)`
	wantPublicKey   = `an RSA public key (PEM "PUBLIC KEY" or "RSA PUBLIC KEY", e.g. pub_key.pem)`
	wantCertificate = `an X.509 certificate (PEM "CERTIFICATE", e.g. apiclient_cert.pem)`
)

// LoadPrivateKey parses an RSA private key from PEM: PKCS #8 ("PRIVATE KEY",
// as apiclient_key.pem comes from the WeChat Pay certificate tool) or
// PKCS #1 ("RSA PRIVATE KEY", as older openssl versions write). Text before
// and between PEM blocks is ignored, so a file that holds a certificate and
// a key works too.
//
// It returns a *PEMError naming what was found when the input holds no
// usable key: a certificate or public key given instead, a password-protected
// key (decrypt it first with openssl), a non-RSA key, or no PEM at all.
func LoadPrivateKey(pemBytes []byte) (*rsa.PrivateKey, error) {
	return loadPrivateKey("", pemBytes)
}

// LoadPrivateKeyFile reads the file at path (at most MaxPEMFileSize bytes)
// and parses it as LoadPrivateKey does. Errors name the file.
func LoadPrivateKeyFile(path string) (*rsa.PrivateKey, error) {
	b, err := readPEMFile(path)
	if err != nil {
		return nil, err
	}
	return loadPrivateKey(path, b)
}

// LoadPublicKey parses an RSA public key from PEM: PKIX ("PUBLIC KEY", the
// WeChat Pay public key pub_key.pem) or PKCS #1 ("RSA PUBLIC KEY"). Use it
// with WithPlatformPublicKey. A certificate or private key given instead is
// reported as a *PEMError.
func LoadPublicKey(pemBytes []byte) (*rsa.PublicKey, error) {
	return loadPublicKey("", pemBytes)
}

// LoadPublicKeyFile reads the file at path (at most MaxPEMFileSize bytes)
// and parses it as LoadPublicKey does. Errors name the file.
func LoadPublicKeyFile(path string) (*rsa.PublicKey, error) {
	b, err := readPEMFile(path)
	if err != nil {
		return nil, err
	}
	return loadPublicKey(path, b)
}

// LoadCertificate parses the first X.509 certificate ("CERTIFICATE") in PEM
// input: the merchant API certificate apiclient_cert.pem (pass it to
// CertificateSerial for WithMerchant's serial) or a platform certificate
// (for WithPlatformCertificates). It does not check validity dates or the
// key algorithm; WithPlatformCertificates checks the key. A key given
// instead is reported as a *PEMError.
func LoadCertificate(pemBytes []byte) (*x509.Certificate, error) {
	return loadCertificate("", pemBytes)
}

// LoadCertificateFile reads the file at path (at most MaxPEMFileSize bytes)
// and parses it as LoadCertificate does. Errors name the file.
func LoadCertificateFile(path string) (*x509.Certificate, error) {
	b, err := readPEMFile(path)
	if err != nil {
		return nil, err
	}
	return loadCertificate(path, b)
}

// CertificateSerial returns the serial number of cert as WeChat Pay writes
// it — in the merchant platform, in Wechatpay-Serial headers and in the
// serial_no of GET /v3/certificates: upper-case hexadecimal, two digits per
// byte, so a leading zero of the first byte is kept (0A12…) and no sign
// byte is added. It is what `openssl x509 -noout -serial -in
// apiclient_cert.pem` prints. It returns "" for a nil certificate.
func CertificateSerial(cert *x509.Certificate) string {
	if cert == nil || cert.SerialNumber == nil {
		return ""
	}
	b := cert.SerialNumber.Bytes() // magnitude, big-endian, no leading zero bytes
	if len(b) == 0 {
		return "00"
	}
	return strings.ToUpper(hex.EncodeToString(b))
}

// readPEMFile reads at most MaxPEMFileSize bytes of path.
func readPEMFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("wechatpay: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxPEMFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("wechatpay: reading %s: %w", path, err)
	}
	if len(b) > MaxPEMFileSize {
		return nil, fmt.Errorf("wechatpay: %s is larger than %d bytes: not a PEM key or certificate file", path, MaxPEMFileSize)
	}
	return b, nil
}

// pemBlocks decodes every PEM block of b.
func pemBlocks(b []byte) []*pem.Block {
	var out []*pem.Block
	for {
		var blk *pem.Block
		blk, b = pem.Decode(b)
		if blk == nil {
			return out
		}
		out = append(out, blk)
	}
}

// foundTypes lists the block types, each once, in order.
func foundTypes(blocks []*pem.Block) string {
	var types []string
	for _, b := range blocks {
		t := `"` + b.Type + `"`
		if !slices.Contains(types, t) {
			types = append(types, t)
		}
	}
	return strings.Join(types, " and ")
}

func isLegacyEncrypted(b *pem.Block) bool {
	return strings.Contains(b.Headers["Proc-Type"], "ENCRYPTED")
}

// noPEMHint explains input without PEM blocks.
func noPEMHint(what, derCmd string, data []byte) string {
	trimmed := strings.TrimSpace(string(data))
	switch {
	case len(trimmed) == 0:
		return "the input is empty"
	case looksLikeDER(data):
		return "this looks like binary DER or a PKCS #12 (.p12) file; " + derCmd
	case strings.HasPrefix(trimmed, "MII"):
		return "this looks like Base64 without the -----BEGIN …----- and -----END …----- lines; keep the whole PEM file, including those lines"
	}
	return "the input is not PEM text; " + what
}

// looksLikeDER reports whether data starts like a DER SEQUENCE.
func looksLikeDER(data []byte) bool { return len(data) > 1 && data[0] == 0x30 && data[1] >= 0x80 }

func loadPrivateKey(file string, data []byte) (*rsa.PrivateKey, error) {
	blocks := pemBlocks(data)
	fail := func(found, hint string) error {
		return &PEMError{File: file, Found: found, Want: wantPrivateKey, Hint: hint}
	}
	if len(blocks) == 0 {
		return nil, fail("", noPEMHint("use the apiclient_key.pem from the WeChat Pay certificate tool (商户API证书工具)",
			"convert a DER key with `openssl pkey -inform DER -in key.der -out apiclient_key.pem`, or extract the key of apiclient_cert.p12 with `openssl pkcs12 -in apiclient_cert.p12 -nocerts -nodes -out apiclient_key.pem` (its password is the merchant ID)", data))
	}
	var lastErr error
	for _, b := range blocks {
		switch b.Type {
		case pemPrivateKey:
			k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
			if err != nil {
				lastErr = fail(`"PRIVATE KEY"`, "the PKCS #8 data inside is malformed (truncated or edited file?)")
				continue
			}
			rk, ok := k.(*rsa.PrivateKey)
			if !ok {
				return nil, fail(`"PRIVATE KEY" holding `+keyAlgorithm(k)+" key", "WeChat Pay APIv3 merchant keys are RSA; use the apiclient_key.pem of the merchant API certificate")
			}
			return rk, nil
		case pemRSAPrivateKey:
			if isLegacyEncrypted(b) {
				lastErr = fail(`"RSA PRIVATE KEY" (password-protected)`,
					"decrypt it first with `openssl pkey -in key.pem -out apiclient_key.pem` (asks for the password) and keep the result private")
				continue
			}
			k, err := x509.ParsePKCS1PrivateKey(b.Bytes)
			if err != nil {
				lastErr = fail(`"RSA PRIVATE KEY"`, "the PKCS #1 data inside is malformed (truncated or edited file?)")
				continue
			}
			return k, nil
		}
	}
	if lastErr != nil {
		return nil, lastErr
	}
	found := foundTypes(blocks)
	var hint string
	switch {
	case hasType(blocks, pemEncryptedPrivateKey):
		hint = "the key is password-protected; decrypt it with `openssl pkey -in key.pem -out apiclient_key.pem` (asks for the password) and keep the result private"
	case hasType(blocks, pemCertificate):
		hint = "this is a certificate (apiclient_cert.pem); the private key is the apiclient_key.pem beside it — load the certificate with LoadCertificateFile and take its serial with CertificateSerial"
	case hasType(blocks, pemPublicKey), hasType(blocks, pemRSAPublicKey):
		hint = "this is a public key (pub_key.pem is the WeChat Pay public key: load it with LoadPublicKeyFile); the merchant private key is apiclient_key.pem"
	case hasType(blocks, "EC PRIVATE KEY"):
		hint = "this is an elliptic-curve key; WeChat Pay APIv3 merchant keys are RSA"
	default:
		hint = "convert it with `openssl pkey -in key.pem -out apiclient_key.pem`"
	}
	return nil, fail(found, hint)
}

func loadPublicKey(file string, data []byte) (*rsa.PublicKey, error) {
	blocks := pemBlocks(data)
	fail := func(found, hint string) error {
		return &PEMError{File: file, Found: found, Want: wantPublicKey, Hint: hint}
	}
	if len(blocks) == 0 {
		return nil, fail("", noPEMHint("download the WeChat Pay public key (pub_key.pem) from the merchant platform (微信支付公钥)",
			"convert a DER public key with `openssl pkey -pubin -inform DER -in key.der -out pub_key.pem`", data))
	}
	var lastErr error
	for _, b := range blocks {
		switch b.Type {
		case pemPublicKey:
			k, err := x509.ParsePKIXPublicKey(b.Bytes)
			if err != nil {
				lastErr = fail(`"PUBLIC KEY"`, "the PKIX data inside is malformed (truncated or edited file?)")
				continue
			}
			rk, ok := k.(*rsa.PublicKey)
			if !ok {
				return nil, fail(`"PUBLIC KEY" holding `+keyAlgorithm(k)+" key", "the WeChat Pay public key is RSA; download pub_key.pem again from the merchant platform")
			}
			return rk, nil
		case pemRSAPublicKey:
			k, err := x509.ParsePKCS1PublicKey(b.Bytes)
			if err != nil {
				lastErr = fail(`"RSA PUBLIC KEY"`, "the PKCS #1 data inside is malformed (truncated or edited file?)")
				continue
			}
			return k, nil
		}
	}
	if lastErr != nil {
		return nil, lastErr
	}
	var hint string
	switch {
	case hasType(blocks, pemCertificate):
		hint = "this is a certificate; a platform certificate goes to WithPlatformCertificates (load it with LoadCertificateFile), and apiclient_cert.pem is the merchant's own certificate, not a WeChat Pay key"
	case hasType(blocks, pemPrivateKey), hasType(blocks, pemRSAPrivateKey), hasType(blocks, pemEncryptedPrivateKey):
		hint = "this is a private key (the merchant's apiclient_key.pem?); the WeChat Pay public key is pub_key.pem, downloaded from the merchant platform"
	default:
		hint = "convert it with `openssl pkey -pubin -in key.pem -out pub_key.pem`"
	}
	return nil, fail(foundTypes(blocks), hint)
}

func loadCertificate(file string, data []byte) (*x509.Certificate, error) {
	blocks := pemBlocks(data)
	fail := func(found, hint string) error {
		return &PEMError{File: file, Found: found, Want: wantCertificate, Hint: hint}
	}
	if len(blocks) == 0 {
		return nil, fail("", noPEMHint("use the apiclient_cert.pem from the WeChat Pay certificate tool",
			"convert a DER certificate with `openssl x509 -inform DER -in cert.der -out apiclient_cert.pem`, or extract it from apiclient_cert.p12 with `openssl pkcs12 -in apiclient_cert.p12 -clcerts -nokeys -out apiclient_cert.pem` (its password is the merchant ID)", data))
	}
	for _, b := range blocks {
		if b.Type != pemCertificate {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fail(`"CERTIFICATE"`, "the X.509 data inside is malformed (truncated or edited file?)")
		}
		return c, nil
	}
	var hint string
	switch {
	case hasType(blocks, pemPrivateKey), hasType(blocks, pemRSAPrivateKey), hasType(blocks, pemEncryptedPrivateKey):
		hint = "this is a private key (apiclient_key.pem); the certificate is the apiclient_cert.pem beside it"
	case hasType(blocks, pemPublicKey), hasType(blocks, pemRSAPublicKey):
		hint = "this is a public key; the WeChat Pay public key (pub_key.pem) is loaded with LoadPublicKeyFile and used with WithPlatformPublicKey"
	default:
		hint = "convert it with `openssl x509 -in cert.pem -out apiclient_cert.pem`"
	}
	return nil, fail(foundTypes(blocks), hint)
}

func hasType(blocks []*pem.Block, t string) bool {
	return slices.ContainsFunc(blocks, func(b *pem.Block) bool { return b.Type == t })
}

// keyAlgorithm names the algorithm of a parsed key, for messages.
func keyAlgorithm(k any) string {
	switch k.(type) {
	case *ecdsa.PrivateKey, *ecdsa.PublicKey:
		return "an ECDSA"
	case ed25519.PrivateKey, ed25519.PublicKey:
		return "an Ed25519"
	}
	return "a non-RSA"
}
