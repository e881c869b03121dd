package serve_test

// The fleet target (docs/performance.md): `dectsim serve --fleet 1000` with 20
// handsets per system, booting against a loopback server that answers
// every MAC with a small file, spends at most 2× the CPU of a bare Go loop
// doing the same GETs and parsing the same bytes with the project's
// reader; an idle system costs at most 64 KiB plus 2 KiB per handset.
//
// CPU is process CPU (getrusage user+sys), not wall time: the machine the
// figures come from has two cores, and the world's goroutine, the HTTP
// transport's connection goroutines and the garbage collector all run
// beside one another. The provisioning server runs in a process of its own
// (this test binary again, as TestHelperFleetServer), so neither side's
// figure holds the server's work: in `dectsim serve` the server is another
// program, and leaving it in the process would add the same amount to both
// sides and flatter the ratio. The server reports its own CPU, so a figure
// with it included can still be worked out (fleet-server-cpu-ns/fetch).
//
// Reproduce, interleaved (docs/performance.md):
//
//	go test -c -o /tmp/serve.test ./cmd/dectsim/internal/serve/
//	for r in 1 2 3; do /tmp/serve.test -test.run '^$' -test.bench 'FleetBoot' -test.benchtime 3x; done
//	/tmp/serve.test -test.run '^$' -test.bench 'IdleSystemMemory' -test.benchtime 1x -test.count 3

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/dectsim/dectsim/cmd/dectsim/internal/serve"
	"github.com/dectsim/dectsim/emulator/autoprov"
	"github.com/dectsim/dectsim/emulator/scenario"
	"github.com/dectsim/dectsim/emulator/system"
	"github.com/dectsim/dectsim/internal/provfile"
)

const (
	// fleetSize and fleetHandsets are the target's fleet.
	fleetSize     = 1000
	fleetHandsets = 20
	// fleetMAC is the first system's MAC; the fleet counts up from it.
	fleetMAC = 0x7C2F80000001
	// fleetServerEnv makes TestHelperFleetServer the provisioning server.
	fleetServerEnv = "DECTSIM_FLEET_BENCH_SERVER"
	// idleBudget is the memory promise for an idle system: 64 KiB plus
	// 2 KiB per handset.
	idleBase, idlePerHandset = 64 << 10, 2 << 10
)

var fleetStart = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

// fleetScenario is one system of the fleet with its handsets: in the world
// only (state ""), or already registered ("Registered"). url "" gives no
// provisioning URL.
func fleetScenario(tb testing.TB, url, state string) *scenario.Scenario {
	tb.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, `<scenario name="fleet" start="%s">`+"\n", fleetStart.Format(time.RFC3339))
	u := ""
	if url != "" {
		u = fmt.Sprintf(` provisioning-url="%s"`, url)
	}
	fmt.Fprintf(&b, `  <system product="N870" mac="%012X"%s/>`+"\n", uint64(fleetMAC), u)
	st := ""
	if state != "" {
		st = fmt.Sprintf(` state="%s"`, state)
	}
	for i := range fleetHandsets {
		fmt.Fprintf(&b, `  <handset ipui="%s"%s/>`+"\n", provfile.GenerateIPUI(i), st)
	}
	b.WriteString("</scenario>\n")
	sc, err := scenario.Parse("fleet.xml", []byte(b.String()))
	if err != nil {
		tb.Fatal(err)
	}
	return sc
}

// fleetFile is the small file the server gives every MAC: one add_hs with
// hs.RegStatus=ToReg and four params per handset of fleetScenario.
func fleetFile() []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<provisioning version="1.1" productID="e2">
  <nvm>
`)
	for i := range fleetHandsets {
		id := provfile.GenerateIPUI(i)
		fmt.Fprintf(&b, `    <oper name="add_hs" value="%s"><param name="hs.RegStatus" value="ToReg"/></oper>
    <param name="hs.%s.DECT_AC" value="%04d"/>
    <param name="SipAccount.%s.AuthName" value="u%d"/>
    <param name="SipAccount.%s.UserName" value="u%d"/>
    <param name="SipAccount.%s.DisplayName" value="Handset %d"/>
`, id, id, 1000+i, id, 1000+i, id, 1000+i, id, i+1)
	}
	b.WriteString("  </nvm>\n</provisioning>\n")
	return []byte(b.String())
}

// fleetURL is the file URL of fleet system i, as the systems write it.
func fleetURL(base string, i int) string {
	return fmt.Sprintf("%s/%012x.xml", base, uint64(fleetMAC+i))
}

// processCPU is the CPU time (user + system) this process has used.
func processCPU(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatalf("getrusage: %v", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestHelperFleetServer is not a test: run by fleetServer with
// fleetServerEnv set, it is the benchmarks' provisioning server, in a
// process of its own. It serves fleetFile for every *.xml path, its own
// CPU time at /cpu and its count of file requests at /count, prints its
// URL and runs until its standard input is closed.
func TestHelperFleetServer(t *testing.T) {
	if os.Getenv(fleetServerEnv) != "1" {
		return
	}
	body := fleetFile()
	var files atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/cpu":
			fmt.Fprint(w, int64(processCPU(t)))
		case r.URL.Path == "/count":
			fmt.Fprint(w, files.Load())
		case strings.HasSuffix(r.URL.Path, ".xml"):
			files.Add(1)
			w.Header().Set("Content-Type", "application/xml")
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			_, _ = w.Write(body)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	fmt.Println(srv.URL)
	_, _ = io.Copy(io.Discard, os.Stdin)
}

// helperServer is the server process as the benchmarks see it.
type helperServer struct {
	url    string
	client *http.Client // for /cpu and /count, its own connection
}

// fleetServer starts the provisioning server process; it stops when the
// benchmark ends.
func fleetServer(tb testing.TB) *helperServer {
	tb.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperFleetServer$", "-test.count=1")
	cmd.Env = append(os.Environ(), fleetServerEnv+"=1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	exited := make(chan struct{})
	tb.Cleanup(func() {
		_ = stdin.Close()
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	r := bufio.NewReader(stdout)
	line, err := r.ReadString('\n')
	go func() {
		_, _ = io.Copy(io.Discard, r)
		_ = cmd.Wait()
		close(exited)
	}()
	if err != nil || !strings.HasPrefix(line, "http://") {
		tb.Fatalf("the server process did not give its URL: %q, %v", line, err)
	}
	s := &helperServer{url: strings.TrimSpace(line),
		client: &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}}
	tb.Cleanup(s.client.CloseIdleConnections)
	return s
}

func (s *helperServer) number(tb testing.TB, path string) int64 {
	tb.Helper()
	resp, err := s.client.Get(s.url + path)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	n, err := strconv.ParseInt(string(data), 10, 64)
	if err != nil {
		tb.Fatalf("%s: %q", path, data)
	}
	return n
}

// fleetCounters are what a fleet benchmark reports besides ns/op.
type fleetCounters struct {
	cpu, wall    time.Duration // the fetch-and-apply part
	srvCPU, reqs int64
	srv          *helperServer
}

func (c *fleetCounters) begin(tb testing.TB) {
	c.srvCPU, c.reqs = c.srv.number(tb, "/cpu"), c.srv.number(tb, "/count")
}

func (c *fleetCounters) report(b *testing.B, fetches int) {
	srvCPU := c.srv.number(b, "/cpu") - c.srvCPU
	reqs := c.srv.number(b, "/count") - c.reqs
	n := float64(fetches)
	b.ReportMetric(float64(c.cpu.Nanoseconds())/n, "cpu-ns/fetch")
	b.ReportMetric(float64(c.wall.Nanoseconds())/n, "wall-ns/fetch")
	b.ReportMetric(float64(srvCPU)/n, "server-cpu-ns/fetch")
	b.ReportMetric(float64(reqs)/n, "req/fetch")
}

// BenchmarkFleetBoot boots a fleet of 1,000 N870s with 20 handsets each
// (in the world, not registered) against the server: every system's boot
// fetch at t=0, its file applied a second later. cpu-ns/fetch is this
// process's CPU over the advance that does it, per system; build-cpu-ns and
// close-cpu-ns per system are the world's making and closing, which the
// bare loop has no counterpart for.
func BenchmarkFleetBoot(b *testing.B) {
	srv := fleetServer(b)
	sc := fleetScenario(b, srv.url+"/%MACD.xml", "")
	c := fleetCounters{srv: srv}
	var build, closing time.Duration
	ctx := context.Background()
	c.begin(b)
	b.ResetTimer()
	for range b.N {
		c0 := processCPU(b)
		w, err := serve.New(serve.Config{Scenarios: []*scenario.Scenario{sc}, Fleet: fleetSize})
		if err != nil {
			b.Fatal(err)
		}
		c1, t1 := processCPU(b), time.Now()
		err = w.Do(ctx, func() { _, err = w.AdvanceTo(fleetStart.Add(2 * time.Second)) })
		t2, c2 := time.Now(), processCPU(b)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if err := w.Do(ctx, func() { err = fleetBooted(w, srv.url) }); err != nil {
			b.Fatal(err)
		}
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		c3 := processCPU(b)
		w.Close()
		c4 := processCPU(b)
		build += c1 - c0
		c.cpu += c2 - c1
		c.wall += t2.Sub(t1)
		closing += c4 - c3
	}
	b.StopTimer()
	fetches := b.N * fleetSize
	c.report(b, fetches)
	b.ReportMetric(float64(build.Nanoseconds())/float64(fetches), "build-cpu-ns/system")
	b.ReportMetric(float64(closing.Nanoseconds())/float64(fetches), "close-cpu-ns/system")
}

// fleetBooted checks (inside Do) that every system made one request for
// its own file and applied it: 20 slots waiting for their handsets.
func fleetBooted(w *serve.World, base string) error {
	ms := w.Members()
	if len(ms) != fleetSize {
		return fmt.Errorf("%d systems, want %d", len(ms), fleetSize)
	}
	for i, m := range ms {
		if m.Err != nil {
			return fmt.Errorf("%s stopped: %v", m.MAC, m.Err)
		}
		reqs := m.Live.Fetcher().Requests()
		if len(reqs) != 1 || reqs[0].URL != fleetURL(base, i) || reqs[0].Status != http.StatusOK {
			return fmt.Errorf("%s: requests %+v, want one GET %s answered 200", m.MAC, reqs, fleetURL(base, i))
		}
		applied := m.Sys.CountEvents(system.EventQuery{Type: system.EvProvisioningApplied})
		if applied != 1 || m.Sys.SlotCount() != fleetHandsets {
			return fmt.Errorf("%s: %d files applied and %d slots, want 1 and %d", m.MAC, applied, m.Sys.SlotCount(), fleetHandsets)
		}
	}
	return nil
}

// BenchmarkFleetBootBaseline is the bare loop BenchmarkFleetBoot is
// measured against: one http.Client (a clone of the default transport, as
// the world's own client), the same 1,000 URLs, one GET each with the
// User-Agent the systems send (the server needs no authentication, so a
// boot fetch is exactly one request), the body read whole and parsed with
// provfile.ParseWith and the limits autoprov's fetcher parses with.
func BenchmarkFleetBootBaseline(b *testing.B) {
	srv := fleetServer(b)
	urls := make([]string, fleetSize)
	uas := make([]string, fleetSize)
	n870, err := system.New(system.WithProduct("N870"))
	if err != nil {
		b.Fatal(err)
	}
	for i := range urls {
		urls[i] = fleetURL(srv.url, i)
		uas[i] = autoprov.UserAgent(n870.Product(), n870.Firmware(), fmt.Sprintf("%012X", uint64(fleetMAC+i)))
	}
	c := fleetCounters{srv: srv}
	items := 0
	c.begin(b)
	b.ResetTimer()
	for range b.N {
		client := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
		c0, t0 := processCPU(b), time.Now()
		for i, u := range urls {
			req, err := http.NewRequest(http.MethodGet, u, nil)
			if err != nil {
				b.Fatal(err)
			}
			req.Header.Set("User-Agent", uas[i])
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			data, err := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			if err != nil || resp.StatusCode != http.StatusOK {
				b.Fatalf("GET %s: %s, %v", u, resp.Status, err)
			}
			f, err := provfile.ParseWith(u, data, provfile.Options{Limits: provfile.DefaultLimits})
			if err != nil {
				b.Fatal(err)
			}
			items += len(f.Items)
		}
		t1, c1 := time.Now(), processCPU(b)
		client.CloseIdleConnections()
		c.cpu += c1 - c0
		c.wall += t1.Sub(t0)
	}
	b.StopTimer()
	if items != b.N*fleetSize*fleetHandsets*5 {
		b.Fatalf("%d items read, want %d", items, b.N*fleetSize*fleetHandsets*5)
	}
	c.report(b, b.N*fleetSize)
}

// idleWorld builds n systems of sc, lets them boot (2 s of simulated time:
// the boot check and its result) and says what the retained heap grew by,
// per system. The world stays open until the measure is taken, then it is
// closed.
func idleWorld(tb testing.TB, sc *scenario.Scenario, n int, check func(*serve.Member) error) float64 {
	tb.Helper()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&before)
	w, err := serve.New(serve.Config{Scenarios: []*scenario.Scenario{sc}, Fleet: n})
	if err != nil {
		tb.Fatal(err)
	}
	defer w.Close()
	err = w.Do(context.Background(), func() {
		if _, err = w.AdvanceTo(fleetStart.Add(2 * time.Second)); err != nil {
			return
		}
		for _, m := range w.Members() {
			if err = check(m); err != nil {
				return
			}
		}
	})
	if err != nil {
		tb.Fatal(err)
	}
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(w)
	return (float64(after.HeapAlloc) - float64(before.HeapAlloc)) / float64(n)
}

// registeredIdle: every handset registered in its slot, nothing else held.
func registeredIdle(m *serve.Member) error {
	if m.Err != nil {
		return m.Err
	}
	n := 0
	for _, s := range m.Sys.Slots() {
		if s.State == system.Registered {
			n++
		}
	}
	if n != fleetHandsets {
		return fmt.Errorf("%s: %d registered slots, want %d", m.MAC, n, fleetHandsets)
	}
	return nil
}

// provisionedIdle: registered, and the boot fetch applied the small file
// (its params are held now).
func provisionedIdle(m *serve.Member) error {
	if err := registeredIdle(m); err != nil {
		return err
	}
	if n := m.Sys.CountEvents(system.EventQuery{Type: system.EvProvisioningApplied}); n != 1 {
		return fmt.Errorf("%s: %d files applied, want 1", m.MAC, n)
	}
	return nil
}

// BenchmarkIdleSystemMemory measures the retained heap of an idle system:
// 1,000 N870s, 20 registered handsets each, booted. "registered" has no
// provisioning URL (its boot check fails at once with no-url); "provisioned"
// fetched and applied the small file at boot, so it also holds 80 params
// and a provisioning-applied event.
func BenchmarkIdleSystemMemory(b *testing.B) {
	srv := fleetServer(b)
	for _, v := range []struct {
		name  string
		url   string
		check func(*serve.Member) error
	}{
		{"registered", "", registeredIdle},
		{"provisioned", srv.url + "/%MACD.xml", provisionedIdle},
	} {
		b.Run(v.name, func(b *testing.B) {
			sc := fleetScenario(b, v.url, "Registered")
			var sum float64
			for range b.N {
				sum += idleWorld(b, sc, fleetSize, v.check)
			}
			per := sum / float64(b.N)
			b.ReportMetric(per, "B/system")
			b.ReportMetric(per-fleetHandsets*idlePerHandset, "B/system-20x2KiB")
			b.ReportMetric(100*per/(idleBase+fleetHandsets*idlePerHandset), "%budget")
		})
	}
}

// TestIdleSystemFitsTheMemoryBudget holds the memory promise of docs/performance.md:
// an idle system costs at most 64 KiB plus 2 KiB per handset. Memory, not
// time, so a test may assert it: the retained heap after two collections,
// with and without a file applied at boot.
func TestIdleSystemFitsTheMemoryBudget(t *testing.T) {
	const n = 200
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write(fleetFile())
	}))
	defer srv.Close()
	budget := float64(idleBase + fleetHandsets*idlePerHandset)
	for _, v := range []struct {
		name  string
		url   string
		check func(*serve.Member) error
	}{
		{"registered", "", registeredIdle},
		{"provisioned", srv.URL + "/%MACD.xml", provisionedIdle},
	} {
		t.Run(v.name, func(t *testing.T) {
			per := idleWorld(t, fleetScenario(t, v.url, "Registered"), n, v.check)
			t.Logf("%d systems with %d registered handsets: %.0f B per system (budget %.0f B)", n, fleetHandsets, per, budget)
			if per > budget {
				t.Errorf("an idle system with %d handsets holds %.0f B; the promise is at most %.0f B (64 KiB + 2 KiB per handset)", fleetHandsets, per, budget)
			}
		})
	}
}
