package main

import (
	"encoding/xml"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
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
