// Command payscore follows the Pay Score no-confirm development guide
// (微信支付分开发指引·免确认模式) end to end: query the user's authorization,
// pre-authorize, the user authorizes (callback verified), create an order
// without confirmation, complete it, receive the paid callback, and query the
// order DONE.
//
// Against the embedded sandbox (the default) the user's actions are
// simulated. Against the real API (see examples/internal/setup) it also
// needs WECHATPAY_APPID, WECHATPAY_PAYSCORE_SERVICE_ID and WECHATPAY_OPENID,
// and stops after printing the authorization page parameters: a real user
// has to authorize in WeChat first.
package main

import (
	"github.com/wechatpay-biz/wechatpay-biz-go/examples/internal/flows"
	"github.com/wechatpay-biz/wechatpay-biz-go/examples/internal/setup"
)

func main() { setup.Main("payscore", flows.PayScore) }
