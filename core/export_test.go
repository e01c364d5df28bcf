package core

import (
	"context"
	"crypto/rsa"
	"sync"
)

// ExpireCertDownloads makes every shared certificate download started from
// now on run on a context whose deadline passes only when the test calls
// the returned expire (once); until then downloads have no deadline. Calling
// restore brings back the real bound (certDownloadTimeout).
func ExpireCertDownloads(c *Client) (expire, restore func()) {
	done := make(chan struct{})
	c.certs.mu.Lock()
	c.certs.downloadContext = func(parent context.Context) (context.Context, context.CancelFunc) {
		return manualDeadline{Context: parent, done: done}, func() {}
	}
	c.certs.mu.Unlock()
	var once sync.Once
	expire = func() { once.Do(func() { close(done) }) }
	restore = func() {
		c.certs.mu.Lock()
		c.certs.downloadContext = nil
		c.certs.mu.Unlock()
	}
	return expire, restore
}

// manualDeadline is a context whose deadline passes when done is closed.
type manualDeadline struct {
	context.Context
	done chan struct{}
}

func (m manualDeadline) Done() <-chan struct{} { return m.done }

func (m manualDeadline) Err() error {
	select {
	case <-m.done:
		return context.DeadlineExceeded
	default:
		return nil
	}
}

// MerchantKeyOf returns the key the client signs with.
func MerchantKeyOf(c *Client) *rsa.PrivateKey { return c.secret.get().mchKey }

// SanitizeServerText exposes sanitizeServerText to tests.
var SanitizeServerText = sanitizeServerText
