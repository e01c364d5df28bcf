package bill

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
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
