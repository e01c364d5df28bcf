package bill

import (
	"bufio"
	"compress/gzip"
	"context"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/internal/validate"
)

// DefaultMaxFileSize caps the decompressed size of a download (4 GiB) when
// the request sets no MaxSize: a guard for memory and disk against a
// runaway or hostile stream.
const DefaultMaxFileSize int64 = 4 << 30

// What is read from the network is capped too, not only what it produces:
// a stream of empty gzip members produces nothing and would otherwise be
// read until the server stops. The cap is the decompressed cap plus room
// for compression and encryption overhead (gzip adds well under 1 %).
const (
	rawOverheadDivisor       = 64       // + 1/64 of the decompressed cap
	rawOverheadSlack   int64 = 64 << 10 // + 64 KiB
)

// ErrHashMismatch is returned when a downloaded file's SHA-1 differs from
// the hash_value WeChat Pay gave for it: the file is corrupted or was
// tampered with and must not be used.
var ErrHashMismatch = errors.New("bill: downloaded file does not match its hash_value")

// ErrFileTooLarge is returned when a download exceeds its size cap, in
// decompressed bytes or in bytes read from the network.
var ErrFileTooLarge = errors.New("bill: downloaded file exceeds the size limit")

// DownloadRequest says which bill file to fetch and how to check it. Build
// it with FileResponse.DownloadRequest.
type DownloadRequest struct {
	// DownloadURL is the download_url, called exactly as given. Required.
	DownloadURL string
	// HashType is the digest algorithm; "" means SHA1, the only one used.
	HashType HashType
	// HashValue is the hex digest of the decompressed file. Required.
	HashValue string
	// TarType GZIP decompresses the file (ask for it in the apply request).
	TarType TarType
	// MaxSize caps the decompressed size in bytes; 0 means
	// DefaultMaxFileSize. The bytes read from the network are capped at
	// MaxSize plus 1/64 plus 64 KiB.
	MaxSize int64
}

// DownloadResult describes a verified download.
type DownloadResult struct {
	Size       int64    // bytes written (decompressed, decrypted)
	SHA1       string   // hex SHA-1 of everything written
	Files      int      // files downloaded (several for a split encrypted bill)
	RequestIDs []string // Request-ID of each download, for support requests
}

// Download fetches a bill file with a signed GET to its download_url (the
// answer carries no WeChat Pay signature), streams it to w (gunzipped when
// TarType is GZIP) and checks its SHA-1 against HashValue. Memory use does
// not depend on the file size. The download_url's scheme and host must be
// the client's API host (or its backup host): the request is signed, so any
// other URL is refused with core.ErrForeignHost and nothing is sent.
//
// A failure to write to w (a full disk) is reported as a write error, apart
// from failures to read the download.
//
// w receives the data before the check completes: when Download returns an
// error (ErrHashMismatch, ErrFileTooLarge, a transport error) discard what
// was written. DownloadToFile does that for files.
//
// GET {download_url} (/v3/billdownload/file) —
// https://pay.weixin.qq.com/doc/v3/merchant/4012556654
func (s *Service) Download(ctx context.Context, req *DownloadRequest, w io.Writer) (*DownloadResult, error) {
	if err := req.check("bill.Download", w != nil); err != nil {
		return nil, err
	}
	if err := s.c.CheckURL(req.DownloadURL); err != nil {
		return nil, fmt.Errorf("bill: download_url: %w", err)
	}
	res := &DownloadResult{}
	out := newSink(w, req.MaxSize)
	if err := s.fetch(ctx, req.DownloadURL, req.HashValue, req.TarType, nil, out, res); err != nil {
		return nil, err
	}
	res.Size, res.SHA1 = out.n, hex.EncodeToString(out.h.Sum(nil))
	return res, nil
}

// DownloadToFile is Download into the file at path. It writes a temporary
// file in the same directory, verifies it, syncs it and only then renames
// it to path, so path never holds an unverified or partial bill; on error
// the temporary file is removed. The file is created with mode 0600.
//
// An existing file at path is replaced (atomically, by the rename) once the
// new bill is verified; it is left untouched when the download fails. A
// path that is a directory is refused before anything is downloaded. A
// full disk is reported as an error writing the temporary file.
//
// GET {download_url} (/v3/billdownload/file), as Download.
func (s *Service) DownloadToFile(ctx context.Context, req *DownloadRequest, path string) (*DownloadResult, error) {
	if err := req.check("bill.DownloadToFile", path != ""); err != nil {
		return nil, err
	}
	return writeFileAtomically(path, func(w io.Writer) (*DownloadResult, error) { return s.Download(ctx, req, w) })
}

func (r *DownloadRequest) check(op string, target bool) error {
	var v validate.V
	if r == nil {
		v.Add("request", "is required")
		return v.Err(op)
	}
	if v.Required("download_url", r.DownloadURL) {
		v.URL("download_url", r.DownloadURL)
	}
	checkHash(&v, "", r.HashType, r.HashValue)
	if r.TarType != "" {
		validate.OneOf(&v, "tar_type", r.TarType, TarType("").Values())
	}
	v.Check(r.MaxSize >= 0, "max_size", "must not be negative")
	v.Check(target, "destination", "is required")
	return v.Err(op)
}

func checkHash(v *validate.V, prefix string, t HashType, value string) {
	v.Check(t == "" || t == HashTypeSHA1, prefix+"hash_type", "must be SHA1 (the only digest this SDK verifies)")
	if v.Required(prefix+"hash_value", value) {
		_, err := hex.DecodeString(value)
		v.Check(err == nil && len(value) == 2*sha1.Size, prefix+"hash_value", "must be a hex SHA-1 digest")
	}
}

// EncryptedDownloadRequest says which encrypted parts of a sub-merchant
// fund-flow bill to fetch. Build it with
// SubMerchantFundFlowBillResponse.DownloadRequest.
type EncryptedDownloadRequest struct {
	// Count is download_bill_count; when not 0 it must match len(Files).
	Count int
	// Files are the parts, in any order; their BillSequence must run from
	// 1 without gaps. Required.
	Files []EncryptedFile
	// Algorithm is the algorithm of the apply request; "" means
	// AEAD_AES_256_GCM, the only one this SDK decrypts.
	Algorithm Algorithm
	// TarType GZIP decompresses each part after decryption.
	TarType TarType
	// MaxSize caps the joined decompressed size in bytes; 0 means
	// DefaultMaxFileSize.
	MaxSize int64
}

// DownloadEncrypted fetches every part of a sub-merchant fund-flow bill
// with signed GETs, decrypts each part's encrypt_key with the merchant
// private key (RSA-OAEP), decrypts the part (AES-256-GCM with its nonce and
// empty associated data, streamed), gunzips it when TarType is GZIP, checks
// its SHA-1 against its hash_value and writes the parts to w in
// bill_sequence order, joined into one bill. Memory use does not depend on
// the file size.
//
// As with Download, w receives data before every check completes: discard it
// when an error is returned (ErrDecrypt, ErrHashMismatch, ErrFileTooLarge…),
// or use DownloadEncryptedToFile.
//
// GET {download_url} (/v3/billdownload/file) —
// https://pay.weixin.qq.com/docs/partner/apis/partner-mini-program-payment/get-sub-mch-fund-flow-bill.html
func (s *Service) DownloadEncrypted(ctx context.Context, req *EncryptedDownloadRequest, w io.Writer) (*DownloadResult, error) {
	files, err := req.check("bill.DownloadEncrypted", w != nil)
	if err != nil {
		return nil, err
	}
	// Every part's host is checked before any part is fetched, so that a
	// foreign URL in the list stops the download before anything is sent
	// or written.
	for _, f := range files {
		if err := s.c.CheckURL(f.DownloadURL); err != nil {
			return nil, fmt.Errorf("bill: part %d download_url: %w", f.BillSequence, err)
		}
	}
	res := &DownloadResult{}
	out := newSink(w, req.MaxSize)
	for _, f := range files {
		key, err := s.fileKey(f.EncryptKey)
		if err != nil {
			return nil, fmt.Errorf("bill: part %d: %w", f.BillSequence, err)
		}
		decrypt := func(r io.Reader) (io.Reader, error) { return newGCMReader(r, key, []byte(f.Nonce)) }
		if err := s.fetch(ctx, f.DownloadURL, f.HashValue, req.TarType, decrypt, out, res); err != nil {
			return nil, fmt.Errorf("bill: part %d of %d: %w", f.BillSequence, len(files), err)
		}
	}
	res.Size, res.SHA1 = out.n, hex.EncodeToString(out.h.Sum(nil))
	return res, nil
}

// DownloadEncryptedToFile is DownloadEncrypted into the file at path, with
// the same write-verify-rename guarantee as DownloadToFile (an existing file
// at path is replaced once the new bill is verified).
//
// GET {download_url} (/v3/billdownload/file) for each part, as
// DownloadEncrypted.
func (s *Service) DownloadEncryptedToFile(ctx context.Context, req *EncryptedDownloadRequest, path string) (*DownloadResult, error) {
	if _, err := req.check("bill.DownloadEncryptedToFile", path != ""); err != nil {
		return nil, err
	}
	return writeFileAtomically(path, func(w io.Writer) (*DownloadResult, error) { return s.DownloadEncrypted(ctx, req, w) })
}

// check validates the request and returns the parts in sequence order.
func (r *EncryptedDownloadRequest) check(op string, target bool) ([]EncryptedFile, error) {
	var v validate.V
	if r == nil {
		v.Add("request", "is required")
		return nil, v.Err(op)
	}
	v.Check(r.Algorithm == "" || r.Algorithm == AlgorithmAES256GCM, "algorithm", "must be AEAD_AES_256_GCM (the only algorithm this SDK decrypts)")
	if r.TarType != "" {
		validate.OneOf(&v, "tar_type", r.TarType, TarType("").Values())
	}
	v.Check(r.MaxSize >= 0, "max_size", "must not be negative")
	v.Check(target, "destination", "is required")
	if v.Check(len(r.Files) > 0, "download_bill_list", "is required") {
		v.Check(r.Count == 0 || r.Count == len(r.Files), "download_bill_count", "does not match the number of files in download_bill_list")
	}
	files := slices.Clone(r.Files)
	slices.SortStableFunc(files, func(a, b EncryptedFile) int { return a.BillSequence - b.BillSequence })
	for i, f := range files {
		p := "download_bill_list[" + strconv.Itoa(i) + "]."
		v.Check(f.BillSequence == i+1, p+"bill_sequence", "sequences must run 1, 2, … without gaps or repeats")
		if v.Required(p+"download_url", f.DownloadURL) {
			v.URL(p+"download_url", f.DownloadURL)
		}
		v.Required(p+"encrypt_key", f.EncryptKey)
		v.Required(p+"nonce", f.Nonce)
		checkHash(&v, p, f.HashType, f.HashValue)
	}
	if err := v.Err(op); err != nil {
		return nil, err
	}
	return files, nil
}

// fileKey decrypts a part's encrypt_key with the merchant private key. The
// key is 32 bytes, sent as is, Base64- or hex-encoded.
func (s *Service) fileKey(encrypted string) ([]byte, error) {
	pt, err := s.c.DecryptSensitive(encrypted)
	if err != nil {
		return nil, errors.New("decrypting encrypt_key with the merchant private key failed")
	}
	if len(pt) == 32 {
		return []byte(pt), nil
	}
	if b, err := base64.StdEncoding.DecodeString(pt); err == nil && len(b) == 32 {
		return b, nil
	}
	if b, err := hex.DecodeString(pt); err == nil && len(b) == 32 {
		return b, nil
	}
	return nil, errors.New("the decrypted encrypt_key is not a 32-byte AES-256 key")
}

// sink is the destination of a download: it hashes everything written and
// enforces the size cap.
type sink struct {
	w     io.Writer
	h     hash.Hash
	n     int64
	limit int64
}

func newSink(w io.Writer, limit int64) *sink {
	if limit <= 0 {
		limit = DefaultMaxFileSize
	}
	return &sink{w: w, h: sha1.New(), limit: limit}
}

// fetch downloads one file through decrypt (when not nil) and gunzip (when
// tar is GZIP) into out, and checks its own SHA-1 against want.
func (s *Service) fetch(ctx context.Context, url, want string, tar TarType, decrypt func(io.Reader) (io.Reader, error), out *sink, res *DownloadResult) error {
	hr, err := s.c.Download(ctx, url)
	if err != nil {
		return err
	}
	defer hr.Body.Close()
	rid := core.RequestIDFrom(hr.Header)
	res.Files++
	res.RequestIDs = append(res.RequestIDs, rid)
	where := ""
	if rid != "" {
		where = " [request id " + rid + "]"
	}

	remaining := out.limit - out.n
	raw := &rawCap{r: hr.Body, left: addCapped(remaining, remaining/rawOverheadDivisor+rawOverheadSlack)}
	var r io.Reader = raw
	// core.Download asks for the file unencoded; a server that encodes it
	// anyway is decoded here, above the cap on network bytes.
	switch ce := strings.ToLower(strings.TrimSpace(hr.Header.Get("Content-Encoding"))); ce {
	case "", "identity":
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(r)
		if err != nil {
			if raw.exceeded {
				return fmt.Errorf("%w (%d bytes read from the network)%s", ErrFileTooLarge, raw.read, where)
			}
			return fmt.Errorf("bill: the download's Content-Encoding is gzip but its body is not: %w%s", err, where)
		}
		defer zr.Close()
		r = zr
	default:
		return fmt.Errorf("bill: the download has an unsupported Content-Encoding %.32q%s", ce, where)
	}
	if decrypt != nil {
		if r, err = decrypt(r); err != nil {
			return err
		}
	}
	// TarType GZIP is the file's own format, whatever encoding carried it.
	if tar == TarTypeGzip {
		zr, err := gzip.NewReader(r)
		if err != nil {
			if raw.exceeded {
				return fmt.Errorf("%w (%d bytes read from the network)%s", ErrFileTooLarge, raw.read, where)
			}
			if errors.Is(err, ErrDecrypt) {
				return fmt.Errorf("%w%s", err, where)
			}
			return fmt.Errorf("bill: the file is not gzip-compressed: %w%s", err, where)
		}
		defer zr.Close()
		r = zr
	}
	h := sha1.New()
	dst := &writeErr{w: out.w}
	n, err := io.Copy(io.MultiWriter(h, out.h, dst), io.LimitReader(r, addCapped(remaining, 1)))
	if dst.err != nil {
		return fmt.Errorf("bill: writing the bill: %w%s", dst.err, where)
	}
	if n > remaining {
		return fmt.Errorf("%w (%d bytes)%s", ErrFileTooLarge, out.limit, where)
	}
	out.n += n
	if raw.exceeded {
		return fmt.Errorf("%w (%d bytes read from the network)%s", ErrFileTooLarge, raw.read, where)
	}
	if err != nil {
		return fmt.Errorf("bill: reading the file: %w%s", err, where)
	}
	if got := hex.EncodeToString(h.Sum(nil)); !strings.EqualFold(got, want) {
		return fmt.Errorf("%w: got SHA-1 %s, want %s%s", ErrHashMismatch, got, strings.ToLower(want), where)
	}
	return nil
}

// addCapped returns a+b for non-negative a and b, or math.MaxInt64 when
// the sum does not fit (a MaxSize of math.MaxInt64 means no practical
// limit, not a negative one).
func addCapped(a, b int64) int64 {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

// rawCap caps the bytes read from the network.
type rawCap struct {
	r        io.Reader
	left     int64
	read     int64
	exceeded bool
}

var errRawCap = errors.New("bill: download exceeds the size limit")

func (c *rawCap) Read(p []byte) (int, error) {
	if c.left <= 0 {
		// One byte more tells a stream that ends exactly at the cap from one
		// that goes on.
		var one [1]byte
		n, err := c.r.Read(one[:])
		if n > 0 {
			c.exceeded = true
			return 0, errRawCap
		}
		return 0, err
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	c.read += int64(n)
	return n, err
}

// writeErr remembers the destination's write error, so that a full disk is
// reported as a write failure rather than a read failure.
type writeErr struct {
	w   io.Writer
	err error
}

func (w *writeErr) Write(p []byte) (int, error) {
	n, err := w.w.Write(p)
	if err != nil && w.err == nil {
		w.err = err
	}
	return n, err
}

// writeFileAtomically runs fill on a temporary file next to path and
// renames it to path only when fill succeeded and the data is on disk.
func writeFileAtomically(path string, fill func(io.Writer) (*DownloadResult, error)) (res *DownloadResult, err error) {
	// A directory cannot be replaced by the rename: say so before the
	// download rather than after it.
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return nil, fmt.Errorf("bill: %s is a directory; give the path of the file to write", path)
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".*.partial")
	if err != nil {
		return nil, fmt.Errorf("bill: %w", err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(tmp)
		}
	}()
	bw := bufio.NewWriterSize(f, 256<<10)
	if res, err = fill(bw); err != nil {
		return nil, err
	}
	if err = bw.Flush(); err != nil {
		return nil, fmt.Errorf("bill: writing %s: %w", tmp, err)
	}
	if err = f.Sync(); err != nil {
		return nil, fmt.Errorf("bill: syncing %s: %w", tmp, err)
	}
	if err = f.Close(); err != nil {
		return nil, fmt.Errorf("bill: closing %s: %w", tmp, err)
	}
	if err = os.Rename(tmp, path); err != nil {
		return nil, fmt.Errorf("bill: %w", err)
	}
	return res, nil
}
