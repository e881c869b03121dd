package provfile

import (
	"bytes"
	"fmt"
	"io"
	"os"

	"github.com/dectsim/dectsim/internal/textio/fsread"
	"github.com/dectsim/dectsim/internal/xmltok"
)

// Options change how ParseWith reads a document.
type Options struct {
	// Limits bound the input; zero fields take DefaultLimits.
	Limits Limits
	// Origin is where data starts inside a bigger file (an inline
	// <provisioning> in a scenario file), so that positions point into
	// that file. The zero Origin means 1:1.
	Origin Pos
}

// Parse reads a provisioning document with DefaultLimits. An unreadable
// document gives an *Error; nothing else is returned as an error.
func Parse(name string, data []byte) (*File, error) {
	return ParseWith(name, data, Options{})
}

// ReadFile reads and parses the file at path. A failure to read the file
// is returned as it is (not an *Error), so callers can tell an I/O problem
// from a bad document.
func ReadFile(path string) (*File, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	return Read(path, fh)
}

// Read parses a document from r without reading more than one byte past
// DefaultLimits.MaxBytes, so an endless or huge body cannot exhaust
// memory. Read errors are returned as they are (not an *Error).
func Read(name string, r io.Reader) (*File, error) {
	lim := fillLimits(Limits{})
	data, err := fsread.Prefix(r, int64(lim.MaxBytes)+1)
	if err != nil {
		return nil, err
	}
	return ParseWith(name, data, Options{Limits: lim})
}

// fillLimits fills zero fields from this package's DefaultLimits.
func fillLimits(l Limits) Limits { return l.Or(DefaultLimits) }

// ParseWith reads a provisioning document in a single streaming pass:
// the file a 20,000-handset system receives is some 15 MB, and building a
// tree first would double the cost of applying it.
//
// Nearly every real file is plain, well-formed XML, which xmltok's fast
// front end reads many times faster than encoding/xml; anything else it
// hands to the strict front end, which alone decides errors. The same
// builder reads the tokens of both.
func ParseWith(name string, data []byte, o Options) (*File, error) {
	if o.Origin.Line < 1 {
		o.Origin.Line = 1
	}
	if o.Origin.Col < 1 {
		o.Origin.Col = 1
	}
	lim := fillLimits(o.Limits)
	if f, ok := parseFast(name, data, o.Origin, lim); ok {
		return f, nil
	}
	return parseStrict(name, data, o.Origin, lim)
}

// parseFast reads data with xmltok's fast front end; ok is false when the
// strict front end must read it instead, which is also the case for every
// document the builder refuses. origin must be filled and lim complete.
func parseFast(name string, data []byte, origin Pos, lim Limits) (f *File, ok bool) {
	b := newBuilder(name, data, origin)
	if !xmltok.ReadFast(data, lim, b) || b.pending != nil {
		return nil, false
	}
	return b.f, true
}

// parseStrict reads data with xmltok's strict front end (encoding/xml in
// strict mode). origin must be filled and lim complete.
func parseStrict(name string, data []byte, origin Pos, lim Limits) (*File, error) {
	b := newBuilder(name, data, origin)
	if err := xmltok.ReadStrict(data, lim, b); err != nil {
		return nil, b.scanError(err)
	}
	if b.pending != nil {
		return nil, b.pending
	}
	return b.f, nil
}

// ctxKind is what the element being read is, which decides how its
// children are read.
type ctxKind uint8

const (
	ctxProvisioning ctxKind = iota
	ctxNVM
	ctxFirmware
	ctxOper
	ctxParam  // a <param>: children are unknown elements
	ctxFile   // a <file> of <firmware>: children are unknown elements
	ctxSkip   // inside an unknown element: children are not looked at
	ctxIgnore // inside a document that is not applied: only well-formedness counts
)

// builder makes a File from the tokens of either xmltok front end.
type builder struct {
	f       *File
	data    []byte
	origin  Pos
	open    []ctxKind // the open elements
	pending *Error    // a reason to refuse the document, reported if it is well-formed

	// oper is the index in f.Items of the open oper; its params are
	// params[operFrom:].
	oper     int
	params   []Param
	operFrom int
}

func newBuilder(name string, data []byte, origin Pos) *builder {
	b := &builder{f: &File{Name: name}, data: data, origin: origin, open: make([]ctxKind, 0, 8)}
	// Growing Items by appending would copy a 20,000-handset file's items
	// several times over; counting tags first is far cheaper.
	if n := countItemTags(data); n > 0 {
		b.f.Items = make([]Item, 0, n)
	}
	return b
}

// countItemTags counts "<param" and "<oper" in one pass, which is about
// three times faster than two bytes.Count calls.
func countItemTags(data []byte) int {
	n := 0
	for {
		k := bytes.IndexByte(data, '<')
		if k < 0 {
			return n
		}
		data = data[k+1:]
		if bytes.HasPrefix(data, []byte("param")) || bytes.HasPrefix(data, []byte("oper")) {
			n++
		}
	}
}

// pos places a position of data in the file data comes from.
func (b *builder) pos(q Pos) Pos {
	if q.Line == 1 {
		q.Col += b.origin.Col - 1
	}
	q.Line += b.origin.Line - 1
	return q
}

func (b *builder) scanError(err error) error {
	xe, ok := err.(*xmltok.Error)
	if !ok {
		xe = &xmltok.Error{Pos: Pos{Line: 1, Col: 1}, Msg: err.Error()}
	}
	e := &Error{File: b.f.Name, Pos: b.pos(xe.Pos), Code: "xml-syntax", Msg: "not well-formed XML: " + xe.Msg}
	if xe.Limit != "" {
		e.Code, e.Msg = "limit", xe.Msg
	} else if bytes.Contains(b.data, []byte("<ProviderFrame")) {
		e.Msg += " (the file looks like an N510/N720 ProviderFrame file, an older format than the Nx70 <provisioning> document)"
	}
	return e
}

func (b *builder) note(at Pos, code, msg string) {
	b.f.Notes = append(b.f.Notes, Note{Pos: at, Code: code, Msg: msg})
}

func (b *builder) push(ctx ctxKind) { b.open = append(b.open, ctx) }

func (b *builder) unknown(t *xmltok.Start, at Pos, parent string) {
	b.note(at, "unknown-element", fmt.Sprintf("unknown element <%s> inside <%s> is ignored", t.Name, parent))
	b.push(ctxSkip)
}

// StartElement files an element by where it stands.
func (b *builder) StartElement(t *xmltok.Start) {
	at := b.pos(t.Pos)
	if len(b.open) == 0 {
		b.root(t, at)
		return
	}
	switch top := b.open[len(b.open)-1]; top {
	case ctxSkip, ctxIgnore:
		b.push(top)
	case ctxProvisioning:
		b.inProvisioning(t, at)
	case ctxNVM:
		if t.Name == "param" || t.Name == "oper" {
			b.item(t, at, false)
		} else {
			b.unknown(t, at, "nvm")
		}
	case ctxOper:
		if t.Name == "param" {
			b.param(t, at)
		} else {
			b.unknown(t, at, "oper")
		}
	case ctxFirmware:
		if t.Name == "file" {
			b.firmwareFile(t, at)
		} else {
			b.unknown(t, at, "firmware")
		}
	case ctxParam:
		b.unknown(t, at, "param")
	case ctxFile:
		b.unknown(t, at, "file")
	}
}

// EndElement closes an element; closing an oper fixes its params.
func (b *builder) EndElement(int) {
	top := b.open[len(b.open)-1]
	b.open = b.open[:len(b.open)-1]
	if top == ctxOper {
		if n := len(b.params); n > b.operFrom {
			b.f.Items[b.oper].Params = b.params[b.operFrom:n:n]
		}
		b.operFrom = len(b.params)
	}
}

// inProvisioning files a child of <provisioning>.
func (b *builder) inProvisioning(t *xmltok.Start, at Pos) {
	switch t.Name {
	case "nvm":
		if b.f.NVMPos == (Pos{}) {
			b.f.NVMPos = at
		} else {
			b.note(at, "duplicate-section", fmt.Sprintf("a second <nvm> (the first is at %s); its items are read after those of the first", b.f.NVMPos))
		}
		b.push(ctxNVM)
	case "firmware":
		if b.f.Firmware == nil {
			b.f.Firmware = &Firmware{Pos: at}
		} else {
			b.note(at, "duplicate-section", fmt.Sprintf("a second <firmware> (the first is at %s); its files are read after those of the first", b.f.Firmware.Pos))
		}
		b.push(ctxFirmware)
	case "param", "oper":
		b.item(t, at, true)
		b.note(at, "outside-nvm", fmt.Sprintf("<%s> directly under <provisioning>, outside <nvm>", t.Name))
	case "category":
		if b.pending == nil {
			b.pending = b.notProvisioning(b.f.Pos, fmt.Sprintf(
				"<provisioning version=%q> with <category> (at %s) is provisioning.xml, the first file of %s", b.f.Version, at, chain))
		}
		b.push(ctxSkip)
	default:
		b.unknown(t, at, "provisioning")
	}
}

// attrs are the attributes the reader looks at; each element uses some.
type attrs struct {
	name, value, version, productID, url string
	hasName, hasValue, hasProductID      bool
}

// readAttrs reads the attributes without a prefix that the reader looks
// at; of repeated attributes the last counts, as encoding/xml gives them.
func readAttrs(t *xmltok.Start) (a attrs) {
	for i := range t.Attrs {
		if t.Attrs[i].Space != "" {
			continue
		}
		switch t.Attrs[i].Name {
		case "name":
			a.name, a.hasName = t.Value(i), true
		case "value":
			a.value, a.hasValue = t.Value(i), true
		case "version":
			a.version = t.Value(i)
		case "productID":
			a.productID, a.hasProductID = t.Value(i), true
		case "url":
			a.url = t.Value(i)
		}
	}
	return a
}

// item files a <param> or <oper> of <nvm> (or, outside, of <provisioning>).
func (b *builder) item(t *xmltok.Start, at Pos, outside bool) {
	a := readAttrs(t)
	it := Item{Kind: ParamItem, Pos: at, Name: a.name, Value: a.value, HasName: a.hasName, HasValue: a.hasValue, OutsideNVM: outside}
	if t.Name == "oper" {
		it.Kind = OperItem
	}
	b.f.Items = append(b.f.Items, it)
	if it.Kind == OperItem {
		b.oper = len(b.f.Items) - 1
		b.operFrom = len(b.params)
		b.push(ctxOper)
	} else {
		b.push(ctxParam)
	}
}

// paramChunk is how many oper params share one allocation.
const paramChunk = 256

// param adds a <param> to the open oper. Params of all opers are cut from
// shared blocks; when a block is full, the open oper's params move to a
// fresh one so that they stay contiguous.
func (b *builder) param(t *xmltok.Start, at Pos) {
	a := readAttrs(t)
	prm := Param{Pos: at, Name: a.name, Value: a.value, HasName: a.hasName, HasValue: a.hasValue}
	if len(b.params) == cap(b.params) {
		open := b.params[b.operFrom:]
		fresh := make([]Param, len(open), max(paramChunk, 2*len(open)))
		copy(fresh, open)
		b.params, b.operFrom = fresh, 0
	}
	b.params = append(b.params, prm)
	b.push(ctxParam)
}

// firmwareFile files a <file> of <firmware>.
func (b *builder) firmwareFile(t *xmltok.Start, at Pos) {
	a := readAttrs(t)
	ff := FirmwareFile{Pos: at, Version: a.version, URL: a.url}
	b.f.Firmware.Files = append(b.f.Firmware.Files, ff)
	b.push(ctxFile)
}

// chain names the older format that some refused files belong to.
const chain = "the provisioning version 1.0 three-file chain (provisioning.xml -> nvm/updates.xml -> configuration.xml); " +
	"a chain file given alone cannot be applied (a system follows the chain only when it fetches provisioning.xml itself)"

func (b *builder) notProvisioning(pos Pos, msg string) *Error {
	return &Error{File: b.f.Name, Pos: pos, Code: "not-provisioning", Msg: msg}
}

// root files the root element: a <provisioning> is read, any other root
// makes the document refused once it is known to be well-formed.
func (b *builder) root(t *xmltok.Start, at Pos) {
	if t.Name == "provisioning" {
		b.f.Pos = at
		a := readAttrs(t)
		b.f.Version, b.f.ProductID, b.f.HasProductID = a.version, a.productID, a.hasProductID
		b.push(ctxProvisioning)
		return
	}
	b.push(ctxIgnore)
	version, hasVersion := t.Get("version")
	head := fmt.Sprintf("root element is <%s>", t.Name)
	if hasVersion {
		head = fmt.Sprintf("root element is <%s version=%q>", t.Name, version)
	}
	b.pending = b.notProvisioning(at, head+notProvisioningHint(t.Name, hasVersion))
}

// notProvisioningHint says what a document with the root element name
// is, after "root element is <name>".
func notProvisioningHint(name string, hasVersion bool) string {
	const want = "; a provisioning document has <provisioning> as its root"
	switch name {
	case "ProviderFrame":
		return ": this looks like an N510/N720 ProviderFrame file (the older Gigaset format), not an Nx70 <provisioning> document"
	case "nvm":
		if hasVersion {
			return ": this is nvm/updates.xml, the second file of " + chain
		}
		return want + " (put <nvm> inside <provisioning version=\"1.1\" productID=\"e2\">)"
	case "settings":
		return ": this is configuration.xml, the third file of " + chain
	case "oper", "param":
		return want + " (this looks like a fragment meant to go inside <nvm>)"
	case "file":
		return want + " (this looks like a fragment meant to go inside <firmware>)"
	case "category":
		return want + " (this looks like a fragment of provisioning.xml of " + chain + ")"
	case "firmware":
		return want + " (a stand-alone <firmware> file of provisioning version 1.0 cannot be applied alone; " +
			"in version 1.1 <firmware> goes inside <provisioning>)"
	}
	return want
}
