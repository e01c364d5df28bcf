package redisdedup

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/wechatpay-biz/wechatpay-biz-go/notify"
)

// DefaultKeyPrefix starts every key the store writes.
const DefaultKeyPrefix = "wechatpay:notify:"

// DefaultRetention is how long a finished mark is kept: 72 hours, longer
// than WeChat Pay's whole redelivery schedule for every event (spec §13.1).
const DefaultRetention = 72 * time.Hour

// MinRetention is the shortest retention New accepts: the 24 h 4 min span of
// the longest documented payment and refund schedule.
const MinRetention = 24*time.Hour + 4*time.Minute

// maxIDLength bounds a notification ID used in a key (WeChat Pay's are 32
// or 36 characters).
const maxIDLength = 128

// Store is a notify.Deduper on Redis. Build it with New; it is safe for
// concurrent use by any number of handlers and processes.
type Store struct {
	rdb       redis.UniversalClient
	prefix    string // DefaultKeyPrefix + merchant ID + ":"
	retention time.Duration
}

var _ notify.Deduper = (*Store)(nil)

// Option configures a Store.
type Option func(*Store) error

// WithKeyPrefix replaces DefaultKeyPrefix (for example to share a Redis
// deployment between environments: "staging:wechatpay:notify:"). The
// merchant ID still follows it.
func WithKeyPrefix(prefix string) Option {
	return func(s *Store) error {
		if prefix == "" {
			return errors.New("redisdedup: empty key prefix")
		}
		s.prefix = prefix
		return nil
	}
}

// WithRetention sets how long a finished notification is remembered. It
// must be at least MinRetention, so that a redelivery is never processed
// twice for lack of memory.
func WithRetention(d time.Duration) Option {
	return func(s *Store) error {
		if d < MinRetention {
			return fmt.Errorf("redisdedup: retention %v is shorter than WeChat Pay's redelivery schedule (%v)", d, MinRetention)
		}
		s.retention = d
		return nil
	}
}

// New returns a Store keeping its keys in rdb (a single node, Sentinel or
// Cluster client) under the merchant ID mchID, the merchant whose
// notifications the handler receives (core.Client.MerchantID).
func New(rdb redis.UniversalClient, mchID string, opts ...Option) (*Store, error) {
	if rdb == nil {
		return nil, errors.New("redisdedup: nil Redis client")
	}
	if mchID == "" || strings.ContainsAny(mchID, ":{} \t\r\n") {
		return nil, errors.New("redisdedup: the merchant ID is required and may not contain ':', braces or spaces")
	}
	s := &Store{rdb: rdb, prefix: DefaultKeyPrefix, retention: DefaultRetention}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(s); err != nil {
			return nil, err
		}
	}
	s.prefix += mchID + ":"
	return s, nil
}

// A key holds "c:" followed by the token of the claim while a delivery
// holds it, and "d:" followed by that token once it is finished ("done",
// the finished mark of earlier versions, still reads as finished).

// claimScript claims KEYS[1] for ARGV[2] milliseconds with value "c:"..ARGV[1]
// when the key is absent (1), or reports a live claim (2) or a finished
// mark (3).
var claimScript = redis.NewScript(`
local v = redis.call('GET', KEYS[1])
if not v then
  redis.call('SET', KEYS[1], 'c:' .. ARGV[1], 'PX', ARGV[2])
  return 1
end
if string.sub(v, 1, 2) == 'd:' or v == 'done' then
  return 3
end
return 2
`)

// finishScript marks KEYS[1] finished by the token ARGV[1] for ARGV[2]
// milliseconds. It returns 1 when the token held the claim (or had already
// finished it), and 0 when it no longer did: the mark is then written
// anyway over an expired or foreign claim, while a mark another delivery
// wrote is kept.
var finishScript = redis.NewScript(`
local v = redis.call('GET', KEYS[1])
if v == 'd:' .. ARGV[1] then
  return 1
end
if v and (string.sub(v, 1, 2) == 'd:' or v == 'done') then
  return 0
end
redis.call('SET', KEYS[1], 'd:' .. ARGV[1], 'PX', ARGV[2])
if v == 'c:' .. ARGV[1] then
  return 1
end
return 0
`)

// releaseScript deletes KEYS[1] if it still holds the claim ARGV[1].
var releaseScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == 'c:' .. ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`)

func (s *Store) key(id string) (string, error) {
	if id == "" || len(id) > maxIDLength {
		return "", errors.New("redisdedup: notification ID is empty or too long")
	}
	return s.prefix + id, nil
}

// Claim implements notify.Deduper: it atomically claims id for lease, or
// reports that another delivery holds it (notify.InProgress) or that it was
// processed (notify.Processed). A lease shorter than a millisecond is
// rounded up to one.
func (s *Store) Claim(ctx context.Context, id string, lease time.Duration) (notify.ClaimStatus, string, error) {
	key, err := s.key(id)
	if err != nil {
		return 0, "", err
	}
	token, err := newToken()
	if err != nil {
		return 0, "", err
	}
	ms := lease.Milliseconds()
	if ms < 1 {
		ms = 1
	}
	res, err := claimScript.Run(ctx, s.rdb, []string{key}, token, ms).Int()
	if err != nil {
		return 0, "", fmt.Errorf("redisdedup: claim: %w", err)
	}
	switch res {
	case 1:
		return notify.Claimed, token, nil
	case 2:
		return notify.InProgress, "", nil
	case 3:
		return notify.Processed, "", nil
	}
	return 0, "", fmt.Errorf("redisdedup: claim: unexpected script result %d", res)
}

// Finish implements notify.Deduper: it records id as processed for the
// retention, in one atomic script. The mark is written even when the lease
// had expired meanwhile (the callback did succeed), so later deliveries are
// acknowledged; Finish then returns notify.ErrClaimLost, since another
// delivery may have run the callback too. A mark another delivery wrote is
// kept (also notify.ErrClaimLost).
func (s *Store) Finish(ctx context.Context, id, token string) error {
	key, err := s.key(id)
	if err != nil {
		return err
	}
	if token == "" {
		return errors.New("redisdedup: finish without a claim token")
	}
	held, err := finishScript.Run(ctx, s.rdb, []string{key}, token, s.retention.Milliseconds()).Int()
	if err != nil {
		return fmt.Errorf("redisdedup: finish: %w", err)
	}
	if held != 1 {
		return notify.ErrClaimLost
	}
	return nil
}

// Release implements notify.Deduper: it drops the claim held by token (the
// callback failed) so that the next delivery runs the callback. A claim that
// has since expired or passed to another delivery is left alone.
func (s *Store) Release(ctx context.Context, id, token string) error {
	key, err := s.key(id)
	if err != nil {
		return err
	}
	if token == "" {
		return errors.New("redisdedup: release without a claim token")
	}
	if err := releaseScript.Run(ctx, s.rdb, []string{key}, token).Err(); err != nil {
		return fmt.Errorf("redisdedup: release: %w", err)
	}
	return nil
}

func newToken() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("redisdedup: generating a claim token: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}
