package core

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/wechatpay-apiv3/wechatpay-go/utils"
)

// ErrNoEncryptionKey is returned when no platform key can encrypt sensitive
// fields (no public key and no valid certificate).
var ErrNoEncryptionKey = errors.New("wechatpay: no platform key available to encrypt sensitive fields")

// Encrypter encrypts sensitive request fields to one platform key. Use one
// Encrypter for every field of a request and send its Serial as
// Request.WechatpaySerial, so the server knows which key to decrypt with.
type Encrypter struct {
	key PlatformKey
}

// Encrypter returns an Encrypter for the platform key WeChat Pay expects:
// the WeChat Pay public key when configured, otherwise the newest valid
// platform certificate (downloading certificates first when automatic).
func (c *Client) Encrypter(ctx context.Context) (*Encrypter, error) {
	if c.certs != nil {
		if err := c.certs.ensure(ctx); err != nil {
			return nil, err
		}
	}
	k, ok := c.keys.encryptionKey(c.now())
	if !ok {
		return nil, ErrNoEncryptionKey
	}
	return &Encrypter{key: k}, nil
}

// Serial is the ID of the key the Encrypter uses (PUB_KEY_ID_… or a
// certificate serial): the value of the Wechatpay-Serial request header.
func (e *Encrypter) Serial() string { return e.key.Serial }

// Encrypt encrypts plaintext with RSA-OAEP (SHA-1, MGF1-SHA-1) and returns it
// Base64-encoded. The error never contains the plaintext.
func (e *Encrypter) Encrypt(plaintext string) (string, error) {
	ct, err := utils.EncryptOAEPWithPublicKey(plaintext, e.key.PublicKey)
	if err != nil {
		return "", errors.New("wechatpay: encrypting a sensitive field failed (value too long for RSA-OAEP?)")
	}
	return ct, nil
}

// DecryptSensitive decrypts a response field that WeChat Pay encrypted to the
// merchant's certificate (RSA-OAEP, SHA-1, Base64). The error never contains
// the ciphertext or plaintext.
func (c *Client) DecryptSensitive(ciphertext string) (string, error) {
	pt, err := utils.DecryptOAEP(ciphertext, c.secret.get().mchKey)
	if err != nil {
		return "", errors.New("wechatpay: decrypting a sensitive field with the merchant key failed")
	}
	return pt, nil
}

// ErrNoAPIv3Key is returned by operations that need the APIv3 key when none
// was configured.
var ErrNoAPIv3Key = errors.New("wechatpay: the APIv3 key is not configured (WithAPIv3Key)")

// ErrDecrypt is matched by AEAD_AES_256_GCM decryption failures.
var ErrDecrypt = errors.New("wechatpay: AEAD_AES_256_GCM decryption failed")

// DecryptAEAD decrypts an AEAD_AES_256_GCM resource (notification resources,
// encrypted certificates) with the APIv3 key. ciphertext is Base64 of the
// ciphertext followed by the 16-byte tag.
//
// The AES-GCM cipher is built once per client (crypto/cipher's GCM keeps no
// per-call state, so concurrent calls share it). The ciphertext is decoded
// into the one buffer the plaintext is returned in, decrypted in place; the
// Base64 text, nonce and associated data pass through a pooled buffer that
// is zeroed after the call.
func (c *Client) DecryptAEAD(associatedData, nonce, ciphertext string) ([]byte, error) {
	aead := c.secret.get().aead
	if aead == nil {
		return nil, ErrNoAPIv3Key
	}
	if len(nonce) != aead.NonceSize() {
		return nil, ErrDecrypt
	}
	sc := c.getScratch(len(nonce) + len(associatedData) + len(ciphertext))
	defer c.putScratch(sc)
	sc.b = append(append(append(sc.b, nonce...), associatedData...), ciphertext...)
	nb := sc.b[:len(nonce)]
	ad := sc.b[len(nonce) : len(nonce)+len(associatedData)]
	b64 := sc.b[len(nonce)+len(associatedData):]
	ct := make([]byte, base64.StdEncoding.DecodedLen(len(b64)))
	n, err := base64.StdEncoding.Decode(ct, b64)
	if err != nil {
		return nil, ErrDecrypt
	}
	pt, err := aead.Open(ct[:0], nb, ct[:n], ad)
	if err != nil {
		clear(ct)
		return nil, ErrDecrypt
	}
	return pt[:len(pt):len(pt)], nil
}

// EncryptAEAD is the inverse of DecryptAEAD for a given 32-byte key: it
// returns Base64(ciphertext‖tag). WeChat Pay's side of the protocol; the SDK
// uses it in the sandbox and in test helpers that build notifications.
func EncryptAEAD(apiV3Key, associatedData, nonce string, plaintext []byte) (string, error) {
	if len(apiV3Key) != 32 {
		return "", fmt.Errorf("wechatpay: the APIv3 key must be 32 bytes")
	}
	block, err := aes.NewCipher([]byte(apiV3Key))
	if err != nil {
		return "", err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return "", err
	}
	if len(nonce) != gcm.NonceSize() {
		return "", fmt.Errorf("wechatpay: the AEAD nonce must be %d bytes", gcm.NonceSize())
	}
	return base64.StdEncoding.EncodeToString(gcm.Seal(nil, []byte(nonce), plaintext, []byte(associatedData))), nil
}
