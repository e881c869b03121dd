// Package xmltok is the one XML tokenizer of the project: every reader of
// XML (provisioning files, version 1.0 chain files, scenario files) reads
// through it. It gives a Handler the elements of a document with their
// offsets and line:col positions, within Limits, from two front ends:
// ReadStrict (encoding/xml in strict mode plus the checks it lacks, which
// alone reports errors) and ReadFast (a hand-written lexer for the
// well-formed subset real files are written in, which gives up on
// anything else). Parse builds an etree tree whose elements know their
// positions in the same strict pass, and Excerpt prints compiler-style
// excerpts. etree alone keeps no positions and is lenient (it accepts two
// root elements and reports a mismatched end tag without a line).
package xmltok

import (
	"bytes"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/beevik/etree"

	"github.com/dectsim/dectsim/internal/textio/printable"
)

// Doc is an etree document whose elements know where they came from.
type Doc struct {
	// Doc is the tree, for etree's queries.
	Doc  *etree.Document
	src  []byte
	info map[*etree.Element]elemInfo
}

type elemInfo struct {
	pos        Pos
	start, end int
}

// Parse reads a document strictly (see ReadStrict) and builds its etree
// tree in the same pass, so that callers get etree's convenience and exact
// positions. Every error is an *Error.
func Parse(data []byte, lim Limits) (*Doc, error) {
	doc := etree.NewDocument()
	b := &treeBuilder{d: &Doc{Doc: doc, src: data, info: make(map[*etree.Element]elemInfo)}}
	b.open = append(b.open, &doc.Element)
	if err := ReadStrict(data, lim, b); err != nil {
		return nil, err
	}
	return b.d, nil
}

// treeBuilder makes the etree tree from the tokens of ReadStrict as etree
// itself would make it from the same bytes.
type treeBuilder struct {
	d    *Doc
	open []*etree.Element // the document element, then the open elements
}

func (b *treeBuilder) top() *etree.Element { return b.open[len(b.open)-1] }

func (b *treeBuilder) StartElement(t *Start) {
	e := etree.NewElement(t.Name)
	e.Space, e.Tag = t.Space, t.Name
	b.top().AddChild(e)
	for i := range t.Attrs {
		setAttr(e, t.Attrs[i].Space, t.Attrs[i].Name, t.Value(i))
	}
	b.d.info[e] = elemInfo{pos: t.Pos, start: t.Off}
	b.open = append(b.open, e)
}

// setAttr adds an attribute to e; a repeated one keeps its place and takes
// the last value, as when etree reads it.
func setAttr(e *etree.Element, space, key, value string) {
	for i := range e.Attr {
		if a := &e.Attr[i]; a.Space == space && a.Key == key {
			a.Value = value
			return
		}
	}
	if space == "" && strings.IndexByte(key, ':') >= 0 {
		// A name such as ":a", which CreateAttr would split.
		e.Attr = append(e.Attr, etree.Attr{Key: key, Value: value})
		return
	}
	e.CreateAttr(qname(space, key), value)
}

func (b *treeBuilder) EndElement(end int) {
	e := b.top()
	b.open = b.open[:len(b.open)-1]
	in := b.d.info[e]
	in.end = end
	b.d.info[e] = in
}

func (b *treeBuilder) CharData(data []byte) {
	s := string(data)
	b.top().CreateText(s).SetData(s) // SetData marks white space as etree does
}

func (b *treeBuilder) Comment(data []byte) { b.top().CreateComment(string(data)) }

func (b *treeBuilder) ProcInst(target string, inst []byte) {
	b.top().CreateProcInst(target, string(inst))
}

func (b *treeBuilder) Directive(data []byte) { b.top().CreateDirective(string(data)) }

// Root is the document's root element.
func (d *Doc) Root() *etree.Element { return d.Doc.Root() }

// Source is the bytes the document was parsed from, for Excerpt.
func (d *Doc) Source() []byte { return d.src }

// Pos is where the element's start tag begins (its '<'), even when the tag
// spans several lines. It is the zero Pos for elements not read from the
// source (added to the tree later).
func (d *Doc) Pos(e *etree.Element) Pos { return d.info[e].pos }

// Span is the byte range of the element's whole source text, from the '<'
// of its start tag to just after its end tag (or its self-closing tag), so
// that an embedded document can be re-read from exactly the bytes the user
// wrote. It is (0, 0) for elements not read from the source.
func (d *Doc) Span(e *etree.Element) (start, end int) {
	in := d.info[e]
	return in.start, in.end
}

// ExcerptWidth is the most bytes of a line an excerpt shows: a longer
// line (a whole document on one line, or a binary file) is cut to a window
// around the column, marked with "…" where it was cut.
const ExcerptWidth = 120

// Excerpt shows the source line of p with its number and a caret under the
// column, the way compilers and hurl point at a problem:
//
//	12 | <oper name="x">
//	   |  ^
//
// Tabs before the caret are repeated in the caret line so that it lines
// up; control characters are shown as one visible rune each. It returns ""
// when p is not in src.
func Excerpt(src []byte, p Pos) string {
	line, ok := lineOf(src, p.Line)
	if !ok {
		return ""
	}
	col := min(max(p.Col, 1), len(line)+1)
	lo, hi := window(line, col-1)

	num := strconv.Itoa(p.Line)
	w := max(4, len(num))
	var b strings.Builder
	b.WriteString(strings.Repeat(" ", w-len(num)))
	b.WriteString(num)
	b.WriteString(" | ")
	if lo > 0 {
		b.WriteString("…")
	}
	forRunes(line[lo:hi], func(r rune, _ int) { b.WriteRune(printable.Rune(r)) })
	if hi < len(line) {
		b.WriteString("…")
	}
	b.WriteByte('\n')
	b.WriteString(strings.Repeat(" ", w+1))
	b.WriteString("| ")
	if lo > 0 {
		b.WriteByte(' ')
	}
	forRunes(line[lo:col-1], func(r rune, _ int) {
		if r == '\t' {
			b.WriteByte('\t')
		} else {
			b.WriteByte(' ')
		}
	})
	b.WriteByte('^')
	return b.String()
}

// lineOf returns line n of src (from 1), without its line ending or, on
// line 1, a byte-order mark. "\r\n", "\n" and a lone "\r" each end a line.
func lineOf(src []byte, n int) ([]byte, bool) {
	if n < 1 {
		return nil, false
	}
	start := 0
	for l := 1; ; l++ {
		end := start + lineEnd(src[start:])
		if l == n {
			line := src[start:end]
			if n == 1 {
				line = bytes.TrimPrefix(line, bom)
			}
			return line, true
		}
		switch {
		case end >= len(src):
			return nil, false
		case src[end] == '\r' && end+1 < len(src) && src[end+1] == '\n':
			start = end + 2
		default:
			start = end + 1
		}
	}
}

// lineEnd is the length of b's first line.
func lineEnd(b []byte) int {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		i = len(b)
	}
	if j := bytes.IndexByte(b[:i], '\r'); j >= 0 {
		return j
	}
	return i
}

// window picks at most ExcerptWidth bytes of line around byte offset at,
// on rune boundaries, with about a third of the width before it.
func window(line []byte, at int) (lo, hi int) {
	if len(line) <= ExcerptWidth {
		return 0, len(line)
	}
	lo = max(0, at-ExcerptWidth/3)
	hi = min(len(line), lo+ExcerptWidth)
	lo = max(0, min(lo, hi-ExcerptWidth))
	for lo > 0 && lo < len(line) && !utf8.RuneStart(line[lo]) {
		lo--
	}
	for hi < len(line) && !utf8.RuneStart(line[hi]) {
		hi++
	}
	return lo, hi
}

func forRunes(b []byte, f func(r rune, size int)) {
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r == utf8.RuneError && n <= 1 {
			r, n = rune(b[0]), 1
		}
		f(r, n)
		b = b[n:]
	}
}

// AttrPos is where attribute name of e is written in the source: the
// first byte of its name, so an error about a value can point at the
// attribute rather than at the element. ok is false for an element not
// read from the source or without that attribute.
func (d *Doc) AttrPos(e *etree.Element, name string) (Pos, bool) {
	in, ok := d.info[e]
	if !ok || in.end <= in.start || in.end > len(d.src) {
		return Pos{}, false
	}
	off, ok := attrOffset(d.src[in.start:in.end], name)
	if !ok {
		return Pos{}, false
	}
	return LineCol(d.src, in.start+off), true
}

// attrOffset finds attribute name in the start tag at the beginning of
// tag, skipping quoted values; the offset of its first byte.
func attrOffset(tag []byte, name string) (int, bool) {
	i := 1 // past '<'
	for i < len(tag) && !isTagSpace(tag[i]) && tag[i] != '>' && tag[i] != '/' {
		i++ // the element's name
	}
	for i < len(tag) {
		c := tag[i]
		switch {
		case c == '>':
			return 0, false
		case c == '"' || c == '\'':
			j := bytes.IndexByte(tag[i+1:], c)
			if j < 0 {
				return 0, false
			}
			i += j + 2
		case isTagSpace(c) || c == '/' || c == '=':
			i++
		default:
			start := i
			for i < len(tag) && !isTagSpace(tag[i]) && tag[i] != '=' && tag[i] != '>' && tag[i] != '/' {
				i++
			}
			if string(tag[start:i]) == name {
				return start, true
			}
		}
	}
	return 0, false
}

func isTagSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
