package payscore

import (
	"fmt"
	"log/slog"

	"github.com/wechatpay-biz/wechatpay-biz-go/internal/redact"
)

// personal names the fields of this package that must never be printed: a
// user's OpenID, where a service starts and ends (a user's whereabouts) and
// the APIv2 key of OrderDetailPageRequest. Merchant and WeChat Pay numbers
// (out_order_no, order_id, transaction_id, authorization_code), amounts and
// times print as they are. Every type holding one, directly or through a
// nested type, prints it masked in every way Go prints a value (see
// redact.Fields).
const personal redact.Fields = "OpenID StartLocation EndLocation APIv2Key"

// Format prints the request for every fmt verb with OpenID and the location masked.
func (r CreateOrderRequest) Format(f fmt.State, verb rune) { personal.Print(f, verb, r) }

// LogValue logs the request with OpenID and the location masked.
func (r CreateOrderRequest) LogValue() slog.Value { return personal.LogValue(r) }

// String is the request as %v prints it, OpenID and the location masked.
func (r CreateOrderRequest) String() string { return fmt.Sprint(r) }

// Format prints the answer for every fmt verb with the order's OpenID and location masked.
func (r CreateOrderResponse) Format(f fmt.State, verb rune) { personal.Print(f, verb, r) }

// LogValue logs the answer with the order's OpenID and location masked.
func (r CreateOrderResponse) LogValue() slog.Value { return personal.LogValue(r) }

// String is the answer as %v prints it, the order's OpenID and location masked.
func (r CreateOrderResponse) String() string { return fmt.Sprint(r) }

// Format prints the request for every fmt verb with the location masked.
func (r CompleteOrderRequest) Format(f fmt.State, verb rune) { personal.Print(f, verb, r) }

// LogValue logs the request with the location masked.
func (r CompleteOrderRequest) LogValue() slog.Value { return personal.LogValue(r) }

// String is the request as %v prints it, the location masked.
func (r CompleteOrderRequest) String() string { return fmt.Sprint(r) }

// Format prints the location masked for every fmt verb.
func (l Location) Format(f fmt.State, verb rune) { personal.Print(f, verb, l) }

// LogValue logs the location masked.
func (l Location) LogValue() slog.Value { return personal.LogValue(l) }

// String is the location as %v prints it, masked.
func (l Location) String() string { return fmt.Sprint(l) }

// Format prints the order for every fmt verb with OpenID and the location masked.
func (o ServiceOrder) Format(f fmt.State, verb rune) { personal.Print(f, verb, o) }

// LogValue logs the order with OpenID and the location masked.
func (o ServiceOrder) LogValue() slog.Value { return personal.LogValue(o) }

// String is the order as %v prints it, OpenID and the location masked.
func (o ServiceOrder) String() string { return fmt.Sprint(o) }

// Format prints the answer for every fmt verb with the order's OpenID and location masked.
func (r OrderResponse) Format(f fmt.State, verb rune) { personal.Print(f, verb, r) }

// LogValue logs the answer with the order's OpenID and location masked.
func (r OrderResponse) LogValue() slog.Value { return personal.LogValue(r) }

// String is the answer as %v prints it, the order's OpenID and location masked.
func (r OrderResponse) String() string { return fmt.Sprint(r) }

// Format prints the event for every fmt verb with the order's OpenID and location masked.
func (e OrderEvent) Format(f fmt.State, verb rune) { personal.Print(f, verb, e) }

// LogValue logs the event with the order's OpenID and location masked.
func (e OrderEvent) LogValue() slog.Value { return personal.LogValue(e) }

// String is the event as %v prints it, the order's OpenID and location masked.
func (e OrderEvent) String() string { return fmt.Sprint(e) }

// Format prints the authorization for every fmt verb with OpenID masked.
func (p Permission) Format(f fmt.State, verb rune) { personal.Print(f, verb, p) }

// LogValue logs the authorization with OpenID masked.
func (p Permission) LogValue() slog.Value { return personal.LogValue(p) }

// String is the authorization as %v prints it, OpenID masked.
func (p Permission) String() string { return fmt.Sprint(p) }

// Format prints the answer for every fmt verb with OpenID masked.
func (r PermissionResponse) Format(f fmt.State, verb rune) { personal.Print(f, verb, r) }

// LogValue logs the answer with OpenID masked.
func (r PermissionResponse) LogValue() slog.Value { return personal.LogValue(r) }

// String is the answer as %v prints it, OpenID masked.
func (r PermissionResponse) String() string { return fmt.Sprint(r) }

// Format prints the event for every fmt verb with OpenID masked.
func (e PermissionEvent) Format(f fmt.State, verb rune) { personal.Print(f, verb, e) }

// LogValue logs the event with OpenID masked.
func (e PermissionEvent) LogValue() slog.Value { return personal.LogValue(e) }

// String is the event as %v prints it, OpenID masked.
func (e PermissionEvent) String() string { return fmt.Sprint(e) }

// Format prints the request for every fmt verb with OpenID masked.
func (r QueryPermissionByOpenIDRequest) Format(f fmt.State, verb rune) { personal.Print(f, verb, r) }

// LogValue logs the request with OpenID masked.
func (r QueryPermissionByOpenIDRequest) LogValue() slog.Value { return personal.LogValue(r) }

// String is the request as %v prints it, OpenID masked.
func (r QueryPermissionByOpenIDRequest) String() string { return fmt.Sprint(r) }

// Format prints the request for every fmt verb with OpenID masked.
func (r TerminatePermissionByOpenIDRequest) Format(f fmt.State, verb rune) {
	personal.Print(f, verb, r)
}

// LogValue logs the request with OpenID masked.
func (r TerminatePermissionByOpenIDRequest) LogValue() slog.Value { return personal.LogValue(r) }

// String is the request as %v prints it, OpenID masked.
func (r TerminatePermissionByOpenIDRequest) String() string { return fmt.Sprint(r) }

// Format prints the request for every fmt verb with APIv2Key masked.
func (r OrderDetailPageRequest) Format(f fmt.State, verb rune) { personal.Print(f, verb, r) }

// LogValue logs the request with APIv2Key masked.
func (r OrderDetailPageRequest) LogValue() slog.Value { return personal.LogValue(r) }

// String is the request as %v prints it, APIv2Key masked.
func (r OrderDetailPageRequest) String() string { return fmt.Sprint(r) }

// Format prints the request for every fmt verb with OpenID and the location masked.
func (r DirectCompleteOrderRequest) Format(f fmt.State, verb rune) { personal.Print(f, verb, r) }

// LogValue logs the request with OpenID and the location masked.
func (r DirectCompleteOrderRequest) LogValue() slog.Value { return personal.LogValue(r) }

// String is the request as %v prints it, OpenID and the location masked.
func (r DirectCompleteOrderRequest) String() string { return fmt.Sprint(r) }

// Format prints the answer for every fmt verb with the order's OpenID and location masked.
func (r DirectCompleteOrderResponse) Format(f fmt.State, verb rune) { personal.Print(f, verb, r) }

// LogValue logs the answer with the order's OpenID and location masked.
func (r DirectCompleteOrderResponse) LogValue() slog.Value { return personal.LogValue(r) }

// String is the answer as %v prints it, the order's OpenID and location masked.
func (r DirectCompleteOrderResponse) String() string { return fmt.Sprint(r) }

// Format prints the request for every fmt verb with OpenID masked.
func (r QueryUserServiceStateRequest) Format(f fmt.State, verb rune) { personal.Print(f, verb, r) }

// LogValue logs the request with OpenID masked.
func (r QueryUserServiceStateRequest) LogValue() slog.Value { return personal.LogValue(r) }

// String is the request as %v prints it, OpenID masked.
func (r QueryUserServiceStateRequest) String() string { return fmt.Sprint(r) }

// Format prints the answer for every fmt verb with OpenID masked.
func (r QueryUserServiceStateResponse) Format(f fmt.State, verb rune) { personal.Print(f, verb, r) }

// LogValue logs the answer with OpenID masked.
func (r QueryUserServiceStateResponse) LogValue() slog.Value { return personal.LogValue(r) }

// String is the answer as %v prints it, OpenID masked.
func (r QueryUserServiceStateResponse) String() string { return fmt.Sprint(r) }
