package scenario

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// ghostsScenario: n handsets away while DeleteNotProvisionedHS removes
// them; after the 24-hour wait all n are ghosts, and k expectations count
// them.
func ghostsScenario(n, k int) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "<scenario name=\"ghosts at scale\">\n  <system product=\"VI\" max-handsets=\"%d\"/>\n", n)
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "  <handset ipui=\"06%08x\" state=\"Registered\" range=\"out\"/>\n", i)
	}
	b.WriteString("  <at t=\"0s\"><provision><provisioning version=\"1.1\" productID=\"e2\"><nvm><oper name=\"DeleteNotProvisionedHS\"/></nvm></provisioning></provision></at>\n  <at t=\"25h\">\n")
	for i := 0; i < k; i++ {
		fmt.Fprintf(&b, "    <expect ghosts=\"%d\"/>\n", n)
	}
	b.WriteString("  </at>\n</scenario>\n")
	return []byte(b.String())
}

// eventsScenario: n handsets waiting in ToReg register (2n events:
// registration-started, registered), then k expectations ask for the
// events of one handset each, by type and by type and outcome-free count.
func eventsScenario(n, k int) []byte {
	var b strings.Builder
	registrations(&b, "events at scale", n)
	for i := 0; i < k; i++ {
		switch i % 4 {
		case 0:
			fmt.Fprintf(&b, "    <expect-event type=\"registered\" ipui=\"07%08x\" count=\"1\"/>\n", i%n)
		case 1:
			fmt.Fprintf(&b, "    <expect-no-event type=\"registration-refused\" ipui=\"07%08x\"/>\n", i%n)
		case 2:
			fmt.Fprintf(&b, "    <expect-event type=\"registration-started\" ipui=\"07%08x\"/>\n", i%n)
		default:
			fmt.Fprintf(&b, "    <expect ipui=\"07%08x\" state=\"Registered\"/>\n", i%n)
		}
	}
	b.WriteString("  </at>\n</scenario>\n")
	return []byte(b.String())
}

func runScale(t testing.TB, src []byte) *Result {
	sc, err := Parse("scale.xml", src)
	require.NoError(t, err)
	res, err := Run(sc, Options{})
	require.NoError(t, err)
	require.True(t, res.Passed(), "%d failures, first %+v", len(res.Failures), res.Failures)
	return res
}

// TestGhostExpectationsCostNoList: 50,000 ghosts and <expect ghosts> that
// holds: the check counts them and lists nobody, so it allocates a few
// bytes, not a list of 50,000 IPUIs.
func TestGhostExpectationsCostNoList(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped in -short: builds 50,000 ghosts")
	}
	res := runScale(t, ghostsScenario(50_000, 1))
	sys := res.System
	require.Equal(t, 50_000, sys.GhostCount())
	st := res.Outcomes[0].Step
	var exp, found string
	var ok bool
	allocs := testing.AllocsPerRun(100, func() { exp, found, _, ok = evaluate(sys, st, nil) })
	require.True(t, ok)
	require.Equal(t, "ghosts=50000", exp)
	require.Equal(t, "ghosts=50000", found)
	require.LessOrEqual(t, allocs, 12.0, "allocations per <expect ghosts>")

	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := 0; i < 100; i++ {
		evaluate(sys, st, nil)
	}
	runtime.ReadMemStats(&after)
	require.Less(t, (after.TotalAlloc-before.TotalAlloc)/100, uint64(1024), "bytes per <expect ghosts>")

	// A failed one lists the first MaxGhostsListed and says how many more.
	n := 7
	st.Ghosts = &n
	_, found, _, ok = evaluate(sys, st, nil)
	require.False(t, ok)
	require.True(t, strings.HasPrefix(found, "ghosts=50000 (0600000000, 0600000001, "), found)
	require.True(t, strings.HasSuffix(found, ", and 49980 more)"), found)
}

// TestEventExpectationsCostTheirEvents: expectations over one handset's
// events look at that handset's events, not the log: an expectation over
// a log of 20,000 events allocates a few bytes.
func TestEventExpectationsCostTheirEvents(t *testing.T) {
	res := runScale(t, eventsScenario(10_000, 8))
	sys := res.System
	require.Equal(t, 20_000, sys.EventCount())
	for _, o := range res.Outcomes {
		st := o.Step
		allocs := testing.AllocsPerRun(50, func() { evaluate(sys, st, nil) })
		require.LessOrEqual(t, allocs, 12.0, "allocations per %s", st.Describe())
	}
}

// BenchmarkGhostExpectations: 50,000 <expect ghosts> over 50,000 ghosts,
// the whole scenario (building the ghosts included).
func BenchmarkGhostExpectations(b *testing.B) {
	src := ghostsScenario(50_000, 50_000)
	b.ReportAllocs()
	for b.Loop() {
		runScale(b, src)
	}
}

// BenchmarkEventExpectations: 10,000 expectations over 20,000 events, the
// whole scenario (10,000 registrations included).
func BenchmarkEventExpectations(b *testing.B) {
	src := eventsScenario(10_000, 10_000)
	b.ReportAllocs()
	for b.Loop() {
		runScale(b, src)
	}
}

// registrations starts a scenario in which n handsets register at t=0 and
// opens the block at 1m that the expectations go in.
func registrations(b *strings.Builder, name string, n int) {
	fmt.Fprintf(b, "<scenario name=%q>\n  <system product=\"VI\" max-handsets=\"%d\"/>\n", name, n)
	for i := 0; i < n; i++ {
		fmt.Fprintf(b, "  <handset ipui=\"07%08x\" state=\"ToReg\"/>\n", i)
	}
	b.WriteString("  <at t=\"0s\">\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(b, "    <register ipui=\"07%08x\"/>\n", i)
	}
	b.WriteString("  </at>\n  <at t=\"1m\">\n")
}

// typeOnlyScenario is n registrations, then k expectations that name only
// an event type (and an outcome), none a handset.
func typeOnlyScenario(n, k int) []byte {
	var b strings.Builder
	registrations(&b, "type-only expectations", n)
	for i := 0; i < k; i++ {
		switch i % 3 {
		case 0:
			fmt.Fprintf(&b, "    <expect-event type=\"registered\" count=\"%d\"/>\n", n)
		case 1:
			b.WriteString("    <expect-no-event type=\"registration-refused\" outcome=\"wrong-pin\"/>\n")
		default:
			b.WriteString("    <expect-event type=\"registration-started\"/>\n")
		}
	}
	b.WriteString("  </at>\n</scenario>\n")
	return []byte(b.String())
}

// BenchmarkTypeOnlyExpectations: 10,000 expectations that name only an
// event type, over 20,000 events, the whole scenario.
func BenchmarkTypeOnlyExpectations(b *testing.B) {
	src := typeOnlyScenario(10_000, 10_000)
	b.ReportAllocs()
	for b.Loop() {
		runScale(b, src)
	}
}
