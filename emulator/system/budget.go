package system

import (
	"errors"
	"fmt"
	"time"

	"github.com/dectsim/dectsim/internal/des"
)

// Limits on the work one system does, so a story that never settles (a
// ghost retrying every minute for a century) ends with an error instead
// of running until memory or patience runs out.
const (
	// DefaultEventBudget is how many simulation events (deadlines,
	// over-the-air exchanges, ghost attempts, scheduled fetches) a system
	// runs before it stops with ErrEventBudget.
	DefaultEventBudget = des.DefaultBudget
	// DefaultMaxEvents is how many events the log holds before the system
	// stops with ErrEventBudget: about 1.2 GB of log at some 240 bytes an
	// event, far above any real story (a Virtual Integrator's 20,000
	// handsets each removed, added again and registered is some 100,000).
	DefaultMaxEvents = 5_000_000
	// MinGhostInterval is the shortest time between a ghost's attempts
	// the model takes (WithGhostInterval).
	MinGhostInterval = time.Minute
)

// ErrEventBudget is the error of a system that ran out of its event
// budget or filled its event log: the system is stopped, and every later
// Advance, AdvanceTo and Apply returns the same error.
var ErrEventBudget = errors.New("event budget exhausted")

// WithEventBudget sets how many simulation events the system may run in
// all (0 means DefaultEventBudget).
func WithEventBudget(n uint64) Option { return func(c *Config) { c.EventBudget = n } }

// WithMaxEvents sets how many events the log may hold (0 means
// DefaultMaxEvents).
func WithMaxEvents(n int) Option { return func(c *Config) { c.MaxEvents = n } }

// Err returns the error that stopped the system (wrapping
// ErrEventBudget), or nil while it runs.
func (s *System) Err() error { return s.stopped }

// watchLog stops the system once its log holds MaxEvents: no event runs
// after the one that filled it.
func (s *System) watchLog(Event) {
	if s.stopped != nil || len(s.events) < s.cfg.MaxEvents {
		return
	}
	s.stopped = fmt.Errorf("%w: the event log reached its limit of %d events at %s", ErrEventBudget,
		s.cfg.MaxEvents, s.sim.Now().UTC().Format(time.RFC3339))
	if ran := s.sim.Ran(); ran > 0 {
		s.sim.SetBudget(ran)
	}
}

// advanced turns the simulation's budget error into the system's.
func (s *System) advanced(err error) error {
	if err == nil || !errors.Is(err, des.ErrBudget) {
		return err
	}
	if s.stopped == nil {
		next, _ := s.sim.NextAt()
		s.stopped = fmt.Errorf("%w: %d simulation events run by %s (the budget is %d), %d still pending from %s",
			ErrEventBudget, s.sim.Ran(), s.sim.Now().UTC().Format(time.RFC3339), s.cfg.EventBudget,
			s.sim.Pending(), next.UTC().Format(time.RFC3339))
	}
	return s.stopped
}
