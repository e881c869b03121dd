package page

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/dectsim/dectsim/cmd/dectsim/internal/serve"
	"github.com/dectsim/dectsim/cmd/dectsim/internal/serve/api"
)

// The first screen: what GET / shows of the chosen system before the
// script has read anything, so that curl and a browser without script
// see the handset list, the handsets and the base stations. Each part is
// the API's answer drawn with the words the script uses; the script then
// draws the same parts again from the API and keeps them current.

// The rows the first screen shows, as the script's first reads ask for.
const (
	ListRows  = api.DefaultListRows
	WorldRows = 50
	// TimelineRows is the most rows (slots and ghosts) for which the
	// timeline box starts open.
	TimelineRows = 200
)

// screen is the first screen of one system.
type screen struct {
	MAC       string
	Model     string
	Line      string
	LineBad   bool
	List      api.HandsetList
	Count     string
	World     api.WorldHandsets
	HCount    string
	DMs       []api.DMView
	Cells     string
	Clock     clockView
	Timeline  bool
	ListPrev  bool // the list's Previous button is enabled
	ListNext  bool
	WorldPrev bool
	WorldNext bool
}

type clockView struct{ Now, Since, Mode, Next string }

// screenOf reads the first screen of m; call it on the world's goroutine.
func screenOf(w *serve.World, m *serve.Member) screen {
	l := api.HandsetListPage(m, 0, ListRows)
	h := api.WorldHandsetsPage(m, 0, WorldRows)
	sc := screen{MAC: m.MAC, Model: "Gigaset " + l.Model, List: l, World: h, DMs: api.DMs(m.Sys),
		Clock: clockOf(w), Timeline: l.Slots+l.Ghosts <= TimelineRows}
	sc.Line, sc.LineBad = sysline(l, w.Now())
	sc.Count, sc.ListPrev, sc.ListNext = listCount(l)
	sc.HCount, sc.WorldPrev, sc.WorldNext = worldCount(h)
	sc.Cells = cellsCount(sc.DMs)
	return sc
}

// sysline is the line under the list's title: the system, its scenario's
// expectations, its own time when it is behind the world's, and why it
// stopped.
func sysline(l api.HandsetList, now time.Time) (string, bool) {
	parts := []string{l.Product, "firmware " + l.Firmware, "MAC " + l.MAC, l.Scenario,
		fmt.Sprintf("expectations: %d passed, %d failed", l.Passed, l.Failed)}
	if t, err := time.Parse(time.RFC3339Nano, l.Now); err == nil && t.Before(now) {
		parts = append(parts, "its time: "+when(l.Now))
	}
	if l.Stopped != "" {
		parts = append(parts, "stopped: "+l.Stopped)
	}
	return strings.Join(parts, " · "), l.Stopped != "" || l.Failed > 0
}

func listCount(l api.HandsetList) (string, bool, bool) {
	to := l.Offset + len(l.Rows)
	c := "0 of 0"
	if l.Matched > 0 {
		c = fmt.Sprintf("%d–%d of %d", l.Offset+1, to, l.Matched)
	}
	c += " · " + plural(l.Slots, "entry", "entries") + " · " + plural(l.Ghosts, "ghost", "ghosts")
	return c, l.Offset > 0, to < l.Matched
}

func worldCount(h api.WorldHandsets) (string, bool, bool) {
	to := h.Offset + len(h.Handsets)
	c := "0"
	if h.Matched > 0 {
		c = fmt.Sprintf("%d–%d", h.Offset+1, to)
	}
	return fmt.Sprintf("%s of %d", c, h.Matched), h.Offset > 0, to < h.Matched
}

// cellsCount sums up the base stations: how many DMs, bases and bases
// serving.
func cellsCount(dms []api.DMView) string {
	bases, serving := 0, 0
	for _, d := range dms {
		bases += len(d.Bases)
		serving += servingCount(d)
	}
	return plural(len(dms), "DECT manager", "DECT managers") + " · " + plural(bases, "base station", "base stations") +
		fmt.Sprintf(", %d serving", serving)
}

func servingCount(d api.DMView) int {
	n := 0
	for _, b := range d.Bases {
		if b.Serving {
			n++
		}
	}
	return n
}

// dmServing is the DM row's summary of its bases.
func dmServing(d api.DMView) string {
	return fmt.Sprintf("%d of %d serving", servingCount(d), len(d.Bases))
}

// notServing says why a base does not serve: it is off, its DM is down,
// or it is not synchronised (no base it hears serves, or it is
// re-synchronising).
func notServing(d api.DMView, b api.BaseView) string {
	switch {
	case b.Serving:
		return ""
	case b.State == "down":
		return "switched off"
	case d.State == "down":
		return "its DM is down"
	}
	return "not synchronised"
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

func clockOf(w *serve.World) clockView {
	c := clockView{Now: when(stamp(w.Now())), Since: since(w.Start(), w.Now()), Mode: "manual clock", Next: "nothing due"}
	if real, speed := w.RealClock(); real {
		c.Mode = "real time ×" + strconv.FormatFloat(speed, 'f', -1, 64)
	}
	if at, ok := w.NextDue(); ok {
		c.Next = "next due " + when(stamp(at))
	}
	return c
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// when writes an RFC 3339 time as the page shows it, to the second:
// "2026-01-05 09:00:00 UTC".
func when(iso string) string {
	t, err := time.Parse(time.RFC3339Nano, iso)
	if err != nil {
		return iso
	}
	return t.UTC().Format("2006-01-02 15:04:05") + " UTC"
}

// since is the time from from to to as the clock shows it: "+1d2h3m4s",
// "+0s".
func since(from, to time.Time) string {
	s := int64(max(to.Sub(from).Round(time.Second), 0) / time.Second)
	var b strings.Builder
	for _, u := range []struct {
		n    int64
		name string
	}{{86400, "d"}, {3600, "h"}, {60, "m"}, {1, "s"}} {
		if s >= u.n {
			fmt.Fprintf(&b, "%d%s", s/u.n, u.name)
			s %= u.n
		}
	}
	if b.Len() == 0 {
		return "+0s"
	}
	return "+" + b.String()
}

// toggle is a switch of the first screen, drawn as the script draws it
// but disabled: without the script it could change nothing.
type toggle struct {
	Kind, Who, OnText, OffText string
	On                         bool
}

func newToggle(kind string, on bool, onText, offText, who string) toggle {
	return toggle{Kind: kind, Who: who, OnText: onText, OffText: offText, On: on}
}
