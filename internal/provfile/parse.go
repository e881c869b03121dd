package provfile

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"os"

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
	data, err := io.ReadAll(io.LimitReader(r, int64(lim.MaxBytes)+1))
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
// Nearly every real file is plain, well-formed XML, which a hand-written
// scanner reads many times faster than encoding/xml; anything else it
// hands to the strict reader, which alone decides errors.
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

// parseStrict reads data token by token from xmltok.Scanner (encoding/xml
// in strict mode). origin must be filled and lim complete.
func parseStrict(name string, data []byte, origin Pos, lim Limits) (*File, error) {
	p := &parser{
		f:      &File{Name: name},
		s:      xmltok.NewScanner(data, lim),
		data:   data,
		origin: origin,
		ctx:    make([]ctxKind, 0, 8),
	}
	// Growing Items by appending would copy a 20,000-handset file's items
	// several times over; counting tags first is far cheaper.
	if n := bytes.Count(data, []byte("<param")) + bytes.Count(data, []byte("<oper")); n > 0 {
		p.f.Items = make([]Item, 0, n)
	}
	if err := p.run(); err != nil {
		return nil, err
	}
	return p.f, nil
}

// ctxKind is what the element being read is, which decides how its
// children are read.
type ctxKind uint8

const (
	ctxProvisioning ctxKind = iota
	ctxNVM
	ctxFirmware
	ctxOper
	ctxLeaf   // <param>, <file>: children are unknown elements
	ctxSkip   // inside an unknown element: children are not looked at
	ctxIgnore // inside a document that is not applied: only well-formedness counts
)

type parser struct {
	f       *File
	s       *xmltok.Scanner
	data    []byte
	origin  Pos
	ctx     []ctxKind
	oper    int    // index in f.Items of the open oper
	pending *Error // a reason to refuse the document, reported if it is well-formed
}

func (p *parser) pos(off int) Pos {
	q := p.s.Pos(off)
	if q.Line == 1 {
		q.Col += p.origin.Col - 1
	}
	q.Line += p.origin.Line - 1
	return q
}

func (p *parser) run() error {
	for {
		tok, start, err := p.s.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return p.scanError(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			p.start(t, start)
		case xml.EndElement:
			p.ctx = p.ctx[:len(p.ctx)-1]
		}
	}
	if p.pending != nil {
		return p.pending
	}
	return nil
}

func (p *parser) scanError(err error) error {
	xe, ok := err.(*xmltok.Error)
	if !ok {
		xe = &xmltok.Error{Pos: Pos{Line: 1, Col: 1}, Msg: err.Error()}
	}
	e := &Error{File: p.f.Name, Pos: xe.Pos, Code: "xml-syntax", Msg: "not well-formed XML: " + xe.Msg}
	if e.Pos.Line == 1 {
		e.Pos.Col += p.origin.Col - 1
	}
	e.Pos.Line += p.origin.Line - 1
	if xe.Limit != "" {
		e.Code, e.Msg = "limit", xe.Msg
	} else if bytes.Contains(p.data, []byte("<ProviderFrame")) {
		e.Msg += " (the file looks like an N510/N720 ProviderFrame file, an older format than the Nx70 <provisioning> document)"
	}
	return e
}

func (p *parser) note(off int, code, msg string) {
	p.f.Notes = append(p.f.Notes, Note{Pos: p.pos(off), Code: code, Msg: msg})
}

func (p *parser) unknown(t xml.StartElement, off int, parent string) {
	p.note(off, "unknown-element", fmt.Sprintf("unknown element <%s> inside <%s> is ignored", t.Name.Local, parent))
	p.ctx = append(p.ctx, ctxSkip)
}

func (p *parser) start(t xml.StartElement, off int) {
	if len(p.ctx) == 0 {
		p.root(t, off)
		return
	}
	name := t.Name.Local
	switch p.ctx[len(p.ctx)-1] {
	case ctxSkip, ctxIgnore:
		p.ctx = append(p.ctx, p.ctx[len(p.ctx)-1])
	case ctxProvisioning:
		switch name {
		case "nvm":
			if p.f.NVMPos == (Pos{}) {
				p.f.NVMPos = p.pos(off)
			} else {
				p.note(off, "duplicate-section", fmt.Sprintf("a second <nvm> (the first is at %s); its items are read after those of the first", p.f.NVMPos))
			}
			p.ctx = append(p.ctx, ctxNVM)
		case "firmware":
			if p.f.Firmware == nil {
				p.f.Firmware = &Firmware{Pos: p.pos(off)}
			} else {
				p.note(off, "duplicate-section", fmt.Sprintf("a second <firmware> (the first is at %s); its files are read after those of the first", p.f.Firmware.Pos))
			}
			p.ctx = append(p.ctx, ctxFirmware)
		case "param", "oper":
			p.item(t, off, true)
			p.note(off, "outside-nvm", fmt.Sprintf("<%s> directly under <provisioning>, outside <nvm>", name))
		case "category":
			if p.pending == nil {
				p.pending = p.notProvisioning(p.f.Pos, fmt.Sprintf(
					"<provisioning version=%q> with <category> (at %s) is provisioning.xml, the first file of %s", p.f.Version, p.pos(off), chain))
			}
			p.ctx = append(p.ctx, ctxSkip)
		default:
			p.unknown(t, off, "provisioning")
		}
	case ctxNVM:
		switch name {
		case "param", "oper":
			p.item(t, off, false)
		default:
			p.unknown(t, off, "nvm")
		}
	case ctxOper:
		if name != "param" {
			p.unknown(t, off, "oper")
			return
		}
		var prm Param
		prm.Pos = p.pos(off)
		for _, a := range t.Attr {
			if a.Name.Space != "" {
				continue
			}
			switch a.Name.Local {
			case "name":
				prm.Name, prm.HasName = a.Value, true
			case "value":
				prm.Value, prm.HasValue = a.Value, true
			}
		}
		it := &p.f.Items[p.oper]
		it.Params = append(it.Params, prm)
		p.ctx = append(p.ctx, ctxLeaf)
	case ctxFirmware:
		if name != "file" {
			p.unknown(t, off, "firmware")
			return
		}
		ff := FirmwareFile{Pos: p.pos(off)}
		for _, a := range t.Attr {
			if a.Name.Space != "" {
				continue
			}
			switch a.Name.Local {
			case "version":
				ff.Version = a.Value
			case "url":
				ff.URL = a.Value
			}
		}
		p.f.Firmware.Files = append(p.f.Firmware.Files, ff)
		p.ctx = append(p.ctx, ctxLeaf)
	case ctxLeaf:
		parent := "param"
		if st := p.s.Stack(); len(st) >= 2 {
			parent = st[len(st)-2].Name
		}
		p.unknown(t, off, parent)
	}
}

func (p *parser) item(t xml.StartElement, off int, outside bool) {
	it := Item{Kind: ParamItem, Pos: p.pos(off), OutsideNVM: outside}
	if t.Name.Local == "oper" {
		it.Kind = OperItem
	}
	for _, a := range t.Attr {
		if a.Name.Space != "" {
			continue
		}
		switch a.Name.Local {
		case "name":
			it.Name, it.HasName = a.Value, true
		case "value":
			it.Value, it.HasValue = a.Value, true
		}
	}
	p.f.Items = append(p.f.Items, it)
	if it.Kind == OperItem {
		p.oper = len(p.f.Items) - 1
		p.ctx = append(p.ctx, ctxOper)
	} else {
		p.ctx = append(p.ctx, ctxLeaf)
	}
}

// chain names the older format that some refused files belong to.
const chain = "the provisioning version 1.0 three-file chain (provisioning.xml -> nvm/updates.xml -> configuration.xml); " +
	"a chain file given alone cannot be applied (a system follows the chain only when it fetches provisioning.xml itself)"

func (p *parser) notProvisioning(pos Pos, msg string) *Error {
	return &Error{File: p.f.Name, Pos: pos, Code: "not-provisioning", Msg: msg}
}

func (p *parser) root(t xml.StartElement, off int) {
	name := t.Name.Local
	pos := p.pos(off)
	if name == "provisioning" {
		p.f.Pos = pos
		for _, a := range t.Attr {
			if a.Name.Space != "" {
				continue
			}
			switch a.Name.Local {
			case "version":
				p.f.Version = a.Value
			case "productID":
				p.f.ProductID, p.f.HasProductID = a.Value, true
			}
		}
		p.ctx = append(p.ctx, ctxProvisioning)
		return
	}
	p.ctx = append(p.ctx, ctxIgnore)
	version, hasVersion := "", false
	for _, a := range t.Attr {
		if a.Name.Space == "" && a.Name.Local == "version" {
			version, hasVersion = a.Value, true
		}
	}
	head := fmt.Sprintf("root element is <%s>", name)
	if hasVersion {
		head = fmt.Sprintf("root element is <%s version=%q>", name, version)
	}
	const want = "a provisioning document has <provisioning> as its root"
	var msg string
	switch name {
	case "ProviderFrame":
		msg = head + ": this looks like an N510/N720 ProviderFrame file (the older Gigaset format), not an Nx70 <provisioning> document"
	case "nvm":
		if hasVersion {
			msg = head + ": this is nvm/updates.xml, the second file of " + chain
		} else {
			msg = head + "; " + want + " (put <nvm> inside <provisioning version=\"1.1\" productID=\"e2\">)"
		}
	case "settings":
		msg = head + ": this is configuration.xml, the third file of " + chain
	case "oper", "param":
		msg = head + "; " + want + " (this looks like a fragment meant to go inside <nvm>)"
	case "file":
		msg = head + "; " + want + " (this looks like a fragment meant to go inside <firmware>)"
	case "category":
		msg = head + "; " + want + " (this looks like a fragment of provisioning.xml of " + chain + ")"
	case "firmware":
		msg = head + "; " + want + " (a stand-alone <firmware> file of provisioning version 1.0 cannot be applied alone; " +
			"in version 1.1 <firmware> goes inside <provisioning>)"
	default:
		msg = head + "; " + want
	}
	p.pending = p.notProvisioning(pos, msg)
}
