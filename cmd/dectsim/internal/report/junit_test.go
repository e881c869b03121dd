package report

import (
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

type junitCase struct {
	Name      string `xml:"name,attr"`
	Classname string `xml:"classname,attr"`
	Time      string `xml:"time,attr"`
	Failure   *struct {
		Message string `xml:"message,attr"`
	} `xml:"failure"`
	SystemOut *string `xml:"system-out"`
}

func readJUnit(t *testing.T, s string) []junitCase {
	t.Helper()
	var v struct {
		Suites []struct {
			Time  string      `xml:"time,attr"`
			Cases []junitCase `xml:"testcase"`
		} `xml:"testsuite"`
	}
	require.NoError(t, xml.Unmarshal([]byte(s), &v))
	require.Len(t, v.Suites, 1)
	return v.Suites[0].Cases
}

const twoFailures = `<scenario name="two wrong">
  <handset ipui="029e74a599" state="Registered"/>
  <at t="0s">
    <expect slots="1"/>
    <expect slots="2"/>
    <expect slots="3"/>
  </at>
</scenario>`

// TestJUnitClassnameIsTheScenarioFile: a CI system groups the cases by
// classname, so each is named after its scenario's file.
func TestJUnitClassnameIsTheScenarioFile(t *testing.T) {
	res := runScenario(t, twoFailures)
	var b strings.Builder
	require.NoError(t, WriteJUnit(&b, []JUnitCase{{File: res.Scenario.File, Result: res}}))
	cs := readJUnit(t, b.String())
	require.Equal(t, res.Scenario.File, cs[0].Classname)
	require.Equal(t, "two wrong", cs[0].Name)
}

// TestJUnitTimeIsTheRunsDurationInSeconds: the duration the command
// measured, in seconds, on each case and summed on the suite.
func TestJUnitTimeIsTheRunsDurationInSeconds(t *testing.T) {
	res := runScenario(t, twoFailures)
	var b strings.Builder
	require.NoError(t, WriteJUnit(&b, []JUnitCase{{File: "a.xml", Result: res, Duration: 1500 * time.Millisecond},
		{File: "b.xml", Err: errNotRead, Duration: 250 * time.Millisecond}}))
	cs := readJUnit(t, b.String())
	require.Equal(t, "1.500", cs[0].Time)
	require.Equal(t, "0.250", cs[1].Time)
	require.Contains(t, b.String(), `<testsuite name="dectsim" tests="2" failures="1" errors="1" time="1.750">`)
}

// TestJUnitFailureMessageNamesTheFirstFailedExpectationAndHowMany.
func TestJUnitFailureMessageNamesTheFirstFailedExpectationAndHowMany(t *testing.T) {
	res := runScenario(t, twoFailures)
	var b strings.Builder
	require.NoError(t, WriteJUnit(&b, []JUnitCase{{File: res.Scenario.File, Result: res}}))
	cs := readJUnit(t, b.String())
	require.NotNil(t, cs[0].Failure)
	require.Equal(t, res.Scenario.File+`:5: expectation failed: <expect slots="2"/> (2 of 3 expectations failed)`, cs[0].Failure.Message)
}

// TestJUnitSystemOutIsTheScenariosPlainTimeline: what `dectsim run`
// prints for the scenario, without colour, passed or failed; a scenario
// that could not be read has none.
func TestJUnitSystemOutIsTheScenariosPlainTimeline(t *testing.T) {
	res := runScenario(t, twoFailures)
	var b strings.Builder
	require.NoError(t, WriteJUnit(&b, []JUnitCase{{File: res.Scenario.File, Result: res}, {File: "b.xml", Err: errNotRead}}))
	cs := readJUnit(t, b.String())
	require.NotNil(t, cs[0].SystemOut)
	out := *cs[0].SystemOut
	require.Contains(t, out, "== "+res.Scenario.File+": two wrong\n")
	require.Contains(t, out, "PASS "+res.Scenario.File+":4:")
	require.Contains(t, out, "FAIL "+res.Scenario.File+":6:")
	require.NotContains(t, out, "\x1b[")
	require.Nil(t, cs[1].SystemOut)
}

var errNotRead = xmlError("b.xml:1:1: not a scenario")

type xmlError string

func (e xmlError) Error() string { return string(e) }
