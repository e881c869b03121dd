package scenario_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dectsim/dectsim/emulator/scenario"
)

// TestEveryShippedScenarioPasses runs every file in scenarios/, so a
// scenario that stops telling the truth fails the build.
func TestEveryShippedScenarioPasses(t *testing.T) {
	results := scenario.Test(t, filepath.Join("..", "..", "scenarios"))
	require.NotEmpty(t, results)
	for _, res := range results {
		sc := res.Scenario
		require.NotEmpty(t, sc.Description, "%s: every shipped scenario says what it shows", sc.File)
		require.Positive(t, res.Checks(), "%s: a scenario without expectations proves nothing", sc.File)
	}
}
