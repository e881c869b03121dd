package des

// This is the only file that imports github.com/benbjohnson/clock. The
// module is archived and its Mock sleeps a real millisecond on every Set or
// Add, so the simulation never runs on it: the clock handed out here reads
// simulated time directly, and a Mock exists only once code asks it for a
// timer, as the registry that gives clock.Timer and clock.Ticker values
// their Stop and Reset (their fields are the clock package's own).

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/benbjohnson/clock"
)

// simClock is simulated time as a clock.Clock.
type simClock struct {
	s   *Sim
	now atomic.Int64 // Sim.now as published by the driving goroutine

	hasMock atomic.Bool // spares each Advance the lock until a timer exists
	mu      sync.Mutex
	mock    *clock.Mock // timer registry; nil until the first timer
}

// Clock returns simulated time as a clock.Clock, for code under test that
// takes one. It may be used from any goroutine.
//
// Now, Since and Until read simulated time directly: taking the clock
// costs Advance one atomic store per event (BenchmarkAdvanceWithClock:
// about 1.1 times the time without the clock). Timers, tickers, Sleep and
// contexts with a deadline are registered on a github.com/benbjohnson/clock
// Mock kept at simulated time: each Advance, AdvanceTo or Step that passes
// their time fires them when it returns, in the order of their times, each
// stamped with its own time; AfterFunc functions run in their own
// goroutine, as with time.AfterFunc. Once a timer has been made, each call
// that moves time costs the Mock's real millisecond.
func (s *Sim) Clock() clock.Clock {
	if s.clk == nil {
		c := &simClock{s: s}
		c.now.Store(s.now)
		s.clk = c
	}
	return s.clk
}

// publish makes the driving goroutine's time visible to the clock's
// readers.
func (c *simClock) publish(now int64) { c.now.Store(now) }

// sync brings the timer registry to the Sim's time, firing what is due.
// It runs on the driving goroutine at the end of each time-driving call.
func (c *simClock) sync() {
	if !c.hasMock.Load() {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.mock == nil {
		return
	}
	if now := c.Now(); c.mock.Now().Before(now) {
		c.mock.Set(now)
	}
}

// registry returns the Mock, made or brought up to the Sim's time, so a
// new timer counts from now.
func (c *simClock) registry() *clock.Mock {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.Now()
	if c.mock == nil {
		c.mock = clock.NewMock()
		c.hasMock.Store(true)
	}
	if c.mock.Now().Before(now) {
		c.mock.Set(now)
	}
	return c.mock
}

func (c *simClock) Now() time.Time {
	return c.s.start.Add(time.Duration(c.now.Load()))
}

func (c *simClock) Since(t time.Time) time.Duration { return c.Now().Sub(t) }
func (c *simClock) Until(t time.Time) time.Duration { return t.Sub(c.Now()) }

func (c *simClock) After(d time.Duration) <-chan time.Time { return c.registry().After(d) }
func (c *simClock) AfterFunc(d time.Duration, f func()) *clock.Timer {
	return c.registry().AfterFunc(d, f)
}
func (c *simClock) Sleep(d time.Duration)                 { c.registry().Sleep(d) }
func (c *simClock) Tick(d time.Duration) <-chan time.Time { return c.registry().Tick(d) }
func (c *simClock) Ticker(d time.Duration) *clock.Ticker  { return c.registry().Ticker(d) }
func (c *simClock) Timer(d time.Duration) *clock.Timer    { return c.registry().Timer(d) }
func (c *simClock) WithDeadline(parent context.Context, d time.Time) (context.Context, context.CancelFunc) {
	return c.registry().WithDeadline(parent, d)
}
func (c *simClock) WithTimeout(parent context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	return c.registry().WithTimeout(parent, d)
}
