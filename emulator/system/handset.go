package system

import (
	"fmt"
	"time"

	"github.com/dectsim/dectsim/internal/engine/des"
	"github.com/dectsim/dectsim/internal/vocab/ipui"
)

// Handset is a physical handset, as read by callers.
type Handset struct {
	IPUI    string
	On      bool
	InRange bool
	// Subscribed is the handset's own memory of a registration to this
	// system; it can outlive the slot (a ghost).
	Subscribed bool
	// PIN is what its user types when registering without a PIN given.
	PIN string
	// Ghost is set when the handset is subscribed but no slot holds its
	// registration.
	Ghost bool
	// Base is the base station it camps at; empty when it is not
	// connected (off, out of range, or no base of its reach serves). The
	// bases within its reach: System.Reach.
	Base string
}

// Connected reports whether the handset is on, in range and camping at a
// serving base.
func (h Handset) Connected() bool { return h.On && h.InRange && h.Base != "" }

type handset struct {
	ipui       string
	on         bool
	inRange    bool
	subscribed bool
	pin        string
	ghostEv    des.ID
	// seen is whether the system counts the handset as connected: it
	// notices one that left only after the reading detect-delay (lostEv).
	seen   bool
	lostEv des.ID
	seq    int  // the order it was added in
	ghost  bool // kept by touch: it is in System.ghosts
	// reach is the bases within its reach, best first (nil: every base);
	// at the base it camps at, nil when it is not connected.
	reach      []*base
	at         *base
	everywhere int    // its index in System.everywhere while reach is nil, else -1
	mark       uint32 // the resync round that queued it
}

func (h *handset) connected() bool { return h.at != nil }

// HandsetSpec describes a handset in the world before time starts.
type HandsetSpec struct {
	IPUI string
	// State is "" (a handset only), "Registered" (a slot with the IPUI as id
	// in Registered and a subscribed handset) or "ToReg" (a slot waiting for
	// the IPUI, handset not subscribed).
	State State
	// OutOfRange and Off describe where the handset is; the zero value is
	// on and in range.
	OutOfRange bool
	Off        bool
	// PIN is what the user types by default, and with State the slot's
	// DECT_AC.
	PIN string
	// At lists the bases within its reach, best first; empty: every base
	// of the system, in declaration order.
	At []string
}

// AddHandset puts a handset (and, with a State, its slot) into the world
// directly. It emits no events: it describes how things were before.
func (s *System) AddHandset(spec HandsetSpec) error {
	if !ipui.IsIPUI(spec.IPUI) {
		return fmt.Errorf("IPUI %q is not 10 hex digits", spec.IPUI)
	}
	id := ipui.Normalize(spec.IPUI)
	if _, dup := s.handsets[id]; dup {
		return fmt.Errorf("handset %s is already there", id)
	}
	switch spec.State {
	case "", Registered, ToReg:
	default:
		return fmt.Errorf("handset %s: state %q must be Registered, ToReg or empty", id, spec.State)
	}
	if spec.State != "" {
		if s.lookup(id) != nil {
			return fmt.Errorf("handset %s: a slot for it is already there", id)
		}
		if len(s.slots) >= s.cfg.MaxHandsets {
			return fmt.Errorf("handset %s: the handset list is full (%d slots)", id, s.cfg.MaxHandsets)
		}
	}
	reach, err := s.reachOf(spec.At)
	if err != nil {
		return fmt.Errorf("handset %s: %w", id, err)
	}
	home := s.dms[0]
	if len(reach) > 0 {
		home = reach[0].dm
	}
	if spec.State == Registered && home.capped && home.slots >= MaxSlotsPerDM {
		return fmt.Errorf("handset %s: DM %s already holds %d handsets", id, home.id, MaxSlotsPerDM)
	}
	h := &handset{ipui: id, on: !spec.Off, inRange: !spec.OutOfRange, pin: spec.PIN, seq: len(s.hsOrder), everywhere: -1}
	s.setReach(h, reach)
	if h.at = s.campable(h); h.at != nil {
		h.at.camping++
		home = h.at.dm
	}
	h.seen = h.connected()
	s.handsets[id] = h
	s.hsOrder = append(s.hsOrder, h)
	if spec.State != "" {
		sl := s.addSlot(id, spec.State)
		if spec.State == Registered {
			sl.registered = true
			s.locate(sl, home)
			s.setSubscribed(h, true)
		}
		if spec.PIN != "" {
			s.settings.set("hs."+id+".DECT_AC", spec.PIN)
		}
	}
	return nil
}

func (s *System) handset(id string) (*handset, error) {
	h := s.handsets[ipui.Normalize(id)]
	if h == nil {
		return nil, fmt.Errorf("no handset %q", id)
	}
	return h, nil
}

// isGhost reports whether h is subscribed while no slot holds its
// registration (Registered or ToDeReg).
func (s *System) isGhost(h *handset) bool {
	if !h.subscribed {
		return false
	}
	sl := s.byIPUI[h.ipui]
	return sl == nil || (sl.state != Registered && sl.state != ToDeReg)
}

func (s *System) handsetView(h *handset) Handset {
	v := Handset{IPUI: h.ipui, On: h.on, InRange: h.inRange, Subscribed: h.subscribed, PIN: h.pin, Ghost: s.isGhost(h)}
	if h.at != nil {
		v.Base = h.at.id
	}
	return v
}

// Reach lists the bases within a handset's reach, best first; nil when it
// reaches every base of the system, and for an unknown handset.
func (s *System) Reach(id string) []string {
	h := s.handsets[ipui.Normalize(id)]
	if h == nil {
		return nil
	}
	var out []string
	for _, b := range h.reach {
		out = append(out, b.id)
	}
	return out
}

// Handset returns the handset with that IPUI (any case).
func (s *System) Handset(id string) (Handset, bool) {
	h := s.handsets[ipui.Normalize(id)]
	if h == nil {
		return Handset{}, false
	}
	return s.handsetView(h), true
}

// Handsets returns every handset in the order they were added.
func (s *System) Handsets() []Handset {
	out := make([]Handset, len(s.hsOrder))
	for i, h := range s.hsOrder {
		out[i] = s.handsetView(h)
	}
	return out
}

// Ghosts returns every ghost handset, in the order they were added. It
// costs the number of ghosts, not of handsets.
func (s *System) Ghosts() []Handset {
	var out []Handset
	for _, h := range s.ghostList() {
		out = append(out, s.handsetView(h))
	}
	return out
}

// GhostIPUIs returns the IPUI of every ghost handset, in the order they
// were added. It costs the number of ghosts, not of handsets.
func (s *System) GhostIPUIs() []string {
	var out []string
	for _, h := range s.ghostList() {
		out = append(out, h.ipui)
	}
	return out
}

// Move puts a handset in or out of range.
func (s *System) Move(id string, inRange bool) error {
	h, err := s.handset(id)
	if err != nil {
		return err
	}
	h.inRange = inRange
	s.emit(Event{Type: EvHandsetMoved, IPUI: h.ipui, Slot: s.slotIDOf(h), Detail: inOut(inRange)})
	s.place(h, false)
	return nil
}

// Power switches a handset on or off.
func (s *System) Power(id string, on bool) error {
	h, err := s.handset(id)
	if err != nil {
		return err
	}
	h.on = on
	s.emit(Event{Type: EvHandsetPower, IPUI: h.ipui, Slot: s.slotIDOf(h), Detail: onOff(on)})
	s.place(h, false)
	return nil
}

func inOut(in bool) string {
	if in {
		return "in"
	}
	return "out"
}

func onOff(on bool) string {
	if on {
		return "on"
	}
	return "off"
}

func (s *System) slotIDOf(h *handset) string {
	if sl := s.byIPUI[h.ipui]; sl != nil {
		return sl.id
	}
	return ""
}

// connectivityChanged drives everything that waits on a handset being
// reachable: a pending deregistration, a registration in flight, a ghost's
// attempts. byBase says the handset lost its base rather than left: the
// DM sees a base go at once, so detect-delay does not apply.
func (s *System) connectivityChanged(h *handset, was, byBase bool) {
	now := h.connected()
	if now == was {
		return
	}
	sl := s.byIPUI[h.ipui]
	if now {
		s.sim.Cancel(h.lostEv)
		h.lostEv, h.seen = 0, true
		if sl != nil {
			s.sipEval(sl)
		}
		if sl != nil && sl.state == ToDeReg && sl.registered && sl.airEv == 0 {
			s.startAirDereg(sl)
		}
		if s.isGhost(h) {
			s.scheduleGhostAttempt(h, s.cfg.AirLatency)
		}
		return
	}
	s.sim.Cancel(h.ghostEv)
	h.ghostEv = 0
	if d := s.rd.DetectDelay; d > 0 && !byBase {
		h.lostEv = s.sim.After(d, func() {
			h.lostEv = 0
			s.noticeLost(h)
		})
		return
	}
	s.noticeLost(h)
}

// noticeLost is the system noticing that a handset has gone: at once, or
// after the reading detect-delay. A registration or a deregistration over
// the air that was under way fails.
func (s *System) noticeLost(h *handset) {
	h.seen = false
	sl := s.byIPUI[h.ipui]
	if sl == nil {
		return
	}
	s.sipEval(sl)
	switch {
	case sl.state == InReg && sl.regEv != 0:
		s.abortRegistration(sl, h, "handset-lost", "the handset left before registration completed")
	case sl.state == ToDeReg && sl.airEv != 0:
		s.airDeregLost(sl, "the handset left during deregistration")
	}
}

// Reset clears a handset's own subscription, as its user does to a ghost.
func (s *System) Reset(id string) error {
	h, err := s.handset(id)
	if err != nil {
		return err
	}
	s.setSubscribed(h, false)
	s.sim.Cancel(h.ghostEv)
	h.ghostEv = 0
	s.emit(Event{Type: EvHandsetReset, IPUI: h.ipui, Slot: s.slotIDOf(h)})
	return nil
}

func (s *System) scheduleGhostAttempt(h *handset, after time.Duration) {
	s.sim.Cancel(h.ghostEv)
	h.ghostEv = s.sim.After(after, func() {
		h.ghostEv = 0
		if !h.connected() || !s.isGhost(h) {
			return
		}
		s.emit(Event{Type: EvGhostAttempt, IPUI: h.ipui, Detail: "the handset tries to reach a system that no longer knows it"})
		s.scheduleGhostAttempt(h, s.cfg.GhostInterval)
	})
}

// becameGhost is called after a removal left h subscribed with no slot.
func (s *System) becameGhost(h *handset, slotID string) {
	s.emit(Event{Type: EvGhostCreated, IPUI: h.ipui, Slot: slotID, Detail: "the handset still holds its subscription"})
	if h.connected() {
		s.scheduleGhostAttempt(h, s.cfg.AirLatency)
	}
}
