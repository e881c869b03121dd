package scenario

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/dectsim/dectsim/emulator/autoprov"
	"github.com/dectsim/dectsim/emulator/system"
	"github.com/dectsim/dectsim/internal/engine/syshook"
	"github.com/dectsim/dectsim/internal/xmltok"
)

// Result is one scenario run.
type Result struct {
	Scenario *Scenario
	System   *system.System
	// Failures are the expectations that failed.
	Failures []Failure
	// Outcomes lists every expectation in the order it ran, passed or not,
	// with the index of the event log at that moment.
	Outcomes []Outcome
}

// Checks counts the expectations evaluated.
func (r *Result) Checks() int { return len(r.Outcomes) }

// Passed reports whether every expectation held.
func (r *Result) Passed() bool { return len(r.Failures) == 0 }

// Outcome is one evaluated expectation.
type Outcome struct {
	Step Step
	// File is the file the step is in: the scenario's, or the name steps
	// sent to a live system were read under.
	File string
	OK   bool
	// Expected and Found describe the check; At is when it ran and
	// AtEvent how many events had been logged by then.
	Expected, Found string
	At              time.Time
	AtEvent         int
}

// Failure is a failed expectation: where it is, what it wanted, what was
// there, and the recent events of what it concerns.
type Failure struct {
	File     string
	Step     Step
	Expected string
	Found    string
	Recent   []system.Event
}

// RecentEvents is how many events of the handset concerned a failure shows.
const RecentEvents = 8

// Options adjust a run.
type Options struct {
	// SystemOptions are applied after the scenario's own settings.
	SystemOptions []system.Option
	// HTTPClient fetches from a provisioning-url outside the scenario (nil:
	// the fetcher's own client). The scenario's own <serve> server always
	// uses its matching client.
	HTTPClient *http.Client
	// Vars and Env give the values of ${NAME} in the attribute values of
	// a file RunFile reads, as ParseOptions does.
	Vars map[string]string
	Env  func(name string) (string, bool)
	// AlwaysFetch attaches a fetcher even without a provisioning-url, so
	// a URL that a file or an upload sets later is fetched from (a live
	// system). Its checks fail with reason no-url until then.
	AlwaysFetch bool
	// BootDelay puts the boot fetch this long after the start (a fleet
	// coming back after a power cut).
	BootDelay time.Duration
}

// Run plays a scenario. The error is for runtime failures only (a system
// that cannot be built or a network that cannot be set up); failed
// expectations are in the Result.
func Run(sc *Scenario, o Options) (*Result, error) {
	l, err := NewLive(sc, o)
	if err != nil {
		return nil, err
	}
	defer l.Close()
	for range sc.Blocks {
		if err := l.RunBlock(); err != nil {
			return nil, err
		}
	}
	return l.Result(), nil
}

// stepError places an error of the run at pos. A scenario whose story
// runs past the system's event budget is an input error (a *Error): the
// file asked for more work than the limits allow.
func stepError(sc *Scenario, pos Pos, err error) error {
	if errors.Is(err, system.ErrEventBudget) {
		return &Error{File: sc.File, Pos: pos, Src: sc.Src,
			Msg: fmt.Sprintf("scenario %q stopped: %v", sc.Name, err)}
	}
	return fmt.Errorf("%s:%d:%d: %w", sc.File, pos.Line, pos.Col, err)
}

// RunFile reads the scenario file at path and runs it: Parse, then Run.
// The file is read through the scenario size limit whatever the path
// names (a device or a pipe included), so an endless input is a *Error
// saying it is too large. The error is a *Error for a file that cannot be
// read as a scenario, an I/O error for one that cannot be read at all,
// else as Run's.
func RunFile(path string, o Options) (*Result, error) {
	sc, err := ParseFileWith(path, ParseOptions{Vars: o.Vars, Env: o.Env})
	if err != nil {
		return nil, err
	}
	return Run(sc, o)
}

// Files lists the scenario files paths stand for, as `dectsim run` reads
// its arguments: a file stands for itself whatever its root element, a
// directory for every regular *.xml file directly in it whose root is
// <scenario>, sorted (provisioning files kept in its subdirectories, or a
// JUnit report written into it, are not scenarios). A file whose root cannot be told
// (not XML, unreadable) is kept, so reading it reports why. A directory
// without a scenario is an error.
func Files(paths ...string) ([]string, error) {
	var out []string
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !fi.IsDir() {
			out = append(out, p)
			continue
		}
		found, err := xmltok.FilesWithRoot(p, "scenario")
		if err != nil {
			return nil, err
		}
		if len(found) == 0 {
			return nil, fmt.Errorf("%s: no *.xml scenario files in this directory", p)
		}
		out = append(out, found...)
	}
	return out, nil
}

// build makes the system a scenario describes, with its world before t=0.
func build(sc *Scenario, extra ...system.Option) (*system.System, error) {
	opts := []system.Option{system.WithStart(sc.Start), system.WithSeed(sc.Seed)}
	s := sc.System
	if s.Product != "" {
		opts = append(opts, system.WithProduct(s.Product))
	}
	if s.Firmware != "" {
		opts = append(opts, system.WithFirmware(s.Firmware))
	}
	if s.MAC != "" {
		opts = append(opts, system.WithMAC(s.MAC))
	}
	if s.DeregTimeout > 0 {
		opts = append(opts, system.WithDeregTimeout(s.DeregTimeout))
	}
	if s.MaxHandsets > 0 {
		opts = append(opts, system.WithMaxHandsets(s.MaxHandsets))
	}
	if s.GhostInterval > 0 {
		opts = append(opts, system.WithGhostInterval(s.GhostInterval))
	}
	if s.EventBudget > 0 {
		opts = append(opts, system.WithEventBudget(s.EventBudget))
	}
	if s.SIPRegistrar != "" {
		opts = append(opts, system.WithSIPRegistrar(s.SIPRegistrar))
	}
	for _, name := range slices.Sorted(maps.Keys(s.Readings)) {
		opts = append(opts, system.WithReading(name, s.Readings[name]))
	}
	opts = append(opts, cellOptions(sc)...)
	sys, err := system.New(append(opts, extra...)...)
	if err != nil {
		return nil, &Error{File: sc.File, Pos: s.Pos, Msg: err.Error(), Src: sc.Src}
	}
	for _, h := range sc.Handsets {
		spec := system.HandsetSpec{IPUI: h.IPUI, State: system.State(h.State), OutOfRange: h.Out, Off: h.Off, PIN: h.PIN, At: h.At}
		if err := sys.AddHandset(spec); err != nil {
			return nil, &Error{File: sc.File, Pos: h.Pos, Msg: err.Error(), Src: sc.Src}
		}
	}
	return sys, nil
}

func (r *Result) step(sys *system.System, st Step, net *network) error {
	switch st.Kind {
	case StepProvision:
		err := syshook.Of[system.Event](sys).Apply(st.Source, st.Data, xmltok.Pos(st.Origin))
		var pe *system.FileError
		if err != nil && !errors.As(err, &pe) {
			return err
		}
		// A rejected file is the system's business, logged as an event.
		return nil
	case StepMove:
		if st.To != nil {
			return sys.MoveTo(st.IPUI, st.To)
		}
		return sys.Move(st.IPUI, st.On)
	case StepBase:
		return sys.SetBase(st.Base, st.On)
	case StepDM:
		return sys.SetDM(st.DM, st.On)
	case StepPower:
		return sys.Power(st.IPUI, st.On)
	case StepRegister:
		if st.PIN != nil {
			return sys.RegisterWithPIN(st.IPUI, *st.PIN)
		}
		return sys.Register(st.IPUI)
	case StepReset:
		return sys.Reset(st.IPUI)
	case StepFirmware:
		return sys.InstallFirmware(st.Version)
	case StepCheckSync:
		net.checkSync(sys, st.Reboot, st.file != "")
		return nil
	case StepAdmin:
		return sys.Admin(st.IPUI, system.State(st.State))
	case StepServe:
		net.serve(*st.Serve)
		return nil
	case StepHandset:
		return addHandset(sys, st.Handset)
	}
	r.check(sys, st, net)
	return nil
}

func (r *Result) check(sys *system.System, st Step, net *network) {
	exp, found, key, ok := evaluate(sys, st, net)
	r.Outcomes = append(r.Outcomes, Outcome{Step: st, File: cmp.Or(st.file, r.Scenario.File), OK: ok, Expected: exp, Found: found, At: sys.Now(), AtEvent: sys.EventCount()})
	if ok {
		return
	}
	f := Failure{File: r.Scenario.File, Step: st, Expected: exp, Found: found}
	if key != "" {
		f.Recent = sys.FindEvents(system.EventQuery{Key: key})
		if len(f.Recent) > RecentEvents {
			f.Recent = f.Recent[len(f.Recent)-RecentEvents:]
		}
	}
	r.Failures = append(r.Failures, f)
}

// evaluate returns what was expected, what was found, the key whose
// timeline explains it, and whether it held.
func evaluate(sys *system.System, st Step, net *network) (exp, found, key string, ok bool) {
	v := verdict{ok: true}
	switch st.Kind {
	case StepExpect:
		key = st.IPUI
		if st.IPUI == "" && st.Base != "" {
			expectBase(sys, st, &v)
			break
		}
		expectState(sys, st, &v)
		expectWhere(sys, st, &v)
	case StepExpectParam:
		key = slotKeyOf(st.Name)
		expectParam(sys, st, &v)
	case StepExpectEvent, StepExpectNoEvnt:
		key = st.IPUI
		expectEvent(sys, st, &v)
	case StepExpectReq:
		expectRequest(net.requests(), st, &v)
	}
	return strings.Join(v.want, " "), strings.Join(v.got, " "), key, v.ok
}

// verdict gathers an expectation's checks: what each wanted and found,
// and whether all held.
type verdict struct {
	want, got []string
	ok        bool
}

func (v *verdict) add(want, got string, ok bool) {
	v.want = append(v.want, want)
	v.got = append(v.got, got)
	v.ok = v.ok && ok
}

// cmp adds a check of one named value.
func (v *verdict) cmp(name, want, got string) { v.add(name+"="+want, name+"="+got, want == got) }

// expectState is <expect>: a slot's state, its handset's subscription and
// ghost status, the number of ghosts and of slots.
func expectState(sys *system.System, st Step, v *verdict) {
	if st.State != "" {
		v.cmp("state", st.State, string(sys.SlotState(st.IPUI)))
	}
	if st.Subscribed != nil || st.Ghost != nil {
		h, _ := sys.Handset(st.IPUI)
		if st.Subscribed != nil {
			v.cmp("subscribed", fmt.Sprint(*st.Subscribed), fmt.Sprint(h.Subscribed))
		}
		if st.Ghost != nil {
			v.cmp("ghost", fmt.Sprint(*st.Ghost), fmt.Sprint(h.Ghost))
		}
	}
	if st.Ghosts != nil {
		v.add(fmt.Sprintf("ghosts=%d", *st.Ghosts), "ghosts="+ghostsFound(sys, *st.Ghosts), sys.GhostCount() == *st.Ghosts)
	}
	if st.Slots != nil {
		v.cmp("slots", fmt.Sprint(*st.Slots), fmt.Sprint(sys.SlotCount()))
	}
}

// MaxGhostsListed is how many ghost IPUIs a failed <expect ghosts> lists.
const MaxGhostsListed = 20

// ghostsFound says how many ghosts there are and, when that is not what
// was expected, which (the first MaxGhostsListed): an expectation that
// holds costs no list, however many ghosts a system has.
func ghostsFound(sys *system.System, want int) string {
	n := sys.GhostCount()
	g := fmt.Sprint(n)
	if n == want || n == 0 {
		return g
	}
	ids := sys.GhostIPUIs()
	if len(ids) > MaxGhostsListed {
		return fmt.Sprintf("%s (%s, and %d more)", g, strings.Join(ids[:MaxGhostsListed], ", "), len(ids)-MaxGhostsListed)
	}
	return g + " (" + strings.Join(ids, ", ") + ")"
}

// expectParam is <expect-param>: a setting's value, or its absence.
func expectParam(sys *system.System, st Step, v *verdict) {
	val, has := sys.Setting(st.Name)
	got := st.Name + " absent"
	if has {
		got = fmt.Sprintf("%s = %q", st.Name, val)
	}
	if st.Absent {
		v.add(st.Name+" absent", got, !has)
		return
	}
	v.add(fmt.Sprintf("%s=%q", st.Name, *st.Value), got, has && val == *st.Value)
}

// expectEvent is <expect-event> and <expect-no-event>: how many events of
// a type, for a handset or slot, with an outcome, have been logged.
func expectEvent(sys *system.System, st Step, v *verdict) {
	n := sys.CountEvents(system.EventQuery{Type: st.Type, Key: st.IPUI, Outcome: st.Outcome})
	desc := st.Type
	if st.IPUI != "" {
		desc += " for " + st.IPUI
	}
	if st.Outcome != "" {
		desc += " with " + st.Outcome
	}
	got := fmt.Sprint(n)
	switch {
	case st.Kind == StepExpectNoEvnt:
		v.add("no "+desc+" event", got, n == 0)
	case st.Count != nil:
		v.add(fmt.Sprintf("%d %s event(s)", *st.Count, desc), got, n == *st.Count)
	default:
		v.add("at least one "+desc+" event", got, n > 0)
	}
	if !v.ok && st.Kind == StepExpectEvent {
		if near := nearEvents(sys, st); near != "" {
			v.got[len(v.got)-1] += "; nearest: " + near
		}
	}
}

// MaxNearEvents is how many other events of its type a failed
// <expect-event> shows.
const MaxNearEvents = 3

// nearEvents describes up to MaxNearEvents events of st's type that
// almost match it: for its handset with another outcome, then with its
// outcome for another handset; for an expectation that names only one of
// them, events of the type that differ in the other.
func nearEvents(sys *system.System, st Step) string {
	if st.IPUI == "" && st.Outcome == "" {
		return ""
	}
	var near []string
	seen := map[int]bool{}
	take := func(q system.EventQuery) {
		for _, e := range sys.FindEvents(q) {
			if len(near) == MaxNearEvents {
				return
			}
			if seen[e.Seq] || (e.Matches(st.IPUI) && e.HasOutcome(st.Outcome)) {
				continue
			}
			seen[e.Seq] = true
			near = append(near, describeEvent(sys, e))
		}
	}
	if st.IPUI != "" {
		take(system.EventQuery{Type: st.Type, Key: st.IPUI})
	}
	if st.Outcome != "" {
		take(system.EventQuery{Type: st.Type, Outcome: st.Outcome})
	}
	if st.IPUI == "" || st.Outcome == "" {
		take(system.EventQuery{Type: st.Type})
	}
	return strings.Join(near, ", ")
}

// describeEvent is one event as a failure's found text shows it: when,
// whom and what it carries.
func describeEvent(sys *system.System, e system.Event) string {
	parts := []string{"+" + e.Time.Sub(sys.StartTime()).String()}
	if k := cmp.Or(e.IPUI, e.Slot); k != "" {
		parts = append(parts, k)
	}
	for _, kv := range [][2]string{{"outcome", e.Outcome}, {"trigger", e.Trigger}, {"reason", e.Reason}, {"code", e.Code}} {
		if kv[1] != "" {
			parts = append(parts, kv[0]+"="+kv[1])
		}
	}
	return strings.Join(parts, " ")
}

// expectRequest is <expect-request>: how many of the system's HTTP
// requests had that path, User-Agent and Digest user.
func expectRequest(reqs []autoprov.Request, st Step, v *verdict) {
	n := 0
	var seen []string
	for _, r := range reqs {
		if st.selectsRequest(r) {
			n++
		}
		user := r.AuthUser
		if user == "" {
			user = "none"
		}
		seen = append(seen, fmt.Sprintf("%s (user %s)", r.URL, user))
	}
	got := fmt.Sprint(n)
	if n == 0 && len(seen) > 0 {
		got += "; the requests: " + strings.Join(seen, ", ")
	}
	if st.Count != nil {
		v.add(fmt.Sprintf("%d matching request(s)", *st.Count), got, n == *st.Count)
		return
	}
	v.add("at least one matching request", got, n > 0)
}

func (st Step) selectsRequest(r autoprov.Request) bool {
	if st.Path != "" {
		u, err := url.Parse(r.URL)
		if err != nil || u.Path != st.Path {
			return false
		}
	}
	if st.userAgent != nil && !st.userAgent.MatchString(r.UserAgent) {
		return false
	}
	return !st.HasUser || r.AuthUser == st.User
}

// slotKeyOf returns the slot key of hs.<key>.x and SipAccount.<key>.x.
func slotKeyOf(name string) string {
	for _, p := range []string{"hs.", "SipAccount."} {
		if strings.HasPrefix(name, p) {
			rest := name[len(p):]
			if i := strings.IndexByte(rest, '.'); i > 0 {
				return rest[:i]
			}
		}
	}
	return ""
}
