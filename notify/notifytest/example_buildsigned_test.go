package notifytest_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/wechatpay-biz/wechatpay-biz-go/notify"
	"github.com/wechatpay-biz/wechatpay-biz-go/notify/notifytest"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

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

	header, body, err := notifytest.BuildSigned(
		notifytest.Event{EventType: "MALL_TRANSACTION.SUCCESS", OriginalType: "mall_transaction", Resource: map[string]any{"amount": 100}},
		notifytest.Signer{Serial: sb.PublicKeyID, PrivateKey: sb.PlatformPrivateKey(), APIv3Key: sb.APIv3Key})
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
