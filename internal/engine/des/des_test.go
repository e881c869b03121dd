package des_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dectsim/dectsim/internal/engine/des"
)

var t0 = time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)

// recorder collects event labels in firing order.
type recorder struct{ got []string }

func (r *recorder) ev(label string) func() {
	return func() { r.got = append(r.got, label) }
}

func TestNewStartsAtStart(t *testing.T) {
	s := des.New(t0)
	require.True(t, s.Now().Equal(t0))
	require.Equal(t, t0, s.Start())
	require.Equal(t, 0, s.Pending())
	_, ok := s.NextAt()
	require.False(t, ok)
}

func TestNowKeepsStartLocation(t *testing.T) {
	loc := time.FixedZone("CET", 3600)
	start := time.Date(2024, 3, 1, 10, 0, 0, 0, loc)
	s := des.New(start)
	require.NoError(t, s.Advance(90*time.Minute))
	require.Equal(t, start.Add(90*time.Minute), s.Now())
	require.Equal(t, loc, s.Now().Location())
}

func TestSameInstantEventsRunInSchedulingOrder(t *testing.T) {
	s := des.New(t0)
	var r recorder
	s.After(2*time.Second, r.ev("late"))
	for i := range 5 {
		s.After(time.Second, r.ev(fmt.Sprint("a", i)))
	}
	s.At(t0.Add(time.Second), r.ev("a5"))
	require.NoError(t, s.Advance(3*time.Second))
	require.Equal(t, []string{"a0", "a1", "a2", "a3", "a4", "a5", "late"}, r.got)
}

func TestEventsRunAtTheirScheduledTime(t *testing.T) {
	s := des.New(t0)
	var seen []time.Duration
	for _, d := range []time.Duration{3, 1, 2} {
		s.After(d*time.Millisecond, func() { seen = append(seen, s.Now().Sub(t0)) })
	}
	require.NoError(t, s.Advance(10*time.Millisecond))
	require.Equal(t, []time.Duration{time.Millisecond, 2 * time.Millisecond, 3 * time.Millisecond}, seen)
	require.Equal(t, t0.Add(10*time.Millisecond), s.Now())
}

func TestAdvanceZeroRunsEventsDueNow(t *testing.T) {
	s := des.New(t0)
	var r recorder
	s.After(0, r.ev("now"))
	s.After(time.Nanosecond, r.ev("later"))
	require.NoError(t, s.Advance(0))
	require.Equal(t, []string{"now"}, r.got)
	require.Equal(t, t0, s.Now())
	require.Equal(t, 1, s.Pending())
}

func TestAdvanceRunsEventsAtExactlyTheTarget(t *testing.T) {
	s := des.New(t0)
	var r recorder
	s.After(time.Second, r.ev("edge"))
	s.After(time.Second+time.Nanosecond, r.ev("beyond"))
	require.NoError(t, s.Advance(time.Second))
	require.Equal(t, []string{"edge"}, r.got)
	require.NoError(t, s.Advance(time.Nanosecond))
	require.Equal(t, []string{"edge", "beyond"}, r.got)
}

func TestAdvanceToRunsDueEventsAndSetsNow(t *testing.T) {
	s := des.New(t0)
	var r recorder
	s.At(t0.Add(time.Minute), r.ev("m1"))
	s.At(t0.Add(2*time.Minute), r.ev("m2"))
	target := t0.Add(90 * time.Second)
	require.NoError(t, s.AdvanceTo(target))
	require.Equal(t, []string{"m1"}, r.got)
	require.Equal(t, target, s.Now())
	require.NoError(t, s.AdvanceTo(target), "AdvanceTo(Now()) is allowed")
}

func TestCancelledEventNeverRuns(t *testing.T) {
	s := des.New(t0)
	var r recorder
	s.After(time.Second, r.ev("a"))
	id := s.After(time.Second, r.ev("b"))
	s.After(time.Second, r.ev("c"))
	require.True(t, s.Cancel(id))
	_, err := s.RunUntilIdle(10)
	require.NoError(t, err)
	require.Equal(t, []string{"a", "c"}, r.got)
}

func TestCancelTwiceOrAfterFiringReturnsFalse(t *testing.T) {
	s := des.New(t0)
	fired := s.After(time.Second, func() {})
	cancelled := s.After(time.Second, func() {})
	require.True(t, s.Cancel(cancelled))
	require.False(t, s.Cancel(cancelled))
	require.NoError(t, s.Advance(time.Second))
	require.False(t, s.Cancel(fired))

	// Slots are reused; old IDs must still not cancel the new occupants.
	fresh := s.After(time.Second, func() {})
	require.False(t, s.Cancel(fired))
	require.False(t, s.Cancel(cancelled))
	require.Equal(t, 1, s.Pending())
	require.True(t, s.Cancel(fresh))
}

func TestZeroIDIsNeverIssuedAndNeverCancels(t *testing.T) {
	s := des.New(t0)
	seen := map[des.ID]bool{}
	for i := range 1000 {
		id := s.After(time.Duration(i%7)*time.Millisecond, func() {})
		require.NotZero(t, id)
		require.False(t, seen[id], "ID reused while earlier IDs are still known")
		seen[id] = true
		if i%3 == 0 {
			require.NoError(t, s.Advance(time.Millisecond))
		}
	}
	require.False(t, s.Cancel(0))
	require.False(t, s.Cancel(des.ID(1<<62|12345)), "unknown IDs are not pending")
}

func TestCancelRunningEventReturnsFalse(t *testing.T) {
	s := des.New(t0)
	var id des.ID
	var res []bool
	id = s.After(time.Second, func() { res = append(res, s.Cancel(id)) })
	require.NoError(t, s.Advance(time.Second))
	require.Equal(t, []bool{false}, res)
}

func TestCallbackCanCancelLaterEventAtSameInstant(t *testing.T) {
	s := des.New(t0)
	var r recorder
	var victim des.ID
	s.After(time.Second, func() {
		r.got = append(r.got, "killer")
		require.True(t, s.Cancel(victim))
	})
	victim = s.After(time.Second, r.ev("victim"))
	s.After(time.Second, r.ev("survivor"))
	require.NoError(t, s.Advance(time.Second))
	require.Equal(t, []string{"killer", "survivor"}, r.got)
}

func TestPendingExcludesCancelled(t *testing.T) {
	s := des.New(t0)
	ids := make([]des.ID, 10)
	for i := range ids {
		ids[i] = s.After(time.Duration(i)*time.Second, func() {})
	}
	require.Equal(t, 10, s.Pending())
	for i := 0; i < 10; i += 2 {
		require.True(t, s.Cancel(ids[i]))
	}
	require.Equal(t, 5, s.Pending())
	next, ok := s.NextAt()
	require.True(t, ok)
	require.Equal(t, t0.Add(time.Second), next, "cancelled head must not be reported by NextAt")
	n, err := s.RunUntilIdle(100)
	require.NoError(t, err)
	require.Equal(t, 5, n)
	require.Equal(t, 0, s.Pending())
}

func TestEventScheduledInsideCallbackAtSameInstantRunsInSameAdvance(t *testing.T) {
	s := des.New(t0)
	var r recorder
	s.After(time.Second, func() {
		r.got = append(r.got, "parent")
		s.After(0, r.ev("child"))
		s.At(s.Now(), r.ev("child2"))
	})
	s.After(time.Second, r.ev("sibling"))
	require.NoError(t, s.Advance(time.Second))
	require.Equal(t, []string{"parent", "sibling", "child", "child2"}, r.got)
	require.Equal(t, 0, s.Pending())
}

func TestEventScheduledInsideCallbackWithinWindowRunsInSameAdvance(t *testing.T) {
	s := des.New(t0)
	var r recorder
	s.After(time.Second, func() {
		r.got = append(r.got, "parent")
		s.After(time.Second, r.ev("inside"))
		s.After(5*time.Second, r.ev("outside"))
	})
	require.NoError(t, s.Advance(3*time.Second))
	require.Equal(t, []string{"parent", "inside"}, r.got)
	require.Equal(t, 1, s.Pending())
}

func TestPastScheduleClampedToNow(t *testing.T) {
	s := des.New(t0)
	require.NoError(t, s.Advance(time.Hour))
	var r recorder
	var at []time.Time
	stamp := func(label string) func() {
		return func() { r.got = append(r.got, label); at = append(at, s.Now()) }
	}
	s.At(t0, stamp("past"))
	s.After(-time.Minute, stamp("negative"))
	s.After(time.Minute, func() {
		stamp("parent")()
		s.At(t0, stamp("past-from-callback"))
	})
	next, ok := s.NextAt()
	require.True(t, ok)
	require.Equal(t, t0.Add(time.Hour), next)
	require.NoError(t, s.Advance(time.Minute))
	require.Equal(t, []string{"past", "negative", "parent", "past-from-callback"}, r.got)
	require.Equal(t, []time.Time{
		t0.Add(time.Hour), t0.Add(time.Hour),
		t0.Add(time.Hour + time.Minute), t0.Add(time.Hour + time.Minute),
	}, at)
}

func TestFarFutureScheduleSaturatesInsteadOfWrapping(t *testing.T) {
	s := des.New(t0)
	require.NoError(t, s.Advance(time.Hour))
	ran := false
	s.After(time.Duration(1<<63-1), func() { ran = true })
	require.NoError(t, s.Advance(time.Hour))
	require.False(t, ran, "an overflowing delay must not land in the past")
	next, ok := s.NextAt()
	require.True(t, ok)
	require.True(t, next.After(s.Now()))
}

func TestAdvanceNegativeIsError(t *testing.T) {
	s := des.New(t0)
	ran := false
	s.After(0, func() { ran = true })
	err := s.Advance(-time.Nanosecond)
	require.ErrorIs(t, err, des.ErrBackwards)
	require.False(t, ran, "a refused Advance must not run anything")
	require.Equal(t, t0, s.Now())
}

func TestAdvanceToPastIsError(t *testing.T) {
	s := des.New(t0)
	require.NoError(t, s.Advance(time.Minute))
	err := s.AdvanceTo(t0)
	require.ErrorIs(t, err, des.ErrBackwards)
	require.Equal(t, t0.Add(time.Minute), s.Now())
}

func TestStepRunsNextEventWhereverItIs(t *testing.T) {
	s := des.New(t0)
	var r recorder
	s.After(time.Hour, r.ev("far"))
	s.After(time.Hour, r.ev("far2"))
	require.True(t, s.Step())
	require.Equal(t, []string{"far"}, r.got)
	require.Equal(t, t0.Add(time.Hour), s.Now())
	require.True(t, s.Step())
	require.False(t, s.Step())
	require.Equal(t, t0.Add(time.Hour), s.Now(), "an empty Step leaves time alone")
}

func TestRunUntilIdleDrainsAndCounts(t *testing.T) {
	s := des.New(t0)
	var r recorder
	s.After(time.Second, func() {
		r.got = append(r.got, "a")
		s.After(time.Second, r.ev("b"))
	})
	n, err := s.RunUntilIdle(2)
	require.NoError(t, err, "exactly maxEvents is within budget")
	require.Equal(t, 2, n)
	require.Equal(t, []string{"a", "b"}, r.got)
	require.Equal(t, t0.Add(2*time.Second), s.Now())

	n, err = s.RunUntilIdle(0)
	require.NoError(t, err, "an empty queue is idle whatever the budget")
	require.Zero(t, n)
}

func TestRunUntilIdleBoundStopsPeriodicEvents(t *testing.T) {
	s := des.New(t0)
	ticks := 0
	var tick func()
	tick = func() { ticks++; s.After(10*time.Millisecond, tick) }
	s.After(0, tick)
	n, err := s.RunUntilIdle(100)
	require.ErrorIs(t, err, des.ErrNotIdle)
	require.Contains(t, err.Error(), "ran 100 events")
	require.Equal(t, 100, n)
	require.Equal(t, 100, ticks)
	require.Equal(t, 1, s.Pending())
	require.Equal(t, t0.Add(990*time.Millisecond), s.Now())
}

func TestReentrantAdvanceIsRefused(t *testing.T) {
	s := des.New(t0)
	var errs []error
	var stepped bool
	s.After(time.Second, func() {
		errs = append(errs, s.Advance(time.Second))
		errs = append(errs, s.AdvanceTo(s.Now().Add(time.Second)))
		_, err := s.RunUntilIdle(10)
		errs = append(errs, err)
		stepped = s.Step()
	})
	s.After(1500*time.Millisecond, func() {})
	require.NoError(t, s.Advance(time.Second))
	require.Len(t, errs, 3)
	for _, err := range errs {
		require.ErrorIs(t, err, des.ErrReentrant)
	}
	require.False(t, stepped)
	require.Equal(t, t0.Add(time.Second), s.Now())
	require.Equal(t, 1, s.Pending(), "refused calls must not have run the later event")
}

func TestPanickingCallbackLeavesSimUsable(t *testing.T) {
	s := des.New(t0)
	var r recorder
	s.After(time.Second, func() { panic("boom") })
	s.After(2*time.Second, r.ev("after"))
	require.PanicsWithValue(t, "boom", func() { _ = s.Advance(time.Minute) })
	require.Equal(t, 1, s.Pending(), "the panicking event is consumed")
	require.NoError(t, s.Advance(time.Minute))
	require.Equal(t, []string{"after"}, r.got)
}

func TestNilCallbackPanicsAtScheduleTime(t *testing.T) {
	s := des.New(t0)
	require.Panics(t, func() { s.After(time.Second, nil) })
	require.Equal(t, 0, s.Pending())
}

func TestClockReadsSimulatedTimeExactly(t *testing.T) {
	s := des.New(t0)
	require.NoError(t, s.Advance(time.Minute))
	c := s.Clock()
	require.Equal(t, t0.Add(time.Minute), c.Now(), "a new clock starts at Now()")
	require.Same(t, c, s.Clock(), "the clock is created once")

	var inside []time.Time
	s.After(time.Second, func() { inside = append(inside, c.Now()) })
	s.After(2*time.Second, func() { inside = append(inside, c.Now()) })
	require.NoError(t, s.Advance(5*time.Second))
	require.Equal(t, []time.Time{t0.Add(time.Minute + time.Second), t0.Add(time.Minute + 2*time.Second)}, inside, "inside an event, the event's time")
	require.Equal(t, s.Now(), c.Now())
	require.Equal(t, time.Duration(0), c.Since(s.Now()))
	require.Equal(t, time.Hour, c.Until(s.Now().Add(time.Hour)))

	require.NoError(t, s.AdvanceTo(t0.Add(time.Hour)))
	require.Equal(t, s.Now(), c.Now())

	s.After(time.Hour, func() {})
	require.True(t, s.Step())
	require.Equal(t, t0.Add(2*time.Hour), c.Now())

	s.After(time.Hour, func() {})
	_, err := s.RunUntilIdle(10)
	require.NoError(t, err)
	require.Equal(t, t0.Add(3*time.Hour), c.Now())
}

// TestClockTimersFireInSimulatedTimeInOrder: timers made by code under test
// fire when the Sim passes their time, in time order, each stamped with its
// own time, and not before.
func TestClockTimersFireInSimulatedTimeInOrder(t *testing.T) {
	s := des.New(t0)
	c := s.Clock()
	late := c.Timer(3 * time.Hour)
	early := c.After(time.Hour)
	stopped := c.Timer(2 * time.Hour)
	require.True(t, stopped.Stop())
	fired := make(chan string, 4)
	c.AfterFunc(90*time.Minute, func() { fired <- "func" })

	require.NoError(t, s.Advance(59*time.Minute))
	select {
	case <-early:
		t.Fatal("fired before its time")
	default:
	}
	require.NoError(t, s.Advance(2*time.Hour))
	require.Equal(t, t0.Add(time.Hour), <-early, "stamped with its own time")
	require.Equal(t, "func", <-fired)
	select {
	case <-stopped.C:
		t.Fatal("a stopped timer fired")
	case <-late.C:
		t.Fatal("fired before its time")
	default:
	}
	require.NoError(t, s.Advance(time.Hour))
	require.Equal(t, t0.Add(3*time.Hour), <-late.C)
}

// TestClockSleepWakesWhenTheSimPassesIt: a goroutine sleeping on the clock
// wakes once simulated time, not real time, has passed; a context with a
// timeout on the clock expires the same way.
func TestClockSleepWakesWhenTheSimPassesIt(t *testing.T) {
	s := des.New(t0)
	c := s.Clock()
	ctx, cancel := c.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	woke := make(chan time.Time)
	go func() {
		c.Sleep(time.Hour)
		woke <- c.Now()
	}()
	// Real time passing changes nothing.
	select {
	case <-woke:
		t.Fatal("woke in real time")
	case <-ctx.Done():
		t.Fatal("the context expired in real time")
	case <-time.After(50 * time.Millisecond):
	}
	// The sleeper may register a little after this goroutine moves time,
	// so move in steps until it wakes (an hour of steps at the most).
	for i := 0; ; i++ {
		require.NoError(t, s.Advance(time.Hour))
		select {
		case at := <-woke:
			require.False(t, at.Before(t0.Add(time.Hour)), "woke at %v", at)
			<-ctx.Done()
			require.ErrorIs(t, ctx.Err(), context.DeadlineExceeded)
			return
		case <-time.After(100 * time.Millisecond):
			require.Less(t, i, 50, "the sleeper never woke")
		}
	}
}

// TestClockIsSafeToReadWhileAdvancing: Now from another goroutine while
// the Sim runs events (the race detector checks this in CI).
func TestClockIsSafeToReadWhileAdvancing(t *testing.T) {
	s := des.New(t0)
	c := s.Clock()
	for i := range 1000 {
		s.After(time.Duration(i)*time.Second, func() {})
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		last := t0
		for range 10000 {
			now := c.Now()
			if now.Before(last) {
				panic("the clock went backwards")
			}
			last = now
		}
	}()
	require.NoError(t, s.Advance(time.Hour))
	<-done
}

// scheduler is the surface the property test drives, so the real Sim and the
// reference can run the same script.
type scheduler interface {
	now() int64
	at(t int64, fn func()) int
	cancel(h int) bool
	advance(d int64)
	step() bool
	pending() int
}

type simAdapter struct {
	s   *des.Sim
	ids []des.ID
}

func (a *simAdapter) now() int64 { return int64(a.s.Now().Sub(t0)) }
func (a *simAdapter) at(t int64, fn func()) int {
	a.ids = append(a.ids, a.s.At(t0.Add(time.Duration(t)), fn))
	return len(a.ids) - 1
}
func (a *simAdapter) cancel(h int) bool { return a.s.Cancel(a.ids[h]) }
func (a *simAdapter) advance(d int64) {
	if err := a.s.Advance(time.Duration(d)); err != nil {
		panic(err)
	}
}
func (a *simAdapter) step() bool   { return a.s.Step() }
func (a *simAdapter) pending() int { return a.s.Pending() }

// refSched is the obviously-correct model: a slice kept sorted by
// (time, seq), scanned linearly.
type refSched struct {
	t     int64
	seq   int
	queue []refEvent
	state []int // per handle: 0 pending, 1 fired, 2 cancelled
}

type refEvent struct {
	at  int64
	seq int
	h   int
	fn  func()
}

func (r *refSched) now() int64 { return r.t }
func (r *refSched) at(t int64, fn func()) int {
	t = max(t, r.t)
	h := len(r.state)
	r.state = append(r.state, 0)
	r.queue = append(r.queue, refEvent{at: t, seq: r.seq, h: h, fn: fn})
	r.seq++
	sort.SliceStable(r.queue, func(i, j int) bool {
		a, b := r.queue[i], r.queue[j]
		return a.at < b.at || (a.at == b.at && a.seq < b.seq)
	})
	return h
}
func (r *refSched) cancel(h int) bool {
	if r.state[h] != 0 {
		return false
	}
	for i, e := range r.queue {
		if e.h == h {
			r.queue = append(r.queue[:i], r.queue[i+1:]...)
			r.state[h] = 2
			return true
		}
	}
	panic("pending event missing from reference queue")
}
func (r *refSched) pop() {
	e := r.queue[0]
	r.queue = r.queue[1:]
	r.state[e.h] = 1
	r.t = e.at
	e.fn()
}
func (r *refSched) advance(d int64) {
	target := r.t + d
	for len(r.queue) > 0 && r.queue[0].at <= target {
		r.pop()
	}
	r.t = target
}
func (r *refSched) step() bool {
	if len(r.queue) == 0 {
		return false
	}
	r.pop()
	return true
}
func (r *refSched) pending() int { return len(r.queue) }

// script drives a scheduler with a seeded random mix of schedules (including
// past times and nested schedules from callbacks), cancels of pending, fired
// and cancelled handles, advances and steps, and returns a trace of
// everything observable.
func script(sc scheduler, seed uint64) []string {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	var trace []string
	handles := 0
	var schedule func(label, depth int, t int64)
	schedule = func(label, depth int, t int64) {
		handles++
		sc.at(t, func() {
			trace = append(trace, fmt.Sprintf("fire %d @%d", label, sc.now()))
			if depth >= 4 {
				return
			}
			// Callbacks react deterministically to their label so both
			// schedulers see the same nested work if they agree so far.
			child := label*8 + depth + 1
			switch (uint64(label) * 0x9e3779b97f4a7c15 >> 32) % 5 {
			case 0:
				schedule(child, depth+1, sc.now()) // same instant
			case 1:
				schedule(child, depth+1, sc.now()+int64(label%13)) // near future
			case 2:
				schedule(child, depth+1, sc.now()-5) // in the past: clamped
			case 3:
				h := handles - 1 - label%min(handles, 20)
				trace = append(trace, fmt.Sprintf("cb-cancel %d %v", h, sc.cancel(h)))
			}
		})
	}
	label := 0
	for range 3000 {
		switch op := rng.IntN(10); {
		case op < 5:
			label++
			schedule(label, 0, sc.now()+rng.Int64N(60)-10)
		case op < 7:
			if handles > 0 {
				// Mostly recent handles (likely pending), sometimes any.
				h := handles - 1 - rng.IntN(min(handles, 40))
				if rng.IntN(4) == 0 {
					h = rng.IntN(handles)
				}
				trace = append(trace, fmt.Sprintf("cancel %d %v", h, sc.cancel(h)))
			}
		case op < 9:
			d := rng.Int64N(20)
			sc.advance(d)
			trace = append(trace, fmt.Sprintf("advance %d now=%d", d, sc.now()))
		default:
			trace = append(trace, fmt.Sprintf("step %v now=%d", sc.step(), sc.now()))
		}
		trace = append(trace, fmt.Sprintf("pending %d", sc.pending()))
	}
	for sc.step() {
	}
	trace = append(trace, fmt.Sprintf("end now=%d pending=%d", sc.now(), sc.pending()))
	return trace
}

func TestMatchesSortedSliceReference(t *testing.T) {
	var total traceStats
	for seed := range uint64(20) {
		got := script(&simAdapter{s: des.New(t0)}, seed)
		want := script(&refSched{}, seed)
		require.Equal(t, want, got, "seed %d", seed)
		total.add(got)
	}
	// Guard against a script that silently stops exercising the hard cases.
	require.Greater(t, total.fires, 10000)
	require.Greater(t, total.cancelHit, 500)
	require.Greater(t, total.cancelMiss, 500)
	require.Greater(t, total.callbackCancelHit, 50)
}

type traceStats struct{ fires, cancelHit, cancelMiss, callbackCancelHit int }

func (st *traceStats) add(trace []string) {
	for _, line := range trace {
		switch {
		case strings.HasPrefix(line, "fire "):
			st.fires++
		case strings.HasPrefix(line, "cancel ") && strings.HasSuffix(line, "true"):
			st.cancelHit++
		case strings.HasPrefix(line, "cancel "):
			st.cancelMiss++
		case strings.HasPrefix(line, "cb-cancel ") && strings.HasSuffix(line, "true"):
			st.callbackCancelHit++
		}
	}
}

// TestBudgetStopsARunawayStory: something that reschedules itself every
// millisecond ends with ErrBudget, at the last event run, not in memory
// exhaustion; the Sim stays usable for reads.
func TestBudgetStopsARunawayStory(t *testing.T) {
	s := des.New(t0)
	s.SetBudget(1000)
	var tick func()
	tick = func() { s.After(time.Millisecond, tick) }
	s.After(0, tick)
	err := s.Advance(24 * time.Hour)
	require.ErrorIs(t, err, des.ErrBudget)
	require.Equal(t, uint64(1000), s.Ran())
	require.Equal(t, t0.Add(999*time.Millisecond), s.Now(), "time stops at the last event run")
	require.Contains(t, err.Error(), "1000 events run")
	require.False(t, s.Step())
	_, err = s.RunUntilIdle(10)
	require.ErrorIs(t, err, des.ErrBudget)
	require.ErrorIs(t, s.Advance(time.Second), des.ErrBudget)
}

func TestDefaultBudgetIsFarAboveARealStory(t *testing.T) {
	s := des.New(t0)
	for range 100_000 {
		s.After(time.Second, func() {})
	}
	require.NoError(t, s.Advance(time.Hour))
	require.Equal(t, uint64(100_000), s.Ran())
	s.SetBudget(0)
	require.NoError(t, s.Advance(time.Hour))
}
