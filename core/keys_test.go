package core_test

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/wechatpay-apiv3/wechatpay-go/utils"

	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

// keys are test-only keys generated for this test binary (never published,
// unlike the sandbox's), for tests that talk to the production host names
// through a mock transport.
type keys struct {
	mchID, mchSerial, publicKeyID string
	merchant, platform            *rsa.PrivateKey
	third                         *rsa.PrivateKey
}

// thirdKey is a third key, for tests that need several platform keys.
func (k keys) thirdKey() *rsa.PrivateKey { return k.third }

var (
	ownKeysOnce sync.Once
	ownKeysVal  keys
	ownKeysErr  error
)

func ownKeys(t testing.TB) keys {
	t.Helper()
	ownKeysOnce.Do(func() {
		var m, p *rsa.PrivateKey
		if m, ownKeysErr = rsa.GenerateKey(rand.Reader, 2048); ownKeysErr != nil {
			return
		}
		if p, ownKeysErr = rsa.GenerateKey(rand.Reader, 2048); ownKeysErr != nil {
			return
		}
		var third *rsa.PrivateKey
		if third, ownKeysErr = rsa.GenerateKey(rand.Reader, 2048); ownKeysErr != nil {
			return
		}
		ownKeysVal = keys{mchID: "1230000109", mchSerial: "3775B6A45ACD588826D15E583A95F5DD", publicKeyID: "PUB_KEY_ID_0112300001092026010100000000000042", merchant: m, platform: p, third: third}
	})
	require.NoError(t, ownKeysErr)
	return ownKeysVal
}

// verifyAuthorization checks a request's Authorization against the merchant
// public key, over exactly what was sent.
func (k keys) verifyAuthorization(t testing.TB, method, uri string, body []byte, header string) {
	t.Helper()
	a, problem := sandbox.ParseAuthorization(header)
	if problem != "" {
		t.Errorf("bad Authorization header: %s", problem)
		return
	}
	if a.MchID != k.mchID || a.SerialNo != k.mchSerial {
		t.Errorf("Authorization names mchid %s serial %s", a.MchID, a.SerialNo)
	}
	msg := method + "\n" + uri + "\n" + a.Timestamp + "\n" + a.NonceStr + "\n" + string(body) + "\n"
	sum := sha256.Sum256([]byte(msg))
	sig, err := base64.StdEncoding.DecodeString(a.Signature)
	if err != nil || rsa.VerifyPKCS1v15(&k.merchant.PublicKey, crypto.SHA256, sum[:], sig) != nil {
		t.Errorf("request %s %s is not signed over what was sent", method, uri)
	}
}

// signatureHeaders signs an answer with the platform key, as WeChat Pay.
func (k keys) signatureHeaders(t testing.TB, body []byte, at time.Time) http.Header {
	t.Helper()
	ts := strconv.FormatInt(at.Unix(), 10)
	nonce, err := utils.GenerateNonce()
	require.NoError(t, err)
	sig, err := utils.SignSHA256WithRSA(ts+"\n"+nonce+"\n"+string(body)+"\n", k.platform)
	require.NoError(t, err)
	h := http.Header{}
	h.Set("Wechatpay-Timestamp", ts)
	h.Set("Wechatpay-Nonce", nonce)
	h.Set("Wechatpay-Signature", sig)
	h.Set("Wechatpay-Serial", k.publicKeyID)
	h.Set("Wechatpay-Signature-Type", "WECHATPAY2-SHA256-RSA2048")
	return h
}
