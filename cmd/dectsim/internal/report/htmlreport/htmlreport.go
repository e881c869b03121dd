// Package htmlreport writes scenario runs as one self-contained HTML page:
// per scenario a timeline picture in inline SVG (a lane per handset with
// where it was, its slot's DECT state and its ghost periods, a lane for the
// system's fetches and files, a lane for the expectations), then the event
// table. Nothing is fetched when the page is opened: the CSS is inline and
// there is no script.
//
// Every text goes through printable.String and html/template's escaping:
// values from scenario files, provisioning files and servers are hostile.
// The page is also well-formed XML, so it can be checked without an HTML
// parser.
package htmlreport

import (
	"fmt"
	"html/template"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/dectsim/dectsim/emulator/scenario"
	"github.com/dectsim/dectsim/emulator/system"
	"github.com/dectsim/dectsim/internal/textio/printable"
)

// Limits that keep the page small for big stories (200 handsets over 30
// days): the picture's width, the marks of one lane and the table's rows.
const (
	minWidth     = 900
	maxWidth     = 4000
	pxPerHour    = 40
	labelWidth   = 150
	laneHeight   = 30
	maxLaneMarks = 40
	minMarkPx    = 6
	maxRows      = 2000
	maxTitleEvs  = 3
)

var safe = printable.String

// spaces are the runs of blanks that align the text timeline's columns; a
// tooltip needs no alignment.
var spaces = regexp.MustCompile(`   +`)

// Write writes the results as one HTML page.
func Write(w io.Writer, results []*scenario.Result) error {
	p := page{Style: TimelineStyle}
	for _, r := range results {
		p.Scenarios = append(p.Scenarios, build(r))
	}
	return pageTmpl.Execute(w, p)
}

type page struct {
	Style     template.CSS
	Scenarios []scen
}

// TimelineStyle is the style sheet of the timeline picture's classes: the
// report puts it in its page, the live page serves it as a file.
const TimelineStyle = `svg text { font: 11px sans-serif; fill: #333; }
.axis { stroke: #ddd; }
.w-in { fill: #9c9; } .w-out { fill: #fc6; } .w-off { fill: #999; } .w-nocov { fill: #f99; } .w-other { fill: #ccc; }
.c-base { fill: #69c; } .c-none { fill: #c33; } .p-registered { fill: #393; } .p-failed { fill: #f90; }
.s-ToReg { fill: #9cf; } .s-NotReg { fill: #ccd; } .s-InReg { fill: #69f; } .s-Registered { fill: #36c; }
.s-ToDeReg { fill: #f96; } .s-absent { fill: #eee; } .s-other { fill: #ccc; }
.ghost { fill: #c00; }
.m-attempt, .m-bad, .m-rejected, .m-fail { fill: #c00; }
.m-warn { fill: #e90; } .m-good, .m-applied, .m-pass { fill: #393; }
.m-fetch { fill: #36c; } .m-other { fill: #666; }`

type scen struct {
	Name, File, Description string
	Passed, Failed          int
	Width, Height, Right    int
	Ticks                   []tick
	Lanes                   []lane
	Rows                    []row
	More                    int
	Expects                 []expectRow
}

type tick struct {
	X     int
	Label string
}

type lane struct {
	Class, Key, Label string
	Title             string
	Y                 int
	Bands             []seg
	Marks             []mark
}

type seg struct {
	Class   string
	X, Y, W int
	H       int
	Title   string
}

type mark struct {
	Class string
	X, Y  int
	Title string
}

type row struct {
	T, Time, Type, Who, State, Detail, Class string
}

type expectRow struct {
	OK              bool
	T, Where, Desc  string
	Expected, Found string
}

// build lays out one scenario: its heading and counts, the picture (a
// lane per handset or slot, the system's lane, the expectations' lane)
// and the two tables.
func build(r *scenario.Result) scen {
	sc := r.Scenario
	s := scen{Name: safe(sc.Name), File: safe(sc.File), Description: safe(strings.Join(strings.Fields(sc.Description), " "))}
	var events []system.Event
	if r.System != nil {
		events = r.System.Events()
	}
	for _, o := range r.Outcomes {
		if o.OK {
			s.Passed++
		} else {
			s.Failed++
		}
	}
	f := newFrame(r, events)
	s.Width = labelWidth + f.width + 20
	s.Right = labelWidth + f.width
	s.Ticks = ticks(f.span, f.width)

	y := 28
	st := readStories(sc.Handsets, events, f.start)
	for _, h := range st.order {
		s.Lanes = append(s.Lanes, f.storyLane(h, y))
		y += laneHeight
	}
	s.Lanes = append(s.Lanes, lane{Class: "system", Key: "system", Label: "system", Y: y, Marks: marks(st.sys, f.x, y+15, f.width, f.line)})
	y += laneHeight
	var exp lane
	exp, s.Expects = f.expectations(r, y)
	s.Lanes = append(s.Lanes, exp)
	y += laneHeight
	s.Height = y + 4

	s.Rows, s.More = f.eventRows(events)
	return s
}

// frame owns the picture's time axis: the span from the scenario's start
// to the story's end, drawn over a width the limits keep readable.
type frame struct {
	start, end time.Time
	span       time.Duration
	width      int
}

// newFrame spans the picture from the scenario's start to the latest of
// its events, its outcomes and a live system's now.
func newFrame(r *scenario.Result, events []system.Event) frame {
	start := r.Scenario.Start
	end := start
	for _, e := range events {
		if e.Time.After(end) {
			end = e.Time
		}
	}
	for _, o := range r.Outcomes {
		if o.At.After(end) {
			end = o.At
		}
	}
	// A live system's picture runs to its now: a ghost's time shows even
	// when nothing has happened since. (A finished run's now is its last
	// block's time, which nothing is after.)
	if r.System != nil && r.System.Now().After(end) {
		end = r.System.Now()
	}
	span := end.Sub(start)
	width := int(span.Hours() * pxPerHour)
	width = max(minWidth, min(maxWidth, width))
	return frame{start: start, end: end, span: span, width: width}
}

// x is where t falls on the picture.
func (f frame) x(t time.Time) int {
	if f.span <= 0 {
		return labelWidth
	}
	return labelWidth + int(float64(t.Sub(f.start))/float64(f.span)*float64(f.width))
}

// since writes t as an offset from the scenario's start, as "+1h30m0s".
func (f frame) since(t time.Time) string {
	return "+" + t.Sub(f.start).String()
}

// line is an event's text timeline line, made a tooltip: trimmed, its
// column alignment squeezed out.
func (f frame) line(e system.Event) string {
	return spaces.ReplaceAllString(strings.TrimSpace(e.TimelineLine(f.start, false)), "  ")
}

// story is what the events tell of one lane's key (an IPUI or a slot):
// where the handset was, its slot's DECT states, its ghost periods and the
// marks of its other events.
type story struct {
	key            string
	handset        bool
	power, inRange bool
	uncovered      bool // no base within its reach serves
	state          string
	ghost          bool
	ghostFrom      time.Time
	where          []change
	camps          []change // the base it camps at ("none"), once a multicell event tells
	sips           []change // its SIP account's state at the PBX, once a SIP event tells
	states         []change
	ghosts         []span2
	marks          []evmark
}

// stories sorts the event log into lanes: a story per IPUI or slot, in
// order of first appearance, and the system lane's marks.
type stories struct {
	start time.Time
	byKey map[string]*story
	order []*story
	sys   []evmark
}

// readStories tells the lanes' stories: declared handsets first, then
// every IPUI or slot the events name, in order of first appearance.
func readStories(declared []scenario.HandsetDecl, events []system.Event, start time.Time) *stories {
	st := &stories{start: start, byKey: map[string]*story{}}
	for _, d := range declared {
		h := st.get(strings.ToLower(d.IPUI))
		h.handset = true
		h.power, h.inRange = !d.Off, !d.Out
		h.where = []change{{start, whereOf(h.power, h.inRange)}}
		if d.State != "" {
			h.state = d.State
			h.states = []change{{start, d.State}}
		}
	}
	for _, e := range events {
		st.add(e)
	}
	return st
}

// get is key's story, begun (in range, powered, absent) at its first
// mention.
func (st *stories) get(key string) *story {
	if h := st.byKey[key]; h != nil {
		return h
	}
	h := &story{key: key, power: true, inRange: true, state: system.StateAbsent}
	h.where = []change{{st.start, "in"}}
	h.states = []change{{st.start, system.StateAbsent}}
	st.byKey[key] = h
	st.order = append(st.order, h)
	return h
}

// add files one event in the story of its IPUI, else of its slot. Events
// of neither, and fetches and provisioning results even when a handset's,
// go to the system lane.
func (st *stories) add(e system.Event) {
	key := strings.ToLower(e.IPUI)
	if key == "" {
		key = strings.ToLower(e.Slot)
	}
	if key == "" {
		st.sys = append(st.sys, evmark{e: e, class: sysClass(e.Type)})
		return
	}
	h := st.get(key)
	h.handset = h.handset || e.IPUI != ""
	// The state is the slot's: a placeholder slot's own lane follows
	// it too once a handset has registered in it.
	if sl := st.byKey[strings.ToLower(e.Slot)]; sl != nil && sl != h {
		sl.setState(e)
	}
	h.follow(e)
	switch e.Type {
	case system.EvHandsetMoved, system.EvHandsetPower:
	case system.EvGhostAttempt:
		h.marks = append(h.marks, evmark{e: e, class: "m-attempt"})
	case system.EvFetch, system.EvProvisioningApplied, system.EvProvisioningRejected:
		st.sys = append(st.sys, evmark{e: e, class: sysClass(e.Type)})
	default:
		h.marks = append(h.marks, evmark{e: e, class: markClass(e.Type)})
	}
}

// follow moves the story on by one of its events: where the handset is,
// whether it is a ghost, its slot's state.
func (h *story) follow(e system.Event) {
	switch e.Type {
	case system.EvHandsetMoved:
		h.inRange = e.Detail == "in"
		h.where = append(h.where, change{e.Time, whereOf(h.power, h.inRange)})
	case system.EvHandsetPower:
		h.power = e.Detail == "on"
		h.where = append(h.where, change{e.Time, whereOf(h.power, h.inRange)})
	case system.EvHandover, system.EvCoverageLost, system.EvCoverageRegained:
		h.followBase(e)
	case system.EvSIPRegistered:
		h.sips = append(h.sips, change{e.Time, system.SIPRegistered})
	case system.EvSIPUnregistered:
		h.sips = append(h.sips, change{e.Time, system.SIPUnregistered})
	case system.EvSIPRegisterFailed:
		h.sips = append(h.sips, change{e.Time, system.SIPFailed})
	case system.EvGhostCreated:
		if !h.ghost {
			h.ghost, h.ghostFrom = true, e.Time
		}
	case system.EvHandsetReset, system.EvRegistered:
		if h.ghost {
			h.ghosts = append(h.ghosts, span2{h.ghostFrom, e.Time})
			h.ghost = false
		}
	}
	h.setState(e)
}

// followBase moves the story's base on: a handover from one base to
// another, coverage lost (no base serves) or regained. The base it camped
// at before the first of these is the one that event leaves.
func (h *story) followBase(e system.Event) {
	from, to := e.From, e.To
	switch e.Type {
	case system.EvCoverageLost:
		from, to = e.Base, "none"
		h.uncovered = true
	case system.EvCoverageRegained:
		from, to = "none", e.Base
		h.uncovered = false
	}
	if len(h.camps) == 0 {
		h.camps = []change{{h.where[0].at, from}}
	}
	h.camps = append(h.camps, change{e.Time, to})
	if e.Type != system.EvHandover {
		where := whereOf(h.power, h.inRange)
		if h.uncovered && where == "in" {
			where = "nocov"
		}
		h.where = append(h.where, change{e.Time, where})
	}
}

// baseBands draws where a handset camps, a band per base it camped at
// (red while no base serves it).
func (f frame) baseBands(cs []change, y int) []seg {
	var out []seg
	for i, c := range cs {
		to := f.end
		if i+1 < len(cs) {
			to = cs[i+1].at
		}
		class := "c-base"
		if c.value == "none" {
			class = "c-none"
		}
		out = append(out, seg{Class: class, X: f.x(c.at), Y: y, W: max(1, f.x(to)-f.x(c.at)), H: 2,
			Title: safe("base: " + c.value + " from " + f.since(c.at))})
	}
	return out
}

// sipBands draws the SIP row of a lane: a band while the account is
// registered at the PBX (green) or failing to register (orange), none
// while it is unregistered.
func (f frame) sipBands(cs []change, y int) []seg {
	var out []seg
	for i, c := range cs {
		if c.value == system.SIPUnregistered {
			continue
		}
		to := f.end
		if i+1 < len(cs) {
			to = cs[i+1].at
		}
		out = append(out, seg{Class: "p-" + c.value, X: f.x(c.at), Y: y, W: max(1, f.x(to)-f.x(c.at)), H: 2,
			Title: safe("SIP: " + c.value + " from " + f.since(c.at))})
	}
	return out
}

// setState records the state an event carries when it differs from the
// story's.
func (h *story) setState(e system.Event) {
	if e.State != "" && e.State != h.state {
		h.state = e.State
		h.states = append(h.states, change{e.Time, e.State})
	}
}

// storyLane draws one story at height y: the where band (handsets only),
// the slot band, the ghost periods (one still open runs to the end) and
// the event marks.
func (f frame) storyLane(h *story, y int) lane {
	ghosts := h.ghosts
	if h.ghost {
		ghosts = append(ghosts, span2{h.ghostFrom, f.end})
	}
	l := lane{Class: "lane", Key: safe(h.key), Label: safe(clip(h.key, 20)), Title: safe(h.key), Y: y}
	if h.handset {
		l.Bands = append(l.Bands, segments(h.where, f.end, f.x, y+3, 6, "w-", "where")...)
		l.Bands = append(l.Bands, f.baseBands(h.camps, y)...)
	}
	l.Bands = append(l.Bands, f.sipBands(h.sips, y+28)...)
	l.Bands = append(l.Bands, segments(h.states, f.end, f.x, y+11, 10, "s-", "slot")...)
	for _, g := range ghosts {
		l.Bands = append(l.Bands, seg{Class: "ghost", X: f.x(g.from), Y: y + 23, W: max(1, f.x(g.to)-f.x(g.from)), H: 4,
			Title: "ghost from " + f.since(g.from) + " to " + f.since(g.to)})
	}
	l.Marks = marks(h.marks, f.x, y+16, f.width, f.line)
	return l
}

// expectations draws the expectations' lane at height y, the passes'
// marks before the failures' so a failure is drawn on top, and lists the
// outcomes as the expectations table's rows.
func (f frame) expectations(r *scenario.Result, y int) (lane, []expectRow) {
	file := r.Scenario.File
	exp := lane{Class: "expectations", Key: "expectations", Label: "expectations", Y: y}
	var oks, fails []evmark
	var rows []expectRow
	for i, o := range r.Outcomes {
		where := fmt.Sprintf("%s:%d:%d", file, o.Step.Pos.Line, o.Step.Pos.Col)
		title := passFail(o.OK) + " " + where + " " + o.Step.Describe()
		if !o.OK {
			title += "\nexpected: " + o.Expected + "\nfound: " + o.Found
		}
		em := evmark{e: system.Event{Seq: i, Time: o.At}, class: "m-fail", title: title}
		if o.OK {
			em.class = "m-pass"
			oks = append(oks, em)
		} else {
			fails = append(fails, em)
		}
		rows = append(rows, expectRow{OK: o.OK, T: f.since(o.At), Where: safe(where), Desc: safe(o.Step.Describe()),
			Expected: safe(o.Expected), Found: safe(o.Found)})
	}
	exp.Marks = append(marks(oks, f.x, y+15, f.width, f.line), marks(fails, f.x, y+15, f.width, f.line)...)
	return exp, rows
}

// eventRows is the event table, cut at maxRows; more counts the events
// left out.
func (f frame) eventRows(events []system.Event) (rows []row, more int) {
	for i, e := range events {
		if i == maxRows {
			return rows, len(events) - maxRows
		}
		rows = append(rows, row{T: f.since(e.Time), Time: e.Time.UTC().Format(time.RFC3339),
			Type: safe(e.Type), Who: safe(e.Who()), State: safe(e.State), Detail: safe(e.Particulars()), Class: markClass(e.Type)})
	}
	return rows, 0
}

type change struct {
	at    time.Time
	value string
}

type span2 struct{ from, to time.Time }

type evmark struct {
	e     system.Event
	class string
	title string
}

func whereOf(power, inRange bool) string {
	switch {
	case !power:
		return "off"
	case inRange:
		return "in"
	}
	return "out"
}

// segments turns a list of changes into bands, consecutive equal values
// and bands of no width merged away.
func segments(cs []change, end time.Time, x func(time.Time) int, y, h int, prefix, dim string) []seg {
	var out []seg
	for i := 0; i < len(cs); {
		j := i + 1
		for j < len(cs) && cs[j].value == cs[i].value {
			j++
		}
		to := end
		if j < len(cs) {
			to = cs[j].at
		}
		x0, x1 := x(cs[i].at), x(to)
		if x1 > x0 || (j == len(cs) && len(out) == 0) {
			if n := len(out); n > 0 && out[n-1].Class == prefix+cssName(cs[i].value) {
				out[n-1].W = x1 - out[n-1].X
			} else {
				out = append(out, seg{Class: prefix + cssName(cs[i].value), X: x0, Y: y, W: max(1, x1-x0), H: h,
					Title: safe(dim + ": " + cs[i].value + " from +" + cs[i].at.Sub(cs[0].at).String())})
			}
		}
		i = j
	}
	return out
}

// cssName keeps a value usable as a class name.
func cssName(v string) string {
	switch v {
	case "in", "out", "off", "nocov", "ToReg", "NotReg", "InReg", "Registered", "ToDeReg", "absent":
		return v
	}
	return "other"
}

// marks places event marks on a lane; marks closer than a few pixels, or
// more than a lane holds, share one mark whose title lists the first few.
func marks(ms []evmark, x func(time.Time) int, y, width int, line func(system.Event) string) []mark {
	bucket := minMarkPx
	count := func(b int) int {
		n, last := 0, -1
		for _, m := range ms {
			if k := x(m.e.Time) / b; k != last {
				n, last = n+1, k
			}
		}
		return n
	}
	perMark := maxTitleEvs
	if count(bucket) > maxLaneMarks {
		bucket = max(bucket, width/maxLaneMarks)
		perMark = 1
	}
	var out []mark
	for i := 0; i < len(ms); {
		k := x(ms[i].e.Time) / bucket
		j := i + 1
		for j < len(ms) && x(ms[j].e.Time)/bucket == k {
			j++
		}
		class := ms[i].class
		var lines []string
		for n := i; n < j && n < i+perMark; n++ {
			t := ms[n].title
			if t == "" {
				t = line(ms[n].e)
			}
			lines = append(lines, safe(t))
		}
		for n := i; n < j; n++ {
			if ms[n].class == "m-fail" || ms[n].class == "m-rejected" {
				class = ms[n].class
			}
		}
		if j-i > perMark {
			lines = append(lines, fmt.Sprintf("… and %d more until %s", j-i-perMark, ms[j-1].e.Time.UTC().Format(time.RFC3339)))
		}
		out = append(out, mark{Class: class, X: x(ms[i].e.Time), Y: y, Title: strings.Join(lines, "\n")})
		i = j
	}
	return out
}

// clip shortens a lane's label to n runes; its title keeps it whole.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func passFail(ok bool) string {
	if ok {
		return "PASS"
	}
	return "FAIL"
}

func sysClass(t string) string {
	switch t {
	case system.EvFetch:
		return "m-fetch"
	case system.EvProvisioningApplied:
		return "m-applied"
	case system.EvProvisioningRejected:
		return "m-rejected"
	}
	return markClass(t)
}

// markClass colours an event by what it means, as the text timeline does.
func markClass(t string) string {
	switch t {
	case system.EvGhostCreated, system.EvGhostAttempt, system.EvProvisioningRejected, system.EvForcedRemoval, system.EvDeregTimeout:
		return "m-bad"
	case system.EvWarning, system.EvRegistrationRefused, system.EvBaseDown, system.EvBaseSyncLost, system.EvDMDown, system.EvCoverageLost:
		return "m-warn"
	case system.EvDeregCompleted, system.EvRegistered, system.EvBaseSynced, system.EvCoverageRegained:
		return "m-good"
	}
	return "m-other"
}

// ticks chooses axis labels for a span: seconds, minutes, hours or days,
// at most one per 100 pixels.
func ticks(span time.Duration, width int) []tick {
	steps := []time.Duration{time.Second, 5 * time.Second, 10 * time.Second, 30 * time.Second,
		time.Minute, 5 * time.Minute, 10 * time.Minute, 30 * time.Minute,
		time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour,
		24 * time.Hour, 2 * 24 * time.Hour, 7 * 24 * time.Hour, 30 * 24 * time.Hour}
	if span <= 0 {
		return []tick{{labelWidth, "+0s"}}
	}
	maxTicks := max(1, width/100)
	step := steps[len(steps)-1]
	for _, s := range steps {
		if int(span/s) <= maxTicks {
			step = s
			break
		}
	}
	var out []tick
	for d := time.Duration(0); d <= span; d += step {
		out = append(out, tick{X: labelWidth + int(float64(d)/float64(span)*float64(width)), Label: "+" + short(d)})
	}
	return out
}

// short writes a duration as days, hours, minutes and seconds, leaving
// out the zero parts: 0s, 90s as 1m30s, 36h as 1d12h.
func short(d time.Duration) string {
	if d == 0 {
		return "0s"
	}
	var b strings.Builder
	for _, u := range []struct {
		d    time.Duration
		name string
	}{{24 * time.Hour, "d"}, {time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}} {
		if n := d / u.d; n > 0 {
			fmt.Fprintf(&b, "%d%s", n, u.name)
			d -= n * u.d
		}
	}
	return b.String()
}

var pageTmpl = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" lang="en">
<head>
<meta charset="utf-8"/>
<title>dectsim report</title>
<style>
body { font: 14px sans-serif; margin: 1em; color: #222; }
h2 { margin-top: 2em; }
.desc { color: #555; max-width: 60em; }
.pic { overflow-x: auto; border: 1px solid #ccc; }
{{.Style}}
table { border-collapse: collapse; margin-top: 1em; }
td, th { padding: 1px 8px; text-align: left; vertical-align: top; font: 12px monospace; }
tr.m-bad td, tr.fail td { color: #c00; } tr.m-warn td { color: #a60; } tr.m-good td { color: #363; }
.legend span { display: inline-block; padding: 0 6px; margin-right: 4px; }
.pass { color: #393; } .failtxt { color: #c00; font-weight: bold; }
</style>
</head>
<body>
<h1>dectsim report</h1>
<p class="legend">where: <span style="background:#9c9">in range</span><span style="background:#fc6">out of range</span><span style="background:#999">off</span><span style="background:#f99">no base serves</span>
base (the thin line above, in multicell stories): <span style="background:#69c;color:#fff">camping</span><span style="background:#c33;color:#fff">none</span>
SIP (the thin line below): <span style="background:#393;color:#fff">registered</span><span style="background:#f90">failing</span>
slot: <span style="background:#9cf">ToReg</span><span style="background:#69f">InReg</span><span style="background:#36c;color:#fff">Registered</span><span style="background:#f96">ToDeReg</span><span style="background:#eee">absent</span>
<span style="background:#c00;color:#fff">ghost</span> (hover a mark or band for its events)</p>
{{range .Scenarios}}<section class="scenario">
<h2>{{.Name}}</h2>
<p><code>{{.File}}</code>: <span class="pass">{{.Passed}} passed</span>, {{if .Failed}}<span class="failtxt">{{.Failed}} failed</span>{{else}}0 failed{{end}}</p>
{{if .Description}}<p class="desc">{{.Description}}</p>{{end}}
<div class="pic"><svg xmlns="http://www.w3.org/2000/svg" width="{{.Width}}" height="{{.Height}}" viewBox="0 0 {{.Width}} {{.Height}}">
{{$h := .Height}}{{range .Ticks}}<line class="axis" x1="{{.X}}" y1="14" x2="{{.X}}" y2="{{$h}}"/><text x="{{.X}}" y="12">{{.Label}}</text>
{{end}}{{range .Lanes}}<g class="{{.Class}}" data-key="{{.Key}}"><text x="4" y="{{.Y}}" dy="16">{{.Label}}{{if .Title}}<title>{{.Title}}</title>{{end}}</text>
{{range .Bands}}<rect class="{{.Class}}" x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="{{.H}}"><title>{{.Title}}</title></rect>
{{end}}{{range .Marks}}<rect class="{{.Class}}" x="{{.X}}" y="{{.Y}}" width="4" height="10" transform="translate(-2,-5)"><title>{{.Title}}</title></rect>
{{end}}</g>
{{end}}</svg></div>
{{if .Expects}}<h3>Expectations</h3>
<table class="expectations"><tr><th></th><th>t</th><th>where</th><th>expectation</th><th>expected</th><th>found</th></tr>
{{range .Expects}}<tr{{if not .OK}} class="fail"{{end}}><td>{{if .OK}}PASS{{else}}FAIL{{end}}</td><td>{{.T}}</td><td>{{.Where}}</td><td>{{.Desc}}</td><td>{{.Expected}}</td><td>{{.Found}}</td></tr>
{{end}}</table>{{end}}
<h3>Events</h3>
<table class="events"><tr><th>t</th><th>time</th><th>event</th><th>slot/IPUI</th><th>state</th><th>detail</th></tr>
{{range .Rows}}<tr class="{{.Class}}"><td>{{.T}}</td><td>{{.Time}}</td><td>{{.Type}}</td><td>{{.Who}}</td><td>{{.State}}</td><td>{{.Detail}}</td></tr>
{{end}}</table>
{{if .More}}<p>… and {{.More}} more events (the text output of dectsim run lists them all).</p>{{end}}
</section>
{{end}}</body>
</html>
`))
