package system

import "fmt"

// Admin is an operator's action on a slot in the web UI's Mobile devices
// page: slot is the slot id or the IPUI registered in it, to the state the
// operator asks for. The web UI offers, per state:
//
//   - ToReg → NotReg: registration disabled;
//   - NotReg → ToReg: open for registration again;
//   - InReg → NotReg: the registration in progress is cancelled (the
//     handset's attempt fails with reason "cancelled");
//   - Registered → ToDeReg: a deregistration starts, trigger "admin", and
//     runs as any other (over the air, or the wait for an absent handset).
//
// Each is an EvAdmin event with the slot, its IPUI and its state after the
// change. Any other change, and a slot that is not in the list, is refused
// with a WarnAdminRefused warning and changes nothing. The error is only
// for a to that is not a DECT state.
func (s *System) Admin(slot string, to State) error {
	switch to {
	case ToReg, NotReg, InReg, Registered, ToDeReg:
	default:
		return fmt.Errorf("admin: %q is not a DECT state (ToReg, NotReg, InReg, Registered or ToDeReg)", to)
	}
	sl := s.lookup(slot)
	if sl == nil || sl.gone {
		s.warnAbout("", 0, 0, slot, WarnAdminRefused,
			fmt.Sprintf("the operator cannot set slot %s to %s: it is not in the Mobile devices list", slot, to))
		return nil
	}
	from := sl.state
	ip := sl.ipui
	switch {
	case from == ToReg && to == NotReg:
		s.setState(sl, NotReg)
	case from == NotReg && to == ToReg:
		s.setState(sl, ToReg)
	case from == InReg && to == NotReg:
		s.cancelRegistration(sl)
	case from == Registered && to == ToDeReg:
		s.startDereg(sl, TriggerAdmin, "", 0, 0)
	default:
		s.warnAbout("", 0, 0, slot, WarnAdminRefused,
			fmt.Sprintf("the web UI offers no change of slot %s from %s to %s (it offers ToReg → NotReg, NotReg → ToReg, InReg → NotReg, Registered → ToDeReg); nothing changes", sl.id, from, to))
		return nil
	}
	s.emit(Event{Type: EvAdmin, Slot: sl.id, IPUI: ip, Detail: fmt.Sprintf("the operator set slot %s from %s to %s", sl.id, from, to)})
	return nil
}

// cancelRegistration ends a registration in progress at the operator's
// request: the slot goes to NotReg, a placeholder forgets the IPUI it had
// taken, and the handset's attempt fails.
func (s *System) cancelRegistration(sl *slot) {
	s.sim.Cancel(sl.regEv)
	sl.regEv = 0
	ip := sl.ipui
	s.setState(sl, NotReg)
	if sl.ipui != sl.id {
		s.setSlotIPUI(sl, "")
	}
	s.emit(Event{Type: EvRegistrationRefused, Slot: sl.id, IPUI: ip, Reason: RefusedCancelled,
		Detail: "the operator cancelled the registration in the web UI"})
}
