package core_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/wechatpay-apiv3/wechatpay-go/utils"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

// The files in testdata/ are test-only (see testdata/README.md):
// apiclient_key.pem is the sandbox merchant's key, apiclient_cert.pem a
// certificate for it with the sandbox merchant's serial, pub_key.pem the
// sandbox's WeChat Pay public key.

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}

func TestLoadPrivateKeyPKCS8AndPKCS1(t *testing.T) {
	k8, err := core.LoadPrivateKeyFile("testdata/apiclient_key.pem")
	require.NoError(t, err)
	k1, err := core.LoadPrivateKeyFile("testdata/apiclient_key_pkcs1.pem")
	require.NoError(t, err)
	require.True(t, k8.Equal(k1), "PKCS #8 and PKCS #1 encodings of one key load the same key")
	require.Equal(t, 2048, k8.N.BitLen())

	// In memory, with Windows line endings and text before the block (as
	// `openssl pkcs12` writes "Bag Attributes").
	crlf := bytes.ReplaceAll(readTestdata(t, "apiclient_key.pem"), []byte("\n"), []byte("\r\n"))
	k, err := core.LoadPrivateKey(append([]byte("Bag Attributes\r\n    localKeyID: 01\r\n"), crlf...))
	require.NoError(t, err)
	require.True(t, k.Equal(k8))
}

func TestLoadPublicKeyPKIXAndPKCS1(t *testing.T) {
	pkix, err := core.LoadPublicKeyFile("testdata/pub_key.pem")
	require.NoError(t, err)
	pk1, err := core.LoadPublicKeyFile("testdata/pub_key_pkcs1.pem")
	require.NoError(t, err)
	require.True(t, pkix.Equal(pk1))

	sb, err := sandbox.NewServer()
	require.NoError(t, err)
	defer sb.Close()
	require.True(t, pkix.Equal(sb.PlatformPublicKey), "pub_key.pem is the sandbox's WeChat Pay public key")
}

func TestLoadCertificateAndSerial(t *testing.T) {
	cert, err := core.LoadCertificateFile("testdata/apiclient_cert.pem")
	require.NoError(t, err)
	require.Equal(t, sandbox.MerchantSerialNo, core.CertificateSerial(cert))
	key, err := core.LoadPrivateKeyFile("testdata/apiclient_key.pem")
	require.NoError(t, err)
	require.True(t, key.PublicKey.Equal(cert.PublicKey), "apiclient_cert.pem certifies apiclient_key.pem")

	// A bundle holding the key and the certificate: each loader takes its part.
	bundle := append(readTestdata(t, "apiclient_key.pem"), readTestdata(t, "apiclient_cert.pem")...)
	c2, err := core.LoadCertificate(bundle)
	require.NoError(t, err)
	require.True(t, c2.Equal(cert))
	k2, err := core.LoadPrivateKey(bundle)
	require.NoError(t, err)
	require.True(t, k2.Equal(key))
}

// TestCertificateSerial checks the form against what `openssl x509 -noout
// -serial` prints for the same serials (recorded below) and against the
// official Go SDK's utils.GetCertificateSerialNumber, which WeChat Pay's
// serial headers match.
func TestCertificateSerial(t *testing.T) {
	key, err := core.LoadPrivateKeyFile("testdata/apiclient_key.pem")
	require.NoError(t, err)
	for _, tc := range []struct {
		serial *big.Int
		want   string // openssl x509 -noout -serial
	}{
		{big.NewInt(0x0A1234), "0A1234"}, // leading zero of the first byte kept
		{big.NewInt(0x8A1234), "8A1234"}, // no 00 sign byte although DER adds one
		{big.NewInt(0xFF), "FF"},
		{big.NewInt(1), "01"},
		{big.NewInt(0), "00"},
		{mustHex(t, "5157f09efdc096de15ebe81a47057a7232f1b8e1"), "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"},
	} {
		tmpl := &x509.Certificate{SerialNumber: tc.serial, Subject: pkix.Name{CommonName: "test"},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		require.NoError(t, err)
		cert, err := x509.ParseCertificate(der)
		require.NoError(t, err)
		require.Equal(t, tc.want, core.CertificateSerial(cert))
		if tc.serial.Sign() != 0 {
			require.Equal(t, utils.GetCertificateSerialNumber(*cert), core.CertificateSerial(cert))
		}
	}
	require.Equal(t, "", core.CertificateSerial(nil))
}

func mustHex(t *testing.T, s string) *big.Int {
	n, ok := new(big.Int).SetString(s, 16)
	require.True(t, ok)
	return n
}

func TestLoadersExplainWrongInput(t *testing.T) {
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	ec8, err := x509.MarshalPKCS8PrivateKey(ecKey)
	require.NoError(t, err)
	ecSEC1, err := x509.MarshalECPrivateKey(ecKey)
	require.NoError(t, err)
	ecPub, err := x509.MarshalPKIXPublicKey(&ecKey.PublicKey)
	require.NoError(t, err)
	pemOf := func(typ string, b []byte) []byte { return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: b}) }
	keyDER, _ := pem.Decode(readTestdata(t, "apiclient_key.pem"))
	keyBase64 := strings.Join(strings.Split(string(readTestdata(t, "apiclient_key.pem")), "\n")[1:5], "\n")
	corrupt := pemOf("PRIVATE KEY", keyDER.Bytes[:200])

	type loader func([]byte) error
	private := func(b []byte) error { _, err := core.LoadPrivateKey(b); return err }
	public := func(b []byte) error { _, err := core.LoadPublicKey(b); return err }
	certificate := func(b []byte) error { _, err := core.LoadCertificate(b); return err }

	for _, tc := range []struct {
		name  string
		load  loader
		input []byte
		found string
		hint  string
	}{
		{"certificate as private key", private, readTestdata(t, "apiclient_cert.pem"), `"CERTIFICATE"`, "apiclient_key.pem"},
		{"encrypted PKCS #8 key", private, readTestdata(t, "apiclient_key_encrypted.pem"), `"ENCRYPTED PRIVATE KEY"`, "openssl pkey -in key.pem -out apiclient_key.pem"},
		{"encrypted PKCS #1 key", private, readTestdata(t, "apiclient_key_legacy_encrypted.pem"), `"RSA PRIVATE KEY" (password-protected)`, "openssl pkey"},
		{"public key as private key", private, readTestdata(t, "pub_key.pem"), `"PUBLIC KEY"`, "LoadPublicKeyFile"},
		{"ECDSA PKCS #8 key", private, pemOf("PRIVATE KEY", ec8), `"PRIVATE KEY" holding an ECDSA key`, "RSA"},
		{"SEC 1 EC key", private, pemOf("EC PRIVATE KEY", ecSEC1), `"EC PRIVATE KEY"`, "elliptic-curve"},
		{"binary DER key", private, keyDER.Bytes, "", "openssl pkey -inform DER"},
		{"Base64 without PEM lines", private, []byte(keyBase64), "", "-----BEGIN"},
		{"empty input", private, nil, "", "empty"},
		{"truncated key", private, corrupt, `"PRIVATE KEY"`, "malformed"},
		{"certificate as public key", public, readTestdata(t, "apiclient_cert.pem"), `"CERTIFICATE"`, "WithPlatformCertificates"},
		{"private key as public key", public, readTestdata(t, "apiclient_key.pem"), `"PRIVATE KEY"`, "pub_key.pem"},
		{"ECDSA public key", public, pemOf("PUBLIC KEY", ecPub), `"PUBLIC KEY" holding an ECDSA key`, "RSA"},
		{"binary DER public key", public, keyDER.Bytes, "", "openssl pkey -pubin -inform DER"},
		{"private key as certificate", certificate, readTestdata(t, "apiclient_key_pkcs1.pem"), `"RSA PRIVATE KEY"`, "apiclient_cert.pem"},
		{"public key as certificate", certificate, readTestdata(t, "pub_key_pkcs1.pem"), `"RSA PUBLIC KEY"`, "LoadPublicKeyFile"},
		{"p12 as certificate", certificate, keyDER.Bytes, "", "openssl pkcs12 -in apiclient_cert.p12 -clcerts -nokeys"},
		{"truncated certificate", certificate, pemOf("CERTIFICATE", []byte{0x30, 0x82, 0x01}), `"CERTIFICATE"`, "malformed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.load(tc.input)
			require.Error(t, err)
			var pe *core.PEMError
			require.True(t, errors.As(err, &pe), "%T", err)
			require.Equal(t, tc.found, pe.Found)
			require.Contains(t, err.Error(), tc.hint)
			require.Contains(t, err.Error(), "want ")
			require.NotContains(t, err.Error(), "\n")
			requireNoKeyMaterial(t, err.Error(), tc.input)
		})
	}
}

// requireNoKeyMaterial fails when msg holds any 8-character run of the
// input's Base64 or any of its raw bytes' hex.
func requireNoKeyMaterial(t *testing.T, msg string, input []byte) {
	t.Helper()
	for _, line := range strings.Split(string(input), "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "-----") || strings.Contains(line, ":") || len(line) < 16 {
			continue
		}
		for i := 0; i+8 <= len(line); i += 8 {
			require.NotContains(t, msg, line[i:i+8])
		}
	}
	require.NotContains(t, msg, "MII")
}

func TestLoadFileErrorsNameTheFile(t *testing.T) {
	dir := t.TempDir()

	_, err := core.LoadPrivateKeyFile(filepath.Join(dir, "missing.pem"))
	require.ErrorIs(t, err, fs.ErrNotExist)

	wrong := filepath.Join(dir, "apiclient_cert.pem")
	require.NoError(t, os.WriteFile(wrong, readTestdata(t, "apiclient_cert.pem"), 0o600))
	_, err = core.LoadPrivateKeyFile(wrong)
	var pe *core.PEMError
	require.ErrorAs(t, err, &pe)
	require.Equal(t, wrong, pe.File)
	require.True(t, strings.HasPrefix(err.Error(), "wechatpay: "+wrong+`: found PEM "CERTIFICATE", want an RSA private key`), err.Error())

	_, err = core.LoadPublicKeyFile(wrong)
	require.ErrorAs(t, err, &pe)
	require.Equal(t, wrong, pe.File)
	_, err = core.LoadCertificateFile(filepath.Join(dir, "missing.pem"))
	require.ErrorIs(t, err, fs.ErrNotExist)

	huge := filepath.Join(dir, "huge.pem")
	require.NoError(t, os.WriteFile(huge, bytes.Repeat([]byte("A"), core.MaxPEMFileSize+1), 0o600))
	_, err = core.LoadCertificateFile(huge)
	require.ErrorContains(t, err, "larger than")
}

// TestLoadedCredentialsCallTheSandbox proves the loaded files are usable:
// a client built from them makes a signed call the sandbox accepts and
// verifies the signed answer with the loaded WeChat Pay public key.
func TestLoadedCredentialsCallTheSandbox(t *testing.T) {
	sb, err := sandbox.NewServer()
	require.NoError(t, err)
	defer sb.Close()
	key, err := core.LoadPrivateKeyFile("testdata/apiclient_key_pkcs1.pem")
	require.NoError(t, err)
	cert, err := core.LoadCertificateFile("testdata/apiclient_cert.pem")
	require.NoError(t, err)
	pub, err := core.LoadPublicKeyFile("testdata/pub_key.pem")
	require.NoError(t, err)
	c, err := core.NewClient(
		core.WithMerchant(sandbox.MerchantID, core.CertificateSerial(cert), key),
		core.WithPlatformPublicKey(sandbox.PublicKeyID, pub),
		core.WithBaseURL(sb.URL),
	)
	require.NoError(t, err)
	var out struct {
		Data []struct {
			SerialNo string `json:"serial_no"`
		} `json:"data"`
	}
	resp, err := c.Do(t.Context(), &core.Request{Method: "GET", Path: "/v3/certificates", Idempotent: true}, &out)
	require.NoError(t, err)
	require.NotEmpty(t, resp.RequestID)
	require.Len(t, out.Data, 1)
	require.Equal(t, core.CertificateSerial(sb.PlatformCertificate()), out.Data[0].SerialNo)
}
