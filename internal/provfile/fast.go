package provfile

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"
)

// The fast path reads the subset of XML that real provisioning files are
// written in: ASCII names without prefixes, quoted attribute values with
// the five predefined and numeric character references, comments, and an
// optional UTF-8 XML declaration at the start. It builds the same File as
// the strict path, but it never reports an error: whenever the input is
// outside that subset, or anything about it would make the strict path
// refuse it or read it differently, it gives up and the strict path reads
// the input from the start. Being unsure is always a reason to give up.

// Byte classes of the scanner's inner loops.
const (
	clsFirst = 1 << iota // starts a name (ASCII, without ':')
	clsName              // continues a name (ASCII, without ':')
	clsSpace             // white space as encoding/xml skips it
	clsValue             // stands for itself in an attribute value
	clsText              // stands for itself in character data
)

var class = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		b := byte(c)
		letter := 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z'
		if letter || b == '_' {
			t[c] |= clsFirst | clsName
		}
		if '0' <= b && b <= '9' || b == '.' || b == '-' {
			t[c] |= clsName
		}
		if b == ' ' || b == '\t' || b == '\n' || b == '\r' {
			t[c] |= clsSpace
		}
		// Printable ASCII (and DEL, which XML allows) outside markup.
		if b >= 0x20 && b < 0x80 || b == '\t' {
			switch b {
			case '<', '&', '"', '\'':
			default:
				t[c] |= clsValue
			}
			switch b {
			case '<', '&', '>':
			default:
				t[c] |= clsText
			}
		}
	}
	t['\r'] |= clsText // text is not kept, so line ends need no rewriting
	// '\n' is in neither clsValue nor clsText: the loops that meet it
	// count lines.
	return t
}()

// fastOpen is an element whose end tag has not been read yet.
type fastOpen struct {
	name, end int // its name is data[name:end]
	ctx       ctxKind
}

// fastAttr is an attribute of the start tag being read.
type fastAttr struct {
	name, nameEnd int
	val, valEnd   int // the raw value, between the quotes
	decode        bool
}

type fastParser struct {
	f      *File
	data   []byte
	lim    Limits
	origin Pos
	stack  []fastOpen
	attrs  []fastAttr
	nElem  int

	// line is the number of the line being scanned, which starts at
	// lineStart; every loop that passes a '\n' counts it. bom is the
	// length of a byte order mark, which columns on line 1 skip.
	line, lineStart, bom int

	// oper is the index in f.Items of the open oper; its params are
	// params[operFrom:].
	oper     int
	params   []Param
	operFrom int

	strs    strings.Builder // see str
	scratch []byte
}

// parseFast reads data with the fast path; ok is false when the strict
// path must read it instead.
func parseFast(name string, data []byte, origin Pos, lim Limits) (f *File, ok bool) {
	if len(data) > lim.MaxBytes {
		return nil, false
	}
	p := &fastParser{
		f:      &File{Name: name},
		data:   data,
		lim:    lim,
		origin: origin,
		stack:  make([]fastOpen, 0, 8),
		line:   1,
	}
	// The same size as the strict path gives Items, which also keeps an
	// empty Items nil or not nil exactly as there.
	if n := countItemTags(data); n > 0 {
		p.f.Items = make([]Item, 0, n)
	}
	if !p.run() {
		return nil, false
	}
	return p.f, true
}

var bom = []byte{0xEF, 0xBB, 0xBF}

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

func (p *fastParser) run() bool {
	data := p.data
	i := 0
	if bytes.HasPrefix(data, bom) {
		i, p.bom = len(bom), len(bom)
	}
	declAt := i
	root := false
	for i < len(data) {
		if data[i] != '<' {
			if len(p.stack) == 0 {
				// Outside the root only white space may stand.
				i = p.skipSpace(i)
				if i < len(data) && data[i] != '<' {
					return false
				}
				continue
			}
			var ok bool
			if i, ok = p.skipText(i); !ok {
				return false
			}
			continue
		}
		if i+1 >= len(data) {
			return false
		}
		var ok bool
		switch data[i+1] {
		case '/':
			i, ok = p.endTag(i)
		case '?':
			if i != declAt {
				return false
			}
			i, ok = p.xmlDecl(i)
		case '!':
			i, ok = p.comment(i)
		default:
			if root && len(p.stack) == 0 {
				return false // a second root
			}
			root = true
			i, ok = p.startTag(i)
		}
		if !ok {
			return false
		}
	}
	return root && len(p.stack) == 0
}

// scanName scans a name at data[i:] and returns its end. ok is false when the
// name is not plainly an unprefixed ASCII name: encoding/xml would read a
// following ':' or non-ASCII byte as part of it.
func scanName(data []byte, i int) (int, bool) {
	if i >= len(data) || class[data[i]]&clsFirst == 0 {
		return i, false
	}
	i++
	for i < len(data) && class[data[i]]&clsName != 0 {
		i++
	}
	if i >= len(data) || data[i] == ':' || data[i] >= utf8.RuneSelf {
		return i, false
	}
	return i, true
}

// skipSpace skips white space from data[i], counting the lines it ends.
func (p *fastParser) skipSpace(i int) int {
	data := p.data
	for i < len(data) && class[data[i]]&clsSpace != 0 {
		if data[i] == '\n' {
			p.newline(i)
		}
		i++
	}
	return i
}

// newline counts the line end at data[i].
func (p *fastParser) newline(i int) {
	p.line++
	p.lineStart = i + 1
}

// newlines counts the line ends in data[from:to].
func (p *fastParser) newlines(from, to int) {
	seg := p.data[from:to]
	if n := bytes.Count(seg, []byte{'\n'}); n > 0 {
		p.line += n
		p.lineStart = from + bytes.LastIndexByte(seg, '\n') + 1
	}
}

// skipText checks character data inside the root up to the next '<'.
func (p *fastParser) skipText(i int) (int, bool) {
	data := p.data
	start := i
	for i < len(data) {
		c := data[i]
		if class[c]&clsText != 0 {
			i++
			continue
		}
		switch {
		case c == '\n':
			p.newline(i)
			i++
		case c == '<':
			return i, true
		case c == '>':
			// "]]>" is refused outside CDATA sections.
			if i-start >= 2 && data[i-1] == ']' && data[i-2] == ']' {
				return i, false
			}
			i++
		case c == '&':
			_, n, ok := charRef(data, i)
			if !ok {
				return i, false
			}
			i += n
		case c >= utf8.RuneSelf:
			n, ok := validRune(data[i:])
			if !ok {
				return i, false
			}
			i += n
		default:
			return i, false
		}
	}
	return i, true
}

// validRune checks the UTF-8 sequence at the start of b as encoding/xml
// checks character data, returning its length.
func validRune(b []byte) (int, bool) {
	r, n := utf8.DecodeRune(b)
	if r == utf8.RuneError && n == 1 {
		return n, false
	}
	return n, isXMLChar(r)
}

// isXMLChar is the Char production of XML 1.0, as encoding/xml applies it.
func isXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}

// charRef reads the reference at data[i] ('&') and returns the character
// it stands for and its length. ok is false for any reference but the five
// predefined ones and numeric ones for allowed characters; encoding/xml
// refuses the others (or, for surrogates, reads them as U+FFFD).
func charRef(data []byte, i int) (r rune, n int, ok bool) {
	rest := data[i+1:]
	if len(rest) == 0 {
		return 0, 0, false
	}
	if rest[0] != '#' {
		switch {
		case bytes.HasPrefix(rest, []byte("lt;")):
			return '<', 4, true
		case bytes.HasPrefix(rest, []byte("gt;")):
			return '>', 4, true
		case bytes.HasPrefix(rest, []byte("amp;")):
			return '&', 5, true
		case bytes.HasPrefix(rest, []byte("apos;")):
			return '\'', 6, true
		case bytes.HasPrefix(rest, []byte("quot;")):
			return '"', 6, true
		}
		return 0, 0, false
	}
	j, base := 1, rune(10)
	if j < len(rest) && rest[j] == 'x' {
		j, base = 2, 16
	}
	digits := j
	for ; j < len(rest); j++ {
		c := rest[j]
		var d rune
		switch {
		case '0' <= c && c <= '9':
			d = rune(c - '0')
		case base == 16 && 'a' <= c && c <= 'f':
			d = rune(c-'a') + 10
		case base == 16 && 'A' <= c && c <= 'F':
			d = rune(c-'A') + 10
		default:
			d = -1
		}
		if d < 0 {
			break
		}
		if r = r*base + d; r > utf8.MaxRune {
			return 0, 0, false
		}
	}
	if j == digits || j >= len(rest) || rest[j] != ';' || !isXMLChar(r) {
		return 0, 0, false
	}
	return r, j + 2, true
}

// comment skips the comment at data[i]. Like encoding/xml it ends at the
// first "--", which must be followed by '>'; its content is not checked.
func (p *fastParser) comment(i int) (int, bool) {
	data := p.data
	if !bytes.HasPrefix(data[i:], []byte("<!--")) {
		return i, false // CDATA, DOCTYPE and other declarations
	}
	k := bytes.Index(data[i+4:], []byte("--"))
	if k < 0 {
		return i, false
	}
	e := i + 4 + k + 2
	if e >= len(data) || data[e] != '>' {
		return i, false
	}
	p.newlines(i, e)
	return e + 1, true
}

// xmlDecl skips the XML declaration at data[i], accepting only what
// encoding/xml reads without a CharsetReader: version 1.0 (or none) and
// UTF-8 (or no encoding).
func (p *fastParser) xmlDecl(i int) (int, bool) {
	data := p.data
	j := i + 2
	if !bytes.HasPrefix(data[j:], []byte("xml")) {
		return i, false // any other processing instruction
	}
	j += 3
	if j >= len(data) {
		return i, false
	}
	if c := data[j]; class[c]&clsName != 0 || c == ':' || c >= utf8.RuneSelf {
		return i, false // a longer target, such as <?xml-stylesheet
	}
	j = p.skipSpace(j)
	k := bytes.Index(data[j:], []byte("?>"))
	if k < 0 {
		return i, false
	}
	content := string(data[j : j+k])
	if v := declParam("version", content); v != "" && v != "1.0" {
		return i, false
	}
	if e := declParam("encoding", content); e != "" && !strings.EqualFold(e, "utf-8") {
		return i, false
	}
	p.newlines(j, j+k)
	return j + k + 2, true
}

// declParam finds param="..." or param='...' in the content of the XML
// declaration the way encoding/xml does, so that both paths agree on odd
// declarations: the first occurrence of param= followed by a quote counts.
func declParam(param, s string) string {
	param += "="
	i := 0
	var quote byte
	for i < len(s) {
		sub := s[i:]
		k := strings.Index(sub, param)
		if k < 0 || k+len(param) >= len(sub) {
			return ""
		}
		i += k + len(param) + 1
		if c := sub[k+len(param)]; c == '\'' || c == '"' {
			quote = c
			break
		}
	}
	if quote == 0 {
		return ""
	}
	j := strings.IndexByte(s[i:], quote)
	if j < 0 {
		return ""
	}
	return s[i : i+j]
}

// endTag reads the end tag at data[i] and closes the open element.
func (p *fastParser) endTag(i int) (int, bool) {
	data := p.data
	j, ok := scanName(data, i+2)
	if !ok || len(p.stack) == 0 {
		return i, false
	}
	top := p.stack[len(p.stack)-1]
	if !bytes.Equal(data[i+2:j], data[top.name:top.end]) {
		return i, false
	}
	j = p.skipSpace(j)
	if j >= len(data) || data[j] != '>' {
		return i, false
	}
	p.pop()
	return j + 1, true
}

// startTag reads the start tag at data[i] and files the element.
func (p *fastParser) startTag(i int) (int, bool) {
	data := p.data
	nameEnd, ok := scanName(data, i+1)
	if !ok {
		return i, false
	}
	p.nElem++
	if p.nElem > p.lim.MaxElements || len(p.stack) >= p.lim.MaxDepth {
		return i, false
	}
	// Taken before the attributes, which may span lines.
	at := p.pos(i)
	p.attrs = p.attrs[:0]
	j := nameEnd
	empty := false
	for {
		j = p.skipSpace(j)
		if j >= len(data) {
			return i, false
		}
		if c := data[j]; c == '>' {
			j++
			break
		} else if c == '/' {
			if j+1 >= len(data) || data[j+1] != '>' {
				return i, false
			}
			j += 2
			empty = true
			break
		}
		a := fastAttr{name: j}
		if a.nameEnd, ok = scanName(data, j); !ok {
			return i, false
		}
		j = p.skipSpace(a.nameEnd)
		if j >= len(data) || data[j] != '=' {
			return i, false
		}
		j = p.skipSpace(j + 1)
		if j >= len(data) || data[j] != '"' && data[j] != '\'' {
			return i, false
		}
		a.val = j + 1
		if a.valEnd, a.decode, ok = p.scanValue(a.val, data[j]); !ok {
			return i, false
		}
		// The strict reader keeps the last of repeated attributes; such
		// documents are rare enough to leave to it, as are tags with so
		// many attributes that looking for repeats would take long.
		if len(p.attrs) >= maxAttrs {
			return i, false
		}
		for _, b := range p.attrs {
			if bytes.Equal(data[a.name:a.nameEnd], data[b.name:b.nameEnd]) {
				return i, false
			}
		}
		if a.valEnd-a.val > p.lim.MaxAttrLen {
			// References only make a value shorter; count exactly.
			if !a.decode || len(p.decode(a)) > p.lim.MaxAttrLen {
				return i, false
			}
		}
		p.attrs = append(p.attrs, a)
		j = a.valEnd + 1
	}
	if !p.start(i, nameEnd, at) {
		return i, false
	}
	if empty {
		p.pop()
	}
	return j, true
}

// maxAttrs is the most attributes a start tag read by the fast path has.
const maxAttrs = 32

// scanValue checks an attribute value starting at data[i] up to its
// closing quote q, whose offset it returns. decode tells whether the value
// holds references or carriage returns that reading it must rewrite.
func (p *fastParser) scanValue(i int, q byte) (end int, decode, ok bool) {
	data := p.data
	for i < len(data) {
		c := data[i]
		if class[c]&clsValue != 0 {
			i++
			continue
		}
		switch {
		case c == '\n':
			p.newline(i)
			i++
		case c == q:
			return i, decode, true
		case c == '"' || c == '\'':
			i++
		case c == '&':
			_, n, ok := charRef(data, i)
			if !ok {
				return i, false, false
			}
			decode = true
			i += n
		case c == '\r':
			decode = true
			i++
		case c >= utf8.RuneSelf:
			n, ok := validRune(data[i:])
			if !ok {
				return i, false, false
			}
			i += n
		default:
			return i, false, false // '<' or a control character
		}
	}
	return i, false, false
}

// decode gives the value of a as encoding/xml reads it, in p.scratch.
func (p *fastParser) decode(a fastAttr) []byte {
	b := p.scratch[:0]
	raw := p.data[a.val:a.valEnd]
	for k := 0; k < len(raw); k++ {
		switch c := raw[k]; c {
		case '&':
			r, n, _ := charRef(raw, k)
			b = utf8.AppendRune(b, r)
			k += n - 1
		case '\r':
			b = append(b, '\n')
			if k+1 < len(raw) && raw[k+1] == '\n' {
				k++
			}
		default:
			b = append(b, c)
		}
	}
	p.scratch = b
	return b
}

// strChunk is the size of the blocks attribute strings are cut from: a
// 20,000-handset file has 400,000 of them, and one allocation each would
// cost more than reading them. A string kept alive keeps at most its block.
const strChunk = 16 << 10

// str returns b as a string.
func (p *fastParser) str(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if p.strs.Cap()-p.strs.Len() < len(b) {
		p.strs.Reset()
		p.strs.Grow(max(strChunk, len(b)))
	}
	n := p.strs.Len()
	p.strs.Write(b)
	return p.strs.String()[n:]
}

// value returns the value of a as a string.
func (p *fastParser) value(a fastAttr) string {
	if a.decode {
		return p.str(p.decode(a))
	}
	return p.str(p.data[a.val:a.valEnd])
}

// pos is parser.pos for the offset of a start tag's '<', which is on the
// line being scanned.
func (p *fastParser) pos(off int) Pos {
	q := Pos{Line: p.line, Col: off - p.lineStart + 1}
	if q.Line == 1 {
		q.Col = max(q.Col-p.bom, 1) + p.origin.Col - 1
	}
	q.Line += p.origin.Line - 1
	return q
}

func (p *fastParser) note(at Pos, code, msg string) {
	p.f.Notes = append(p.f.Notes, Note{Pos: at, Code: code, Msg: msg})
}

func (p *fastParser) push(off, nameEnd int, ctx ctxKind) {
	p.stack = append(p.stack, fastOpen{name: off + 1, end: nameEnd, ctx: ctx})
}

// unknown notes an element parser.unknown notes, and skips its content.
func (p *fastParser) unknown(off, nameEnd int, at Pos, parent string) {
	p.note(at, "unknown-element", fmt.Sprintf("unknown element <%s> inside <%s> is ignored", p.data[off+1:nameEnd], parent))
	p.push(off, nameEnd, ctxSkip)
}

// pop closes the innermost element; closing an oper fixes its params.
func (p *fastParser) pop() {
	top := p.stack[len(p.stack)-1]
	p.stack = p.stack[:len(p.stack)-1]
	if top.ctx == ctxOper {
		if n := len(p.params); n > p.operFrom {
			p.f.Items[p.oper].Params = p.params[p.operFrom:n:n]
		}
		p.operFrom = len(p.params)
	}
}

// start files the element whose start tag begins at data[off], as
// parser.start does; false means the strict path must read the document.
func (p *fastParser) start(off, nameEnd int, at Pos) bool {
	nm := p.data[off+1 : nameEnd]
	if len(p.stack) == 0 {
		if string(nm) != "provisioning" {
			return false // refused by the strict path
		}
		p.f.Pos = at
		for _, a := range p.attrs {
			switch string(p.data[a.name:a.nameEnd]) {
			case "version":
				p.f.Version = p.value(a)
			case "productID":
				p.f.ProductID, p.f.HasProductID = p.value(a), true
			}
		}
		p.push(off, nameEnd, ctxProvisioning)
		return true
	}
	switch p.stack[len(p.stack)-1].ctx {
	case ctxSkip:
		p.push(off, nameEnd, ctxSkip)
	case ctxProvisioning:
		switch string(nm) {
		case "nvm":
			if p.f.NVMPos == (Pos{}) {
				p.f.NVMPos = at
			} else {
				p.note(at, "duplicate-section", fmt.Sprintf("a second <nvm> (the first is at %s); its items are read after those of the first", p.f.NVMPos))
			}
			p.push(off, nameEnd, ctxNVM)
		case "firmware":
			if p.f.Firmware == nil {
				p.f.Firmware = &Firmware{Pos: at}
			} else {
				p.note(at, "duplicate-section", fmt.Sprintf("a second <firmware> (the first is at %s); its files are read after those of the first", p.f.Firmware.Pos))
			}
			p.push(off, nameEnd, ctxFirmware)
		case "param", "oper":
			p.item(off, nameEnd, at, true)
			p.note(at, "outside-nvm", fmt.Sprintf("<%s> directly under <provisioning>, outside <nvm>", nm))
		case "category":
			return false // a version 1.0 chain file, refused by the strict path
		default:
			p.unknown(off, nameEnd, at, "provisioning")
		}
	case ctxNVM:
		switch string(nm) {
		case "param", "oper":
			p.item(off, nameEnd, at, false)
		default:
			p.unknown(off, nameEnd, at, "nvm")
		}
	case ctxOper:
		if string(nm) != "param" {
			p.unknown(off, nameEnd, at, "oper")
			return true
		}
		prm := Param{Pos: at}
		for _, a := range p.attrs {
			switch string(p.data[a.name:a.nameEnd]) {
			case "name":
				prm.Name, prm.HasName = p.value(a), true
			case "value":
				prm.Value, prm.HasValue = p.value(a), true
			}
		}
		p.addParam(prm)
		p.push(off, nameEnd, ctxLeaf)
	case ctxFirmware:
		if string(nm) != "file" {
			p.unknown(off, nameEnd, at, "firmware")
			return true
		}
		ff := FirmwareFile{Pos: at}
		for _, a := range p.attrs {
			switch string(p.data[a.name:a.nameEnd]) {
			case "version":
				ff.Version = p.value(a)
			case "url":
				ff.URL = p.value(a)
			}
		}
		p.f.Firmware.Files = append(p.f.Firmware.Files, ff)
		p.push(off, nameEnd, ctxLeaf)
	case ctxLeaf:
		top := p.stack[len(p.stack)-1]
		p.unknown(off, nameEnd, at, string(p.data[top.name:top.end]))
	default:
		return false
	}
	return true
}

// item files a param or oper as parser.item does.
func (p *fastParser) item(off, nameEnd int, at Pos, outside bool) {
	it := Item{Kind: ParamItem, Pos: at, OutsideNVM: outside}
	if string(p.data[off+1:nameEnd]) == "oper" {
		it.Kind = OperItem
	}
	for _, a := range p.attrs {
		switch string(p.data[a.name:a.nameEnd]) {
		case "name":
			it.Name, it.HasName = p.value(a), true
		case "value":
			it.Value, it.HasValue = p.value(a), true
		}
	}
	p.f.Items = append(p.f.Items, it)
	if it.Kind == OperItem {
		p.oper = len(p.f.Items) - 1
		p.operFrom = len(p.params)
		p.push(off, nameEnd, ctxOper)
	} else {
		p.push(off, nameEnd, ctxLeaf)
	}
}

// paramChunk is how many oper params share one allocation.
const paramChunk = 256

// addParam adds a param to the open oper. Params of all opers are cut from
// shared blocks; when a block is full, the open oper's params move to a
// fresh one so that they stay contiguous.
func (p *fastParser) addParam(prm Param) {
	if len(p.params) == cap(p.params) {
		open := p.params[p.operFrom:]
		fresh := make([]Param, len(open), max(paramChunk, 2*len(open)))
		copy(fresh, open)
		p.params, p.operFrom = fresh, 0
	}
	p.params = append(p.params, prm)
}
