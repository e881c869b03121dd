package xmltok

import (
	"bytes"
	"encoding/binary"
	"strings"
	"unicode/utf8"
)

// The fast front end reads the subset of XML that real provisioning files
// are written in: ASCII names without prefixes, quoted attribute values
// with the five predefined and numeric character references, comments,
// and an optional UTF-8 XML declaration at the start. It gives a Handler
// the same calls as the strict front end, but it never reports an error:
// whenever the input is outside that subset, or anything about it would
// make the strict front end refuse it or read it differently, it gives up
// and the caller reads the input again with the strict one. Being unsure
// is always a reason to give up.

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
	// '\n' is in neither clsValue nor clsText: the loops that meet it
	// count lines.
	return t
}()

// lexOpen is an element whose end tag has not been read yet; its name is
// data[name:end].
type lexOpen struct{ name, end int }

// lexer is the fast front end.
type lexer struct {
	data  []byte
	lim   Limits
	h     Handler
	stack []lexOpen
	st    Start // the start tag given to the handler; st.Attrs is reused
	nElem int

	// line is the number of the line being scanned, which starts at
	// lineStart; every loop that passes a '\n' counts it. bom is the
	// length of a byte order mark, which columns on line 1 skip.
	line, lineStart, bom int

	names   [256]name       // see intern
	stName  name            // the name of st
	strs    strings.Builder // see str
	scratch []byte
}

// ReadFast gives h the elements of src if src is in the subset of XML the
// fast front end reads, and reports whether it did. When it returns false,
// h may have been given part of the document: read src again with
// ReadStrict and a fresh handler. It never gives text, comments or
// processing instructions, even to a ContentHandler.
func ReadFast(src []byte, lim Limits, h Handler) bool {
	lim = lim.WithDefaults()
	if len(src) > lim.MaxBytes {
		return false
	}
	p := &lexer{
		data:  src,
		lim:   lim,
		h:     h,
		stack: make([]lexOpen, 0, 8),
		line:  1,
	}
	p.st.lex = p
	return p.run()
}

func (p *lexer) run() bool {
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
func (p *lexer) skipSpace(i int) int {
	data := p.data
	for i < len(data) && class[data[i]]&clsSpace != 0 {
		switch data[i] {
		case '\n':
			p.newline(i)
		case '\r':
			p.cr(i)
		}
		i++
	}
	return i
}

// cr counts a '\r' at data[i] as a line end unless it starts a "\r\n"
// (whose '\n' is counted).
func (p *lexer) cr(i int) {
	if i+1 >= len(p.data) || p.data[i+1] != '\n' {
		p.newline(i)
	}
}

// newline counts the line end at data[i].
func (p *lexer) newline(i int) {
	p.line++
	p.lineStart = i + 1
}

// newlines counts the line ends in data[from:to].
func (p *lexer) newlines(from, to int) {
	seg := p.data[from:to]
	if bytes.IndexByte(seg, '\r') >= 0 {
		for i := from; i < to; i++ {
			switch p.data[i] {
			case '\n':
				p.newline(i)
			case '\r':
				p.cr(i)
			}
		}
		return
	}
	if n := bytes.Count(seg, []byte{'\n'}); n > 0 {
		p.line += n
		p.lineStart = from + bytes.LastIndexByte(seg, '\n') + 1
	}
}

// skipText checks character data inside the root up to the next '<'.
func (p *lexer) skipText(i int) (int, bool) {
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
		case c == '\r':
			p.cr(i)
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
// first "--", which must be followed by '>'. Content the strict front end
// refuses (a character XML does not allow, a byte that is not UTF-8) is
// left to it.
func (p *lexer) comment(i int) (int, bool) {
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
	if !plainComment(data[i+4 : i+4+k]) {
		return i, false
	}
	p.newlines(i, e)
	return e + 1, true
}

// plainComment reports whether a comment's content holds only characters
// XML allows, as UTF-8.
func plainComment(c []byte) bool {
	for i := 0; i < len(c); {
		b := c[i]
		if b >= 0x20 && b < utf8.RuneSelf || b == '\t' || b == '\n' || b == '\r' {
			i++
			continue
		}
		r, n := utf8.DecodeRune(c[i:])
		if r == utf8.RuneError && n <= 1 || !isXMLChar(r) {
			return false
		}
		i += n
	}
	return true
}

// xmlDecl skips the XML declaration at data[i], accepting only what
// encoding/xml reads without a CharsetReader: version 1.0 (or none) and
// UTF-8 (or no encoding).
func (p *lexer) xmlDecl(i int) (int, bool) {
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
func (p *lexer) endTag(i int) (int, bool) {
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
	p.pop(j + 1)
	return j + 1, true
}

// pop closes the innermost element, whose end tag ends at end.
func (p *lexer) pop(end int) {
	p.stack = p.stack[:len(p.stack)-1]
	p.h.EndElement(end)
}

// startTag reads the start tag at data[i] and gives it to the handler.
func (p *lexer) startTag(i int) (int, bool) {
	data := p.data
	nameEnd, ok := scanName(data, i+1)
	if !ok {
		return i, false
	}
	p.nElem++
	if p.nElem > p.lim.MaxElements || len(p.stack) >= p.lim.MaxDepth {
		return i, false
	}
	st := &p.st
	// Taken before the attributes, which may span lines.
	st.Pos, st.Off = p.pos(i), i
	// Writing a string costs a write barrier while the collector runs;
	// the name is mostly that of the previous tag.
	if key := p.nameKey(i+1, nameEnd); !p.is(&p.stName, i+1, nameEnd, key) {
		p.intern(&p.stName, i+1, nameEnd, key)
		st.Name = p.stName.s
	}
	st.Attrs = st.Attrs[:0]
	j := nameEnd
	for {
		j = p.skipSpace(j)
		if j >= len(data) {
			return i, false
		}
		switch data[j] {
		case '>':
			p.stack = append(p.stack, lexOpen{name: i + 1, end: nameEnd})
			p.h.StartElement(st)
			return j + 1, true
		case '/':
			if j+1 >= len(data) || data[j+1] != '>' {
				return i, false
			}
			p.stack = append(p.stack, lexOpen{name: i + 1, end: nameEnd})
			p.h.StartElement(st)
			p.pop(j + 2)
			return j + 2, true
		}
		if j, ok = p.attr(j); !ok {
			return i, false
		}
	}
}

// attr reads the attribute at data[j] into p.st.Attrs and returns the
// offset after it. It fills the attribute in place: copying a new one in
// would cost more than reading it.
func (p *lexer) attr(j int) (int, bool) {
	data := p.data
	j0 := j
	nameEnd, ok := scanName(data, j)
	if !ok {
		return j, false
	}
	j = p.skipSpace(nameEnd)
	if j >= len(data) || data[j] != '=' {
		return j, false
	}
	j = p.skipSpace(j + 1)
	if j >= len(data) || data[j] != '"' && data[j] != '\'' {
		return j, false
	}
	from := j + 1
	to, decode, ok := p.scanValue(from, data[j])
	if !ok {
		return j, false
	}
	// The strict front end keeps the last of repeated attributes; such
	// documents are rare enough to leave to it, as are tags with so many
	// attributes that looking for repeats would take long.
	attrs := p.st.Attrs
	n := len(attrs)
	if n >= maxAttrs {
		return j, false
	}
	key := p.nameKey(j0, nameEnd)
	for k := range attrs {
		if p.is(&attrs[k].name, j0, nameEnd, key) {
			return j, false
		}
	}
	// Only the length changes, which costs no write barrier.
	if n == cap(attrs) {
		p.st.Attrs = append(attrs, Attr{})
	} else {
		p.st.Attrs = p.st.Attrs[:n+1]
	}
	a := &p.st.Attrs[n]
	// Mostly the name this place had in the previous tag (see startTag).
	if !p.is(&a.name, j0, nameEnd, key) {
		p.intern(&a.name, j0, nameEnd, key)
		a.Name = a.name.s
	}
	a.from, a.to, a.decode = from, to, decode
	if to-from > p.lim.MaxAttrLen {
		// References only make a value shorter; count exactly.
		if !decode || len(p.decode(a)) > p.lim.MaxAttrLen {
			return j, false
		}
	}
	return to + 1, true
}

// name is a name the lexer has made a string of, with its key.
type name struct {
	key uint64
	s   string
}

// nameKey is the first eight bytes of data[from:to], for quick
// comparisons: names are short, and two names of eight bytes or fewer are
// equal when their keys and lengths are.
func (p *lexer) nameKey(from, to int) uint64 {
	var key uint64
	if from+8 <= len(p.data) {
		key = binary.LittleEndian.Uint64(p.data[from:])
	} else {
		for k := len(p.data) - 1; k >= from; k-- {
			key = key<<8 | uint64(p.data[k])
		}
	}
	if n := to - from; n < 8 {
		key &= 1<<(8*n) - 1
	}
	return key
}

// is tells whether nm is the name data[from:to] whose key is key.
func (p *lexer) is(nm *name, from, to int, key uint64) bool {
	n := to - from
	return nm.key == key && len(nm.s) == n && (n <= 8 || nm.s == string(p.data[from:to]))
}

// intern sets nm to the name data[from:to] whose key is key, without
// allocating for the few names a document repeats. A collision in its
// table costs an allocation, never a wrong name.
func (p *lexer) intern(nm *name, from, to int, key uint64) {
	e := &p.names[(key^uint64(to-from))*0x9E3779B97F4A7C15>>56]
	if !p.is(e, from, to, key) {
		e.key, e.s = key, string(p.data[from:to])
	}
	*nm = *e
}

// maxAttrs is the most attributes a start tag read by the fast path has.
const maxAttrs = 32

// scanValue checks an attribute value starting at data[i] up to its
// closing quote q, whose offset it returns. decode tells whether the value
// holds references or carriage returns that reading it must rewrite.
func (p *lexer) scanValue(i int, q byte) (end int, decode, ok bool) {
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
			p.cr(i)
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
func (p *lexer) decode(a *Attr) []byte {
	b := p.scratch[:0]
	raw := p.data[a.from:a.to]
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
func (p *lexer) str(b []byte) string {
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
func (p *lexer) value(a *Attr) string {
	if a.decode {
		return p.str(p.decode(a))
	}
	return p.str(p.data[a.from:a.to])
}

// pos is the position of the offset of a start tag's '<', which is on the
// line being scanned.
func (p *lexer) pos(off int) Pos {
	q := Pos{Line: p.line, Col: off - p.lineStart + 1}
	if q.Line == 1 {
		q.Col = max(q.Col-p.bom, 1)
	}
	return q
}
