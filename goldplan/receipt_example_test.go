package goldplan_test

import (
	"fmt"
	"html/template"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/wechatpay-biz/wechatpay-biz-go/goldplan"
)

// receiptPage is the minimal receipt page: the content, then at once the
// onIframeReady message, well within the 3-second budget.
var receiptPage = template.Must(template.New("receipt").Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<script src="https://wx.gtimg.com/pay_h5/goldplan/js/jgoldplan-1.0.0.js"></script>
</head><body>
{{if .OK}}<p>取餐号 {{.PickupCode}}</p>{{end}}
<script>parent.postMessage({{.Ready}}, {{.Origin}});</script>
</body></html>`))

// A receipt page handler: parse and verify the parameters while rendering,
// then post onIframeReady — with the official receipt when the check fails,
// never staying silent.
func ExampleParseReceiptRequest() {
	const configured = "https://receipt.example.com/goldplan/receipt"        // as set in the service-provider platform
	orders := map[string]string{"ORDER0001": "4200000001202611250000000001"} // out_trade_no -> transaction_id, from your records

	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data := struct {
			OK            bool
			PickupCode    string
			Ready, Origin string
		}{Origin: goldplan.ReceiptParentOrigin}
		req, err := goldplan.ParseReceiptRequest(r.URL.RequestURI())
		if err == nil {
			err = req.Verify(configured, orders[req.OutTradeNo])
		}
		data.OK = err == nil
		style := goldplan.DisplayStyleOfficialPage
		if data.OK {
			style, data.PickupCode = goldplan.DisplayStyleCustomPage, "A023"
		}
		data.Ready = goldplan.ReadyMessage(style)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = receiptPage.Execute(w, data)
	})

	// WeChat Pay loads the page; here, a test builds the URL it would load.
	u, _ := goldplan.BuildReceiptURL(configured, "1900000109", "ORDER0001", "4200000001202611250000000001")
	for _, target := range []string{u, strings.Replace(u, "ORDER0001", "ORDER0002", 1)} {
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
		page := rec.Body.String()
		fmt.Println(strings.Contains(page, "取餐号"), strings.Contains(page, `SHOW_CUSTOM_PAGE`), strings.Contains(page, `"https://payapp.weixin.qq.com"`))
	}
	// Output:
	// true true true
	// false false true
}
