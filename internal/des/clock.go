package des

// This is the only file that imports github.com/benbjohnson/clock. The module
// is archived (no further fixes), its Mock sleeps a real millisecond on every
// Set/Add and fires its own timers in an unstable order, so it is unfit to
// drive a deterministic simulation. It is offered only as a read-mostly view
// of simulated time for code that wants a clock.Clock. Keeping it here means
// replacing it later touches one small file.

import "github.com/benbjohnson/clock"

// clockMirror holds the lazily created mock. Events are never scheduled
// through it; it is only moved to Now() at observation points.
type clockMirror struct {
	mock *clock.Mock
}

// sync moves the mock to s.Now() if the mock exists and has fallen behind.
// Skipping unchanged times avoids the mock's real-time sleep on every call.
func (c *clockMirror) sync(s *Sim) {
	if c.mock == nil {
		return
	}
	if now := s.Now(); !c.mock.Now().Equal(now) {
		c.mock.Set(now)
	}
}

// Clock exposes simulated time as a clock.Clock for code written against that
// interface. The mock reads Now() when this is first called and again after
// each Advance, AdvanceTo, Step or RunUntilIdle returns; inside event
// callbacks it may lag, so callbacks should use Now(). Do not schedule
// timers or tickers on it to drive the simulation: schedule with At or After.
func (s *Sim) Clock() clock.Clock {
	if s.clk.mock == nil {
		s.clk.mock = clock.NewMock()
		s.clk.mock.Set(s.Now())
	}
	return s.clk.mock
}
