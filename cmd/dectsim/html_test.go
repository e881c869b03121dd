package main

import (
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestRunHTMLWritesOnePageBesideTheText: --html writes a well-formed page
// with a lane per handset and each expectation marked, the text output is
// printed as without it, and a scenario that fails exits 4 as usual.
func TestRunHTMLWritesOnePageBesideTheText(t *testing.T) {
	dir := t.TempDir()
	failing := write(t, dir, "failing.xml", `<scenario name="fails">
  <handset ipui="029e74a599" state="Registered"/>
  <at t="1h"><expect slots="3"/></at>
</scenario>`)
	page := filepath.Join(dir, "report.html")
	code, out, errOut := run(t, "run", "--html", page, filepath.Join(repoScenarios, "back-within-24h.xml"), failing)
	require.Equal(t, 4, code, errOut)
	require.Contains(t, out, "1 passed, 1 failed\n")
	require.Contains(t, out, "dereg-completed")
	data, err := os.ReadFile(page)
	require.NoError(t, err)
	s := string(data)
	d := xml.NewDecoder(strings.NewReader(s))
	for {
		_, err := d.Token()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
	}
	require.Equal(t, 3, strings.Count(s, `<g class="lane"`))
	require.Contains(t, s, `class="m-fail"`)
	require.Contains(t, s, `class="m-pass"`)
	require.NotContains(t, s, "<script")
}

func TestRunHTMLDoesNotCombineWithAllReadings(t *testing.T) {
	code, _, errOut := run(t, "run", "--all-readings", "--html", filepath.Join(t.TempDir(), "r.html"), filepath.Join(repoScenarios, "back-within-24h.xml"))
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "--html")
}

func TestRunHTMLUnwritableIsARuntimeError(t *testing.T) {
	code, _, errOut := run(t, "run", "--html", filepath.Join(t.TempDir(), "no", "such", "r.html"), filepath.Join(repoScenarios, "back-within-24h.xml"))
	require.Equal(t, 3, code)
	require.Contains(t, errOut, "writing")
}
