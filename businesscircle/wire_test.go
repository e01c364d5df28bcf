package businesscircle_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/businesscircle"
	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

const prefix = "/prefix"

// recorded is one request the wire server received.
type recorded struct {
	Method     string
	RequestURI string
	Header     http.Header
	Body       []byte
}

// answer is what the wire server replies.
type answer struct {
	Status int
	Body   string
	BadSig bool // corrupt the response signature
}

// wireServer is an httptest server mounted under prefix that checks every
// request's Authorization signature with the sandbox merchant's public key,
// records it, and answers canned bodies signed with the sandbox platform key,
// so that client-side verification runs in every test.
type wireServer struct {
	t   *testing.T
	sb  *sandbox.Server
	svc *businesscircle.Service

	mu      sync.Mutex
	got     []recorded
	answers []answer // consumed in order; the last one repeats
	rid     int
}

func newWire(t *testing.T, answers ...answer) *wireServer {
	t.Helper()
	sb, err := sandbox.NewServer()
	require.NoError(t, err)
	t.Cleanup(sb.Close)
	w := &wireServer{t: t, sb: sb, answers: answers}
	srv := httptest.NewServer(http.HandlerFunc(w.serve))
	t.Cleanup(srv.Close)
	c, err := sb.Client(core.WithBaseURL(srv.URL + prefix))
	require.NoError(t, err)
	w.svc = businesscircle.NewService(c)
	return w
}

func (w *wireServer) serve(rw http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if !strings.HasPrefix(r.URL.Path, prefix+"/v3/") {
		w.t.Errorf("request outside the mounted prefix: %s", r.RequestURI)
		rw.WriteHeader(http.StatusNotFound)
		return
	}
	a, problem := sandbox.ParseAuthorization(r.Header.Get("Authorization"))
	if problem != "" {
		w.t.Errorf("bad Authorization: %s", problem)
	}
	sig, _ := base64.StdEncoding.DecodeString(a.Signature)
	sum := sha256.Sum256([]byte(r.Method + "\n" + r.RequestURI + "\n" + a.Timestamp + "\n" + a.NonceStr + "\n" + string(body) + "\n"))
	if err := rsa.VerifyPKCS1v15(&w.sb.MerchantPrivateKey.PublicKey, crypto.SHA256, sum[:], sig); err != nil {
		w.t.Errorf("request signature does not verify: %v", err)
	}
	if a.MchID != sandbox.MerchantID {
		w.t.Errorf("mchid %q, want %q", a.MchID, sandbox.MerchantID)
	}

	w.mu.Lock()
	w.got = append(w.got, recorded{Method: r.Method, RequestURI: r.RequestURI, Header: r.Header.Clone(), Body: body})
	ans := answer{Status: http.StatusNoContent}
	if len(w.answers) > 0 {
		ans = w.answers[0]
		if len(w.answers) > 1 {
			w.answers = w.answers[1:]
		}
	}
	w.rid++
	rid := "wire-request-" + strconv.Itoa(w.rid)
	w.mu.Unlock()

	h := w.sb.SignatureHeaders([]byte(ans.Body), time.Now())
	if ans.BadSig {
		h.Set("Wechatpay-Signature", base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 256)))
	}
	for k, v := range h {
		rw.Header()[k] = v
	}
	rw.Header().Set("Request-ID", rid)
	if ans.Body != "" {
		rw.Header().Set("Content-Type", "application/json")
	}
	rw.WriteHeader(ans.Status)
	_, _ = io.WriteString(rw, ans.Body)
}

func (w *wireServer) requests() []recorded {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]recorded(nil), w.got...)
}

func (w *wireServer) only() recorded {
	w.t.Helper()
	got := w.requests()
	require.Len(w.t, got, 1)
	return got[0]
}

var cst = time.FixedZone("CST", 8*3600)

func TestSyncPointsWire_NoPointsIsExplicit(t *testing.T) {
	w := newWire(t, answer{Status: http.StatusNoContent})
	resp, err := w.svc.SyncPoints(context.Background(), &businesscircle.SyncPointsRequest{
		TransactionID:    "4200000533202000000000000000",
		AppID:            "wx8828b70xxxxxxx8",
		OpenID:           "otPAN5xxxxxxxxrOEG6lUv_pzacc",
		EarnPoints:       false,
		IncreasedPoints:  0,
		PointsUpdateTime: time.Date(2020, 5, 20, 5, 29, 35, 120e6, time.UTC),
	})
	require.NoError(t, err)
	require.Equal(t, http.StatusNoContent, resp.StatusCode)
	require.Equal(t, "wire-request-1", resp.RequestID)

	r := w.only()
	require.Equal(t, http.MethodPost, r.Method)
	require.Equal(t, prefix+"/v3/businesscircle/points/notify", r.RequestURI)
	require.Equal(t, "application/json", r.Header.Get("Content-Type"))
	require.Equal(t, "application/json", r.Header.Get("Accept"))
	require.JSONEq(t, `{
		"transaction_id": "4200000533202000000000000000",
		"appid": "wx8828b70xxxxxxx8",
		"openid": "otPAN5xxxxxxxxrOEG6lUv_pzacc",
		"earn_points": false,
		"increased_points": 0,
		"points_update_time": "2020-05-20T13:29:35.120+08:00"
	}`, string(r.Body), "milliseconds are kept, as in the documented example")
}

func TestSyncPointsWire_AllFields(t *testing.T) {
	w := newWire(t)
	_, err := w.svc.SyncPoints(context.Background(), &businesscircle.SyncPointsRequest{
		SubMchID:         core.Ptr("1900000110"),
		TransactionID:    "4200000533202000000000000001",
		AppID:            "wx8828b70xxxxxxx8",
		OpenID:           "otPAN5",
		EarnPoints:       true,
		IncreasedPoints:  100,
		PointsUpdateTime: time.Date(2020, 5, 20, 13, 29, 35, 0, cst),
		NoPointsRemarks:  core.Ptr("无"),
		TotalPoints:      core.Ptr(int64(888888)),
	})
	require.NoError(t, err)
	require.JSONEq(t, `{
		"sub_mchid": "1900000110",
		"transaction_id": "4200000533202000000000000001",
		"appid": "wx8828b70xxxxxxx8",
		"openid": "otPAN5",
		"earn_points": true,
		"increased_points": 100,
		"points_update_time": "2020-05-20T13:29:35+08:00",
		"no_points_remarks": "无",
		"total_points": 888888
	}`, string(w.only().Body))
}

func TestSyncPointsWire_RetriedOnTransientFailure(t *testing.T) {
	w := newWire(t,
		answer{Status: http.StatusInternalServerError, Body: `{"code":"SYSTEM_ERROR","message":"系统错误"}`},
		answer{Status: http.StatusNoContent})
	_, err := w.svc.SyncPoints(context.Background(), &businesscircle.SyncPointsRequest{
		TransactionID: "4200", AppID: "wx", OpenID: "o", PointsUpdateTime: time.Now(),
	})
	require.NoError(t, err)
	got := w.requests()
	require.Len(t, got, 2)
	require.Equal(t, string(got[0].Body), string(got[1].Body))
	require.NotEqual(t, got[0].Header.Get("Authorization"), got[1].Header.Get("Authorization"), "each attempt is signed afresh")
}

// SyncParking has no business key of the merchant's, so a transient failure
// is returned to the caller instead of being retried blindly.
func TestSyncParkingWire_NotRetried(t *testing.T) {
	w := newWire(t,
		answer{Status: http.StatusInternalServerError, Body: `{"code":"SYSTEM_ERROR","message":"系统错误"}`},
		answer{Status: http.StatusNoContent})
	_, err := w.svc.SyncParking(context.Background(), &businesscircle.SyncParkingRequest{
		BrandID: 1000, AppID: "wx", OpenID: "o", PlateNumber: "粤B888888", State: businesscircle.ParkingStateIn, Time: time.Now(),
	})
	ae, ok := core.IsAPIError(err)
	require.True(t, ok, "%v", err)
	require.Equal(t, "SYSTEM_ERROR", ae.Code)
	require.Equal(t, 1, ae.Attempts)
	require.Len(t, w.requests(), 1, "a parking report is sent once")
}

func TestQueryUserAuthorizationWire(t *testing.T) {
	w := newWire(t, answer{Status: http.StatusOK, Body: `{
		"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
		"authorize_state": "DEAUTHORIZED",
		"authorize_time": "2026-11-20T10:00:00+08:00",
		"deauthorize_time": "2026-11-21T11:30:00+08:00"
	}`})
	resp, err := w.svc.QueryUserAuthorization(context.Background(), &businesscircle.QueryUserAuthorizationRequest{
		OpenID: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", AppID: "wx1234567890abcdef", SubMchID: core.Ptr("1234567890"),
	})
	require.NoError(t, err)
	r := w.only()
	require.Equal(t, http.MethodGet, r.Method)
	require.Equal(t, prefix+"/v3/businesscircle/user-authorizations/oUpF8uMuAJO_M2pxb1Q9zNjWeS6o?appid=wx1234567890abcdef&sub_mchid=1234567890", r.RequestURI)
	require.Empty(t, r.Body)

	require.Equal(t, "wire-request-1", resp.RequestID)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", resp.OpenID)
	require.Equal(t, businesscircle.AuthorizeStateDeauthorized, resp.AuthorizeState)
	require.NotNil(t, resp.AuthorizeTime)
	require.True(t, resp.AuthorizeTime.Equal(time.Date(2026, 11, 20, 10, 0, 0, 0, cst)))
	require.NotNil(t, resp.DeauthorizeTime)
	require.True(t, resp.DeauthorizeTime.Equal(time.Date(2026, 11, 21, 11, 30, 0, 0, cst)))
}

func TestQueryUserAuthorizationWire_UnknownStateAndMissingTimes(t *testing.T) {
	w := newWire(t, answer{Status: http.StatusOK, Body: `{"openid":"o1","authorize_state":"SOMETHING_NEW","extra_field":1}`})
	resp, err := w.svc.QueryUserAuthorization(context.Background(), &businesscircle.QueryUserAuthorizationRequest{OpenID: "o1", AppID: "wx"})
	require.NoError(t, err)
	require.Equal(t, businesscircle.AuthorizeState("SOMETHING_NEW"), resp.AuthorizeState)
	require.Nil(t, resp.AuthorizeTime)
	require.Nil(t, resp.DeauthorizeTime)
	require.Equal(t, prefix+"/v3/businesscircle/user-authorizations/o1?appid=wx", w.only().RequestURI)
}

func TestQueryPointsCommitStatusWire(t *testing.T) {
	for _, tc := range []struct {
		name           string
		ans            answer
		known, pending bool
		status         businesscircle.PointsCommitStatus
	}{
		{"200 pending", answer{Status: 200, Body: `{"points_commit_status":"PENDING"}`}, true, true, businesscircle.PointsCommitStatusPending},
		{"200 finished", answer{Status: 200, Body: `{"points_commit_status":"FINISHED"}`}, true, false, businesscircle.PointsCommitStatusFinished},
		{"204 no body", answer{Status: 204}, false, false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWire(t, tc.ans)
			resp, err := w.svc.QueryPointsCommitStatus(context.Background(), &businesscircle.QueryPointsCommitStatusRequest{
				OpenID: "oUpF8uMuAJOM2pxb1Q", BrandID: 1000, AppID: "wx931386123456789e", SubMchID: core.Ptr("1900000109"),
			})
			require.NoError(t, err)
			r := w.only()
			require.Equal(t, http.MethodGet, r.Method)
			require.Equal(t, prefix+"/v3/businesscircle/users/oUpF8uMuAJOM2pxb1Q/points/commit_status?appid=wx931386123456789e&brandid=1000&sub_mchid=1900000109", r.RequestURI)
			require.Equal(t, tc.status, resp.PointsCommitStatus)
			require.Equal(t, tc.known, resp.Known())
			require.Equal(t, tc.pending, resp.Pending())
			require.Equal(t, tc.ans.Status, resp.StatusCode)
			require.Equal(t, "wire-request-1", resp.RequestID)
		})
	}
}

func TestSyncParkingWire(t *testing.T) {
	w := newWire(t)
	resp, err := w.svc.SyncParking(context.Background(), &businesscircle.SyncParkingRequest{
		BrandID: 1000, AppID: "wxd678efh567hg6787", OpenID: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
		PlateNumber: "粤B888888", State: businesscircle.ParkingStateIn,
		Time: time.Date(2026, 11, 26, 1, 30, 0, 0, time.UTC),
	})
	require.NoError(t, err)
	require.Equal(t, http.StatusNoContent, resp.StatusCode)
	r := w.only()
	require.Equal(t, http.MethodPost, r.Method)
	require.Equal(t, prefix+"/v3/businesscircle/parkings", r.RequestURI)
	require.JSONEq(t, `{
		"brandid": 1000,
		"appid": "wxd678efh567hg6787",
		"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
		"plate_number": "粤B888888",
		"state": "IN",
		"time": "2026-11-26T09:30:00+08:00"
	}`, string(r.Body))
}

// calls runs each method with a valid request.
var calls = map[string]func(s *businesscircle.Service) error{
	"SyncPoints": func(s *businesscircle.Service) error {
		_, err := s.SyncPoints(context.Background(), &businesscircle.SyncPointsRequest{TransactionID: "4200", AppID: "wx", OpenID: "o", EarnPoints: true, IncreasedPoints: 1, PointsUpdateTime: time.Now()})
		return err
	},
	"QueryUserAuthorization": func(s *businesscircle.Service) error {
		_, err := s.QueryUserAuthorization(context.Background(), &businesscircle.QueryUserAuthorizationRequest{OpenID: "o", AppID: "wx"})
		return err
	},
	"QueryPointsCommitStatus": func(s *businesscircle.Service) error {
		_, err := s.QueryPointsCommitStatus(context.Background(), &businesscircle.QueryPointsCommitStatusRequest{OpenID: "o", BrandID: 1, AppID: "wx"})
		return err
	},
	"SyncParking": func(s *businesscircle.Service) error {
		_, err := s.SyncParking(context.Background(), &businesscircle.SyncParkingRequest{BrandID: 1, AppID: "wx", OpenID: "o", PlateNumber: "京A12345", State: businesscircle.ParkingStateOut, Time: time.Now()})
		return err
	},
}

func TestEveryMethod_APIErrorCarriesRequestID(t *testing.T) {
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			w := newWire(t, answer{Status: http.StatusBadRequest, Body: `{"code":"PARAM_ERROR","message":"参数错误","detail":{"field":"/appid","issue":"appid 不存在","location":"body"}}`})
			err := call(w.svc)
			ae, ok := core.IsAPIError(err)
			require.True(t, ok, "%v", err)
			require.Equal(t, http.StatusBadRequest, ae.StatusCode)
			require.Equal(t, "PARAM_ERROR", ae.Code)
			require.Equal(t, "wire-request-1", ae.RequestID)
			require.Equal(t, "/appid", ae.Detail.Field)
			require.Equal(t, 1, ae.Attempts, "a 400 is never retried")
			require.Len(t, w.requests(), 1)
		})
	}
}

func TestEveryMethod_BadResponseSignatureRejected(t *testing.T) {
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			w := newWire(t, answer{Status: http.StatusOK, Body: `{"openid":"o","authorize_state":"AUTHORIZED","points_commit_status":"PENDING"}`, BadSig: true})
			err := call(w.svc)
			require.Error(t, err)
			require.True(t, errors.Is(err, core.ErrInvalidSignature), "%v", err)
		})
	}
}

func TestEveryMethod_ValidationSendsNothing(t *testing.T) {
	long := func(n int) string { return strings.Repeat("x", n) }
	ctx := context.Background()
	cases := []struct {
		name   string
		call   func(s *businesscircle.Service) error
		fields []string
	}{
		{"SyncPoints nil", func(s *businesscircle.Service) error { _, err := s.SyncPoints(ctx, nil); return err }, []string{"request"}},
		{"SyncPoints empty", func(s *businesscircle.Service) error {
			_, err := s.SyncPoints(ctx, &businesscircle.SyncPointsRequest{})
			return err
		}, []string{"transaction_id", "appid", "openid", "points_update_time"}},
		{"SyncPoints limits", func(s *businesscircle.Service) error {
			_, err := s.SyncPoints(ctx, &businesscircle.SyncPointsRequest{
				SubMchID: core.Ptr(""), TransactionID: long(65), AppID: long(129), OpenID: long(65),
				EarnPoints: false, IncreasedPoints: 5, PointsUpdateTime: time.Now(),
				NoPointsRemarks: core.Ptr(strings.Repeat("无", 129)), TotalPoints: core.Ptr(int64(-1)),
			})
			return err
		}, []string{"sub_mchid", "transaction_id", "appid", "openid", "increased_points", "no_points_remarks", "total_points"}},
		{"SyncPoints emoji", func(s *businesscircle.Service) error {
			_, err := s.SyncPoints(ctx, &businesscircle.SyncPointsRequest{TransactionID: "1", AppID: "wx", OpenID: "o", PointsUpdateTime: time.Now(), NoPointsRemarks: core.Ptr("no 🎁")})
			return err
		}, []string{"no_points_remarks"}},
		{"QueryUserAuthorization nil", func(s *businesscircle.Service) error { _, err := s.QueryUserAuthorization(ctx, nil); return err }, []string{"request"}},
		{"QueryUserAuthorization", func(s *businesscircle.Service) error {
			_, err := s.QueryUserAuthorization(ctx, &businesscircle.QueryUserAuthorizationRequest{OpenID: long(65), SubMchID: core.Ptr(long(65))})
			return err
		}, []string{"openid", "appid", "sub_mchid"}},
		{"QueryPointsCommitStatus nil", func(s *businesscircle.Service) error { _, err := s.QueryPointsCommitStatus(ctx, nil); return err }, []string{"request"}},
		{"QueryPointsCommitStatus", func(s *businesscircle.Service) error {
			_, err := s.QueryPointsCommitStatus(ctx, &businesscircle.QueryPointsCommitStatusRequest{OpenID: long(129), AppID: long(129), SubMchID: core.Ptr(long(33))})
			return err
		}, []string{"openid", "brandid", "appid", "sub_mchid"}},
		{"SyncParking nil", func(s *businesscircle.Service) error { _, err := s.SyncParking(ctx, nil); return err }, []string{"request"}},
		{"SyncParking empty", func(s *businesscircle.Service) error {
			_, err := s.SyncParking(ctx, &businesscircle.SyncParkingRequest{})
			return err
		}, []string{"brandid", "appid", "openid", "plate_number", "state", "time"}},
		{"SyncParking limits", func(s *businesscircle.Service) error {
			_, err := s.SyncParking(ctx, &businesscircle.SyncParkingRequest{
				SubMchID: core.Ptr(long(33)), BrandID: -1, AppID: long(33), OpenID: long(65),
				PlateNumber: "b12345", State: "PARKED", Time: time.Now(),
			})
			return err
		}, []string{"sub_mchid", "brandid", "appid", "openid", "plate_number", "state"}},
		{"SyncParking long plate", func(s *businesscircle.Service) error {
			_, err := s.SyncParking(ctx, &businesscircle.SyncParkingRequest{BrandID: 1, AppID: "wx", OpenID: "o", PlateNumber: "粤" + strings.Repeat("A", 32), State: "IN", Time: time.Now()})
			return err
		}, []string{"plate_number"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := newWire(t)
			err := tc.call(w.svc)
			var ve *core.ValidationError
			require.ErrorAs(t, err, &ve)
			for _, f := range tc.fields {
				require.True(t, ve.Has(f), "want a problem with %s in %v", f, err)
			}
			require.Len(t, ve.Problems, len(tc.fields), "%v", err)
			require.Empty(t, w.requests(), "nothing may be sent")
		})
	}
}

func TestValidationErrorsNeverCarryValues(t *testing.T) {
	const secretPlate = "粤b9999999999999999999999999999999999"
	const secretOpenID = "o-personal-openid-value-that-is-far-too-long-for-the-api-0123456789"
	w := newWire(t)
	_, err := w.svc.SyncParking(context.Background(), &businesscircle.SyncParkingRequest{BrandID: 1, AppID: "wx", OpenID: secretOpenID, PlateNumber: secretPlate, State: "IN", Time: time.Now()})
	require.Error(t, err)
	require.NotContains(t, err.Error(), secretPlate)
	require.NotContains(t, err.Error(), secretOpenID)
	require.Empty(t, w.requests(), "nothing may be sent")
}

func TestValidPlateNumber(t *testing.T) {
	for p, ok := range map[string]bool{
		"粤B888888": true, "京A12345": true, "沪AD12345": true, "粤B1234学": true, "使014578": true,
		"": false, "粤": false, "B888888": false, "粤b88888": false, "粤B-8888": false, "粤B 8888": false,
	} {
		require.Equal(t, ok, businesscircle.ValidPlateNumber(p), p)
	}
}

func TestEnumValues(t *testing.T) {
	require.Equal(t, []businesscircle.AuthorizeState{"UNAUTHORIZED", "AUTHORIZED", "DEAUTHORIZED"}, businesscircle.AuthorizeState("").Values())
	require.Equal(t, []businesscircle.PointsCommitStatus{"PENDING", "FINISHED"}, businesscircle.PointsCommitStatus("").Values())
	require.Equal(t, []businesscircle.ParkingState{"IN", "OUT"}, businesscircle.ParkingState("").Values())
	require.Equal(t, []businesscircle.AuthType{"REGISTERED_MODE", "REGISTERED_AND_AUTHORIZATION_MODE"}, businesscircle.AuthType("").Values())
}
