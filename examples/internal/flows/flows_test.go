package flows_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/bill"
	"github.com/wechatpay-biz/wechatpay-biz-go/examples/internal/flows"
	"github.com/wechatpay-biz/wechatpay-biz-go/examples/internal/setup"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

// TestEveryFlowAgainstOneSandbox runs what `make demo` shows, as a test:
// every product's flow against one sandbox, then today's bills built from
// the payments those flows made.
func TestEveryFlowAgainstOneSandbox(t *testing.T) {
	sb, err := sandbox.NewServer()
	require.NoError(t, err)
	defer sb.Close()
	c, err := sb.Client()
	require.NoError(t, err)
	env := &setup.Env{Client: c, Sandbox: sb}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for name, flow := range map[string]func(context.Context, *setup.Env) error{
		"smartguide": flows.SmartGuide, "goldplan": flows.GoldPlan,
	} {
		require.NoError(t, flow(ctx, env), name)
	}
	require.NoError(t, flows.BusinessCircle(ctx, env))
	require.NoError(t, flows.PayScore(ctx, env))
	sb.BillServeToday(true)
	require.NoError(t, flows.BillFor(ctx, env, bill.DateOf(time.Now()), false))

	var paid int
	for _, e := range sb.Ledger() {
		if e.TradeState == "SUCCESS" {
			paid++
		}
	}
	require.GreaterOrEqual(t, paid, 2, "pay score and mall payments reached the ledger")
}

func TestBillFlowOnItsOwn(t *testing.T) {
	sb, err := sandbox.NewServer()
	require.NoError(t, err)
	defer sb.Close()
	c, err := sb.Client()
	require.NoError(t, err)
	require.NoError(t, flows.Bill(context.Background(), &setup.Env{Client: c, Sandbox: sb}))
}

// Before 09:00 Asia/Shanghai yesterday's bill does not exist yet; the
// flow moves the sandbox clock to 09:00 rather than failing.
func TestBillFlowBeforeNine(t *testing.T) {
	y, m, d := time.Now().In(time.FixedZone("CST", 8*3600)).Date()
	early := time.Date(y, m, d, 7, 30, 0, 0, time.FixedZone("CST", 8*3600))
	sb, err := sandbox.NewServer(sandbox.WithClock(func() time.Time { return early }))
	require.NoError(t, err)
	defer sb.Close()
	c, err := sb.Client()
	require.NoError(t, err)
	require.NoError(t, flows.Bill(context.Background(), &setup.Env{Client: c, Sandbox: sb}))
	require.Equal(t, 9, sb.Now().In(time.FixedZone("CST", 8*3600)).Hour())
}
