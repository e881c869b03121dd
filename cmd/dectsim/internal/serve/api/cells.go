package api

import (
	"net/http"

	"github.com/dectsim/dectsim/cmd/dectsim/internal/serve"
	"github.com/dectsim/dectsim/emulator/system"
)

// The multicell side of a system as the API shows it: its DECT managers,
// each with its base stations, and where each handset camps.

// NoBase is a handset's base when it camps at none: it is off, out of
// range, or no base within its reach serves (the word <expect base> takes).
const NoBase = "none"

// DMView is one DECT manager with its base stations, in declaration order.
type DMView struct {
	ID    string     `json:"id"`
	Name  string     `json:"name"`
	State string     `json:"state"`
	Bases []BaseView `json:"bases"`
}

// BaseView is one base station: its sync level and mode (system.SyncDECT
// or system.SyncLAN), whether it is switched on ("up"), whether it serves
// (up, its DM up, synchronised) and how many handsets camp at it.
type BaseView struct {
	ID       string `json:"id"`
	Level    int    `json:"level"`
	Sync     string `json:"sync"`
	State    string `json:"state"`
	Serving  bool   `json:"serving"`
	Handsets int    `json:"handsets"`
}

// DMList is GET /api/systems/{mac}/dms: the dms of GET /api/systems/{mac}
// alone, which the page reads on every change.
type DMList struct {
	MAC string   `json:"mac"`
	Now string   `json:"now"`
	DMs []DMView `json:"dms"`
}

func upDown(up bool) string {
	if up {
		return "up"
	}
	return "down"
}

// DMs are the system's DECT managers, each with its bases; a system that
// declares none has DM local with base base1. Call it on the world's
// goroutine.
func DMs(s *system.System) []DMView {
	dms := s.DMs()
	out := make([]DMView, len(dms))
	at := make(map[string]int, len(dms))
	for i, d := range dms {
		out[i] = DMView{ID: d.ID, Name: d.Name, State: upDown(d.Up), Bases: make([]BaseView, 0, len(d.Bases))}
		at[d.ID] = i
	}
	for _, b := range s.Bases() {
		i := at[b.DM]
		out[i].Bases = append(out[i].Bases, BaseView{ID: b.ID, Level: b.Level, Sync: b.Sync, State: upDown(b.Up),
			Serving: b.Serving, Handsets: b.Handsets})
	}
	return out
}

func (a *API) dms(w http.ResponseWriter, r *http.Request) {
	var out DMList
	if a.withMember(w, r, func(m *serve.Member) { out = DMList{MAC: m.MAC, Now: stamp(m.Sys.Now()), DMs: DMs(m.Sys)} }) {
		reply(w, http.StatusOK, out)
	}
}

// baseOf is the base a handset camps at, NoBase for none.
func baseOf(h system.Handset) string {
	if h.Base == "" {
		return NoBase
	}
	return h.Base
}

// reaches lists the bases within a handset's reach, best first: every
// base of the system, in declaration order (the order it tries them),
// when it reaches them all. all is that list, shared by every such
// handset.
func reaches(s *system.System, ipui string, all []string) []string {
	if r := s.Reach(ipui); r != nil {
		return r
	}
	return all
}

// baseIDs lists the system's bases in declaration order.
func baseIDs(s *system.System) []string {
	bs := s.Bases()
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = b.ID
	}
	return out
}

// dmNames maps each DM's id to the name the web UI shows.
func dmNames(s *system.System) map[string]string {
	dms := s.DMs()
	out := make(map[string]string, len(dms))
	for _, d := range dms {
		out[d.ID] = d.Name
	}
	return out
}

// locationName is what the web UI's Location column shows for a slot:
// the name of the DM it is located at. A slot no handset has registered
// in yet shows the only DM of a system that has one (the real list
// says "currently, always local"), and nothing when there are several.
func locationName(names map[string]string, sl system.Slot) string {
	if sl.Location != "" {
		return names[sl.Location]
	}
	if len(names) == 1 {
		for _, n := range names {
			return n
		}
	}
	return ""
}
