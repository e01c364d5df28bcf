package bill

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"io"
)

// ErrDecrypt is returned when an encrypted bill file fails authentication
// (wrong key or nonce, or a corrupted or truncated file).
var ErrDecrypt = errors.New("bill: encrypted bill file failed AES-256-GCM authentication")

// gcmReader decrypts AES-GCM ciphertext (followed by its 16-byte tag) as a
// stream, with memory independent of the file size: the standard library's
// AEAD needs the whole ciphertext in memory, which a bill of several
// gigabytes must not. Plaintext is released before the tag is checked; the
// tag is checked at the end and a mismatch is returned (ErrDecrypt) instead
// of io.EOF, so callers must treat everything read as unverified until Read
// has returned io.EOF. Associated data is empty, as for bill files.
type gcmReader struct {
	src     io.Reader
	ctr     *ctr32
	gh      ghash
	tagMask [16]byte
	buf     []byte
	start   int
	end     int
	clen    uint64
	eof     bool
	err     error
}

const gcmTagSize = 16

// newGCMReader decrypts src with key and nonce. The nonce may have any
// non-empty length, as GCM allows and as WeChat Pay uses: its documented
// example gives a 16-character nonce, where 12 bytes is the common case.
func newGCMReader(src io.Reader, key, nonce []byte) (*gcmReader, error) {
	if len(key) != 32 {
		return nil, errors.New("bill: the file key must be 32 bytes for AEAD_AES_256_GCM")
	}
	if len(nonce) == 0 {
		return nil, errors.New("bill: the file nonce is empty")
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	r := &gcmReader{src: src, buf: make([]byte, 64<<10)}
	var h [16]byte
	block.Encrypt(h[:], h[:])
	r.gh.init(h)
	// J0, the pre-counter block (NIST SP 800-38D 7.1): the nonce and 1 for
	// a 96-bit nonce, otherwise GHASH of the nonce and its length.
	var j0 [16]byte
	if len(nonce) == 12 {
		copy(j0[:], nonce)
		j0[15] = 1
	} else {
		// GHASH(nonce ‖ 0-padding ‖ 0^64 ‖ [len(nonce) in bits]_64): the
		// final length block is what sum(0, len(nonce)) appends.
		var g ghash
		g.init(h)
		g.write(nonce)
		j0 = g.sum(0, uint64(len(nonce)))
	}
	block.Encrypt(r.tagMask[:], j0[:])
	r.ctr = newCTR32(block, j0)
	return r, nil
}

// ctr32 is GCM's counter mode: the keystream of inc32(J0), inc32²(J0), …
// where only the low 32 bits of the counter block count and wrap around.
// cipher.NewCTR carries into all 128 bits instead, so a new stream is
// started at each wrap (after at most 2^32 blocks, or sooner when a
// GHASH-derived J0 starts near the wrap).
type ctr32 struct {
	block cipher.Block
	next  [16]byte // the counter block the current stream started at
	s     cipher.Stream
	left  uint64 // keystream bytes before the low 32 bits wrap
}

func newCTR32(block cipher.Block, j0 [16]byte) *ctr32 {
	c := &ctr32{block: block, next: j0}
	low := binary.BigEndian.Uint32(j0[12:]) + 1 // inc32(J0), wrapping
	c.start(low)
	return c
}

// start begins a stream at the counter block whose low 32 bits are low.
func (c *ctr32) start(low uint32) {
	binary.BigEndian.PutUint32(c.next[12:], low)
	c.s = cipher.NewCTR(c.block, c.next[:])
	c.left = (1<<32 - uint64(low)) * 16
}

func (c *ctr32) XORKeyStream(dst, src []byte) {
	for len(src) > 0 {
		if c.left == 0 {
			c.start(0)
		}
		n := len(src)
		if uint64(n) > c.left {
			n = int(c.left)
		}
		c.s.XORKeyStream(dst[:n], src[:n])
		c.left -= uint64(n)
		dst, src = dst[n:], src[n:]
	}
}

func (r *gcmReader) Read(p []byte) (int, error) {
	for {
		if avail := r.end - r.start - gcmTagSize; avail > 0 && len(p) > 0 {
			n := min(avail, len(p))
			c := r.buf[r.start : r.start+n]
			r.gh.write(c)
			r.ctr.XORKeyStream(p[:n], c)
			r.start += n
			r.clen += uint64(n)
			return n, nil
		}
		if r.err != nil {
			return 0, r.err
		}
		if len(p) == 0 {
			return 0, nil
		}
		if r.eof {
			r.err = r.finish()
			continue
		}
		copy(r.buf, r.buf[r.start:r.end])
		r.end -= r.start
		r.start = 0
		n, err := r.src.Read(r.buf[r.end:])
		r.end += n
		if err == io.EOF {
			r.eof = true
		} else if err != nil {
			r.err = err
		}
	}
}

// finish checks the tag once the source is exhausted.
func (r *gcmReader) finish() error {
	if r.end-r.start != gcmTagSize {
		return ErrDecrypt // shorter than a tag
	}
	tag := r.gh.sum(0, r.clen)
	subtle.XORBytes(tag[:], tag[:], r.tagMask[:])
	if subtle.ConstantTimeCompare(tag[:], r.buf[r.start:r.end]) != 1 {
		return ErrDecrypt
	}
	return io.EOF
}

// ghash is GCM's universal hash over GF(2^128), with a 4-bit table (the
// portable method of NIST SP 800-38D's reference implementations).
type ghash struct {
	table [16]fieldElement
	y     fieldElement
	part  [16]byte
	np    int
}

type fieldElement struct{ low, high uint64 }

func reverse4(i int) int {
	i = ((i << 2) & 0xc) | ((i >> 2) & 0x3)
	return ((i << 1) & 0xa) | ((i >> 1) & 0x5)
}

func (g *ghash) init(h [16]byte) {
	x := fieldElement{binary.BigEndian.Uint64(h[:8]), binary.BigEndian.Uint64(h[8:])}
	g.table[reverse4(1)] = x
	for i := 2; i < 16; i += 2 {
		d := g.table[reverse4(i/2)]
		msb := d.high&1 == 1
		d.high = d.high>>1 | d.low<<63
		d.low >>= 1
		if msb {
			d.low ^= 0xe100000000000000
		}
		g.table[reverse4(i)] = d
		g.table[reverse4(i+1)] = fieldElement{d.low ^ x.low, d.high ^ x.high}
	}
}

var ghashReduction = [16]uint16{
	0x0000, 0x1c20, 0x3840, 0x2460, 0x7080, 0x6ca0, 0x48c0, 0x54e0,
	0xe100, 0xfd20, 0xd940, 0xc560, 0x9180, 0x8da0, 0xa9c0, 0xb5e0,
}

func (g *ghash) mul(y *fieldElement) {
	var z fieldElement
	for i := 0; i < 2; i++ {
		word := y.high
		if i == 1 {
			word = y.low
		}
		for j := 0; j < 64; j += 4 {
			msw := z.high & 0xf
			z.high = z.high>>4 | z.low<<60
			z.low = z.low>>4 ^ uint64(ghashReduction[msw])<<48
			t := &g.table[word&0xf]
			z.low ^= t.low
			z.high ^= t.high
			word >>= 4
		}
	}
	*y = z
}

func (g *ghash) block(b []byte) {
	g.y.low ^= binary.BigEndian.Uint64(b)
	g.y.high ^= binary.BigEndian.Uint64(b[8:])
	g.mul(&g.y)
}

func (g *ghash) write(b []byte) {
	if g.np > 0 {
		n := copy(g.part[g.np:], b)
		g.np += n
		b = b[n:]
		if g.np < 16 {
			return
		}
		g.block(g.part[:])
		g.np = 0
	}
	for len(b) >= 16 {
		g.block(b[:16])
		b = b[16:]
	}
	g.np = copy(g.part[:], b)
}

// sum finishes the hash given the lengths in bytes of the associated data
// and of the ciphertext.
func (g *ghash) sum(aadLen, ctLen uint64) [16]byte {
	if g.np > 0 {
		clear(g.part[g.np:])
		g.block(g.part[:])
		g.np = 0
	}
	g.y.low ^= aadLen * 8
	g.y.high ^= ctLen * 8
	g.mul(&g.y)
	var out [16]byte
	binary.BigEndian.PutUint64(out[:8], g.y.low)
	binary.BigEndian.PutUint64(out[8:], g.y.high)
	return out
}
