package core

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/wechatpay-apiv3/wechatpay-go/utils"
)

const (
	certRefreshInterval = 12 * time.Hour
	certMinInterval     = time.Minute      // failed downloads and unknown serials: at most one download a minute
	certRenewAhead      = time.Hour        // refresh this long before the newest certificate expires
	certDownloadTimeout = 30 * time.Second // bound on one shared download, whatever the callers' deadlines
	certTriedCap        = 1024             // unknown serials remembered for the rate limit
)

// ErrNoPlatformCertificates is matched when GET /v3/certificates answers
// NOT_FOUND: the merchant has only a WeChat Pay public key and must use
// public-key mode (WithPlatformPublicKey).
var ErrNoPlatformCertificates = errors.New("wechatpay: this merchant has no platform certificates; configure the WeChat Pay public key with WithPlatformPublicKey (public-key mode)")

// certManager downloads and rotates platform certificates, lazily: the first
// call downloads them, later calls refresh them when due or when an answer
// names a serial the client does not know.
//
// Downloads are single-flight: one download at a time, shared by every
// caller that needs it. It runs on its own context (the first caller's
// values, no cancellation, bounded by certDownloadTimeout), so a caller whose
// deadline expires stops waiting without failing the download for others;
// context errors are never cached, while a real failure is reused for a
// minute. Flights are numbered: a caller that needs a fresher result than
// the flight in progress (it saw a serial after that flight started) waits
// for a flight that started after it looked.
type certManager struct {
	c *Client
	// downloadContext, when set (by tests), replaces the bound of
	// certDownloadTimeout on each shared download's context, so that a test
	// decides when a download times out instead of racing a timer.
	downloadContext func(context.Context) (context.Context, context.CancelFunc)

	mu          sync.Mutex
	loaded      bool
	nextRefresh time.Time
	started     uint64      // flights started so far; the newest has this number
	completed   uint64      // number of the last flight that ended
	inflight    *certFlight // the flight in progress, or nil
	lastErr     error       // the last real (non-context) failure …
	lastFail    time.Time   // … and when it ended; reused for certMinInterval
	tried       map[string]time.Time
	notifyTried time.Time // last download caused by a notification's unknown serial
}

type certFlight struct {
	seq  uint64
	done chan struct{}
	err  error // set before done is closed
}

// startLocked starts a flight. m.mu is held.
func (m *certManager) startLocked(ctx context.Context) *certFlight {
	m.started++
	f := &certFlight{seq: m.started, done: make(chan struct{})}
	m.inflight = f
	var dctx context.Context
	var cancel context.CancelFunc
	if m.downloadContext != nil {
		dctx, cancel = m.downloadContext(context.WithoutCancel(ctx))
	} else {
		dctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), certDownloadTimeout)
	}
	go func() {
		defer cancel()
		m.run(dctx, f)
	}()
	return f
}

func (m *certManager) run(ctx context.Context, f *certFlight) {
	start := m.c.now()
	keys, err := m.download(ctx)
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.c.now()
	switch {
	case err == nil:
		dropped := m.c.keys.replaceDownloaded(keys, now)
		m.loaded, m.lastErr = true, nil
		next := start.Add(certRefreshInterval)
		if exp := m.c.keys.latestExpiry(); !exp.IsZero() && exp.Add(-certRenewAhead).Before(next) {
			next = exp.Add(-certRenewAhead)
			if floor := now.Add(certMinInterval); next.Before(floor) {
				next = floor
			}
		}
		m.nextRefresh = next
		m.c.log.LogAttrs(ctx, slog.LevelInfo, "wechatpay: platform certificates refreshed",
			slog.Int("count", len(keys)), slog.Int("trusted", m.c.keys.len()), slog.Any("dropped", dropped), slog.Time("next_refresh", next))
	case isContextError(err):
		m.c.log.LogAttrs(ctx, slog.LevelWarn, "wechatpay: platform certificate download timed out", slog.String("error", err.Error()))
	default:
		m.lastErr, m.lastFail = err, now
		m.c.log.LogAttrs(ctx, slog.LevelWarn, "wechatpay: platform certificate download failed", slog.String("error", err.Error()))
	}
	f.err = err
	m.inflight = nil
	m.completed = f.seq
	close(f.done)
}

func isContextError(err error) bool {
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)
}

// wait waits for f or for ctx, and returns f's error or ctx's.
func wait(ctx context.Context, f *certFlight) error {
	select {
	case <-f.done:
		return f.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// recentFailureLocked returns the last real failure if it is less than a
// minute old.
func (m *certManager) recentFailureLocked() error {
	if m.lastErr != nil && m.c.now().Sub(m.lastFail) < certMinInterval {
		return m.lastErr
	}
	return nil
}

// ensure makes sure certificates were downloaded and are not due for
// refresh. While a usable key is held, a due refresh runs without making the
// caller wait.
func (m *certManager) ensure(ctx context.Context) error {
	m.mu.Lock()
	if m.loaded && m.c.now().Before(m.nextRefresh) {
		m.mu.Unlock()
		return nil
	}
	f := m.inflight
	if f == nil {
		if err := m.recentFailureLocked(); err != nil {
			m.mu.Unlock()
			return m.tolerate(err)
		}
		f = m.startLocked(ctx)
	}
	m.mu.Unlock()
	if m.usable() {
		return nil // keep using the current keys while the flight refreshes
	}
	return m.tolerate(wait(ctx, f))
}

// usable reports whether a key can verify or encrypt now.
func (m *certManager) usable() bool {
	_, ok := m.c.keys.encryptionKey(m.c.now())
	return ok
}

// refreshForSerial downloads the certificates again because an answer (or,
// with notification, a callback) named serial, which the client does not
// know, and returns once a download that started after this call began has
// ended — so the caller never settles for a download older than what it
// saw. The same serial starts at most one download a minute; serials from
// callbacks, which anyone can send, start at most one a minute in all.
func (m *certManager) refreshForSerial(ctx context.Context, serial string, notification bool) {
	m.c.log.LogAttrs(ctx, slog.LevelInfo, "wechatpay: unknown platform serial, refreshing certificates", slog.String("serial", sanitizeServerText(serial, 64)))
	m.mu.Lock()
	seen := m.started // flights numbered above seen started after this call
	for {
		if _, ok := m.c.keys.get(serial); ok {
			break
		}
		if f := m.inflight; f != nil {
			m.mu.Unlock()
			if wait(ctx, f) != nil && ctx.Err() != nil {
				return
			}
			m.mu.Lock()
			continue
		}
		if m.completed > seen || m.recentFailureLocked() != nil {
			break
		}
		now := m.c.now()
		if t, ok := m.tried[serial]; ok && now.Sub(t) < certMinInterval {
			break
		}
		if notification && !m.notifyTried.IsZero() && now.Sub(m.notifyTried) < certMinInterval {
			break
		}
		m.rememberLocked(serial, now)
		if notification {
			m.notifyTried = now
		}
		m.startLocked(ctx)
	}
	m.mu.Unlock()
}

// rememberLocked records that a download was started for serial, keeping
// the map bounded.
func (m *certManager) rememberLocked(serial string, now time.Time) {
	if m.tried == nil {
		m.tried = map[string]time.Time{}
	}
	if len(m.tried) >= certTriedCap {
		for s, t := range m.tried {
			if now.Sub(t) >= certMinInterval {
				delete(m.tried, s)
			}
		}
		if len(m.tried) >= certTriedCap {
			clear(m.tried)
		}
	}
	m.tried[serial] = now
}

// refresh downloads the certificates now (joining a download that started
// since the call) and reports that download's failure.
func (m *certManager) refresh(ctx context.Context) error {
	m.mu.Lock()
	seen := m.started
	for {
		f := m.inflight
		if f == nil {
			f = m.startLocked(ctx)
		}
		m.mu.Unlock()
		err := wait(ctx, f)
		if f.seq > seen || ctx.Err() != nil {
			return err
		}
		m.mu.Lock()
	}
}

// tolerate hides a refresh failure while the client still has a usable key.
func (m *certManager) tolerate(err error) error {
	if err == nil {
		return nil
	}
	if m.usable() {
		return nil
	}
	return err
}

type certificatesResponse struct {
	Data []struct {
		SerialNo           string    `json:"serial_no"`
		EffectiveTime      time.Time `json:"effective_time"`
		ExpireTime         time.Time `json:"expire_time"`
		EncryptCertificate struct {
			Algorithm      string `json:"algorithm"`
			Nonce          string `json:"nonce"`
			AssociatedData string `json:"associated_data"`
			Ciphertext     string `json:"ciphertext"`
		} `json:"encrypt_certificate"`
	} `json:"data"`
}

// download fetches GET /v3/certificates, decrypts every certificate with the
// APIv3 key (whose AEAD tag authenticates them), then verifies the response
// signature with the keys already trusted plus the downloaded ones.
func (m *certManager) download(ctx context.Context) ([]PlatformKey, error) {
	p, err := m.c.prepare(&Request{Method: http.MethodGet, Path: "/v3/certificates", Idempotent: true})
	if err != nil {
		return nil, err
	}
	p.verify = false // verified below, once the new certificates are known
	hr, body, err := m.c.send(ctx, p, false)
	if err != nil {
		if ae, ok := IsAPIError(err); ok && (ae.StatusCode == http.StatusNotFound || ae.Code == "NOT_FOUND") {
			return nil, fmt.Errorf("%w (GET /v3/certificates answered %s, request id %s)", ErrNoPlatformCertificates, sanitizeServerText(ae.Code, maxCodeText), ae.RequestID)
		}
		return nil, fmt.Errorf("wechatpay: downloading platform certificates: %w", err)
	}
	rid := RequestIDFrom(hr.Header)
	var resp certificatesResponse
	if err := json.Unmarshal(body, &resp); err != nil {
		return nil, fmt.Errorf("wechatpay: decoding platform certificates [request id %s]: %w", rid, err)
	}
	if len(resp.Data) == 0 {
		// A merchant with only the WeChat Pay public key may get an empty
		// list rather than NOT_FOUND (spec §14.3).
		return nil, fmt.Errorf("%w (GET /v3/certificates listed none, request id %s)", ErrNoPlatformCertificates, rid)
	}
	now := m.c.now()
	fresh := map[string]PlatformKey{}
	var keys []PlatformKey
	for _, d := range resp.Data {
		serial := sanitizeServerText(d.SerialNo, maxSerialText) // for errors
		ec := d.EncryptCertificate
		if ec.Algorithm != "" && ec.Algorithm != "AEAD_AES_256_GCM" {
			return nil, fmt.Errorf("wechatpay: platform certificate %s uses unsupported algorithm %s", serial, sanitizeServerText(ec.Algorithm, maxCodeText))
		}
		pemText, err := m.c.DecryptAEAD(ec.AssociatedData, ec.Nonce, ec.Ciphertext)
		if err != nil {
			return nil, fmt.Errorf("wechatpay: decrypting platform certificate %s failed (wrong APIv3 key?) [request id %s]", serial, rid)
		}
		cert, err := utils.LoadCertificate(string(pemText))
		if err != nil {
			return nil, fmt.Errorf("wechatpay: parsing platform certificate %s: %w", serial, err)
		}
		k, err := keyFromCertificate(cert)
		if err != nil {
			return nil, err
		}
		if k.Serial != d.SerialNo {
			return nil, fmt.Errorf("wechatpay: platform certificate serial %s does not match its entry %s", k.Serial, serial)
		}
		if !now.Before(k.NotAfter) {
			continue // expired: never trust it
		}
		fresh[k.Serial] = k
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("wechatpay: every downloaded platform certificate has expired [request id %s]", rid)
	}
	h := SignatureHeadersFrom(hr.Header)
	lookup := func(serial string) (PlatformKey, bool) {
		if k, ok := fresh[serial]; ok {
			return k, true
		}
		return m.c.keys.get(serial)
	}
	if err := m.c.verifyWith(ctx, h, body, rid, lookup); err != nil {
		return nil, fmt.Errorf("wechatpay: platform certificate download: %w", err)
	}
	return keys, nil
}

// RefreshCertificates downloads the platform certificates now and reports
// any failure. It is only useful with WithAutoCertificates, where downloads
// otherwise happen lazily: before the first call, before the newest
// certificate expires, every 12 hours, and (at most once a minute) when an
// answer names an unknown serial.
func (c *Client) RefreshCertificates(ctx context.Context) error {
	if c.certs == nil {
		return errors.New("wechatpay: RefreshCertificates needs WithAutoCertificates")
	}
	return c.certs.refresh(ctx)
}
