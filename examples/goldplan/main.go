// Command goldplan walks the 点金计划 flow from the development guide: a
// service provider opens the gold plan for a sub-merchant, opens its custom
// receipt page (商家小票), sets same-industry advert filters, and turns
// adverts on and off.
//
// Against the sandbox (the default) every step runs for sub-merchant
// 1900000110 and the sandbox's state is checked after each one. Against the
// real API (see examples/internal/setup) the same calls are made for the
// sub-merchant in WECHATPAY_GP_SUB_MCHID; they change that sub-merchant's
// settings, so the example refuses to run without it.
package main

import (
	"github.com/wechatpay-biz/wechatpay-biz-go/examples/internal/flows"
	"github.com/wechatpay-biz/wechatpay-biz-go/examples/internal/setup"
)

func main() { setup.Main("goldplan", flows.GoldPlan) }
