package refund_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/internal/wiretest"
	"github.com/wechatpay-biz/wechatpay-biz-go/notify"
	"github.com/wechatpay-biz/wechatpay-biz-go/notify/notifytest"
	"github.com/wechatpay-biz/wechatpay-biz-go/refund"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

// printAccount is where a refund lands, ending with a card number.
const printAccount = "招商银行信用卡PRINT0403"

// Refund, Response and Event print the account masked in every way Go
// prints a value, show the refund (numbers, amounts, status, Request-ID),
// and keep the account in the field and the JSON encoding.
func TestAccountIsNeverPrinted(t *testing.T) {
	success := time.Date(2026, 11, 25, 10, 0, 5, 0, time.FixedZone("CST", 8*3600))
	r := refund.Refund{RefundID: "50300000012026", OutRefundNo: "PRINT-R1", TransactionID: txDirect, OutTradeNo: "ORDER-0001",
		Channel: refund.ChannelOriginal, UserReceivedAccount: printAccount, SuccessTime: &success, CreateTime: success, Status: refund.StatusSuccess,
		Amount: refund.Amount{Total: 1000, Refund: 400, PayerTotal: 900, PayerRefund: 360, Currency: refund.CurrencyCNY}}
	ev := refund.Event{EventType: refund.EventSuccess, MchID: sandbox.MerchantID, OutTradeNo: "ORDER-0001", TransactionID: txDirect,
		OutRefundNo: "PRINT-R1", RefundID: "50300000012026", RefundStatus: refund.StatusSuccess, SuccessTime: &success,
		UserReceivedAccount: printAccount, Amount: refund.EventAmount{Total: 1000, Refund: 400, PayerTotal: 900, PayerRefund: 360}}
	resp := refund.Response{ResponseMeta: core.ResponseMeta{StatusCode: 200, RequestID: "print-request-id"}, Refund: r}
	visible := []string{"50300000012026", "PRINT-R1", txDirect, "ORDER-0001", "SUCCESS", "400", "360"}
	onWire := `"user_received_account":"` + printAccount + `"`

	for _, tc := range []struct {
		v       any
		visible []string
	}{
		{r, visible},
		{&r, visible},
		{resp, append(visible, "print-request-id")},
		{&resp, append(visible, "print-request-id")},
		{ev, append(visible, refund.EventSuccess, sandbox.MerchantID)},
		{&ev, visible},
		{refund.Event{OutRefundNo: "PRINT-R2"}, []string{"PRINT-R2"}}, // nothing to mask
	} {
		wiretest.RequireMasked(t, tc.v, []string{printAccount, "0403"}, tc.visible)
	}
	for _, v := range []any{r, resp, ev} {
		wiretest.RequireOnWire(t, v, onWire)
	}
	// %#v and GoString name the type; the field stays usable.
	for _, v := range []interface{ GoString() string }{r, resp, ev} {
		assert.Equal(t, wiretest.Printed(v)["%#v"], v.GoString())
	}
	assert.Contains(t, r.GoString(), `refund.Refund{RefundID:"50300000012026"`)
	assert.Contains(t, resp.GoString(), `refund.Response{ResponseMeta:core.ResponseMeta{StatusCode:200`)
	assert.Contains(t, ev.String(), "PRINT-R1")
	assert.Equal(t, printAccount, r.UserReceivedAccount)
	assert.Equal(t, printAccount, resp.UserReceivedAccount)
}

// The sandbox's answers and callbacks, verified and decoded, keep the
// account in the field and print it masked.
func TestSandboxAnswersAndCallbacksPrintMasked(t *testing.T) {
	e := newEnv(t)
	rc := newReceiver(t, e.c)
	e.sb.RefundSetNotifyURL(rc.url)

	created, err := e.svc.Create(e.ctx, createRequest("PRINT-R3", 400))
	require.NoError(t, err)
	require.NoError(t, e.sb.RefundSimulateSuccess(e.ctx, created.RefundID))
	got, err := e.svc.Query(e.ctx, &refund.QueryRequest{OutRefundNo: "PRINT-R3"})
	require.NoError(t, err)
	evs := rc.got()
	require.Len(t, evs, 1)
	for _, v := range []any{created, got, evs[0]} {
		var account, requestID string
		switch x := v.(type) {
		case *refund.Response:
			account, requestID = x.UserReceivedAccount, x.RequestID
		case *refund.Event:
			account, requestID = x.UserReceivedAccount, x.OutRefundNo
		}
		require.NotEmpty(t, account, "the sandbox names where the money lands")
		wiretest.RequireMasked(t, v, []string{account}, []string{created.RefundID, "PRINT-R3", txDirect, requestID})
	}

	// A card account in a signed callback.
	h, err := notify.NewHandler(e.c)
	require.NoError(t, err)
	header, body, err := notifytest.BuildSigned(notifytest.Event{
		EventType: refund.EventSuccess, Summary: "退款成功", OriginalType: "refund", AssociatedData: "refund",
		Resource: map[string]any{
			"mchid": sandbox.MerchantID, "out_trade_no": "ORDER-0001", "transaction_id": txDirect,
			"out_refund_no": "PRINT-R4", "refund_id": "5031", "refund_status": "SUCCESS", "success_time": "2026-11-25T10:00:05+08:00",
			"user_received_account": printAccount, "amount": map[string]any{"total": 1000, "refund": 100, "payer_total": 900, "payer_refund": 90},
		},
	}, notifytest.Signer{Serial: e.sb.PublicKeyID, PrivateKey: e.sb.PlatformPrivateKey(), APIv3Key: e.sb.APIv3Key})
	require.NoError(t, err)
	n, err := h.ParseBytes(context.Background(), header, body)
	require.NoError(t, err)
	ev, err := refund.ParseEvent(n)
	require.NoError(t, err)
	require.Equal(t, printAccount, ev.UserReceivedAccount)
	wiretest.RequireMasked(t, ev, []string{printAccount, "0403"}, []string{"PRINT-R4", "5031", txDirect, refund.EventSuccess})
}

// Every type of the package that holds a field its personal list names, or
// a type that does, prints through the list.
func TestEveryPersonalTypeMasks(t *testing.T) {
	got := wiretest.RequireEveryPersonalTypeMasks(t, ".")
	require.Equal(t, []string{"Event", "Refund", "Response"}, got)
}
