package sandbox

import (
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"
)

// goldPlanState is the sandbox's goldplan state. Guarded by its own mutex; never
// held while doing I/O.
type goldPlanState struct {
	mu           sync.Mutex
	merchants    map[string]*gpMerchant // by sub_mchid
	noReceiptURL bool                   // the provider has configured no receipt URL
}

type gpMerchant struct {
	goldPlan   bool
	scene      string
	closedAt   time.Time // when the gold plan was last closed
	customPage bool
	adsShown   bool
	filters    []string
}

// GoldPlanRecord is a sub-merchant's gold plan state in the sandbox, for
// tests and demos.
type GoldPlanRecord struct {
	// GoldPlanOpen: the gold plan (点金计划) is open
	// (changegoldplanstatus OPEN). After a CLOSE it can be reopened 24
	// hours later, on the sandbox clock.
	GoldPlanOpen bool
	PayScene     string // JSAPI_AND_MINIPROGRAM, JSAPI or MINIPROGRAM while open
	// CustomPageOpen: the merchant custom receipt page (商家小票) is on
	// (changecustompagestatus OPEN); it stays as set when the gold plan
	// closes.
	CustomPageOpen bool
	// AdvertisingShown: ads are on (open-advertising-show, until
	// close-advertising-show).
	AdvertisingShown bool
	// IndustryFilters are the 1 to 3 same-industry ad filters last set
	// (IndustryType values such as E_COMMERCE), a copy; nil when none.
	IndustryFilters []string
}

// gpReopenDelay is how long after closing the gold plan it can be reopened.
const gpReopenDelay = 24 * time.Hour

var (
	gpScenes     = []string{"JSAPI_AND_MINIPROGRAM", "JSAPI", "MINIPROGRAM"}
	gpIndustries = []string{
		"E_COMMERCE", "LOVE_MARRIAGE", "POTOGRAPHY", "EDUCATION", "FINANCE", "TOURISM", "SKINCARE", "FOOD",
		"SPORT", "JEWELRY_WATCH", "HEALTHCARE", "BUSSINESS", "PARENTING", "CATERING", "RETAIL", "SERVICES",
		"LAW", "ESTATE", "TRANSPORTATION", "ENERGY_SAVING", "SECURITY", "BUILDING_MATERIAL", "COMMUNICATION", "MERCHANDISE",
		"ASSOCIATION", "COMMUNITY", "ONLINE_AVR", "WE_MEDIA", "CAR", "SOFTWARE", "GAME", "CLOTHING",
		"INDUSTY", "AGRICULTURE", "PUBLISHING_MEDIA", "HOME_DIGITAL",
	}
)

// installGoldPlan registers the goldplan endpoints.
func (s *Server) installGoldPlan() {
	s.goldPlan.merchants = map[string]*gpMerchant{}
	s.Handle("POST /v3/goldplan/merchants/changegoldplanstatus", s.gpChangeGoldPlanStatus)
	s.Handle("POST /v3/goldplan/merchants/changecustompagestatus", s.gpChangeCustomPageStatus)
	s.Handle("POST /v3/goldplan/merchants/set-advertising-industry-filter", s.gpSetFilter)
	s.Handle("PATCH /v3/goldplan/merchants/open-advertising-show", s.gpOpenAds)
	s.Handle("POST /v3/goldplan/merchants/close-advertising-show", s.gpCloseAds)
}

// GoldPlanStatus returns a sub-merchant's gold plan state.
func (s *Server) GoldPlanStatus(subMchID string) GoldPlanRecord {
	st := &s.goldPlan
	st.mu.Lock()
	defer st.mu.Unlock()
	m, ok := st.merchants[subMchID]
	if !ok {
		return GoldPlanRecord{}
	}
	return GoldPlanRecord{
		GoldPlanOpen: m.goldPlan, PayScene: m.scene, CustomPageOpen: m.customPage,
		AdvertisingShown: m.adsShown, IndustryFilters: slices.Clone(m.filters),
	}
}

// GoldPlanSetReceiptURLConfigured says whether the service provider has
// configured a custom receipt (商家小票) URL in its platform; without one,
// opening a custom page is refused. It is configured by default.
func (s *Server) GoldPlanSetReceiptURLConfigured(configured bool) {
	s.goldPlan.mu.Lock()
	s.goldPlan.noReceiptURL = !configured
	s.goldPlan.mu.Unlock()
}

// merchant returns the sub-merchant's state, creating it.
func (st *goldPlanState) merchant(subMchID string) *gpMerchant {
	m, ok := st.merchants[subMchID]
	if !ok {
		m = &gpMerchant{}
		st.merchants[subMchID] = m
	}
	return m
}

type gpBody struct {
	SubMchID          *string   `json:"sub_mchid"`
	OperationType     *string   `json:"operation_type"`
	OperationPayScene *string   `json:"operation_pay_scene"`
	Filters           *[]string `json:"advertising_industry_filters"`
}

// gpDecode decodes and checks the fields every gold plan call shares.
func (s *Server) gpDecode(c *Call, withOperation bool) (gpBody, *Reply) {
	var b gpBody
	if r := c.Decode(&b); r != nil {
		return b, r
	}
	fail := func(r Reply) (gpBody, *Reply) { return b, &r }
	switch {
	case b.SubMchID == nil || *b.SubMchID == "":
		return fail(ParamError("/sub_mchid", "body", "sub_mchid 为必填字段"))
	case utf8.RuneCountInString(*b.SubMchID) > 32 || !sgDigitsRE.MatchString(*b.SubMchID):
		return fail(ParamError("/sub_mchid", "body", "sub_mchid 应为不超过 32 位的数字商户号"))
	case *b.SubMchID == s.MerchantID:
		return fail(Error(http.StatusBadRequest, "INVALID_REQUEST", "sub_mchid 不是本服务商的特约商户"))
	}
	if withOperation {
		if b.OperationType == nil || *b.OperationType == "" {
			return fail(ParamError("/operation_type", "body", "operation_type 为必填字段"))
		}
		if *b.OperationType != "OPEN" && *b.OperationType != "CLOSE" {
			return fail(ParamError("/operation_type", "body", "operation_type 应为 OPEN 或 CLOSE"))
		}
	}
	return b, nil
}

// gpFilters checks advertising_industry_filters: known industries, no
// duplicates, min to 3 items.
func gpFilters(fs *[]string, min int) *Reply {
	n := 0
	if fs != nil {
		n = len(*fs)
	}
	if n < min || n > 3 {
		r := ParamError("/advertising_industry_filters", "body", "同业过滤标签最少传 "+strconv.Itoa(min)+" 个，最多 3 个")
		return &r
	}
	for i := 0; i < n; i++ {
		f := (*fs)[i]
		field := "/advertising_industry_filters/" + strconv.Itoa(i)
		if !slices.Contains(gpIndustries, f) {
			r := ParamError(field, "body", "同业过滤标签取值错误")
			return &r
		}
		if slices.Contains((*fs)[:i], f) {
			r := ParamError(field, "body", "同业过滤标签重复")
			return &r
		}
	}
	return nil
}

func gpNotOpen() Reply {
	return Error(http.StatusBadRequest, "INVALID_REQUEST", "特约商户未开通点金计划，请先开通点金计划")
}

func (s *Server) gpChangeGoldPlanStatus(c *Call) Reply {
	b, r := s.gpDecode(c, true)
	if r != nil {
		return *r
	}
	scene := "JSAPI" // the documented default
	if b.OperationPayScene != nil {
		if !slices.Contains(gpScenes, *b.OperationPayScene) {
			return ParamError("/operation_pay_scene", "body", "operation_pay_scene 应为 JSAPI_AND_MINIPROGRAM、JSAPI 或 MINIPROGRAM")
		}
		scene = *b.OperationPayScene
	}
	now := s.now()
	st := &s.goldPlan
	st.mu.Lock()
	defer st.mu.Unlock()
	m := st.merchant(*b.SubMchID)
	if *b.OperationType == "OPEN" {
		if !m.goldPlan && !m.closedAt.IsZero() && now.Sub(m.closedAt) < gpReopenDelay {
			return Error(http.StatusBadRequest, "INVALID_REQUEST", "主动关闭点金计划后需间隔 24 小时方可再次开通")
		}
		m.goldPlan, m.scene = true, scene
	} else if m.goldPlan {
		m.goldPlan, m.scene, m.closedAt = false, "", now
	}
	return JSON(http.StatusOK, map[string]string{"sub_mchid": *b.SubMchID})
}

func (s *Server) gpChangeCustomPageStatus(c *Call) Reply {
	b, r := s.gpDecode(c, true)
	if r != nil {
		return *r
	}
	st := &s.goldPlan
	st.mu.Lock()
	defer st.mu.Unlock()
	m := st.merchant(*b.SubMchID)
	if *b.OperationType == "OPEN" {
		if st.noReceiptURL {
			return Error(http.StatusBadRequest, "INVALID_REQUEST", "服务商未配置商家小票链接，请先在服务商平台添加商家小票链接")
		}
		if !m.goldPlan {
			return gpNotOpen()
		}
	}
	m.customPage = *b.OperationType == "OPEN"
	return JSON(http.StatusOK, map[string]string{"sub_mchid": *b.SubMchID})
}

func (s *Server) gpSetFilter(c *Call) Reply {
	b, r := s.gpDecode(c, false)
	if r != nil {
		return *r
	}
	if r := gpFilters(b.Filters, 1); r != nil {
		return *r
	}
	st := &s.goldPlan
	st.mu.Lock()
	defer st.mu.Unlock()
	m := st.merchant(*b.SubMchID)
	if !m.goldPlan {
		return gpNotOpen()
	}
	m.filters = slices.Clone(*b.Filters)
	return NoContent()
}

func (s *Server) gpOpenAds(c *Call) Reply {
	b, r := s.gpDecode(c, false)
	if r != nil {
		return *r
	}
	if r := gpFilters(b.Filters, 0); r != nil {
		return *r
	}
	st := &s.goldPlan
	st.mu.Lock()
	defer st.mu.Unlock()
	m := st.merchant(*b.SubMchID)
	if !m.goldPlan {
		return gpNotOpen()
	}
	if b.Filters != nil && len(*b.Filters) > 0 {
		m.filters = slices.Clone(*b.Filters)
	}
	m.adsShown = true
	return NoContent()
}

func (s *Server) gpCloseAds(c *Call) Reply {
	b, r := s.gpDecode(c, false)
	if r != nil {
		return *r
	}
	st := &s.goldPlan
	st.mu.Lock()
	defer st.mu.Unlock()
	m := st.merchant(*b.SubMchID)
	if !m.goldPlan {
		return gpNotOpen()
	}
	m.adsShown = false
	return NoContent()
}
