package core

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/wechatpay-apiv3/wechatpay-go/utils"
)

// These tests sit inside package core to look at the hot path's pooled
// buffers; they use the sandbox's test-only keys from its testdata (the
// sandbox package itself imports core).

const (
	wireKeyID  = "PUB_KEY_ID_0119000001092026112600000000000001"
	wireAPIv3  = "sandboxAPIv3Key0123456789abcdefg"
	wireMchID  = "1900000109"
	wireSerial = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
	// secret stands for personal data in bodies: it must not survive a call
	// in any pooled buffer.
	secret = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o-SECRET"
)

func loadTestKey(t testing.TB, name string) *rsa.PrivateKey {
	t.Helper()
	b, err := os.ReadFile("../sandbox/testdata/" + name)
	require.NoError(t, err)
	k, err := utils.LoadPrivateKey(string(b))
	require.NoError(t, err)
	return k
}

// wireServer checks every request's Authorization with the merchant public
// key over exactly what arrived, and answers with answer, signed with the
// platform key.
func wireServer(t testing.TB, mch, platform *rsa.PrivateKey, answer string) (url string, seen func() []*http.Request) {
	t.Helper()
	var mu sync.Mutex
	var reqs []*http.Request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		auth := r.Header.Get("Authorization")
		field := func(name string) string {
			_, v, _ := strings.Cut(auth, name+`="`)
			v, _, _ = strings.Cut(v, `"`)
			return v
		}
		sig, _ := base64.StdEncoding.DecodeString(field("signature"))
		sum := sha256.Sum256([]byte(r.Method + "\n" + r.RequestURI + "\n" + field("timestamp") + "\n" + field("nonce_str") + "\n" + string(body) + "\n"))
		if !strings.HasPrefix(auth, SignatureScheme+" ") || rsa.VerifyPKCS1v15(&mch.PublicKey, crypto.SHA256, sum[:], sig) != nil ||
			field("mchid") != wireMchID || field("serial_no") != wireSerial {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		mu.Lock()
		r.Body = io.NopCloser(bytes.NewReader(body))
		reqs = append(reqs, r)
		mu.Unlock()
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		nonce := "answer-nonce-0123456789"
		rsum := sha256.Sum256([]byte(ts + "\n" + nonce + "\n" + answer + "\n"))
		rsig, _ := rsa.SignPKCS1v15(nil, platform, crypto.SHA256, rsum[:])
		h := w.Header()
		h.Set("Wechatpay-Timestamp", ts)
		h.Set("Wechatpay-Nonce", nonce)
		h.Set("Wechatpay-Signature", base64.StdEncoding.EncodeToString(rsig))
		h.Set("Wechatpay-Serial", wireKeyID)
		h.Set("Request-ID", "RID-WIRE")
		_, _ = io.WriteString(w, answer)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, func() []*http.Request {
		mu.Lock()
		defer mu.Unlock()
		return append([]*http.Request(nil), reqs...)
	}
}

func wireClient(t testing.TB, answer string) (*Client, func() []*http.Request) {
	t.Helper()
	mch, platform := loadTestKey(t, "merchant.pem"), loadTestKey(t, "platform_pubkey.pem")
	url, seen := wireServer(t, mch, platform, answer)
	c, err := NewClient(WithMerchant(wireMchID, wireSerial, mch), WithAPIv3Key(wireAPIv3),
		WithPlatformPublicKey(wireKeyID, &platform.PublicKey), WithBaseURL(url))
	require.NoError(t, err)
	return c, seen
}

// watchReleases records what every pooled buffer holds when it is given
// back, and checks that it is nothing: all zero, no trace of secret.
func watchReleases(t *testing.T, c *Client) (counts func() map[string]int) {
	t.Helper()
	var mu sync.Mutex
	n := map[string]int{}
	c.pools.released = func(kind string, held []byte) {
		mu.Lock()
		defer mu.Unlock()
		n[kind]++
		if strings.Contains(string(held), secret) || !bytes.Equal(held, make([]byte, len(held))) {
			t.Errorf("a %s buffer still holds data when given back", kind)
		}
	}
	return func() map[string]int {
		mu.Lock()
		defer mu.Unlock()
		out := map[string]int{}
		for k, v := range n {
			out[k] = v
		}
		clear(n)
		return out
	}
}

// Every pooled buffer of the hot path (request encoding, request message and
// Authorization, answer verification, AEAD decryption) is zeroed before it
// goes back to the pool: the personal data in a body is not left behind.
func TestPooledBuffersHoldNothingAfterTheCall(t *testing.T) {
	answer := `{"openid":"` + secret + `","state":"DONE"}`
	c, seen := wireClient(t, answer)
	counts := watchReleases(t, c)
	ctx := context.Background()
	body := map[string]string{"openid": secret, "name": "张三"}

	var out struct {
		OpenID string `json:"openid"`
	}
	_, err := c.Do(ctx, &Request{Method: http.MethodPost, Path: "/v3/test/echo", Body: body}, &out)
	require.NoError(t, err)
	require.Equal(t, secret, out.OpenID)
	require.Len(t, seen(), 1)
	require.Equal(t, map[string]int{"encoder": 1, "scratch": 2}, counts(), "encoding, signing, verifying")

	ct, err := EncryptAEAD(wireAPIv3, "transaction", "0123456789ab", []byte(answer))
	require.NoError(t, err)
	pt, err := c.DecryptAEAD("transaction", "0123456789ab", ct)
	require.NoError(t, err)
	require.Equal(t, answer, string(pt))
	require.Equal(t, map[string]int{"scratch": 1}, counts())

	// A failed verification cleans up too.
	err = c.VerifySignature(ctx, SignatureHeaders{Timestamp: strconv.FormatInt(time.Now().Unix(), 10), Nonce: "n",
		Signature: base64.StdEncoding.EncodeToString(make([]byte, 256)), Serial: wireKeyID}, []byte(answer))
	require.ErrorIs(t, err, ErrInvalidSignature)
	require.Equal(t, map[string]int{"scratch": 1}, counts())

	// And so does a buffer too large to keep, before it is dropped.
	s := c.getScratch(2 * maxPooledScratch)
	s.b = append(s.b, strings.Repeat(secret, 2*maxPooledScratch/len(secret))...)
	c.putScratch(s)
	require.Equal(t, map[string]int{"scratch": 1}, counts())
}

// The Authorization header: fresh 32-hex-digit nonce each time, and a
// signature over exactly method, URL, timestamp, nonce and body.
func TestAuthorizationSignsTheExactMessage(t *testing.T) {
	c, _ := wireClient(t, `{}`)
	mch := loadTestKey(t, "merchant.pem")
	now := time.Unix(1764000000, 0)
	c.clock = func() time.Time { return now }
	body := []byte(`{"openid":"` + secret + `"}`)
	nonces := map[string]bool{}
	for range 3 {
		h, err := c.authorization(context.Background(), "POST", "/v3/x?a=1", body)
		require.NoError(t, err)
		rest, ok := strings.CutPrefix(h, SignatureScheme+" ")
		require.True(t, ok)
		f := map[string]string{}
		for kv := range strings.SplitSeq(rest, ",") {
			k, v, _ := strings.Cut(kv, "=")
			f[k] = strings.Trim(v, `"`)
		}
		require.Equal(t, wireMchID, f["mchid"])
		require.Equal(t, wireSerial, f["serial_no"])
		require.Equal(t, "1764000000", f["timestamp"])
		require.Len(t, f["nonce_str"], nonceLen)
		_, err = hex.DecodeString(f["nonce_str"])
		require.NoError(t, err)
		require.False(t, nonces[f["nonce_str"]], "nonce repeated")
		nonces[f["nonce_str"]] = true
		sig, err := base64.StdEncoding.DecodeString(f["signature"])
		require.NoError(t, err)
		sum := sha256.Sum256([]byte("POST\n/v3/x?a=1\n1764000000\n" + f["nonce_str"] + "\n" + string(body) + "\n"))
		require.NoError(t, rsa.VerifyPKCS1v15(&mch.PublicKey, crypto.SHA256, sum[:], sig))
	}
}

func TestReadCapped(t *testing.T) {
	b, err := readCapped(strings.NewReader("hello"), 5, 10)
	require.NoError(t, err)
	require.Equal(t, "hello", string(b))
	require.Equal(t, 5, cap(b), "a known length is read into a buffer of that size")

	_, err = readCapped(strings.NewReader("hel"), 5, 10)
	require.ErrorIs(t, err, io.ErrUnexpectedEOF, "a body shorter than its Content-Length")
	_, err = readCapped(strings.NewReader("hello"), 11, 10)
	require.ErrorIs(t, err, ErrBodyTooLarge, "refused before reading")

	long := strings.Repeat("x", 3000)
	b, err = readCapped(strings.NewReader(long), -1, 3000)
	require.NoError(t, err)
	require.Equal(t, long, string(b))
	_, err = readCapped(strings.NewReader(long+"y"), -1, 3000)
	require.ErrorIs(t, err, ErrBodyTooLarge)
	b, err = readCapped(strings.NewReader(""), -1, 10)
	require.NoError(t, err)
	require.Empty(t, b)
	_, err = readCapped(iotestErrReader{}, -1, 10)
	require.EqualError(t, err, "boom")
}

type iotestErrReader struct{}

func (iotestErrReader) Read([]byte) (int, error) { return 0, errors.New("boom") }

// The request body is an io.NopCloser around a *bytes.Reader, as
// http.NewRequest makes it, so the transport knows it is in memory; GetBody
// hands out the same bytes again; header values sit in one array without
// overwriting each other.
func TestAttemptBodyAndHeaders(t *testing.T) {
	hreq, err := http.NewRequest(http.MethodPost, "http://example.com/", nil)
	require.NoError(t, err)
	a := newAttempt(hreq, []byte(`{"a":1}`))
	require.Equal(t, int64(7), hreq.ContentLength)
	require.Equal(t, "io.nopCloserWriterTo", fmt.Sprintf("%T", hreq.Body))
	got, _ := io.ReadAll(hreq.Body)
	require.Equal(t, `{"a":1}`, string(got))
	again, err := hreq.GetBody()
	require.NoError(t, err)
	got, _ = io.ReadAll(again)
	require.Equal(t, `{"a":1}`, string(got))

	for i := range 8 {
		a.set(hreq.Header, "X-H"+strconv.Itoa(i), strconv.Itoa(i))
	}
	hreq.Header.Add("X-H0", "added")
	for i := range 8 {
		require.Equal(t, strconv.Itoa(i), hreq.Header.Get("X-H"+strconv.Itoa(i)))
	}
	require.Equal(t, []string{"0", "added"}, hreq.Header["X-H0"])

	empty, _ := http.NewRequest(http.MethodGet, "http://example.com/", nil)
	newAttempt(empty, nil)
	require.Equal(t, http.NoBody, empty.Body)
	require.Zero(t, empty.ContentLength)
}

// One cipher per client, shared by concurrent decryptions (run with -race).
func TestDecryptAEADConcurrently(t *testing.T) {
	c, _ := wireClient(t, `{}`)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				nonce := fmt.Sprintf("%06d%06d", g, i)
				plain := []byte(fmt.Sprintf(`{"g":%d,"i":%d,"openid":"%s"}`, g, i, secret))
				ct, err := EncryptAEAD(wireAPIv3, "certificate", nonce, plain)
				if err != nil {
					t.Error(err)
					return
				}
				pt, err := c.DecryptAEAD("certificate", nonce, ct)
				if err != nil || !bytes.Equal(pt, plain) {
					t.Errorf("decrypt %d/%d: %v", g, i, err)
					return
				}
				if _, err := c.DecryptAEAD("other", nonce, ct); !errors.Is(err, ErrDecrypt) {
					t.Errorf("wrong associated data accepted: %v", err)
					return
				}
			}
		}()
	}
	wg.Wait()
	_, err := c.DecryptAEAD("a", "short", "AAAA")
	require.ErrorIs(t, err, ErrDecrypt)
	_, err = c.DecryptAEAD("a", "0123456789ab", "not base64!")
	require.ErrorIs(t, err, ErrDecrypt)
	var none Client
	_, err = none.DecryptAEAD("a", "0123456789ab", "AAAA")
	require.ErrorIs(t, err, ErrNoAPIv3Key)
}

// BenchmarkAuthorization is the signing of one request: the message built
// once in a pooled buffer, RSA-SHA256, the header in the same buffer.
func BenchmarkAuthorization(b *testing.B) {
	c, _ := wireClient(b, `{}`)
	body := []byte(`{"sub_mchid":"1900000109","operation_type":"OPEN"}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.authorization(context.Background(), "POST", "/v3/goldplan/merchants/changegoldplanstatus", body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerify is the verification of one answer.
func BenchmarkVerify(b *testing.B) {
	c, _ := wireClient(b, `{}`)
	platform := loadTestKey(b, "platform_pubkey.pem")
	body := []byte(`{"sub_mchid":"1900000109"}`)
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	sum := sha256.Sum256([]byte(ts + "\nnonce\n" + string(body) + "\n"))
	sig, _ := rsa.SignPKCS1v15(nil, platform, crypto.SHA256, sum[:])
	h := SignatureHeaders{Timestamp: ts, Nonce: "nonce", Signature: base64.StdEncoding.EncodeToString(sig), Serial: wireKeyID}
	b.ReportAllocs()
	for b.Loop() {
		if err := c.VerifySignature(context.Background(), h, body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecryptAEAD is the decryption of one notification resource with
// the client's cipher.
func BenchmarkDecryptAEAD(b *testing.B) {
	c, _ := wireClient(b, `{}`)
	plain := []byte(`{"out_order_no":"1234323JKHDFE1243252","openid":"` + secret + `","total_amount":40000}`)
	ct, _ := EncryptAEAD(wireAPIv3, "payscore", "0123456789ab", plain)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.DecryptAEAD("payscore", "0123456789ab", ct); err != nil {
			b.Fatal(err)
		}
	}
}
