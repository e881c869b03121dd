package system

import (
	"strings"
	"time"

	"github.com/dectsim/dectsim/internal/engine/des"
	"github.com/dectsim/dectsim/internal/vocab/ipui"
)

// State is a slot's DECT state (a contract: these spellings are what the
// web UI and scenario files use).
type State string

// DECT states, and Absent for a slot that does not exist.
const (
	ToReg      State = "ToReg"
	NotReg     State = "NotReg"
	InReg      State = "InReg"
	Registered State = "Registered"
	ToDeReg    State = "ToDeReg"
	Absent     State = "absent"
)

// ParseState reads a DECT state name or "absent".
func ParseState(s string) (State, bool) {
	switch st := State(s); st {
	case ToReg, NotReg, InReg, Registered, ToDeReg, Absent:
		return st, true
	}
	return "", false
}

// Slot is one entry of the handset list, as read by callers.
type Slot struct {
	// ID is the add_hs value: an IPUI or a placeholder such as "00001".
	ID string
	// IPUI is the handset registered (or registering, or expected) in the
	// slot; empty for a placeholder nobody has registered in.
	IPUI  string
	State State
	// PIN is the slot's hs.<id>.DECT_AC, empty when none is set.
	PIN string
	// DeregRequested and Deadline are set while the slot is in ToDeReg and
	// waiting: the request time and when the wait runs out.
	DeregRequested time.Time
	Deadline       time.Time
	// Trigger is what put the slot in ToDeReg.
	Trigger string
	// Forced is set while a delete_hs waits on an over-the-air exchange.
	Forced bool
	// Location is the DM through which its handset registered (it follows
	// roaming); empty while no handset has registered in it.
	Location string
	// SIP is its account's state at the PBX: SIPRegistered,
	// SIPUnregistered or SIPFailed.
	SIP string
}

type slot struct {
	id, ipui   string
	state      State
	before     State // the state before ToDeReg, for dereg-undo
	registered bool  // a handset completed registration in it
	requested  time.Time
	deadline   time.Time
	trigger    string
	forced     bool
	deadlineEv des.ID
	airEv      des.ID
	regEv      des.ID
	gone       bool
	seq        int       // position in the list, for the placeholder index
	freeAt     int       // index in s.free[freePIN] while a free placeholder, else -1
	freePIN    string    // the PIN it is indexed under
	dm         *dm       // its location
	sip        *sipState // nil until it has an account to register
}

func (s *System) view(sl *slot) Slot {
	v := Slot{ID: sl.id, IPUI: sl.ipui, State: sl.state, PIN: s.pin(sl), Trigger: sl.trigger, Forced: sl.forced}
	if sl.dm != nil {
		v.Location = sl.dm.id
	}
	v.SIP = sl.sipView()
	if sl.state == ToDeReg {
		v.DeregRequested = sl.requested
		if !sl.forced && sl.airEv == 0 {
			v.Deadline = sl.deadline
		}
	}
	return v
}

func (s *System) pin(sl *slot) string {
	p, _ := s.settings.get("hs." + sl.id + ".DECT_AC")
	return p
}

// lookup finds the slot whose IPUI is key, else the slot whose id is key,
// case-insensitively for IPUIs.
func (s *System) lookup(key string) *slot {
	k := ipui.Normalize(key)
	if sl := s.byIPUI[k]; sl != nil {
		return sl
	}
	return s.slots[k]
}

// Slot returns the slot whose IPUI is key, else the slot whose id is key.
func (s *System) Slot(key string) (Slot, bool) {
	sl := s.lookup(key)
	if sl == nil {
		return Slot{}, false
	}
	return s.view(sl), true
}

// SlotState returns the DECT state of the slot Slot(key) finds, or Absent.
func (s *System) SlotState(key string) State {
	if sl := s.lookup(key); sl != nil {
		return sl.state
	}
	return Absent
}

// Slots returns every slot in list order.
func (s *System) Slots() []Slot {
	out := make([]Slot, 0, len(s.slots))
	for _, sl := range s.order {
		if !sl.gone {
			out = append(out, s.view(sl))
		}
	}
	return out
}

// SlotCount returns the number of slots in the handset list.
func (s *System) SlotCount() int { return len(s.slots) }

func (s *System) addSlot(id string, st State) *slot {
	id = strings.Clone(id) // ids outlive the file they came from
	s.slotSeq++
	sl := &slot{id: id, state: st, seq: s.slotSeq, freeAt: -1}
	if ipui.IsIPUI(id) {
		sl.ipui = id
		s.byIPUI[id] = sl
	}
	s.slots[id] = sl
	s.order = append(s.order, sl)
	s.reindex(sl)
	s.touch(sl.ipui)
	return sl
}

func (s *System) setSlotIPUI(sl *slot, id string) {
	old := sl.ipui
	if sl.ipui != "" && s.byIPUI[sl.ipui] == sl {
		delete(s.byIPUI, sl.ipui)
	}
	sl.ipui = id
	if id != "" {
		s.byIPUI[id] = sl
	}
	s.reindex(sl)
	s.touch(old)
	s.touch(id)
}

// dropSlot takes a slot out of the list with its accounts settings.
func (s *System) dropSlot(sl *slot) {
	// The account goes before the slot's own removal event.
	if sl.sip != nil {
		if sl.sip.state == SIPRegistered {
			s.sipUnregister(sl, SIPReasonRemoved)
		}
		s.sim.Cancel(sl.sip.ev)
		sl.sip.ev = 0
	}
	s.sim.Cancel(sl.deadlineEv)
	s.sim.Cancel(sl.airEv)
	s.sim.Cancel(sl.regEv)
	sl.deadlineEv, sl.airEv, sl.regEv = 0, 0, 0
	sl.gone = true
	s.locate(sl, nil)
	delete(s.slots, sl.id)
	if sl.ipui != "" && s.byIPUI[sl.ipui] == sl {
		delete(s.byIPUI, sl.ipui)
	}
	s.reindex(sl)
	s.touch(sl.ipui)
	s.settings.dropSlot(sl.id)
	if sl.ipui != "" && sl.ipui != sl.id {
		s.settings.dropSlot(sl.ipui)
	}
	s.removed++
	if s.removed > 64 && s.removed > len(s.order)/2 {
		kept := s.order[:0]
		for _, o := range s.order {
			if !o.gone {
				kept = append(kept, o)
			}
		}
		for i := len(kept); i < len(s.order); i++ {
			s.order[i] = nil
		}
		s.order = kept
		s.removed = 0
	}
}
