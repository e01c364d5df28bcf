package sandbox

import (
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The admin API lets teams that do not write Go drive the sandbox over
// HTTP: it does what the Go simulation helpers do (the user's side of each
// product, the clock, faults, the delivery log, the credentials). It lives
// under /sandbox/ — never under /v3, so it cannot be mistaken for WeChat
// Pay — needs no signature, and answers only clients on the loopback
// interface. Bodies are JSON; durations are Go durations ("15s", "1h30m")
// with an optional leading number of days ("180d", "1d2h").
const adminPrefix = "/sandbox"

// adminFunc serves one admin call: a value to answer as JSON (200), or an
// error (an *adminError chooses its status; others are 400).
type adminFunc func(r *http.Request) (any, error)

// adminError is an admin failure with its HTTP status.
type adminError struct {
	status  int
	code    string
	message string
}

func (e *adminError) Error() string { return e.message }

func adminNotFound(msg string) error {
	return &adminError{status: http.StatusNotFound, code: "NOT_FOUND", message: msg}
}

// handleAdmin registers an admin endpoint, e.g. "POST /sandbox/payscore/pay".
// Products add theirs from their install function, with a line of help
// for the index.
func (s *Server) handleAdmin(pattern, help string, h adminFunc) {
	s.adminIndex = append(s.adminIndex, adminEntry{Route: strings.TrimSuffix(pattern, "{$}"), Help: help})
	s.admin.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		v, err := h(r)
		if err != nil {
			ae := &adminError{status: http.StatusBadRequest, code: "INVALID_REQUEST", message: err.Error()}
			errors.As(err, &ae)
			writeAdminJSON(w, ae.status, map[string]string{"code": ae.code, "message": ae.message})
			return
		}
		if raw, ok := v.(adminRaw); ok {
			w.Header().Set("Content-Type", raw.ctype)
			_, _ = w.Write(raw.body)
			return
		}
		writeAdminJSON(w, http.StatusOK, v)
	})
}

// adminRaw is an admin answer that is not JSON (PEM files).
type adminRaw struct {
	ctype string
	body  []byte
}

type adminEntry struct {
	Route string `json:"route"`
	Help  string `json:"help"`
}

func writeAdminJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"code":"SYSTEM_ERROR","message":"sandbox: encoding the answer failed"}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// serveAdmin answers the admin API, to loopback clients only.
func (s *Server) serveAdmin(w http.ResponseWriter, r *http.Request) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		writeAdminJSON(w, http.StatusForbidden, map[string]string{"code": "FORBIDDEN", "message": "the sandbox admin API only answers the loopback interface"})
		return
	}
	if p := adminPath(r.URL.Path); p != r.URL.Path {
		// Served where it was asked, not redirected: curl does not follow
		// redirects by default, and a POST redirected loses its body.
		u := *r.URL
		u.Path, u.RawPath = p, ""
		r2 := *r
		r2.URL = &u
		r = &r2
	}
	if _, pattern := s.admin.Handler(r); pattern == "" {
		var allow []string
		for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodDelete} {
			if _, p := s.admin.Handler(&http.Request{Method: m, URL: r.URL, Host: r.Host}); p != "" && m != r.Method {
				allow = append(allow, m)
			}
		}
		if len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			writeAdminJSON(w, http.StatusMethodNotAllowed, map[string]any{"code": "METHOD_NOT_ALLOWED", "message": r.URL.Path + " takes " + strings.Join(allow, " or ") + "; GET /sandbox/ lists the endpoints"})
			return
		}
		writeAdminJSON(w, http.StatusNotFound, map[string]any{"code": "NOT_FOUND", "message": "no such admin endpoint: " + r.Method + " " + r.URL.Path + "; GET /sandbox/ lists them"})
		return
	}
	s.admin.ServeHTTP(w, r)
}

// adminPath is the admin endpoint a path names: repeated slashes count as
// one (a base URL ending in "/" joined with "/notifications") and /sandbox
// is the index, /sandbox/.
func adminPath(p string) string {
	for strings.Contains(p, "//") {
		p = strings.ReplaceAll(p, "//", "/")
	}
	if p == adminPrefix {
		p += "/"
	}
	return p
}

// decodeAdmin decodes a JSON body strictly: unknown fields are errors, so
// a misspelt field does not pass silently.
func decodeAdmin(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return errors.New("a JSON body is required")
		}
		return fmt.Errorf("body: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("body: one JSON object, with nothing after it")
	}
	return nil
}

// maxAdminShift bounds how far the admin API moves the sandbox clock in one
// call: a century either way, far beyond any WeChat Pay schedule, and far
// from overflowing a time.Duration.
const maxAdminShift = 100 * 365 * 24 * time.Hour

// parseDuration parses a Go duration with an optional leading count of
// days: "15s", "1h30m", "180d", "1d2h".
func parseDuration(v string) (time.Duration, error) {
	orig := v
	var days time.Duration
	if d, rest, ok := strings.Cut(v, "d"); ok {
		n, err := strconv.Atoi(d)
		if err != nil || n < 0 || d[0] == '+' {
			return 0, fmt.Errorf("invalid duration %q", orig)
		}
		if time.Duration(n) > maxAdminShift/(24*time.Hour) {
			return 0, fmt.Errorf("duration %q is longer than %d days", orig, maxAdminShift/(24*time.Hour))
		}
		days, v = time.Duration(n)*24*time.Hour, rest
		if v == "" {
			return days, nil
		}
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("invalid duration %q (e.g. 15s, 1h30m, 180d)", orig)
	}
	if d > maxAdminShift || d < -maxAdminShift || days+d > maxAdminShift {
		return 0, fmt.Errorf("duration %q is longer than %d days", orig, maxAdminShift/(24*time.Hour))
	}
	return days + d, nil
}

// adminDuration is a duration in JSON as a string ("15s", "180d").
type adminDuration time.Duration

func (d *adminDuration) UnmarshalJSON(b []byte) error {
	var v string
	if err := json.Unmarshal(b, &v); err != nil {
		return errors.New(`durations are strings such as "15s", "1h30m" or "180d"`)
	}
	p, err := parseDuration(v)
	*d = adminDuration(p)
	return err
}

// simulated answers a simulation: its error when the simulation was
// refused; otherwise v, with the callback's failure when its first
// delivery was not acknowledged (the state change stands and the delivery
// is retried on schedule; the delivery log has every attempt).
func simulated(err error, v map[string]any) (any, error) {
	var de *DeliveryError
	if err != nil && !errors.As(err, &de) {
		return nil, err
	}
	if v == nil {
		v = map[string]any{}
	}
	v["ok"] = true
	if de != nil {
		v["callback"] = map[string]any{"id": de.ID, "acknowledged": false, "error": de.Reason,
			"next_attempt": de.NextAttempt.In(shanghai).Format(time.RFC3339)}
	}
	return v, nil
}

// installAdmin registers the platform-wide admin endpoints: index,
// credentials, clock, faults, delivery log, certificates, ledger.
func (s *Server) installAdmin() {
	s.handleAdmin("GET /sandbox/{$}", "this list", func(*http.Request) (any, error) {
		return map[string]any{"base_url": s.URL, "endpoints": slices.Clone(s.adminIndex)}, nil
	})
	s.handleAdmin("GET /sandbox/credentials", "merchant ID, serials, APIv3 key and every key as PEM (test-only keys)",
		func(*http.Request) (any, error) { return s.credentials(), nil })
	s.handleAdmin("GET /sandbox/credentials/{file}", "one credential file: "+strings.Join(credentialFiles(), ", "),
		func(r *http.Request) (any, error) {
			files := s.CredentialFiles()
			b, ok := files[r.PathValue("file")]
			if !ok {
				return nil, adminNotFound("no such credential file; there are " + strings.Join(credentialFiles(), ", "))
			}
			return adminRaw{ctype: "text/plain; charset=utf-8", body: b}, nil
		})
	s.handleAdmin("GET /sandbox/clock", "the sandbox time and the next scheduled event", func(*http.Request) (any, error) {
		return s.clockView(0), nil
	})
	s.handleAdmin("POST /sandbox/clock/advance", `{"by":"15s"} or {"to":"2026-11-26T10:00:00+08:00"}: move the clock, running redeliveries due on the way`,
		func(r *http.Request) (any, error) {
			var req struct {
				By *adminDuration `json:"by"`
				To *time.Time     `json:"to"`
			}
			if err := decodeAdmin(r, &req); err != nil {
				return nil, err
			}
			switch {
			case (req.By == nil) == (req.To == nil):
				return nil, errors.New(`give exactly one of "by" (a duration) and "to" (an RFC 3339 time)`)
			case req.By != nil:
				return s.clockView(s.Advance(time.Duration(*req.By))), nil
			}
			if d := req.To.Sub(s.now()); d > maxAdminShift || d < -maxAdminShift {
				return nil, fmt.Errorf(`"to" is more than %d days away from the sandbox time`, maxAdminShift/(24*time.Hour))
			}
			return s.clockView(s.AdvanceTo(*req.To)), nil
		})
	s.handleAdmin("GET /sandbox/notifications", "the delivery log of every callback", func(*http.Request) (any, error) {
		return map[string]any{"notifications": adminDeliveries(s.Deliveries())}, nil
	})
	s.handleAdmin("GET /sandbox/notifications/{id}", "the delivery log of one callback", func(r *http.Request) (any, error) {
		d, ok := s.DeliveryOf(r.PathValue("id"))
		if !ok {
			return nil, adminNotFound("no notification with that ID")
		}
		return adminDeliveries([]Delivery{d})[0], nil
	})
	s.handleAdmin("GET /sandbox/faults", "the injected faults still active", func(*http.Request) (any, error) {
		return map[string]any{"faults": adminFaults(s.Faults()), "kinds": FaultKinds()}, nil
	})
	s.handleAdmin("POST /sandbox/faults", `{"kind":"rate_limited","count":2,"route":"POST /v3/payscore/serviceorder","delay":"3s"}: inject a failure`,
		func(r *http.Request) (any, error) {
			var req struct {
				Kind  FaultKind     `json:"kind"`
				Count int           `json:"count"`
				Route string        `json:"route"`
				Delay adminDuration `json:"delay"`
			}
			if err := decodeAdmin(r, &req); err != nil {
				return nil, err
			}
			if err := s.InjectFault(Fault{Kind: req.Kind, Count: req.Count, Route: req.Route, Delay: time.Duration(req.Delay)}); err != nil {
				return nil, err
			}
			return map[string]any{"faults": adminFaults(s.Faults())}, nil
		})
	s.handleAdmin("DELETE /sandbox/faults", "remove every injected fault", func(*http.Request) (any, error) {
		s.ClearFaults()
		return map[string]any{"faults": []any{}}, nil
	})
	s.handleAdmin("GET /sandbox/certificates", "platform certificates, rotation milestones, gray release, callback public-key share",
		func(*http.Request) (any, error) { return s.certificateView(), nil })
	s.handleAdmin("POST /sandbox/certificates/rotate", `start a rotation: the new certificate is listed from T-180d; while one is in progress, answers it again with "started": false`,
		func(*http.Request) (any, error) {
			_, started, err := s.rotateCertificate()
			if err != nil {
				return nil, err
			}
			v := s.certificateView()
			v["started"] = started
			return v, nil
		})
	s.handleAdmin("POST /sandbox/certificates/gray-release", `{"percent":50}: share of answers and callbacks signed with the new certificate (only upwards)`,
		func(r *http.Request) (any, error) {
			var req struct {
				Percent float64 `json:"percent"`
			}
			if err := decodeAdmin(r, &req); err != nil {
				return nil, err
			}
			if err := s.SetCertificateGrayRelease(req.Percent); err != nil {
				return nil, err
			}
			return s.certificateView(), nil
		})
	s.handleAdmin("DELETE /sandbox/certificates/gray-release", "stop the gray release (back to 0 %)", func(*http.Request) (any, error) {
		s.StopCertificateGrayRelease()
		return s.certificateView(), nil
	})
	s.handleAdmin("POST /sandbox/callbacks/public-key-share", `{"percent":0}: share of callbacks signed with the WeChat Pay public key`,
		func(r *http.Request) (any, error) {
			var req struct {
				Percent float64 `json:"percent"`
			}
			if err := decodeAdmin(r, &req); err != nil {
				return nil, err
			}
			if err := s.SetCallbackPublicKeyShare(req.Percent); err != nil {
				return nil, err
			}
			return s.certificateView(), nil
		})
	s.handleAdmin("GET /sandbox/ledger", "every money movement (bills are made from it)", func(*http.Request) (any, error) {
		return map[string]any{"ledger": s.Ledger()}, nil
	})
}

func (s *Server) clockView(ran int) map[string]any {
	now := s.now()
	v := map[string]any{"now": now.In(shanghai).Format(time.RFC3339Nano), "ran": ran}
	if n, next := s.Pending(); n > 0 {
		v["pending"], v["next_due"] = n, next.In(shanghai).Format(time.RFC3339)
	}
	return v
}

func (s *Server) certificateView() map[string]any {
	certs := s.Certificates()
	for i := range certs {
		c := &certs[i]
		c.EffectiveTime, c.ExpireTime, c.ListedFrom = c.EffectiveTime.In(shanghai), c.ExpireTime.In(shanghai), c.ListedFrom.In(shanghai)
	}
	v := map[string]any{
		"certificates": certs, "gray_release_percent": s.CertificateGrayRelease(),
		"callback_public_key_share_percent": s.CallbackPublicKeyShare(), "public_key_id": s.PublicKeyID,
	}
	if m, ok := s.RotationMilestones(); ok {
		v["rotation"] = map[string]any{"serial_no": m.Serial, "generated": m.Generated.In(shanghai), "listed": m.Listed.In(shanghai), "old_expires": m.Expiry.In(shanghai)}
	}
	return v
}

// adminDeliveries shows latencies in milliseconds, for people.
func adminDeliveries(ds []Delivery) []map[string]any {
	out := make([]map[string]any, 0, len(ds))
	for _, d := range ds {
		attempts := make([]map[string]any, 0, len(d.Attempts))
		for _, a := range d.Attempts {
			m := map[string]any{
				"attempt": a.Attempt, "time": a.Time.In(shanghai).Format(time.RFC3339), "status": a.Status,
				"latency_ms": float64(a.Latency.Microseconds()) / 1000, "serial": a.Serial, "acknowledged": a.Acknowledged,
			}
			if a.Error != "" {
				m["error"] = a.Error
			}
			if a.Probe {
				m["probe"] = true
			}
			attempts = append(attempts, m)
		}
		m := map[string]any{"id": d.ID, "event_type": d.EventType, "url": d.URL,
			"create_time": d.Created.In(shanghai).Format(time.RFC3339), "state": d.State, "attempts": attempts}
		if !d.NextAttempt.IsZero() {
			m["next_attempt"] = d.NextAttempt.In(shanghai).Format(time.RFC3339)
		}
		if d.Note != "" {
			m["note"] = d.Note
		}
		out = append(out, m)
	}
	return out
}

func adminFaults(fs []Fault) []map[string]any {
	out := make([]map[string]any, 0, len(fs))
	for _, f := range fs {
		m := map[string]any{"kind": f.Kind, "count": f.Count, "route": f.Route}
		if f.Delay > 0 {
			m["delay"] = f.Delay.String()
		}
		out = append(out, m)
	}
	return out
}

// Credential file names, as the standalone sandbox writes them.
const (
	CredentialMerchantKey         = "apiclient_key.pem"         // the merchant's API private key
	CredentialMerchantCertificate = "apiclient_cert.pem"        // the merchant's API certificate (serial MerchantSerialNo)
	CredentialPublicKey           = "wechatpay_public_key.pem"  // the WeChat Pay public key (PUB_KEY_ID_…)
	CredentialCertificates        = "platform_certificates.pem" // the platform certificates listed now
)

func credentialFiles() []string {
	return []string{CredentialMerchantKey, CredentialMerchantCertificate, CredentialPublicKey, CredentialCertificates}
}

// CredentialFiles returns the sandbox's test credentials as PEM files, by
// file name: the merchant's API private key (PKCS #8) and API certificate
// (apiclient_cert.pem, self-signed, serial MerchantSerialNo, valid until
// 2126 — what programs that take the serial from the certificate read),
// the WeChat Pay public key (PKIX) and the platform certificates GET
// /v3/certificates lists now. They are the test-only keys of
// sandbox/testdata.
func (s *Server) CredentialFiles() map[string][]byte {
	key, err := x509.MarshalPKCS8PrivateKey(s.MerchantPrivateKey)
	if err != nil {
		panic("sandbox: encoding the merchant test key: " + err.Error())
	}
	pub, err := x509.MarshalPKIXPublicKey(s.PlatformPublicKey)
	if err != nil {
		panic("sandbox: encoding the platform test key: " + err.Error())
	}
	var certs []byte
	for _, c := range s.PlatformCertificates() {
		certs = append(certs, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	return map[string][]byte{
		CredentialMerchantKey:         pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: key}),
		CredentialMerchantCertificate: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.merchantCert.Raw}),
		CredentialPublicKey:           pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}),
		CredentialCertificates:        certs,
	}
}

func (s *Server) credentials() map[string]any {
	files := s.CredentialFiles()
	return map[string]any{
		"base_url": s.URL, "mchid": s.MerchantID, "merchant_serial_no": s.MerchantSerialNo, "appid": s.AppID,
		"apiv3_key": s.APIv3Key, "public_key_id": s.PublicKeyID,
		"merchant_private_key_pem":       string(files[CredentialMerchantKey]),
		"merchant_certificate_pem":       string(files[CredentialMerchantCertificate]),
		"wechatpay_public_key_pem":       string(files[CredentialPublicKey]),
		"platform_certificates_pem":      string(files[CredentialCertificates]),
		"payscore_service_id":            PayScoreNoConfirmServiceID,
		"payscore_confirm_service_id":    PayScoreConfirmServiceID,
		"note":                           "test-only keys: never use them for anything real",
		"answers_signed_with_public_key": "when the request carries Wechatpay-Serial: " + s.PublicKeyID,
	}
}
