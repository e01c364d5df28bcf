package sandbox_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Admin inputs that would have moved the clock by an overflowing amount,
// or that carry trailing data, are refused and change nothing; a known
// admin path with the wrong method is 405.
func TestAdminRefusesOutOfRangeAndTrailingInput(t *testing.T) {
	sb := newSandbox(t)
	base := sb.URL
	before := sb.Now()
	for _, body := range []string{
		`{"by":"999999999999d"}`, `{"by":"36501d"}`, `{"by":"2562047h"}`, `{"by":"100000d1h"}`, `{"by":"+1d"}`,
		`{"to":"0001-01-01T00:00:00Z"}`, `{"to":"9999-12-31T23:59:59Z"}`,
		`{"by":"1s"} {"by":"1s"}`, `{"by":"1s"}garbage`, `{"by":"1s"}]`,
	} {
		st, e := admin(t, base, "POST", "/sandbox/clock/advance", body)
		assert.Equal(t, http.StatusBadRequest, st, body)
		assert.NotEmpty(t, e["message"], body)
	}
	assert.Less(t, sb.Now().Sub(before), time.Minute, "the clock did not move")
	c := adminOK(t, base, "POST", "/sandbox/clock/advance", `{"by":"1d2h"} `)
	assert.Equal(t, 0.0, c["ran"])
	assert.GreaterOrEqual(t, sb.Now().Sub(before), 26*time.Hour)

	for _, tc := range []struct{ method, path, allow string }{
		{"GET", "/sandbox/clock/advance", "POST"},
		{"DELETE", "/sandbox/clock", "GET"},
		{"PUT", "/sandbox/faults", "GET, POST, DELETE"},
	} {
		req, err := http.NewRequest(tc.method, base+tc.path, nil)
		require.NoError(t, err)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode, tc.path)
		assert.Equal(t, tc.allow, resp.Header.Get("Allow"), tc.path)
	}
}
