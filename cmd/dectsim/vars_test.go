package main

import (
	"testing"

	"github.com/stretchr/testify/require"
)

const varScenario = `<scenario name="vars">
  <handset ipui="029e74a599" state="Registered"/>
  <at t="${T}"><expect ipui="${IPUI}" state="Registered"/></at>
</scenario>
`

func TestRunVarFlagGivesValuesAndTheEnvironmentTheRest(t *testing.T) {
	p := write(t, t.TempDir(), "v.xml", varScenario)
	t.Setenv("T", "5m")
	code, out, errOut := run(t, "run", "--var", "IPUI=029E74A599", p)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "1 passed, 0 failed")
	code, _, errOut = run(t, "run", "--var", "IPUI=029e74a599", "--var", "T=1h", "--all-readings", p)
	require.Equal(t, 0, code, errOut)
}

func TestRunVarNotSetIsAnInputErrorAtItsPosition(t *testing.T) {
	p := write(t, t.TempDir(), "v.xml", varScenario)
	code, _, errOut := run(t, "run", "--var", "T=1h", p)
	require.Equal(t, 2, code)
	require.Contains(t, errOut, p+":3:30: ipui=\"${IPUI}\": ${IPUI} is not set")
	// A --var of an earlier command line is gone.
	run(t, "run", "--var", "IPUI=029e74a599", "--var", "T=1h", p)
	code, _, _ = run(t, "run", "--var", "T=1h", p)
	require.Equal(t, 2, code)
}

func TestRunBadVarFlagIsABadCommandLine(t *testing.T) {
	p := write(t, t.TempDir(), "v.xml", varScenario)
	for _, arg := range []string{"T", "1T=1h", "=x"} {
		code, _, errOut := run(t, "run", "--var", arg, p)
		require.Equal(t, 1, code, arg)
		require.Contains(t, errOut, "-var", arg)
	}
}
