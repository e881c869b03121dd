package scenario_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dectsim/dectsim/emulator/scenario"
)

// TestFilesInADirectoryAreOnlyScenarioRoots: a directory stands for the
// *.xml files whose root is <scenario>; a JUnit report or a provisioning
// file beside them is skipped silently, and a file that is not XML at all
// is kept so that reading it says why.
func TestFilesInADirectoryAreOnlyScenarioRoots(t *testing.T) {
	dir := t.TempDir()
	put := func(name, body string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
		return p
	}
	a := put("a.xml", `<?xml version="1.0"?><!-- story --><scenario name="a"/>`)
	put("junit.xml", `<?xml version="1.0" encoding="UTF-8"?><testsuites><testsuite name="dectsim"/></testsuites>`)
	put("prov.xml", `<provisioning version="1.1" productID="e2"/>`)
	broken := put("broken.xml", `<<not xml`)
	put("notes.txt", `<scenario/>`)
	got, err := scenario.Files(dir)
	require.NoError(t, err)
	require.Equal(t, []string{a, broken}, got)
}

// TestFilesNamedExplicitlyAreReadWhateverTheirRoot: a file on the command
// line stands for itself, so running it reports what is wrong with it.
func TestFilesNamedExplicitlyAreReadWhateverTheirRoot(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "junit.xml")
	require.NoError(t, os.WriteFile(p, []byte(`<testsuites/>`), 0o644))
	got, err := scenario.Files(p)
	require.NoError(t, err)
	require.Equal(t, []string{p}, got)
	_, err = scenario.Files(dir)
	require.Error(t, err, "a directory with no scenario in it is an error")
}
