package sandbox

import (
	"container/heap"
	"context"
	"sync"
	"time"
)

// The sandbox clock is the WithClock clock (default time.Now) plus an
// offset that Advance and AdvanceTo move. Everything time-dependent reads
// it: signature windows, certificate validity and rotation, order
// expiry, bill availability and download links, and the callback
// redelivery schedule. Clients from Client and CertificateClient run on it
// too.

func (s *Server) now() time.Time { return s.clock().Add(time.Duration(s.offset.Load())) }

// Now returns the sandbox's current time.
func (s *Server) Now() time.Time { return s.now() }

// Advance moves the sandbox clock forward by d and, before returning, runs
// in time order everything that falls due on the way — callback
// redeliveries, each with the clock set to its due time — without
// sleeping (nothing runs once the sandbox is closed). A negative d moves the clock back and runs nothing. It returns
// how many scheduled events ran.
func (s *Server) Advance(d time.Duration) int {
	if d < 0 {
		s.offset.Add(int64(d))
		return 0
	}
	return s.runUntil(func() time.Time { return s.now().Add(d) })
}

// AdvanceTo moves the sandbox clock to t, running what falls due on the
// way as Advance does. A t in the past moves the clock back and runs
// nothing. It returns how many scheduled events ran.
func (s *Server) AdvanceTo(t time.Time) int {
	if d := t.Sub(s.now()); d < 0 {
		s.offset.Add(int64(d))
		return 0
	}
	return s.runUntil(func() time.Time { return t })
}

// runUntil runs every task due up to target (computed once the run lock
// is held, so that concurrent advances add up), moving the clock to each
// task's due time, then to target.
func (s *Server) runUntil(target func() time.Time) int {
	s.sched.runMu.Lock()
	defer s.sched.runMu.Unlock()
	end := target()
	n := 0
	for !s.closed() {
		t := s.sched.popDue(end)
		if t == nil {
			break
		}
		if d := t.at.Sub(s.now()); d > 0 {
			s.offset.Add(int64(d))
		}
		t.run(context.Background())
		n++
	}
	if d := end.Sub(s.now()); d > 0 {
		s.offset.Add(int64(d))
	}
	return n
}

// Pending returns how many scheduled events (callback redeliveries) have
// not run yet, and when the next one is due.
func (s *Server) Pending() (int, time.Time) {
	s.sched.mu.Lock()
	defer s.sched.mu.Unlock()
	if len(s.sched.tasks) == 0 {
		return 0, time.Time{}
	}
	return len(s.sched.tasks), s.sched.tasks[0].at
}

// schedule runs fn when the sandbox clock reaches at: during an Advance
// that passes it, or by the background runner when the clock gets there by
// itself. Products use it for anything WeChat Pay does later on its own.
func (s *Server) schedule(at time.Time, fn func(ctx context.Context)) {
	s.sched.mu.Lock()
	s.sched.seq++
	heap.Push(&s.sched.tasks, &task{at: at, seq: s.sched.seq, run: fn})
	s.sched.mu.Unlock()
	select {
	case s.sched.wake <- struct{}{}:
	default:
	}
}

type task struct {
	at  time.Time
	seq uint64 // ties run in scheduling order
	run func(ctx context.Context)
}

type taskHeap []*task

func (h taskHeap) Len() int { return len(h) }
func (h taskHeap) Less(i, j int) bool {
	if !h[i].at.Equal(h[j].at) {
		return h[i].at.Before(h[j].at)
	}
	return h[i].seq < h[j].seq
}
func (h taskHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *taskHeap) Push(x any)   { *h = append(*h, x.(*task)) }
func (h *taskHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return t
}

// scheduler holds the tasks due on the sandbox clock. runMu serialises
// running them, so that an Advance returns only after everything due has
// run, whoever ran it.
type scheduler struct {
	mu    sync.Mutex
	tasks taskHeap
	seq   uint64

	runMu sync.Mutex
	wake  chan struct{}
	done  chan struct{}
	wg    sync.WaitGroup
}

// popDue removes and returns the earliest task due at or before end.
func (sc *scheduler) popDue(end time.Time) *task {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if len(sc.tasks) == 0 || sc.tasks[0].at.After(end) {
		return nil
	}
	return heap.Pop(&sc.tasks).(*task)
}

// start runs tasks when the sandbox clock reaches them by itself (with the
// default clock, in real time: a standalone sandbox redelivers as WeChat
// Pay does). It wakes at least once a minute, so a clock that is replaced
// or moved under it is noticed.
func (sc *scheduler) start(s *Server) {
	sc.wake = make(chan struct{}, 1)
	sc.done = make(chan struct{})
	sc.wg.Add(1)
	go func() {
		defer sc.wg.Done()
		timer := time.NewTimer(time.Minute)
		defer timer.Stop()
		for {
			wait := time.Minute
			if n, next := s.Pending(); n > 0 {
				wait = min(max(next.Sub(s.now()), 0), time.Minute)
			}
			timer.Reset(wait)
			select {
			case <-sc.done:
				return
			case <-sc.wake: // a task was added: compute the wait again
			case <-timer.C:
				sc.runMu.Lock()
				for t := sc.popDue(s.now()); t != nil; t = sc.popDue(s.now()) {
					t.run(context.Background())
				}
				sc.runMu.Unlock()
			}
		}
	}()
}

// stop ends the background runner; call it once.
func (sc *scheduler) stop() {
	close(sc.done)
	sc.wg.Wait()
}
