package sandbox

import (
	"errors"

	"github.com/wechatpay-biz/wechatpay-biz-go/goldplan"
)

// GoldPlanReceiptURL returns the URL WeChat Pay's gold plan page would load
// in its receipt iframe after the JSAPI payment outTradeNo of sub-merchant
// subMchID: receiptURL (as configured in the service-provider platform,
// https, without a query) with sub_mch_id, out_trade_no and a valid
// check_code. As on the real service, the sub-merchant needs both its gold
// plan and its custom receipt page open, and the payment must be in the
// ledger.
func (s *Server) GoldPlanReceiptURL(receiptURL, subMchID, outTradeNo string) (string, error) {
	rec := s.GoldPlanStatus(subMchID)
	switch {
	case !rec.GoldPlanOpen:
		return "", errors.New("sandbox: the sub-merchant's gold plan is closed: no gold plan page, no receipt")
	case !rec.CustomPageOpen:
		return "", errors.New("sandbox: the sub-merchant's custom receipt page is closed: the official receipt is shown")
	}
	for _, e := range s.Ledger() {
		if e.TradeState == "SUCCESS" && e.SubMchID == subMchID && e.OutTradeNo == outTradeNo && outTradeNo != "" {
			if e.TradeType != "JSAPI" {
				return "", errors.New("sandbox: the gold plan page follows JSAPI payments only")
			}
			return goldplan.BuildReceiptURL(receiptURL, subMchID, outTradeNo, e.TransactionID)
		}
	}
	return "", errors.New("sandbox: no such payment of the sub-merchant")
}
