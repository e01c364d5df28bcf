package sandbox

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
)

// Authorization is a parsed WECHATPAY2-SHA256-RSA2048 Authorization header
// (spec §6.1), the values as written, unverified.
type Authorization struct {
	MchID     string // mchid: the merchant ID the request is signed for
	NonceStr  string // nonce_str: the request's random string, used once
	Signature string // signature: Base64 of the SHA256withRSA signature
	Timestamp string // timestamp: Unix seconds, as decimal digits
	SerialNo  string // serial_no: the merchant API certificate serial
}

// ParseAuthorization parses an Authorization header value. Parameters may
// come in any order; each must appear once, quoted. The second result is
// "" on success, otherwise what is wrong, in Chinese as WeChat Pay puts it
// in a SIGN_ERROR detail.issue (wrong scheme, malformed, repeated, unknown
// or missing parameter). It checks the form only: the signature is
// verified by the sandbox (or wiretest.VerifyAuthorization).
func ParseAuthorization(v string) (Authorization, string) {
	var a Authorization
	rest, ok := strings.CutPrefix(v, core.SignatureScheme+" ")
	if !ok {
		return a, "认证类型错误，应为 " + core.SignatureScheme
	}
	seen := map[string]bool{}
	for len(rest) > 0 {
		rest = strings.TrimLeft(rest, " ")
		name, after, ok := strings.Cut(rest, "=")
		if !ok || len(after) < 2 || after[0] != '"' {
			return a, "Authorization 格式错误"
		}
		end := strings.IndexByte(after[1:], '"')
		if end < 0 {
			return a, "Authorization 格式错误"
		}
		val := after[1 : 1+end]
		rest = strings.TrimPrefix(after[2+end:], ",")
		if seen[name] {
			return a, "Authorization 参数重复: " + name
		}
		seen[name] = true
		switch name {
		case "mchid":
			a.MchID = val
		case "nonce_str":
			a.NonceStr = val
		case "signature":
			a.Signature = val
		case "timestamp":
			a.Timestamp = val
		case "serial_no":
			a.SerialNo = val
		default:
			return a, "Authorization 含未知参数: " + name
		}
	}
	for _, p := range [...]struct{ n, v string }{{"mchid", a.MchID}, {"nonce_str", a.NonceStr}, {"signature", a.Signature}, {"timestamp", a.Timestamp}, {"serial_no", a.SerialNo}} {
		if p.v == "" {
			return a, "Authorization 缺少参数 " + p.n
		}
	}
	return a, ""
}

func signError(issue string) Reply {
	return Reply{Status: http.StatusUnauthorized, Body: map[string]any{
		"code": "SIGN_ERROR", "message": "签名错误",
		"detail": map[string]any{"issue": issue, "location": "authorization"},
	}}
}

// authenticate checks a request as WeChat Pay does: scheme, merchant,
// serial, timestamp window, one-time nonce and the signature over the exact
// method, path with query, and body.
func (s *Server) authenticate(r *http.Request, body []byte) (Reply, bool) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return signError("缺少 Authorization 头"), false
	}
	a, problem := ParseAuthorization(h)
	if problem != "" {
		return signError(problem), false
	}
	if a.MchID != s.MerchantID {
		return signError("商户号 mchid 不存在或与证书不匹配"), false
	}
	if a.SerialNo != s.MerchantSerialNo {
		return signError("商户证书序列号 serial_no 错误"), false
	}
	ts, err := strconv.ParseInt(a.Timestamp, 10, 64)
	if err != nil {
		return signError("timestamp 格式错误"), false
	}
	// The window is on the sandbox clock — the one its answers and
	// callbacks carry — not the host's: once tests move the sandbox ahead,
	// a client still on the real clock is refused, as by a WeChat Pay
	// whose time differs from the merchant's.
	now := s.now()
	if d := now.Sub(time.Unix(ts, 0)); d >= 5*time.Minute || d <= -5*time.Minute {
		return signError("timestamp 与服务器时间相差超过 5 分钟（沙箱时间 " + now.In(shanghai).Format(time.RFC3339) + "）"), false
	}
	sig, err := base64.StdEncoding.DecodeString(a.Signature)
	if err != nil {
		return signError("signature 不是有效的 Base64"), false
	}
	msg := r.Method + "\n" + r.RequestURI + "\n" + a.Timestamp + "\n" + a.NonceStr + "\n" + string(body) + "\n"
	sum := sha256.Sum256([]byte(msg))
	if rsa.VerifyPKCS1v15(&s.MerchantPrivateKey.PublicKey, crypto.SHA256, sum[:], sig) != nil {
		return signError("签名验证失败，请检查签名串（方法、URL 含查询串、时间戳、随机串、请求体）"), false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.nonces[a.NonceStr]; dup {
		return signError("nonce_str 重复，请求可能被重放"), false
	}
	if len(s.nonces) > 50000 {
		for n, t := range s.nonces {
			if now.Sub(t) > 10*time.Minute {
				delete(s.nonces, n)
			}
		}
	}
	s.nonces[a.NonceStr] = now
	return Reply{}, true
}
