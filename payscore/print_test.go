package payscore_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/internal/wiretest"
	"github.com/wechatpay-biz/wechatpay-biz-go/payscore"
)

// Personal values and secrets of the print tests, and where the spec puts
// them on the wire.
const (
	printOpenID = "oPrint8uMuAJO_M2pxb1Q9zNjWeS6o"
	printStart  = "北京市海淀区某某路1号"
	printEnd    = "北京市朝阳区某某街2号"
	printKey    = "0123456789abcdefPRINTKEY01234567"
)

var printPersonal = []string{printOpenID, printStart, printEnd, printKey}

// printOrder is a service order holding every personal field of an order.
func printOrder() payscore.ServiceOrder {
	return payscore.ServiceOrder{
		AppID: appID, MchID: "1230000109", OutOrderNo: "PRINT0001", ServiceID: noConfirm,
		ServiceIntroduction: "共享充电宝", State: payscore.StateDone, TotalAmount: 3900,
		Location: &payscore.Location{StartLocation: core.Ptr(printStart), EndLocation: core.Ptr(printEnd)},
		Collection: &payscore.Collection{State: payscore.CollectionUserPaid, PaidAmount: 3900,
			Details: []payscore.PaymentDetail{{Seq: 1, Amount: 3900, PaidType: payscore.PaidTypeNewton, TransactionID: "4200000000202401010000000001"}}},
		OpenID: printOpenID, OrderID: "15646546545165651651",
	}
}

// Every type holding an OpenID, a user's whereabouts or the APIv2 key
// prints it masked in every way Go prints a value, shows the rest (order
// numbers, amounts, Request-ID, event type), and keeps the real values in
// its fields and on the wire.
func TestPersonalDataIsNeverPrinted(t *testing.T) {
	meta := core.ResponseMeta{StatusCode: 200, RequestID: "print-request-id"}
	perm := payscore.Permission{ServiceID: noConfirm, AppID: appID, MchID: "1230000109", OpenID: printOpenID,
		AuthorizationCode: "PRINTCODE01", AuthorizationState: payscore.AuthorizationAvailable}
	create := noConfirmOrder("PRINT0001")
	create.OpenID = core.Ptr(printOpenID)
	create.Location = &payscore.Location{StartLocation: core.Ptr(printStart), EndLocation: core.Ptr(printEnd)}
	complete := completeReq("PRINT0001")
	complete.Location = &payscore.Location{StartLocation: core.Ptr(printStart), EndLocation: core.Ptr(printEnd)}

	for _, tc := range []struct {
		v       any
		visible []string
		wire    []string // what the JSON encoding still carries
	}{
		{*create, []string{"PRINT0001", appID, noConfirm, "10000"}, []string{`"openid":"` + printOpenID + `"`, `"start_location":"` + printStart + `"`}},
		{create, []string{"PRINT0001", "10000"}, []string{`"openid":"` + printOpenID + `"`}},
		{payscore.CreateOrderResponse{ResponseMeta: meta, ServiceOrder: printOrder(), Package: "PRINTPACKAGE"}, []string{"print-request-id", "PRINT0001", "PRINTPACKAGE", "3900"}, nil},
		{*complete, []string{"PRINT0001", "3900"}, []string{`"end_location":"` + printEnd + `"`}},
		{*create.Location, nil, []string{`"start_location":"` + printStart + `"`}},
		{printOrder(), []string{"PRINT0001", "15646546545165651651", "4200000000202401010000000001", "3900", "DONE"}, []string{`"openid":"` + printOpenID + `"`}},
		{payscore.OrderResponse{ResponseMeta: meta, ServiceOrder: printOrder()}, []string{"print-request-id", "PRINT0001", "4200000000202401010000000001"}, nil},
		{&payscore.OrderEvent{EventType: payscore.EventUserPaid, ServiceOrder: printOrder()}, []string{payscore.EventUserPaid, "PRINT0001", "3900"}, nil},
		{perm, []string{noConfirm, "PRINTCODE01", "AVAILABLE"}, []string{`"openid":"` + printOpenID + `"`}},
		{&payscore.PermissionResponse{ResponseMeta: meta, Permission: perm}, []string{"print-request-id", "PRINTCODE01"}, nil},
		{payscore.PermissionEvent{EventType: payscore.EventUserOpenService, AppID: appID, ServiceID: noConfirm, OpenID: printOpenID,
			AuthorizationCode: "PRINTCODE01", UserServiceStatus: payscore.UserOpenService, OpenOrCloseTime: "20240520132935"},
			[]string{payscore.EventUserOpenService, "PRINTCODE01", "USER_OPEN_SERVICE", "20240520132935"}, []string{`"openid":"` + printOpenID + `"`}},
		{payscore.QueryPermissionByOpenIDRequest{OpenID: printOpenID, ServiceID: noConfirm, AppID: appID}, []string{noConfirm, appID}, nil},
		{&payscore.TerminatePermissionByOpenIDRequest{OpenID: printOpenID, ServiceID: noConfirm, AppID: appID, Reason: "PRINT-REASON"}, []string{noConfirm, "PRINT-REASON"}, nil},
		{payscore.DirectCompleteOrderRequest{OutOrderNo: "PRINT0002", AppID: appID, OpenID: printOpenID, ServiceID: noConfirm, TotalAmount: 3900,
			Location: &payscore.Location{StartLocation: core.Ptr(printStart), EndLocation: core.Ptr(printEnd)}},
			[]string{"PRINT0002", noConfirm, "3900"}, []string{`"openid":"` + printOpenID + `"`, `"end_location":"` + printEnd + `"`}},
		{&payscore.DirectCompleteOrderResponse{ResponseMeta: meta, ServiceOrder: printOrder()}, []string{"print-request-id", "PRINT0001", "3900"}, nil},
		{payscore.QueryUserServiceStateRequest{ServiceID: noConfirm, AppID: appID, OpenID: printOpenID}, []string{noConfirm, appID}, nil},
		{payscore.QueryUserServiceStateResponse{ResponseMeta: meta, AppID: appID, ServiceID: noConfirm, OpenID: printOpenID, UseServiceState: payscore.UseServiceAvailable},
			[]string{"print-request-id", noConfirm, "AVAILABLE"}, []string{`"openid":"` + printOpenID + `"`}},
		{payscore.OrderDetailPageRequest{MchID: "1230000109", ServiceID: noConfirm, OutOrderNo: "PRINT0001", APIv2Key: printKey, NonceStr: "PRINTNONCE"}, []string{"1230000109", "PRINT0001", "PRINTNONCE"}, nil},
	} {
		wiretest.RequireMasked(t, tc.v, printPersonal, tc.visible)
		wiretest.RequireOnWire(t, tc.v, tc.wire...)
	}
	// The fields stay usable.
	assert.Equal(t, printOpenID, *create.OpenID)
	assert.Equal(t, printStart, *create.Location.StartLocation)
}

// Answers and callbacks decode exactly as before, and a decoded value
// prints masked.
func TestDecodedValuesPrintMasked(t *testing.T) {
	const event = `{"appid":"wxd678efh567hg6787","mchid":"1230000109","out_order_no":"1234323JKHDFE1243252",
		"service_id":"500001","service_introduction":"某某酒店","state":"DONE","total_amount":50000,
		"location":{"start_location":"` + printStart + `","end_location":"` + printEnd + `"},
		"openid":"` + printOpenID + `","order_id":"15646546545165651651"}`
	var ev payscore.OrderEvent
	require.NoError(t, json.Unmarshal([]byte(event), &ev))
	assert.Equal(t, printOpenID, ev.OpenID)
	assert.Equal(t, printStart, *ev.Location.StartLocation)
	assert.Equal(t, int64(50000), ev.TotalAmount)
	wiretest.RequireMasked(t, &ev, printPersonal, []string{"1234323JKHDFE1243252", "50000", "15646546545165651651"})

	var perm payscore.PermissionResponse
	require.NoError(t, json.Unmarshal([]byte(`{"service_id":"500001","appid":"wxd678efh567hg6787","mchid":"1230000109",
		"openid":"`+printOpenID+`","authorization_state":"AVAILABLE"}`), &perm))
	assert.Equal(t, printOpenID, perm.OpenID)
	wiretest.RequireMasked(t, perm, printPersonal, []string{"500001", "AVAILABLE"})
}

// A permission the sandbox answers, verified and decoded by the client,
// prints masked with its Request-ID.
func TestAnswerFromTheServerPrintsMasked(t *testing.T) {
	f := newFixture(t)
	f.authorize("PRINTCODE02", printOpenID)
	resp, err := f.svc.QueryPermissionByOpenID(f.ctx, &payscore.QueryPermissionByOpenIDRequest{OpenID: printOpenID, ServiceID: noConfirm, AppID: appID})
	require.NoError(t, err)
	require.Equal(t, printOpenID, resp.OpenID)
	require.NotEmpty(t, resp.RequestID)
	wiretest.RequireMasked(t, resp, printPersonal, []string{resp.RequestID, noConfirm, string(payscore.AuthorizationAvailable)})
}

// Every type of the package that holds a field its personal list names, or
// a type that does, prints through the list.
func TestEveryPersonalTypeMasks(t *testing.T) {
	got := wiretest.RequireEveryPersonalTypeMasks(t, ".")
	require.Subset(t, got, []string{"ServiceOrder", "Location", "OrderEvent", "PermissionEvent", "OrderDetailPageRequest"})
}
