// Package serve owns the world of `dectsim serve`: the emulated systems
// (one per scenario file, times the fleet size), the clock they share, and
// the one goroutine through which every call reaches them. Calls from the
// HTTP API, the SIP endpoint and the real-time clock are queued to that
// goroutine and run one at a time, so no caller ever sees half an event
// and the systems need no locks of their own.
//
// The systems run on simulated time in a fixed order: whichever system's
// next event (or next scenario block) is due first runs first, the one
// listed first on a tie. So what the server under test is asked, and in
// what order, follows from the scenarios and the seed alone.
package serve

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/dectsim/dectsim/emulator/scenario"
	"github.com/dectsim/dectsim/emulator/system"
	"github.com/dectsim/dectsim/internal/engine/syshook"
)

// Config describes the world.
type Config struct {
	// Scenarios are the systems, one each; none means one default N870
	// without handsets.
	Scenarios []*scenario.Scenario
	// Fleet is how many systems each scenario makes (0 means 1), MACs
	// counting up from its MAC.
	Fleet int
	// BootSpread spreads the boot fetches over this span of simulated
	// time, seeded by each scenario's seed, as after a power cut.
	BootSpread time.Duration
	// SystemOptions apply to every system after its scenario's own
	// settings (the --reading flags).
	SystemOptions []system.Option
	// HTTPClient makes every system's fetches (nil: one shared client of
	// the world's own).
	HTTPClient *http.Client
	// Real makes the clock follow Wall at Speed times its pace; else the
	// clock moves only when asked.
	Real  bool
	Speed float64
	// Wall is the clock Real follows (nil: the machine's clock).
	Wall clock.Clock
	// Tick is how often a real clock catches up with wall time (0: 50ms).
	Tick time.Duration
}

// Limits of one world.
const (
	// MaxSystems bounds the systems of one world (files times fleet).
	MaxSystems = 100_000
	// MaxSpeed bounds a real clock's pace: a year in under a minute.
	MaxSpeed = 1e6
)

// ErrClosed is returned by calls made after Close.
var ErrClosed = errors.New("the emulator is shutting down")

// Member is one system of the world with its scenario. Its fields are
// read and changed only on the world's goroutine (inside Do).
type Member struct {
	// MAC is the system's MAC in 12 lower-case hex digits, the API's key.
	MAC  string
	Live *scenario.Live
	Sys  *system.System
	// Err is why the system stopped (its event budget spent, a block of
	// its scenario that could not run); nil while it runs.
	Err error

	index int
	due   time.Time // the earlier of its next event and its next block
	heap  int       // position in the world's queue, -1 when not in it
}

// World is the emulated systems and their clock. Its exported methods are
// safe for concurrent use: each is queued to the world's goroutine.
type World struct {
	cmds  chan command
	reads chan command // calls that only read: also served while a fetch waits
	quit  chan struct{}
	done  chan struct{}

	// Owned by the world's goroutine.
	members []*Member
	byMAC   map[string]*Member
	start   time.Time
	now     time.Time
	queue   dueQueue
	collect *[]Record       // the events the running call has made, if it wants them
	dropped int             // and how many more than MaxCollected there were
	quiet   bool            // a real-clock tick: its events are not collected
	ctx     context.Context // the caller of a move in progress, if it may go away

	hub  *hub
	real *realClock
	own  *http.Client
}

type command struct {
	fn   func()
	done chan error
}

// New builds the world and starts its goroutine; Close stops it. The
// systems stand at the start time of the first scenario, nothing run yet:
// their boot fetches are due.
func New(cfg Config) (*World, error) {
	w := &World{cmds: make(chan command), reads: make(chan command), quit: make(chan struct{}), done: make(chan struct{}),
		byMAC: make(map[string]*Member), hub: newHub()}
	if err := w.build(cfg); err != nil {
		for _, m := range w.members {
			m.Live.Close()
		}
		w.closeClient()
		return nil, err
	}
	go w.loop()
	if cfg.Real {
		if err := w.startReal(cfg); err != nil {
			w.Close()
			return nil, err
		}
	}
	return w, nil
}

func (w *World) build(cfg Config) error {
	scs := cfg.Scenarios
	if len(scs) == 0 {
		scs = []*scenario.Scenario{DefaultScenario()}
	}
	fleet := max(cfg.Fleet, 1)
	if cfg.Fleet < 0 || len(scs)*fleet > MaxSystems {
		return fmt.Errorf("--fleet %d with %d scenario(s) makes %d systems; the limit is %d", cfg.Fleet, len(scs), len(scs)*fleet, MaxSystems)
	}
	if cfg.BootSpread < 0 {
		return fmt.Errorf("--boot-spread %s is negative", cfg.BootSpread)
	}
	client := cfg.HTTPClient
	if client == nil {
		w.own = &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
		client = w.own
	}
	client = w.servingReads(client)
	w.start = scs[0].Start
	for _, sc := range scs {
		if err := w.addFleet(sc, fleet, cfg, client); err != nil {
			return err
		}
		if sc.Start.Before(w.start) {
			w.start = sc.Start
		}
	}
	w.now = w.start
	for _, m := range w.members {
		w.refresh(m)
	}
	return nil
}

// addFleet adds the fleet of one scenario: copy i has the scenario's MAC
// plus i and, with a boot spread, a seeded boot delay.
func (w *World) addFleet(sc *scenario.Scenario, fleet int, cfg Config, client *http.Client) error {
	rng := rand.New(rand.NewPCG(sc.Seed, 0x666c656574))
	var base uint64
	for i := 0; i < fleet; i++ {
		o := scenario.Options{SystemOptions: cfg.SystemOptions, HTTPClient: client, AlwaysFetch: true}
		if cfg.BootSpread > 0 {
			o.BootDelay = time.Duration(rng.Int64N(int64(cfg.BootSpread)))
		}
		if i > 0 {
			if base+uint64(i) > 0xFFFFFFFFFFFF {
				return fmt.Errorf("%s: --fleet %d runs past the last MAC, FFFFFFFFFFFF", sc.File, fleet)
			}
			o.SystemOptions = append([]system.Option{system.WithMAC(fmt.Sprintf("%012X", base+uint64(i)))}, cfg.SystemOptions...)
		}
		l, err := w.start1(sc, o, i == 0 && sc.System.MAC == "")
		if err != nil {
			return err
		}
		m := &Member{Live: l, Sys: l.System(), MAC: strings.ToLower(l.System().MAC()), index: len(w.members), heap: -1}
		w.members = append(w.members, m)
		if i == 0 {
			base, _ = strconv.ParseUint(m.MAC, 16, 64)
		}
		if other, dup := w.byMAC[m.MAC]; dup {
			return fmt.Errorf("%s: the system's MAC %s is already the MAC of a system of %s; give each scenario its own mac= (a fleet counts up from it)", sc.File, m.MAC, other.Live.Result().Scenario.File)
		}
		w.byMAC[m.MAC] = m
		w.listen(m)
	}
	return nil
}

// start1 starts one system. A scenario without mac= gets its MAC from its
// seed, so two such files would share one: the second counts up from it
// to the first MAC no system has.
func (w *World) start1(sc *scenario.Scenario, o scenario.Options, derived bool) (*scenario.Live, error) {
	l, err := scenario.NewLive(sc, o)
	if err != nil || !derived {
		return l, err
	}
	mac, _ := strconv.ParseUint(l.System().MAC(), 16, 64)
	free := mac
	for w.byMAC[fmt.Sprintf("%012x", free)] != nil {
		free++
	}
	if free == mac {
		return l, nil
	}
	l.Close()
	o.SystemOptions = append([]system.Option{system.WithMAC(fmt.Sprintf("%012X", free))}, o.SystemOptions...)
	return scenario.NewLive(sc, o)
}

// DefaultScenario is the world without a scenario file: one N870 with its
// defaults and no handsets.
func DefaultScenario() *scenario.Scenario {
	return &scenario.Scenario{File: "(default)", Name: "default N870", Seed: 1, Start: scenario.DefaultStart,
		System: scenario.SystemSpec{Product: "N870"}}
}

func (w *World) listen(m *Member) {
	syshook.Of[system.Event](m.Sys).OnEvent(func(e system.Event) {
		if w.collect != nil && len(*w.collect) < MaxCollected {
			*w.collect = append(*w.collect, Record{M: m, E: e})
		} else if w.collect != nil {
			w.dropped++
		}
		w.hub.publish(m, e)
	})
}

// loop is the world's goroutine: it runs the calls one at a time until
// Close.
func (w *World) loop() {
	defer close(w.done)
	for {
		select {
		case c := <-w.cmds:
			c.done <- w.run(c.fn)
		case c := <-w.reads:
			c.done <- w.run(c.fn)
		case <-w.quit:
			for _, m := range w.members {
				m.Live.Close()
			}
			return
		}
	}
}

// run calls fn, turning a panic into an error so that one bad call
// cannot take the emulator down.
func (w *World) run(fn func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("internal error: %v", r)
		}
	}()
	fn()
	return nil
}

// Do runs fn on the world's goroutine and waits for it. fn may read and
// change the members and call the world's unexported methods; it must not
// call Do. A ctx that ends before fn starts keeps it from running; once
// started, fn runs to its end.
func (w *World) Do(ctx context.Context, fn func()) error { return w.send(ctx, w.cmds, fn) }

// Read is Do for a call that changes nothing. Reads are also served while
// a system waits for the server under test to answer a fetch, so a server
// that asks the emulator something (its time, say) while it answers does
// not wait for itself. They see no half event: a fetch changes nothing
// until its answer is in.
func (w *World) Read(ctx context.Context, fn func()) error { return w.send(ctx, w.reads, fn) }

func (w *World) send(ctx context.Context, ch chan command, fn func()) error {
	c := command{fn: fn, done: make(chan error, 1)}
	select {
	case ch <- c:
	case <-ctx.Done():
		return ctx.Err()
	case <-w.quit:
		return ErrClosed
	}
	return <-c.done
}

// Close stops the world: the real clock, the goroutine, every system's
// network and the event streams. It waits for a call in progress to end.
func (w *World) Close() {
	select {
	case <-w.quit:
		return
	default:
	}
	if w.real != nil {
		w.real.stop()
	}
	close(w.quit)
	<-w.done
	w.hub.close()
	w.closeClient()
}

func (w *World) closeClient() {
	if w.own != nil {
		w.own.CloseIdleConnections()
	}
}

// Members are the systems in order (call inside Do).
func (w *World) Members() []*Member { return w.members }

// Member finds a system by MAC, in any case, with or without separators
// (call inside Do).
func (w *World) Member(mac string) (*Member, bool) {
	n, err := system.NormalizeMAC(mac)
	if err != nil {
		return nil, false
	}
	m, ok := w.byMAC[strings.ToLower(n)]
	return m, ok
}

// Now is the world's time (call inside Do).
func (w *World) Now() time.Time { return w.now }

// Start is when the world began (call inside Do).
func (w *World) Start() time.Time { return w.start }
