package notify_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/wechatpay-biz/wechatpay-biz-go/notify"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

// Mounting the handler: it verifies, decrypts, de-duplicates and routes by
// event type, and answers WeChat Pay.
func ExampleHandler_On() {
	sb, _ := sandbox.NewServer()
	defer sb.Close()
	c, _ := sb.Client()

	h, _ := notify.NewHandler(c)
	h.On("PAYSCORE.USER_PAID", func(ctx context.Context, n *notify.Notification) error {
		var v struct {
			OutOrderNo string `json:"out_order_no"`
		}
		if err := n.Decode(&v); err != nil {
			return err // answered 500 FAIL: WeChat Pay delivers again
		}
		fmt.Println(n.EventType, v.OutOrderNo)
		return nil
	})
	srv := httptest.NewServer(h) // in production: your HTTPS notify_url
	defer srv.Close()

	err := sb.Notify(context.Background(), srv.URL, sandbox.Event{
		EventType: "PAYSCORE.USER_PAID", OriginalType: "payscore",
		Resource: map[string]any{"out_order_no": "1234323JKHDFE1243252"},
	})
	fmt.Println(err)
	// Output:
	// PAYSCORE.USER_PAID 1234323JKHDFE1243252
	// <nil>
}
