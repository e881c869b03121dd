package scenario

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/dectsim/dectsim/emulator/system"
	"github.com/dectsim/dectsim/internal/xmltok"
)

// Style says how text output looks; colour only where a terminal reads it.
type Style struct {
	Color bool
}

func (s Style) paint(code, text string) string {
	if !s.Color {
		return text
	}
	return "\x1b[" + code + "m" + text + "\x1b[0m"
}

// Offset formats a time relative to the start, as a Go duration.
func Offset(start, t time.Time) string { return t.Sub(start).String() }

// who renders the slot and IPUI an event concerns.
func who(e system.Event) string {
	switch {
	case e.Slot != "" && e.IPUI != "" && e.Slot != e.IPUI:
		return e.Slot + "/" + e.IPUI
	case e.IPUI != "":
		return e.IPUI
	default:
		return e.Slot
	}
}

// detail renders the rest of an event.
func detail(e system.Event) string {
	var parts []string
	for _, kv := range [][2]string{{"outcome", e.Outcome}, {"trigger", e.Trigger}, {"reason", e.Reason}, {"code", e.Code}} {
		if kv[1] != "" {
			parts = append(parts, kv[0]+"="+kv[1])
		}
	}
	if e.File != "" && e.Line > 0 {
		parts = append(parts, fmt.Sprintf("at %s:%d:%d", e.File, e.Line, e.Col))
	}
	if e.Detail != "" {
		parts = append(parts, e.Detail)
	}
	return strings.Join(parts, "  ")
}

// EventLine is one timeline line: relative time, absolute time, event,
// slot/IPUI, detail.
func EventLine(start time.Time, e system.Event, st Style) string {
	typ := fmt.Sprintf("%-22s", e.Type)
	switch e.Type {
	case system.EvGhostCreated, system.EvGhostAttempt, system.EvProvisioningRejected, system.EvForcedRemoval, system.EvDeregTimeout:
		typ = st.paint("31", typ)
	case system.EvWarning, system.EvRegistrationRefused:
		typ = st.paint("33", typ)
	case system.EvDeregCompleted, system.EvRegistered:
		typ = st.paint("32", typ)
	}
	line := fmt.Sprintf("  %-12s %s  %s %-22s %s", "+"+Offset(start, e.Time), e.Time.UTC().Format(time.RFC3339), typ, who(e), detail(e))
	return strings.TrimRight(line, " ")
}

// WriteText prints a run as a readable timeline with its expectations in
// place, then every failure in full.
func WriteText(w io.Writer, r *Result, st Style) {
	sc := r.Scenario
	fmt.Fprintf(w, "%s %s: %s\n", st.paint("1", "=="), sc.File, sc.Name)
	for _, l := range wrap(sc.Description, 88) {
		fmt.Fprintf(w, "   %s\n", st.paint("2", l))
	}
	events := r.System.Events()
	next := 0
	flush := func(upto int) {
		for ; next < upto && next < len(events); next++ {
			fmt.Fprintln(w, EventLine(sc.Start, events[next], st))
		}
	}
	for _, o := range r.Outcomes {
		flush(o.AtEvent)
		mark := st.paint("32", "PASS")
		if !o.OK {
			mark = st.paint("31;1", "FAIL")
		}
		fmt.Fprintf(w, "  %s %s:%d:%d %s\n", mark, sc.File, o.Step.Pos.Line, o.Step.Pos.Col, o.Step.Describe())
	}
	flush(len(events))
	for _, f := range r.Failures {
		WriteFailure(w, sc, f, st)
	}
}

// WriteFailure prints one failed expectation like a compiler error: where,
// the line with a caret, expected, found, and the recent timeline.
func WriteFailure(w io.Writer, sc *Scenario, f Failure, st Style) {
	fmt.Fprintf(w, "%s:%d:%d: %s %s\n", f.File, f.Step.Pos.Line, f.Step.Pos.Col, st.paint("31;1", "expectation failed:"), f.Step.Describe())
	if ex := xmltok.Excerpt(sc.Src, f.Step.Pos); ex != "" {
		fmt.Fprintln(w, ex)
	}
	fmt.Fprintf(w, "    expected: %s\n", f.Expected)
	fmt.Fprintf(w, "    found:    %s\n", f.Found)
	if len(f.Recent) > 0 {
		fmt.Fprintf(w, "    recent events of %s:\n", f.Step.IPUI+slotKeyOf(f.Step.Name))
		for _, e := range f.Recent {
			fmt.Fprintln(w, "  "+EventLine(sc.Start, e, st))
		}
	} else if f.Step.IPUI != "" {
		fmt.Fprintf(w, "    no events concern %s\n", f.Step.IPUI)
	}
}

// WriteError prints a scenario that could not be read or run.
func WriteError(w io.Writer, err error, st Style) {
	fmt.Fprintf(w, "%s %v\n", st.paint("31;1", "error:"), err)
	if se, ok := err.(*Error); ok {
		if ex := se.Excerpt(); ex != "" {
			fmt.Fprintln(w, ex)
		}
	}
}

// JSONEvent is one line of --json output. Field order is fixed so the
// output is byte-identical across runs.
type JSONEvent struct {
	Scenario string `json:"scenario"`
	T        string `json:"t"`
	Time     string `json:"time"`
	Type     string `json:"type"`
	IPUI     string `json:"ipui"`
	Slot     string `json:"slot"`
	Outcome  string `json:"outcome,omitempty"`
	Trigger  string `json:"trigger,omitempty"`
	Reason   string `json:"reason,omitempty"`
	Code     string `json:"code,omitempty"`
	File     string `json:"file,omitempty"`
	Line     int    `json:"line,omitempty"`
	Col      int    `json:"col,omitempty"`
	Detail   string `json:"detail,omitempty"`
	Expected string `json:"expected,omitempty"`
	Found    string `json:"found,omitempty"`
}

// EvExpectation is the type of the --json lines that report an
// expectation; its outcome is "passed" or "failed".
const EvExpectation = "expectation"

// WriteJSON prints one JSON object per line: every event, with each
// expectation's result in place as an "expectation" event.
func WriteJSON(w io.Writer, r *Result) error {
	sc := r.Scenario
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	events := r.System.Events()
	next := 0
	flush := func(upto int) error {
		for ; next < upto && next < len(events); next++ {
			e := events[next]
			if err := enc.Encode(JSONEvent{Scenario: sc.File, T: Offset(sc.Start, e.Time), Time: e.Time.UTC().Format(time.RFC3339Nano),
				Type: e.Type, IPUI: e.IPUI, Slot: e.Slot, Outcome: e.Outcome, Trigger: e.Trigger, Reason: e.Reason,
				Code: e.Code, File: e.File, Line: e.Line, Col: e.Col, Detail: e.Detail}); err != nil {
				return err
			}
		}
		return nil
	}
	for _, o := range r.Outcomes {
		if err := flush(o.AtEvent); err != nil {
			return err
		}
		t := o.At
		res := "passed"
		exp, found := "", ""
		if !o.OK {
			res = "failed"
			exp, found = o.Expected, o.Found
		}
		if err := enc.Encode(JSONEvent{Scenario: sc.File, T: Offset(sc.Start, t), Time: t.UTC().Format(time.RFC3339Nano),
			Type: EvExpectation, IPUI: o.Step.IPUI, Outcome: res, File: sc.File, Line: o.Step.Pos.Line, Col: o.Step.Pos.Col,
			Detail: o.Step.Describe(), Expected: exp, Found: found}); err != nil {
			return err
		}
	}
	return flush(len(events))
}

// JUnitCase is one scenario in a JUnit report: its result, or the error
// that kept it from running.
type JUnitCase struct {
	File   string
	Result *Result
	Err    error
}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	File      string        `xml:"file,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Error     *junitMessage `xml:"error,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes one test case per scenario, for CI systems.
func WriteJUnit(w io.Writer, cases []JUnitCase) error {
	s := junitSuite{Name: "dectsim"}
	for _, c := range cases {
		jc := junitCase{Classname: "dectsim", File: c.File, Name: c.File}
		switch {
		case c.Err != nil:
			jc.Error = &junitMessage{Message: firstLine(c.Err.Error()), Type: "error", Text: c.Err.Error()}
			s.Errors++
		case !c.Result.Passed():
			jc.Name = c.Result.Scenario.Name
			var b strings.Builder
			for _, f := range c.Result.Failures {
				WriteFailure(&b, c.Result.Scenario, f, Style{})
			}
			jc.Failure = &junitMessage{Message: fmt.Sprintf("%d of %d expectations failed", len(c.Result.Failures), c.Result.Checks()), Type: "expectation", Text: b.String()}
			s.Failures++
		default:
			jc.Name = c.Result.Scenario.Name
		}
		s.Cases = append(s.Cases, jc)
		s.Tests++
	}
	out := junitSuites{Name: "dectsim", Tests: s.Tests, Failures: s.Failures, Errors: s.Errors, Suites: []junitSuite{s}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// wrap breaks text into lines of at most width bytes at spaces.
func wrap(text string, width int) []string {
	var lines []string
	var cur strings.Builder
	for _, word := range strings.Fields(text) {
		if cur.Len() > 0 && cur.Len()+1+len(word) > width {
			lines = append(lines, cur.String())
			cur.Reset()
		}
		if cur.Len() > 0 {
			cur.WriteByte(' ')
		}
		cur.WriteString(word)
	}
	if cur.Len() > 0 {
		lines = append(lines, cur.String())
	}
	return lines
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
