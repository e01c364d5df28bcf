package bill

import (
	"fmt"
	"time"
	_ "time/tzdata" // Asia/Shanghai even where the system has no zoneinfo
)

// shanghai is the Asia/Shanghai location bill times are read in. The
// embedded time zone database guarantees it loads; the fixed UTC+8 zone is a
// belt-and-braces fallback (exact since 1991, older than any bill).
var shanghai = loadShanghai()

func loadShanghai() *time.Location {
	if loc, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return loc
	}
	return time.FixedZone("CST", 8*60*60)
}

// Date is a calendar day in Asia/Shanghai, the day a bill covers. It formats
// (String, MarshalText) as yyyy-MM-dd, the form the API expects. The zero
// Date is "not set".
type Date struct {
	Year  int        // four-digit year, 1 to 9999
	Month time.Month // January to December
	Day   int        // day of the month, 1 to 31 as the month allows
}

// NewDate returns the Date year-month-day. Out-of-range values are
// normalised as time.Date does (January 32 is February 1).
func NewDate(year int, month time.Month, day int) Date {
	return DateOf(time.Date(year, month, day, 12, 0, 0, 0, shanghai))
}

// DateOf returns the day t falls on in Asia/Shanghai.
func DateOf(t time.Time) Date {
	y, m, d := t.In(shanghai).Date()
	return Date{Year: y, Month: m, Day: d}
}

// Yesterday returns the day before now's day in Asia/Shanghai: the newest
// bill that can exist (it is generated from 09:00 and best fetched after
// 10:00 Beijing time).
func Yesterday(now time.Time) Date {
	return DateOf(now).AddDays(-1)
}

// ParseDate parses yyyy-MM-dd.
func ParseDate(s string) (Date, error) {
	t, err := time.ParseInLocation(time.DateOnly, s, shanghai)
	if err != nil {
		return Date{}, fmt.Errorf("bill: %q is not a yyyy-MM-dd date", s)
	}
	return DateOf(t), nil
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// valid reports whether d names a real calendar day.
func (d Date) valid() bool {
	return !d.IsZero() && d.Year >= 1 && d.Year <= 9999 && DateOf(d.Start()) == d
}

// Start returns midnight at the start of d in Asia/Shanghai.
func (d Date) Start() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, shanghai) }

// AddDays returns d moved by n days.
func (d Date) AddDays(n int) Date { return DateOf(d.Start().AddDate(0, 0, n).Add(12 * time.Hour)) }

// String formats d as yyyy-MM-dd.
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day) }

// MarshalText formats d as yyyy-MM-dd.
func (d Date) MarshalText() ([]byte, error) {
	if !d.valid() {
		return nil, fmt.Errorf("bill: invalid date %d-%d-%d", d.Year, int(d.Month), d.Day)
	}
	return []byte(d.String()), nil
}

// UnmarshalText parses yyyy-MM-dd.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// BillType selects the rows of a trade bill (bill_type). Open enum: unknown
// values pass through.
type BillType string

// Bill types. ALL, SUCCESS and REFUND exclude recharge-coupon refunds.
const (
	BillTypeAll            BillType = "ALL"             // every order of the day, payments and refunds
	BillTypeSuccess        BillType = "SUCCESS"         // successful payments
	BillTypeRefund         BillType = "REFUND"          // refunds
	BillTypeRechargeRefund BillType = "RECHARGE_REFUND" // recharge-coupon refunds
	BillTypeAllSpecial     BillType = "ALL_SPECIAL"     // ALL for special-rate (e.g. charity) merchants
	BillTypeSucSpecial     BillType = "SUC_SPECIAL"     // SUCCESS for special-rate merchants
	BillTypeRefSpecial     BillType = "REF_SPECIAL"     // REFUND for special-rate merchants
)

// Values lists the known bill types.
func (BillType) Values() []BillType {
	return []BillType{BillTypeAll, BillTypeSuccess, BillTypeRefund, BillTypeRechargeRefund, BillTypeAllSpecial, BillTypeSucSpecial, BillTypeRefSpecial}
}

// TarType is the compression of the bill file (tar_type).
type TarType string

// TarTypeGzip asks for a gzip-compressed file. Leave tar_type unset for a
// plain text file.
const TarTypeGzip TarType = "GZIP"

// Values lists the known compression types.
func (TarType) Values() []TarType { return []TarType{TarTypeGzip} }

// AccountType selects the fund account of a fund-flow bill (account_type).
type AccountType string

// Fund accounts.
const (
	AccountTypeBasic     AccountType = "BASIC"     // basic account (the default)
	AccountTypeOperation AccountType = "OPERATION" // operation account
	AccountTypeFees      AccountType = "FEES"      // fees account
	AccountTypeDeposit   AccountType = "DEPOSIT"   // deposit account (sub-merchant fund-flow bill only)
)

// Values lists the known account types.
func (AccountType) Values() []AccountType {
	return []AccountType{AccountTypeBasic, AccountTypeOperation, AccountTypeFees, AccountTypeDeposit}
}

// Algorithm encrypts the sub-merchant fund-flow bill files (algorithm).
type Algorithm string

// Encryption algorithms. This SDK decrypts AEAD_AES_256_GCM files.
const (
	AlgorithmAES256GCM Algorithm = "AEAD_AES_256_GCM"
	AlgorithmSM4GCM    Algorithm = "SM4_GCM"
)

// Values lists the known algorithms.
func (Algorithm) Values() []Algorithm { return []Algorithm{AlgorithmAES256GCM, AlgorithmSM4GCM} }

// HashType is the digest algorithm of hash_value. WeChat Pay uses SHA1.
type HashType string

// HashTypeSHA1 is SHA-1 over the original (decompressed) file, hex-encoded.
const HashTypeSHA1 HashType = "SHA1"

// Values lists the known hash types.
func (HashType) Values() []HashType { return []HashType{HashTypeSHA1} }
