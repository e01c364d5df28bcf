package sandbox

import (
	"context"
	"errors"
	"fmt"
	"math/bits"
	"net/http"
	"net/url"
	"regexp"
	"sync"
	"time"
	"unicode/utf8"
)

// Refund rules the sandbox enforces, as WeChat Pay documents them.
const (
	// RefundMaxPerOrder is how many refunds one paid order can have.
	RefundMaxPerOrder = 50
	// RefundPeriod is how long after payment an order can be refunded.
	RefundPeriod = 365 * 24 * time.Hour
	// RefundMinInterval is the least time between two refunds of one
	// order; a refund sooner than that is answered 429 FREQUENCY_LIMITED.
	RefundMinInterval = time.Minute
)

// refundState is the sandbox's refund state. Its mutex serialises refund
// applications (check against the ledger, then record), so two concurrent
// refunds of one order cannot both pass the amount check; it is never held
// while doing I/O.
type refundState struct {
	mu        sync.Mutex
	refunds   map[rfKey]*rfRefund // by sub-merchant and out_refund_no
	byID      map[string]*rfRefund
	notifyURL string // the refund URL configured in the merchant platform
	seq       int
}

// rfKey identifies a refund: out_refund_no is unique per (sub-)merchant.
type rfKey struct{ sub, outRefundNo string }

type rfRefund struct {
	wire      rfWire
	canon     []byte // canonical create request, for idempotency
	notifyURL string
	sub       string
	payment   LedgerEntry
}

// Wire structs: what the sandbox reads and writes, independent of the SDK.

type rfFrom struct {
	Account string `json:"account"`
	Amount  *int64 `json:"amount"`
}

type rfGoods struct {
	MerchantGoodsID  string  `json:"merchant_goods_id"`
	WechatpayGoodsID *string `json:"wechatpay_goods_id,omitempty"`
	GoodsName        *string `json:"goods_name,omitempty"`
	UnitPrice        *int64  `json:"unit_price"`
	RefundAmount     *int64  `json:"refund_amount"`
	RefundQuantity   *int64  `json:"refund_quantity"`
}

type rfCreateWire struct {
	SubMchID      *string `json:"sub_mchid,omitempty"`
	TransactionID *string `json:"transaction_id,omitempty"`
	OutTradeNo    *string `json:"out_trade_no,omitempty"`
	OutRefundNo   string  `json:"out_refund_no"`
	Reason        *string `json:"reason,omitempty"`
	NotifyURL     *string `json:"notify_url,omitempty"`
	FundsAccount  *string `json:"funds_account,omitempty"`
	Amount        *struct {
		Refund   *int64   `json:"refund"`
		From     []rfFrom `json:"from,omitempty"`
		Total    *int64   `json:"total"`
		Currency string   `json:"currency"`
	} `json:"amount"`
	GoodsDetail []rfGoods `json:"goods_detail,omitempty"`
}

type rfAmountWire struct {
	Total            int64    `json:"total"`
	Refund           int64    `json:"refund"`
	From             []rfFrom `json:"from,omitempty"`
	PayerTotal       int64    `json:"payer_total"`
	PayerRefund      int64    `json:"payer_refund"`
	SettlementRefund int64    `json:"settlement_refund"`
	SettlementTotal  int64    `json:"settlement_total"`
	DiscountRefund   int64    `json:"discount_refund"`
	Currency         string   `json:"currency"`
}

type rfWire struct {
	RefundID            string       `json:"refund_id"`
	OutRefundNo         string       `json:"out_refund_no"`
	TransactionID       string       `json:"transaction_id"`
	OutTradeNo          string       `json:"out_trade_no"`
	Channel             string       `json:"channel"`
	UserReceivedAccount string       `json:"user_received_account"`
	SuccessTime         string       `json:"success_time,omitempty"`
	CreateTime          string       `json:"create_time"`
	Status              string       `json:"status"`
	FundsAccount        string       `json:"funds_account,omitempty"`
	Amount              rfAmountWire `json:"amount"`
}

// installRefund registers the refund endpoints.
func (s *Server) installRefund() {
	s.refund.refunds = map[rfKey]*rfRefund{}
	s.refund.byID = map[string]*rfRefund{}
	s.Handle("POST /v3/refund/domestic/refunds", s.rfCreate)
	s.Handle("GET /v3/refund/domestic/refunds/{out_refund_no}", s.rfQuery)
}

// ---- controls ----

// RefundSetNotifyURL sets the refund callback URL configured in the merchant
// platform: callbacks of refunds created without a notify_url go there.
// As for every sandbox callback, only loopback URLs are called (http is
// fine). "" turns them off.
func (s *Server) RefundSetNotifyURL(u string) {
	s.refund.mu.Lock()
	s.refund.notifyURL = u
	s.refund.mu.Unlock()
}

// RefundSimulateSuccess makes a PROCESSING refund (named by its refund_id)
// SUCCESS and sends REFUND.SUCCESS to its notify_url, or to the URL set with
// RefundSetNotifyURL.
func (s *Server) RefundSimulateSuccess(ctx context.Context, refundID string) error {
	return s.rfFinish(ctx, refundID, "SUCCESS")
}

// RefundSimulateClose closes a PROCESSING refund without refunding: it
// becomes CLOSED, the money returns to the merchant (a 退款关闭 income in
// the fund-flow bill; the amount can be refunded again) and REFUND.CLOSED is
// sent.
func (s *Server) RefundSimulateClose(ctx context.Context, refundID string) error {
	return s.rfFinish(ctx, refundID, "CLOSED")
}

// RefundSimulateAbnormal makes a PROCESSING refund ABNORMAL (the money
// could not reach the user) and sends REFUND.ABNORMAL.
func (s *Server) RefundSimulateAbnormal(ctx context.Context, refundID string) error {
	return s.rfFinish(ctx, refundID, "ABNORMAL")
}

func (s *Server) rfFinish(ctx context.Context, refundID, status string) error {
	rs := &s.refund
	now := s.now()
	rs.mu.Lock()
	r := rs.byID[refundID]
	switch {
	case r == nil:
		rs.mu.Unlock()
		return errors.New("sandbox: no such refund_id")
	case r.wire.Status != "PROCESSING":
		st := r.wire.Status
		rs.mu.Unlock()
		return fmt.Errorf("sandbox: the refund is %s, not PROCESSING", st)
	}
	r.wire.Status = status
	if status == "SUCCESS" {
		r.wire.SuccessTime = now.In(shanghai).Format(time.RFC3339)
	}
	target := r.notifyURL
	if target == "" {
		target = rs.notifyURL
	}
	ev := s.rfEvent(r)
	if status == "CLOSED" {
		closure := r.payment
		closure.Time, closure.TradeState, closure.SubMchID = now, "REFUND", r.sub
		closure.RefundID, closure.OutRefundNo, closure.RefundFen, closure.RefundStatus = r.wire.RefundID, r.wire.OutRefundNo, r.wire.Amount.Refund, "CLOSED"
		s.Record(closure)
	}
	txID, refundFen := r.wire.TransactionID, r.wire.Amount.Refund
	rs.mu.Unlock()
	err := s.psDeliver(ctx, target, ev)
	if status == "SUCCESS" {
		// A refund of a mall purchase whose points were synced is also
		// notified to the mall (MALL_REFUND.SUCCESS, spec §2.6).
		if url, mall, ok := s.bcRefundEvent(txID, refundID, refundFen, now); ok {
			err = errors.Join(err, s.Notify(ctx, url, mall))
		}
	}
	return err
}

func (s *Server) rfEvent(r *rfRefund) Event {
	res := map[string]any{
		"out_trade_no": r.wire.OutTradeNo, "transaction_id": r.wire.TransactionID,
		"out_refund_no": r.wire.OutRefundNo, "refund_id": r.wire.RefundID, "refund_status": r.wire.Status,
		"user_received_account": r.wire.UserReceivedAccount,
		"amount": map[string]int64{
			"total": r.wire.Amount.Total, "refund": r.wire.Amount.Refund,
			"payer_total": r.wire.Amount.PayerTotal, "payer_refund": r.wire.Amount.PayerRefund,
		},
	}
	if r.sub == "" {
		res["mchid"] = s.MerchantID
	} else {
		res["sp_mchid"], res["sub_mchid"] = s.MerchantID, r.sub
	}
	if r.wire.SuccessTime != "" {
		res["success_time"] = r.wire.SuccessTime
	}
	summary := map[string]string{"SUCCESS": "退款成功", "CLOSED": "退款关闭", "ABNORMAL": "退款异常"}[r.wire.Status]
	return Event{EventType: "REFUND." + r.wire.Status, Summary: summary, OriginalType: "refund", Resource: res}
}

// ---- validation ----

var (
	rfReOutRefundNo = regexp.MustCompile(`^[0-9A-Za-z_\-|*@]{1,64}$`)
	rfReOutTradeNo  = regexp.MustCompile(`^[0-9A-Za-z_\-|*]{6,32}$`)
)

func (c *psCheck) refundRequest(req *rfCreateWire) {
	if req.SubMchID != nil {
		c.text("/sub_mchid", "body", *req.SubMchID, true, 32)
	}
	switch {
	case req.TransactionID == nil && req.OutTradeNo == nil:
		c.fail("/transaction_id", "body", "transaction_id 和 out_trade_no 必须二选一")
	case req.TransactionID != nil && req.OutTradeNo != nil:
		c.fail("/out_trade_no", "body", "transaction_id 和 out_trade_no 只能填写一个")
	case req.TransactionID != nil:
		c.text("/transaction_id", "body", *req.TransactionID, true, 32)
	case !rfReOutTradeNo.MatchString(*req.OutTradeNo):
		c.fail("/out_trade_no", "body", "只能是 6-32 个字符的数字、大小写字母_-|*")
	}
	if !rfReOutRefundNo.MatchString(req.OutRefundNo) {
		c.fail("/out_refund_no", "body", "只能是 64 个字符内的数字、大小写字母_-|*@")
	}
	if req.Reason != nil {
		c.text("/reason", "body", *req.Reason, false, 0)
		if len(*req.Reason) > 80 {
			c.fail("/reason", "body", "长度不能超过 80 字节")
		}
	}
	if req.NotifyURL != nil {
		u, err := url.Parse(*req.NotifyURL)
		switch n := utf8.RuneCountInString(*req.NotifyURL); {
		case err != nil || (u.Scheme != "https" && !(u.Scheme == "http" && psLoopback(*req.NotifyURL))) || u.Host == "":
			// https, as WeChat Pay demands; plain http only on a loopback
			// host, where the sandbox delivers to a test's endpoint.
			c.fail("/notify_url", "body", "必须是 https 地址")
		case u.RawQuery != "" || u.ForceQuery:
			c.fail("/notify_url", "body", "不能携带查询参数")
		case n < 8 || n > 256:
			c.fail("/notify_url", "body", "长度应为 8-256 个字符")
		}
	}
	if fa := req.FundsAccount; fa != nil && *fa != "AVAILABLE" && *fa != "UNSETTLED" {
		c.fail("/funds_account", "body", "funds_account 只能为 AVAILABLE 或 UNSETTLED")
	}
	a := req.Amount
	switch {
	case a == nil:
		c.fail("/amount", "body", "字段必填")
		return
	case a.Refund == nil || *a.Refund < 1:
		c.fail("/amount/refund", "body", "退款金额必须为正整数（分）")
	case a.Total == nil || *a.Total < 1:
		c.fail("/amount/total", "body", "原订单金额必须为正整数（分）")
	case *a.Refund > *a.Total:
		c.fail("/amount/refund", "body", "退款金额不能大于原订单金额")
	case a.Currency != "CNY":
		c.fail("/amount/currency", "body", "币种只能为 CNY")
	}
	if len(a.From) > 0 && c.rep == nil {
		var sum int64
		seen := map[string]bool{}
		for i, f := range a.From {
			p := fmt.Sprintf("/amount/from/%d", i)
			switch {
			case f.Account != "AVAILABLE" && f.Account != "UNAVAILABLE":
				c.fail(p+"/account", "body", "出资账户类型只能为 AVAILABLE 或 UNAVAILABLE")
			case seen[f.Account]:
				c.fail(p+"/account", "body", "出资账户不能重复")
			case f.Amount == nil || *f.Amount < 1 || *f.Amount > *a.Refund:
				c.fail(p+"/amount", "body", "出资金额必须为正整数且不超过退款金额")
			default:
				sum += *f.Amount // each ≤ refund and at most two accounts: no overflow
			}
			seen[f.Account] = true
		}
		if c.rep == nil && sum != *a.Refund {
			c.fail("/amount/from", "body", "出资金额之和必须等于退款金额")
		}
	}
	for i, g := range req.GoodsDetail {
		p := fmt.Sprintf("/goods_detail/%d", i)
		c.text(p+"/merchant_goods_id", "body", g.MerchantGoodsID, true, 32)
		c.opt(p+"/wechatpay_goods_id", g.WechatpayGoodsID, 32)
		c.opt(p+"/goods_name", g.GoodsName, 256)
		switch {
		case g.UnitPrice == nil || *g.UnitPrice < 0:
			c.fail(p+"/unit_price", "body", "商品单价必填且不能为负数")
		case g.RefundAmount == nil || *g.RefundAmount < 0:
			c.fail(p+"/refund_amount", "body", "商品退款金额必填且不能为负数")
		case g.RefundQuantity == nil || *g.RefundQuantity < 1:
			c.fail(p+"/refund_quantity", "body", "商品退货数量必填且至少为 1")
		}
	}
}

// ---- endpoints ----

func (s *Server) rfCreate(c *Call) Reply {
	var req rfCreateWire
	if r := c.Decode(&req); r != nil {
		return *r
	}
	var chk psCheck
	chk.refundRequest(&req)
	if chk.rep != nil {
		return *chk.rep
	}
	sub := ""
	if req.SubMchID != nil {
		sub = *req.SubMchID
	}
	if s.foreignSubMerchant(sub) {
		return Error(http.StatusForbidden, "NO_AUTH", "特约商户与服务商不存在受理关系，无权退款")
	}
	canon := psCanonical(req)
	now := s.now()
	rs := &s.refund
	rs.mu.Lock()
	defer rs.mu.Unlock()
	key := rfKey{sub, req.OutRefundNo}
	if r := rs.refunds[key]; r != nil {
		if string(r.canon) != string(canon) {
			return Error(http.StatusBadRequest, "INVALID_REQUEST", "退款单号已存在，且请求参数与原退款申请不一致")
		}
		return JSON(http.StatusOK, r.wire) // a repeated number refunds only once
	}
	pay, ok := s.rfPayment(sub, req.TransactionID, req.OutTradeNo)
	if !ok {
		return Error(http.StatusNotFound, "RESOURCE_NOT_EXISTS", "订单不存在或未支付")
	}
	total := pay.AmountFen + pay.CouponFen
	refundFen := *req.Amount.Refund
	refunded, count, last := s.rfRefunded(pay)
	switch {
	case now.Sub(pay.Time) > RefundPeriod:
		return Error(http.StatusBadRequest, "INVALID_REQUEST", "订单已超过可退款的最大期限（365天）")
	case *req.Amount.Total != total:
		return ParamError("/amount/total", "body", "原订单金额与订单实际支付金额不一致")
	case count >= RefundMaxPerOrder:
		return Error(http.StatusBadRequest, "INVALID_REQUEST", fmt.Sprintf("订单退款次数已达上限（%d次）", RefundMaxPerOrder))
	case refundFen > total-refunded:
		return Error(http.StatusBadRequest, "INVALID_REQUEST", fmt.Sprintf("申请退款金额超过订单可退金额（剩余 %d 分）", total-refunded))
	case count > 0 && now.Sub(last) < RefundMinInterval:
		return Error(http.StatusTooManyRequests, "FREQUENCY_LIMITED", "同一订单的两笔退款申请需间隔1分钟以上")
	}

	rs.seq++
	discount := couponShare(refundFen, pay.CouponFen, total)
	r := &rfRefund{canon: canon, sub: sub, payment: pay, wire: rfWire{
		RefundID:    fmt.Sprintf("503%s%018d", now.In(shanghai).Format("20060102"), rs.seq),
		OutRefundNo: req.OutRefundNo, TransactionID: pay.TransactionID, OutTradeNo: pay.OutTradeNo,
		Channel: "ORIGINAL", UserReceivedAccount: "支付用户零钱",
		CreateTime: now.In(shanghai).Format(time.RFC3339), Status: "PROCESSING",
		Amount: rfAmountWire{
			Total: total, Refund: refundFen, From: req.Amount.From,
			PayerTotal: pay.AmountFen, PayerRefund: refundFen - discount,
			SettlementTotal: pay.AmountFen, SettlementRefund: refundFen - discount,
			DiscountRefund: discount, Currency: "CNY",
		},
	}}
	if req.FundsAccount != nil {
		r.wire.FundsAccount = *req.FundsAccount
	}
	if req.NotifyURL != nil {
		r.notifyURL = *req.NotifyURL
	}
	rs.refunds[key] = r
	rs.byID[r.wire.RefundID] = r
	s.Record(LedgerEntry{
		Time: now, AppID: pay.AppID, SubMchID: sub, TransactionID: pay.TransactionID, OutTradeNo: pay.OutTradeNo,
		OpenID: pay.OpenID, TradeType: pay.TradeType, TradeState: "REFUND", BankType: pay.BankType,
		AmountFen: pay.AmountFen, CouponFen: pay.CouponFen, RefundID: r.wire.RefundID, OutRefundNo: req.OutRefundNo,
		RefundFen: refundFen, RefundStatus: "PROCESSING", Product: pay.Product, Attach: pay.Attach,
	})
	return JSON(http.StatusOK, r.wire)
}

// rfPayment finds the paid order a refund names, in the ledger: by
// transaction_id or out_trade_no, of the sub-merchant sub ("" for the
// merchant itself: a merchant cannot refund a sub-merchant's payment, nor
// one sub-merchant another's).
func (s *Server) rfPayment(sub string, transactionID, outTradeNo *string) (LedgerEntry, bool) {
	for _, e := range s.Ledger() {
		if e.TradeState != "SUCCESS" || e.SubMchID != sub {
			continue
		}
		if (transactionID != nil && e.TransactionID == *transactionID) || (outTradeNo != nil && e.OutTradeNo != "" && e.OutTradeNo == *outTradeNo) {
			return e, true
		}
	}
	return LedgerEntry{}, false
}

// rfRefunded sums what the ledger has refunded of a payment (closed
// refunds give their amount back), counts its refunds and returns the time
// of the latest.
func (s *Server) rfRefunded(pay LedgerEntry) (refunded int64, count int, last time.Time) {
	for _, e := range s.Ledger() {
		if e.TradeState != "REFUND" || e.TransactionID != pay.TransactionID || e.SubMchID != pay.SubMchID {
			continue
		}
		if e.RefundStatus == "CLOSED" {
			refunded -= e.RefundFen
			continue
		}
		refunded += e.RefundFen
		count++
		if e.Time.After(last) {
			last = e.Time
		}
	}
	return refunded, count, last
}

func (s *Server) rfQuery(c *Call) Reply {
	no := c.PathValue("out_refund_no")
	var chk psCheck
	if !rfReOutRefundNo.MatchString(no) {
		chk.fail("out_refund_no", "path", "只能是 64 个字符内的数字、大小写字母_-|*@")
	}
	sub := c.Query("sub_mchid")
	chk.text("sub_mchid", "query", sub, false, 32)
	if chk.rep != nil {
		return *chk.rep
	}
	if s.foreignSubMerchant(sub) {
		return Error(http.StatusForbidden, "NO_AUTH", "特约商户与服务商不存在受理关系")
	}
	rs := &s.refund
	rs.mu.Lock()
	defer rs.mu.Unlock()
	r := rs.refunds[rfKey{sub, no}]
	if r == nil {
		return Error(http.StatusNotFound, "RESOURCE_NOT_EXISTS", "退款单不存在")
	}
	return JSON(http.StatusOK, r.wire) // a copy, taken under the lock
}

// refundClosure reports whether a ledger entry records a refund being
// closed (RefundSimulateClose): the money comes back to the merchant. It
// adds no row to the trade bill, whose refund rows are written when a refund
// is accepted and never updated, and an income (退款关闭) to the fund-flow
// bill.
func refundClosure(e LedgerEntry) bool { return e.TradeState == "REFUND" && e.RefundStatus == "CLOSED" }

// foreignSubMerchant reports whether sub is a known sub-merchant of another
// service provider (PayScoreAddSubMerchant with SpMchID): the sandbox
// merchant has no business with it.
func (s *Server) foreignSubMerchant(sub string) bool {
	if sub == "" {
		return false
	}
	ps := &s.payScore
	ps.mu.Lock()
	defer ps.mu.Unlock()
	sm, ok := ps.partner.subs[sub]
	return ok && sm.SpMchID != "" && sm.SpMchID != s.MerchantID
}

// couponShare is the part of a refund of refundFen that goes back to the
// order's non-recharge coupon of couponFen (of an order of totalFen):
// floor(refund × coupon / total), the refund's discount_refund. What is left
// (settlement_refund) is what the merchant pays back. 0 when the amounts
// make no sense (nothing negative, refund ≤ total).
func couponShare(refundFen, couponFen, totalFen int64) int64 {
	if refundFen <= 0 || couponFen <= 0 || totalFen <= 0 || refundFen > totalFen || couponFen > totalFen {
		return 0
	}
	// 128-bit product; refund ≤ total, so the quotient fits.
	hi, lo := bits.Mul64(uint64(refundFen), uint64(couponFen))
	q, _ := bits.Div64(hi, lo, uint64(totalFen))
	return int64(q)
}

// settlementRefundFen is what a refund entry takes from the merchant: the
// refund without its coupon share (the bills' 退款金额, the refund's
// settlement_refund).
func (e LedgerEntry) settlementRefundFen() int64 {
	return e.RefundFen - couponShare(e.RefundFen, e.CouponFen, e.AmountFen+e.CouponFen)
}
