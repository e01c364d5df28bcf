package sandbox_test

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	wxcore "github.com/wechatpay-apiv3/wechatpay-go/core"
	"github.com/wechatpay-apiv3/wechatpay-go/core/option"
	"github.com/wechatpay-apiv3/wechatpay-go/utils"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

func newSandbox(t *testing.T, opts ...sandbox.Option) *sandbox.Server {
	t.Helper()
	sb, err := sandbox.NewServer(opts...)
	require.NoError(t, err)
	t.Cleanup(sb.Close)
	return sb
}

// signedGET sends a GET with an Authorization header built by hand, so each
// part of it can be broken on purpose.
func signedGET(t *testing.T, sb *sandbox.Server, uri, signedURI, mchid, serial string, ts int64, nonce string) (int, string) {
	t.Helper()
	tsS := strconv.FormatInt(ts, 10)
	sig, err := utils.SignSHA256WithRSA("GET\n"+signedURI+"\n"+tsS+"\n"+nonce+"\n\n", sb.MerchantPrivateKey)
	require.NoError(t, err)
	req, err := http.NewRequest("GET", sb.URL+uri, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", core.SignatureScheme+` mchid="`+mchid+`",nonce_str="`+nonce+`",timestamp="`+tsS+`",serial_no="`+serial+`",signature="`+sig+`"`)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var e struct {
		Code string `json:"code"`
	}
	b, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(b, &e)
	assert.NotEmpty(t, resp.Header.Get("Request-ID"), "every answer has a Request-ID")
	assert.NotEmpty(t, resp.Header.Get("Wechatpay-Signature"), "every answer is signed")
	return resp.StatusCode, e.Code
}

func TestSandboxAuthenticatesStrictly(t *testing.T) {
	sb := newSandbox(t)
	now := time.Now().Unix()
	const path = "/v3/certificates?algorithm_type=RSA"
	n := 0
	nonce := func() string { n++; return "NONCE" + strconv.Itoa(n) }

	status, code := signedGET(t, sb, path, path, sb.MerchantID, sb.MerchantSerialNo, now, nonce())
	assert.Equal(t, 200, status, code)

	cases := []struct {
		name                     string
		signedURI, mchid, serial string
		ts                       int64
	}{
		{"query not signed", "/v3/certificates", sb.MerchantID, sb.MerchantSerialNo, now},
		{"wrong mchid", path, "1900000000", sb.MerchantSerialNo, now},
		{"wrong serial", path, sb.MerchantID, "ABCDEF", now},
		{"stale", path, sb.MerchantID, sb.MerchantSerialNo, now - 400},
		{"future", path, sb.MerchantID, sb.MerchantSerialNo, now + 400},
	}
	for _, tc := range cases {
		status, code := signedGET(t, sb, path, tc.signedURI, tc.mchid, tc.serial, tc.ts, nonce())
		assert.Equal(t, 401, status, tc.name)
		assert.Equal(t, "SIGN_ERROR", code, tc.name)
	}

	// A replayed nonce is refused.
	status, _ = signedGET(t, sb, path, path, sb.MerchantID, sb.MerchantSerialNo, now, "REPLAY")
	assert.Equal(t, 200, status)
	status, code = signedGET(t, sb, path, path, sb.MerchantID, sb.MerchantSerialNo, now, "REPLAY")
	assert.Equal(t, 401, status)
	assert.Equal(t, "SIGN_ERROR", code)

	// No Authorization at all.
	resp, err := http.Get(sb.URL + path)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 401, resp.StatusCode)
}

func TestParseAuthorization(t *testing.T) {
	a, problem := sandbox.ParseAuthorization(`WECHATPAY2-SHA256-RSA2048 mchid="1",nonce_str="n",signature="s",timestamp="2",serial_no="S"`)
	require.Empty(t, problem)
	assert.Equal(t, sandbox.Authorization{MchID: "1", NonceStr: "n", Signature: "s", Timestamp: "2", SerialNo: "S"}, a)
	for _, bad := range []string{
		``, `Bearer x`, `WECHATPAY2-SHA256-RSA2048 mchid=1`, `WECHATPAY2-SHA256-RSA2048 mchid="1"`,
		`WECHATPAY2-SHA256-RSA2048 mchid="1",mchid="1",nonce_str="n",signature="s",timestamp="2",serial_no="S"`,
		`WECHATPAY2-SHA256-RSA2048 mchid="1",nonce_str="n",signature="s",timestamp="2",serial_no="S",x="y"`,
		`WECHATPAY2-SHA256-RSA2048 mchid="1,nonce_str="n"`,
	} {
		_, problem := sandbox.ParseAuthorization(bad)
		assert.NotEmpty(t, problem, bad)
	}
}

func TestUnknownEndpointIsSignedNotFound(t *testing.T) {
	sb := newSandbox(t)
	c, err := sb.Client()
	require.NoError(t, err)
	_, err = c.Do(context.Background(), &core.Request{Method: "GET", Path: "/v3/no/such/api"}, nil)
	ae, ok := core.IsAPIError(err)
	require.True(t, ok)
	assert.Equal(t, 404, ae.StatusCode)
	assert.NotEmpty(t, ae.RequestID)
}

// TestOfficialClientInteroperates points the official wechatpay-go client,
// configured with the sandbox's credentials, at the sandbox: its signatures
// are accepted and the sandbox's signatures verify with its validator.
func TestOfficialClientInteroperates(t *testing.T) {
	sb := newSandbox(t)
	ctx := context.Background()
	client, err := wxcore.NewClient(ctx, option.WithWechatPayPublicKeyAuthCipher(
		sb.MerchantID, sb.MerchantSerialNo, sb.MerchantPrivateKey, sb.PublicKeyID, sb.PlatformPublicKey))
	require.NoError(t, err)
	res, err := client.Get(ctx, sb.URL+"/v3/certificates")
	require.NoError(t, err, "the official client verifies the sandbox's answer")
	assert.Equal(t, 200, res.Response.StatusCode)
	var body struct {
		Data []struct {
			SerialNo string `json:"serial_no"`
		} `json:"data"`
	}
	require.NoError(t, json.NewDecoder(res.Response.Body).Decode(&body))
	require.Len(t, body.Data, 1)

	// Certificate mode too: the official client's certificate validator.
	sbc := newSandbox(t, sandbox.WithSigningMode(sandbox.SignWithCertificate))
	client2, err := wxcore.NewClient(ctx,
		option.WithMerchantCredential(sbc.MerchantID, sbc.MerchantSerialNo, sbc.MerchantPrivateKey),
		option.WithWechatPayCertificate([]*x509.Certificate{sbc.PlatformCertificate()}))
	require.NoError(t, err)
	_, err = client2.Get(ctx, sbc.URL+"/v3/certificates")
	require.NoError(t, err)

	// And its failure mode: a probe signature is rejected by it as well.
	sb.ProbeNext(1)
	_, err = client.Get(ctx, sb.URL+"/v3/certificates")
	require.Error(t, err)
	assert.True(t, strings.Contains(err.Error(), "verif") || strings.Contains(err.Error(), "sign"), err.Error())
}

func TestCertificatesDecryptWithAPIv3Key(t *testing.T) {
	sb := newSandbox(t)
	c, err := sb.Client()
	require.NoError(t, err)
	var out struct {
		Data []struct {
			SerialNo           string `json:"serial_no"`
			ExpireTime         string `json:"expire_time"`
			EncryptCertificate struct {
				Algorithm, Nonce, Ciphertext string
				AssociatedData               string `json:"associated_data"`
			} `json:"encrypt_certificate"`
		} `json:"data"`
	}
	_, err = c.Do(context.Background(), &core.Request{Method: "GET", Path: "/v3/certificates"}, &out)
	require.NoError(t, err)
	require.Len(t, out.Data, 1)
	d := out.Data[0]
	assert.Equal(t, "AEAD_AES_256_GCM", d.EncryptCertificate.Algorithm)
	assert.Equal(t, "certificate", d.EncryptCertificate.AssociatedData)
	pemText, err := c.DecryptAEAD(d.EncryptCertificate.AssociatedData, d.EncryptCertificate.Nonce, d.EncryptCertificate.Ciphertext)
	require.NoError(t, err)
	cert, err := utils.LoadCertificate(string(pemText))
	require.NoError(t, err)
	assert.Equal(t, d.SerialNo, utils.GetCertificateSerialNumber(*cert))
	_, err = time.Parse(time.RFC3339, d.ExpireTime)
	require.NoError(t, err)
}
