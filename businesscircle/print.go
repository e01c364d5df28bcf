package businesscircle

import (
	"fmt"
	"log/slog"

	"github.com/wechatpay-biz/wechatpay-biz-go/internal/redact"
)

// personal names the fields of this package that identify a member and must
// never be printed: the OpenID, the car's plate number and the member card
// code. The mall's and WeChat Pay's numbers (transaction_id, refund_id,
// brand and merchant IDs), store names, amounts, points and times print as
// they are. Every type holding one prints it masked in every way Go prints
// a value (see redact.Fields).
const personal redact.Fields = "OpenID PlateNumber Code"

// Format prints the request for every fmt verb with OpenID masked.
func (r SyncPointsRequest) Format(f fmt.State, verb rune) { personal.Print(f, verb, r) }

// LogValue logs the request with OpenID masked.
func (r SyncPointsRequest) LogValue() slog.Value { return personal.LogValue(r) }

// String is the request as %v prints it, OpenID masked.
func (r SyncPointsRequest) String() string { return fmt.Sprint(r) }

// Format prints the request for every fmt verb with OpenID masked.
func (r QueryUserAuthorizationRequest) Format(f fmt.State, verb rune) { personal.Print(f, verb, r) }

// LogValue logs the request with OpenID masked.
func (r QueryUserAuthorizationRequest) LogValue() slog.Value { return personal.LogValue(r) }

// String is the request as %v prints it, OpenID masked.
func (r QueryUserAuthorizationRequest) String() string { return fmt.Sprint(r) }

// Format prints the answer for every fmt verb with OpenID masked.
func (r QueryUserAuthorizationResponse) Format(f fmt.State, verb rune) { personal.Print(f, verb, r) }

// LogValue logs the answer with OpenID masked.
func (r QueryUserAuthorizationResponse) LogValue() slog.Value { return personal.LogValue(r) }

// String is the answer as %v prints it, OpenID masked.
func (r QueryUserAuthorizationResponse) String() string { return fmt.Sprint(r) }

// Format prints the request for every fmt verb with OpenID masked.
func (r QueryPointsCommitStatusRequest) Format(f fmt.State, verb rune) { personal.Print(f, verb, r) }

// LogValue logs the request with OpenID masked.
func (r QueryPointsCommitStatusRequest) LogValue() slog.Value { return personal.LogValue(r) }

// String is the request as %v prints it, OpenID masked.
func (r QueryPointsCommitStatusRequest) String() string { return fmt.Sprint(r) }

// Format prints the request for every fmt verb with OpenID and PlateNumber masked.
func (r SyncParkingRequest) Format(f fmt.State, verb rune) { personal.Print(f, verb, r) }

// LogValue logs the request with OpenID and PlateNumber masked.
func (r SyncParkingRequest) LogValue() slog.Value { return personal.LogValue(r) }

// String is the request as %v prints it, OpenID and PlateNumber masked.
func (r SyncParkingRequest) String() string { return fmt.Sprint(r) }

// Format prints the event for every fmt verb with OpenID and Code masked.
func (e TransactionEvent) Format(f fmt.State, verb rune) { personal.Print(f, verb, e) }

// LogValue logs the event with OpenID and Code masked.
func (e TransactionEvent) LogValue() slog.Value { return personal.LogValue(e) }

// String is the event as %v prints it, OpenID and Code masked.
func (e TransactionEvent) String() string { return fmt.Sprint(e) }

// Format prints the event for every fmt verb with OpenID masked.
func (e RefundEvent) Format(f fmt.State, verb rune) { personal.Print(f, verb, e) }

// LogValue logs the event with OpenID masked.
func (e RefundEvent) LogValue() slog.Value { return personal.LogValue(e) }

// String is the event as %v prints it, OpenID masked.
func (e RefundEvent) String() string { return fmt.Sprint(e) }

// Format prints the event for every fmt verb with OpenID and Code masked.
func (e ActivateCardEvent) Format(f fmt.State, verb rune) { personal.Print(f, verb, e) }

// LogValue logs the event with OpenID and Code masked.
func (e ActivateCardEvent) LogValue() slog.Value { return personal.LogValue(e) }

// String is the event as %v prints it, OpenID and Code masked.
func (e ActivateCardEvent) String() string { return fmt.Sprint(e) }
