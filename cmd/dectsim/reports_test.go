package main

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dectsim/dectsim/cmd/dectsim/internal/report"
	"github.com/dectsim/dectsim/emulator/scenario"
)

// TestRunDirSkipsAJUnitReportWrittenIntoIt: a JUnit report written into
// the directory that is run is not a scenario, so the next run of that
// directory passes as the first did.
func TestRunDirSkipsAJUnitReportWrittenIntoIt(t *testing.T) {
	dir := t.TempDir()
	src, err := os.ReadFile(filepath.Join(repoScenarios, "ghost-after-24h.xml"))
	require.NoError(t, err)
	write(t, dir, "ghost.xml", string(src))
	write(t, dir, "prov.xml", `<provisioning version="1.1" productID="e2"/>`)
	report := filepath.Join(dir, "junit.xml")
	for range 2 {
		code, out, errOut := run(t, "run", "--junit", report, dir)
		require.Equal(t, 0, code, errOut)
		require.Contains(t, out, "1 passed, 0 failed\n")
	}
}

// TestRunFileNamedExplicitlyIsReadWhateverItsRoot: a file on the command
// line is read as a scenario, so a report named by mistake is an input
// error (exit 2), not silently nothing.
func TestRunFileNamedExplicitlyIsReadWhateverItsRoot(t *testing.T) {
	p := write(t, t.TempDir(), "junit.xml", `<testsuites/>`)
	code, _, errOut := run(t, "run", p)
	require.Equal(t, 2, code, errOut)
}

// TestRunJUnitCasesCarryFileTimeAndTimeline: each case's classname is its
// file, its time the run's measured duration in seconds, and its
// <system-out> the timeline the text output prints.
func TestRunJUnitCasesCarryFileTimeAndTimeline(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(repoScenarios, "ghost-after-24h.xml")
	report := filepath.Join(dir, "junit.xml")
	code, out, errOut := run(t, "run", "--junit", report, p)
	require.Equal(t, 0, code, errOut)
	data, err := os.ReadFile(report)
	require.NoError(t, err)
	var v struct {
		Cases []struct {
			Classname string `xml:"classname,attr"`
			Time      string `xml:"time,attr"`
			SystemOut string `xml:"system-out"`
		} `xml:"testsuite>testcase"`
	}
	require.NoError(t, xml.Unmarshal(data, &v))
	require.Len(t, v.Cases, 1)
	require.Equal(t, p, v.Cases[0].Classname)
	secs, err := strconv.ParseFloat(v.Cases[0].Time, 64)
	require.NoError(t, err)
	require.GreaterOrEqual(t, secs, 0.0)
	require.Equal(t, strings.TrimSuffix(out, "1 passed, 0 failed\n"), v.Cases[0].SystemOut)
}

func jsonLines(t *testing.T, out string) []map[string]any {
	t.Helper()
	var ms []map[string]any
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &m), l)
		ms = append(ms, m)
	}
	return ms
}

// TestJSONScenarioErrorLineForEachFileThatCannotRun: a scenario that
// cannot be read is one scenario-error line with its file, line, col and
// message; one that cannot be opened has line and col 0.
func TestJSONScenarioErrorLineForEachFileThatCannotRun(t *testing.T) {
	dir := t.TempDir()
	broken := write(t, dir, "broken.xml", "<scenario><at/></scenario>")
	missing := filepath.Join(dir, "missing.xml")
	code, out, errOut := run(t, "run", "--json", broken, missing)
	require.Equal(t, 2, code, errOut)
	ms := jsonLines(t, out)
	require.Len(t, ms, 2)
	require.Equal(t, map[string]any{"scenario": missing, "t": "0s", "time": "", "type": "scenario-error", "ipui": "", "slot": "",
		"file": missing, "line": 0.0, "col": 0.0, "message": "stat " + missing + ": no such file or directory"}, ms[0])
	require.Equal(t, "scenario-error", ms[1]["type"])
	require.Equal(t, broken, ms[1]["file"])
	require.Equal(t, 1.0, ms[1]["line"])
	require.Equal(t, 11.0, ms[1]["col"])
	require.Contains(t, ms[1]["message"], "<at> needs t=")
	require.Contains(t, errOut, "0 passed, 0 failed, 2 could not run", "the summary stays on stderr")
}

// TestJSONScenarioResultEndsEveryScenario: after a scenario's events, one
// scenario-result line says whether it passed and how many expectations
// passed and failed; every other line is what it was before.
func TestJSONScenarioResultEndsEveryScenario(t *testing.T) {
	dir := t.TempDir()
	bad := write(t, dir, "bad.xml", "<scenario name=\"wrong\"><at t=\"1h\"><expect slots=\"0\"/><expect slots=\"9\"/></at></scenario>")
	good := filepath.Join(repoScenarios, "ghost-after-24h.xml")
	code, out, _ := run(t, "run", "--json", good, bad)
	require.Equal(t, 4, code)
	ms := jsonLines(t, out)
	var results []map[string]any
	var ends []int
	for i, m := range ms {
		if m["type"] == "scenario-result" {
			results = append(results, m)
			ends = append(ends, i)
		}
	}
	require.Len(t, results, 2)
	require.Equal(t, len(ms)-1, ends[1], "the last line closes the last scenario")
	require.Equal(t, good, ms[ends[0]-1]["scenario"])
	require.Equal(t, bad, ms[ends[0]+1]["scenario"])
	require.Equal(t, map[string]any{"scenario": good, "t": "24h0m0s", "time": "2026-01-06T09:00:00Z", "type": "scenario-result", "ipui": "", "slot": "",
		"file": good, "name": "out of range for a day becomes a ghost", "passed": true, "failed": 0.0, "expectations-passed": 7.0}, results[0])
	require.Equal(t, false, results[1]["passed"])
	require.Equal(t, 1.0, results[1]["failed"])
	require.Equal(t, 1.0, results[1]["expectations-passed"])
	require.Equal(t, "wrong", results[1]["name"])

	// Without the scenario-result lines, the output is what WriteJSON gives.
	res, err := scenario.RunFile(good, runOptions())
	require.NoError(t, err)
	var want strings.Builder
	require.NoError(t, report.WriteJSON(&want, res))
	_, one, _ := run(t, "run", "--json", good)
	ls := strings.SplitAfter(one, "\n")
	require.Equal(t, want.String(), strings.Join(ls[:len(ls)-2], ""))
}

// TestJSONScenarioErrorLinePerMistake: a scenario file with several
// mistakes gives one scenario-error line for each, in file order.
func TestJSONScenarioErrorLinePerMistake(t *testing.T) {
	p := write(t, t.TempDir(), "two.xml", `<scenario>
  <handset ipui="029e74a599" state="Bogus"/>
  <at t="0s"><expect ipui="029e74a599" state="Gone"/></at>
</scenario>
`)
	code, out, _ := run(t, "run", "--json", p)
	require.Equal(t, 2, code)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 2, out)
	require.Contains(t, lines[0], `"type":"scenario-error"`)
	require.Contains(t, lines[0], `"line":2,"col":30`)
	require.Contains(t, lines[1], `"line":3,"col":40`)
}
