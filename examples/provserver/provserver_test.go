package provserver_test

import (
	"net/http/httptest"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dectsim/dectsim/emulator/dectsimtest"
	"github.com/dectsim/dectsim/emulator/system"
	"github.com/dectsim/dectsim/examples/provserver"
)

const (
	alice = "029e74a599"
	bob   = "02b6ec8aa5"
)

// newSystem wires an emulated N870 to the server under test over a real
// loopback socket; it fetches /prov/<mac>.xml at boot and daily.
func newSystem(t *testing.T, srv *provserver.Server) *dectsimtest.Sim {
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	sim := dectsimtest.NewT(t,
		dectsimtest.WithSystem(system.WithProduct("N870"), system.WithMAC("7C2F80A1B2C3")),
		dectsimtest.WithURL(hs.URL+"/prov/%MACD.xml"),
		dectsimtest.WithHTTPClient(hs.Client()),
	)
	require.NoError(t, sim.AddHandset(system.HandsetSpec{IPUI: alice, PIN: "1001"}))
	require.NoError(t, sim.AddHandset(system.HandsetSpec{IPUI: bob, PIN: "1002"}))
	return sim
}

func TestAddedUsersHandsetRegisters(t *testing.T) {
	srv := provserver.New()
	srv.Add(provserver.User{Ext: "1001", Name: "Alice", IPUI: alice, PIN: "1001"})
	sim := newSystem(t, srv)

	require.NoError(t, sim.Advance(time.Minute)) // boot fetch, applied 1 s later
	require.Equal(t, 1, srv.Hits("/prov/7c2f80a1b2c3.xml"))
	sim.CheckState(t, alice, system.ToReg)
	sim.CheckParam(t, "SipAccount.029e74a599.DisplayName", "1001 Alice")

	require.NoError(t, sim.Register(alice))
	require.NoError(t, sim.Advance(time.Minute))
	sim.CheckRegistered(t, alice)
}

func TestUserRemovedWhileHandsetOnDeskIsDeregisteredGracefully(t *testing.T) {
	srv := provserver.New()
	srv.Add(provserver.User{Ext: "1001", Name: "Alice", IPUI: alice, PIN: "1001"})
	srv.Add(provserver.User{Ext: "1002", Name: "Bob", IPUI: bob, PIN: "1002"})
	sim := newSystem(t, srv)
	require.NoError(t, sim.Advance(time.Minute))
	require.NoError(t, sim.Register(alice))
	require.NoError(t, sim.Register(bob))
	require.NoError(t, sim.Advance(time.Minute))
	sim.CheckRegistered(t, bob)

	srv.Remove("1002")
	sim.SendCheckSync() // the PBX notifies the system after a change
	require.NoError(t, sim.Advance(2*time.Minute))

	sim.CheckState(t, bob, system.Absent)
	sim.CheckNotGhost(t, bob)
	sim.CheckNoParam(t, "SipAccount.02b6ec8aa5.UserName")
	sim.CheckRegistered(t, alice)
	sim.CheckEvent(t, system.EvDeregCompleted, bob, "graceful", 1)
}

// The bug report this example exists for: a user removed while the handset
// is away for two days ends up as a ghost. The test catches it.
func TestUserRemovedWhileHandsetAwayForTwoDaysLeavesAGhost(t *testing.T) {
	srv := provserver.New()
	srv.Add(provserver.User{Ext: "1002", Name: "Bob", IPUI: bob, PIN: "1002"})
	sim := newSystem(t, srv)
	require.NoError(t, sim.Advance(time.Minute))
	require.NoError(t, sim.Register(bob))
	require.NoError(t, sim.Advance(time.Minute))
	require.NoError(t, sim.Move(bob, false)) // Bob leaves for two days

	srv.Remove("1002")
	sim.SendCheckSync()
	require.NoError(t, sim.Advance(2*24*time.Hour))
	require.NoError(t, sim.Move(bob, true))
	require.NoError(t, sim.Advance(time.Hour))

	sim.CheckState(t, bob, system.Absent)
	sim.CheckGhost(t, bob) // the handset still believes it is registered
	sim.CheckEvent(t, system.EvDeregTimeout, bob, "", 1)
	sim.CheckEvent(t, system.EvGhostAttempt, bob, "", -1)
	// Daily checks kept fetching the same complete file meanwhile.
	require.GreaterOrEqual(t, srv.Hits("/prov/7c2f80a1b2c3.xml"), 3)
}

// The same story inside testing/synctest, with the server called
// in-process: no sockets, nothing left running.
func TestGhostStoryInsideSynctest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := provserver.New()
		srv.Add(provserver.User{Ext: "1002", Name: "Bob", IPUI: bob, PIN: "1002"})
		sim := dectsimtest.NewT(t,
			dectsimtest.WithSystem(system.WithMAC("7C2F80A1B2C3")),
			dectsimtest.WithURL("http://pbx.invalid/prov/%MACD.xml"),
			dectsimtest.WithHandler(srv),
		)
		require.NoError(t, sim.AddHandset(system.HandsetSpec{IPUI: bob, State: system.Registered, OutOfRange: true}))
		require.NoError(t, sim.Advance(time.Minute))
		srv.Remove("1002")
		sim.SendCheckSync()
		require.NoError(t, sim.Advance(25*time.Hour))
		sim.CheckGhost(t, bob)
	})
}
