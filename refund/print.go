package refund

import (
	"fmt"
	"log/slog"

	"github.com/wechatpay-biz/wechatpay-biz-go/internal/redact"
)

// personal names the fields of this package that must never be printed:
// UserReceivedAccount, where the money lands, which may end with a card
// number ("招商银行信用卡0403"). Refund and order numbers, amounts, states,
// channels and times print as they are. Refund, Response and Event print it
// masked in every way Go prints a value (see redact.Fields; GoString too).
const personal redact.Fields = "UserReceivedAccount"

// Format prints the refund for every fmt verb with UserReceivedAccount masked.
func (r Refund) Format(f fmt.State, verb rune) { personal.Print(f, verb, r) }

// LogValue logs the refund with UserReceivedAccount masked.
func (r Refund) LogValue() slog.Value { return personal.LogValue(r) }

// String is the refund as %v prints it, UserReceivedAccount masked.
func (r Refund) String() string { return fmt.Sprint(r) }

// GoString is the refund as %#v prints it, UserReceivedAccount masked.
func (r Refund) GoString() string { return fmt.Sprintf("%#v", r) }

// Format prints the answer for every fmt verb with UserReceivedAccount masked.
func (r Response) Format(f fmt.State, verb rune) { personal.Print(f, verb, r) }

// LogValue logs the answer with UserReceivedAccount masked.
func (r Response) LogValue() slog.Value { return personal.LogValue(r) }

// String is the answer as %v prints it, UserReceivedAccount masked.
func (r Response) String() string { return fmt.Sprint(r) }

// GoString is the answer as %#v prints it, UserReceivedAccount masked.
func (r Response) GoString() string { return fmt.Sprintf("%#v", r) }

// Format prints the event for every fmt verb with UserReceivedAccount masked.
func (e Event) Format(f fmt.State, verb rune) { personal.Print(f, verb, e) }

// LogValue logs the event with UserReceivedAccount masked.
func (e Event) LogValue() slog.Value { return personal.LogValue(e) }

// String is the event as %v prints it, UserReceivedAccount masked.
func (e Event) String() string { return fmt.Sprint(e) }

// GoString is the event as %#v prints it, UserReceivedAccount masked.
func (e Event) GoString() string { return fmt.Sprintf("%#v", e) }
