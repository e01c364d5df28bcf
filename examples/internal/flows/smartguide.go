package flows

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/examples/internal/setup"
	"github.com/wechatpay-biz/wechatpay-biz-go/smartguide"
)

// SmartGuide walks the 支付即服务 flow from the development guide: a
// WeCom merchant registers a service person (name and mobile encrypted with
// the platform key), finds it by store, assigns it to an order before the
// order is paid, updates its details, and queries it again.
//
// Against the sandbox (the default) every step runs, with a service
// provider acting for sub-merchant 1900000110. Against the real API (see
// examples/internal/setup) only the read-only query runs, for the store in
// WECHATPAY_SG_STORE_ID (and sub-merchant WECHATPAY_SG_SUB_MCHID, if any):
// registering demo guides in production would be wrong.
func SmartGuide(ctx context.Context, env *setup.Env) error {
	if env.Real() {
		return sgRunReal(ctx, smartguide.NewService(env.Client))
	}
	return sgRunSandbox(ctx, env)
}

func sgRunSandbox(ctx context.Context, env *setup.Env) error {
	svc := smartguide.NewService(env.Client)
	sub := core.Ptr("1900000110")
	const store = 1234

	// 1. Register (服务人员注册): plaintext in, the SDK encrypts name and mobile.
	reg, err := svc.Register(ctx, &smartguide.RegisterRequest{
		SubMchID:    sub,
		CorpID:      "1234567890",
		StoreID:     store,
		UserID:      "robert",
		Name:        "张三",
		Mobile:      "13800138000",
		QRCode:      "https://open.work.weixin.qq.com/wwopen/userQRCode?vcode=xxx",
		Avatar:      "http://wx.qlogo.cn/mmopen/ajNVdqHZLLA3WJ6DSZUfiakYe37PKnQhBIeOQBO4czqrnZDS79FH5Wm5m4X69TBicnHFlhiafvDwklOpZeXYQQ2icg/0",
		GroupQRCode: core.Ptr("http://p.qpic.cn/wwhead/nMl9ssowtibVGyrmvBiaibzDtp/0"),
	})
	if err != nil {
		return fmt.Errorf("register: %w", err)
	}
	fmt.Printf("[register] POST /v3/smartguide/guides -> guide_id %s (Request-ID %s)\n", reg.GuideID, reg.RequestID)

	// 2. Query the store (服务人员查询): answers are decrypted with the merchant key.
	page, err := svc.Query(ctx, &smartguide.QueryRequest{SubMchID: sub, StoreID: store, Limit: core.Ptr(10)})
	if err != nil {
		return fmt.Errorf("query: %w", err)
	}
	fmt.Printf("[query] GET /v3/smartguide/guides?store_id=%d -> %d guide(s) (Request-ID %s)\n", store, page.TotalCount, page.RequestID)
	for _, g := range page.Data {
		fmt.Printf("        %s userid=%s name=%s mobile=%s\n", g.GuideID, g.UserID, sgMask(g.Name), sgMask(g.Mobile))
	}

	// 3. Assign to an order before it is paid (服务人员分配).
	outTradeNo := "SG" + strconv.FormatInt(time.Now().UnixNano(), 10)
	asg, err := svc.Assign(ctx, &smartguide.AssignRequest{GuideID: reg.GuideID, SubMchID: sub, OutTradeNo: outTradeNo})
	if err != nil {
		return fmt.Errorf("assign: %w", err)
	}
	fmt.Printf("[assign] POST /v3/smartguide/guides/%s/assign out_trade_no=%s -> %d (Request-ID %s)\n", reg.GuideID, outTradeNo, asg.StatusCode, asg.RequestID)
	if got, ok := env.Sandbox.SmartGuideAssignment(*sub, outTradeNo); !ok || got != reg.GuideID {
		return fmt.Errorf("sandbox did not record the assignment")
	}

	// 4. Update (服务人员信息更新): only the fields that change.
	upd, err := svc.Update(ctx, &smartguide.UpdateRequest{
		GuideID: reg.GuideID, SubMchID: sub, Name: core.Ptr("张三丰"), Mobile: core.Ptr("13600136000"),
	})
	if err != nil {
		return fmt.Errorf("update: %w", err)
	}
	fmt.Printf("[update] PATCH /v3/smartguide/guides/%s -> %d (Request-ID %s)\n", reg.GuideID, upd.StatusCode, upd.RequestID)

	// 5. Query again, by the new mobile number (encrypted and URL-encoded in the query).
	page, err = svc.Query(ctx, &smartguide.QueryRequest{SubMchID: sub, StoreID: store, Mobile: core.Ptr("13600136000")})
	if err != nil {
		return fmt.Errorf("query by mobile: %w", err)
	}
	if len(page.Data) != 1 || page.Data[0].Name != "张三丰" {
		return fmt.Errorf("query by mobile: want the updated guide, got %d guide(s)", len(page.Data))
	}
	g := page.Data[0]
	fmt.Printf("[query] GET /v3/smartguide/guides?mobile=<encrypted> -> %s name=%s mobile=%s (Request-ID %s)\n", g.GuideID, sgMask(g.Name), sgMask(g.Mobile), page.RequestID)
	return nil
}

func sgRunReal(ctx context.Context, svc *smartguide.Service) error {
	v, err := setup.Getenv("WECHATPAY_SG_STORE_ID")
	if err != nil {
		return fmt.Errorf("%w (the store whose guides are queried)", err)
	}
	store, err := strconv.ParseInt(v[0], 10, 64)
	if err != nil {
		return fmt.Errorf("WECHATPAY_SG_STORE_ID=%q is not a store ID (a number)", v[0])
	}
	req := &smartguide.QueryRequest{StoreID: store}
	if s := os.Getenv("WECHATPAY_SG_SUB_MCHID"); s != "" {
		req.SubMchID = &s
	}
	n := 0
	for g, err := range svc.QueryAll(ctx, req) {
		if err != nil {
			return fmt.Errorf("query: %w (request id %s)", err, core.RequestIDOf(err))
		}
		n++
		fmt.Printf("[query] %s userid=%s work_id=%s name=%s\n", g.GuideID, g.UserID, g.WorkID, sgMask(g.Name))
	}
	fmt.Printf("[query] store %d has %d guide(s)\n", store, n)
	return nil
}

// mask keeps the first character: decrypted names and numbers are personal
// data, even in a demo transcript.
func sgMask(s string) string {
	if s == "" {
		return ""
	}
	_, size := utf8.DecodeRuneInString(s)
	n := utf8.RuneCountInString(s) - 1
	out := s[:size]
	for range n {
		out += "*"
	}
	return out
}
