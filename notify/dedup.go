package notify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"sync"
	"time"
)

// ClaimStatus is what Deduper.Claim found.
type ClaimStatus int

const (
	// Claimed: this delivery now holds the claim (a lease) and must run the
	// callback, then call Finish (success) or Release (failure) with the
	// token.
	Claimed ClaimStatus = iota + 1
	// InProgress: another delivery holds a live lease. The handler answers a
	// failure status (500, {"code":"FAIL",...}) so WeChat Pay delivers again
	// later — never a 2xx, because the first attempt may still fail.
	InProgress
	// Processed: the notification was already handled; acknowledge (2xx)
	// without running.
	Processed
)

// String returns the name of the status.
func (s ClaimStatus) String() string {
	switch s {
	case Claimed:
		return "Claimed"
	case InProgress:
		return "InProgress"
	case Processed:
		return "Processed"
	default:
		return "ClaimStatus(invalid)"
	}
}

// Deduper is the store behind exactly-once callbacks. Every method must be
// one atomic operation on a shared store (Redis SET NX PX / a Lua script,
// SQL INSERT ... ON CONFLICT, ...), so that any number of deliveries of one
// notification, on any number of instances, run its callback at most once at
// a time and exactly once in the end.
//
// The Handler passes the notification ID as id. A shared store namespaces
// its keys by merchant ID itself (its constructor takes the merchant ID).
// Implementations must be safe for concurrent use.
type Deduper interface {
	// Claim atomically claims id for lease. When it returns Claimed, token
	// identifies this claim (a random value); an expired lease (crashed
	// instance) can be claimed again by anyone. It returns InProgress while
	// another claim's lease is live and Processed once Finish was called.
	Claim(ctx context.Context, id string, lease time.Duration) (status ClaimStatus, token string, err error)
	// Finish marks id as processed (the callback succeeded); the mark is
	// kept long enough to cover WeChat Pay's whole redelivery schedule
	// (spec §13: at least 24h4m; default 72h). When token no longer holds
	// a live claim (its lease expired mid-callback, so another delivery
	// may have run the callback meanwhile), the mark is written all the
	// same, since the callback did run, and Finish returns ErrClaimLost; a
	// mark another delivery already wrote is kept. Finishing twice with
	// one token is harmless.
	Finish(ctx context.Context, id, token string) error
	// Release drops the claim held by token (the callback failed), so the
	// next delivery runs it.
	Release(ctx context.Context, id, token string) error
}

// DefaultProcessedTTL is how long a processed mark is kept by default: 72
// hours, well beyond WeChat Pay's longest redelivery schedule (24h4m for
// payments, refunds and business-circle callbacks; three days of hourly
// retries for pay-score authorizations).
const DefaultProcessedTTL = 72 * time.Hour

// DefaultMemoryDeduperEntries is the default MemoryDeduper.MaxEntries.
const DefaultMemoryDeduperEntries = 1 << 20

// ErrDeduperFull is returned by MemoryDeduper.Claim when it holds
// MaxEntries live entries: it never forgets an unexpired mark to make room,
// so the Handler answers 500 FAIL and WeChat Pay delivers the notification
// again later. Raise MaxEntries or use a shared store.
var ErrDeduperFull = errors.New("notify: MemoryDeduper is full (MaxEntries live entries); raise MaxEntries or use a shared de-duplication store")

// ErrClaimLost is returned by Finish, the notification marked processed
// all the same, when the caller's claim had expired (its lease ran out
// mid-callback, so another delivery may have run the callback too: raise
// the lease), and by MemoryDeduper.Release when the claim was already
// marked processed (redisdedup.Store.Release leaves such a mark alone and
// returns nil). The Handler logs it at Warn; it never changes the answer.
var ErrClaimLost = errors.New("notify: the de-duplication claim is no longer held by this delivery")

// MemoryDeduper is an in-memory Deduper for a single instance. Its zero
// value is ready to use; set the fields before first use.
//
// Every call is O(1) (amortised): entries live in a map, and their expiry
// times in first-in-first-out queues — one per lease duration (a Handler
// uses one) and one for processed marks — each therefore ordered by expiry,
// from whose fronts expired entries are dropped as calls arrive.
// Memory is bounded by MaxEntries: an unexpired entry is never evicted, so
// a full store refuses new claims with ErrDeduperFull (the notification is
// then answered 500 and delivered again) rather than risk running a callback
// twice. Each entry takes roughly 200 bytes plus its ID.
//
// Several instances behind a load balancer need a shared store instead
// (Redis, SQL), since each MemoryDeduper sees only its own deliveries.
type MemoryDeduper struct {
	// TTL is how long a processed mark is kept; 0 means DefaultProcessedTTL.
	// It must cover WeChat Pay's redelivery schedule (spec §13).
	TTL time.Duration
	// MaxEntries caps the live entries (claims and processed marks); 0
	// means DefaultMemoryDeduperEntries.
	MaxEntries int
	// Clock replaces time.Now, for tests.
	Clock func() time.Time

	mu      sync.Mutex
	entries map[string]*memEntry
	leases  map[time.Duration]*fifo // expiry of claims by lease, in claim order
	marks   fifo                    // expiry of processed marks, in finish order
	gen     uint64
}

type memEntry struct {
	token   string
	done    bool
	expires time.Time
	gen     uint64 // matches the queue record that tracks this state
}

type expiry struct {
	id      string
	expires time.Time
	gen     uint64
}

// fifo is a queue of expiry records backed by a slice; popping is O(1)
// and the backing array is compacted once half of it is consumed.
type fifo struct {
	items []expiry
	head  int
}

func (q *fifo) push(e expiry) { q.items = append(q.items, e) }
func (q *fifo) len() int      { return len(q.items) - q.head }
func (q *fifo) front() *expiry {
	if q.head == len(q.items) {
		return nil
	}
	return &q.items[q.head]
}

func (q *fifo) pop() {
	q.items[q.head] = expiry{}
	q.head++
	if q.head == len(q.items) {
		q.items, q.head = q.items[:0], 0
	} else if q.head >= 1024 && q.head*2 >= len(q.items) {
		n := copy(q.items, q.items[q.head:])
		clear(q.items[n:])
		q.items, q.head = q.items[:n], 0
	}
}

func (d *MemoryDeduper) now() time.Time {
	if d.Clock != nil {
		return d.Clock()
	}
	return time.Now()
}

func (d *MemoryDeduper) ttl() time.Duration {
	if d.TTL <= 0 {
		return DefaultProcessedTTL
	}
	return d.TTL
}

func (d *MemoryDeduper) maxEntries() int {
	if d.MaxEntries <= 0 {
		return DefaultMemoryDeduperEntries
	}
	return d.MaxEntries
}

// sweep drops expired records from the fronts of both queues, deleting the
// map entry when the record still describes it. Each record is pushed and
// popped once, so the cost is amortised O(1) per call.
func (d *MemoryDeduper) sweepLocked(now time.Time) {
	d.sweepQueue(&d.marks, now)
	for lease, q := range d.leases {
		if d.sweepQueue(q, now) == 0 {
			delete(d.leases, lease)
		}
	}
}

func (d *MemoryDeduper) sweepQueue(q *fifo, now time.Time) int {
	for e := q.front(); e != nil && !now.Before(e.expires); e = q.front() {
		if cur, ok := d.entries[e.id]; ok && cur.gen == e.gen {
			delete(d.entries, e.id)
		}
		q.pop()
	}
	return q.len()
}

// compactLocked drops the records that no longer describe their entry (it
// was finished, released or claimed again). It runs only when the records
// reach twice MaxEntries and leaves at most one per entry, so its cost is
// amortised O(1) per record pushed.
func (d *MemoryDeduper) compactLocked() {
	keep := func(q *fifo) {
		live := q.items[:0]
		for _, e := range q.items[q.head:] {
			if cur, ok := d.entries[e.id]; ok && cur.gen == e.gen {
				live = append(live, e)
			}
		}
		clear(q.items[len(live):])
		q.items, q.head = live, 0
	}
	keep(&d.marks)
	for lease, q := range d.leases {
		if keep(q); q.len() == 0 {
			delete(d.leases, lease)
		}
	}
}

func (d *MemoryDeduper) queuedLocked() int {
	n := d.marks.len()
	for _, q := range d.leases {
		n += q.len()
	}
	return n
}

// Claim implements Deduper.
func (d *MemoryDeduper) Claim(_ context.Context, id string, lease time.Duration) (ClaimStatus, string, error) {
	if lease <= 0 {
		return 0, "", errors.New("notify: MemoryDeduper.Claim needs a positive lease")
	}
	token, err := newToken()
	if err != nil {
		return 0, "", err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.now()
	d.sweepLocked(now)
	if d.entries == nil {
		d.entries = map[string]*memEntry{}
	}
	if e, ok := d.entries[id]; ok && now.Before(e.expires) {
		if e.done {
			return Processed, "", nil
		}
		return InProgress, "", nil
	}
	// Stale queue records (of leases that were finished or released) count
	// too, so that memory stays bounded whatever the lease lengths; when
	// they pile up they are dropped, so that they never refuse a claim.
	if d.queuedLocked() >= 2*d.maxEntries() {
		d.compactLocked()
	}
	if len(d.entries) >= d.maxEntries() || d.queuedLocked() >= 2*d.maxEntries() {
		return 0, "", ErrDeduperFull
	}
	d.gen++
	e := &memEntry{token: token, expires: now.Add(lease), gen: d.gen}
	d.entries[id] = e
	if d.leases == nil {
		d.leases = map[time.Duration]*fifo{}
	}
	q := d.leases[lease]
	if q == nil {
		q = &fifo{}
		d.leases[lease] = q
	}
	q.push(expiry{id: id, expires: e.expires, gen: e.gen})
	return Claimed, token, nil
}

// Finish implements Deduper: id is marked processed, and ErrClaimLost
// reports that token's lease had expired (the entry is gone, expired, or
// another delivery's) or that another delivery finished it first, whose
// mark is kept.
func (d *MemoryDeduper) Finish(_ context.Context, id, token string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.now()
	e, ok := d.entries[id]
	live := ok && now.Before(e.expires)
	switch {
	case live && e.done && e.token == token:
		return nil // already finished with this token
	case live && e.done:
		return ErrClaimLost // finished by another delivery: its mark stands
	}
	var lost error
	if !live || e.token != token {
		lost = ErrClaimLost
	}
	if d.entries == nil {
		d.entries = map[string]*memEntry{}
	}
	d.gen++
	ne := &memEntry{token: token, done: true, expires: now.Add(d.ttl()), gen: d.gen}
	d.entries[id] = ne
	d.marks.push(expiry{id: id, expires: ne.expires, gen: ne.gen})
	d.sweepLocked(now)
	return lost
}

// Release implements Deduper. Releasing a claim that expired or was taken
// over by another delivery does nothing.
func (d *MemoryDeduper) Release(_ context.Context, id, token string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	e, ok := d.entries[id]
	if !ok || e.token != token {
		return nil
	}
	if e.done {
		return ErrClaimLost
	}
	delete(d.entries, id)
	d.sweepLocked(d.now())
	return nil
}

// Len returns the number of entries held (claims and processed marks,
// including expired ones not yet dropped).
func (d *MemoryDeduper) Len() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.entries)
}

func newToken() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(b[:]), nil
}
