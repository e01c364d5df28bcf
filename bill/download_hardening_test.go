package bill_test

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/bill"
	"github.com/wechatpay-biz/wechatpay-biz-go/core"
)

// Item 14: what is read from the network is capped, not only what it
// produces. A stream of empty gzip members produces nothing; the download
// stops after about MaxSize bytes rather than when the server stops.
func TestDownloadCapsCompressedBytes(t *testing.T) {
	e := newEnv(t)
	var empty bytes.Buffer
	zw := gzip.NewWriter(&empty)
	require.NoError(t, zw.Close())
	member := bytes.Repeat(empty.Bytes(), 1024) // ~23 KiB of empty members
	var served atomic.Int64
	var signed atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		signed.Store(signatureOK(e.sb, r, nil))
		w.Header().Set("Request-ID", "endless-gzip")
		for served.Load() < 64<<20 { // the server would go on for 64 MiB
			n, err := w.Write(member)
			served.Add(int64(n))
			if err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	c, err := e.sb.Client(core.WithBaseURL(srv.URL), core.WithRetry(core.NoRetry))
	require.NoError(t, err)
	const maxSize = 1 << 20
	var out bytes.Buffer
	_, err = bill.NewService(c).Download(ctx, &bill.DownloadRequest{
		DownloadURL: srv.URL + "/v3/billdownload/file?token=x", HashValue: strings.Repeat("0", 40), TarType: bill.TarTypeGzip, MaxSize: maxSize,
	}, &out)
	require.ErrorIs(t, err, bill.ErrFileTooLarge)
	assert.Contains(t, err.Error(), "read from the network")
	assert.Contains(t, err.Error(), "endless-gzip")
	assert.True(t, signed.Load(), "the download was a correctly signed GET")
	assert.Zero(t, out.Len())
	assert.Less(t, served.Load(), int64(8<<20), "the client stopped reading long before the server stopped")
}

type fullDisk struct{ n int }

func (d *fullDisk) Write(p []byte) (int, error) {
	if d.n+len(p) > 100 {
		return 0, &os.PathError{Op: "write", Path: "/bills/x.csv", Err: syscall.ENOSPC}
	}
	d.n += len(p)
	return len(p), nil
}

// Item 17: a full disk is a write error, not a read error.
func TestDownloadReportsAFullDiskAsAWriteError(t *testing.T) {
	e := newEnv(t)
	seed(e.sb)
	resp, err := e.svc.TradeBill(ctx, &bill.TradeBillRequest{BillDate: billDay})
	require.NoError(t, err)
	_, err = e.svc.Download(ctx, resp.DownloadRequest(), &fullDisk{})
	require.ErrorIs(t, err, syscall.ENOSPC)
	assert.Contains(t, err.Error(), "writing the bill")
	assert.NotContains(t, err.Error(), "reading")
}

// Item 17: DownloadToFile replaces an existing file once the new bill is
// verified, and leaves it alone when the download fails.
func TestDownloadToFileReplacesAnExistingFile(t *testing.T) {
	e := newEnv(t)
	seed(e.sb)
	dir := t.TempDir()
	path := filepath.Join(dir, "tradebill.csv")
	require.NoError(t, os.WriteFile(path, []byte("old bill"), 0o600))

	resp, err := e.svc.TradeBill(ctx, &bill.TradeBillRequest{BillDate: billDay})
	require.NoError(t, err)
	bad := resp.DownloadRequest()
	bad.HashValue = strings.Repeat("0", 40)
	_, err = e.svc.DownloadToFile(ctx, bad, path)
	require.ErrorIs(t, err, bill.ErrHashMismatch)
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "old bill", string(got), "a failed download leaves the existing file alone")

	resp, err = e.svc.TradeBill(ctx, &bill.TradeBillRequest{BillDate: billDay})
	require.NoError(t, err)
	res, err := e.svc.DownloadToFile(ctx, resp.DownloadRequest(), path)
	require.NoError(t, err)
	got, err = os.ReadFile(path)
	require.NoError(t, err)
	assert.EqualValues(t, res.Size, len(got))
	assert.NotEqual(t, "old bill", string(got), "the verified bill replaced the file")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file is left")
}

// Item 4: a download_url on another host is refused before anything is
// signed, sent or written; for a split bill, before any part is fetched.
func TestDownloadRefusesForeignHosts(t *testing.T) {
	e := newEnv(t)
	seed(e.sb)
	var hits atomic.Int32
	evil := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	defer evil.Close()

	resp, err := e.svc.TradeBill(ctx, &bill.TradeBillRequest{BillDate: billDay})
	require.NoError(t, err)
	req := resp.DownloadRequest()
	req.DownloadURL = strings.Replace(req.DownloadURL, e.sb.URL, evil.URL, 1)
	e.reset()
	_, err = e.svc.Download(ctx, req, io.Discard)
	require.ErrorIs(t, err, core.ErrForeignHost)
	_, err = e.svc.DownloadToFile(ctx, req, filepath.Join(t.TempDir(), "x.csv"))
	require.ErrorIs(t, err, core.ErrForeignHost)

	e.sb.BillSetSplitSize(200) // several encrypted parts
	sub, err := e.svc.SubMerchantFundFlowBill(ctx, &bill.SubMerchantFundFlowBillRequest{
		SubMchID: "1900000200", BillDate: billDay, AccountType: bill.AccountTypeBasic, Algorithm: bill.AlgorithmAES256GCM,
	})
	require.NoError(t, err)
	ereq := sub.DownloadRequest()
	require.Greater(t, len(ereq.Files), 1)
	last := &ereq.Files[len(ereq.Files)-1]
	last.DownloadURL = strings.Replace(last.DownloadURL, e.sb.URL, evil.URL, 1)
	e.reset()
	var out bytes.Buffer
	_, err = e.svc.DownloadEncrypted(ctx, ereq, &out)
	require.ErrorIs(t, err, core.ErrForeignHost)
	assert.Empty(t, e.requests(), "no part was fetched")
	assert.Zero(t, out.Len(), "nothing was written")
	assert.Zero(t, hits.Load(), "nothing reached the other host")
	assert.False(t, errors.Is(err, bill.ErrHashMismatch))
}

// Item 14, the other way in: a server that sends the download with
// Content-Encoding: gzip. net/http would decompress such a body itself,
// below the download's cap on network bytes, and its gzip reader reads
// empty members in one Read for as long as they come. The client asks
// for the file unencoded and decodes a Content-Encoding itself, above
// the cap, so the bytes read stay capped whatever the server does.
func TestDownloadCapsContentEncodedBytes(t *testing.T) {
	e := newEnv(t)
	var empty bytes.Buffer
	zw := gzip.NewWriter(&empty)
	require.NoError(t, zw.Close())
	member := bytes.Repeat(empty.Bytes(), 1024)
	for _, tar := range []bill.TarType{"", bill.TarTypeGzip} {
		var served atomic.Int64
		var acceptEncoding atomic.Value
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			acceptEncoding.Store(r.Header.Get("Accept-Encoding"))
			w.Header().Set("Content-Encoding", "gzip") // whatever the client asked for
			w.Header().Set("Request-ID", "endless-content-encoding")
			for served.Load() < 64<<20 {
				n, err := w.Write(member)
				served.Add(int64(n))
				if err != nil {
					return
				}
			}
		}))
		c, err := e.sb.Client(core.WithBaseURL(srv.URL), core.WithRetry(core.NoRetry))
		require.NoError(t, err)
		_, err = bill.NewService(c).Download(ctx, &bill.DownloadRequest{
			DownloadURL: srv.URL + "/v3/billdownload/file?token=x", HashValue: strings.Repeat("0", 40), TarType: tar, MaxSize: 1 << 20,
		}, io.Discard)
		srv.Close()
		require.ErrorIs(t, err, bill.ErrFileTooLarge, "tar type %q", tar)
		assert.Contains(t, err.Error(), "read from the network")
		assert.Less(t, served.Load(), int64(8<<20), "the client stopped reading long before the server stopped")
		assert.Equal(t, "identity", acceptEncoding.Load())
	}

	// A bill that is sent content-encoded anyway still verifies.
	seed(e.sb)
	resp, err := e.svc.TradeBill(ctx, &bill.TradeBillRequest{BillDate: billDay})
	require.NoError(t, err)
	var plain bytes.Buffer
	_, err = e.svc.Download(ctx, resp.DownloadRequest(), &plain)
	require.NoError(t, err)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		_, _ = zw.Write(plain.Bytes())
		_ = zw.Close()
	}))
	defer srv.Close()
	c, err := e.sb.Client(core.WithBaseURL(srv.URL), core.WithRetry(core.NoRetry))
	require.NoError(t, err)
	req := resp.DownloadRequest()
	req.DownloadURL = srv.URL + "/v3/billdownload/file?token=x"
	var got bytes.Buffer
	res, err := bill.NewService(c).Download(ctx, req, &got)
	require.NoError(t, err)
	assert.Equal(t, plain.String(), got.String())
	assert.EqualValues(t, plain.Len(), res.Size)
}

// A MaxSize of math.MaxInt64 (no practical limit) does not overflow the
// caps derived from it into negative ones that refuse every file.
func TestDownloadWithTheLargestMaxSize(t *testing.T) {
	e := newEnv(t)
	seed(e.sb)
	resp, err := e.svc.TradeBill(ctx, &bill.TradeBillRequest{BillDate: billDay})
	require.NoError(t, err)
	req := resp.DownloadRequest()
	req.MaxSize = math.MaxInt64
	var out bytes.Buffer
	res, err := e.svc.Download(ctx, req, &out)
	require.NoError(t, err)
	assert.EqualValues(t, out.Len(), res.Size)
	assert.NotZero(t, res.Size)
}

// DownloadToFile refuses a directory as its path before downloading
// anything, and leaves nothing behind when the directory of path does not
// exist.
func TestDownloadToFileRefusesADirectory(t *testing.T) {
	e := newEnv(t)
	seed(e.sb)
	dir := t.TempDir()
	resp, err := e.svc.TradeBill(ctx, &bill.TradeBillRequest{BillDate: billDay})
	require.NoError(t, err)
	e.reset()
	for _, p := range []string{dir, dir + string(filepath.Separator)} {
		_, err = e.svc.DownloadToFile(ctx, resp.DownloadRequest(), p)
		require.ErrorContains(t, err, "is a directory")
	}
	assert.Empty(t, e.requests(), "nothing was downloaded")
	_, err = e.svc.DownloadToFile(ctx, resp.DownloadRequest(), filepath.Join(dir, "missing", "x.csv"))
	require.Error(t, err)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries)
}
