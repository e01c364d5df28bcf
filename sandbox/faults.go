package sandbox

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// FaultKind names a documented failure the sandbox can answer with instead
// of, or on top of, its normal answer.
type FaultKind string

// The failures a merchant must handle (spec §6.6, §6.8, §4.6).
const (
	// FaultRateLimited answers 429 FREQUENCY_LIMITED (频率超限), signed;
	// the call does nothing.
	FaultRateLimited FaultKind = "rate_limited"
	// FaultSystemError answers 500 SYSTEM_ERROR, signed; the call does
	// nothing (retry with the same parameters).
	FaultSystemError FaultKind = "system_error"
	// FaultPayScoreRisk answers a pay-score order creation with 400
	// INVALID_REQUEST 综合评估不通过 — the user failed Pay Score's risk
	// assessment; no order is created. It only matches order-creating
	// calls (POST …/payscore/serviceorder, …/partner/serviceorder,
	// …/direct-complete).
	FaultPayScoreRisk FaultKind = "payscore_risk"
	// FaultSlow performs the call, then holds the answer for Fault.Delay
	// (default 10 s) or until the client gives up — a slow answer past the
	// caller's deadline: the call took effect, the caller does not know.
	FaultSlow FaultKind = "slow"
	// FaultConnectionReset performs the call, then sends the status line,
	// headers and half of the body, and resets the TCP connection.
	FaultConnectionReset FaultKind = "connection_reset"
	// FaultUnsignedError answers 500 SYSTEM_ERROR without any Wechatpay-*
	// signature headers, as a gateway in front of WeChat Pay can; the call
	// does nothing.
	FaultUnsignedError FaultKind = "unsigned_error"
	// FaultSignatureProbe performs the call and signs the answer with a
	// WECHATPAY/SIGNTEST/ probe signature, which clients must reject
	// (spec §6.6).
	FaultSignatureProbe FaultKind = "signature_probe"
	// FaultCallbackProbe signs callback deliveries with a probe signature;
	// the merchant must answer them with a failure, and the notification
	// is delivered again on its schedule. Fault.Route, when set, is an
	// event type or notify URL.
	FaultCallbackProbe FaultKind = "callback_probe"
)

// FaultKinds lists every FaultKind.
func FaultKinds() []FaultKind {
	return []FaultKind{FaultRateLimited, FaultSystemError, FaultPayScoreRisk, FaultSlow, FaultConnectionReset,
		FaultUnsignedError, FaultSignatureProbe, FaultCallbackProbe}
}

// DefaultSlowDelay is how long FaultSlow holds an answer when Fault.Delay
// is not set.
const DefaultSlowDelay = 10 * time.Second

// Fault is a failure to inject with InjectFault.
type Fault struct {
	// Kind is the failure; InjectFault refuses a kind not in FaultKinds.
	Kind FaultKind `json:"kind"`
	// Count is how many matching calls fail; 0 means every matching call
	// until ClearFaults.
	Count int `json:"count,omitempty"`
	// Route limits the fault to one API: a pattern as registered ("POST
	// /v3/payscore/serviceorder/{out_order_no}/complete"), or a method and
	// path as sent ("GET /v3/certificates"), or a path. "" matches every
	// API call.
	Route string `json:"route,omitempty"`
	// Delay is how long FaultSlow holds the answer (default
	// DefaultSlowDelay).
	Delay time.Duration `json:"delay,omitempty"`
}

// activeFault is an injected fault and how many uses it has left.
type activeFault struct {
	Fault
	left int // 0: unlimited
}

// InjectFault makes the sandbox answer matching API calls with a
// documented failure (see FaultKind) — for the next f.Count calls, or for
// every call to f.Route — without hand-written hooks. Faults apply after
// authentication, in the order injected, one per call.
func (s *Server) InjectFault(f Fault) error {
	if !slices.Contains(FaultKinds(), f.Kind) {
		return fmt.Errorf("sandbox: unknown fault %q (known: %v)", f.Kind, FaultKinds())
	}
	if f.Count < 0 || f.Delay < 0 {
		return errors.New("sandbox: a fault's Count and Delay cannot be negative")
	}
	if f.Kind == FaultSlow && f.Delay == 0 {
		f.Delay = DefaultSlowDelay
	}
	s.mu.Lock()
	s.faults = append(s.faults, &activeFault{Fault: f, left: f.Count})
	s.mu.Unlock()
	return nil
}

// ClearFaults removes every injected fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	s.faults = nil
	s.mu.Unlock()
}

// Faults returns the injected faults still active; Count is the number of
// calls each still applies to (0: unlimited).
func (s *Server) Faults() []Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Fault, len(s.faults))
	for i, f := range s.faults {
		out[i] = f.Fault
		out[i].Count = f.left
	}
	return out
}

// takeFault returns the first active fault matching a call to pattern and
// uses it up once.
func (s *Server) takeFault(pattern string, r *http.Request) *activeFault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if f.Kind == FaultCallbackProbe || !f.matches(pattern, r) {
			continue
		}
		s.useLocked(i)
		return f
	}
	return nil
}

// takeCallbackFault reports whether a callback delivery gets a probe
// signature, using up a FaultCallbackProbe.
func (s *Server) takeCallbackFault(eventType, url string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if f.Kind == FaultCallbackProbe && (f.Route == "" || f.Route == eventType || f.Route == url) {
			s.useLocked(i)
			return true
		}
	}
	return false
}

func (s *Server) useLocked(i int) {
	f := s.faults[i]
	if f.left == 0 {
		return
	}
	if f.left--; f.left == 0 {
		s.faults = slices.Delete(s.faults, i, i+1)
	}
}

func (f *activeFault) matches(pattern string, r *http.Request) bool {
	if f.Kind == FaultPayScoreRisk && !createsPayScoreOrder(r) {
		return false
	}
	switch f.Route {
	case "", pattern, r.Method + " " + r.URL.Path, r.URL.Path:
		return true
	}
	_, path, _ := strings.Cut(pattern, " ")
	return f.Route == path
}

// createsPayScoreOrder reports whether r creates a pay-score order (direct,
// partner or direct-complete).
func createsPayScoreOrder(r *http.Request) bool {
	p := r.URL.Path
	return r.Method == http.MethodPost && (strings.HasSuffix(p, "/payscore/serviceorder") ||
		strings.HasSuffix(p, "/payscore/partner/serviceorder") || strings.HasSuffix(p, "/direct-complete"))
}

// instead returns the answer a fault gives in place of the call, if it
// is one that does not perform the call.
func (f *activeFault) instead() (Reply, bool) {
	switch f.Kind {
	case FaultRateLimited:
		return Error(http.StatusTooManyRequests, "FREQUENCY_LIMITED", "频率超限，请降低请求频率"), true
	case FaultSystemError:
		return Error(http.StatusInternalServerError, "SYSTEM_ERROR", "系统错误，请使用相同参数稍后重新调用"), true
	case FaultPayScoreRisk:
		return Error(http.StatusBadRequest, "INVALID_REQUEST", "综合评估不通过"), true
	case FaultUnsignedError:
		r := Error(http.StatusInternalServerError, "SYSTEM_ERROR", "系统错误")
		r.Unsigned = true
		return r, true
	}
	return Reply{}, false
}

// deliverFaulty sends the answer of a call that was performed, spoilt by
// the fault.
func (s *Server) deliverFaulty(w http.ResponseWriter, r *http.Request, rep Reply, f *activeFault) {
	switch f.Kind {
	case FaultSignatureProbe:
		s.writeReply(w, r, rep, true)
	case FaultSlow:
		t := time.NewTimer(f.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done(): // the client gave up
			return
		case <-s.closing:
			return
		}
		s.write(w, r, rep)
	case FaultConnectionReset:
		s.reset(w, r, rep)
	default:
		s.write(w, r, rep)
	}
}

// reset writes the start of the answer and resets the connection.
func (s *Server) reset(w http.ResponseWriter, r *http.Request, rep Reply) {
	rep, body, ctype := s.encode(rep)
	hj, ok := w.(http.Hijacker)
	if !ok { // not HTTP/1: cannot reset, answer normally
		s.write(w, r, rep)
		return
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		s.write(w, r, rep)
		return
	}
	defer conn.Close()
	h := http.Header{}
	h.Set("Request-ID", s.requestID())
	if ctype != "" {
		h.Set("Content-Type", ctype)
	}
	if !rep.Unsigned {
		serial, key := s.answerKey(r, rep.certList)
		for k, v := range s.sign(serial, key, body, s.now(), false) {
			h[k] = v
		}
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	writeHead(buf, rep.Status, h)
	_, _ = buf.Write(body[:len(body)/2])
	_ = buf.Flush()
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0) // close with RST, not FIN
	}
}

func writeHead(w *bufio.ReadWriter, status int, h http.Header) {
	fmt.Fprintf(w, "HTTP/1.1 %d %s\r\n", status, http.StatusText(status))
	_ = h.Write(w)
	_, _ = w.WriteString("\r\n")
}
