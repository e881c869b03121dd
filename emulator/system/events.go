package system

import "time"

// Event types (a contract: scenario files and JSON consumers rely on these
// spellings).
const (
	EvProvisioningApplied  = "provisioning-applied"
	EvProvisioningRejected = "provisioning-rejected"
	EvWarning              = "warning"
	EvFetch                = "fetch"
	EvSlotAdded            = "slot-added"
	EvRegistrationStarted  = "registration-started"
	EvRegistered           = "registered"
	EvRegistrationRefused  = "registration-refused"
	EvDeregRequested       = "dereg-requested"
	EvDeregCompleted       = "dereg-completed"
	EvDeregTimeout         = "dereg-timeout"
	EvForcedRemoval        = "forced-removal"
	EvGhostCreated         = "ghost-created"
	EvGhostAttempt         = "ghost-attempt"
	EvHandsetMoved         = "handset-moved"
	EvHandsetPower         = "handset-power"
	EvHandsetReset         = "handset-reset"
	EvFirmwareChanged      = "firmware-changed"
	EvReboot               = "reboot"
)

// EventTypes lists every event type the system emits.
var EventTypes = []string{
	EvProvisioningApplied, EvProvisioningRejected, EvWarning, EvFetch,
	EvSlotAdded, EvRegistrationStarted, EvRegistered, EvRegistrationRefused,
	EvDeregRequested, EvDeregCompleted, EvDeregTimeout, EvForcedRemoval,
	EvGhostCreated, EvGhostAttempt, EvHandsetMoved, EvHandsetPower,
	EvHandsetReset, EvFirmwareChanged, EvReboot,
}

// Deregistration triggers, as carried by dereg-requested events.
const (
	TriggerToDeReg                = "ToDeReg"
	TriggerDeleteNotProvisionedHS = "DeleteNotProvisionedHS"
	TriggerDeleteHS               = "delete_hs"
)

// Event is one entry of the system's log.
type Event struct {
	// Seq numbers events from 1 in the order they happened.
	Seq  int
	Time time.Time
	Type string
	// Slot is the slot id and IPUI the IPUI the event concerns, where known.
	Slot string
	IPUI string
	// Outcome is "graceful" for dereg-completed, "ok" or "error" for fetch.
	Outcome string
	// Trigger says what started a deregistration.
	Trigger string
	// Reason says why something was refused, rejected or failed.
	Reason string
	// Code is a warning's finding code.
	Code string
	// File, Line and Col locate the provisioning input an event came from.
	File string
	Line int
	Col  int
	// Detail is free text for people.
	Detail string
}

// Matches reports whether the event concerns key (a slot id or an IPUI,
// case-insensitively) — the rule scenario expectations use.
func (e Event) Matches(key string) bool {
	return key == "" || equalFold(e.IPUI, key) || equalFold(e.Slot, key)
}

// HasOutcome reports whether outcome names the event's outcome, trigger,
// reason or code.
func (e Event) HasOutcome(outcome string) bool {
	return outcome == "" || e.Outcome == outcome || e.Trigger == outcome ||
		e.Reason == outcome || e.Code == outcome
}

func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		ca, cb := a[i], b[i]
		if 'A' <= ca && ca <= 'Z' {
			ca += 'a' - 'A'
		}
		if 'A' <= cb && cb <= 'Z' {
			cb += 'a' - 'A'
		}
		if ca != cb {
			return false
		}
	}
	return true
}

func (s *System) emit(e Event) {
	e.Seq = len(s.events) + 1
	e.Time = s.sim.Now()
	s.events = append(s.events, e)
	for _, f := range s.listeners {
		f(e)
	}
}

func (s *System) warn(file string, line, col int, code, detail string) {
	s.emit(Event{Type: EvWarning, Code: code, File: file, Line: line, Col: col, Detail: detail})
}

// Events returns a copy of the event log.
func (s *System) Events() []Event {
	return append([]Event(nil), s.events...)
}

// EventCount returns how many events have been logged, so callers can read
// only new ones with EventsSince.
func (s *System) EventCount() int { return len(s.events) }

// EventsSince returns a copy of the events after the first n.
func (s *System) EventsSince(n int) []Event {
	if n < 0 {
		n = 0
	}
	if n > len(s.events) {
		return nil
	}
	return append([]Event(nil), s.events[n:]...)
}

// onEvent registers f to be called with every event as it is logged, on the
// goroutine that advances the system.
func (s *System) onEvent(f func(Event)) {
	s.listeners = append(s.listeners, f)
}
