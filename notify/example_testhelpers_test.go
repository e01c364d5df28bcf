package notify_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log"
	"net/http/httptest"

	"github.com/wechatpay-biz/wechatpay-biz-go/notify"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

// Testing your notify endpoint without WeChat Pay: NewTestRequest builds
// the request WeChat Pay would send — resource encrypted with the APIv3
// key, body signed with the platform key — from test keys. Here the
// sandbox's test keys play WeChat Pay's, and the client built from them is
// the one your handler trusts.
func ExampleNewTestRequest() {
	sb, err := sandbox.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer sb.Close()
	c, err := sb.Client()
	if err != nil {
		log.Fatal(err)
	}

	// Your endpoint.
	h, err := notify.NewHandler(c)
	if err != nil {
		log.Fatal(err)
	}
	h.On("PAYSCORE.USER_PAID", func(_ context.Context, n *notify.Notification) error {
		var paid struct {
			OutOrderNo string `json:"out_order_no"`
			State      string `json:"state"`
		}
		if err := n.Decode(&paid); err != nil {
			return err
		}
		fmt.Println("paid:", paid.OutOrderNo, paid.State)
		return nil
	})

	// Your test.
	req, err := notify.NewTestRequest(context.Background(), "https://merchant.example.com/wechatpay/notify",
		notify.TestEvent{
			EventType:    "PAYSCORE.USER_PAID",
			OriginalType: "payscore",
			Resource:     map[string]any{"out_order_no": "1234323JKHDFE1243252", "state": "DONE"},
		},
		notify.TestSigner{Serial: sb.PublicKeyID, PrivateKey: sb.PlatformPrivateKey(), APIv3Key: sb.APIv3Key})
	if err != nil {
		log.Fatal(err)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	fmt.Println("answered", rec.Code)
	// Output:
	// paid: 1234323JKHDFE1243252 DONE
	// answered 200
}

// BuildSigned returns the headers and body separately, for frameworks that
// parse with Handler.ParseBytes — and for checking that a tampered body is
// rejected.
func ExampleBuildSigned() {
	sb, err := sandbox.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer sb.Close()
	c, err := sb.Client()
	if err != nil {
		log.Fatal(err)
	}
	h, err := notify.NewHandler(c)
	if err != nil {
		log.Fatal(err)
	}

	header, body, err := notify.BuildSigned(
		notify.TestEvent{EventType: "MALL_TRANSACTION.SUCCESS", OriginalType: "mall_transaction", Resource: map[string]any{"amount": 100}},
		notify.TestSigner{Serial: sb.PublicKeyID, PrivateKey: sb.PlatformPrivateKey(), APIv3Key: sb.APIv3Key})
	if err != nil {
		log.Fatal(err)
	}
	n, err := h.ParseBytes(context.Background(), header, body)
	fmt.Println(n.EventType, err)

	tampered := bytes.Replace(body, []byte("MALL_TRANSACTION"), []byte("MALL_REFUND"), 1)
	_, err = h.ParseBytes(context.Background(), header, tampered)
	fmt.Println(errors.Is(err, notify.ErrInvalidSignature))
	// Output:
	// MALL_TRANSACTION.SUCCESS <nil>
	// true
}
