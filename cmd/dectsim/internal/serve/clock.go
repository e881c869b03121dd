package serve

import (
	"container/heap"
	"context"
	"fmt"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/dectsim/dectsim/internal/engine/syshook"

	"github.com/dectsim/dectsim/emulator/system"
)

// MaxAdvance bounds one move of the clock: over a year of every system's
// daily fetches is more than one call should wait for.
const MaxAdvance = 400 * 24 * time.Hour

// MaxCollected bounds the events one call reports; the others are counted,
// and the per-system event lists hold them all.
const MaxCollected = 10_000

// Record is one event of one system.
type Record struct {
	M *Member
	E system.Event
}

// Moved is what moving the clock did.
type Moved struct {
	Now    time.Time
	Events []Record
	// Omitted counts the events beyond MaxCollected.
	Omitted int
}

// Collect runs fn (inside Do) and returns the events the systems made
// meanwhile, at most MaxCollected, and how many more there were.
func (w *World) Collect(fn func()) ([]Record, int) {
	var recs []Record
	w.collect, w.dropped = &recs, 0
	defer func() { w.collect = nil }()
	fn()
	return recs, w.dropped
}

// AdvanceTo moves the clock to t (call inside Do), running every event and
// scenario block due by then in time order across systems. t before now
// is an error.
func (w *World) AdvanceTo(t time.Time) (Moved, error) {
	if t.Before(w.now) {
		return Moved{}, fmt.Errorf("%s is before the emulator's time %s: time only goes forward", t.UTC().Format(time.RFC3339), w.now.UTC().Format(time.RFC3339))
	}
	if t.Sub(w.now) > MaxAdvance {
		return Moved{}, fmt.Errorf("%s is more than %s ahead; move the clock in steps of at most that", t.UTC().Format(time.RFC3339), MaxAdvance)
	}
	var mv Moved
	if w.quiet {
		w.runUntil(t)
	} else {
		mv.Events, mv.Omitted = w.Collect(func() { w.runUntil(t) })
	}
	mv.Now = w.now
	if w.real != nil {
		w.real.jumped(w.now)
	}
	return mv, nil
}

// AdvanceWithin is AdvanceTo for a caller that may go away: when ctx
// ends, the clock stops at the time it has reached (every system brought
// there), so a long move asked by a client that gave up does not hold the
// world.
func (w *World) AdvanceWithin(ctx context.Context, t time.Time) (Moved, error) {
	w.ctx = ctx
	defer func() { w.ctx = nil }()
	return w.AdvanceTo(t)
}

// NextDue is when something is next due in any system (call inside Do).
func (w *World) NextDue() (time.Time, bool) {
	if len(w.queue) == 0 {
		return time.Time{}, false
	}
	return w.queue[0].due, true
}

// Settle runs what is due at the current time (call inside Do): what a
// call just set in motion at this instant (a reboot's boot fetch) happens
// before the call answers, as it would on a real system.
func (w *World) Settle() { w.runUntil(w.now) }

// Next moves the clock to the earliest time something is due (an event
// of any system, a scenario block); with nothing due it stays.
func (w *World) Next() (Moved, error) {
	if len(w.queue) == 0 {
		return Moved{Now: w.now}, nil
	}
	return w.AdvanceTo(w.queue[0].due)
}

// runUntil runs what is due by t, earliest first, then brings every system
// to t.
func (w *World) runUntil(t time.Time) {
	for len(w.queue) > 0 && !w.queue[0].due.After(t) {
		if w.ctx != nil && w.ctx.Err() != nil {
			t = w.now // the caller went away: stop where the clock is
			break
		}
		m := w.queue[0]
		if m.due.After(w.now) {
			w.now = m.due
		}
		w.step(m)
	}
	w.now = t
	for _, m := range w.members {
		if m.Err == nil && m.Sys.Now().Before(t) {
			if err := m.Sys.AdvanceTo(t); err != nil {
				w.stop(m, err)
			}
		}
	}
}

// step runs what is due first in one system: its next block, or its
// events at their time.
func (w *World) step(m *Member) {
	block, hasBlock := m.Live.NextBlock()
	var err error
	if hasBlock && !block.After(m.due) {
		err = m.Live.RunBlock()
	} else {
		err = m.Sys.AdvanceTo(m.due)
	}
	if err != nil {
		w.stop(m, err)
		return
	}
	w.refresh(m)
}

// stop takes a system out of the clock's queue: it runs no more.
func (w *World) stop(m *Member, err error) {
	m.Err = err
	if m.heap >= 0 {
		heap.Remove(&w.queue, m.heap)
	}
}

// refresh puts a system back in the clock's queue at the time its next
// event or block is due. Every call that acts on a system (a step, an
// upload, a check-sync) ends with it.
func (w *World) refresh(m *Member) {
	if m.Err != nil {
		return
	}
	at, ok := syshook.Of[system.Event](m.Sys).Sim.NextAt()
	if b, has := m.Live.NextBlock(); has && (!ok || b.Before(at)) {
		at, ok = b, true
	}
	m.due = at
	switch {
	case ok && m.heap >= 0:
		heap.Fix(&w.queue, m.heap)
	case ok:
		heap.Push(&w.queue, m)
	case m.heap >= 0:
		heap.Remove(&w.queue, m.heap)
	}
}

// Refresh is refresh for callers that acted on a system inside Do.
func (w *World) Refresh(m *Member) { w.refresh(m) }

// dueQueue orders systems by when something is next due in them, then by
// their place in the world, so ties break the same way every run.
type dueQueue []*Member

func (q dueQueue) Len() int { return len(q) }
func (q dueQueue) Less(i, j int) bool {
	if !q[i].due.Equal(q[j].due) {
		return q[i].due.Before(q[j].due)
	}
	return q[i].index < q[j].index
}
func (q dueQueue) Swap(i, j int) {
	q[i], q[j] = q[j], q[i]
	q[i].heap, q[j].heap = i, j
}
func (q *dueQueue) Push(x any) {
	m := x.(*Member)
	m.heap = len(*q)
	*q = append(*q, m)
}
func (q *dueQueue) Pop() any {
	old := *q
	m := old[len(old)-1]
	old[len(old)-1] = nil
	*q = old[:len(old)-1]
	m.heap = -1
	return m
}

// realClock moves the world's clock with wall time: sim = base +
// (wall - wallBase) × speed, caught up every tick.
type realClock struct {
	wall     clock.Clock
	speed    float64
	base     time.Time // simulated time at wallBase
	wallBase time.Time
	stopc    chan struct{}
	done     chan struct{}
}

func (w *World) startReal(cfg Config) error {
	if cfg.Speed < 0 || cfg.Speed > MaxSpeed {
		return fmt.Errorf("--speed %g must be above 0 and at most %g", cfg.Speed, float64(MaxSpeed))
	}
	speed := cfg.Speed
	if speed == 0 {
		speed = 1
	}
	wall := cfg.Wall
	if wall == nil {
		wall = clock.New()
	}
	tick := cfg.Tick
	if tick <= 0 {
		tick = 50 * time.Millisecond
	}
	rc := &realClock{wall: wall, speed: speed, stopc: make(chan struct{}), done: make(chan struct{})}
	err := w.Do(context.Background(), func() {
		rc.base, rc.wallBase = w.now, wall.Now()
		w.real = rc
	})
	if err != nil {
		return err
	}
	// The ticker is made before New returns, so wall time that passes
	// from then on is followed.
	go w.follow(rc, wall.Ticker(tick))
	return nil
}

// follow is the real clock's goroutine: each tick it moves the world to
// the time wall time says.
func (w *World) follow(rc *realClock, t *clock.Ticker) {
	defer close(rc.done)
	defer t.Stop()
	for {
		select {
		case <-rc.stopc:
			return
		case <-t.C:
			_ = w.Do(context.Background(), func() {
				target, wallNow := rc.target()
				if target.After(w.now) {
					// A jump past MaxAdvance (a machine that slept) is
					// made in parts.
					// Nobody reads the events of a tick: the streams
					// have them.
					w.quiet = true
					for target.Sub(w.now) > MaxAdvance {
						_, _ = w.AdvanceTo(w.now.Add(MaxAdvance))
					}
					_, _ = w.AdvanceTo(target)
					w.quiet = false
				}
				// Anchored anew each tick, so the elapsed time a tick
				// multiplies stays small whatever the speed.
				if !w.now.Before(target) {
					rc.base, rc.wallBase = w.now, wallNow
				}
			})
		}
	}
}

// target is the simulated time wall time stands for now.
func (rc *realClock) target() (time.Time, time.Time) {
	now := rc.wall.Now()
	return rc.base.Add(time.Duration(float64(now.Sub(rc.wallBase)) * rc.speed)), now
}

// jumped re-anchors the real clock after a move it did not make (an
// advance asked through the API): time goes on from there.
func (rc *realClock) jumped(now time.Time) {
	if t, _ := rc.target(); now.After(t) {
		rc.base, rc.wallBase = now, rc.wall.Now()
	}
}

func (rc *realClock) stop() {
	close(rc.stopc)
	<-rc.done
}

// RealClock reports whether the clock follows wall time and at what pace
// (call inside Do).
func (w *World) RealClock() (bool, float64) {
	if w.real == nil {
		return false, 0
	}
	return true, w.real.speed
}
