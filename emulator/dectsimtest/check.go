package dectsimtest

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/dectsim/dectsim/emulator/autoprov"
	"github.com/dectsim/dectsim/emulator/system"
)

// The check helpers report through t.Errorf, with the handset's timeline,
// and return whether the check held so a test can stop early if it wants.

// CheckState checks the DECT state of the slot found by ipui (by IPUI,
// else slot id); system.Absent checks that there is none.
func (s *Sim) CheckState(t Reporter, ipui string, want system.State) bool {
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
func (s *Sim) CheckRegistered(t Reporter, ipui string) bool {
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
func (s *Sim) CheckGhost(t Reporter, ipui string) bool {
	t.Helper()
	return s.checkGhost(t, ipui, true)
}

// CheckNotGhost checks that the handset is not a ghost.
func (s *Sim) CheckNotGhost(t Reporter, ipui string) bool {
	t.Helper()
	return s.checkGhost(t, ipui, false)
}

func (s *Sim) checkGhost(t Reporter, ipui string, want bool) bool {
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
func (s *Sim) CheckGhostCount(t Reporter, want int) bool {
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
func (s *Sim) CheckSlotCount(t Reporter, want int) bool {
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
func (s *Sim) CheckParam(t Reporter, name, want string) bool {
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
func (s *Sim) CheckNoParam(t Reporter, name string) bool {
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
// at least one. CheckEventCount, CheckSomeEvent and CheckNoEvent say the
// same with an EventQuery and without the magic count.
func (s *Sim) CheckEvent(t Reporter, typ, key, outcome string, want int) bool {
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

// CheckEventCount checks that exactly want events match q.
func (s *Sim) CheckEventCount(t Reporter, q system.EventQuery, want int) bool {
	t.Helper()
	defer s.lock()()
	if n := s.sys.CountEvents(q); n != want {
		t.Errorf("dectsimtest: %d events %s, want %d\n%s", n, describe(q), want, s.timeline(q.Key))
		return false
	}
	return true
}

// CheckSomeEvent checks that at least one event matches q.
func (s *Sim) CheckSomeEvent(t Reporter, q system.EventQuery) bool {
	t.Helper()
	defer s.lock()()
	if s.sys.CountEvents(q) == 0 {
		t.Errorf("dectsimtest: no events %s\n%s", describe(q), s.timeline(q.Key))
		return false
	}
	return true
}

// CheckNoEvent checks that no event matches q; the failure lists those
// that do.
func (s *Sim) CheckNoEvent(t Reporter, q system.EventQuery) bool {
	t.Helper()
	defer s.lock()()
	found := s.sys.FindEvents(q)
	if len(found) == 0 {
		return true
	}
	t.Errorf("dectsimtest: %d events %s, want none:\n%s", len(found), describe(q), s.lines(found))
	return false
}

// CheckNoWarnings checks that no file applied so far earned a warning;
// the failure lists each with its file, line and column.
func (s *Sim) CheckNoWarnings(t Reporter) bool {
	t.Helper()
	return s.CheckNoEvent(t, system.EventQuery{Type: system.EvWarning})
}

// CheckFetches checks how many fetches ended with outcome: "ok", "error",
// or a reason such as "unauthorized" ("" counts every fetch).
func (s *Sim) CheckFetches(t Reporter, outcome string, want int) bool {
	t.Helper()
	return s.CheckEventCount(t, system.EventQuery{Type: system.EvFetch, Outcome: outcome}, want)
}

// RequestMatch selects HTTP requests the system made; an empty field
// matches any request.
type RequestMatch struct {
	// Path is the URL path, exactly (e.g. "/prov/7c2f80a1b2c3.xml").
	Path string
	// UserAgent is a regular expression the User-Agent must match.
	UserAgent string
	// User is the HTTP Digest user sent; NoUser matches requests sent
	// without credentials.
	User string
}

// NoUser is RequestMatch.User for requests sent without credentials.
const NoUser = "-"

// CheckRequest checks that exactly want of the system's HTTP requests
// match m; the failure lists every request.
func (s *Sim) CheckRequest(t Reporter, m RequestMatch, want int) bool {
	t.Helper()
	var ua *regexp.Regexp
	if m.UserAgent != "" {
		var err error
		if ua, err = regexp.Compile(m.UserAgent); err != nil {
			t.Errorf("dectsimtest: CheckRequest: User-Agent pattern: %v", err)
			return false
		}
	}
	reqs := s.Requests()
	n := 0
	for _, r := range reqs {
		if m.matches(r, ua) {
			n++
		}
	}
	if n == want {
		return true
	}
	var b strings.Builder
	for _, r := range reqs {
		user := r.AuthUser
		if user == "" {
			user = NoUser
		}
		fmt.Fprintf(&b, "  %s  %s %s  user %s  status %d  User-Agent %q\n", r.At.UTC().Format(time.RFC3339), r.Method, r.URL, user, r.Status, r.UserAgent)
	}
	if b.Len() == 0 {
		b.WriteString("  (no requests)\n")
	}
	t.Errorf("dectsimtest: %d requests match %+v, want %d; the system's requests:\n%s", n, m, want, b.String())
	return false
}

func (m RequestMatch) matches(r autoprov.Request, ua *regexp.Regexp) bool {
	if m.Path != "" {
		u, err := url.Parse(r.URL)
		if err != nil || u.Path != m.Path {
			return false
		}
	}
	if ua != nil && !ua.MatchString(r.UserAgent) {
		return false
	}
	switch m.User {
	case "":
	case NoUser:
		return r.AuthUser == ""
	default:
		return r.AuthUser == m.User
	}
	return true
}

// describe says what q selects, for failure messages.
func describe(q system.EventQuery) string {
	var parts []string
	if q.Type != "" {
		parts = append(parts, "of type "+q.Type)
	}
	if q.Key != "" {
		parts = append(parts, "about "+q.Key)
	}
	if q.Outcome != "" {
		parts = append(parts, "with outcome "+q.Outcome)
	}
	if len(parts) == 0 {
		return "at all"
	}
	return strings.Join(parts, " ")
}

// CheckSIP checks the SIP state of the handset's account at the PBX, as
// the simulated registrar holds it: system.SIPRegistered,
// system.SIPUnregistered (also when the handset has no slot: a ghost's
// extension is never registered) or system.SIPFailed.
func (s *Sim) CheckSIP(t Reporter, ipui, want string) bool {
	t.Helper()
	defer s.lock()()
	got := system.SIPUnregistered
	if sl, ok := s.sys.Slot(ipui); ok {
		got = sl.SIP
	}
	if got == want {
		return true
	}
	t.Errorf("dectsimtest: the SIP account of %s is %s, want %s\n%s", ipui, got, want, s.timeline(ipui))
	return false
}
