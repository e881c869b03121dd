// Package testfiles finds the provisioning files the tests read: the
// project's own, under testdata/provisioning, which every clone has, and
// the shared corpus of real files from public provisioning servers, which
// sits beside the clone in CI and nowhere else.
//
// Tests of the shared corpus are an extra layer: without it they skip
// with one line that says so. With DECTSIM_NO_SKIP=1 (CI sets it) every
// such skip is a failure instead, so nothing is skipped silently there.
package testfiles

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"syscall"
	"testing"
)

// NoSkipEnv names the variable that turns a skip for a missing outside
// resource (the shared corpus, a browser, an interpreter) into a failure.
const NoSkipEnv = "DECTSIM_NO_SKIP"

// CorpusEnv names the variable that points at the shared corpus when it is
// not at ../shared/corpus beside the clone.
const CorpusEnv = "DECTSIM_CORPUS"

// Root is the module root: the nearest folder above the working directory
// that holds go.mod. Tests run in their package's folder, so this is the
// clone.
func Root(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatalf("testfiles: %v", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		up := filepath.Dir(dir)
		if up == dir {
			t.Fatalf("testfiles: no go.mod above the working directory")
		}
		dir = up
	}
}

// Own is the path of one of the project's own test files, relative to
// testdata/provisioning, e.g. Own(t, "nx70", "php-one-line.xml").
func Own(t testing.TB, parts ...string) string {
	t.Helper()
	return filepath.Join(append([]string{Root(t), "testdata", "provisioning"}, parts...)...)
}

// OwnFiles lists the *.xml files of one folder of the project's own test
// files. An empty folder fails the test: a glob that matches nothing
// would let every loop over it pass.
func OwnFiles(t testing.TB, sub string) []string {
	t.Helper()
	files := glob(Own(t, sub))
	if len(files) == 0 {
		t.Fatalf("testfiles: no *.xml in %s", Own(t, sub))
	}
	return files
}

// Missing skips the test because an outside resource is absent, or fails
// it when NoSkipEnv is set. what says what is missing and where it was
// looked for.
func Missing(t testing.TB, what string) {
	t.Helper()
	if os.Getenv(NoSkipEnv) != "" {
		t.Fatalf("%s is missing (%s is set, so this is a failure, not a skip)", what, NoSkipEnv)
	}
	t.Skipf("skipped: %s is missing (set %s=1 to make this a failure)", what, NoSkipEnv)
}

// ChromiumEnv names a Chromium binary to use instead of the one on PATH.
const ChromiumEnv = "DECTSIM_CHROMIUM"

// Chromium finds a Chromium browser for the browser tests, or skips
// through Missing (a failure under NoSkipEnv, which CI sets after
// installing Debian's chromium).
func Chromium(t testing.TB) string {
	t.Helper()
	if p := os.Getenv(ChromiumEnv); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	Missing(t, "a Chromium browser (Debian's chromium package on PATH; set "+ChromiumEnv+"=PATH to use another)")
	return ""
}

// sharedDir is where the shared corpus is looked for.
func sharedDir(t testing.TB) string {
	if d := os.Getenv(CorpusEnv); d != "" {
		return d
	}
	return filepath.Join(Root(t), "..", "shared", "corpus")
}

// Shared is the path of one folder of the shared corpus. Without the
// corpus the test skips (or fails under NoSkipEnv) here, before any
// assertion could fail on a missing file.
func Shared(t testing.TB, parts ...string) string {
	t.Helper()
	dir := sharedDir(t)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		Missing(t, "the shared corpus of real provisioning files (looked for at "+dir+"; set "+CorpusEnv+"=DIR to point the tests at one)")
	}
	p := filepath.Join(append([]string{dir}, parts...)...)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("testfiles: the shared corpus is at %s but has no %s", dir, filepath.Join(parts...))
	}
	return p
}

// SharedFiles lists the *.xml files of one folder of the shared corpus,
// skipping as Shared does when the corpus is absent.
func SharedFiles(t testing.TB, sub string) []string {
	t.Helper()
	files := glob(Shared(t, sub))
	if len(files) == 0 {
		t.Fatalf("testfiles: no *.xml in %s", Shared(t, sub))
	}
	return files
}

// SharedSeeds lists the *.xml files of a folder of the shared corpus, or
// nothing when it is absent: fuzz targets add them as seeds beside the
// project's own files, and must not skip for want of them.
func SharedSeeds(t testing.TB, sub string) []string {
	t.Helper()
	return glob(filepath.Join(sharedDir(t), sub))
}

func glob(dir string) []string {
	files, _ := filepath.Glob(filepath.Join(dir, "*.xml"))
	sort.Strings(files)
	return files
}

// OwnFolders are the folders of testdata/provisioning.
var OwnFolders = []string{"nx70", "vendor-shapes", "other-products"}

// SharedFolders are the folders of the shared corpus.
var SharedFolders = []string{"nx70", "wiki-examples", "other-products"}

// Seeds is every provisioning file there is: the project's own, and the
// shared corpus's when it is present. Fuzz targets start from them.
func Seeds(t testing.TB) []string {
	t.Helper()
	var out []string
	for _, sub := range OwnFolders {
		out = append(out, OwnFiles(t, sub)...)
	}
	for _, sub := range SharedFolders {
		out = append(out, SharedSeeds(t, sub)...)
	}
	return out
}

// Allocated returns the bytes f allocates, for tests that hold a reader
// to the memory it promises (never to wall time).
func Allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// FeedFIFO writes fill to the named pipe fifo, over and over, on a
// goroutine of its own, until the reader closes its end: a stream that
// never ends, for a reader that must stop at its limit.
func FeedFIFO(fifo string, fill byte) {
	go func() {
		w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		defer w.Close()
		chunk := bytes.Repeat([]byte{fill}, 1<<16)
		for {
			if _, err := w.Write(chunk); err != nil {
				return // the reader stopped at its limit
			}
		}
	}()
}

// OversizedFiles makes, in dir, paths whose contents exceed limit bytes
// without costing disk or reading time: a sparse regular file of limit+1
// bytes, and a named pipe (fifo is "" where named pipes cannot be made).
// A reader that trusts os.Stat sizes or reads without a limit fails on
// them.
func OversizedFiles(t testing.TB, dir string, limit int64) (sparse, fifo string) {
	t.Helper()
	sparse = filepath.Join(dir, "huge.xml")
	fh, err := os.Create(sparse)
	if err != nil {
		t.Fatalf("testfiles: %v", err)
	}
	if err := fh.Truncate(limit + 1); err != nil {
		t.Fatalf("testfiles: %v", err)
	}
	if err := fh.Close(); err != nil {
		t.Fatalf("testfiles: %v", err)
	}
	fifo = filepath.Join(dir, "fifo.xml")
	if syscall.Mkfifo(fifo, 0o600) != nil {
		fifo = ""
	}
	return sparse, fifo
}
