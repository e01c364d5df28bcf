package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"
)

// Pay score for service providers (服务商模式, /v3/payscore/partner/…). The
// sandbox merchant acts as the service provider: its AppID is the
// provider's AppID and its pay-score services (PayScoreNoConfirmServiceID,
// PayScoreConfirmServiceID) serve its sub-merchants. Authorizations are kept
// per sub-merchant; orders share the merchant's out_order_no namespace with
// the direct orders but belong to one sub-merchant, and are invisible
// through the direct APIs and through any other sub-merchant. Order state
// changes run through the direct state machine (payscore.go), so every
// transition, refusal and callback is the one of direct mode; the user's
// side is simulated with PayScoreSimulateUserConfirm and
// PayScoreSimulateUserPaid, as for direct orders, and with the
// PayScorePartnerSimulate… functions for authorizations.

// Sub-merchants known to the sandbox from the start.
const (
	// PayScorePartnerSubMchID is a sub-merchant of the sandbox merchant
	// that accepted the pay-score product authorization.
	PayScorePartnerSubMchID = "1900000110"
	// PayScorePartnerSubAppID is an AppID bound to PayScorePartnerSubMchID.
	PayScorePartnerSubAppID = "wxd678efh567hg6999"
	// PayScorePartnerSecondSubMchID is a second sub-merchant of the sandbox
	// merchant with the product authorized, to show that orders and
	// authorizations do not cross sub-merchants.
	PayScorePartnerSecondSubMchID = "1900000111"
	// PayScoreForeignSubMchID is a sub-merchant of another service
	// provider (PayScoreForeignSpMchID): every partner call naming it
	// answers 403 NO_AUTH.
	PayScoreForeignSubMchID = "1900000310"
	// PayScoreForeignSpMchID is the other service provider.
	PayScoreForeignSpMchID = "1900000300"
)

// PayScoreSubMerchant configures a sub-merchant for the partner pay-score
// APIs.
type PayScoreSubMerchant struct {
	// SubMchID is the sub-merchant ID (1-32 characters).
	SubMchID string
	// SpMchID is the service provider the sub-merchant belongs to; empty
	// means the sandbox merchant. Calls naming a sub-merchant of another
	// provider answer 403 NO_AUTH.
	SpMchID string
	// SubAppIDs are the AppIDs bound to the sub-merchant (sub_appid).
	SubAppIDs []string
	// Unauthorized: the sub-merchant has not accepted the provider's
	// pay-score product authorization (我的授权产品), so calls naming it
	// answer 403 NO_AUTH.
	Unauthorized bool
}

// psPartnerState is the service-provider part of payScoreState, guarded by
// payScoreState.mu.
type psPartnerState struct {
	subs   map[string]PayScoreSubMerchant
	perms  map[psPartnerUserKey]*psPartnerPermission // by sub-merchant, service and user
	byCode map[psUserKey]*psPartnerPermission        // by service and authorization code (unique under the provider)
	tokens map[string]*psPartnerToken
}

// psPartnerUserKey names a user of a sub-merchant's service: user is
// "o:"+openid (under the provider's AppID) or "s:"+sub_appid+"/"+sub_openid.
type psPartnerUserKey struct{ subMchID, serviceID, user string }

func psOpenIDUser(openID string) string                 { return "o:" + openID }
func psSubOpenIDUser(subAppID, subOpenID string) string { return "s:" + subAppID + "/" + subOpenID }

type psPartnerPermission struct {
	psPermission
	subMchID, subAppID, subOpenID string
}

type psPartnerToken struct {
	perm    *psPartnerPermission
	expires time.Time
}

// psPartnerCallKey marks a call delegated to the direct handlers by a
// partner handler; its value is the sub-merchant.
type psPartnerCallKey struct{}

// psPartnerSubOf returns the sub-merchant a delegated partner call acts for,
// or "" for a direct call.
func psPartnerSubOf(c *Call) string {
	sub, _ := c.Request.Context().Value(psPartnerCallKey{}).(string)
	return sub
}

// asPartner is c with body, acting for sub-merchant sub.
func (c *Call) asPartner(sub string, body []byte) *Call {
	ctx := context.WithValue(c.Request.Context(), psPartnerCallKey{}, sub)
	return &Call{Request: c.Request.WithContext(ctx), Body: body, server: c.server}
}

func (s *Server) installPayScorePartner() {
	pp := &s.payScore.partner
	pp.subs = map[string]PayScoreSubMerchant{
		PayScorePartnerSubMchID:       {SubMchID: PayScorePartnerSubMchID, SubAppIDs: []string{PayScorePartnerSubAppID}},
		PayScorePartnerSecondSubMchID: {SubMchID: PayScorePartnerSecondSubMchID},
		PayScoreForeignSubMchID:       {SubMchID: PayScoreForeignSubMchID, SpMchID: PayScoreForeignSpMchID},
	}
	pp.perms = map[psPartnerUserKey]*psPartnerPermission{}
	pp.byCode = map[psUserKey]*psPartnerPermission{}
	pp.tokens = map[string]*psPartnerToken{}

	s.Handle("POST /v3/payscore/partner/permissions", s.pspPreAuthorize)
	s.Handle("GET /v3/payscore/partner/permissions/search", s.pspQueryByOpenID)
	s.Handle("POST /v3/payscore/partner/permissions/terminate", s.pspTerminateByOpenID)
	s.Handle("GET /v3/payscore/partner/permissions/authorization-code/{authorization_code}", s.pspQueryByCode)
	s.Handle("POST /v3/payscore/partner/permissions/authorization-code/{authorization_code}/terminate", s.pspTerminateByCode)
	s.Handle("POST /v3/payscore/partner/serviceorder", s.pspCreate)
	s.Handle("GET /v3/payscore/partner/serviceorder", s.pspQuery)
	s.Handle("POST /v3/payscore/partner/serviceorder/{out_order_no}/cancel", s.pspWrite(s.psCancel, false))
	s.Handle("POST /v3/payscore/partner/serviceorder/{out_order_no}/modify", s.pspWrite(s.psModify, false))
	s.Handle("POST /v3/payscore/partner/serviceorder/{out_order_no}/complete", s.pspWrite(s.pspCompleteChecked, true))
	s.Handle("POST /v3/payscore/partner/serviceorder/{out_order_no}/sync", s.pspWrite(s.psSync, true))
	s.Handle("POST /v3/payscore/partner/serviceorder/{out_order_no}/pay", s.pspWrite(s.psPay, false))
}

// ---- controls ----

// PayScoreAddSubMerchant adds or replaces a sub-merchant of the partner
// pay-score APIs.
func (s *Server) PayScoreAddSubMerchant(sm PayScoreSubMerchant) error {
	if sm.SubMchID == "" || len(sm.SubMchID) > 32 {
		return errors.New("sandbox: PayScoreSubMerchant.SubMchID must be 1-32 characters")
	}
	if sm.SubMchID == s.MerchantID {
		return errors.New("sandbox: the sandbox merchant cannot be its own sub-merchant")
	}
	sm.SubAppIDs = slices.Clone(sm.SubAppIDs)
	ps := &s.payScore
	ps.mu.Lock()
	ps.partner.subs[sm.SubMchID] = sm
	ps.mu.Unlock()
	return nil
}

// PayScorePartnerSimulateUserAuthorize simulates a user opening the
// authorization page with applyPermissionsToken (from POST
// /v3/payscore/partner/permissions) and authorizing: the authorization
// becomes AVAILABLE for that sub-merchant and a PAYSCORE.USER_OPEN_SERVICE
// callback naming the sub-merchant is sent to the pre-authorization's
// notify_url (or the service's NotifyURL). openID is the user under the
// provider's AppID; subOpenID, the user under the pre-authorization's
// sub_appid, may be given when it named one.
func (s *Server) PayScorePartnerSimulateUserAuthorize(ctx context.Context, applyPermissionsToken, openID, subOpenID string) error {
	if openID == "" {
		return errors.New("sandbox: PayScorePartnerSimulateUserAuthorize needs an OpenID")
	}
	ps := &s.payScore
	now := s.now()
	ps.mu.Lock()
	tok := ps.partner.tokens[applyPermissionsToken]
	switch {
	case tok == nil:
		ps.mu.Unlock()
		return errors.New("sandbox: unknown partner apply_permissions_token")
	case !now.Before(tok.expires):
		ps.mu.Unlock()
		return errors.New("sandbox: the apply_permissions_token has expired (valid one hour)")
	}
	p := tok.perm
	switch {
	case p.state != "UNBINDUSER":
		ps.mu.Unlock()
		return fmt.Errorf("sandbox: the authorization is %s, not UNBINDUSER", p.state)
	case subOpenID != "" && p.subAppID == "":
		ps.mu.Unlock()
		return errors.New("sandbox: the pre-authorization named no sub_appid, so there is no sub_openid")
	}
	key := psPartnerUserKey{p.subMchID, p.serviceID, psOpenIDUser(openID)}
	if other := ps.partner.perms[key]; other != nil && other != p && other.state == "AVAILABLE" {
		ps.mu.Unlock()
		return errors.New("sandbox: this user already authorized the service for this sub-merchant under another authorization code")
	}
	p.openID, p.subOpenID, p.state, p.successTime = openID, subOpenID, "AVAILABLE", now
	ps.partner.perms[key] = p
	if subOpenID != "" {
		ps.partner.perms[psPartnerUserKey{p.subMchID, p.serviceID, psSubOpenIDUser(p.subAppID, subOpenID)}] = p
	}
	delete(ps.partner.tokens, applyPermissionsToken)
	ev, target := s.pspPermissionEvent(p, "USER_OPEN_SERVICE", now)
	ps.mu.Unlock()
	return s.psDeliver(ctx, target, ev)
}

// PayScorePartnerSimulateUserRevoke simulates the user openID withdrawing,
// in WeChat, the authorization of a service for a sub-merchant: it becomes
// UNAVAILABLE and a PAYSCORE.USER_CLOSE_SERVICE callback is sent. It fails,
// as in WeChat, while the user has unfinished orders of that sub-merchant's
// service.
func (s *Server) PayScorePartnerSimulateUserRevoke(ctx context.Context, subMchID, serviceID, openID string) error {
	ps := &s.payScore
	now := s.now()
	ps.mu.Lock()
	p := ps.partner.perms[psPartnerUserKey{subMchID, serviceID, psOpenIDUser(openID)}]
	if p == nil || p.state != "AVAILABLE" {
		ps.mu.Unlock()
		return errors.New("sandbox: the user has not authorized this service for this sub-merchant")
	}
	if ps.pspUnfinishedLocked(p, now) {
		ps.mu.Unlock()
		return errors.New("sandbox: the user has unfinished orders of this service")
	}
	p.state, p.cancelTime = "UNAVAILABLE", now
	ev, target := s.pspPermissionEvent(p, "USER_CLOSE_SERVICE", now)
	ps.mu.Unlock()
	return s.psDeliver(ctx, target, ev)
}

// pspPermissionEvent is the partner authorization callback: the direct
// payload plus the sub-merchant fields. Callers hold ps.mu.
func (s *Server) pspPermissionEvent(p *psPartnerPermission, status string, at time.Time) (Event, string) {
	ev, target := s.psPermissionEvent(&p.psPermission, status, at)
	res := ev.Resource.(map[string]string)
	res["sub_mchid"] = p.subMchID
	if p.subAppID != "" {
		res["sub_appid"] = p.subAppID
	}
	if p.subOpenID != "" {
		res["sub_openid"] = p.subOpenID
	}
	return ev, target
}

// ---- checks ----

// pspSub checks a sub_mchid: set, at most 32 characters, a sub-merchant of
// the sandbox merchant that accepted the product authorization.
func (s *Server) pspSub(chk *psCheck, field, location, sub string) (PayScoreSubMerchant, bool) {
	chk.text(field, location, sub, true, 32)
	if chk.rep != nil {
		return PayScoreSubMerchant{}, false
	}
	s.payScore.mu.Lock()
	sm, ok := s.payScore.partner.subs[sub]
	s.payScore.mu.Unlock()
	var r Reply
	switch {
	case !ok || (sm.SpMchID != "" && sm.SpMchID != s.MerchantID):
		r = Error(http.StatusForbidden, "NO_AUTH", "特约商户与服务商不存在受理关系")
	case sm.Unauthorized:
		r = Error(http.StatusForbidden, "NO_AUTH", "特约商户未授权服务商使用微信支付分")
	default:
		return sm, true
	}
	chk.rep = &r
	return sm, false
}

// pspSubApp checks an optional sub_appid against the sub-merchant.
func pspSubApp(chk *psCheck, field, location string, subAppID *string, sm PayScoreSubMerchant) {
	if subAppID == nil {
		return
	}
	chk.text(field, location, *subAppID, true, 32)
	if chk.rep == nil && !slices.Contains(sm.SubAppIDs, *subAppID) {
		r := Error(http.StatusBadRequest, "PARAM_ERROR", "sub_mchid和sub_appid未绑定")
		chk.rep = &r
	}
}

// pspUser checks how a request names the user: at most one of openid and
// sub_openid (exactly one when required), sub_openid only with sub_appid.
func pspUser(chk *psCheck, location string, openID, subOpenID, subAppID *string, required bool) {
	prefix := ""
	if location == "body" {
		prefix = "/"
	}
	switch {
	case openID != nil && subOpenID != nil:
		chk.fail(prefix+"sub_openid", location, "openid 和 sub_openid 只能填写其中一个")
	case openID == nil && subOpenID == nil && required:
		chk.fail(prefix+"openid", location, "openid 和 sub_openid 必须填写其中一个")
	}
	if openID != nil {
		chk.text(prefix+"openid", location, *openID, true, 128)
	}
	if subOpenID != nil {
		chk.text(prefix+"sub_openid", location, *subOpenID, true, 128)
		if subAppID == nil {
			chk.fail(prefix+"sub_appid", location, "填写 sub_openid 时 sub_appid 必填")
		}
	}
}

// pspFindUserLocked finds a user's authorization of a sub-merchant's
// service by openid or by sub_appid and sub_openid.
func (ps *payScoreState) pspFindUserLocked(sub, serviceID string, openID, subOpenID, subAppID *string) *psPartnerPermission {
	if openID != nil {
		return ps.partner.perms[psPartnerUserKey{sub, serviceID, psOpenIDUser(*openID)}]
	}
	if subOpenID != nil && subAppID != nil {
		return ps.partner.perms[psPartnerUserKey{sub, serviceID, psSubOpenIDUser(*subAppID, *subOpenID)}]
	}
	return nil
}

// pspUnfinishedLocked reports whether the user of p has a CREATED or DOING
// order of p's sub-merchant and service.
func (ps *payScoreState) pspUnfinishedLocked(p *psPartnerPermission, now time.Time) bool {
	for _, o := range ps.orders {
		o.expireLocked(now)
		w := &o.wire
		same := (p.openID != "" && w.OpenID == p.openID) || (p.subOpenID != "" && w.SubOpenID == p.subOpenID && w.SubAppID == p.subAppID)
		if w.SubMchID == p.subMchID && w.ServiceID == p.serviceID && same && (w.State == "CREATED" || w.State == "DOING") {
			return true
		}
	}
	return false
}

// ---- permissions ----

func (s *Server) pspPreAuthorize(c *Call) Reply {
	var req struct {
		ServiceID         string  `json:"service_id"`
		AppID             string  `json:"appid"`
		SubAppID          *string `json:"sub_appid"`
		SubMchID          string  `json:"sub_mchid"`
		AuthorizationCode string  `json:"authorization_code"`
		NotifyURL         *string `json:"notify_url"`
	}
	if r := c.Decode(&req); r != nil {
		return *r
	}
	var chk psCheck
	sm, _ := s.pspSub(&chk, "/sub_mchid", "body", req.SubMchID)
	svc, _ := s.psService(&chk, "/service_id", "body", req.ServiceID)
	s.psApp(&chk, "/appid", "body", req.AppID)
	pspSubApp(&chk, "/sub_appid", "body", req.SubAppID, sm)
	chk.orderNo("/authorization_code", "body", req.AuthorizationCode) // 1-32 of letters, digits and _-|*, as order numbers
	return s.psPreAuthorizeLocked(&chk, svc, req.NotifyURL, func(ps *payScoreState) (*psPermission, func(string, time.Time)) {
		key := psUserKey{req.ServiceID, req.AuthorizationCode}
		p := ps.partner.byCode[key]
		switch {
		case p == nil:
			p = &psPartnerPermission{
				psPermission: psPermission{serviceID: req.ServiceID, appID: req.AppID, code: req.AuthorizationCode, state: "UNBINDUSER"},
				subMchID:     req.SubMchID,
			}
			if req.SubAppID != nil {
				p.subAppID = *req.SubAppID
			}
			ps.partner.byCode[key] = p
		case p.state != "UNBINDUSER" || p.subMchID != req.SubMchID:
			return nil, nil
		}
		return &p.psPermission, func(token string, expires time.Time) {
			ps.partner.tokens[token] = &psPartnerToken{perm: p, expires: expires}
		}
	})
}

func (s *Server) pspPermissionWire(p *psPartnerPermission, withNotifyURL bool) map[string]any {
	m := s.psPermissionWire(&p.psPermission, withNotifyURL)
	m["sub_mchid"] = p.subMchID
	if p.subAppID != "" {
		m["sub_appid"] = p.subAppID
	}
	if p.subOpenID != "" {
		m["sub_openid"] = p.subOpenID
	}
	return m
}

func optionalQuery(c *Call, name string) *string {
	if v, ok := c.Request.URL.Query()[name]; ok && len(v) > 0 {
		return &v[0]
	}
	return nil
}

func (s *Server) pspQueryByOpenID(c *Call) Reply {
	sub, serviceID, appID := c.Query("sub_mchid"), c.Query("service_id"), c.Query("appid")
	subAppID, openID, subOpenID := optionalQuery(c, "sub_appid"), optionalQuery(c, "openid"), optionalQuery(c, "sub_openid")
	var chk psCheck
	sm, _ := s.pspSub(&chk, "sub_mchid", "query", sub)
	s.psService(&chk, "service_id", "query", serviceID)
	s.psApp(&chk, "appid", "query", appID)
	pspSubApp(&chk, "sub_appid", "query", subAppID, sm)
	pspUser(&chk, "query", openID, subOpenID, subAppID, true)
	return s.psLocked(&chk, func(ps *payScoreState) Reply {
		if p := ps.pspFindUserLocked(sub, serviceID, openID, subOpenID, subAppID); p != nil {
			return JSON(http.StatusOK, s.pspPermissionWire(p, false))
		}
		m := map[string]any{"service_id": serviceID, "appid": appID, "mchid": s.MerchantID, "sub_mchid": sub, "authorization_state": "UNAVAILABLE"}
		for k, v := range map[string]*string{"sub_appid": subAppID, "openid": openID, "sub_openid": subOpenID} {
			if v != nil {
				m[k] = *v
			}
		}
		return JSON(http.StatusOK, m)
	})
}

func (s *Server) pspQueryByCode(c *Call) Reply {
	code, sub, serviceID := c.PathValue("authorization_code"), c.Query("sub_mchid"), c.Query("service_id")
	var chk psCheck
	chk.orderNo("authorization_code", "path", code)
	s.pspSub(&chk, "sub_mchid", "query", sub)
	s.psService(&chk, "service_id", "query", serviceID)
	return s.psLocked(&chk, func(ps *payScoreState) Reply {
		p := ps.partner.byCode[psUserKey{serviceID, code}]
		if p == nil || p.subMchID != sub {
			return psNoPermission()
		}
		return JSON(http.StatusOK, s.pspPermissionWire(p, true))
	})
}

func (s *Server) pspTerminateByOpenID(c *Call) Reply {
	var req struct {
		ServiceID string  `json:"service_id"`
		SubMchID  string  `json:"sub_mchid"`
		AppID     string  `json:"appid"`
		SubAppID  *string `json:"sub_appid"`
		OpenID    *string `json:"openid"`
		SubOpenID *string `json:"sub_openid"`
		Reason    string  `json:"reason"`
	}
	if r := c.Decode(&req); r != nil {
		return *r
	}
	var chk psCheck
	sm, _ := s.pspSub(&chk, "/sub_mchid", "body", req.SubMchID)
	s.psService(&chk, "/service_id", "body", req.ServiceID)
	s.psApp(&chk, "/appid", "body", req.AppID)
	pspSubApp(&chk, "/sub_appid", "body", req.SubAppID, sm)
	pspUser(&chk, "body", req.OpenID, req.SubOpenID, req.SubAppID, true)
	chk.text("/reason", "body", req.Reason, true, 50)
	return s.psLocked(&chk, func(ps *payScoreState) Reply {
		return s.pspTerminateLocked(ps.pspFindUserLocked(req.SubMchID, req.ServiceID, req.OpenID, req.SubOpenID, req.SubAppID))
	})
}

func (s *Server) pspTerminateByCode(c *Call) Reply {
	var req struct {
		ServiceID string `json:"service_id"`
		SubMchID  string `json:"sub_mchid"`
		Reason    string `json:"reason"`
	}
	if r := c.Decode(&req); r != nil {
		return *r
	}
	code := c.PathValue("authorization_code")
	var chk psCheck
	chk.orderNo("authorization_code", "path", code)
	s.pspSub(&chk, "/sub_mchid", "body", req.SubMchID)
	s.psService(&chk, "/service_id", "body", req.ServiceID)
	chk.text("/reason", "body", req.Reason, true, 50)
	return s.psLocked(&chk, func(ps *payScoreState) Reply {
		p := ps.partner.byCode[psUserKey{req.ServiceID, code}]
		if p == nil || p.subMchID != req.SubMchID {
			return psNoPermission()
		}
		return s.pspTerminateLocked(p)
	})
}

func (s *Server) pspTerminateLocked(p *psPartnerPermission) Reply {
	if p == nil {
		return s.psTerminateWithLocked(nil, nil)
	}
	return s.psTerminateWithLocked(&p.psPermission, func(now time.Time) bool { return s.payScore.pspUnfinishedLocked(p, now) })
}

// ---- service orders ----

// pspCreate checks what is partner-specific in a create request (the
// sub-merchant, sub_appid, and how the user is named) and hands the request
// to the direct create, which checks everything else, admits the user
// (psPartnerAdmitLocked) and records the order for the sub-merchant
// (psPartnerFillLocked).
func (s *Server) pspCreate(c *Call) Reply {
	var req psCreateWire
	if r := c.Decode(&req); r != nil {
		return *r
	}
	var chk psCheck
	sm, _ := s.pspSub(&chk, "/sub_mchid", "body", req.SubMchID)
	pspSubApp(&chk, "/sub_appid", "body", req.SubAppID, sm)
	noConfirm := req.NeedUserConfirm != nil && !*req.NeedUserConfirm
	pspUser(&chk, "body", req.OpenID, req.SubOpenID, req.SubAppID, noConfirm)
	// Lengths the partner page documents (spec §9.6, from OA) and the
	// direct one does not.
	if rf := req.RiskFund; rf != nil {
		chk.opt("/risk_fund/description", rf.Description, 30)
	}
	if tr := req.TimeRange; tr != nil {
		chk.opt("/time_range/start_time_remark", tr.StartTimeRemark, 20)
		chk.opt("/time_range/end_time_remark", tr.EndTimeRemark, 50)
	}
	if chk.rep != nil {
		return *chk.rep
	}
	return s.psCreate(c.asPartner(req.SubMchID, c.Body))
}

// psPartnerAdmitLocked checks, for a no-confirm partner order, that the user
// authorized the sub-merchant's service and has no unfinished order of it.
func (s *Server) psPartnerAdmitLocked(req *psCreateWire, now time.Time) *Reply {
	ps := &s.payScore
	p := ps.pspFindUserLocked(req.SubMchID, req.ServiceID, req.OpenID, req.SubOpenID, req.SubAppID)
	var r Reply
	switch {
	case p == nil || p.state != "AVAILABLE":
		r = Error(http.StatusBadRequest, "INVALID_REQUEST", "用户未授权该服务")
	case ps.pspUnfinishedLocked(p, now):
		r = Error(http.StatusBadRequest, "INVALID_REQUEST", "存在未完结订单")
	default:
		return nil
	}
	return &r
}

// psPartnerFillLocked records a new order's sub-merchant fields; a
// no-confirm order also gets both of the authorized user's OpenIDs. It does
// nothing for a direct order.
func (s *Server) psPartnerFillLocked(o *psOrder, req *psCreateWire) {
	if req.SubMchID == "" {
		return
	}
	o.wire.SubMchID = req.SubMchID
	if req.SubAppID != nil {
		o.wire.SubAppID = *req.SubAppID
	}
	if req.SubOpenID != nil {
		o.wire.SubOpenID = *req.SubOpenID
	}
	if o.needConfirm {
		return
	}
	if p := s.payScore.pspFindUserLocked(req.SubMchID, req.ServiceID, req.OpenID, req.SubOpenID, req.SubAppID); p != nil {
		o.wire.OpenID = p.openID
		if p.subAppID == o.wire.SubAppID {
			o.wire.SubOpenID = p.subOpenID
		}
	}
}

func (s *Server) pspQuery(c *Call) Reply {
	q := c.Request.URL.Query()
	sub, outOrderNo, queryID := q.Get("sub_mchid"), q.Get("out_order_no"), q.Get("query_id")
	var chk psCheck
	s.pspSub(&chk, "sub_mchid", "query", sub)
	chk.orderRef(outOrderNo, queryID, 512)
	serviceID := q.Get("service_id")
	if q.Has("service_id") {
		s.psService(&chk, "service_id", "query", serviceID)
	}
	return s.psQueryLocked(&chk, outOrderNo, queryID, func(o *psOrder) bool {
		return o.wire.SubMchID == sub && (serviceID == "" || o.wire.ServiceID == serviceID)
	})
}

// pspWrite serves a partner write call (cancel, modify, complete, sync,
// pay) with the direct handler: it checks the sub-merchant, finds the
// sub-merchant's order, puts the order's appid (and service_id, when the
// partner call may leave it out) in place of sub_mchid, and answers 204
// where the direct handler answers 200. serviceRequired says whether the
// partner call must carry service_id itself.
func (s *Server) pspWrite(direct HandlerFunc, serviceRequired bool) HandlerFunc {
	return func(c *Call) Reply {
		var m map[string]json.RawMessage
		if r := c.Decode(&m); r != nil {
			return *r
		}
		var sub string
		if raw, ok := m["sub_mchid"]; ok && json.Unmarshal(raw, &sub) != nil {
			return ParamError("/sub_mchid", "body", "sub_mchid 应为字符串")
		}
		no := c.PathValue("out_order_no")
		var chk psCheck
		chk.orderNo("out_order_no", "path", no)
		s.pspSub(&chk, "/sub_mchid", "body", sub)
		if _, ok := m["service_id"]; serviceRequired && !ok {
			chk.fail("/service_id", "body", "字段必填")
		}
		if raw, ok := m["complete_time"]; ok {
			var t string
			if json.Unmarshal(raw, &t) != nil {
				chk.fail("/complete_time", "body", "格式应为 RFC 3339")
			} else if _, err := time.Parse(time.RFC3339, t); err != nil {
				chk.fail("/complete_time", "body", "格式应为 RFC 3339")
			}
		}
		if chk.rep != nil {
			return *chk.rep
		}
		ps := &s.payScore
		ps.mu.Lock()
		o := ps.orders[no]
		var appID, serviceID string
		if o != nil && o.wire.SubMchID == sub {
			appID, serviceID = o.wire.AppID, o.wire.ServiceID
		}
		ps.mu.Unlock()
		if appID == "" {
			return Error(http.StatusNotFound, "ORDER_NOT_EXIST", "订单不存在")
		}
		delete(m, "sub_mchid")
		delete(m, "complete_time") // not part of the order entity
		m["appid"], _ = json.Marshal(appID)
		if _, ok := m["service_id"]; !ok {
			m["service_id"], _ = json.Marshal(serviceID)
		}
		body, err := json.Marshal(m)
		if err != nil {
			return Error(http.StatusInternalServerError, "SYSTEM_ERROR", "sandbox: "+err.Error())
		}
		rep := direct(c.asPartner(sub, body))
		if rep.Status/100 == 2 || rep.Status == 0 {
			return NoContent()
		}
		return rep
	}
}

// pspCompleteChecked is the direct complete with what the partner page
// adds (spec §9.10): every discount has a description.
func (s *Server) pspCompleteChecked(c *Call) Reply {
	var req struct {
		PostDiscounts []psDiscount `json:"post_discounts"`
	}
	if r := c.Decode(&req); r != nil {
		return *r
	}
	var chk psCheck
	for i, d := range req.PostDiscounts {
		if d.Description == nil || *d.Description == "" {
			chk.fail(fmt.Sprintf("/post_discounts/%d/description", i), "body", "字段必填")
		}
	}
	if chk.rep != nil {
		return *chk.rep
	}
	return s.psComplete(c)
}
