package smartguide_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
	"github.com/wechatpay-biz/wechatpay-biz-go/smartguide"
)

// sandboxService returns a Service wired to a fresh sandbox.
func sandboxService() (*smartguide.Service, func(), error) {
	sb, err := sandbox.NewServer()
	if err != nil {
		return nil, nil, err
	}
	c, err := sb.Client()
	if err != nil {
		sb.Close()
		return nil, nil, err
	}
	return smartguide.NewService(c), sb.Close, nil
}

// A WeCom merchant registers a guide, assigns it to an order before payment,
// and looks it up; name and mobile travel encrypted both ways.
func Example() {
	svc, done, err := sandboxService()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer done()
	ctx := context.Background()

	reg, err := svc.Register(ctx, &smartguide.RegisterRequest{
		CorpID:  "wwd3a9b5c1e2f40001",
		StoreID: 1234,
		UserID:  "robert",
		Name:    "张三",          // plaintext: the SDK encrypts it
		Mobile:  "13800138000", // plaintext: the SDK encrypts it
		QRCode:  "https://open.work.weixin.qq.com/wwopen/userQRCode?vcode=xxx",
		Avatar:  "http://wx.qlogo.cn/mmopen/ajNVdqHZLLA3WJ6DSZUfiakYe37PKnQhBIeOQBO4czqrnZDS79FH5Wm5m4X69TBicnHFlhiafvDwklOpZeXYQQ2icg/0",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("registered, guide ID length:", len(reg.GuideID))

	if _, err := svc.Assign(ctx, &smartguide.AssignRequest{GuideID: reg.GuideID, OutTradeNo: "20150806125346"}); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("assigned to order 20150806125346")

	page, err := svc.Query(ctx, &smartguide.QueryRequest{StoreID: 1234, Mobile: core.Ptr("13800138000")})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, g := range page.Data {
		fmt.Println("found:", g.UserID, g.Name, g.Mobile, g.GuideID == reg.GuideID)
	}
	// Output:
	// registered, guide ID length: 34
	// assigned to order 20150806125346
	// found: robert 张三 13800138000 true
}

// QueryAll pages through a store's guides, ten at a time.
func ExampleService_QueryAll() {
	svc, done, err := sandboxService()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer done()
	ctx := context.Background()
	for i := range 12 {
		_, err := svc.Register(ctx, &smartguide.RegisterRequest{
			CorpID: "wwd3a9b5c1e2f40001", StoreID: 1234, UserID: fmt.Sprintf("staff%02d", i),
			Name: fmt.Sprintf("员工%02d", i), Mobile: fmt.Sprintf("138000000%02d", i),
			QRCode: "https://open.work.weixin.qq.com/wwopen/userQRCode?vcode=xxx", Avatar: "https://example.com/a.png",
		})
		if err != nil {
			fmt.Println(err)
			return
		}
	}
	n := 0
	for g, err := range svc.QueryAll(ctx, &smartguide.QueryRequest{StoreID: 1234}) {
		if err != nil {
			fmt.Println(err)
			return
		}
		if n++; n == 1 || n == 12 {
			fmt.Println(g.UserID, g.Name)
		}
	}
	fmt.Println("guides:", n)
	// Output:
	// staff00 员工00
	// staff11 员工11
	// guides: 12
}

// Update changes only the fields that are set.
func ExampleService_Update() {
	svc, done, err := sandboxService()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer done()
	ctx := context.Background()
	reg, err := svc.Register(ctx, &smartguide.RegisterRequest{
		CorpID: "wwd3a9b5c1e2f40001", StoreID: 1234, UserID: "robert", Name: "张三", Mobile: "13800138000",
		QRCode: "https://open.work.weixin.qq.com/wwopen/userQRCode?vcode=xxx", Avatar: "https://example.com/a.png",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	if _, err := svc.Update(ctx, &smartguide.UpdateRequest{GuideID: reg.GuideID, Name: core.Ptr("张三丰")}); err != nil {
		fmt.Println(err)
		return
	}
	page, err := svc.Query(ctx, &smartguide.QueryRequest{StoreID: 1234, UserID: core.Ptr("robert")})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(page.Data[0].Name, page.Data[0].Mobile)
	// Output: 张三丰 13800138000
}

// Requests are checked before anything is sent, and every problem is
// reported at once, without the values.
func ExampleService_Assign_validation() {
	svc, done, err := sandboxService()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer done()
	_, err = svc.Assign(context.Background(), &smartguide.AssignRequest{OutTradeNo: "订单 42"})
	var ve *core.ValidationError
	fmt.Println(errors.As(err, &ve))
	fmt.Println(err)
	// Output:
	// true
	// wechatpay: invalid smartguide.Assign request: guide_id: is required; out_trade_no: must be letters, digits and -_|* only
}
