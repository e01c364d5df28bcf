// Package redact helps types that hold personal data (names, mobiles,
// OpenIDs) or a secret print masked in every way Go prints a value — fmt's
// %v, %+v, %#v, %s and every other verb, and log/slog's text and JSON
// handlers — while their fields stay usable in code and their JSON (the wire
// format) is untouched.
//
// A package names its personal fields once in a Fields constant and each
// type gets three one-line methods (Format, LogValue, String) that print
// through reflection with those fields masked; see Fields.
package redact

// Mask replaces a personal value that is set.
const Mask = "***"
