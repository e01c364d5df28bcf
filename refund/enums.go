package refund

// Currency is the currency of an amount. Domestic refunds are always in
// Chinese yuan, counted in fen.
type Currency string

// CurrencyCNY is the only currency of domestic refunds.
const CurrencyCNY Currency = "CNY"

// Values lists the currencies known to this SDK.
func (Currency) Values() []Currency { return []Currency{CurrencyCNY} }

// Status is the state of a refund. A refund is accepted PROCESSING and
// reaches SUCCESS, CLOSED or ABNORMAL; the final state comes with a
// callback (EventSuccess, EventClosed, EventAbnormal) or from Query. The
// set is open: unknown values from the server decode unchanged.
type Status string

// Refund states.
const (
	StatusProcessing Status = "PROCESSING" // accepted, money on its way
	StatusSuccess    Status = "SUCCESS"    // refunded (final)
	StatusClosed     Status = "CLOSED"     // closed without refunding (final)
	// StatusAbnormal: the money could not reach the user (a closed bank
	// card, a frozen account). Handle it in the merchant platform or with
	// the abnormal-refund API; this SDK does not wrap that API.
	StatusAbnormal Status = "ABNORMAL"
)

// Values lists the documented refund states.
func (Status) Values() []Status {
	return []Status{StatusProcessing, StatusSuccess, StatusClosed, StatusAbnormal}
}

// Channel is where the refunded money goes.
type Channel string

// Refund channels.
const (
	ChannelOriginal      Channel = "ORIGINAL"       // back the way it was paid
	ChannelBalance       Channel = "BALANCE"        // to the user's WeChat balance (零钱)
	ChannelOtherBalance  Channel = "OTHER_BALANCE"  // the original account failed; to the balance
	ChannelOtherBankcard Channel = "OTHER_BANKCARD" // the original account failed; to another card
)

// Values lists the documented refund channels.
func (Channel) Values() []Channel {
	return []Channel{ChannelOriginal, ChannelBalance, ChannelOtherBalance, ChannelOtherBankcard}
}

// FundsAccount is the merchant account a refund is paid from.
type FundsAccount string

// Funds accounts. A request may only name FundsAccountAvailable or
// FundsAccountUnsettled; answers may report any of them.
const (
	// FundsAccountAvailable: the available balance (merchants still on the
	// old fund flow; in requests, to refund from it explicitly).
	FundsAccountAvailable FundsAccount = "AVAILABLE"
	// FundsAccountUnsettled: unsettled funds; in requests only for travel
	// prepaid-deposit refunds.
	FundsAccountUnsettled   FundsAccount = "UNSETTLED"
	FundsAccountUnavailable FundsAccount = "UNAVAILABLE" // unavailable balance
	FundsAccountOperation   FundsAccount = "OPERATION"   // operation account
	FundsAccountBasic       FundsAccount = "BASIC"       // basic account (including 退款支出分离 accounts)
)

// Values lists the documented funds accounts.
func (FundsAccount) Values() []FundsAccount {
	return []FundsAccount{FundsAccountAvailable, FundsAccountUnsettled, FundsAccountUnavailable, FundsAccountOperation, FundsAccountBasic}
}

// Account is an account a refund may draw a part of its amount from (see
// Amount.From).
type Account string

// Funding accounts of Amount.From.
const (
	AccountAvailable   Account = "AVAILABLE"   // available balance
	AccountUnavailable Account = "UNAVAILABLE" // unavailable balance
)

// Values lists the documented funding accounts.
func (Account) Values() []Account { return []Account{AccountAvailable, AccountUnavailable} }

// PromotionScope is the scope of a coupon used in the refunded payment.
type PromotionScope string

// Promotion scopes.
const (
	PromotionScopeGlobal PromotionScope = "GLOBAL" // the whole order
	PromotionScopeSingle PromotionScope = "SINGLE" // one item
)

// Values lists the documented promotion scopes.
func (PromotionScope) Values() []PromotionScope {
	return []PromotionScope{PromotionScopeGlobal, PromotionScopeSingle}
}

// PromotionType is the kind of a promotion used in the refunded payment.
type PromotionType string

// Promotion types.
const (
	PromotionTypeCoupon   PromotionType = "COUPON"   // a pre-funded coupon (充值型代金券)
	PromotionTypeDiscount PromotionType = "DISCOUNT" // a discount not funded in advance (免充值)
)

// Values lists the documented promotion types.
func (PromotionType) Values() []PromotionType {
	return []PromotionType{PromotionTypeCoupon, PromotionTypeDiscount}
}
