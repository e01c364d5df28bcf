package notify

// QueuedRecords returns how many expiry records d holds, stale ones
// included, for tests of its memory bound.
func QueuedRecords(d *MemoryDeduper) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.queuedLocked()
}
