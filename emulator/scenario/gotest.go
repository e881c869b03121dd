package scenario

import (
	"path/filepath"
	"strings"
	"testing"
)

// Test runs scenario files as subtests of t, one per file and named after
// it, so a provisioning server's repository can keep its stories as
// scenario files and run them with go test:
//
//	func TestScenarios(t *testing.T) { scenario.Test(t, "testdata/scenarios") }
//
// paths are files or directories, read as Files reads them; when they name
// no scenario file, t fails at once. A scenario whose expectations fail
// fails its subtest with the report `dectsim run` prints for it; one that
// cannot be read or run fails it with the error as `dectsim run` prints
// it. Test returns the result of every scenario that ran, passed or not,
// in order, for checks of the caller's own.
func Test(t *testing.T, paths ...string) []*Result {
	t.Helper()
	files, err := Files(paths...)
	if err != nil {
		t.Fatalf("scenario: %v", err)
	}
	var results []*Result
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			res, err := RunFile(path, Options{})
			var b strings.Builder
			switch {
			case err != nil:
				WriteError(&b, err, Style{})
				t.Error(b.String())
				return
			case !res.Passed():
				WriteText(&b, res, Style{})
				t.Error(b.String())
			}
			results = append(results, res)
		})
	}
	return results
}
