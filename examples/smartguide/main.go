// Command smartguide walks the 支付即服务 flow from the development guide: a
// WeCom merchant registers a service person (name and mobile encrypted with
// the platform key), finds it by store, assigns it to an order before the
// order is paid, updates its details, and queries it again.
//
// Against the sandbox (the default) every step runs, with a service
// provider acting for sub-merchant 1900000110. Against the real API (see
// examples/internal/setup) only the read-only query runs, for the store in
// WECHATPAY_SG_STORE_ID (and sub-merchant WECHATPAY_SG_SUB_MCHID, if any):
// registering demo guides in production would be wrong.
package main

import (
	"github.com/wechatpay-biz/wechatpay-biz-go/examples/internal/flows"
	"github.com/wechatpay-biz/wechatpay-biz-go/examples/internal/setup"
)

func main() { setup.Main("smartguide", flows.SmartGuide) }
