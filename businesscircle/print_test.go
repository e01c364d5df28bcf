package businesscircle_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/businesscircle"
	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/internal/wiretest"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

// Personal values of the print tests: a member's OpenID, plate and card
// code.
const (
	printOpenID = "oPrintMember_2pxb1Q9zNjWeS6o"
	printPlate  = "粤B8PR1NT"
	printCode   = "PRINTCARD0000777"
)

var printPersonal = []string{printOpenID, printPlate, printCode}

// Every type holding a member's OpenID, plate number or card code prints
// them masked in every way Go prints a value, shows the rest (transaction
// and refund numbers, amounts, points, store names, Request-ID), and keeps
// the real values in its fields and on the wire.
func TestPersonalDataIsNeverPrinted(t *testing.T) {
	at := time.Date(2020, 5, 20, 13, 29, 35, 120e6, cst)
	meta := core.ResponseMeta{StatusCode: 200, RequestID: "print-request-id"}
	points := &businesscircle.SyncPointsRequest{TransactionID: "4200000533202000000000000001", AppID: "wxprintapp", OpenID: printOpenID,
		EarnPoints: true, IncreasedPoints: 100, PointsUpdateTime: at, TotalPoints: core.Ptr[int64](100100)}
	parking := businesscircle.SyncParkingRequest{BrandID: 1001, AppID: "wxprintapp", OpenID: printOpenID, PlateNumber: printPlate,
		State: businesscircle.ParkingStateIn, Time: at}
	for _, tc := range []struct {
		v       any
		visible []string
		wire    []string // what the JSON encoding still carries
	}{
		{points, []string{"4200000533202000000000000001", "wxprintapp", "true"}, []string{`"openid":"` + printOpenID + `"`, `"points_update_time":"2020-05-20T13:29:35.120+08:00"`}},
		{*points, []string{"4200000533202000000000000001", "100"}, []string{`"openid":"` + printOpenID + `"`}},
		{businesscircle.QueryUserAuthorizationRequest{OpenID: printOpenID, AppID: "wxprintapp", SubMchID: core.Ptr("1900000109")}, []string{"wxprintapp"}, nil},
		{&businesscircle.QueryUserAuthorizationResponse{ResponseMeta: meta, OpenID: printOpenID, AuthorizeState: businesscircle.AuthorizeStateAuthorized, AuthorizeTime: &at},
			[]string{"print-request-id", "AUTHORIZED"}, []string{`"openid":"` + printOpenID + `"`}},
		{businesscircle.QueryPointsCommitStatusRequest{OpenID: printOpenID, BrandID: 1001, AppID: "wxprintapp"}, []string{"1001", "wxprintapp"}, nil},
		{parking, []string{"1001", "wxprintapp", "IN"}, []string{`"openid":"` + printOpenID + `"`, `"plate_number":"` + printPlate + `"`}},
		{&parking, []string{"1001"}, []string{`"plate_number":"` + printPlate + `"`}},
		{businesscircle.TransactionEvent{MchID: "1230000109", ShopName: "PRINT-SHOP", ShopNumber: "F2-08", AppID: "wxprintapp", OpenID: printOpenID,
			Amount: 25800, TimeEnd: at, TransactionID: "4200000533202000000000000001", AuthType: businesscircle.AuthTypeRegistered, Code: printCode},
			[]string{"PRINT-SHOP", "F2-08", "25800", "4200000533202000000000000001", "REGISTERED_MODE"}, []string{`"openid":"` + printOpenID + `"`, `"code":"` + printCode + `"`}},
		{&businesscircle.RefundEvent{MchID: "1230000109", ShopName: "PRINT-SHOP", AppID: "wxprintapp", OpenID: printOpenID, RefundTime: at,
			PayAmount: 25800, RefundAmount: 5800, TransactionID: "4200000533202000000000000001", RefundID: "50000000382019052709732678859"},
			[]string{"PRINT-SHOP", "25800", "5800", "50000000382019052709732678859"}, []string{`"openid":"` + printOpenID + `"`}},
		{businesscircle.ActivateCardEvent{OpenID: printOpenID, Code: printCode, MchID: "1230000109", AuthType: businesscircle.AuthTypeRegistered},
			[]string{"1230000109", "REGISTERED_MODE"}, []string{`"code":"` + printCode + `"`}},
	} {
		wiretest.RequireMasked(t, tc.v, printPersonal, tc.visible)
		wiretest.RequireOnWire(t, tc.v, tc.wire...)
	}
	// The fields stay usable.
	assert.Equal(t, printOpenID, points.OpenID)
	assert.Equal(t, printPlate, parking.PlateNumber)
}

// Callbacks and answers the sandbox sends, verified and decoded by the
// client, print masked.
func TestCallbacksAndAnswersPrintMasked(t *testing.T) {
	m := newMall(t)
	ctx := context.Background()
	appID := m.sb.AppID
	code, err := m.sb.BusinessCircleAuthorize(ctx, appID, printOpenID)
	require.NoError(t, err)
	txID, err := m.sb.BusinessCircleSimulateTransaction(ctx, sandbox.BusinessCircleTransaction{
		AppID: appID, OpenID: printOpenID, AmountFen: 25800, ShopName: "PRINT-SHOP", ShopNumber: "F2-08",
	})
	require.NoError(t, err)
	_, err = m.svc.SyncPoints(ctx, &businesscircle.SyncPointsRequest{TransactionID: txID, AppID: appID, OpenID: printOpenID, PointsUpdateTime: time.Now()})
	require.NoError(t, err)
	refundID, notified, err := m.sb.BusinessCircleSimulateRefund(ctx, txID, 5800)
	require.NoError(t, err)
	require.True(t, notified)
	auth, err := m.svc.QueryUserAuthorization(ctx, &businesscircle.QueryUserAuthorizationRequest{OpenID: printOpenID, AppID: appID})
	require.NoError(t, err)

	txs, rfs, acts := m.events()
	require.Len(t, txs, 1)
	require.Len(t, rfs, 1)
	require.Len(t, acts, 1)
	require.Equal(t, printOpenID, txs[0].OpenID)
	require.Equal(t, code, acts[0].Code)
	personal := []string{printOpenID, code}
	wiretest.RequireMasked(t, txs[0], personal, []string{txID, "25800", "PRINT-SHOP"})
	wiretest.RequireMasked(t, rfs[0], personal, []string{txID, refundID, "5800"})
	wiretest.RequireMasked(t, acts[0], personal, []string{sandbox.MerchantID})
	wiretest.RequireMasked(t, auth, personal, []string{auth.RequestID, "AUTHORIZED"})
}

// Every type of the package that holds a field its personal list names, or
// a type that does, prints through the list.
func TestEveryPersonalTypeMasks(t *testing.T) {
	got := wiretest.RequireEveryPersonalTypeMasks(t, ".")
	require.Subset(t, got, []string{"SyncParkingRequest", "TransactionEvent", "ActivateCardEvent"})
}
