package dectsimtest

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dectsim/dectsim/emulator/autoprov"
	"github.com/dectsim/dectsim/emulator/system"
	"github.com/dectsim/dectsim/internal/testfiles"
)

const alice, bob = "029e74a599", "02b6ec8aa5"

// story is a system that fetched a file with a bad RegStatus for alice
// (a warning about her), removed bob while he was away (a ghost) and
// failed one fetch with 401 before that.
func story(t *testing.T) *Sim {
	t.Helper()
	calls := 0
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if calls == 1 {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		_, _ = w.Write([]byte(`<provisioning version="1.1" productID="e2"><nvm><oper name="DeleteNotProvisionedHS"/>` +
			`<oper name="add_hs" value="` + alice + `"><param name="hs.RegStatus" value="ToReg"/></oper>` +
			`<param name="hs.` + alice + `.RegStatus" value="Maybe"/>` +
			`<param name="SipAccount.` + alice + `.DisplayName" value="Alice"/></nvm></provisioning>`))
	})
	sim := NewT(t, WithURL("http://pbx.invalid/prov/%MACD.xml"), WithHandler(h),
		WithSystem(system.WithMAC("7C2F80A1B2C3")), WithCredentials("admin", "pw"),
		WithFetch(func(c *autoprov.Config) { c.Latency = 2 * time.Second }))
	require.NoError(t, sim.AddRegistered(alice))
	require.NoError(t, sim.AddHandset(system.HandsetSpec{IPUI: bob, State: system.Registered, Off: true}))
	require.NoError(t, sim.Advance(time.Minute))
	require.NoError(t, sim.SendCheckSync())
	require.NoError(t, sim.Advance(25*time.Hour))
	return sim
}

func TestCheckHelpersHoldOnWhatHappened(t *testing.T) {
	sim := story(t)
	var r recorder
	require.True(t, sim.CheckState(&r, alice, system.Registered))
	require.True(t, sim.CheckRegistered(&r, alice))
	require.True(t, sim.CheckGhost(&r, bob))
	require.True(t, sim.CheckNotGhost(&r, alice))
	require.True(t, sim.CheckGhostCount(&r, 1))
	require.True(t, sim.CheckSlotCount(&r, 1))
	require.True(t, sim.CheckParam(&r, "SipAccount."+alice+".DisplayName", "Alice"))
	require.True(t, sim.CheckNoParam(&r, "SipAccount."+bob+".DisplayName"))
	require.True(t, sim.CheckFetches(&r, "ok", 2), "the check-sync and the daily check")
	require.True(t, sim.CheckFetches(&r, "error", 1))
	require.True(t, sim.CheckFetches(&r, autoprov.StatusReason(http.StatusNotFound), 1))
	require.True(t, sim.CheckEventCount(&r, system.EventQuery{Type: system.EvGhostCreated, Key: bob}, 1))
	require.True(t, sim.CheckSomeEvent(&r, system.EventQuery{Type: system.EvWarning, Key: alice, Outcome: system.WarnBadRegStatus}))
	require.True(t, sim.CheckNoEvent(&r, system.EventQuery{Type: system.EvForcedRemoval}))
	require.True(t, sim.CheckRequest(&r, RequestMatch{Path: "/prov/7c2f80a1b2c3.xml", UserAgent: `^Gigaset N870 IP PRO/83\.V2\.65\.0\+build\.[0-9a-f]+;7C2F80A1B2C3$`, User: NoUser}, 3))
	require.True(t, sim.CheckRequest(&r, RequestMatch{User: "7C2F80A1B2C3"}, 0))
	require.Empty(t, r.msgs)
}

// TestCheckHelpersFailSayingWhatWasFound: each helper fails with what it
// found, and the handset's timeline where there is one.
func TestCheckHelpersFailSayingWhatWasFound(t *testing.T) {
	sim := story(t)
	for name, c := range map[string]struct {
		check func(Reporter) bool
		says  []string
	}{
		"state":        {func(r Reporter) bool { return sim.CheckState(r, bob, system.Registered) }, []string{"slot " + bob + " is absent, want Registered", "ghost-created"}},
		"param":        {func(r Reporter) bool { return sim.CheckParam(r, "SipAccount."+alice+".DisplayName", "Bob") }, []string{`is "Alice", want "Bob"`}},
		"absent param": {func(r Reporter) bool { return sim.CheckParam(r, "X.y", "1") }, []string{"setting X.y is absent"}},
		"no param":     {func(r Reporter) bool { return sim.CheckNoParam(r, "SipAccount."+alice+".DisplayName") }, []string{`is "Alice", want it absent`}},
		"slots":        {func(r Reporter) bool { return sim.CheckSlotCount(r, 2) }, []string{"1 slots, want 2", alice + "(Registered)"}},
		"ghosts":       {func(r Reporter) bool { return sim.CheckGhostCount(r, 0) }, []string{"1 ghosts [" + bob + "], want 0"}},
		"not ghost":    {func(r Reporter) bool { return sim.CheckNotGhost(r, bob) }, []string{"is a ghost"}},
		"no handset":   {func(r Reporter) bool { return sim.CheckGhost(r, "0000000001") }, []string{"no handset 0000000001"}},
		"warnings": {func(r Reporter) bool { return sim.CheckNoWarnings(r) }, []string{"2 events of type warning, want none",
			"warning", alice, "code=bad-regstatus", "at http://pbx.invalid/prov/7c2f80a1b2c3.xml:1:"}},
		"fetches": {func(r Reporter) bool { return sim.CheckFetches(r, "ok", 1) }, []string{"2 events of type fetch with outcome ok, want 1"}},
		"some": {func(r Reporter) bool {
			return sim.CheckSomeEvent(r, system.EventQuery{Type: system.EvDeregTimeout, Key: alice})
		}, []string{"no events of type dereg-timeout about " + alice, "code=bad-regstatus"}},
		"event": {func(r Reporter) bool { return sim.CheckEvent(r, system.EvGhostCreated, "", "", 2) }, []string{"1 ghost-created events", "want 2"}},
		"request": {func(r Reporter) bool { return sim.CheckRequest(r, RequestMatch{Path: "/other.xml"}, 1) },
			[]string{"0 requests match", "want 1", "GET http://pbx.invalid/prov/7c2f80a1b2c3.xml  user -  status 404"}},
		"pattern": {func(r Reporter) bool { return sim.CheckRequest(r, RequestMatch{UserAgent: "("}, 1) }, []string{"User-Agent pattern"}},
	} {
		t.Run(name, func(t *testing.T) {
			var r recorder
			require.False(t, c.check(&r))
			require.Len(t, r.msgs, 1)
			for _, s := range c.says {
				require.Contains(t, r.msgs[0], s)
			}
		})
	}
}

func TestDrivingCallsReachTheModel(t *testing.T) {
	sim := NewT(t)
	require.NoError(t, sim.AddHandset(system.HandsetSpec{IPUI: alice, State: system.Registered}))
	require.NoError(t, sim.Power(alice, false))
	require.NoError(t, sim.Power(alice, true))
	require.NoError(t, sim.Move(alice, false))
	_, err := sim.Apply("x.xml", []byte(ghostFile))
	require.NoError(t, err)
	require.NoError(t, sim.Advance(25*time.Hour))
	sim.CheckGhost(t, alice)
	require.NoError(t, sim.Reset(alice))
	sim.CheckNotGhost(t, alice)
	require.NoError(t, sim.RegisterWithPIN(alice, "9999"))
	sim.CheckSomeEvent(t, system.EventQuery{Type: system.EvRegistrationRefused, Key: alice, Outcome: system.RefusedNotConnected})
	require.Same(t, sim.System(), sim.System())
	require.Nil(t, sim.Requests(), "no fetcher, no requests")
	require.NoError(t, sim.SendCheckSync(), "no fetcher: nothing to do")
	require.Equal(t, 0, sim.System().CountEvents(system.EventQuery{Type: system.EvFetch}))
	require.True(t, strings.Contains(sim.Timeline(alice), "handset-reset"))
}

// TestCheckSIPHoldsOnTheAccountsStateAtThePBX: CheckSIP passes on the
// state the simulated registrar holds and fails with the timeline; a
// refusing registrar (system.WithSIPRegistrar) leaves the account failed.
func TestCheckSIPHoldsOnTheAccountsStateAtThePBX(t *testing.T) {
	for _, mode := range []string{system.SIPAccept, system.SIPRefuse} {
		sim := NewT(t, WithSystem(system.WithSIPRegistrar(mode)))
		require.NoError(t, sim.AddRegistered(alice))
		_, err := sim.Apply("accounts.xml", []byte(`<provisioning version="1.1" productID="e2"><nvm>`+
			`<param name="SipProvider.0.Domain" value="pbx.example.net"/><param name="SipAccount.`+alice+`.UserName" value="1001"/></nvm></provisioning>`))
		require.NoError(t, err)
		var r recorder
		require.True(t, sim.CheckSIP(&r, alice, system.SIPUnregistered), "not before the air time")
		require.True(t, sim.CheckSIP(&r, bob, system.SIPUnregistered), "no slot: nothing registered")
		require.NoError(t, sim.Advance(time.Minute))
		want := map[string]string{system.SIPAccept: system.SIPRegistered, system.SIPRefuse: system.SIPFailed}[mode]
		require.True(t, sim.CheckSIP(&r, alice, want), mode)
		require.Empty(t, r.msgs)
		require.False(t, sim.CheckSIP(&r, alice, system.SIPUnregistered))
		require.Len(t, r.msgs, 1)
		require.Contains(t, r.msgs[0], "the SIP account of "+alice+" is "+want+", want unregistered")
		require.Contains(t, r.msgs[0], "sip-")
	}
}

// TestWithSIPRegistrarSendsRealREGISTERs: the system's registration goes
// over real SIP to the registrar its file names, and CheckSIP sees the
// registrar's answer.
func TestWithSIPRegistrarSendsRealREGISTERs(t *testing.T) {
	pbx := testfiles.NewRegistrar(t)
	sim := NewT(t, WithSIPRegistrar("127.0.0.1:5099"))
	require.NoError(t, sim.AddRegistered(alice))
	_, err := sim.Apply("accounts.xml", []byte(`<provisioning version="1.1" productID="e2"><nvm>`+
		`<param name="SipProvider.0.Domain" value="pbx.example.net"/><param name="SipProvider.0.RegServerAddress" value="127.0.0.1"/>`+
		`<param name="SipProvider.0.RegServerPort" value="`+pbx.Port()+`"/><param name="SipAccount.`+alice+`.UserName" value="1001"/></nvm></provisioning>`))
	require.NoError(t, err)
	require.NoError(t, sim.Advance(time.Minute))
	var r recorder
	require.True(t, sim.CheckSIP(&r, alice, system.SIPRegistered), "%v", r.msgs)
	reqs := pbx.Requests()
	require.Len(t, reqs, 1)
	require.Equal(t, "<sip:1001@pbx.example.net>", testfiles.SIPHeader(reqs[0], "To"))
	require.Equal(t, "<sip:1001@127.0.0.1:5099>", testfiles.SIPHeader(reqs[0], "Contact"))
}
