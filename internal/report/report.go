// Package report writes what `dectsim run` prints for machines: one JSON
// object per event per line (--json) and a JUnit XML report (--junit).
// The text a person reads is scenario.WriteText, which scenario.Test
// prints too.
package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/dectsim/dectsim/emulator/scenario"
	"github.com/dectsim/dectsim/internal/printable"
	"github.com/dectsim/dectsim/internal/timeline"
)

// JSONEvent is one line of --json output. Field order is fixed so the
// output is byte-identical across runs.
type JSONEvent struct {
	Scenario string `json:"scenario"`
	T        string `json:"t"`
	Time     string `json:"time"`
	Type     string `json:"type"`
	IPUI     string `json:"ipui"`
	Slot     string `json:"slot"`
	State    string `json:"state,omitempty"`
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
// expectation's result in place as an "expectation" event. Strings keep
// what files, servers and scenarios put in them; the runes a terminal
// would act on are written as \u escapes (printable.JSON), so a line is
// as safe to show as the text output.
func WriteJSON(w io.Writer, r *scenario.Result) error {
	sc := r.Scenario
	enc := newLineEncoder(w)
	events := r.System.Events()
	next := 0
	flush := func(upto int) error {
		for ; next < upto && next < len(events); next++ {
			e := events[next]
			if err := enc.Encode(JSONEvent{Scenario: sc.File, T: timeline.Offset(sc.Start, e.Time), Time: e.Time.UTC().Format(time.RFC3339Nano),
				Type: e.Type, IPUI: e.IPUI, Slot: e.Slot, State: e.State, Outcome: e.Outcome, Trigger: e.Trigger, Reason: e.Reason,
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
		if err := enc.Encode(JSONEvent{Scenario: sc.File, T: timeline.Offset(sc.Start, t), Time: t.UTC().Format(time.RFC3339Nano),
			Type: EvExpectation, IPUI: o.Step.IPUI, Outcome: res, File: sc.File, Line: o.Step.Pos.Line, Col: o.Step.Pos.Col,
			Detail: o.Step.Describe(), Expected: exp, Found: found}); err != nil {
			return err
		}
	}
	return flush(len(events))
}

// lineEncoder writes one JSON value per line through printable.JSON.
type lineEncoder struct {
	w   io.Writer
	buf bytes.Buffer
	enc *json.Encoder
}

func newLineEncoder(w io.Writer) *lineEncoder {
	e := &lineEncoder{w: w}
	e.enc = json.NewEncoder(&e.buf)
	e.enc.SetEscapeHTML(false)
	return e
}

func (e *lineEncoder) Encode(v any) error {
	e.buf.Reset()
	if err := e.enc.Encode(v); err != nil {
		return err
	}
	_, err := e.w.Write(printable.JSON(e.buf.Bytes()))
	return err
}

// JUnitCase is one scenario in a JUnit report: its result, or the error
// that kept it from running.
type JUnitCase struct {
	File   string
	Result *scenario.Result
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

// WriteJUnit writes one test case per scenario, for CI systems. Every
// attribute is one line of printable text and every text element lines
// of it (printable.String), so no control character from a file, a server
// or a scenario reaches the XML, where most are not even allowed.
func WriteJUnit(w io.Writer, cases []JUnitCase) error {
	s := junitSuite{Name: "dectsim"}
	for _, c := range cases {
		file := printable.String(c.File)
		jc := junitCase{Classname: "dectsim", File: file, Name: file}
		switch {
		case c.Err != nil:
			msg := lines(c.Err.Error())
			jc.Error = &junitMessage{Message: firstLine(msg), Type: "error", Text: msg}
			s.Errors++
		case !c.Result.Passed():
			jc.Name = printable.String(c.Result.Scenario.Name)
			var b strings.Builder
			for _, f := range c.Result.Failures {
				scenario.WriteFailure(&b, c.Result.Scenario, f, scenario.Style{})
			}
			jc.Failure = &junitMessage{Message: fmt.Sprintf("%d of %d expectations failed", len(c.Result.Failures), c.Result.Checks()), Type: "expectation", Text: lines(b.String())}
			s.Failures++
		default:
			jc.Name = printable.String(c.Result.Scenario.Name)
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

// lines makes every line of s printable, keeping the line breaks.
func lines(s string) string {
	parts := strings.Split(s, "\n")
	for i, p := range parts {
		parts[i] = printable.String(p)
	}
	return strings.Join(parts, "\n")
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
