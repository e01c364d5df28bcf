package refund

import (
	"fmt"
	"log/slog"

	"github.com/wechatpay-biz/wechatpay-biz-go/internal/redact"
)

// Refund and Event hold UserReceivedAccount, which may end with a card
// number. Each prints it masked ("***") in every way Go prints a value —
// String, GoString, Format (so %v, %+v, %#v, %s) and slog.LogValuer — while
// the field itself stays as it is for code. The JSON encoding is the wire
// format and is not masked.

type (
	maskedRefund Refund
	maskedEvent  Event
)

func (r Refund) masked() maskedRefund {
	m := maskedRefund(r)
	m.UserReceivedAccount = redact.String(r.UserReceivedAccount)
	return m
}

// String prints the refund with UserReceivedAccount masked.
func (r Refund) String() string { return fmt.Sprint(r.masked()) }

// GoString prints the refund as %#v does, with UserReceivedAccount masked.
func (r Refund) GoString() string { return redact.GoString(r.masked(), "refund.Refund") }

// Format prints the refund for any verb with UserReceivedAccount masked.
func (r Refund) Format(f fmt.State, verb rune) { redact.Format(f, verb, r.masked(), "refund.Refund") }

// LogValue logs the refund with UserReceivedAccount masked.
func (r Refund) LogValue() slog.Value { return slog.AnyValue(r.masked()) }

func (e Event) masked() maskedEvent {
	m := maskedEvent(e)
	m.UserReceivedAccount = redact.String(e.UserReceivedAccount)
	return m
}

// String prints the event with UserReceivedAccount masked.
func (e Event) String() string { return fmt.Sprint(e.masked()) }

// GoString prints the event as %#v does, with UserReceivedAccount masked.
func (e Event) GoString() string { return redact.GoString(e.masked(), "refund.Event") }

// Format prints the event for any verb with UserReceivedAccount masked.
func (e Event) Format(f fmt.State, verb rune) { redact.Format(f, verb, e.masked(), "refund.Event") }

// LogValue logs the event with UserReceivedAccount masked.
func (e Event) LogValue() slog.Value { return slog.AnyValue(e.masked()) }
