package dectsimtest

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dectsim/dectsim/emulator/system"
)

// within runs f and fails the test, instead of hanging it, when f has not
// returned within a generous real-time deadline.
func within(t *testing.T, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatalf("%s did not return within 20 s: a deadlock", what)
	}
}

// readingHandler serves a file that depends on the simulated date, read
// from the Sim while serving, and tries to drive the Sim from inside the
// fetch.
type readingHandler struct {
	mu        sync.Mutex
	sim       *Sim
	seen      []time.Time
	driveErrs []error
}

func (h *readingHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	sim := h.sim
	h.mu.Unlock()
	now := sim.Now()
	_ = sim.Clock().Now()
	_ = sim.Slots()
	_ = sim.Events()
	_ = sim.Timeline("")
	sim.CheckGhostCount(&recorder{}, 0)
	errs := []error{sim.Advance(time.Second), sim.SendCheckSync(), sim.Move("02b6ec8aa5", false)}
	_, applyErr := sim.Apply("x.xml", []byte(ghostFile))
	errs = append(errs, applyErr)
	h.mu.Lock()
	h.seen = append(h.seen, now)
	h.driveErrs = append(h.driveErrs, errs...)
	h.mu.Unlock()
	if now.Hour() >= 12 {
		_, _ = w.Write([]byte(ghostFile))
		return
	}
	_, _ = w.Write([]byte(`<provisioning version="1.1" productID="e2"><nvm/></provisioning>`))
}

// TestAHandlerMayReadTheSimDuringAFetch: a server that decides what to
// serve by reading the Sim neither deadlocks nor times out, over a socket
// and in process; driving calls from the handler fail fast with
// ErrFetching; the fetch's outcome is what the server answered.
func TestAHandlerMayReadTheSimDuringAFetch(t *testing.T) {
	for _, mode := range []string{"socket", "in-process"} {
		t.Run(mode, func(t *testing.T) {
			h := &readingHandler{}
			opts := []Option{WithSystem(system.WithStart(time.Date(2026, 1, 1, 11, 0, 0, 0, time.UTC)))}
			if mode == "socket" {
				srv := httptest.NewServer(h)
				t.Cleanup(srv.Close)
				opts = append(opts, WithURL(srv.URL+"/%MACD.xml"), WithHTTPClient(srv.Client()))
			} else {
				opts = append(opts, WithURL("http://pbx.invalid/%MACD.xml"), WithHandler(h))
			}
			sim := NewT(t, opts...)
			h.mu.Lock()
			h.sim = sim
			h.mu.Unlock()
			require.NoError(t, sim.AddRegistered("02b6ec8aa5"))
			within(t, "Advance with a handler reading the Sim", func() {
				require.NoError(t, sim.Advance(time.Minute))
			})
			within(t, "CheckSync with a handler reading the Sim", func() {
				require.NoError(t, sim.AdvanceTo(time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)))
				require.NoError(t, sim.SendCheckSync())
				require.NoError(t, sim.Advance(time.Minute))
			})
			h.mu.Lock()
			defer h.mu.Unlock()
			require.Equal(t, []time.Time{time.Date(2026, 1, 1, 11, 0, 0, 0, time.UTC), time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)}, h.seen,
				"the handler read the simulated time of each fetch")
			for _, err := range h.driveErrs {
				require.True(t, errors.Is(err, ErrFetching), "a driving call from the handler: %v", err)
			}
			require.True(t, sim.CheckFetches(t, "ok", 2), "no fetch timed out")
			sim.CheckState(t, "02b6ec8aa5", system.Absent)
			sim.CheckNotGhost(t, "02b6ec8aa5")
		})
	}
}

// TestReadsFromAnotherGoroutineDoNotWaitForAFetch: while the server under
// test holds its answer back, another goroutine reads the Sim; the server
// answers only once those reads have returned.
func TestReadsFromAnotherGoroutineDoNotWaitForAFetch(t *testing.T) {
	inFetch := make(chan struct{})
	readsDone := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(inFetch)
		<-readsDone
		_, _ = w.Write([]byte(ghostFile))
	})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	sim := NewT(t, WithURL(srv.URL+"/p.xml"), WithHTTPClient(srv.Client()))
	require.NoError(t, sim.AddRegistered("02b6ec8aa5"))
	go func() {
		<-inFetch
		defer close(readsDone)
		_ = sim.Now()
		_ = sim.Slots()
		_ = sim.Requests()
		_, _ = sim.Setting("x")
		_, _ = sim.Slot("02b6ec8aa5")
		_, _ = sim.Handset("02b6ec8aa5")
		_ = sim.Handsets()
		_ = sim.Ghosts()
		_ = sim.Settings()
	}()
	within(t, "Advance while another goroutine reads", func() {
		require.NoError(t, sim.Advance(time.Minute))
	})
	sim.CheckFetches(t, "ok", 1)
}

// TestCloseDuringAFetchWaitsForIt: Close from a handler takes effect when
// the fetch is done; nothing deadlocks.
func TestCloseDuringAFetchWaitsForIt(t *testing.T) {
	var sim *Sim
	var mu sync.Mutex
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		s := sim
		mu.Unlock()
		s.Close()
		_, _ = w.Write([]byte(ghostFile))
	})
	s, err := New(WithURL("http://pbx.invalid/p.xml"), WithHandler(h))
	require.NoError(t, err)
	mu.Lock()
	sim = s
	mu.Unlock()
	within(t, "Advance with Close in the handler", func() {
		require.NoError(t, s.Advance(time.Minute))
	})
	require.True(t, s.closed)
	s.Close()
}

// BenchmarkAdvanceWithClock is 1,000 one-minute Advance calls of a system
// with handsets and a daily fetch (building the system is not timed), with
// Clock() taken and without; the ratio is in docs/performance.md (the
// target: at most 1.5).
func BenchmarkAdvanceWithClock(b *testing.B) {
	file := []byte(ghostFile)
	for _, taken := range []bool{false, true} {
		name := "without"
		if taken {
			name = "with"
		}
		b.Run(name, func(b *testing.B) {
			for range b.N {
				b.StopTimer() // building the system is not what is measured
				sim, err := New(WithURL("http://pbx.invalid/p.xml"), WithHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					_, _ = w.Write(file)
				})))
				if err != nil {
					b.Fatal(err)
				}
				for i := range 10 {
					if err := sim.AddHandset(system.HandsetSpec{IPUI: fmt.Sprintf("02000000%02x", i), State: system.Registered}); err != nil {
						b.Fatal(err)
					}
				}
				if taken {
					_ = sim.Clock().Now()
				}
				b.StartTimer()
				for range 1000 {
					if err := sim.Advance(time.Minute); err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				sim.Close()
			}
		})
	}
}
