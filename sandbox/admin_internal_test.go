package sandbox

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"
)

// The admin API answers loopback clients only, even when the sandbox
// listens on another interface.
func TestAdminAPIAnswersLoopbackOnly(t *testing.T) {
	s, err := NewServer()
	require.NoError(t, err)
	defer s.Close()
	for addr, want := range map[string]int{
		"127.0.0.1:40000": http.StatusOK, "[::1]:40000": http.StatusOK,
		"203.0.113.5:40000": http.StatusForbidden, "[2001:db8::1]:40000": http.StatusForbidden, "bogus": http.StatusForbidden,
	} {
		r := httptest.NewRequest(http.MethodGet, "/sandbox/credentials", nil)
		r.RemoteAddr = addr
		w := httptest.NewRecorder()
		s.serveHTTP(w, r)
		require.Equal(t, want, w.Code, addr)
		if want == http.StatusForbidden {
			require.NotContains(t, w.Body.String(), "PRIVATE KEY", addr)
		}
	}
}
