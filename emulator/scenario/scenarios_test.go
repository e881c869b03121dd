package scenario

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestEveryShippedScenarioPasses runs every file in scenarios/, so a
// scenario that stops telling the truth fails the build.
func TestEveryShippedScenarioPasses(t *testing.T) {
	dir := filepath.Join("..", "..", "scenarios")
	ents, err := os.ReadDir(dir)
	require.NoError(t, err)
	n := 0
	for _, e := range ents {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".xml") {
			continue
		}
		n++
		path := filepath.Join(dir, e.Name())
		t.Run(e.Name(), func(t *testing.T) {
			sc, err := ParseFile(path)
			require.NoError(t, err)
			require.NotEmpty(t, sc.Description, "every shipped scenario says what it shows")
			res, err := Run(sc, testOptions(t))
			require.NoError(t, err)
			var b strings.Builder
			WriteText(&b, res, Style{})
			require.True(t, res.Passed(), "%s", b.String())
			require.Positive(t, res.Checks(), "a scenario without expectations proves nothing")
		})
	}
	require.GreaterOrEqual(t, n, 1)
}
