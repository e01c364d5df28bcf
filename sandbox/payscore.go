package sandbox

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"sync"
	"time"
	"unicode/utf8"
)

// Pay-score services the sandbox merchant owns from the start.
const (
	// PayScoreNoConfirmServiceID is a no-confirm (免确认), enjoy-first (先享)
	// service: orders need the user's authorization and need_user_confirm
	// false, and use risk fund ESTIMATE_ORDER_COST.
	PayScoreNoConfirmServiceID = "500001"
	// PayScoreConfirmServiceID is a confirm-mode (需确认), deposit-free (先免)
	// service: orders start CREATED and use risk fund DEPOSIT, ADVANCE or
	// CASH_DEPOSIT.
	PayScoreConfirmServiceID = "500002"
	// PayScoreDefaultRiskCeiling is the risk ceiling of the default
	// services, in fen.
	PayScoreDefaultRiskCeiling int64 = 50000
)

// payScoreExpiry is how long an order may stay CREATED.
const payScoreExpiry = 30 * 24 * time.Hour

// payScoreTokenLife is how long an apply_permissions_token is valid.
const payScoreTokenLife = time.Hour

// PayScoreService configures a pay-score service of the sandbox merchant.
type PayScoreService struct {
	// ID is the service_id requests name, 1 to 32 characters (e.g.
	// 500001); adding a service with an existing ID replaces it.
	ID string
	// NoConfirm: orders are created with need_user_confirm false, for users
	// who authorized the service. Otherwise need_user_confirm must be true.
	NoConfirm bool
	// EnjoyFirst (先享): risk fund ESTIMATE_ORDER_COST and total_amount ≤
	// RiskCeiling. Otherwise deposit-free (先免): DEPOSIT, ADVANCE or
	// CASH_DEPOSIT and total_amount ≤ risk_fund.amount.
	EnjoyFirst bool
	// RiskCeiling caps risk_fund.amount (and the total of enjoy-first
	// orders), fen.
	RiskCeiling int64
	// NotifyURL receives authorization callbacks when the pre-authorization
	// gave none (the service-level callback URL).
	NotifyURL string
	// DirectComplete allows create-and-complete in one call (POST
	// /payscore/serviceorder/direct-complete), which WeChat Pay opens only
	// on request and only for no-confirm services.
	DirectComplete bool
}

// payScoreState is the sandbox's payscore state. Guarded by its own mutex;
// never held while doing I/O.
type payScoreState struct {
	mu       sync.Mutex
	services map[string]PayScoreService
	perms    map[psUserKey]*psPermission // by service and OpenID
	byCode   map[psUserKey]*psPermission // by service and authorization code
	tokens   map[string]*psToken
	orders   map[string]*psOrder // by out_order_no
	byQuery  map[string]*psOrder // by query_id
	seq      int
	partner  psPartnerState // service-provider mode (payscore_partner.go)
}

type psUserKey struct{ serviceID, key string }

type psPermission struct {
	serviceID, appID, openID, code, notifyURL string
	state                                     string
	successTime, cancelTime                   time.Time
}

type psToken struct {
	perm    *psPermission
	expires time.Time
}

type psOrder struct {
	wire        psOrderWire
	createBody  []byte // canonical create request, for idempotency
	completeReq []byte // canonical complete request, for idempotency
	cancelWire  []byte // canonical cancel request, for idempotency
	needConfirm bool
	queryID     string
	pkg         string
	created     time.Time
}

// Wire structs: what the sandbox reads and writes, independent of the SDK.

type psPayment struct {
	Name        string  `json:"name"`
	Amount      *int64  `json:"amount,omitempty"`
	Description *string `json:"description,omitempty"`
	Count       *int64  `json:"count,omitempty"`
}

type psDiscount struct {
	Name        string  `json:"name"`
	Description *string `json:"description,omitempty"`
	Amount      *int64  `json:"amount,omitempty"`
	Count       *int64  `json:"count,omitempty"`
}

type psTimeRange struct {
	StartTime       string  `json:"start_time"`
	StartTimeRemark *string `json:"start_time_remark,omitempty"`
	EndTime         *string `json:"end_time,omitempty"`
	EndTimeRemark   *string `json:"end_time_remark,omitempty"`
}

type psLocation struct {
	StartLocation *string `json:"start_location,omitempty"`
	EndLocation   *string `json:"end_location,omitempty"`
}

type psRiskFund struct {
	Name        string  `json:"name"`
	Amount      *int64  `json:"amount"`
	Description *string `json:"description,omitempty"`
}

type psDevice struct {
	StartDeviceID *string `json:"start_device_id,omitempty"`
	EndDeviceID   *string `json:"end_device_id,omitempty"`
	MaterielNo    *string `json:"materiel_no,omitempty"`
}

type psDetail struct {
	Seq           int64  `json:"seq"`
	Amount        int64  `json:"amount"`
	PaidType      string `json:"paid_type"`
	PaidTime      string `json:"paid_time"`
	TransactionID string `json:"transaction_id,omitempty"`
}

type psCollection struct {
	State        string     `json:"state"`
	TotalAmount  int64      `json:"total_amount"`
	PayingAmount int64      `json:"paying_amount"`
	PaidAmount   int64      `json:"paid_amount"`
	Details      []psDetail `json:"details,omitempty"`
	BankType     string     `json:"bank_type,omitempty"`
}

type psOrderWire struct {
	AppID               string        `json:"appid"`
	MchID               string        `json:"mchid"`
	OutOrderNo          string        `json:"out_order_no"`
	ServiceID           string        `json:"service_id"`
	ServiceIntroduction string        `json:"service_introduction"`
	State               string        `json:"state"`
	StateDescription    string        `json:"state_description,omitempty"`
	PostPayments        []psPayment   `json:"post_payments,omitempty"`
	PostDiscounts       []psDiscount  `json:"post_discounts,omitempty"`
	RiskFund            psRiskFund    `json:"risk_fund"`
	TotalAmount         *int64        `json:"total_amount,omitempty"`
	NeedCollection      *bool         `json:"need_collection,omitempty"`
	Collection          *psCollection `json:"collection,omitempty"`
	TimeRange           *psTimeRange  `json:"time_range,omitempty"`
	Location            *psLocation   `json:"location,omitempty"`
	Attach              string        `json:"attach,omitempty"`
	NotifyURL           string        `json:"notify_url,omitempty"`
	OpenID              string        `json:"openid,omitempty"`
	OrderID             string        `json:"order_id"`
	// Service-provider mode (payscore_partner.go): the order's
	// sub-merchant, "" for a direct order.
	SubMchID  string `json:"sub_mchid,omitempty"`
	SubAppID  string `json:"sub_appid,omitempty"`
	SubOpenID string `json:"sub_openid,omitempty"`
}

type psCreateWire struct {
	OutOrderNo          string       `json:"out_order_no"`
	AppID               string       `json:"appid"`
	ServiceID           string       `json:"service_id"`
	ServiceIntroduction string       `json:"service_introduction"`
	PostPayments        []psPayment  `json:"post_payments,omitempty"`
	PostDiscounts       []psDiscount `json:"post_discounts,omitempty"`
	TimeRange           *psTimeRange `json:"time_range"`
	Location            *psLocation  `json:"location,omitempty"`
	RiskFund            *psRiskFund  `json:"risk_fund"`
	Attach              *string      `json:"attach,omitempty"`
	NotifyURL           string       `json:"notify_url"`
	OpenID              *string      `json:"openid,omitempty"`
	NeedUserConfirm     *bool        `json:"need_user_confirm,omitempty"`
	Device              *psDevice    `json:"device,omitempty"`
	// Service-provider mode only (payscore_partner.go).
	SubMchID  string  `json:"sub_mchid,omitempty"`
	SubAppID  *string `json:"sub_appid,omitempty"`
	SubOpenID *string `json:"sub_openid,omitempty"`
}

type psAmountWire struct {
	AppID         string       `json:"appid"`
	ServiceID     string       `json:"service_id"`
	PostPayments  []psPayment  `json:"post_payments"`
	PostDiscounts []psDiscount `json:"post_discounts,omitempty"`
	TotalAmount   *int64       `json:"total_amount"`
	Reason        *string      `json:"reason,omitempty"` // modify
	TimeRange     *psTimeRange `json:"time_range,omitempty"`
	Location      *psLocation  `json:"location,omitempty"`
	ProfitSharing *bool        `json:"profit_sharing,omitempty"`
	GoodsTag      *string      `json:"goods_tag,omitempty"`
	Device        *psDevice    `json:"device,omitempty"`
}

// installPayScore registers the payscore endpoints.
func (s *Server) installPayScore() {
	ps := &s.payScore
	ps.services = map[string]PayScoreService{
		PayScoreNoConfirmServiceID: {ID: PayScoreNoConfirmServiceID, NoConfirm: true, EnjoyFirst: true, RiskCeiling: PayScoreDefaultRiskCeiling},
		PayScoreConfirmServiceID:   {ID: PayScoreConfirmServiceID, RiskCeiling: PayScoreDefaultRiskCeiling},
	}
	ps.perms = map[psUserKey]*psPermission{}
	ps.byCode = map[psUserKey]*psPermission{}
	ps.tokens = map[string]*psToken{}
	ps.orders = map[string]*psOrder{}
	ps.byQuery = map[string]*psOrder{}

	s.Handle("POST /v3/payscore/permissions", s.psPreAuthorize)
	s.Handle("GET /v3/payscore/permissions/openid/{openid}", s.psQueryByOpenID)
	s.Handle("POST /v3/payscore/permissions/openid/{openid}/terminate", s.psTerminateByOpenID)
	s.Handle("GET /v3/payscore/permissions/authorization-code/{authorization_code}", s.psQueryByCode)
	s.Handle("POST /v3/payscore/permissions/authorization-code/{authorization_code}/terminate", s.psTerminateByCode)
	s.Handle("POST /v3/payscore/serviceorder", s.psCreate)
	s.Handle("GET /v3/payscore/serviceorder", s.psQuery)
	s.Handle("POST /v3/payscore/serviceorder/{out_order_no}/cancel", s.psCancel)
	s.Handle("POST /v3/payscore/serviceorder/{out_order_no}/modify", s.psModify)
	s.Handle("POST /v3/payscore/serviceorder/{out_order_no}/complete", s.psComplete)
	s.Handle("POST /v3/payscore/serviceorder/{out_order_no}/sync", s.psSync)
	s.Handle("POST /v3/payscore/serviceorder/{out_order_no}/pay", s.psPay)
	s.installPayScorePartner()
}

// ---- controls ----

// PayScoreAddService adds or replaces a pay-score service of the sandbox
// merchant.
func (s *Server) PayScoreAddService(svc PayScoreService) error {
	if svc.ID == "" || utf8.RuneCountInString(svc.ID) > 32 {
		return errors.New("sandbox: PayScoreService.ID must be 1-32 characters")
	}
	if svc.RiskCeiling <= 0 {
		return errors.New("sandbox: PayScoreService.RiskCeiling must be positive")
	}
	ps := &s.payScore
	ps.mu.Lock()
	ps.services[svc.ID] = svc
	ps.mu.Unlock()
	return nil
}

// PayScoreSimulateUserAuthorize simulates the user openID opening the
// authorization page with applyPermissionsToken (from POST
// /v3/payscore/permissions) and authorizing: the permission becomes
// AVAILABLE and a PAYSCORE.USER_OPEN_SERVICE callback is sent to the
// pre-authorization's notify_url (or the service's NotifyURL).
func (s *Server) PayScoreSimulateUserAuthorize(ctx context.Context, applyPermissionsToken, openID string) error {
	if openID == "" {
		return errors.New("sandbox: PayScoreSimulateUserAuthorize needs an OpenID")
	}
	ps := &s.payScore
	now := s.now()
	ps.mu.Lock()
	tok := ps.tokens[applyPermissionsToken]
	switch {
	case tok == nil:
		ps.mu.Unlock()
		return errors.New("sandbox: unknown apply_permissions_token")
	case !now.Before(tok.expires):
		ps.mu.Unlock()
		return errors.New("sandbox: the apply_permissions_token has expired (valid one hour)")
	}
	p := tok.perm
	if p.state != "UNBINDUSER" {
		ps.mu.Unlock()
		return fmt.Errorf("sandbox: the authorization is %s, not UNBINDUSER", p.state)
	}
	if other := ps.perms[psUserKey{p.serviceID, openID}]; other != nil && other != p && other.state == "AVAILABLE" {
		ps.mu.Unlock()
		return errors.New("sandbox: this user already authorized the service under another authorization code")
	}
	p.openID, p.state, p.successTime = openID, "AVAILABLE", now
	ps.perms[psUserKey{p.serviceID, openID}] = p
	delete(ps.tokens, applyPermissionsToken)
	ev, target := s.psPermissionEvent(p, "USER_OPEN_SERVICE", now)
	ps.mu.Unlock()
	return s.psDeliver(ctx, target, ev)
}

// PayScoreSimulateUserRevoke simulates the user withdrawing the
// authorization of a service in WeChat: the permission becomes UNAVAILABLE
// and a PAYSCORE.USER_CLOSE_SERVICE callback is sent. It fails, as in
// WeChat, while the user has unfinished orders of the service.
func (s *Server) PayScoreSimulateUserRevoke(ctx context.Context, serviceID, openID string) error {
	ps := &s.payScore
	now := s.now()
	ps.mu.Lock()
	p := ps.perms[psUserKey{serviceID, openID}]
	if p == nil || p.state != "AVAILABLE" {
		ps.mu.Unlock()
		return errors.New("sandbox: the user has not authorized this service")
	}
	if ps.unfinishedLocked(serviceID, openID, now) {
		ps.mu.Unlock()
		return errors.New("sandbox: the user has unfinished orders of this service")
	}
	p.state, p.cancelTime = "UNAVAILABLE", now
	ev, target := s.psPermissionEvent(p, "USER_CLOSE_SERVICE", now)
	ps.mu.Unlock()
	return s.psDeliver(ctx, target, ev)
}

// PayScoreSimulateUserConfirm simulates the user openID confirming a
// CREATED confirm-mode order on the confirm page: it becomes
// DOING/USER_CONFIRM (an OnAccept start time becomes now) and a
// PAYSCORE.USER_CONFIRM callback is sent to its notify_url. It returns the
// query_id the page hands back to the merchant.
func (s *Server) PayScoreSimulateUserConfirm(ctx context.Context, outOrderNo, openID string) (string, error) {
	if openID == "" {
		return "", errors.New("sandbox: PayScoreSimulateUserConfirm needs an OpenID")
	}
	ps := &s.payScore
	now := s.now()
	ps.mu.Lock()
	o := ps.orders[outOrderNo]
	if o == nil {
		ps.mu.Unlock()
		return "", errors.New("sandbox: no such pay-score order")
	}
	o.expireLocked(now)
	if o.wire.State != "CREATED" {
		st := o.wire.State
		ps.mu.Unlock()
		return "", fmt.Errorf("sandbox: the order is %s, not CREATED", st)
	}
	if o.wire.OpenID != "" && o.wire.OpenID != openID {
		ps.mu.Unlock()
		return "", errors.New("sandbox: the order was created for another user")
	}
	o.wire.OpenID = openID
	o.wire.State, o.wire.StateDescription = "DOING", "USER_CONFIRM"
	if tr := o.wire.TimeRange; tr != nil && tr.StartTime == "OnAccept" {
		tr.StartTime = now.In(shanghai).Format("20060102150405")
	}
	ev := s.psOrderEvent(o, "PAYSCORE.USER_CONFIRM", "支付分订单用户已确认")
	target, qid := o.wire.NotifyURL, o.queryID
	ps.mu.Unlock()
	return qid, s.psDeliver(ctx, target, ev)
}

// PayScoreSimulateUserPaid simulates Pay Score deducting a completed order
// (DOING/MCH_COMPLETE, collection USER_PAYING): it becomes DONE with
// collection USER_PAID and one NEWTON payment, the payment is recorded in
// the ledger (trade type AUTH, attach "wxzff|<order_id>|<out_order_no>"),
// and a PAYSCORE.USER_PAID callback is sent to its notify_url. It returns
// the payment's transaction_id.
func (s *Server) PayScoreSimulateUserPaid(ctx context.Context, outOrderNo string) (string, error) {
	ps := &s.payScore
	now := s.now()
	ps.mu.Lock()
	o := ps.orders[outOrderNo]
	if o == nil {
		ps.mu.Unlock()
		return "", errors.New("sandbox: no such pay-score order")
	}
	if !o.payingLocked() {
		st := o.wire.State + "/" + o.wire.StateDescription
		ps.mu.Unlock()
		return "", fmt.Errorf("sandbox: the order is %s, not waiting for payment", st)
	}
	ps.seq++
	txID := fmt.Sprintf("4200000%s%013d", now.In(shanghai).Format("20060102"), ps.seq)
	col := o.wire.Collection
	amount := col.PayingAmount
	col.Details = append(col.Details, psDetail{
		Seq: int64(len(col.Details) + 1), Amount: amount, PaidType: "NEWTON",
		PaidTime: now.In(shanghai).Format("20060102150405"), TransactionID: txID,
	})
	col.State, col.PaidAmount, col.PayingAmount, col.BankType = "USER_PAID", col.PaidAmount+amount, 0, "OTHERS"
	o.wire.State, o.wire.StateDescription = "DONE", ""
	entry := LedgerEntry{
		Time: now, AppID: o.wire.AppID, TransactionID: txID, OutTradeNo: "PS" + o.wire.OrderID[len(o.wire.OrderID)-20:],
		SubMchID: o.wire.SubMchID, OpenID: o.wire.OpenID, TradeType: "AUTH", TradeState: "SUCCESS", BankType: "OTHERS", AmountFen: amount,
		Product: o.wire.ServiceIntroduction, Attach: "wxzff|" + o.wire.OrderID + "|" + o.wire.OutOrderNo,
	}
	ev := s.psOrderEvent(o, "PAYSCORE.USER_PAID", "用户支付成功")
	target := o.wire.NotifyURL
	ps.mu.Unlock()
	s.Record(entry)
	return txID, s.psDeliver(ctx, target, ev)
}

// PayScoreExpireOrder makes a CREATED order EXPIRED at once, as if 30 days
// had passed without confirmation. (Orders also expire by the sandbox
// clock.)
func (s *Server) PayScoreExpireOrder(outOrderNo string) error {
	ps := &s.payScore
	ps.mu.Lock()
	defer ps.mu.Unlock()
	o := ps.orders[outOrderNo]
	if o == nil {
		return errors.New("sandbox: no such pay-score order")
	}
	if o.wire.State != "CREATED" {
		return fmt.Errorf("sandbox: the order is %s, not CREATED", o.wire.State)
	}
	o.wire.State = "EXPIRED"
	return nil
}

// PayScoreQueryID returns the query_id of an order, as the confirm page
// hands it back to the merchant's mini program.
func (s *Server) PayScoreQueryID(outOrderNo string) (string, bool) {
	ps := &s.payScore
	ps.mu.Lock()
	defer ps.mu.Unlock()
	o := ps.orders[outOrderNo]
	if o == nil {
		return "", false
	}
	return o.queryID, true
}

// psDeliver sends ev to target when target is a loopback URL: the sandbox
// never reaches beyond the local machine, so callbacks addressed elsewhere
// are not sent — but they are in the delivery log (NOT_SENT, with the
// reason), so that a missing callback can be explained.
func (s *Server) psDeliver(ctx context.Context, target string, ev Event) error {
	if target == "" {
		return nil
	}
	if !psLoopback(target) {
		s.logNotSent(target, ev, "not sent: the sandbox only delivers callbacks to loopback URLs (127.0.0.1, ::1, localhost)")
		return nil
	}
	return s.Notify(ctx, target, ev)
}

func psLoopback(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	h := u.Hostname()
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

func (s *Server) psPermissionEvent(p *psPermission, status string, at time.Time) (Event, string) {
	target := p.notifyURL
	if target == "" {
		target = s.payScore.services[p.serviceID].NotifyURL
	}
	summary := "授权成功"
	if status == "USER_CLOSE_SERVICE" {
		summary = "解除授权成功"
	}
	return Event{
		EventType: "PAYSCORE." + status, Summary: summary, OriginalType: "payscore",
		Resource: map[string]string{
			"appid": p.appID, "mchid": s.MerchantID, "service_id": p.serviceID, "openid": p.openID,
			"user_service_status": status, "openorclose_time": at.In(shanghai).Format("20060102150405"),
			"authorization_code": p.code,
		},
	}, target
}

func (s *Server) psOrderEvent(o *psOrder, eventType, summary string) Event {
	b, err := json.Marshal(o.wire) // a snapshot: the order may change after the lock is released
	if err != nil {
		panic("sandbox: encoding pay-score order: " + err.Error())
	}
	return Event{EventType: eventType, Summary: summary, OriginalType: "payscore", Resource: json.RawMessage(b)}
}

// ---- state helpers (callers hold ps.mu) ----

func (o *psOrder) expireLocked(now time.Time) {
	if o.wire.State == "CREATED" && now.Sub(o.created) >= payScoreExpiry {
		o.wire.State = "EXPIRED"
	}
}

func (o *psOrder) payingLocked() bool {
	return o.wire.State == "DOING" && o.wire.StateDescription == "MCH_COMPLETE" &&
		o.wire.Collection != nil && o.wire.Collection.State == "USER_PAYING"
}

func (ps *payScoreState) unfinishedLocked(serviceID, openID string, now time.Time) bool {
	for _, o := range ps.orders {
		o.expireLocked(now)
		if o.wire.SubMchID == "" && o.wire.ServiceID == serviceID && o.wire.OpenID == openID && (o.wire.State == "CREATED" || o.wire.State == "DOING") {
			return true
		}
	}
	return false
}

// psStateError is the answer for an operation the order's state forbids.
func psStateError(o *psOrder) Reply {
	switch o.wire.State {
	case "REVOKED":
		return Error(http.StatusBadRequest, "ORDER_CANCELED", "订单已取消")
	case "DONE":
		return Error(http.StatusBadRequest, "ORDER_DONE", "订单已完成")
	}
	desc := o.wire.State
	if o.wire.StateDescription != "" {
		desc += "/" + o.wire.StateDescription
	}
	return Error(http.StatusBadRequest, "INVALID_ORDER_STATE", "订单状态("+desc+")不允许此操作")
}

// ---- validation ----

var (
	psReOrderNo  = regexp.MustCompile(`^[0-9A-Za-z_\-|*]{1,32}$`)
	psReAuthCode = regexp.MustCompile(`^[0-9A-Za-z_\-*]{1,32}$`)
	psReDateTime = regexp.MustCompile(`^\d{14}$`)
	psReDate     = regexp.MustCompile(`^\d{8}$`)
)

// psCheck collects the first problem of a request, as WeChat Pay reports one.
type psCheck struct{ rep *Reply }

func (c *psCheck) fail(field, location, issue string) {
	if c.rep == nil {
		r := ParamError(field, location, issue)
		c.rep = &r
	}
}

func (c *psCheck) text(field, location, v string, required bool, max int) {
	switch {
	case v == "" && required:
		c.fail(field, location, "字段必填")
	case !utf8.ValidString(v):
		c.fail(field, location, "不是有效的 UTF-8")
	case max > 0 && utf8.RuneCountInString(v) > max:
		c.fail(field, location, fmt.Sprintf("长度不能超过 %d 个字符", max))
	default:
		for _, r := range v {
			if r > 0xFFFF {
				c.fail(field, location, "包含 4 字节 UTF-8 字符")
				return
			}
		}
	}
}

func (c *psCheck) opt(field string, v *string, max int) {
	if v != nil {
		c.text(field, "body", *v, false, max)
	}
}

// device checks the optional device fields: valid text of 1-3 byte
// characters (no maximum is documented).
func (c *psCheck) device(d *psDevice) {
	if d == nil {
		return
	}
	c.opt("/device/start_device_id", d.StartDeviceID, 0)
	c.opt("/device/end_device_id", d.EndDeviceID, 0)
	c.opt("/device/materiel_no", d.MaterielNo, 0)
}

func (c *psCheck) orderNo(field, location, v string) {
	if v == "" {
		c.fail(field, location, "字段必填")
	} else if !psReOrderNo.MatchString(v) {
		c.fail(field, location, "只能是 32 个字符内的数字、大小写字母_-|*")
	}
}

// authCode checks an authorization agreement number: 1-32 digits, letters
// or _-*.
func (c *psCheck) authCode(field, location, v string) {
	if v == "" {
		c.fail(field, location, "字段必填")
	} else if !psReAuthCode.MatchString(v) {
		c.fail(field, location, "只能是 32 个字符内的数字、大小写字母_-*")
	}
}

// notifyURL checks the optional notify_url of a pre-authorization (direct
// §4.1 and partner §9.1), which receives USER_OPEN_SERVICE and
// USER_CLOSE_SERVICE: a callback URL like every other, so https off the
// loopback interface.
func (c *psCheck) notifyURL(field, v string, required bool) {
	c.callbackURL(field, v, required, true)
}

// callbackURL checks a URL WeChat Pay calls back: absolute, no query
// string, at most 255 characters; httpsOnly demands https (spec §4.6,
// §6.7), except on a loopback host — the only place the sandbox delivers
// to, where a test's plain-HTTP endpoint is allowed. Without httpsOnly any
// http(s) URL passes.
func (c *psCheck) callbackURL(field, v string, required, httpsOnly bool) {
	if v == "" {
		if required {
			c.fail(field, "body", "字段必填")
		}
		return
	}
	u, err := url.Parse(v)
	switch {
	case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "":
		c.fail(field, "body", "必须是绝对的 http(s) URL")
	case httpsOnly && u.Scheme != "https" && !psLoopback(v):
		c.fail(field, "body", "回调地址必须为 https 地址")
	case u.RawQuery != "" || u.ForceQuery:
		c.fail(field, "body", "不能携带查询参数")
	case utf8.RuneCountInString(v) > 255:
		c.fail(field, "body", "长度不能超过 255 个字符")
	}
}

func psValidTime(v string, allowDate bool) bool {
	layout := "20060102150405"
	switch {
	case psReDateTime.MatchString(v):
	case allowDate && psReDate.MatchString(v):
		layout = "20060102"
	default:
		return false
	}
	_, err := time.ParseInLocation(layout, v, shanghai)
	return err == nil
}

func (c *psCheck) items(payments []psPayment, discounts []psDiscount, paymentsRequired, discountDesc, discountAmount bool) {
	if paymentsRequired && len(payments) == 0 {
		c.fail("/post_payments", "body", "后付费项目不能为空")
	}
	if len(payments) > 100 {
		c.fail("/post_payments", "body", "后付费项目最多 100 条")
	}
	if len(discounts) > 30 {
		c.fail("/post_discounts", "body", "商户优惠最多 30 条")
	}
	seen := map[string]bool{}
	for i, p := range payments {
		f := fmt.Sprintf("/post_payments/%d", i)
		c.text(f+"/name", "body", p.Name, true, 20)
		if p.Name != "商品信息" && p.Name != "" {
			if seen[p.Name] {
				c.fail(f+"/name", "body", "同一订单的付费项目名称不能重复")
			}
			seen[p.Name] = true
		}
		if p.Amount != nil && *p.Amount < 0 {
			c.fail(f+"/amount", "body", "付费金额不能为负数")
		}
		c.opt(f+"/description", p.Description, 30)
		if p.Count != nil && (*p.Count < 1 || *p.Count > 100) {
			c.fail(f+"/count", "body", "付费数量范围为 1-100")
		}
	}
	seen = map[string]bool{}
	for i, d := range discounts {
		f := fmt.Sprintf("/post_discounts/%d", i)
		c.text(f+"/name", "body", d.Name, true, 20)
		if d.Name != "" {
			if seen[d.Name] {
				c.fail(f+"/name", "body", "同一订单的优惠项目名称不能重复")
			}
			seen[d.Name] = true
		}
		if discountDesc && (d.Description == nil || *d.Description == "") {
			c.fail(f+"/description", "body", "字段必填")
		}
		c.opt(f+"/description", d.Description, 30)
		if discountAmount && d.Amount == nil {
			c.fail(f+"/amount", "body", "字段必填")
		}
		if d.Amount != nil && *d.Amount < 0 {
			c.fail(f+"/amount", "body", "优惠金额不能为负数")
		}
		if d.Count != nil && *d.Count < 1 {
			c.fail(f+"/count", "body", "优惠数量至少为 1")
		}
	}
}

// psSum returns Σ post_payments.amount − Σ post_discounts.amount, and false
// when the sum does not fit in an int64: amounts are fen, and a sum that
// wraps around could otherwise match a small total_amount.
func psSum(payments []psPayment, discounts []psDiscount) (int64, bool) {
	var t int64
	for _, p := range payments {
		if p.Amount != nil {
			a := *p.Amount
			if (a > 0 && t > math.MaxInt64-a) || (a < 0 && t < math.MinInt64-a) {
				return 0, false
			}
			t += a
		}
	}
	for _, d := range discounts {
		if d.Amount != nil {
			a := *d.Amount
			if (a > 0 && t < math.MinInt64+a) || (a < 0 && t > math.MaxInt64+a) {
				return 0, false
			}
			t -= a
		}
	}
	return t, true
}

// totalAmount checks total_amount against the amount formula (spec §4):
// Σ post_payments.amount − Σ post_discounts.amount, not negative.
func (c *psCheck) totalAmount(total *int64, payments []psPayment, discounts []psDiscount) {
	want, ok := psSum(payments, discounts)
	switch {
	case total == nil:
		c.fail("/total_amount", "body", "字段必填")
	case !ok:
		c.fail("/total_amount", "body", "后付费项目或商户优惠金额之和超出范围")
	case *total != want || want < 0:
		c.fail("/total_amount", "body", "total_amount 须等于后付费项目金额之和减去商户优惠金额之和")
	}
}

func (c *psCheck) timeRange(tr *psTimeRange, required, allowOnAccept bool) {
	if tr == nil {
		if required {
			c.fail("/time_range", "body", "字段必填")
		}
		return
	}
	switch {
	case tr.StartTime == "":
		if required {
			c.fail("/time_range/start_time", "body", "字段必填")
		}
	case tr.StartTime == "OnAccept":
		if !allowOnAccept {
			c.fail("/time_range/start_time", "body", "此场景不支持 OnAccept")
		}
	case !psValidTime(tr.StartTime, true):
		c.fail("/time_range/start_time", "body", "格式应为 yyyyMMddHHmmss、yyyyMMdd 或 OnAccept")
	}
	if tr.EndTime != nil && !psValidTime(*tr.EndTime, true) {
		c.fail("/time_range/end_time", "body", "格式应为 yyyyMMddHHmmss 或 yyyyMMdd")
	}
	c.opt("/time_range/start_time_remark", tr.StartTimeRemark, 0)
	c.opt("/time_range/end_time_remark", tr.EndTimeRemark, 0)
}

// psApp checks that appid is bound to the sandbox merchant.
func (s *Server) psApp(c *psCheck, field, location, appID string) {
	c.text(field, location, appID, true, 32)
	if c.rep == nil && appID != s.AppID {
		r := Error(http.StatusBadRequest, "PARAM_ERROR", "mch_id和appid未绑定")
		c.rep = &r
	}
}

// psService looks a service up; unknown ones answer 403 NO_AUTH.
func (s *Server) psService(c *psCheck, field, location, id string) (PayScoreService, bool) {
	c.text(field, location, id, true, 32)
	if c.rep != nil {
		return PayScoreService{}, false
	}
	s.payScore.mu.Lock()
	svc, ok := s.payScore.services[id]
	s.payScore.mu.Unlock()
	if !ok {
		r := Error(http.StatusForbidden, "NO_AUTH", "商户暂无权限使用此服务")
		c.rep = &r
	}
	return svc, ok
}

func psRandom(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func psCanonical(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// ---- permissions ----

func (s *Server) psPreAuthorize(c *Call) Reply {
	var req struct {
		ServiceID         string  `json:"service_id"`
		AppID             string  `json:"appid"`
		AuthorizationCode string  `json:"authorization_code"`
		NotifyURL         *string `json:"notify_url"`
	}
	if r := c.Decode(&req); r != nil {
		return *r
	}
	var chk psCheck
	svc, _ := s.psService(&chk, "/service_id", "body", req.ServiceID)
	s.psApp(&chk, "/appid", "body", req.AppID)
	chk.authCode("/authorization_code", "body", req.AuthorizationCode)
	return s.psPreAuthorizeLocked(&chk, svc, req.NotifyURL, func(ps *payScoreState) (*psPermission, func(string, time.Time)) {
		key := psUserKey{req.ServiceID, req.AuthorizationCode}
		p := ps.byCode[key]
		if p == nil {
			p = &psPermission{serviceID: req.ServiceID, appID: req.AppID, code: req.AuthorizationCode, state: "UNBINDUSER"}
			ps.byCode[key] = p
		} else if p.state != "UNBINDUSER" {
			return nil, nil
		}
		return p, func(token string, expires time.Time) { ps.tokens[token] = &psToken{perm: p, expires: expires} }
	})
}

// psPreAuthorizeLocked is what direct and partner pre-authorization share
// once the request's own fields are checked: it checks notifyURL, answers
// the first problem found, refuses a service without the no-confirm mode,
// and then, with the pay-score state locked, has find return the
// authorization of the code (nil when the code is taken) and a function
// that keeps a new apply_permissions_token for it; notifyURL, when given,
// is recorded on the authorization.
func (s *Server) psPreAuthorizeLocked(chk *psCheck, svc PayScoreService, notifyURL *string, find func(ps *payScoreState) (*psPermission, func(token string, expires time.Time))) Reply {
	if notifyURL != nil {
		chk.notifyURL("/notify_url", *notifyURL, false)
	}
	if chk.rep == nil && !svc.NoConfirm {
		r := Error(http.StatusForbidden, "NO_AUTH", "该服务未开通免确认预授权模式")
		chk.rep = &r
	}
	return s.psLocked(chk, func(ps *payScoreState) Reply {
		p, keep := find(ps)
		if p == nil {
			return Error(http.StatusBadRequest, "INVALID_REQUEST", "授权协议号已被使用，请更换授权协议号")
		}
		if notifyURL != nil {
			p.notifyURL = *notifyURL
		}
		token := psRandom(96)
		keep(token, s.now().Add(payScoreTokenLife))
		return JSON(http.StatusOK, map[string]string{"apply_permissions_token": token})
	})
}

// psLocked answers the first problem chk found, if any, and otherwise
// answers f run with the pay-score state locked.
func (s *Server) psLocked(chk *psCheck, f func(ps *payScoreState) Reply) Reply {
	if chk.rep != nil {
		return *chk.rep
	}
	ps := &s.payScore
	ps.mu.Lock()
	defer ps.mu.Unlock()
	return f(ps)
}

func (s *Server) psPermissionWire(p *psPermission, withNotifyURL bool) map[string]any {
	m := map[string]any{
		"service_id": p.serviceID, "appid": p.appID, "mchid": s.MerchantID,
		"authorization_state": p.state,
	}
	if p.openID != "" {
		m["openid"] = p.openID
	}
	if p.code != "" {
		m["authorization_code"] = p.code
	}
	if !p.successTime.IsZero() {
		m["authorization_success_time"] = p.successTime.In(shanghai).Format(time.RFC3339)
	}
	if !p.cancelTime.IsZero() {
		m["cancel_authorization_time"] = p.cancelTime.In(shanghai).Format(time.RFC3339)
	}
	if withNotifyURL && p.notifyURL != "" {
		m["notify_url"] = p.notifyURL
	}
	return m
}

func (s *Server) psQueryByOpenID(c *Call) Reply {
	openID := c.PathValue("openid")
	var chk psCheck
	chk.text("openid", "path", openID, true, 128)
	s.psService(&chk, "service_id", "query", c.Query("service_id"))
	s.psApp(&chk, "appid", "query", c.Query("appid"))
	return s.psLocked(&chk, func(ps *payScoreState) Reply {
		p := ps.perms[psUserKey{c.Query("service_id"), openID}]
		if p == nil {
			return JSON(http.StatusOK, map[string]any{
				"service_id": c.Query("service_id"), "appid": c.Query("appid"), "mchid": s.MerchantID,
				"openid": openID, "authorization_state": "UNAVAILABLE",
			})
		}
		return JSON(http.StatusOK, s.psPermissionWire(p, false))
	})
}

func (s *Server) psQueryByCode(c *Call) Reply {
	code := c.PathValue("authorization_code")
	var chk psCheck
	chk.authCode("authorization_code", "path", code)
	s.psService(&chk, "service_id", "query", c.Query("service_id"))
	return s.psLocked(&chk, func(ps *payScoreState) Reply {
		p := ps.byCode[psUserKey{c.Query("service_id"), code}]
		if p == nil {
			return psNoPermission()
		}
		return JSON(http.StatusOK, s.psPermissionWire(p, true))
	})
}

// psNoPermission answers a query or termination of an unknown
// authorization code.
func psNoPermission() Reply {
	return Error(http.StatusNotFound, "RESOURCE_NOT_EXISTS", "授权记录不存在")
}

type psTerminateWire struct {
	ServiceID string `json:"service_id"`
	AppID     string `json:"appid"`
	Reason    string `json:"reason"`
}

func (s *Server) psTerminateByOpenID(c *Call) Reply {
	var req psTerminateWire
	if r := c.Decode(&req); r != nil {
		return *r
	}
	openID := c.PathValue("openid")
	var chk psCheck
	chk.text("openid", "path", openID, true, 128)
	s.psService(&chk, "/service_id", "body", req.ServiceID)
	s.psApp(&chk, "/appid", "body", req.AppID)
	chk.text("/reason", "body", req.Reason, true, 50)
	return s.psLocked(&chk, func(ps *payScoreState) Reply {
		return s.psTerminateLocked(ps.perms[psUserKey{req.ServiceID, openID}])
	})
}

func (s *Server) psTerminateByCode(c *Call) Reply {
	var req psTerminateWire
	if r := c.Decode(&req); r != nil {
		return *r
	}
	code := c.PathValue("authorization_code")
	var chk psCheck
	chk.authCode("authorization_code", "path", code)
	s.psService(&chk, "/service_id", "body", req.ServiceID)
	chk.text("/reason", "body", req.Reason, true, 50)
	return s.psLocked(&chk, func(ps *payScoreState) Reply {
		p := ps.byCode[psUserKey{req.ServiceID, code}]
		if p == nil {
			return psNoPermission()
		}
		return s.psTerminateLocked(p)
	})
}

func (s *Server) psTerminateLocked(p *psPermission) Reply {
	if p == nil {
		return s.psTerminateWithLocked(nil, nil)
	}
	return s.psTerminateWithLocked(p, func(now time.Time) bool { return s.payScore.unfinishedLocked(p.serviceID, p.openID, now) })
}

// psTerminateWithLocked ends the authorization p (nil: none) unless it is
// not in force or, when AVAILABLE, unfinished reports that the user has
// unfinished orders it covers. Callers hold ps.mu.
func (s *Server) psTerminateWithLocked(p *psPermission, unfinished func(now time.Time) bool) Reply {
	now := s.now()
	switch {
	case p == nil || p.state == "UNAVAILABLE":
		return Error(http.StatusBadRequest, "INVALID_REQUEST", "用户未授权该服务或已解除授权")
	case p.state == "AVAILABLE" && unfinished(now):
		return Error(http.StatusBadRequest, "INVALID_REQUEST", "用户存在未完结的订单，不能解除授权")
	}
	p.state, p.cancelTime = "UNAVAILABLE", now
	return NoContent()
}

// ---- service orders ----

func (s *Server) psCreate(c *Call) Reply {
	var req psCreateWire
	if r := c.Decode(&req); r != nil {
		return *r
	}
	needConfirm := req.NeedUserConfirm == nil || *req.NeedUserConfirm
	sub := psPartnerSubOf(c) // "" for a direct call
	if req.SubMchID != sub || (sub == "" && (req.SubAppID != nil || req.SubOpenID != nil)) {
		return ParamError("/sub_mchid", "body", "sub_mchid、sub_appid、sub_openid 只用于服务商模式")
	}
	var chk psCheck
	chk.orderNo("/out_order_no", "body", req.OutOrderNo)
	s.psApp(&chk, "/appid", "body", req.AppID)
	svc, _ := s.psService(&chk, "/service_id", "body", req.ServiceID)
	chk.text("/service_introduction", "body", req.ServiceIntroduction, true, 20)
	chk.items(req.PostPayments, req.PostDiscounts, false, true, false)
	chk.timeRange(req.TimeRange, true, true)
	if req.Location != nil {
		chk.opt("/location/start_location", req.Location.StartLocation, 0)
		chk.opt("/location/end_location", req.Location.EndLocation, 0)
	}
	chk.device(req.Device)
	if req.RiskFund == nil {
		chk.fail("/risk_fund", "body", "字段必填")
	} else {
		chk.text("/risk_fund/name", "body", req.RiskFund.Name, true, 0)
		if req.RiskFund.Amount == nil {
			chk.fail("/risk_fund/amount", "body", "字段必填")
		} else if *req.RiskFund.Amount < 0 {
			chk.fail("/risk_fund/amount", "body", "风险金额不能为负数")
		}
		chk.opt("/risk_fund/description", req.RiskFund.Description, 0)
	}
	chk.opt("/attach", req.Attach, 256)
	chk.callbackURL("/notify_url", req.NotifyURL, true, true)
	if req.OpenID != nil {
		chk.text("/openid", "body", *req.OpenID, true, 0) // no documented maximum
	} else if !needConfirm && sub == "" {
		chk.fail("/openid", "body", "need_user_confirm 为 false 时 openid 必填")
	}
	if chk.rep != nil {
		return *chk.rep
	}
	if svc.NoConfirm == needConfirm {
		return Error(http.StatusForbidden, "NO_AUTH", "商户暂无权限使用此服务：need_user_confirm 与服务开通的模式不符")
	}
	rf := req.RiskFund
	enjoyFirst := rf.Name == "ESTIMATE_ORDER_COST"
	deposit := rf.Name == "DEPOSIT" || rf.Name == "ADVANCE" || rf.Name == "CASH_DEPOSIT"
	if (svc.EnjoyFirst && !enjoyFirst) || (!svc.EnjoyFirst && !deposit) {
		return ParamError("/risk_fund/name", "body", "订单风险金额名称不符合要求")
	}
	if *rf.Amount > svc.RiskCeiling {
		return ParamError("/risk_fund/amount", "body", fmt.Sprintf("风险金额超过服务的风险金额上限 %d 分", svc.RiskCeiling))
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
		o.expireLocked(now)
		return JSON(http.StatusOK, psCreateReply(o))
	}
	openID := ""
	if req.OpenID != nil {
		openID = *req.OpenID
	}
	if !needConfirm && sub != "" {
		if rep := s.psPartnerAdmitLocked(&req, now); rep != nil {
			return *rep
		}
	}
	if !needConfirm && sub == "" {
		p := ps.perms[psUserKey{req.ServiceID, openID}]
		if p == nil || p.state != "AVAILABLE" {
			return Error(http.StatusBadRequest, "INVALID_REQUEST", "用户未授权该服务")
		}
		if ps.unfinishedLocked(req.ServiceID, openID, now) {
			return Error(http.StatusBadRequest, "INVALID_REQUEST", "存在未完结订单")
		}
	}
	ps.seq++
	o := &psOrder{
		createBody: canon, needConfirm: needConfirm, created: now,
		queryID: psRandom(24), pkg: psRandom(96),
		wire: psOrderWire{
			AppID: req.AppID, MchID: s.MerchantID, OutOrderNo: req.OutOrderNo, ServiceID: req.ServiceID,
			ServiceIntroduction: req.ServiceIntroduction, State: "CREATED",
			PostPayments: req.PostPayments, PostDiscounts: req.PostDiscounts,
			RiskFund: *rf, TimeRange: req.TimeRange, Location: req.Location,
			NotifyURL: req.NotifyURL, OpenID: openID,
			OrderID: fmt.Sprintf("1000000000%s%09d", now.In(shanghai).Format("20060102150405"), ps.seq),
		},
	}
	if req.Attach != nil {
		o.wire.Attach = *req.Attach
	}
	s.psPartnerFillLocked(o, &req)
	if !needConfirm {
		// No confirmation step: the order is accepted as it is created.
		o.wire.State, o.wire.StateDescription = "DOING", "USER_CONFIRM"
		if tr := o.wire.TimeRange; tr.StartTime == "OnAccept" {
			accepted := *tr
			accepted.StartTime = now.In(shanghai).Format("20060102150405")
			o.wire.TimeRange = &accepted
		}
	}
	ps.orders[o.wire.OutOrderNo] = o
	ps.byQuery[o.queryID] = o
	return JSON(http.StatusOK, psCreateReply(o))
}

func psCreateReply(o *psOrder) any {
	return struct {
		psOrderWire
		Package string `json:"package"`
	}{o.wire, o.pkg}
}

func (s *Server) psQuery(c *Call) Reply {
	q := c.Request.URL.Query()
	outOrderNo, queryID := q.Get("out_order_no"), q.Get("query_id")
	var chk psCheck
	chk.orderRef(outOrderNo, queryID, 64)
	s.psService(&chk, "service_id", "query", q.Get("service_id"))
	s.psApp(&chk, "appid", "query", q.Get("appid"))
	return s.psQueryLocked(&chk, outOrderNo, queryID, func(o *psOrder) bool {
		return o.wire.SubMchID == "" && o.wire.ServiceID == q.Get("service_id") && o.wire.AppID == q.Get("appid")
	})
}

// orderRef checks how a query names the order: exactly one of outOrderNo
// and queryID (at most queryIDMax characters).
func (c *psCheck) orderRef(outOrderNo, queryID string, queryIDMax int) {
	switch {
	case outOrderNo == "" && queryID == "":
		c.fail("out_order_no", "query", "out_order_no 和 query_id 必须填写其中一个")
	case outOrderNo != "" && queryID != "":
		c.fail("query_id", "query", "out_order_no 和 query_id 不能同时填写")
	case outOrderNo != "":
		c.orderNo("out_order_no", "query", outOrderNo)
	default:
		c.text("query_id", "query", queryID, true, queryIDMax)
	}
}

// psQueryLocked answers the first problem chk found or, with the state
// locked, the order named by outOrderNo or queryID when visible says the
// caller may see it, and 404 ORDER_NOT_EXIST otherwise.
func (s *Server) psQueryLocked(chk *psCheck, outOrderNo, queryID string, visible func(o *psOrder) bool) Reply {
	return s.psLocked(chk, func(ps *payScoreState) Reply {
		o := ps.orders[outOrderNo]
		if queryID != "" {
			o = ps.byQuery[queryID]
		}
		if o == nil || !visible(o) {
			return Error(http.StatusNotFound, "ORDER_NOT_EXIST", "订单不存在")
		}
		o.expireLocked(s.now())
		return JSON(http.StatusOK, o.wire)
	})
}

// Which body identifiers an order operation requires.
const (
	psNeedApp     = 1 << iota // appid is required
	psNeedService             // service_id is required
)

// psOrderFor finds the order of a path out_order_no — a direct order, or for
// a call a partner handler delegates (payscore_partner.go) an order of its
// sub-merchant — and checks the body's appid and service_id against it; need says which of them must be given
// (an optional one is checked only when given). The caller holds ps.mu on
// success.
func (s *Server) psOrderFor(c *Call, appID, serviceID string, need int, chk *psCheck) (*psOrder, *Reply) {
	no := c.PathValue("out_order_no")
	chk.orderNo("out_order_no", "path", no)
	if appID != "" || need&psNeedApp != 0 {
		s.psApp(chk, "/appid", "body", appID)
	}
	if serviceID != "" || need&psNeedService != 0 {
		s.psService(chk, "/service_id", "body", serviceID)
	}
	if chk.rep != nil {
		return nil, chk.rep
	}
	ps := &s.payScore
	ps.mu.Lock()
	o := ps.orders[no]
	if o == nil || o.wire.SubMchID != psPartnerSubOf(c) || (serviceID != "" && o.wire.ServiceID != serviceID) {
		ps.mu.Unlock()
		r := Error(http.StatusNotFound, "ORDER_NOT_EXIST", "订单不存在")
		return nil, &r
	}
	if appID != "" && o.wire.AppID != appID {
		ps.mu.Unlock()
		r := ParamError("/appid", "body", "appid 与创建订单时不一致")
		return nil, &r
	}
	o.expireLocked(s.now())
	return o, nil
}

func (s *Server) psCancel(c *Call) Reply {
	var req struct {
		AppID     string `json:"appid"`
		ServiceID string `json:"service_id"`
		Reason    string `json:"reason"`
	}
	if r := c.Decode(&req); r != nil {
		return *r
	}
	var chk psCheck
	chk.text("/reason", "body", req.Reason, true, 50)
	o, rep := s.psOrderFor(c, req.AppID, req.ServiceID, psNeedApp, &chk)
	if rep != nil {
		return *rep
	}
	defer s.payScore.mu.Unlock()
	canon := psCanonical(req)
	switch {
	case o.wire.State == "REVOKED" && string(o.cancelWire) == string(canon):
		// identical repeat: idempotent
	case o.wire.State == "CREATED", o.wire.State == "DOING" && (o.wire.StateDescription == "USER_CONFIRM" || o.payingLocked()):
		o.wire.State, o.wire.StateDescription, o.cancelWire = "REVOKED", "", canon
	default:
		return psStateError(o)
	}
	return JSON(http.StatusOK, map[string]string{
		"appid": o.wire.AppID, "mchid": o.wire.MchID, "out_order_no": o.wire.OutOrderNo,
		"service_id": o.wire.ServiceID, "order_id": o.wire.OrderID,
	})
}

func (s *Server) psModify(c *Call) Reply {
	var req psAmountWire
	if r := c.Decode(&req); r != nil {
		return *r
	}
	var chk psCheck
	chk.items(req.PostPayments, req.PostDiscounts, true, false, true)
	chk.totalAmount(req.TotalAmount, req.PostPayments, req.PostDiscounts)
	if req.Reason == nil {
		chk.fail("/reason", "body", "字段必填")
	} else {
		chk.text("/reason", "body", *req.Reason, true, 0) // no documented maximum
	}
	chk.device(req.Device)
	o, rep := s.psOrderFor(c, req.AppID, req.ServiceID, psNeedApp|psNeedService, &chk)
	if rep != nil {
		return *rep
	}
	defer s.payScore.mu.Unlock()
	if !o.payingLocked() {
		return psStateError(o)
	}
	total := *req.TotalAmount
	if total > o.wire.Collection.TotalAmount {
		return ParamError("/total_amount", "body", "修改后的金额不能超过完结订单时的金额")
	}
	o.wire.PostPayments, o.wire.PostDiscounts, o.wire.TotalAmount = req.PostPayments, req.PostDiscounts, &total
	col := o.wire.Collection
	col.TotalAmount, col.PayingAmount = total, total-col.PaidAmount
	if col.PayingAmount <= 0 {
		col.PayingAmount, col.State = 0, "USER_PAID"
		o.wire.State, o.wire.StateDescription = "DONE", ""
	}
	return JSON(http.StatusOK, o.wire)
}

func (s *Server) psComplete(c *Call) Reply {
	var req psAmountWire
	if r := c.Decode(&req); r != nil {
		return *r
	}
	var chk psCheck
	chk.items(req.PostPayments, req.PostDiscounts, true, false, true)
	chk.totalAmount(req.TotalAmount, req.PostPayments, req.PostDiscounts)
	chk.timeRange(req.TimeRange, false, false)
	if req.Location != nil {
		chk.opt("/location/start_location", req.Location.StartLocation, 0)
		chk.opt("/location/end_location", req.Location.EndLocation, 0)
	}
	chk.device(req.Device)
	o, rep := s.psOrderFor(c, req.AppID, req.ServiceID, psNeedApp|psNeedService, &chk)
	if rep != nil {
		return *rep
	}
	defer s.payScore.mu.Unlock()
	canon := psCanonical(req)
	if o.wire.State == "DOING" && o.wire.StateDescription == "MCH_COMPLETE" && string(o.completeReq) == string(canon) {
		return JSON(http.StatusOK, o.wire) // identical repeat
	}
	if o.wire.State != "DOING" || o.wire.StateDescription != "USER_CONFIRM" {
		return psStateError(o)
	}
	total := *req.TotalAmount
	svc := s.payScore.services[req.ServiceID]
	if svc.EnjoyFirst && total > svc.RiskCeiling {
		return ParamError("/total_amount", "body", fmt.Sprintf("收款总金额超过服务的风险金额上限 %d 分", svc.RiskCeiling))
	}
	if !svc.EnjoyFirst && o.wire.RiskFund.Amount != nil && total > *o.wire.RiskFund.Amount {
		return ParamError("/total_amount", "body", "收款总金额不能超过创建订单时的风险金额")
	}
	tr := o.wire.TimeRange
	if req.TimeRange != nil {
		merged := *tr
		if req.TimeRange.StartTime != "" {
			merged.StartTime = req.TimeRange.StartTime
		}
		if req.TimeRange.EndTime != nil {
			merged.EndTime = req.TimeRange.EndTime
		}
		if req.TimeRange.StartTimeRemark != nil {
			merged.StartTimeRemark = req.TimeRange.StartTimeRemark
		}
		if req.TimeRange.EndTimeRemark != nil {
			merged.EndTimeRemark = req.TimeRange.EndTimeRemark
		}
		tr = &merged
	}
	if tr == nil || tr.EndTime == nil {
		return ParamError("/time_range/end_time", "body", "创建订单时未填写结束时间，完结订单时必填")
	}
	o.wire.TimeRange = tr
	if req.Location != nil && (req.Location.StartLocation != nil || req.Location.EndLocation != nil) {
		loc := psLocation{}
		if o.wire.Location != nil {
			loc = *o.wire.Location
		}
		if req.Location.StartLocation != nil {
			loc.StartLocation = req.Location.StartLocation
		}
		if req.Location.EndLocation != nil {
			loc.EndLocation = req.Location.EndLocation
		}
		o.wire.Location = &loc
	}
	o.wire.PostPayments, o.wire.PostDiscounts, o.wire.TotalAmount = req.PostPayments, req.PostDiscounts, &total
	o.completeReq = canon
	need := total > 0
	o.wire.NeedCollection = &need
	if need {
		o.wire.StateDescription = "MCH_COMPLETE"
		o.wire.Collection = &psCollection{State: "USER_PAYING", TotalAmount: total, PayingAmount: total}
	} else {
		o.wire.State, o.wire.StateDescription = "DONE", ""
		o.wire.Collection = &psCollection{State: "USER_PAID"}
	}
	return JSON(http.StatusOK, o.wire)
}

func (s *Server) psSync(c *Call) Reply {
	var req struct {
		AppID     string `json:"appid"`
		ServiceID string `json:"service_id"`
		Type      string `json:"type"`
		Detail    *struct {
			PaidTime string `json:"paid_time"`
		} `json:"detail"`
	}
	if r := c.Decode(&req); r != nil {
		return *r
	}
	var chk psCheck
	switch {
	case req.Type == "":
		chk.fail("/type", "body", "字段必填")
	case req.Type != "Order_Paid":
		chk.fail("/type", "body", "场景类型只能为 Order_Paid")
	}
	switch {
	case req.Detail == nil:
		chk.fail("/detail", "body", "type 为 Order_Paid 时 detail 必填")
	case req.Detail.PaidTime == "":
		chk.fail("/detail/paid_time", "body", "字段必填")
	case !psValidTime(req.Detail.PaidTime, true):
		chk.fail("/detail/paid_time", "body", "格式应为 yyyyMMddHHmmss 或 yyyyMMdd")
	}
	o, rep := s.psOrderFor(c, req.AppID, req.ServiceID, psNeedApp|psNeedService, &chk)
	if rep != nil {
		return *rep
	}
	defer s.payScore.mu.Unlock()
	if !o.payingLocked() {
		return psStateError(o)
	}
	paid := req.Detail.PaidTime
	if len(paid) == 8 {
		paid += "000000"
	}
	col := o.wire.Collection
	col.Details = append(col.Details, psDetail{Seq: int64(len(col.Details) + 1), Amount: col.PayingAmount, PaidType: "MCH", PaidTime: paid})
	col.State, col.PaidAmount, col.PayingAmount = "USER_PAID", col.PaidAmount+col.PayingAmount, 0
	o.wire.State, o.wire.StateDescription = "DONE", ""
	return JSON(http.StatusOK, o.wire)
}

func (s *Server) psPay(c *Call) Reply {
	// Both body fields are optional, so an empty body is a valid request.
	var req struct {
		AppID     string `json:"appid"`
		ServiceID string `json:"service_id"`
	}
	if len(bytes.TrimSpace(c.Body)) > 0 {
		if r := c.Decode(&req); r != nil {
			return *r
		}
	}
	var chk psCheck
	o, rep := s.psOrderFor(c, req.AppID, req.ServiceID, 0, &chk)
	if rep != nil {
		return *rep
	}
	defer s.payScore.mu.Unlock()
	if !o.payingLocked() {
		return psStateError(o)
	}
	return JSON(http.StatusOK, map[string]string{
		"appid": o.wire.AppID, "mchid": o.wire.MchID, "out_order_no": o.wire.OutOrderNo,
		"service_id": o.wire.ServiceID, "order_id": o.wire.OrderID,
	})
}
