package sandboxcmd_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/internal/sandboxcmd"
)

// Credentials land in the -keys directory as new private files: an old
// key file with a wider mode is replaced (never rewritten in place, so the
// key is not readable by others even for a moment), and a symbolic link
// planted under a credential's name is replaced, not followed.
func TestCredentialsAreWrittenPrivatelyAndAtomically(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "keys")
	require.NoError(t, os.Mkdir(dir, 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "apiclient_key.pem"), []byte("old"), 0o644))
	require.NoError(t, os.Chmod(filepath.Join(dir, "apiclient_key.pem"), 0o644))
	elsewhere := filepath.Join(root, "elsewhere.txt")
	require.NoError(t, os.WriteFile(elsewhere, []byte("not yours"), 0o644))
	require.NoError(t, os.Symlink(elsewhere, filepath.Join(dir, sandboxcmd.EnvFile)))

	ctx, cancel := context.WithCancel(context.Background())
	cancel() // write, then stop at once
	require.NoError(t, sandboxcmd.Run(ctx, []string{"-listen", "127.0.0.1:0", "-keys", dir}, io.Discard, io.Discard))

	for name, perm := range map[string]os.FileMode{"apiclient_key.pem": 0o600, sandboxcmd.EnvFile: 0o600, "wechatpay_public_key.pem": 0o644} {
		fi, err := os.Lstat(filepath.Join(dir, name))
		require.NoError(t, err, name)
		assert.True(t, fi.Mode().IsRegular(), "%s is a regular file", name)
		assert.Equal(t, perm, fi.Mode().Perm(), name)
	}
	b, err := os.ReadFile(filepath.Join(dir, "apiclient_key.pem"))
	require.NoError(t, err)
	assert.Contains(t, string(b), "PRIVATE KEY")
	b, err = os.ReadFile(elsewhere)
	require.NoError(t, err)
	assert.Equal(t, "not yours", string(b), "the link's target is untouched")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 5, "no temporary files left")
}

// A -keys directory every user can write to is refused: anyone could swap
// the env file there.
func TestWorldWritableKeysDirIsRefused(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "shared")
	require.NoError(t, os.Mkdir(dir, 0o777))
	require.NoError(t, os.Chmod(dir, 0o777))
	err := sandboxcmd.Run(context.Background(), []string{"-listen", "127.0.0.1:0", "-keys", dir}, io.Discard, io.Discard)
	require.ErrorContains(t, err, "writable by every user")
	_, statErr := os.Stat(filepath.Join(dir, "apiclient_key.pem"))
	assert.True(t, os.IsNotExist(statErr), "no key written")
}

// A -listen without a port says what is wrong with it; an empty -keys is
// not silently the current directory.
func TestListenNeedsHostAndPort(t *testing.T) {
	require.ErrorContains(t, sandboxcmd.Run(context.Background(), []string{"-listen", "127.0.0.1:0", "-keys", ""}, io.Discard, io.Discard), "-keys")
	for _, addr := range []string{"127.0.0.1", "nonsense", "[::1]"} {
		err := sandboxcmd.Run(context.Background(), []string{"-listen", addr, "-keys", t.TempDir()}, io.Discard, io.Discard)
		require.ErrorContains(t, err, "host:port", addr)
	}
}
