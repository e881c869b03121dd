package scenario

import (
	"fmt"
	"io"
	"strings"

	"github.com/dectsim/dectsim/emulator/system"
	"github.com/dectsim/dectsim/internal/textio/printable"
	"github.com/dectsim/dectsim/internal/xmltok"
)

// Style says how text output looks; colour only where a terminal reads it.
type Style struct {
	Color bool
}

func (s Style) paint(code, text string) string { return printable.Paint(s.Color, code, text) }

// safe is printable.String: every text from a file, a server or a
// scenario passes through it on its way to the output, so each line
// printed is one line and sends no control sequence to the terminal.
var safe = printable.String

// WriteText prints a run as a readable timeline with its expectations in
// place, then every failure in full.
func WriteText(w io.Writer, r *Result, st Style) {
	sc := r.Scenario
	fmt.Fprintf(w, "%s %s: %s\n", st.paint("1", "=="), safe(sc.File), safe(sc.Name))
	for _, l := range wrap(sc.Description, 88) {
		fmt.Fprintf(w, "   %s\n", st.paint("2", safe(l)))
	}
	if rs := readingsSet(r); rs != "" {
		fmt.Fprintf(w, "   %s\n", st.paint("2", "readings: "+rs))
	}
	events := r.System.Events()
	next := 0
	flush := func(upto int) {
		for ; next < upto && next < len(events); next++ {
			fmt.Fprintln(w, events[next].TimelineLine(sc.Start, st.Color))
		}
	}
	for _, o := range r.Outcomes {
		flush(o.AtEvent)
		mark := st.paint("32", "PASS")
		if !o.OK {
			mark = st.paint("31;1", "FAIL")
		}
		fmt.Fprintf(w, "  %s %s:%d:%d %s\n", mark, safe(sc.File), o.Step.Pos.Line, o.Step.Pos.Col, safe(o.Step.Describe()))
	}
	flush(len(events))
	for _, f := range r.Failures {
		WriteFailure(w, sc, f, st)
	}
}

// readingsSet lists the readings of the run that are not at their
// default, as name=value in table order; empty when all are.
func readingsSet(r *Result) string {
	if r.System == nil {
		return ""
	}
	in := r.System.Config().Readings
	var out []string
	for _, rd := range system.Readings {
		if v := in[rd.Name]; v != rd.Default {
			out = append(out, rd.Name+"="+v)
		}
	}
	return strings.Join(out, ", ")
}

// WriteFailure prints one failed expectation like a compiler error: where,
// the line with a caret, expected, found, and the recent timeline.
func WriteFailure(w io.Writer, sc *Scenario, f Failure, st Style) {
	fmt.Fprintf(w, "%s:%d:%d: %s %s\n", safe(f.File), f.Step.Pos.Line, f.Step.Pos.Col, st.paint("31;1", "expectation failed:"), safe(f.Step.Describe()))
	if ex := xmltok.Excerpt(sc.Src, xmltok.Pos(f.Step.Pos)); ex != "" {
		fmt.Fprintln(w, ex)
	}
	fmt.Fprintf(w, "    expected: %s\n", safe(f.Expected))
	fmt.Fprintf(w, "    found:    %s\n", safe(f.Found))
	if len(f.Recent) > 0 {
		fmt.Fprintf(w, "    recent events of %s:\n", safe(f.Step.IPUI+slotKeyOf(f.Step.Name)))
		for _, e := range f.Recent {
			fmt.Fprintln(w, "  "+e.TimelineLine(sc.Start, st.Color))
		}
	} else if f.Step.IPUI != "" {
		fmt.Fprintf(w, "    no events concern %s\n", safe(f.Step.IPUI))
	}
}

// WriteError prints a scenario that could not be read or run, its message
// on one line.
func WriteError(w io.Writer, err error, st Style) {
	if es, ok := err.(Errors); ok {
		for _, e := range es {
			WriteError(w, e, st)
		}
		return
	}
	fmt.Fprintf(w, "%s %s\n", st.paint("31;1", "error:"), safe(err.Error()))
	if se, ok := err.(*Error); ok {
		if ex := se.Excerpt(); ex != "" {
			fmt.Fprintln(w, ex)
		}
	}
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
