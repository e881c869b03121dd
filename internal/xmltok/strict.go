package xmltok

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf8"
)

// Limits bound what a reader accepts, so hostile input fails fast with a
// clear error instead of exhausting memory. A zero or negative field takes
// its value from DefaultLimits.
type Limits struct {
	MaxBytes    int // whole document
	MaxDepth    int // element nesting
	MaxAttrLen  int // one attribute value
	MaxElements int // elements in the document
}

// DefaultLimits are generous enough for any real scenario or provisioning
// file while still stopping hostile input early.
var DefaultLimits = Limits{
	MaxBytes:    64 << 20,
	MaxDepth:    64,
	MaxAttrLen:  64 << 10,
	MaxElements: 2_000_000,
}

// WithDefaults fills zero fields from DefaultLimits, so that a partly
// filled Limits never means "unlimited".
func (l Limits) WithDefaults() Limits { return l.Or(DefaultLimits) }

// Or fills l's zero fields from d.
func (l Limits) Or(d Limits) Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = d.MaxBytes
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = d.MaxDepth
	}
	if l.MaxAttrLen <= 0 {
		l.MaxAttrLen = d.MaxAttrLen
	}
	if l.MaxElements <= 0 {
		l.MaxElements = d.MaxElements
	}
	return l
}

// Error is input that cannot be read, with the position a user should look
// at first.
type Error struct {
	Pos Pos
	Msg string
	// Limit names the exceeded field of Limits ("MaxDepth", ...); it is
	// empty when the input is not well-formed XML.
	Limit string
}

// Error gives "line:col: message"; the caller adds the file name.
// Error gives "line:col: message"; the caller adds the file name.
func (e *Error) Error() string { return e.Pos.String() + ": " + e.Msg }

// open is an element whose end tag has not been read yet.
type open struct {
	space string // namespace prefix as written ("" when none)
	name  string // local name
	off   int    // byte offset of its '<'
}

func (o open) qname() string { return qname(o.space, o.name) }

func qname(space, local string) string {
	if space == "" {
		return local
	}
	return space + ":" + local
}

// scanner is the strict front end: encoding/xml in strict mode plus the
// checks it lacks (one root element, no text outside it, limits), with
// every error placed at a line and column of the original bytes.
type scanner struct {
	d     *xml.Decoder
	src   []byte
	lim   Limits
	lines lineCounter
	stack []open
	nElem int
	root  string // name of the root element once seen
	err   error  // sticky

	// A declared single-byte encoding makes the decoder count converted
	// bytes; conv maps them back to offsets in src.
	conv    offMap
	csErr   error
	started bool

	st Start // the start tag given to the handler
}

// ReadStrict reads src with encoding/xml in strict mode plus the checks it
// lacks, giving h its elements, and to a ContentHandler also its text,
// comments, processing instructions and directives. Names are as written
// (Space is the prefix, not a namespace URL). It returns nil at the end of
// a well-formed document and an *Error for anything else, placed at a line
// and column of src; a single-byte encoding declared by the document is
// converted to UTF-8.
func ReadStrict(src []byte, lim Limits, h Handler) error {
	s := newScanner(src, lim)
	ch, _ := h.(ContentHandler)
	for {
		tok, start, err := s.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			h.StartElement(s.start(t, start))
		case xml.EndElement:
			h.EndElement(s.offset())
		case xml.CharData:
			if ch != nil {
				ch.CharData(t)
			}
		case xml.Comment:
			if ch != nil {
				ch.Comment(t)
			}
		case xml.ProcInst:
			if ch != nil {
				ch.ProcInst(t.Target, t.Inst)
			}
		case xml.Directive:
			if ch != nil {
				ch.Directive(t)
			}
		}
	}
}

func newScanner(src []byte, lim Limits) *scanner {
	s := &scanner{src: src, lim: lim.WithDefaults()}
	s.lines.init(src)
	s.d = xml.NewDecoder(bytes.NewReader(src))
	s.d.Strict = true
	s.d.CharsetReader = s.charsetReader
	s.stack = make([]open, 0, 16)
	return s
}

func (s *scanner) charsetReader(name string, in io.Reader) (io.Reader, error) {
	cs, err := lookupCharset(name)
	if err != nil {
		s.csErr = err
		return nil, err
	}
	if s.conv.active {
		err := errors.New("a second XML declaration with an encoding")
		s.csErr = err
		return nil, err
	}
	if cs == csUTF8 {
		return in, nil
	}
	s.conv = offMap{active: true, cs: cs, switchOff: int(s.d.InputOffset())}
	return &convReader{r: in, cs: cs}, nil
}

// offset is the byte offset in src just after the last token read.
func (s *scanner) offset() int { return s.conv.orig(s.src, int(s.d.InputOffset())) }

// start makes the Start of a start tag that begins at offset off.
func (s *scanner) start(t xml.StartElement, off int) *Start {
	st := &s.st
	st.Space, st.Name, st.Off, st.Pos = t.Name.Space, t.Name.Local, off, s.lines.pos(off)
	st.Attrs = st.Attrs[:0]
	for _, a := range t.Attr {
		st.Attrs = append(st.Attrs, Attr{Space: a.Name.Space, Name: a.Name.Local, value: a.Value})
	}
	return st
}

// next returns the next token and the byte offset in src where it starts.
// At the end of a well-formed document it returns io.EOF; every other
// error is an *Error. Start and end elements are properly nested. The
// token's data is only valid until the next call.
func (s *scanner) next() (xml.Token, int, error) {
	if s.err != nil {
		return nil, 0, s.err
	}
	if !s.started {
		s.started = true
		if len(s.src) > s.lim.MaxBytes {
			return nil, 0, s.fail(s.lim.MaxBytes, "MaxBytes",
				fmt.Sprintf("the document is larger than the limit MaxBytes=%d bytes", s.lim.MaxBytes))
		}
		if enc := utf16Of(s.src); enc != "" {
			return nil, 0, s.fail(0, "", "the file is "+enc+"; a provisioning or scenario file is UTF-8 (or an 8-bit encoding its XML declaration names): save it as UTF-8")
		}
	}
	c := int(s.d.InputOffset())
	tok, err := s.d.RawToken()
	start := s.conv.orig(s.src, c)
	if err != nil {
		return nil, start, s.end(err, start)
	}
	switch t := tok.(type) {
	case xml.StartElement:
		err = s.startElement(t, start)
	case xml.EndElement:
		err = s.endElement(t, start)
	case xml.CharData:
		err = s.charData(t, start)
	case xml.ProcInst:
		err = s.procInst(t, start)
	case xml.Comment:
		err = s.comment(t, start)
	}
	if err != nil {
		return nil, start, err
	}
	return tok, start, nil
}

// utf16Of names the UTF-16 form src is in, by its byte-order mark or by
// the NUL bytes beside its first '<'; "" when it is not UTF-16.
func utf16Of(src []byte) string {
	switch {
	case bytes.HasPrefix(src, []byte{0xFF, 0xFE}), bytes.HasPrefix(src, []byte{'<', 0}):
		return "UTF-16 (little-endian)"
	case bytes.HasPrefix(src, []byte{0xFE, 0xFF}), bytes.HasPrefix(src, []byte{0, '<'}):
		return "UTF-16 (big-endian)"
	}
	return ""
}

// comment refuses what encoding/xml lets through in a comment: characters
// XML does not allow (NUL and other control characters) and bytes that
// are not UTF-8, which a strict reader must not accept anywhere.
func (s *scanner) comment(c xml.Comment, start int) error {
	if s.conv.active {
		return nil // converted from an 8-bit encoding: valid by construction
	}
	for i := 0; i < len(c); {
		r, n := utf8.DecodeRune(c[i:])
		if r == utf8.RuneError && n <= 1 {
			return s.fail(start+4+i, "", "a comment holds a byte that is not UTF-8")
		}
		if !isXMLChar(r) {
			return s.fail(start+4+i, "", fmt.Sprintf("a comment holds the character U+%04X, which XML does not allow", r))
		}
		i += n
	}
	return nil
}

// end turns the decoder's error at offset start into the scanner's:
// io.EOF when the document is complete, an *Error otherwise.
func (s *scanner) end(err error, start int) error {
	if err != io.EOF {
		s.err = s.syntaxError(err, start)
		return s.err
	}
	if len(s.stack) > 0 {
		top := s.stack[len(s.stack)-1]
		return s.fail(top.off, "", fmt.Sprintf("unexpected end of file: <%s> is never closed", top.qname()))
	}
	if s.root == "" {
		return s.fail(len(s.src), "", "the document has no root element")
	}
	s.err = io.EOF
	return io.EOF
}

// startElement checks a start tag against the limits and the one root.
func (s *scanner) startElement(t xml.StartElement, start int) error {
	if s.root != "" && len(s.stack) == 0 {
		return s.fail(start, "",
			fmt.Sprintf("a second root element <%s>; a document has exactly one (the first is <%s>)", t.Name.Local, s.root))
	}
	s.nElem++
	if s.nElem > s.lim.MaxElements {
		return s.fail(start, "MaxElements",
			fmt.Sprintf("more than %d elements (the limit MaxElements)", s.lim.MaxElements))
	}
	if len(s.stack) >= s.lim.MaxDepth {
		return s.fail(start, "MaxDepth",
			fmt.Sprintf("element <%s> is nested %d deep, more than the limit MaxDepth=%d", t.Name.Local, len(s.stack)+1, s.lim.MaxDepth))
	}
	for _, a := range t.Attr {
		if len(a.Value) > s.lim.MaxAttrLen {
			return s.fail(start, "MaxAttrLen",
				fmt.Sprintf("attribute %s of <%s> is %d bytes long, more than the limit MaxAttrLen=%d", a.Name.Local, t.Name.Local, len(a.Value), s.lim.MaxAttrLen))
		}
	}
	if dup := repeated(t.Attr); dup != "" {
		return s.fail(start, "", fmt.Sprintf("<%s> has the attribute %s twice", t.Name.Local, dup))
	}
	if s.root == "" {
		s.root = t.Name.Local
	}
	s.stack = append(s.stack, open{space: t.Name.Space, name: t.Name.Local, off: start})
	return nil
}

// endElement checks that an end tag closes the innermost open element.
func (s *scanner) endElement(t xml.EndElement, start int) error {
	if len(s.stack) == 0 {
		return s.fail(start, "", fmt.Sprintf("end tag </%s> has no matching start tag", qname(t.Name.Space, t.Name.Local)))
	}
	top := s.stack[len(s.stack)-1]
	if top.name != t.Name.Local || top.space != t.Name.Space {
		return s.fail(start, "", fmt.Sprintf("element <%s> closed by </%s> (<%s> starts at %s)",
			top.qname(), qname(t.Name.Space, t.Name.Local), top.qname(), s.lines.pos(top.off)))
	}
	s.stack = s.stack[:len(s.stack)-1]
	return nil
}

// charData refuses text outside the root element.
func (s *scanner) charData(t xml.CharData, start int) error {
	if len(s.stack) > 0 {
		return nil
	}
	data := []byte(t)
	if start == 0 {
		data = bytes.TrimPrefix(data, bom)
	}
	if isSpace(data) {
		return nil
	}
	off := s.firstNonSpace(start)
	if s.root == "" {
		return s.fail(off, "", "text before the root element")
	}
	return s.fail(off, "", fmt.Sprintf("text after the end of the root element <%s>", s.root))
}

// procInst refuses an XML declaration anywhere but at the start.
func (s *scanner) procInst(t xml.ProcInst, start int) error {
	if t.Target == "xml" && start != 0 && !(start == len(bom) && bytes.HasPrefix(s.src, bom)) {
		return s.fail(start, "", "the XML declaration <?xml ...?> must be at the very start of the file")
	}
	return nil
}

func (s *scanner) fail(off int, limit, msg string) error {
	s.err = &Error{Pos: s.lines.pos(off), Msg: msg, Limit: limit}
	return s.err
}

var bom = []byte{0xEF, 0xBB, 0xBF}

// repeated returns the name of an attribute written twice, or "". Few
// attributes are compared pairwise; many go through a map, so that a tag
// with a hundred thousand attributes costs linear time.
func repeated(attrs []xml.Attr) string {
	if len(attrs) <= 16 {
		for i := range attrs {
			for j := i + 1; j < len(attrs); j++ {
				if attrs[i].Name == attrs[j].Name {
					return qname(attrs[i].Name.Space, attrs[i].Name.Local)
				}
			}
		}
		return ""
	}
	seen := make(map[xml.Name]bool, len(attrs))
	for _, a := range attrs {
		if seen[a.Name] {
			return qname(a.Name.Space, a.Name.Local)
		}
		seen[a.Name] = true
	}
	return ""
}

func isSpace(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return false
		}
	}
	return true
}

func (s *scanner) firstNonSpace(off int) int {
	if off == 0 && bytes.HasPrefix(s.src, bom) {
		off = len(bom)
	}
	for off < len(s.src) {
		switch s.src[off] {
		case ' ', '\t', '\n', '\r':
			off++
		default:
			return off
		}
	}
	return off
}

// syntaxError places an error of encoding/xml at the byte that caused it.
func (s *scanner) syntaxError(err error, start int) error {
	after := s.conv.orig(s.src, int(s.d.InputOffset()))
	if s.csErr != nil {
		return &Error{Pos: s.lines.pos(start), Msg: s.csErr.Error()}
	}
	var se *xml.SyntaxError
	if !errors.As(err, &se) {
		return &Error{Pos: s.lines.pos(start), Msg: strings.TrimPrefix(err.Error(), "xml: ")}
	}
	msg := se.Msg
	switch {
	case strings.HasPrefix(msg, "unexpected EOF"):
		return &Error{Pos: s.lines.pos(start), Msg: "unexpected end of file: " + s.unfinished(start)}
	case strings.HasPrefix(msg, "invalid character entity"):
		off := after - 1
		for off > start && off < len(s.src) && s.src[off] != '&' {
			off--
		}
		if off >= 0 && off < len(s.src) && s.src[off] == '&' {
			return &Error{Pos: s.lines.pos(off), Msg: msg + "; a literal & must be written &amp;"}
		}
	}
	// The decoder has consumed the offending byte: point at it, on the
	// line the decoder reports.
	line := se.Line
	off := after - 1
	if off < start {
		off = start
	}
	p := s.lines.pos(off)
	if p.Line != line {
		p = s.lines.pos(after)
	}
	return &Error{Pos: p, Msg: msg}
}

// unfinished describes the construct that starts at off and runs to the
// end of the file.
func (s *scanner) unfinished(off int) string {
	rest := s.src[min(off, len(s.src)):]
	switch {
	case bytes.HasPrefix(rest, []byte("<!--")):
		return "comment is never closed with -->"
	case bytes.HasPrefix(rest, []byte("<![CDATA[")):
		return "CDATA section is never closed with ]]>"
	case bytes.HasPrefix(rest, []byte("<?")):
		return "processing instruction is never closed with ?>"
	case bytes.HasPrefix(rest, []byte("<!")):
		return "declaration is never closed with >"
	case bytes.HasPrefix(rest, []byte("</")):
		return "end tag is never closed with >"
	case bytes.HasPrefix(rest, []byte("<")):
		return "start tag is never closed with >"
	}
	if len(s.stack) > 0 {
		return "<" + s.stack[len(s.stack)-1].qname() + "> is never closed"
	}
	return "the document ends too early"
}

// offMap maps offsets in a converted (UTF-8) stream back to the original
// single-byte-encoded bytes.
type offMap struct {
	active    bool
	built     bool
	cs        charset
	switchOff int
	hi        []int // offsets in src of bytes >= 0x80 after switchOff
	cum       []int // cum[i]: extra converted bytes before hi[i]; len(hi)+1
}

func (m *offMap) orig(src []byte, c int) int {
	if !m.active || c <= m.switchOff {
		return c
	}
	if !m.built {
		m.built = true
		extra := 0
		m.cum = append(m.cum, 0)
		for i := m.switchOff; i < len(src); i++ {
			if b := src[i]; b >= utf8.RuneSelf {
				m.hi = append(m.hi, i)
				extra += utf8.RuneLen(m.cs.decode(b)) - 1
				m.cum = append(m.cum, extra)
			}
		}
	}
	if len(m.hi) == 0 {
		return c
	}
	j := sort.Search(len(m.hi), func(i int) bool { return m.hi[i]+m.cum[i] >= c })
	return c - m.cum[j]
}
