package sandbox

import "time"

// LedgerEntry is one money movement the sandbox has seen (a pay-score
// collection, a mall transaction, a refund). Bills are generated from the
// ledger.
type LedgerEntry struct {
	Time          time.Time // payment success time, or refund initiation time
	AppID         string    // the AppID the payer paid under
	SubMchID      string    // "" for a direct merchant
	TransactionID string    // WeChat Pay order number
	OutTradeNo    string    // merchant order number
	OpenID        string    // the payer's OpenID under AppID
	TradeType     string    // JSAPI, NATIVE, APP, MICROPAY, AUTH (pay score)…
	TradeState    string    // SUCCESS or REFUND
	BankType      string    // payer's bank (付款银行), e.g. OTHERS or CMB_CREDIT
	AmountFen     int64     // settlement amount of the order, fen
	// CouponFen is the order's non-recharge coupon (代金券), fen: the user
	// paid AmountFen, the order was AmountFen+CouponFen. On a refund entry
	// (with the order's AmountFen), the refund's share of it,
	// ⌊RefundFen×CouponFen/(AmountFen+CouponFen)⌋, is not settled: the
	// bills show RefundFen minus that share as 退款金额.
	CouponFen    int64
	RefundID     string // WeChat refund number, for refunds
	OutRefundNo  string // merchant refund number, for refunds
	RefundFen    int64  // refund amount, fen, for refunds
	RefundStatus string // SUCCESS, PROCESSING
	Product      string // product description
	Attach       string // merchant data package
}

// Record adds an entry to the ledger. Product simulations call it; tests
// can too, to build bills with chosen content.
func (s *Server) Record(e LedgerEntry) {
	s.mu.Lock()
	s.ledger = append(s.ledger, e)
	s.mu.Unlock()
}

// Ledger returns a copy of every entry recorded so far, oldest first.
func (s *Server) Ledger() []LedgerEntry {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]LedgerEntry(nil), s.ledger...)
}
