package payscore

import (
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
)

// This file holds the checks of the value types that the direct APIs and the
// service-provider APIs (package payscore/partner) share — post payments and
// discounts, total_amount, time_range, risk_fund, location, device and
// detail.paid_time — so that both modes validate them by the same rules, and
// the page signing both modes use.
//
// Each Check function returns nil when the value is fine, without allocating,
// or every problem it found, named by wire field (post_payments[2].name,
// time_range.end_time…) and never quoting the value. A Validate method
// appends them to its own problems.

// ItemRequirements says which item fields an operation requires (see CheckItems).
type ItemRequirements struct {
	// PaymentsRequired: at least one post_payments item must be given
	// (completing or modifying an order).
	PaymentsRequired bool
	// DiscountDescriptionRequired: every post_discounts item needs a
	// description (creating an order).
	DiscountDescriptionRequired bool
	// DiscountAmountRequired: every post_discounts item needs an amount
	// (completing or modifying an order).
	DiscountAmountRequired bool
}

// CheckItems checks post_payments and post_discounts: at most
// MaxPostPayments and MaxPostDiscounts items; every name set, at most 20
// characters and unique in its list (except the payment name "商品信息",
// which may repeat); descriptions at most 30 characters; amounts in fen not
// negative; payment counts 1 to 100 and discount counts at least 1; and
// what rules requires.
func CheckItems(payments []PostPayment, discounts []PostDiscount, rules ItemRequirements) []core.FieldError {
	var p problems
	if rules.PaymentsRequired && len(payments) == 0 {
		p.add("post_payments", "at least one item is required")
	}
	if len(payments) > MaxPostPayments {
		p.add("post_payments", "at most "+strconv.Itoa(MaxPostPayments)+" items")
	}
	if len(discounts) > MaxPostDiscounts {
		p.add("post_discounts", "at most "+strconv.Itoa(MaxPostDiscounts)+" items")
	}
	for i := range payments {
		it := &payments[i]
		p.text("post_payments", i, ".name", it.Name, true, 20)
		if it.Name != "" && it.Name != sharedItemName {
			for j := range i {
				if payments[j].Name == it.Name {
					p.item("post_payments", i, ".name", "duplicates the name of another post_payments item")
					break
				}
			}
		}
		if it.Amount != nil && *it.Amount < 0 {
			p.item("post_payments", i, ".amount", "must not be negative")
		}
		if it.Description != nil {
			p.text("post_payments", i, ".description", *it.Description, false, 30)
		}
		if it.Count != nil && (*it.Count < 1 || *it.Count > 100) {
			p.item("post_payments", i, ".count", "must be between 1 and 100")
		}
	}
	for i := range discounts {
		it := &discounts[i]
		p.text("post_discounts", i, ".name", it.Name, true, 20)
		if it.Name != "" {
			for j := range i {
				if discounts[j].Name == it.Name {
					p.item("post_discounts", i, ".name", "duplicates the name of another post_discounts item")
					break
				}
			}
		}
		switch {
		case it.Description != nil:
			p.text("post_discounts", i, ".description", *it.Description, rules.DiscountDescriptionRequired, 30)
		case rules.DiscountDescriptionRequired:
			p.item("post_discounts", i, ".description", "is required")
		}
		switch {
		case it.Amount != nil && *it.Amount < 0:
			p.item("post_discounts", i, ".amount", "must not be negative")
		case it.Amount == nil && rules.DiscountAmountRequired:
			p.item("post_discounts", i, ".amount", "is required")
		}
		if it.Count != nil && *it.Count < 1 {
			p.item("post_discounts", i, ".count", "must be at least 1")
		}
	}
	return p
}

// CheckTotal checks total_amount (fen) against the documented formula:
// total_amount = Σ post_payments.amount − Σ post_discounts.amount, not
// negative. A sum that overflows int64 is a problem too, never a wrapped
// number.
func CheckTotal(total int64, payments []PostPayment, discounts []PostDiscount) []core.FieldError {
	var p problems
	if total < 0 {
		p.add("total_amount", "must not be negative")
	}
	want, ok := itemsTotal(payments, discounts)
	switch {
	case !ok:
		p.add("total_amount", "Σ post_payments.amount − Σ post_discounts.amount overflows int64")
	case total != want:
		p.add("total_amount", "must equal Σ post_payments.amount − Σ post_discounts.amount ("+strconv.FormatInt(want, 10)+" fen)")
	}
	return p
}

// itemsTotal is Σ payments − Σ discounts with every step checked; ok is
// false when a step overflows int64.
func itemsTotal(payments []PostPayment, discounts []PostDiscount) (total int64, ok bool) {
	for i := range payments {
		if a := payments[i].Amount; a != nil {
			if total, ok = addInt64(total, *a); !ok {
				return 0, false
			}
		}
	}
	for i := range discounts {
		if a := discounts[i].Amount; a != nil {
			if *a == math.MinInt64 {
				return 0, false
			}
			if total, ok = addInt64(total, -*a); !ok {
				return 0, false
			}
		}
	}
	return total, true
}

func addInt64(a, b int64) (int64, bool) {
	if (b > 0 && a > math.MaxInt64-b) || (b < 0 && a < math.MinInt64-b) {
		return 0, false
	}
	return a + b, true
}

// CheckCreateTimeRange checks time_range as an order is created with it:
// start_time is required and is yyyyMMddHHmmss, yyyyMMdd or OnAccept;
// end_time, when given, is yyyyMMddHHmmss or yyyyMMdd; the remarks are
// valid text. Dates must exist (no 20240231).
func CheckCreateTimeRange(tr *TimeRange) []core.FieldError {
	var p problems
	if tr == nil {
		p.add("time_range", "is required")
		return p
	}
	switch {
	case tr.StartTime == "":
		p.add("time_range.start_time", "is required")
	case !tr.StartTime.IsOnAccept() && !timeOK(tr.StartTime, true):
		p.add("time_range.start_time", "must be yyyyMMddHHmmss, yyyyMMdd or OnAccept")
	}
	p.timeRangeRest(tr)
	return p
}

// CheckCompleteTimeRange checks the optional time_range of a completion:
// start_time, when given, is the actual start (yyyyMMddHHmmss or yyyyMMdd,
// not OnAccept); end_time, when given, likewise; the remarks are valid text.
// A nil time_range is fine.
func CheckCompleteTimeRange(tr *TimeRange) []core.FieldError {
	var p problems
	if tr == nil {
		return nil
	}
	switch {
	case tr.StartTime == "":
	case tr.StartTime.IsOnAccept():
		p.add("time_range.start_time", "must be the actual start time, not OnAccept")
	case !timeOK(tr.StartTime, true):
		p.add("time_range.start_time", "must be yyyyMMddHHmmss or yyyyMMdd")
	}
	p.timeRangeRest(tr)
	return p
}

func (p *problems) timeRangeRest(tr *TimeRange) {
	if tr.EndTime != nil && !timeOK(*tr.EndTime, true) {
		p.add("time_range.end_time", "must be yyyyMMddHHmmss or yyyyMMdd")
	}
	if tr.StartTimeRemark != nil {
		p.text("time_range.start_time_remark", -1, "", *tr.StartTimeRemark, false, 0)
	}
	if tr.EndTimeRemark != nil {
		p.text("time_range.end_time_remark", -1, "", *tr.EndTimeRemark, false, 0)
	}
}

// CheckPaidTime checks detail.paid_time of a sync: required,
// yyyyMMddHHmmss or yyyyMMdd (midnight), an existing date.
func CheckPaidTime(t Time) []core.FieldError {
	var p problems
	switch {
	case t == "":
		p.add("detail.paid_time", "is required")
	case !timeOK(t, true):
		p.add("detail.paid_time", "must be yyyyMMddHHmmss or yyyyMMdd")
	}
	return p
}

// timeOK reports whether t is an existing Beijing date-time written
// yyyyMMddHHmmss, or (with allowDate) a date written yyyyMMdd.
func timeOK(t Time, allowDate bool) bool {
	s := string(t)
	if len(s) != len(layoutDateTime) && (!allowDate || len(s) != len(layoutDate)) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	_, err := t.Time()
	return err == nil
}

// CheckRiskFund checks risk_fund: name is one of the documented
// RiskFundName values, amount (fen) is not negative, the description is
// valid text. Whether the name suits the service's mode and the amount its
// ceiling only WeChat Pay knows.
func CheckRiskFund(r *RiskFund) []core.FieldError {
	var p problems
	if r == nil {
		p.add("risk_fund", "is required")
		return p
	}
	switch r.Name {
	case RiskFundDeposit, RiskFundAdvance, RiskFundCashDeposit, RiskFundEstimateOrderCost:
	case "":
		p.add("risk_fund.name", "is required")
	default:
		p.add("risk_fund.name", "must be one of [DEPOSIT ADVANCE CASH_DEPOSIT ESTIMATE_ORDER_COST]")
	}
	if r.Amount < 0 {
		p.add("risk_fund.amount", "must not be negative")
	}
	if r.Description != nil {
		p.text("risk_fund.description", -1, "", *r.Description, false, 0)
	}
	return p
}

// CheckLocation checks that the set location fields are valid text. A nil
// location is fine.
func CheckLocation(l *Location) []core.FieldError {
	var p problems
	if l == nil {
		return nil
	}
	if l.StartLocation != nil {
		p.text("location.start_location", -1, "", *l.StartLocation, false, 0)
	}
	if l.EndLocation != nil {
		p.text("location.end_location", -1, "", *l.EndLocation, false, 0)
	}
	return p
}

// CheckDevice checks that the set device fields are valid text. A nil
// device is fine.
func CheckDevice(d *Device) []core.FieldError {
	var p problems
	if d == nil {
		return nil
	}
	if d.StartDeviceID != nil {
		p.text("device.start_device_id", -1, "", *d.StartDeviceID, false, 0)
	}
	if d.EndDeviceID != nil {
		p.text("device.end_device_id", -1, "", *d.EndDeviceID, false, 0)
	}
	if d.MaterielNo != nil {
		p.text("device.materiel_no", -1, "", *d.MaterielNo, false, 0)
	}
	return p
}

// problems collects FieldErrors; the nil value is "no problem" and costs
// nothing.
type problems []core.FieldError

func (p *problems) add(field, problem string) {
	*p = append(*p, core.FieldError{Field: field, Problem: problem})
}

// item records a problem with list[i]+suffix (or field alone when i < 0),
// building the indexed name only now, on the failing branch.
func (p *problems) item(list string, i int, suffix, problem string) {
	if i < 0 {
		p.add(list, problem)
		return
	}
	p.add(list+"["+strconv.Itoa(i)+"]"+suffix, problem)
}

// text checks s as APIv3 text: valid UTF-8 of 1-3 byte characters, set when
// required, at most max characters when max > 0.
func (p *problems) text(list string, i int, suffix, s string, required bool, max int) {
	if pr := textProblem(s, required, max); pr != "" {
		p.item(list, i, suffix, pr)
	}
}

// textProblem says what is wrong with s as text, or "". The wording is that
// of internal/validate.
func textProblem(s string, required bool, max int) string {
	if s == "" {
		if required {
			return "is required"
		}
		return ""
	}
	if !utf8.ValidString(s) {
		return "must be valid UTF-8"
	}
	n := 0
	for _, r := range s {
		if r > 0xFFFF {
			return "must not contain 4-byte UTF-8 characters (such as emoji)"
		}
		n++
	}
	if max > 0 && n > max {
		return "must be at most " + strconv.Itoa(max) + " characters"
	}
	return ""
}

// SignedPage returns the page of businessType whose parameters are params,
// in order, followed by timestamp (Unix seconds of ts; zero means now),
// nonce_str (nonceStr; empty means 32 random letters and digits), sign_type
// HMAC-SHA256 and sign: the APIv2 signature of them all — upper-case hex
// HMAC-SHA256, keyed with apiV2Key, of the set parameters but sign sorted by
// name as k1=v1&k2=v2…&key=<apiV2Key>. The key is never part of the page.
//
// SignedPage does not validate: check the parameters, the 32-character
// APIv2 key and the nonce (at most 32 letters and digits) first, as
// OrderDetailPage and payscore/partner's page functions do.
func SignedPage(businessType string, params []Param, apiV2Key string, ts time.Time, nonceStr string) *Page {
	if ts.IsZero() {
		ts = time.Now()
	}
	if nonceStr == "" {
		nonceStr = randomNonce()
	}
	all := make([]Param, 0, len(params)+4)
	all = append(all, params...)
	all = append(all,
		Param{"timestamp", strconv.FormatInt(ts.Unix(), 10)},
		Param{"nonce_str", nonceStr},
		Param{"sign_type", SignTypeHMACSHA256},
	)
	all = append(all, Param{"sign", signHMACSHA256(all, apiV2Key)})
	return &Page{BusinessType: businessType, Params: all}
}
