package main

// The Python example's test suite (examples/pyserver) runs here, under the
// command it drives, so that `go test ./...` shows the example still works
// against `dectsim serve`: a provisioning server written in Python,
// driving emulated systems over HTTP and SIP only. The example itself is
// no Go package.

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/dectsim/dectsim/internal/testfiles"
)

// suiteTimeout bounds the build and the whole Python suite; the suite
// itself takes a few seconds.
const suiteTimeout = 3 * time.Minute

func TestPythonExampleServerAgainstDectsimServe(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		testfiles.Missing(t, "python3 (it runs the Python example's tests in examples/pyserver)")
	}
	if err := exec.Command(py, "-c", "import sys; sys.exit(sys.version_info < (3, 9))").Run(); err != nil {
		testfiles.Missing(t, "python3 of version 3.9 or later (the Python example's tests need it)")
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("no go command to build dectsim with: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), suiteTimeout)
	defer cancel()

	bin := filepath.Join(t.TempDir(), "dectsim")
	build := exec.CommandContext(ctx, goCmd, "build", "-o", bin, "./cmd/dectsim")
	build.Dir = testfiles.Root(t)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/dectsim: %v\n%s", err, out)
	}

	suite := exec.CommandContext(ctx, py, "-m", "unittest", "discover", "-s", ".", "-v")
	suite.Dir = filepath.Join(testfiles.Root(t), "examples", "pyserver")
	suite.Env = append(os.Environ(), "DECTSIM="+bin, "PYTHONDONTWRITEBYTECODE=1")
	suite.WaitDelay = 10 * time.Second
	out, err := suite.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("the Python suite did not finish within %s:\n%s", suiteTimeout, out)
	}
	if err != nil {
		t.Fatalf("python3 -m unittest discover -s examples/pyserver: %v\n%s", err, out)
	}
	// unittest exits 0 after running nothing ("NO TESTS RAN" is exit 5 only
	// from Python 3.12 on): insist on the tests and on no skips.
	text := string(out)
	ran := pyRanRE.FindStringSubmatch(text)
	if ran == nil || ran[1] == "0" || !strings.Contains(text, "\nOK") || strings.Contains(text, "skipped") {
		t.Fatalf("the Python suite did not run its tests:\n%s", text)
	}
	t.Logf("%s", pyLastLines(text, 3))
}

// pyRanRE finds unittest's count of tests run.
var pyRanRE = regexp.MustCompile(`\nRan (\d+) tests? in `)

func pyLastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
