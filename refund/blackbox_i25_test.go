package refund_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/refund"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

type bbBodies struct {
	mu     sync.Mutex
	bodies [][]byte
	paths  []string
}

func (b *bbBodies) RoundTrip(r *http.Request) (*http.Response, error) {
	var body []byte
	if r.Body != nil {
		body, _ = io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	b.mu.Lock()
	b.bodies = append(b.bodies, body)
	b.paths = append(b.paths, r.Method+" "+r.URL.RequestURI())
	b.mu.Unlock()
	return http.DefaultTransport.RoundTrip(r)
}

// Create is retried on a transient 5xx with the identical body.
func TestBlackBoxCreateRetriedWithSameBody(t *testing.T) {
	sb, err := sandbox.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	sb.Record(sandbox.LedgerEntry{
		Time: sb.Now().Add(-time.Hour), AppID: sandbox.AppID, TransactionID: "4200000000202611250000000099",
		OutTradeNo: "BBTRADE001", OpenID: "bb-openid", TradeType: "JSAPI", TradeState: "SUCCESS",
		BankType: "OTHERS", AmountFen: 3900, Product: "bb",
	})
	rec := &bbBodies{}
	c, err := sb.Client(core.WithHTTPClient(&http.Client{Transport: rec}),
		core.WithRetry(core.RetryPolicy{MaxAttempts: 3}))
	if err != nil {
		t.Fatal(err)
	}
	if err := sb.InjectFault(sandbox.Fault{Kind: sandbox.FaultSystemError, Count: 1, Route: "POST /v3/refund/domestic/refunds"}); err != nil {
		t.Fatal(err)
	}
	svc := refund.NewService(c)
	resp, err := svc.Create(context.Background(), &refund.CreateRequest{
		TransactionID: core.Ptr("4200000000202611250000000099"),
		OutRefundNo:   "BBR001",
		Amount:        refund.AmountRequest{Refund: 500, Total: 3900, Currency: refund.CurrencyCNY},
	})
	if err != nil {
		t.Fatal(err)
	}
	if resp.OutRefundNo != "BBR001" || resp.Amount.Refund != 500 {
		t.Fatalf("resp %+v", resp)
	}
	rec.mu.Lock()
	bodies, paths := rec.bodies, rec.paths
	rec.mu.Unlock()
	rec.bodies = nil
	if len(bodies) != 2 {
		t.Fatalf("%d attempts (%v), want 2", len(bodies), paths)
	}
	if !bytes.Equal(bodies[0], bodies[1]) {
		t.Fatalf("retry body differs:\n%s\n%s", bodies[0], bodies[1])
	}
	q, err := svc.Query(context.Background(), &refund.QueryRequest{OutRefundNo: "BBR001"})
	if err != nil {
		t.Fatal(err)
	}
	if q.OutRefundNo != "BBR001" {
		t.Fatalf("query %+v", q)
	}
}

func TestBlackBoxRefundValidation(t *testing.T) {
	var ve *core.ValidationError
	if err := (*refund.CreateRequest)(nil).Validate(); !errors.As(err, &ve) {
		t.Fatalf("nil create: %v", err)
	}
	if err := (*refund.QueryRequest)(nil).Validate(); !errors.As(err, &ve) {
		t.Fatalf("nil query: %v", err)
	}
	sb, err := sandbox.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	rec := &bbBodies{}
	c, err := sb.Client(core.WithHTTPClient(&http.Client{Transport: rec}))
	if err != nil {
		t.Fatal(err)
	}
	svc := refund.NewService(c)
	for _, bad := range []string{"..", ".", "a/b", "a%2e", "a b", "a?b", "a#b", ""} {
		if _, err := svc.Query(context.Background(), &refund.QueryRequest{OutRefundNo: bad}); !errors.As(err, &ve) {
			t.Errorf("out_refund_no %q: %v", bad, err)
		}
	}
	// Refund above total; wrong currency.
	if _, err := svc.Create(context.Background(), &refund.CreateRequest{
		TransactionID: core.Ptr("4200000000202611250000000099"), OutRefundNo: "BBR002",
		Amount: refund.AmountRequest{Refund: 5000, Total: 3900, Currency: "USD"},
	}); !errors.As(err, &ve) || len(ve.Problems) < 2 {
		t.Errorf("refund > total and USD: %v", err)
	}
	if len(rec.bodies) != 0 {
		t.Fatalf("sent %v", rec.paths)
	}
}
