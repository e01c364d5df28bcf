package bill_test

import (
	"os"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/bill"
	"github.com/wechatpay-biz/wechatpay-biz-go/internal/wiretest"
)

// Every row read from a trade bill prints the payer's OpenID masked in every
// way Go prints a value, shows the merchant's records (order and
// transaction numbers, amounts, fee, product), and keeps the OpenID in its
// field and its JSON encoding.
func TestTradeBillRowNeverPrintsTheOpenID(t *testing.T) {
	f, err := os.Open("testdata/tradebill_all.csv")
	require.NoError(t, err)
	t.Cleanup(func() { _ = f.Close() })
	openIDs := []string{"oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6p"}
	n := 0
	for row, err := range bill.NewTradeBillReader(f).All() {
		require.NoError(t, err)
		require.Contains(t, openIDs, row.OpenID, "the field keeps the OpenID")
		visible := []string{row.TransactionID, row.OutTradeNo, strconv.FormatInt(row.SettlementFen, 10), row.TradeType}
		wiretest.RequireMasked(t, row, openIDs, visible)
		wiretest.RequireMasked(t, *row, openIDs, append(visible, row.FeeRate))
		wiretest.RequireOnWire(t, row, `"OpenID":"`+row.OpenID+`"`)
		n++
	}
	require.Equal(t, 3, n)
}

// Every type of the package that holds a field its personal list names, or
// a type that does, prints through the list.
func TestEveryPersonalTypeMasks(t *testing.T) {
	got := wiretest.RequireEveryPersonalTypeMasks(t, ".")
	require.Subset(t, got, []string{"TradeBillRow"})
}
