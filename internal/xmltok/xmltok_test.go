package xmltok_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/beevik/etree"
	"github.com/stretchr/testify/require"

	"github.com/dectsim/dectsim/internal/xmltok"
)

func parse(t *testing.T, src string) *xmltok.Doc {
	t.Helper()
	d, err := xmltok.Parse([]byte(src), xmltok.Limits{})
	require.NoError(t, err)
	return d
}

// parseErr parses src and returns its *xmltok.Error.
func parseErr(t *testing.T, src string, lim xmltok.Limits) *xmltok.Error {
	t.Helper()
	d, err := xmltok.Parse([]byte(src), lim)
	require.Nil(t, d)
	var xe *xmltok.Error
	require.True(t, errors.As(err, &xe), "error %v is not an *xmltok.Error", err)
	return xe
}

func TestPosIsTheLessThanOfAMultiLineStartTag(t *testing.T) {
	src := "<a>\n  <b\n    x='1'\n    y='2'/>\n\t<c\n/>\n  <d><e/></d></a>"
	d := parse(t, src)
	root := d.Root()
	require.Equal(t, xmltok.Pos{Line: 1, Col: 1}, d.Pos(root))
	require.Equal(t, xmltok.Pos{Line: 2, Col: 3}, d.Pos(root.SelectElement("b")))
	require.Equal(t, xmltok.Pos{Line: 5, Col: 2}, d.Pos(root.SelectElement("c")))
	require.Equal(t, xmltok.Pos{Line: 7, Col: 3}, d.Pos(root.SelectElement("d")))
	require.Equal(t, xmltok.Pos{Line: 7, Col: 6}, d.Pos(root.FindElement("d/e")))
	require.Equal(t, xmltok.Pos{}, d.Pos(etree.NewElement("new")), "an element not read from the source has no position")
}

func TestPosMatchesElementsInDocumentOrderAcrossCommentsAndText(t *testing.T) {
	src := "<?xml version=\"1.0\"?>\n<!-- <fake/> -->\n<r><!-- <x/> --><p n='1'/>text<![CDATA[<y/>]]><p n='2'/>\n<?pi <z/>?><p n='3'/></r>\n<!-- after -->\n"
	d := parse(t, src)
	ps := d.Root().SelectElements("p")
	require.Len(t, ps, 3)
	require.Equal(t, xmltok.Pos{Line: 3, Col: 17}, d.Pos(ps[0]))
	require.Equal(t, xmltok.Pos{Line: 3, Col: 47}, d.Pos(ps[1]))
	require.Equal(t, xmltok.Pos{Line: 4, Col: 12}, d.Pos(ps[2]))
}

func TestSpanRereadsAsTheSameElement(t *testing.T) {
	src := `<scenario name="s">
  <at t="0s">
    <provision>
      <provisioning version="1.1" productID="e2">
        <nvm>
          <oper name="add_hs" value="029e74a599"><param name="hs.RegStatus" value="ToReg"/></oper>
        </nvm>
      </provisioning>
    </provision>
    <check-sync/>
  </at>
</scenario>
`
	d := parse(t, src)
	prov := d.Root().FindElement("at/provision/provisioning")
	start, end := d.Span(prov)
	text := src[start:end]
	require.True(t, strings.HasPrefix(text, `<provisioning version="1.1"`), text)
	require.True(t, strings.HasSuffix(text, "</provisioning>"), text)

	inner := parse(t, text)
	require.Equal(t, "provisioning", inner.Root().Tag)
	require.Equal(t, "e2", inner.Root().SelectAttrValue("productID", ""))
	op := inner.Root().FindElement("nvm/oper")
	require.Equal(t, "029e74a599", op.SelectAttrValue("value", ""))
	require.Equal(t, "ToReg", op.SelectElement("param").SelectAttrValue("value", ""))
	require.Equal(t, xmltok.Pos{Line: 3, Col: 11}, inner.Pos(op))

	cs := d.Root().FindElement("at/check-sync")
	start, end = d.Span(cs)
	require.Equal(t, "<check-sync/>", src[start:end])

	root := d.Root()
	start, end = d.Span(root)
	require.Equal(t, 0, start)
	require.Equal(t, strings.TrimSuffix(src, "\n"), src[start:end])
}

func TestExcerptPointsACaretAtTheColumn(t *testing.T) {
	src := []byte("<a>\n <oper name=\"x\">\n</a>\n")
	require.Equal(t, "   2 |  <oper name=\"x\">\n     |  ^", xmltok.Excerpt(src, xmltok.Pos{Line: 2, Col: 2}))
	require.Equal(t, "   1 | <a>\n     | ^", xmltok.Excerpt(src, xmltok.Pos{Line: 1, Col: 1}))
	// A column past the end of the line points just after it.
	require.Equal(t, "   1 | <a>\n     |    ^", xmltok.Excerpt(src, xmltok.Pos{Line: 1, Col: 40}))
	// The empty last line is still a line; beyond it there is nothing.
	require.Equal(t, "   4 | \n     | ^", xmltok.Excerpt(src, xmltok.Pos{Line: 4, Col: 1}))
	require.Equal(t, "", xmltok.Excerpt(src, xmltok.Pos{Line: 5, Col: 1}))
	require.Equal(t, "", xmltok.Excerpt(src, xmltok.Pos{}))
}

func TestExcerptReproducesTabsSoTheCaretLinesUp(t *testing.T) {
	src := []byte("<a>\n\t\t<b x=\"1\"/>\r\n</a>")
	require.Equal(t, "   2 | \t\t<b x=\"1\"/>\n     | \t\t   ^", xmltok.Excerpt(src, xmltok.Pos{Line: 2, Col: 6}))
}

func TestExcerptCountsCharactersNotBytesForTheCaret(t *testing.T) {
	src := []byte("<a v=\"Grüße\" w=\"1\"/>")
	// 'w' is byte column 16 (ü and ß are two bytes each).
	require.Equal(t, "   1 | <a v=\"Grüße\" w=\"1\"/>\n     |              ^", xmltok.Excerpt(src, xmltok.Pos{Line: 1, Col: 16}))
	// Latin-1 bytes are shown as the characters they are.
	latin := []byte("<a v=\"Gr\xfc\xdfe\" w=\"1\"/>")
	require.Equal(t, "   1 | <a v=\"Grüße\" w=\"1\"/>\n     |              ^", xmltok.Excerpt(latin, xmltok.Pos{Line: 1, Col: 14}))
}

func TestExcerptWidensForLongFiles(t *testing.T) {
	src := []byte(strings.Repeat("\n", 12344) + "<x/>")
	require.Equal(t, "12345 | <x/>\n      | ^", xmltok.Excerpt(src, xmltok.Pos{Line: 12345, Col: 1}))
}

func TestExcerptAndLineColIgnoreAByteOrderMark(t *testing.T) {
	src := []byte("\xEF\xBB\xBF<a>\n</a>")
	require.Equal(t, xmltok.Pos{Line: 1, Col: 1}, xmltok.LineCol(src, 3))
	require.Equal(t, xmltok.Pos{Line: 1, Col: 2}, xmltok.LineCol(src, 4))
	require.Equal(t, xmltok.Pos{Line: 2, Col: 1}, xmltok.LineCol(src, 7))
	require.Equal(t, "   1 | <a>\n     | ^", xmltok.Excerpt(src, xmltok.Pos{Line: 1, Col: 1}))
	d := parse(t, string(src))
	require.Equal(t, xmltok.Pos{Line: 1, Col: 1}, d.Pos(d.Root()))
}

func TestLineColCountsBytes(t *testing.T) {
	src := []byte("ab\ncd\n\nü<x")
	require.Equal(t, xmltok.Pos{Line: 1, Col: 1}, xmltok.LineCol(src, 0))
	require.Equal(t, xmltok.Pos{Line: 1, Col: 3}, xmltok.LineCol(src, 2))
	require.Equal(t, xmltok.Pos{Line: 2, Col: 1}, xmltok.LineCol(src, 3))
	require.Equal(t, xmltok.Pos{Line: 3, Col: 1}, xmltok.LineCol(src, 6))
	require.Equal(t, xmltok.Pos{Line: 4, Col: 3}, xmltok.LineCol(src, 9))
	require.Equal(t, xmltok.Pos{Line: 4, Col: 5}, xmltok.LineCol(src, 99), "offsets past the end clamp to the end")
	require.Equal(t, "4:3", xmltok.LineCol(src, 9).String())
}

func TestMismatchedEndTagIsReportedAtTheEndTag(t *testing.T) {
	e := parseErr(t, "<provisioning>\n  <nvm>\n    <param/>\n  </provisioning>\n", xmltok.Limits{})
	require.Equal(t, xmltok.Pos{Line: 4, Col: 3}, e.Pos)
	require.Equal(t, "element <nvm> closed by </provisioning> (<nvm> starts at 2:3)", e.Msg)
	require.Empty(t, e.Limit)
	require.Equal(t, "4:3: element <nvm> closed by </provisioning> (<nvm> starts at 2:3)", e.Error())
}

func TestEndTagWithoutStartTagIsAnError(t *testing.T) {
	e := parseErr(t, "<a>\n</a></b>", xmltok.Limits{})
	require.Equal(t, xmltok.Pos{Line: 2, Col: 5}, e.Pos)
	require.Equal(t, "end tag </b> has no matching start tag", e.Msg)
}

func TestUnclosedElementIsReportedWhereItOpens(t *testing.T) {
	e := parseErr(t, "<provisioning>\n <nvm>\n  <oper name=\"x\">\n   <param/>\n", xmltok.Limits{})
	require.Equal(t, xmltok.Pos{Line: 3, Col: 3}, e.Pos)
	require.Equal(t, "unexpected end of file: <oper> is never closed", e.Msg)
}

func TestUnfinishedConstructAtEndOfFileIsNamed(t *testing.T) {
	for src, want := range map[string]string{
		"<a>\n<!-- never":      "2:1: unexpected end of file: comment is never closed with -->",
		"<a>\n  <b x=\"1\"":    "2:3: unexpected end of file: start tag is never closed with >",
		"<a>\n<![CDATA[ x":     "2:1: unexpected end of file: CDATA section is never closed with ]]>",
		"<a></a":               "1:4: unexpected end of file: end tag is never closed with >",
		"<a>\n<?pi never":      "2:1: unexpected end of file: processing instruction is never closed with ?>",
		"<a>\n<!DOCTYPE never": "2:1: unexpected end of file: declaration is never closed with >",
	} {
		e := parseErr(t, src, xmltok.Limits{})
		require.Equal(t, want, e.Error(), src)
	}
}

func TestSecondRootElementIsAnError(t *testing.T) {
	e := parseErr(t, "<a/>\n<!-- fine -->\n  <b/>", xmltok.Limits{})
	require.Equal(t, xmltok.Pos{Line: 3, Col: 3}, e.Pos)
	require.Equal(t, "a second root element <b>; a document has exactly one (the first is <a>)", e.Msg)
}

func TestTextOutsideTheRootIsAnError(t *testing.T) {
	e := parseErr(t, "<a/>\n  tail", xmltok.Limits{})
	require.Equal(t, xmltok.Pos{Line: 2, Col: 3}, e.Pos)
	require.Equal(t, "text after the end of the root element <a>", e.Msg)

	e = parseErr(t, "\n junk<a/>", xmltok.Limits{})
	require.Equal(t, xmltok.Pos{Line: 2, Col: 2}, e.Pos)
	require.Equal(t, "text before the root element", e.Msg)
}

func TestCommentsPIsAndWhitespaceOutsideTheRootAreFine(t *testing.T) {
	d := parse(t, "<?xml version=\"1.0\"?>\n<!-- c -->\n<?pi x?>\n<a/>\n<!-- c -->\n\n")
	require.Equal(t, "a", d.Root().Tag)
}

func TestEmptyDocumentHasNoRoot(t *testing.T) {
	for _, src := range []string{"", "  \n", "<!-- only a comment -->"} {
		e := parseErr(t, src, xmltok.Limits{})
		require.Equal(t, "the document has no root element", e.Msg, "%q", src)
	}
}

func TestSyntaxErrorIsPlacedAtTheOffendingByte(t *testing.T) {
	e := parseErr(t, "<a>\n  <b x=1/>\n</a>", xmltok.Limits{})
	require.Equal(t, xmltok.Pos{Line: 2, Col: 8}, e.Pos)
	require.Equal(t, "unquoted or missing attribute value in element", e.Msg)

	e = parseErr(t, "<a>\n  <b url='http://x/?a=1&b=2'/>\n</a>", xmltok.Limits{})
	require.Equal(t, xmltok.Pos{Line: 2, Col: 24}, e.Pos)
	require.Equal(t, "invalid character entity &b (no semicolon); a literal & must be written &amp;", e.Msg)

	e = parseErr(t, "<a>\n  fish &chips;\n</a>", xmltok.Limits{})
	require.Equal(t, xmltok.Pos{Line: 2, Col: 8}, e.Pos)
}

func TestXMLDeclarationMustComeFirst(t *testing.T) {
	e := parseErr(t, "<!-- c -->\n<?xml version=\"1.0\"?>\n<a/>", xmltok.Limits{})
	require.Equal(t, xmltok.Pos{Line: 2, Col: 1}, e.Pos)
	require.Contains(t, e.Msg, "must be at the very start")
}

func TestLimitsAreEnforcedAndNamed(t *testing.T) {
	e := parseErr(t, "<a><b><c><d/></c></b></a>", xmltok.Limits{MaxDepth: 3})
	require.Equal(t, xmltok.Pos{Line: 1, Col: 10}, e.Pos)
	require.Equal(t, "MaxDepth", e.Limit)
	require.Equal(t, "element <d> is nested 4 deep, more than the limit MaxDepth=3", e.Msg)
	parse(t, "<a><b><c/></b></a>")

	e = parseErr(t, "<a>\n<b/><b/><b/></a>", xmltok.Limits{MaxElements: 3})
	require.Equal(t, xmltok.Pos{Line: 2, Col: 9}, e.Pos)
	require.Equal(t, "MaxElements", e.Limit)
	require.Equal(t, "more than 3 elements (the limit MaxElements)", e.Msg)

	e = parseErr(t, "<a>\n <b x='12345'/></a>", xmltok.Limits{MaxAttrLen: 4})
	require.Equal(t, xmltok.Pos{Line: 2, Col: 2}, e.Pos)
	require.Equal(t, "MaxAttrLen", e.Limit)
	require.Equal(t, "attribute x of <b> is 5 bytes long, more than the limit MaxAttrLen=4", e.Msg)

	e = parseErr(t, "<a>\n</a>      ", xmltok.Limits{MaxBytes: 8})
	require.Equal(t, xmltok.Pos{Line: 2, Col: 5}, e.Pos)
	require.Equal(t, "MaxBytes", e.Limit)
	require.Equal(t, "the document is larger than the limit MaxBytes=8 bytes", e.Msg)
}

func TestLatin1IsConvertedAndPositionsStayInOriginalBytes(t *testing.T) {
	src := "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<a v=\"Gr\xfc\xdfe \xe9t\xe9\"><b/>\n <c w=\"\xff\"/><d/></a>"
	d := parse(t, src)
	require.Equal(t, "Grüße été", d.Root().SelectAttrValue("v", ""))
	require.Equal(t, xmltok.Pos{Line: 2, Col: 18}, d.Pos(d.Root().SelectElement("b")))
	require.Equal(t, xmltok.Pos{Line: 3, Col: 2}, d.Pos(d.Root().SelectElement("c")))
	require.Equal(t, "ÿ", d.Root().SelectElement("c").SelectAttrValue("w", ""))
	require.Equal(t, xmltok.Pos{Line: 3, Col: 12}, d.Pos(d.Root().SelectElement("d")))
	s, e := d.Span(d.Root().SelectElement("c"))
	require.Equal(t, "<c w=\"\xff\"/>", src[s:e])

	// An error after converted bytes is still placed in the original bytes.
	xe := parseErr(t, "<?xml version=\"1.0\" encoding=\"latin1\"?>\n<a v=\"\xe9\xe9\xe9\"></b>", xmltok.Limits{})
	require.Equal(t, xmltok.Pos{Line: 2, Col: 12}, xe.Pos)
}

func TestWindows1252AndASCIIAreRead(t *testing.T) {
	d := parse(t, "<?xml version=\"1.0\" encoding=\"windows-1252\"?><a v=\"\x80 \x93q\x94\"><b/></a>")
	require.Equal(t, "€ “q”", d.Root().SelectAttrValue("v", ""))
	require.Equal(t, xmltok.Pos{Line: 1, Col: 59}, d.Pos(d.Root().SelectElement("b")))
	d = parse(t, "<?xml version=\"1.0\" encoding=\"US-ASCII\"?><a v=\"plain\"/>")
	require.Equal(t, "plain", d.Root().SelectAttrValue("v", ""))
}

func TestUnknownCharsetIsAClearError(t *testing.T) {
	e := parseErr(t, "<?xml version=\"1.0\" encoding=\"EBCDIC-US\"?>\n<a/>", xmltok.Limits{})
	require.Equal(t, xmltok.Pos{Line: 1, Col: 1}, e.Pos)
	require.Equal(t, `unsupported encoding "EBCDIC-US": only UTF-8, ISO-8859-1, windows-1252 and US-ASCII can be read`, e.Msg)
}

func TestCharsetReaderConvertsLongInput(t *testing.T) {
	in := strings.Repeat("a\xe9", 10000)
	r, err := xmltok.CharsetReader("ISO-8859-1", strings.NewReader(in))
	require.NoError(t, err)
	var b strings.Builder
	buf := make([]byte, 7)
	for {
		n, err := r.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	require.Equal(t, strings.Repeat("aé", 10000), b.String())
}

func TestExcerptShowsControlBytesAsVisibleRunes(t *testing.T) {
	src := []byte("a\x1b[31m\xffb<x")
	ex := xmltok.Excerpt(src, xmltok.Pos{Line: 1, Col: 9})
	require.NotContains(t, ex, "\x1b")
	require.Contains(t, ex, "a\uFFFD[31m\u00ffb<x", "an undecodable byte reads as Latin-1")
	require.True(t, strings.HasSuffix(ex, "|         ^"), "%q", ex)
}
