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
	certMinInterval     = time.Minute // at most one download a minute
	certRenewAhead      = time.Hour   // refresh this long before the newest certificate expires
)

// ErrNoPlatformCertificates is matched when GET /v3/certificates answers
// NOT_FOUND: the merchant has only a WeChat Pay public key and must use
// public-key mode (WithPlatformPublicKey).
var ErrNoPlatformCertificates = errors.New("wechatpay: this merchant has no platform certificates; configure the WeChat Pay public key with WithPlatformPublicKey (public-key mode)")

// certManager downloads and rotates platform certificates, lazily: the first
// call downloads them, later calls refresh them when due. Downloads are
// single-flight and rate-limited; there is no background goroutine to leak.
type certManager struct {
	c *Client

	mu          sync.Mutex
	loaded      bool
	nextRefresh time.Time
	lastAttempt time.Time // last download of any kind
	lastSerial  time.Time // last download caused by an unknown serial
	lastErr     error
	inflight    chan struct{}
}

// ensure makes sure certificates were downloaded and are not due for refresh.
func (m *certManager) ensure(ctx context.Context) error {
	m.mu.Lock()
	if m.loaded && m.c.now().Before(m.nextRefresh) {
		m.mu.Unlock()
		return nil
	}
	return m.refreshLocked(ctx, false, false)
}

// refreshForSerial downloads again because a response named an unknown
// serial, unless a download happened less than a minute ago.
func (m *certManager) refreshForSerial(ctx context.Context, serial string) {
	m.c.log.LogAttrs(ctx, slog.LevelInfo, "wechatpay: unknown platform serial, refreshing certificates", slog.String("serial", serial))
	m.mu.Lock()
	now := m.c.now()
	if !m.lastSerial.IsZero() && now.Sub(m.lastSerial) < certMinInterval && m.inflight == nil {
		m.mu.Unlock()
		return
	}
	m.lastSerial = now
	_ = m.refreshLocked(ctx, true, true)
}

// refresh forces a certificate download now.
func (m *certManager) refresh(ctx context.Context) error {
	m.mu.Lock()
	err := m.refreshLocked(ctx, true, true)
	if err == nil {
		m.mu.Lock()
		err = m.lastErr
		m.mu.Unlock()
	}
	return err
}

// refreshLocked is entered with m.mu held and releases it. Unless force, a
// failed download is not retried for a minute.
func (m *certManager) refreshLocked(ctx context.Context, wait, force bool) error {
	if ch := m.inflight; ch != nil {
		loaded := m.loaded
		m.mu.Unlock()
		if loaded && !wait {
			return nil // keep using the current keys while another call refreshes
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
		m.mu.Lock()
		err := m.lastErr
		m.mu.Unlock()
		return m.tolerate(err)
	}
	now := m.c.now()
	if !force && !m.lastAttempt.IsZero() && now.Sub(m.lastAttempt) < certMinInterval {
		err := m.lastErr
		m.mu.Unlock()
		return m.tolerate(err)
	}
	ch := make(chan struct{})
	m.inflight, m.lastAttempt = ch, now
	m.mu.Unlock()

	keys, err := m.download(ctx)

	m.mu.Lock()
	if err == nil {
		m.c.keys.put(keys...)
		m.c.keys.prune(m.c.now())
		m.loaded = true
		next := now.Add(certRefreshInterval)
		if exp := m.c.keys.latestExpiry(); !exp.IsZero() && exp.Add(-certRenewAhead).Before(next) {
			next = exp.Add(-certRenewAhead)
			if floor := now.Add(certMinInterval); next.Before(floor) {
				next = floor
			}
		}
		m.nextRefresh = next
		m.c.log.LogAttrs(ctx, slog.LevelInfo, "wechatpay: platform certificates refreshed", slog.Int("count", len(keys)), slog.Time("next_refresh", next))
	} else {
		m.c.log.LogAttrs(ctx, slog.LevelWarn, "wechatpay: platform certificate download failed", slog.String("error", err.Error()))
	}
	m.lastErr = err
	m.inflight = nil
	close(ch)
	m.mu.Unlock()
	return m.tolerate(err)
}

// tolerate hides a refresh failure while the client still has a usable key.
func (m *certManager) tolerate(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := m.c.keys.encryptionKey(m.c.now()); ok {
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
			return nil, fmt.Errorf("%w (GET /v3/certificates answered %s, request id %s)", ErrNoPlatformCertificates, ae.Code, ae.RequestID)
		}
		return nil, fmt.Errorf("wechatpay: downloading platform certificates: %w", err)
	}
	rid := HeaderValue(hr.Header, "Request-ID")
	var resp certificatesResponse
	if err := json.Unmarshal(body, &resp); err != nil {
		return nil, fmt.Errorf("wechatpay: decoding platform certificates [request id %s]: %w", rid, err)
	}
	if len(resp.Data) == 0 {
		return nil, fmt.Errorf("wechatpay: GET /v3/certificates returned no certificate [request id %s]", rid)
	}
	now := m.c.now()
	fresh := map[string]PlatformKey{}
	var keys []PlatformKey
	for _, d := range resp.Data {
		ec := d.EncryptCertificate
		if ec.Algorithm != "" && ec.Algorithm != "AEAD_AES_256_GCM" {
			return nil, fmt.Errorf("wechatpay: platform certificate %s uses unsupported algorithm %s", d.SerialNo, ec.Algorithm)
		}
		pemText, err := m.c.DecryptAEAD(ec.AssociatedData, ec.Nonce, ec.Ciphertext)
		if err != nil {
			return nil, fmt.Errorf("wechatpay: decrypting platform certificate %s failed (wrong APIv3 key?) [request id %s]", d.SerialNo, rid)
		}
		cert, err := utils.LoadCertificate(string(pemText))
		if err != nil {
			return nil, fmt.Errorf("wechatpay: parsing platform certificate %s: %w", d.SerialNo, err)
		}
		k, err := keyFromCertificate(cert)
		if err != nil {
			return nil, err
		}
		if k.Serial != d.SerialNo {
			return nil, fmt.Errorf("wechatpay: platform certificate serial %s does not match its entry %s", k.Serial, d.SerialNo)
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
