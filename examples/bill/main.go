// Command bill walks the bill flow: apply for yesterday's trade bill →
// download it (gzip) to a file, verified by its SHA-1 → parse it → print the
// totals and check the summary row against the rows; then the same for the
// fund-flow bill and, for service providers, one sub-merchant's encrypted
// fund-flow bill.
//
// Against the embedded sandbox it first records a day of business
// (sandbox-only step). Against the real API (see examples/internal/setup) it
// fetches the real bills; set WECHATPAY_SUB_MCHID to also fetch a
// sub-merchant's fund-flow bill.
package main

import (
	"github.com/wechatpay-biz/wechatpay-biz-go/examples/internal/flows"
	"github.com/wechatpay-biz/wechatpay-biz-go/examples/internal/setup"
)

func main() { setup.Main("bill", flows.Bill) }
