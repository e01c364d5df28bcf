package core_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"sync"
	"time"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

// metricsTransport is a RoundTripper that counts calls by status and
// measures their latency. A tracing RoundTripper (OpenTelemetry's
// otelhttp.NewTransport, for one) wraps the transport the same way. It sees
// each attempt of a retried call, re-signed, with its own Authorization
// header: never log that header.
type metricsTransport struct {
	next http.RoundTripper

	mu      sync.Mutex
	byRoute map[string]int
	total   time.Duration
}

func (m *metricsTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := m.next.RoundTrip(r)
	route, status := r.Method+" "+r.URL.Path, "error"
	if err == nil {
		status = resp.Status
	}
	m.mu.Lock()
	m.byRoute[route+" -> "+status]++
	m.total += time.Since(start)
	m.mu.Unlock()
	return resp, err
}

// Wrapping the HTTP transport for metrics or tracing, and sending through a
// proxy: start from DefaultHTTPClient, which keeps the SDK's idle-connection
// timeout and its refusal to follow redirects, change its *http.Transport,
// wrap it, and pass the client to WithHTTPClient.
func ExampleWithHTTPClient() {
	sb, err := sandbox.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer sb.Close()

	hc := core.DefaultHTTPClient()
	if t, ok := hc.Transport.(*http.Transport); ok {
		// HTTPS_PROXY and NO_PROXY from the environment, or
		// http.ProxyURL(u) for a fixed egress proxy. Loopback addresses,
		// like this sandbox's, are never proxied.
		t.Proxy = http.ProxyFromEnvironment
	}
	metrics := &metricsTransport{next: hc.Transport, byRoute: map[string]int{}}
	hc.Transport = metrics

	c, err := sb.Client(core.WithHTTPClient(hc)) // core.NewClient(..., core.WithHTTPClient(hc)) for the real API
	if err != nil {
		log.Fatal(err)
	}
	for range 2 {
		if _, err := c.Do(context.Background(), &core.Request{Method: http.MethodGet, Path: "/v3/certificates", Idempotent: true}, nil); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Println(metrics.byRoute)
	// Output: map[GET /v3/certificates -> 200 OK:2]
}
