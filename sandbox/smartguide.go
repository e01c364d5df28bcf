package sandbox

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"sync"
	"unicode/utf8"

	"github.com/wechatpay-apiv3/wechatpay-go/utils"
)

// smartGuideState is the sandbox's smartguide state. Guarded by its own mutex; never
// held while doing I/O.
type smartGuideState struct {
	mu      sync.Mutex
	guides  map[string]*sgGuide // by guide ID
	order   []string            // guide IDs in registration order
	assigns map[sgOrderKey]string
}

// sgGuide is a registered service person. Name and mobile are kept in
// plaintext, as WeChat Pay stores them after decrypting.
type sgGuide struct {
	id, subMchID   string
	storeID        int64
	corpID, userID string // WeCom guides
	workID         string // personal-WeChat guides (registered in the mini program)
	name, mobile   string
	qrCode, avatar string
	groupQRCode    string
	personal       bool
}

type sgOrderKey struct{ subMchID, outTradeNo string }

// SmartGuideRecord is what the sandbox holds about a guide, decrypted. It is
// for tests and demos.
type SmartGuideRecord struct {
	GuideID     string // the guide_id the sandbox issued: 34 ASCII letters and digits
	SubMchID    string // "" for a direct merchant's guide
	StoreID     int64  // the store_id given at registration
	CorpID      string // WeCom corp ID (WeCom guides); "" for personal-WeChat guides
	UserID      string // WeCom user ID (WeCom guides)
	WorkID      string // staff number (personal-WeChat guides)
	Name        string // the guide's name, decrypted (at most 64 bytes); personal data
	Mobile      string // the guide's mobile number, decrypted (5 to 32 bytes); personal data
	QRCode      string // qr_code: URL of the guide's WeCom QR code
	Avatar      string // avatar: URL of the guide's avatar
	GroupQRCode string // group_qrcode: URL of the WeCom group QR code; "" when not given
}

const (
	sgMaxSubMchID  = 64
	sgMaxUserID    = 64
	sgMaxGuideID   = 64
	sgMaxCipher    = 512
	sgMaxNameBytes = 64
	sgMaxMobile    = 32
	sgMaxURL       = 1024
	sgMaxLimit     = 10
)

var (
	sgDigitsRE     = regexp.MustCompile(`^[0-9]+$`)
	sgOutTradeNoRE = regexp.MustCompile(`^[0-9A-Za-z_\-|*]{1,32}$`)
)

// installSmartGuide registers the smartguide endpoints.
func (s *Server) installSmartGuide() {
	s.smartGuide.guides = map[string]*sgGuide{}
	s.smartGuide.assigns = map[sgOrderKey]string{}
	s.Handle("POST /v3/smartguide/guides", s.sgRegister)
	s.Handle("GET /v3/smartguide/guides", s.sgQuery)
	s.Handle("POST /v3/smartguide/guides/{guide_id}/assign", s.sgAssign)
	s.Handle("PATCH /v3/smartguide/guides/{guide_id}", s.sgUpdate)
}

// SmartGuideAddPersonalGuide registers a personal-WeChat guide as the
// 支付即服务 mini program does (invitation, then approval by the product
// administrator), and returns its guide ID. Such guides are found by work ID
// and cannot have QR codes changed through the API.
func (s *Server) SmartGuideAddPersonalGuide(subMchID string, storeID int64, workID, name, mobile string) string {
	st := &s.smartGuide
	st.mu.Lock()
	defer st.mu.Unlock()
	g := &sgGuide{id: randomAlnum(34), subMchID: subMchID, storeID: storeID, workID: workID, name: name, mobile: mobile, personal: true}
	st.add(g)
	return g.id
}

// SmartGuideGuide returns what the sandbox holds about a guide.
func (s *Server) SmartGuideGuide(guideID string) (SmartGuideRecord, bool) {
	st := &s.smartGuide
	st.mu.Lock()
	defer st.mu.Unlock()
	g, ok := st.guides[guideID]
	if !ok {
		return SmartGuideRecord{}, false
	}
	return SmartGuideRecord{
		GuideID: g.id, SubMchID: g.subMchID, StoreID: g.storeID, CorpID: g.corpID, UserID: g.userID, WorkID: g.workID,
		Name: g.name, Mobile: g.mobile, QRCode: g.qrCode, Avatar: g.avatar, GroupQRCode: g.groupQRCode,
	}, true
}

// SmartGuideAssignment returns the guide assigned to an order of a
// sub-merchant ("" for a direct merchant), if any.
func (s *Server) SmartGuideAssignment(subMchID, outTradeNo string) (guideID string, ok bool) {
	st := &s.smartGuide
	st.mu.Lock()
	defer st.mu.Unlock()
	guideID, ok = st.assigns[sgOrderKey{subMchID, outTradeNo}]
	return guideID, ok
}

func (st *smartGuideState) add(g *sgGuide) {
	st.guides[g.id] = g
	st.order = append(st.order, g.id)
}

// find returns the guide with id registered for subMchID ("" = direct).
func (st *smartGuideState) find(id, subMchID string) (*sgGuide, bool) {
	g, ok := st.guides[id]
	if !ok || g.subMchID != subMchID {
		return nil, false
	}
	return g, true
}

func sgNotFound() Reply {
	return Error(http.StatusNotFound, "RESOURCE_NOT_EXISTS", "服务人员不存在，请检查 guide_id 与 sub_mchid")
}

// sgSubMch checks the optional sub_mchid of a service provider's call.
func (s *Server) sgSubMch(p *string, location string) (string, *Reply) {
	if p == nil {
		return "", nil
	}
	field := "sub_mchid"
	if location == "body" {
		field = "/sub_mchid"
	}
	v := *p
	switch {
	case v == "" || utf8.RuneCountInString(v) > sgMaxSubMchID:
		r := ParamError(field, location, "sub_mchid 长度应为 1-64 个字符")
		return "", &r
	case !sgDigitsRE.MatchString(v):
		r := ParamError(field, location, "sub_mchid 应为数字商户号")
		return "", &r
	case v == s.MerchantID:
		r := Error(http.StatusBadRequest, "INVALID_REQUEST", "sub_mchid 不是本服务商的特约商户，或特约商户未授权支付即服务产品权限")
		return "", &r
	}
	return v, nil
}

// sgSerial checks that the request names a platform key it could have
// encrypted with (Wechatpay-Serial is required on register, query, update).
func (s *Server) sgSerial(c *Call) *Reply {
	serial := c.Request.Header.Get("Wechatpay-Serial")
	if serial == "" {
		r := Error(http.StatusBadRequest, "PARAM_ERROR", "缺少 Wechatpay-Serial 头（微信支付公钥ID或平台证书序列号）")
		return &r
	}
	if _, ok := s.decryptionKey(serial); !ok {
		r := Error(http.StatusBadRequest, "PARAM_ERROR", "Wechatpay-Serial 不是有效的平台证书序列号或公钥ID")
		return &r
	}
	return nil
}

// sgDecrypt decrypts a sensitive field and checks its lengths.
func (s *Server) sgDecrypt(c *Call, field, location, ct string, minCipher, maxPlainBytes int) (string, *Reply) {
	if utf8.RuneCountInString(ct) < minCipher || utf8.RuneCountInString(ct) > sgMaxCipher {
		r := ParamError(field, location, "密文长度不符合要求")
		return "", &r
	}
	var pt string
	if location == "body" {
		var rep *Reply
		if pt, rep = c.DecryptField(field, ct); rep != nil {
			return "", rep
		}
	} else {
		key, _ := s.decryptionKey(c.Request.Header.Get("Wechatpay-Serial")) // checked by sgSerial
		var err error
		if pt, err = utils.DecryptOAEP(ct, key); err != nil {
			r := ParamError(field, location, "敏感字段解密失败（查询参数需先加密再 URL 编码）")
			return "", &r
		}
	}
	if pt == "" || len(pt) > maxPlainBytes {
		r := ParamError(field, location, "加密前的字段长度应为 1-"+strconv.Itoa(maxPlainBytes)+" 个字节")
		return "", &r
	}
	if !sgText(pt) {
		r := ParamError(field, location, "字段应为 UTF-8 编码，且不能包含 4 字节字符（如 emoji）")
		return "", &r
	}
	return pt, nil
}

// sgText reports whether s is valid UTF-8 made of 1-3 byte characters, as
// APIv3 requires.
func sgText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r > 0xFFFF {
			return false
		}
	}
	return true
}

func sgURL(field, v string) *Reply {
	u, err := url.Parse(v)
	if v == "" || utf8.RuneCountInString(v) > sgMaxURL || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		r := ParamError(field, "body", "应为长度不超过 1024 的 http(s) URL")
		return &r
	}
	return nil
}

type sgRegisterBody struct {
	SubMchID    *string `json:"sub_mchid"`
	CorpID      *string `json:"corpid"`
	StoreID     *int64  `json:"store_id"`
	UserID      *string `json:"userid"`
	Name        *string `json:"name"`
	Mobile      *string `json:"mobile"`
	QRCode      *string `json:"qr_code"`
	Avatar      *string `json:"avatar"`
	GroupQRCode *string `json:"group_qrcode"`
}

func (s *Server) sgRegister(c *Call) Reply {
	if r := s.sgSerial(c); r != nil {
		return *r
	}
	var b sgRegisterBody
	if r := c.Decode(&b); r != nil {
		return *r
	}
	for _, f := range []struct {
		name string
		set  bool
	}{
		{"corpid", b.CorpID != nil && *b.CorpID != ""}, {"store_id", b.StoreID != nil}, {"userid", b.UserID != nil && *b.UserID != ""},
		{"name", b.Name != nil && *b.Name != ""}, {"mobile", b.Mobile != nil && *b.Mobile != ""},
		{"qr_code", b.QRCode != nil && *b.QRCode != ""}, {"avatar", b.Avatar != nil && *b.Avatar != ""},
	} {
		if !f.set {
			return ParamError("/"+f.name, "body", f.name+" 为必填字段")
		}
	}
	sub, r := s.sgSubMch(b.SubMchID, "body")
	if r != nil {
		return *r
	}
	if *b.StoreID <= 0 {
		return ParamError("/store_id", "body", "store_id 应为商户平台门店管理中的门店编号")
	}
	if !sgText(*b.CorpID) {
		return ParamError("/corpid", "body", "corpid 不能包含 4 字节字符（如 emoji）")
	}
	if utf8.RuneCountInString(*b.UserID) > sgMaxUserID || !sgText(*b.UserID) {
		return ParamError("/userid", "body", "userid 应为不超过 64 个字符的文本，且不能包含 4 字节字符")
	}
	name, r := s.sgDecrypt(c, "/name", "body", *b.Name, 1, sgMaxNameBytes)
	if r != nil {
		return *r
	}
	mobile, r := s.sgDecrypt(c, "/mobile", "body", *b.Mobile, 5, sgMaxMobile)
	if r != nil {
		return *r
	}
	if r := sgURL("/qr_code", *b.QRCode); r != nil {
		return *r
	}
	if r := sgURL("/avatar", *b.Avatar); r != nil {
		return *r
	}
	g := &sgGuide{
		id: randomAlnum(34), subMchID: sub, storeID: *b.StoreID, corpID: *b.CorpID, userID: *b.UserID,
		name: name, mobile: mobile, qrCode: *b.QRCode, avatar: *b.Avatar,
	}
	if b.GroupQRCode != nil {
		if r := sgURL("/group_qrcode", *b.GroupQRCode); r != nil {
			return *r
		}
		g.groupQRCode = *b.GroupQRCode
	}

	st := &s.smartGuide
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, id := range st.order {
		o := st.guides[id]
		if !o.personal && o.subMchID == sub && o.storeID == g.storeID && o.corpID == g.corpID && o.userID == g.userID {
			return Error(http.StatusBadRequest, "INVALID_REQUEST", "该企业微信员工已在此门店注册为服务人员，请使用服务人员查询API获取其 guide_id")
		}
	}
	st.add(g)
	return JSON(http.StatusOK, map[string]string{"guide_id": g.id})
}

type sgAssignBody struct {
	SubMchID   *string `json:"sub_mchid"`
	OutTradeNo *string `json:"out_trade_no"`
}

func (s *Server) sgAssign(c *Call) Reply {
	id := c.PathValue("guide_id")
	if id == "" || utf8.RuneCountInString(id) > sgMaxGuideID {
		return ParamError("guide_id", "path", "guide_id 长度应为 1-64 个字符")
	}
	var b sgAssignBody
	if r := c.Decode(&b); r != nil {
		return *r
	}
	if b.OutTradeNo == nil || *b.OutTradeNo == "" {
		return ParamError("/out_trade_no", "body", "out_trade_no 为必填字段")
	}
	if !sgOutTradeNoRE.MatchString(*b.OutTradeNo) {
		return ParamError("/out_trade_no", "body", "out_trade_no 应为 32 个字符以内的数字、字母或 _-|*")
	}
	sub, r := s.sgSubMch(b.SubMchID, "body")
	if r != nil {
		return *r
	}
	// An assignment made after payment is not shown: WeChat Pay refuses it.
	for _, e := range s.Ledger() {
		if e.OutTradeNo == *b.OutTradeNo && e.SubMchID == sub && e.TradeState == "SUCCESS" {
			return Error(http.StatusBadRequest, "INVALID_REQUEST", "订单已支付，请在支付完成前分配服务人员")
		}
	}
	st := &s.smartGuide
	st.mu.Lock()
	defer st.mu.Unlock()
	if _, ok := st.find(id, sub); !ok {
		return sgNotFound()
	}
	st.assigns[sgOrderKey{sub, *b.OutTradeNo}] = id
	return NoContent()
}

type sgGuideWire struct {
	GuideID string `json:"guide_id"`
	StoreID int64  `json:"store_id"`
	Name    string `json:"name"`
	Mobile  string `json:"mobile"`
	UserID  string `json:"userid,omitempty"`
	WorkID  string `json:"work_id,omitempty"`
}

func (s *Server) sgQuery(c *Call) Reply {
	if r := s.sgSerial(c); r != nil {
		return *r
	}
	q := c.Request.URL.Query()
	sv := q.Get("store_id")
	if sv == "" {
		return ParamError("store_id", "query", "store_id 为必填参数")
	}
	storeID, err := strconv.ParseInt(sv, 10, 64)
	if err != nil || storeID <= 0 {
		return ParamError("store_id", "query", "store_id 应为正整数")
	}
	var subp *string
	if q.Has("sub_mchid") {
		v := q.Get("sub_mchid")
		subp = &v
	}
	sub, r := s.sgSubMch(subp, "query")
	if r != nil {
		return *r
	}
	limit, offset := sgMaxLimit, 0
	if q.Has("limit") {
		if limit, err = strconv.Atoi(q.Get("limit")); err != nil || limit < 1 || limit > sgMaxLimit {
			return ParamError("limit", "query", "limit 应为 1-10 的整数")
		}
	}
	if q.Has("offset") {
		if offset, err = strconv.Atoi(q.Get("offset")); err != nil || offset < 0 {
			return ParamError("offset", "query", "offset 应为非负整数")
		}
	}
	if v := q.Get("userid"); q.Has("userid") && (v == "" || utf8.RuneCountInString(v) > sgMaxUserID || !sgText(v)) {
		return ParamError("userid", "query", "userid 长度应为 1-64 个字符")
	}
	if v := q.Get("work_id"); q.Has("work_id") && (v == "" || !sgText(v)) {
		return ParamError("work_id", "query", "work_id 不能为空")
	}
	var mobile string
	if q.Has("mobile") {
		if mobile, r = s.sgDecrypt(c, "mobile", "query", q.Get("mobile"), 5, sgMaxMobile); r != nil {
			return *r
		}
	}

	st := &s.smartGuide
	st.mu.Lock()
	var matched []sgGuide
	for _, id := range st.order {
		g := st.guides[id]
		if g.subMchID != sub || g.storeID != storeID ||
			(q.Has("userid") && g.userID != q.Get("userid")) ||
			(q.Has("work_id") && g.workID != q.Get("work_id")) ||
			(q.Has("mobile") && g.mobile != mobile) {
			continue
		}
		matched = append(matched, *g)
	}
	st.mu.Unlock()

	data := []sgGuideWire{}
	for _, g := range matched[min(offset, len(matched)):min(offset+limit, len(matched))] {
		data = append(data, sgGuideWire{
			GuideID: g.id, StoreID: g.storeID, UserID: g.userID, WorkID: g.workID,
			Name: c.EncryptForMerchant(g.name), Mobile: c.EncryptForMerchant(g.mobile),
		})
	}
	return JSON(http.StatusOK, map[string]any{"total_count": len(matched), "limit": limit, "offset": offset, "data": data})
}

type sgUpdateBody struct {
	SubMchID    *string `json:"sub_mchid"`
	Name        *string `json:"name"`
	Mobile      *string `json:"mobile"`
	QRCode      *string `json:"qr_code"`
	Avatar      *string `json:"avatar"`
	GroupQRCode *string `json:"group_qrcode"`
}

func (s *Server) sgUpdate(c *Call) Reply {
	id := c.PathValue("guide_id")
	if id == "" || utf8.RuneCountInString(id) > sgMaxGuideID {
		return ParamError("guide_id", "path", "guide_id 长度应为 1-64 个字符")
	}
	if r := s.sgSerial(c); r != nil {
		return *r
	}
	var b sgUpdateBody
	if r := c.Decode(&b); r != nil {
		return *r
	}
	sub, r := s.sgSubMch(b.SubMchID, "body")
	if r != nil {
		return *r
	}
	if b.Name == nil && b.Mobile == nil && b.QRCode == nil && b.Avatar == nil && b.GroupQRCode == nil {
		return ParamError("", "body", "至少需要传入一个待更新的字段")
	}
	var name, mobile string
	if b.Name != nil {
		if name, r = s.sgDecrypt(c, "/name", "body", *b.Name, 1, sgMaxNameBytes); r != nil {
			return *r
		}
	}
	if b.Mobile != nil {
		if mobile, r = s.sgDecrypt(c, "/mobile", "body", *b.Mobile, 5, sgMaxMobile); r != nil {
			return *r
		}
	}
	for _, f := range []struct {
		field string
		v     *string
	}{{"/qr_code", b.QRCode}, {"/avatar", b.Avatar}, {"/group_qrcode", b.GroupQRCode}} {
		if f.v != nil {
			if r := sgURL(f.field, *f.v); r != nil {
				return *r
			}
		}
	}

	st := &s.smartGuide
	st.mu.Lock()
	defer st.mu.Unlock()
	g, ok := st.find(id, sub)
	if !ok {
		return sgNotFound()
	}
	if g.personal && (b.QRCode != nil || b.GroupQRCode != nil) {
		return Error(http.StatusBadRequest, "INVALID_REQUEST", "个人微信服务人员不支持更新二维码，仅企业微信服务人员可用")
	}
	if b.Name != nil {
		g.name = name
	}
	if b.Mobile != nil {
		g.mobile = mobile
	}
	for _, f := range []struct {
		dst *string
		v   *string
	}{{&g.qrCode, b.QRCode}, {&g.avatar, b.Avatar}, {&g.groupQRCode, b.GroupQRCode}} {
		if f.v != nil {
			*f.dst = *f.v
		}
	}
	return NoContent()
}
