package dectsimtest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dectsim/dectsim/emulator/system"
)

func TestSimCheckSyncIsSourceAPIAndAdminActsOnTheSlot(t *testing.T) {
	sim := NewT(t, WithSystem(system.WithFirmware("2.52.0")))
	require.NoError(t, sim.AddRegistered("029e74a599"))
	require.NoError(t, sim.SendCheckSync())
	require.NoError(t, sim.SendCheckSyncReboot())
	require.NoError(t, sim.Admin("029e74a599", system.ToDeReg))
	require.NoError(t, sim.Advance(time.Minute))
	var syncs []system.Event
	for _, e := range sim.Events() {
		if e.Type == system.EvCheckSync {
			syncs = append(syncs, e)
		}
	}
	require.Len(t, syncs, 2)
	for _, e := range syncs {
		require.Equal(t, system.CheckSyncAPI, e.Trigger)
		require.Equal(t, system.CheckSyncNoReboot, e.Outcome, "CheckSyncRebootEnabled is not set")
	}
	_, ok := sim.Slot("029e74a599")
	require.False(t, ok, "deregistered from the web UI")
}
