package core

import (
	"crypto/rsa"
	"time"
)

// SetCertDownloadTimeout shortens the bound on one shared certificate
// download, for tests.
func SetCertDownloadTimeout(c *Client, d time.Duration) {
	c.certs.mu.Lock()
	c.certs.timeout = d
	c.certs.mu.Unlock()
}

// MerchantKeyOf returns the key the client signs with.
func MerchantKeyOf(c *Client) *rsa.PrivateKey { return c.secret.get().mchKey }

// SanitizeServerText exposes sanitizeServerText to tests.
var SanitizeServerText = sanitizeServerText
