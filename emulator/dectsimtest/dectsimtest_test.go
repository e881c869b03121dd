package dectsimtest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dectsim/dectsim/emulator/system"
)

const ghostFile = `<provisioning version="1.1" productID="e2"><nvm><oper name="DeleteNotProvisionedHS"/></nvm></provisioning>`

// recorder is a T that keeps what the check helpers report.
type recorder struct {
	msgs []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.msgs = append(r.msgs, fmt.Sprintf(format, args...))
}

func fileServer(body string) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(body))
	}))
}

func TestNewTFetchesFromAnHTTPTestServer(t *testing.T) {
	srv := fileServer(ghostFile)
	defer srv.Close()
	sim := NewT(t, WithURL(srv.URL+"/%MACD.xml"), WithHTTPClient(srv.Client()), WithSystem(system.WithMAC("7C2F80A1B2C3")))
	require.NoError(t, sim.AddRegistered("02b6ec8aa5"))
	require.NoError(t, sim.Advance(0), "the boot fetch runs at t=0")
	reqs := sim.Requests()
	require.Len(t, reqs, 1)
	require.Equal(t, srv.URL+"/7c2f80a1b2c3.xml", reqs[0].URL)
	require.Equal(t, "Gigaset N870 IP PRO/83.V2.65.0+build.8504c90;7C2F80A1B2C3", reqs[0].UserAgent)
	require.NoError(t, sim.Advance(time.Minute))
	require.True(t, sim.CheckState(t, "02b6ec8aa5", system.Absent))
	require.True(t, sim.CheckEvent(t, system.EvFetch, "", "ok", 1))
}

func TestCheckHelpersFailWithTheHandsetsTimeline(t *testing.T) {
	sim := NewT(t)
	require.NoError(t, sim.AddHandset(system.HandsetSpec{IPUI: "02b6ec8aa5", State: system.Registered, OutOfRange: true}))
	_, err := sim.Apply("x.xml", []byte(ghostFile))
	require.NoError(t, err)
	require.NoError(t, sim.Advance(25*time.Hour))

	var r recorder
	require.False(t, sim.CheckRegistered(&r, "02b6ec8aa5"))
	require.False(t, sim.CheckNotGhost(&r, "02b6ec8aa5"))
	require.False(t, sim.CheckSlotCount(&r, 1))
	require.False(t, sim.CheckGhostCount(&r, 0))
	require.False(t, sim.CheckParam(&r, "A.0.b", "1"))
	require.False(t, sim.CheckEvent(&r, system.EvDeregCompleted, "02b6ec8aa5", "graceful", -1))
	require.Len(t, r.msgs, 6)
	require.Contains(t, r.msgs[0], "handset 02b6ec8aa5 is not registered (slot absent, subscribed true)")
	require.Contains(t, r.msgs[0], "dereg-requested")
	require.Contains(t, r.msgs[0], "+24h0m0s")
	require.Contains(t, r.msgs[0], "dereg-timeout")
	require.Contains(t, r.msgs[1], "is a ghost")
	require.Contains(t, r.msgs[3], "1 ghosts [02b6ec8aa5], want 0")

	r.msgs = nil
	require.True(t, sim.CheckGhost(&r, "02b6ec8aa5"))
	require.True(t, sim.CheckSlotCount(&r, 0))
	require.True(t, sim.CheckNoParam(&r, "hs.02b6ec8aa5.DECT_AC"))
	require.True(t, sim.CheckEvent(&r, system.EvDeregTimeout, "02b6ec8aa5", "", 1))
	require.Empty(t, r.msgs)
}

type fatalRecorder struct {
	recorder
	fatal    string
	cleanups []func()
}

func (f *fatalRecorder) Fatalf(format string, args ...any) { f.fatal = fmt.Sprintf(format, args...) }
func (f *fatalRecorder) Cleanup(fn func())                 { f.cleanups = append(f.cleanups, fn) }

func TestNewTFailsTheTestOnBadOptionsAndRegistersClose(t *testing.T) {
	var f fatalRecorder
	require.Nil(t, NewT(&f, WithSystem(system.WithProduct("N999"))))
	require.Contains(t, f.fatal, "unknown product")
	var g fatalRecorder
	sim := NewT(&g)
	require.NotNil(t, sim)
	require.Len(t, g.cleanups, 1)
	g.cleanups[0]()
	sim.Close() // twice is fine
}

// TestNoGoroutineOutlivesClose: a Sim with its own HTTP client, after a
// fetch, leaves nothing running once closed.
func TestNoGoroutineOutlivesClose(t *testing.T) {
	srv := fileServer(ghostFile)
	client := srv.Client()
	base := runtime.NumGoroutine()
	sim, err := New(WithURL(srv.URL + "/p.xml"))
	require.NoError(t, err)
	require.NoError(t, sim.Advance(time.Minute))
	sim.SendCheckSync()
	require.NoError(t, sim.Advance(time.Minute))
	require.Len(t, sim.Requests(), 2)
	sim.Close()
	client.CloseIdleConnections()
	srv.Close()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > base && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	require.LessOrEqual(t, runtime.NumGoroutine(), base, "goroutines left after Close")
}

// TestSafeForConcurrentReadsWhileAdvancing runs under -race in CI.
func TestSafeForConcurrentReadsWhileAdvancing(t *testing.T) {
	sim := NewT(t)
	for i := 0; i < 20; i++ {
		require.NoError(t, sim.AddHandset(system.HandsetSpec{IPUI: fmt.Sprintf("02000000%02x", i), State: system.Registered, OutOfRange: i%2 == 0}))
	}
	_, err := sim.Apply("x.xml", []byte(ghostFile))
	require.NoError(t, err)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
					_ = sim.Slots()
					_ = sim.Events()
					_ = sim.Ghosts()
					_ = sim.Timeline("")
				}
			}
		}()
	}
	for h := 0; h < 30; h++ {
		require.NoError(t, sim.Advance(time.Hour))
	}
	close(stop)
	wg.Wait()
	require.Len(t, sim.Ghosts(), 10)
}

// TestWorksInsideSynctest: with a handler the Sim needs no sockets and
// starts no goroutines, so a synctest bubble can hold it.
func TestWorksInsideSynctest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !strings.HasPrefix(r.UserAgent(), "Gigaset ") {
				w.WriteHeader(http.StatusForbidden)
				return
			}
			_, _ = w.Write([]byte(ghostFile))
		})
		sim := NewT(t, WithURL("http://pbx.invalid/prov/"), WithHandler(h))
		require.NoError(t, sim.AddHandset(system.HandsetSpec{IPUI: "02b6ec8aa5", State: system.Registered, Off: true}))
		require.NoError(t, sim.Advance(25*time.Hour))
		sim.CheckGhost(t, "02b6ec8aa5")
		synctest.Wait()
	})
}

func TestClockMovesOnlyWithAdvance(t *testing.T) {
	sim := NewT(t, WithSystem(system.WithStart(time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC))))
	clk := sim.Clock()
	require.Equal(t, time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC), clk.Now())
	require.NoError(t, sim.Advance(90*time.Minute))
	require.Equal(t, time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC), sim.Clock().Now())
	require.Equal(t, sim.Now(), clk.Now())
}
