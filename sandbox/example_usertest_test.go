package sandbox_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"strings"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/goldplan"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

// enableGoldPlan stands for your own code: it takes the *core.Client your
// program builds at start-up and calls WeChat Pay with it.
func enableGoldPlan(ctx context.Context, c *core.Client, subMchID string) error {
	_, err := goldplan.NewService(c).ChangeGoldPlanStatus(ctx, &goldplan.ChangeGoldPlanStatusRequest{
		SubMchID:      subMchID,
		OperationType: goldplan.OperationTypeOpen,
	})
	if err != nil {
		return fmt.Errorf("enabling the gold plan of %s: %w", subMchID, err)
	}
	return nil
}

// Testing your own code against the sandbox: start one per test, give your
// code the client sb.Client returns (the same *core.Client type as in
// production, wired to the sandbox's test keys), then check what the sandbox
// recorded — and make it fail on purpose to test your error handling. In a
// test function, replace log.Fatal with t.Fatal and defer with
// t.Cleanup(sb.Close).
func ExampleNewServer() {
	sb, err := sandbox.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer sb.Close()
	c, err := sb.Client()
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	if err := enableGoldPlan(ctx, c, "1900000110"); err != nil {
		log.Fatal(err)
	}
	fmt.Println("gold plan open:", sb.GoldPlanStatus("1900000110").GoldPlanOpen)

	// The next call meets an outage: your code must report it, with the
	// Request-ID WeChat Pay support asks for.
	sb.SetHook(func(w http.ResponseWriter, r *http.Request) bool {
		if !strings.HasPrefix(r.URL.Path, "/v3/goldplan/") {
			return false
		}
		w.Header().Set("Request-ID", "08TEST-OUTAGE")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprint(w, `{"code":"SYSTEM_ERROR","message":"系统繁忙，请稍后重试"}`)
		return true
	})
	err = enableGoldPlan(ctx, c, "1900000111")
	fmt.Println(core.ErrorCode(err), core.RequestIDOf(err))
	// Output:
	// gold plan open: true
	// SYSTEM_ERROR 08TEST-OUTAGE
}
