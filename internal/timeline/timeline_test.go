package timeline

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dectsim/dectsim/emulator/system"
)

func TestLineShowsTimesTypeWhoAndDetail(t *testing.T) {
	start := system.DefaultStart
	e := system.Event{Time: start.Add(24*time.Hour + time.Minute), Type: system.EvDeregRequested, Slot: "00001", IPUI: "029e74a599",
		State: "ToDeReg", Trigger: system.TriggerToDeReg, File: "p.xml", Line: 3, Col: 1, Detail: "why"}
	require.Equal(t, "  +24h1m0s     2026-01-02T00:01:00Z  dereg-requested        00001/029e74a599       ToDeReg     trigger=ToDeReg  at p.xml:3:1  why",
		Line(start, e, false), "the slot's state after the event, as the web UI shows it, follows who")

	bare := system.Event{Time: start, Type: system.EvReboot}
	require.Equal(t, "  +0s          2026-01-01T00:00:00Z  reboot", Line(start, bare, false), "no trailing blanks")

	ghost := system.Event{Time: start, Type: system.EvGhostCreated, Slot: "029e74a599", IPUI: "029e74a599"}
	require.Equal(t, "  +0s          2026-01-01T00:00:00Z  \x1b[31mghost-created         \x1b[0m 029e74a599", Line(start, ghost, true))
	require.Equal(t, "ok", Paint(false, "32", "ok"))
}
