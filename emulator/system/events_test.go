package system

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dectsim/dectsim/internal/engine/syshook"
)

// scan is what an EventQuery means, the slow way: every event of the log
// tested in turn.
func scan(s *System, q EventQuery) []Event {
	var out []Event
	for _, e := range s.Events() {
		if (q.Type == "" || e.Type == q.Type) && e.Matches(q.Key) && e.HasOutcome(q.Outcome) {
			out = append(out, e)
		}
	}
	return out
}

// checkEventQueries requires FindEvents and CountEvents to agree with a
// scan of the log for queries built from every event in it: its type, its
// slot and IPUI in upper and lower case, its outcome, reason and code.
func checkEventQueries(t testing.TB, s *System) {
	t.Helper()
	seen := map[EventQuery]bool{{}: true}
	for _, e := range s.Events() {
		for _, k := range []string{"", e.Slot, e.IPUI, strings.ToUpper(e.Slot), strings.ToUpper(e.IPUI)} {
			for _, o := range []string{"", e.Outcome, e.Trigger, e.Reason, e.Code} {
				seen[EventQuery{Type: e.Type, Key: k, Outcome: o}] = true
				seen[EventQuery{Key: k, Outcome: o}] = true
			}
		}
	}
	for q := range seen {
		want := scan(s, q)
		if got := s.FindEvents(q); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("FindEvents(%+v) = %d events, a scan finds %d", q, len(got), len(want))
		}
		if n := s.CountEvents(q); n != len(want) {
			t.Fatalf("CountEvents(%+v) = %d, a scan finds %d", q, n, len(want))
		}
	}
}

func TestEventQueriesAgreeWithScanningTheLog(t *testing.T) {
	s := newSys(t)
	addHS(t, s, HandsetSpec{IPUI: hsA, State: Registered})
	addHS(t, s, HandsetSpec{IPUI: hsB, State: Registered, OutOfRange: true})
	apply(t, s, doc(`<oper name="DeleteNotProvisionedHS"/>`+addOper("00001")+`<oper name="nope"/>`))
	checkEventQueries(t, s)

	// Events logged after a query are found too, and keys match in any
	// case, on the slot as on the IPUI.
	advance(t, s, 25*time.Hour)
	rec := syshook.Of[Event](s).Record
	rec(Event{Type: EvFetch, Slot: "Room-1", IPUI: "ROOM-1", Outcome: "error", Reason: "no-url"})
	rec(Event{Type: EvFetch, Slot: "Desk", Outcome: "ok"})
	rec(Event{Type: EvWarning, Code: WarnCapacity})
	checkEventQueries(t, s)

	require.Equal(t, 1, s.CountEvents(EventQuery{Type: EvDeregCompleted, Key: strings.ToUpper(hsA), Outcome: "graceful"}))
	require.Equal(t, 1, s.CountEvents(EventQuery{Type: EvGhostCreated, Key: hsB}))
	require.Equal(t, 1, s.CountEvents(EventQuery{Key: "room-1"}), "a slot equal to its IPUI counts once")
	require.Equal(t, 2, s.CountEvents(EventQuery{Type: EvFetch}))
	require.Len(t, s.FindEvents(EventQuery{Key: "DESK", Outcome: "ok"}), 1)
	require.Zero(t, s.CountEvents(EventQuery{Type: EvFetch, Key: "nobody"}))
	require.Equal(t, []string{hsB}, s.GhostIPUIs())
}

// TestCountsThatNameNoKeyLookAtNoEvent: counting events by type, outcome
// or both (no handset named) is answered from counts kept as the log
// grows, whatever its length; naming a handset looks at its events only.
func TestCountsThatNameNoKeyLookAtNoEvent(t *testing.T) {
	s := newSys(t, WithProduct("VI"))
	for i := range 2000 {
		addHS(t, s, HandsetSpec{IPUI: fmt.Sprintf("07%08x", i), State: Registered, OutOfRange: i%2 == 0})
	}
	apply(t, s, doc(`<oper name="DeleteNotProvisionedHS"/>`))
	advance(t, s, 25*time.Hour)
	require.Greater(t, s.EventCount(), 4000)
	for _, q := range []EventQuery{{Type: EvDeregTimeout}, {Type: EvDeregRequested, Outcome: TriggerDeleteNotProvisionedHS}, {Outcome: "graceful"}, {}} {
		want := len(scan(s, q))
		before := s.index.walked
		require.Equal(t, want, s.CountEvents(q), "%+v", q)
		require.Equal(t, before, s.index.walked, "counting %+v looked at events", q)
	}
	w := s.index.walked
	require.Equal(t, 1, s.CountEvents(EventQuery{Type: EvGhostCreated, Key: "0700000000"}))
	require.LessOrEqual(t, s.index.walked-w, 5, "a keyed count looks at that handset's events")
}
