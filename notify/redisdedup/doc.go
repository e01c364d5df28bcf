// Package redisdedup is a notify.Deduper on Redis, for merchants who run
// several instances of their back end behind one notify URL.
//
// WeChat Pay delivers each callback to whichever instance answers, and
// delivers it again when an answer is late (over 5 s) or is not 200 or 204
// (spec §13). An
// in-memory store only protects one process; this one makes the claim in
// Redis, so that across every instance sharing the Redis deployment a
// notification's callback runs at most once at a time and exactly once in
// the end:
//
//   - Claim is one atomic operation (a Lua script on one key: set-if-absent
//     with a lease, or report what the key holds). The first delivery
//     claims the notification ID and runs the callback; a delivery that finds
//     a live claim is answered with a failure status so WeChat Pay retries
//     later; a delivery that finds the ID finished is acknowledged without
//     running the callback.
//   - A lease that expires (an instance crashed mid-callback) lets the next
//     delivery claim the ID again.
//   - Release (the callback failed) deletes the claim only if the caller's
//     token still holds it (compare-and-delete), so a slow instance never
//     drops a newer claim.
//   - Finish turns the key into a finished mark kept for the retention
//     (default 72 h, longer than every redelivery schedule of spec §13.1,
//     the longest of which spans 24 h 4 min; pay-score authorisation
//     callbacks are repeated hourly for up to 3 days). A callback that
//     outlived its lease is marked finished all the same (it did succeed),
//     and Finish reports notify.ErrClaimLost so the handler can warn.
//
// Like any store on Redis's asynchronous replication, a claim written just
// before a failover to a replica that had not received it can be lost:
// exactly-once then degrades to at-least-once for the notifications in
// flight at that moment.
//
// Keys are "<prefix><merchant ID>:<notification ID>" (prefix
// "wechatpay:notify:" by default), so several merchants can share one Redis.
// Each operation touches exactly one key, so single nodes, Sentinel and
// Cluster deployments all work: New takes a redis.UniversalClient.
//
// # When Redis is unreachable
//
// Store methods return the Redis error, wrapped. The notify.Handler then
// answers the delivery with 500 {"code":"FAIL"} and does not run the
// callback: WeChat Pay delivers it again later, when Redis may be back.
// A merchant who prefers at-least-once to no processing while Redis is down
// gives the handler notify.WithAtLeastOnce(): the callback then runs without
// a claim (and may run twice), and the error is logged.
//
// Set-up:
//
//	rdb := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: []string{"127.0.0.1:6379"}})
//	store, err := redisdedup.New(rdb, client.MerchantID())
//	if err != nil {
//		return err
//	}
//	h, err := notify.NewHandler(client, notify.WithDeduper(store))
//
// Errors a Store returns: Redis errors, wrapped so that errors.Is and
// errors.As see them ("redisdedup: claim: …"); a notification ID that is
// empty or longer than 128 bytes, or a Finish or Release without a claim
// token, refused before Redis is called; notify.ErrClaimLost from Finish
// (see Store.Finish). An error from Claim makes the notify.Handler answer
// 500 FAIL (unless notify.WithAtLeastOnce), so WeChat Pay delivers the
// notification again later; an error from Finish is logged and the answer
// stays 204, since the callback did run.
package redisdedup
