package bill

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"io"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/require"
)

func sealGCM(t *testing.T, key, nonce, pt []byte) []byte {
	t.Helper()
	block, err := aes.NewCipher(key)
	require.NoError(t, err)
	aead, err := cipher.NewGCM(block)
	require.NoError(t, err)
	return aead.Seal(nil, nonce, pt, nil)
}

func TestGCMReaderMatchesStandardLibrary(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	nonce := []byte("abcdefghijkl")
	for _, n := range []int{0, 1, 15, 16, 17, 31, 32, 33, 1000, 64<<10 - 1, 64 << 10, 200_003} {
		pt := make([]byte, n)
		_, _ = rand.Read(pt)
		ct := sealGCM(t, key, nonce, pt)
		for name, src := range map[string]io.Reader{
			"whole":   bytes.NewReader(ct),
			"onebyte": iotest.OneByteReader(bytes.NewReader(ct)),
			"half":    iotest.HalfReader(bytes.NewReader(ct)),
		} {
			r, err := newGCMReader(src, key, nonce)
			require.NoError(t, err)
			got, err := io.ReadAll(r)
			require.NoError(t, err, "size %d %s", n, name)
			require.True(t, bytes.Equal(pt, got), "size %d %s", n, name)
		}
	}
}

func TestGCMReaderRejectsTampering(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	nonce := []byte("abcdefghijkl")
	pt := bytes.Repeat([]byte("bill line\n"), 5000)
	ct := sealGCM(t, key, nonce, pt)

	for name, mutate := range map[string]func([]byte) []byte{
		"flipped body": func(b []byte) []byte { b[100] ^= 1; return b },
		"flipped tag":  func(b []byte) []byte { b[len(b)-1] ^= 1; return b },
		"truncated":    func(b []byte) []byte { return b[:len(b)-20] },
		"too short":    func(b []byte) []byte { return b[:10] },
	} {
		r, err := newGCMReader(bytes.NewReader(mutate(bytes.Clone(ct))), key, nonce)
		require.NoError(t, err)
		_, err = io.ReadAll(r)
		require.ErrorIs(t, err, ErrDecrypt, name)
	}
	r, err := newGCMReader(bytes.NewReader(ct), []byte("another key 0123456789abcdefghij"), nonce)
	require.NoError(t, err)
	_, err = io.ReadAll(r)
	require.ErrorIs(t, err, ErrDecrypt)
}

// WeChat Pay's documented sub-merchant bill example carries a 16-character
// nonce ("a8607ef79034c49c"); GCM allows any non-empty nonce length, with a
// GHASH-derived pre-counter block.
func TestGCMReaderAnyNonceLength(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	block, err := aes.NewCipher(key)
	require.NoError(t, err)
	for _, nonce := range []string{"a8607ef79034c49c", "x", "abcdefghijk", "abcdefghijklm", "0123456789abcdef0123456789abcdef01"} {
		aead, err := cipher.NewGCMWithNonceSize(block, len(nonce))
		require.NoError(t, err)
		for _, n := range []int{0, 1, 16, 17, 1000, 200_003} {
			pt := make([]byte, n)
			_, _ = rand.Read(pt)
			ct := aead.Seal(nil, []byte(nonce), pt, nil)
			r, err := newGCMReader(iotest.HalfReader(bytes.NewReader(ct)), key, []byte(nonce))
			require.NoError(t, err)
			got, err := io.ReadAll(r)
			require.NoError(t, err, "nonce %q size %d", nonce, n)
			require.True(t, bytes.Equal(pt, got), "nonce %q size %d", nonce, n)

			ct[len(ct)/2] ^= 1
			r, err = newGCMReader(bytes.NewReader(ct), key, []byte(nonce))
			require.NoError(t, err)
			_, err = io.ReadAll(r)
			require.ErrorIs(t, err, ErrDecrypt, "nonce %q size %d", nonce, n)
		}
	}
	_, err = newGCMReader(bytes.NewReader(nil), key, nil)
	require.Error(t, err)
}

// GCM's counter increments only the low 32 bits (inc32) and wraps; a
// GHASH-derived pre-counter block can start anywhere, so the wrap must not
// carry into the upper 96 bits as a plain 128-bit CTR would.
func TestCTR32WrapsTheLow32Bits(t *testing.T) {
	block, err := aes.NewCipher([]byte("0123456789abcdef0123456789abcdef"))
	require.NoError(t, err)
	var j0 [16]byte
	copy(j0[:], "upper 96 bits")
	for _, low := range []uint32{0xfffffffd, 0xfffffffe, 0xffffffff, 0} {
		binary.BigEndian.PutUint32(j0[12:], low)
		// Reference: one block at a time, inc32 by hand.
		var want []byte
		ctr := j0
		for i := 0; i < 6; i++ {
			binary.BigEndian.PutUint32(ctr[12:], binary.BigEndian.Uint32(ctr[12:])+1)
			ks := make([]byte, 16)
			block.Encrypt(ks, ctr[:])
			want = append(want, ks...)
		}
		c := newCTR32(block, j0)
		got := make([]byte, len(want))
		// Odd-sized pieces cross the wrap inside a call and between calls.
		for off, step := 0, 7; off < len(got); off += step {
			end := min(off+step, len(got))
			c.XORKeyStream(got[off:end], make([]byte, end-off))
		}
		require.Equal(t, want, got, "J0 low 32 bits %#x", low)
	}
}
