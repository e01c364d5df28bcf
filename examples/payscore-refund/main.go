// Command payscore-refund charges a pay-score order and refunds part of it:
// the user's service state, create-and-complete in one call (创单结单合并,
// POST /payscore/serviceorder/direct-complete), the PAYSCORE.USER_PAID
// callback, a partial refund by the deduction's transaction_id (never the
// order's out_order_no), the REFUND.SUCCESS callback verified through
// notify, and the refund query.
//
// Against the embedded sandbox (the default) the user's steps and WeChat
// Pay's are simulated. Against the real API (see examples/internal/setup)
// it only queries the refund named by WECHATPAY_OUT_REFUND_NO (with
// WECHATPAY_SUB_MCHID for a sub-merchant's), when set.
package main

import (
	"github.com/wechatpay-biz/wechatpay-biz-go/examples/internal/flows"
	"github.com/wechatpay-biz/wechatpay-biz-go/examples/internal/setup"
)

func main() { setup.Main("payscore-refund", flows.Refund) }
