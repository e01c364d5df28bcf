// Package notifytest builds WeChat Pay notifications for tests: the
// headers and body of a callback signed and encrypted exactly as WeChat Pay
// sends them, from test keys, so that a notify.Handler (or any code built on
// it) can be tested end to end without WeChat Pay. It is the notify
// counterpart of net/http/httptest and, like it, is meant for tests and
// simulators only: production code never needs it.
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

// Event describes a notification to build with BuildSigned. Zero fields get
// sensible defaults.
type Event struct {
	ID             string    // default: a random EV-… ID
	CreateTime     time.Time // default: Time
	EventType      string    // required, e.g. PAYSCORE.USER_PAID
	Summary        string
	ResourceType   string // default encrypt-resource
	OriginalType   string // e.g. payscore, mall_transaction
	AssociatedData string
	Resource       any // marshalled to JSON, then encrypted
}

// Signer holds the WeChat Pay side of the test keys: what signs and
// encrypts a notification. Use test keys only, never production ones.
type Signer struct {
	Serial     string          // Wechatpay-Serial (PUB_KEY_ID_… or certificate serial)
	PrivateKey *rsa.PrivateKey // the platform private key
	APIv3Key   string          // 32 bytes
	Time       time.Time       // signing time; default now
	// Signature, when set, replaces the computed one (e.g. a
	// WECHATPAY/SIGNTEST/ probe).
	Signature string
}

// BuildSigned builds the headers and body of a notification exactly as
// WeChat Pay sends it: the resource encrypted with AEAD_AES_256_GCM under
// the APIv3 key, the body signed with the platform private key. It is meant
// for users' own tests and for the sandbox.
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

// NewRequest builds an *http.Request carrying a signed notification, for
// testing an http.Handler such as a notify.Handler.
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
