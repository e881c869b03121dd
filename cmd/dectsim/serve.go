package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/dectsim/dectsim/cmd/dectsim/internal/serve"
	"github.com/dectsim/dectsim/cmd/dectsim/internal/serve/api"
	"github.com/dectsim/dectsim/cmd/dectsim/internal/serve/page"
	"github.com/dectsim/dectsim/cmd/dectsim/internal/serve/sipd"
	"github.com/dectsim/dectsim/emulator/scenario"
	"github.com/dectsim/dectsim/emulator/system"
	"github.com/dectsim/dectsim/internal/textio/printable"
)

const serveHelp = `Usage: dectsim serve [--addr 127.0.0.1:8080] [--sip 127.0.0.1:5060] [--sip-register] [--clock manual|real] [--speed X] [--fleet N] [--boot-spread D] [--reading NAME=VALUE]... [--var NAME=VALUE]... [SCENARIO...]

Runs emulated systems live, for a provisioning server written in any
language: they fetch from it over real HTTP, take SIP NOTIFY check-sync
over UDP, and are driven and read through a JSON API and a web page.

Each SCENARIO file is one system (its <system> and <handset> elements);
its <at> blocks run when the clock reaches them, and their expectations'
results show in the API. No file: one default N870 without handsets.
--fleet N makes N systems of each file, MACs counting up from its MAC;
--boot-spread D spreads their boot fetches over D, as after a power cut.
--sip-register sends each handset's SIP REGISTER to the registrar its
files name, from the --sip address, as a DECT manager does.

The clock: --clock manual (the default) moves only through the API or the
page (POST /api/advance); --clock real follows wall time, --speed times
as fast. Nothing happens until the clock moves: the boot fetches are due
at the start.

API (JSON): GET /api/systems, /api/systems/{mac}, .../settings,
.../events?since=SEQ, /api/events (Server-Sent Events), /api/clock,
/api/readings; POST /api/systems/{mac}/steps, .../provision,
/api/advance. The page is at /. See docs/serve.md.

It listens on loopback unless --addr names another address, and stops
cleanly (exit 0) on SIGINT or SIGTERM.

Examples:
  dectsim serve scenarios/ghost-after-24h.xml
  dectsim serve --sip 127.0.0.1:5060 --var PORT=8000 my-site.xml
  dectsim serve --fleet 1000 --boot-spread 10m site.xml
  dectsim serve --clock real --speed 3600 scenarios/ghost-after-24h.xml

Flags:
`

// serveConfig is what the command line asked for.
type serveConfig struct {
	addr, sip  string
	clockMode  string
	speed      float64
	fleet      int
	bootSpread time.Duration
	readings   readingFlags
	files      []string
	// sipRegister sends every system's REGISTERs to the registrars its
	// files name (--sip-register); registrar is the client it uses.
	sipRegister bool
	registrar   *servedRegistrar
}

// The timeouts keep a slow or silent client from holding a connection:
// headers must come within 10 s, a whole request (an upload) within a
// minute. Streams write without a deadline. Variables, so a test can
// shorten them.
var (
	serveHeaderTimeout = 10 * time.Second
	serveReadTimeout   = time.Minute
	serveIdleTimeout   = 2 * time.Minute
)

const (
	serveMaxHeader   = 64 << 10
	serveStopTimeout = 5 * time.Second
)

func cmdServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, code, ok := parseServe(args, stdout, stderr)
	if !ok {
		return code
	}
	var scs []*scenario.Scenario
	for _, f := range cfg.files {
		sc, err := scenario.ParseFileWith(f, parseOptions())
		if err != nil {
			scenario.WriteError(stderr, err, scenario.Style{})
			var se *scenario.Error
			if errors.As(err, &se) {
				return exitInput
			}
			return exitRuntime
		}
		scs = append(scs, sc)
	}
	opts := cfg.readings.options()
	if cfg.sipRegister {
		cfg.registrar = &servedRegistrar{}
		defer cfg.registrar.Close()
		opts = append(opts, system.WithSIPClient(cfg.registrar))
	}
	w, err := serve.New(serve.Config{Scenarios: scs, Fleet: cfg.fleet, BootSpread: cfg.bootSpread,
		SystemOptions: opts, Real: cfg.clockMode == "real", Speed: cfg.speed})
	if err != nil {
		fmt.Fprintf(stderr, "dectsim serve: %s\n", printable.String(err.Error()))
		return exitInput
	}
	defer w.Close()
	if cfg.registrar != nil {
		cfg.registrar.w.Store(w)
	}
	return serveWorld(ctx, w, cfg, stdout, stderr)
}

// serveWorld listens, serves until ctx ends, then stops everything.
func serveWorld(ctx context.Context, w *serve.World, cfg serveConfig, stdout, stderr io.Writer) int {
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		fmt.Fprintf(stderr, "dectsim serve: %s\n", printable.String(err.Error()))
		return exitRuntime
	}
	var sip *sipd.Server
	if cfg.sip != "" {
		if sip, err = sipd.Listen(cfg.sip, w); err != nil {
			ln.Close()
			fmt.Fprintf(stderr, "dectsim serve: SIP: %s\n", printable.String(err.Error()))
			return exitRuntime
		}
		defer sip.Close()
		if cfg.registrar != nil {
			if err := cfg.registrar.Open(sip.Addr()); err != nil {
				ln.Close()
				fmt.Fprintf(stderr, "dectsim serve: SIP: %s\n", printable.String(err.Error()))
				return exitRuntime
			}
		}
	}
	var h http.Handler = api.New(w, page.New(w))
	if host, _, _ := net.SplitHostPort(ln.Addr().String()); net.ParseIP(host).IsLoopback() {
		h = api.LoopbackOnly(h)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: serveHeaderTimeout,
		ReadTimeout: serveReadTimeout, IdleTimeout: serveIdleTimeout, MaxHeaderBytes: serveMaxHeader,
		ErrorLog: discardLog}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	announce(stdout, w, ln.Addr().String(), sip, cfg)
	select {
	case <-ctx.Done():
	case err := <-served:
		fmt.Fprintf(stderr, "dectsim serve: %s\n", printable.String(err.Error()))
		return exitRuntime
	}
	// The world first: its streams end, so the server has no endless
	// answer to wait for.
	w.Close()
	stop, cancel := context.WithTimeout(context.Background(), serveStopTimeout)
	defer cancel()
	if err := srv.Shutdown(stop); err != nil {
		srv.Close()
	}
	<-served
	fmt.Fprintln(stdout, "dectsim serve: stopped")
	return exitOK
}

// announce prints where everything is, so a test harness that asked for
// port 0 learns the port from the first line.
func announce(stdout io.Writer, w *serve.World, addr string, sip *sipd.Server, cfg serveConfig) {
	fmt.Fprintf(stdout, "dectsim serve: listening on http://%s/\n", addr)
	if sip != nil {
		fmt.Fprintf(stdout, "dectsim serve: SIP on udp %s\n", sip.Addr())
	}
	var macs []string
	_ = w.Do(context.Background(), func() {
		for _, m := range w.Members() {
			macs = append(macs, m.MAC)
		}
	})
	shown := macs
	if len(shown) > 5 {
		shown = append(shown[:5:5], fmt.Sprintf("… %d more", len(macs)-5))
	}
	mode := "manual (POST /api/advance moves it)"
	if cfg.clockMode == "real" {
		mode = fmt.Sprintf("real, %g× wall time", cfg.speed)
	}
	fmt.Fprintf(stdout, "dectsim serve: %d system(s): %s; clock %s\n", len(macs), strings.Join(shown, ", "), mode)
}

func parseServe(args []string, stdout, stderr io.Writer) (serveConfig, int, bool) {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	cfg := serveConfig{readings: readingFlags{}}
	fs.StringVar(&cfg.addr, "addr", "127.0.0.1:8080", "listen for HTTP at ADDR, HOST:PORT (loopback unless it names another address; port 0 picks a free one)")
	fs.StringVar(&cfg.sip, "sip", "", "answer SIP over UDP at ADDR, HOST:PORT (e.g. 127.0.0.1:5060)")
	fs.StringVar(&cfg.clockMode, "clock", "manual", "manual: the clock moves only when asked; real: it follows wall time")
	fs.Float64Var(&cfg.speed, "speed", 1, "with --clock real, how many times as fast as wall time")
	fs.IntVar(&cfg.fleet, "fleet", 1, "N systems of each scenario, MACs counting up")
	fs.DurationVar(&cfg.bootSpread, "boot-spread", 0, "spread the boot fetches over D (seeded)")
	fs.Var(cfg.readings, "reading", readingUsage)
	fs.Var(newRunVars(), "var", varUsage)
	fs.BoolVar(&cfg.sipRegister, "sip-register", false, "send every handset's SIP REGISTERs to the registrar its files name, from the --sip address (refreshed in wall time; Expires: 0 when the account goes)")
	shapes := flagShapes{"addr": "ADDR", "sip": "ADDR", "clock": "manual|real", "speed": "X", "fleet": "N", "boot-spread": "D", "reading": "NAME=VALUE", "var": "NAME=VALUE"}
	usage := func(w io.Writer) {
		fmt.Fprint(w, serveHelp)
		printFlags(w, fs, shapes)
	}
	fs.Usage = func() {}
	files, code, ok := parseFlags(fs, args, stderr)
	if !ok {
		if code == exitOK {
			usage(stdout)
		} else {
			usage(stderr)
		}
		return cfg, code, false
	}
	cfg.files = files
	if err := cfg.check(fs); err != nil {
		fmt.Fprintf(stderr, "dectsim serve: %v\n", err)
		return cfg, exitUsage, false
	}
	return cfg, exitOK, true
}

// check refuses flags that cannot work together or have no meaning.
func (c *serveConfig) check(fs *flag.FlagSet) error {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	switch {
	case c.clockMode != "manual" && c.clockMode != "real":
		return fmt.Errorf("--clock %q: it is manual or real", c.clockMode)
	case set["speed"] && c.clockMode != "real":
		return errors.New("--speed sets the pace of --clock real; the manual clock moves only when asked")
	case c.speed <= 0 || c.speed > serve.MaxSpeed:
		return fmt.Errorf("--speed %g: give a pace above 0 and at most %g", c.speed, float64(serve.MaxSpeed))
	case c.fleet < 1 || c.fleet > serve.MaxSystems:
		return fmt.Errorf("--fleet %d: give 1 to %d systems per scenario", c.fleet, serve.MaxSystems)
	case c.bootSpread < 0:
		return fmt.Errorf("--boot-spread %s is negative", c.bootSpread)
	case c.sipRegister && c.sip == "":
		return errors.New("--sip-register sends REGISTERs from the process's SIP address: give it with --sip (e.g. --sip 127.0.0.1:5060 --sip-register)")
	}
	for _, a := range []struct{ flag, addr, example string }{{"--addr", c.addr, "127.0.0.1:8080"}, {"--sip", c.sip, "127.0.0.1:5060"}} {
		if a.addr == "" && a.flag == "--sip" {
			continue
		}
		if err := checkHostPort(a.addr); err != nil {
			return fmt.Errorf("%s %q %v (e.g. %s %s)", a.flag, a.addr, err, a.flag, a.example)
		}
	}
	return nil
}

// checkHostPort refuses an address that is not HOST:PORT with a port from
// 0 (any free port) to 65535, before anything is listened on: a bad
// address is a bad command line, not a port that cannot be had.
func checkHostPort(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return errors.New("is not HOST:PORT")
	}
	n, err := strconv.Atoi(port)
	switch {
	case err != nil || strings.TrimLeft(port, "0123456789") != "":
		return fmt.Errorf("has port %q, which is not a number", port)
	case n > 65535:
		return fmt.Errorf("has port %d, outside 0 to 65535", n)
	}
	return nil
}

// discardLog keeps net/http's own complaints (a client that hung up, a
// bad TLS hello) off the command's output.
var discardLog = log.New(io.Discard, "", 0)

// servedRegistrar sends the world's REGISTERs over real SIP while the
// world goes on answering the API's reads (World.ServeReadsWhile).
type servedRegistrar struct {
	system.RealRegistrar
	w atomic.Pointer[serve.World] // set once the world is built
}

// Register is RealRegistrar.Register, serving the world's reads meanwhile.
func (r *servedRegistrar) Register(req system.SIPRequest) (err error) {
	w := r.w.Load()
	if w == nil {
		return r.RealRegistrar.Register(req)
	}
	w.ServeReadsWhile(func() { err = r.RealRegistrar.Register(req) })
	return err
}

// Unregister is RealRegistrar.Unregister, serving the world's reads
// meanwhile.
func (r *servedRegistrar) Unregister(req system.SIPRequest) {
	w := r.w.Load()
	if w == nil {
		r.RealRegistrar.Unregister(req)
		return
	}
	w.ServeReadsWhile(func() { r.RealRegistrar.Unregister(req) })
}
