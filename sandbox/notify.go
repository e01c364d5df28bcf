package sandbox

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/wechatpay-biz/wechatpay-biz-go/notify/notifytest"
)

// Event is a notification the sandbox sends.
type Event struct {
	EventType    string // e.g. PAYSCORE.USER_PAID
	Summary      string
	OriginalType string // e.g. payscore
	Resource     any    // the plaintext resource, marshalled to JSON
}

// BuildNotification signs and encrypts ev with the sandbox's current signing
// key and APIv3 key, as WeChat Pay would.
func (s *Server) BuildNotification(ev Event) (http.Header, []byte, error) {
	serial, key := s.signingKey()
	return notifytest.BuildSigned(notifytest.Event{
		EventType: ev.EventType, Summary: ev.Summary, OriginalType: ev.OriginalType, Resource: ev.Resource,
	}, notifytest.Signer{Serial: serial, PrivateKey: key, APIv3Key: s.APIv3Key, Time: s.now()})
}

// Notify POSTs a signed, encrypted notification to url and returns the
// receiver's HTTP status. Any status other than 200 or 204 is an error, as
// WeChat Pay would then deliver again.
func (s *Server) Notify(ctx context.Context, url string, ev Event) error {
	h, body, err := s.BuildNotification(ev)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("sandbox: notification to %s: %w", url, err)
	}
	req.Header = h
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("sandbox: sending %s notification: %w", ev.EventType, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusNoContent {
		return fmt.Errorf("sandbox: %s notification to %s answered HTTP %d", ev.EventType, url, resp.StatusCode)
	}
	return nil
}
