package payscore

import (
	"fmt"
	"time"
)

// beijing is the time zone WeChat Pay writes pay-score times in.
var beijing = time.FixedZone("CST", 8*3600)

// Time is a pay-score time exactly as the API writes it: yyyyMMddHHmmss
// (Beijing time), for some fields also yyyyMMdd (midnight), and for
// time_range.start_time the keyword OnAccept. It marshals as the string it
// holds, so values are sent and received unchanged; unknown forms from the
// server decode without error. Build one with At, Date or OnAccept.
type Time string

// OnAccept is the start time keyword: the service starts when the user
// confirms the order.
const OnAccept Time = "OnAccept"

const (
	layoutDateTime = "20060102150405"
	layoutDate     = "20060102"
)

// At formats t as yyyyMMddHHmmss in Beijing time, the documented precision:
// a fraction of a second is cut, never rounded up into the next second.
func At(t time.Time) Time { return Time(t.In(beijing).Format(layoutDateTime)) }

// Date formats t's Beijing calendar day as yyyyMMdd.
func Date(t time.Time) Time { return Time(t.In(beijing).Format(layoutDate)) }

// String returns the value as sent.
func (t Time) String() string { return string(t) }

// IsOnAccept reports whether t is the OnAccept keyword.
func (t Time) IsOnAccept() bool { return t == OnAccept }

// Time parses t (yyyyMMddHHmmss or yyyyMMdd, Beijing time). It fails for
// OnAccept and for any other form.
func (t Time) Time() (time.Time, error) {
	switch {
	case t.hasDigits(len(layoutDateTime)):
		return time.ParseInLocation(layoutDateTime, string(t), beijing)
	case t.hasDigits(len(layoutDate)):
		return time.ParseInLocation(layoutDate, string(t), beijing)
	}
	return time.Time{}, fmt.Errorf("payscore: %q is not a yyyyMMddHHmmss or yyyyMMdd time", string(t))
}

// Valid reports whether t is a real Beijing date-time written
// yyyyMMddHHmmss, or a real date written yyyyMMdd: the forms of end_time,
// paid_time and, besides OnAccept, start_time. It allocates nothing.
func (t Time) Valid() bool {
	_, err := t.Time()
	return err == nil
}

// hasDigits reports whether t is exactly n ASCII digits.
func (t Time) hasDigits(n int) bool {
	if len(t) != n {
		return false
	}
	for i := 0; i < len(t); i++ {
		if t[i] < '0' || t[i] > '9' {
			return false
		}
	}
	return true
}

// State is the state of a service order. The set is open: unknown values
// decode unchanged.
type State string

// Service order states.
const (
	StateCreated State = "CREATED" // created, waiting for the user to confirm (expires after 30 days)
	StateDoing   State = "DOING"   // in service
	StateDone    State = "DONE"    // finished (final)
	StateRevoked State = "REVOKED" // cancelled by the merchant (final)
	StateExpired State = "EXPIRED" // CREATED for more than 30 days (final)
)

// Values lists the documented order states.
func (State) Values() []State {
	return []State{StateCreated, StateDoing, StateDone, StateRevoked, StateExpired}
}

// StateDescription details the DOING state.
type StateDescription string

// State descriptions, returned only while the order is DOING.
const (
	StateDescriptionUserConfirm StateDescription = "USER_CONFIRM" // the user confirmed (or no-confirm creation)
	StateDescriptionMchComplete StateDescription = "MCH_COMPLETE" // the merchant completed, waiting for payment
)

// Values lists the documented state descriptions.
func (StateDescription) Values() []StateDescription {
	return []StateDescription{StateDescriptionUserConfirm, StateDescriptionMchComplete}
}

// CollectionState is the payment state of a completed order.
type CollectionState string

// Collection states.
const (
	CollectionUserPaying CollectionState = "USER_PAYING" // waiting for payment
	CollectionUserPaid   CollectionState = "USER_PAID"   // paid
)

// Values lists the documented collection states.
func (CollectionState) Values() []CollectionState {
	return []CollectionState{CollectionUserPaying, CollectionUserPaid}
}

// PaidType says how one payment of an order was collected.
type PaidType string

// Paid types.
const (
	PaidTypeNewton PaidType = "NEWTON" // collected by Pay Score
	PaidTypeMch    PaidType = "MCH"    // collected by the merchant's own channel (SyncOrder)
)

// Values lists the documented paid types.
func (PaidType) Values() []PaidType { return []PaidType{PaidTypeNewton, PaidTypeMch} }

// RiskFundName names the risk fund of an order. Which names a service may
// use is fixed by its mode: deposit-free (先免) services use DEPOSIT, ADVANCE
// or CASH_DEPOSIT; enjoy-first (先享) services, the only ones allowed in
// no-confirm mode, use ESTIMATE_ORDER_COST.
type RiskFundName string

// Risk fund names.
const (
	RiskFundDeposit           RiskFundName = "DEPOSIT"             // 押金 (先免)
	RiskFundAdvance           RiskFundName = "ADVANCE"             // 预付款 (先免)
	RiskFundCashDeposit       RiskFundName = "CASH_DEPOSIT"        // 保证金 (先免)
	RiskFundEstimateOrderCost RiskFundName = "ESTIMATE_ORDER_COST" // 预估订单费用 (先享)
)

// Values lists the documented risk fund names.
func (RiskFundName) Values() []RiskFundName {
	return []RiskFundName{RiskFundDeposit, RiskFundAdvance, RiskFundCashDeposit, RiskFundEstimateOrderCost}
}

// AuthorizationState is the state of a user's authorization of a service.
type AuthorizationState string

// Authorization states.
const (
	AuthorizationUnavailable AuthorizationState = "UNAVAILABLE" // not authorized, or withdrawn
	AuthorizationAvailable   AuthorizationState = "AVAILABLE"   // authorized
	AuthorizationUnbindUser  AuthorizationState = "UNBINDUSER"  // pre-authorized, no user bound yet
)

// Values lists the documented authorization states.
func (AuthorizationState) Values() []AuthorizationState {
	return []AuthorizationState{AuthorizationUnavailable, AuthorizationAvailable, AuthorizationUnbindUser}
}

// UserServiceStatus is carried by authorization callbacks.
type UserServiceStatus string

// User service statuses.
const (
	UserOpenService  UserServiceStatus = "USER_OPEN_SERVICE"  // the user authorized the service
	UserCloseService UserServiceStatus = "USER_CLOSE_SERVICE" // the user withdrew the authorization
)

// Values lists the documented user service statuses.
func (UserServiceStatus) Values() []UserServiceStatus {
	return []UserServiceStatus{UserOpenService, UserCloseService}
}

// SyncType is the kind of information SyncOrder reports.
type SyncType string

// SyncOrderPaid reports that the user paid through another channel. The
// mixed case is how the API spells it.
const SyncOrderPaid SyncType = "Order_Paid"

// Values lists the documented sync types.
func (SyncType) Values() []SyncType { return []SyncType{SyncOrderPaid} }

// PromotionScope is the scope of a coupon used in a payment.
type PromotionScope string

// Promotion scopes.
const (
	PromotionScopeGlobal PromotionScope = "GLOBAL"
	PromotionScopeSingle PromotionScope = "SINGLE"
)

// Values lists the documented promotion scopes.
func (PromotionScope) Values() []PromotionScope {
	return []PromotionScope{PromotionScopeGlobal, PromotionScopeSingle}
}

// PromotionType is the funding type of a coupon used in a payment.
type PromotionType string

// Promotion types.
const (
	PromotionTypeCash   PromotionType = "CASH"   // pre-funded coupon
	PromotionTypeNoCash PromotionType = "NOCASH" // not pre-funded
)

// Values lists the documented promotion types.
func (PromotionType) Values() []PromotionType {
	return []PromotionType{PromotionTypeCash, PromotionTypeNoCash}
}
