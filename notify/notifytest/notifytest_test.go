package notifytest_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/notify"
	"github.com/wechatpay-biz/wechatpay-biz-go/notify/notifytest"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

func TestNewRequestForUsersOwnTests(t *testing.T) {
	// A user's own test keys: a platform key pair and an APIv3 key.
	platform, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	merchant, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	const keyID, apiV3Key = "PUB_KEY_ID_0000000000000000000000000042", "0123456789abcdef0123456789abcdef"
	c, err := core.NewClient(
		core.WithMerchant("1230000109", "3775B6A45ACD588826D15E583A95F5DD", merchant), // a hex serial (issue 10 item 5)
		core.WithAPIv3Key(apiV3Key),
		core.WithPlatformPublicKey(keyID, &platform.PublicKey),
	)
	require.NoError(t, err)
	h, err := notify.NewHandler(c)
	require.NoError(t, err)

	req, err := notifytest.NewRequest(context.Background(), "http://localhost/notify",
		notifytest.Event{EventType: "MALL_REFUND.SUCCESS", OriginalType: "mall_refund", AssociatedData: "mall", Resource: map[string]string{"mchid": "1230000109"}},
		notifytest.Signer{Serial: keyID, PrivateKey: platform, APIv3Key: apiV3Key})
	require.NoError(t, err)
	n, err := h.Parse(context.Background(), req)
	require.NoError(t, err)
	assert.Equal(t, "MALL_REFUND.SUCCESS", n.EventType)
	assert.JSONEq(t, `{"mchid":"1230000109"}`, string(n.Plaintext))

	// A probe signature built the same way is rejected.
	req, err = notifytest.NewRequest(context.Background(), "http://localhost/notify",
		notifytest.Event{EventType: "X"}, notifytest.Signer{Serial: keyID, PrivateKey: platform, APIv3Key: apiV3Key, Signature: "WECHATPAY/SIGNTEST/AAAA"})
	require.NoError(t, err)
	_, err = h.Parse(context.Background(), req)
	require.ErrorIs(t, err, notify.ErrInvalidSignature)
}

func TestBuildSignedNeedsEventTypeAndKey(t *testing.T) {
	_, _, err := notifytest.BuildSigned(notifytest.Event{}, notifytest.Signer{Serial: "S", PrivateKey: &rsa.PrivateKey{}})
	require.ErrorContains(t, err, "EventType")
	_, _, err = notifytest.BuildSigned(notifytest.Event{EventType: "X"}, notifytest.Signer{})
	require.ErrorContains(t, err, "Serial and PrivateKey")
}

// A callback handler tested end to end with a signed, encrypted
// notification built from test keys (here the sandbox's published test keys).
func ExampleNewRequest() {
	sb, err := sandbox.NewServer()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer sb.Close()
	c, err := sb.Client()
	if err != nil {
		fmt.Println(err)
		return
	}
	h, err := notify.NewHandler(c)
	if err != nil {
		fmt.Println(err)
		return
	}
	h.On("MALL_TRANSACTION.SUCCESS", func(_ context.Context, n *notify.Notification) error {
		fmt.Println("received", n.EventType, string(n.Plaintext))
		return nil
	})

	req, err := notifytest.NewRequest(context.Background(), "https://merchant.example/notify",
		notifytest.Event{EventType: "MALL_TRANSACTION.SUCCESS", OriginalType: "mall_transaction", Resource: map[string]int{"amount": 500}},
		notifytest.Signer{Serial: sb.PublicKeyID, PrivateKey: sb.PlatformPrivateKey(), APIv3Key: sb.APIv3Key})
	if err != nil {
		fmt.Println(err)
		return
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	fmt.Println(rec.Code == http.StatusOK || rec.Code == http.StatusNoContent)
	// Output:
	// received MALL_TRANSACTION.SUCCESS {"amount":500}
	// true
}
