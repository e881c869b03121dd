package api

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/dectsim/dectsim/cmd/dectsim/internal/serve"
	"github.com/dectsim/dectsim/emulator/system"
)

// The two lists the web page reads a page of rows at a time, so that a
// Virtual Integrator's thousands of handsets cost the page one screenful.
const (
	// DefaultListRows is a page's rows when limit= is not given.
	DefaultListRows = 100
	// MaxListRows bounds limit=.
	MaxListRows = 1000
	// MaxSearch bounds q=, in bytes.
	MaxSearch = 200
)

// HandsetList is GET /api/systems/{mac}/handset-list: the system's
// Settings → Mobile devices → Administration list as its web UI shows it,
// one page of it, then the ghosts the real list never shows.
type HandsetList struct {
	MAC      string `json:"mac"`
	Product  string `json:"product"`
	Model    string `json:"model"`
	Firmware string `json:"firmware"`
	Now      string `json:"now"`
	Scenario string `json:"scenario"`
	Passed   int    `json:"passed"`
	Failed   int    `json:"failed"`
	// Stopped is why the system stopped, empty while it runs.
	Stopped string `json:"stopped,omitempty"`
	// LastSeq is the sequence number of the system's last event.
	LastSeq int `json:"last_seq"`
	// Slots and Ghosts count the whole list; Matched the rows q= selects.
	Slots   int       `json:"slots"`
	Ghosts  int       `json:"ghosts"`
	Matched int       `json:"matched"`
	Offset  int       `json:"offset"`
	Limit   int       `json:"limit"`
	Rows    []ListRow `json:"rows"`
}

// ListRow is one row of the list: a slot, or a ghost (a handset that still
// holds a subscription no slot has).
type ListRow struct {
	// Slot is the slot's id (the add_hs value); empty for a ghost.
	Slot        string `json:"slot"`
	IPUI        string `json:"ipui"`
	UserName    string `json:"user_name"`
	DisplayName string `json:"display_name"`
	// Location is the name of the DM the slot is located at, as the real
	// list shows it (locationName).
	Location string `json:"location"`
	// State is the DECT state (absent for a ghost), Label the words the
	// real web UI shows for it.
	State string `json:"state"`
	Label string `json:"label"`
	// Actions are the changes the operator may make in this state.
	Actions []AdminAction `json:"actions"`
	// Deadline and Left, while the slot waits in ToDeReg: when the wait
	// runs out, and how long that is from the system's now.
	Deadline string `json:"deadline,omitempty"`
	Left     string `json:"left,omitempty"`
	Trigger  string `json:"trigger,omitempty"`
	// GhostAtDeadline: the slot's handset holds its subscription and is
	// not connected, so it becomes a ghost at the deadline unless it
	// comes back first.
	GhostAtDeadline bool `json:"ghost_at_deadline"`
	Ghost           bool `json:"ghost"`
	// DM is the id of the DM the slot is located at; absent while no
	// handset has registered in it (SlotView.Location).
	DM string `json:"dm,omitempty"`
	// Base is where the row's handset camps (NoBase when it camps at
	// none); absent when no handset of the world carries its IPUI.
	Base string `json:"base,omitempty"`
	// SIP is the row's SIP state at the PBX (registered, unregistered,
	// failed; a ghost's is unregistered), SIPLabel the words the list
	// shows for it.
	SIP      string `json:"sip"`
	SIPLabel string `json:"sip_label"`
}

// SIPLabel is the SIP state column's words for a SIP state.
func SIPLabel(state string) string {
	switch state {
	case system.SIPRegistered:
		return "Registered"
	case system.SIPFailed:
		return "Registration failed"
	}
	return "Not registered"
}

// AdminAction is one change the operator may make to a slot: the state
// to send as <admin slot state/>, and the words of the web UI.
type AdminAction struct {
	State string `json:"state"`
	Label string `json:"label"`
}

// labels are the real web UI's words for the DECT states.
var labels = map[system.State]string{
	system.ToReg: "To register", system.NotReg: "Not registered", system.InReg: "In registration",
	system.Registered: "Registered", system.ToDeReg: "To deregister",
}

// GhostLabel is the state column of a ghost's row, which the real list
// does not have.
const GhostLabel = "Ghost"

// adminActions are the changes the web UI offers per state (<admin>).
var adminActions = map[system.State][]system.State{
	system.ToReg: {system.NotReg}, system.NotReg: {system.ToReg},
	system.InReg: {system.NotReg}, system.Registered: {system.ToDeReg},
}

// Label is the web UI's words for a DECT state, the state itself for one
// it has none for.
func Label(s system.State) string {
	if l, ok := labels[s]; ok {
		return l
	}
	return string(s)
}

// Actions are the changes the web UI offers an operator for a slot in s.
func Actions(s system.State) []AdminAction {
	out := []AdminAction{}
	for _, to := range adminActions[s] {
		out = append(out, AdminAction{State: string(to), Label: Label(to)})
	}
	return out
}

// listQuery is q=, offset= and limit= of a list.
type listQuery struct {
	q             string
	offset, limit int
}

func readListQuery(r *http.Request) (listQuery, error) {
	q := r.URL.Query().Get("q")
	if len(q) > MaxSearch {
		return listQuery{}, fmt.Errorf("q= is longer than the limit of %d bytes", MaxSearch)
	}
	off, err := intParam(r, "offset", 0)
	if err != nil {
		return listQuery{}, err
	}
	lim, err := intParam(r, "limit", DefaultListRows)
	if err != nil || lim == 0 || lim > MaxListRows {
		return listQuery{}, fmt.Errorf("limit= must be a count from 1 to %d", MaxListRows)
	}
	return listQuery{q: strings.ToLower(strings.TrimSpace(q)), offset: off, limit: lim}, nil
}

// page keeps the rows of one page while counting every match.
type page[T any] struct {
	listQuery
	matched int
	rows    []T
}

// add counts a matching row and keeps it when it is on the page; row is
// called only for a kept row.
func (p *page[T]) add(row func() T) {
	if p.matched >= p.offset && p.matched < p.offset+p.limit {
		p.rows = append(p.rows, row())
	}
	p.matched++
}

// matches reports whether any of the values holds the search text.
func (q listQuery) matches(values ...string) bool {
	if q.q == "" {
		return true
	}
	for _, v := range values {
		if strings.Contains(strings.ToLower(v), q.q) {
			return true
		}
	}
	return false
}

func (a *API) handsetList(w http.ResponseWriter, r *http.Request) {
	lq, err := readListQuery(r)
	if err != nil {
		fail(w, http.StatusBadRequest, "%v", err)
		return
	}
	var out HandsetList
	if a.withMember(w, r, func(m *serve.Member) { out = handsetList(m, lq) }) {
		reply(w, http.StatusOK, out)
	}
}

// HandsetListPage is the handset list from row offset, at most limit
// rows, as GET /api/systems/{mac}/handset-list answers it without q=.
// Call it on the world's goroutine.
func HandsetListPage(m *serve.Member, offset, limit int) HandsetList {
	return handsetList(m, listQuery{offset: offset, limit: limit})
}

func handsetList(m *serve.Member, lq listQuery) HandsetList {
	s := m.Sys
	sum := summary(m)
	out := HandsetList{MAC: m.MAC, Product: sum.Product, Model: s.Product().Model, Firmware: sum.Firmware,
		Now: sum.Now, Scenario: sum.Scenario, Passed: sum.Passed, Failed: sum.Failed, Stopped: sum.Error,
		LastSeq: s.EventCount(), Slots: s.SlotCount(), Ghosts: s.GhostCount(), Offset: lq.offset, Limit: lq.limit}
	p := page[ListRow]{listQuery: lq}
	dms := dmNames(s)
	for _, sl := range s.Slots() {
		user, display := names(s, sl)
		if lq.matches(sl.ID, sl.IPUI, user, display) {
			p.add(func() ListRow { return slotRow(s, sl, user, display, dms) })
		}
	}
	for _, h := range s.Ghosts() {
		if lq.matches(h.IPUI) {
			p.add(func() ListRow {
				return ListRow{IPUI: h.IPUI, State: string(system.Absent), Label: GhostLabel, Actions: []AdminAction{}, Ghost: true,
					Base: baseOf(h), SIP: system.SIPUnregistered, SIPLabel: SIPLabel(system.SIPUnregistered)}
			})
		}
	}
	out.Matched, out.Rows = p.matched, p.rows
	if out.Rows == nil {
		out.Rows = []ListRow{}
	}
	return out
}

// names are the user name and display name the list shows for a slot:
// those of its SIP account, SipAccount.<id>.UserName and .DisplayName,
// under the slot's id or else under the IPUI registered in it.
func names(s *system.System, sl system.Slot) (user, display string) {
	for _, key := range []string{sl.ID, sl.IPUI} {
		if key == "" {
			continue
		}
		if user == "" {
			user, _ = s.Setting("SipAccount." + key + ".UserName")
		}
		if display == "" {
			display, _ = s.Setting("SipAccount." + key + ".DisplayName")
		}
	}
	return user, display
}

func slotRow(s *system.System, sl system.Slot, user, display string, dms map[string]string) ListRow {
	row := ListRow{Slot: sl.ID, IPUI: sl.IPUI, UserName: user, DisplayName: display, Location: locationName(dms, sl),
		State: string(sl.State), Label: Label(sl.State), Actions: Actions(sl.State), Trigger: sl.Trigger, DM: sl.Location,
		SIP: sl.SIP, SIPLabel: SIPLabel(sl.SIP)}
	h, held := s.Handset(sl.IPUI)
	held = held && sl.IPUI != ""
	if held {
		row.Base = baseOf(h)
	}
	if sl.State == system.ToDeReg && !sl.Deadline.IsZero() {
		row.Deadline = stamp(sl.Deadline)
		row.Left = left(sl.Deadline.Sub(s.Now()))
		row.GhostAtDeadline = held && h.Subscribed && !h.Connected()
	}
	return row
}

// left writes the time until a deadline to the second, never below 0s.
func left(d time.Duration) string {
	return max(d, 0).Truncate(time.Second).String()
}

// WorldHandsets is GET /api/systems/{mac}/handsets: one page of the
// handsets of the system's world, each with the slot its IPUI is in.
type WorldHandsets struct {
	MAC      string         `json:"mac"`
	Now      string         `json:"now"`
	Total    int            `json:"total"`
	Matched  int            `json:"matched"`
	Offset   int            `json:"offset"`
	Limit    int            `json:"limit"`
	Handsets []WorldHandset `json:"handsets"`
}

// WorldHandset is a handset of the world (as in GET /api/systems/{mac})
// with the slot that holds its IPUI: its id, DECT state and the web UI's
// words for it ("", absent and "" when none does) and its user name.
type WorldHandset struct {
	HandsetView
	Slot     string `json:"slot"`
	State    string `json:"state"`
	Label    string `json:"label"`
	UserName string `json:"user_name"`
	// Base is where it camps (NoBase when it camps at none), Location
	// the id of the DM its slot is located at (absent when none).
	Base     string `json:"base"`
	Location string `json:"location,omitempty"`
}

func (a *API) worldHandsets(w http.ResponseWriter, r *http.Request) {
	lq, err := readListQuery(r)
	if err != nil {
		fail(w, http.StatusBadRequest, "%v", err)
		return
	}
	var out WorldHandsets
	if a.withMember(w, r, func(m *serve.Member) { out = worldHandsets(m, lq) }) {
		reply(w, http.StatusOK, out)
	}
}

// WorldHandsetsPage is the handsets of the world from offset, at most
// limit, as GET /api/systems/{mac}/handsets answers it without q=. Call
// it on the world's goroutine.
func WorldHandsetsPage(m *serve.Member, offset, limit int) WorldHandsets {
	return worldHandsets(m, listQuery{offset: offset, limit: limit})
}

func worldHandsets(m *serve.Member, lq listQuery) WorldHandsets {
	s := m.Sys
	hs := s.Handsets()
	out := WorldHandsets{MAC: m.MAC, Now: stamp(s.Now()), Total: len(hs), Offset: lq.offset, Limit: lq.limit}
	p := page[WorldHandset]{listQuery: lq}
	for _, h := range hs {
		wh := WorldHandset{HandsetView: handsetView(h), State: string(system.Absent), Base: baseOf(h)}
		if sl, ok := s.Slot(h.IPUI); ok {
			wh.Slot, wh.State, wh.Label = sl.ID, string(sl.State), Label(sl.State)
			wh.UserName, _ = names(s, sl)
			wh.Location = sl.Location
		}
		if lq.matches(h.IPUI, wh.Slot, wh.UserName) {
			p.add(func() WorldHandset { return wh })
		}
	}
	out.Matched, out.Handsets = p.matched, p.rows
	if out.Handsets == nil {
		out.Handsets = []WorldHandset{}
	}
	return out
}
