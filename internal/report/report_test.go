package report

import (
	"encoding/json"
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
