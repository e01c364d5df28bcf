package goldplan_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/goldplan"
	"github.com/wechatpay-biz/wechatpay-biz-go/internal/wiretest"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

type wire = wiretest.Wire

// env is a sandbox with a recording hook in front of it.
type env struct {
	sb  *sandbox.Server
	c   *core.Client
	svc *goldplan.Service
	rec *wiretest.Recorder
}

func newEnv(t *testing.T, opts ...sandbox.Option) *env {
	t.Helper()
	sb, err := sandbox.NewServer(opts...)
	require.NoError(t, err)
	t.Cleanup(sb.Close)
	c, err := sb.Client()
	require.NoError(t, err)
	return &env{sb: sb, c: c, svc: goldplan.NewService(c), rec: wiretest.Record(t, sb)}
}

func (e *env) requests() []wire       { return e.rec.Requests() }
func (e *env) only(t *testing.T) wire { return e.rec.Only(t) }
func (e *env) reset()                 { e.rec.Reset() }

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
