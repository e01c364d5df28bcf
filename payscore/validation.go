package payscore

import (
	"strconv"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/internal/validate"
	"github.com/wechatpay-biz/wechatpay-biz-go/payscore/internal/shared"
)

// Documented limits.
const (
	MaxPostPayments  = 100 // post_payments items per order
	MaxPostDiscounts = 30  // post_discounts items per order
	// MaxStartTimeRemark and MaxEndTimeRemark are the documented lengths of
	// time_range's remarks, in characters, where a call documents them (see
	// TimeRangeRules.RemarkLimits).
	MaxStartTimeRemark = 20
	MaxEndTimeRemark   = 50
)

// Documented maximum lengths of the direct APIs, in characters; those both
// modes share are in payscore/internal/shared.
const (
	maxItemName  = 20  // post_payments[].name, post_discounts[].name
	maxItemDesc  = 30  // post_payments[].description, post_discounts[].description
	maxItemCount = 100 // post_payments[].count
	maxQueryID   = 64  // query_id
)

// sharedItemName may repeat among post_payments.
const sharedItemName = "商品信息"

// Path parameters, checked against their documented character sets (see
// core.Charset) before they are escaped into a route.

func authCodeParam(s string) core.PathParam {
	return core.PathParam{Name: "authorization_code", Value: s, Charset: core.CharsetAuthorizationCode}
}

func openIDParam(s string) core.PathParam {
	return core.PathParam{Name: "openid", Value: s, Charset: core.CharsetOpenID}
}

// authorizationCode checks an authorization agreement number: 1-32
// letters, digits and _-*.
func authorizationCode(v *validate.V, s string) {
	v.Token("authorization_code", s, core.CharsetAuthorizationCode, shared.MaxID)
}

// pathOpenID checks an OpenID that goes into a path: 1-128 letters, digits,
// _ and -.
func pathOpenID(v *validate.V, s string) {
	v.Token("openid", s, core.CharsetOpenID, shared.MaxOpenID)
}

// Validate checks the item on its own, whatever the call: name set, at
// most 20 characters; amount not negative (fen); description at most 30
// characters; count 1 to 100. It returns nil or a *core.ValidationError
// naming the item's fields as on the wire (name, amount, description,
// count). The rules that depend on the call and on the other items (unique
// names, how many items) are ValidateItems'.
func (p PostPayment) Validate() error {
	var v validate.V
	v.RequiredText("name", p.Name, maxItemName)
	if p.Amount != nil {
		v.Check(*p.Amount >= 0, "amount", "must not be negative")
	}
	v.OptionalText("description", p.Description, maxItemDesc)
	if p.Count != nil {
		validate.Range(&v, "count", *p.Count, 1, maxItemCount)
	}
	return v.Err("payscore.PostPayment")
}

// Validate checks the discount on its own, whatever the call: name set, at
// most 20 characters; description at most 30 characters; amount not
// negative (fen); count at least 1. It returns nil or a
// *core.ValidationError naming the discount's fields as on the wire. Whether
// description or amount is required depends on the call (see ItemRules).
func (d PostDiscount) Validate() error {
	var v validate.V
	v.RequiredText("name", d.Name, maxItemName)
	v.OptionalText("description", d.Description, maxItemDesc)
	if d.Amount != nil {
		v.Check(*d.Amount >= 0, "amount", "must not be negative")
	}
	if d.Count != nil {
		v.Check(*d.Count >= 1, "count", "must be at least 1")
	}
	return v.Err("payscore.PostDiscount")
}

// ItemRules are the rules for an order's post_payments and post_discounts
// that differ between calls; ValidateItems applies the others everywhere.
// The documented calls use:
//
//	CreateOrder (direct and partner):     ItemRules{DiscountDescriptionRequired: true}
//	ModifyOrder (direct and partner):     ItemRules{PaymentsRequired: true, DiscountAmountRequired: true}
//	CompleteOrder (direct):               ItemRules{PaymentsRequired: true, DiscountAmountRequired: true}
//	CompleteOrder (partner):              ItemRules{PaymentsRequired: true, DiscountDescriptionRequired: true, DiscountAmountRequired: true}
//	DirectCompleteOrder:                  ItemRules{PaymentsRequired: true, DiscountDescriptionRequired: true, MaxDiscounts: MaxDirectCompleteDiscounts}
type ItemRules struct {
	// PaymentsRequired asks for at least one post_payments item.
	PaymentsRequired bool
	// DiscountDescriptionRequired asks every discount for a description.
	DiscountDescriptionRequired bool
	// DiscountAmountRequired asks every discount for an amount.
	DiscountAmountRequired bool
	// MaxDiscounts caps post_discounts; 0 means MaxPostDiscounts.
	MaxDiscounts int
}

// ValidateItems checks an order's post_payments and post_discounts: each
// item's own rules (PostPayment.Validate, PostDiscount.Validate), at most
// MaxPostPayments payments and rules.MaxDiscounts discounts, names unique
// within each list (except 商品信息, which may repeat among post_payments),
// and the rules of the call. It returns nil or a *core.ValidationError
// naming the fields as in a request body: post_payments,
// post_payments[1].name, post_discounts[0].amount…
func ValidateItems(payments []PostPayment, discounts []PostDiscount, rules ItemRules) error {
	var v validate.V
	maxDiscounts := rules.MaxDiscounts
	if maxDiscounts <= 0 {
		maxDiscounts = MaxPostDiscounts
	}
	if rules.PaymentsRequired && len(payments) == 0 {
		v.Add("post_payments", "at least one item is required")
	}
	if len(payments) > MaxPostPayments {
		v.Add("post_payments", "must have at most "+strconv.Itoa(MaxPostPayments)+" items")
	}
	if len(discounts) > maxDiscounts {
		v.Add("post_discounts", "must have at most "+strconv.Itoa(maxDiscounts)+" items")
	}
	for i, p := range payments {
		v.NestedItem("post_payments", i, p.Validate())
		// A list already too long is refused as a whole; its names are not
		// compared pairwise.
		if len(payments) <= MaxPostPayments && p.Name != sharedItemName && repeatsName(payments[:i], p.Name, func(q PostPayment) string { return q.Name }) {
			v.Add(validate.Index("post_payments", i)+".name", "duplicates the name of another post_payments item")
		}
	}
	for i, d := range discounts {
		v.NestedItem("post_discounts", i, d.Validate())
		if len(discounts) <= maxDiscounts && repeatsName(discounts[:i], d.Name, func(q PostDiscount) string { return q.Name }) {
			v.Add(validate.Index("post_discounts", i)+".name", "duplicates the name of another post_discounts item")
		}
		if rules.DiscountDescriptionRequired && (d.Description == nil || *d.Description == "") {
			v.Add(validate.Index("post_discounts", i)+".description", "is required")
		}
		if rules.DiscountAmountRequired && d.Amount == nil {
			v.Add(validate.Index("post_discounts", i)+".amount", "is required")
		}
	}
	return v.Err("payscore.ValidateItems")
}

// repeatsName reports whether a non-empty name is already used by one of
// before.
func repeatsName[T any](before []T, name string, nameOf func(T) string) bool {
	if name == "" {
		return false
	}
	for _, b := range before {
		if nameOf(b) == name {
			return true
		}
	}
	return false
}

// Total returns Σ post_payments.amount − Σ post_discounts.amount in fen,
// the total_amount that CompleteOrder and ModifyOrder must send; items
// without an amount count as 0. Every addition is checked: when a sum does
// not fit in an int64 Total returns 0 and a *core.ValidationError naming
// the list (post_payments or post_discounts) whose amounts overflow, or
// total_amount when the difference does, never a wrapped-around total.
func Total(payments []PostPayment, discounts []PostDiscount) (int64, error) {
	total, field := sum(payments, discounts)
	if field != "" {
		return 0, &core.ValidationError{Op: "payscore.Total", Problems: []core.FieldError{{Field: field, Problem: overflowProblem(field)}}}
	}
	return total, nil
}

// sum is Total without the error: the total, or the field whose sum
// overflows int64 (and 0).
func sum(payments []PostPayment, discounts []PostDiscount) (total int64, overflow string) {
	var paid, discounted int64
	var ok bool
	for i := range payments {
		if a := payments[i].Amount; a != nil {
			if paid, ok = addFen(paid, *a); !ok {
				return 0, "post_payments"
			}
		}
	}
	for i := range discounts {
		if a := discounts[i].Amount; a != nil {
			if discounted, ok = addFen(discounted, *a); !ok {
				return 0, "post_discounts"
			}
		}
	}
	total = paid - discounted
	if (total < paid) != (discounted > 0) {
		return 0, "total_amount"
	}
	return total, ""
}

func overflowProblem(field string) string {
	if field == "total_amount" {
		return "Σ post_payments.amount − Σ post_discounts.amount overflows int64"
	}
	return "the amounts add up to more than an int64 holds"
}

// addFen returns a+b and whether it did not overflow.
func addFen(a, b int64) (int64, bool) {
	s := a + b
	return s, (s > a) == (b > 0)
}

// ValidateTotal checks total_amount (fen) against the items, as
// CompleteOrder, ModifyOrder and DirectCompleteOrder do, in both modes: not
// negative, and equal to Total(payments, discounts). When the amounts
// overflow int64 it names the list whose sum overflows (see Total) and
// total_amount, which then cannot be checked. It returns nil or a
// *core.ValidationError naming total_amount (and the list).
func ValidateTotal(total int64, payments []PostPayment, discounts []PostDiscount) error {
	var v validate.V
	v.Check(total >= 0, "total_amount", "must not be negative")
	want, overflow := sum(payments, discounts)
	switch {
	case overflow == "total_amount":
		v.Add("total_amount", overflowProblem(overflow))
	case overflow != "":
		v.Add(overflow, overflowProblem(overflow))
		v.Add("total_amount", "cannot be checked: the item amounts overflow int64")
	case total != want:
		v.Add("total_amount", "must equal Σ post_payments.amount − Σ post_discounts.amount ("+strconv.FormatInt(want, 10)+" fen)")
	}
	return v.Err("payscore.ValidateTotal")
}

// TimeRangeRules are the rules for an order's time_range that differ
// between calls; ValidateTimeRange applies the others (those of
// TimeRange.Validate) everywhere. The documented calls use:
//
//	CreateOrder (direct):      TimeRangeRules{StartRequired: true}
//	CreateOrder (partner):     TimeRangeRules{StartRequired: true, RemarkLimits: true}
//	CompleteOrder (direct):    TimeRangeRules{ActualStart: true}
//	CompleteOrder (partner):   TimeRangeRules{ActualStart: true, RemarkLimits: true}
//	DirectCompleteOrder:       TimeRangeRules{StartRequired: true, ActualStart: true, RemarkLimits: true}
type TimeRangeRules struct {
	// StartRequired asks for start_time (creating an order).
	StartRequired bool
	// ActualStart refuses OnAccept: start_time, when set, is the actual
	// start (completing an order, or creating and completing it at once).
	ActualStart bool
	// RemarkLimits caps start_time_remark at MaxStartTimeRemark and
	// end_time_remark at MaxEndTimeRemark characters, as the
	// service-provider APIs and DirectCompleteOrder document; the direct
	// create and complete pages document no length.
	RemarkLimits bool
}

// ValidateTimeRange checks time_range by the rules of the call: start_time,
// when set, is yyyyMMddHHmmss, yyyyMMdd or (unless rules.ActualStart)
// OnAccept; end_time, when set, is yyyyMMddHHmmss or yyyyMMdd; dates exist;
// the remarks are valid text; and what rules ask for. It returns nil or a
// *core.ValidationError naming the fields relative to time_range
// (start_time, end_time_remark…), to be nested under "time_range.".
func ValidateTimeRange(tr TimeRange, rules TimeRangeRules) error {
	var v validate.V
	switch {
	case tr.StartTime == "":
		v.Check(!rules.StartRequired, "start_time", "is required")
	case tr.StartTime.IsOnAccept():
		v.Check(!rules.ActualStart, "start_time", "must be the actual start time, not OnAccept")
	case !tr.StartTime.Valid():
		if rules.ActualStart {
			v.Add("start_time", "must be yyyyMMddHHmmss or yyyyMMdd")
		} else {
			v.Add("start_time", "must be yyyyMMddHHmmss, yyyyMMdd or OnAccept")
		}
	}
	if tr.EndTime != nil {
		v.Check(tr.EndTime.Valid(), "end_time", "must be yyyyMMddHHmmss or yyyyMMdd")
	}
	maxStart, maxEnd := 0, 0
	if rules.RemarkLimits {
		maxStart, maxEnd = MaxStartTimeRemark, MaxEndTimeRemark
	}
	v.OptionalText("start_time_remark", tr.StartTimeRemark, maxStart)
	v.OptionalText("end_time_remark", tr.EndTimeRemark, maxEnd)
	return v.Err("payscore.ValidateTimeRange")
}

// Validate checks the service period's forms, whatever the call:
// start_time, when set, is yyyyMMddHHmmss, yyyyMMdd or OnAccept; end_time,
// when set, is yyyyMMddHHmmss or yyyyMMdd; the remarks are valid text. It
// returns nil or a *core.ValidationError naming start_time, end_time…
// Whether start_time is required, or may be OnAccept, depends on the call:
// see ValidateTimeRange.
func (tr TimeRange) Validate() error { return ValidateTimeRange(tr, TimeRangeRules{}) }

// Validate checks the places are valid text (no length is documented). It
// returns nil or a *core.ValidationError naming start_location or
// end_location.
func (l Location) Validate() error {
	return optionalTexts("payscore.Location", textField{"start_location", l.StartLocation}, textField{"end_location", l.EndLocation})
}

// Validate checks the risk fund: name set and one of RiskFundName's
// values, amount not negative (fen), description valid text. It returns
// nil or a *core.ValidationError naming name, amount or description.
func (r RiskFund) Validate() error {
	var v validate.V
	if v.Required("name", string(r.Name)) {
		validate.OneOf(&v, "name", r.Name, r.Name.Values())
	}
	v.Check(r.Amount >= 0, "amount", "must not be negative")
	v.OptionalText("description", r.Description, 0)
	return v.Err("payscore.RiskFund")
}

// Validate checks the device identifiers are valid text (no length is
// documented). It returns nil or a *core.ValidationError naming
// start_device_id, end_device_id or materiel_no.
func (d Device) Validate() error {
	return optionalTexts("payscore.Device", textField{"start_device_id", d.StartDeviceID},
		textField{"end_device_id", d.EndDeviceID}, textField{"materiel_no", d.MaterielNo})
}

// textField is an optional text field of no documented length.
type textField struct {
	name  string
	value *string
}

// optionalTexts checks that each set field is valid text.
func optionalTexts(op string, fields ...textField) error {
	var v validate.V
	for _, f := range fields {
		v.OptionalText(f.name, f.value, 0)
	}
	return v.Err(op)
}

// Validate checks the payment time: set, yyyyMMddHHmmss or yyyyMMdd. It
// returns nil or a *core.ValidationError naming paid_time.
func (d SyncDetail) Validate() error {
	var v validate.V
	if v.Required("paid_time", string(d.PaidTime)) {
		v.Check(d.PaidTime.Valid(), "paid_time", "must be yyyyMMddHHmmss or yyyyMMdd")
	}
	return v.Err("payscore.SyncDetail")
}
