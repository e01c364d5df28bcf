package core

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// Endpoint describes one WeChat Pay operation: everything about a call that
// does not depend on the request's values. Product packages write one per
// method, next to the method's doc comment.
type Endpoint struct {
	// Op names the operation in errors, as package.Method, e.g.
	// "smartguide.Assign".
	Op string
	// Method is the HTTP method, e.g. http.MethodPost.
	Method string
	// Route is the API path as a template: each path parameter is written
	// {name}, e.g. "/v3/payscore/permissions/openid/{openid}". Logs,
	// APIError.Path and every error string show the route, never the
	// parameters' values (which may be personal data such as an OpenID).
	Route string
	// Idempotent marks operations that may be retried: queries, and writes
	// keyed by the merchant's own business number (see RetryPolicy).
	Idempotent bool
}

// Validator is a request that checks itself before anything is sent. Every
// request type of the product packages implements it.
//
// Validate returns nil or a *ValidationError listing every broken rule by
// the field's wire name. It must be safe on a nil pointer receiver, where it
// reports the request itself as missing ("request: is required"), so that a
// typed nil passed as a Validator never panics.
type Validator interface {
	Validate() error
}

// Call is the one path every product method takes:
//
//  1. req.Validate(); a nil req (untyped or typed) is a *ValidationError and
//     nothing is sent;
//  2. a Request is made from ep (method, route, idempotency); a route without
//     parameters is its own path;
//  3. build, when not nil, completes it: the body, the query, the path
//     parameters (Request.SetPathParams) and any sensitive field
//     (Client.EncryptFields). It runs only after Validate succeeded, so it
//     may read req freely;
//  4. c.Do signs, sends, retries when ep.Idempotent, verifies the answer and
//     decodes it into a new Resp, which is returned.
//
// Errors are those of Validate, of build (a *ValidationError from the path
// builder gets ep.Op; any other error is prefixed with ep.Op) and of
// Client.Do: *APIError, signature errors matching ErrInvalidSignature, the
// context's error. No error or log line holds a path parameter's value: they
// show ep.Route.
//
// Call is exported so that endpoints this SDK does not wrap can be called
// with the same shape:
//
//	type QueryRequest struct{ OpenID string }
//	func (r *QueryRequest) Validate() error { … }
//
//	resp, err := core.Call[QueryResponse](ctx, client, core.Endpoint{
//		Op: "mine.Query", Method: http.MethodGet, Route: "/v3/x/users/{openid}", Idempotent: true,
//	}, req, func(r *core.Request) error {
//		return r.SetPathParams(core.PathParam{Name: "openid", Value: req.OpenID, Charset: core.CharsetOpenID})
//	})
func Call[Resp any](ctx context.Context, c *Client, ep Endpoint, req Validator, build func(*Request) error) (*Resp, error) {
	if req == nil {
		return nil, MissingRequest(ep.Op)
	}
	if err := req.Validate(); err != nil {
		return nil, err
	}
	if c == nil {
		return nil, errors.New("wechatpay: " + ep.Op + ": nil *core.Client (build one with core.NewClient)")
	}
	r := &Request{Method: ep.Method, Route: ep.Route, Idempotent: ep.Idempotent}
	if !strings.Contains(ep.Route, "{") {
		r.Path = ep.Route
	}
	if build != nil {
		if err := build(r); err != nil {
			return nil, withOp(ep.Op, err)
		}
	}
	if r.Path == "" {
		return nil, errors.New("wechatpay: " + ep.Op + ": route " + ep.Route + " has parameters; build must call SetPathParams")
	}
	out := new(Resp)
	if _, err := c.Do(ctx, r, out); err != nil {
		return nil, err
	}
	return out, nil
}

// MissingRequest is the error for a nil request of operation op: a
// *ValidationError with the one problem "request: is required". Validate
// methods return it for a nil receiver.
func MissingRequest(op string) error {
	return &ValidationError{Op: op, Problems: []FieldError{{Field: "request", Problem: "is required"}}}
}

func withOp(op string, err error) error {
	var ve *ValidationError
	if errors.As(err, &ve) && ve.Op == "" {
		cp := *ve
		cp.Op = op
		return &cp
	}
	return fmt.Errorf("%s: %w", op, err)
}

// Charset is the set of characters a path parameter may hold: ASCII letters
// and digits, plus the ASCII punctuation listed in the Charset's string
// (e.g. "_-"). Whatever the Charset says, a path parameter never holds '/',
// '\\', '?', '#', '%', a space, a control character or a non-ASCII
// character, and is never "." or "..".
type Charset string

// The documented character sets of WeChat Pay path parameters.
const (
	// CharsetAlnum is ASCII letters and digits only.
	CharsetAlnum Charset = ""
	// CharsetOpenID is an OpenID: letters, digits, '_' and '-' (the
	// URL-safe Base64 alphabet WeChat uses for OpenIDs).
	CharsetOpenID Charset = "_-"
	// CharsetGuideID is a smart-guide guide_id. WeChat Pay documents no
	// character set; its IDs are letters and digits, and '_' and '-' are
	// let through as the other WeChat IDs use them.
	CharsetGuideID Charset = "_-"
	// CharsetOutTradeNo is a merchant order number (out_trade_no,
	// out_order_no): letters, digits and _-|*.
	CharsetOutTradeNo Charset = "_-|*"
	// CharsetAuthorizationCode is a pay-score authorization agreement
	// number (authorization_code): letters, digits and _-*.
	CharsetAuthorizationCode Charset = "_-*"
	// CharsetOutRefundNo is a merchant refund number (out_refund_no):
	// letters, digits and _-|*@.
	CharsetOutRefundNo Charset = "_-|*@"
)

// Problem reports what is wrong with s as a path parameter of this
// Charset, or "" when nothing is. The answer never contains s. It allocates
// only when s is wrong.
func (cs Charset) Problem(s string) string {
	switch s {
	case "":
		return "is required"
	case ".", "..":
		return "must not be a dot-segment (. or ..)"
	}
	for i := 0; i < len(s); i++ {
		if !cs.allows(s[i]) {
			return "must hold only " + cs.describe()
		}
	}
	return ""
}

func (cs Charset) allows(b byte) bool {
	switch {
	case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z', '0' <= b && b <= '9':
		return true
	case b <= ' ' || b >= 0x7f, b == '/', b == '\\', b == '?', b == '#', b == '%':
		return false
	}
	return strings.IndexByte(string(cs), b) >= 0
}

func (cs Charset) describe() string {
	var extra []byte
	for i := 0; i < len(cs); i++ {
		if b := cs[i]; cs.allows(b) && !('a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9') {
			extra = append(extra, b)
		}
	}
	if len(extra) == 0 {
		return "ASCII letters and digits"
	}
	return "ASCII letters, digits and " + string(extra)
}

// PathParam is the value of one {Name} in a route template.
type PathParam struct {
	// Name is the placeholder in the route, which is also the field's wire
	// name in a ValidationError, e.g. "openid".
	Name string
	// Value is the parameter unescaped, as the user gave it.
	Value string
	// Charset is the parameter's documented character set.
	Charset Charset
}

// BuildPath expands route, replacing each {name} with the escaped value of
// the PathParam of that name. Every value is checked against its Charset
// before it is escaped: an empty value, "." or "..", or a character outside
// the set is reported in a *ValidationError naming the field (never the
// value), listing every bad parameter. A placeholder without a PathParam, or
// a PathParam without a placeholder, is an error in the caller's code and
// reported as a plain error.
func BuildPath(route string, params ...PathParam) (string, error) {
	var problems []FieldError
	for _, p := range params {
		if pr := p.Charset.Problem(p.Value); pr != "" {
			problems = append(problems, FieldError{Field: p.Name, Problem: pr})
		}
	}
	if len(problems) > 0 {
		return "", &ValidationError{Problems: problems}
	}
	var b strings.Builder
	b.Grow(len(route) + 32)
	used := 0
	rest := route
	for {
		before, after, found := strings.Cut(rest, "{")
		b.WriteString(before)
		if !found {
			break
		}
		name, tail, ok := strings.Cut(after, "}")
		if !ok {
			return "", errors.New("wechatpay: route " + route + " has an unclosed {")
		}
		i := indexParam(params, name)
		if i < 0 {
			return "", errors.New("wechatpay: route " + route + ": no value given for {" + name + "}")
		}
		used++
		b.WriteString(url.PathEscape(params[i].Value))
		rest = tail
	}
	if used != len(params) {
		return "", fmt.Errorf("wechatpay: route %s has %d parameters, %d values were given", route, used, len(params))
	}
	return b.String(), nil
}

func indexParam(params []PathParam, name string) int {
	for i, p := range params {
		if p.Name == name {
			return i
		}
	}
	return -1
}

// SetPathParams sets r.Path to r.Route expanded with params (see
// BuildPath).
func (r *Request) SetPathParams(params ...PathParam) error {
	p, err := BuildPath(r.Route, params...)
	if err != nil {
		return err
	}
	r.Path = p
	return nil
}

// EncryptFields encrypts, in place, each non-nil field with one platform key
// (RSA-OAEP, Base64; see Encrypter) and returns that key's serial, to send
// as Request.WechatpaySerial. Point it at copies: the caller's request must
// stay as the caller wrote it. The serial is returned even when every field
// is nil, as some queries require the header whether or not they carry a
// ciphertext. Errors never contain a plaintext.
func (c *Client) EncryptFields(ctx context.Context, fields ...*string) (serial string, err error) {
	enc, err := c.Encrypter(ctx)
	if err != nil {
		return "", err
	}
	for _, f := range fields {
		if f == nil {
			continue
		}
		if *f, err = enc.Encrypt(*f); err != nil {
			return "", err
		}
	}
	return enc.Serial(), nil
}

// dotSegmentProblem reports why an escaped path must not be sent: it has a
// dot-segment ("." or ".."), written plainly or percent-encoded (%2e, also
// encoded twice, %252e, for a gateway that decodes again), hidden behind an
// encoded separator (%2f, a backslash) that a normalising gateway would
// split on, or followed by path parameters ("..;x", which servlet
// containers read as ".."); a percent-encoded control character; or a
// malformed percent-encoding. It returns "" for a good path.
func dotSegmentProblem(path string) string {
	rest := path
	for {
		seg, tail, more := strings.Cut(rest, "/")
		if isDotSegment(seg) {
			return "must not contain a dot-segment (. or .., also percent-encoded)"
		}
		for round := 0; strings.IndexByte(seg, '%') >= 0 && round < maxPathDecodes; round++ {
			dec, err := url.PathUnescape(seg)
			if err != nil {
				if round == 0 {
					return "has a malformed percent-encoding"
				}
				break // "%25zz" is the text "%zz": not an encoding
			}
			if strings.ContainsFunc(dec, func(r rune) bool { return r < ' ' || r == 0x7f }) {
				return "must not contain a percent-encoded control character"
			}
			if isDotSegment(dec) {
				return "must not contain a dot-segment (. or .., also percent-encoded)"
			}
			seg = dec
		}
		if !more {
			return ""
		}
		rest = tail
	}
}

// maxPathDecodes is how many times dotSegmentProblem decodes a segment: a
// gateway that decodes twice is known; three covers one more.
const maxPathDecodes = 3

// isDotSegment reports whether seg, or a part of it between '/' or '\', is
// "." or ".." once anything from a ';' on (path parameters) is left out.
func isDotSegment(seg string) bool {
	for {
		i := strings.IndexAny(seg, `/\`)
		part := seg
		if i >= 0 {
			part = seg[:i]
		}
		part, _, _ = strings.Cut(part, ";")
		if part == "." || part == ".." {
			return true
		}
		if i < 0 {
			return false
		}
		seg = seg[i+1:]
	}
}
