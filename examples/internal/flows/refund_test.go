package flows_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/examples/internal/flows"
	"github.com/wechatpay-biz/wechatpay-biz-go/examples/internal/setup"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

// The refund flow on its own, and after the pay-score flow in the same
// sandbox (the user has then already enabled the service), as in the tour:
// each run leaves a payment and a successful refund in the ledger.
func TestRefundFlow(t *testing.T) {
	sb, err := sandbox.NewServer()
	require.NoError(t, err)
	defer sb.Close()
	c, err := sb.Client()
	require.NoError(t, err)
	env := &setup.Env{Client: c, Sandbox: sb}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	require.NoError(t, flows.Refund(ctx, env))
	require.NoError(t, flows.PayScore(ctx, env))
	require.NoError(t, flows.Refund(ctx, env))

	var paid, refunded int64
	for _, e := range sb.Ledger() {
		switch e.TradeState {
		case "SUCCESS":
			paid += e.AmountFen
		case "REFUND":
			refunded += e.RefundFen
			require.Equal(t, "AUTH", e.TradeType, "a pay-score deduction was refunded")
		}
	}
	require.Equal(t, int64(3*3900), paid)
	require.Equal(t, int64(2*1000), refunded)
}
