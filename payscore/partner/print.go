package partner

import (
	"fmt"
	"log/slog"

	"github.com/wechatpay-biz/wechatpay-biz-go/internal/redact"
)

// personal names the fields of this package that must never be printed: a
// user's OpenID (under the provider's AppID) and SubOpenID (under the
// sub-merchant's AppID), the location where a service starts and ends
// (payscore.Location) and the provider's APIv2 key of
// ConfirmOrderPageRequest. IDs, AppIDs, order, authorization and
// transaction numbers, amounts, states and times print as they are. Every
// type holding one, directly or through a nested type (partner.ServiceOrder
// and partner.Permission, or the embedded payscore.ServiceOrder and
// payscore.Permission, which mask their own), prints it masked in every way
// Go prints a value (see redact.Fields), the sub-merchant fields and the
// Request-ID shown.
const personal redact.Fields = "OpenID SubOpenID Location APIv2Key"

// Format prints the request for every fmt verb with OpenID, SubOpenID and the location masked.
func (r CreateOrderRequest) Format(f fmt.State, verb rune) { personal.Print(f, verb, r) }

// LogValue logs the request with OpenID, SubOpenID and the location masked.
func (r CreateOrderRequest) LogValue() slog.Value { return personal.LogValue(r) }

// String is the request as %v prints it, OpenID, SubOpenID and the location masked.
func (r CreateOrderRequest) String() string { return fmt.Sprint(r) }

// Format prints the answer for every fmt verb with the order's OpenIDs and location masked.
func (r CreateOrderResponse) Format(f fmt.State, verb rune) { personal.Print(f, verb, r) }

// LogValue logs the answer with the order's OpenIDs and location masked.
func (r CreateOrderResponse) LogValue() slog.Value { return personal.LogValue(r) }

// String is the answer as %v prints it, the order's OpenIDs and location masked.
func (r CreateOrderResponse) String() string { return fmt.Sprint(r) }

// Format prints the request for every fmt verb with the location masked.
func (r CompleteOrderRequest) Format(f fmt.State, verb rune) { personal.Print(f, verb, r) }

// LogValue logs the request with the location masked.
func (r CompleteOrderRequest) LogValue() slog.Value { return personal.LogValue(r) }

// String is the request as %v prints it, the location masked.
func (r CompleteOrderRequest) String() string { return fmt.Sprint(r) }

// Format prints the order for every fmt verb with OpenID, SubOpenID and the location masked.
func (o ServiceOrder) Format(f fmt.State, verb rune) { personal.Print(f, verb, o) }

// LogValue logs the order with OpenID, SubOpenID and the location masked.
func (o ServiceOrder) LogValue() slog.Value { return personal.LogValue(o) }

// String is the order as %v prints it, OpenID, SubOpenID and the location masked.
func (o ServiceOrder) String() string { return fmt.Sprint(o) }

// Format prints the answer for every fmt verb with the order's OpenIDs and location masked.
func (r OrderResponse) Format(f fmt.State, verb rune) { personal.Print(f, verb, r) }

// LogValue logs the answer with the order's OpenIDs and location masked.
func (r OrderResponse) LogValue() slog.Value { return personal.LogValue(r) }

// String is the answer as %v prints it, the order's OpenIDs and location masked.
func (r OrderResponse) String() string { return fmt.Sprint(r) }

// Format prints the answer for every fmt verb with the order's OpenIDs and location masked.
func (r CancelOrderResponse) Format(f fmt.State, verb rune) { personal.Print(f, verb, r) }

// LogValue logs the answer with the order's OpenIDs and location masked.
func (r CancelOrderResponse) LogValue() slog.Value { return personal.LogValue(r) }

// String is the answer as %v prints it, the order's OpenIDs and location masked.
func (r CancelOrderResponse) String() string { return fmt.Sprint(r) }

// Format prints the answer for every fmt verb with the order's OpenIDs and location masked.
func (r ModifyOrderResponse) Format(f fmt.State, verb rune) { personal.Print(f, verb, r) }

// LogValue logs the answer with the order's OpenIDs and location masked.
func (r ModifyOrderResponse) LogValue() slog.Value { return personal.LogValue(r) }

// String is the answer as %v prints it, the order's OpenIDs and location masked.
func (r ModifyOrderResponse) String() string { return fmt.Sprint(r) }

// Format prints the answer for every fmt verb with the order's OpenIDs and location masked.
func (r CompleteOrderResponse) Format(f fmt.State, verb rune) { personal.Print(f, verb, r) }

// LogValue logs the answer with the order's OpenIDs and location masked.
func (r CompleteOrderResponse) LogValue() slog.Value { return personal.LogValue(r) }

// String is the answer as %v prints it, the order's OpenIDs and location masked.
func (r CompleteOrderResponse) String() string { return fmt.Sprint(r) }

// Format prints the answer for every fmt verb with the order's OpenIDs and location masked.
func (r PayOrderResponse) Format(f fmt.State, verb rune) { personal.Print(f, verb, r) }

// LogValue logs the answer with the order's OpenIDs and location masked.
func (r PayOrderResponse) LogValue() slog.Value { return personal.LogValue(r) }

// String is the answer as %v prints it, the order's OpenIDs and location masked.
func (r PayOrderResponse) String() string { return fmt.Sprint(r) }

// Format prints the answer for every fmt verb with the order's OpenIDs and location masked.
func (r SyncOrderResponse) Format(f fmt.State, verb rune) { personal.Print(f, verb, r) }

// LogValue logs the answer with the order's OpenIDs and location masked.
func (r SyncOrderResponse) LogValue() slog.Value { return personal.LogValue(r) }

// String is the answer as %v prints it, the order's OpenIDs and location masked.
func (r SyncOrderResponse) String() string { return fmt.Sprint(r) }

// Format prints the event for every fmt verb with the order's OpenIDs and location masked.
func (e OrderEvent) Format(f fmt.State, verb rune) { personal.Print(f, verb, e) }

// LogValue logs the event with the order's OpenIDs and location masked.
func (e OrderEvent) LogValue() slog.Value { return personal.LogValue(e) }

// String is the event as %v prints it, the order's OpenIDs and location masked.
func (e OrderEvent) String() string { return fmt.Sprint(e) }

// Format prints the authorization for every fmt verb with OpenID and SubOpenID masked.
func (p Permission) Format(f fmt.State, verb rune) { personal.Print(f, verb, p) }

// LogValue logs the authorization with OpenID and SubOpenID masked.
func (p Permission) LogValue() slog.Value { return personal.LogValue(p) }

// String is the authorization as %v prints it, OpenID and SubOpenID masked.
func (p Permission) String() string { return fmt.Sprint(p) }

// Format prints the answer for every fmt verb with OpenID and SubOpenID masked.
func (r PermissionResponse) Format(f fmt.State, verb rune) { personal.Print(f, verb, r) }

// LogValue logs the answer with OpenID and SubOpenID masked.
func (r PermissionResponse) LogValue() slog.Value { return personal.LogValue(r) }

// String is the answer as %v prints it, OpenID and SubOpenID masked.
func (r PermissionResponse) String() string { return fmt.Sprint(r) }

// Format prints the event for every fmt verb with OpenID and SubOpenID masked.
func (e PermissionEvent) Format(f fmt.State, verb rune) { personal.Print(f, verb, e) }

// LogValue logs the event with OpenID and SubOpenID masked.
func (e PermissionEvent) LogValue() slog.Value { return personal.LogValue(e) }

// String is the event as %v prints it, OpenID and SubOpenID masked.
func (e PermissionEvent) String() string { return fmt.Sprint(e) }

// Format prints the request for every fmt verb with OpenID and SubOpenID masked.
func (r QueryPermissionByOpenIDRequest) Format(f fmt.State, verb rune) { personal.Print(f, verb, r) }

// LogValue logs the request with OpenID and SubOpenID masked.
func (r QueryPermissionByOpenIDRequest) LogValue() slog.Value { return personal.LogValue(r) }

// String is the request as %v prints it, OpenID and SubOpenID masked.
func (r QueryPermissionByOpenIDRequest) String() string { return fmt.Sprint(r) }

// Format prints the request for every fmt verb with OpenID and SubOpenID masked.
func (r TerminatePermissionByOpenIDRequest) Format(f fmt.State, verb rune) {
	personal.Print(f, verb, r)
}

// LogValue logs the request with OpenID and SubOpenID masked.
func (r TerminatePermissionByOpenIDRequest) LogValue() slog.Value { return personal.LogValue(r) }

// String is the request as %v prints it, OpenID and SubOpenID masked.
func (r TerminatePermissionByOpenIDRequest) String() string { return fmt.Sprint(r) }

// Format prints the request for every fmt verb with APIv2Key masked.
func (r ConfirmOrderPageRequest) Format(f fmt.State, verb rune) { personal.Print(f, verb, r) }

// LogValue logs the request with APIv2Key masked.
func (r ConfirmOrderPageRequest) LogValue() slog.Value { return personal.LogValue(r) }

// String is the request as %v prints it, APIv2Key masked.
func (r ConfirmOrderPageRequest) String() string { return fmt.Sprint(r) }
