package system

import "time"

// Snapshot is the whole observable state of a system apart from its event
// log: what a rejected file must leave exactly as it was.
type Snapshot struct {
	Now         time.Time
	Firmware    string
	PendingFW   string
	Slots       []Slot
	Handsets    []Handset
	Settings    map[string]string
	Window      Window
	DMs         []DM
	PendingJobs int
}

// Snapshot captures the state for comparison.
func (s *System) Snapshot() Snapshot {
	snap := Snapshot{
		Now:         s.sim.Now(),
		Firmware:    s.fw.String(),
		Slots:       s.Slots(),
		Handsets:    s.Handsets(),
		Settings:    s.Settings(),
		Window:      s.RegistrationWindow(),
		DMs:         s.DMs(),
		PendingJobs: s.sim.Pending(),
	}
	if p := s.pendingFW; p != nil {
		snap.PendingFW = p.to.String() + " " + p.url
	}
	return snap
}
