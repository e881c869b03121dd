package system

import (
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/dectsim/dectsim/internal/engine/des"
	"github.com/dectsim/dectsim/internal/vocab/firmware"
	"github.com/dectsim/dectsim/internal/vocab/product"
	"github.com/dectsim/dectsim/internal/vocab/readings"
)

// Defaults for the options. The 24-hour wait comes from the vendor FAQ
// "Auto provisioning: Delete/remove handset examples"; the other durations
// are assumptions. Each is a default a user can change.
const (
	DefaultDeregTimeout  = 24 * time.Hour
	DefaultAirLatency    = 30 * time.Second
	DefaultGhostInterval = time.Hour
	DefaultFirmwareDelay = 10 * time.Minute
	DefaultMACPrefix     = "7C2F80"
	defaultStartRFC3339  = "2026-01-01T00:00:00Z"

	// MaxSlots bounds any handset capacity: five times the largest real
	// system (a Virtual Integrator holds 20,000), so a typo cannot make a
	// system that exhausts memory.
	MaxSlots = 100_000

	// Limits on the work one system does, so a story that never settles
	// (a ghost retrying every minute for a century) ends with an error
	// instead of running until memory or patience runs out.

	// DefaultEventBudget is how many simulation events (deadlines,
	// over-the-air exchanges, ghost attempts, scheduled fetches) a system
	// runs before it stops with ErrEventBudget.
	DefaultEventBudget = 50_000_000 // the engine's own default, des.DefaultBudget (a test holds them equal)
	// DefaultMaxEvents is how many events the log holds before the system
	// stops with ErrEventBudget: some 250 MB of log, ten times a big real
	// story (a Virtual Integrator's 20,000 handsets each removed, added
	// again and registered is some 100,000 events).
	DefaultMaxEvents = 1_000_000
	// DefaultMaxLogBytes bounds the text the log holds, counted as the
	// bytes of each event's strings plus 256 an event: a file can make
	// every warning quote a 64 KiB value, so a count alone does not bound
	// memory.
	DefaultMaxLogBytes = 384 << 20
	// MinGhostInterval is the shortest time between a ghost's attempts
	// the model takes (WithGhostInterval).
	MinGhostInterval = time.Minute

	// Values the system bounds rather than takes as they are.

	// WarnPeriodTooShort: Provisioning.global.Period in 1..1799 s. The
	// vendor says "Please do not use a time < 1800 seconds"; the model
	// checks every MinPeriod instead.
	WarnPeriodTooShort = "period-too-short"
	// WarnBadTimeOfDay: Provisioning.global.PeriodStart or PeriodEnd is
	// not a time of day HH:MM (such as "25:00"). The setting is stored as
	// written; the fetcher ignores the window.
	WarnBadTimeOfDay = "bad-time-of-day"

	// SettingPeriod is the auto-provisioning interval in seconds (0: once
	// a day), which the fetcher follows.
	SettingPeriod = "Provisioning.global.Period"

	// MinPeriod is the shortest auto-provisioning interval the model
	// takes: a shorter Provisioning.global.Period counts as MinPeriod,
	// with a WarnPeriodTooShort warning.
	MinPeriod = 1800 * time.Second

	// MaxRegDuration is the longest registration window update_dm opens:
	// a longer RegDuration (up to what an int64 of seconds holds, which a
	// time.Duration cannot) is taken as MaxRegDuration, with a
	// WarnBadValue warning, instead of wrapping round into a window that
	// is already closed.
	MaxRegDuration = 100 * 365 * 24 * time.Hour
)

var (
	// DefaultStart is the simulated time a system starts at unless told.
	DefaultStart, _ = time.Parse(time.RFC3339, defaultStartRFC3339)

	// ErrEventBudget is the error of a system that ran out of its event
	// budget or filled its event log: the system is stopped, and every
	// later Advance, AdvanceTo and Apply returns the same error.
	ErrEventBudget = errors.New("event budget exhausted")

	// EventTypes lists every event type the system emits.
	EventTypes = []string{
		EvProvisioningApplied, EvProvisioningRejected, EvWarning, EvFetch,
		EvSlotAdded, EvRegistrationStarted, EvRegistered, EvRegistrationRefused,
		EvDeregRequested, EvDeregCompleted, EvDeregTimeout, EvForcedRemoval,
		EvGhostCreated, EvGhostAttempt, EvHandsetMoved, EvHandsetPower,
		EvHandsetReset, EvFirmwareChanged, EvReboot, EvDeregCancelled,
		EvAdmin, EvCheckSync,
		EvBaseDown, EvBaseUp, EvBaseSyncLost, EvBaseSynced, EvDMDown, EvDMUp,
		EvHandover, EvRoamed, EvCoverageLost, EvCoverageRegained,
		EvSIPRegistered, EvSIPUnregistered, EvSIPRegisterFailed,
	}

	// Readings lists every reading, in a fixed order:
	//
	//   - dnphs-position (first | nvm-first | anywhere): where
	//     DeleteNotProvisionedHS counts;
	//   - dnphs-keeps (add-hs | any-mention): which slots it keeps;
	//   - todereg-position (anywhere | top): where hs.<id>.RegStatus=ToDeReg
	//     counts;
	//   - ipui-case (delete-hs | everywhere): what the 2.36 lower-case rule
	//     reaches;
	//   - case-fixed-in (a version, 2.37.0): the first release that accepts
	//     upper case;
	//   - dereg-undo (none | add-hs-cancels): whether an add_hs takes a pending
	//     deregistration back;
	//   - ghost-reregister (reset-first | allowed): whether a ghost may
	//     register again without a reset;
	//   - detect-delay (a duration, 0s): how long a handset that left goes
	//     unnoticed;
	//   - update-dm-scope (named | all): whether update_dm opens the
	//     registration window on the DECT manager it names or on every one.
	//
	// The first value is the default; WithReading chooses another.
	Readings = publicReadings()
)

// Config is what a system is built from. Options fill it in.
type Config struct {
	Product       string
	Firmware      string
	MAC           string
	DeregTimeout  time.Duration
	MaxHandsets   int
	Start         time.Time
	Seed          uint64
	Readings      map[string]string // every reading's value, by name (see Readings)
	AirLatency    time.Duration
	GhostInterval time.Duration
	FirmwareDelay time.Duration
	// DMs and Bases declare the multicell topology (WithDM, WithBase);
	// none: one DM DefaultDM with one base DefaultBase. MaxBases is how
	// many bases the system takes; 0: the product's.
	DMs      []DMSpec
	Bases    []BaseSpec
	MaxBases int
	// SIPRegistrar is how the simulated registrar answers: SIPAccept
	// (empty) or SIPRefuse. SIPClient, when set, sends the REGISTERs to
	// a real registrar instead.
	SIPRegistrar string
	SIPClient    SIPClient
	// EventBudget is how many simulation events the system may run;
	// MaxEvents how many events its log may hold, MaxLogBytes how much
	// text.
	EventBudget uint64
	MaxEvents   int
	MaxLogBytes int64
}

// Option configures a System.
type Option func(*Config)

// WithProduct selects the product profile (N610, N670, N770, N870, N870E, VI).
func WithProduct(name string) Option { return func(c *Config) { c.Product = name } }

// WithFirmware sets the running firmware, e.g. "2.35.0" or "2.36".
func WithFirmware(v string) Option { return func(c *Config) { c.Firmware = v } }

// WithMAC sets the MAC address (12 hex digits, separators allowed).
func WithMAC(mac string) Option { return func(c *Config) { c.MAC = mac } }

// WithDeregTimeout sets how long a slot in ToDeReg waits for its handset.
func WithDeregTimeout(d time.Duration) Option { return func(c *Config) { c.DeregTimeout = d } }

// WithMaxHandsets overrides the product's handset capacity.
func WithMaxHandsets(n int) Option { return func(c *Config) { c.MaxHandsets = n } }

// WithStart sets the simulated time at which the system starts.
func WithStart(t time.Time) Option { return func(c *Config) { c.Start = t } }

// WithSeed seeds every random choice the system makes.
func WithSeed(seed uint64) Option { return func(c *Config) { c.Seed = seed } }

// WithAirLatency sets how long an over-the-air exchange (registration,
// deregistration, a ghost's first attempt) takes. The vendor gives no
// figure; at most a minute is our assumption.
func WithAirLatency(d time.Duration) Option { return func(c *Config) { c.AirLatency = d } }

// WithGhostInterval sets the time between a connected ghost's attempts, at
// least MinGhostInterval.
func WithGhostInterval(d time.Duration) Option { return func(c *Config) { c.GhostInterval = d } }

// WithFirmwareDelay sets how long a firmware download and install takes
// before the reboot (the model keeps it within one hour).
func WithFirmwareDelay(d time.Duration) Option { return func(c *Config) { c.FirmwareDelay = d } }

// System is one emulated Integrator with its handset list and the physical
// handsets around it.
type System struct {
	cfg     Config
	profile product.Profile
	fw      firmware.Version
	mac     string
	rng     *rand.Rand
	sim     *des.Sim

	slots    map[string]*slot // by id
	byIPUI   map[string]*slot // by registered or expected IPUI
	order    []*slot          // list order; removed entries compacted lazily
	removed  int
	handsets map[string]*handset
	hsOrder  []*handset
	ghosts   map[*handset]struct{} // the handsets that are ghosts
	free     map[string]*slotQueue // free placeholder slots by PIN
	freeN    int                   // how many there are in all
	probes   int                   // slots a registration looked at (tests count the work)
	slotSeq  int                   // list positions handed out

	settings settingsStore
	rd       readings.Set

	// The multicell side (cell.go): DMs and bases in declaration order,
	// the handsets that reach every base, and the round counter that
	// marks what one resync has queued.
	dms        []*dm
	dmByID     map[string]*dm
	bases      []*base
	baseByID   map[string]*base
	everywhere []*handset
	round      uint32
	cellWork   int // bases settled and handsets placed (tests count the work)

	// The SIP side (sip.go): what the file being applied changed of the
	// accounts, read again once it is applied.
	sipDirty    []string
	sipAllDirty bool

	pendingFW *pendingUpgrade

	events    []Event
	index     eventIndex
	listeners []func(Event)
	rebootFns []func()
	paramFns  []func(name, value string)
	stopped   error // set once the event budget is spent: see Err
	logBytes  int64 // what the log holds, as eventCost counts it
}

// New builds a system at its start time. Nothing happens until time is
// advanced.
func New(opts ...Option) (*System, error) {
	cfg := Config{
		Product:       product.Default,
		DeregTimeout:  DefaultDeregTimeout,
		Start:         DefaultStart,
		Seed:          1,
		AirLatency:    DefaultAirLatency,
		GhostInterval: DefaultGhostInterval,
		FirmwareDelay: DefaultFirmwareDelay,
	}
	for _, o := range opts {
		o(&cfg)
	}
	prof, fw, err := cfg.resolve()
	if err != nil {
		return nil, err
	}
	rd, err := cfg.resolveReadings()
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x9e3779b97f4a7c15))
	mac := cfg.MAC
	if mac == "" {
		mac = fmt.Sprintf("%s%06X", DefaultMACPrefix, rng.Uint32()&0xFFFFFF)
	} else if mac, err = NormalizeMAC(mac); err != nil {
		return nil, err
	}
	s := &System{
		cfg:      cfg,
		profile:  prof,
		fw:       fw,
		mac:      mac,
		rd:       rd,
		rng:      rng,
		sim:      des.New(cfg.Start),
		slots:    make(map[string]*slot),
		byIPUI:   make(map[string]*slot),
		handsets: make(map[string]*handset),
		ghosts:   make(map[*handset]struct{}),
		free:     make(map[string]*slotQueue),
		settings: newSettingsStore(),
	}
	if err := s.buildTopology(); err != nil {
		return nil, err
	}
	s.sim.SetBudget(cfg.EventBudget)
	s.onEvent(s.watchLog)
	return s, nil
}

// resolve finds the product profile and firmware cfg names, fills in the
// capacity, and refuses values outside what the model holds.
func (cfg *Config) resolve() (product.Profile, firmware.Version, error) {
	prof, err := product.Lookup(cfg.Product)
	if err != nil {
		return prof, firmware.Version{}, err
	}
	fw := firmware.Default
	if cfg.Firmware != "" {
		if fw, err = firmware.Parse(cfg.Firmware); err != nil {
			return prof, fw, err
		}
	}
	if cfg.MaxHandsets < 0 || cfg.MaxHandsets > MaxSlots {
		return prof, fw, fmt.Errorf("max-handsets %d is outside 1..%d", cfg.MaxHandsets, MaxSlots)
	}
	if cfg.MaxHandsets == 0 {
		cfg.MaxHandsets = prof.MaxHandsets
	}
	switch cfg.SIPRegistrar {
	case "", SIPAccept, SIPRefuse:
	default:
		return prof, fw, fmt.Errorf("sip-registrar %q must be %s or %s", cfg.SIPRegistrar, SIPAccept, SIPRefuse)
	}
	if cfg.MaxBases < 0 || cfg.MaxBases > MaxDMs*MaxBasesPerDM {
		return prof, fw, fmt.Errorf("max-bases %d is outside 1..%d", cfg.MaxBases, MaxDMs*MaxBasesPerDM)
	}
	if cfg.EventBudget == 0 {
		cfg.EventBudget = DefaultEventBudget
	}
	if cfg.MaxEvents < 0 {
		return prof, fw, fmt.Errorf("max events %d is negative", cfg.MaxEvents)
	}
	if cfg.MaxEvents == 0 {
		cfg.MaxEvents = DefaultMaxEvents
	}
	if cfg.MaxLogBytes < 0 {
		return prof, fw, fmt.Errorf("max log bytes %d is negative", cfg.MaxLogBytes)
	}
	if cfg.MaxLogBytes == 0 {
		cfg.MaxLogBytes = DefaultMaxLogBytes
	}
	switch {
	case cfg.DeregTimeout <= 0:
		return prof, fw, fmt.Errorf("dereg-timeout %s must be positive", cfg.DeregTimeout)
	case cfg.AirLatency <= 0 || cfg.AirLatency > time.Minute:
		return prof, fw, fmt.Errorf("air latency %s must be above 0 and at most 1m", cfg.AirLatency)
	case cfg.GhostInterval < MinGhostInterval:
		return prof, fw, fmt.Errorf("ghost interval %s is below the minimum of %s", cfg.GhostInterval, MinGhostInterval)
	case cfg.FirmwareDelay <= 0 || cfg.FirmwareDelay > time.Hour:
		return prof, fw, fmt.Errorf("firmware delay %s must be above 0 and at most 1h", cfg.FirmwareDelay)
	}
	return prof, fw, nil
}

// NormalizeMAC accepts 12 hex digits with optional ':' or '-' separators
// and returns them in upper case without separators.
func NormalizeMAC(mac string) (string, error) {
	m := strings.ToUpper(macSeparators.Replace(mac))
	if len(m) != 12 {
		return "", fmt.Errorf("MAC %q is not 12 hex digits", mac)
	}
	for i := 0; i < len(m); i++ {
		c := m[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'F') {
			return "", fmt.Errorf("MAC %q is not 12 hex digits", mac)
		}
	}
	return m, nil
}

// Config returns the configuration the system was built with, defaults
// filled in (MaxHandsets is the capacity in force).
func (s *System) Config() Config {
	c := s.cfg
	c.Readings = maps.Clone(c.Readings)
	return c
}

// Product is a product profile.
type Product struct {
	// Name is the profile name used on the command line and in scenarios:
	// N610, N670, N770, N870, N870E or VI.
	Name string
	// Model is the model part of the device's User-Agent, e.g. "N870 IP PRO".
	Model string
	// MaxHandsets is the default handset capacity.
	MaxHandsets int
	// MaxBases is the default base-station capacity (WithMaxBases sets
	// another).
	MaxBases int
}

// FirmwareVersion is a firmware version, MAJOR.MINOR.PATCH.
type FirmwareVersion struct {
	Major, Minor, Patch int
}

// String gives the version as MAJOR.MINOR.PATCH ("2.65.0").
func (v FirmwareVersion) String() string { return firmware.Version(v).String() }

// Compare returns -1, 0 or +1 as v is older than, equal to or newer than o.
func (v FirmwareVersion) Compare(o FirmwareVersion) int {
	return firmware.Version(v).Compare(firmware.Version(o))
}

// Less reports whether v is older than o.
func (v FirmwareVersion) Less(o FirmwareVersion) bool { return v.Compare(o) < 0 }

// Product returns the product profile.
func (s *System) Product() Product { return Product(s.profile) }

// Firmware returns the running firmware version.
func (s *System) Firmware() FirmwareVersion { return FirmwareVersion(s.fw) }

// MAC returns the MAC address: 12 upper-case hex digits.
func (s *System) MAC() string { return s.mac }

// Now returns the simulated time.
func (s *System) Now() time.Time { return s.sim.Now() }

// StartTime returns the simulated time the system started at.
func (s *System) StartTime() time.Time { return s.sim.Start() }

// Advance runs every event due within d and moves time forward by d. A
// system that runs out of its event budget stops at the last event it ran
// and returns an error wrapping ErrEventBudget, then and ever after.
func (s *System) Advance(d time.Duration) error {
	if s.stopped != nil {
		return s.stopped
	}
	return s.advanced(s.sim.Advance(d))
}

// AdvanceTo runs every event due up to t and moves time to t, within the
// event budget as Advance does.
func (s *System) AdvanceTo(t time.Time) error {
	if s.stopped != nil {
		return s.stopped
	}
	return s.advanced(s.sim.AdvanceTo(t))
}

// Clock returns the simulated time as a clock.Clock for outside code. It
// moves only when the system is advanced.
func (s *System) Clock() clock.Clock { return s.sim.Clock() }

// onReboot registers f to run after every reboot (firmware upgrades), so
// the provisioning fetcher can fetch at boot.
func (s *System) onReboot(f func()) { s.rebootFns = append(s.rebootFns, f) }

// onParam registers f to run whenever a provisioned setting is stored, so
// the fetcher can follow changes to its URL and period.
func (s *System) onParam(f func(name, value string)) { s.paramFns = append(s.paramFns, f) }

// macSeparators strips the separators a MAC may be written with, built
// once.
var macSeparators = strings.NewReplacer(":", "", "-", "")
