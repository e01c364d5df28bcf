package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// PayScoreDirectCompletePath is the path of create-and-complete (创单结单合并)
// as the current official page documents it: without the /v3 prefix the
// other pay-score endpoints have. The sandbox serves exactly this path.
const PayScoreDirectCompletePath = "/payscore/serviceorder/direct-complete"

// payScoreDirectCompleteMaxDiscounts is the documented post_discounts limit
// of direct-complete (5, not 30 as elsewhere).
const payScoreDirectCompleteMaxDiscounts = 5

// installPayScoreExtras registers the pay-score endpoints beyond the order
// life cycle: create-and-complete and the legacy user service state.
func (s *Server) installPayScoreExtras() {
	s.Handle("POST "+PayScoreDirectCompletePath, s.psDirectComplete)
	s.Handle("GET /v3/payscore/user-service-state", s.psUserServiceState)
}

// PayScoreEnableDirectComplete opens create-and-complete for a no-confirm
// service of the sandbox merchant, as WeChat Pay operations do on request.
func (s *Server) PayScoreEnableDirectComplete(serviceID string) error {
	ps := &s.payScore
	ps.mu.Lock()
	defer ps.mu.Unlock()
	svc, ok := ps.services[serviceID]
	switch {
	case !ok:
		return errors.New("sandbox: no such pay-score service")
	case !svc.NoConfirm:
		return errors.New("sandbox: create-and-complete is only for no-confirm services")
	}
	svc.DirectComplete = true
	ps.services[serviceID] = svc
	return nil
}

type psDirectCompleteWire struct {
	OutOrderNo          string       `json:"out_order_no"`
	AppID               string       `json:"appid"`
	OpenID              string       `json:"openid"`
	ServiceID           string       `json:"service_id"`
	ServiceIntroduction string       `json:"service_introduction"`
	PostPayments        []psPayment  `json:"post_payments"`
	PostDiscounts       []psDiscount `json:"post_discounts,omitempty"`
	TimeRange           *psTimeRange `json:"time_range"`
	Location            *psLocation  `json:"location,omitempty"`
	TotalAmount         *int64       `json:"total_amount"`
	ProfitSharing       *bool        `json:"profit_sharing,omitempty"`
	GoodsTag            *string      `json:"goods_tag,omitempty"`
	Attach              *string      `json:"attach,omitempty"`
	NotifyURL           *string      `json:"notify_url,omitempty"`
}

// psDirectComplete creates an order and completes it at once, for a user
// who authorized a no-confirm service that has create-and-complete open.
// The order is left DOING/MCH_COMPLETE with collection USER_PAYING (DONE
// when the total is 0), exactly as after CompleteOrder:
// PayScoreSimulateUserPaid then deducts it and sends PAYSCORE.USER_PAID to
// the notify_url (or the service's NotifyURL).
func (s *Server) psDirectComplete(c *Call) Reply {
	var req psDirectCompleteWire
	if r := c.Decode(&req); r != nil {
		return *r
	}
	var chk psCheck
	chk.orderNo("/out_order_no", "body", req.OutOrderNo)
	s.psApp(&chk, "/appid", "body", req.AppID)
	chk.text("/openid", "body", req.OpenID, true, 128)
	svc, _ := s.psService(&chk, "/service_id", "body", req.ServiceID)
	chk.text("/service_introduction", "body", req.ServiceIntroduction, true, 20)
	chk.items(req.PostPayments, req.PostDiscounts, true, true, false)
	if len(req.PostDiscounts) > payScoreDirectCompleteMaxDiscounts {
		chk.fail("/post_discounts", "body", fmt.Sprintf("商户优惠最多 %d 条", payScoreDirectCompleteMaxDiscounts))
	}
	chk.timeRange(req.TimeRange, true, false)
	if tr := req.TimeRange; tr != nil {
		chk.opt("/time_range/start_time_remark", tr.StartTimeRemark, 20)
		chk.opt("/time_range/end_time_remark", tr.EndTimeRemark, 50)
	}
	if req.Location != nil {
		chk.opt("/location/start_location", req.Location.StartLocation, 0)
		chk.opt("/location/end_location", req.Location.EndLocation, 0)
	}
	chk.totalAmount(req.TotalAmount, req.PostPayments, req.PostDiscounts)
	chk.opt("/goods_tag", req.GoodsTag, 32)
	chk.opt("/attach", req.Attach, 256)
	if req.NotifyURL != nil {
		chk.callbackURL("/notify_url", *req.NotifyURL, true, true)
	}
	if chk.rep != nil {
		return *chk.rep
	}
	if !svc.NoConfirm || !svc.DirectComplete {
		return Error(http.StatusForbidden, "NO_AUTH", "商户未开通创单结单合并权限")
	}
	total := *req.TotalAmount
	if total > svc.RiskCeiling {
		return ParamError("/total_amount", "body", fmt.Sprintf("收款总金额超过服务的风险金额上限 %d 分", svc.RiskCeiling))
	}

	canon := psCanonical(req)
	ps := &s.payScore
	now := s.now()
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if o := ps.orders[req.OutOrderNo]; o != nil {
		if string(o.createBody) != string(canon) {
			return Error(http.StatusBadRequest, "INVALID_REQUEST", "商户订单号重复，且请求参数与原订单不一致")
		}
		return JSON(http.StatusOK, psDirectCompleteReply(o)) // identical repeat
	}
	if p := ps.perms[psUserKey{req.ServiceID, req.OpenID}]; p == nil || p.state != "AVAILABLE" {
		return Error(http.StatusBadRequest, "INVALID_REQUEST", "用户未授权该服务")
	}
	notifyURL := svc.NotifyURL
	if req.NotifyURL != nil {
		notifyURL = *req.NotifyURL
	}
	need := total > 0
	ps.seq++
	o := &psOrder{
		createBody: canon, created: now, queryID: psRandom(24),
		wire: psOrderWire{
			AppID: req.AppID, MchID: s.MerchantID, OutOrderNo: req.OutOrderNo, ServiceID: req.ServiceID,
			ServiceIntroduction: req.ServiceIntroduction, State: "DOING", StateDescription: "MCH_COMPLETE",
			PostPayments: req.PostPayments, PostDiscounts: req.PostDiscounts,
			// Enjoy-first (先享) is the only mode of no-confirm services; the
			// order's estimate is what is charged.
			RiskFund:  psRiskFund{Name: "ESTIMATE_ORDER_COST", Amount: &total},
			TimeRange: req.TimeRange, Location: req.Location, TotalAmount: &total, NeedCollection: &need,
			Collection: &psCollection{State: "USER_PAYING", TotalAmount: total, PayingAmount: total},
			NotifyURL:  notifyURL, OpenID: req.OpenID,
			OrderID: fmt.Sprintf("1000000000%s%09d", now.In(shanghai).Format("20060102150405"), ps.seq),
		},
	}
	if req.Attach != nil {
		o.wire.Attach = *req.Attach
	}
	if !need {
		o.wire.State, o.wire.StateDescription = "DONE", ""
		o.wire.Collection = &psCollection{State: "USER_PAID"}
	}
	ps.orders[o.wire.OutOrderNo] = o
	ps.byQuery[o.queryID] = o
	return JSON(http.StatusOK, psDirectCompleteReply(o))
}

// psDirectCompleteReply is the order as direct-complete answers it: the
// documented fields, without risk_fund and collection.
func psDirectCompleteReply(o *psOrder) map[string]any {
	b, err := json.Marshal(o.wire)
	if err != nil {
		panic("sandbox: encoding pay-score order: " + err.Error())
	}
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	delete(m, "risk_fund")
	delete(m, "collection")
	delete(m, "need_collection")
	return m
}

// psUserServiceState answers whether a user has enabled a service (the
// legacy ordinary-authorization query): AVAILABLE while the user's
// authorization is, UNAVAILABLE otherwise.
func (s *Server) psUserServiceState(c *Call) Reply {
	q := c.Request.URL.Query()
	var chk psCheck
	s.psService(&chk, "service_id", "query", q.Get("service_id"))
	s.psApp(&chk, "appid", "query", q.Get("appid"))
	chk.text("openid", "query", q.Get("openid"), true, 128)
	if chk.rep != nil {
		return *chk.rep
	}
	state := "UNAVAILABLE"
	ps := &s.payScore
	ps.mu.Lock()
	if p := ps.perms[psUserKey{q.Get("service_id"), q.Get("openid")}]; p != nil && p.state == "AVAILABLE" {
		state = "AVAILABLE"
	}
	ps.mu.Unlock()
	return JSON(http.StatusOK, map[string]string{
		"appid": q.Get("appid"), "service_id": q.Get("service_id"), "openid": q.Get("openid"), "use_service_state": state,
	})
}
