package system

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dectsim/dectsim/internal/engine/des"
	"github.com/dectsim/dectsim/internal/testfiles"
)

// ghostStorm is a system whose n handsets are connected ghosts trying
// every minute, for ever.
func ghostStorm(t *testing.T, n int, opts ...Option) *System {
	t.Helper()
	s := newSys(t, append([]Option{WithGhostInterval(time.Minute)}, opts...)...)
	var ids []string
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("02%08x", i)
		ids = append(ids, id)
		addHS(t, s, HandsetSpec{IPUI: id, State: Registered, OutOfRange: true})
	}
	apply(t, s, doc(`<oper name="DeleteNotProvisionedHS"/>`))
	advance(t, s, 25*time.Hour)
	for _, id := range ids {
		require.NoError(t, s.Move(id, true))
	}
	require.Len(t, s.GhostIPUIs(), n)
	return s
}

// TestEventBudgetStopsARunawayStory: a story that never settles stops at
// its budget with an error naming it, and the system stays stopped.
func TestEventBudgetStopsARunawayStory(t *testing.T) {
	s := ghostStorm(t, 3, WithEventBudget(1000))
	ranBefore := s.sim.Ran()
	var err error
	n := testfiles.Allocated(func() { err = s.Advance(100 * 365 * 24 * time.Hour) })
	require.ErrorIs(t, err, ErrEventBudget)
	require.Contains(t, err.Error(), "(the budget is 1000)")
	require.Equal(t, uint64(1000), s.sim.Ran(), "no event runs past the budget")
	require.Greater(t, s.sim.Ran(), ranBefore)
	require.Less(t, s.Now().Sub(s.StartTime()), 365*24*time.Hour, "time stops at the last event run")
	require.Less(t, n, uint64(2<<20), "bytes allocated")

	// Stopped for good: time does not move, files are not applied.
	require.Equal(t, err, s.Err())
	before, count := s.Snapshot(), s.EventCount()
	require.Equal(t, err, s.Advance(time.Second))
	require.Equal(t, err, s.AdvanceTo(s.Now().Add(time.Hour)))
	_, aerr := s.Apply("late.xml", []byte(doc(addOper(hsA))))
	require.Equal(t, err, aerr)
	require.Equal(t, before, s.Snapshot())
	require.Equal(t, count, s.EventCount())
}

// TestEventLogLimitStopsTheSystem: the log holds at most MaxEvents (and
// what the event that filled it logged), then the system stops.
func TestEventLogLimitStopsTheSystem(t *testing.T) {
	s := ghostStorm(t, 2, WithEventLog(500, 0))
	err := s.Advance(365 * 24 * time.Hour)
	require.ErrorIs(t, err, ErrEventBudget)
	require.Contains(t, err.Error(), "the event log reached its limit of 500 events")
	require.Equal(t, 500, s.EventCount())
	require.Equal(t, err, s.Advance(time.Hour))
}

// TestEventLogLimitStopsAfterAFile: a file that fills the log is applied
// (a file is whole or nothing), and nothing after it is.
func TestEventLogLimitStopsAfterAFile(t *testing.T) {
	s := newSys(t, WithEventLog(10, 0), WithProduct("VI"))
	var b strings.Builder
	for i := 0; i < 50; i++ {
		b.WriteString(addOper(fmt.Sprintf("03%08x", i)))
	}
	apply(t, s, doc(b.String()))
	require.Equal(t, 50, s.SlotCount())
	require.ErrorIs(t, s.Err(), ErrEventBudget)
	_, err := s.Apply("next.xml", []byte(doc(addOper(hsA))))
	require.ErrorIs(t, err, ErrEventBudget)
	require.Equal(t, 50, s.SlotCount())
	require.ErrorIs(t, s.Advance(time.Second), ErrEventBudget)
}

func TestWorkLimitOptions(t *testing.T) {
	_, err := New(WithGhostInterval(59 * time.Second))
	require.EqualError(t, err, "ghost interval 59s is below the minimum of 1m0s")
	_, err = New(WithEventLog(-1, 0))
	require.Error(t, err)
	s := newSys(t, WithGhostInterval(time.Minute))
	require.Equal(t, uint64(DefaultEventBudget), s.Config().EventBudget)
	require.Equal(t, DefaultMaxEvents, s.Config().MaxEvents)
	require.NoError(t, s.Err())
	require.False(t, errors.Is(s.Advance(time.Hour), ErrEventBudget))
}

// TestShortPeriodIsAppliedWithAWarning: the setting is stored as written,
// with a period-too-short warning where it is; 0, 1800 and more say nothing.
func TestShortPeriodIsAppliedWithAWarning(t *testing.T) {
	for v, warns := range map[string]bool{"1": true, "60": true, "1799": true, "0": false, "1800": false, "86400": false, "soon": false} {
		s := newSys(t)
		apply(t, s, doc(`<param name="Provisioning.global.Period" value="`+v+`"/>`))
		got, _ := s.Setting(SettingPeriod)
		require.Equal(t, v, got)
		w := s.FindEvents(EventQuery{Type: EvWarning, Outcome: WarnPeriodTooShort})
		if !warns {
			require.Empty(t, w, v)
			continue
		}
		require.Len(t, w, 1, v)
		require.Equal(t, 4, w[0].Line)
		require.Equal(t, "Provisioning.global.Period is "+v+" s; the vendor says not to use less than 1800 s, and the system checks every 1800 s", w[0].Detail)
	}
}

// TestRegDurationBeyondWhatTimeHoldsIsTheLongestWindow: seconds that do not
// fit a time.Duration used to wrap round and close the window; they open
// the longest window instead, with a warning, and lint says the same.
func TestRegDurationBeyondWhatTimeHoldsIsTheLongestWindow(t *testing.T) {
	const start = 1767225600 // 2026-01-01T00:00:00Z
	for _, c := range []struct {
		dur     string
		end     time.Duration
		warning bool
	}{
		{dur: "900", end: 900 * time.Second},
		{dur: "3153600000", end: MaxRegDuration},
		{dur: "3153600001", end: MaxRegDuration, warning: true},
		{dur: "9300000000", end: MaxRegDuration, warning: true},
		{dur: "9223372036854775807", end: MaxRegDuration, warning: true},
	} {
		s := newSys(t)
		apply(t, s, doc(fmt.Sprintf(`<oper name="update_dm" value="local"><param name="RegStart" value="%d"/><param name="RegDuration" value="%s"/></oper>`, start, c.dur)))
		w := s.RegistrationWindow()
		require.Equal(t, time.Unix(start, 0).UTC(), w.Start, c.dur)
		require.Equal(t, w.Start.Add(c.end), w.End, c.dur)
		require.True(t, w.Open(s.Now()), c.dur)
		warns := s.FindEvents(EventQuery{Type: EvWarning, Outcome: WarnBadValue})
		if !c.warning {
			require.Empty(t, warns, c.dur)
			continue
		}
		require.Len(t, warns, 1, c.dur)
		require.Equal(t, "RegDuration "+c.dur+" s is longer than the longest window the system opens (3153600000 s, 100 years); the window is open for 3153600000 s", warns[0].Detail)
	}
}

// TestEventLogTextLimitStopsTheSystem: warnings that quote long values
// fill the log's text long before its count.
func TestEventLogTextLimitStopsTheSystem(t *testing.T) {
	s := newSys(t, WithEventLog(0, 1<<20))
	addHS(t, s, HandsetSpec{IPUI: hsA, State: Registered})
	long := strings.Repeat("X", 60<<10)
	var b strings.Builder
	for i := 0; i < 20; i++ {
		b.WriteString(`<param name="hs.029e74a599.RegStatus" value="` + long + `"/>`)
	}
	apply(t, s, doc(b.String()))
	require.ErrorIs(t, s.Err(), ErrEventBudget)
	require.Contains(t, s.Err().Error(), "the event log reached its limit of 1048576 bytes of text")
	require.Less(t, s.EventCount(), 30)
	require.ErrorIs(t, s.Advance(time.Hour), ErrEventBudget)
	_, err := New(WithEventLog(0, -1))
	require.Error(t, err)
}

// TestDefaultEventBudgetIsTheEnginesDefault: the documented constant is
// the budget the engine applies when none is given.
func TestDefaultEventBudgetIsTheEnginesDefault(t *testing.T) {
	require.EqualValues(t, des.DefaultBudget, DefaultEventBudget)
}
