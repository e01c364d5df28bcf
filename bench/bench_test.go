// Package bench compares wechatpay-biz-go with wechatpay-go v0.2.21, go-pay/gopay
// v1.5.115 and a hand-written floor, all calling the same local servers with
// the same keys. It is a separate module so the SDK never depends on other
// SDKs.
//
//	make bench       # from the repository root: interleaved runs and the table
//
// Servers: a signing server (verifies every request's RSA signature and
// signs every answer, like WeChat Pay), a static server (pre-signed answers:
// no server RSA in the figures) and the same static server in a subprocess
// for the parallel benchmark (so this process's CPU time is the client's
// alone). Every benchmark reports cpu-ns/op (this process's CPU time per
// operation) next to the wall time.
package bench

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
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

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/goldplan"
	"github.com/wechatpay-biz/wechatpay-biz-go/notify"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
	"github.com/wechatpay-biz/wechatpay-biz-go/smartguide"
)

// --- Contenders -----------------------------------------------------------------

func ours(b *testing.B, sb *sandbox.Server, url string) *core.Client {
	c, err := sb.Client(core.WithBaseURL(url))
	if err != nil {
		b.Fatal(err)
	}
	return c
}

func wechatpayGo(b *testing.B, sb *sandbox.Server) *wxcore.Client {
	c, err := wxcore.NewClient(context.Background(), option.WithWechatPayPublicKeyAuthCipher(
		sb.MerchantID, sb.MerchantSerialNo, sb.MerchantPrivateKey, sb.PublicKeyID, sb.PlatformPublicKey))
	if err != nil {
		b.Fatal(err)
	}
	return c
}

func goPay(b *testing.B, sb *sandbox.Server, url string) *gopayv3.ClientV3 {
	keyPEM, err := os.ReadFile("../sandbox/testdata/merchant.pem")
	if err != nil {
		b.Fatal(err)
	}
	c, err := gopayv3.NewClientV3(sb.MerchantID, sb.MerchantSerialNo, sb.APIv3Key, string(keyPEM))
	if err != nil {
		b.Fatal(err)
	}
	pubPEM, err := x509MarshalPKIX(sb.PlatformPublicKey)
	if err != nil {
		b.Fatal(err)
	}
	if err := c.AutoVerifySignByPublicKey(pubPEM, sb.PublicKeyID); err != nil {
		b.Fatal(err)
	}
	c.SetProxyHost(url)
	return c
}

// floor is the least any SDK must do: sign, one loopback round trip,
// verify, decode, written the plain way with the standard library.
type floor struct {
	hc        *http.Client
	url       string
	mchKey    *rsa.PrivateKey
	platform  *rsa.PublicKey
	mchID     string
	mchSerial string
}

func newFloor(sb *sandbox.Server, url string) *floor {
	return &floor{hc: &http.Client{}, url: url, mchKey: sb.MerchantPrivateKey, platform: sb.PlatformPublicKey, mchID: sb.MerchantID, mchSerial: sb.MerchantSerialNo}
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
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("HTTP %d", resp.StatusCode)
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

// --- One gold-plan call per contender -----------------------------------------------

var goldBody = []byte(`{"sub_mchid":"1900000109","operation_type":"OPEN"}`)

type goldOut struct {
	SubMchID string `json:"sub_mchid"`
}

// goldCalls returns one gold-plan call per contender, in table order; each
// reports its first failure.
func goldCalls(b *testing.B, sb *sandbox.Server, url string) []struct {
	name string
	call func() error
} {
	ctx := context.Background()
	f := newFloor(sb, url)
	gp := goldplan.NewService(ours(b, sb, url))
	wx := wechatpayGo(b, sb)
	gc := goPay(b, sb, url)
	return []struct {
		name string
		call func() error
	}{
		{"floor", func() error {
			var out goldOut
			if err := f.call(goldPath, goldBody, "", &out); err != nil || out.SubMchID != subMchID {
				return fmt.Errorf("floor: %v %+v", err, out)
			}
			return nil
		}},
		{"wechatpay-biz-go", func() error {
			resp, err := gp.ChangeGoldPlanStatus(ctx, &goldplan.ChangeGoldPlanStatusRequest{SubMchID: subMchID, OperationType: goldplan.OperationTypeOpen})
			if err != nil || resp.SubMchID != subMchID {
				return fmt.Errorf("wechatpay-biz-go: %v", err)
			}
			return nil
		}},
		{"wechatpay-go", func() error {
			res, err := wx.Post(ctx, url+goldPath, map[string]string{"sub_mchid": subMchID, "operation_type": "OPEN"})
			if err != nil {
				return err
			}
			var out goldOut
			if err := wxcore.UnMarshalResponse(res.Response, &out); err != nil || out.SubMchID != subMchID {
				return fmt.Errorf("wechatpay-go: %v %+v", err, out)
			}
			return nil
		}},
		{"gopay", func() error {
			bm := gopay.BodyMap{}
			bm.Set("sub_mchid", subMchID).Set("operation_type", "OPEN")
			rsp, err := gc.V3GoldPlanManage(ctx, bm)
			if err != nil || rsp.Code != 0 || rsp.Response.SubMchid != subMchID {
				return fmt.Errorf("gopay: %v %+v", err, rsp)
			}
			return nil
		}},
	}
}

// --- A signed call with a verified answer: gold plan -----------------------------

// BenchmarkSignedCall_GoldPlan is one signed call with a verified answer
// against the static server (pre-signed answer): the client's own work, plus
// net/http's server side, which is the same for every contender.
func BenchmarkSignedCall_GoldPlan(b *testing.B) {
	sb := newSandbox(b)
	url := inProcess(b, newStaticHandler(sb))
	for _, c := range goldCalls(b, sb, url) {
		b.Run(c.name, func(b *testing.B) {
			loop(b, func() {
				if err := c.call(); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}

// BenchmarkSignedCall_GoldPlanSigningServer is the same call against a server
// that verifies every request's signature and signs every answer, as WeChat
// Pay does: its two RSA operations are in every figure.
func BenchmarkSignedCall_GoldPlanSigningServer(b *testing.B) {
	sb := newSandbox(b)
	url := inProcess(b, signingHandler(sb))
	for _, c := range goldCalls(b, sb, url) {
		b.Run(c.name, func(b *testing.B) {
			loop(b, func() {
				if err := c.call(); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}

// --- A signed call with two encrypted fields: smart guide Register -----------

func BenchmarkSignedCall_SmartGuideRegister(b *testing.B) {
	sb := newSandbox(b)
	url := inProcess(b, newStaticHandler(sb))
	ctx := context.Background()
	const name, mobile = "张三", "13900000000"
	b.Run("floor", func(b *testing.B) {
		f := newFloor(sb, url)
		loop(b, func() {
			body, _ := json.Marshal(map[string]any{"corpid": "1234567890", "store_id": 1234, "userid": "robert",
				"name": oaep(sb.PlatformPublicKey, name), "mobile": oaep(sb.PlatformPublicKey, mobile),
				"qr_code": "https://open.work.weixin.qq.com/wwopen/userQRCode?vcode=xxx", "avatar": "http://wx.qlogo.cn/mmopen/ajNVdqHZLLA3W/0"})
			var out struct {
				GuideID string `json:"guide_id"`
			}
			if err := f.call(sgPath, body, sb.PublicKeyID, &out); err != nil || out.GuideID == "" {
				b.Fatal(err)
			}
		})
	})
	b.Run("wechatpay-biz-go", func(b *testing.B) {
		sg := smartguide.NewService(ours(b, sb, url))
		loop(b, func() {
			resp, err := sg.Register(ctx, &smartguide.RegisterRequest{CorpID: "1234567890", StoreID: 1234, UserID: "robert", Name: name, Mobile: mobile,
				QRCode: "https://open.work.weixin.qq.com/wwopen/userQRCode?vcode=xxx", Avatar: "http://wx.qlogo.cn/mmopen/ajNVdqHZLLA3W/0"})
			if err != nil || resp.GuideID == "" {
				b.Fatal(err)
			}
		})
	})
	b.Run("wechatpay-go", func(b *testing.B) {
		c := wechatpayGo(b, sb)
		loop(b, func() {
			body := map[string]any{"corpid": "1234567890", "store_id": 1234, "userid": "robert",
				"name": oaep(sb.PlatformPublicKey, name), "mobile": oaep(sb.PlatformPublicKey, mobile),
				"qr_code": "https://open.work.weixin.qq.com/wwopen/userQRCode?vcode=xxx", "avatar": "http://wx.qlogo.cn/mmopen/ajNVdqHZLLA3W/0"}
			h := http.Header{}
			h.Set("Wechatpay-Serial", sb.PublicKeyID)
			res, err := c.Request(ctx, "POST", url+sgPath, h, nil, body, "application/json")
			if err != nil {
				b.Fatal(err)
			}
			var out struct {
				GuideID string `json:"guide_id"`
			}
			if err := wxcore.UnMarshalResponse(res.Response, &out); err != nil || out.GuideID == "" {
				b.Fatal(err)
			}
		})
	})
	b.Run("gopay", func(b *testing.B) {
		c := goPay(b, sb, url)
		loop(b, func() {
			n, _ := c.V3EncryptText(name)
			m, _ := c.V3EncryptText(mobile)
			bm := gopay.BodyMap{}
			bm.Set("corpid", "1234567890").Set("store_id", 1234).Set("userid", "robert").Set("name", n).Set("mobile", m).
				Set("qr_code", "https://open.work.weixin.qq.com/wwopen/userQRCode?vcode=xxx").Set("avatar", "http://wx.qlogo.cn/mmopen/ajNVdqHZLLA3W/0")
			rsp, err := c.V3SmartGuideReg(ctx, bm)
			if err != nil || rsp.Code != 0 || rsp.Response.GuideId == "" {
				b.Fatal(err, rsp)
			}
		})
	})
}

// --- Parallel calls on one client, server in another process -------------------

// parallelProcs are the GOMAXPROCS values the parallel benchmark runs at.
var parallelProcs = []int{1, 2}

// BenchmarkParallel_GoldPlan shares one client of each contender between
// GOMAXPROCS goroutines (b.RunParallel) at 1 and 2 procs. The static server
// runs in a subprocess, so cpu-ns/op is the client's CPU time per call alone:
// flat from 1 to N procs means no contention inside the client. The
// subprocess shares the machine's cores, so wall time at N procs also
// carries its share.
func BenchmarkParallel_GoldPlan(b *testing.B) {
	sb := newSandbox(b)
	url := subprocess(b)
	calls := goldCalls(b, sb, url)
	for _, procs := range parallelProcs {
		for _, c := range calls {
			b.Run(fmt.Sprintf("procs=%d/%s", procs, c.name), func(b *testing.B) {
				prev := runtime.GOMAXPROCS(procs)
				defer runtime.GOMAXPROCS(prev)
				b.ReportAllocs()
				c0 := processCPU()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if err := c.call(); err != nil {
							b.Error(err)
							return
						}
					}
				})
				reportCPU(b, c0)
			})
		}
	}
}

// --- Callback handling --------------------------------------------------------

func BenchmarkNotify(b *testing.B) {
	sb := newSandbox(b)
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
		loop(b, func() {
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
		})
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
		loop(b, func() {
			n, err := h.Parse(ctx, newReq())
			if err != nil {
				b.Fatal(err)
			}
			var p paid
			if err := n.Decode(&p); err != nil || p.TotalAmount != 40000 {
				b.Fatal(err)
			}
		})
	})
	b.Run("wechatpay-go", func(b *testing.B) {
		h, err := wxnotify.NewRSANotifyHandler(sb.APIv3Key, verifierFor(sb))
		if err != nil {
			b.Fatal(err)
		}
		loop(b, func() {
			var p paid
			if _, err := h.ParseNotifyRequest(ctx, newReq(), &p); err != nil || p.TotalAmount != 40000 {
				b.Fatal(err)
			}
		})
	})
	b.Run("gopay", func(b *testing.B) {
		keys := map[string]*rsa.PublicKey{sb.PublicKeyID: sb.PlatformPublicKey}
		loop(b, func() {
			n, err := gopayv3.V3ParseNotify(newReq())
			if err != nil {
				b.Fatal(err)
			}
			if err := n.VerifySignByPKMap(keys); err != nil {
				b.Fatal(err)
			}
			var p paid
			if err := n.DecryptCipherTextToStruct(sb.APIv3Key, &p); err != nil || p.TotalAmount != 40000 {
				b.Fatal(err)
			}
		})
	})
}
