package goldplan_test

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/goldplan"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

const receiptURL = "https://receipt.example.com/goldplan/receipt"

// The check_code input is the documented string, hashed here independently.
func TestCheckCodeIsTheDocumentedDigest(t *testing.T) {
	sum := md5.Sum([]byte("https://www.qq.com?sub_mch_id=1234567&out_trade_no=ABCDEFG&transaction_id=abcdefg"))
	want := hex.EncodeToString(sum[:])
	got, err := goldplan.CheckCode("https://www.qq.com", "1234567", "ABCDEFG", "abcdefg")
	require.NoError(t, err)
	assert.Equal(t, want, got)
	require.NoError(t, goldplan.VerifyCheckCode("https://www.qq.com", "1234567", "ABCDEFG", "abcdefg", strings.ToUpper(want)), "letter case does not matter")
}

func TestReceiptRoundTrip(t *testing.T) {
	u, err := goldplan.BuildReceiptURL(receiptURL, "1900000109", "ORDER|2026*11-25_1", "4200000001202611250000000001")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(u, receiptURL+"?sub_mch_id=1900000109&out_trade_no=ORDER%7C2026%2A11-25_1&check_code="), u)

	// As a handler sees it: only the request URI.
	req, err := goldplan.ParseReceiptRequest(u[len("https://receipt.example.com"):])
	require.NoError(t, err)
	assert.Equal(t, "1900000109", req.SubMchID)
	assert.Equal(t, "ORDER|2026*11-25_1", req.OutTradeNo)
	assert.Len(t, req.CheckCode, 32)
	require.NoError(t, req.Verify(receiptURL, "4200000001202611250000000001"))

	// Another order, sub-merchant, transaction or receipt URL does not match.
	for _, bad := range []struct{ url, sub, no, tx string }{
		{receiptURL, "1900000109", "ORDER|2026*11-25_1", "4200000001202611250000000002"},
		{receiptURL, "1900000110", "ORDER|2026*11-25_1", "4200000001202611250000000001"},
		{receiptURL, "1900000109", "ORDER|2026*11-25_2", "4200000001202611250000000001"},
		{"https://receipt.example.com/other", "1900000109", "ORDER|2026*11-25_1", "4200000001202611250000000001"},
	} {
		err := goldplan.VerifyCheckCode(bad.url, bad.sub, bad.no, bad.tx, req.CheckCode)
		assert.ErrorIs(t, err, goldplan.ErrCheckCodeMismatch, bad)
	}
	tampered := *req
	tampered.OutTradeNo = "ORDER-OTHER"
	assert.ErrorIs(t, tampered.Verify(receiptURL, "4200000001202611250000000001"), goldplan.ErrCheckCodeMismatch)
	var nilReq *goldplan.ReceiptRequest
	assert.ErrorIs(t, nilReq.Verify(receiptURL, "t"), goldplan.ErrReceiptRequest)
}

func TestParseReceiptRequestRefusesMalformedURLs(t *testing.T) {
	const code = "39f0876dd58e4eb61b66250f69d02705"
	for name, raw := range map[string]string{
		"no parameters":       "/receipt",
		"no check_code":       "/receipt?sub_mch_id=1900000109&out_trade_no=ORDER1",
		"no sub_mch_id":       "/receipt?out_trade_no=ORDER1&check_code=" + code,
		"v3 spelling":         "/receipt?sub_mchid=1900000109&out_trade_no=ORDER1&check_code=" + code,
		"repeated order":      "/receipt?sub_mch_id=1900000109&out_trade_no=ORDER1&out_trade_no=ORDER2&check_code=" + code,
		"empty order":         "/receipt?sub_mch_id=1900000109&out_trade_no=&check_code=" + code,
		"long order":          "/receipt?sub_mch_id=1900000109&out_trade_no=" + strings.Repeat("O", 33) + "&check_code=" + code,
		"order charset":       "/receipt?sub_mch_id=1900000109&out_trade_no=ORDER%2F1&check_code=" + code,
		"sub-merchant format": "/receipt?sub_mch_id=1900-0109&out_trade_no=ORDER1&check_code=" + code,
		"short check_code":    "/receipt?sub_mch_id=1900000109&out_trade_no=ORDER1&check_code=39f0",
		"non-hex check_code":  "/receipt?sub_mch_id=1900000109&out_trade_no=ORDER1&check_code=" + strings.Repeat("z", 32),
		"bad escape":          "/receipt?sub_mch_id=1900000109&out_trade_no=ORDER%ZZ&check_code=" + code,
	} {
		_, err := goldplan.ParseReceiptRequest(raw)
		require.ErrorIs(t, err, goldplan.ErrReceiptRequest, name)
		assert.NotContains(t, err.Error(), "1900000109", name)
		assert.NotContains(t, err.Error(), "ORDER1", name)
	}
	// Every problem is listed; unknown parameters are ignored.
	_, err := goldplan.ParseReceiptRequest("/receipt?out_trade_no=a&out_trade_no=b")
	require.ErrorContains(t, err, "sub_mch_id is missing; out_trade_no is repeated; check_code is missing")
	got, err := goldplan.ParseReceiptRequest("/receipt?from=menu&sub_mch_id=1900000109&out_trade_no=ORDER1&check_code=" + strings.ToUpper(code))
	require.NoError(t, err)
	assert.Equal(t, strings.ToUpper(code), got.CheckCode)
}

func TestReceiptURLMustBePlainHTTPS(t *testing.T) {
	for _, u := range []string{"http://receipt.example.com/r", "/r", "https:///r", "https://receipt.example.com/r?shop=1",
		"https://receipt.example.com/r?", "https://receipt.example.com/r#top", "https://user@receipt.example.com/r"} {
		_, err := goldplan.CheckCode(u, "1900000109", "ORDER1", "4200")
		assert.ErrorContains(t, err, "receipt URL", u)
		assert.False(t, errors.Is(err, goldplan.ErrCheckCodeMismatch))
	}
	_, err := goldplan.BuildReceiptURL(receiptURL, "", strings.Repeat("o", 33), "")
	require.ErrorContains(t, err, "sub_mch_id is required; out_trade_no must be at most 32 characters of UTF-8; transaction_id is required")
	assert.Error(t, goldplan.VerifyCheckCode(receiptURL, "1900000109", "ORDER1", "", strings.Repeat("0", 32)))
}

func TestReceiptMessages(t *testing.T) {
	var m map[string]string
	require.NoError(t, json.Unmarshal([]byte(goldplan.ReadyMessage(goldplan.DisplayStyleCustomPage)), &m))
	assert.Equal(t, map[string]string{"action": "onIframeReady", "displayStyle": "SHOW_CUSTOM_PAGE"}, m)
	require.NoError(t, json.Unmarshal([]byte(goldplan.ReadyMessage(`x","evil":"1`)), &m))
	assert.Equal(t, map[string]string{"action": "onIframeReady", "displayStyle": "SHOW_OFFICIAL_PAGE"}, m, "unknown styles fall back and cannot inject")

	msg, err := goldplan.JumpOutMessage("https://merchant.example.com/member?from=receipt&x=1")
	require.NoError(t, err)
	m = nil
	require.NoError(t, json.Unmarshal([]byte(msg), &m))
	assert.Equal(t, map[string]string{"action": "jumpOut", "jumpOutUrl": "https://merchant.example.com/member?from=receipt&x=1"}, m)
	_, err = goldplan.JumpOutMessage("javascript:alert(1)")
	assert.Error(t, err)
	assert.Equal(t, []goldplan.DisplayStyle{goldplan.DisplayStyleCustomPage, goldplan.DisplayStyleOfficialPage}, goldplan.DisplayStyle("").Values())
}

// The sandbox loads the receipt as WeChat Pay would, once the sub-merchant's
// gold plan and custom page are open; the page verifies what it receives.
func TestReceiptFromTheSandbox(t *testing.T) {
	sb, err := sandbox.NewServer()
	require.NoError(t, err)
	defer sb.Close()
	c, err := sb.Client()
	require.NoError(t, err)
	svc := goldplan.NewService(c)
	ctx := context.Background()
	const sub, tx = "1900000110", "4200000001202611250000000009"
	sb.Record(sandbox.LedgerEntry{Time: time.Now(), AppID: sb.AppID, SubMchID: sub, TransactionID: tx, OutTradeNo: "ORDER0009",
		TradeType: "JSAPI", TradeState: "SUCCESS", AmountFen: 1200})

	_, err = sb.GoldPlanReceiptURL(receiptURL, sub, "ORDER0009")
	require.ErrorContains(t, err, "gold plan is closed")
	_, err = svc.ChangeGoldPlanStatus(ctx, &goldplan.ChangeGoldPlanStatusRequest{SubMchID: sub, OperationType: goldplan.OperationTypeOpen})
	require.NoError(t, err)
	_, err = sb.GoldPlanReceiptURL(receiptURL, sub, "ORDER0009")
	require.ErrorContains(t, err, "custom receipt page is closed")
	_, err = svc.ChangeCustomPageStatus(ctx, &goldplan.ChangeCustomPageStatusRequest{SubMchID: sub, OperationType: goldplan.OperationTypeOpen})
	require.NoError(t, err)
	_, err = sb.GoldPlanReceiptURL(receiptURL, sub, "ORDER0010")
	require.ErrorContains(t, err, "no such payment")

	u, err := sb.GoldPlanReceiptURL(receiptURL, sub, "ORDER0009")
	require.NoError(t, err)
	req, err := goldplan.ParseReceiptRequest(u)
	require.NoError(t, err)
	require.NoError(t, req.Verify(receiptURL, tx))
	assert.ErrorIs(t, req.Verify(receiptURL, "4200000001202611250000000010"), goldplan.ErrCheckCodeMismatch)
}
