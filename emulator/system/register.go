package system

import (
	"fmt"
	"time"
)

// Registration refusal reasons, as carried by registration-refused events.
const (
	RefusedNotConnected = "not-connected"
	RefusedSubscribed   = "subscribed"
	RefusedWrongPIN     = "wrong-pin"
	RefusedWindow       = "window-closed"
	RefusedNoSlot       = "no-slot"
	RefusedSlotState    = "slot-state"
	RefusedHandsetLost  = "handset-lost"
	RefusedSlotGone     = "slot-deregistered"
	// RefusedCancelled: the operator cancelled the registration in the
	// web UI.
	RefusedCancelled = "cancelled"
	// RefusedDMFull: the DM the handset registers through already holds
	// MaxSlotsPerDM slots.
	RefusedDMFull = "dm-full"
)

// Window is the registration window that update_dm opens.
type Window struct {
	Start time.Time
	End   time.Time
}

// Open reports whether t falls in the window.
func (w Window) Open(t time.Time) bool {
	return !w.Start.IsZero() && !t.Before(w.Start) && t.Before(w.End)
}

// RegistrationWindow returns the window the last update_dm set on the
// first DM (the only one, unless the system declares several; see DMs).
func (s *System) RegistrationWindow() Window { return s.dms[0].window }

// Register is the handset's user starting registration, typing the
// handset's own PIN (HandsetSpec.PIN). The outcome shows as events:
// registration-started then registered, or registration-refused with a
// reason. The error is only for an unknown handset.
func (s *System) Register(id string) error { return s.register(id, nil) }

// RegisterWithPIN is Register with the user typing pin instead of the
// handset's own PIN ("" is an empty PIN, not the handset's own).
func (s *System) RegisterWithPIN(id, pin string) error { return s.register(id, &pin) }

// register types pin, or the handset's own PIN when pin is nil.
func (s *System) register(id string, pin *string) error {
	h, err := s.handset(id)
	if err != nil {
		return err
	}
	typed := h.pin
	if pin != nil {
		typed = *pin
	}
	own := s.byIPUI[h.ipui]
	ghost := h.subscribed && s.isGhost(h)
	switch {
	case !h.connected():
		s.refuse(h, nil, RefusedNotConnected, "the handset is "+describeReach(h))
	case ghost && !s.rd.GhostReregister:
		s.refuse(h, nil, RefusedSubscribed, "the handset still holds a subscription (a ghost); reset it first (ghost-reregister=reset-first)")
	case ghost:
		// ghost-reregister=allowed: it registers as a new handset would.
		s.registerAnew(h, own, typed)
	case h.subscribed:
		s.refuse(h, nil, RefusedSubscribed, "the handset is already registered")
	default:
		s.registerAnew(h, own, typed)
	}
	return nil
}

// registerAnew registers h in the slot that waits for its IPUI, else in a
// placeholder while the window is open.
func (s *System) registerAnew(h *handset, own *slot, typed string) {
	d := h.at.dm
	switch {
	case d.capped && d.slots >= MaxSlotsPerDM && (own == nil || own.dm != d):
		s.refuse(h, own, RefusedDMFull, fmt.Sprintf("DM %s, through which the handset registers, already holds %d handsets", d.id, MaxSlotsPerDM))
	case own != nil:
		s.registerInOwnSlot(h, own, typed)
	case !d.window.Open(s.sim.Now()) && len(s.dms) == 1:
		s.refuse(h, nil, RefusedWindow, "no slot waits for this IPUI and the registration window is closed")
	case !d.window.Open(s.sim.Now()):
		s.refuse(h, nil, RefusedWindow, fmt.Sprintf("no slot waits for this IPUI and the registration window of DM %s, through which the handset registers, is closed", d.id))
	default:
		s.registerInPlaceholder(h, typed)
	}
}

// refuse logs a registration-refused event for h, in slot sl if known.
func (s *System) refuse(h *handset, sl *slot, reason, detail string) {
	e := Event{Type: EvRegistrationRefused, IPUI: h.ipui, Reason: reason, Detail: detail}
	if sl != nil {
		e.Slot = sl.id
	}
	s.emit(e)
}

// registerInOwnSlot registers h in the slot that waits for its IPUI.
func (s *System) registerInOwnSlot(h *handset, own *slot, typed string) {
	if own.state != ToReg {
		s.refuse(h, own, RefusedSlotState, fmt.Sprintf("slot %s is %s, not ToReg", own.id, own.state))
		return
	}
	if p := s.pin(own); p != "" && p != typed {
		s.refuse(h, own, RefusedWrongPIN, fmt.Sprintf("the PIN does not match slot %s", own.id))
		return
	}
	s.startRegistration(own, h)
}

// registerInPlaceholder registers h, while the window is open, in the
// first free placeholder slot whose PIN (if any) was typed.
func (s *System) registerInPlaceholder(h *handset, typed string) {
	if sl := s.firstFree(typed); sl != nil {
		s.startRegistration(sl, h)
		return
	}
	if candidates := s.freeN; candidates == 0 {
		s.refuse(h, nil, RefusedNoSlot, "no slot waits for this IPUI and no placeholder slot is free")
	} else {
		s.refuse(h, nil, RefusedWrongPIN, fmt.Sprintf("the PIN matches none of the %d free placeholder slots", candidates))
	}
}

func describeReach(h *handset) string {
	switch {
	case !h.on:
		return "switched off"
	case !h.inRange:
		return "out of range"
	default:
		return "out of coverage: no base within its reach serves"
	}
}

func (s *System) startRegistration(sl *slot, h *handset) {
	s.locate(sl, h.at.dm)
	s.setSlotIPUI(sl, h.ipui)
	s.setState(sl, InReg)
	s.emit(Event{Type: EvRegistrationStarted, Slot: sl.id, IPUI: h.ipui})
	sl.regEv = s.sim.After(s.cfg.AirLatency, func() {
		sl.regEv = 0
		if !h.connected() { // gone, and not noticed yet (detect-delay)
			s.abortRegistration(sl, h, RefusedHandsetLost, "the handset left before registration completed")
			return
		}
		s.setState(sl, Registered)
		sl.registered = true
		s.setSubscribed(h, true)
		s.emit(Event{Type: EvRegistered, Slot: sl.id, IPUI: h.ipui})
		s.sipEval(sl)
	})
}

// abortRegistration puts a slot back to ToReg after a registration that
// could not complete; a placeholder slot forgets the IPUI it had taken.
func (s *System) abortRegistration(sl *slot, h *handset, reason, detail string) {
	s.sim.Cancel(sl.regEv)
	sl.regEv = 0
	if !sl.registered {
		s.locate(sl, nil)
	}
	s.setState(sl, ToReg)
	if sl.ipui != sl.id {
		s.setSlotIPUI(sl, "")
	}
	s.emit(Event{Type: EvRegistrationRefused, Slot: sl.id, IPUI: h.ipui, Reason: reason, Detail: detail})
}
