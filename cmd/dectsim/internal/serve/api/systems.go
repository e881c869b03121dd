package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/dectsim/dectsim/cmd/dectsim/internal/serve"
	"github.com/dectsim/dectsim/emulator/system"
)

// MaxEventsPerCall bounds the events one GET of a system's events returns;
// a client reads on with since= the last seq it got.
const MaxEventsPerCall = 10_000

const rfc3339 = time.RFC3339Nano

func stamp(t time.Time) string { return t.UTC().Format(rfc3339) }

// stampOrEmpty is "" for the zero time, which JSON leaves out.
func stampOrEmpty(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return stamp(t)
}

// SystemSummary is one entry of GET /api/systems.
type SystemSummary struct {
	MAC      string `json:"mac"`
	Product  string `json:"product"`
	Firmware string `json:"firmware"`
	Now      string `json:"now"`
	Slots    int    `json:"slots"`
	Handsets int    `json:"handsets"`
	Ghosts   int    `json:"ghosts"`
	Scenario string `json:"scenario"`
	Passed   int    `json:"passed"`
	Failed   int    `json:"failed"`
	Error    string `json:"error,omitempty"`
}

// SystemView is GET /api/systems/{mac}: here slots and handsets are the
// lists, not their counts.
type SystemView struct {
	MAC          string            `json:"mac"`
	Product      string            `json:"product"`
	Firmware     string            `json:"firmware"`
	Now          string            `json:"now"`
	URL          string            `json:"url"`
	NextCheck    string            `json:"next_check,omitempty"`
	Window       *WindowView       `json:"registration_window,omitempty"`
	Readings     map[string]string `json:"readings"`
	Slots        []SlotView        `json:"slots"`
	Handsets     []SystemHandset   `json:"handsets"`
	Ghosts       int               `json:"ghosts"`
	Scenario     string            `json:"scenario"`
	Passed       int               `json:"passed"`
	Failed       int               `json:"failed"`
	Error        string            `json:"error,omitempty"`
	Expectations []Expectation     `json:"expectations"`
	// DMs are the DECT managers with their base stations.
	DMs []DMView `json:"dms"`
}

// WindowView is the registration window update_dm opened.
type WindowView struct {
	Start string `json:"start"`
	End   string `json:"end"`
	Open  bool   `json:"open"`
}

// SlotView is one entry of the system's handset list.
type SlotView struct {
	ID       string `json:"id"`
	IPUI     string `json:"ipui"`
	State    string `json:"state"`
	PIN      string `json:"pin"`
	Deadline string `json:"deadline,omitempty"`
	Trigger  string `json:"trigger,omitempty"`
	// Location is the id of the DM through which its handset registered
	// (it follows roaming); absent while no handset has registered in it.
	Location string `json:"location,omitempty"`
	// SIP is its account's state at the PBX: registered, unregistered or
	// failed.
	SIP string `json:"sip"`
}

// HandsetView is one physical handset of the system's world.
type HandsetView struct {
	IPUI       string `json:"ipui"`
	Power      string `json:"power"`
	Range      string `json:"range"`
	Subscribed bool   `json:"subscribed"`
	Ghost      bool   `json:"ghost"`
}

// SystemHandset is a handset of GET /api/systems/{mac}: HandsetView, the
// base it camps at (NoBase when none) and the bases within its reach,
// best first (every base, in declaration order, when it reaches them
// all).
type SystemHandset struct {
	HandsetView
	Base  string   `json:"base"`
	Reach []string `json:"reach"`
}

func summary(m *serve.Member) SystemSummary {
	s := m.Sys
	res := m.Live.Result()
	out := SystemSummary{MAC: m.MAC, Product: s.Product().Name, Firmware: s.Firmware().String(), Now: stamp(s.Now()),
		Slots: s.SlotCount(), Handsets: len(s.Handsets()), Ghosts: s.GhostCount(), Scenario: res.Scenario.File,
		Failed: len(res.Failures)}
	out.Passed = res.Checks() - out.Failed
	if m.Err != nil {
		out.Error = m.Err.Error()
	}
	return out
}

func (a *API) systems(w http.ResponseWriter, r *http.Request) {
	var out []SystemSummary
	err := a.call(r, func() {
		for _, m := range a.w.Members() {
			out = append(out, summary(m))
		}
	})
	if err != nil {
		unavailable(w, err)
		return
	}
	reply(w, http.StatusOK, out)
}

// call runs fn on the world's goroutine: as a read for GET and HEAD,
// which the world answers even while a system waits for a fetch, else as
// a call that may change the systems.
func (a *API) call(r *http.Request, fn func()) error {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return a.w.Read(r.Context(), fn)
	}
	return a.w.Do(r.Context(), fn)
}

// withMember runs fn on the world's goroutine with the system the path
// names, answering 404 when there is none.
func (a *API) withMember(w http.ResponseWriter, r *http.Request, fn func(m *serve.Member)) bool {
	found := false
	err := a.call(r, func() {
		m, ok := a.w.Member(r.PathValue("mac"))
		if ok {
			found = true
			fn(m)
		}
	})
	switch {
	case err != nil:
		unavailable(w, err)
		return false
	case !found:
		fail(w, http.StatusNotFound, "no system with MAC %q (GET /api/systems lists them)", r.PathValue("mac"))
		return false
	}
	return true
}

// unavailable answers a call the world could not take: it is closing, or
// the caller went away.
func unavailable(w http.ResponseWriter, err error) {
	fail(w, http.StatusServiceUnavailable, "%v", err)
}

func (a *API) system(w http.ResponseWriter, r *http.Request) {
	var v SystemView
	if a.withMember(w, r, func(m *serve.Member) { v = view(m) }) {
		reply(w, http.StatusOK, v)
	}
}

func view(m *serve.Member) SystemView {
	s := m.Sys
	sum := summary(m)
	v := SystemView{MAC: sum.MAC, Product: sum.Product, Firmware: sum.Firmware, Now: sum.Now, Ghosts: sum.Ghosts,
		Scenario: sum.Scenario, Passed: sum.Passed, Failed: sum.Failed, Error: sum.Error,
		Readings: s.Config().Readings, Slots: []SlotView{}, Handsets: []SystemHandset{}, DMs: DMs(s)}
	if f := m.Live.Fetcher(); f != nil {
		v.URL = f.URL()
		if at, ok := f.NextCheck(); ok {
			v.NextCheck = stamp(at)
		}
	}
	if win := s.RegistrationWindow(); !win.Start.IsZero() {
		v.Window = &WindowView{Start: stamp(win.Start), End: stamp(win.End), Open: win.Open(s.Now())}
	}
	for _, sl := range s.Slots() {
		v.Slots = append(v.Slots, SlotView{ID: sl.ID, IPUI: sl.IPUI, State: string(sl.State), PIN: sl.PIN,
			Deadline: stampOrEmpty(sl.Deadline), Trigger: sl.Trigger, Location: sl.Location, SIP: sl.SIP})
	}
	all := baseIDs(s)
	for _, h := range s.Handsets() {
		v.Handsets = append(v.Handsets, SystemHandset{HandsetView: handsetView(h), Base: baseOf(h), Reach: reaches(s, h.IPUI, all)})
	}
	v.Expectations = expectations(m.Live.Result().Outcomes)
	return v
}

func handsetView(h system.Handset) HandsetView {
	hv := HandsetView{IPUI: h.IPUI, Power: "on", Range: "in", Subscribed: h.Subscribed, Ghost: h.Ghost}
	if !h.On {
		hv.Power = "off"
	}
	if !h.InRange {
		hv.Range = "out"
	}
	return hv
}

func (a *API) settings(w http.ResponseWriter, r *http.Request) {
	var out map[string]string
	if a.withMember(w, r, func(m *serve.Member) { out = m.Sys.Settings() }) {
		reply(w, http.StatusOK, out)
	}
}

func (a *API) events(w http.ResponseWriter, r *http.Request) {
	since, err := intParam(r, "since", 0)
	if err != nil {
		fail(w, http.StatusBadRequest, "%v", err)
		return
	}
	limit, err := intParam(r, "limit", MaxEventsPerCall)
	if err != nil || limit == 0 || limit > MaxEventsPerCall {
		fail(w, http.StatusBadRequest, "limit must be a count from 1 to %d", MaxEventsPerCall)
		return
	}
	out := []serve.EventJSON{}
	ok := a.withMember(w, r, func(m *serve.Member) {
		evs := m.Sys.EventsSince(since)
		if len(evs) > limit {
			evs = evs[:limit]
		}
		for _, e := range evs {
			out = append(out, m.EventJSON(e))
		}
	})
	if ok {
		reply(w, http.StatusOK, out)
	}
}

// intParam reads a query parameter that is a count.
func intParam(r *http.Request, name string, def int) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, &paramError{name: name, value: v}
	}
	return n, nil
}

type paramError struct{ name, value string }

func (e *paramError) Error() string {
	return e.name + "=" + strconv.Quote(e.value) + " must be a count (0 or more)"
}
