package system

import (
	"errors"
	"fmt"
	"time"

	"github.com/dectsim/dectsim/internal/engine/des"
)

// WithEventBudget sets how many simulation events the system may run in
// all (0 means DefaultEventBudget).
func WithEventBudget(n uint64) Option { return func(c *Config) { c.EventBudget = n } }

// WithEventLog sets how many events, and how many bytes of event text,
// the log may hold (0 means DefaultMaxEvents, DefaultMaxLogBytes).
func WithEventLog(events int, bytes int64) Option {
	return func(c *Config) { c.MaxEvents, c.MaxLogBytes = events, bytes }
}

// eventCost is what an event counts against MaxLogBytes: its strings and
// about what the Event itself takes in the log.
func eventCost(e *Event) int64 {
	const fixed = 256
	return fixed + int64(len(e.Type)+len(e.Slot)+len(e.IPUI)+len(e.Outcome)+len(e.Trigger)+
		len(e.Reason)+len(e.Code)+len(e.Base)+len(e.DM)+len(e.From)+len(e.To)+len(e.User)+len(e.Registrar)+len(e.File)+len(e.Detail))
}

// Err returns the error that stopped the system (wrapping
// ErrEventBudget), or nil while it runs.
func (s *System) Err() error { return s.stopped }

// watchLog stops the system once its log holds MaxEvents, or MaxLogBytes
// of text: no event runs after the one that filled it.
func (s *System) watchLog(e Event) {
	s.logBytes += eventCost(&e)
	if s.stopped != nil {
		return
	}
	at := s.sim.Now().UTC().Format(time.RFC3339)
	switch {
	case len(s.events) >= s.cfg.MaxEvents:
		s.stopped = fmt.Errorf("%w: the event log reached its limit of %d events at %s", ErrEventBudget, s.cfg.MaxEvents, at)
	case s.logBytes >= s.cfg.MaxLogBytes:
		s.stopped = fmt.Errorf("%w: the event log reached its limit of %d bytes of text at %s", ErrEventBudget, s.cfg.MaxLogBytes, at)
	default:
		return
	}
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
