package partner_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/internal/wiretest"
	"github.com/wechatpay-biz/wechatpay-biz-go/payscore"
	"github.com/wechatpay-biz/wechatpay-biz-go/payscore/partner"
)

// Personal values and secrets of the print tests.
const (
	printOpenID    = "oPrint8uMuAJO_M2pxb1Q9zNjWeS6o"
	printSubOpenID = "oPrintSubN95-Ptaags6E_roPHg7AG0"
	printStart     = "上海市徐汇区某某路3号"
	printEnd       = "上海市静安区某某街4号"
	printKey       = "0123456789abcdefPRINTKEY01234567"
)

var printPersonal = []string{printOpenID, printSubOpenID, printStart, printEnd, printKey}

// printLocation holds a user's whereabouts.
func printLocation() *payscore.Location {
	return &payscore.Location{StartLocation: core.Ptr(printStart), EndLocation: core.Ptr(printEnd)}
}

// printOrder is a sub-merchant's order holding every personal field of an
// order.
func printOrder() partner.ServiceOrder {
	return partner.ServiceOrder{
		ServiceOrder: payscore.ServiceOrder{
			AppID: appID, MchID: "1230000109", OutOrderNo: "PRINT0001", ServiceID: noConfirm,
			ServiceIntroduction: "共享充电宝", State: payscore.StateDone, TotalAmount: 3900, Location: printLocation(),
			Collection: &payscore.Collection{State: payscore.CollectionUserPaid, PaidAmount: 3900,
				Details: []payscore.PaymentDetail{{Seq: 1, Amount: 3900, PaidType: payscore.PaidTypeNewton, TransactionID: "4200000000202401010000000001"}}},
			OpenID: printOpenID, OrderID: "15646546545165651651",
		},
		SubMchID: sub, SubAppID: subApp, SubOpenID: printSubOpenID,
	}
}

func printPermission() partner.Permission {
	return partner.Permission{
		Permission: payscore.Permission{ServiceID: noConfirm, AppID: appID, MchID: "1230000109", OpenID: printOpenID,
			AuthorizationCode: "PRINTCODE01", AuthorizationState: payscore.AuthorizationAvailable},
		SubMchID: sub, SubAppID: subApp, SubOpenID: printSubOpenID,
	}
}

// Every type holding an OpenID, a SubOpenID, a user's whereabouts or the
// APIv2 key prints it masked in every way Go prints a value, shows the rest
// (sub-merchant, order and authorization numbers, amounts, Request-ID,
// event type), and keeps the real values in its fields and on the wire.
func TestPersonalDataIsNeverPrinted(t *testing.T) {
	meta := core.ResponseMeta{StatusCode: 200, RequestID: "print-request-id"}
	order := printOrder()
	create := exCreate()
	create.OutOrderNo, create.OpenID, create.Location = "PRINT0001", nil, printLocation()
	create.SubAppID, create.SubOpenID = core.Ptr(subApp), core.Ptr(printSubOpenID)
	complete := exComplete()
	complete.OutOrderNo, complete.Location = "PRINT0001", printLocation()
	orderVisible := []string{"print-request-id", "PRINT0001", sub, subApp, "3900", "4200000000202401010000000001"}
	onWire := []string{`"openid":"` + printOpenID + `"`, `"sub_openid":"` + printSubOpenID + `"`, `"start_location":"` + printStart + `"`}

	for _, tc := range []struct {
		v       any
		visible []string
		wire    []string // what the JSON encoding still carries
	}{
		{*create, []string{"PRINT0001", sub, noConfirm, "10000", "https://api.test.com"}, []string{`"sub_openid":"` + printSubOpenID + `"`, `"end_location":"` + printEnd + `"`}},
		{create, []string{"PRINT0001", sub}, nil},
		{partner.CreateOrderRequest{OutOrderNo: "PRINT0002", SubMchID: sub, OpenID: core.Ptr(printOpenID)}, []string{"PRINT0002", sub}, []string{`"openid":"` + printOpenID + `"`}},
		{partner.CreateOrderResponse{ResponseMeta: meta, ServiceOrder: order, Package: "PRINTPACKAGE"}, append(orderVisible, "PRINTPACKAGE"), onWire},
		{*complete, []string{"PRINT0001", sub, "3900"}, []string{`"end_location":"` + printEnd + `"`}},
		{complete, []string{"PRINT0001", sub}, nil},
		{order, orderVisible[1:], onWire},
		{&order, orderVisible[1:], nil},
		{partner.OrderResponse{ResponseMeta: meta, ServiceOrder: order}, orderVisible, onWire},
		{&partner.CancelOrderResponse{ResponseMeta: meta, Order: &order}, orderVisible, nil},
		{partner.ModifyOrderResponse{ResponseMeta: meta, Order: &order}, orderVisible, nil},
		{partner.CompleteOrderResponse{ResponseMeta: meta, Order: &order}, orderVisible, nil},
		{partner.PayOrderResponse{ResponseMeta: meta, Order: &order}, orderVisible, nil},
		{partner.SyncOrderResponse{ResponseMeta: meta, Order: &order}, orderVisible, nil},
		{partner.SyncOrderResponse{ResponseMeta: meta}, []string{"print-request-id"}, nil}, // 204: no order
		{&partner.OrderEvent{EventType: partner.EventUserPaid, ServiceOrder: order}, append(orderVisible[1:], partner.EventUserPaid), onWire},
		{printPermission(), []string{noConfirm, sub, subApp, "PRINTCODE01", "AVAILABLE"}, []string{`"openid":"` + printOpenID + `"`, `"sub_openid":"` + printSubOpenID + `"`}},
		{&partner.PermissionResponse{ResponseMeta: meta, Permission: printPermission()}, []string{"print-request-id", sub, "PRINTCODE01"}, nil},
		{partner.PermissionEvent{EventType: partner.EventUserOpenService, AppID: appID, MchID: "1230000109", SubAppID: subApp, SubMchID: sub,
			ServiceID: noConfirm, OpenID: printOpenID, SubOpenID: printSubOpenID, UserServiceStatus: payscore.UserOpenService,
			OpenOrCloseTime: "20240520132935", AuthorizationCode: "PRINTCODE01"},
			[]string{partner.EventUserOpenService, sub, subApp, "PRINTCODE01", "USER_OPEN_SERVICE", "20240520132935"},
			[]string{`"openid":"` + printOpenID + `"`, `"sub_openid":"` + printSubOpenID + `"`}},
		{partner.QueryPermissionByOpenIDRequest{ServiceID: noConfirm, AppID: appID, SubMchID: sub, SubAppID: core.Ptr(subApp), SubOpenID: core.Ptr(printSubOpenID)}, []string{noConfirm, appID, sub}, nil},
		{&partner.QueryPermissionByOpenIDRequest{ServiceID: noConfirm, AppID: appID, SubMchID: sub, OpenID: core.Ptr(printOpenID)}, []string{noConfirm, sub}, nil},
		{partner.TerminatePermissionByOpenIDRequest{ServiceID: noConfirm, SubMchID: sub, AppID: appID, OpenID: core.Ptr(printOpenID), Reason: "PRINT-REASON"},
			[]string{noConfirm, sub, "PRINT-REASON"}, []string{`"openid":"` + printOpenID + `"`}},
		{&partner.TerminatePermissionByOpenIDRequest{ServiceID: noConfirm, SubMchID: sub, AppID: appID, SubAppID: core.Ptr(subApp), SubOpenID: core.Ptr(printSubOpenID), Reason: "PRINT-REASON"},
			[]string{sub, "PRINT-REASON"}, []string{`"sub_openid":"` + printSubOpenID + `"`}},
		{partner.ConfirmOrderPageRequest{MchID: "1230000109", Package: "PRINTPACKAGE", APIv2Key: printKey, NonceStr: "PRINTNONCE"}, []string{"1230000109", "PRINTPACKAGE", "PRINTNONCE"}, nil},
	} {
		wiretest.RequireMasked(t, tc.v, printPersonal, tc.visible)
		wiretest.RequireOnWire(t, tc.v, tc.wire...)
	}
	// The fields stay usable.
	assert.Equal(t, printSubOpenID, *create.SubOpenID)
	assert.Equal(t, printStart, *create.Location.StartLocation)
	assert.Equal(t, printOpenID, order.OpenID)
	assert.Equal(t, printSubOpenID, order.SubOpenID)
	// Each form keeps the shape fmt gives a struct, the embedded order
	// included.
	printed := wiretest.Printed(partner.OrderResponse{ResponseMeta: meta, ServiceOrder: order})
	assert.Contains(t, printed["%+v"], "OpenID:*** OrderID:15646546545165651651} SubMchID:"+sub+" SubAppID:"+subApp+" SubOpenID:***}")
	assert.Contains(t, printed["%#v"], `partner.OrderResponse{ResponseMeta:core.ResponseMeta{`)
	assert.Contains(t, printed["slog JSON"], `"SubMchID":"`+sub+`","SubAppID":"`+subApp+`","SubOpenID":"***"`)
	assert.Contains(t, printed["slog text"], "v.RequestID=print-request-id")
}

// Answers and callbacks of the sandbox, verified and decoded by the client
// and by a notify.Handler, keep the real OpenIDs and location in their
// fields and print them masked.
func TestSandboxAnswersAndCallbacksPrintMasked(t *testing.T) {
	e := newEnv(t)
	rc := newReceiver(t, e.c)
	personal := append([]string{openID, subOpenID}, printPersonal...)

	// USER_OPEN_SERVICE callback and the permission answers.
	pre, err := e.svc.PreAuthorize(e.ctx, &partner.PreAuthorizeRequest{ServiceID: noConfirm, AppID: appID, SubAppID: core.Ptr(subApp), SubMchID: sub,
		AuthorizationCode: "PRINT1", NotifyURL: core.Ptr(rc.url)})
	require.NoError(t, err)
	require.NoError(t, e.sb.PayScorePartnerSimulateUserAuthorize(e.ctx, pre.ApplyPermissionsToken, openID, subOpenID))
	require.Len(t, rc.perms, 1)
	open := rc.perms[0]
	require.Equal(t, openID, open.OpenID)
	require.Equal(t, subOpenID, open.SubOpenID)
	wiretest.RequireMasked(t, open, personal, []string{partner.EventUserOpenService, sub, subApp, "PRINT1"})

	perm, err := e.svc.QueryPermissionByOpenID(e.ctx, &partner.QueryPermissionByOpenIDRequest{ServiceID: noConfirm, AppID: appID, SubMchID: sub, SubAppID: core.Ptr(subApp), SubOpenID: core.Ptr(subOpenID)})
	require.NoError(t, err)
	require.Equal(t, openID, perm.OpenID)
	require.Equal(t, subOpenID, perm.SubOpenID)
	wiretest.RequireMasked(t, perm, personal, []string{perm.RequestID, sub, "PRINT1", string(payscore.AuthorizationAvailable)})

	// A no-confirm order for the authorized user, with where the service
	// starts and ends: the create and query answers carry both OpenIDs.
	create := exCreate()
	create.ServiceID, create.AppID, create.SubMchID, create.SubAppID, create.OutOrderNo = noConfirm, appID, sub, core.Ptr(subApp), "PRINT-ORDER"
	create.OpenID, create.SubOpenID, create.Location, create.NotifyURL = nil, core.Ptr(subOpenID), printLocation(), rc.url
	created, err := e.svc.CreateOrder(e.ctx, create)
	require.NoError(t, err)
	wiretest.RequireMasked(t, create, personal, []string{"PRINT-ORDER", sub})
	require.Equal(t, subOpenID, created.SubOpenID)
	wiretest.RequireMasked(t, created, personal, []string{created.RequestID, "PRINT-ORDER", sub, created.OrderID})

	q, err := e.svc.QueryOrder(e.ctx, &partner.QueryOrderRequest{SubMchID: sub, OutOrderNo: "PRINT-ORDER"})
	require.NoError(t, err)
	require.Equal(t, openID, q.OpenID)
	require.Equal(t, subOpenID, q.SubOpenID)
	require.NotNil(t, q.Location)
	require.Equal(t, printStart, *q.Location.StartLocation)
	wiretest.RequireMasked(t, q, personal, []string{q.RequestID, "PRINT-ORDER", sub, q.OrderID})

	// USER_PAID callback after completion.
	complete := exComplete()
	complete.OutOrderNo, complete.ServiceID, complete.SubMchID, complete.Location = "PRINT-ORDER", noConfirm, sub, printLocation()
	complete.TimeRange = nil
	_, err = e.svc.CompleteOrder(e.ctx, complete)
	require.NoError(t, err)
	wiretest.RequireMasked(t, complete, personal, []string{"PRINT-ORDER", sub})
	txID, err := e.sb.PayScoreSimulateUserPaid(e.ctx, "PRINT-ORDER")
	require.NoError(t, err)
	require.NotEmpty(t, rc.orders)
	paid := rc.orders[len(rc.orders)-1]
	require.Equal(t, partner.EventUserPaid, paid.EventType)
	require.Equal(t, subOpenID, paid.SubOpenID)
	wiretest.RequireMasked(t, paid, personal, []string{partner.EventUserPaid, "PRINT-ORDER", sub, txID})
}

// A write call answered 200 with the order, as some deployments do, is
// verified and decoded into Order, which prints masked.
func TestOrderInA200AnswerPrintsMasked(t *testing.T) {
	body, err := json.Marshal(printOrder())
	require.NoError(t, err)
	f := wiretest.NewFakeAPI(t, func(int, wiretest.Wire) (int, string) { return http.StatusOK, string(body) })
	svc := partner.NewService(f.Client)
	resp, err := svc.PayOrder(context.Background(), &partner.PayOrderRequest{OutOrderNo: "PRINT0001", SubMchID: sub})
	require.NoError(t, err)
	require.NotNil(t, resp.Order)
	require.Equal(t, printSubOpenID, resp.Order.SubOpenID)
	require.Equal(t, printEnd, *resp.Order.Location.EndLocation)
	wiretest.RequireMasked(t, resp, printPersonal, []string{resp.RequestID, "PRINT0001", sub, "4200000000202401010000000001"})
}

// Every type of the package that holds a field its personal list names, or
// a type that does, prints through the list.
func TestEveryPersonalTypeMasks(t *testing.T) {
	got := wiretest.RequireEveryPersonalTypeMasks(t, ".")
	require.Subset(t, got, []string{"ServiceOrder", "Permission", "OrderEvent", "PermissionEvent", "CreateOrderRequest",
		"CompleteOrderRequest", "CancelOrderResponse", "SyncOrderResponse", "ConfirmOrderPageRequest"})
}
