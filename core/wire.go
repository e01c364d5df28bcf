package core

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"sync"
)

// The hot path of a call builds the signed message, the Authorization
// header and the verified message in scratch buffers taken from the
// client's pool instead of allocating them per call. Those buffers hold
// request and answer bodies (personal data) for the length of one call
// only: putScratch zeroes every byte used before a buffer goes back to the
// pool, or before it is dropped, so a buffer at rest in the pool is all
// zero.

// maxPooledScratch is the largest buffer kept for reuse; a call with a
// larger body uses a buffer of its own, zeroed and dropped afterwards.
const maxPooledScratch = 64 << 10

// hotPools are a client's pools. They sit behind a pointer so that a Client
// value can be copied.
type hotPools struct {
	scratch  sync.Pool // *scratch, all zero at rest
	encoders sync.Pool // *bodyEncoder, holding no body at rest
	// released, set by tests only, sees what each buffer still holds (its
	// full capacity) as it is given back, kept or not.
	released func(kind string, held []byte)
}

// scratch is a pooled buffer; b[:cap(b)] is all zero when it is in the pool.
type scratch struct{ b []byte }

// getScratch returns an empty buffer with room for at least n bytes.
func (c *Client) getScratch(n int) *scratch {
	var s *scratch
	if c.pools != nil {
		s, _ = c.pools.scratch.Get().(*scratch)
	}
	if s == nil {
		s = &scratch{b: make([]byte, 0, max(n, 1024))}
	}
	if cap(s.b) < n {
		s.b = make([]byte, 0, n)
	}
	return s
}

// putScratch zeroes what s held and returns it to the pool (or drops it when
// it grew too large).
func (c *Client) putScratch(s *scratch) {
	clear(s.b[:cap(s.b)])
	s.b = s.b[:0]
	if c.pools == nil {
		return
	}
	if c.pools.released != nil {
		c.pools.released("scratch", s.b[:cap(s.b)])
	}
	if cap(s.b) <= maxPooledScratch {
		c.pools.scratch.Put(s)
	}
}

// bodyEncoder encodes request bodies as JSON without HTML escaping. Its
// writer keeps the one Write an encoding makes (json.Encoder writes each
// value at once), so the body is copied exactly once, into its own
// allocation; a pooled bodyEncoder holds no body.
type bodyEncoder struct {
	out []byte
	enc *json.Encoder
}

func (e *bodyEncoder) Write(p []byte) (int, error) {
	e.out = append(e.out, p...)
	return len(p), nil
}

// encodeJSON returns v encoded as JSON, without HTML escaping and without
// the newline json.Encoder ends a value with.
func (c *Client) encodeJSON(v any) ([]byte, error) {
	var e *bodyEncoder
	if c.pools != nil {
		e, _ = c.pools.encoders.Get().(*bodyEncoder)
	}
	if e == nil {
		e = &bodyEncoder{}
		e.enc = json.NewEncoder(e)
		e.enc.SetEscapeHTML(false)
	}
	err := e.enc.Encode(v)
	out := bytes.TrimSuffix(e.out, []byte("\n"))
	e.out = nil
	if c.pools != nil {
		if c.pools.released != nil {
			c.pools.released("encoder", e.out)
		}
		c.pools.encoders.Put(e)
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// nonceLen is the length of a request nonce: 32 hexadecimal characters
// (128 random bits), as WeChat Pay's nonce_str allows.
const nonceLen = 32

// appendNonce appends a fresh random nonce_str to b.
func appendNonce(b []byte) ([]byte, error) {
	var raw [nonceLen / 2]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return b, err
	}
	return hex.AppendEncode(b, raw[:]), nil
}

// attempt is what the request of one attempt needs besides the
// http.Request itself, in one allocation: the body's reader and the values
// of the headers sendTo sets (Header.Set allocates a slice per header).
type attempt struct {
	body bytes.Reader
	vals [6]string
	n    int
}

// newAttempt gives hreq the body b with its exact Content-Length, as
// http.NewRequest does for a *bytes.Reader (io.NopCloser around it, so the
// transport still knows the body is in memory and sends it with the
// headers), with GetBody, which the transport calls to resend a request
// that never reached a server.
func newAttempt(hreq *http.Request, b []byte) *attempt {
	a := &attempt{}
	hreq.ContentLength = int64(len(b))
	if len(b) == 0 {
		hreq.Body, hreq.GetBody = http.NoBody, noBody
		return a
	}
	a.body.Reset(b)
	hreq.Body = io.NopCloser(&a.body)
	hreq.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	return a
}

func noBody() (io.ReadCloser, error) { return http.NoBody, nil }

// set sets h[key] to v; key must be in canonical form. Each value slice has
// capacity 1, so Header.Add on it reallocates rather than write into the
// next header's value.
func (a *attempt) set(h http.Header, key, v string) {
	if a.n == len(a.vals) {
		h[key] = []string{v}
		return
	}
	a.vals[a.n] = v
	a.n++
	h[key] = a.vals[a.n-1 : a.n : a.n]
}

// newAEAD returns the AEAD_AES_256_GCM cipher for the APIv3 key, built once
// per client (a cipher.AEAD from crypto/cipher is safe for concurrent use),
// or nil when no valid key is set.
func newAEAD(apiV3Key string) cipher.AEAD {
	if len(apiV3Key) != 32 {
		return nil
	}
	block, err := aes.NewCipher([]byte(apiV3Key))
	if err != nil {
		return nil
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil
	}
	return gcm
}

// secretKeys are a client's keys: the merchant private key (a copy with
// precomputed values) and the AES-GCM cipher of the APIv3 key, or nil (the
// cipher's round keys begin with the key itself).
type secretKeys struct {
	mchKey *rsa.PrivateKey
	aead   cipher.AEAD
}

// sealed hands out the keys to the code that uses them and to nothing that
// prints. A Client's own String, Format and LogValue mask them, but fmt does
// not call those methods on a Client reached through an unexported field
// (a product Service, notify.Handler, a user's struct): it prints the struct
// field by field, and on a verb that does not fit a pointer (%s, %q) it
// follows the pointer and prints what it points to. Whatever the verb and
// depth, fmt, log/slog, encoding/json and reflection-based printers show a
// func as its address at most and never call it, so keys kept only behind
// a func are never printed.
type sealed func() *secretKeys

func seal(k *secretKeys) sealed { return func() *secretKeys { return k } }

// get returns the keys; none (all nil) for a Client that NewClient did not
// build.
func (s sealed) get() *secretKeys {
	if s == nil {
		return &secretKeys{}
	}
	return s()
}
