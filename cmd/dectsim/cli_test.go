package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dectsim/dectsim/internal/testfiles"
)

func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	code = Main(args, &o, &e, func(string) string { return "" })
	return code, o.String(), e.String()
}

func write(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
	return p
}

const repoScenarios = "../../scenarios"

// own is one of the project's own provisioning files.
func own(t *testing.T, parts ...string) string {
	t.Helper()
	return testfiles.Own(t, parts...)
}

func TestRunPassingScenarioExitsZeroWithSummary(t *testing.T) {
	code, out, errOut := run(t, "run", filepath.Join(repoScenarios, "ghost-after-24h.xml"))
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "dereg-timeout")
	require.Contains(t, out, "+24h0m0s")
	require.Contains(t, out, "2026-01-06T09:00:00Z")
	require.True(t, strings.HasSuffix(out, "1 passed, 0 failed\n"), out)
	require.NotContains(t, out, "\x1b[", "no colour when stdout is not a terminal")
}

func TestRunDirectoryRunsEveryScenario(t *testing.T) {
	code, out, _ := run(t, "run", repoScenarios)
	require.Equal(t, 0, code)
	ents, _ := filepath.Glob(filepath.Join(repoScenarios, "*.xml"))
	require.Contains(t, out, strconv.Itoa(len(ents))+" passed, 0 failed")
}

func TestRunFailedExpectationExitsFourAndShowsWhereAndTimeline(t *testing.T) {
	dir := t.TempDir()
	p := write(t, dir, "fail.xml", `<scenario name="wrong belief">
  <handset ipui="02b6ec8aa5" state="Registered" range="out"/>
  <at t="0s">
    <provision>
      <provisioning version="1.1" productID="e2"><nvm><param name="hs.02b6ec8aa5.RegStatus" value="ToDeReg"/></nvm></provisioning>
    </provision>
  </at>
  <at t="1h">
    <expect ipui="02b6ec8aa5" state="absent"/>
    <expect slots="1"/>
  </at>
  <at t="25h">
    <expect ghosts="0"/>
  </at>
</scenario>
`)
	code, out, _ := run(t, "run", p)
	require.Equal(t, 4, code)
	require.Contains(t, out, p+":9:5: expectation failed")
	require.Contains(t, out, "expected: state=absent")
	require.Contains(t, out, "found:    state=ToDeReg")
	require.Contains(t, out, "recent events of 02b6ec8aa5")
	require.Contains(t, out, p+":13:5: expectation failed", "the run goes on and reports every failure")
	require.Contains(t, out, "0 passed, 1 failed")
}

func TestRunInvalidScenarioExitsTwoWithCaret(t *testing.T) {
	dir := t.TempDir()
	p := write(t, dir, "bad.xml", "<scenario>\n  <at t=\"soon\"><expect slots=\"0\"/></at>\n</scenario>\n")
	code, _, errOut := run(t, "run", p)
	require.Equal(t, 2, code)
	require.Contains(t, errOut, p+":2:7: t=\"soon\" is not a duration")
	require.Contains(t, errOut, "   2 |   <at t=\"soon\">")
	require.Contains(t, errOut, "\n     |       ^", "the caret under t=")
}

func TestRunRejectedProvisioningFileIsNotAnInputError(t *testing.T) {
	code, _, _ := run(t, "run", filepath.Join(repoScenarios, "malformed-file-changes-nothing.xml"))
	require.Equal(t, 0, code)
}

func TestRunMissingFileExitsThree(t *testing.T) {
	code, _, errOut := run(t, "run", filepath.Join(t.TempDir(), "nope.xml"))
	require.Equal(t, 3, code)
	require.Contains(t, errOut, "nope.xml")
}

func TestBadCommandLineExitsOne(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"frobnicate"},
		{"run"},
		{"run", "--no-such-flag", "x.xml"},
		{"run", "x.xml", "--no-such-flag"},
		{"check"},
		{"check", "--bogus", "x.xml"},
		{"check", "--product", "N999", own(t, "nx70", "pbx-complete-2.65.xml")},
		{"check", "--firmware", "two", own(t, "nx70", "pbx-complete-2.65.xml")},
		{"check", "--reading", "dnphs-position=top", own(t, "nx70", "pbx-complete-2.65.xml")},
		{"check", "--reading", "dnphs-position", own(t, "nx70", "pbx-complete-2.65.xml")},
		{"run", "--reading", "no-such-reading=1", filepath.Join(repoScenarios, "ghost-after-24h.xml")},
		{"run", "--reading", "detect-delay=-1h", filepath.Join(repoScenarios, "ghost-after-24h.xml")},
		{"run", "--all-readings", "--json", filepath.Join(repoScenarios, "ghost-after-24h.xml")},
		{"run", "--all-readings", "--junit", "x.xml", filepath.Join(repoScenarios, "ghost-after-24h.xml")},
		{"readings", "extra"},
	} {
		code, _, errOut := run(t, args...)
		require.Equal(t, 1, code, "%v", args)
		require.NotEmpty(t, errOut, "%v: a bad command line says what is wrong", args)
	}
}

func TestHelpOnEverySubcommandExitsZeroWithExamples(t *testing.T) {
	for _, args := range [][]string{{"-h"}, {"run", "-h"}, {"check", "-h"}, {"run", "--help"}, {"readings", "-h"}} {
		code, out, errOut := run(t, args...)
		require.Equal(t, 0, code, "%v", args)
		require.Empty(t, errOut, "help asked for goes to stdout only")
		if len(args) > 1 {
			require.Contains(t, out, "Examples:")
			require.Equal(t, 1, strings.Count(out, "Usage:"))
		}
	}
}

func TestColourOnlyOnATerminalWithoutNOCOLOR(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	require.True(t, wantColor(true, env(nil)))
	require.False(t, wantColor(false, env(nil)))
	require.False(t, wantColor(true, env(map[string]string{"NO_COLOR": "1"})))
	require.False(t, wantColor(true, env(map[string]string{"TERM": "dumb"})))
}

func TestVersionPrintsAndExitsZero(t *testing.T) {
	code, out, _ := run(t, "version", "-h")
	require.Equal(t, 0, code)
	require.Contains(t, out, "Examples:")
	code, _, _ = run(t, "version", "extra")
	require.Equal(t, 1, code)
	code, out, _ = run(t, "version")
	require.Equal(t, 0, code)
	require.True(t, strings.HasPrefix(out, "dectsim "))
}

func TestJSONIsOneEventPerLineWithContractKeys(t *testing.T) {
	code, out, errOut := run(t, "run", "--json", filepath.Join(repoScenarios, "ghost-after-24h.xml"))
	require.Equal(t, 0, code)
	require.Contains(t, errOut, "1 passed, 0 failed", "the summary goes to stderr in --json mode")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	require.Greater(t, len(lines), 3)
	types := map[string]bool{}
	for _, l := range lines {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &m), l)
		for _, k := range []string{"t", "time", "type", "ipui", "slot"} {
			require.Contains(t, m, k, l)
		}
		types[m["type"].(string)] = true
	}
	require.True(t, types["dereg-timeout"])
	require.True(t, types["ghost-created"])
	require.Contains(t, out, `"t":"24h0m0s","time":"2026-01-06T09:00:00Z","type":"dereg-timeout"`)
}

func TestSameScenarioTwiceGivesByteIdenticalJSON(t *testing.T) {
	_, a, _ := run(t, "run", "--json", repoScenarios)
	_, b, _ := run(t, "run", "--json", repoScenarios)
	require.Equal(t, a, b)
	require.NotEmpty(t, a)
}

func TestJUnitHasOneCasePerScenario(t *testing.T) {
	dir := t.TempDir()
	bad := write(t, dir, "bad.xml", "<scenario><at t=\"0s\"><expect slots=\"9\"/></at></scenario>")
	broken := write(t, dir, "broken.xml", "<scenario><at/></scenario>")
	report := filepath.Join(dir, "junit.xml")
	code, _, _ := run(t, "run", "--junit", report, filepath.Join(repoScenarios, "ghost-after-24h.xml"), bad, broken)
	require.Equal(t, 2, code, "an invalid scenario outranks a failed expectation")
	data, err := os.ReadFile(report)
	require.NoError(t, err)
	s := string(data)
	require.Equal(t, 3, strings.Count(s, "<testcase "))
	require.Contains(t, s, `tests="3" failures="1" errors="1"`)
	require.Contains(t, s, "expected: slots=9")
}

func TestCheckRealShapesHaveNoErrorsAndWarnOnRealDefects(t *testing.T) {
	checkNx70(t, testfiles.OwnFiles(t, "nx70"))
}

func TestCheckCorpusHasNoErrorsAndWarnsOnRealDefects(t *testing.T) {
	checkNx70(t, testfiles.SharedFiles(t, "nx70"))
}

func checkNx70(t *testing.T, files []string) {
	code, out, errOut := run(t, append([]string{"check"}, files...)...)
	require.Equal(t, 0, code, out+errOut)
	require.NotContains(t, out, ": error: ")
	require.Contains(t, out, "warning: bad-param-name:")
	require.Contains(t, out, "MWISubscription")
	require.Contains(t, out, "warning: bad-firmware-version:")
}

func TestCheckUnreadableFileExitsTwo(t *testing.T) {
	code, out, _ := run(t, "check", own(t, "other-products", "n720-providerframe.xml"))
	require.Equal(t, 2, code)
	require.Contains(t, out, "n720-providerframe.xml:2:1: error: not-provisioning:")
	require.Contains(t, out, "N510/N720")
	code, out, _ = run(t, "check", own(t, "other-products", "n510-raw-ampersand.xml"))
	require.Equal(t, 2, code)
	require.Contains(t, out, "n510-raw-ampersand.xml:9:101: error: xml-syntax:")
}

func TestCheckCorpusUnreadableFileExitsTwo(t *testing.T) {
	dir := testfiles.Shared(t, "other-products")
	code, out, _ := run(t, "check", filepath.Join(dir, "wazo__N720_2018__base_n720.xml"))
	require.Equal(t, 2, code)
	require.Contains(t, out, "base_n720.xml:2:1: error: not-provisioning:")
	require.Contains(t, out, "N510/N720")
	code, out, _ = run(t, "check", filepath.Join(dir, "wazo__N510__base.xml"))
	require.Equal(t, 2, code)
	require.Contains(t, out, "N510__base.xml:10:100: error: xml-syntax:")
}

func TestCheckErrorFindingExitsFour(t *testing.T) {
	dir := t.TempDir()
	p := write(t, dir, "p.xml", `<?xml version="1.0"?>
<provisioning version="1.1" productID="e2">
  <nvm>
    <oper name="delete_hs" value="02B6EC8AA5"/>
  </nvm>
</provisioning>
`)
	code, out, _ := run(t, "check", "--firmware", "2.36.0", p)
	require.Equal(t, 4, code)
	require.Contains(t, out, p+":4:5: error: ipui-case: ")
	code, out, _ = run(t, "check", "--firmware", "2.37.0", p)
	require.Equal(t, 0, code)
	require.Contains(t, out, p+":4:5: warning: ipui-case: ")
}

func TestCheckMissingFileExitsThree(t *testing.T) {
	code, _, _ := run(t, "check", filepath.Join(t.TempDir(), "none.xml"))
	require.Equal(t, 3, code)
}

// buildBinary builds the command once per test that needs the process.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "dectsim")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, string(out))
	return bin
}

// TestOutputIsIdenticalAcrossGOMAXPROCS: the simulation runs on one
// goroutine, so the number of processors never changes a byte.
func TestOutputIsIdenticalAcrossGOMAXPROCS(t *testing.T) {
	bin := buildBinary(t)
	var first []byte
	for _, procs := range []string{"1", "2", "8"} {
		cmd := exec.Command(bin, "run", "--json", repoScenarios)
		cmd.Env = append(os.Environ(), "GOMAXPROCS="+procs)
		out, err := cmd.Output()
		require.NoError(t, err, procs)
		if first == nil {
			first = out
			continue
		}
		require.Equal(t, string(first), string(out), "GOMAXPROCS=%s", procs)
	}
}

// TestBinaryExitCodes runs the built command, so the exit codes are those
// of the process and not only of Main.
func TestBinaryExitCodes(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("exit codes are checked on Unix")
	}
	bin := buildBinary(t)
	for _, c := range []struct {
		args []string
		code int
	}{
		{[]string{"version"}, 0},
		{[]string{"run", "--nope"}, 1},
		{[]string{"run", filepath.Join(repoScenarios, "ghost-after-24h.xml")}, 0},
	} {
		cmd := exec.Command(bin, c.args...)
		cmd.Env = append(os.Environ(), "NO_COLOR=1")
		err := cmd.Run()
		got := 0
		if ee, ok := err.(*exec.ExitError); ok {
			got = ee.ExitCode()
		} else {
			require.NoError(t, err)
		}
		require.Equal(t, c.code, got, "%v", c.args)
	}
}
