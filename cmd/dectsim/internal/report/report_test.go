package report

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dectsim/dectsim/emulator/scenario"
)

func runScenario(t *testing.T, src string) *scenario.Result {
	t.Helper()
	path := filepath.Join(t.TempDir(), "s.xml")
	require.NoError(t, os.WriteFile(path, []byte(src), 0o644))
	res, err := scenario.RunFile(path, scenario.Options{})
	require.NoError(t, err)
	return res
}

// TestJSONPutsEachExpectationInPlace: an expectation is a line of its own
// between the events logged before and after it; only a failed one says
// what was expected and found.
func TestJSONPutsEachExpectationInPlace(t *testing.T) {
	res := runScenario(t, `<scenario name="x">
  <handset ipui="029e74a599" state="Registered"/>
  <at t="0s"><move ipui="029e74a599" range="out"/><expect slots="1"/><expect slots="2"/></at>
  <at t="1h"><power ipui="029e74a599" state="off"/></at>
</scenario>`)
	var b strings.Builder
	require.NoError(t, WriteJSON(&b, res))
	var types, outcomes, found []string
	for _, l := range strings.Split(strings.TrimSpace(b.String()), "\n") {
		var e JSONEvent
		require.NoError(t, json.Unmarshal([]byte(l), &e))
		types = append(types, e.Type)
		if e.Type == EvExpectation {
			outcomes = append(outcomes, e.Outcome)
			found = append(found, e.Found)
		}
	}
	require.Equal(t, []string{"handset-moved", EvExpectation, EvExpectation, "handset-power"}, types)
	require.Equal(t, []string{"passed", "failed"}, outcomes)
	require.Equal(t, []string{"", "slots=1"}, found)
}

func TestJUnitErrorCaseShowsTheFirstLineAsItsMessage(t *testing.T) {
	var b strings.Builder
	require.NoError(t, WriteJUnit(&b, []JUnitCase{{File: "a.xml", Err: errors.New("a.xml:1:1: first\n  excerpt")}}))
	require.Contains(t, b.String(), `<error message="a.xml:1:1: first" type="error">`)
	require.Contains(t, b.String(), `tests="1" failures="0" errors="1"`)
}

// hostileScenario puts into a scenario what a hostile author or generator
// could: a name with a bidi override and a C1 control, an add_hs value
// whose newline would start a forged PASS line, a CR and a tab.
const hostileScenario = "<scenario name=\"evil&#x202e;txt.&#x85;xml\">\n" +
	"  <at t=\"0s\">\n" +
	"    <provision><provisioning version=\"1.1\" productID=\"e2\"><nvm>" +
	"<oper name=\"add_hs\" value=\"00001&#13;&#9;&#10;  PASS  forged.xml:1:1 &lt;expect/&gt;\"/>" +
	"</nvm></provisioning></provision>\n" +
	"    <expect slots=\"2\"/>\n" +
	"  </at>\n" +
	"</scenario>\n"

// controls reports the first byte or rune of s that must not reach a
// terminal or an XML file: C0 controls but the newline, DEL, C1 controls,
// bidi overrides and invalid UTF-8.
func controls(s string) (string, bool) {
	for i, r := range s {
		switch {
		case r == '\n':
		case r < 0x20, r == 0x7f, r >= 0x80 && r < 0xa0, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0xfffd:
			return strings.ToValidUTF8(s[max(0, i-20):min(len(s), i+20)], "?"), true
		}
	}
	return "", false
}

// TestHostileTextInReports: each JSON line is one event, and the JUnit
// report is XML a parser reads back, with nothing a terminal or an XML
// reader would choke on.
func TestHostileTextInReports(t *testing.T) {
	res := runScenario(t, hostileScenario)
	require.False(t, res.Passed())

	var j strings.Builder
	require.NoError(t, WriteJSON(&j, res))
	ls := strings.Split(strings.TrimSuffix(j.String(), "\n"), "\n")
	require.Len(t, ls, res.System.EventCount()+res.Checks(), "one line per event and per expectation")
	for _, l := range ls {
		var e JSONEvent
		require.NoError(t, json.Unmarshal([]byte(l), &e), l)
	}
	require.Contains(t, j.String(), `"slot":"00001\r\t\n  PASS  forged.xml:1:1 <expect/>"`)

	var x strings.Builder
	require.NoError(t, WriteJUnit(&x, []JUnitCase{{File: res.Scenario.File, Result: res},
		{File: "bad\x1b[2J.xml", Err: errors.New("bad\x1b[2J.xml:1:1: a\x07b\nsecond line\x00")}}))
	if at, bad := controls(x.String()); bad {
		t.Fatalf("a control character reached the JUnit report near %q", at)
	}
	var v struct {
		Suites []struct {
			Cases []struct {
				Name    string `xml:"name,attr"`
				Failure *struct {
					Text string `xml:",chardata"`
				} `xml:"failure"`
				Error *struct {
					Message string `xml:"message,attr"`
					Text    string `xml:",chardata"`
				} `xml:"error"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	require.NoError(t, xml.Unmarshal([]byte(x.String()), &v))
	cs := v.Suites[0].Cases
	require.Equal(t, `evil\u202etxt.\u0085xml`, cs[0].Name)
	require.Contains(t, cs[0].Failure.Text, "    expected: slots=2\n")
	require.Equal(t, `bad\x1b[2J.xml:1:1: a\ab`, cs[1].Error.Message)
	require.Equal(t, "bad\\x1b[2J.xml:1:1: a\\ab\nsecond line\\x00", cs[1].Error.Text)
}
