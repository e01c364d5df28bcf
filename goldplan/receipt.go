package goldplan

import (
	"crypto/md5"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/internal/validate"
)

// Receipt page contract.
const (
	// ReceiptParentOrigin is the origin of the gold plan page that embeds
	// the receipt: the targetOrigin of every message the receipt posts.
	ReceiptParentOrigin = "https://payapp.weixin.qq.com"
	// ReceiptReadyBudget is the most time WeChat Pay allows from the start
	// of loading the receipt URL to the onIframeReady message. It is
	// measured in the browser: a server can only stay well within it.
	ReceiptReadyBudget = 3 * time.Second
	// ReceiptScriptURL is the gold plan script the receipt page loads.
	ReceiptScriptURL = "https://wx.gtimg.com/pay_h5/goldplan/js/jgoldplan-1.0.0.js"
	// ActionIframeReady is the message action that says the receipt is
	// rendered (see ReadyMessage).
	ActionIframeReady = "onIframeReady"
	// ActionJumpOut is the message action that leaves the receipt for
	// another page (see JumpOutMessage).
	ActionJumpOut = "jumpOut"
)

// DisplayStyle tells the gold plan page what to show in the receipt's
// place.
type DisplayStyle string

// Display styles.
const (
	// DisplayStyleCustomPage shows the merchant's receipt.
	DisplayStyleCustomPage DisplayStyle = "SHOW_CUSTOM_PAGE"
	// DisplayStyleOfficialPage falls back to WeChat Pay's own receipt, e.g.
	// when check_code did not verify.
	DisplayStyleOfficialPage DisplayStyle = "SHOW_OFFICIAL_PAGE"
)

// Values returns the display styles known to this SDK.
func (DisplayStyle) Values() []DisplayStyle {
	return []DisplayStyle{DisplayStyleCustomPage, DisplayStyleOfficialPage}
}

// Errors of the receipt helpers.
var (
	// ErrReceiptRequest is matched by the errors of ParseReceiptRequest: a
	// parameter missing, repeated or malformed. Show WeChat Pay's own
	// receipt (DisplayStyleOfficialPage) and no order data.
	ErrReceiptRequest = errors.New("goldplan: malformed receipt request")
	// ErrCheckCodeMismatch is returned when check_code does not match the
	// request: show no order data.
	ErrCheckCodeMismatch = errors.New("goldplan: receipt check_code does not match")
)

// Receipt URL parameters, as WeChat Pay names them (sub_mch_id with the
// APIv2 spelling).
const (
	paramSubMchID   = "sub_mch_id"
	paramOutTradeNo = "out_trade_no"
	paramCheckCode  = "check_code"
)

const (
	maxReceiptID        = 32 // sub_mch_id, out_trade_no, transaction_id
	checkCodeLength     = 32 // MD5, hex
	maxReceiptURLLength = 1024
)

// ReceiptRequest is what WeChat Pay appends to the receipt URL when it
// loads the receipt page.
type ReceiptRequest struct {
	// SubMchID is the sub-merchant of the paid order (sub_mch_id).
	SubMchID string
	// OutTradeNo is the merchant order number of the paid order
	// (out_trade_no), at most 32 characters.
	OutTradeNo string
	// CheckCode is the 32-character MD5 hex digest that binds the URL to
	// the order (check_code).
	CheckCode string
}

// ParseReceiptRequest reads the receipt parameters from rawURL: the full URL
// or, in an http.Handler, r.URL.RequestURI(). Each of sub_mch_id,
// out_trade_no and check_code must appear exactly once: sub_mch_id 1 to 32
// ASCII letters and digits, out_trade_no 1 to 32 ASCII letters, digits and
// _-|*, check_code 32 hex digits. Other parameters are ignored. Errors
// match ErrReceiptRequest and never hold the parameters' values.
//
// A parsed request is not yet trusted: verify it (ReceiptRequest.Verify)
// before showing anything about the order.
func ParseReceiptRequest(rawURL string) (*ReceiptRequest, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("%w: not a URL", ErrReceiptRequest)
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, fmt.Errorf("%w: the query is malformed", ErrReceiptRequest)
	}
	var problems []string
	one := func(name string) string {
		switch vs := q[name]; len(vs) {
		case 0:
			problems = append(problems, name+" is missing")
		case 1:
			return vs[0]
		default:
			problems = append(problems, name+" is repeated")
		}
		return ""
	}
	r := &ReceiptRequest{SubMchID: one(paramSubMchID), OutTradeNo: one(paramOutTradeNo), CheckCode: one(paramCheckCode)}
	if _, given := q[paramSubMchID]; given {
		if p := idProblem(r.SubMchID, core.CharsetAlnum); p != "" {
			problems = append(problems, paramSubMchID+" "+p)
		}
	}
	if _, given := q[paramOutTradeNo]; given {
		if p := idProblem(r.OutTradeNo, core.CharsetOutTradeNo); p != "" {
			problems = append(problems, paramOutTradeNo+" "+p)
		}
	}
	if _, given := q[paramCheckCode]; given && !isCheckCode(r.CheckCode) {
		problems = append(problems, paramCheckCode+" must be 32 hex digits")
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%w: %s", ErrReceiptRequest, strings.Join(problems, "; "))
	}
	return r, nil
}

// idProblem checks a receipt identifier: set, at most 32 characters of cs.
func idProblem(s string, cs core.Charset) string {
	if p := cs.Problem(s); p != "" {
		return p
	}
	if len(s) > maxReceiptID {
		return "must be at most 32 characters"
	}
	return ""
}

func isCheckCode(s string) bool {
	if len(s) != checkCodeLength {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// Validate reports every malformed parameter of a receipt request built by
// hand (ParseReceiptRequest already applies the same rules) as a
// *core.ValidationError naming the URL parameter, or nil; a nil request is
// one problem. sub_mch_id: 1 to 32 ASCII letters and digits; out_trade_no: 1
// to 32 ASCII letters, digits and _-|*; check_code: 32 hex digits. Problems
// never hold the values. Validate does not check the code against the order:
// that is Verify.
func (r *ReceiptRequest) Validate() error {
	const op = "goldplan.ReceiptRequest"
	if r == nil {
		return validate.NilRequest(op)
	}
	var v validate.V
	if p := idProblem(r.SubMchID, core.CharsetAlnum); p != "" {
		v.Add(paramSubMchID, p)
	}
	if p := idProblem(r.OutTradeNo, core.CharsetOutTradeNo); p != "" {
		v.Add(paramOutTradeNo, p)
	}
	v.Check(isCheckCode(r.CheckCode), paramCheckCode, "must be 32 hex digits")
	return v.Err(op)
}

// Verify checks the request's check_code against receiptURL (the receipt
// URL configured in the service-provider platform, without a query) and the
// WeChat Pay order number (transaction_id) of OutTradeNo, which the caller
// looks up in its own records. See VerifyCheckCode.
func (r *ReceiptRequest) Verify(receiptURL, transactionID string) error {
	if r == nil {
		return fmt.Errorf("%w: nil request", ErrReceiptRequest)
	}
	return VerifyCheckCode(receiptURL, r.SubMchID, r.OutTradeNo, transactionID, r.CheckCode)
}

// CheckCode computes the check_code of a receipt URL as the gold plan
// product description defines it: the MD5, in lower-case hex, of
//
//	{receiptURL}?sub_mch_id={subMchID}&out_trade_no={outTradeNo}&transaction_id={transactionID}
//
// — the URL as WeChat Pay loads it without check_code, plus the order's
// transaction_id, which the URL does not carry. The values are hashed as
// they are (UTF-8, not URL-encoded). receiptURL must be an absolute https
// URL without a query or fragment; the three values are required, at most
// 32 characters each.
func CheckCode(receiptURL, subMchID, outTradeNo, transactionID string) (string, error) {
	if err := checkReceiptInputs(receiptURL, subMchID, outTradeNo, transactionID); err != nil {
		return "", err
	}
	h := md5.New()
	for _, s := range []string{receiptURL, "?" + paramSubMchID + "=", subMchID, "&" + paramOutTradeNo + "=", outTradeNo, "&transaction_id=", transactionID} {
		h.Write([]byte(s))
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// VerifyCheckCode checks checkCode, received with a receipt request, in
// constant time and regardless of letter case, against CheckCode(receiptURL,
// subMchID, outTradeNo, transactionID). It returns nil when it matches,
// ErrCheckCodeMismatch when it does not, and another error when an input is
// unusable (see CheckCode).
//
// The digest only binds the URL to a value absent from it; it is not a
// signature and does not expire: the receipt must not show sensitive data.
func VerifyCheckCode(receiptURL, subMchID, outTradeNo, transactionID, checkCode string) error {
	want, err := CheckCode(receiptURL, subMchID, outTradeNo, transactionID)
	if err != nil {
		return err
	}
	got := strings.ToLower(checkCode)
	if subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return ErrCheckCodeMismatch
	}
	return nil
}

// BuildReceiptURL returns the URL WeChat Pay loads for a paid order:
// receiptURL with sub_mch_id, out_trade_no and a valid check_code, for
// tests and simulators.
func BuildReceiptURL(receiptURL, subMchID, outTradeNo, transactionID string) (string, error) {
	code, err := CheckCode(receiptURL, subMchID, outTradeNo, transactionID)
	if err != nil {
		return "", err
	}
	return receiptURL + "?" + paramSubMchID + "=" + url.QueryEscape(subMchID) + "&" + paramOutTradeNo + "=" +
		url.QueryEscape(outTradeNo) + "&" + paramCheckCode + "=" + code, nil
}

func checkReceiptInputs(receiptURL, subMchID, outTradeNo, transactionID string) error {
	var problems []string
	u, err := url.Parse(receiptURL)
	switch {
	case err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil:
		problems = append(problems, "receipt URL must be an absolute https URL")
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.ContainsAny(receiptURL, "?#"):
		problems = append(problems, "receipt URL must have no query or fragment (how WeChat Pay would join its parameters to one is not documented)")
	case len(receiptURL) > maxReceiptURLLength:
		problems = append(problems, "receipt URL is too long")
	}
	for _, f := range []struct{ name, value string }{{"sub_mch_id", subMchID}, {"out_trade_no", outTradeNo}, {"transaction_id", transactionID}} {
		switch {
		case f.value == "":
			problems = append(problems, f.name+" is required")
		case !utf8.ValidString(f.value) || utf8.RuneCountInString(f.value) > maxReceiptID:
			problems = append(problems, f.name+" must be at most 32 characters of UTF-8")
		}
	}
	if len(problems) > 0 {
		return errors.New("goldplan: " + strings.Join(problems, "; "))
	}
	return nil
}

// ReadyMessage returns the message a rendered receipt posts to its parent:
// the JSON text {"action":"onIframeReady","displayStyle":…}, to pass to
// parent.postMessage with the target origin ReceiptParentOrigin. A style
// other than DisplayStyleCustomPage and DisplayStyleOfficialPage is
// replaced by DisplayStyleOfficialPage.
func ReadyMessage(style DisplayStyle) string {
	if style != DisplayStyleCustomPage {
		style = DisplayStyleOfficialPage
	}
	return `{"action":"` + ActionIframeReady + `","displayStyle":"` + string(style) + `"}`
}

// JumpOutMessage returns the message that leaves the receipt for target, an
// absolute https URL: the JSON text {"action":"jumpOut","jumpOutUrl":…}, to
// pass to parent.postMessage with the target origin ReceiptParentOrigin.
// WeChat shows the user a confirmation ("即将打开商家的新页面") that cannot
// be removed.
func JumpOutMessage(target string) (string, error) {
	u, err := url.Parse(target)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return "", errors.New("goldplan: the jump-out target must be an absolute https URL")
	}
	b, err := json.Marshal(struct {
		Action string `json:"action"`
		URL    string `json:"jumpOutUrl"`
	}{ActionJumpOut, target})
	if err != nil {
		return "", err
	}
	return string(b), nil
}
