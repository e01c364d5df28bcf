package sandbox_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wechatpay-apiv3/wechatpay-go/utils"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

// getSignedAt sends GET /v3/certificates signed by the merchant at ts and
// returns the status and the SIGN_ERROR issue, if any.
func getSignedAt(t *testing.T, sb *sandbox.Server, ts time.Time) (int, string) {
	t.Helper()
	const uri = "/v3/certificates"
	tsS := strconv.FormatInt(ts.Unix(), 10)
	nonce := "N" + strconv.FormatInt(time.Now().UnixNano(), 36)
	sig, err := utils.SignSHA256WithRSA("GET\n"+uri+"\n"+tsS+"\n"+nonce+"\n\n", sb.MerchantPrivateKey)
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodGet, sb.URL+uri, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", core.SignatureScheme+` mchid="`+sb.MerchantID+`",nonce_str="`+nonce+`",timestamp="`+tsS+`",serial_no="`+sb.MerchantSerialNo+`",signature="`+sig+`"`)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var e struct {
		Code   string `json:"code"`
		Detail struct {
			Issue string `json:"issue"`
		} `json:"detail"`
	}
	_ = json.Unmarshal(b, &e)
	if resp.StatusCode != http.StatusOK {
		require.Equal(t, "SIGN_ERROR", e.Code, string(b))
	}
	return resp.StatusCode, e.Detail.Issue
}

// The ±5-minute window of the Authorization timestamp is on the sandbox
// clock — the clock its answers and callbacks are signed with — whether
// the clock was set with WithClock, moved with Advance or through the
// admin API: a request signed at the host's real time is refused once the
// sandbox runs five years ahead.
func TestTimestampWindowIsOnTheSandboxClock(t *testing.T) {
	start := time.Date(2026, 11, 26, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))
	sb := newSandbox(t, sandbox.WithClock(func() time.Time { return start }))
	sb.Advance(5 * 365 * 24 * time.Hour)
	now := sb.Now()
	require.Equal(t, start.AddDate(5, 0, -1), now, "five years (of 365 days, one leap day among them) ahead")

	for _, tc := range []struct {
		name string
		at   time.Time
		want int
	}{
		{"sandbox time", now, 200},
		{"4m59s behind the sandbox", now.Add(-4*time.Minute - 59*time.Second), 200},
		{"4m59s ahead of the sandbox", now.Add(4*time.Minute + 59*time.Second), 200},
		{"5m behind the sandbox", now.Add(-5 * time.Minute), 401},
		{"5m ahead of the sandbox", now.Add(5 * time.Minute), 401},
		{"the host's real time", time.Now(), 401},
		{"the WithClock time before Advance", start, 401},
	} {
		status, issue := getSignedAt(t, sb, tc.at)
		assert.Equal(t, tc.want, status, "%s: %s", tc.name, issue)
		if tc.want == 401 {
			assert.Contains(t, issue, "相差超过 5 分钟", tc.name)
			assert.Contains(t, issue, "沙箱时间 "+now.Format(time.RFC3339), "%s: the issue tells the sandbox time", tc.name)
		}
	}
	// The sandbox's own client runs on its clock.
	c, err := sb.Client()
	require.NoError(t, err)
	_, err = c.Do(context.Background(), &core.Request{Method: http.MethodGet, Path: "/v3/certificates"}, nil)
	require.NoError(t, err)

	// The standalone sandbox: real clock, moved through the admin API.
	sb2 := newSandbox(t)
	status, issue := getSignedAt(t, sb2, time.Now())
	require.Equal(t, 200, status, issue)
	adminOK(t, sb2.URL, "POST", "/sandbox/clock/advance", `{"by":"1826d"}`)
	status, _ = getSignedAt(t, sb2, time.Now())
	assert.Equal(t, 401, status, "signed at real time, five years behind the sandbox")
	status, issue = getSignedAt(t, sb2, sb2.Now())
	assert.Equal(t, 200, status, issue)
}
