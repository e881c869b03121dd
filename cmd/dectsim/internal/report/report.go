// Package report writes what `dectsim run` prints for machines: one JSON
// object per event per line (--json) and a JUnit XML report (--junit).
// The text a person reads is scenario.WriteText, which scenario.Test
// prints too.
package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/beevik/etree"

	"github.com/dectsim/dectsim/emulator/scenario"
	"github.com/dectsim/dectsim/emulator/system"
	"github.com/dectsim/dectsim/internal/textio/printable"
)

// JSONEvent is one line of --json output. Field order is fixed so the
// output is byte-identical across runs.
type JSONEvent struct {
	Scenario  string `json:"scenario"`
	T         string `json:"t"`
	Time      string `json:"time"`
	Type      string `json:"type"`
	IPUI      string `json:"ipui"`
	Slot      string `json:"slot"`
	State     string `json:"state,omitempty"`
	Outcome   string `json:"outcome,omitempty"`
	Trigger   string `json:"trigger,omitempty"`
	Reason    string `json:"reason,omitempty"`
	Code      string `json:"code,omitempty"`
	Base      string `json:"base,omitempty"`
	DM        string `json:"dm,omitempty"`
	From      string `json:"from,omitempty"`
	To        string `json:"to,omitempty"`
	User      string `json:"user,omitempty"`
	Registrar string `json:"registrar,omitempty"`
	File      string `json:"file,omitempty"`
	Line      int    `json:"line,omitempty"`
	Col       int    `json:"col,omitempty"`
	Detail    string `json:"detail,omitempty"`
	Expected  string `json:"expected,omitempty"`
	Found     string `json:"found,omitempty"`
}

// Event is one event as a --json line shows it: scenario names the file,
// start is what its offset t counts from.
func Event(scenario string, start time.Time, e system.Event) JSONEvent {
	return JSONEvent{Scenario: scenario, T: e.Time.Sub(start).String(), Time: e.Time.UTC().Format(time.RFC3339Nano),
		Type: e.Type, IPUI: e.IPUI, Slot: e.Slot, State: e.State, Outcome: e.Outcome, Trigger: e.Trigger, Reason: e.Reason,
		Code: e.Code, Base: e.Base, DM: e.DM, From: e.From, To: e.To, User: e.User, Registrar: e.Registrar, File: e.File, Line: e.Line, Col: e.Col, Detail: e.Detail}
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
			if err := enc.Encode(Event(sc.File, sc.Start, e)); err != nil {
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
		if err := enc.Encode(JSONEvent{Scenario: sc.File, T: t.Sub(sc.Start).String(), Time: t.UTC().Format(time.RFC3339Nano),
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
// that kept it from running, and how long reading and running it took
// (real time, as the command measured it).
type JUnitCase struct {
	File     string
	Result   *scenario.Result
	Err      error
	Duration time.Duration
}

// WriteJUnit writes one test case per scenario, for CI systems: its
// classname is the scenario's file, its time the run's real duration in
// seconds, a failure's message names the first failed expectation as
// file:line and how many failed, and <system-out> holds the scenario's
// timeline as `dectsim run` prints it, without colour. Every attribute is
// one line of printable text and every text element lines of it
// (printable.String), so no control character from a file, a server or a
// scenario reaches the XML, where most are not even allowed.
func WriteJUnit(w io.Writer, cases []JUnitCase) error {
	doc := etree.NewDocument()
	doc.CreateProcInst("xml", `version="1.0" encoding="UTF-8"`)
	root := doc.CreateElement("testsuites")
	suite := etree.NewElement("testsuite")
	var tests, failures, errors int
	var total time.Duration
	for _, c := range cases {
		file := printable.String(c.File)
		tc := suite.CreateElement("testcase")
		name := file
		if c.Err == nil {
			name = printable.String(c.Result.Scenario.Name)
		}
		tc.CreateAttr("name", name)
		tc.CreateAttr("classname", file)
		tc.CreateAttr("file", file)
		tc.CreateAttr("time", seconds(c.Duration))
		total += c.Duration
		switch {
		case c.Err != nil:
			msg := lines(c.Err.Error())
			message(tc, "error", firstLine(msg), "error", msg)
			errors++
		case !c.Result.Passed():
			var b strings.Builder
			for _, f := range c.Result.Failures {
				scenario.WriteFailure(&b, c.Result.Scenario, f, scenario.Style{})
			}
			message(tc, "failure", failureMessage(c.Result), "expectation", lines(b.String()))
			failures++
		}
		if c.Err == nil {
			var b strings.Builder
			scenario.WriteText(&b, c.Result, scenario.Style{})
			tc.CreateElement("system-out").SetText(lines(b.String()))
		}
		tests++
	}
	for _, e := range []*etree.Element{root, suite} {
		e.CreateAttr("name", "dectsim")
		e.CreateAttr("tests", strconv.Itoa(tests))
		e.CreateAttr("failures", strconv.Itoa(failures))
		e.CreateAttr("errors", strconv.Itoa(errors))
		e.CreateAttr("time", seconds(total))
	}
	root.AddChild(suite)
	doc.Indent(2)
	_, err := doc.WriteTo(w)
	return err
}

// failureMessage names the first failed expectation by file:line, what it
// is, and how many of the scenario's expectations failed.
func failureMessage(r *scenario.Result) string {
	f := r.Failures[0]
	return printable.String(fmt.Sprintf("%s:%d: expectation failed: %s (%d of %d expectations failed)",
		f.File, f.Step.Pos.Line, f.Step.Describe(), len(r.Failures), r.Checks()))
}

// seconds is a duration as JUnit writes it: seconds with millisecond
// precision.
func seconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', 3, 64)
}

// message adds a <failure> or <error> with its message, type and text.
func message(tc *etree.Element, tag, msg, typ, text string) {
	m := tc.CreateElement(tag)
	m.CreateAttr("message", msg)
	m.CreateAttr("type", typ)
	m.SetText(text)
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
