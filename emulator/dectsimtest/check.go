package dectsimtest

import (
	"fmt"
	"strings"

	"github.com/dectsim/dectsim/emulator/system"
)

// The check helpers report through t.Errorf, with the handset's timeline,
// and return whether the check held so a test can stop early if it wants.

// CheckState checks the DECT state of the slot found by ipui (by IPUI,
// else slot id); system.Absent checks that there is none.
func (s *Sim) CheckState(t T, ipui string, want system.State) bool {
	t.Helper()
	defer s.lock()()
	got := s.sys.SlotState(ipui)
	if got == want {
		return true
	}
	t.Errorf("dectsimtest: slot %s is %s, want %s\n%s", ipui, got, want, s.timeline(ipui))
	return false
}

// CheckRegistered checks that the handset is registered: its slot is
// Registered and it holds its subscription.
func (s *Sim) CheckRegistered(t T, ipui string) bool {
	t.Helper()
	defer s.lock()()
	st := s.sys.SlotState(ipui)
	h, ok := s.sys.Handset(ipui)
	if st == system.Registered && ok && h.Subscribed {
		return true
	}
	t.Errorf("dectsimtest: handset %s is not registered (slot %s, subscribed %v)\n%s", ipui, st, h.Subscribed, s.timeline(ipui))
	return false
}

// CheckGhost checks that the handset is a ghost: subscribed to a system
// that no longer holds its registration.
func (s *Sim) CheckGhost(t T, ipui string) bool {
	t.Helper()
	return s.checkGhost(t, ipui, true)
}

// CheckNotGhost checks that the handset is not a ghost.
func (s *Sim) CheckNotGhost(t T, ipui string) bool {
	t.Helper()
	return s.checkGhost(t, ipui, false)
}

func (s *Sim) checkGhost(t T, ipui string, want bool) bool {
	t.Helper()
	defer s.lock()()
	h, ok := s.sys.Handset(ipui)
	if !ok {
		t.Errorf("dectsimtest: no handset %s", ipui)
		return false
	}
	if h.Ghost == want {
		return true
	}
	what := "is not a ghost"
	if h.Ghost {
		what = "is a ghost"
	}
	t.Errorf("dectsimtest: handset %s %s (slot %s, subscribed %v)\n%s", ipui, what, s.sys.SlotState(ipui), h.Subscribed, s.timeline(ipui))
	return false
}

// CheckGhostCount checks how many ghosts the system has.
func (s *Sim) CheckGhostCount(t T, want int) bool {
	t.Helper()
	defer s.lock()()
	ids := s.sys.GhostIPUIs()
	if len(ids) == want {
		return true
	}
	t.Errorf("dectsimtest: %d ghosts %v, want %d", len(ids), ids, want)
	return false
}

// CheckSlotCount checks the number of slots in the handset list.
func (s *Sim) CheckSlotCount(t T, want int) bool {
	t.Helper()
	defer s.lock()()
	if n := s.sys.SlotCount(); n != want {
		var ids []string
		for _, sl := range s.sys.Slots() {
			ids = append(ids, fmt.Sprintf("%s(%s)", sl.ID, sl.State))
		}
		t.Errorf("dectsimtest: %d slots, want %d: %s", n, want, strings.Join(ids, " "))
		return false
	}
	return true
}

// CheckParam checks a provisioned setting's value.
func (s *Sim) CheckParam(t T, name, want string) bool {
	t.Helper()
	defer s.lock()()
	got, ok := s.sys.Setting(name)
	switch {
	case !ok:
		t.Errorf("dectsimtest: setting %s is absent, want %q", name, want)
	case got != want:
		t.Errorf("dectsimtest: setting %s is %q, want %q", name, got, want)
	default:
		return true
	}
	return false
}

// CheckNoParam checks that a setting does not exist.
func (s *Sim) CheckNoParam(t T, name string) bool {
	t.Helper()
	defer s.lock()()
	if got, ok := s.sys.Setting(name); ok {
		t.Errorf("dectsimtest: setting %s is %q, want it absent", name, got)
		return false
	}
	return true
}

// CheckEvent checks how many events of type typ concern key ("" for any)
// with that outcome, trigger, reason or code ("" for any); want < 0 means
// at least one.
func (s *Sim) CheckEvent(t T, typ, key, outcome string, want int) bool {
	t.Helper()
	defer s.lock()()
	n := s.sys.CountEvents(system.EventQuery{Type: typ, Key: key, Outcome: outcome})
	if (want < 0 && n > 0) || n == want {
		return true
	}
	w := fmt.Sprint(want)
	if want < 0 {
		w = "at least 1"
	}
	t.Errorf("dectsimtest: %d %s events (key %q, outcome %q), want %s\n%s", n, typ, key, outcome, w, s.timeline(key))
	return false
}
