package partner_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/internal/wiretest"
	"github.com/wechatpay-biz/wechatpay-biz-go/payscore/partner"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

type wire = wiretest.Wire

// Sandbox identities: the sandbox merchant is the service provider.
const (
	appID     = sandbox.AppID
	sub       = sandbox.PayScorePartnerSubMchID
	subApp    = sandbox.PayScorePartnerSubAppID
	noConfirm = sandbox.PayScoreNoConfirmServiceID
	confirm   = sandbox.PayScoreConfirmServiceID
	openID    = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"
	subOpenID = "oUpF8uN95-Ptaags6E_roPHg7AG0"
)

// env is a sandbox with a recording hook in front of it that checks every
// request's signature with the merchant key, independently of the sandbox.
type env struct {
	sb  *sandbox.Server
	c   *core.Client
	svc *partner.Service
	rec *wiretest.Recorder
	ctx context.Context
}

func newEnv(t *testing.T, opts ...core.Option) *env {
	t.Helper()
	sb, err := sandbox.NewServer()
	require.NoError(t, err)
	t.Cleanup(sb.Close)
	c, err := sb.Client(append([]core.Option{core.WithRetry(core.NoRetry)}, opts...)...)
	require.NoError(t, err)
	return &env{sb: sb, c: c, svc: partner.NewService(c), rec: wiretest.Record(t, sb), ctx: context.Background()}
}

func (e *env) only(t *testing.T) wire { t.Helper(); return e.rec.Only(t) }
func (e *env) reset()                 { e.rec.Reset() }

// requireWire checks one request: method, path with the exact query, and
// JSON body ("" for none).
func requireWire(t *testing.T, w wire, method, uri, body string) {
	t.Helper()
	require.Equal(t, method, w.Method)
	require.Equal(t, uri, w.URI)
	// Nothing is encrypted in pay-score calls, but a client with a WeChat Pay
	// public key names it on every request (spec §14.3).
	require.Equal(t, sandbox.PublicKeyID, w.Header.Get("Wechatpay-Serial"))
	if body == "" {
		require.Empty(t, w.Body)
		return
	}
	require.Equal(t, "application/json", w.Header.Get("Content-Type"))
	require.JSONEq(t, body, string(w.Body))
}

// authorize pre-authorizes code for sub and lets the user authorize it.
func (e *env) authorize(t *testing.T, code string) {
	t.Helper()
	pre, err := e.svc.PreAuthorize(e.ctx, &partner.PreAuthorizeRequest{ServiceID: noConfirm, AppID: appID, SubAppID: core.Ptr(subApp), SubMchID: sub, AuthorizationCode: code})
	require.NoError(t, err)
	require.NoError(t, e.sb.PayScorePartnerSimulateUserAuthorize(e.ctx, pre.ApplyPermissionsToken, openID, subOpenID))
}
