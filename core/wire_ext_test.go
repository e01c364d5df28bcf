package core_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

// API calls ask for an uncompressed answer (small JSON), unless the caller
// says otherwise.
func TestAPICallsAskForIdentityEncoding(t *testing.T) {
	sb := newSandbox(t)
	rec := record(t, sb)
	sb.Handle("GET /v3/test/enc", func(*sandbox.Call) sandbox.Reply { return sandbox.JSON(200, map[string]any{}) })
	c := newClient(t, sb)
	_, err := c.Do(context.Background(), &core.Request{Method: http.MethodGet, Path: "/v3/test/enc"}, nil)
	require.NoError(t, err)
	_, err = c.Do(context.Background(), &core.Request{Method: http.MethodGet, Path: "/v3/test/enc",
		Header: http.Header{"accept-encoding": {"gzip"}}}, nil)
	require.NoError(t, err)
	got := rec()
	require.Len(t, got, 2)
	assert.Equal(t, "identity", got[0].Header.Get("Accept-Encoding"))
	assert.Equal(t, "gzip", got[1].Header.Get("Accept-Encoding"), "a caller's Accept-Encoding is kept")
}

// A path with a control character is refused before anything is signed or
// sent, as url.Parse refuses it.
func TestControlCharacterInPathIsRefused(t *testing.T) {
	sb := newSandbox(t)
	rec := record(t, sb)
	c := newClient(t, sb)
	for _, p := range []string{"/v3/x\n/y", "/v3/x?a=\x7f", "/v3/bad%zzescape"} {
		_, err := c.Do(context.Background(), &core.Request{Method: http.MethodGet, Path: p}, nil)
		require.Error(t, err, p)
	}
	assert.Empty(t, rec(), "nothing reached the server")
}

// An answer without a Content-Length (chunked) is read as it comes and
// verified like any other.
func TestChunkedAnswerIsReadAndVerified(t *testing.T) {
	sb := newSandbox(t)
	const body = `{"id":"chunked"}`
	sb.SetHook(func(w http.ResponseWriter, r *http.Request) bool {
		for k, v := range sb.SignatureHeaders([]byte(body), time.Now()) {
			w.Header()[k] = v
		}
		w.Header().Set("Request-ID", "RID-CHUNKED")
		w.WriteHeader(200)
		_, _ = w.Write([]byte(body[:5]))
		w.(http.Flusher).Flush() // forces chunked encoding: no Content-Length
		_, _ = w.Write([]byte(body[5:]))
		return true
	})
	c := newClient(t, sb)
	var out struct {
		core.ResponseMeta `json:"-"`
		ID                string `json:"id"`
	}
	resp, err := c.Do(context.Background(), &core.Request{Method: http.MethodGet, Path: "/v3/x"}, &out)
	require.NoError(t, err)
	assert.Equal(t, "chunked", out.ID)
	assert.Equal(t, "RID-CHUNKED", out.RequestID, "Request-ID read under its canonical key")
	assert.Equal(t, body, string(resp.Body))
}
