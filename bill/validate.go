package bill

// The download requests' rules live with the download code (download.go);
// Validate is their exported face, without the destination that the
// download methods check besides.

// Validate reports every broken rule of the request (a nil request is one)
// as a *core.ValidationError, or nil: what Download and DownloadToFile check
// before fetching anything, besides their destination. download_url must be
// an absolute http(s) URL, hash_type SHA1 (or empty), hash_value a hex SHA-1
// digest, tar_type GZIP (or empty) and MaxSize not negative.
func (r *DownloadRequest) Validate() error { return r.check("bill.Download", true) }

// Validate reports every broken rule of the request (a nil request is one)
// as a *core.ValidationError, or nil: what DownloadEncrypted and
// DownloadEncryptedToFile check before fetching anything, besides their
// destination. There is at least one part, Count (when set) matches their
// number, their bill_sequence runs 1, 2, … without gaps or repeats, and
// each has an absolute http(s) download_url, an encrypt_key, a nonce and a
// hex SHA-1 hash_value; the algorithm is AEAD_AES_256_GCM (or empty).
func (r *EncryptedDownloadRequest) Validate() error {
	_, err := r.check("bill.DownloadEncrypted", true)
	return err
}
