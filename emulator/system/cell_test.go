package system

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// cluster declares, on a VI, one DM "dm1" with a level-1 base b1, b2 and
// b3 that hear only b1, b4 that hears b2 only, and b5 that hears b2 and
// b1: b1 <- b2 <- b4, b1 <- b3, b1|b2 <- b5.
func cluster() []Option {
	return []Option{WithProduct("VI"),
		WithDM(DMSpec{ID: "dm1"}),
		WithBase(BaseSpec{ID: "b1", Level: 1}),
		WithBase(BaseSpec{ID: "b2", Level: 2}),
		WithBase(BaseSpec{ID: "b3", Level: 2}),
		WithBase(BaseSpec{ID: "b4", Level: 3, Hears: []string{"b2"}}),
		WithBase(BaseSpec{ID: "b5", Level: 3, Hears: []string{"b2", "b1"}}),
	}
}

func serving(s *System) map[string]bool {
	out := map[string]bool{}
	for _, b := range s.Bases() {
		out[b.ID] = b.Serving
	}
	return out
}

func TestWithoutDeclarationsASystemHasOneDMLocalWithOneBaseThatAlwaysServes(t *testing.T) {
	s := newSys(t)
	require.Equal(t, []DM{{ID: DefaultDM, Name: DefaultDM, Up: true, Bases: []string{DefaultBase}}}, s.DMs())
	require.Equal(t, []Base{{ID: DefaultBase, DM: DefaultDM, Level: 1, Sync: SyncDECT, Up: true, Serving: true}}, s.Bases())
	addHS(t, s, HandsetSpec{IPUI: hsA, State: Registered})
	h, _ := s.Handset(hsA)
	require.Equal(t, DefaultBase, h.Base)
	sl, _ := s.Slot(hsA)
	require.Equal(t, DefaultDM, sl.Location, "a registered slot is located at the DM its handset registered through")
	require.Nil(t, s.Reach(hsA), "no at: every base")
}

func TestLevel1BaseDownStopsEveryBaseThatHearsOnlyItAndTheChainBelow(t *testing.T) {
	s := newSys(t, cluster()...)
	require.Equal(t, map[string]bool{"b1": true, "b2": true, "b3": true, "b4": true, "b5": true}, serving(s))
	require.NoError(t, s.SetBase("b1", false))
	require.Equal(t, map[string]bool{"b1": false, "b2": false, "b3": false, "b4": false, "b5": false}, serving(s),
		"the vendor: when the level-1 base fails the complete multicell system of that cluster is down")
	requireEvents(t, s, EvBaseDown, "", 1)
	lost := eventsOf(s, EvBaseSyncLost, "")
	require.Len(t, lost, 4)
	for i, id := range []string{"b2", "b3", "b4", "b5"} {
		require.Equal(t, id, lost[i].Base, "settled down the chain, by level then declaration")
		require.Equal(t, "dm1", lost[i].DM)
	}
}

func TestABaseThatAlsoHearsAnotherServingBaseKeepsServing(t *testing.T) {
	s := newSys(t, cluster()...)
	require.NoError(t, s.SetBase("b2", false))
	require.Equal(t, map[string]bool{"b1": true, "b2": false, "b3": true, "b4": false, "b5": true}, serving(s),
		"b4 hears only b2; b5 hears b1 too")
	requireEvents(t, s, EvBaseSyncLost, "", 1)
}

func TestABaseServesThirtySecondsAfterItsSourceReturns(t *testing.T) {
	s := newSys(t, cluster()...)
	require.NoError(t, s.SetBase("b1", false))
	advance(t, s, time.Minute)
	require.NoError(t, s.SetBase("b1", true))
	require.True(t, serving(s)["b1"], "the sync master serves as soon as it is up")
	require.False(t, serving(s)["b2"])
	advance(t, s, ResyncDelay-time.Second)
	require.False(t, serving(s)["b2"], "not before the re-sync")
	advance(t, s, time.Second)
	require.True(t, serving(s)["b2"])
	require.True(t, serving(s)["b3"])
	require.False(t, serving(s)["b4"], "b4 re-syncs to b2 once b2 serves: another 30 s")
	advance(t, s, ResyncDelay)
	require.Equal(t, map[string]bool{"b1": true, "b2": true, "b3": true, "b4": true, "b5": true}, serving(s))
	synced := eventsOf(s, EvBaseSynced, "")
	require.Len(t, synced, 4)
	require.Equal(t, s.StartTime().Add(time.Minute+ResyncDelay), synced[0].Time)
}

func TestAReSyncUnderWayIsDroppedWhenTheSourceGoesAgain(t *testing.T) {
	s := newSys(t, cluster()...)
	require.NoError(t, s.SetBase("b1", false))
	require.NoError(t, s.SetBase("b1", true))
	advance(t, s, 10*time.Second)
	require.NoError(t, s.SetBase("b1", false))
	advance(t, s, time.Minute)
	requireEvents(t, s, EvBaseSynced, "", 0)
	require.False(t, serving(s)["b2"])
}

func TestALANSyncedBaseNeedsNoOtherBase(t *testing.T) {
	s := newSys(t, WithProduct("VI"), WithDM(DMSpec{ID: "dm1"}),
		WithBase(BaseSpec{ID: "b1"}), WithBase(BaseSpec{ID: "b2", LAN: true}))
	require.NoError(t, s.SetBase("b1", false))
	require.True(t, serving(s)["b2"], "PTP over the LAN: a failing base other than the LAN master has no impact")
	b, _ := s.BaseByID("b2")
	require.Equal(t, SyncLAN, b.Sync)
}

func TestADMThatIsDownServesThroughNoneOfItsBases(t *testing.T) {
	s := newSys(t, cluster()...)
	require.NoError(t, s.SetDM("dm1", false))
	require.Equal(t, map[string]bool{"b1": false, "b2": false, "b3": false, "b4": false, "b5": false}, serving(s))
	requireEvents(t, s, EvDMDown, "", 1)
	requireEvents(t, s, EvBaseSyncLost, "", 0) // the DM is down: nothing lost sync
	require.NoError(t, s.SetDM("dm1", true))
	require.True(t, serving(s)["b1"])
	advance(t, s, 2*ResyncDelay)
	require.True(t, serving(s)["b4"])
}

func TestAHandsetHandsOverWithinItsReachWhenItsBaseStopsServing(t *testing.T) {
	s := newSys(t, cluster()...)
	addHS(t, s, HandsetSpec{IPUI: hsA, State: Registered, At: []string{"b2", "b3"}})
	h, _ := s.Handset(hsA)
	require.Equal(t, "b2", h.Base)
	require.NoError(t, s.SetBase("b2", false))
	h, _ = s.Handset(hsA)
	require.Equal(t, "b3", h.Base)
	ho := requireEvents(t, s, EvHandover, hsA, 1)[0]
	require.Equal(t, "b2", ho.From)
	require.Equal(t, "b3", ho.To)
	requireEvents(t, s, EvCoverageLost, hsA, 0)
	require.Equal(t, Registered, s.SlotState(hsA))
	b, _ := s.BaseByID("b3")
	require.Equal(t, 1, b.Handsets)
}

// twoDMs is a VI with DMs "north" (base n1) and "south" (base s1).
func twoDMs(extra ...Option) []Option {
	return append([]Option{WithProduct("VI"),
		WithDM(DMSpec{ID: "north"}), WithDM(DMSpec{ID: "south", Name: "South wing"}),
		WithBase(BaseSpec{ID: "n1", DM: "north"}), WithBase(BaseSpec{ID: "s1", DM: "south"})}, extra...)
}

func TestAHandsetRoamsToAnotherDMAndItsSlotsLocationFollows(t *testing.T) {
	s := newSys(t, twoDMs()...)
	addHS(t, s, HandsetSpec{IPUI: hsA, State: Registered, At: []string{"n1"}})
	sl, _ := s.Slot(hsA)
	require.Equal(t, "north", sl.Location)
	require.NoError(t, s.MoveTo(hsA, []string{"s1", "n1"}))
	sl, _ = s.Slot(hsA)
	require.Equal(t, "south", sl.Location)
	roamed := requireEvents(t, s, EvRoamed, hsA, 1)[0]
	require.Equal(t, "north", roamed.From)
	require.Equal(t, "south", roamed.To)
	require.Equal(t, []string{"s1", "n1"}, s.Reach(hsA))
	dms := s.DMs()
	require.Equal(t, 0, dms[0].Slots)
	require.Equal(t, 1, dms[1].Slots)
	require.Equal(t, "South wing", dms[1].Name)
}

func TestAHandsetWhoseBasesAllStopIsOutOfCoverageAndDeleteHSLeavesAGhostThatRetriesWhenCoverageReturns(t *testing.T) {
	s := newSys(t, append(cluster(), WithFirmware("2.65.0"))...)
	addHS(t, s, HandsetSpec{IPUI: hsA, State: Registered, At: []string{"b2"}})
	require.NoError(t, s.SetBase("b1", false))
	requireEvents(t, s, EvCoverageLost, hsA, 1)
	h, _ := s.Handset(hsA)
	require.False(t, h.Connected())
	apply(t, s, doc(`<oper name="delete_hs" value="`+hsA+`"/>`))
	advance(t, s, time.Minute)
	require.Equal(t, State(Absent), s.SlotState(hsA))
	require.Equal(t, []string{hsA}, s.GhostIPUIs(), "removed at once while it could not be told")
	requireEvents(t, s, EvGhostAttempt, hsA, 0)
	require.NoError(t, s.SetBase("b1", true))
	advance(t, s, ResyncDelay+time.Minute)
	requireEvents(t, s, EvCoverageRegained, hsA, 1)
	require.NotEmpty(t, eventsOf(s, EvGhostAttempt, hsA), "a ghost tries again when coverage returns")
}

func TestAGracefulDeregistrationWaitsOutABaseOutageAndCompletesWhenItServesAgain(t *testing.T) {
	s := newSys(t, cluster()...)
	addHS(t, s, HandsetSpec{IPUI: hsA, State: Registered, At: []string{"b4"}})
	addHS(t, s, HandsetSpec{IPUI: hsB, State: Registered, At: []string{"b4"}})
	require.NoError(t, s.SetBase("b2", false))
	apply(t, s, doc(`<oper name="DeleteNotProvisionedHS"/>`+addOper(hsB)))
	advance(t, s, time.Hour)
	require.Equal(t, ToDeReg, s.SlotState(hsA), "waits for its handset")
	require.NoError(t, s.SetBase("b2", true))
	advance(t, s, 2*ResyncDelay+time.Minute)
	require.Equal(t, State(Absent), s.SlotState(hsA))
	done := requireEvents(t, s, EvDeregCompleted, hsA, 1)[0]
	require.Equal(t, "graceful", done.Outcome)
	require.Empty(t, s.GhostIPUIs())
}

func TestDetectDelayDoesNotApplyWhenTheBaseStopsServing(t *testing.T) {
	s := newSys(t, append(cluster(), WithReading("detect-delay", "3h"))...)
	addHS(t, s, HandsetSpec{IPUI: hsA, State: Registered, At: []string{"b2"}})
	addHS(t, s, HandsetSpec{IPUI: hsB, State: Registered, At: []string{"b2"}})
	require.NoError(t, s.SetBase("b2", false))
	require.NoError(t, s.Move(hsB, false))
	apply(t, s, doc(`<oper name="DeleteNotProvisionedHS"/>`))
	advance(t, s, time.Minute)
	require.Equal(t, ToDeReg, s.SlotState(hsA))
	requireEvents(t, s, EvDeregCompleted, hsA, 0)
	sl, _ := s.Slot(hsA)
	require.False(t, sl.Deadline.IsZero(), "the DM saw the base go: the slot waits for an absent handset at once")
}

func TestUpdateDMOpensTheWindowOnTheNamedDMOnly(t *testing.T) {
	s := newSys(t, twoDMs()...)
	addHS(t, s, HandsetSpec{IPUI: hsA, At: []string{"n1"}})
	addHS(t, s, HandsetSpec{IPUI: hsB, At: []string{"s1"}})
	now := s.Now().Unix()
	apply(t, s, doc(fmt.Sprintf(`<oper name="add_hs" value="00001"/><oper name="add_hs" value="00002"/>`+
		`<oper name="update_dm" value="south"><param name="RegStart" value="%d"/><param name="RegDuration" value="600"/></oper>`, now)))
	require.NoError(t, s.Register(hsA))
	require.NoError(t, s.Register(hsB))
	advance(t, s, time.Minute)
	refused := requireEvents(t, s, EvRegistrationRefused, hsA, 1)[0]
	require.Equal(t, RefusedWindow, refused.Reason)
	require.Contains(t, refused.Detail, "DM north")
	requireEvents(t, s, EvRegistered, hsB, 1)
	sl, _ := s.Slot("00001")
	require.Equal(t, "south", sl.Location)
}

func TestUpdateDMNamingNoDMWarnsNoSuchDMAndOpensNothing(t *testing.T) {
	s := newSys(t, twoDMs()...)
	apply(t, s, doc(`<oper name="update_dm" value="local"><param name="RegStart" value="1"/><param name="RegDuration" value="3000000000"/></oper>`))
	w := requireEvents(t, s, EvWarning, "", 1)[0]
	require.Equal(t, WarnNoSuchDM, w.Code)
	require.Contains(t, w.Detail, "north, south")
	for _, d := range s.DMs() {
		require.Zero(t, d.Window, d.ID)
	}
}

func TestUpdateDMScopeAllOpensTheWindowOnEveryDM(t *testing.T) {
	s := newSys(t, twoDMs(WithReading("update-dm-scope", "all"))...)
	apply(t, s, doc(`<oper name="update_dm" value="local"><param name="RegStart" value="1"/><param name="RegDuration" value="3000000000"/></oper>`))
	requireEvents(t, s, EvWarning, "", 0)
	for _, d := range s.DMs() {
		require.True(t, d.Window.Open(s.Now()), d.ID)
	}
}

func TestARegistrationThatWouldPutA251stSlotOnADMIsRefusedDMFull(t *testing.T) {
	s := newSys(t, twoDMs()...)
	for i := 0; i < MaxSlotsPerDM; i++ {
		addHS(t, s, HandsetSpec{IPUI: fmt.Sprintf("05%08x", i), State: Registered, At: []string{"n1"}})
	}
	require.Error(t, s.AddHandset(HandsetSpec{IPUI: "0600000000", State: Registered, At: []string{"n1"}}), "not even before time starts")
	addHS(t, s, HandsetSpec{IPUI: hsA, At: []string{"n1"}})
	apply(t, s, doc(addOper(hsA)))
	require.NoError(t, s.Register(hsA))
	refused := requireEvents(t, s, EvRegistrationRefused, hsA, 1)[0]
	require.Equal(t, RefusedDMFull, refused.Reason)
	require.Contains(t, refused.Detail, "DM north")
}

func TestTheDefaultDMHasTheSystemsCapacityNotADeclaredDMs(t *testing.T) {
	s := newSys(t, WithProduct("VI"))
	for i := 0; i < MaxSlotsPerDM+1; i++ {
		addHS(t, s, HandsetSpec{IPUI: fmt.Sprintf("05%08x", i), State: Registered})
	}
	require.Equal(t, MaxSlotsPerDM+1, s.DMs()[0].Slots)
}

func TestTopologyMistakesAreRefusedNamingTheDeclaration(t *testing.T) {
	for name, tc := range map[string]struct {
		opts []Option
		kind string
		idx  int
		msg  string
	}{
		"several DMs off a VI": {[]Option{WithDM(DMSpec{ID: "a"}), WithDM(DMSpec{ID: "b"})}, "dm", 1, "need a Virtual Integrator"},
		"a DM twice":           {[]Option{WithProduct("VI"), WithDM(DMSpec{ID: "a"}), WithDM(DMSpec{ID: "a"})}, "dm", 1, "declared twice"},
		"an empty DM id":       {[]Option{WithDM(DMSpec{})}, "dm", 0, "non-empty word"},
		"a base of no DM":      {[]Option{WithBase(BaseSpec{ID: "b1", DM: "x"})}, "base", 0, `no DM "x" (the DMs are local)`},
		"a base twice":         {[]Option{WithBase(BaseSpec{ID: "b1"}), WithBase(BaseSpec{ID: "b1"})}, "base", 1, "declared twice"},
		"hears a higher level": {[]Option{WithBase(BaseSpec{ID: "b1"}), WithBase(BaseSpec{ID: "b2", Level: 3}), WithBase(BaseSpec{ID: "b3", Level: 2, Hears: []string{"b2"}})}, "base", 2, "only to a base of a lower level"},
		"hears itself":         {[]Option{WithBase(BaseSpec{ID: "b1"}), WithBase(BaseSpec{ID: "b2", Hears: []string{"b2"}})}, "base", 1, "no base declared before it"},
		"hears no base":        {[]Option{WithBase(BaseSpec{ID: "b1", Level: 2})}, "base", 0, "could never serve"},
		"level 16":             {[]Option{WithBase(BaseSpec{ID: "b1", Level: 16})}, "base", 0, "outside 1..15"},
		"max-bases":            {[]Option{WithProduct("N610"), WithBase(BaseSpec{ID: "b1"}), WithBase(BaseSpec{ID: "b2"}), WithBase(BaseSpec{ID: "b3"}), WithBase(BaseSpec{ID: "b4"}), WithBase(BaseSpec{ID: "b5"})}, "base", 4, "N610 takes 4 base stations"},
	} {
		_, err := New(tc.opts...)
		var te *TopologyError
		require.ErrorAs(t, err, &te, name)
		require.Equal(t, tc.kind, te.Kind, name)
		require.Equal(t, tc.idx, te.Index, name)
		require.Contains(t, te.Msg, tc.msg, name)
	}
	opts := []Option{WithProduct("VI"), WithDM(DMSpec{ID: "a"})}
	for i := 0; i <= MaxBasesPerDM; i++ {
		opts = append(opts, WithBase(BaseSpec{ID: fmt.Sprintf("b%d", i), LAN: true}))
	}
	_, err := New(opts...)
	require.ErrorContains(t, err, "a DM takes 60 bases")
	_, err = New(WithBase(BaseSpec{ID: "b1"}))
	require.NoError(t, err)
	s := newSys(t, cluster()...)
	require.ErrorContains(t, s.AddHandset(HandsetSpec{IPUI: hsA, At: []string{"b9"}}), `no base "b9"`)
	require.ErrorContains(t, s.SetBase("b9", false), `no base "b9"`)
	require.ErrorContains(t, s.SetDM("x", false), `no DM "x"`)
	require.ErrorContains(t, s.MoveTo(hsA, []string{"b1"}), "no handset")
}

// TestABaseChangeCostsWhatItReachesNotTheSystem: a level-1 base going
// down settles its cluster's bases and places the handsets within their
// reach, however many other DMs, bases and handsets the system has.
func TestABaseChangeCostsWhatItReachesNotTheSystem(t *testing.T) {
	work := func(dms int) int {
		opts := []Option{WithProduct("VI")}
		for d := 0; d < dms; d++ {
			opts = append(opts, WithDM(DMSpec{ID: fmt.Sprintf("dm%d", d)}))
			for b := 0; b < 6; b++ {
				opts = append(opts, WithBase(BaseSpec{ID: fmt.Sprintf("dm%d-b%d", d, b), DM: fmt.Sprintf("dm%d", d)}))
			}
		}
		s := newSys(t, opts...)
		for d := 0; d < dms; d++ {
			for i := 0; i < 20; i++ {
				addHS(t, s, HandsetSpec{IPUI: fmt.Sprintf("%02x%08x", d, i), State: Registered,
					At: []string{fmt.Sprintf("dm%d-b%d", d, i%5+1), fmt.Sprintf("dm%d-b0", d)}})
			}
		}
		before := s.cellWork
		require.NoError(t, s.SetBase("dm0-b0", false))
		require.NoError(t, s.SetBase("dm0-b0", true))
		advance(t, s, time.Minute)
		return s.cellWork - before
	}
	one, hundred := work(1), work(100)
	require.Equal(t, one, hundred, "one DM or 100: the same cluster, the same work")
	require.Less(t, one, 200)
}
