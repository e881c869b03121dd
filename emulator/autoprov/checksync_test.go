package autoprov_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dectsim/dectsim/emulator/autoprov"
	"github.com/dectsim/dectsim/emulator/system"
)

func checkSyncEvents(sys *system.System) []system.Event {
	return sys.FindEvents(system.EventQuery{Type: system.EvCheckSync})
}

func TestCheckSyncLogsACheckSyncEventFromTheAPI(t *testing.T) {
	sys := newSys(t)
	f := attach(t, sys, autoprov.Config{URL: "http://prov.test/p.xml", Handler: serveBody(okFile)})
	settle(t, sys)
	f.CheckSync()
	settle(t, sys)
	evs := checkSyncEvents(sys)
	require.Len(t, evs, 1)
	require.Equal(t, system.CheckSyncAPI, evs[0].Trigger)
	require.Equal(t, system.CheckSyncNoReboot, evs[0].Outcome)
	require.Len(t, f.Requests(), 2)
}

func TestCheckSyncRebootRebootsThenFetchesAtBootOn252WithCheckSyncRebootEnabled(t *testing.T) {
	enabled := doc(`    <param name="SystemSettings.global.CheckSyncRebootEnabled" value="1"/>`)
	sys := newSys(t, system.WithFirmware("2.52.0"))
	f := attach(t, sys, autoprov.Config{URL: "http://prov.test/p.xml", Handler: serveBody(enabled)})
	settle(t, sys)
	require.NoError(t, sys.Advance(time.Minute))
	f.CheckSyncFrom(system.CheckSyncSIP, true)
	require.Len(t, f.Requests(), 1, "the fetch is the boot fetch, due at once")
	settle(t, sys)
	require.Len(t, f.Requests(), 2)
	ev := checkSyncEvents(sys)[0]
	require.Equal(t, system.CheckSyncSIP, ev.Trigger)
	require.Equal(t, system.CheckSyncReboot, ev.Outcome)
	require.Len(t, sys.FindEvents(system.EventQuery{Type: system.EvReboot}), 1)
	fetches := fetchEvents(sys)
	require.Len(t, fetches, 2)
	require.Contains(t, fetches[1].Detail, "boot")
}

func TestCheckSyncRebootBelow252OnlyFetchesWithAWarning(t *testing.T) {
	enabled := doc(`    <param name="SystemSettings.global.CheckSyncRebootEnabled" value="1"/>`)
	sys := newSys(t, system.WithFirmware("2.51.0"))
	f := attach(t, sys, autoprov.Config{URL: "http://prov.test/p.xml", Handler: serveBody(enabled)})
	settle(t, sys)
	f.CheckSyncFrom(system.CheckSyncScenario, true)
	require.Len(t, f.Requests(), 2, "fetched during the call")
	settle(t, sys)
	require.Equal(t, system.CheckSyncNoReboot, checkSyncEvents(sys)[0].Outcome)
	require.Empty(t, sys.FindEvents(system.EventQuery{Type: system.EvReboot}))
	require.Len(t, sys.FindEvents(system.EventQuery{Type: system.EvWarning, Outcome: system.WarnCheckSyncNoReboot}), 1)
	require.Contains(t, fetchEvents(sys)[1].Detail, "check-sync")
}
