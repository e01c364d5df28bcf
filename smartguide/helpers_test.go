package smartguide_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/internal/wiretest"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
	"github.com/wechatpay-biz/wechatpay-biz-go/smartguide"
)

type wire = wiretest.Wire

// env is a sandbox with a recording hook in front of it.
type env struct {
	sb  *sandbox.Server
	c   *core.Client
	svc *smartguide.Service
	rec *wiretest.Recorder
}

func newEnv(t *testing.T) *env {
	t.Helper()
	sb, err := sandbox.NewServer()
	require.NoError(t, err)
	t.Cleanup(sb.Close)
	c, err := sb.Client()
	require.NoError(t, err)
	return &env{sb: sb, c: c, svc: smartguide.NewService(c), rec: wiretest.Record(t, sb)}
}

func (e *env) requests() []wire       { return e.rec.Requests() }
func (e *env) only(t *testing.T) wire { return e.rec.Only(t) }
func (e *env) reset()                 { e.rec.Reset() }

// decryptPlatform decrypts a field the client encrypted to the platform key.
func decryptPlatform(t *testing.T, ct string) string {
	t.Helper()
	sb, err := sandbox.NewServer()
	require.NoError(t, err)
	defer sb.Close()
	return wiretest.DecryptPlatform(t, sb, ct)
}

// fakeAPI answers what the sandbox never does; see wiretest.FakeAPI.
type fakeAPI struct {
	*wiretest.FakeAPI
	c *core.Client
}

func newFakeAPI(t *testing.T, answer func(n int, r wire) (int, string)) *fakeAPI {
	f := wiretest.NewFakeAPI(t, answer)
	return &fakeAPI{FakeAPI: f, c: f.Client}
}

func (f *fakeAPI) requests() []wire { return f.Requests() }
