package core_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

// Calling an endpoint the SDK does not wrap, with signing and verification,
// through the escape hatch.
func ExampleClient_Do() {
	sb, _ := sandbox.NewServer()
	defer sb.Close()
	c, _ := sb.Client()

	var out struct {
		core.ResponseMeta `json:"-"`
		Data              []struct {
			SerialNo string `json:"serial_no"`
		} `json:"data"`
	}
	_, err := c.Do(context.Background(), &core.Request{Method: http.MethodGet, Path: "/v3/certificates", Idempotent: true}, &out)
	fmt.Println(err, len(out.Data), out.RequestID != "")
	// Output: <nil> 1 true
}

// Every non-2xx answer is an *APIError carrying the Request-ID.
func ExampleIsAPIError() {
	sb, _ := sandbox.NewServer()
	defer sb.Close()
	c, _ := sb.Client()

	_, err := c.Do(context.Background(), &core.Request{Method: http.MethodGet, Path: "/v3/no/such/endpoint"}, nil)
	if ae, ok := core.IsAPIError(err); ok {
		fmt.Println(ae.StatusCode, ae.Code, ae.RequestID != "")
	}
	// Output: 404 NOT_FOUND true
}

// Answers that fail verification — here a WECHATPAY/SIGNTEST/ probe — are
// never trusted.
func ExampleErrInvalidSignature() {
	sb, _ := sandbox.NewServer()
	defer sb.Close()
	c, _ := sb.Client()

	sb.ProbeNext(1)
	_, err := c.Do(context.Background(), &core.Request{Method: http.MethodGet, Path: "/v3/certificates"}, nil)
	fmt.Println(errors.Is(err, core.ErrInvalidSignature))
	// Output: true
}
