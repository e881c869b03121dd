package xmltok_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/beevik/etree"

	"github.com/dectsim/dectsim/internal/xmltok"
)

// FuzzParse checks that no input panics, that every error has a position,
// and that the tree Parse builds is the one etree reads from the same
// bytes.
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
		sameAsEtree(t, d, data)
	})
}

// sameAsEtree fails unless etree reads data into the tree d holds.
func sameAsEtree(t *testing.T, d *xmltok.Doc, data []byte) {
	t.Helper()
	want := etree.NewDocument()
	want.ReadSettings.CharsetReader = xmltok.CharsetReader
	if err := want.ReadFromBytes(data); err != nil {
		t.Fatalf("etree refuses what Parse read: %v", err)
	}
	w, err := want.WriteToString()
	if err != nil {
		t.Fatal(err)
	}
	got, err := d.Doc.WriteToString()
	if err != nil {
		t.Fatal(err)
	}
	if got != w {
		t.Fatalf("Parse built\n%q\netree reads\n%q", got, w)
	}
}

// recorder writes down the calls a front end makes.
type recorder struct{ calls []string }

func (r *recorder) StartElement(t *xmltok.Start) {
	var b strings.Builder
	fmt.Fprintf(&b, "<%s:%s at %d %s", t.Space, t.Name, t.Off, t.Pos)
	for i, a := range t.Attrs {
		fmt.Fprintf(&b, " %s:%s=%q", a.Space, a.Name, t.Value(i))
	}
	r.calls = append(r.calls, b.String())
}

func (r *recorder) EndElement(end int) { r.calls = append(r.calls, fmt.Sprintf("/ at %d", end)) }

// FuzzFrontEndsAgree: whatever the fast front end reads, the strict one
// reads too, with the same calls to the handler.
func FuzzFrontEndsAgree(f *testing.F) {
	for _, s := range []string{
		"<a/>",
		"<a x='1' y=\"&amp;&#65;\r\n\"><b/>\n<c>t</c><!-- c --></a>",
		"\xEF\xBB\xBF<?xml version=\"1.0\"?>\n<a>\n  <b\n x='1'/>\n</a>\n",
		"<provisioning version=\"1.1\"><nvm><param name=\"a\" value=\"1\"/><oper name=\"b\"><param name=\"c\"/></oper></nvm></provisioning>",
		"<a><b></a>",
		"<a b='1' b='2'/>",
		"<abcdefghij klmnopqrstu='1' klmnopqrstv='2'/>",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, lim := range []xmltok.Limits{{}, {MaxDepth: 3, MaxAttrLen: 4, MaxElements: 5, MaxBytes: 200}} {
			fast, strict := &recorder{}, &recorder{}
			if !xmltok.ReadFast(data, lim, fast) {
				continue
			}
			if err := xmltok.ReadStrict(data, lim, strict); err != nil {
				t.Fatalf("the fast front end read what the strict one refuses: %v", err)
			}
			if !slices.Equal(fast.calls, strict.calls) {
				t.Fatalf("fast:\n%s\nstrict:\n%s", strings.Join(fast.calls, "\n"), strings.Join(strict.calls, "\n"))
			}
		}
	})
}
