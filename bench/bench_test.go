// Package bench compares wechatpay-biz-go with wechatpay-go v0.2.21, go-pay/gopay
// v1.5.115 and a hand-written floor, all calling one local server with the
// same keys. It is a separate module so the SDK never depends on other SDKs.
//
//	cd bench && go test -run '^$' -bench . -benchmem
package bench

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"

	gopay "github.com/go-pay/gopay"
	gopayv3 "github.com/go-pay/gopay/wechat/v3"
	wxcore "github.com/wechatpay-apiv3/wechatpay-go/core"
	wxnotify "github.com/wechatpay-apiv3/wechatpay-go/core/notify"
	"github.com/wechatpay-apiv3/wechatpay-go/core/option"
	"github.com/wechatpay-apiv3/wechatpay-go/utils"

	"github.com/wechatpay-biz/wechatpay-biz-go/bill"
	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/goldplan"
	"github.com/wechatpay-biz/wechatpay-biz-go/notify"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
	"github.com/wechatpay-biz/wechatpay-biz-go/smartguide"
)

const (
	subMchID = "1900000109"
	goldPath = "/v3/goldplan/merchants/changegoldplanstatus"
	sgPath   = "/v3/smartguide/guides"
)

// env is one local server and the sandbox's keys, shared by every client.
type env struct {
	sb  *sandbox.Server
	srv *httptest.Server
}

// newEnv starts the benchmark server: it verifies every request's
// Authorization with the merchant public key and signs every answer with
// the platform key, like WeChat Pay, with no per-product state so that all
// clients do exactly the same work against it.
func newEnv(b *testing.B) *env {
	b.Helper()
	sb, err := sandbox.NewServer()
	if err != nil {
		b.Fatal(err)
	}
	e := &env{sb: sb}
	answers := map[string][]byte{
		goldPath: []byte(`{"sub_mchid":"1900000109"}`),
		sgPath:   []byte(`{"guide_id":"LLA3WJ6DSZUfiaZDS79FH5Wm5m4X69TBic"}`),
	}
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		a, problem := sandbox.ParseAuthorization(r.Header.Get("Authorization"))
		sig, _ := base64.StdEncoding.DecodeString(a.Signature)
		sum := sha256.Sum256([]byte(r.Method + "\n" + r.RequestURI + "\n" + a.Timestamp + "\n" + a.NonceStr + "\n" + string(body) + "\n"))
		if problem != "" || rsa.VerifyPKCS1v15(&sb.MerchantPrivateKey.PublicKey, crypto.SHA256, sum[:], sig) != nil {
			w.WriteHeader(401)
			_, _ = io.WriteString(w, `{"code":"SIGN_ERROR","message":"签名错误"}`)
			return
		}
		out, ok := answers[r.URL.Path]
		if !ok {
			w.WriteHeader(404)
			return
		}
		for k, v := range sb.SignatureHeaders(out, time.Now()) {
			w.Header()[k] = v
		}
		w.Header().Set("Request-ID", "BENCH")
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(out)
	}))
	b.Cleanup(func() { e.srv.Close(); sb.Close() })
	return e
}

func (e *env) ours(b *testing.B) *core.Client {
	c, err := e.sb.Client(core.WithBaseURL(e.srv.URL))
	if err != nil {
		b.Fatal(err)
	}
	return c
}

func (e *env) wechatpayGo(b *testing.B) *wxcore.Client {
	c, err := wxcore.NewClient(context.Background(), option.WithWechatPayPublicKeyAuthCipher(
		e.sb.MerchantID, e.sb.MerchantSerialNo, e.sb.MerchantPrivateKey, e.sb.PublicKeyID, e.sb.PlatformPublicKey))
	if err != nil {
		b.Fatal(err)
	}
	return c
}

func (e *env) gopay(b *testing.B) *gopayv3.ClientV3 {
	keyPEM, err := os.ReadFile("../sandbox/testdata/merchant.pem")
	if err != nil {
		b.Fatal(err)
	}
	c, err := gopayv3.NewClientV3(e.sb.MerchantID, e.sb.MerchantSerialNo, e.sb.APIv3Key, string(keyPEM))
	if err != nil {
		b.Fatal(err)
	}
	pubDER, err := x509MarshalPKIX(e.sb.PlatformPublicKey)
	if err != nil {
		b.Fatal(err)
	}
	if err := c.AutoVerifySignByPublicKey(pubDER, e.sb.PublicKeyID); err != nil {
		b.Fatal(err)
	}
	c.SetProxyHost(e.srv.URL)
	return c
}

// floor is the least any SDK must do: sign, one loopback round trip,
// verify, decode.
type floor struct {
	hc        *http.Client
	url       string
	mchKey    *rsa.PrivateKey
	platform  *rsa.PublicKey
	mchID     string
	mchSerial string
}

func (e *env) floor() *floor {
	return &floor{hc: &http.Client{}, url: e.srv.URL, mchKey: e.sb.MerchantPrivateKey, platform: e.sb.PlatformPublicKey, mchID: e.sb.MerchantID, mchSerial: e.sb.MerchantSerialNo}
}

func (f *floor) call(path string, body []byte, serial string, out any) error {
	var nb [16]byte
	_, _ = rand.Read(nb[:])
	nonce := hex.EncodeToString(nb[:])
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	sum := sha256.Sum256([]byte("POST\n" + path + "\n" + ts + "\n" + nonce + "\n" + string(body) + "\n"))
	sig, err := rsa.SignPKCS1v15(nil, f.mchKey, crypto.SHA256, sum[:])
	if err != nil {
		return err
	}
	req, _ := http.NewRequest("POST", f.url+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", `WECHATPAY2-SHA256-RSA2048 mchid="`+f.mchID+`",nonce_str="`+nonce+`",signature="`+base64.StdEncoding.EncodeToString(sig)+`",timestamp="`+ts+`",serial_no="`+f.mchSerial+`"`)
	if serial != "" {
		req.Header.Set("Wechatpay-Serial", serial)
	}
	resp, err := f.hc.Do(req)
	if err != nil {
		return err
	}
	rb, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	rsig, _ := base64.StdEncoding.DecodeString(resp.Header.Get("Wechatpay-Signature"))
	rsum := sha256.Sum256([]byte(resp.Header.Get("Wechatpay-Timestamp") + "\n" + resp.Header.Get("Wechatpay-Nonce") + "\n" + string(rb) + "\n"))
	if err := rsa.VerifyPKCS1v15(f.platform, crypto.SHA256, rsum[:], rsig); err != nil {
		return err
	}
	return json.Unmarshal(rb, out)
}

func oaep(pub *rsa.PublicKey, s string) string {
	ct, err := utils.EncryptOAEPWithPublicKey(s, pub)
	if err != nil {
		panic(err)
	}
	return ct
}

// --- A signed call with a verified response: gold plan ---------------------

func BenchmarkSignedCall_GoldPlan(b *testing.B) {
	e := newEnv(b)
	ctx := context.Background()
	b.Run("floor", func(b *testing.B) {
		f := e.floor()
		body := []byte(`{"sub_mchid":"1900000109","operation_type":"OPEN"}`)
		b.ReportAllocs()
		for b.Loop() {
			var out struct {
				SubMchID string `json:"sub_mchid"`
			}
			if err := f.call(goldPath, body, "", &out); err != nil || out.SubMchID != subMchID {
				b.Fatal(err)
			}
		}
	})
	b.Run("wechatpay-biz-go", func(b *testing.B) {
		gp := goldplan.NewService(e.ours(b))
		b.ReportAllocs()
		for b.Loop() {
			resp, err := gp.ChangeGoldPlanStatus(ctx, &goldplan.ChangeGoldPlanStatusRequest{SubMchID: subMchID, OperationType: goldplan.OperationTypeOpen})
			if err != nil || resp.SubMchID != subMchID {
				b.Fatal(err)
			}
		}
	})
	b.Run("wechatpay-go", func(b *testing.B) {
		c := e.wechatpayGo(b)
		b.ReportAllocs()
		for b.Loop() {
			res, err := c.Post(ctx, e.srv.URL+goldPath, map[string]string{"sub_mchid": subMchID, "operation_type": "OPEN"})
			if err != nil {
				b.Fatal(err)
			}
			var out struct {
				SubMchID string `json:"sub_mchid"`
			}
			if err := wxcore.UnMarshalResponse(res.Response, &out); err != nil || out.SubMchID != subMchID {
				b.Fatal(err)
			}
		}
	})
	b.Run("gopay", func(b *testing.B) {
		c := e.gopay(b)
		b.ReportAllocs()
		for b.Loop() {
			bm := gopay.BodyMap{}
			bm.Set("sub_mchid", subMchID).Set("operation_type", "OPEN")
			rsp, err := c.V3GoldPlanManage(ctx, bm)
			if err != nil || rsp.Code != 0 || rsp.Response.SubMchid != subMchID {
				b.Fatal(err, rsp)
			}
		}
	})
}

// --- A signed call with two encrypted fields: smart guide Register -----------

func BenchmarkSignedCall_SmartGuideRegister(b *testing.B) {
	e := newEnv(b)
	ctx := context.Background()
	const name, mobile = "张三", "13900000000"
	b.Run("floor", func(b *testing.B) {
		f := e.floor()
		b.ReportAllocs()
		for b.Loop() {
			body, _ := json.Marshal(map[string]any{"corpid": "1234567890", "store_id": 1234, "userid": "robert",
				"name": oaep(e.sb.PlatformPublicKey, name), "mobile": oaep(e.sb.PlatformPublicKey, mobile),
				"qr_code": "https://open.work.weixin.qq.com/wwopen/userQRCode?vcode=xxx", "avatar": "http://wx.qlogo.cn/mmopen/ajNVdqHZLLA3W/0"})
			var out struct {
				GuideID string `json:"guide_id"`
			}
			if err := f.call(sgPath, body, e.sb.PublicKeyID, &out); err != nil || out.GuideID == "" {
				b.Fatal(err)
			}
		}
	})
	b.Run("wechatpay-biz-go", func(b *testing.B) {
		sg := smartguide.NewService(e.ours(b))
		b.ReportAllocs()
		for b.Loop() {
			resp, err := sg.Register(ctx, &smartguide.RegisterRequest{CorpID: "1234567890", StoreID: 1234, UserID: "robert", Name: name, Mobile: mobile,
				QRCode: "https://open.work.weixin.qq.com/wwopen/userQRCode?vcode=xxx", Avatar: "http://wx.qlogo.cn/mmopen/ajNVdqHZLLA3W/0"})
			if err != nil || resp.GuideID == "" {
				b.Fatal(err)
			}
		}
	})
	b.Run("wechatpay-go", func(b *testing.B) {
		c := e.wechatpayGo(b)
		b.ReportAllocs()
		for b.Loop() {
			body := map[string]any{"corpid": "1234567890", "store_id": 1234, "userid": "robert",
				"name": oaep(e.sb.PlatformPublicKey, name), "mobile": oaep(e.sb.PlatformPublicKey, mobile),
				"qr_code": "https://open.work.weixin.qq.com/wwopen/userQRCode?vcode=xxx", "avatar": "http://wx.qlogo.cn/mmopen/ajNVdqHZLLA3W/0"}
			h := http.Header{}
			h.Set("Wechatpay-Serial", e.sb.PublicKeyID)
			res, err := c.Request(ctx, "POST", e.srv.URL+sgPath, h, nil, body, "application/json")
			if err != nil {
				b.Fatal(err)
			}
			var out struct {
				GuideID string `json:"guide_id"`
			}
			if err := wxcore.UnMarshalResponse(res.Response, &out); err != nil || out.GuideID == "" {
				b.Fatal(err)
			}
		}
	})
	b.Run("gopay", func(b *testing.B) {
		c := e.gopay(b)
		b.ReportAllocs()
		for b.Loop() {
			n, _ := c.V3EncryptText(name)
			m, _ := c.V3EncryptText(mobile)
			bm := gopay.BodyMap{}
			bm.Set("corpid", "1234567890").Set("store_id", 1234).Set("userid", "robert").Set("name", n).Set("mobile", m).
				Set("qr_code", "https://open.work.weixin.qq.com/wwopen/userQRCode?vcode=xxx").Set("avatar", "http://wx.qlogo.cn/mmopen/ajNVdqHZLLA3W/0")
			rsp, err := c.V3SmartGuideReg(ctx, bm)
			if err != nil || rsp.Code != 0 || rsp.Response.GuideId == "" {
				b.Fatal(err, rsp)
			}
		}
	})
}

// --- Concurrency: parallel calls on one client --------------------------------

func BenchmarkParallel_GoldPlan(b *testing.B) {
	e := newEnv(b)
	ctx := context.Background()
	b.Run("wechatpay-biz-go", func(b *testing.B) {
		gp := goldplan.NewService(e.ours(b))
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := gp.ChangeGoldPlanStatus(ctx, &goldplan.ChangeGoldPlanStatusRequest{SubMchID: subMchID, OperationType: goldplan.OperationTypeOpen}); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	b.Run("wechatpay-go", func(b *testing.B) {
		c := e.wechatpayGo(b)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				res, err := c.Post(ctx, e.srv.URL+goldPath, map[string]string{"sub_mchid": subMchID, "operation_type": "OPEN"})
				if err != nil {
					b.Error(err)
					return
				}
				_ = wxcore.UnMarshalResponse(res.Response, &struct{}{})
			}
		})
	})
}

// --- Callback handling --------------------------------------------------------

func BenchmarkNotify(b *testing.B) {
	sb, err := sandbox.NewServer()
	if err != nil {
		b.Fatal(err)
	}
	defer sb.Close()
	resource := map[string]any{"out_order_no": "1234323JKHDFE1243252", "service_id": "500001", "appid": "wxd678efh567hg6787",
		"mchid": "1230000109", "openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", "state": "DONE", "total_amount": 40000}
	hdr, body, err := sb.BuildNotification(sandbox.Event{EventType: "PAYSCORE.USER_PAID", Summary: "支付成功", OriginalType: "payscore", Resource: resource})
	if err != nil {
		b.Fatal(err)
	}
	type paid struct {
		OutOrderNo  string `json:"out_order_no"`
		TotalAmount int64  `json:"total_amount"`
	}
	newReq := func() *http.Request {
		r, _ := http.NewRequest("POST", "/notify", bytes.NewReader(body))
		r.Header = hdr
		return r
	}
	ctx := context.Background()
	b.Run("floor", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			r := newReq()
			rb, _ := io.ReadAll(r.Body)
			sig, _ := base64.StdEncoding.DecodeString(r.Header.Get("Wechatpay-Signature"))
			sum := sha256.Sum256([]byte(r.Header.Get("Wechatpay-Timestamp") + "\n" + r.Header.Get("Wechatpay-Nonce") + "\n" + string(rb) + "\n"))
			if err := rsa.VerifyPKCS1v15(sb.PlatformPublicKey, crypto.SHA256, sum[:], sig); err != nil {
				b.Fatal(err)
			}
			var env struct {
				Resource struct{ Ciphertext, Nonce, AssociatedData string } `json:"resource"`
			}
			if err := json.Unmarshal(rb, &env); err != nil {
				b.Fatal(err)
			}
			pt, err := utils.DecryptAES256GCM(sb.APIv3Key, env.Resource.AssociatedData, env.Resource.Nonce, env.Resource.Ciphertext)
			if err != nil {
				b.Fatal(err)
			}
			var p paid
			if err := json.Unmarshal([]byte(pt), &p); err != nil || p.TotalAmount != 40000 {
				b.Fatal(err)
			}
		}
	})
	b.Run("wechatpay-biz-go", func(b *testing.B) {
		c, err := sb.Client()
		if err != nil {
			b.Fatal(err)
		}
		h, err := notify.NewHandler(c)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			n, err := h.Parse(ctx, newReq())
			if err != nil {
				b.Fatal(err)
			}
			var p paid
			if err := n.Decode(&p); err != nil || p.TotalAmount != 40000 {
				b.Fatal(err)
			}
		}
	})
	b.Run("wechatpay-go", func(b *testing.B) {
		h, err := wxnotify.NewRSANotifyHandler(sb.APIv3Key, verifierFor(sb))
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			var p paid
			if _, err := h.ParseNotifyRequest(ctx, newReq(), &p); err != nil || p.TotalAmount != 40000 {
				b.Fatal(err)
			}
		}
	})
}

// --- Bills: 1,000,000-row trade bill ------------------------------------------

// billReader streams a trade bill (ALL layout) of n rows without holding it.
type billReader struct {
	n, i  int
	buf   bytes.Buffer
	state int
	total int64
}

const allHeader = "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注\n"

func (r *billReader) Read(p []byte) (int, error) {
	for r.buf.Len() < len(p) {
		switch {
		case r.state == 0:
			r.buf.WriteString(allHeader)
			r.state = 1
		case r.state == 1 && r.i < r.n:
			amt := int64(r.i%50000 + 1)
			r.total += amt
			fmt.Fprintf(&r.buf, "`2026-11-25 %02d:%02d:%02d,`wxd678efh567hg6787,`1900000109,`0,`,`42000012%018d,`ORDER%010d,`oUpF8uMuAJO_M2pxb1Q9zNjWeS6o,`JSAPI,`SUCCESS,`OTHERS,`CNY,`%d.%02d,`0.00,`0,`0,`0.00,`0.00,`,`,`商品，含逗号\"引号\",`attach,`0.00600,`0.60%%,`%d.%02d,`0.00,`\n",
				r.i/3600%24, r.i/60%60, r.i%60, r.i, r.i, amt/100, amt%100, amt/100, amt%100)
			r.i++
		case r.state == 1:
			r.buf.WriteString("总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额\n")
			fmt.Fprintf(&r.buf, "`%d,`%d.%02d,`0.00,`0.00,`0.00000,`%d.%02d,`0.00\n", r.n, r.total/100, r.total%100, r.total/100, r.total%100)
			r.state = 2
		default:
			if r.buf.Len() == 0 {
				return 0, io.EOF
			}
			return r.buf.Read(p)
		}
	}
	return r.buf.Read(p)
}

const billRows = 1_000_000

func billSize() int64 {
	n, _ := io.Copy(io.Discard, &billReader{n: billRows})
	return n
}

func BenchmarkTradeBill1M(b *testing.B) {
	size := billSize()
	b.Run("wechatpay-biz-go", func(b *testing.B) {
		b.SetBytes(size)
		b.ReportAllocs()
		var peak uint64
		for b.Loop() {
			r := bill.NewTradeBillReader(&billReader{n: billRows})
			rows := 0
			for {
				_, err := r.Read()
				if err == io.EOF {
					break
				}
				if err != nil {
					b.Fatal(err)
				}
				rows++
				if rows%200_000 == 0 {
					peak = max(peak, heapInUse())
				}
			}
			if rows != billRows {
				b.Fatalf("rows = %d", rows)
			}
		}
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	})
	b.Run("encoding-csv", func(b *testing.B) {
		b.SetBytes(size)
		b.ReportAllocs()
		var peak uint64
		for b.Loop() {
			r := csv.NewReader(&billReader{n: billRows})
			r.FieldsPerRecord = -1
			r.LazyQuotes = true
			r.ReuseRecord = true
			rows := 0
			for {
				_, err := r.Read()
				if err == io.EOF {
					break
				}
				if err != nil {
					b.Fatal(err)
				}
				rows++
				if rows%200_000 == 0 {
					peak = max(peak, heapInUse())
				}
			}
		}
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	})
}

func heapInUse() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}
