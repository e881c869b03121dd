package system_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dectsim/dectsim/emulator/system"
	"github.com/dectsim/dectsim/internal/textio/printable"
)

func TestTimelineLineShowsTimesTypeWhoAndDetail(t *testing.T) {
	start := system.DefaultStart
	e := system.Event{Time: start.Add(24*time.Hour + time.Minute), Type: system.EvDeregRequested, Slot: "00001", IPUI: "029e74a599",
		State: "ToDeReg", Trigger: system.TriggerToDeReg, File: "p.xml", Line: 3, Col: 1, Detail: "why"}
	require.Equal(t, "  +24h1m0s     2026-01-02T00:01:00Z  dereg-requested        00001/029e74a599       ToDeReg     trigger=ToDeReg  at p.xml:3:1  why",
		e.TimelineLine(start, false), "the slot's state after the event, as the web UI shows it, follows who")

	bare := system.Event{Time: start, Type: system.EvReboot}
	require.Equal(t, "  +0s          2026-01-01T00:00:00Z  reboot", bare.TimelineLine(start, false), "no trailing blanks")

	ghost := system.Event{Time: start, Type: system.EvGhostCreated, Slot: "029e74a599", IPUI: "029e74a599"}
	require.Equal(t, "  +0s          2026-01-01T00:00:00Z  \x1b[31mghost-created         \x1b[0m 029e74a599", ghost.TimelineLine(start, true))
	require.Equal(t, "ok", printable.Paint(false, "32", "ok"))
}

// TestHostileTextStaysOneSafeLine: whatever a file, a server or a scenario
// put into an event, its line is one line with no control sequence, and
// still says what was there.
func TestHostileTextStaysOneSafeLine(t *testing.T) {
	start := system.DefaultStart
	hostile := "x\n  PASS  forged.xml\r\x1b[2J\x1b]0;t\x07\u202e\xff"
	e := system.Event{Time: start, Type: system.EvFetch, Slot: hostile, IPUI: hostile, Outcome: hostile, Trigger: hostile,
		Reason: hostile, Code: hostile, File: hostile, Line: 1, Col: 2, Detail: hostile}
	for _, color := range []bool{false, true} {
		l := e.TimelineLine(start, color)
		require.NotContains(t, l, "\n")
		require.NotContains(t, l, "\r")
		require.NotContains(t, l, "\x07")
		require.NotContains(t, l, "\u202e")
		require.NotContains(t, l, "\xff")
		if !color {
			require.NotContains(t, l, "\x1b")
		}
		require.Contains(t, l, `x\n  PASS  forged.xml\r\x1b[2J\x1b]0;t\a\u202e\xff`)
	}
	// Event types come from the system, yet the rule holds for them too.
	require.NotContains(t, system.Event{Time: start, Type: "a\nb"}.TimelineLine(start, false), "\n")
}
