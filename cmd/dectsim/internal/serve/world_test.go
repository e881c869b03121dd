package serve_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dectsim/dectsim/cmd/dectsim/internal/serve"
	"github.com/dectsim/dectsim/emulator/scenario"
	"github.com/dectsim/dectsim/emulator/system"
)

var start = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

func parse(t testing.TB, name, src string) *scenario.Scenario {
	t.Helper()
	sc, err := scenario.Parse(name, []byte(src))
	require.NoError(t, err)
	return sc
}

func newWorld(t testing.TB, cfg serve.Config) *serve.World {
	t.Helper()
	w, err := serve.New(cfg)
	require.NoError(t, err)
	t.Cleanup(w.Close)
	return w
}

// do runs fn on the world's goroutine. fn checks with assert, never
// require: a FailNow there would end the world's goroutine, not the test.
func do(t testing.TB, w *serve.World, fn func()) {
	t.Helper()
	require.NoError(t, w.Do(context.Background(), fn))
}

func site(mac, url string, body string) string {
	u := ""
	if url != "" {
		u = fmt.Sprintf(` provisioning-url="%s"`, url)
	}
	return fmt.Sprintf(`<scenario name="site %s" start="2026-01-05T09:00:00Z">
  <system product="N870" firmware="2.52.0" mac="%s"%s/>
  %s
</scenario>`, mac, mac, u, body)
}

// recorder is a provisioning server that serves one small file to every
// MAC and notes the order of the MACs asked.
type recorder struct {
	mu   sync.Mutex
	macs []string
	body func(mac string) string
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	mac := strings.TrimSuffix(strings.TrimPrefix(req.URL.Path, "/"), ".xml")
	r.mu.Lock()
	r.macs = append(r.macs, mac)
	r.mu.Unlock()
	body := `<provisioning version="1.1" productID="e2"><nvm><param name="SipProvider.0.Name" value="pbx"/></nvm></provisioning>`
	if r.body != nil {
		body = r.body(mac)
	}
	_, _ = w.Write([]byte(body))
}

func (r *recorder) asked() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.macs)
}

func serveHTTP(t testing.TB, h http.Handler) *httptest.Server {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func TestAFleetCountsItsMACsUpFromTheScenarios(t *testing.T) {
	w := newWorld(t, serve.Config{Scenarios: []*scenario.Scenario{parse(t, "a.xml", site("7C2F80000001", "", ""))}, Fleet: 3})
	var macs []string
	do(t, w, func() {
		for _, m := range w.Members() {
			macs = append(macs, m.MAC)
		}
	})
	require.Equal(t, []string{"7c2f80000001", "7c2f80000002", "7c2f80000003"}, macs)
	do(t, w, func() {
		m, ok := w.Member("7C:2F:80:00:00:02")
		assert.True(t, ok, "a MAC is found in any case and with separators")
		assert.Equal(t, "7c2f80000002", m.MAC)
		_, ok = w.Member("not a mac")
		assert.False(t, ok)
	})
}

func TestSystemsThatWouldShareAMACAreRefused(t *testing.T) {
	_, err := serve.New(serve.Config{Scenarios: []*scenario.Scenario{
		parse(t, "a.xml", site("7C2F80000001", "", "")), parse(t, "b.xml", site("7C2F80000002", "", ""))}, Fleet: 2})
	require.ErrorContains(t, err, "b.xml: the system's MAC 7c2f80000002 is already the MAC of a system of a.xml")
	_, err = serve.New(serve.Config{Scenarios: []*scenario.Scenario{parse(t, "a.xml", site("FFFFFFFFFFFE", "", ""))}, Fleet: 3})
	require.ErrorContains(t, err, "runs past the last MAC")
	_, err = serve.New(serve.Config{Scenarios: []*scenario.Scenario{parse(t, "a.xml", site("7C2F80000001", "", ""))}, Fleet: serve.MaxSystems + 1})
	require.ErrorContains(t, err, "the limit is")
}

func TestNoScenarioIsOneDefaultN870WithoutHandsets(t *testing.T) {
	w := newWorld(t, serve.Config{})
	do(t, w, func() {
		assert.Len(t, w.Members(), 1)
		m := w.Members()[0]
		assert.Equal(t, "N870", m.Sys.Product().Name)
		assert.Empty(t, m.Sys.Handsets())
		assert.NotNil(t, m.Live.Fetcher(), "a live system fetches once a URL is set")
		assert.Equal(t, scenario.DefaultStart, w.Now())
	})
}

// TestSystemsRunInTimeOrderAcrossTheWorld: the server under test sees
// the boot fetches of a spread fleet in the order of their simulated
// times, whatever order the systems were built in.
func TestSystemsRunInTimeOrderAcrossTheWorld(t *testing.T) {
	rec := &recorder{}
	srv := serveHTTP(t, rec)
	sc := parse(t, "a.xml", site("7C2F80000001", srv.URL+"/%MACD.xml", ""))
	w := newWorld(t, serve.Config{Scenarios: []*scenario.Scenario{sc}, Fleet: 8, BootSpread: 10 * time.Minute})
	type boot struct {
		mac string
		at  time.Time
	}
	var boots []boot
	do(t, w, func() {
		_, err := w.AdvanceTo(start.Add(10 * time.Minute))
		assert.NoError(t, err)
		for _, m := range w.Members() {
			reqs := m.Live.Fetcher().Requests()
			assert.Len(t, reqs, 1, m.MAC)
			assert.False(t, reqs[0].At.Before(start), m.MAC)
			assert.True(t, reqs[0].At.Before(start.Add(10*time.Minute)), "within the spread: %s", m.MAC)
			boots = append(boots, boot{m.MAC, reqs[0].At})
		}
	})
	slices.SortStableFunc(boots, func(a, b boot) int { return a.at.Compare(b.at) })
	var want []string
	for _, b := range boots {
		want = append(want, b.mac)
	}
	require.Equal(t, want, rec.asked())
	require.NotEqual(t, boots[0].at, boots[len(boots)-1].at, "the fetches are spread")

	// The same seed spreads them the same way.
	again := &recorder{}
	srv2 := serveHTTP(t, again)
	w2 := newWorld(t, serve.Config{Scenarios: []*scenario.Scenario{parse(t, "a.xml", site("7C2F80000001", srv2.URL+"/%MACD.xml", ""))}, Fleet: 8, BootSpread: 10 * time.Minute})
	do(t, w2, func() {
		_, err := w2.AdvanceTo(start.Add(10 * time.Minute))
		assert.NoError(t, err)
	})
	require.Equal(t, rec.asked(), again.asked())
}

func TestAdvanceRunsEveryBlockAndEventDueAndReportsThem(t *testing.T) {
	sc := parse(t, "a.xml", site("7C2F80000001", "", `<handset ipui="029e74a599" state="Registered"/>
  <at t="1h"><move ipui="029e74a599" range="out"/><provision><provisioning version="1.1" productID="e2"><nvm>
    <oper name="DeleteNotProvisionedHS"/></nvm></provisioning></provision></at>
  <at t="25h"><expect ipui="029e74a599" state="absent" ghost="true"/></at>`))
	w := newWorld(t, serve.Config{Scenarios: []*scenario.Scenario{sc}})
	do(t, w, func() {
		mv, err := w.AdvanceTo(start.Add(30 * time.Minute))
		assert.NoError(t, err)
		assert.Equal(t, start.Add(30*time.Minute), mv.Now)
		m := w.Members()[0]
		assert.Equal(t, w.Now(), m.Sys.Now(), "every system stands at the world's time")

		at, ok := w.NextDue()
		assert.True(t, ok)
		assert.Equal(t, start.Add(time.Hour), at, "the block is next")
		mv, err = w.Next()
		assert.NoError(t, err)
		assert.Equal(t, start.Add(time.Hour), mv.Now)
		assert.Equal(t, []string{"handset-moved", "provisioning-applied", "dereg-requested"}, types(mv.Events))

		mv, err = w.AdvanceTo(start.Add(26 * time.Hour))
		assert.NoError(t, err)
		assert.Contains(t, types(mv.Events), "ghost-created")
		res := m.Live.Result()
		assert.Len(t, res.Outcomes, 1)
		assert.True(t, res.Passed(), "the block's expectation ran at its time: %v", res.Failures)
	})
}

func types(recs []serve.Record) []string {
	var out []string
	for _, r := range recs {
		if r.E.Type != system.EvFetch {
			out = append(out, r.E.Type)
		}
	}
	return out
}

func TestTimeGoesForwardOnlyAndInBoundedSteps(t *testing.T) {
	w := newWorld(t, serve.Config{})
	do(t, w, func() {
		_, err := w.AdvanceTo(w.Now().Add(-time.Second))
		assert.ErrorContains(t, err, "time only goes forward")
		_, err = w.AdvanceTo(w.Now().Add(serve.MaxAdvance + time.Second))
		assert.ErrorContains(t, err, "move the clock in steps")
		mv, err := w.AdvanceTo(w.Now().Add(serve.MaxAdvance))
		assert.NoError(t, err)
		assert.Equal(t, scenario.DefaultStart.Add(serve.MaxAdvance), mv.Now)
	})
}

func TestTheEventsOfOneCallAreBoundedAndCounted(t *testing.T) {
	src := `<scenario name="chatty"><system mac="7C2F80000001" ghost-interval="1m"/>
  <handset ipui="029e74a599" state="Registered" range="out"/>
  <at t="0s"><provision><provisioning version="1.1" productID="e2"><nvm><oper name="DeleteNotProvisionedHS"/></nvm></provisioning></provision></at>
</scenario>`
	w := newWorld(t, serve.Config{Scenarios: []*scenario.Scenario{parse(t, "a.xml", src)}})
	do(t, w, func() {
		// A ghost in range tries every minute: 14,400 attempts in 10 days.
		_, err := w.AdvanceTo(w.Now().Add(24 * time.Hour))
		assert.NoError(t, err)
		m := w.Members()[0]
		assert.NoError(t, m.Sys.Move("029e74a599", true))
		w.Refresh(m)
		before := m.Sys.EventCount()
		mv, err := w.AdvanceTo(w.Now().Add(10 * 24 * time.Hour))
		assert.NoError(t, err)
		made := m.Sys.EventCount() - before
		assert.Greater(t, made, serve.MaxCollected)
		assert.Len(t, mv.Events, serve.MaxCollected)
		assert.Equal(t, made-serve.MaxCollected, mv.Omitted)
	})
}

func TestASystemThatStopsLeavesTheOthersRunning(t *testing.T) {
	busy := parse(t, "busy.xml", `<scenario name="busy" start="2026-01-05T09:00:00Z"><system mac="7C2F80000001" ghost-interval="1m" event-budget="50"/>
  <handset ipui="029e74a599" state="Registered" range="out"/>
  <at t="0s"><provision><provisioning version="1.1" productID="e2"><nvm><oper name="DeleteNotProvisionedHS"/></nvm></provisioning></provision></at>
  <at t="25h"><move ipui="029e74a599" range="in"/></at>
</scenario>`)
	calm := parse(t, "calm.xml", site("7C2F80000009", "", `<handset ipui="029e74a599" state="Registered"/><at t="48h"><expect ipui="029e74a599" state="Registered"/></at>`))
	w := newWorld(t, serve.Config{Scenarios: []*scenario.Scenario{busy, calm}})
	do(t, w, func() {
		_, err := w.AdvanceTo(w.Now().Add(72 * time.Hour))
		assert.NoError(t, err)
		ms := w.Members()
		assert.Error(t, ms[0].Err)
		assert.ErrorIs(t, ms[0].Err, system.ErrEventBudget)
		assert.NoError(t, ms[1].Err)
		assert.Equal(t, w.Now(), ms[1].Sys.Now())
		assert.Len(t, ms[1].Live.Result().Outcomes, 1, "the other system's block ran")
	})
}

func TestCheckSyncFindsTheSystemBySIPAccount(t *testing.T) {
	rec := &recorder{body: func(mac string) string {
		user := map[string]string{"7c2f80000001": "alice", "7c2f80000002": "bob"}[mac]
		return `<provisioning version="1.1" productID="e2"><nvm>
<param name="SipAccount.029e74a599.UserName" value="` + user + `"/>
<param name="SipAccount.029e74a599.AuthName" value="` + user + `-auth"/>
<param name="SystemSettings.global.CheckSyncRebootEnabled" value="1"/></nvm></provisioning>`
	}}
	srv := serveHTTP(t, rec)
	sc := parse(t, "a.xml", site("7C2F80000001", srv.URL+"/%MACD.xml", ""))
	w := newWorld(t, serve.Config{Scenarios: []*scenario.Scenario{sc}, Fleet: 2})
	do(t, w, func() {
		_, err := w.AdvanceTo(start.Add(time.Minute))
		assert.NoError(t, err)
	})
	require.Len(t, rec.asked(), 2)
	require.Equal(t, 200, w.CheckSync("bob", false))
	require.Equal(t, 200, w.CheckSync("alice-auth", true), "AuthName names the account too")
	require.Equal(t, 404, w.CheckSync("carol", false), "with two systems an unknown user reaches none")
	require.Equal(t, 404, w.CheckSync("", false))
	require.Equal(t, []string{"7c2f80000001", "7c2f80000002", "7c2f80000002", "7c2f80000001"}, rec.asked())
	do(t, w, func() {
		ms := w.Members()
		reboots := ms[0].Sys.FindEvents(system.EventQuery{Type: system.EvReboot})
		assert.Len(t, reboots, 1, "a real account may ask for a reboot")
		cs := ms[1].Sys.FindEvents(system.EventQuery{Type: system.EvCheckSync})
		assert.Len(t, cs, 1)
		assert.Equal(t, system.CheckSyncSIP, cs[0].Trigger)
	})
}

func TestStreamsGetEveryEventAndASlowReaderIsCut(t *testing.T) {
	w := newWorld(t, serve.Config{Scenarios: []*scenario.Scenario{parse(t, "a.xml", site("7C2F80000001", "", `<handset ipui="029e74a599"/>`))}})
	sub, err := w.Subscribe()
	require.NoError(t, err)
	do(t, w, func() {
		m := w.Members()[0]
		assert.NoError(t, m.Sys.Move("029e74a599", false))
	})
	var ev serve.EventJSON
	require.NoError(t, json.Unmarshal(<-sub.C, &ev))
	require.Equal(t, "handset-moved", ev.Type)
	require.Equal(t, "7c2f80000001", ev.MAC)
	require.Equal(t, 1, ev.Seq)

	do(t, w, func() {
		m := w.Members()[0]
		for i := 0; i <= serve.SubBuffer; i++ {
			assert.NoError(t, m.Sys.Move("029e74a599", i%2 == 0))
		}
	})
	n := 0
	for range sub.C {
		n++
	}
	require.Equal(t, serve.SubBuffer, n, "the buffer's worth, then the stream ends")
	require.True(t, sub.Lagged())

	sub2, _ := w.Subscribe()
	w.Close()
	_, open := <-sub2.C
	require.False(t, open, "Close ends every stream")
	_, err = w.Subscribe()
	require.ErrorIs(t, err, serve.ErrClosed)
}

func TestEventStreamsAreBounded(t *testing.T) {
	w := newWorld(t, serve.Config{})
	for i := 0; i < serve.MaxStreams; i++ {
		_, err := w.Subscribe()
		require.NoError(t, err)
	}
	_, err := w.Subscribe()
	require.ErrorIs(t, err, serve.ErrTooManyStreams)
}

func TestAPanicInACallIsAnErrorAndTheWorldGoesOn(t *testing.T) {
	w := newWorld(t, serve.Config{})
	err := w.Do(context.Background(), func() { panic("boom") })
	require.ErrorContains(t, err, "internal error: boom")
	do(t, w, func() {})
}

func TestCallsAfterCloseAreRefused(t *testing.T) {
	w, err := serve.New(serve.Config{})
	require.NoError(t, err)
	w.Close()
	w.Close()
	require.ErrorIs(t, w.Do(context.Background(), func() {}), serve.ErrClosed)
	require.Equal(t, 503, w.CheckSync("x", false))
}

func TestACallWhoseCallerLeftDoesNotRun(t *testing.T) {
	w := newWorld(t, serve.Config{})
	hold := make(chan struct{})
	go func() { _ = w.Do(context.Background(), func() { <-hold }) }()
	ctx, cancel := context.WithCancel(context.Background())
	ran := false
	done := make(chan error)
	go func() { done <- w.Do(ctx, func() { ran = true }) }()
	cancel()
	require.ErrorIs(t, <-done, context.Canceled)
	close(hold)
	do(t, w, func() {})
	require.False(t, ran)
}

func TestTheRealClockFollowsWallTimeAtItsSpeed(t *testing.T) {
	wall := clock.NewMock()
	w := newWorld(t, serve.Config{Real: true, Speed: 60, Wall: wall, Tick: time.Second})
	wall.Add(time.Minute)
	require.Eventually(t, func() bool {
		var now time.Time
		do(t, w, func() { now = w.Now() })
		return now.Equal(scenario.DefaultStart.Add(time.Hour))
	}, 5*time.Second, 5*time.Millisecond, "a minute of wall time is an hour at speed 60")

	// A jump made through the API: time goes on from there.
	do(t, w, func() {
		_, err := w.AdvanceTo(w.Now().Add(24 * time.Hour))
		assert.NoError(t, err)
		real, speed := w.RealClock()
		assert.True(t, real)
		assert.Equal(t, 60.0, speed)
	})
	wall.Add(time.Minute)
	require.Eventually(t, func() bool {
		var now time.Time
		do(t, w, func() { now = w.Now() })
		return now.Equal(scenario.DefaultStart.Add(26 * time.Hour))
	}, 5*time.Second, 5*time.Millisecond)
}

func TestBadClockSettingsAreRefused(t *testing.T) {
	_, err := serve.New(serve.Config{Real: true, Speed: -1})
	require.ErrorContains(t, err, "--speed")
	_, err = serve.New(serve.Config{BootSpread: -time.Second})
	require.ErrorContains(t, err, "negative")
}

func TestCloseLeavesNoGoroutine(t *testing.T) {
	before := runtime.NumGoroutine()
	rec := &recorder{}
	srv := httptest.NewServer(rec)
	w, err := serve.New(serve.Config{Scenarios: []*scenario.Scenario{parse(t, "a.xml", site("7C2F80000001", srv.URL+"/%MACD.xml", ""))},
		Fleet: 3, Real: true, Speed: 1000, Tick: time.Millisecond})
	require.NoError(t, err)
	sub, _ := w.Subscribe()
	require.Eventually(t, func() bool { return len(rec.asked()) == 3 }, 5*time.Second, time.Millisecond)
	w.Close()
	for range sub.C {
	}
	srv.Close()
	// Polled here, not in require.Eventually, whose checks run on
	// goroutines of their own.
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	require.LessOrEqual(t, runtime.NumGoroutine(), before)
}

func TestScenariosWithoutMACCountUpToAFreeOne(t *testing.T) {
	noMAC := `<scenario name="a"><handset ipui="029e74a599"/></scenario>`
	w := newWorld(t, serve.Config{Scenarios: []*scenario.Scenario{parse(t, "a.xml", noMAC), parse(t, "b.xml", noMAC)}, Fleet: 2})
	var macs []string
	do(t, w, func() {
		for _, m := range w.Members() {
			macs = append(macs, m.MAC)
		}
	})
	require.Equal(t, []string{"7c2f804200f3", "7c2f804200f4", "7c2f804200f5", "7c2f804200f6"}, macs,
		"the second file's seed gives the first one's MAC; it takes the next free one")
}

func TestOneSystemTakesAnonymousNotifiesButNoRebootFromThem(t *testing.T) {
	rec := &recorder{body: func(string) string {
		return `<provisioning version="1.1" productID="e2"><nvm><param name="SystemSettings.global.CheckSyncRebootEnabled" value="1"/></nvm></provisioning>`
	}}
	srv := serveHTTP(t, rec)
	w := newWorld(t, serve.Config{Scenarios: []*scenario.Scenario{parse(t, "a.xml", site("7C2F80000001", srv.URL+"/%MACD.xml", ""))}})
	do(t, w, func() {
		_, err := w.AdvanceTo(start.Add(time.Minute))
		assert.NoError(t, err)
	})
	require.Equal(t, 200, w.CheckSync("whoever", true))
	do(t, w, func() {
		sys := w.Members()[0].Sys
		assert.Empty(t, sys.FindEvents(system.EventQuery{Type: system.EvReboot}))
		assert.Len(t, sys.FindEvents(system.EventQuery{Type: system.EvCheckSync}), 1)
		ws := sys.FindEvents(system.EventQuery{Type: system.EvWarning})
		assert.Len(t, ws, 1)
		if len(ws) == 1 {
			assert.Equal(t, serve.WarnAnonymousReboot, ws[0].Code)
			assert.Contains(t, ws[0].Detail, `"whoever"`)
		}
	})
	require.Len(t, rec.asked(), 2, "the NOTIFY fetched at once")
}

func TestAMoveWhoseCallerLeftStopsWhereItIs(t *testing.T) {
	w := newWorld(t, serve.Config{Scenarios: []*scenario.Scenario{parse(t, "a.xml", site("7C2F80000001", "", `<handset ipui="029e74a599"/>`))}, Fleet: 2})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	do(t, w, func() {
		mv, err := w.AdvanceWithin(ctx, start.Add(30*24*time.Hour))
		assert.NoError(t, err)
		assert.Equal(t, start, mv.Now, "the boot fetches were due: the move stopped before them")
		assert.Empty(t, mv.Events)
		for _, m := range w.Members() {
			assert.Equal(t, start, m.Sys.Now(), "every system stands where the clock stopped")
		}
		mv, err = w.AdvanceWithin(context.Background(), start.Add(24*time.Hour))
		assert.NoError(t, err)
		assert.Equal(t, start.Add(24*time.Hour), mv.Now, "a caller that stays gets the whole move")
		assert.NotEmpty(t, mv.Events)
	})
}

// TestTheWorldIsSafeForConcurrentUse: calls, reads, NOTIFYs and streams
// from many goroutines at once (run under -race) all complete, and the
// clock ends where the calls moved it.
func TestTheWorldIsSafeForConcurrentUse(t *testing.T) {
	w := newWorld(t, serve.Config{Scenarios: []*scenario.Scenario{parse(t, "a.xml", site("7C2F80000001", "", `<handset ipui="029e74a599" state="Registered"/>`))}, Fleet: 3})
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sub, err := w.Subscribe()
			if err == nil {
				defer w.Unsubscribe(sub)
			}
			for j := 0; j < 20; j++ {
				_ = w.Do(context.Background(), func() {
					_, _ = w.AdvanceTo(w.Now().Add(time.Minute))
					m := w.Members()[j%3]
					_ = m.Sys.Move("029e74a599", j%2 == 0)
					w.Refresh(m)
				})
				_ = w.Read(context.Background(), func() { _ = w.Members()[0].Sys.Slots() })
				_ = w.CheckSync("nobody", false)
			}
		}()
	}
	wg.Wait()
	do(t, w, func() { assert.Equal(t, start.Add(160*time.Minute), w.Now()) })
}
