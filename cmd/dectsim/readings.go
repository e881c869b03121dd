package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/dectsim/dectsim/emulator/scenario"
	"github.com/dectsim/dectsim/emulator/system"
	"github.com/dectsim/dectsim/internal/vocab/readings"
)

// readingFlags collects --reading NAME=VALUE, each checked as it is parsed,
// so a bad one is a bad command line (exit 1).
type readingFlags map[string]string

func (r readingFlags) String() string { return joinPairs(r) }

func (r readingFlags) Set(arg string) error {
	name, value, err := readings.All.ParseFlag(arg)
	if err != nil {
		return err
	}
	r[name] = value
	return nil
}

const readingUsage = "set a reading NAME=VALUE, over what the files say (repeatable; see 'dectsim readings')"

// options returns the system options that set these readings, in name
// order.
func (r readingFlags) options() []system.Option {
	var out []system.Option
	for _, n := range slices.Sorted(maps.Keys(r)) {
		out = append(out, system.WithReading(n, r[n]))
	}
	return out
}

// withReadings adds the readings to a run's options, after the
// scenario's own settings so that they override them.
func withReadings(o scenario.Options, r readingFlags) scenario.Options {
	o.SystemOptions = append(append([]system.Option(nil), o.SystemOptions...), r.options()...)
	return o
}

const readingsHelp = `Usage: dectsim readings

Lists every reading: a place where the vendor text can be read two ways,
and the switch that chooses. For each, its values with the default first
and what each does, the vendor sentence it interprets, and where the
vendor documents a difference between products.

Set a reading with an attribute of <system> in a scenario file
(<system dnphs-position="anywhere"/>), with --reading NAME=VALUE on run
and check (overriding the files), or with system.WithReading in Go.
'dectsim run --all-readings' runs scenarios under every value of each.

Examples:
  dectsim readings
  dectsim run --reading detect-delay=3h scenarios/switched-off.xml
  dectsim check --reading dnphs-position=nvm-first provisioning.xml
`

func cmdReadings(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		if args[0] == "-h" || args[0] == "--help" || args[0] == "-help" {
			fmt.Fprint(stdout, readingsHelp)
			return exitOK
		}
		fmt.Fprintf(stderr, "dectsim readings: takes no arguments, got %q\n\n%s", args[0], readingsHelp)
		return exitUsage
	}
	writeReadings(stdout)
	return exitOK
}

// writeReadings prints the readings table for people.
func writeReadings(w io.Writer) {
	for i, r := range readings.All {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s (default %s)\n", r.Name, r.Default)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		if r.Kind != readings.Choice {
			fmt.Fprintf(tw, "  takes\t%s\n", r.Takes())
		}
		for j, v := range r.Values {
			fmt.Fprintf(tw, "  %s\t%s\n", v, r.Means[j])
		}
		fmt.Fprintf(tw, "  vendor\t%s (%s)\n", r.Vendor, r.Source)
		products := r.Products
		if products == "" {
			products = "the vendor documents no difference between products"
		}
		fmt.Fprintf(tw, "  products\t%s\n", products)
		tw.Flush()
	}
}

// dependent is an expectation whose result changes with a reading: its
// outcome as written and under each reading value that changes it.
type dependent struct {
	file    string
	written scenario.Outcome
	changed []changed
}

type changed struct {
	tag string // reading=value
	out scenario.Outcome
}

// allReadingsTally is what --all-readings found over every scenario.
type allReadingsTally struct {
	scenarios, runs int
	// failed are the expectations that fail as written, in order.
	failed []string
	deps   []dependent
}

// runAllReadings is `dectsim run --all-readings`: every scenario as
// written (its own readings, then --reading), then once per other value of
// every reading, one reading at a time, the others as written. It prints
// the failures as written, a table of the expectations whose result
// depends on a reading, and a summary; it exits 4 when an expectation
// fails as written.
func runAllReadings(paths []string, base readingFlags, stdout, stderr io.Writer, style, errStyle scenario.Style) int {
	worst := exitOK
	var t allReadingsTally
	for _, p := range paths {
		if err := t.scenario(p, base, stdout, style); err != nil {
			scenario.WriteError(stderr, err, errStyle)
			worst = worse(worst, errorCode(err))
		}
	}
	writeDependents(stdout, t.deps)
	t.summary(stdout)
	if len(t.failed) > 0 {
		worst = worse(worst, exitExpected)
	}
	return worst
}

// scenario runs one scenario file as written and under every other
// reading value, and records what changed.
func (t *allReadingsTally) scenario(path string, base readingFlags, stdout io.Writer, style scenario.Style) error {
	sc, err := scenario.ParseFileWith(path, parseOptions())
	if err != nil {
		return err
	}
	written, err := scenario.Run(sc, withReadings(runOptions(), base))
	if err != nil {
		return err
	}
	t.scenarios++
	t.runs++
	for _, f := range written.Failures {
		scenario.WriteFailure(stdout, sc, f, style)
		t.failed = append(t.failed, fmt.Sprintf("%s:%d:%d %s", f.File, f.Step.Pos.Line, f.Step.Pos.Col, f.Step.Describe()))
	}
	deps := make([]dependent, len(written.Outcomes))
	inForce := written.System.Config().Readings
	for _, r := range readings.All {
		for _, v := range r.Values {
			if v == inForce[r.Name] {
				continue
			}
			over := maps.Clone(base)
			over[r.Name] = v
			res, err := scenario.Run(sc, withReadings(runOptions(), over))
			if err != nil {
				return fmt.Errorf("under %s=%s: %w", r.Name, v, err)
			}
			t.runs++
			for i, o := range res.Outcomes {
				if i < len(deps) && o.OK != written.Outcomes[i].OK {
					deps[i].changed = append(deps[i].changed, changed{tag: r.Name + "=" + v, out: o})
				}
			}
		}
	}
	for i, d := range deps {
		if len(d.changed) > 0 {
			d.file, d.written = sc.File, written.Outcomes[i]
			t.deps = append(t.deps, d)
		}
	}
	return nil
}

// count says n things: "1 scenario", "3 scenarios".
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func passFail(ok bool) string {
	if ok {
		return "PASS"
	}
	return "FAIL"
}

// writeDependents prints the table of expectations whose result depends
// on a reading: where, the expectation, its result as written, and each
// reading value that changes it with what was found there.
func writeDependents(w io.Writer, deps []dependent) {
	if len(deps) == 0 {
		return
	}
	fmt.Fprintln(w, "Expectations whose result depends on a reading:")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  EXPECTATION\tAS WRITTEN\tUNDER\tRESULT\tFOUND THERE")
	for _, d := range deps {
		st := d.written.Step
		where := fmt.Sprintf("%s:%d:%d %s", d.file, st.Pos.Line, st.Pos.Col, st.Describe())
		for i, c := range d.changed {
			first, result := where, passFail(d.written.OK)
			if i > 0 {
				first, result = "", ""
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", first, result, c.tag, passFail(c.out.OK), c.out.Found)
		}
	}
	tw.Flush()
	fmt.Fprintln(w)
}

// summary says how many runs were made, which expectations fail as
// written, and which pass as written but fail under another reading.
func (t *allReadingsTally) summary(w io.Writer) {
	fmt.Fprintf(w, "%s, each as written and under every other value of each reading: %d runs.\n", count(t.scenarios, "scenario", "scenarios"), t.runs)
	if len(t.deps) == 0 {
		fmt.Fprintln(w, "No expectation depends on a reading.")
	} else {
		fmt.Fprintf(w, "%s on a reading.\n", count(len(t.deps), "expectation depends", "expectations depend"))
	}
	if len(t.failed) == 0 {
		fmt.Fprintln(w, "Every expectation passes as written.")
	} else {
		fmt.Fprintf(w, "%s as written:\n", count(len(t.failed), "expectation FAILS", "expectations FAIL"))
		for _, f := range t.failed {
			fmt.Fprintf(w, "  %s\n", f)
		}
	}
	var only []string
	for _, d := range t.deps {
		if !d.written.OK {
			continue
		}
		var tags []string
		for _, c := range d.changed {
			if !c.out.OK {
				tags = append(tags, c.tag)
			}
		}
		if len(tags) > 0 {
			st := d.written.Step
			only = append(only, fmt.Sprintf("  %s:%d:%d %s fails under %s", d.file, st.Pos.Line, st.Pos.Col, st.Describe(), strings.Join(tags, ", ")))
		}
	}
	if len(only) == 0 {
		fmt.Fprintln(w, "No expectation that passes as written fails under another reading.")
		return
	}
	fmt.Fprintf(w, "%s under another reading (the real firmware may read the vendor text that way):\n",
		count(len(only), "expectation passes as written but fails", "expectations pass as written but fail"))
	for _, o := range only {
		fmt.Fprintln(w, o)
	}
}
