package sandbox

import (
	"context"
	"errors"
	"net/http"
	"time"
)

// installProductAdmin registers the admin endpoints that simulate the
// user's side of each product (what the Go Simulate… helpers do).
func (s *Server) installProductAdmin() {
	// Pay score (spec §4).
	s.handleAdmin("POST /sandbox/payscore/authorize", `{"apply_permissions_token":"…","openid":"…"}: the user authorizes (PAYSCORE.USER_OPEN_SERVICE)`,
		func(r *http.Request) (any, error) {
			var req struct {
				Token  string `json:"apply_permissions_token"`
				OpenID string `json:"openid"`
			}
			if err := decodeAdmin(r, &req); err != nil {
				return nil, err
			}
			return simulated(s.PayScoreSimulateUserAuthorize(r.Context(), req.Token, req.OpenID), nil)
		})
	s.handleAdmin("POST /sandbox/payscore/revoke", `{"service_id":"…","openid":"…"}: the user withdraws the authorization (PAYSCORE.USER_CLOSE_SERVICE)`,
		func(r *http.Request) (any, error) {
			var req struct {
				ServiceID string `json:"service_id"`
				OpenID    string `json:"openid"`
			}
			if err := decodeAdmin(r, &req); err != nil {
				return nil, err
			}
			return simulated(s.PayScoreSimulateUserRevoke(r.Context(), req.ServiceID, req.OpenID), nil)
		})
	s.handleAdmin("POST /sandbox/payscore/confirm", `{"out_order_no":"…","openid":"…"}: the user confirms a CREATED order (PAYSCORE.USER_CONFIRM); answers its query_id`,
		func(r *http.Request) (any, error) {
			var req struct {
				OutOrderNo string `json:"out_order_no"`
				OpenID     string `json:"openid"`
			}
			if err := decodeAdmin(r, &req); err != nil {
				return nil, err
			}
			qid, err := s.PayScoreSimulateUserConfirm(r.Context(), req.OutOrderNo, req.OpenID)
			return simulated(err, map[string]any{"query_id": qid})
		})
	s.handleAdmin("POST /sandbox/payscore/pay", `{"out_order_no":"…"}: Pay Score collects a completed order (PAYSCORE.USER_PAID); answers the transaction_id`,
		func(r *http.Request) (any, error) {
			var req struct {
				OutOrderNo string `json:"out_order_no"`
			}
			if err := decodeAdmin(r, &req); err != nil {
				return nil, err
			}
			tx, err := s.PayScoreSimulateUserPaid(r.Context(), req.OutOrderNo)
			return simulated(err, map[string]any{"transaction_id": tx})
		})
	s.handleAdmin("POST /sandbox/payscore/expire", `{"out_order_no":"…"}: a CREATED order expires unconfirmed`,
		func(r *http.Request) (any, error) {
			var req struct {
				OutOrderNo string `json:"out_order_no"`
			}
			if err := decodeAdmin(r, &req); err != nil {
				return nil, err
			}
			if err := s.PayScoreExpireOrder(req.OutOrderNo); err != nil {
				return nil, err
			}
			return map[string]any{"ok": true}, nil
		})

	s.handleAdmin("POST /sandbox/payscore/direct-complete", `{"service_id":"…"}: WeChat Pay opens create-and-complete for a no-confirm service`,
		func(r *http.Request) (any, error) {
			var req struct {
				ServiceID string `json:"service_id"`
			}
			if err := decodeAdmin(r, &req); err != nil {
				return nil, err
			}
			if err := s.PayScoreEnableDirectComplete(req.ServiceID); err != nil {
				return nil, err
			}
			return map[string]any{"ok": true}, nil
		})

	// Pay score for service providers (spec §9).
	s.handleAdmin("POST /sandbox/payscore/partner/authorize", `{"apply_permissions_token":"…","openid":"…","sub_openid":"…"}: the user authorizes a sub-merchant's service (PAYSCORE.USER_OPEN_SERVICE); sub_openid is optional`,
		func(r *http.Request) (any, error) {
			var req struct {
				Token     string `json:"apply_permissions_token"`
				OpenID    string `json:"openid"`
				SubOpenID string `json:"sub_openid"`
			}
			if err := decodeAdmin(r, &req); err != nil {
				return nil, err
			}
			return simulated(s.PayScorePartnerSimulateUserAuthorize(r.Context(), req.Token, req.OpenID, req.SubOpenID), nil)
		})
	s.handleAdmin("POST /sandbox/payscore/partner/revoke", `{"sub_mchid":"…","service_id":"…","openid":"…"}: the user withdraws a sub-merchant's authorization (PAYSCORE.USER_CLOSE_SERVICE)`,
		func(r *http.Request) (any, error) {
			var req struct {
				SubMchID  string `json:"sub_mchid"`
				ServiceID string `json:"service_id"`
				OpenID    string `json:"openid"`
			}
			if err := decodeAdmin(r, &req); err != nil {
				return nil, err
			}
			return simulated(s.PayScorePartnerSimulateUserRevoke(r.Context(), req.SubMchID, req.ServiceID, req.OpenID), nil)
		})

	// Refunds (spec §11).
	s.handleAdmin("POST /sandbox/refunds/notify-url", `{"url":"…"}: the refund callback URL configured in the merchant platform ("" for none)`,
		func(r *http.Request) (any, error) {
			var req struct {
				URL string `json:"url"`
			}
			if err := decodeAdmin(r, &req); err != nil {
				return nil, err
			}
			s.RefundSetNotifyURL(req.URL)
			return map[string]any{"ok": true}, nil
		})
	s.handleAdmin("POST /sandbox/refunds/finish", `{"refund_id":"…","status":"SUCCESS"}: a PROCESSING refund ends SUCCESS, CLOSED or ABNORMAL (REFUND.<status>)`,
		func(r *http.Request) (any, error) {
			var req struct {
				RefundID string `json:"refund_id"`
				Status   string `json:"status"`
			}
			if err := decodeAdmin(r, &req); err != nil {
				return nil, err
			}
			finish := map[string]func(context.Context, string) error{
				"SUCCESS": s.RefundSimulateSuccess, "CLOSED": s.RefundSimulateClose, "ABNORMAL": s.RefundSimulateAbnormal,
			}[req.Status]
			if finish == nil {
				return nil, errors.New(`status is SUCCESS, CLOSED or ABNORMAL`)
			}
			return simulated(finish(r.Context(), req.RefundID), nil)
		})

	// Business circle (spec §2).
	s.handleAdmin("POST /sandbox/businesscircle/notify-urls", `{"consumption_url":"…","activation_url":"…"}: where mall callbacks go`,
		func(r *http.Request) (any, error) {
			var req struct {
				Consumption string `json:"consumption_url"`
				Activation  string `json:"activation_url"`
			}
			if err := decodeAdmin(r, &req); err != nil {
				return nil, err
			}
			s.BusinessCircleSetNotifyURLs(req.Consumption, req.Activation)
			return map[string]any{"ok": true}, nil
		})
	s.handleAdmin("POST /sandbox/businesscircle/authorize", `{"appid":"…","openid":"…"}: a member authorizes the points service (MALL_AUTH.ACTIVATE_CARD)`,
		func(r *http.Request) (any, error) {
			var req struct {
				AppID  string `json:"appid"`
				OpenID string `json:"openid"`
			}
			if err := decodeAdmin(r, &req); err != nil {
				return nil, err
			}
			if req.AppID == "" {
				req.AppID = s.AppID
			}
			code, err := s.BusinessCircleAuthorize(r.Context(), req.AppID, req.OpenID)
			return simulated(err, map[string]any{"code": code})
		})
	s.handleAdmin("POST /sandbox/businesscircle/transaction", `{"openid":"…","amount":2500,"appid":"…","sub_mchid":"…","shop_name":"…","shop_number":"…","pending":false}: a member pays in a mall shop (MALL_TRANSACTION.SUCCESS)`,
		func(r *http.Request) (any, error) {
			var req struct {
				AppID      string `json:"appid"`
				OpenID     string `json:"openid"`
				Amount     int64  `json:"amount"`
				SubMchID   string `json:"sub_mchid"`
				ShopName   string `json:"shop_name"`
				ShopNumber string `json:"shop_number"`
				Pending    bool   `json:"pending"`
			}
			if err := decodeAdmin(r, &req); err != nil {
				return nil, err
			}
			tx, err := s.BusinessCircleSimulateTransaction(r.Context(), BusinessCircleTransaction{
				AppID: req.AppID, OpenID: req.OpenID, AmountFen: req.Amount, SubMchID: req.SubMchID,
				ShopName: req.ShopName, ShopNumber: req.ShopNumber, Pending: req.Pending,
			})
			return simulated(err, map[string]any{"transaction_id": tx})
		})
	s.handleAdmin("POST /sandbox/businesscircle/refund", `{"transaction_id":"…","refund_amount":500}: a mall purchase is refunded (MALL_REFUND.SUCCESS when its points were synced)`,
		func(r *http.Request) (any, error) {
			var req struct {
				TransactionID string `json:"transaction_id"`
				Amount        int64  `json:"refund_amount"`
			}
			if err := decodeAdmin(r, &req); err != nil {
				return nil, err
			}
			id, notified, err := s.BusinessCircleSimulateRefund(r.Context(), req.TransactionID, req.Amount)
			return simulated(err, map[string]any{"refund_id": id, "notified": notified})
		})

	// Bills (spec §5).
	s.handleAdmin("POST /sandbox/bills/options", `{"serve_today":true,"download_ttl":"5m"}: same-day bills for demos; download link lifetime`,
		func(r *http.Request) (any, error) {
			var req struct {
				ServeToday  *bool          `json:"serve_today"`
				DownloadTTL *adminDuration `json:"download_ttl"`
			}
			if err := decodeAdmin(r, &req); err != nil {
				return nil, err
			}
			if req.ServeToday != nil {
				s.BillServeToday(*req.ServeToday)
			}
			if req.DownloadTTL != nil {
				if *req.DownloadTTL <= 0 {
					return nil, errors.New("download_ttl must be positive")
				}
				s.BillSetDownloadTTL(time.Duration(*req.DownloadTTL))
			}
			return map[string]any{"ok": true}, nil
		})
}
