package core_test

import (
	"context"
	"fmt"
	"log"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

// Building a client from the files WeChat Pay hands out: the merchant API
// private key (apiclient_key.pem), the merchant API certificate
// (apiclient_cert.pem, whose serial signs every request) and the WeChat Pay
// public key (pub_key.pem, with its PUB_KEY_ID_… from the merchant
// platform). Here the files are the sandbox merchant's test-only copies, and
// the client points at a local sandbox; drop WithBaseURL for the real API.
func ExampleNewClient() {
	sb, err := sandbox.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer sb.Close()

	key, err := core.LoadPrivateKeyFile("testdata/apiclient_key.pem")
	if err != nil {
		log.Fatal(err) // names the file, what it holds and how to convert it
	}
	cert, err := core.LoadCertificateFile("testdata/apiclient_cert.pem")
	if err != nil {
		log.Fatal(err)
	}
	pub, err := core.LoadPublicKeyFile("testdata/pub_key.pem")
	if err != nil {
		log.Fatal(err)
	}
	c, err := core.NewClient(
		core.WithMerchant(sandbox.MerchantID, core.CertificateSerial(cert), key),
		core.WithAPIv3Key(sandbox.APIv3Key), // test-only; read a real one from your secret store
		core.WithPlatformPublicKey(sandbox.PublicKeyID, pub),
		core.WithBaseURL(sb.URL),
	)
	if err != nil {
		log.Fatal(err)
	}

	// Any call: signed with the loaded key, the answer verified with the
	// loaded public key.
	var out struct {
		Data []struct {
			SerialNo string `json:"serial_no"`
		} `json:"data"`
	}
	if _, err := c.Do(context.Background(), &core.Request{Method: "GET", Path: "/v3/certificates", Idempotent: true}, &out); err != nil {
		log.Fatal(err)
	}
	fmt.Println("merchant serial:", core.CertificateSerial(cert))
	fmt.Println("platform certificates listed:", len(out.Data))
	// Output:
	// merchant serial: 5157F09EFDC096DE15EBE81A47057A7232F1B8E1
	// platform certificates listed: 1
}

// The serial WithMerchant needs comes from the merchant API certificate, as
// `openssl x509 -noout -serial -in apiclient_cert.pem` prints it.
func ExampleCertificateSerial() {
	cert, err := core.LoadCertificateFile("testdata/apiclient_cert.pem")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(core.CertificateSerial(cert))
	// Output: 5157F09EFDC096DE15EBE81A47057A7232F1B8E1
}

// A file of the wrong kind is explained, without printing any key material.
func ExampleLoadPrivateKeyFile_wrongFile() {
	_, err := core.LoadPrivateKeyFile("testdata/apiclient_cert.pem")
	fmt.Println(err)
	// Output: wechatpay: testdata/apiclient_cert.pem: found PEM "CERTIFICATE", want an RSA private key (PEM "PRIVATE KEY" or "RSA PRIVATE KEY", e.g. apiclient_key.pem): this is a certificate (apiclient_cert.pem); the private key is the apiclient_key.pem beside it — load the certificate with LoadCertificateFile and take its serial with CertificateSerial
}
