package system

import (
	"container/heap"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dectsim/dectsim/internal/engine/des"
)

// The multicell side of a system: its DECT managers (DMs), their base
// stations, the DECT sync chain between the bases, and the base each
// handset camps at. A system that declares none has one DM, DefaultDM,
// with one base, DefaultBase, that every handset reaches and that always
// serves: the single ideal cell of a system without multicell.

// The topology a system has when it declares none.
const (
	// DefaultDM is the DM of a system that declares none: the name the
	// web UI shows in the Location column of an embedded Integrator.
	DefaultDM = "local"
	// DefaultBase is the one base of a system that declares none.
	DefaultBase = "base1"
)

// Capacities of the multicell side (vendor: at most 60 bases and 250
// handsets per DM, at most 100 DMs, several DMs only on a Virtual
// Integrator).
const (
	MaxDMs        = 100
	MaxBasesPerDM = 60
	MaxSlotsPerDM = 250
	MaxSyncLevel  = 15
	// ResyncDelay is how long a base that can hear a serving source again
	// takes before it serves (vendor: "up to 30 seconds" to re-sync).
	ResyncDelay = 30 * time.Second
)

// Multicell event types (a contract, as the others).
const (
	EvBaseDown         = "base-down"
	EvBaseUp           = "base-up"
	EvBaseSyncLost     = "base-sync-lost"
	EvBaseSynced       = "base-synced"
	EvDMDown           = "dm-down"
	EvDMUp             = "dm-up"
	EvHandover         = "handover"
	EvRoamed           = "roamed"
	EvCoverageLost     = "coverage-lost"
	EvCoverageRegained = "coverage-regained"
)

// Base sync modes, as BaseSpec and the base list show them.
const (
	SyncDECT = "dect"
	SyncLAN  = "lan"
)

// DMSpec declares a DECT manager before time starts.
type DMSpec struct {
	// ID is how bases, steps and update_dm name it.
	ID string
	// Name is what the web UI shows; empty: the ID.
	Name string
	// Down: it starts down, serving through none of its bases.
	Down bool
}

// BaseSpec declares a base station before time starts.
type BaseSpec struct {
	ID string
	// DM is the ID of its DM; empty: the first DM.
	DM string
	// Level is its DECT sync level, 1 (the sync master of its cluster)
	// to 15; 0: 1 for the first base of its DM, else 2.
	Level int
	// Hears are the bases it can synchronise to, best first, each of a
	// lower level; nil: its DM's first base of level 1.
	Hears []string
	// LAN: it synchronises over the LAN (PTP) and needs no other base.
	LAN bool
	// Down: it starts switched off.
	Down bool
}

// WithDM declares a DM; the first replaces the default DefaultDM.
func WithDM(spec DMSpec) Option { return func(c *Config) { c.DMs = append(c.DMs, spec) } }

// WithBase declares a base station; the first replaces the default
// DefaultBase.
func WithBase(spec BaseSpec) Option { return func(c *Config) { c.Bases = append(c.Bases, spec) } }

// WithMaxBases sets how many base stations the system takes; 0: the
// product's (Product.MaxBases).
func WithMaxBases(n int) Option { return func(c *Config) { c.MaxBases = n } }

// TopologyError is a DM or base declaration New refuses: Kind is "dm" or
// "base", Index its place among the declarations of that kind and Attr
// the attribute at fault ("id", "dm", "level", "hears"), so that a
// scenario can point at it.
type TopologyError struct {
	Kind  string
	Index int
	Attr  string
	Msg   string
}

func (e *TopologyError) Error() string { return e.Msg }

// DM is a DECT manager as read by callers.
type DM struct {
	ID, Name string
	Up       bool
	// Bases are its bases' IDs, in declaration order.
	Bases []string
	// Window is the registration window update_dm opened on it.
	Window Window
	// Slots is how many slots are located at it.
	Slots int
}

// Base is a base station as read by callers.
type Base struct {
	ID, DM string
	Level  int
	// Sync is SyncDECT or SyncLAN.
	Sync  string
	Hears []string
	Up    bool
	// Serving: up, its DM up, and synchronised.
	Serving bool
	// Handsets is how many handsets camp at it.
	Handsets int
}

type dm struct {
	id, name string
	up       bool
	bases    []*base
	window   Window
	slots    int
	capped   bool // declared: MaxSlotsPerDM holds; the default DM has the system's capacity
}

type base struct {
	id       string
	dm       *dm
	level    int
	pos      int // declaration order
	hears    []*base
	heardBy  []*base
	reachers []*handset // handsets whose reach names it
	lan      bool
	up       bool
	serving  bool
	synced   bool // a re-sync completed: it serves on its next settling
	syncEv   des.ID
	camping  int
	mark     uint32 // the resync round that queued it
}

// buildTopology makes the DMs and bases cfg declares, or the default ones,
// and settles which bases serve at the start (no events: it is how things
// were before).
func (s *System) buildTopology() error {
	cfg := &s.cfg
	dms := cfg.DMs
	if len(dms) == 0 {
		dms = []DMSpec{{ID: DefaultDM}}
	}
	if len(dms) > 1 && s.profile.Name != "VI" {
		return &TopologyError{Kind: "dm", Index: 1, Attr: "id", Msg: fmt.Sprintf("several DECT managers need a Virtual Integrator (product VI); %s has one", s.profile.Name)}
	}
	if len(dms) > MaxDMs {
		return &TopologyError{Kind: "dm", Index: MaxDMs, Attr: "id", Msg: fmt.Sprintf("more than %d DECT managers", MaxDMs)}
	}
	s.dmByID = make(map[string]*dm, len(dms))
	for i, spec := range dms {
		if err := checkName("DM", spec.ID); err != nil {
			return &TopologyError{Kind: "dm", Index: i, Attr: "id", Msg: err.Error()}
		}
		if s.dmByID[spec.ID] != nil {
			return &TopologyError{Kind: "dm", Index: i, Attr: "id", Msg: fmt.Sprintf("DM %q is declared twice", spec.ID)}
		}
		name := spec.Name
		if name == "" {
			name = spec.ID
		}
		d := &dm{id: spec.ID, name: name, up: !spec.Down, capped: len(cfg.DMs) > 0}
		s.dmByID[d.id] = d
		s.dms = append(s.dms, d)
	}
	bases := cfg.Bases
	if len(bases) == 0 {
		bases = []BaseSpec{{ID: DefaultBase}}
	}
	max := cfg.MaxBases
	if max == 0 {
		max = s.profile.MaxBases
	}
	s.baseByID = make(map[string]*base, len(bases))
	for i, spec := range bases {
		if err := s.addBase(spec, i, max); err != nil {
			return &TopologyError{Kind: "base", Index: i, Attr: err.attr, Msg: err.msg}
		}
	}
	for _, b := range s.bases {
		b.serving = b.up && b.dm.up && (b.level == 1 || b.lan || slices.ContainsFunc(b.hears, func(h *base) bool { return h.serving }))
	}
	return nil
}

// declError is what is wrong with one declaration, and in which attribute.
type declError struct{ attr, msg string }

func declErr(attr, format string, args ...any) *declError {
	return &declError{attr: attr, msg: fmt.Sprintf(format, args...)}
}

// addBase checks one base declaration and adds it; bases are settled in
// declaration order, which the level rule makes an order of the sync chain.
func (s *System) addBase(spec BaseSpec, i, max int) *declError {
	if err := checkName("base", spec.ID); err != nil {
		return declErr("id", "%v", err)
	}
	if s.baseByID[spec.ID] != nil {
		return declErr("id", "base %q is declared twice", spec.ID)
	}
	if i >= max {
		return declErr("id", "base %s is one too many: %s takes %d base stations (max-bases)", spec.ID, s.profile.Name, max)
	}
	d := s.dms[0]
	if spec.DM != "" {
		if d = s.dmByID[spec.DM]; d == nil {
			return declErr("dm", "base %s: no DM %q (the DMs are %s)", spec.ID, spec.DM, s.dmIDs())
		}
	}
	if len(d.bases) >= MaxBasesPerDM {
		return declErr("id", "base %s is one too many for DM %s: a DM takes %d bases", spec.ID, d.id, MaxBasesPerDM)
	}
	level := spec.Level
	if level == 0 {
		level = 2
		if len(d.bases) == 0 {
			level = 1
		}
	}
	if level < 1 || level > MaxSyncLevel {
		return declErr("level", "base %s: level %d is outside 1..%d", spec.ID, level, MaxSyncLevel)
	}
	b := &base{id: spec.ID, dm: d, level: level, pos: len(s.bases), lan: spec.LAN, up: !spec.Down}
	hears := spec.Hears
	if hears == nil && level > 1 {
		if m := d.master(); m != nil {
			hears = []string{m.id}
		}
	}
	for _, id := range hears {
		h := s.baseByID[id]
		switch {
		case h == nil:
			return declErr("hears", "base %s hears %q, which is no base declared before it", spec.ID, id)
		case h.level >= level:
			return declErr("hears", "base %s (level %d) hears %s of level %d: a base synchronises only to a base of a lower level", spec.ID, level, id, h.level)
		case slices.Contains(b.hears, h):
			return declErr("hears", "base %s hears %s twice", spec.ID, id)
		}
		b.hears = append(b.hears, h)
		h.heardBy = append(h.heardBy, b)
	}
	if level > 1 && !b.lan && len(b.hears) == 0 {
		return declErr("hears", "base %s (level %d) hears no base and does not synchronise over the LAN (sync=\"lan\"): it could never serve", spec.ID, level)
	}
	s.baseByID[b.id] = b
	s.bases = append(s.bases, b)
	d.bases = append(d.bases, b)
	return nil
}

// master is the DM's first base of level 1.
func (d *dm) master() *base {
	for _, b := range d.bases {
		if b.level == 1 {
			return b
		}
	}
	return nil
}

func checkName(what, id string) error {
	if id == "" || strings.ContainsAny(id, " \t\r\n") {
		return fmt.Errorf("%s id %q must be a non-empty word", what, id)
	}
	return nil
}

func (s *System) dmIDs() string { return strings.Join(s.dmIDList(), ", ") }

func (s *System) dmIDList() []string {
	ids := make([]string, len(s.dms))
	for i, d := range s.dms {
		ids[i] = d.id
	}
	return ids
}

// reachOf resolves the base IDs a handset reaches; none: every base.
func (s *System) reachOf(ids []string) ([]*base, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	out := make([]*base, 0, len(ids))
	for _, id := range ids {
		b := s.baseByID[id]
		if b == nil {
			return nil, fmt.Errorf("no base %q", id)
		}
		if !slices.Contains(out, b) {
			out = append(out, b)
		}
	}
	return out, nil
}

// setReach gives h a new reach list, keeping the bases' reverse lists.
func (s *System) setReach(h *handset, reach []*base) {
	for _, b := range h.reach {
		if i := slices.Index(b.reachers, h); i >= 0 {
			b.reachers = slices.Delete(b.reachers, i, i+1)
		}
	}
	if h.reach == nil && h.everywhere >= 0 {
		s.everywhere[h.everywhere] = nil // compacted lazily
		h.everywhere = -1
	}
	h.reach = reach
	if reach == nil {
		h.everywhere = len(s.everywhere)
		s.everywhere = append(s.everywhere, h)
		return
	}
	for _, b := range reach {
		b.reachers = append(b.reachers, h)
	}
}

// campable is the base h would camp at: the first serving base of its
// reach, when it is on and in range.
func (s *System) campable(h *handset) *base {
	if !h.on || !h.inRange {
		return nil
	}
	reach := h.reach
	if reach == nil {
		reach = s.bases
	}
	for _, b := range reach {
		if b.serving {
			return b
		}
	}
	return nil
}

// place puts h at the base it can camp at now and tells what changed:
// byBase when the bases changed under it (handover, roaming, coverage),
// else the handset itself moved (only a change of base is news then: the
// handset-moved or handset-power event says the rest).
func (s *System) place(h *handset, byBase bool) {
	old, now := h.at, s.campable(h)
	if old == now {
		return
	}
	if old != nil {
		old.camping--
	}
	if now != nil {
		now.camping++
	}
	h.at = now
	slotID := s.slotIDOf(h)
	switch {
	case old != nil && now != nil:
		s.emit(Event{Type: EvHandover, IPUI: h.ipui, Slot: slotID, From: old.id, To: now.id, DM: now.dm.id})
		if old.dm != now.dm {
			s.emit(Event{Type: EvRoamed, IPUI: h.ipui, Slot: slotID, From: old.dm.id, To: now.dm.id})
			if sl := s.byIPUI[h.ipui]; sl != nil && sl.registered {
				s.locate(sl, now.dm)
				s.sipEval(sl)
			}
		}
		return
	case old != nil && byBase:
		s.emit(Event{Type: EvCoverageLost, IPUI: h.ipui, Slot: slotID, Base: old.id, DM: old.dm.id, Detail: "no base within its reach serves"})
	case now != nil && byBase:
		s.emit(Event{Type: EvCoverageRegained, IPUI: h.ipui, Slot: slotID, Base: now.id, DM: now.dm.id})
	}
	s.connectivityChanged(h, old != nil, byBase)
}

// locate records that sl is located at d.
func (s *System) locate(sl *slot, d *dm) {
	if sl.dm == d {
		return
	}
	if sl.dm != nil {
		sl.dm.slots--
	}
	sl.dm = d
	if d != nil {
		d.slots++
	}
}

// SetBase switches a base station up or down (a PoE switch rebooting, a
// power cut, the base's own update). The bases that synchronise through
// it and the handsets camping at them follow; what it costs grows with
// what the base reaches, not with the system.
func (s *System) SetBase(id string, up bool) error {
	b := s.baseByID[id]
	if b == nil {
		return fmt.Errorf("no base %q", id)
	}
	if b.up == up {
		return nil
	}
	b.up = up
	typ := EvBaseDown
	if up {
		typ = EvBaseUp
	}
	s.emit(Event{Type: typ, Base: b.id, DM: b.dm.id})
	s.resync([]*base{b})
	return nil
}

// SetDM switches a DECT manager up or down; a DM that is down serves
// through none of its bases.
func (s *System) SetDM(id string, up bool) error {
	d := s.dmByID[id]
	if d == nil {
		return fmt.Errorf("no DM %q", id)
	}
	if d.up == up {
		return nil
	}
	d.up = up
	typ := EvDMDown
	if up {
		typ = EvDMUp
	}
	s.emit(Event{Type: typ, DM: d.id})
	s.resync(d.bases)
	return nil
}

// MoveTo carries a handset elsewhere: its reach becomes the bases named,
// best first, and it is in range.
func (s *System) MoveTo(id string, bases []string) error {
	h, err := s.handset(id)
	if err != nil {
		return err
	}
	if len(bases) == 0 {
		return fmt.Errorf("handset %s: move to no base", h.ipui)
	}
	reach, err := s.reachOf(bases)
	if err != nil {
		return fmt.Errorf("handset %s: %w", h.ipui, err)
	}
	s.setReach(h, reach)
	h.inRange = true
	s.emit(Event{Type: EvHandsetMoved, IPUI: h.ipui, Slot: s.slotIDOf(h), Detail: "to " + strings.Join(bases, " ")})
	s.place(h, false)
	return nil
}

// baseQueue orders bases by sync level, then declaration: a base's sources
// have a lower level, so they are settled before it.
type baseQueue []*base

func (q baseQueue) Len() int { return len(q) }
func (q baseQueue) Less(i, j int) bool {
	if q[i].level != q[j].level {
		return q[i].level < q[j].level
	}
	return q[i].pos < q[j].pos
}
func (q baseQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *baseQueue) Push(x any)   { *q = append(*q, x.(*base)) }
func (q *baseQueue) Pop() any {
	old := *q
	b := old[len(old)-1]
	*q = old[:len(old)-1]
	return b
}

// resync settles the bases from starts down the sync chain, then places
// the handsets that reach a base whose serving changed. It visits only
// the bases below a change and the handsets within their reach.
func (s *System) resync(starts []*base) {
	s.round++
	q := make(baseQueue, 0, len(starts))
	for _, b := range starts {
		if b.mark != s.round {
			b.mark = s.round
			q = append(q, b)
		}
	}
	heap.Init(&q)
	var changed []*base
	for q.Len() > 0 {
		b := heap.Pop(&q).(*base)
		s.cellWork++
		was := b.serving
		s.settle(b)
		if b.serving == was {
			continue
		}
		changed = append(changed, b)
		for _, c := range b.heardBy {
			if c.mark != s.round {
				c.mark = s.round
				heap.Push(&q, c)
			}
		}
	}
	s.placeReachers(changed)
}

// settle decides whether b serves now. A base that lost its source stops
// at once; one that can hear a serving source again serves ResyncDelay
// later (a level-1 or LAN-synced base needs no source and serves as soon
// as it and its DM are up).
func (s *System) settle(b *base) {
	eligible := b.up && b.dm.up && (b.level == 1 || b.lan || slices.ContainsFunc(b.hears, func(h *base) bool { return h.serving }))
	switch {
	case !eligible:
		s.sim.Cancel(b.syncEv)
		b.syncEv, b.synced = 0, false
		if b.serving {
			b.serving = false
			if b.up && b.dm.up {
				s.emit(Event{Type: EvBaseSyncLost, Base: b.id, DM: b.dm.id, Detail: "no base it hears serves"})
			}
		}
	case b.serving:
	case b.level == 1 || b.lan:
		b.serving = true
	case b.synced:
		b.serving, b.synced = true, false
		s.emit(Event{Type: EvBaseSynced, Base: b.id, DM: b.dm.id})
	case b.syncEv == 0:
		b.syncEv = s.sim.After(ResyncDelay, func() {
			b.syncEv, b.synced = 0, true
			s.resync([]*base{b})
		})
	}
}

// placeReachers places every handset that reaches a base of changed, in
// the order they were added.
func (s *System) placeReachers(changed []*base) {
	if len(changed) == 0 {
		return
	}
	s.round++
	var hs []*handset
	for _, b := range changed {
		for _, h := range b.reachers {
			if h.mark != s.round {
				h.mark = s.round
				hs = append(hs, h)
			}
		}
	}
	for _, h := range s.everywhere {
		if h != nil && h.mark != s.round {
			h.mark = s.round
			hs = append(hs, h)
		}
	}
	slices.SortFunc(hs, func(a, b *handset) int { return a.seq - b.seq })
	s.cellWork += len(hs)
	for _, h := range hs {
		s.place(h, true)
	}
}

// DMs returns the DECT managers, in declaration order.
func (s *System) DMs() []DM {
	out := make([]DM, len(s.dms))
	for i, d := range s.dms {
		ids := make([]string, len(d.bases))
		for j, b := range d.bases {
			ids[j] = b.id
		}
		out[i] = DM{ID: d.id, Name: d.name, Up: d.up, Bases: ids, Window: d.window, Slots: d.slots}
	}
	return out
}

// Bases returns the base stations, in declaration order.
func (s *System) Bases() []Base {
	out := make([]Base, len(s.bases))
	for i, b := range s.bases {
		out[i] = s.baseView(b)
	}
	return out
}

// BaseByID returns one base station.
func (s *System) BaseByID(id string) (Base, bool) {
	b := s.baseByID[id]
	if b == nil {
		return Base{}, false
	}
	return s.baseView(b), true
}

func (s *System) baseView(b *base) Base {
	v := Base{ID: b.id, DM: b.dm.id, Level: b.level, Sync: SyncDECT, Up: b.up, Serving: b.serving, Handsets: b.camping}
	if b.lan {
		v.Sync = SyncLAN
	}
	for _, h := range b.hears {
		v.Hears = append(v.Hears, h.id)
	}
	return v
}
