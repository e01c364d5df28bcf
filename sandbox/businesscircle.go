package sandbox

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// BusinessCircleBrandID is the brand the sandbox merchant owns: the brandid
// the commit-status and parking APIs accept. Any other answers 403 NO_AUTH.
const BusinessCircleBrandID int64 = 1000

// BusinessCircleMerchantName is the mall's merchant name in notifications.
const BusinessCircleMerchantName = "沙箱智慧商圈"

// businessCircleRefundWindow is how long after a purchase WeChat Pay watches
// for refunds of synced transactions.
const businessCircleRefundWindow = 30 * 24 * time.Hour

// businessCircleState is the sandbox's businesscircle state. Guarded by its own mutex; never
// held while doing I/O.
type businessCircleState struct {
	mu                    sync.Mutex
	consumptionURL        string // MALL_TRANSACTION.SUCCESS and MALL_REFUND.SUCCESS
	activationURL         string // MALL_AUTH.ACTIVATE_CARD
	appIDs                map[string]bool
	members               map[bcMember]*bcAuth
	txns                  map[string]*bcTxn
	parking               map[string]BusinessCircleParking // by plate number
	commitStatusNoContent bool
}

type bcMember struct{ appID, openID string }

type bcAuth struct {
	state        string // AUTHORIZED or DEAUTHORIZED
	code         string // member card code
	authorized   time.Time
	deauthorized time.Time
}

type bcTxn struct {
	BusinessCircleTransaction
	id     string
	pushed bool // MALL_TRANSACTION.SUCCESS was sent
	points *BusinessCirclePoints
}

// BusinessCircleTransaction is a member's purchase in one of the mall's
// stores, for BusinessCircleSimulateTransaction.
type BusinessCircleTransaction struct {
	AppID      string    // mini-program AppID the member authorized with; default the sandbox AppID
	OpenID     string    // the member; required, must have authorized
	AmountFen  int64     // paid amount, fen; required, positive
	ShopName   string    // default 沙箱咖啡
	ShopNumber string    // default SHOP001
	SubMchID   string    // the mall's merchant ID in service-provider mode; "" for a direct mall
	Time       time.Time // payment time; default now
	// Pending leaves the purchase waiting for the member to submit it in
	// the plugin (commit_status PENDING) instead of notifying it at once;
	// BusinessCircleSubmitPending submits it.
	Pending bool
}

// BusinessCirclePoints is what the last points sync of a transaction said.
// The fields are those of POST /v3/businesscircle/points/notify (spec §2.1).
type BusinessCirclePoints struct {
	EarnPoints       bool      // earn_points: whether the purchase earned points
	IncreasedPoints  int64     // increased_points: points added (0 when EarnPoints is false)
	PointsUpdateTime time.Time // points_update_time, as sent (RFC 3339)
	NoPointsRemarks  string    // no_points_remarks: why no points were earned; "" when not sent
	TotalPoints      *int64    // total_points: the member's total after the sync; nil when not sent
	Syncs            int       // how many times the transaction was synced
}

// BusinessCircleParking is the last parking state synced for a plate, as
// POST /v3/businesscircle/parkings sent it (spec §2.4).
type BusinessCircleParking struct {
	SubMchID    string    // the mall's merchant ID; "" for a direct mall
	BrandID     int64     // brandid: BusinessCircleBrandID (any other is refused)
	AppID       string    // the AppID the member authorized with
	OpenID      string    // the member under AppID (personal data)
	PlateNumber string    // plate_number: province abbreviation, then capitals, digits or Chinese (e.g. 粤B888888)
	State       string    // IN or OUT
	Time        time.Time // time of the state change, as sent (RFC 3339)
}

// installBusinessCircle registers the businesscircle endpoints.
func (s *Server) installBusinessCircle() {
	bc := &s.businessCircle
	bc.appIDs = map[string]bool{s.AppID: true}
	bc.members = map[bcMember]*bcAuth{}
	bc.txns = map[string]*bcTxn{}
	bc.parking = map[string]BusinessCircleParking{}
	s.Handle("POST /v3/businesscircle/points/notify", s.bcSyncPoints)
	s.Handle("GET /v3/businesscircle/user-authorizations/{openid}", s.bcUserAuthorization)
	s.Handle("GET /v3/businesscircle/users/{openid}/points/commit_status", s.bcCommitStatus)
	s.Handle("POST /v3/businesscircle/parkings", s.bcParking)
}

// BusinessCircleSetNotifyURLs sets the two callback URLs configured when
// the product is enabled: consumption receives MALL_TRANSACTION.SUCCESS and
// MALL_REFUND.SUCCESS, activation receives MALL_AUTH.ACTIVATE_CARD. An empty
// URL sends nothing.
func (s *Server) BusinessCircleSetNotifyURLs(consumption, activation string) {
	bc := &s.businessCircle
	bc.mu.Lock()
	bc.consumptionURL, bc.activationURL = consumption, activation
	bc.mu.Unlock()
}

// BusinessCircleAddAppID binds another mini-program AppID to the mall (the
// sandbox AppID is bound from the start). At most five are allowed, as in
// the real product.
func (s *Server) BusinessCircleAddAppID(appID string) error {
	bc := &s.businessCircle
	bc.mu.Lock()
	defer bc.mu.Unlock()
	if appID == "" {
		return errors.New("sandbox: businesscircle: empty AppID")
	}
	if !bc.appIDs[appID] && len(bc.appIDs) >= 5 {
		return errors.New("sandbox: businesscircle: a mall binds at most 5 AppIDs")
	}
	bc.appIDs[appID] = true
	return nil
}

// BusinessCircleCommitStatusNoContent makes the commit-status API answer
// 204 with no body (as one version of its documentation says) instead of 200
// with points_commit_status.
func (s *Server) BusinessCircleCommitStatusNoContent(on bool) {
	bc := &s.businessCircle
	bc.mu.Lock()
	bc.commitStatusNoContent = on
	bc.mu.Unlock()
}

// BusinessCircleAuthorize simulates a member authorizing the points service
// in the plugin under appID (bound to the mall): the authorization query
// then answers AUTHORIZED, and MALL_AUTH.ACTIVATE_CARD is sent to the
// activation URL, if set. It returns the member card code.
func (s *Server) BusinessCircleAuthorize(ctx context.Context, appID, openID string) (string, error) {
	bc := &s.businessCircle
	bc.mu.Lock()
	if !bc.appIDs[appID] {
		bc.mu.Unlock()
		return "", fmt.Errorf("sandbox: businesscircle: AppID %s is not bound to the mall", appID)
	}
	if openID == "" {
		bc.mu.Unlock()
		return "", errors.New("sandbox: businesscircle: empty OpenID")
	}
	m := bcMember{appID, openID}
	a := bc.members[m]
	if a == nil {
		a = &bcAuth{code: bcDigits(12)}
		bc.members[m] = a
	}
	a.state, a.authorized, a.deauthorized = "AUTHORIZED", s.now(), time.Time{}
	code, url := a.code, bc.activationURL
	bc.mu.Unlock()
	if url == "" {
		return code, nil
	}
	return code, s.Notify(ctx, url, Event{
		EventType: "MALL_AUTH.ACTIVATE_CARD", Summary: "商圈会员积分服务授权成功", OriginalType: "mall_auth",
		Resource: map[string]string{"openid": openID, "code": code, "mchid": s.MerchantID, "auth_type": "REGISTERED_MODE"},
	})
}

// BusinessCircleDeauthorize simulates a member withdrawing authorization:
// the query answers DEAUTHORIZED and new purchases are not notified.
func (s *Server) BusinessCircleDeauthorize(appID, openID string) error {
	bc := &s.businessCircle
	bc.mu.Lock()
	defer bc.mu.Unlock()
	a := bc.members[bcMember{appID, openID}]
	if a == nil || a.state != "AUTHORIZED" {
		return errors.New("sandbox: businesscircle: the member has not authorized")
	}
	a.state, a.deauthorized = "DEAUTHORIZED", s.now()
	return nil
}

// BusinessCircleSimulateTransaction simulates an authorized member paying in
// one of the mall's stores: the payment is recorded in the ledger (so bills
// include it) and MALL_TRANSACTION.SUCCESS is sent to the consumption URL,
// unless t.Pending. It returns the WeChat Pay order number, which the mall
// then syncs points for. A notification that fails is reported as an error;
// the transaction stands.
func (s *Server) BusinessCircleSimulateTransaction(ctx context.Context, t BusinessCircleTransaction) (string, error) {
	if t.AppID == "" {
		t.AppID = s.AppID
	}
	if t.ShopName == "" {
		t.ShopName = "沙箱咖啡"
	}
	if t.ShopNumber == "" {
		t.ShopNumber = "SHOP001"
	}
	if t.Time.IsZero() {
		t.Time = s.now()
	}
	if t.AmountFen <= 0 {
		return "", errors.New("sandbox: businesscircle: AmountFen must be positive")
	}
	bc := &s.businessCircle
	bc.mu.Lock()
	a := bc.members[bcMember{t.AppID, t.OpenID}]
	if a == nil || a.state != "AUTHORIZED" {
		bc.mu.Unlock()
		return "", errors.New("sandbox: businesscircle: only members who authorized the points service (BusinessCircleAuthorize) are notified of purchases")
	}
	tx := &bcTxn{BusinessCircleTransaction: t, id: "4200" + t.Time.In(shanghai).Format("20060102") + bcDigits(16), pushed: !t.Pending}
	bc.txns[tx.id] = tx
	url, code := bc.consumptionURL, a.code
	bc.mu.Unlock()

	s.Record(LedgerEntry{
		Time: t.Time, AppID: t.AppID, SubMchID: t.SubMchID, TransactionID: tx.id,
		OutTradeNo: "MALL" + t.Time.In(shanghai).Format("20060102150405") + bcDigits(6), OpenID: t.OpenID,
		TradeType: "MICROPAY", TradeState: "SUCCESS", BankType: "OTHERS", AmountFen: t.AmountFen,
		Product: t.ShopName,
	})
	if t.Pending || url == "" {
		return tx.id, nil
	}
	return tx.id, s.Notify(ctx, url, s.bcTransactionEvent(tx, code))
}

func (s *Server) bcTransactionEvent(tx *bcTxn, code string) Event {
	mchID := s.MerchantID
	if tx.SubMchID != "" {
		mchID = tx.SubMchID
	}
	return Event{
		EventType: "MALL_TRANSACTION.SUCCESS", Summary: "支付成功", OriginalType: "mall_transaction",
		Resource: map[string]any{
			"mchid": mchID, "merchant_name": BusinessCircleMerchantName, "shop_name": tx.ShopName,
			"shop_number": tx.ShopNumber, "appid": tx.AppID, "openid": tx.OpenID, "amount": tx.AmountFen,
			"time_end": tx.Time.In(shanghai).Format(time.RFC3339), "transaction_id": tx.id,
			"auth_type": "REGISTERED_MODE", "code": code,
		},
	}
}

// BusinessCircleSubmitPending simulates the member submitting, in the
// plugin, the purchases waiting for points: each is notified with
// MALL_TRANSACTION.SUCCESS and the commit status becomes FINISHED. It
// returns how many were submitted.
func (s *Server) BusinessCircleSubmitPending(ctx context.Context, appID, openID string) (int, error) {
	bc := &s.businessCircle
	bc.mu.Lock()
	var evs []Event
	code := ""
	if a := bc.members[bcMember{appID, openID}]; a != nil {
		code = a.code
	}
	for _, tx := range bc.txns {
		if !tx.pushed && tx.AppID == appID && tx.OpenID == openID {
			tx.pushed = true
			evs = append(evs, s.bcTransactionEvent(tx, code))
		}
	}
	url := bc.consumptionURL
	bc.mu.Unlock()
	if url == "" {
		return len(evs), nil
	}
	for _, ev := range evs {
		if err := s.Notify(ctx, url, ev); err != nil {
			return len(evs), err
		}
	}
	return len(evs), nil
}

// BusinessCircleSimulateRefund simulates a refund of refundFen of a mall
// transaction, made outside the refund API. The refund is recorded in the
// ledger and checked against it: with the refunds made through POST
// /v3/refund/domestic/refunds, a transaction is never refunded beyond what
// was paid. As the real service does, MALL_REFUND.SUCCESS is sent only when
// the transaction's points were synced (POST
// /v3/businesscircle/points/notify) and the purchase is at most 30 days
// old; notified reports whether it was sent. (A refund through the refund
// API that succeeds is notified the same way.)
func (s *Server) BusinessCircleSimulateRefund(ctx context.Context, transactionID string, refundFen int64) (refundID string, notified bool, err error) {
	bc := &s.businessCircle
	bc.mu.Lock()
	tx := bc.txns[transactionID]
	var t BusinessCircleTransaction
	if tx != nil {
		t = tx.BusinessCircleTransaction
	}
	bc.mu.Unlock()
	if tx == nil {
		return "", false, errors.New("sandbox: businesscircle: no such mall transaction")
	}
	now := s.now()
	// Under the refund lock, as the refund API checks and records.
	rs := &s.refund
	rs.mu.Lock()
	pay, ok := s.rfPayment(t.SubMchID, &transactionID, nil)
	if !ok {
		rs.mu.Unlock()
		return "", false, errors.New("sandbox: businesscircle: the transaction is not in the ledger")
	}
	refunded, _, _ := s.rfRefunded(pay)
	if left := pay.AmountFen + pay.CouponFen - refunded; refundFen <= 0 || refundFen > left {
		rs.mu.Unlock()
		return "", false, fmt.Errorf("sandbox: businesscircle: refund must be between 1 and %d fen", left)
	}
	refundID = "5030" + now.In(shanghai).Format("20060102") + bcDigits(17)
	s.Record(LedgerEntry{
		Time: now, AppID: t.AppID, SubMchID: t.SubMchID, TransactionID: transactionID, OpenID: t.OpenID,
		TradeType: pay.TradeType, TradeState: "REFUND", BankType: pay.BankType, AmountFen: pay.AmountFen, CouponFen: pay.CouponFen,
		RefundID: refundID, OutRefundNo: "MALLR" + now.In(shanghai).Format("20060102150405") + bcDigits(6),
		RefundFen: refundFen, RefundStatus: "SUCCESS", Product: t.ShopName,
	})
	rs.mu.Unlock()
	url, ev, send := s.bcRefundEvent(transactionID, refundID, refundFen, now)
	if !send {
		return refundID, false, nil
	}
	err = s.Notify(ctx, url, ev)
	return refundID, err == nil, err
}

// bcRefundEvent returns the MALL_REFUND.SUCCESS notification of a refund of
// a mall transaction, and whether it is sent: only for transactions whose
// points were synced, at most 30 days after the purchase, and when a
// consumption URL is set.
func (s *Server) bcRefundEvent(transactionID, refundID string, refundFen int64, at time.Time) (string, Event, bool) {
	bc := &s.businessCircle
	bc.mu.Lock()
	defer bc.mu.Unlock()
	tx := bc.txns[transactionID]
	if tx == nil || tx.points == nil || at.Sub(tx.Time) > businessCircleRefundWindow || bc.consumptionURL == "" {
		return "", Event{}, false
	}
	mchID := s.MerchantID
	if tx.SubMchID != "" {
		mchID = tx.SubMchID
	}
	return bc.consumptionURL, Event{
		EventType: "MALL_REFUND.SUCCESS", Summary: "退款成功", OriginalType: "mall_refund",
		Resource: map[string]any{
			"mchid": mchID, "merchant_name": BusinessCircleMerchantName, "shop_name": tx.ShopName,
			"shop_number": tx.ShopNumber, "appid": tx.AppID, "openid": tx.OpenID,
			"refund_time": at.In(shanghai).Format(time.RFC3339), "pay_amount": tx.AmountFen,
			"refund_amount": refundFen, "transaction_id": transactionID, "refund_id": refundID,
		},
	}, true
}

// BusinessCirclePointsOf returns what the last points sync of a transaction
// reported, and false when it was never synced.
func (s *Server) BusinessCirclePointsOf(transactionID string) (BusinessCirclePoints, bool) {
	bc := &s.businessCircle
	bc.mu.Lock()
	defer bc.mu.Unlock()
	tx := bc.txns[transactionID]
	if tx == nil || tx.points == nil {
		return BusinessCirclePoints{}, false
	}
	return *tx.points, true
}

// BusinessCircleParkingOf returns the last parking state synced for a plate.
func (s *Server) BusinessCircleParkingOf(plateNumber string) (BusinessCircleParking, bool) {
	bc := &s.businessCircle
	bc.mu.Lock()
	defer bc.mu.Unlock()
	p, ok := bc.parking[plateNumber]
	return p, ok
}

// --- handlers ---

type bcPointsWire struct {
	SubMchID         *string `json:"sub_mchid"`
	TransactionID    *string `json:"transaction_id"`
	AppID            *string `json:"appid"`
	OpenID           *string `json:"openid"`
	EarnPoints       *bool   `json:"earn_points"`
	IncreasedPoints  *int64  `json:"increased_points"`
	PointsUpdateTime *string `json:"points_update_time"`
	NoPointsRemarks  *string `json:"no_points_remarks"`
	TotalPoints      *int64  `json:"total_points"`
}

func (s *Server) bcSyncPoints(c *Call) Reply {
	var in bcPointsWire
	if r := c.Decode(&in); r != nil {
		return *r
	}
	in.SubMchID = bcNoSubMch(in.SubMchID)
	if r := firstProblem(
		bcText("/sub_mchid", "body", in.SubMchID, false, 64),
		bcText("/transaction_id", "body", in.TransactionID, true, 64),
		bcText("/appid", "body", in.AppID, true, 128),
		bcText("/openid", "body", in.OpenID, true, 64),
	); r != nil {
		return *r
	}
	if in.EarnPoints == nil {
		return ParamError("/earn_points", "body", "缺少必填参数 earn_points")
	}
	if in.IncreasedPoints == nil {
		return ParamError("/increased_points", "body", "缺少必填参数 increased_points")
	}
	if *in.IncreasedPoints < 0 {
		return ParamError("/increased_points", "body", "increased_points 不能为负数")
	}
	if !*in.EarnPoints && *in.IncreasedPoints != 0 {
		return ParamError("/increased_points", "body", "earn_points 为 false 时 increased_points 必须为 0")
	}
	updated, r := bcTime("/points_update_time", "body", in.PointsUpdateTime)
	if r != nil {
		return *r
	}
	if r := bcText("/no_points_remarks", "body", in.NoPointsRemarks, false, 128); r != nil {
		return *r
	}
	if in.TotalPoints != nil && *in.TotalPoints < 0 {
		return ParamError("/total_points", "body", "total_points 不能为负数")
	}
	bc := &s.businessCircle
	bc.mu.Lock()
	defer bc.mu.Unlock()
	tx := bc.txns[*in.TransactionID]
	sub := ""
	if in.SubMchID != nil {
		sub = *in.SubMchID
	}
	// Only transactions WeChat Pay notified to this mall can be synced.
	if tx == nil || !tx.pushed || tx.SubMchID != sub {
		return Error(http.StatusNotFound, "RESOURCE_NOT_EXISTS", "交易不存在或未推送给该商圈，请检查 transaction_id")
	}
	if tx.AppID != *in.AppID || tx.OpenID != *in.OpenID {
		return Error(http.StatusBadRequest, "INVALID_REQUEST", "appid、openid 与交易的会员不一致")
	}
	p := &BusinessCirclePoints{EarnPoints: *in.EarnPoints, IncreasedPoints: *in.IncreasedPoints, PointsUpdateTime: updated, TotalPoints: in.TotalPoints, Syncs: 1}
	if in.NoPointsRemarks != nil {
		p.NoPointsRemarks = *in.NoPointsRemarks
	}
	if tx.points != nil {
		p.Syncs = tx.points.Syncs + 1
	}
	tx.points = p
	return NoContent()
}

func (s *Server) bcUserAuthorization(c *Call) Reply {
	openID, appID, sub := c.PathValue("openid"), c.Query("appid"), c.Request.URL.Query()["sub_mchid"]
	if r := firstProblem(
		bcText("openid", "path", &openID, true, 64),
		bcText("appid", "query", &appID, true, 128),
		bcQueryOptional("sub_mchid", sub, 64),
	); r != nil {
		return *r
	}
	bc := &s.businessCircle
	bc.mu.Lock()
	defer bc.mu.Unlock()
	if !bc.appIDs[appID] {
		return Error(http.StatusBadRequest, "INVALID_REQUEST", "appid 未与该商圈绑定")
	}
	out := map[string]any{"openid": openID, "authorize_state": "UNAUTHORIZED"}
	if a := bc.members[bcMember{appID, openID}]; a != nil {
		out["authorize_state"] = a.state
		out["authorize_time"] = a.authorized.In(shanghai).Format(time.RFC3339)
		if a.state == "DEAUTHORIZED" {
			out["deauthorize_time"] = a.deauthorized.In(shanghai).Format(time.RFC3339)
		}
	}
	return JSON(http.StatusOK, out)
}

func (s *Server) bcCommitStatus(c *Call) Reply {
	openID, appID, brand, sub := c.PathValue("openid"), c.Query("appid"), c.Request.URL.Query()["brandid"], c.Request.URL.Query()["sub_mchid"]
	if r := bcText("openid", "path", &openID, true, 128); r != nil {
		return *r
	}
	if len(brand) == 0 || brand[0] == "" {
		return ParamError("brandid", "query", "缺少必填参数 brandid")
	}
	brandID, err := strconv.ParseInt(brand[0], 10, 64)
	if err != nil || brandID <= 0 {
		return ParamError("brandid", "query", "brandid 必须为正整数")
	}
	if r := firstProblem(bcText("appid", "query", &appID, true, 128), bcQueryOptional("sub_mchid", sub, 32)); r != nil {
		return *r
	}
	if brandID != BusinessCircleBrandID {
		return Error(http.StatusForbidden, "NO_AUTH", "调用方商户号不是该品牌的品牌主商户号或品牌服务商商户号")
	}
	bc := &s.businessCircle
	bc.mu.Lock()
	defer bc.mu.Unlock()
	if !bc.appIDs[appID] {
		return Error(http.StatusBadRequest, "INVALID_REQUEST", "appid 未与品牌完成下单 AppID 绑定")
	}
	if a := bc.members[bcMember{appID, openID}]; a == nil || a.state != "AUTHORIZED" {
		return Error(http.StatusBadRequest, "INVALID_REQUEST", "用户未授权商圈会员积分服务")
	}
	if bc.commitStatusNoContent {
		return NoContent()
	}
	today := s.now().In(shanghai).Format(time.DateOnly)
	status := "FINISHED"
	for _, tx := range bc.txns {
		if !tx.pushed && tx.AppID == appID && tx.OpenID == openID && tx.Time.In(shanghai).Format(time.DateOnly) == today {
			status = "PENDING"
			break
		}
	}
	return JSON(http.StatusOK, map[string]string{"points_commit_status": status})
}

type bcParkingWire struct {
	SubMchID    *string `json:"sub_mchid"`
	BrandID     *int64  `json:"brandid"`
	AppID       *string `json:"appid"`
	OpenID      *string `json:"openid"`
	PlateNumber *string `json:"plate_number"`
	State       *string `json:"state"`
	Time        *string `json:"time"`
}

var bcPlateTail = regexp.MustCompile(`^[A-Z0-9\p{Han}]+$`)

func (s *Server) bcParking(c *Call) Reply {
	var in bcParkingWire
	if r := c.Decode(&in); r != nil {
		return *r
	}
	in.SubMchID = bcNoSubMch(in.SubMchID)
	if r := bcText("/sub_mchid", "body", in.SubMchID, false, 32); r != nil {
		return *r
	}
	if in.BrandID == nil {
		return ParamError("/brandid", "body", "缺少必填参数 brandid")
	}
	if *in.BrandID <= 0 {
		return ParamError("/brandid", "body", "brandid 必须为正整数")
	}
	if r := firstProblem(
		bcText("/appid", "body", in.AppID, true, 32),
		bcText("/openid", "body", in.OpenID, true, 64),
		bcText("/plate_number", "body", in.PlateNumber, true, 32),
	); r != nil {
		return *r
	}
	first, n := utf8.DecodeRuneInString(*in.PlateNumber)
	if !unicode.Is(unicode.Han, first) || !bcPlateTail.MatchString((*in.PlateNumber)[n:]) {
		return ParamError("/plate_number", "body", "车牌号首位需为省份中文简称，第二位起为大写字母、数字或中文")
	}
	if in.State == nil || *in.State == "" {
		return ParamError("/state", "body", "缺少必填参数 state")
	}
	if *in.State != "IN" && *in.State != "OUT" {
		return ParamError("/state", "body", "state 取值错误，应为 IN 或 OUT")
	}
	at, r := bcTime("/time", "body", in.Time)
	if r != nil {
		return *r
	}
	if *in.BrandID != BusinessCircleBrandID {
		return Error(http.StatusForbidden, "NO_AUTH", "调用方商户号不是该品牌的品牌主商户号或品牌服务商商户号")
	}
	bc := &s.businessCircle
	bc.mu.Lock()
	defer bc.mu.Unlock()
	if !bc.appIDs[*in.AppID] {
		return Error(http.StatusBadRequest, "INVALID_REQUEST", "appid 未与品牌完成下单 AppID 绑定")
	}
	if a := bc.members[bcMember{*in.AppID, *in.OpenID}]; a == nil || a.state != "AUTHORIZED" {
		return Error(http.StatusBadRequest, "INVALID_REQUEST", "用户未授权商圈会员积分服务")
	}
	p := BusinessCircleParking{BrandID: *in.BrandID, AppID: *in.AppID, OpenID: *in.OpenID, PlateNumber: *in.PlateNumber, State: *in.State, Time: at}
	if in.SubMchID != nil {
		p.SubMchID = *in.SubMchID
	}
	bc.parking[p.PlateNumber] = p
	return NoContent()
}

// --- helpers ---

func firstProblem(rs ...*Reply) *Reply {
	for _, r := range rs {
		if r != nil {
			return r
		}
	}
	return nil
}

// bcText checks a string parameter as WeChat Pay does: present when
// required, not empty when given, at most max characters, 1-3 byte UTF-8.
func bcText(field, location string, v *string, required bool, max int) *Reply {
	name := field
	if len(name) > 0 && name[0] == '/' {
		name = name[1:]
	}
	var r Reply
	switch {
	case v == nil && !required:
		return nil
	case v == nil || *v == "":
		r = ParamError(field, location, "缺少必填参数 "+name)
	case utf8.RuneCountInString(*v) > max:
		r = ParamError(field, location, fmt.Sprintf("%s 长度不能超过 %d", name, max))
	case !bcText3(*v):
		r = ParamError(field, location, name+" 包含非法字符（仅支持 1-3 字节的 UTF-8 字符）")
	default:
		return nil
	}
	return &r
}

func bcText3(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r > 0xFFFF {
			return false
		}
	}
	return true
}

// bcQueryOptional checks an optional query parameter given as its values.
// An empty value is no value: the documentation says to leave sub_mchid
// empty (留空) outside service-provider mode.
func bcQueryOptional(field string, vs []string, max int) *Reply {
	if len(vs) == 0 || vs[0] == "" {
		return nil
	}
	return bcText(field, "query", &vs[0], true, max)
}

// bcNoSubMch treats an empty body sub_mchid as absent, as the
// documentation asks direct malls to leave it empty (留空).
func bcNoSubMch(v *string) *string {
	if v != nil && *v == "" {
		return nil
	}
	return v
}

// bcTime checks a required RFC 3339 time of at most 32 characters.
func bcTime(field, location string, v *string) (time.Time, *Reply) {
	if r := bcText(field, location, v, true, 32); r != nil {
		return time.Time{}, r
	}
	t, err := time.Parse(time.RFC3339, *v)
	if err != nil {
		r := ParamError(field, location, field[1:]+" 格式错误，应为 RFC 3339 格式，如 2020-05-20T13:29:35+08:00")
		return time.Time{}, &r
	}
	return t, nil
}

func bcDigits(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	for i := range b {
		b[i] = '0' + b[i]%10
	}
	return string(b)
}
