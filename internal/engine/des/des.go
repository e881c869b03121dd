// Package des is a discrete-event core: it owns simulated time and the queue
// of events waiting for it, and knows nothing about what the events mean.
//
// Time moves only when the caller asks (Advance, AdvanceTo, Step,
// RunUntilIdle), so an hour of simulated time costs only the events in it.
// Events run one at a time on the caller's goroutine, ordered by time and,
// within one instant, by the order they were scheduled. There are no
// goroutines, no wall-clock reads and no map iteration on the hot path, so
// the same calls always produce the same firing order.
//
// A Sim is not safe for concurrent use: callers serialise access. Callbacks
// may schedule and cancel events, but may not drive time themselves; such
// re-entrant calls fail with ErrReentrant instead of corrupting the queue.
package des

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// ID names a scheduled event so it can be cancelled. The zero ID is never
// issued, so it can mean "nothing scheduled" in callers' structs.
type ID uint64

// Errors are sentinels so callers can tell misuse (ErrReentrant,
// ErrBackwards) from a simulation that simply never settles (ErrNotIdle).
var (
	// ErrNotIdle reports that RunUntilIdle hit its event budget with work
	// still queued, usually because something periodic keeps rescheduling.
	ErrNotIdle = errors.New("des: queue not idle after event budget")
	// ErrReentrant reports an attempt to drive time from inside a
	// callback, which would interleave two traversals of the queue.
	ErrReentrant = errors.New("des: time driven re-entrantly from inside an event")
	// ErrBackwards reports an attempt to move simulated time into the past,
	// which would break every causal assumption the callers make.
	ErrBackwards = errors.New("des: simulated time cannot move backwards")
	// ErrBudget reports that the Sim has run as many events as its budget
	// allows: a story that keeps scheduling (a retry every millisecond)
	// ends with an error instead of running until memory or patience runs
	// out.
	ErrBudget = errors.New("des: event budget exhausted")
)

// DefaultBudget is the number of events a Sim runs before ErrBudget: far
// above any real story (a Virtual Integrator's 20,000 handsets through a
// year of daily files is about 10 M), far below what exhausts memory.
const DefaultBudget = 50_000_000

// entry is a queued event. It is kept small and pointer-light (only fn) so
// the heap slice moves cheaply and the GC has little to scan.
type entry struct {
	at   int64  // nanoseconds since start
	seq  uint64 // tie-breaker: scheduling order within an instant
	fn   func()
	slot uint32 // index into Sim.slots, which tracks this entry's heap position
}

// slot lets Cancel find an entry in O(1) and remove it in O(log n) without a
// map: IDs carry the slot index and a generation that changes whenever the
// slot is released, so stale IDs (fired or cancelled) are recognised.
type slot struct {
	pos int32  // heap index while pending, -1 while free
	gen uint32 // generation of the current or next occupant; 0 means retired
}

// Sim is a simulated clock plus its event queue. The zero value is not
// usable; use New so the start instant is fixed. Sim has no locks, because
// determinism needs a single driver anyway: callers serialise access.
type Sim struct {
	start   time.Time
	now     int64 // nanoseconds since start
	seq     uint64
	heap    []entry
	slots   []slot
	free    []uint32
	running bool
	clk     *simClock // nil until Clock is called
	ran     uint64    // events run so far
	budget  uint64    // events allowed; see SetBudget
}

// New returns a simulation whose clock reads start until the caller moves it.
// start keeps its location: Now() is always start.Add(elapsed).
func New(start time.Time) *Sim {
	return &Sim{start: start, budget: DefaultBudget}
}

// SetBudget sets how many events the Sim may run in all (0 restores
// DefaultBudget). Once they have run, time-driving calls stop at the last
// event run and return an error wrapping ErrBudget.
func (s *Sim) SetBudget(n uint64) {
	if n == 0 {
		n = DefaultBudget
	}
	s.budget = n
}

// Ran is the number of events run so far.
func (s *Sim) Ran() uint64 { return s.ran }

func (s *Sim) budgetErr() error {
	return fmt.Errorf("%w: %d events run by %v, %d still pending (next at %v)", ErrBudget, s.ran,
		s.Now(), len(s.heap), s.start.Add(time.Duration(s.heap[0].at)))
}

// Now is the current simulated instant. Inside a callback it is the
// callback's scheduled time.
func (s *Sim) Now() time.Time { return s.start.Add(time.Duration(s.now)) }

// Start is the instant given to New, kept so callers can report elapsed
// simulated time without storing it themselves.
func (s *Sim) Start() time.Time { return s.start }

// At schedules fn for instant t. Times in the past are clamped to Now(), so a
// late schedule still runs (after everything already queued for Now()) rather
// than being lost or reordering history. Times beyond roughly 292 years from
// Start saturate.
func (s *Sim) At(t time.Time, fn func()) ID {
	off := int64(t.Sub(s.start)) // Sub saturates rather than overflowing
	if off < s.now {
		off = s.now
	}
	return s.schedule(off, fn)
}

// After schedules fn d after Now(). Negative d is treated as zero for the
// same reason At clamps: the event still runs, just not in the past.
func (s *Sim) After(d time.Duration, fn func()) ID {
	if d < 0 {
		d = 0
	}
	return s.schedule(addSat(s.now, int64(d)), fn)
}

// Cancel removes a pending event. It reports whether the event was still
// pending, so callers can tell a successful cancel from a race they lost
// (the event already fired, or was already cancelled). An event that is
// currently running is no longer pending.
func (s *Sim) Cancel(id ID) bool {
	idx, gen := uint32(id), uint32(id>>32)
	if gen == 0 || uint64(idx) >= uint64(len(s.slots)) {
		return false
	}
	sl := s.slots[idx]
	if sl.gen != gen || sl.pos < 0 {
		return false
	}
	s.removeAt(int(sl.pos))
	s.release(idx)
	return true
}

// Pending counts events that will still run; cancelled events are removed
// eagerly so they never count.
func (s *Sim) Pending() int { return len(s.heap) }

// NextAt reports when the next pending event is due, so callers can jump
// straight to it or decide a simulation has gone quiet.
func (s *Sim) NextAt() (time.Time, bool) {
	if len(s.heap) == 0 {
		return time.Time{}, false
	}
	return s.start.Add(time.Duration(s.heap[0].at)), true
}

// Step runs exactly the next event, however far in the future, and moves
// Now() to its time. It returns false when nothing is queued or when called
// from inside a callback (which would be re-entrant).
func (s *Sim) Step() bool {
	if s.running || len(s.heap) == 0 || s.ran >= s.budget {
		return false
	}
	s.running = true
	defer s.stop()
	s.runNext()
	return true
}

// Advance runs every event due up to Now()+d, in (time, scheduling) order,
// including events those callbacks schedule within the window, then leaves
// Now() at exactly Now()+d. Advance(0) runs whatever is due now.
func (s *Sim) Advance(d time.Duration) error {
	if s.running {
		return ErrReentrant
	}
	if d < 0 {
		return fmt.Errorf("%w: Advance(%v)", ErrBackwards, d)
	}
	return s.advanceTo(addSat(s.now, int64(d)))
}

// AdvanceTo is Advance to an absolute instant, for callers that think in
// wall-clock terms (scenario timestamps) rather than durations.
func (s *Sim) AdvanceTo(t time.Time) error {
	if s.running {
		return ErrReentrant
	}
	off := int64(t.Sub(s.start))
	if off < s.now {
		return fmt.Errorf("%w: AdvanceTo(%v) is before Now() %v", ErrBackwards, t, s.Now())
	}
	return s.advanceTo(off)
}

// RunUntilIdle runs events, moving Now() to each, until the queue is empty,
// and returns how many ran. Periodic events never let the queue drain, so at
// most maxEvents are run; if work remains after that, it returns an error
// wrapping ErrNotIdle. A negative maxEvents is treated as zero.
func (s *Sim) RunUntilIdle(maxEvents int) (int, error) {
	if s.running {
		return 0, ErrReentrant
	}
	s.running = true
	defer s.stop()
	n := 0
	for len(s.heap) > 0 {
		if s.ran >= s.budget {
			return n, s.budgetErr()
		}
		if n >= maxEvents {
			return n, fmt.Errorf("%w: ran %d events, %d still pending (next at %v)",
				ErrNotIdle, n, len(s.heap), s.start.Add(time.Duration(s.heap[0].at)))
		}
		s.runNext()
		n++
	}
	return n, nil
}

func (s *Sim) advanceTo(target int64) error {
	s.running = true
	defer s.stop()
	for len(s.heap) > 0 && s.heap[0].at <= target {
		if s.ran >= s.budget {
			return s.budgetErr()
		}
		s.runNext()
	}
	s.now = target
	if s.clk != nil {
		s.clk.publish(target)
	}
	return nil
}

// stop ends a time-driving call. It runs deferred so a panicking callback
// leaves the Sim usable (the event that panicked has already been removed).
// Timers on Clock fire while the Sim is still marked running, so nothing
// they trigger can drive it re-entrantly.
func (s *Sim) stop() {
	if s.clk != nil {
		s.clk.sync()
	}
	s.running = false
}

// runNext pops the earliest event and runs it. The slot is released before
// the callback so that cancelling the running event reports false.
func (s *Sim) runNext() {
	top := s.heap[0]
	s.removeAt(0)
	s.release(top.slot)
	s.ran++
	s.now = top.at
	if s.clk != nil {
		s.clk.publish(top.at)
	}
	top.fn()
}

func (s *Sim) schedule(at int64, fn func()) ID {
	if fn == nil {
		panic("des: nil event function")
	}
	idx := s.acquire()
	s.seq++
	i := len(s.heap)
	s.heap = append(s.heap, entry{})
	s.up(i, entry{at: at, seq: s.seq, fn: fn, slot: idx})
	return ID(uint64(s.slots[idx].gen)<<32 | uint64(idx))
}

func (s *Sim) acquire() uint32 {
	if n := len(s.free); n > 0 {
		idx := s.free[n-1]
		s.free = s.free[:n-1]
		return idx
	}
	if len(s.slots) >= math.MaxInt32 {
		panic("des: too many pending events")
	}
	s.slots = append(s.slots, slot{pos: -1, gen: 1})
	return uint32(len(s.slots) - 1)
}

// release invalidates every ID issued for the slot. A slot whose generation
// wraps is retired rather than reused, so no ID is ever issued twice.
func (s *Sim) release(idx uint32) {
	sl := &s.slots[idx]
	sl.pos = -1
	sl.gen++
	if sl.gen != 0 {
		s.free = append(s.free, idx)
	}
}

func less(a, b *entry) bool {
	return a.at < b.at || (a.at == b.at && a.seq < b.seq)
}

// removeAt deletes heap[i], filling the hole with the last entry.
func (s *Sim) removeAt(i int) {
	n := len(s.heap) - 1
	last := s.heap[n]
	s.heap[n] = entry{} // drop the fn reference for the GC
	s.heap = s.heap[:n]
	if i == n {
		return
	}
	if i > 0 && less(&last, &s.heap[(i-1)/2]) {
		s.up(i, last)
	} else {
		s.down(i, last)
	}
}

// up places e at hole i and sifts it towards the root, moving parents down
// rather than swapping so each level costs one copy.
func (s *Sim) up(i int, e entry) {
	h := s.heap
	for i > 0 {
		p := (i - 1) / 2
		if !less(&e, &h[p]) {
			break
		}
		h[i] = h[p]
		s.slots[h[i].slot].pos = int32(i)
		i = p
	}
	h[i] = e
	s.slots[e.slot].pos = int32(i)
}

// down places e at hole i and sifts it towards the leaves.
func (s *Sim) down(i int, e entry) {
	h := s.heap
	n := len(h)
	for {
		c := 2*i + 1
		if c >= n {
			break
		}
		if r := c + 1; r < n && less(&h[r], &h[c]) {
			c = r
		}
		if !less(&h[c], &e) {
			break
		}
		h[i] = h[c]
		s.slots[h[i].slot].pos = int32(i)
		i = c
	}
	h[i] = e
	s.slots[e.slot].pos = int32(i)
}

// addSat adds without wrapping, so absurdly long delays park events at the
// end of time instead of in the past.
func addSat(a, b int64) int64 {
	if b > 0 && a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}
