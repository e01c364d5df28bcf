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

// The service-provider flow of the tour, on its own and after the direct
// pay-score flow on the same sandbox (the two modes do not interfere).
func TestPayScorePartnerFlow(t *testing.T) {
	sb, err := sandbox.NewServer()
	require.NoError(t, err)
	defer sb.Close()
	c, err := sb.Client()
	require.NoError(t, err)
	env := &setup.Env{Client: c, Sandbox: sb}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	require.NoError(t, flows.PayScore(ctx, env))
	require.NoError(t, flows.PayScorePartner(ctx, env))

	var partnerPaid int
	for _, e := range sb.Ledger() {
		if e.SubMchID == sandbox.PayScorePartnerSubMchID && e.TradeType == "AUTH" {
			partnerPaid++
			require.EqualValues(t, 500, e.AmountFen)
		}
	}
	require.Equal(t, 1, partnerPaid, "the sub-merchant's deduction is in the ledger under it")

	require.Error(t, flows.PayScorePartner(ctx, &setup.Env{Client: c}), "the flow refuses the real API")
}
