package testfiles

import (
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// recorder is a testing.TB that records a skip or a failure instead of
// ending the test, so the messages can be read.
type recorder struct {
	testing.TB
	skipped, failed string
}

func (r *recorder) Helper() {}
func (r *recorder) Skipf(format string, args ...any) {
	r.skipped = fmt.Sprintf(format, args...)
	runtime.Goexit()
}
func (r *recorder) Fatalf(format string, args ...any) {
	r.failed = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// outcome runs f with a recorder on a goroutine of its own (Skipf and
// Fatalf end it, as they end a test).
func outcome(t *testing.T, f func(testing.TB)) *recorder {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() { defer close(done); f(r) }()
	<-done
	return r
}

// TestAMissingCorpusNamesTheVariableThatPointsAtOne: the skip (and, with
// DECTSIM_NO_SKIP, the failure) of a test that reads the shared corpus
// says where it looked and which variable points the tests at a corpus.
func TestAMissingCorpusNamesTheVariableThatPointsAtOne(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nowhere")
	t.Setenv(CorpusEnv, missing)
	t.Setenv(NoSkipEnv, "")
	r := outcome(t, func(tb testing.TB) { Shared(tb, "nx70") })
	if r.skipped == "" || r.failed != "" {
		t.Fatalf("want a skip, got skip %q, failure %q", r.skipped, r.failed)
	}
	for _, want := range []string{missing, CorpusEnv + "=DIR", NoSkipEnv + "=1"} {
		if !contains(r.skipped, want) {
			t.Errorf("the skip %q does not say %q", r.skipped, want)
		}
	}
	t.Setenv(NoSkipEnv, "1")
	r = outcome(t, func(tb testing.TB) { Shared(tb, "nx70") })
	if r.failed == "" || !contains(r.failed, CorpusEnv+"=DIR") {
		t.Fatalf("under %s want a failure naming %s, got skip %q, failure %q", NoSkipEnv, CorpusEnv, r.skipped, r.failed)
	}
}

// TestAMissingChromiumNamesTheVariableThatPointsAtOne: likewise for the
// browser tests.
func TestAMissingChromiumNamesTheVariableThatPointsAtOne(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	t.Setenv(ChromiumEnv, "")
	t.Setenv(NoSkipEnv, "")
	r := outcome(t, func(tb testing.TB) { Chromium(tb) })
	if !contains(r.skipped, ChromiumEnv+"=PATH") {
		t.Fatalf("the skip %q does not name %s", r.skipped, ChromiumEnv)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
