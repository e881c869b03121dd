package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/dectsim/dectsim/cmd/dectsim/internal/lint"
	"github.com/dectsim/dectsim/cmd/dectsim/internal/report"
	"github.com/dectsim/dectsim/cmd/dectsim/internal/report/htmlreport"
	"github.com/dectsim/dectsim/emulator/scenario"
	"github.com/dectsim/dectsim/internal/textio/printable"
	"github.com/dectsim/dectsim/internal/vocab/firmware"
	"github.com/dectsim/dectsim/internal/vocab/product"
)

// Exit codes (a contract).
const (
	exitOK       = 0
	exitUsage    = 1
	exitInput    = 2
	exitRuntime  = 3
	exitExpected = 4
)

// version is set at build time with -ldflags "-X main.version=…".
var version = ""

const usage = `dectsim emulates a Gigaset PRO DECT IP multicell system (N610/N670/N770/
N870/N870E, Embedded or Virtual Integrator) on simulated time.

Usage:
  dectsim run [--json] [--junit FILE] [--html FILE] SCENARIO|DIR...
                                                        run scenario files
  dectsim check [--product P] [--firmware V] FILE|DIR|-...
                                                        lint provisioning files
  dectsim serve [--addr ADDR] [--sip ADDR] [--sip-register] [--clock manual|real] [--fleet N] [SCENARIO...]
                                                        run systems live for a server
  dectsim readings                                      list the readings
  dectsim version                                       print the version

Where the vendor text can be read two ways, each reading is a switch:
--reading NAME=VALUE on run and check, 'dectsim run --all-readings' to try
every value.

Run 'dectsim <command> -h' for a command's flags and examples.

Exit codes: 0 success, 1 bad command line, 2 input file not parsable or
invalid, 3 runtime error (I/O, network), 4 expectation failed or
error-level finding.
`

// Main is the whole command, with its streams and environment passed in
// so tests can run it in-process.
func Main(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "run":
		return cmdRun(args[1:], stdout, stderr, getenv)
	case "check":
		return cmdCheck(args[1:], stdout, stderr)
	case "readings":
		return cmdReadings(args[1:], stdout, stderr)
	case "version", "--version", "-version":
		if len(args) > 1 {
			if args[1] == "-h" || args[1] == "--help" || args[1] == "-help" {
				fmt.Fprint(stdout, "Usage: dectsim version\n\nPrints the version of dectsim.\n\nExamples:\n  dectsim version\n")
				return exitOK
			}
			fmt.Fprintf(stderr, "dectsim version: takes no arguments, got %q\n", args[1])
			return exitUsage
		}
		fmt.Fprintf(stdout, "dectsim %s\n", versionString())
		return exitOK
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return exitOK
	case "serve":
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		return cmdServe(ctx, args[1:], stdout, stderr)
	default:
		fmt.Fprintf(stderr, "dectsim: unknown command %q\n\n%s", args[0], usage)
		return exitUsage
	}
}

func versionString() string {
	v := version
	if v == "" {
		v = "(devel)"
		if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
			v = bi.Main.Version
		}
	}
	return v
}

// parseCommand parses a subcommand's flags and arguments. -h prints the
// help on stdout (exit 0); a bad flag or no arguments print it on stderr
// (exit 1). ok is false when the command should exit with code.
func parseCommand(fs *flag.FlagSet, shapes flagShapes, help string, args []string, stdout, stderr io.Writer, need string) (files []string, code int, ok bool) {
	usage := func(w io.Writer) {
		fmt.Fprint(w, help)
		printFlags(w, fs, shapes)
	}
	// The flag package prints its own error line; the help follows it on
	// stderr, or goes to stdout when asked for with -h.
	fs.Usage = func() {}
	files, code, ok = parseFlags(fs, args, stderr)
	switch {
	case !ok && code == exitOK:
		usage(stdout)
		return nil, code, false
	case !ok:
		usage(stderr)
		return nil, code, false
	case len(files) == 0:
		fmt.Fprintf(stderr, "dectsim %s: give %s\n", fs.Name(), need)
		usage(stderr)
		return nil, exitUsage, false
	}
	return files, 0, true
}

// parseFlags parses flags that may come before or after the positional
// arguments, and turns every flag error into exit code 1 (Go's flag
// package would exit 2, which here means a bad input file).
func parseFlags(fs *flag.FlagSet, args []string, stderr io.Writer) ([]string, int, bool) {
	fs.SetOutput(stderr)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, exitOK, false
			}
			return nil, exitUsage, false
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, 0, true
		}
		if rest[0] == "--" {
			return append(pos, rest[1:]...), 0, true
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

const runHelp = `Usage: dectsim run [--json] [--junit FILE] [--html FILE] [--var NAME=VALUE]... [--reading NAME=VALUE]... [--all-readings] SCENARIO|DIR...

Plays scenario files against an emulated system on simulated time and
checks their expectations. A directory runs every *.xml file directly in it
whose root element is <scenario> (a JUnit report written there is skipped).

Output: a timeline per scenario (relative time, absolute time, event,
slot/IPUI, detail) with each expectation marked PASS or FAIL, every failure
in full, then "N passed, N failed". With --json, one JSON object per event
per line and nothing else on stdout: each scenario ends with a
scenario-result line, and one that cannot run is a scenario-error line.

--reading NAME=VALUE sets a reading (see 'dectsim readings') for every
scenario, over what its <system> says. --all-readings runs each scenario as
written, then once per other value of every reading (one reading at a
time, the others as written), and prints a table of the expectations whose
result depends on a reading; it exits 4 when an expectation fails as
written, and lists those that fail only under another reading.
--var NAME=VALUE gives ${NAME} in the files' attribute values that value;
a name no --var gives is read from the environment.

Examples:
  dectsim run scenarios/ghost-after-24h.xml
  dectsim run scenarios/
  dectsim run --json scenarios/seed-delete-single.xml | jq .type
  dectsim run --junit report.xml scenarios/
  dectsim run --html report.html scenarios/
  dectsim run --reading detect-delay=3h scenarios/switched-off.xml
  dectsim run --all-readings scenarios/

Flags:
`

func cmdRun(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	jsonOut := fs.Bool("json", false, "print one JSON object per event per line")
	junit := fs.String("junit", "", "also write a JUnit XML report to FILE")
	htmlOut := fs.String("html", "", "also write a self-contained HTML report to FILE")
	rf := readingFlags{}
	fs.Var(rf, "reading", readingUsage)
	fs.Var(newRunVars(), "var", varUsage)
	all := fs.Bool("all-readings", false, "run each scenario under every value of every reading and show which expectations depend on one")
	shapes := flagShapes{"junit": "FILE", "html": "FILE", "reading": "NAME=VALUE", "var": "NAME=VALUE"}
	files, code, ok := parseCommand(fs, shapes, runHelp, args, stdout, stderr, "at least one scenario file or directory")
	if !ok {
		return code
	}
	if *all && (*jsonOut || *junit != "" || *htmlOut != "") {
		fmt.Fprintln(stderr, "dectsim run: --all-readings prints its own table; it does not combine with --json, --junit or --html")
		return exitUsage
	}
	r := &runTally{json: *jsonOut, stdout: stdout, stderr: stderr, worst: exitOK,
		style:    scenario.Style{Color: wantColor(isTerminal(stdout), getenv)},
		errStyle: scenario.Style{Color: wantColor(isTerminal(stderr), getenv)}}
	paths := r.expand(files)
	if *all {
		return worse(r.worst, runAllReadings(paths, rf, stdout, stderr, r.style, r.errStyle))
	}
	for _, p := range paths {
		if !r.run(p, rf) {
			return exitRuntime
		}
	}
	r.summary()
	if *junit != "" {
		if err := writeJUnit(*junit, r.cases); err != nil {
			fmt.Fprintf(stderr, "dectsim run: writing %s: %s\n", printable.String(*junit), printable.String(err.Error()))
			return worse(r.worst, exitRuntime)
		}
	}
	if *htmlOut != "" {
		if err := writeHTML(*htmlOut, r.results); err != nil {
			fmt.Fprintf(stderr, "dectsim run: writing %s: %s\n", printable.String(*htmlOut), printable.String(err.Error()))
			return worse(r.worst, exitRuntime)
		}
	}
	return r.worst
}

// runTally is what dectsim run has seen so far: the counts, the worst exit
// code and the JUnit cases.
type runTally struct {
	json                    bool
	stdout, stderr          io.Writer
	style, errStyle         scenario.Style
	cases                   []report.JUnitCase
	results                 []*scenario.Result
	passed, failed, errored int
	worst                   int
}

// expand turns the arguments into scenario files, each on its own: one
// that cannot be read is reported and the others still run, as check does.
func (r *runTally) expand(files []string) []string {
	var paths []string
	for _, f := range files {
		ps, err := scenario.Files(f)
		if err != nil {
			r.error(f, err)
			continue
		}
		paths = append(paths, ps...)
	}
	return paths
}

func (r *runTally) error(file string, err error) { _ = r.errorAfter(file, err, 0) }

// errorAfter reports a scenario that could not be read or run, d after it
// was started: on stderr, and with --json as a scenario-error line on
// stdout. The error is the one writing that line met.
func (r *runTally) errorAfter(file string, err error, d time.Duration) error {
	r.errored++
	scenario.WriteError(r.stderr, err, r.errStyle)
	r.cases = append(r.cases, report.JUnitCase{File: file, Err: err, Duration: d})
	r.worst = worse(r.worst, errorCode(err))
	if r.json {
		return report.WriteJSONError(r.stdout, file, err)
	}
	return nil
}

// run runs one scenario file and prints it; false when printing failed.
func (r *runTally) run(p string, rf readingFlags) bool {
	start := time.Now()
	res, err := scenario.RunFile(p, withReadings(runOptions(), rf))
	d := time.Since(start)
	if err != nil {
		if werr := r.errorAfter(p, err, d); werr != nil {
			fmt.Fprintf(r.stderr, "dectsim run: %s\n", printable.String(werr.Error()))
			return false
		}
		return true
	}
	r.cases = append(r.cases, report.JUnitCase{File: p, Result: res, Duration: d})
	r.results = append(r.results, res)
	if err := writeResult(res, r.json, r.stdout, r.stderr, r.style, r.errStyle); err != nil {
		fmt.Fprintf(r.stderr, "dectsim run: %s\n", printable.String(err.Error()))
		return false
	}
	if res.Passed() {
		r.passed++
	} else {
		r.failed++
		r.worst = worse(r.worst, exitExpected)
	}
	return true
}

// summary prints "N passed, N failed": on stdout, or with --json on
// stderr.
func (r *runTally) summary() {
	summary := fmt.Sprintf("%d passed, %d failed", r.passed, r.failed)
	if r.errored > 0 {
		summary += fmt.Sprintf(", %d could not run", r.errored)
	}
	if r.json {
		fmt.Fprintln(r.stderr, summary)
	} else {
		fmt.Fprintln(r.stdout, summary)
	}
}

// writeResult prints one scenario's run: its timeline on stdout, or with
// --json its events and its scenario-result line there and its failures
// on stderr.
func writeResult(res *scenario.Result, jsonOut bool, stdout, stderr io.Writer, style, errStyle scenario.Style) error {
	if !jsonOut {
		scenario.WriteText(stdout, res, style)
		return nil
	}
	if err := report.WriteJSON(stdout, res); err != nil {
		return err
	}
	if err := report.WriteJSONResult(stdout, res); err != nil {
		return err
	}
	for _, f := range res.Failures {
		scenario.WriteFailure(stderr, res.Scenario, f, errStyle)
	}
	return nil
}

// errorCode tells an invalid scenario (2) from a runtime failure (3).
func errorCode(err error) int {
	var se *scenario.Error
	if errors.As(err, &se) {
		return exitInput
	}
	return exitRuntime
}

// worse keeps the more fundamental of two exit codes: an input error
// outranks a runtime error, which outranks a failed expectation.
func worse(a, b int) int {
	if a == exitOK {
		return b
	}
	if b == exitOK {
		return a
	}
	if b < a {
		return b
	}
	return a
}

func writeJUnit(path string, cases []report.JUnitCase) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := report.WriteJUnit(f, cases); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func writeHTML(path string, results []*scenario.Result) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := htmlreport.Write(f, results); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// wantColor: colour only where a terminal reads the output, and never when
// NO_COLOR is set to anything (https://no-color.org).
func wantColor(terminal bool, getenv func(string) string) bool {
	return terminal && getenv("NO_COLOR") == "" && getenv("TERM") != "dumb"
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

const checkHelp = `Usage: dectsim check [--product P] [--firmware V] [--dm NAME]... [--reading NAME=VALUE]... FILE|DIR|-...

Lints provisioning files against what the chosen product and firmware
would do with them. A directory stands for every *.xml file directly in it
whose root element is <provisioning>; - reads standard input (named
<stdin> in findings). Each finding prints as
  file:line:col: error|warning: CODE: message
and a last line sums up: "N files, N errors, N warnings".

Exit code 2 when a file is not well-formed XML or not a <provisioning>
document, 4 when another error-level finding is present, else 0.

--reading NAME=VALUE checks the file as the system applies it under that
reading (see 'dectsim readings'); the others keep their defaults.
--dm NAME names a DECT manager of the system (repeatable; default the one
DM of a system that declares none, local): an update_dm that names another
opens no registration window (warning no-such-dm).

Examples:
  dectsim check provisioning/7c2f80a1b2c3.xml
  dectsim check --firmware 2.35.0 remove-handset.xml
  dectsim check --product VI --firmware 2.36.1 *.xml
  dectsim check --product VI --dm ground --dm first site.xml
  dectsim check --reading dnphs-position=nvm-first provisioning.xml
  dectsim check provisioning/
  curl -s http://prov.example/7c2f80a1b2c3.xml | dectsim check -

Flags:
`

func cmdCheck(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	prod := fs.String("product", product.Default, "product profile: "+strings.Join(product.Names(), ", "))
	fw := fs.String("firmware", firmware.Default.String(), "firmware version the system runs")
	rf := readingFlags{}
	fs.Var(rf, "reading", readingUsage)
	var dms dmFlags
	fs.Var(&dms, "dm", "a DECT manager of the system, which update_dm may name (repeatable; default local)")
	shapes := flagShapes{"product": "P", "firmware": "V", "reading": "NAME=VALUE", "dm": "NAME"}
	files, code, ok := parseCommand(fs, shapes, checkHelp, args, stdout, stderr, "at least one provisioning file, directory or -")
	if !ok {
		return code
	}
	opts := lint.Options{Product: *prod, Firmware: *fw, Readings: rf, DMs: dms}
	if _, err := lint.Check("", []byte(`<provisioning version="1.1" productID="e2"/>`), opts); err != nil {
		fmt.Fprintf(stderr, "dectsim check: %s\n", printable.String(err.Error()))
		return exitUsage
	}
	return checkAll(files, opts, stdout, stderr)
}

// dmFlags collects --dm NAME, each once.
type dmFlags []string

func (d *dmFlags) String() string { return strings.Join(*d, ",") }

func (d *dmFlags) Set(v string) error {
	switch {
	case v == "" || strings.ContainsAny(v, " \t\r\n"):
		return fmt.Errorf("--dm %q is not a DM id (a word, e.g. --dm local)", v)
	case slices.Contains(*d, v):
		return fmt.Errorf("--dm %s is given twice", v)
	}
	*d = append(*d, v)
	return nil
}
