package notifytest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/wechatpay-apiv3/wechatpay-go/utils"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/notify"
)

// Event describes a notification to build with BuildSigned. Only
// EventType is required; the other zero fields get the defaults below.
type Event struct {
	ID         string    // notification ID; default "EV-" and 20 random digits
	CreateTime time.Time // default the signing time; written as RFC 3339 in +08:00 (Asia/Shanghai)
	EventType  string    // required, e.g. PAYSCORE.USER_PAID
	// Summary is the envelope's human summary (at most 64 characters at
	// WeChat Pay, e.g. 支付成功); "" is sent as is.
	Summary      string
	ResourceType string // default encrypt-resource
	OriginalType string // resource.original_type, e.g. payscore, mall_transaction; "" is sent as is
	// AssociatedData is the GCM associated data of the resource (WeChat
	// Pay sends a short tag such as "transaction", or ""); it is sent in
	// resource.associated_data and needed to decrypt.
	AssociatedData string
	Resource       any // the plaintext resource: marshalled to JSON, then encrypted
}

// Signer holds the WeChat Pay side of the test keys: what signs and
// encrypts a notification. Use test keys only, never production ones.
type Signer struct {
	Serial     string          // Wechatpay-Serial (PUB_KEY_ID_… or certificate serial); required
	PrivateKey *rsa.PrivateKey // the platform private key matching Serial; required
	APIv3Key   string          // the APIv3 key, exactly 32 bytes
	Time       time.Time       // signing time (Wechatpay-Timestamp, Unix seconds); default time.Now
	// Signature, when set, replaces the computed one (e.g. a
	// WECHATPAY/SIGNTEST/ probe).
	Signature string
}

// BuildSigned builds the headers and body of a notification exactly as
// WeChat Pay sends it: the resource encrypted with AEAD_AES_256_GCM under
// the APIv3 key, the body signed with the platform private key. It is meant
// for users' own tests and for the sandbox.
//
// It fails without Event.EventType, Signer.Serial or Signer.PrivateKey,
// with an APIv3 key that is not 32 bytes, or when Event.Resource cannot be
// marshalled to JSON.
func BuildSigned(ev Event, s Signer) (http.Header, []byte, error) {
	if ev.EventType == "" {
		return nil, nil, errors.New("notifytest: Event.EventType is required")
	}
	if s.PrivateKey == nil || s.Serial == "" {
		return nil, nil, errors.New("notifytest: Signer needs Serial and PrivateKey")
	}
	now := s.Time
	if now.IsZero() {
		now = time.Now()
	}
	if ev.ID == "" {
		ev.ID = "EV-" + randomDigits(20)
	}
	if ev.CreateTime.IsZero() {
		ev.CreateTime = now
	}
	if ev.ResourceType == "" {
		ev.ResourceType = "encrypt-resource"
	}
	plain, err := json.Marshal(ev.Resource)
	if err != nil {
		return nil, nil, fmt.Errorf("notifytest: encoding resource: %w", err)
	}
	nonce := randomDigits(12)
	ct, err := core.EncryptAEAD(s.APIv3Key, ev.AssociatedData, nonce, plain)
	if err != nil {
		return nil, nil, err
	}
	env := map[string]any{
		"id":            ev.ID,
		"create_time":   ev.CreateTime.In(time.FixedZone("CST", 8*3600)).Format(time.RFC3339),
		"event_type":    ev.EventType,
		"resource_type": ev.ResourceType,
		"summary":       ev.Summary,
		"resource": notify.Resource{
			Algorithm: "AEAD_AES_256_GCM", Ciphertext: ct, AssociatedData: ev.AssociatedData,
			OriginalType: ev.OriginalType, Nonce: nonce,
		},
	}
	body, err := json.Marshal(env)
	if err != nil {
		return nil, nil, err
	}
	ts := strconv.FormatInt(now.Unix(), 10)
	sigNonce := randomDigits(32)
	sig := s.Signature
	if sig == "" {
		sig, err = utils.SignSHA256WithRSA(ts+"\n"+sigNonce+"\n"+string(body)+"\n", s.PrivateKey)
		if err != nil {
			return nil, nil, err
		}
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("Wechatpay-Timestamp", ts)
	h.Set("Wechatpay-Nonce", sigNonce)
	h.Set("Wechatpay-Signature", sig)
	h.Set("Wechatpay-Serial", s.Serial)
	h.Set("Wechatpay-Signature-Type", core.SignatureScheme)
	return h, body, nil
}

// NewRequest builds a POST *http.Request to url carrying a signed
// notification (see BuildSigned), for testing an http.Handler such as a
// notify.Handler, e.g. with httptest.NewRecorder. Its errors are
// BuildSigned's and http.NewRequestWithContext's.
func NewRequest(ctx context.Context, url string, ev Event, s Signer) (*http.Request, error) {
	h, body, err := BuildSigned(ev, s)
	if err != nil {
		return nil, err
	}
	r, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	r.Header = h
	return r, nil
}

func randomDigits(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	for i := range b {
		b[i] = '0' + b[i]%10
	}
	return string(b)
}
