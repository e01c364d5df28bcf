package core_test

import (
	"context"
	"errors"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
)

func ping(ctx context.Context, c *core.Client) error {
	_, err := c.Do(ctx, &core.Request{Method: "GET", Path: "/v3/test/ping", Idempotent: true}, nil)
	return err
}

func serials(c *core.Client) []string {
	var out []string
	for _, k := range c.PlatformKeys() {
		out = append(out, k.Serial)
	}
	return out
}

// Item 7: after a download the client trusts exactly what WeChat Pay serves
// plus the keys configured by hand; a certificate withdrawn before it
// expires stops being trusted.
func TestTrustFollowsDownloadedCertificates(t *testing.T) {
	clock := newSimClock()
	srv, sb := newCertServer(t, clock)
	first := srv.Newest()
	c := srv.client(t, sb, core.WithPlatformPublicKey(sb.PublicKeyID, sb.PlatformPublicKey))
	require.NoError(t, c.RefreshCertificates(context.Background()))
	assert.ElementsMatch(t, []string{sb.PublicKeyID, serialOf(first)}, serials(c))

	second := srv.Rotate()
	require.NoError(t, ping(context.Background(), c), "the new serial triggers a download")
	assert.ElementsMatch(t, []string{sb.PublicKeyID, serialOf(first), serialOf(second)}, serials(c))

	// WeChat Pay withdraws the first certificate long before it expires.
	srv.Withdraw()
	clock.Advance(2 * time.Minute)
	require.NoError(t, c.RefreshCertificates(context.Background()))
	assert.ElementsMatch(t, []string{sb.PublicKeyID, serialOf(second)}, serials(c), "the withdrawn certificate is no longer trusted; the configured public key stays")
	assert.Zero(t, srv.badAuth.Load())
}

// Item 8: one caller's deadline never fails another caller. The shared
// download runs on its own context; a caller that gives up does not cache
// its context error for the others.
func TestCallerDeadlineDoesNotFailOthers(t *testing.T) {
	clock := newSimClock()
	srv, sb := newCertServer(t, clock)
	release := make(chan struct{})
	srv.block.Store(&release)
	c := srv.client(t, sb)

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- ping(ctx, c) }()
	for srv.downloads.Load() == 0 { // the download has reached the server
		time.Sleep(100 * time.Microsecond)
	}
	cancel() // the first caller's deadline passes mid-download
	err := <-done
	require.ErrorIs(t, err, context.Canceled)

	close(release)
	require.NoError(t, ping(context.Background(), c), "the next caller is not failed by the first caller's deadline")
	assert.EqualValues(t, 1, srv.downloads.Load(), "the shared download went on and was used")

	// A caller with an expired deadline fails alone, at once.
	expired, cancel2 := context.WithTimeout(context.Background(), -time.Second)
	defer cancel2()
	require.ErrorIs(t, ping(expired, c), context.DeadlineExceeded)
	require.NoError(t, ping(context.Background(), c))
}

// Item 8: the shared download's own bound is a context error too, and is not
// cached: the next call downloads again at once. A real failure is reused
// for a minute. The download's deadline passes when the test says so, once
// the download has reached the server, and the minute is the client's
// clock: nothing here races a timer (a 5 ms real bound once expired before
// the request reached a loaded machine's server, and the count was off).
func TestDownloadTimeoutIsNotCachedButRealFailuresAre(t *testing.T) {
	clock := newSimClock()
	srv, sb := newCertServer(t, clock)
	release := make(chan struct{})
	srv.block.Store(&release)
	c := srv.client(t, sb)
	expire, restore := core.ExpireCertDownloads(c)

	done := make(chan error)
	go func() { done <- ping(context.Background(), c) }()
	for srv.downloads.Load() == 0 { // the download has reached the server
		time.Sleep(100 * time.Microsecond)
	}
	expire() // the shared download's own deadline passes
	err := <-done
	require.ErrorIs(t, err, context.DeadlineExceeded, "the shared download timed out")
	srv.block.Store(nil)
	close(release)
	restore()
	require.NoError(t, ping(context.Background(), c), "a timed-out download is not cached")
	assert.EqualValues(t, 2, srv.downloads.Load())

	// A real failure (a bad APIv3 key cannot decrypt) is cached for a minute.
	bad := srv.client(t, sb, core.WithAPIv3Key("ffffffffffffffffffffffffffffffff"))
	for range 3 {
		err := ping(context.Background(), bad)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "wrong APIv3 key")
	}
	assert.EqualValues(t, 3, srv.downloads.Load(), "one download for three calls within the minute")
	clock.Advance(time.Minute)
	require.Error(t, ping(context.Background(), bad))
	assert.EqualValues(t, 4, srv.downloads.Load(), "retried after a minute")
}

// Item 9: under concurrent calls with a certificate rotation every simulated
// minute, no call fails with ErrUnknownSerial: a caller that saw a new
// serial waits for a download that started after it looked, never settling
// for one that started before the certificate existed. Every rotation is
// followed by a second one that happens while the download it triggered is
// in flight, so callers do meet a serial that download lacks.
//
// The default size keeps the test under a second or two; set
// WECHATPAY_CERT_STRESS_CALLS (calls per goroutine, e.g. 500) for the size
// the issue measured.
//
// Each rotation moves the simulated clock by rotationStep (the issue's
// stress used a minute). With a minute, and another when the download in
// flight rotates again, a call descheduled across three rotations on a
// loaded machine saw its answer's Wechatpay-Timestamp five simulated
// minutes old and failed as stale, which is right for the client and an
// artefact of the clock jumping; nothing in the refresh logic this test
// measures depends on the step.
const rotationStep = 10 * time.Second

func TestRotationStressNoUnknownSerial(t *testing.T) {
	const workers = 64
	perWorker := 12
	if raceEnabled {
		perWorker = 4
	}
	if v, err := strconv.Atoi(os.Getenv("WECHATPAY_CERT_STRESS_CALLS")); err == nil && v > 0 {
		perWorker = v
	}
	const rotateEvery = 64 // calls between rotations (one simulated minute)

	clock := newSimClock()
	srv, sb := newCertServer(t, clock)
	// WeChat Pay serves an old certificate for months after its successor
	// appears; here the last 16 stay served, so that a slow caller's answer
	// is never signed by a certificate already withdrawn.
	srv.keep = 16
	c := srv.client(t, sb)
	require.NoError(t, c.RefreshCertificates(context.Background()))

	var calls, unknown, other atomic.Int64
	var rotMu sync.Mutex
	var firstErr atomic.Value
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range perWorker {
				if n := calls.Add(1); n%rotateEvery == 0 {
					rotMu.Lock()
					clock.Advance(rotationStep)
					srv.Rotate()
					srv.armed.Store(true)
					rotMu.Unlock()
				}
				err := ping(context.Background(), c)
				switch {
				case errors.Is(err, core.ErrUnknownSerial):
					unknown.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
				case err != nil:
					other.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
				}
			}
		}()
	}
	wg.Wait()
	total := calls.Load()
	t.Logf("rotation stress: %d goroutines × %d calls = %d calls, %d rotations, %d downloads, %d ErrUnknownSerial, %d other errors",
		workers, perWorker, total, srv.Rotations(), srv.downloads.Load(), unknown.Load(), other.Load())
	assert.Zero(t, unknown.Load(), "calls failed with ErrUnknownSerial: %v", firstErr.Load())
	assert.Zero(t, other.Load(), "calls failed: %v", firstErr.Load())
	assert.Zero(t, srv.badAuth.Load())
	assert.LessOrEqual(t, len(c.PlatformKeys()), srv.keep, "only what the server serves is trusted")
}
