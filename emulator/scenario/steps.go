package scenario

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/beevik/etree"

	"github.com/dectsim/dectsim/emulator/system"
	"github.com/dectsim/dectsim/internal/vocab/ipui"
	"github.com/dectsim/dectsim/internal/xmltok"
)

// stepsRoot wraps a body of steps so that it is one XML document.
const stepsRoot = "<steps>"

// ParseSteps reads steps sent to this live system, as the elements of an
// <at> block written one after another: the same elements, attributes
// and checks as in a scenario file, positions counted in data, which name
// names. Steps may name the handsets of the system's world, and a
// <handset> step adds one. Nothing is read from disk: src= is refused,
// since whoever sends steps may not be who may read the files. The error
// is a *Error or Errors, as Parse gives.
func (l *Live) ParseSteps(name string, data []byte) ([]Step, error) {
	if len(data) > MaxStepsBytes {
		return nil, &Error{File: name, Pos: Pos{Line: 1, Col: 1}, Msg: fmt.Sprintf("the steps are %d bytes; the limit is %d", len(data), MaxStepsBytes)}
	}
	wrapped, at := wrapSteps(data)
	p := &parser{sc: &Scenario{File: name, Src: wrapped}, live: true, handsets: make(map[string]bool), world: make(map[string]bool)}
	for _, h := range l.sys.Handsets() {
		p.handsets[h.IPUI], p.world[h.IPUI] = true, true
	}
	p.worldBases, p.worldDMs = make(map[string]bool), make(map[string]bool)
	for _, b := range l.sys.Bases() {
		p.worldBases[b.ID] = true
	}
	for _, d := range l.sys.DMs() {
		p.worldDMs[d.ID] = true
	}
	steps, err := p.liveSteps()
	if err == nil {
		err = l.checkHandsetSteps(p, steps)
	}
	if err == nil && !l.HasServer() {
		for _, st := range steps {
			if st.Kind == StepServe {
				err = p.errAt(st.Pos, "<serve> changes the scenario's own server, and this system's scenario has none (no <serve> and no provisioning-url path)")
			}
		}
	}
	if err != nil {
		return nil, unwrapSteps(err, data, at)
	}
	for i := range steps {
		steps[i].Pos = at.unshift(steps[i].Pos)
		steps[i].Origin = at.unshift(steps[i].Origin)
		steps[i].file = name
	}
	return steps, nil
}

func (p *parser) liveSteps() ([]Step, error) {
	d, err := xmltok.Parse(p.sc.Src, xmltok.Limits{MaxBytes: MaxScenarioBytes + len(stepsRoot) + 8, MaxDepth: 64, MaxAttrLen: 1 << 20, MaxElements: 4 * MaxSteps})
	if err != nil {
		var xe *xmltok.Error
		if errors.As(err, &xe) {
			return nil, p.errAt(Pos(xe.Pos), "%s", xe.Msg)
		}
		return nil, p.errAt(Pos{Line: 1, Col: 1}, "%v", err)
	}
	p.doc = d
	kids := d.Root().ChildElements()
	if len(kids) == 0 {
		return nil, p.errAt(Pos(d.Pos(d.Root())), "no steps: send the elements of an <at> block, e.g. <move ipui=\"0311223344\" range=\"out\"/>")
	}
	if len(kids) > MaxSteps {
		return nil, p.errf(kids[MaxSteps], "more than %d steps; send them in parts", MaxSteps)
	}
	var steps []Step
	for _, c := range kids {
		st, err := p.liveStep(c)
		if err != nil {
			if !p.note(err) {
				break
			}
			continue
		}
		steps = append(steps, st)
	}
	if err := p.errors(); err != nil {
		return nil, err
	}
	return steps, nil
}

func (p *parser) liveStep(c *etree.Element) (Step, error) {
	switch c.Tag {
	case "at":
		return Step{}, p.errf(c, "<at> is not a step here: send the elements inside it; they run now")
	case StepHandset:
		n := len(p.sc.Handsets)
		if err := p.handset(c); err != nil {
			return Step{}, err
		}
		h := p.sc.Handsets[n]
		return Step{Kind: StepHandset, Pos: h.Pos, IPUI: h.IPUI, Handset: &h}, nil
	}
	return p.step(c)
}

// checkHandsetSteps refuses, before anything runs, a <handset> step with
// a state for which the system already has a slot or no room.
func (l *Live) checkHandsetSteps(p *parser, steps []Step) error {
	slots := l.sys.SlotCount()
	for _, st := range steps {
		if st.Kind != StepHandset || st.Handset.State == "" {
			continue
		}
		if _, ok := l.sys.Slot(st.IPUI); ok {
			return p.errAt(st.Pos, "the system already has a slot for %s; a new handset with state= needs a slot of its own", st.IPUI)
		}
		if slots++; slots > l.sys.Config().MaxHandsets {
			return p.errAt(st.Pos, "the handset list is full (%d slots); a handset with state= needs a slot", l.sys.Config().MaxHandsets)
		}
	}
	return nil
}

// insertion is where wrapSteps put its root element, so positions can be
// given back in the caller's bytes.
type insertion struct {
	line, col int
}

// unshift maps a position in the wrapped document to the caller's bytes.
func (a insertion) unshift(pos Pos) Pos {
	if pos.Line == a.line && pos.Col >= a.col+len(stepsRoot) {
		pos.Col -= len(stepsRoot)
	}
	return pos
}

// wrapSteps puts the steps inside one root element, after any BOM and XML
// declaration, so the same tokenizer as for files reads them.
func wrapSteps(data []byte) ([]byte, insertion) {
	head := 0
	if bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
		head = 3
	}
	if bytes.HasPrefix(data[head:], []byte("<?xml")) {
		if end := bytes.Index(data[head:], []byte("?>")); end >= 0 {
			head += end + 2
		}
	}
	at := insertion{line: 1 + bytes.Count(data[:head], []byte("\n")), col: 1 + head - (bytes.LastIndexByte(data[:head], '\n') + 1)}
	out := make([]byte, 0, len(data)+2*len(stepsRoot)+1)
	out = append(out, data[:head]...)
	out = append(out, stepsRoot...)
	out = append(out, data[head:]...)
	out = append(out, "</steps>"...)
	return out, at
}

// unwrapSteps gives errors back in the caller's bytes.
func unwrapSteps(err error, data []byte, at insertion) error {
	fix := func(e *Error) *Error {
		c := *e
		c.Msg = wrapperWords.Replace(c.Msg)
		inRoot := c.Pos.Line == at.line && c.Pos.Col > at.col && c.Pos.Col < at.col+len(stepsRoot)
		c.Pos, c.Src = at.unshift(c.Pos), data
		if inRoot {
			c.Pos.Col = at.col // inside the root we added: the steps' start
		}
		if c.Pos.Line > 1+bytes.Count(data, []byte("\n")) || (c.Pos.Line == 1+bytes.Count(data, []byte("\n")) && c.Pos.Col > len(data)-bytes.LastIndexByte(data, '\n')) {
			// At the closing tag we added: the end of the steps.
			c.Pos = endPos(data)
		}
		return &c
	}
	var es Errors
	var e *Error
	switch {
	case errors.As(err, &es):
		out := make(Errors, len(es))
		for i, x := range es {
			out[i] = fix(x)
		}
		return out
	case errors.As(err, &e):
		return fix(e)
	}
	return err
}

// wrapperWords speak of the root wrapSteps added as what it is to the
// sender: the end of the steps.
var wrapperWords = strings.NewReplacer("</steps>", "the end of the steps", "<steps>", "the steps")

// endPos is the position just after the last byte of data.
func endPos(data []byte) Pos {
	line := 1 + bytes.Count(data, []byte("\n"))
	return Pos{Line: line, Col: len(data) - bytes.LastIndexByte(data, '\n')}
}

// StepError is a mistake in steps sent as JSON: which step (from 1) and
// what is wrong with it.
type StepError struct {
	Step int
	Msg  string
}

func (e *StepError) Error() string {
	if e.Step == 0 {
		return e.Msg // about the whole body
	}
	return fmt.Sprintf("step %d: %s", e.Step, e.Msg)
}

// ParseJSONSteps reads steps sent as JSON: an array of objects, each with
// "step" naming the element and the other keys its attributes
// ([{"step": "move", "ipui": "0311223344", "range": "out"}]). A string,
// number or boolean is the attribute's value. "body" holds what the XML
// element holds: a whole provisioning document for "provision", the answer
// for "serve". The rules are ParseSteps'; a mistake is a *StepError.
func (l *Live) ParseJSONSteps(data []byte) ([]Step, error) {
	if len(data) > MaxStepsBytes {
		return nil, &StepError{Msg: fmt.Sprintf("the steps are %d bytes; the limit is %d", len(data), MaxStepsBytes)}
	}
	var raw []map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, &StepError{Msg: "not a JSON array of step objects: " + jsonMsg(err)}
	}
	var b bytes.Buffer
	bodies := make([][]byte, len(raw))
	for i, obj := range raw {
		line, body, err := jsonStep(obj)
		if err != nil {
			return nil, &StepError{Step: i + 1, Msg: err.Error()}
		}
		b.WriteString(line)
		b.WriteByte('\n')
		bodies[i] = body
	}
	if len(raw) == 0 {
		return nil, &StepError{Msg: "no steps: send an array of step objects, e.g. [{\"step\": \"move\", \"ipui\": \"0311223344\", \"range\": \"out\"}]"}
	}
	steps, err := l.ParseSteps("steps", b.Bytes())
	if err != nil {
		var e *Error
		if !errors.As(err, &e) {
			return nil, err
		}
		return nil, &StepError{Step: e.Pos.Line, Msg: e.Msg}
	}
	for i := range steps {
		if steps[i].Kind == StepProvision {
			steps[i].Source, steps[i].Data, steps[i].Origin = "steps", bodies[i], Pos{}
		}
	}
	return steps, nil
}

// jsonStep writes one step object as one line of XML; a provisioning
// document in "body" is kept aside and put in after reading.
func jsonStep(obj map[string]json.RawMessage) (string, []byte, error) {
	var kind string
	if err := json.Unmarshal(obj["step"], &kind); err != nil || kind == "" {
		return "", nil, errors.New(`needs "step": the element's name, e.g. "move"`)
	}
	if !validName(kind) {
		return "", nil, fmt.Errorf("unknown step %q", kind)
	}
	var b strings.Builder
	b.WriteString("<" + kind)
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		if k == "step" || k == "body" {
			continue
		}
		if !validName(k) {
			return "", nil, fmt.Errorf("<%s> has no attribute %q", kind, k)
		}
		v, err := jsonScalar(obj[k])
		if err != nil {
			return "", nil, fmt.Errorf("%q: %v", k, err)
		}
		b.WriteString(" " + k + `="` + attrEscaper.Replace(v) + `"`)
	}
	rawBody, hasBody := obj["body"]
	if !hasBody {
		b.WriteString("/>")
		return b.String(), nil, nil
	}
	var body string
	if err := json.Unmarshal(rawBody, &body); err != nil {
		return "", nil, errors.New(`"body" must be a string`)
	}
	switch kind {
	case StepProvision:
		// A stand-in for the document, which the system reads itself.
		b.WriteString("><provisioning/></provision>")
		return b.String(), []byte(body), nil
	case StepServe:
		b.WriteString(">" + textEscaper.Replace(body) + "</serve>")
		return b.String(), nil, nil
	}
	return "", nil, fmt.Errorf(`<%s> takes no "body"`, kind)
}

var textEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\n", "&#10;", "\r", "&#13;")

// validName keeps JSON keys to the names an element or attribute can have
// here (letters, digits and dashes), so no key can write markup.
func validName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' && i > 0 || c == '-' && i > 0) {
			return false
		}
	}
	return true
}

// jsonScalar is an attribute's value from JSON: a string, a number as
// written, or true/false.
func jsonScalar(raw json.RawMessage) (string, error) {
	var v any
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		return "", err
	}
	switch x := v.(type) {
	case string:
		return x, nil
	case json.Number:
		return x.String(), nil
	case bool:
		return fmt.Sprint(x), nil
	}
	return "", errors.New("must be a string, a number or true/false")
}

// jsonMsg shortens encoding/json's errors to what a sender can act on.
func jsonMsg(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("%v (at byte %d)", se, se.Offset)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		if te.Field == "" {
			return fmt.Sprintf("found a JSON %s where the array or one of its step objects belongs (at byte %d)", te.Value, te.Offset)
		}
		return fmt.Sprintf("found a JSON %s at %q (at byte %d)", te.Value, te.Field, te.Offset)
	}
	return err.Error()
}

// addHandset is a <handset> step: a new handset in the world, now.
func addHandset(sys *system.System, h *HandsetDecl) error {
	return sys.AddHandset(system.HandsetSpec{IPUI: ipui.Normalize(h.IPUI), State: system.State(h.State), OutOfRange: h.Out, Off: h.Off, PIN: h.PIN, At: h.At})
}
