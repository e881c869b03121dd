package xmltok

// Attr is an attribute of a start tag, its name as written.
type Attr struct {
	Space string // namespace prefix ("" when none)
	Name  string // local name

	value string // the value, from the strict front end
	// The fast front end keeps the raw value src[from:to] and makes a
	// string of it only when asked; decode tells that it holds
	// references or carriage returns.
	from, to int
	decode   bool
	name     name // Name with its key
}

// Start is a start tag. Both front ends give the same Start for the same
// tag; it is only valid during the call to Handler.StartElement.
type Start struct {
	Space string // namespace prefix as written ("" when none)
	Name  string // local name
	Attrs []Attr
	Off   int // byte offset of its '<'
	Pos   Pos // position of its '<'

	lex *lexer // the fast front end, which makes values on demand
}

// Value is the value of Attrs[i], references replaced.
func (t *Start) Value(i int) string {
	if t.lex != nil {
		return t.lex.value(&t.Attrs[i])
	}
	return t.Attrs[i].value
}

// Get is the value of the attribute without a prefix named name; of
// repeated attributes the last counts.
func (t *Start) Get(name string) (value string, ok bool) {
	for i := len(t.Attrs) - 1; i >= 0; i-- {
		if a := &t.Attrs[i]; a.Space == "" && a.Name == name {
			return t.Value(i), true
		}
	}
	return "", false
}

// QName is the element name as written, prefix included.
func (t *Start) QName() string { return qname(t.Space, t.Name) }

// Handler receives the elements of a document in order, from either
// front end: ReadFast and ReadStrict give the same calls for a document
// that both read.
type Handler interface {
	// StartElement is called for each start tag (and each empty-element
	// tag).
	StartElement(t *Start)
	// EndElement closes the innermost open element; end is the offset just
	// after its end tag (or after the "/>" of an empty-element tag).
	EndElement(end int)
}

// ContentHandler is a Handler that is also given what lies between tags.
// Only ReadStrict gives it; the slices are only valid during the call.
type ContentHandler interface {
	Handler
	// CharData is text or a CDATA section, references replaced and line
	// ends made "\n".
	CharData(data []byte)
	Comment(data []byte)
	ProcInst(target string, inst []byte)
	Directive(data []byte)
}

// Read gives the elements of src to the handler that newHandler makes. It
// reads with the fast front end, and when that gives up, it reads again
// with a fresh handler and the strict front end, which alone reports
// errors. Every error is an *Error.
func Read[H Handler](src []byte, lim Limits, newHandler func() H) (H, error) {
	h := newHandler()
	if ReadFast(src, lim, h) {
		return h, nil
	}
	h = newHandler()
	return h, ReadStrict(src, lim, h)
}
