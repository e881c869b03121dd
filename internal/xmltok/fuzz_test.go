package xmltok_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/beevik/etree"

	"github.com/dectsim/dectsim/internal/xmltok"
)

// FuzzParse checks that no input panics, that every error has a position,
// and that whatever the strict pass accepts etree reads the same way.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"<a/>",
		"<a>\n  <b\n x='1'/>\n</a>",
		"<a></b>",
		"<a/><b/>",
		"<a>\n<b>",
		"\xEF\xBB\xBF<a/>",
		"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<a v=\"\xe9\"><b/></a>",
		"<?xml version=\"1.0\" encoding=\"windows-1252\"?><a>\x80</a>",
		"<a><![CDATA[<x/>]]><!-- <y/> --><?p <z/>?></a>",
		"<p:a xmlns:p='u'><p:b/></p:a>",
		"<a x='&amp;&#65;&lt;'>&gt;</a>",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := xmltok.Parse(data, xmltok.Limits{MaxDepth: 32})
		if err != nil {
			var xe *xmltok.Error
			if !errors.As(err, &xe) {
				t.Fatalf("error %T %v is not an *xmltok.Error", err, err)
			}
			if xe.Pos.Line < 1 || xe.Pos.Col < 1 {
				t.Fatalf("error without a position: %v", err)
			}
			if strings.HasPrefix(xe.Msg, "reading the document tree") {
				t.Fatalf("the strict pass accepted what etree refused: %v", err)
			}
			_ = xmltok.Excerpt(data, xe.Pos)
			return
		}
		var walk func(e *etree.Element)
		walk = func(e *etree.Element) {
			p := d.Pos(e)
			if p.Line < 1 || p.Col < 1 {
				t.Fatalf("<%s> has no position", e.Tag)
			}
			s, end := d.Span(e)
			if s < 0 || end > len(data) || s >= end || data[s] != '<' {
				t.Fatalf("<%s> has a bad span %d..%d", e.Tag, s, end)
			}
			if xmltok.LineCol(data, s) != p {
				t.Fatalf("<%s>: span start %v, position %v", e.Tag, xmltok.LineCol(data, s), p)
			}
			for _, c := range e.ChildElements() {
				walk(c)
			}
		}
		walk(d.Root())
	})
}
