package scenario

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/beevik/etree"

	"github.com/dectsim/dectsim/emulator/system"
)

// The multicell part of the format: <dm> and <base> before the handsets,
// <handset at>, the steps <base>, <dm> and <move to>, and the
// expectations <expect base> and <expect ipui base location>.

// Multicell step kinds.
const (
	StepBase = "base"
	StepDM   = "dm"
)

// DMDecl is a <dm>: a DECT manager before t=0.
type DMDecl struct {
	Pos  Pos
	ID   string
	Name string
	Down bool
}

// BaseDecl is a <base>: a base station before t=0.
type BaseDecl struct {
	Pos   Pos
	ID    string
	DM    string
	Level int
	Hears []string
	LAN   bool
	Down  bool
}

// topology reads the <dm> and <base> elements of <scenario>, wherever
// they stand, before the handsets that name the bases.
func (p *parser) topology(root *etree.Element) error {
	p.bases = make(map[string]bool)
	p.dmIDs = make(map[string]bool)
	for _, c := range root.ChildElements() {
		var err error
		switch c.Tag {
		case "dm":
			err = p.dmDecl(c)
		case "base":
			err = p.baseDecl(c)
		default:
			continue
		}
		if err != nil && !p.note(err) {
			return errStop
		}
	}
	return nil
}

func (p *parser) dmDecl(e *etree.Element) error {
	a, err := p.attrs(e, "id", "name", "state")
	if err != nil {
		return err
	}
	if err := p.noChildren(e); err != nil {
		return err
	}
	d := DMDecl{Pos: p.pos(e), ID: a["id"], Name: a["name"]}
	if d.ID == "" {
		return p.errf(e, "<dm> needs id= (how bases, steps and update_dm name it)")
	}
	if d.Down, err = p.upDown(e, a, "state"); err != nil {
		return err
	}
	p.dmIDs[d.ID] = true
	p.dmElems = append(p.dmElems, e)
	p.sc.DMs = append(p.sc.DMs, d)
	return nil
}

func (p *parser) baseDecl(e *etree.Element) error {
	a, err := p.attrs(e, "id", "dm", "level", "hears", "sync", "state")
	if err != nil {
		return err
	}
	if err := p.noChildren(e); err != nil {
		return err
	}
	b := BaseDecl{Pos: p.pos(e), ID: a["id"], DM: a["dm"]}
	if b.ID == "" {
		return p.errf(e, "<base> needs id= (how handsets' at=, steps and expectations name it)")
	}
	p.bases[b.ID] = true // known from here, so steps that name it are not mistakes too
	if b.DM != "" && !p.dmIDs[b.DM] {
		return p.errAttr(e, "dm", "no <dm id=%q> is declared", b.DM)
	}
	if v, ok := a["level"]; ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > system.MaxSyncLevel {
			return p.errAttr(e, "level", "level %q is not a sync level from 1 (the sync master) to %d", v, system.MaxSyncLevel)
		}
		b.Level = n
	}
	if v, ok := a["hears"]; ok {
		b.Hears = strings.Fields(v)
		if len(b.Hears) == 0 {
			return p.errAttr(e, "hears", "hears=\"\" names no base; leave it out to hear the DM's level-1 base")
		}
	}
	switch a["sync"] {
	case "", system.SyncDECT:
	case system.SyncLAN:
		b.LAN = true
	default:
		return p.errAttr(e, "sync", "sync %q must be dect or lan", a["sync"])
	}
	if b.Down, err = p.upDown(e, a, "state"); err != nil {
		return err
	}
	p.baseElems = append(p.baseElems, e)
	p.sc.Bases = append(p.sc.Bases, b)
	return nil
}

// upDown reads a state attribute of up (the default) or down.
func (p *parser) upDown(e *etree.Element, a map[string]string, attr string) (down bool, err error) {
	switch a[attr] {
	case "", "up":
		return false, nil
	case "down":
		return true, nil
	}
	return false, p.errAttr(e, attr, "%s %q must be up or down", attr, a[attr])
}

// knownBases reads a list of base ids, each declared (or the default
// base of a scenario that declares none).
func (p *parser) knownBases(e *etree.Element, attr, v string) ([]string, error) {
	ids := strings.Fields(v)
	if len(ids) == 0 {
		return nil, p.errAttr(e, attr, "%s=%q names no base", attr, v)
	}
	for _, id := range ids {
		if !p.knownBase(id) {
			return nil, p.errAttr(e, attr, "unknown base %q: %s", id, p.baseHint())
		}
	}
	return ids, nil
}

func (p *parser) knownBase(id string) bool {
	switch {
	case p.worldBases != nil: // steps sent to a live system: its bases
		return p.worldBases[id]
	case len(p.bases) == 0:
		return id == system.DefaultBase
	}
	return p.bases[id]
}

func (p *parser) baseHint() string {
	switch {
	case p.worldBases != nil:
		return "this system's bases are " + strings.Join(slices.Sorted(maps.Keys(p.worldBases)), ", ")
	case len(p.bases) == 0:
		return "this system has one base, " + system.DefaultBase + " (declare others with <base id=...>)"
	}
	return "declare it with <base id=...> first"
}

// checkTopology builds the declared topology once, so that the rules of
// the model (levels, hears, capacities, several DMs only on a VI) are
// reported at the element and attribute at fault.
func (p *parser) checkTopology() error {
	if len(p.sc.DMs) == 0 && len(p.sc.Bases) == 0 {
		return nil
	}
	_, err := system.New(topologyOptions(p.sc)...)
	var te *system.TopologyError
	if !errors.As(err, &te) {
		return nil // other mistakes of <system> are reported where it is read
	}
	elems := p.baseElems
	if te.Kind == "dm" {
		elems = p.dmElems
	}
	if te.Index < len(elems) {
		return p.errAttr(elems[te.Index], te.Attr, "%s", te.Msg)
	}
	return p.errf(elems[len(elems)-1], "%s", te.Msg)
}

// topologyOptions are the system options of the scenario's <system>
// product, and cellOptions.
func topologyOptions(sc *Scenario) []system.Option {
	var opts []system.Option
	if sc.System.Product != "" {
		opts = append(opts, system.WithProduct(sc.System.Product))
	}
	return append(opts, cellOptions(sc)...)
}

// cellOptions are the system options of the scenario's max-bases, its DMs
// and its bases.
func cellOptions(sc *Scenario) []system.Option {
	var opts []system.Option
	if sc.System.MaxBases > 0 {
		opts = append(opts, system.WithMaxBases(sc.System.MaxBases))
	}
	for _, d := range sc.DMs {
		opts = append(opts, system.WithDM(system.DMSpec{ID: d.ID, Name: d.Name, Down: d.Down}))
	}
	for _, b := range sc.Bases {
		opts = append(opts, system.WithBase(system.BaseSpec{ID: b.ID, DM: b.DM, Level: b.Level, Hears: b.Hears, LAN: b.LAN, Down: b.Down}))
	}
	return opts
}

// baseStep reads <base id state="down|up"/> as a step.
func (p *parser) baseStep(e *etree.Element, st *Step) error {
	a, err := p.attrs(e, "id", "state")
	if err != nil {
		return err
	}
	if !p.knownBase(a["id"]) {
		return p.errAttr(e, "id", "unknown base %q: %s", a["id"], p.baseHint())
	}
	st.Base = a["id"]
	return p.stepUpDown(e, a, st)
}

// dmStep reads <dm id state="down|up"/> as a step.
func (p *parser) dmStep(e *etree.Element, st *Step) error {
	a, err := p.attrs(e, "id", "state")
	if err != nil {
		return err
	}
	id := a["id"]
	known := p.dmIDs[id] || len(p.dmIDs) == 0 && id == system.DefaultDM
	if p.worldDMs != nil {
		known = p.worldDMs[id]
	}
	if !known {
		return p.errAttr(e, "id", "unknown DM %q", id)
	}
	st.DM = id
	return p.stepUpDown(e, a, st)
}

func (p *parser) stepUpDown(e *etree.Element, a map[string]string, st *Step) error {
	switch a["state"] {
	case "up":
		st.On = true
	case "down":
	default:
		return p.errAttr(e, "state", "<%s> needs state=\"up\" or state=\"down\"; got %q", e.Tag, a["state"])
	}
	return nil
}

// move reads <move ipui range="in|out"/> or <move ipui to="b3 b4"/>.
func (p *parser) move(e *etree.Element, st *Step) error {
	a, err := p.handsetStep(e, st, "range", "to")
	if err != nil {
		return err
	}
	to, hasTo := a["to"]
	_, hasRange := a["range"]
	switch {
	case hasTo && hasRange:
		return p.errAttr(e, "to", "<move> takes range= or to=, not both")
	case hasTo:
		st.To, err = p.knownBases(e, "to", to)
		st.On = true
		return err
	}
	switch a["range"] {
	case "in":
		st.On = true
	case "out":
	default:
		return p.errAttr(e, "range", "<move> needs range=\"in\", range=\"out\" or to=\"BASE ...\"; got %q", a["range"])
	}
	return nil
}

// expectCell reads the multicell attributes of <expect>: base= and
// location= of a handset, or base= with state=, serving= and handsets= of
// a base. ok says it was a base expectation, which it has read whole.
func (p *parser) expectCell(e *etree.Element, a map[string]string, st *Step) (ok bool, err error) {
	b, hasBase := a["base"]
	_, hasIPUI := a["ipui"]
	if loc, has := a["location"]; has {
		if !hasIPUI {
			return false, p.errAttr(e, "location", "<expect location> needs ipui=")
		}
		if loc == "" {
			return false, p.errAttr(e, "location", "location=\"\" names no DM (none: no handset registered in the slot)")
		}
		st.Location = loc
	}
	if !hasBase {
		return false, nil
	}
	if hasIPUI {
		if b != "none" && !p.knownBase(b) {
			return false, p.errAttr(e, "base", "unknown base %q (none: not connected): %s", b, p.baseHint())
		}
		st.Base = b
		return false, nil
	}
	if !p.knownBase(b) {
		return true, p.errAttr(e, "base", "unknown base %q: %s", b, p.baseHint())
	}
	st.Base = b
	for _, k := range []string{"subscribed", "ghost", "ghosts", "slots", "sip"} {
		if _, has := a[k]; has {
			return true, p.errAttr(e, k, "<expect base=%q> checks the base: state, serving or handsets, not %s", b, k)
		}
	}
	if v, has := a["state"]; has {
		if v != "up" && v != "down" {
			return true, p.errAttr(e, "state", "a base's state %q must be up or down", v)
		}
		st.BaseState = v
	}
	if v, has := a["serving"]; has {
		if st.Serving, err = boolAttr(p, e, "serving", v); err != nil {
			return true, err
		}
	}
	if v, has := a["handsets"]; has {
		if st.Camping, err = intAttr(p, e, "handsets", v); err != nil {
			return true, err
		}
	}
	if st.BaseState == "" && st.Serving == nil && st.Camping == nil {
		return true, p.errf(e, "<expect base=%q> checks nothing: add state=, serving= or handsets=", b)
	}
	return true, nil
}

// expectBase is <expect base>: a base's state, whether it serves, and how
// many handsets camp at it.
func expectBase(sys *system.System, st Step, v *verdict) {
	b, _ := sys.BaseByID(st.Base)
	if st.BaseState != "" {
		got := "down"
		if b.Up {
			got = "up"
		}
		v.cmp("state", st.BaseState, got)
	}
	if st.Serving != nil {
		v.cmp("serving", fmt.Sprint(*st.Serving), fmt.Sprint(b.Serving))
	}
	if st.Camping != nil {
		v.cmp("handsets", fmt.Sprint(*st.Camping), fmt.Sprint(b.Handsets))
	}
}

// expectWhere is <expect ipui base location>: the base the handset camps
// at ("none" when not connected) and the DM its slot is located at
// ("none" without a slot or a location).
func expectWhere(sys *system.System, st Step, v *verdict) {
	if st.Base != "" {
		h, _ := sys.Handset(st.IPUI)
		v.cmp("base", st.Base, cmpOr(h.Base, "none"))
	}
	if st.Location != "" {
		sl, _ := sys.Slot(st.IPUI)
		v.cmp("location", st.Location, cmpOr(sl.Location, "none"))
	}
	if st.SIP != "" {
		sl, ok := sys.Slot(st.IPUI)
		got := system.SIPUnregistered // no slot: nothing is registered
		if ok {
			got = sl.SIP
		}
		v.cmp("sip", st.SIP, got)
	}
}

func cmpOr(s, dflt string) string {
	if s == "" {
		return dflt
	}
	return s
}

// describeCell adds the multicell attributes of an expectation, in the
// format reference's order.
func (st Step) describeCell(add func(k, v string)) {
	if st.Base != "" {
		add("base", st.Base)
	}
	if st.Location != "" {
		add("location", st.Location)
	}
	if st.BaseState != "" {
		add("state", st.BaseState)
	}
	if st.Serving != nil {
		add("serving", fmt.Sprint(*st.Serving))
	}
	if st.Camping != nil {
		add("handsets", fmt.Sprint(*st.Camping))
	}
	if st.SIP != "" {
		add("sip", st.SIP)
	}
}

// handsetAt reads a <handset>'s at=.
func (p *parser) handsetAt(e *etree.Element, a map[string]string, h *HandsetDecl) error {
	v, ok := a["at"]
	if !ok {
		return nil
	}
	ids, err := p.knownBases(e, "at", v)
	if err != nil {
		return err
	}
	h.At = slices.Clip(ids)
	return nil
}
