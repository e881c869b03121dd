package main

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestCheckDMNamesTheSystemsDMsForUpdateDM: --dm says which DECT managers
// the system has; an update_dm that names another is warning no-such-dm,
// and a --dm that cannot be a system's is a bad command line.
func TestCheckDMNamesTheSystemsDMsForUpdateDM(t *testing.T) {
	p := write(t, t.TempDir(), "p.xml", `<provisioning version="1.1" productID="e2"><nvm>
<oper name="update_dm" value="first"><param name="RegStart" value="1"/><param name="RegDuration" value="9"/></oper>
</nvm></provisioning>
`)
	code, out, _ := run(t, "check", p)
	require.Equal(t, 0, code, out)
	require.Contains(t, out, p+`:2:1: warning: no-such-dm: update_dm names DM "first", which this system does not have (its DMs: local)`)
	code, out, _ = run(t, "check", "--product", "VI", "--dm", "ground", "--dm", "first", p)
	require.Equal(t, 0, code, out)
	require.NotContains(t, out, "no-such-dm")
	code, out, _ = run(t, "check", "--reading", "update-dm-scope=all", p)
	require.Equal(t, 0, code, out)
	require.NotContains(t, out, "no-such-dm", "under update-dm-scope=all any update_dm opens every DM")

	for _, bad := range [][]string{{"--dm", ""}, {"--dm", "a b"}, {"--dm", "x", "--dm", "x"}, {"--dm", "ground", "--dm", "first"}} {
		code, _, errOut := run(t, append(append([]string{"check"}, bad...), p)...)
		require.Equal(t, 1, code, "%v: %s", bad, errOut)
		require.Contains(t, errOut, "dm", "%v", bad)
	}
}
