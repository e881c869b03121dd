package scenario

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/beevik/etree"

	"github.com/dectsim/dectsim/emulator/autoprov"
	"github.com/dectsim/dectsim/emulator/system"
	"github.com/dectsim/dectsim/internal/textio/fsread"
	"github.com/dectsim/dectsim/internal/vocab/firmware"
	"github.com/dectsim/dectsim/internal/vocab/ipui"
	"github.com/dectsim/dectsim/internal/vocab/product"
	"github.com/dectsim/dectsim/internal/vocab/readings"
	"github.com/dectsim/dectsim/internal/xmltok"
)

// Limits on scenario files, so a runaway generator fails with a clear error.
const (
	MaxScenarioBytes = 16 << 20
	MaxSteps         = 100_000
	MaxServeBytes    = 16 << 20
	// MaxSrcBytes bounds the files one scenario's src= attributes name, in
	// all; a file named twice is read once and counted once.
	MaxSrcBytes = 256 << 20
	// MaxStepsBytes bounds a body of steps sent to a live system; a
	// provisioning file inside is bounded by the system's own limit.
	MaxStepsBytes = MaxScenarioBytes
)

// DefaultStart is when a scenario starts unless its start attribute says.
var DefaultStart = system.DefaultStart

// ParseFile reads a scenario file.
// A file over MaxScenarioBytes, a device that never ends (/dev/zero) and
// a named pipe are read no further than the limit.
func ParseFile(path string) (*Scenario, error) {
	return ParseFileWith(path, ParseOptions{})
}

// Parse reads a scenario from bytes; path names it in errors and anchors
// relative src= paths.
func Parse(path string, data []byte) (*Scenario, error) {
	return ParseWith(path, data, ParseOptions{})
}

// ParseWith reads a scenario from bytes as Parse does, with o: the values
// of ${NAME} in attribute values.
func ParseWith(path string, data []byte, o ParseOptions) (*Scenario, error) {
	p := &parser{sc: &Scenario{File: path, Src: data, Seed: 1, Start: DefaultStart}, dir: filepath.Dir(path), opts: o}
	if len(data) > MaxScenarioBytes {
		return nil, p.errAt(Pos{Line: 1, Col: 1}, "scenario is %d bytes; the limit is %d", len(data), MaxScenarioBytes)
	}
	d, err := xmltok.Parse(data, xmltok.Limits{MaxBytes: MaxScenarioBytes, MaxDepth: 64, MaxAttrLen: 1 << 20, MaxElements: 4 * MaxSteps})
	if err != nil {
		var xe *xmltok.Error
		if errors.As(err, &xe) {
			return nil, &Error{File: path, Pos: Pos(xe.Pos), Msg: xe.Msg, Src: data}
		}
		return nil, &Error{File: path, Pos: Pos{Line: 1, Col: 1}, Msg: err.Error(), Src: data}
	}
	p.doc = d
	if err := p.scenario(d.Root()); err != nil {
		p.note(err)
	}
	if err := p.errors(); err != nil {
		return nil, err
	}
	return p.sc, nil
}

type parser struct {
	sc       *Scenario
	doc      *xmltok.Doc
	dir      string
	opts     ParseOptions
	handsets map[string]bool
	// live reads steps sent to a running system: src= is refused and
	// world names the handsets it already has.
	live     bool
	world    map[string]bool
	served   map[string]bool   // paths of top-level <serve>s, so a repeat is found in O(1)
	srcs     map[string][]byte // files src= named, read once each
	srcBytes int64             // their total size, at most MaxSrcBytes
	steps    int
	errs     []*Error // the mistakes found so far, at most MaxErrors
	// The declared DMs and bases (cell.go), their elements in
	// declaration order, and a live system's own.
	bases, dmIDs         map[string]bool
	dmElems, baseElems   []*etree.Element
	worldBases, worldDMs map[string]bool
}

func (p *parser) errAt(pos Pos, format string, args ...any) *Error {
	return &Error{File: p.sc.File, Pos: pos, Msg: fmt.Sprintf(format, args...), Src: p.sc.Src}
}

func (p *parser) errf(e *etree.Element, format string, args ...any) *Error {
	return p.errAt(p.pos(e), format, args...)
}

// errAttr is an error about attribute attr of e, placed at the attribute
// (at e when the attribute cannot be found in the source).
func (p *parser) errAttr(e *etree.Element, attr, format string, args ...any) *Error {
	if pos, ok := p.doc.AttrPos(e, attr); ok {
		return p.errAt(Pos(pos), format, args...)
	}
	return p.errf(e, format, args...)
}

// attrs checks e has only the allowed attributes and returns them.
func (p *parser) attrs(e *etree.Element, allowed ...string) (map[string]string, error) {
	m := make(map[string]string, len(e.Attr))
	for _, a := range e.Attr {
		k := a.Key
		if a.Space != "" {
			k = a.Space + ":" + a.Key
		}
		ok := false
		for _, al := range allowed {
			if k == al {
				ok = true
				break
			}
		}
		if !ok {
			if len(allowed) == 0 {
				return nil, p.errAttr(e, k, "<%s> takes no attributes; %q is unknown", e.Tag, k)
			}
			return nil, p.errAttr(e, k, "<%s> has no attribute %q (it takes %s)", e.Tag, k, strings.Join(allowed, ", "))
		}
		v, err := p.expand(e, k, a.Value)
		if err != nil {
			return nil, err
		}
		m[k] = v
	}
	return m, nil
}

func (p *parser) noChildren(e *etree.Element) error {
	if c := e.ChildElements(); len(c) > 0 {
		return p.errf(c[0], "<%s> takes no child elements; <%s> is unknown here", e.Tag, c[0].Tag)
	}
	return nil
}

func (p *parser) scenario(root *etree.Element) error {
	if root == nil {
		return p.errAt(Pos{Line: 1, Col: 1}, "empty document; a scenario has <scenario> as its root")
	}
	if root.Tag != "scenario" || root.Space != "" {
		return p.errf(root, "root element is <%s>; a scenario file has <scenario> as its root", root.FullTag())
	}
	if err := p.scenarioAttrs(root); err != nil && !p.note(err) {
		return nil
	}
	// The topology, then the handsets: handsets name bases, and steps
	// anywhere may name either.
	if err := p.topology(root); err != nil {
		return nil
	}
	p.handsets = make(map[string]bool)
	for _, c := range root.ChildElements() {
		if c.Tag == "handset" {
			if err := p.handset(c); err != nil && !p.note(err) {
				return nil
			}
		}
	}
	seen := sections{last: -1}
	for _, c := range root.ChildElements() {
		if err := p.section(c, &seen); err != nil && !p.note(err) {
			return nil
		}
	}
	return p.checkTopology()
}

// scenarioAttrs reads the attributes of <scenario>.
func (p *parser) scenarioAttrs(root *etree.Element) error {
	a, err := p.attrs(root, "name", "seed", "start")
	if err != nil {
		return err
	}
	sc := p.sc
	sc.Name = a["name"]
	if sc.Name == "" {
		sc.Name = strings.TrimSuffix(filepath.Base(sc.File), filepath.Ext(sc.File))
	}
	if v, ok := a["seed"]; ok {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return p.errAttr(root, "seed", "seed %q is not a non-negative integer", v)
		}
		sc.Seed = n
	}
	if v, ok := a["start"]; ok {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return p.errAttr(root, "start", "start %q is not an RFC 3339 time such as 2026-01-05T09:00:00Z", v)
		}
		sc.Start = t
	}
	return nil
}

// sections is what section has met so far among the children of
// <scenario>.
type sections struct {
	system, description bool
	last                time.Duration // t of the last <at>, -1 before the first
}

// section reads a child of <scenario> (handsets are read before).
func (p *parser) section(c *etree.Element, seen *sections) error {
	switch c.Tag {
	case "description":
		if seen.description {
			return p.errf(c, "a second <description>; a scenario has at most one")
		}
		seen.description = true
		return p.description(c)
	case "system":
		if seen.system {
			return p.errf(c, "a second <system>; a scenario describes one system")
		}
		seen.system = true
		return p.system(c)
	case "handset", "dm", "base":
		return nil
	case "serve":
		return p.serve(c)
	case "at":
		b, err := p.block(c)
		if err != nil {
			return err
		}
		if b.T < seen.last {
			return p.errf(c, "t=%s comes before the previous block's t=%s; times never decrease", b.T, seen.last)
		}
		seen.last = b.T
		p.sc.Blocks = append(p.sc.Blocks, b)
		return nil
	}
	return p.errf(c, "unknown element <%s> in <scenario> (expected description, system, dm, base, handset, serve or at)", c.Tag)
}

// description reads <description>, its text with white space folded.
func (p *parser) description(c *etree.Element) error {
	if _, err := p.attrs(c); err != nil {
		return err
	}
	if err := p.noChildren(c); err != nil {
		return err
	}
	p.sc.Description = strings.Join(strings.Fields(c.Text()), " ")
	return nil
}

func (p *parser) duration(e *etree.Element, attr, v string) (time.Duration, error) {
	d, err := time.ParseDuration(strings.TrimSpace(v))
	if err != nil {
		return 0, p.errAttr(e, attr, "%s=%q is not a duration (Go syntax: 90s, 23h59m, 49h)", attr, v)
	}
	if d < 0 {
		return 0, p.errAttr(e, attr, "%s=%q is negative; times count from the scenario's start", attr, v)
	}
	return d, nil
}

func (p *parser) system(e *etree.Element) error {
	allowed := []string{"product", "firmware", "mac", "mac-case", "dereg-timeout", "max-handsets", "max-bases", "sip-registrar", "provisioning-url", "user", "password", "fetch-timeout", "ghost-interval", "event-budget"}
	a, err := p.attrs(e, append(allowed, readings.All.Names()...)...)
	if err != nil {
		return err
	}
	if err := p.noChildren(e); err != nil {
		return err
	}
	s := &p.sc.System
	s.Pos = p.pos(e)
	if err := p.systemIdentity(e, a, s); err != nil {
		return err
	}
	if err := p.systemTimes(e, a, s); err != nil {
		return err
	}
	switch v := a["sip-registrar"]; v {
	case "", system.SIPAccept, system.SIPRefuse:
		s.SIPRegistrar = v
	default:
		return p.errAttr(e, "sip-registrar", "sip-registrar %q must be accept or refuse", v)
	}
	s.ProvisioningURL = a["provisioning-url"]
	s.User = a["user"]
	s.Password = a["password"]
	return p.systemReadings(e, a, s)
}

// systemReadings reads the attributes that set a reading, each checked
// against the values it takes.
func (p *parser) systemReadings(e *etree.Element, a map[string]string, s *SystemSpec) error {
	for _, r := range readings.All {
		v, ok := a[r.Name]
		if !ok {
			continue
		}
		canon, err := r.Check(v)
		if err != nil {
			return p.errAttr(e, r.Name, "%v", err)
		}
		if s.Readings == nil {
			s.Readings = make(map[string]string)
		}
		s.Readings[r.Name] = canon
	}
	return nil
}

// systemIdentity reads what the system is: product, firmware and MAC.
func (p *parser) systemIdentity(e *etree.Element, a map[string]string, s *SystemSpec) error {
	if v, ok := a["product"]; ok {
		if _, err := product.Lookup(v); err != nil {
			return p.errAttr(e, "product", "%v", err)
		}
		s.Product = v
	}
	if v, ok := a["firmware"]; ok {
		if _, err := firmware.Parse(v); err != nil {
			return p.errAttr(e, "firmware", "%v", err)
		}
		s.Firmware = v
	}
	if v, ok := a["mac"]; ok {
		if _, err := system.NormalizeMAC(v); err != nil {
			return p.errAttr(e, "mac", "%v", err)
		}
		s.MAC = v
	}
	return p.macCase(e, a, s)
}

// systemTimes reads the system's timeouts and its handset capacity, in
// the order their errors are reported.
func (p *parser) systemTimes(e *etree.Element, a map[string]string, s *SystemSpec) error {
	var err error
	if s.DeregTimeout, err = p.positiveDuration(e, a, "dereg-timeout"); err != nil {
		return err
	}
	if v, ok := a["max-handsets"]; ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > system.MaxSlots {
			return p.errAttr(e, "max-handsets", "max-handsets %q is not a number from 1 to %d", v, system.MaxSlots)
		}
		s.MaxHandsets = n
	}
	if v, ok := a["max-bases"]; ok {
		n, err := strconv.Atoi(v)
		if max := system.MaxDMs * system.MaxBasesPerDM; err != nil || n < 1 || n > max {
			return p.errAttr(e, "max-bases", "max-bases %q is not a number from 1 to %d", v, max)
		}
		s.MaxBases = n
	}
	if s.GhostInterval, err = p.positiveDuration(e, a, "ghost-interval"); err != nil {
		return err
	}
	if s.GhostInterval > 0 && s.GhostInterval < system.MinGhostInterval {
		return p.errAttr(e, "ghost-interval", "ghost-interval %s is shorter than the %s the model takes", s.GhostInterval, system.MinGhostInterval)
	}
	if s.FetchTimeout, err = p.positiveDuration(e, a, "fetch-timeout"); err != nil {
		return err
	}
	if s.FetchTimeout > autoprov.MaxTimeout {
		return p.errAttr(e, "fetch-timeout", "fetch-timeout %s is longer than the %s a fetch may take", s.FetchTimeout, autoprov.MaxTimeout)
	}
	if v, ok := a["event-budget"]; ok {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil || n == 0 {
			return p.errAttr(e, "event-budget", "event-budget %q is not a number of events (1 or more)", v)
		}
		s.EventBudget = n
	}
	return nil
}

// positiveDuration reads the duration attribute attr of e, which must be
// above 0 when given; 0 when it is not given.
func (p *parser) positiveDuration(e *etree.Element, a map[string]string, attr string) (time.Duration, error) {
	v, ok := a[attr]
	if !ok {
		return 0, nil
	}
	d, err := p.duration(e, attr, v)
	if err != nil {
		return 0, err
	}
	if d == 0 {
		return 0, p.errAttr(e, attr, "%s must be above 0", attr)
	}
	return d, nil
}

func (p *parser) handset(e *etree.Element) error {
	a, err := p.attrs(e, "ipui", "state", "range", "power", "pin", "at")
	if err != nil {
		return err
	}
	if err := p.noChildren(e); err != nil {
		return err
	}
	id := a["ipui"]
	if !ipui.IsIPUI(id) {
		return p.errf(e, "<handset> needs ipui= of 10 hex digits; got %q", id)
	}
	id = ipui.Normalize(id)
	if p.world[id] {
		return p.errf(e, "handset %s is already in the world", id)
	}
	if p.handsets[id] {
		return p.errf(e, "handset %s is declared twice", id)
	}
	// Known from here, so a mistake below does not make every step that
	// names it a mistake too.
	p.handsets[id] = true
	h := HandsetDecl{Pos: p.pos(e), IPUI: id, PIN: a["pin"]}
	switch a["state"] {
	case "", "Registered", "ToReg":
		h.State = a["state"]
	default:
		return p.errAttr(e, "state", "handset state %q: the world before t=0 has Registered, ToReg, or no state (a handset only)", a["state"])
	}
	switch a["range"] {
	case "", "in":
	case "out":
		h.Out = true
	default:
		return p.errAttr(e, "range", "range %q must be in or out", a["range"])
	}
	switch a["power"] {
	case "", "on":
	case "off":
		h.Off = true
	default:
		return p.errAttr(e, "power", "power %q must be on or off", a["power"])
	}
	if err := p.handsetAt(e, a, &h); err != nil {
		return err
	}
	p.handsets[id] = true
	p.sc.Handsets = append(p.sc.Handsets, h)
	return nil
}

func (p *parser) serve(e *etree.Element) error {
	sv, err := p.serveSpec(e)
	if err != nil {
		return err
	}
	if p.served[sv.Path] {
		return p.errf(e, "path %s is served twice; change it later with a <serve> step inside <at>", sv.Path)
	}
	if p.served == nil {
		p.served = make(map[string]bool)
	}
	p.served[sv.Path] = true
	p.sc.Serves = append(p.sc.Serves, sv)
	return nil
}

// serveSpec reads a <serve>: at the top level it sets what the scenario's
// own HTTP server answers from the start; as a step it changes that answer
// from then on.
func (p *parser) serveSpec(e *etree.Element) (Serve, error) {
	fail := func(err error) (Serve, error) { return Serve{}, err }
	a, err := p.attrs(e, "path", "src", "status", "delay", "truncate")
	if err != nil {
		return fail(err)
	}
	sv := Serve{Pos: p.pos(e), Path: a["path"], Status: 200}
	if !strings.HasPrefix(sv.Path, "/") {
		return fail(p.errf(e, "<serve> needs path= starting with /; got %q", sv.Path))
	}
	if v, ok := a["status"]; ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 100 || n > 599 {
			return fail(p.errAttr(e, "status", "status %q is not an HTTP status code", v))
		}
		if n < 200 {
			// A 1xx is an interim answer, never a server's last word.
			return fail(p.errAttr(e, "status", "status %d is an interim (1xx) answer; a server's answer is 200 to 599", n))
		}
		sv.Status = n
	}
	if v, ok := a["delay"]; ok {
		d, err := p.duration(e, "delay", v)
		if err != nil {
			return fail(err)
		}
		sv.Delay = d
	}
	if v, ok := a["truncate"]; ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return fail(p.errAttr(e, "truncate", "truncate %q is not a byte count", v))
		}
		sv.Truncate = n
	}
	kids := e.ChildElements()
	switch {
	case a["src"] != "" && len(kids) > 0:
		return fail(p.errf(e, "<serve> has both src= and inline content; give one"))
	case a["src"] != "":
		data, err := p.readSrc(e, a["src"], MaxServeBytes)
		if err != nil {
			return fail(err)
		}
		sv.Body = data
	case len(kids) > 1:
		return fail(p.errf(kids[1], "<serve> holds at most one inline element"))
	case len(kids) == 1:
		start, end := p.doc.Span(kids[0])
		sv.Body = append([]byte(nil), p.sc.Src[start:end]...)
	default:
		sv.Body = []byte(strings.TrimSpace(e.Text()))
	}
	return sv, nil
}

func (p *parser) readSrc(e *etree.Element, src string, max int64) ([]byte, error) {
	if p.live {
		return nil, p.errAttr(e, "src", "src= is not read here: the emulator reads no file a request names; put the document inside the element")
	}
	path := src
	if !filepath.IsAbs(path) {
		path = filepath.Join(p.dir, src)
	}
	if data, ok := p.srcs[path]; ok {
		if int64(len(data)) > max {
			return nil, p.errAttr(e, "src", "src=%q is %d bytes; the limit is %d", src, len(data), max)
		}
		return data, nil
	}
	data, err := p.readSrcFile(e, src, path, max)
	if err != nil {
		return nil, err
	}
	if p.srcBytes += int64(len(data)); p.srcBytes > MaxSrcBytes {
		return nil, p.errAttr(e, "src", "src=%q brings the files this scenario reads to more than %d bytes in all", src, MaxSrcBytes)
	}
	if p.srcs == nil {
		p.srcs = make(map[string][]byte)
	}
	p.srcs[path] = data
	return data, nil
}

// readSrcFile reads the file a src= names, within max bytes.
func (p *parser) readSrcFile(e *etree.Element, src, path string, max int64) ([]byte, error) {
	data, err := fsread.ReadFile(path, max)
	var tl *fsread.TooLargeError
	switch {
	case errors.Is(err, fsread.ErrDirectory):
		return nil, p.errAttr(e, "src", "src=%q is a directory", src)
	case errors.As(err, &tl) && tl.Size >= 0:
		return nil, p.errAttr(e, "src", "src=%q is %d bytes; the limit is %d", src, tl.Size, max)
	case errors.As(err, &tl):
		return nil, p.errAttr(e, "src", "src=%q is larger than the limit of %d bytes (it is not a regular file)", src, max)
	case err != nil:
		return nil, p.errAttr(e, "src", "src=%q: %v", src, unwrapPathError(err))
	}
	return data, nil
}

func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func (p *parser) block(e *etree.Element) (Block, error) {
	a, err := p.attrs(e, "t")
	if err != nil {
		return Block{}, err
	}
	v, ok := a["t"]
	if !ok {
		return Block{}, p.errf(e, "<at> needs t= (a duration from the start, e.g. 24h)")
	}
	d, err := p.duration(e, "t", v)
	if err != nil {
		return Block{}, err
	}
	b := Block{Pos: p.pos(e), T: d}
	kids := e.ChildElements()
	for _, c := range kids {
		st, err := p.step(c)
		p.steps++
		if p.steps > MaxSteps {
			return Block{}, p.errf(c, "more than %d steps; split the scenario", MaxSteps)
		}
		if err != nil {
			// A step that cannot be read is left out; the others are
			// still read, so one run reports every mistake.
			if !p.note(err) {
				return Block{}, errStop
			}
			continue
		}
		b.Steps = append(b.Steps, st)
	}
	if len(kids) == 0 {
		return Block{}, p.errf(e, "<at t=%q> has nothing in it; give it at least one step", v)
	}
	return b, nil
}

func (p *parser) knownHandset(e *etree.Element, id string) (string, error) {
	if id == "" {
		return "", p.errf(e, "<%s> needs ipui=", e.Tag)
	}
	n := ipui.Normalize(id)
	if !p.handsets[n] {
		return "", p.errAttr(e, "ipui", "unknown IPUI %q: declare it with <handset ipui=%q/> first", id, id)
	}
	return n, nil
}

func boolAttr(p *parser, e *etree.Element, name, v string) (*bool, error) {
	switch v {
	case "true":
		b := true
		return &b, nil
	case "false":
		b := false
		return &b, nil
	}
	return nil, p.errAttr(e, name, "%s=%q must be true or false", name, v)
}

func intAttr(p *parser, e *etree.Element, name, v string) (*int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return nil, p.errAttr(e, name, "%s=%q must be a count (0 or more)", name, v)
	}
	return &n, nil
}

// stepReaders read the steps, by element name, into a Step that has its
// Kind and Pos.
var stepReaders = map[string]func(p *parser, e *etree.Element, st *Step) error{
	StepProvision:    (*parser).provision,
	StepMove:         (*parser).move,
	StepPower:        (*parser).power,
	StepRegister:     (*parser).register,
	StepReset:        (*parser).reset,
	StepFirmware:     (*parser).firmwareStep,
	StepCheckSync:    (*parser).checkSync,
	StepServe:        (*parser).serveStep,
	StepExpect:       (*parser).expect,
	StepExpectParam:  (*parser).expectParam,
	StepExpectEvent:  (*parser).expectEvent,
	StepExpectNoEvnt: (*parser).expectEvent,
	StepExpectReq:    (*parser).expectRequest,
	StepAdmin:        (*parser).admin,
	StepBase:         (*parser).baseStep,
	StepDM:           (*parser).dmStep,
}

func (p *parser) step(e *etree.Element) (Step, error) {
	st := Step{Kind: e.Tag, Pos: p.pos(e)}
	if e.Tag != StepProvision && e.Tag != StepServe {
		if err := p.noChildren(e); err != nil {
			return st, err
		}
	}
	read, ok := stepReaders[e.Tag]
	if !ok {
		return st, p.errf(e, "unknown step <%s> (expected provision, move, power, register, reset, firmware, check-sync, admin, base, dm, serve, expect, expect-param, expect-event, expect-no-event or expect-request)", e.Tag)
	}
	err := read(p, e, &st)
	return st, err
}

// handsetStep reads the ipui of a step about one handset, which allows
// the attributes ipui and other.
func (p *parser) handsetStep(e *etree.Element, st *Step, other ...string) (map[string]string, error) {
	a, err := p.attrs(e, append([]string{"ipui"}, other...)...)
	if err != nil {
		return nil, err
	}
	st.IPUI, err = p.knownHandset(e, a["ipui"])
	return a, err
}

// onOff reads the attribute attr of a step about one handset, which sets
// st.On when it is on and must otherwise be off.
func (p *parser) onOff(e *etree.Element, st *Step, attr, on, off string) error {
	a, err := p.handsetStep(e, st, attr)
	if err != nil {
		return err
	}
	switch a[attr] {
	case on:
		st.On = true
	case off:
	default:
		return p.errAttr(e, attr, "<%s> needs %s=%q or %s=%q; got %q", e.Tag, attr, on, attr, off, a[attr])
	}
	return nil
}

func (p *parser) power(e *etree.Element, st *Step) error { return p.onOff(e, st, "state", "on", "off") }

func (p *parser) register(e *etree.Element, st *Step) error {
	a, err := p.handsetStep(e, st, "pin")
	if err != nil {
		return err
	}
	if v, ok := a["pin"]; ok {
		st.PIN = &v
	}
	return nil
}

func (p *parser) reset(e *etree.Element, st *Step) error {
	_, err := p.handsetStep(e, st)
	return err
}

func (p *parser) firmwareStep(e *etree.Element, st *Step) error {
	a, err := p.attrs(e, "version")
	if err != nil {
		return err
	}
	if _, err := firmware.Parse(a["version"]); err != nil {
		return p.errAttr(e, "version", "<firmware> needs version= MAJOR.MINOR.PATCH: %v", err)
	}
	st.Version = a["version"]
	return nil
}

func (p *parser) serveStep(e *etree.Element, st *Step) error {
	sv, err := p.serveSpec(e)
	if err != nil {
		return err
	}
	st.Serve = &sv
	return nil
}

func (p *parser) expectParam(e *etree.Element, st *Step) error {
	a, err := p.attrs(e, "name", "value", "absent")
	if err != nil {
		return err
	}
	st.Name = a["name"]
	if st.Name == "" {
		return p.errf(e, "<expect-param> needs name=")
	}
	v, hasV := a["value"]
	ab, hasA := a["absent"]
	switch {
	case hasV && hasA:
		return p.errf(e, "<expect-param> takes value= or absent=\"true\", not both")
	case hasV:
		st.Value = &v
	case hasA:
		if ab != "true" {
			return p.errAttr(e, "absent", "absent=%q: write absent=\"true\", or value= to expect a value", ab)
		}
		st.Absent = true
	default:
		return p.errf(e, "<expect-param> needs value= or absent=\"true\"")
	}
	return nil
}

// expectEvent reads <expect-event> and <expect-no-event>, which has no
// count.
func (p *parser) expectEvent(e *etree.Element, st *Step) error {
	allowed := []string{"type", "ipui", "outcome", "count"}
	if e.Tag == StepExpectNoEvnt {
		allowed = allowed[:3]
	}
	a, err := p.attrs(e, allowed...)
	if err != nil {
		return err
	}
	st.Type = a["type"]
	if !knownEventType(st.Type) {
		return p.errAttr(e, "type", "unknown event type %q (one of %s)", st.Type, strings.Join(system.EventTypes, ", "))
	}
	st.IPUI = a["ipui"]
	if v, ok := a["outcome"]; ok {
		if st.Outcome, err = outcomeOf(st.Type, v); err != nil {
			return p.errAttr(e, "outcome", "%v", err)
		}
	}
	if v, ok := a["count"]; ok {
		st.Count, err = intAttr(p, e, "count", v)
	}
	return err
}

// expectRequest reads <expect-request count path user-agent user/>: the
// system's HTTP requests with that URL path, a User-Agent the regular
// expression matches, and that Digest user (user="" for none).
func (p *parser) expectRequest(e *etree.Element, st *Step) error {
	a, err := p.attrs(e, "path", "user-agent", "user", "count")
	if err != nil {
		return err
	}
	st.Path = a["path"]
	if st.Path != "" && !strings.HasPrefix(st.Path, "/") {
		return p.errAttr(e, "path", "path=%q: write the URL path, starting with /", st.Path)
	}
	st.UserAgent = a["user-agent"]
	if st.UserAgent != "" {
		if st.userAgent, err = regexp.Compile(st.UserAgent); err != nil {
			return p.errAttr(e, "user-agent", "user-agent=%q is not a regular expression: %v", st.UserAgent, err)
		}
	}
	st.User, st.HasUser = a["user"]
	if v, ok := a["count"]; ok {
		st.Count, err = intAttr(p, e, "count", v)
	}
	return err
}

func knownEventType(t string) bool {
	for _, k := range system.EventTypes {
		if k == t {
			return true
		}
	}
	return false
}

func (p *parser) expect(e *etree.Element, st *Step) error {
	a, err := p.attrs(e, "ipui", "state", "subscribed", "ghost", "ghosts", "slots", "base", "location", "serving", "handsets", "sip")
	if err != nil {
		return err
	}
	if ofBase, err := p.expectCell(e, a, st); ofBase || err != nil {
		return err
	}
	for _, k := range []string{"serving", "handsets"} {
		if _, has := a[k]; has {
			return p.errAttr(e, k, "%s= checks a base: give base= and no ipui=", k)
		}
	}
	if err := p.expectAttrs(e, a, st); err != nil {
		return err
	}
	id, hasID := a["ipui"]
	if v, ok := a["sip"]; ok {
		switch v {
		case system.SIPRegistered, system.SIPUnregistered, system.SIPFailed:
			st.SIP = v
		default:
			return p.errAttr(e, "sip", "sip %q must be registered, unregistered or failed", v)
		}
	}
	perHandset := st.State != "" || st.Subscribed != nil || st.Ghost != nil || st.Base != "" || st.Location != "" || st.SIP != ""
	switch {
	case perHandset && !hasID:
		return p.errf(e, "<expect> with state, subscribed or ghost needs ipui=")
	case hasID && !perHandset:
		return p.errf(e, "<expect ipui=%q> checks nothing: add state=, subscribed=, ghost=, base=, location= or sip=", id)
	case !perHandset && st.Ghosts == nil && st.Slots == nil:
		return p.errf(e, "<expect> checks nothing: give ipui= with state/subscribed/ghost/base/location, or ghosts=, or slots=, or base= with state/serving/handsets")
	case !hasID:
		return nil
	case st.Subscribed != nil || st.Ghost != nil || st.Base != "":
		st.IPUI, err = p.knownHandset(e, id)
		return err
	case !ipui.Valid(id):
		return p.errAttr(e, "ipui", "ipui %q is neither an IPUI (10 hex digits) nor a slot id", id)
	}
	st.IPUI = ipui.Normalize(id)
	return nil
}

// expectAttrs reads what an <expect> checks, in the order its errors are
// reported.
func (p *parser) expectAttrs(e *etree.Element, a map[string]string, st *Step) error {
	var err error
	if v, ok := a["ghosts"]; ok {
		if st.Ghosts, err = intAttr(p, e, "ghosts", v); err != nil {
			return err
		}
	}
	if v, ok := a["slots"]; ok {
		if st.Slots, err = intAttr(p, e, "slots", v); err != nil {
			return err
		}
	}
	if v, ok := a["state"]; ok {
		if _, ok := system.ParseState(v); !ok {
			return p.errAttr(e, "state", "state %q is not ToReg, NotReg, InReg, Registered, ToDeReg or absent", v)
		}
		st.State = v
	}
	if v, ok := a["subscribed"]; ok {
		if st.Subscribed, err = boolAttr(p, e, "subscribed", v); err != nil {
			return err
		}
	}
	if v, ok := a["ghost"]; ok {
		st.Ghost, err = boolAttr(p, e, "ghost", v)
	}
	return err
}

func (p *parser) provision(e *etree.Element, st *Step) error {
	a, err := p.attrs(e, "src")
	if err != nil {
		return err
	}
	kids := e.ChildElements()
	src, hasSrc := a["src"]
	switch {
	case hasSrc && len(kids) > 0:
		return p.errf(e, "<provision> has both src= and an inline <provisioning>; give one")
	case hasSrc:
		data, err := p.readSrc(e, src, 64<<20)
		if err != nil {
			return err
		}
		st.Source = filepath.ToSlash(filepath.Join(p.dir, src))
		if filepath.IsAbs(src) {
			st.Source = src
		}
		st.Data = data
		return nil
	case len(kids) == 0:
		return p.errf(e, "<provision> needs src= or one inline <provisioning> element")
	case len(kids) > 1:
		return p.errf(kids[1], "a second element in <provision>; it holds exactly one <provisioning>")
	}
	// The inline element is handed to the system as the very bytes the
	// author wrote, so it is applied exactly as the same bytes in a file.
	// Its root is not checked here: a wrong one is the system's business.
	start, end := p.doc.Span(kids[0])
	st.Source = p.sc.File
	st.Data = p.sc.Src[start:end]
	st.Origin = p.pos(kids[0])
	return nil
}

// pos is where e starts in the scenario file.
func (p *parser) pos(e *etree.Element) Pos { return Pos(p.doc.Pos(e)) }
