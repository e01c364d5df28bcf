package sandbox_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wechatpay-apiv3/wechatpay-go/utils"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/sandbox"
)

// t0 is the fixed base of the tests' sandbox clocks; Advance moves ahead
// of it.
var t0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.FixedZone("CST", 8*3600))

func fixedClock() time.Time { return t0 }

// answerSerial makes a call and returns the Wechatpay-Serial its verified
// answer was signed with.
func answerSerial(t *testing.T, c *core.Client, path string) string {
	t.Helper()
	resp, err := c.Do(context.Background(), &core.Request{Method: http.MethodGet, Path: path}, nil)
	require.NoError(t, err)
	return resp.Header.Get("Wechatpay-Serial")
}

func serials(c *core.Client) map[string]bool {
	out := map[string]bool{}
	for _, k := range c.PlatformKeys() {
		out[k.Serial] = true
	}
	return out
}

func listed(sb *sandbox.Server) []string {
	var out []string
	for _, c := range sb.PlatformCertificates() {
		out = append(out, utils.GetCertificateSerialNumber(*c))
	}
	return out
}

// TestRotationFollowsTheDocumentedTimeline steps a certificate client
// through a whole rotation (spec §14.1) on the sandbox clock: the new
// certificate is listed 180 days before the old one expires, signed for
// by the old one; answers move over only through the gray release; the old
// one verifies until it expires.
func TestRotationFollowsTheDocumentedTimeline(t *testing.T) {
	sb := newSandbox(t, sandbox.WithClock(fixedClock))
	sb.Handle("GET /v3/test/ping", func(*sandbox.Call) sandbox.Reply { return sandbox.JSON(200, map[string]string{"pong": "1"}) })
	cc, err := sb.CertificateClient(core.WithRetry(core.NoRetry))
	require.NoError(t, err)
	require.NoError(t, cc.RefreshCertificates(context.Background()))
	old := utils.GetCertificateSerialNumber(*sb.PlatformCertificate())
	require.Equal(t, map[string]bool{old: true}, serials(cc))

	_, ok := sb.RotationMilestones()
	require.False(t, ok, "no rotation yet")
	require.Error(t, sb.SetCertificateGrayRelease(10), "nothing to release before a rotation")

	next, err := sb.RotateCertificate()
	require.NoError(t, err)
	fresh := utils.GetCertificateSerialNumber(*next)
	m, ok := sb.RotationMilestones()
	require.True(t, ok)
	oldExpiry := sb.Certificates()[0].ExpireTime
	assert.Equal(t, oldExpiry, m.Expiry)
	assert.Equal(t, oldExpiry.Add(-sandbox.CertificateGenerateLead), m.Generated)
	assert.Equal(t, oldExpiry.Add(-sandbox.CertificateListLead), m.Listed)
	assert.Equal(t, m.Generated, next.NotBefore, "effective from its generation")

	// Generated but not listed: nothing changes for the client.
	sb.AdvanceTo(m.Listed.Add(-time.Second))
	assert.Equal(t, []string{old}, listed(sb))
	require.Error(t, sb.SetCertificateGrayRelease(10), "not listed yet")
	require.NoError(t, cc.RefreshCertificates(context.Background()))
	assert.Equal(t, map[string]bool{old: true}, serials(cc))
	assert.Equal(t, old, answerSerial(t, cc, "/v3/test/ping"))

	// T−180 days: both are listed; the list is signed with the old one,
	// which the client trusts, so it learns the new one.
	sb.AdvanceTo(m.Listed)
	assert.Equal(t, []string{old, fresh}, listed(sb))
	assert.Equal(t, old, answerSerial(t, cc, "/v3/certificates"))
	require.NoError(t, cc.RefreshCertificates(context.Background()))
	assert.Equal(t, map[string]bool{old: true, fresh: true}, serials(cc))
	// Usable for encryption at once; answers stay on the old one.
	enc, err := cc.Encrypter(context.Background())
	require.NoError(t, err)
	assert.Equal(t, fresh, enc.Serial(), "the certificate with the latest expiry encrypts")
	for range 5 {
		assert.Equal(t, old, answerSerial(t, cc, "/v3/test/ping"), "no gray release yet: the old certificate signs")
	}

	// Gray release: half of the answers move to the new certificate;
	// the certificate list stays on the old one.
	require.NoError(t, sb.SetCertificateGrayRelease(50))
	got := map[string]int{}
	for range 10 {
		got[answerSerial(t, cc, "/v3/test/ping")]++
	}
	assert.Equal(t, map[string]int{old: 5, fresh: 5}, got)
	require.Error(t, sb.SetCertificateGrayRelease(20), "the share only goes up")
	require.NoError(t, sb.SetCertificateGrayRelease(100))
	assert.Equal(t, fresh, answerSerial(t, cc, "/v3/test/ping"))
	assert.Equal(t, old, answerSerial(t, cc, "/v3/certificates"), "the list is signed with a certificate every client already trusts")
	sb.StopCertificateGrayRelease()
	assert.Equal(t, old, answerSerial(t, cc, "/v3/test/ping"), "stopping returns to the old certificate")
	assert.Zero(t, sb.CertificateGrayRelease())

	// The old certificate verifies until T, then the new one signs
	// everything and the old one is no longer listed.
	sb.AdvanceTo(m.Expiry.Add(-time.Second))
	assert.Equal(t, old, answerSerial(t, cc, "/v3/test/ping"))
	sb.AdvanceTo(m.Expiry)
	assert.Equal(t, []string{fresh}, listed(sb))
	assert.Equal(t, fresh, answerSerial(t, cc, "/v3/test/ping"))
	assert.Equal(t, fresh, answerSerial(t, cc, "/v3/certificates"))
	require.NoError(t, cc.RefreshCertificates(context.Background()))
	assert.Equal(t, map[string]bool{fresh: true}, serials(cc), "the expired certificate is dropped")
	info := sb.Certificates()
	require.Len(t, info, 2)
	assert.True(t, info[0].Expired)
	assert.True(t, info[1].Listed)
	_, ok = sb.RotationMilestones()
	assert.False(t, ok, "the rotation is over")
}

// A rotation started late (less than 180 days before T) lists the new
// certificate at once.
func TestLateRotationListsAtOnce(t *testing.T) {
	sb := newSandbox(t, sandbox.WithClock(fixedClock), sandbox.WithCertificateLifetime(100*24*time.Hour))
	next, err := sb.RotateCertificate()
	require.NoError(t, err)
	m, ok := sb.RotationMilestones()
	require.True(t, ok)
	assert.True(t, m.Listed.Equal(sb.Now()), "listed now: %v", m.Listed)
	assert.True(t, next.NotBefore.Equal(sb.Now()), "generated now: %v", next.NotBefore)
	assert.Len(t, sb.PlatformCertificates(), 2)
}

// RotateCertificateAbruptly switches signing at once: a client that never
// saw the new certificate meets an unknown serial and downloads again.
func TestAbruptRotation(t *testing.T) {
	sb := newSandbox(t)
	sb.Handle("GET /v3/test/ping", func(*sandbox.Call) sandbox.Reply { return sandbox.JSON(200, map[string]string{"pong": "1"}) })
	cc, err := sb.CertificateClient()
	require.NoError(t, err)
	first := answerSerial(t, cc, "/v3/test/ping")
	next, err := sb.RotateCertificateAbruptly()
	require.NoError(t, err)
	assert.Len(t, sb.PlatformCertificates(), 2, "the old certificate is still listed")
	assert.Equal(t, utils.GetCertificateSerialNumber(*next), answerSerial(t, cc, "/v3/test/ping"))
	assert.Len(t, serials(cc), 2)
	assert.NotEqual(t, first, utils.GetCertificateSerialNumber(*next))
}

// TestDefaultSandboxServesBothModes: a default sandbox answers like
// WeChat Pay for a merchant migrating to the public key (spec §14.3).
func TestDefaultSandboxServesBothModes(t *testing.T) {
	sb := newSandbox(t)
	sb.Handle("GET /v3/test/ping", func(*sandbox.Call) sandbox.Reply { return sandbox.JSON(200, map[string]string{"pong": "1"}) })
	cert := utils.GetCertificateSerialNumber(*sb.PlatformCertificate())

	// CertificateClient works on a default sandbox.
	cc, err := sb.CertificateClient()
	require.NoError(t, err)
	assert.Equal(t, cert, answerSerial(t, cc, "/v3/test/ping"))
	require.NoError(t, cc.RefreshCertificates(context.Background()))

	// Client sends the public key ID and gets public-key answers.
	pc, err := sb.Client()
	require.NoError(t, err)
	assert.Equal(t, sb.PublicKeyID, answerSerial(t, pc, "/v3/test/ping"))

	// The header alone decides, for one client trusting both keys.
	both, err := sb.Client(core.WithHTTPClient(core.DefaultHTTPClient()), core.WithPlatformCertificates(sb.PlatformCertificate()))
	require.NoError(t, err)
	// A client that has a public key sends its ID on every request (issue 10
	// item 18), so its answers are public-key signed unless the request
	// names a serial itself.
	assert.Equal(t, sb.PublicKeyID, answerSerial(t, both, "/v3/test/ping"), "default: the public key ID is sent")
	for _, tc := range []struct{ header, want string }{
		{sb.PublicKeyID, sb.PublicKeyID},
		{"PUB_KEY_ID_0000000000000000000000000001", sb.PublicKeyID},
		{cert, cert},
	} {
		resp, err := both.Do(context.Background(), &core.Request{Method: http.MethodGet, Path: "/v3/test/ping",
			Header: http.Header{"Wechatpay-Serial": {tc.header}}}, nil)
		require.NoError(t, err)
		assert.Equal(t, tc.want, resp.Header.Get("Wechatpay-Serial"), "request serial %s", tc.header)
	}

	// SignatureHeaders signs for Client(); SignatureHeadersFor follows a request.
	assert.Equal(t, sb.PublicKeyID, sb.SignatureHeaders([]byte("{}"), time.Now()).Get("Wechatpay-Serial"))
	r, _ := http.NewRequest(http.MethodGet, "/", nil)
	assert.Equal(t, cert, sb.SignatureHeadersFor(r, []byte("{}"), time.Now()).Get("Wechatpay-Serial"))
}

// Callbacks switch to the public key by a configurable share.
func TestCallbackPublicKeyShare(t *testing.T) {
	sb := newSandbox(t)
	cert := utils.GetCertificateSerialNumber(*sb.PlatformCertificate())
	signer := func() string {
		h, _, err := sb.BuildNotification(sandbox.Event{EventType: "PAYSCORE.USER_PAID", Resource: map[string]int{"a": 1}})
		require.NoError(t, err)
		return h.Get("Wechatpay-Serial")
	}
	assert.Equal(t, 100.0, sb.CallbackPublicKeyShare())
	assert.Equal(t, sb.PublicKeyID, signer(), "default: the public key")
	require.NoError(t, sb.SetCallbackPublicKeyShare(0))
	assert.Equal(t, cert, signer())
	require.NoError(t, sb.SetCallbackPublicKeyShare(25))
	got := map[string]int{}
	for range 8 {
		got[signer()]++
	}
	assert.Equal(t, map[string]int{sb.PublicKeyID: 2, cert: 6}, got)
	require.Error(t, sb.SetCallbackPublicKeyShare(101))

	// A certificate-only merchant has no public key to migrate to.
	cs := newSandbox(t, sandbox.WithSigningMode(sandbox.SignWithCertificate))
	require.Error(t, cs.SetCallbackPublicKeyShare(50))
	assert.Zero(t, cs.CallbackPublicKeyShare())
}

// The other modes ignore the request's serial.
func TestSigningModes(t *testing.T) {
	for _, tc := range []struct {
		name   string
		opts   []sandbox.Option
		public bool
	}{
		{"certificate only", []sandbox.Option{sandbox.WithSigningMode(sandbox.SignWithCertificate)}, false},
		{"public key only", []sandbox.Option{sandbox.WithSigningMode(sandbox.SignWithPublicKey)}, true},
		{"no certificates", []sandbox.Option{sandbox.WithoutCertificates()}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sb := newSandbox(t, tc.opts...)
			sb.Handle("GET /v3/test/ping", func(*sandbox.Call) sandbox.Reply { return sandbox.JSON(200, map[string]string{"pong": "1"}) })
			both, err := sb.Client(core.WithHTTPClient(core.DefaultHTTPClient()), core.WithPlatformCertificates(sb.PlatformCertificate()))
			require.NoError(t, err)
			want := utils.GetCertificateSerialNumber(*sb.PlatformCertificate())
			if tc.public {
				want = sb.PublicKeyID
			}
			for _, h := range []string{"", sb.PublicKeyID} {
				resp, err := both.Do(context.Background(), &core.Request{Method: http.MethodGet, Path: "/v3/test/ping", WechatpaySerial: h}, nil)
				require.NoError(t, err)
				assert.Equal(t, want, resp.Header.Get("Wechatpay-Serial"))
			}
			h, _, err := sb.BuildNotification(sandbox.Event{EventType: "X.Y", Resource: 1})
			require.NoError(t, err)
			assert.Equal(t, want, h.Get("Wechatpay-Serial"))
		})
	}
}

// A rotation already in progress is not started again: RotateCertificate
// and the admin API's POST /sandbox/certificates/rotate return the pending
// certificate (the admin answer says "started": false) with its own
// milestones, issue no third certificate and leave the gray release as it
// is, even when called concurrently. Once the old certificate expired, the
// next call starts the next rotation.
func TestRotatingTwiceReturnsThePendingCertificate(t *testing.T) {
	sb := newSandbox(t, sandbox.WithClock(fixedClock))
	first, err := sb.RotateCertificate()
	require.NoError(t, err)
	m, ok := sb.RotationMilestones()
	require.True(t, ok)
	require.Equal(t, utils.GetCertificateSerialNumber(*first), m.Serial)
	sb.AdvanceTo(m.Listed)
	require.NoError(t, sb.SetCertificateGrayRelease(30))

	again, err := sb.RotateCertificate()
	require.NoError(t, err)
	require.True(t, first.Equal(again), "the pending certificate, not a new one")
	require.Len(t, sb.Certificates(), 2)
	require.Equal(t, 30.0, sb.CertificateGrayRelease(), "the release in progress is kept")
	m2, ok := sb.RotationMilestones()
	require.True(t, ok)
	require.Equal(t, m, m2)

	// The admin API agrees: the answer shows the pending certificate's
	// serial and dates, and says nothing was started.
	out := adminOK(t, sb.URL, "POST", "/sandbox/certificates/rotate", "")
	assert.Equal(t, false, out["started"])
	rot := out["rotation"].(map[string]any)
	assert.Equal(t, m.Serial, rot["serial_no"])
	for name, want := range map[string]time.Time{"generated": m.Generated, "listed": m.Listed, "old_expires": m.Expiry} {
		got, err := time.Parse(time.RFC3339, rot[name].(string))
		require.NoError(t, err, name)
		assert.True(t, want.Equal(got), "%s: %v, want %v", name, got, want)
	}
	assert.Len(t, out["certificates"], 2)

	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := sb.RotateCertificate()
			assert.NoError(t, err)
			assert.True(t, first.Equal(c))
		}()
	}
	wg.Wait()
	require.Len(t, sb.Certificates(), 2)

	// After T the old certificate is gone: the next rotation starts, away
	// from the certificate the first one introduced.
	sb.AdvanceTo(m.Expiry)
	_, ok = sb.RotationMilestones()
	require.False(t, ok, "no rotation in progress once the old certificate expired")
	out = adminOK(t, sb.URL, "POST", "/sandbox/certificates/rotate", "")
	assert.Equal(t, true, out["started"])
	m3, ok := sb.RotationMilestones()
	require.True(t, ok)
	assert.NotEqual(t, m.Serial, m3.Serial)
	assert.Equal(t, first.NotAfter, m3.Expiry, "the second rotation replaces the first one's certificate")
	assert.Equal(t, m3.Serial, out["rotation"].(map[string]any)["serial_no"])
	require.Len(t, sb.Certificates(), 3)
}
