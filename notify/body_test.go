package notify_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/notify"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

// The body is read by its Content-Length when known and as it comes when
// not (http.NewRequest from a reader of unknown length leaves it at 0);
// either way the notification verifies, and a body over the cap is refused.
func TestParseReadsBodiesOfKnownAndUnknownLength(t *testing.T) {
	f := setup(t, notify.WithMaxBodySize(4096))
	hdr, body, err := f.sb.BuildNotification(sandbox.Event{EventType: "PAYSCORE.USER_PAID", Summary: "支付成功", OriginalType: "payscore", Resource: paid{"ORDER-1", 100}})
	require.NoError(t, err)
	parse := func(r *http.Request) error {
		r.Header = hdr
		n, err := f.h.Parse(context.Background(), r)
		if err == nil {
			var p paid
			require.NoError(t, n.Decode(&p))
			require.Equal(t, paid{"ORDER-1", 100}, p)
		}
		return err
	}
	known := httptest.NewRequest("POST", "/notify", bytes.NewReader(body))
	require.Equal(t, int64(len(body)), known.ContentLength)
	require.NoError(t, parse(known))

	unknown, err := http.NewRequest("POST", "/notify", io.MultiReader(bytes.NewReader(body)))
	require.NoError(t, err)
	require.Zero(t, unknown.ContentLength)
	require.NoError(t, parse(unknown))

	short := httptest.NewRequest("POST", "/notify", bytes.NewReader(body))
	short.ContentLength++
	require.ErrorIs(t, parse(short), notify.ErrMalformed)

	big := httptest.NewRequest("POST", "/notify", bytes.NewReader(make([]byte, 5000)))
	require.ErrorIs(t, parse(big), notify.ErrBodyTooLarge)
	bigUnknown, _ := http.NewRequest("POST", "/notify", io.MultiReader(bytes.NewReader(make([]byte, 5000))))
	require.ErrorIs(t, parse(bigUnknown), notify.ErrBodyTooLarge)

	// The largest cap does not overflow into one that reads nothing.
	huge, err := notify.NewHandler(f.c, notify.WithMaxBodySize(math.MaxInt64))
	require.NoError(t, err)
	unknown, err = http.NewRequest("POST", "/notify", io.MultiReader(bytes.NewReader(body)))
	require.NoError(t, err)
	unknown.Header = hdr
	_, err = huge.Parse(context.Background(), unknown)
	require.NoError(t, err)
}

// One handler, one client cipher, many notifications at once (run with
// -race): each decrypts to its own resource.
func TestParseConcurrently(t *testing.T) {
	f := setup(t)
	var wg sync.WaitGroup
	for i := range 8 {
		hdr, body, err := f.sb.BuildNotification(sandbox.Event{EventType: "PAYSCORE.USER_PAID", OriginalType: "payscore", Resource: paid{"ORDER-" + itoa(int64(i)), int64(i)}})
		require.NoError(t, err)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				r := httptest.NewRequest("POST", "/notify", bytes.NewReader(body))
				r.Header = hdr
				n, err := f.h.Parse(context.Background(), r)
				if err != nil {
					t.Error(err)
					return
				}
				var p paid
				if err := n.Decode(&p); err != nil || p.Amount != int64(i) || p.OutOrderNo != "ORDER-"+itoa(int64(i)) {
					t.Errorf("notification %d decoded as %+v, %v", i, p, err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// A forged callback with a megabyte-long Wechatpay-Signature or
// Wechatpay-Nonce (a fresh timestamp and the right serial, which anyone
// can copy) is refused before the handler hashes and copies it.
func TestOversizedSignatureHeadersAreRefusedCheaply(t *testing.T) {
	f := setup(t, notify.WithLogger(slog.New(slog.DiscardHandler)))
	var calls atomic.Int32
	f.h.On("PAYSCORE.USER_PAID", func(context.Context, *notify.Notification) error { calls.Add(1); return nil })
	hdr, body := signed(t, f.sb, "EV-huge", "PAYSCORE.USER_PAID")
	for _, name := range []string{"Wechatpay-Signature", "Wechatpay-Nonce"} {
		h := hdr.Clone()
		h.Set(name, strings.Repeat("A", 1<<20))
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		_, err := f.h.ParseBytes(context.Background(), h, body)
		runtime.ReadMemStats(&after)
		require.ErrorIs(t, err, notify.ErrInvalidSignature, name)
		assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(256<<10), "%s: the header was not copied", name)
	}
	assert.Equal(t, http.StatusNoContent, deliver(f.h, hdr, body).Code, "the genuine notification still verifies")
	assert.EqualValues(t, 1, calls.Load())
}
