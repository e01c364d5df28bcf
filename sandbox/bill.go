package sandbox

import (
	"bytes"
	"compress/gzip"
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// billState is the sandbox's bill state. Guarded by its own mutex; never
// held while doing I/O.
type billState struct {
	mu         sync.Mutex
	files      map[string]*billFile // by download token
	ttl        time.Duration
	tamper     bool
	serveToday bool
	splitSize  int
}

type billFile struct {
	data    []byte
	ctype   string
	expires time.Time
}

// Bill API wire values.
var (
	billTypes    = []string{"ALL", "SUCCESS", "REFUND", "RECHARGE_REFUND", "ALL_SPECIAL", "SUC_SPECIAL", "REF_SPECIAL"}
	accountTypes = []string{"BASIC", "OPERATION", "FEES"}
	subAccounts  = []string{"BASIC", "OPERATION", "FEES", "DEPOSIT"}
	billAlgos    = []string{"AEAD_AES_256_GCM", "SM4_GCM"}
)

// BillDefaultDownloadTTL is how long a download_url stays valid by default:
// 30 seconds, the stricter of the documented values (the current pages say
// 5 minutes, the older API pages 30 seconds; spec §5.1), so that a client
// that downloads at once works against either.
const BillDefaultDownloadTTL = 30 * time.Second

// BillAvailableAt returns when WeChat Pay starts serving the bill of the
// day that contains day (in Asia/Shanghai): 09:00 on the next day (spec
// §5). Before then the apply APIs answer 400 STATEMENT_CREATING 账单生成中.
func BillAvailableAt(day time.Time) time.Time {
	y, m, d := day.In(shanghai).Date()
	return time.Date(y, m, d+1, 9, 0, 0, 0, shanghai)
}

// installBill registers the bill endpoints.
func (s *Server) installBill() {
	s.bill.files = map[string]*billFile{}
	s.bill.ttl = BillDefaultDownloadTTL
	s.Handle("GET /v3/bill/tradebill", s.handleTradeBill)
	s.Handle("GET /v3/bill/fundflowbill", s.handleFundFlowBill)
	s.Handle("GET /v3/bill/sub-merchant-fundflowbill", s.handleSubMerchantFundFlowBill)
	s.Handle("GET /v3/billdownload/file", s.handleBillDownload)
}

// BillSetTamper makes every bill file issued from now on differ from the
// hash_value it is announced with (one digit of the summary is changed
// after hashing), as a corrupted or tampered download would. false
// restores honest files.
func (s *Server) BillSetTamper(on bool) {
	s.bill.mu.Lock()
	s.bill.tamper = on
	s.bill.mu.Unlock()
}

// BillSetDownloadTTL sets how long download URLs issued from now on stay
// valid (default BillDefaultDownloadTTL, 30 s; the current documentation
// says 5 minutes). Expiry follows the sandbox clock.
func (s *Server) BillSetDownloadTTL(d time.Duration) {
	s.bill.mu.Lock()
	s.bill.ttl = d
	s.bill.mu.Unlock()
}

// BillServeToday makes every day's bill available at once, today's
// included — for demos that bill what they just did. By default, as on the
// real service, the bill of day D exists from 09:00 (Asia/Shanghai) on
// D+1 (BillAvailableAt), and the sandbox answers 400 STATEMENT_CREATING
// 账单生成中 before that.
func (s *Server) BillServeToday(on bool) {
	s.bill.mu.Lock()
	s.bill.serveToday = on
	s.bill.mu.Unlock()
}

// BillSetSplitSize makes sub-merchant fund-flow bills larger than n bytes
// come in several encrypted parts of at most n bytes each, as WeChat Pay
// splits very large bills (0, the default, never splits).
func (s *Server) BillSetSplitSize(n int) {
	s.bill.mu.Lock()
	s.bill.splitSize = n
	s.bill.mu.Unlock()
}

// billDay checks bill_date and returns the start of that day in Shanghai.
func (s *Server) billDay(raw string) (time.Time, *Reply) {
	if raw == "" {
		r := ParamError("bill_date", "query", "bill_date 为必填参数")
		return time.Time{}, &r
	}
	day, err := time.ParseInLocation(time.DateOnly, raw, shanghai)
	if err != nil || len(raw) != 10 {
		r := ParamError("bill_date", "query", "bill_date 格式错误，应为 yyyy-MM-dd")
		return time.Time{}, &r
	}
	y, m, d := s.now().In(shanghai).Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, shanghai)
	s.bill.mu.Lock()
	serveToday := s.bill.serveToday
	s.bill.mu.Unlock()
	switch {
	case day.After(today):
		r := ParamError("bill_date", "query", "账单日期不能晚于当前日期")
		return time.Time{}, &r
	case !serveToday && s.now().Before(BillAvailableAt(day)):
		r := Error(http.StatusBadRequest, "STATEMENT_CREATING", "账单生成中")
		return time.Time{}, &r
	case day.Before(today.AddDate(0, -3, 0)):
		r := ParamError("bill_date", "query", "仅支持三个月内的账单下载申请")
		return time.Time{}, &r
	}
	return day, nil
}

func oneOf(v string, allowed []string) bool { return slices.Contains(allowed, v) }

func checkTarType(c *Call) (bool, *Reply) {
	switch c.Query("tar_type") {
	case "":
		return false, nil
	case "GZIP":
		return true, nil
	}
	r := ParamError("tar_type", "query", "tar_type 取值错误，仅支持 GZIP")
	return false, &r
}

// billNoAuth answers a bill of another service provider's sub-merchant.
func billNoAuth() Reply {
	return Error(http.StatusForbidden, "NO_AUTH", "特约商户与服务商不存在受理关系，无权下载其账单")
}

func noStatement() Reply {
	return Error(http.StatusBadRequest, "NO_STATEMENT_EXIST", "请求的账单文件不存在")
}

func (s *Server) handleTradeBill(c *Call) Reply {
	day, rep := s.billDay(c.Query("bill_date"))
	if rep != nil {
		return *rep
	}
	billType := c.Query("bill_type")
	if billType == "" {
		billType = "ALL"
	}
	if !oneOf(billType, billTypes) {
		return ParamError("bill_type", "query", "bill_type 取值错误")
	}
	sub := c.Query("sub_mchid")
	if len(sub) > 12 {
		return ParamError("sub_mchid", "query", "sub_mchid 长度不能超过12")
	}
	if s.foreignSubMerchant(sub) {
		return billNoAuth()
	}
	gz, rep := checkTarType(c)
	if rep != nil {
		return *rep
	}
	data, rows := s.billTradeFile(day, billType, sub)
	if rows == 0 {
		return noStatement()
	}
	url, hash := s.billIssue(data, gz, nil, nil)
	return JSON(http.StatusOK, map[string]any{"hash_type": "SHA1", "hash_value": hash, "download_url": url})
}

func (s *Server) handleFundFlowBill(c *Call) Reply {
	day, rep := s.billDay(c.Query("bill_date"))
	if rep != nil {
		return *rep
	}
	account := c.Query("account_type")
	if account == "" {
		account = "BASIC"
	}
	if !oneOf(account, accountTypes) {
		return ParamError("account_type", "query", "account_type 取值错误")
	}
	gz, rep := checkTarType(c)
	if rep != nil {
		return *rep
	}
	// sub_mchid is optional (OA lists it; no length is documented): one
	// sub-merchant's movements when given, everything when empty or absent.
	if s.foreignSubMerchant(c.Query("sub_mchid")) {
		return billNoAuth()
	}
	data, rows := s.billFundFlowFile(day, account, c.Query("sub_mchid"), false)
	if rows == 0 {
		return noStatement()
	}
	url, hash := s.billIssue(data, gz, nil, nil)
	return JSON(http.StatusOK, map[string]any{"hash_type": "SHA1", "hash_value": hash, "download_url": url})
}

func (s *Server) handleSubMerchantFundFlowBill(c *Call) Reply {
	sub := c.Query("sub_mchid")
	switch {
	case sub == "":
		return ParamError("sub_mchid", "query", "sub_mchid 为必填参数")
	case len(sub) > 32:
		return ParamError("sub_mchid", "query", "sub_mchid 长度不能超过32")
	case s.foreignSubMerchant(sub):
		return billNoAuth()
	}
	day, rep := s.billDay(c.Query("bill_date"))
	if rep != nil {
		return *rep
	}
	account := c.Query("account_type")
	switch {
	case account == "":
		return ParamError("account_type", "query", "account_type 为必填参数")
	case !oneOf(account, subAccounts):
		return ParamError("account_type", "query", "account_type 取值错误")
	}
	algo := c.Query("algorithm")
	switch {
	case algo == "":
		return ParamError("algorithm", "query", "algorithm 为必填参数")
	case !oneOf(algo, billAlgos):
		return ParamError("algorithm", "query", "algorithm 取值错误")
	case algo != "AEAD_AES_256_GCM":
		return Error(http.StatusBadRequest, "INVALID_REQUEST", "sandbox: only AEAD_AES_256_GCM bill encryption is simulated")
	}
	gz, rep := checkTarType(c)
	if rep != nil {
		return *rep
	}
	data, rows := s.billFundFlowFile(day, account, sub, true)
	if rows == 0 {
		return noStatement()
	}
	s.bill.mu.Lock()
	split := s.bill.splitSize
	s.bill.mu.Unlock()
	parts := [][]byte{data}
	if split > 0 {
		parts = nil
		for len(data) > split {
			parts = append(parts, data[:split])
			data = data[split:]
		}
		parts = append(parts, data)
	}
	list := make([]map[string]any, 0, len(parts))
	for i, p := range parts {
		key, nonce := randomAlnum(32), randomAlnum(12)
		url, hash := s.billIssue(p, gz, []byte(key), []byte(nonce))
		list = append(list, map[string]any{
			"bill_sequence": i + 1, "download_url": url, "encrypt_key": c.EncryptForMerchant(key),
			"hash_type": "SHA1", "hash_value": hash, "nonce": nonce,
		})
	}
	return JSON(http.StatusOK, map[string]any{"download_bill_count": len(list), "download_bill_list": list})
}

func (s *Server) handleBillDownload(c *Call) Reply {
	token := c.Query("token")
	if token == "" {
		return ParamError("token", "query", "token 为必填参数")
	}
	now := s.now()
	b := &s.bill
	b.mu.Lock()
	f, ok := b.files[token]
	b.mu.Unlock()
	switch {
	case !ok:
		return ParamError("token", "query", "token 无效")
	case !now.Before(f.expires):
		return Error(http.StatusBadRequest, "INVALID_REQUEST", "下载链接过期,请重新请求文件下载")
	}
	return Reply{Status: http.StatusOK, Raw: f.data, ContentType: f.ctype, Unsigned: true}
}

// billIssue stores a file under a new download token and returns its
// download_url and the SHA-1 of plain. The file is gzipped when gz, then
// encrypted with AES-256-GCM when key is set; tampered after hashing when
// the switch is on.
func (s *Server) billIssue(plain []byte, gz bool, key, nonce []byte) (url, hash string) {
	sum := sha1.Sum(plain)
	hash = hex.EncodeToString(sum[:])
	b := &s.bill
	b.mu.Lock()
	tamper, ttl := b.tamper, b.ttl
	b.mu.Unlock()
	data := plain
	if tamper {
		data = bytes.Clone(plain)
		for i := len(data) - 1; i >= 0; i-- {
			if c := data[i]; c >= '0' && c <= '9' {
				data[i] = '0' + (c-'0'+1)%10
				break
			}
		}
	}
	ctype := "text/plain; charset=utf-8"
	if gz {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		_, _ = zw.Write(data)
		_ = zw.Close()
		data, ctype = buf.Bytes(), "application/x-gzip"
	}
	if key != nil {
		block, err := aes.NewCipher(key)
		if err != nil {
			panic("sandbox: bill key: " + err.Error())
		}
		aead, _ := cipher.NewGCM(block)
		data, ctype = aead.Seal(nil, nonce, data, nil), "application/octet-stream"
	}
	token := randomAlnum(48)
	now := s.now()
	b.mu.Lock()
	for t, f := range b.files {
		if now.After(f.expires.Add(time.Hour)) {
			delete(b.files, t)
		}
	}
	b.files[token] = &billFile{data: data, ctype: ctype, expires: now.Add(ttl)}
	b.mu.Unlock()
	url = s.URL + "/v3/billdownload/file?token=" + token
	if gz {
		url += "&tartype=gzip"
	}
	return url, hash
}

// billDayEntries returns the ledger entries of one day (for one
// sub-merchant when sub is set), oldest first, with refunds' merchant order
// numbers filled in from their payments.
func (s *Server) billDayEntries(day time.Time, sub string) []LedgerEntry {
	all := s.Ledger()
	outTradeNo := map[string]string{}
	for _, e := range all {
		if e.TradeState == "SUCCESS" && e.OutTradeNo != "" {
			outTradeNo[e.TransactionID] = e.OutTradeNo
		}
	}
	end := day.Add(24 * time.Hour)
	var out []LedgerEntry
	for _, e := range all {
		if e.Time.Before(day) || !e.Time.Before(end) || (sub != "" && e.SubMchID != sub) {
			continue
		}
		if e.OutTradeNo == "" {
			e.OutTradeNo = outTradeNo[e.TransactionID]
		}
		out = append(out, e)
	}
	slices.SortStableFunc(out, func(a, b LedgerEntry) int { return a.Time.Compare(b.Time) })
	return out
}

// billText escapes a text value as WeChat Pay writes it into a bill: \x01
// becomes a space, CR and LF the two-character sequences \r and \n.
func billText(s string) string {
	return strings.NewReplacer("\x01", " ", "\r", `\r`, "\n", `\n`).Replace(s)
}

func yuan(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	return fmt.Sprintf("%s%d.%02d", sign, fen/100, fen%100)
}

// feeYuan formats an amount in 1/100000 yuan with five decimals.
func feeYuan(v int64) string {
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	return fmt.Sprintf("%s%d.%05d", sign, v/100000, v%100000)
}

func billRow(b *bytes.Buffer, values []string) {
	for i, v := range values {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('`')
		b.WriteString(v)
	}
	b.WriteString("\r\n")
}

const (
	billHeaderAll = "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注"
	billHeaderSuc = "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,商品名称,商户数据包,手续费,费率,订单金额,费率备注"
	billHeaderRef = "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,退款申请时间,退款成功时间,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注"
	billSumAll    = "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额"
	billSumSuc    = "总交易单数,应结订单总金额,手续费总金额,订单总金额"
	billFeeRate   = 6 // per mille, 0.60%
)

// billTradeFile renders the trade bill of a day. Payment rows carry the
// settlement, coupon and order amounts; refund rows carry the refund and
// zero settlement, so the summary is the column sums. The fee is 0.60%,
// returned (negative) on refunds.
func (s *Server) billTradeFile(day time.Time, billType, sub string) ([]byte, int) {
	layout := map[string]string{"ALL_SPECIAL": "ALL", "SUC_SPECIAL": "SUCCESS", "REF_SPECIAL": "REFUND"}[billType]
	if layout == "" {
		layout = billType
	}
	if layout == "RECHARGE_REFUND" {
		return nil, 0 // the sandbox has no recharge coupons
	}
	var b bytes.Buffer
	switch layout {
	case "ALL":
		b.WriteString(billHeaderAll + "\r\n")
	case "SUCCESS":
		b.WriteString(billHeaderSuc + "\r\n")
	default:
		b.WriteString(billHeaderRef + "\r\n")
	}
	var n, settle, refund, fee, order, applied int64
	for _, e := range s.billDayEntries(day, sub) {
		if refundClosure(e) {
			continue // money moving back: fund-flow only, no trade row
		}
		isRefund := e.TradeState == "REFUND"
		if (layout == "SUCCESS" && isRefund) || (layout == "REFUND" && !isRefund) {
			continue
		}
		subMch := e.SubMchID
		if subMch == "" {
			subMch = "0"
		}
		ts := e.Time.In(shanghai).Format(time.DateTime)
		head := []string{ts, e.AppID, s.MerchantID, subMch, "", e.TransactionID, e.OutTradeNo, e.OpenID, e.TradeType, e.TradeState, e.BankType, "CNY"}
		var rSettle, rCoupon, rRefund, rFee, rOrder, rApplied int64
		refundID, outRefundNo, refundType, refundStatus := "0", "0", "", ""
		if isRefund {
			// 退款金额 = 申请退款金额 − the non-recharge coupon's share, as
			// 应结订单金额 = 订单金额 − 代金券金额 for payments.
			settled := e.settlementRefundFen()
			rRefund, rApplied, rFee = settled, e.RefundFen, -settled*billFeeRate
			refundID, outRefundNo, refundType, refundStatus = e.RefundID, e.OutRefundNo, "ORIGINAL", e.RefundStatus
			if refundStatus == "" {
				refundStatus = "SUCCESS"
			}
		} else {
			rSettle, rCoupon, rOrder, rFee = e.AmountFen, e.CouponFen, e.AmountFen+e.CouponFen, e.AmountFen*billFeeRate
		}
		n++
		settle, refund, fee, order, applied = settle+rSettle, refund+rRefund, fee+rFee, order+rOrder, applied+rApplied
		values := append(head, yuan(rSettle), yuan(rCoupon))
		switch layout {
		case "ALL":
			values = append(values, refundID, outRefundNo, yuan(rRefund), "0.00", refundType, refundStatus,
				billText(e.Product), billText(e.Attach), feeYuan(rFee), "0.60%", yuan(rOrder), yuan(rApplied), "")
		case "SUCCESS":
			values = append(values, billText(e.Product), billText(e.Attach), feeYuan(rFee), "0.60%", yuan(rOrder), "")
		default:
			success := ""
			if refundStatus == "SUCCESS" {
				success = e.Time.Add(5 * time.Second).In(shanghai).Format(time.DateTime)
			}
			values = append(values, ts, success, refundID, outRefundNo, yuan(rRefund), "0.00", refundType, refundStatus,
				billText(e.Product), billText(e.Attach), feeYuan(rFee), "0.60%", yuan(rOrder), yuan(rApplied), "")
		}
		billRow(&b, values)
	}
	if n == 0 {
		return nil, 0
	}
	if layout == "SUCCESS" {
		b.WriteString(billSumSuc + "\r\n")
		billRow(&b, []string{strconv.FormatInt(n, 10), yuan(settle), feeYuan(fee), yuan(order)})
	} else {
		b.WriteString(billSumAll + "\r\n")
		billRow(&b, []string{strconv.FormatInt(n, 10), yuan(settle), yuan(refund), "0.00", feeYuan(fee), yuan(order), yuan(applied)})
	}
	return b.Bytes(), int(n)
}

const (
	billFundHeader = "记账时间,微信支付业务单号,资金流水单号,业务名称,业务类型,收支类型,收支金额(元),账户结余(元),资金变更提交申请人,备注,业务凭证号"
	billFundSum    = "资金流水总笔数,收入笔数,收入金额,支出笔数,支出金额"
	// billOpeningFen is the basic account's balance before the ledger.
	billOpeningFen = 1_000_000
)

// billFundFlowFile renders the fund-flow bill of a day: for each payment
// the income and the deducted fee (0.60%, rounded to the fen), for each
// refund the expense and the returned fee. Only the basic (and, for
// sub-merchants, deposit-free) account moves in the sandbox.
func (s *Server) billFundFlowFile(day time.Time, account, sub string, perSub bool) ([]byte, int) {
	if account != "BASIC" {
		return nil, 0
	}
	var b bytes.Buffer
	b.WriteString(billFundHeader + "\r\n")
	balance := int64(billOpeningFen)
	var n, inN, inFen, outN, outFen int64
	seq := 0
	add := func(e LedgerEntry, businessID, name, kind string, income bool, fen int64, remark string) {
		seq++
		dir := "支出"
		if income {
			dir, balance, inN, inFen = "收入", balance+fen, inN+1, inFen+fen
		} else {
			balance, outN, outFen = balance-fen, outN+1, outFen+fen
		}
		n++
		flowID := fmt.Sprintf("%s%s%08d", s.MerchantID, day.Format("20060102"), seq)
		billRow(&b, []string{e.Time.In(shanghai).Format(time.DateTime), businessID, flowID, name, kind, dir,
			yuan(fen), yuan(balance), "system", billText(remark), e.TransactionID})
	}
	for _, e := range s.billDayEntries(day, sub) {
		if perSub && e.SubMchID != sub {
			continue
		}
		// A refund moves its settlement part; the coupon's share was never
		// the merchant's money.
		if refundClosure(e) {
			settled := e.settlementRefundFen()
			add(e, e.RefundID, "退款", "退款关闭", true, settled, e.OutRefundNo)
			if fee := (settled*billFeeRate + 500) / 1000; fee > 0 {
				add(e, e.RefundID, "退款", "扣除交易手续费", false, fee, "")
			}
			continue
		}
		if e.TradeState == "REFUND" {
			settled := e.settlementRefundFen()
			add(e, e.RefundID, "退款", "退款", false, settled, e.OutRefundNo)
			if fee := (settled*billFeeRate + 500) / 1000; fee > 0 {
				add(e, e.RefundID, "退款", "退还交易手续费", true, fee, "")
			}
			continue
		}
		add(e, e.TransactionID, "交易", "交易", true, e.AmountFen, e.OutTradeNo)
		if fee := (e.AmountFen*billFeeRate + 500) / 1000; fee > 0 {
			add(e, e.TransactionID, "交易", "扣除交易手续费", false, fee, "")
		}
	}
	if n == 0 {
		return nil, 0
	}
	b.WriteString(billFundSum + "\r\n")
	billRow(&b, []string{strconv.FormatInt(n, 10), strconv.FormatInt(inN, 10), yuan(inFen), strconv.FormatInt(outN, 10), yuan(outFen)})
	return b.Bytes(), int(n)
}
