package notify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/notify"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

type fixture struct {
	sb *sandbox.Server
	c  *core.Client
	h  *notify.Handler
}

func setup(t *testing.T, opts ...notify.Option) fixture {
	t.Helper()
	sb, err := sandbox.NewServer()
	require.NoError(t, err)
	t.Cleanup(sb.Close)
	c, err := sb.Client()
	require.NoError(t, err)
	h, err := notify.NewHandler(c, opts...)
	require.NoError(t, err)
	return fixture{sb, c, h}
}

type paid struct {
	OutOrderNo string `json:"out_order_no"`
	Amount     int64  `json:"total_amount"`
}

func TestParseValidNotification(t *testing.T) {
	f := setup(t)
	hdr, body, err := f.sb.BuildNotification(sandbox.Event{EventType: "PAYSCORE.USER_PAID", Summary: "支付成功", OriginalType: "payscore", Resource: paid{"1234323JKHDFE1243252", 40000}})
	require.NoError(t, err)
	req := httptest.NewRequest("POST", "/notify", bytes.NewReader(body))
	req.Header = hdr
	n, err := f.h.Parse(context.Background(), req)
	require.NoError(t, err)
	assert.Equal(t, "PAYSCORE.USER_PAID", n.EventType)
	assert.Equal(t, "encrypt-resource", n.ResourceType)
	assert.Equal(t, "支付成功", n.Summary)
	assert.True(t, strings.HasPrefix(n.ID, "EV-"))
	assert.WithinDuration(t, time.Now(), n.CreateTime, time.Minute)
	assert.Equal(t, "payscore", n.Resource.OriginalType)
	assert.Equal(t, f.sb.PublicKeyID, n.Serial)
	var p paid
	require.NoError(t, n.Decode(&p))
	assert.Equal(t, paid{"1234323JKHDFE1243252", 40000}, p)
}

func TestParseFailures(t *testing.T) {
	f := setup(t)
	other, err := sandbox.NewServer(sandbox.WithSigningMode(sandbox.SignWithCertificate))
	require.NoError(t, err)
	defer other.Close()

	good := func() (http.Header, []byte) {
		h, b, err := f.sb.BuildNotification(sandbox.Event{EventType: "X.Y", Resource: map[string]int{"a": 1}})
		require.NoError(t, err)
		return h, b
	}
	cases := []struct {
		name  string
		build func() (http.Header, []byte)
		want  error
	}{
		{"missing timestamp", func() (http.Header, []byte) { h, b := good(); h.Del("Wechatpay-Timestamp"); return h, b }, notify.ErrMissingHeader},
		{"missing nonce", func() (http.Header, []byte) { h, b := good(); h.Del("Wechatpay-Nonce"); return h, b }, notify.ErrMissingHeader},
		{"missing signature", func() (http.Header, []byte) { h, b := good(); h.Del("Wechatpay-Signature"); return h, b }, notify.ErrMissingHeader},
		{"missing serial", func() (http.Header, []byte) { h, b := good(); h.Del("Wechatpay-Serial"); return h, b }, notify.ErrMissingHeader},
		{"stale timestamp", func() (http.Header, []byte) {
			h, b := good()
			h.Set("Wechatpay-Timestamp", itoa(time.Now().Add(-10*time.Minute).Unix()))
			return h, b
		}, notify.ErrStaleTimestamp},
		{"future timestamp", func() (http.Header, []byte) {
			h, b := good()
			h.Set("Wechatpay-Timestamp", itoa(time.Now().Add(10*time.Minute).Unix()))
			return h, b
		}, notify.ErrStaleTimestamp},
		{"unknown serial", func() (http.Header, []byte) {
			h, b, err := other.BuildNotification(sandbox.Event{EventType: "X.Y", Resource: 1})
			require.NoError(t, err)
			return h, b
		}, notify.ErrUnknownSerial},
		{"tampered body", func() (http.Header, []byte) {
			h, b := good()
			return h, bytes.Replace(b, []byte(`"X.Y"`), []byte(`"X.Z"`), 1)
		}, notify.ErrInvalidSignature},
		{"probe signature", func() (http.Header, []byte) {
			h, b := good()
			h.Set("Wechatpay-Signature", "WECHATPAY/SIGNTEST/"+h.Get("Wechatpay-Signature")[19:])
			return h, b
		}, notify.ErrInvalidSignature},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, b := tc.build()
			_, err := f.h.ParseBytes(context.Background(), h, b)
			require.ErrorIs(t, err, tc.want)
			assert.ErrorIs(t, err, core.ErrInvalidSignature)
		})
	}

	t.Run("wrong APIv3 key", func(t *testing.T) {
		// Signed by the right platform key but encrypted with another APIv3 key.
		other2, err := sandbox.NewServer()
		require.NoError(t, err)
		defer other2.Close()
		other2.APIv3Key = "ffffffffffffffffffffffffffffffff"
		h, b, err := other2.BuildNotification(sandbox.Event{EventType: "X.Y", Resource: 1})
		require.NoError(t, err)
		_, err = f.h.ParseBytes(context.Background(), h, b)
		require.ErrorIs(t, err, notify.ErrDecrypt)
		assert.NotErrorIs(t, err, core.ErrInvalidSignature)
	})
	t.Run("body too large", func(t *testing.T) {
		h, err := notify.NewHandler(f.c, notify.WithMaxBodySize(100))
		require.NoError(t, err)
		hdr, b := good()
		_, err = h.ParseBytes(context.Background(), hdr, b)
		require.ErrorIs(t, err, notify.ErrBodyTooLarge)
	})
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestServeHTTPRoutesAndReplies(t *testing.T) {
	f := setup(t)
	var paidCount, failCount atomic.Int32
	f.h.On("PAYSCORE.USER_PAID", func(ctx context.Context, n *notify.Notification) error {
		var p paid
		if err := n.Decode(&p); err != nil {
			return err
		}
		paidCount.Add(1)
		return nil
	})
	f.h.On("PAYSCORE.USER_CONFIRM", func(ctx context.Context, n *notify.Notification) error {
		failCount.Add(1)
		return errors.New("database down")
	})
	srv := httptest.NewServer(f.h)
	defer srv.Close()

	require.NoError(t, f.sb.Notify(context.Background(), srv.URL, sandbox.Event{EventType: "PAYSCORE.USER_PAID", Resource: paid{"A", 1}}))
	assert.EqualValues(t, 1, paidCount.Load())

	// A failing callback answers 500 FAIL so that WeChat Pay retries.
	err := f.sb.Notify(context.Background(), srv.URL, sandbox.Event{EventType: "PAYSCORE.USER_CONFIRM", Resource: paid{"A", 1}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "HTTP 500")

	// A forged notification answers 401 with {"code":"FAIL",...}.
	hdr, body, err := f.sb.BuildNotification(sandbox.Event{EventType: "PAYSCORE.USER_PAID", Resource: paid{"A", 1}})
	require.NoError(t, err)
	hdr.Set("Wechatpay-Signature", "WECHATPAY/SIGNTEST/"+hdr.Get("Wechatpay-Signature")[19:])
	req, _ := http.NewRequest("POST", srv.URL, bytes.NewReader(body))
	req.Header = hdr
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	var rep notify.Reply
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&rep))
	resp.Body.Close()
	assert.Equal(t, 401, resp.StatusCode)
	assert.Equal(t, "FAIL", rep.Code)
	assert.NotEmpty(t, rep.Message)
	assert.EqualValues(t, 1, paidCount.Load())

	// Unknown event types are acknowledged.
	require.NoError(t, f.sb.Notify(context.Background(), srv.URL, sandbox.Event{EventType: "SOMETHING.NEW", Resource: 1}))
}

func TestServeHTTPDeduplicates(t *testing.T) {
	f := setup(t)
	var calls atomic.Int32
	f.h.On("X.Y", func(context.Context, *notify.Notification) error { calls.Add(1); return nil })
	hdr, body, err := f.sb.BuildNotification(sandbox.Event{EventType: "X.Y", Resource: 1})
	require.NoError(t, err)
	for range 3 {
		rr := httptest.NewRecorder()
		req := httptest.NewRequest("POST", "/", bytes.NewReader(body))
		req.Header = hdr.Clone()
		f.h.ServeHTTP(rr, req)
		assert.Equal(t, http.StatusNoContent, rr.Code, "acknowledged with 204 and no body (spec §13.2)")
		assert.Empty(t, rr.Body.String())
	}
	assert.EqualValues(t, 1, calls.Load(), "a redelivered notification is handled once")

	// Without de-duplication every delivery runs the callback.
	h2, err := notify.NewHandler(f.c, notify.WithDeduper(nil))
	require.NoError(t, err)
	h2.On("X.Y", func(context.Context, *notify.Notification) error { calls.Add(1); return nil })
	for range 2 {
		req := httptest.NewRequest("POST", "/", bytes.NewReader(body))
		req.Header = hdr.Clone()
		h2.ServeHTTP(httptest.NewRecorder(), req)
	}
	assert.EqualValues(t, 3, calls.Load())
}

func TestServeHTTPRejectsNonPOSTAndGarbage(t *testing.T) {
	f := setup(t)
	rr := httptest.NewRecorder()
	f.h.ServeHTTP(rr, httptest.NewRequest("GET", "/", nil))
	assert.Equal(t, 405, rr.Code)

	rr = httptest.NewRecorder()
	f.h.ServeHTTP(rr, httptest.NewRequest("POST", "/", strings.NewReader("garbage")))
	assert.Equal(t, 401, rr.Code, "unsigned garbage is a signature failure")
	assert.Contains(t, rr.Body.String(), `"FAIL"`)
}

func TestNewHandlerNeedsAPIv3Key(t *testing.T) {
	sb, err := sandbox.NewServer()
	require.NoError(t, err)
	defer sb.Close()
	// The sandbox's published keys are refused for the production hosts
	// (issue 10 item 5), hence the sandbox's URL.
	c, err := core.NewClient(core.WithMerchant(sb.MerchantID, sb.MerchantSerialNo, sb.MerchantPrivateKey), core.WithPlatformPublicKey(sb.PublicKeyID, sb.PlatformPublicKey), core.WithBaseURL(sb.URL))
	require.NoError(t, err)
	_, err = notify.NewHandler(c)
	require.Error(t, err)
	_, err = notify.NewHandler(nil)
	require.Error(t, err)
}

func TestFallbackLoggerAndRejectReplies(t *testing.T) {
	var logs bytes.Buffer
	var fellBack atomic.Int32
	f := setup(t,
		notify.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))),
		notify.WithFallback(func(_ context.Context, n *notify.Notification) error { fellBack.Add(1); return nil }))
	srv := httptest.NewServer(f.h)
	defer srv.Close()
	require.NoError(t, f.sb.Notify(context.Background(), srv.URL, sandbox.Event{EventType: "UNROUTED.EVENT", Resource: map[string]string{"mobile": "13800138000"}}))
	assert.EqualValues(t, 1, fellBack.Load())

	post := func(h http.Header, body []byte) (int, notify.Reply) {
		req, _ := http.NewRequest("POST", srv.URL, bytes.NewReader(body))
		req.Header = h
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var rep notify.Reply
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&rep))
		return resp.StatusCode, rep
	}
	hdr, body, err := f.sb.BuildNotification(sandbox.Event{EventType: "X.Y", Resource: map[string]string{"mobile": "13800138000"}})
	require.NoError(t, err)
	for name, tc := range map[string]struct {
		mutate func(h http.Header)
		status int
		msg    string
	}{
		"missing header": {func(h http.Header) { h.Del("Wechatpay-Nonce") }, 401, "missing signature header"},
		"stale":          {func(h http.Header) { h.Set("Wechatpay-Timestamp", itoa(time.Now().Add(-time.Hour).Unix())) }, 401, "timestamp out of window"},
		"unknown serial": {func(h http.Header) { h.Set("Wechatpay-Serial", "PUB_KEY_ID_0000000000000000000000000099") }, 401, "unknown serial"},
		"bad signature":  {func(h http.Header) { h.Set("Wechatpay-Signature", "AAAA") }, 401, "invalid signature"},
	} {
		h := hdr.Clone()
		tc.mutate(h)
		status, rep := post(h, body)
		assert.Equal(t, tc.status, status, name)
		assert.Equal(t, notify.Reply{Code: "FAIL", Message: tc.msg}, rep, name)
	}
	assert.Contains(t, logs.String(), "rejected notification")
	assert.NotContains(t, logs.String(), "13800138000", "decrypted content is never logged")
	assert.NotContains(t, logs.String(), f.sb.APIv3Key)
}
