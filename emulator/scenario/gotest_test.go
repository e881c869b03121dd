package scenario_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dectsim/dectsim/emulator/scenario"
)

// TestTestFailsWithWhatDectsimRunPrints runs scenario.Test on a folder
// with a passing, a failing and an unreadable scenario in a child test
// binary, and reads what go test printed: the passing one passes, the
// others fail with the report and the error `dectsim run` prints.
func TestTestFailsWithWhatDectsimRunPrints(t *testing.T) {
	if dir := os.Getenv("SCENARIO_TEST_DIR"); dir != "" {
		scenario.Test(t, dir)
		return
	}
	dir := t.TempDir()
	files := map[string]string{
		"a-passes.xml": `<scenario name="passes"><at t="0s"><expect slots="0"/></at></scenario>`,
		"b-fails.xml": `<scenario name="fails">
  <handset ipui="029e74a599" state="Registered"/>
  <at t="0s"><expect ipui="029e74a599" state="ToReg"/></at>
</scenario>`,
		"c-unreadable.xml": "<scenario>\n  <at t=\"soon\"/>\n</scenario>",
	}
	for name, body := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644))
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestTestFailsWithWhatDectsimRunPrints$", "-test.v")
	cmd.Env = append(os.Environ(), "SCENARIO_TEST_DIR="+dir)
	out, err := cmd.CombinedOutput()
	require.Error(t, err, "a failed scenario fails the test:\n%s", out)
	got := string(out)
	require.Contains(t, got, "--- PASS: TestTestFailsWithWhatDectsimRunPrints/a-passes.xml")
	require.Contains(t, got, "--- FAIL: TestTestFailsWithWhatDectsimRunPrints/b-fails.xml")
	require.Contains(t, got, "--- FAIL: TestTestFailsWithWhatDectsimRunPrints/c-unreadable.xml")

	// The report, line for line, as dectsim run prints it.
	res, err := scenario.RunFile(filepath.Join(dir, "b-fails.xml"), scenario.Options{})
	require.NoError(t, err)
	var report strings.Builder
	scenario.WriteText(&report, res, scenario.Style{})
	require.Contains(t, report.String(), "b-fails.xml:3:14: expectation failed:")
	for _, line := range strings.Split(strings.TrimSpace(report.String()), "\n") {
		require.Contains(t, got, line)
	}
	_, err = scenario.RunFile(filepath.Join(dir, "c-unreadable.xml"), scenario.Options{})
	var se *scenario.Error
	require.ErrorAs(t, err, &se)
	require.Contains(t, got, "error: "+err.Error())
}

func TestFilesNeedsAScenarioFileInEveryFolder(t *testing.T) {
	_, err := scenario.Files(t.TempDir())
	require.ErrorContains(t, err, "no *.xml scenario files in this directory")
	_, err = scenario.Files(filepath.Join(t.TempDir(), "missing.xml"))
	require.Error(t, err)
}
