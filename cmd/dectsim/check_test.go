package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const (
	productIDE1 = `<provisioning version="1.1" productID="e1"><nvm><param name="Provisioning.global.Period" value="3600"/></nvm></provisioning>`
	clean       = `<provisioning version="1.1" productID="e2"><nvm><param name="Provisioning.global.Period" value="3600"/></nvm></provisioning>`
)

// withStdin makes `dectsim check -` read s for the rest of the test.
func withStdin(t *testing.T, s string) {
	t.Helper()
	old := stdin
	stdin = strings.NewReader(s)
	t.Cleanup(func() { stdin = old })
}

// TestCheckDashReadsStandardInput: "-" is standard input, named <stdin> in
// its findings, with the exit code a file would give.
func TestCheckDashReadsStandardInput(t *testing.T) {
	withStdin(t, productIDE1)
	code, out, errOut := run(t, "check", "-")
	require.Equal(t, 4, code, errOut)
	require.Contains(t, out, "<stdin>:1:1: error: product-id: ")
	require.True(t, strings.HasSuffix(out, "\n1 files, 1 errors, 0 warnings\n"), out)

	withStdin(t, "<provisioning")
	code, out, _ = run(t, "check", "-")
	require.Equal(t, 2, code)
	require.Contains(t, out, "<stdin>:1:")
	require.Contains(t, out, ": error: xml-syntax: ")
}

// TestCheckDirChecksOnlyProvisioningRoots: a directory stands for its
// *.xml files whose root is <provisioning>; a scenario or a JUnit report
// beside them is skipped, a file that is not XML is reported.
func TestCheckDirChecksOnlyProvisioningRoots(t *testing.T) {
	dir := t.TempDir()
	bad := write(t, dir, "a.xml", productIDE1)
	write(t, dir, "b.xml", `<provisioning version="1.1" productID="e2"><nvm><param name="Provisioning.global.Period" value="60"/></nvm></provisioning>`)
	write(t, dir, "junit.xml", `<testsuites/>`)
	write(t, dir, "story.xml", `<scenario name="x"/>`)
	write(t, dir, "notes.txt", productIDE1)
	require.NoError(t, os.Mkdir(filepath.Join(dir, "sub"), 0o755))
	write(t, filepath.Join(dir, "sub"), "c.xml", productIDE1)
	code, out, errOut := run(t, "check", dir)
	require.Equal(t, 4, code, errOut)
	require.Contains(t, out, bad+":1:1: error: product-id: ")
	require.Contains(t, out, "b.xml:1:49: warning: period-too-short: ")
	require.NotContains(t, out, "junit.xml")
	require.NotContains(t, out, "story.xml")
	require.NotContains(t, out, "c.xml")
	require.True(t, strings.HasSuffix(out, "\n2 files, 1 errors, 1 warnings\n"), out)

	broken := write(t, dir, "z.xml", "<<")
	code, out, _ = run(t, "check", dir)
	require.Equal(t, 2, code, "a file that is not XML is still read, and outranks an error finding")
	require.Contains(t, out, broken+":1:1: error: xml-syntax: ")
	require.True(t, strings.HasSuffix(out, "\n3 files, 2 errors, 1 warnings\n"), out)
}

// TestCheckSummaryLineEndsEveryRun: the last line on stdout counts the
// files, error findings and warnings, also when there is nothing to say
// and when a file cannot be opened (an error, exit 3).
func TestCheckSummaryLineEndsEveryRun(t *testing.T) {
	dir := t.TempDir()
	good := write(t, dir, "good.xml", clean)
	code, out, _ := run(t, "check", good)
	require.Equal(t, 0, code)
	require.Equal(t, "1 files, 0 errors, 0 warnings\n", out)
	code, out, errOut := run(t, "check", good, filepath.Join(dir, "missing.xml"))
	require.Equal(t, 3, code)
	require.Equal(t, "2 files, 1 errors, 0 warnings\n", out)
	require.Contains(t, errOut, "missing.xml")
}
