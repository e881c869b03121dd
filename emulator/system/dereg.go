package system

import (
	"fmt"
	"time"
)

// startDereg puts a slot in ToDeReg (graceful: ToDeReg param or
// DeleteNotProvisionedHS). A slot already in ToDeReg keeps its first
// request's deadline and emits nothing.
func (s *System) startDereg(sl *slot, trigger string, file string, line, col int) {
	if sl.state == ToDeReg {
		return
	}
	if sl.state == InReg && sl.regEv != 0 {
		s.abortRegistration(sl, s.handsets[sl.ipui], RefusedSlotGone, "the slot was deregistered during registration")
	}
	sl.before = sl.state
	s.setState(sl, ToDeReg)
	sl.trigger = trigger
	sl.requested = s.sim.Now()
	sl.deadline = sl.requested.Add(s.cfg.DeregTimeout)
	s.emit(Event{Type: EvDeregRequested, Slot: sl.id, IPUI: sl.ipui, Trigger: trigger, File: file, Line: line, Col: col})
	if h := s.reachableHandset(sl); h != nil {
		s.startAirDereg(sl)
		return
	}
	s.armDeadline(sl)
}

// cancelDereg takes back a deregistration still waiting for its handset
// (reading dereg-undo=add-hs-cancels): the slot returns to the state it
// had and its deadline is dropped.
func (s *System) cancelDereg(sl *slot, file string, line, col int) {
	s.sim.Cancel(sl.deadlineEv)
	sl.deadlineEv = 0
	trigger := sl.trigger
	s.setState(sl, sl.before)
	sl.trigger = ""
	sl.requested, sl.deadline = time.Time{}, time.Time{}
	s.emit(Event{Type: EvDeregCancelled, Slot: sl.id, IPUI: sl.ipui, Trigger: trigger, File: file, Line: line, Col: col,
		Detail: fmt.Sprintf("the file names the slot again: the deregistration (%s) is taken back and the slot is %s again", trigger, sl.state)})
}

// reachableHandset is the handset a slot can deregister over the air, as
// the system sees it (connected, or gone but not yet noticed): only a slot
// that a handset completed registration in has one.
func (s *System) reachableHandset(sl *slot) *handset {
	if !sl.registered || sl.ipui == "" {
		return nil
	}
	h := s.handsets[sl.ipui]
	if h == nil || !h.seen {
		return nil
	}
	return h
}

func (s *System) armDeadline(sl *slot) {
	s.sim.Cancel(sl.deadlineEv)
	sl.deadlineEv = s.sim.At(sl.deadline, func() {
		sl.deadlineEv = 0
		s.deregTimeout(sl)
	})
}

// startAirDereg begins the over-the-air deregistration. Reaching the
// handset cancels the deadline: an exchange in flight when it passes still
// completes gracefully.
func (s *System) startAirDereg(sl *slot) {
	s.sim.Cancel(sl.deadlineEv)
	sl.deadlineEv = 0
	sl.airEv = s.sim.After(s.cfg.AirLatency, func() {
		sl.airEv = 0
		h := s.handsets[sl.ipui]
		if h != nil && !h.connected() {
			// Gone, and not noticed yet (detect-delay): nobody answered.
			s.airDeregLost(sl, "the handset did not answer over the air")
			return
		}
		if h != nil {
			s.setSubscribed(h, false)
			s.sim.Cancel(h.ghostEv)
			h.ghostEv = 0
		}
		id, ip := sl.id, sl.ipui
		s.dropSlot(sl)
		s.emit(Event{Type: EvDeregCompleted, Slot: id, IPUI: ip, Outcome: "graceful", Detail: "the handset's subscription was removed first, then the slot"})
	})
}

// airDeregLost handles a handset that left while being deregistered, or
// did not answer (why says which): a
// delete_hs removes the slot at once; otherwise the slot waits for the next
// connection or its deadline.
func (s *System) airDeregLost(sl *slot, why string) {
	s.sim.Cancel(sl.airEv)
	sl.airEv = 0
	if sl.forced {
		s.forceRemove(sl, why)
		return
	}
	if !sl.deadline.After(s.sim.Now()) {
		s.deregTimeout(sl)
		return
	}
	s.armDeadline(sl)
}

func (s *System) deregTimeout(sl *slot) {
	id, ip := sl.id, sl.ipui
	s.dropSlot(sl)
	detail := fmt.Sprintf("nobody answered within %s of the request", s.cfg.DeregTimeout)
	s.emit(Event{Type: EvDeregTimeout, Slot: id, IPUI: ip, Detail: detail})
	s.ghostCheck(ip, id)
}

// deleteHS is delete_hs acting on a slot (firmware 2.36+): graceful when
// the handset is connected, else removal at once.
func (s *System) deleteHS(sl *slot, file string, line, col int) {
	if sl.state == ToDeReg {
		s.forceRemove(sl, "delete_hs on a slot already waiting in ToDeReg")
		return
	}
	if sl.state == InReg && sl.regEv != 0 {
		s.abortRegistration(sl, s.handsets[sl.ipui], RefusedSlotGone, "the slot was deleted during registration")
	}
	req := Event{Type: EvDeregRequested, Slot: sl.id, IPUI: sl.ipui, Trigger: TriggerDeleteHS, File: file, Line: line, Col: col}
	if s.reachableHandset(sl) == nil {
		s.emit(req)
		s.forceRemove(sl, s.unreachableWhy(sl))
		return
	}
	sl.before = sl.state
	s.setState(sl, ToDeReg)
	sl.trigger = TriggerDeleteHS
	sl.forced = true
	sl.requested = s.sim.Now()
	sl.deadline = sl.requested
	s.emit(req) // after the change, so it carries ToDeReg
	s.startAirDereg(sl)
}

// unreachableWhy says why delete_hs could not go the graceful way.
func (s *System) unreachableWhy(sl *slot) string {
	if !sl.registered || sl.ipui == "" {
		return "no handset ever registered in this slot, so there was nobody to inform"
	}
	if h := s.handsets[sl.ipui]; h != nil && h.on && h.inRange {
		return "the handset is not connected (no base within its reach serves)"
	}
	return "the handset is not connected (out of range or switched off)"
}

func (s *System) forceRemove(sl *slot, why string) {
	id, ip := sl.id, sl.ipui
	s.dropSlot(sl)
	s.emit(Event{Type: EvForcedRemoval, Slot: id, IPUI: ip, Detail: why})
	s.ghostCheck(ip, id)
}

// ghostCheck emits ghost-created when a removal left the handset with that
// IPUI holding its subscription.
func (s *System) ghostCheck(ip, slotID string) {
	if ip == "" {
		return
	}
	if h := s.handsets[ip]; h != nil && s.isGhost(h) {
		s.becameGhost(h, slotID)
	}
}
