// Command businesscircle walks the 智慧商圈 flow: a member authorizes the
// points service, pays in a mall store (MALL_TRANSACTION.SUCCESS), the mall
// syncs the points, and the purchase is refunded (MALL_REFUND.SUCCESS, sent
// only because the points were synced). It also queries the authorization
// and pending-points status and syncs a parking event.
//
// Against the sandbox (the default) every step runs. Against the real API
// (see examples/internal/setup) the simulated steps are skipped and only the
// queries run, for the member given in WECHATPAY_BC_APPID and
// WECHATPAY_BC_OPENID (and WECHATPAY_BC_BRANDID for the pending-points
// status).
package main

import (
	"github.com/wechatpay-biz/wechatpay-biz-go/examples/internal/flows"
	"github.com/wechatpay-biz/wechatpay-biz-go/examples/internal/setup"
)

func main() { setup.Main("businesscircle", flows.BusinessCircle) }
