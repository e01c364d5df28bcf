package notify_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/wechatpay-biz/wechatpay-biz-go/notify"
	"github.com/wechatpay-biz/wechatpay-biz-go/notify/notifytest"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

func bbSigned(t *testing.T, sb *sandbox.Server, ev notifytest.Event) (http.Header, []byte) {
	t.Helper()
	h, b, err := notifytest.BuildSigned(ev, notifytest.Signer{Serial: sb.PublicKeyID, PrivateKey: sb.PlatformPrivateKey(), APIv3Key: sb.APIv3Key})
	if err != nil {
		t.Fatal(err)
	}
	return h, b
}

func TestBlackBoxExactlyOnceUnder64(t *testing.T) {
	sb, err := sandbox.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	c, err := sb.Client()
	if err != nil {
		t.Fatal(err)
	}
	h, err := notify.NewHandler(c)
	if err != nil {
		t.Fatal(err)
	}
	var runs atomic.Int32
	started, release := make(chan struct{}), make(chan struct{})
	h.On("PAYSCORE.USER_PAID", func(ctx context.Context, n *notify.Notification) error {
		if runs.Add(1) == 1 {
			close(started)
		}
		<-release
		return nil
	})
	hdr, body := bbSigned(t, sb, notifytest.Event{ID: "EV-BB-1", EventType: "PAYSCORE.USER_PAID", Resource: map[string]any{"out_order_no": "x"}})
	deliver := func() int {
		r := httptest.NewRequest(http.MethodPost, "/notify", bytes.NewReader(body))
		r.Header = hdr.Clone()
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}
	first := make(chan int)
	go func() { first <- deliver() }()
	<-started
	// 63 more deliveries while the first callback runs: none runs it, none
	// is acknowledged (the first may still fail).
	var wg sync.WaitGroup
	codes := make([]int, 63)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = deliver()
		}()
	}
	wg.Wait()
	close(release)
	if code := <-first; code/100 != 2 {
		t.Fatalf("first delivery answered %d", code)
	}
	if n := runs.Load(); n != 1 {
		t.Fatalf("callback ran %d times", n)
	}
	for i, code := range codes {
		if code/100 == 2 {
			t.Fatalf("delivery %d during the callback acknowledged with %d", i, code)
		}
	}
	// A later redelivery is acknowledged without running.
	r := httptest.NewRequest(http.MethodPost, "/notify", bytes.NewReader(body))
	r.Header = hdr.Clone()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code/100 != 2 || runs.Load() != 1 {
		t.Fatalf("redelivery: %d, runs %d", w.Code, runs.Load())
	}
}

func TestBlackBoxMisspeltEventWarnAndHeaderCase(t *testing.T) {
	sb, err := sandbox.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	c, err := sb.Client()
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	var mu sync.Mutex
	lg := slog.New(slog.NewTextHandler(lockedWriter{&mu, &logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h, err := notify.NewHandler(c, notify.WithLogger(lg))
	if err != nil {
		t.Fatal(err)
	}
	h.On("PAYSCORE.USER_PAYED", func(context.Context, *notify.Notification) error { return nil })
	hdr, body := bbSigned(t, sb, notifytest.Event{EventType: "PAYSCORE.USER_PAID", Resource: map[string]any{"a": 1}})
	r := httptest.NewRequest(http.MethodPost, "/notify", bytes.NewReader(body))
	r.Header = hdr
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	mu.Lock()
	out := logs.String()
	mu.Unlock()
	if !strings.Contains(out, "level=WARN") || !strings.Contains(out, "PAYSCORE.USER_PAID") {
		t.Fatalf("no Warn with the event type: %q (status %d)", out, w.Code)
	}
	// Header maps in any letter case.
	for _, conv := range []func(string) string{strings.ToLower, strings.ToUpper, func(s string) string { return s }} {
		plain := http.Header{}
		for k, v := range hdr {
			plain[conv(k)] = v
		}
		if _, err := h.ParseBytes(context.Background(), plain, body); err != nil {
			t.Errorf("ParseBytes with header keys %v: %v", keys(plain), err)
		}
	}
}

func keys(h http.Header) []string {
	var ks []string
	for k := range h {
		ks = append(ks, k)
	}
	return ks
}

type lockedWriter struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

// A callback that fails releases the claim: the redelivery runs it, and a
// delivery after success is acknowledged without running it.
func TestBlackBoxFailedCallbackRunsAgain(t *testing.T) {
	sb, err := sandbox.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	c, err := sb.Client()
	if err != nil {
		t.Fatal(err)
	}
	h, err := notify.NewHandler(c)
	if err != nil {
		t.Fatal(err)
	}
	var runs atomic.Int32
	h.On("REFUND.SUCCESS", func(context.Context, *notify.Notification) error {
		if runs.Add(1) == 1 {
			return context.DeadlineExceeded
		}
		return nil
	})
	hdr, body := bbSigned(t, sb, notifytest.Event{ID: "EV-BB-2", EventType: "REFUND.SUCCESS", Resource: map[string]any{"out_refund_no": "R1"}})
	deliver := func() int {
		r := httptest.NewRequest(http.MethodPost, "/notify", bytes.NewReader(body))
		r.Header = hdr.Clone()
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}
	if code := deliver(); code/100 == 2 {
		t.Fatalf("failed callback acknowledged with %d", code)
	}
	if code := deliver(); code/100 != 2 {
		t.Fatalf("redelivery answered %d", code)
	}
	if code := deliver(); code/100 != 2 || runs.Load() != 2 {
		t.Fatalf("third delivery answered %d, runs %d", code, runs.Load())
	}
}
