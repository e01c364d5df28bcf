package sandbox

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/wechatpay-apiv3/wechatpay-go/utils"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
)

// Adversarial tests: places where the sandbox was looser (or stricter)
// than WeChat Pay, each kept as a regression test.

// rawAnswer is an answer to a hand-built request.
type rawAnswer struct {
	status int
	header http.Header
	body   string
}

// rawSigned sends a request signed with the merchant key by hand, so that
// headers and body can be anything a client might send.
func rawSigned(t *testing.T, s *Server, method, uri, body string, header map[string]string) rawAnswer {
	t.Helper()
	ts := strconv.FormatInt(s.now().Unix(), 10)
	nonce := randomAlnum(16)
	sig, err := utils.SignSHA256WithRSA(method+"\n"+uri+"\n"+ts+"\n"+nonce+"\n"+body+"\n", s.MerchantPrivateKey)
	require.NoError(t, err)
	req, err := http.NewRequest(method, s.URL+uri, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", core.SignatureScheme+` mchid="`+s.MerchantID+`",nonce_str="`+nonce+`",timestamp="`+ts+`",serial_no="`+s.MerchantSerialNo+`",signature="`+sig+`"`)
	req.Header.Set("Accept", "application/json")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return rawAnswer{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// A known path called with the wrong method is 405 with Allow (spec §6.8),
// signed like every answer; an unknown path stays 404.
func TestWrongMethodIs405(t *testing.T) {
	f := newPSFixture(t)
	for _, tc := range []struct{ method, path, allow string }{
		{"DELETE", "/v3/certificates", "GET"},
		{"PATCH", "/v3/payscore/serviceorder", "GET, POST"},
		{"GET", "/v3/payscore/serviceorder/O1/cancel", "POST"},
		{"POST", "/v3/goldplan/merchants/open-advertising-show", "PATCH"},
		{"PUT", "/v3/refund/domestic/refunds/R1", "GET"},
	} {
		_, err := f.call(tc.method, tc.path, nil, nil)
		ae, ok := core.IsAPIError(err)
		require.True(t, ok, "%s %s: %v", tc.method, tc.path, err)
		require.Equal(t, http.StatusMethodNotAllowed, ae.StatusCode, ae.Error())
		require.Equal(t, "METHOD_NOT_ALLOWED", ae.Code)
		require.NotEmpty(t, ae.RequestID, "verified and decoded by the client")
		a := rawSigned(t, f.s, tc.method, tc.path, "", nil)
		require.Equal(t, tc.allow, a.header.Get("Allow"), tc.path)
	}
	_, err := f.call("GET", "/v3/no/such/api", nil, nil)
	ae, ok := core.IsAPIError(err)
	require.True(t, ok, err)
	require.Equal(t, http.StatusNotFound, ae.StatusCode)
}
