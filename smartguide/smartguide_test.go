package smartguide_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/internal/wiretest"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
	"github.com/wechatpay-biz/wechatpay-biz-go/smartguide"
)

const (
	subMch   = "1900000110"
	store    = int64(1234)
	corpID   = "wwd3a9b5c1e2f40001"
	qrURL    = "https://open.work.weixin.qq.com/wwopen/userQRCode?vcode=xxx"
	avatar   = "http://wx.qlogo.cn/mmopen/ajNVdqHZLLA3WJ6DSZUfiakYe37PKnQhBIeOQBO4czqrnZDS79FH5Wm5m4X69TBicnHFlhiafvDwklOpZeXYQQ2icg/0"
	groupURL = "http://p.qpic.cn/wwhead/nMl9ssowtibVGyrmvBiaibzDtp/0"
)

func registerReq(userID, name, mobile string) *smartguide.RegisterRequest {
	return &smartguide.RegisterRequest{
		SubMchID: core.Ptr(subMch), CorpID: corpID, StoreID: store, UserID: userID,
		Name: name, Mobile: mobile, QRCode: qrURL, Avatar: avatar, GroupQRCode: core.Ptr(groupURL),
	}
}

func register(t *testing.T, e *env, userID, name, mobile string) string {
	t.Helper()
	resp, err := e.svc.Register(context.Background(), registerReq(userID, name, mobile))
	require.NoError(t, err)
	return resp.GuideID
}

func TestRegister(t *testing.T) {
	e := newEnv(t)
	req := registerReq("robert", "张三", "13800138000")
	before := *req
	resp, err := e.svc.Register(context.Background(), req)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.NotEmpty(t, resp.RequestID)
	require.Len(t, resp.GuideID, 34)
	require.Equal(t, before, *req, "the caller's request is not modified")

	w := e.only(t)
	require.Equal(t, http.MethodPost, w.Method)
	require.Equal(t, "/v3/smartguide/guides", w.URI)
	require.Equal(t, e.sb.PublicKeyID, w.Header.Get("Wechatpay-Serial"))
	require.Equal(t, "application/json", w.Header.Get("Content-Type"))

	var body map[string]any
	require.NoError(t, json.Unmarshal(w.Body, &body))
	nameCT, mobileCT := body["name"].(string), body["mobile"].(string)
	require.NotContains(t, string(w.Body), "13800138000", "no plaintext on the wire")
	require.NotContains(t, string(w.Body), "张三")
	require.Equal(t, "张三", decryptPlatform(t, nameCT))
	require.Equal(t, "13800138000", decryptPlatform(t, mobileCT))
	body["name"], body["mobile"] = "<ct>", "<ct>"
	got, _ := json.Marshal(body)
	require.JSONEq(t, `{"sub_mchid":"1900000110","corpid":"wwd3a9b5c1e2f40001","store_id":1234,"userid":"robert",
		"name":"<ct>","mobile":"<ct>","qr_code":"`+qrURL+`","avatar":"`+avatar+`","group_qrcode":"`+groupURL+`"}`, string(got))

	rec, ok := e.sb.SmartGuideGuide(resp.GuideID)
	require.True(t, ok)
	require.Equal(t, "张三", rec.Name)
	require.Equal(t, "13800138000", rec.Mobile)
	require.Equal(t, subMch, rec.SubMchID)
}

func TestRegisterDirectMerchantOmitsOptionalFields(t *testing.T) {
	e := newEnv(t)
	req := registerReq("robert", "张三", "13800138000")
	req.SubMchID, req.GroupQRCode = nil, nil
	_, err := e.svc.Register(context.Background(), req)
	require.NoError(t, err)
	var body map[string]any
	require.NoError(t, json.Unmarshal(e.only(t).Body, &body))
	require.NotContains(t, body, "sub_mchid")
	require.NotContains(t, body, "group_qrcode")
}

func TestRegisterAPIError(t *testing.T) {
	e := newEnv(t)
	register(t, e, "robert", "张三", "13800138000")
	_, err := e.svc.Register(context.Background(), registerReq("robert", "张三", "13800138000"))
	wiretest.RequireAPIError(t, err, http.StatusBadRequest, "INVALID_REQUEST")
	require.NotContains(t, err.Error(), "13800138000")
}

func TestRegisterValidation(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()

	_, err := e.svc.Register(ctx, nil)
	wiretest.RequireValidation(t, err, "request")

	_, err = e.svc.Register(ctx, &smartguide.RegisterRequest{})
	wiretest.RequireValidation(t, err, "corpid", "store_id", "userid", "name", "mobile", "qr_code", "avatar")

	long := registerReq(strings.Repeat("u", 65), strings.Repeat("名", 22), "+86 138 0013 8000 0000 0000 00000")
	long.SubMchID = core.Ptr("")
	long.QRCode = "not a url"
	long.Avatar = "ftp://example.com/a.png"
	long.GroupQRCode = core.Ptr("https://example.com/" + strings.Repeat("g", 1010))
	_, err = e.svc.Register(ctx, long)
	ve := wiretest.RequireValidation(t, err, "sub_mchid", "userid", "name", "mobile", "qr_code", "avatar", "group_qrcode")
	require.NotContains(t, ve.Error(), "名名", "personal data never in errors")
	require.NotContains(t, ve.Error(), "0013")

	emoji := registerReq("robert", "张三😀", "13800138000")
	_, err = e.svc.Register(ctx, emoji)
	wiretest.RequireValidation(t, err, "name")

	require.Empty(t, e.requests(), "nothing is sent when validation fails")
}

func TestRegisterLimitsAreBytesBeforeEncryption(t *testing.T) {
	e := newEnv(t)
	// 21 three-byte characters = 63 bytes, a 32-byte mobile: both fit.
	_, err := e.svc.Register(context.Background(), registerReq("edge", strings.Repeat("名", 21), strings.Repeat("1", 32)))
	require.NoError(t, err)
}

func TestRegisterIsNotRetried(t *testing.T) {
	e := newEnv(t)
	calls := 0
	e.sb.SetHook(func(w http.ResponseWriter, r *http.Request) bool {
		calls++
		w.Header().Set("Request-ID", "hook-1")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(`{"code":"SYSTEM_ERROR","message":"busy"}`))
		return true
	})
	_, err := e.svc.Register(context.Background(), registerReq("robert", "张三", "13800138000"))
	ae := wiretest.RequireAPIError(t, err, http.StatusInternalServerError, "SYSTEM_ERROR")
	require.Equal(t, 1, ae.Attempts)
	require.Equal(t, 1, calls)
}

func TestBadResponseSignature(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	id := register(t, e, "robert", "张三", "13800138000")
	calls := map[string]func() error{
		"Register": func() error {
			_, err := e.svc.Register(ctx, registerReq("alice", "李四", "13900139000"))
			return err
		},
		"Assign": func() error {
			_, err := e.svc.Assign(ctx, &smartguide.AssignRequest{GuideID: id, SubMchID: core.Ptr(subMch), OutTradeNo: "T1"})
			return err
		},
		"Query": func() error {
			_, err := e.svc.Query(ctx, &smartguide.QueryRequest{SubMchID: core.Ptr(subMch), StoreID: store})
			return err
		},
		"Update": func() error {
			_, err := e.svc.Update(ctx, &smartguide.UpdateRequest{GuideID: id, SubMchID: core.Ptr(subMch), Avatar: core.Ptr(avatar)})
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			e.sb.ProbeNext(3) // every attempt of a retried call gets a probe
			err := call()
			require.ErrorIs(t, err, core.ErrInvalidSignature)
			e.sb.ProbeNext(0)
		})
	}
}

func TestAssign(t *testing.T) {
	e := newEnv(t)
	id := register(t, e, "robert", "张三", "13800138000")
	e.reset()
	resp, err := e.svc.Assign(context.Background(), &smartguide.AssignRequest{GuideID: id, SubMchID: core.Ptr(subMch), OutTradeNo: "20150806125346-a_b|c*"})
	require.NoError(t, err)
	require.Equal(t, http.StatusNoContent, resp.StatusCode)
	require.NotEmpty(t, resp.RequestID)

	w := e.only(t)
	require.Equal(t, http.MethodPost, w.Method)
	require.Equal(t, "/v3/smartguide/guides/"+id+"/assign", w.URI)
	// Nothing is encrypted in assign, but a client with a WeChat Pay public
	// key names it on every request (issue 10 item 18).
	require.Equal(t, e.sb.PublicKeyID, w.Header.Get("Wechatpay-Serial"))
	require.JSONEq(t, `{"sub_mchid":"1900000110","out_trade_no":"20150806125346-a_b|c*"}`, string(w.Body))

	got, ok := e.sb.SmartGuideAssignment(subMch, "20150806125346-a_b|c*")
	require.True(t, ok)
	require.Equal(t, id, got)
}

// A guide ID outside its character set ("a/b c?d") is refused before
// sending (see TestPathParametersAreCheckedBeforeSending); an unknown one in
// the set reaches the server, which reports it.
func TestAssignReportsUnknownGuide(t *testing.T) {
	e := newEnv(t)
	_, err := e.svc.Assign(context.Background(), &smartguide.AssignRequest{GuideID: "no_such-guide1", OutTradeNo: "T1"})
	ae := wiretest.RequireAPIError(t, err, http.StatusNotFound, "RESOURCE_NOT_EXISTS")
	require.Equal(t, "/v3/smartguide/guides/no_such-guide1/assign", e.only(t).URI)
	require.Equal(t, "/v3/smartguide/guides/{guide_id}/assign", ae.Path)
	require.NotContains(t, err.Error(), "no_such-guide1")
}

func TestAssignAfterPaymentIsRefused(t *testing.T) {
	e := newEnv(t)
	id := register(t, e, "robert", "张三", "13800138000")
	e.sb.Record(sandbox.LedgerEntry{SubMchID: subMch, OutTradeNo: "PAID1", TradeState: "SUCCESS", AmountFen: 100})
	_, err := e.svc.Assign(context.Background(), &smartguide.AssignRequest{GuideID: id, SubMchID: core.Ptr(subMch), OutTradeNo: "PAID1"})
	wiretest.RequireAPIError(t, err, http.StatusBadRequest, "INVALID_REQUEST")
}

func TestAssignValidation(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, err := e.svc.Assign(ctx, nil)
	wiretest.RequireValidation(t, err, "request")
	_, err = e.svc.Assign(ctx, &smartguide.AssignRequest{})
	wiretest.RequireValidation(t, err, "guide_id", "out_trade_no")
	for _, bad := range []string{"订单1", "has space", "a+b", strings.Repeat("1", 33), "ＡＢ"} {
		_, err = e.svc.Assign(ctx, &smartguide.AssignRequest{GuideID: "g", OutTradeNo: bad})
		wiretest.RequireValidation(t, err, "out_trade_no")
	}
	_, err = e.svc.Assign(ctx, &smartguide.AssignRequest{GuideID: strings.Repeat("g", 65), SubMchID: core.Ptr(""), OutTradeNo: "T1"})
	wiretest.RequireValidation(t, err, "guide_id", "sub_mchid")
	require.Empty(t, e.requests())
}

func TestAssignIsRetried(t *testing.T) {
	e := newEnv(t)
	id := register(t, e, "robert", "张三", "13800138000")
	failures := 1
	e.sb.SetHook(func(w http.ResponseWriter, r *http.Request) bool {
		if failures > 0 {
			failures--
			w.WriteHeader(http.StatusServiceUnavailable)
			return true
		}
		return false
	})
	_, err := e.svc.Assign(context.Background(), &smartguide.AssignRequest{GuideID: id, SubMchID: core.Ptr(subMch), OutTradeNo: "T1"})
	require.NoError(t, err)
}

func TestQuery(t *testing.T) {
	e := newEnv(t)
	id := register(t, e, "robert", "张三", "13800138000")
	register(t, e, "alice", "李四", "13900139000")
	e.reset()

	resp, err := e.svc.Query(context.Background(), &smartguide.QueryRequest{
		SubMchID: core.Ptr(subMch), StoreID: store, Mobile: core.Ptr("13800138000"), Limit: core.Ptr(5), Offset: core.Ptr(0),
	})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.NotEmpty(t, resp.RequestID)
	require.Equal(t, 1, resp.TotalCount)
	require.Equal(t, 5, resp.Limit)
	require.Len(t, resp.Data, 1)
	g := resp.Data[0]
	require.Equal(t, id, g.GuideID)
	require.Equal(t, store, g.StoreID)
	require.Equal(t, "robert", g.UserID)
	require.Equal(t, "张三", g.Name)
	require.Equal(t, "13800138000", g.Mobile)
	// The ciphertext stays reachable, and it is for the merchant's key.
	pt, err := e.c.DecryptSensitive(g.NameCiphertext)
	require.NoError(t, err)
	require.Equal(t, "张三", pt)
	require.NotEmpty(t, g.MobileCiphertext)

	w := e.only(t)
	require.Equal(t, http.MethodGet, w.Method)
	require.Empty(t, w.Body)
	require.Equal(t, e.sb.PublicKeyID, w.Header.Get("Wechatpay-Serial"))
	path, rawQuery, _ := strings.Cut(w.URI, "?")
	require.Equal(t, "/v3/smartguide/guides", path)
	q, err := url.ParseQuery(rawQuery)
	require.NoError(t, err)
	ct := q.Get("mobile")
	require.Equal(t, "13800138000", decryptPlatform(t, ct))
	require.Contains(t, rawQuery, "mobile="+url.QueryEscape(ct), "the Base64 mobile is URL-encoded as signed")
	q.Del("mobile")
	require.Equal(t, url.Values{"store_id": {"1234"}, "sub_mchid": {subMch}, "limit": {"5"}, "offset": {"0"}}, q)
}

func TestQueryByUserIDAndWorkID(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	register(t, e, "robert", "张三", "13800138000")
	personal := e.sb.SmartGuideAddPersonalGuide(subMch, store, "W007", "王五", "13700137000")

	resp, err := e.svc.Query(ctx, &smartguide.QueryRequest{SubMchID: core.Ptr(subMch), StoreID: store, UserID: core.Ptr("robert")})
	require.NoError(t, err)
	require.Len(t, resp.Data, 1)
	require.Equal(t, "张三", resp.Data[0].Name)

	resp, err = e.svc.Query(ctx, &smartguide.QueryRequest{SubMchID: core.Ptr(subMch), StoreID: store, WorkID: core.Ptr("W007")})
	require.NoError(t, err)
	require.Len(t, resp.Data, 1)
	require.Equal(t, personal, resp.Data[0].GuideID)
	require.Equal(t, "W007", resp.Data[0].WorkID)
	require.Equal(t, "13700137000", resp.Data[0].Mobile)

	last := e.requests()[len(e.requests())-1]
	require.Contains(t, last.URI, "work_id=W007")
	require.NotContains(t, last.URI, "mobile=")

	// Another sub-merchant's or store's guides are not visible.
	resp, err = e.svc.Query(ctx, &smartguide.QueryRequest{StoreID: store})
	require.NoError(t, err)
	require.Empty(t, resp.Data)
	require.Equal(t, 0, resp.TotalCount)
}

func TestQueryAPIError(t *testing.T) {
	e := newEnv(t)
	// A service provider's own merchant ID is not one of its sub-merchants.
	_, err := e.svc.Query(context.Background(), &smartguide.QueryRequest{SubMchID: core.Ptr(e.sb.MerchantID), StoreID: store})
	wiretest.RequireAPIError(t, err, http.StatusBadRequest, "INVALID_REQUEST")
}

func TestQueryValidation(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, err := e.svc.Query(ctx, nil)
	wiretest.RequireValidation(t, err, "request")
	_, err = e.svc.Query(ctx, &smartguide.QueryRequest{Limit: core.Ptr(11), Offset: core.Ptr(-1), Mobile: core.Ptr(strings.Repeat("1", 33)), UserID: core.Ptr("")})
	wiretest.RequireValidation(t, err, "store_id", "limit", "offset", "mobile", "userid")
	_, err = e.svc.Query(ctx, &smartguide.QueryRequest{StoreID: store, Limit: core.Ptr(0)})
	wiretest.RequireValidation(t, err, "limit")
	require.Empty(t, e.requests())
}

func TestQueryDecryptFailureDoesNotLeak(t *testing.T) {
	f := newFakeAPI(t, func(int, wire) (int, string) {
		return http.StatusOK, `{"total_count":1,"data":[{"guide_id":"g1","store_id":1,"name":"bm90IGNpcGhlcnRleHQ=","mobile":""}]}`
	})
	_, err := smartguide.NewService(f.c).Query(context.Background(), &smartguide.QueryRequest{StoreID: 1})
	require.ErrorContains(t, err, "data[0].name")
	require.ErrorContains(t, err, "fake-1")
	require.NotContains(t, err.Error(), "bm90IGNpcGhlcnRleHQ=")
}

func TestQueryAll(t *testing.T) {
	e := newEnv(t)
	want := map[string]string{}
	for i := range 23 {
		user := fmt.Sprintf("user%02d", i)
		want[register(t, e, user, "员工"+user, fmt.Sprintf("138%08d", i))] = user
	}
	e.reset()

	req := &smartguide.QueryRequest{SubMchID: core.Ptr(subMch), StoreID: store}
	seq := e.svc.QueryAll(context.Background(), req)
	require.Empty(t, e.requests(), "no I/O until ranged")

	got := map[string]string{}
	for g, err := range seq {
		require.NoError(t, err)
		require.Equal(t, "员工"+g.UserID, g.Name)
		got[g.GuideID] = g.UserID
	}
	require.Equal(t, want, got)
	require.Equal(t, &smartguide.QueryRequest{SubMchID: core.Ptr(subMch), StoreID: store}, req, "the caller's request is unchanged")

	var offsets []string
	for _, w := range e.requests() {
		u, err := url.Parse(w.URI)
		require.NoError(t, err)
		require.Equal(t, "10", u.Query().Get("limit"))
		offsets = append(offsets, u.Query().Get("offset"))
	}
	require.Equal(t, []string{"0", "10", "20"}, offsets, "stops after the last page")

	// Ranging again starts afresh; breaking early stops fetching.
	e.reset()
	n := 0
	for _, err := range seq {
		require.NoError(t, err)
		if n++; n == 3 {
			break
		}
	}
	require.Len(t, e.requests(), 1)
}

func TestQueryAllPageSizeAndOffset(t *testing.T) {
	e := newEnv(t)
	for i := range 6 {
		register(t, e, fmt.Sprintf("u%d", i), "n", fmt.Sprintf("1380000000%d", i))
	}
	e.reset()
	req := &smartguide.QueryRequest{SubMchID: core.Ptr(subMch), StoreID: store, Limit: core.Ptr(2), Offset: core.Ptr(1)}
	var users []string
	for g, err := range e.svc.QueryAll(context.Background(), req) {
		require.NoError(t, err)
		users = append(users, g.UserID)
	}
	require.Equal(t, []string{"u1", "u2", "u3", "u4", "u5"}, users)
	require.Len(t, e.requests(), 3, "offsets 1, 3, 5; total reached")
	require.Equal(t, 2, *req.Limit)
	require.Equal(t, 1, *req.Offset)
}

func TestQueryAllErrors(t *testing.T) {
	e := newEnv(t)
	var errs int
	for _, err := range e.svc.QueryAll(context.Background(), &smartguide.QueryRequest{}) {
		wiretest.RequireValidation(t, err, "store_id")
		errs++
	}
	require.Equal(t, 1, errs)
	errs = 0
	for _, err := range e.svc.QueryAll(context.Background(), nil) {
		wiretest.RequireValidation(t, err, "request")
		errs++
	}
	require.Equal(t, 1, errs)
	require.Empty(t, e.requests())

	errs = 0
	for _, err := range e.svc.QueryAll(context.Background(), &smartguide.QueryRequest{SubMchID: core.Ptr(e.sb.MerchantID), StoreID: store}) {
		wiretest.RequireAPIError(t, err, http.StatusBadRequest, "INVALID_REQUEST")
		errs++
	}
	require.Equal(t, 1, errs, "an error is yielded once, then the sequence stops")
}

func TestQueryAllStopsWhenTheOffsetStopsAdvancing(t *testing.T) {
	// A server that ignores offset answers the same page again: the sequence
	// ends there, without yielding those guides twice and without an error.
	for name, page := range map[string]string{
		"with guide IDs": `{"total_count":25,"limit":10,"offset":0,"data":[` + strings.TrimSuffix(strings.Repeat(`{"guide_id":"same","store_id":1},`, 10), ",") + `]}`,
		"without IDs":    `{"data":[` + strings.TrimSuffix(strings.Repeat(`{"store_id":1,"work_id":"W1"},`, 10), ",") + `]}`,
	} {
		t.Run(name, func(t *testing.T) {
			f := newFakeAPI(t, func(n int, _ wire) (int, string) {
				if n > 5 { // never reached by a correct client; keeps a broken one from spinning
					return http.StatusBadRequest, `{"code":"PARAM_ERROR","message":"too many pages"}`
				}
				return http.StatusOK, page
			})
			var n int
			for _, err := range smartguide.NewService(f.c).QueryAll(context.Background(), &smartguide.QueryRequest{StoreID: 1}) {
				require.NoError(t, err)
				n++
			}
			require.Equal(t, 10, n, "the first page's guides, once")
			require.Len(t, f.requests(), 2)
		})
	}
}

func TestQueryAllStopsOnEmptyPage(t *testing.T) {
	f := newFakeAPI(t, func(n int, _ wire) (int, string) {
		if n == 1 {
			return http.StatusOK, `{"data":[` + strings.TrimSuffix(strings.Repeat(`{"guide_id":"x"},`, 10), ",") + `]}`
		}
		return http.StatusOK, `{"data":[]}`
	})
	var n int
	for _, err := range smartguide.NewService(f.c).QueryAll(context.Background(), &smartguide.QueryRequest{StoreID: 1}) {
		require.NoError(t, err)
		n++
	}
	require.Equal(t, 10, n)
	require.Len(t, f.requests(), 2)
}

func TestUpdate(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	id := register(t, e, "robert", "张三", "13800138000")
	e.reset()

	req := &smartguide.UpdateRequest{GuideID: id, SubMchID: core.Ptr(subMch), Name: core.Ptr("张三丰"), Mobile: core.Ptr("13600136000"), Avatar: core.Ptr("https://example.com/new.png")}
	resp, err := e.svc.Update(ctx, req)
	require.NoError(t, err)
	require.Equal(t, http.StatusNoContent, resp.StatusCode)
	require.NotEmpty(t, resp.RequestID)
	require.Equal(t, "张三丰", *req.Name, "the caller's request is not modified")

	w := e.only(t)
	require.Equal(t, http.MethodPatch, w.Method)
	require.Equal(t, "/v3/smartguide/guides/"+id, w.URI)
	require.Equal(t, e.sb.PublicKeyID, w.Header.Get("Wechatpay-Serial"))
	var body map[string]any
	require.NoError(t, json.Unmarshal(w.Body, &body))
	require.Equal(t, "张三丰", decryptPlatform(t, body["name"].(string)))
	require.Equal(t, "13600136000", decryptPlatform(t, body["mobile"].(string)))
	body["name"], body["mobile"] = "<ct>", "<ct>"
	got, _ := json.Marshal(body)
	require.JSONEq(t, `{"sub_mchid":"1900000110","name":"<ct>","mobile":"<ct>","avatar":"https://example.com/new.png"}`, string(got))

	// Query returns the new details.
	q, err := e.svc.Query(ctx, &smartguide.QueryRequest{SubMchID: core.Ptr(subMch), StoreID: store, UserID: core.Ptr("robert")})
	require.NoError(t, err)
	require.Equal(t, "张三丰", q.Data[0].Name)
	require.Equal(t, "13600136000", q.Data[0].Mobile)
	rec, _ := e.sb.SmartGuideGuide(id)
	require.Equal(t, "https://example.com/new.png", rec.Avatar)
	require.Equal(t, qrURL, rec.QRCode, "fields not sent are unchanged")
}

func TestUpdateIsNotRetried(t *testing.T) {
	// Update is keyed by WeChat Pay's guide ID, not by a business number of
	// the merchant: a 5xx is reported, not retried.
	e := newEnv(t)
	id := register(t, e, "robert", "张三", "13800138000")
	calls := 0
	e.sb.SetHook(func(w http.ResponseWriter, r *http.Request) bool {
		calls++
		w.Header().Set("Request-ID", "hook-1")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(`{"code":"SYSTEM_ERROR","message":"busy"}`))
		return true
	})
	_, err := e.svc.Update(context.Background(), &smartguide.UpdateRequest{GuideID: id, SubMchID: core.Ptr(subMch), Avatar: core.Ptr(avatar)})
	ae := wiretest.RequireAPIError(t, err, http.StatusInternalServerError, "SYSTEM_ERROR")
	require.Equal(t, 1, ae.Attempts)
	require.Equal(t, 1, calls)
}

func TestQueryIsRetried(t *testing.T) {
	e := newEnv(t)
	register(t, e, "robert", "张三", "13800138000")
	failures := 1
	e.sb.SetHook(func(w http.ResponseWriter, r *http.Request) bool {
		if failures > 0 {
			failures--
			w.WriteHeader(http.StatusServiceUnavailable)
			return true
		}
		return false
	})
	resp, err := e.svc.Query(context.Background(), &smartguide.QueryRequest{SubMchID: core.Ptr(subMch), StoreID: store, Mobile: core.Ptr("13800138000")})
	require.NoError(t, err)
	require.Len(t, resp.Data, 1)
	require.Equal(t, 0, failures)
}

func TestUpdateAPIErrors(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, err := e.svc.Update(ctx, &smartguide.UpdateRequest{GuideID: "nosuchguide", Avatar: core.Ptr(avatar)})
	wiretest.RequireAPIError(t, err, http.StatusNotFound, "RESOURCE_NOT_EXISTS")

	personal := e.sb.SmartGuideAddPersonalGuide("", store, "W1", "王五", "13700137000")
	_, err = e.svc.Update(ctx, &smartguide.UpdateRequest{GuideID: personal, QRCode: core.Ptr(qrURL)})
	wiretest.RequireAPIError(t, err, http.StatusBadRequest, "INVALID_REQUEST")
	_, err = e.svc.Update(ctx, &smartguide.UpdateRequest{GuideID: personal, Name: core.Ptr("王五五")})
	require.NoError(t, err)
}

func TestUpdateValidation(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, err := e.svc.Update(ctx, nil)
	wiretest.RequireValidation(t, err, "request")
	_, err = e.svc.Update(ctx, &smartguide.UpdateRequest{})
	wiretest.RequireValidation(t, err, "guide_id", "request")
	_, err = e.svc.Update(ctx, &smartguide.UpdateRequest{GuideID: "g", Name: core.Ptr(""), Mobile: core.Ptr(strings.Repeat("9", 33)), QRCode: core.Ptr("nope"), Avatar: core.Ptr(""), GroupQRCode: core.Ptr("/relative")})
	ve := wiretest.RequireValidation(t, err, "name", "mobile", "qr_code", "avatar", "group_qrcode")
	require.NotContains(t, ve.Error(), "999")
	require.Empty(t, e.requests())
}

func TestNilContextAndCanceledContext(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := e.svc.Query(ctx, &smartguide.QueryRequest{StoreID: store})
	require.True(t, errors.Is(err, context.Canceled), "got %v", err)
}

func TestPathPrefixIsKept(t *testing.T) {
	f := newFakeAPI(t, func(_ int, w wire) (int, string) {
		if w.Method == http.MethodPost && strings.HasSuffix(w.URI, "/guides") {
			return http.StatusOK, `{"guide_id":"g1"}`
		}
		if w.Method == http.MethodGet {
			return http.StatusOK, `{"total_count":0,"data":[]}`
		}
		return http.StatusNoContent, ""
	})
	svc := smartguide.NewService(f.c)
	ctx := context.Background()
	_, err := svc.Register(ctx, registerReq("u", "n", "13800138000"))
	require.NoError(t, err)
	_, err = svc.Assign(ctx, &smartguide.AssignRequest{GuideID: "g1", OutTradeNo: "T1"})
	require.NoError(t, err)
	_, err = svc.Query(ctx, &smartguide.QueryRequest{StoreID: 1})
	require.NoError(t, err)
	_, err = svc.Update(ctx, &smartguide.UpdateRequest{GuideID: "g1", Avatar: core.Ptr(avatar)})
	require.NoError(t, err)
	var got []string
	for _, w := range f.requests() {
		got = append(got, w.Method+" "+w.URI)
	}
	require.Equal(t, []string{
		"POST /v3/smartguide/guides",
		"POST /v3/smartguide/guides/g1/assign",
		"GET /v3/smartguide/guides?store_id=1",
		"PATCH /v3/smartguide/guides/g1",
	}, got)
}

func TestRegisterInCertificateMode(t *testing.T) {
	sb, err := sandbox.NewServer(sandbox.WithSigningMode(sandbox.SignWithCertificate))
	require.NoError(t, err)
	t.Cleanup(sb.Close)
	c, err := sb.CertificateClient()
	require.NoError(t, err)
	var serial string
	sb.SetHook(func(_ http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path == "/v3/smartguide/guides" {
			serial = r.Header.Get("Wechatpay-Serial")
		}
		return false
	})
	resp, err := smartguide.NewService(c).Register(context.Background(), registerReq("robert", "张三", "13800138000"))
	require.NoError(t, err)
	require.Equal(t, fmt.Sprintf("%X", sb.PlatformCertificate().SerialNumber), serial, "encrypted to the platform certificate it names")
	rec, ok := sb.SmartGuideGuide(resp.GuideID)
	require.True(t, ok)
	require.Equal(t, "张三", rec.Name, "the sandbox decrypted with that certificate's key")
}
