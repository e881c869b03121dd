package system

import (
	"slices"
	"strings"
	"time"

	"github.com/dectsim/dectsim/internal/vocab/ipui"
)

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

	// StateAbsent is Event.State for a slot that is gone, or a handset
	// that has none.
	StateAbsent = "absent"
	// EvDeregCancelled: a deregistration taken back (reading dereg-undo).
	EvDeregCancelled = "dereg-cancelled"
	// EvAdmin: an operator's action on a slot in the web UI (System.Admin).
	EvAdmin = "admin"
	// EvCheckSync: the system is asked to fetch its file now; Trigger is
	// the source ("scenario", "api" or "sip"), Outcome "reboot" when it
	// reboots first, else "no-reboot".
	EvCheckSync = "check-sync"
)

// Deregistration triggers, as carried by dereg-requested events, and the
// sources and outcomes of check-sync events.
const (
	TriggerToDeReg                = "ToDeReg"
	TriggerDeleteNotProvisionedHS = "DeleteNotProvisionedHS"
	TriggerDeleteHS               = "delete_hs"
	// TriggerAdmin is the trigger of a deregistration an operator started
	// in the web UI.
	TriggerAdmin = "admin"

	// Check-sync sources (Trigger): a scenario step, a Go caller, or a
	// SIP NOTIFY.
	CheckSyncScenario = "scenario"
	CheckSyncAPI      = "api"
	CheckSyncSIP      = "sip"
	// Check-sync outcomes: whether the system rebooted first.
	CheckSyncReboot   = "reboot"
	CheckSyncNoReboot = "no-reboot"
	// SettingCheckSyncReboot enables a reboot on check-sync (firmware
	// 2.52+).
	SettingCheckSyncReboot = "SystemSettings.global.CheckSyncRebootEnabled"
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
	// State is the DECT state of that slot just after the event, as the
	// system's web UI lists it (ToReg, InReg, Registered, ToDeReg), or
	// StateAbsent once the slot is gone or when there is none. It is empty
	// for events that concern no slot or handset.
	State string
	// Outcome is "graceful" for dereg-completed, "ok" or "error" for fetch.
	Outcome string
	// Trigger says what started a deregistration.
	Trigger string
	// Reason says why something was refused, rejected or failed.
	Reason string
	// Code is a warning's finding code.
	Code string
	// Base and DM are the base station and the DECT manager a multicell
	// event concerns; From and To what a handover (bases) or roaming
	// (DMs) went from and to.
	Base, DM string
	From, To string
	// User and Registrar are the SIP account and the registrar a SIP
	// event concerns.
	User, Registrar string
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

// EventQuery selects events from the log; an empty field selects every
// event. It is what scenario expectations and the dectsimtest checks ask.
type EventQuery struct {
	// Type is an event type, such as EvDeregTimeout.
	Type string
	// Key is a slot id or an IPUI, as Event.Matches takes it.
	Key string
	// Outcome is an outcome, trigger, reason or code, as Event.HasOutcome
	// takes it.
	Outcome string
}

func (q EventQuery) selects(e *Event) bool {
	return (q.Type == "" || e.Type == q.Type) && e.Matches(q.Key) && e.HasOutcome(q.Outcome)
}

func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if lowerByte(a[i]) != lowerByte(b[i]) {
			return false
		}
	}
	return true
}

func lowerByte(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// lowerASCII folds key as equalFold compares: two strings are equalFold
// exactly when their lowerASCII forms are equal.
func lowerASCII(key string) string {
	for i := 0; i < len(key); i++ {
		if c := key[i]; 'A' <= c && c <= 'Z' {
			b := []byte(key)
			for j := i; j < len(b); j++ {
				b[j] = lowerByte(b[j])
			}
			return string(b)
		}
	}
	return key
}

// eventIndex finds the events of one type, and of one slot id or IPUI,
// without scanning the log: a scenario may hold thousands of expectations
// over tens of thousands of events. It is brought up to date when a query
// runs, so logging an event costs nothing more when nobody asks.
type eventIndex struct {
	n      int              // events indexed so far
	byType map[string][]int // positions in the log
	byKey  map[string][]int // by lowerASCII of the event's Slot and IPUI
	// counts answer a count that names no key without walking any list:
	// by outcome (an outcome, trigger, reason or code), with and without
	// the type.
	byOutcome     map[string]int
	byTypeOutcome map[[2]string]int
	// walked counts the events queries have looked at, so tests can hold
	// queries to the work they promise.
	walked int
}

func (x *eventIndex) update(events []Event) {
	if x.byType == nil {
		x.byType = make(map[string][]int)
		x.byKey = make(map[string][]int)
		x.byOutcome = make(map[string]int)
		x.byTypeOutcome = make(map[[2]string]int)
	}
	for ; x.n < len(events); x.n++ {
		e := &events[x.n]
		x.byType[e.Type] = append(x.byType[e.Type], x.n)
		x.countOutcomes(e)
		if e.IPUI != "" {
			k := lowerASCII(e.IPUI)
			x.byKey[k] = append(x.byKey[k], x.n)
		}
		if e.Slot != "" && !equalFold(e.Slot, e.IPUI) {
			k := lowerASCII(e.Slot)
			x.byKey[k] = append(x.byKey[k], x.n)
		}
	}
}

// countOutcomes counts e once under each distinct value HasOutcome
// accepts for it.
func (x *eventIndex) countOutcomes(e *Event) {
	vals := [4]string{e.Outcome, e.Trigger, e.Reason, e.Code}
	for i, v := range vals {
		if v == "" || slices.Contains(vals[:i], v) {
			continue
		}
		x.byOutcome[v]++
		x.byTypeOutcome[[2]string{e.Type, v}]++
	}
}

// eachEvent calls f with every event q selects, in log order. It walks the
// shorter of the type's and the key's positions, or the whole log when q
// names neither.
func (s *System) eachEvent(q EventQuery, f func(*Event)) {
	if q.Type == "" && q.Key == "" {
		s.index.walked += len(s.events)
		for i := range s.events {
			if q.selects(&s.events[i]) {
				f(&s.events[i])
			}
		}
		return
	}
	s.index.update(s.events)
	var at []int
	if q.Type != "" {
		at = s.index.byType[q.Type]
	}
	if q.Key != "" {
		if k := s.index.byKey[lowerASCII(q.Key)]; q.Type == "" || len(k) < len(at) {
			at = k
		}
	}
	s.index.walked += len(at)
	for _, i := range at {
		if q.selects(&s.events[i]) {
			f(&s.events[i])
		}
	}
}

// FindEvents returns the events q selects, in the order they happened.
func (s *System) FindEvents(q EventQuery) []Event {
	var out []Event
	s.eachEvent(q, func(e *Event) { out = append(out, *e) })
	return out
}

// CountEvents returns how many events q selects. A count that names no
// key costs a map lookup, however long the log.
func (s *System) CountEvents(q EventQuery) int {
	if q.Key == "" {
		s.index.update(s.events)
		switch {
		case q.Type == "" && q.Outcome == "":
			return len(s.events)
		case q.Outcome == "":
			return len(s.index.byType[q.Type])
		case q.Type == "":
			return s.index.byOutcome[q.Outcome]
		default:
			return s.index.byTypeOutcome[[2]string{q.Type, q.Outcome}]
		}
	}
	n := 0
	s.eachEvent(q, func(*Event) { n++ })
	return n
}

func (s *System) emit(e Event) {
	e.Seq = len(s.events) + 1
	e.Time = s.sim.Now()
	e.State = s.stateAfter(&e)
	s.events = append(s.events, e)
	for _, f := range s.listeners {
		f(e)
	}
}

// stateAfter is the state of the slot e names (by id when it has one, else
// by IPUI). Every emit runs after the change it reports.
func (s *System) stateAfter(e *Event) string {
	var sl *slot
	switch {
	case e.Slot != "":
		sl = s.slots[e.Slot]
	case e.IPUI != "":
		sl = s.byIPUI[e.IPUI]
	default:
		return ""
	}
	if sl == nil {
		return StateAbsent
	}
	return string(sl.state)
}

func (s *System) warn(file string, line, col int, code, detail string) {
	s.emit(Event{Type: EvWarning, Code: code, File: file, Line: line, Col: col, Detail: detail})
}

// warnAbout is a warning about one slot or handset, named by key as the
// file names it (an IPUI in any case, or a slot id): it carries the slot
// id and IPUI, so it shows in that handset's timeline and its
// expectations find it.
func (s *System) warnAbout(file string, line, col int, key, code, detail string) {
	e := Event{Type: EvWarning, Code: code, File: file, Line: line, Col: col, Detail: detail}
	if sl := s.lookup(key); sl != nil {
		e.Slot, e.IPUI = sl.id, sl.ipui
	} else if k := strings.ToLower(key); ipui.IsIPUI(k) {
		e.IPUI = k
	} else {
		e.Slot = key
	}
	s.emit(e)
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
