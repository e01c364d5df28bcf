package refund_test

import (
	"errors"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/refund"
)

func TestAmountRequestValidate(t *testing.T) {
	var nilReq *refund.AmountRequest
	var ve *core.ValidationError
	require.True(t, errors.As(nilReq.Validate(), &ve))
	require.True(t, ve.Has("request"))

	ok := &refund.AmountRequest{Refund: 100, Total: 300, Currency: refund.CurrencyCNY}
	require.NoError(t, ok.Validate())
	require.Zero(t, testing.AllocsPerRun(100, func() { _ = ok.Validate() }), "a valid amount allocates nothing")

	require.True(t, errors.As((&refund.AmountRequest{}).Validate(), &ve))
	for _, f := range []string{"amount.refund", "amount.total", "amount.currency"} {
		require.True(t, ve.Has(f), f)
	}
	over := &refund.AmountRequest{Refund: 400, Total: 300, Currency: "USD", From: []refund.FundSource{
		{Account: refund.AccountAvailable, Amount: math.MaxInt64}, {Account: refund.AccountUnavailable, Amount: math.MaxInt64}}}
	require.True(t, errors.As(over.Validate(), &ve))
	require.True(t, ve.Has("amount.refund"))
	require.True(t, ve.Has("amount.currency"))
	require.True(t, ve.Has("amount.from"), "overflow is a validation error")
}
