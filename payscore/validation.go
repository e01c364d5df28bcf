package payscore

import (
	"fmt"
	"regexp"

	"github.com/wechatpay-biz/wechatpay-biz-go/internal/validate"
)

// Documented limits.
const (
	MaxPostPayments  = 100 // post_payments items per order
	MaxPostDiscounts = 30  // post_discounts items per order
)

// sharedItemName may repeat among post_payments.
const sharedItemName = "商品信息"

var (
	reOutOrderNo = regexp.MustCompile(`^[0-9A-Za-z_\-|*]{1,32}$`)
	reAuthCode   = regexp.MustCompile(`^[0-9A-Za-z_\-*]{1,32}$`)
)

func outOrderNo(v *validate.V, field, s string) {
	if v.Required(field, s) {
		v.Pattern(field, s, reOutOrderNo, "1-32 characters of digits, letters and _-|*")
	}
}

func authorizationCode(v *validate.V, field, s string) {
	if v.Required(field, s) {
		v.Pattern(field, s, reAuthCode, "1-32 characters of digits, letters and _-*")
	}
}

// id checks a required identifier (appid, service_id, openid…).
func id(v *validate.V, field, s string, max int) { v.RequiredText(field, s, max) }

// notifyURL checks a callback URL: absolute http(s), no query string, at
// most 255 characters. WeChat Pay requires https in production; http is
// accepted here because the documented examples (and local sandboxes) use it.
func notifyURL(v *validate.V, field, s string) {
	v.URL(field, s)
	v.MaxChars(field, s, 255)
	for i := 0; i < len(s); i++ {
		if s[i] == '?' {
			v.Add(field, "must not have a query string")
			return
		}
	}
}

// items checks post_payments and post_discounts. amountsRequired is set
// when completing or modifying (discount amounts then count), and
// discountDescRequired when creating.
func items(v *validate.V, payments []PostPayment, discounts []PostDiscount, paymentsRequired, discountDescRequired, discountAmountRequired bool) {
	if paymentsRequired && len(payments) == 0 {
		v.Add("post_payments", "at least one item is required")
	}
	if len(payments) > MaxPostPayments {
		v.Addf("post_payments", "at most %d items", MaxPostPayments)
	}
	if len(discounts) > MaxPostDiscounts {
		v.Addf("post_discounts", "at most %d items", MaxPostDiscounts)
	}
	seen := map[string]bool{}
	for i, p := range payments {
		f := fmt.Sprintf("post_payments[%d]", i)
		v.RequiredText(f+".name", p.Name, 20)
		if p.Name != "" && p.Name != sharedItemName {
			v.Check(!seen[p.Name], f+".name", "duplicates the name of another post_payments item")
			seen[p.Name] = true
		}
		if p.Amount != nil {
			v.Check(*p.Amount >= 0, f+".amount", "must not be negative")
		}
		v.OptionalText(f+".description", p.Description, 30)
		if p.Count != nil {
			validate.Range(v, f+".count", *p.Count, 1, 100)
		}
	}
	seen = map[string]bool{}
	for i, d := range discounts {
		f := fmt.Sprintf("post_discounts[%d]", i)
		v.RequiredText(f+".name", d.Name, 20)
		if d.Name != "" {
			v.Check(!seen[d.Name], f+".name", "duplicates the name of another post_discounts item")
			seen[d.Name] = true
		}
		if discountDescRequired {
			v.Check(d.Description != nil && *d.Description != "", f+".description", "is required")
		}
		v.OptionalText(f+".description", d.Description, 30)
		if discountAmountRequired {
			v.Check(d.Amount != nil, f+".amount", "is required")
		}
		if d.Amount != nil {
			v.Check(*d.Amount >= 0, f+".amount", "must not be negative")
		}
		if d.Count != nil {
			v.Check(*d.Count >= 1, f+".count", "must be at least 1")
		}
	}
}

// Total returns Σ post_payments.amount − Σ post_discounts.amount, the
// total_amount that CompleteOrder and ModifyOrder must send.
func Total(payments []PostPayment, discounts []PostDiscount) int64 {
	var t int64
	for _, p := range payments {
		if p.Amount != nil {
			t += *p.Amount
		}
	}
	for _, d := range discounts {
		if d.Amount != nil {
			t -= *d.Amount
		}
	}
	return t
}

// totalRule checks total_amount against the documented formula.
func totalRule(v *validate.V, total int64, payments []PostPayment, discounts []PostDiscount) {
	v.Check(total >= 0, "total_amount", "must not be negative")
	if want := Total(payments, discounts); total != want {
		v.Addf("total_amount", "must equal Σ post_payments.amount − Σ post_discounts.amount (%d fen)", want)
	}
}

func timeRange(v *validate.V, tr *TimeRange, startRequired bool) {
	if tr == nil {
		return
	}
	if tr.StartTime == "" {
		v.Check(!startRequired, "time_range.start_time", "is required")
	} else {
		v.Check(tr.StartTime.valid(true, true), "time_range.start_time", "must be yyyyMMddHHmmss, yyyyMMdd or OnAccept")
	}
	if tr.EndTime != nil {
		v.Check(tr.EndTime.valid(true, false), "time_range.end_time", "must be yyyyMMddHHmmss or yyyyMMdd")
	}
	v.OptionalText("time_range.start_time_remark", tr.StartTimeRemark, 0)
	v.OptionalText("time_range.end_time_remark", tr.EndTimeRemark, 0)
}

func location(v *validate.V, l *Location) {
	if l == nil {
		return
	}
	v.OptionalText("location.start_location", l.StartLocation, 0)
	v.OptionalText("location.end_location", l.EndLocation, 0)
}

func device(v *validate.V, d *Device) {
	if d == nil {
		return
	}
	v.OptionalText("device.start_device_id", d.StartDeviceID, 0)
	v.OptionalText("device.end_device_id", d.EndDeviceID, 0)
	v.OptionalText("device.materiel_no", d.MaterielNo, 0)
}
