package businesscircle_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/businesscircle"
	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/internal/wiretest"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

// requestTypes walks every request type of the package: its zero value, the
// fields the zero value must be refused for, and a documented valid example.
var requestTypes = []struct {
	zero     core.Validator
	required []string
	valid    core.Validator
}{
	{&businesscircle.SyncPointsRequest{}, []string{"transaction_id", "appid", "openid", "points_update_time"},
		&businesscircle.SyncPointsRequest{
			TransactionID: "4200000533202000000000000000", AppID: "wx8888888888888888", OpenID: "otPAN5xxxxxxxxrOEG6lUv_pzacc",
			EarnPoints: true, IncreasedPoints: 100, PointsUpdateTime: time.Date(2020, 5, 20, 13, 29, 35, 120e6, cst),
			NoPointsRemarks: core.Ptr("商品不参与积分活动"), TotalPoints: core.Ptr(int64(888888)),
		}},
	{&businesscircle.QueryUserAuthorizationRequest{}, []string{"openid", "appid"},
		&businesscircle.QueryUserAuthorizationRequest{OpenID: "oWmnN4xxxxxxxxxxe92NHIGf1xd8", AppID: "wx1234567890abcdef", SubMchID: core.Ptr("1900000109")}},
	{&businesscircle.QueryPointsCommitStatusRequest{}, []string{"openid", "brandid", "appid"},
		&businesscircle.QueryPointsCommitStatusRequest{OpenID: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", BrandID: 1000, AppID: "wx931386123456789e", SubMchID: core.Ptr("1900000109")}},
	{&businesscircle.SyncParkingRequest{}, []string{"brandid", "appid", "openid", "plate_number", "state", "time"},
		&businesscircle.SyncParkingRequest{
			SubMchID: core.Ptr("1900000109"), BrandID: 1000, AppID: "wxd678efh567hg6787", OpenID: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
			PlateNumber: "粤B888888", State: businesscircle.ParkingStateIn, Time: time.Date(2026, 11, 26, 9, 30, 0, 0, cst),
		}},
}

func TestEveryRequestTypeValidates(t *testing.T) {
	for _, rt := range requestTypes {
		ve := wiretest.RequireValidation(t, rt.zero.Validate(), rt.required...)
		assert.Len(t, ve.Problems, len(rt.required), "%T: %v", rt.zero, ve)
		assert.NoError(t, rt.valid.Validate(), "%T", rt.valid)
		assert.Zero(t, testing.AllocsPerRun(20, func() { _ = rt.valid.Validate() }), "%T allocates when valid", rt.valid)
	}
	for _, nilReq := range []core.Validator{
		(*businesscircle.SyncPointsRequest)(nil), (*businesscircle.QueryUserAuthorizationRequest)(nil),
		(*businesscircle.QueryPointsCommitStatusRequest)(nil), (*businesscircle.SyncParkingRequest)(nil),
	} {
		ve := wiretest.RequireValidation(t, nilReq.Validate(), "request")
		assert.Len(t, ve.Problems, 1)
	}
}

// Every path parameter (the openid of the two queries) is checked against
// its character set before it is escaped; nothing reaches the server.
func TestPathParametersAreCheckedBeforeSending(t *testing.T) {
	w := newWire(t)
	ctx := context.Background()
	for _, bad := range []string{".", "..", "../x", "a/b", "a?b", "a#b", "a%2e", "%2e%2e", "a b", "a+b", "a.b", "张三", "a\\b", "o/x y"} {
		_, err := w.svc.QueryUserAuthorization(ctx, &businesscircle.QueryUserAuthorizationRequest{OpenID: bad, AppID: "wx"})
		ve := wiretest.RequireValidation(t, err, "openid")
		assert.Equal(t, "businesscircle.QueryUserAuthorization", ve.Op)
		_, err = w.svc.QueryPointsCommitStatus(ctx, &businesscircle.QueryPointsCommitStatusRequest{OpenID: bad, BrandID: 1, AppID: "wx"})
		wiretest.RequireValidation(t, err, "openid")
	}
	require.Empty(t, w.requests(), "no request was sent")
}

type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// An API error from an openid endpoint, and the Debug log of the call, show
// the route template and never the OpenID.
func TestOpenIDStaysOutOfErrorsAndLogs(t *testing.T) {
	const openid = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"
	sb, err := sandbox.NewServer()
	require.NoError(t, err)
	t.Cleanup(sb.Close)
	sb.SetHook(func(rw http.ResponseWriter, r *http.Request) bool {
		body := `{"code":"RESOURCE_NOT_EXISTS","message":"用户不存在"}`
		for k, v := range sb.SignatureHeaders([]byte(body), time.Now()) {
			rw.Header()[k] = v
		}
		rw.Header().Set("Request-ID", "rid-openid-1")
		rw.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(rw, body)
		return true
	})
	var logs logBuffer
	for _, h := range []slog.Handler{
		slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}),
		slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}),
	} {
		c, err := sb.Client(core.WithLogger(slog.New(h)))
		require.NoError(t, err)
		svc := businesscircle.NewService(c)
		ctx := context.Background()

		_, err = svc.QueryUserAuthorization(ctx, &businesscircle.QueryUserAuthorizationRequest{OpenID: openid, AppID: "wx"})
		ae := wiretest.RequireAPIError(t, err, http.StatusNotFound, "RESOURCE_NOT_EXISTS")
		assert.Equal(t, "/v3/businesscircle/user-authorizations/{openid}", ae.Path)
		assert.NotContains(t, err.Error(), openid)

		_, err = svc.QueryPointsCommitStatus(ctx, &businesscircle.QueryPointsCommitStatusRequest{OpenID: openid, BrandID: 1, AppID: "wx"})
		ae = wiretest.RequireAPIError(t, err, http.StatusNotFound, "RESOURCE_NOT_EXISTS")
		assert.Equal(t, "/v3/businesscircle/users/{openid}/points/commit_status", ae.Path)
		assert.NotContains(t, err.Error(), openid)
		b, _ := json.Marshal(ae)
		assert.NotContains(t, string(b), openid)
	}
	out := logs.String()
	assert.Contains(t, out, "/v3/businesscircle/user-authorizations/{openid}", "the Debug log names the route")
	assert.Contains(t, out, "/v3/businesscircle/users/{openid}/points/commit_status")
	assert.NotContains(t, out, openid)
}

func TestNewServiceRefusesNilClient(t *testing.T) {
	require.PanicsWithValue(t, "businesscircle.NewService: nil *core.Client; build one with core.NewClient", func() { businesscircle.NewService(nil) })
}

// Time fields keep the documented precision: milliseconds when the time
// has them (the documented 2020-05-20T13:29:35.120+08:00), seconds when it
// has none; finer digits are cut, never rounded up into the next second.
func TestTimesKeepDocumentedPrecision(t *testing.T) {
	for at, want := range map[time.Time]string{
		time.Date(2020, 5, 20, 13, 29, 35, 120e6, cst):     "2020-05-20T13:29:35.120+08:00",
		time.Date(2020, 5, 20, 5, 29, 35, 120e6, time.UTC): "2020-05-20T13:29:35.120+08:00",
		time.Date(2020, 5, 20, 13, 29, 35, 0, cst):         "2020-05-20T13:29:35+08:00",
		time.Date(2020, 5, 20, 13, 29, 35, 999999999, cst): "2020-05-20T13:29:35.999+08:00",
		time.Date(2020, 5, 20, 13, 29, 35, 1e6, cst):       "2020-05-20T13:29:35.001+08:00",
		time.Date(2020, 5, 20, 13, 29, 35, 999999, cst):    "2020-05-20T13:29:35+08:00",
	} {
		w := newWire(t, answer{Status: http.StatusNoContent})
		_, err := w.svc.SyncPoints(context.Background(), &businesscircle.SyncPointsRequest{TransactionID: "42", AppID: "wx", OpenID: "o", PointsUpdateTime: at})
		require.NoError(t, err)
		_, err = w.svc.SyncParking(context.Background(), &businesscircle.SyncParkingRequest{BrandID: 1, AppID: "wx", OpenID: "o", PlateNumber: "粤B888888", State: businesscircle.ParkingStateIn, Time: at})
		require.NoError(t, err)
		got := w.requests()
		require.Len(t, got, 2)
		var points struct {
			T string `json:"points_update_time"`
		}
		var parking struct {
			T string `json:"time"`
		}
		require.NoError(t, json.Unmarshal(got[0].Body, &points))
		require.NoError(t, json.Unmarshal(got[1].Body, &parking))
		assert.Equal(t, want, points.T)
		assert.Equal(t, want, parking.T)
		assert.LessOrEqual(t, len(want), 32, "the documented maximum length")
	}
}
