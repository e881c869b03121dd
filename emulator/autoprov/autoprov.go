// Package autoprov owns auto-provisioning: how an emulated system finds,
// fetches and applies its provisioning file over HTTP, on simulated time.
//
// A Fetcher is attached to one system.System. It checks for a file at boot
// (at Attach and after every reboot), on its schedule and when the server
// asks (CheckSync). The schedule follows the system's settings as the
// device does (Gigaset wiki, provisioning period):
//
//   - Provisioning.global.Period > 0: every Period seconds after the last
//     scheduled check;
//   - otherwise once a day, at a time of day drawn once (from the system's
//     seeded randomness) between 01:00:00 and 04:00:00 UTC, or within the
//     Provisioning.global.PeriodStart / PeriodEnd window ("14:00", "18:30";
//     UTC) when both are set. The time drawn for a window is fixed per
//     window and seed, so the same window always gives the same time.
//
// A change to any of these settings, or to
// Provisioning.global.ProvisioningServer, reschedules the next check and
// never fetches at once; a URL set by a file replaces the configured one
// from the next check on.
//
// A check runs while simulated time stands still: the HTTP requests are
// made synchronously inside the simulation's event, bounded in real time by
// Config.Timeout, and their result is applied Config.Latency of simulated
// time later. How fast the real network is therefore never changes a
// result. Every check logs exactly one system.EvFetch event, at the time
// the result is applied, with outcome "ok" or "error" and a reason code
// (the Reason* constants, or "status-<code>" for an HTTP status). When the
// outcome is ok, the document is applied right after the fetch event; when
// the system refuses it, the fetch event has reason "rejected" and the
// system's provisioning-rejected event follows it. A failed fetch changes
// nothing in the system and is never a Go error: the system retries at its
// next scheduled check.
//
// With Config.Handler set, requests are served in process on the
// goroutine that advances the system, with no sockets and no goroutines,
// which makes a Fetcher usable inside testing/synctest. No timeout applies
// in that mode: a handler that blocks, blocks the simulation.
//
// A Fetcher, like its System, is driven from one goroutine; Requests, URL
// and NextCheck may also be called from others.
package autoprov

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dectsim/dectsim/emulator/system"
	"github.com/dectsim/dectsim/internal/engine/des"
	"github.com/dectsim/dectsim/internal/engine/syshook"
	"github.com/dectsim/dectsim/internal/provfile"
	"github.com/dectsim/dectsim/internal/vocab/firmware"
	"github.com/dectsim/dectsim/internal/vocab/timeofday"
)

// Defaults a zero Config field takes. The timeout bounds real time, so a
// dead server cannot hang a test run; the latency is simulated time, so a
// result lands at the same instant however fast the network was.
const (
	DefaultTimeout = 5 * time.Second
	DefaultLatency = time.Second
	// MaxTimeout is the longest Config.Timeout: a fetch holds the whole
	// simulation while it waits, so it waits minutes at most.
	MaxTimeout = 5 * time.Minute
	// DefaultNetworkBudget is the real time a Fetcher may spend on the
	// network in all (Config.NetworkBudget): a story of years with a
	// server that never answers would otherwise wait Timeout at every
	// check.
	DefaultNetworkBudget = 10 * time.Minute
	// MaxRedirects is how many redirects one request may follow before the
	// fetch fails with ReasonRedirectLoop (what Go's own client allows).
	MaxRedirects = 10
)

// The daily check falls between these times of day (UTC) when no period or
// window is provisioned: the vendor says "between 1 and 4 AM".
const (
	DailyFrom = 1 * time.Hour
	DailyTo   = 4 * time.Hour
)

// Settings the fetcher follows. Files set them like any other param.
const (
	SettingServer      = "Provisioning.global.ProvisioningServer"
	SettingPeriod      = "Provisioning.global.Period"
	SettingPeriodStart = "Provisioning.global.PeriodStart"
	SettingPeriodEnd   = "Provisioning.global.PeriodEnd"
)

// Reason codes of failed fetch events. Scenario files and JSON consumers
// match on them, so their spelling does not change. An HTTP status that is
// neither success, redirect nor 401 gives "status-<code>" (StatusReason).
const (
	// ReasonNoURL: neither the configuration nor a setting gives a URL;
	// nothing touched the network.
	ReasonNoURL = "no-url"
	// ReasonBadURL: the URL in force, or a redirect's Location, is not an
	// http or https URL.
	ReasonBadURL = "bad-url"
	// ReasonUnreachable: no response (connection refused, DNS, reset).
	// Its detail names the URL and the failure in fixed words
	// ("connection refused", "connection reset", "DNS failure: no such
	// host", …), never the addresses of the emulator's own sockets.
	ReasonUnreachable = "unreachable"
	// ReasonTimeout: the fetch did not finish within Config.Timeout.
	ReasonTimeout = "timeout"
	// ReasonTLS: the TLS handshake failed (unknown certificate authority,
	// wrong host name, plain HTTP on the other end).
	ReasonTLS = "tls"
	// ReasonRedirectLoop: more than MaxRedirects redirects.
	ReasonRedirectLoop = "redirect-loop"
	// ReasonUnauthorized: still 401 after every credential, or the server
	// asks for an authentication scheme other than Digest.
	ReasonUnauthorized = "unauthorized"
	// ReasonTruncated: the body ended before its Content-Length, or the
	// connection broke while it was read.
	ReasonTruncated = "truncated"
	// ReasonTooLarge: the body is longer than Config.MaxBody.
	ReasonTooLarge = "too-large"
	// ReasonBadEncoding: the body says Content-Encoding: gzip and is not
	// gzip data.
	ReasonBadEncoding = "bad-encoding"
	// ReasonRejected: the document arrived and the system refused it
	// (a provisioning-rejected event follows).
	ReasonRejected = "rejected"
	// ReasonNotFound: a directory URL where neither provisioning.xml nor
	// <MAC>.xml exists.
	ReasonNotFound = "not-found"
)

// StatusReason is the reason code of a fetch that ended with an HTTP status
// the device does not accept, so callers can build the code to match on.
func StatusReason(code int) string { return "status-" + strconv.Itoa(code) }

// Config says where a system finds its provisioning file and how the
// network around it behaves.
type Config struct {
	// URL is the provisioning URL from configuration; a
	// Provisioning.global.ProvisioningServer setting replaces it from the
	// next check on. %MACD stands for the MAC; a URL whose path is empty or ends in "/"
	// names a directory (provisioning.xml there, else <MAC>.xml). Credentials in
	// it (http://user:pass@host/…) are the configured digest credentials.
	URL string
	// User and Password are the configured HTTP digest credentials, tried
	// after the MAC credentials fail.
	User, Password string
	// Client is used for the requests (e.g. an httptest server's Client()).
	// Nil means a client of the Fetcher's own, closed on Close.
	Client *http.Client
	// Handler, if set, serves the requests in process by calling it
	// directly (no sockets, no goroutines, no timeout). It takes precedence
	// over Client.
	Handler http.Handler
	// Timeout limits one whole fetch (every request, redirect and body) in
	// real time. Zero means DefaultTimeout; above MaxTimeout is refused.
	Timeout time.Duration
	// NetworkBudget is the real time the Fetcher may spend on the network
	// in all, over every fetch. Once it is spent, each check fails at once
	// with ReasonTimeout and makes no request. Zero means
	// DefaultNetworkBudget; a Handler's fetches do not count.
	NetworkBudget time.Duration
	// Latency is the simulated time between a fetch and applying its
	// result. Zero means DefaultLatency.
	Latency time.Duration
	// MaxBody is the largest body accepted. Zero means the largest
	// document the system reads (64 MiB).
	MaxBody int64
	// UpperMAC writes the MAC in %MACD and <MAC>.xml in upper case. The
	// default is lower case, which is what the most-used public PBX plugin
	// serves (wazo's <lowercase-mac>.xml).
	UpperMAC bool
	// NoBootFetch skips the fetch at attach time (the schedule still
	// starts then, and reboots still fetch).
	NoBootFetch bool
	// BootDelay puts the boot fetch this long after attach time instead of
	// at it, as when many systems come back after a power cut one by one.
	// Reboots later still fetch at once.
	BootDelay time.Duration
}

// Request is one HTTP request a fetch made, kept so tests can see what a
// server was asked, in order.
type Request struct {
	// At is the simulated time of the fetch.
	At          time.Time
	Method, URL string
	UserAgent   string
	// AuthUser is the digest username sent, "" if none.
	AuthUser string
	// Status is the HTTP status, 0 when no response came.
	Status int
	// Err is the transport or body error, if any.
	Err string
}

// Fetcher is a system's auto-provisioning client. It lives as long as the
// system it is attached to, until Close.
type Fetcher struct {
	sys    *system.System
	host   syshook.Host[system.Event] // the system's plumbing
	cfg    Config
	client *http.Client // nil in handler mode; redirects disabled
	own    bool         // client is ours to close
	rng    *rand.Rand   // cnonces
	seed   uint64       // for window times
	daily  time.Duration

	mu        sync.Mutex // guards what other goroutines may read
	requests  []Request
	serverURL string
	nextAt    time.Time
	hasNext   bool

	closed   bool
	user     string
	password string
	last     time.Time // the last scheduled (or boot) check
	hasLast  bool
	next     des.ID
	nextBoot bool          // the pending check is a boot check: settings do not move it
	waited   time.Duration // real time spent on the network so far
	plan     plan          // what the pending scheduled check was planned from
	inflight map[des.ID]struct{}
}

// Attach wires a Fetcher into sys: it schedules the boot check at sys.Now()
// (run by the next Advance, Advance(0) included), fetches at boot after
// every reboot and follows the settings that move the schedule. It fails
// only for a Config that cannot work: a URL that is not http(s), negative
// durations or sizes.
func Attach(sys *system.System, cfg Config) (*Fetcher, error) {
	if sys == nil {
		return nil, errors.New("autoprov: nil system")
	}
	cfg, err := cfg.withDefaults(sys.MAC())
	if err != nil {
		return nil, err
	}
	f := &Fetcher{
		sys:      sys,
		host:     syshook.Of[system.Event](sys),
		cfg:      cfg,
		user:     cfg.User,
		password: cfg.Password,
		inflight: make(map[des.ID]struct{}),
	}
	// One draw from the system's stream seeds the fetcher's own, so the
	// number of digest exchanges a server forces never shifts the random
	// choices the rest of the system makes.
	f.seed = f.host.Rand.Uint64()
	f.rng = rand.New(rand.NewPCG(f.seed, 0x6175746f70726f76))
	span := int64((DailyTo - DailyFrom) / time.Second)
	f.daily = DailyFrom + time.Duration(f.rng.Int64N(span))*time.Second
	if v, ok := sys.Setting(SettingServer); ok {
		f.serverURL = v
	}
	if cfg.Handler == nil {
		f.client, f.own = redirectlessClient(cfg.Client)
	}
	f.host.OnReboot(f.onReboot)
	f.host.OnParam(f.onParam)
	if cfg.NoBootFetch {
		f.last, f.hasLast = sys.Now(), true
		f.scheduleNext()
	} else {
		f.scheduleBootAt(sys.Now().Add(cfg.BootDelay))
	}
	return f, nil
}

// withDefaults refuses a Config that cannot work and fills in its zero
// fields.
func (cfg Config) withDefaults(mac string) (Config, error) {
	if cfg.Timeout < 0 {
		return cfg, fmt.Errorf("autoprov: timeout %s is negative", cfg.Timeout)
	}
	if cfg.Timeout > MaxTimeout {
		return cfg, fmt.Errorf("autoprov: timeout %s is above the maximum of %s", cfg.Timeout, MaxTimeout)
	}
	if cfg.Latency < 0 {
		return cfg, fmt.Errorf("autoprov: latency %s is negative", cfg.Latency)
	}
	if cfg.BootDelay < 0 {
		return cfg, fmt.Errorf("autoprov: boot delay %s is negative", cfg.BootDelay)
	}
	if cfg.NetworkBudget < 0 {
		return cfg, fmt.Errorf("autoprov: network budget %s is negative", cfg.NetworkBudget)
	}
	if cfg.NetworkBudget == 0 {
		cfg.NetworkBudget = DefaultNetworkBudget
	}
	if cfg.MaxBody < 0 {
		return cfg, fmt.Errorf("autoprov: max body %d is negative", cfg.MaxBody)
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Latency == 0 {
		cfg.Latency = DefaultLatency
	}
	if cfg.MaxBody == 0 {
		cfg.MaxBody = int64(provfile.DefaultLimits.MaxBytes)
	}
	if cfg.URL != "" {
		if _, err := parseHTTPURL(expandMACD(cfg.URL, mac, cfg.UpperMAC)); err != nil {
			return cfg, fmt.Errorf("autoprov: provisioning URL: %w", err)
		}
	}
	return cfg, nil
}

// redirectlessClient is base (or, when nil, a client of the Fetcher's own:
// own is true) with redirects left to the caller, who follows them by hand
// so that each hop is recorded and authenticated as the device does it.
func redirectlessClient(base *http.Client) (c *http.Client, own bool) {
	if base == nil {
		base = &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
		own = true
	}
	cp := *base
	cp.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	rt := cp.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	cp.Transport = locationGuard{rt}
	return &cp, own
}

// badLocation is where locationGuard moves a Location that does not parse.
const badLocation = "X-Dectsim-Unparsable-Location"

// locationGuard hides from http.Client a redirect's Location that does not
// parse: the client would fail the request with an error of its own
// before CheckRedirect could leave the redirect to the fetcher, which
// reports it as ReasonBadURL.
type locationGuard struct{ rt http.RoundTripper }

// CloseIdleConnections passes Client.CloseIdleConnections on.
func (g locationGuard) CloseIdleConnections() {
	if c, ok := g.rt.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

func (g locationGuard) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := g.rt.RoundTrip(req)
	if err != nil || resp.StatusCode < 300 || resp.StatusCode > 399 {
		return resp, err
	}
	if loc := resp.Header.Get("Location"); loc != "" {
		if _, perr := req.URL.Parse(loc); perr != nil {
			resp.Header.Del("Location")
			resp.Header.Set(badLocation, loc)
		}
	}
	return resp, nil
}

// CheckSync is the server asking for a fetch now (a SIP NOTIFY with Event
// check-sync): the requests are made during the call, at the current
// simulated time, and the result is applied Latency later. It does not
// move the schedule. It logs a check-sync event with source "api" and
// reboot false. After Close it does nothing.
func (f *Fetcher) CheckSync() { f.CheckSyncFrom(system.CheckSyncAPI, false) }

// CheckSyncFrom is CheckSync from source (system.CheckSyncScenario,
// CheckSyncAPI or CheckSyncSIP), asking for a reboot first when reboot is
// set. The system reboots only as the real one does: on firmware 2.52.0 or
// later with SystemSettings.global.CheckSyncRebootEnabled=1; then the
// fetch is the boot fetch, due at once. Otherwise it fetches as CheckSync
// does, with a check-sync-no-reboot warning when a reboot was asked.
func (f *Fetcher) CheckSyncFrom(source string, reboot bool) {
	if f.closed {
		return
	}
	if f.host.CheckSync(source, reboot) {
		return
	}
	f.fetch("check-sync")
}

// URL returns the provisioning URL in force, as written (before %MACD is
// replaced): the setting when a file has set one, else the configured URL.
func (f *Fetcher) URL() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.urlLocked()
}

func (f *Fetcher) urlLocked() string {
	if strings.TrimSpace(f.serverURL) != "" {
		return strings.TrimSpace(f.serverURL)
	}
	return f.cfg.URL
}

// NextCheck returns when the next scheduled check (boot, periodic or
// daily) will run; false after Close.
func (f *Fetcher) NextCheck() (time.Time, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.nextAt, f.hasNext
}

// Requests returns every HTTP request made so far, in order, so a test can
// see exactly what the server was asked.
func (f *Fetcher) Requests() []Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Request(nil), f.requests...)
}

// Close detaches the Fetcher: it cancels the scheduled check and any result
// not yet applied, and closes the idle connections of its own client, so no
// goroutine started by this package remains. An injected Client is left to
// its owner. Close is idempotent.
func (f *Fetcher) Close() {
	if f.closed {
		return
	}
	f.closed = true
	sim := f.host.Sim
	if f.next != 0 {
		sim.Cancel(f.next)
		f.next = 0
	}
	for id := range f.inflight {
		sim.Cancel(id)
	}
	clear(f.inflight)
	f.mu.Lock()
	f.hasNext = false
	f.mu.Unlock()
	if f.own && f.client != nil {
		f.client.CloseIdleConnections()
	}
}

// UserAgent is the User-Agent the device sends, which servers parse to
// pick a template and identify the device:
// "Gigaset N870 IP PRO/83.V2.65.0+build.8504c90;7C2F80A1B2C3". The MAC is
// written as 12 upper-case hex digits whatever separators or case it is
// given in. A system sends UserAgent(sys.Product(), sys.Firmware(),
// sys.MAC()).
func UserAgent(p system.Product, v system.FirmwareVersion, mac string) string {
	m := strings.ToUpper(macSeparators.Replace(mac))
	return firmware.UserAgent(p.Model, firmware.Version(v), m)
}

// ExpandURL gives the file URL a device fetches for raw: %MACD becomes the
// MAC (12 hex digits, lower case unless upper), and a URL whose path is
// empty or ends in "/" gets <MAC>.xml appended. (A fetch first tries provisioning.xml in such
// a directory; ExpandURL gives the per-device file.)
func ExpandURL(raw, mac string, upper bool) string {
	m := macCase(mac, upper)
	s := strings.ReplaceAll(raw, "%MACD", m)
	if u, err := url.Parse(s); err == nil && u.Scheme != "" {
		if isDir(u) {
			if u.Path == "" {
				u.Path = "/"
			}
			u.Path += m + ".xml"
			if u.RawPath != "" {
				u.RawPath += m + ".xml"
			}
			return u.String()
		}
		return s
	}
	if strings.HasSuffix(s, "/") {
		return s + m + ".xml"
	}
	return s
}

func macCase(mac string, upper bool) string {
	m := macSeparators.Replace(mac)
	if upper {
		return strings.ToUpper(m)
	}
	return strings.ToLower(m)
}

func expandMACD(raw, mac string, upper bool) string {
	return strings.ReplaceAll(raw, "%MACD", macCase(mac, upper))
}

// parseHTTPURL accepts only absolute http and https URLs with a host.
func parseHTTPURL(s string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil {
		return nil, err
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
	default:
		return nil, fmt.Errorf("%q is not an http or https URL", redact(u))
	}
	if u.Host == "" {
		return nil, fmt.Errorf("%q has no host", redact(u))
	}
	return u, nil
}

// redact drops credentials from a URL before it is shown or logged.
func redact(u *url.URL) string {
	if u.User == nil {
		return u.String()
	}
	c := *u
	c.User = nil
	return c.String()
}

// ---- schedule ----

func (f *Fetcher) onReboot() {
	if f.closed {
		return
	}
	f.scheduleBoot()
}

func (f *Fetcher) onParam(name, value string) {
	if f.closed {
		return
	}
	switch name {
	case SettingServer:
		f.mu.Lock()
		f.serverURL = value
		f.mu.Unlock()
		f.reschedule()
	case SettingPeriod, SettingPeriodStart, SettingPeriodEnd:
		f.reschedule()
	}
}

func (f *Fetcher) setNext(id des.ID, at time.Time, boot bool) {
	f.next, f.nextBoot = id, boot
	f.mu.Lock()
	f.nextAt, f.hasNext = at, id != 0
	f.mu.Unlock()
}

func (f *Fetcher) cancelNext() {
	if f.next != 0 {
		f.host.Sim.Cancel(f.next)
	}
	f.setNext(0, time.Time{}, false)
}

func (f *Fetcher) scheduleBoot() { f.scheduleBootAt(f.sys.Now()) }

func (f *Fetcher) scheduleBootAt(at time.Time) {
	f.cancelNext()
	id := f.host.Sim.At(at, func() { f.scheduledCheck("boot") })
	f.setNext(id, at, true)
}

// scheduleNext plans the check after the last one from the settings in
// force, strictly after now: a rescheduling never fetches at once.
func (f *Fetcher) scheduleNext() {
	f.plan = f.currentPlan()
	at := f.nextAfter(f.last, f.sys.Now())
	if f.next != 0 && !f.nextBoot && at.Equal(f.nextAt) {
		return
	}
	f.cancelNext()
	id := f.host.Sim.At(at, func() { f.scheduledCheck("scheduled") })
	f.setNext(id, at, false)
}

// reschedule follows a changed setting. A pending boot check stays where
// it is: the device fetches at boot whatever its period says.
func (f *Fetcher) reschedule() {
	if f.nextBoot || !f.hasLast {
		return
	}
	if f.next != 0 && f.currentPlan() == f.plan {
		// The same settings again (a complete file repeats them every
		// time): the next check stays where it is.
		return
	}
	f.scheduleNext()
}

func (f *Fetcher) scheduledCheck(kind string) {
	f.setNext(0, time.Time{}, false)
	f.last, f.hasLast = f.sys.Now(), true
	// The fetch first, so that its result (due after Latency) runs before
	// a next check due at the same instant.
	f.fetch(kind)
	if !f.closed {
		f.scheduleNext()
	}
}

// maxPeriod keeps Period*time.Second from overflowing.
const maxPeriod = 100 * 365 * 24 * time.Hour

// period is the interval in force: 0 for daily checks, else at least
// system.MinPeriod (the vendor: "Please do not use a time < 1800
// seconds"; the system warns about a shorter one when it is applied).
func (f *Fetcher) period() time.Duration {
	v, _ := f.sys.Setting(SettingPeriod)
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || n <= 0 {
		return 0
	}
	if n > int64(maxPeriod/time.Second) {
		return maxPeriod
	}
	return max(time.Duration(n)*time.Second, system.MinPeriod)
}

// plan is what the schedule follows: the period, or the time of day of a
// daily check.
type plan struct{ period, tod time.Duration }

func (f *Fetcher) currentPlan() plan {
	if p := f.period(); p > 0 {
		return plan{period: p}
	}
	return plan{tod: f.timeOfDay()}
}

// timeOfDay is when the daily check runs (offset from midnight UTC).
func (f *Fetcher) timeOfDay() time.Duration {
	a, okA := f.sys.Setting(SettingPeriodStart)
	b, okB := f.sys.Setting(SettingPeriodEnd)
	if !okA || !okB {
		return f.daily
	}
	start, err1 := timeofday.Parse(a)
	end, err2 := timeofday.Parse(b)
	if err1 != nil || err2 != nil {
		return f.daily
	}
	span := end - start
	if span < 0 {
		span += 24 * time.Hour // a window across midnight
	}
	if span == 0 {
		return start % (24 * time.Hour)
	}
	// Drawn once per window: the same seed and window give the same time,
	// however often a complete file repeats the settings.
	h := uint64(14695981039346656037)
	for _, c := range []byte(strings.TrimSpace(a) + "-" + strings.TrimSpace(b)) {
		h = (h ^ uint64(c)) * 1099511628211
	}
	r := rand.New(rand.NewPCG(f.seed, h))
	off := time.Duration(r.Int64N(int64(span/time.Second))) * time.Second
	return (start + off) % (24 * time.Hour)
}

// nextAfter is the first check due after last by the settings in force,
// and strictly after now.
func (f *Fetcher) nextAfter(last, now time.Time) time.Time {
	if p := f.period(); p > 0 {
		t := last.Add(p)
		if !t.After(now) {
			k := now.Sub(t)/p + 1
			if k > math.MaxInt64/p {
				return now.Add(p)
			}
			t = t.Add(k * p)
		}
		return t
	}
	tod := f.timeOfDay()
	u := now.UTC()
	day := time.Date(u.Year(), u.Month(), u.Day(), 0, 0, 0, 0, time.UTC)
	t := day.Add(tod)
	if !t.After(now) {
		t = day.AddDate(0, 0, 1).Add(tod)
	}
	return t.In(now.Location())
}

// macSeparators strips the separators a MAC may be written with; built
// once, as a Replacer costs kilobytes to build and every fetch uses it.
var macSeparators = strings.NewReplacer(":", "", "-", "", ".", "")
