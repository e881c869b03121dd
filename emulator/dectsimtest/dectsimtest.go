// Package dectsimtest runs an emulated Gigaset PRO DECT system inside Go
// tests of a provisioning server, in the shape of net/http/httptest and
// miniredis: one call gives a running system wired to the server under
// test, cleaned up with the test; time moves only when the test advances
// it; state is read directly; check helpers fail the test with the
// handset's timeline.
//
// Examples: ExampleNewT (a user added, the handset registers; in-process
// handler, no sockets), ExampleNew (a file applied directly, a ghost after
// 24 h), ExampleSim_CheckSync (a graceful removal), ExampleSim_CheckGhost (a
// removal while the handset is away, and the timeline a failed check
// prints), ExampleWithCredentials (the Digest credentials tried).
//
// A Sim is safe for concurrent use. Calls that drive it (Advance,
// AdvanceTo, CheckSync, CheckSyncReboot, Admin, Apply, AddHandset, Move,
// Power, Register, Reset)
// run one at a time. While the server under test answers a fetch, the Sim
// stands still and serves reads: a handler may call Now, Clock, Slots,
// Slot, Handset(s), Ghosts, Setting(s), Events, Requests, Timeline and the
// Check helpers, from its own goroutine or any other, and never waits for
// the fetch. A driving call made while a fetch is in flight (from the
// handler, say) returns ErrFetching at once instead of deadlocking.
package dectsimtest

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/dectsim/dectsim/emulator/autoprov"
	"github.com/dectsim/dectsim/emulator/system"
	"github.com/dectsim/dectsim/internal/engine/syshook"
)

// Harness is what NewT needs from a test: *testing.T and *testing.B satisfy
// it, and so can other harnesses (testing.TB cannot be implemented outside
// the testing package).
type Harness interface {
	Helper()
	Fatalf(format string, args ...any)
	Cleanup(func())
}

// Reporter is what the check helpers need to report a failure.
type Reporter interface {
	Helper()
	Errorf(format string, args ...any)
}

type config struct {
	sys        []system.Option
	fetch      autoprov.Config
	wantFetch  bool
	sipContact string
}

// Option configures a Sim.
type Option func(*config)

// WithSystem passes options to the emulated system (product, firmware,
// MAC, deregistration timeout, start time, seed…).
func WithSystem(opts ...system.Option) Option {
	return func(c *config) { c.sys = append(c.sys, opts...) }
}

// WithURL makes the system fetch its provisioning file from url (with
// %MACD and trailing-slash handling as a real system does), at boot and on
// its schedule.
func WithURL(url string) Option {
	return func(c *config) { c.fetch.URL = url; c.wantFetch = true }
}

// WithHandler serves every fetch in-process from h: no sockets, no
// goroutines, so it works inside testing/synctest.
func WithHandler(h http.Handler) Option {
	return func(c *config) { c.fetch.Handler = h; c.wantFetch = true }
}

// WithHTTPClient fetches through c, e.g. an httptest server's Client().
func WithHTTPClient(c *http.Client) Option {
	return func(cf *config) { cf.fetch.Client = c; cf.wantFetch = true }
}

// WithCredentials sets the HTTP digest user and password the system tries
// after its MAC credentials.
func WithCredentials(user, password string) Option {
	return func(c *config) { c.fetch.User, c.fetch.Password = user, password }
}

// WithFetch sets the fetcher's configuration wholesale, for the rare knob
// the other options do not reach (timeouts, latency, MAC case).
func WithFetch(f func(*autoprov.Config)) Option {
	return func(c *config) { f(&c.fetch); c.wantFetch = true }
}

// WithSIPRegistrar sends the system's SIP REGISTERs over real SIP to the
// registrars its files name (SipProvider.<n>.RegServerAddress, else
// Domain), naming contact (host:port) in their Contact, as
// `dectsim serve --sip-register` does, instead of to the simulated
// registrar: a PBX's own test sees what a real DECT manager sends it.
// Each REGISTER holds the driving call that caused it until it is
// answered (at most 5 s of real time). Close stops the refreshes.
func WithSIPRegistrar(contact string) Option {
	return func(c *config) { c.sipContact = contact }
}

// ErrFetching is returned by a driving call made while the system waits
// for the server under test to answer a fetch: the Sim cannot move until
// that answer is in.
var ErrFetching = errors.New("dectsimtest: the system is waiting for the server to answer a fetch; " +
	"while it does, the Sim serves reads (Now, Slots, Events, checks…) but cannot be driven")

// Sim is a running emulated system.
type Sim struct {
	// mu guards sys. A driving call holds it throughout, except while the
	// server under test answers a fetch: then it is released (fetching
	// is set) so that reads proceed and driving calls fail fast.
	mu         sync.Mutex
	driving    atomic.Bool
	fetching   atomic.Bool
	sys        *system.System
	fetcher    *autoprov.Fetcher
	ownClient  *http.Client // made here when the test gave none; closed with the Sim
	registrar  *system.RealRegistrar
	closed     bool
	closeAfter bool // Close was called during a fetch
}

// New builds a running system. With a URL or handler it fetches its file
// at boot, which happens on the first Advance (Advance(0) is enough).
func New(opts ...Option) (*Sim, error) {
	var c config
	for _, o := range opts {
		o(&c)
	}
	var reg *system.RealRegistrar
	if c.sipContact != "" {
		reg = &system.RealRegistrar{}
		if err := reg.Open(c.sipContact); err != nil {
			return nil, fmt.Errorf("dectsimtest: WithSIPRegistrar: %w", err)
		}
		c.sys = append(c.sys, system.WithSIPClient(reg))
	}
	sys, err := system.New(c.sys...)
	if err != nil {
		if reg != nil {
			reg.Close()
		}
		return nil, err
	}
	s := &Sim{sys: sys, registrar: reg}
	if c.wantFetch {
		s.wrapExchange(&c.fetch)
		if s.fetcher, err = autoprov.Attach(sys, c.fetch); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// NewT is New for tests: it fails the test on error and closes the Sim
// when the test ends.
func NewT(t Harness, opts ...Option) *Sim {
	t.Helper()
	s, err := New(opts...)
	if err != nil {
		t.Fatalf("dectsimtest: %v", err)
		return nil
	}
	t.Cleanup(s.Close)
	return s
}

// Close stops fetching; no goroutine of the Sim remains. Safe to call
// more than once. Called during a fetch, it takes effect when the fetch
// is done.
func (s *Sim) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fetching.Load() {
		s.closeAfter = true
		return
	}
	s.close()
}

func (s *Sim) close() {
	if s.closed {
		return
	}
	s.closed = true
	if s.fetcher != nil {
		s.fetcher.Close()
	}
	if s.ownClient != nil {
		s.ownClient.CloseIdleConnections()
	}
	if s.registrar != nil {
		s.registrar.Close()
	}
}

// lock is for reads: they may run while a fetch is in flight.
func (s *Sim) lock() func() {
	s.mu.Lock()
	return s.mu.Unlock
}

// drive runs f as a driving call: alone, and never while a fetch waits
// for its answer.
func (s *Sim) drive(f func() error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fetching.Load() {
		return ErrFetching
	}
	s.driving.Store(true)
	defer func() {
		s.driving.Store(false)
		if s.closeAfter {
			s.close()
		}
	}()
	return f()
}

// System gives direct access to the model. It is not locked: use it from
// the test goroutine only, while nothing else drives the Sim.
func (s *Sim) System() *system.System { return s.sys }

// Now is the simulated time.
func (s *Sim) Now() time.Time { defer s.lock()(); return s.sys.Now() }

// Clock is the simulated time as a clock.Clock, for code under test that
// takes one. It moves only when the Sim is advanced.
func (s *Sim) Clock() clock.Clock { defer s.lock()(); return s.sys.Clock() }

// Advance runs everything due within d (fetches included) and moves time.
func (s *Sim) Advance(d time.Duration) error {
	return s.drive(func() error { return s.sys.Advance(d) })
}

// AdvanceTo runs everything due up to t and moves time to t.
func (s *Sim) AdvanceTo(t time.Time) error {
	return s.drive(func() error { return s.sys.AdvanceTo(t) })
}

// AddHandset puts a handset (and with a state, its slot) into the world.
func (s *Sim) AddHandset(spec system.HandsetSpec) error {
	return s.drive(func() error { return s.sys.AddHandset(spec) })
}

// AddRegistered is AddHandset for a handset registered in its own slot.
func (s *Sim) AddRegistered(ipui string) error {
	return s.AddHandset(system.HandsetSpec{IPUI: ipui, State: system.Registered})
}

// Apply applies a provisioning document directly, as if fetched now.
func (s *Sim) Apply(name string, data []byte) (system.ApplySummary, error) {
	var res system.ApplySummary
	err := s.drive(func() (err error) {
		res, err = s.sys.Apply(name, data)
		return err
	})
	return res, err
}

// Move puts a handset in or out of range.
func (s *Sim) Move(ipui string, inRange bool) error {
	return s.drive(func() error { return s.sys.Move(ipui, inRange) })
}

// Power switches a handset on or off.
func (s *Sim) Power(ipui string, on bool) error {
	return s.drive(func() error { return s.sys.Power(ipui, on) })
}

// Register is the handset's user registering it, typing the handset's
// own PIN (system.System.Register).
func (s *Sim) Register(ipui string) error {
	return s.drive(func() error { return s.sys.Register(ipui) })
}

// RegisterWithPIN is Register with the user typing pin instead.
func (s *Sim) RegisterWithPIN(ipui, pin string) error {
	return s.drive(func() error { return s.sys.RegisterWithPIN(ipui, pin) })
}

// Reset is the handset's user resetting it (ends a ghost).
func (s *Sim) Reset(ipui string) error {
	return s.drive(func() error { return s.sys.Reset(ipui) })
}

// SendCheckSync asks the system to fetch its file now (SIP NOTIFY check-sync):
// the request is made during the call; the result lands after the fetch
// latency, on the next Advance. It logs a check-sync event with source
// "api". The error is ErrFetching when a fetch is already waiting for its
// answer.
func (s *Sim) SendCheckSync() error { return s.checkSync(false) }

// SendCheckSyncReboot is SendCheckSync asking for a reboot first, which the system
// does only on firmware 2.52.0 or later with
// SystemSettings.global.CheckSyncRebootEnabled=1: then it reboots and its
// boot fetch runs on the next Advance. Otherwise it is SendCheckSync, with a
// check-sync-no-reboot warning.
func (s *Sim) SendCheckSyncReboot() error { return s.checkSync(true) }

func (s *Sim) checkSync(reboot bool) error {
	return s.drive(func() error {
		if s.fetcher != nil {
			s.fetcher.CheckSyncFrom(system.CheckSyncAPI, reboot)
			return nil
		}
		syshook.Of[system.Event](s.sys).CheckSync(system.CheckSyncAPI, reboot)
		return nil
	})
}

// Admin is an operator changing a slot in the web UI (System.Admin).
func (s *Sim) Admin(slot string, state system.State) error {
	return s.drive(func() error { return s.sys.Admin(slot, state) })
}

// Slots returns the handset list.
func (s *Sim) Slots() []system.Slot { defer s.lock()(); return s.sys.Slots() }

// Slot returns the slot whose IPUI, else id, is key.
func (s *Sim) Slot(key string) (system.Slot, bool) { defer s.lock()(); return s.sys.Slot(key) }

// Handset returns a handset by IPUI.
func (s *Sim) Handset(ipui string) (system.Handset, bool) {
	defer s.lock()()
	return s.sys.Handset(ipui)
}

// Handsets returns every handset.
func (s *Sim) Handsets() []system.Handset { defer s.lock()(); return s.sys.Handsets() }

// Ghosts returns every ghost handset.
func (s *Sim) Ghosts() []system.Handset { defer s.lock()(); return s.sys.Ghosts() }

// Setting returns one provisioned setting.
func (s *Sim) Setting(name string) (string, bool) { defer s.lock()(); return s.sys.Setting(name) }

// Settings returns every provisioned setting.
func (s *Sim) Settings() map[string]string { defer s.lock()(); return s.sys.Settings() }

// Events returns the event log.
func (s *Sim) Events() []system.Event { defer s.lock()(); return s.sys.Events() }

// Requests returns every HTTP request the system made.
func (s *Sim) Requests() []autoprov.Request {
	defer s.lock()()
	if s.fetcher == nil {
		return nil
	}
	return s.fetcher.Requests()
}

// Timeline renders the events that concern key (a slot id or IPUI; "" for
// all), one per line, the way dectsim run prints them.
func (s *Sim) Timeline(key string) string {
	defer s.lock()()
	return s.timeline(key)
}

func (s *Sim) timeline(key string) string {
	out := s.lines(s.sys.FindEvents(system.EventQuery{Key: key}))
	if out == "" {
		return fmt.Sprintf("  (no events concern %s)\n", key)
	}
	return out
}

// lines renders events as timeline lines.
func (s *Sim) lines(evs []system.Event) string {
	var b strings.Builder
	for _, e := range evs {
		b.WriteString(e.TimelineLine(s.sys.StartTime(), false))
		b.WriteByte('\n')
	}
	return b.String()
}
