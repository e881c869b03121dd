package provfile_test

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dectsim/dectsim/internal/testfiles"

	"github.com/dectsim/dectsim/internal/provfile"
	"github.com/dectsim/dectsim/internal/xmltok"
)

const decl = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"

func mustParse(t *testing.T, src string) *provfile.File {
	t.Helper()
	f, err := provfile.Parse("f.xml", []byte(src))
	require.NoError(t, err)
	return f
}

func parseErr(t *testing.T, src string, o provfile.Options) *provfile.Error {
	t.Helper()
	f, err := provfile.ParseWith("f.xml", []byte(src), o)
	require.Nil(t, f)
	var pe *provfile.Error
	require.True(t, errors.As(err, &pe), "error %v is not a *provfile.Error", err)
	require.Equal(t, "f.xml", pe.File)
	return pe
}

func pos(l, c int) provfile.Pos { return provfile.Pos{Line: l, Col: c} }

func names(f *provfile.File) []string {
	var out []string
	for _, it := range f.Items {
		out = append(out, it.Name)
	}
	return out
}

func TestStrayCommentTerminatorTextInsideNVMIsIgnored(t *testing.T) {
	f := mustParse(t, decl+`<provisioning version="1.1" productID="e2">
  <nvm>
    <param name="SipProvider.0.SRTP_Enabled" value="0"/>
    -->
    <param name="SipProvider.0.AcceptNonSRTPCalls" value="0"/>
  </nvm>
</provisioning>
`)
	require.Equal(t, []string{"SipProvider.0.SRTP_Enabled", "SipProvider.0.AcceptNonSRTPCalls"}, names(f))
	require.Equal(t, pos(6, 5), f.Items[1].Pos)
	require.Empty(t, f.Notes)
}

func TestParamsInsideCommentsAreIgnored(t *testing.T) {
	f := mustParse(t, decl+`<provisioning version="1.1" productID="e2">
  <nvm>
    <!-- disabled for now
    <param name="SipProvider.0.UseSIPS" value="1"/>
    -->
    <!-- <oper name="add_hs" value="0011223344"/> -->
    <param name="SipProvider.0.UseSIPS" value="0"/>
  </nvm>
</provisioning>`)
	require.Len(t, f.Items, 1)
	require.Equal(t, provfile.Item{Kind: provfile.ParamItem, Pos: pos(8, 5), Name: "SipProvider.0.UseSIPS", Value: "0", HasName: true, HasValue: true}, f.Items[0])
}

func TestAttributesInAnyOrderAndMissingOnesAreTracked(t *testing.T) {
	f := mustParse(t, `<provisioning productID="e2" version="1.1"><nvm>
<param value="v" name="n" other="ignored"/>
<param name="only-name"/>
<param value="only-value"/>
<oper value="00001" name="add_hs"/>
<oper/>
</nvm></provisioning>`)
	require.Equal(t, "1.1", f.Version)
	require.Equal(t, "e2", f.ProductID)
	require.Equal(t, []provfile.Item{
		{Kind: provfile.ParamItem, Pos: pos(2, 1), Name: "n", Value: "v", HasName: true, HasValue: true},
		{Kind: provfile.ParamItem, Pos: pos(3, 1), Name: "only-name", HasName: true},
		{Kind: provfile.ParamItem, Pos: pos(4, 1), Value: "only-value", HasValue: true},
		{Kind: provfile.OperItem, Pos: pos(5, 1), Name: "add_hs", Value: "00001", HasName: true, HasValue: true},
		{Kind: provfile.OperItem, Pos: pos(6, 1)},
	}, f.Items)
}

func TestMissingProductIDIsRecordedNotJudged(t *testing.T) {
	f := mustParse(t, `<provisioning version="1.1"><nvm/></provisioning>`)
	require.False(t, f.HasProductID)
	require.Equal(t, "", f.ProductID)
	f = mustParse(t, `<provisioning version="1.1" productID="e3"/>`)
	require.True(t, f.HasProductID)
	require.Equal(t, "e3", f.ProductID)
	require.Zero(t, f.NVMPos)
	require.Nil(t, f.Firmware)
	require.Empty(t, f.Items)
}

func TestBlankLinesInsideOperAreFine(t *testing.T) {
	f := mustParse(t, "<provisioning version=\"1.1\" productID=\"e2\">\n<nvm>\n  <oper value=\"00001\" name=\"add_hs\">\n\n\n    <param name=\"hs.RegStatus\" value=\"ToReg\"/>\n\n  </oper>\n</nvm>\n</provisioning>\n")
	require.Len(t, f.Items, 1)
	require.Equal(t, []provfile.Param{{Pos: pos(6, 5), Name: "hs.RegStatus", Value: "ToReg", HasName: true, HasValue: true}}, f.Items[0].Params)
}

func TestWholeDocumentOnOneLine(t *testing.T) {
	src := `<?xml version="1.0"?><provisioning version="1.1" productID="e2"><firmware><file version="2.65.0" url="u"/></firmware><nvm><param name="a.0.b" value="1"/><oper value="02b6ec8aa5" name="add_hs"><param name="hs.RegStatus" value="ToReg"/></oper></nvm></provisioning>`
	f := mustParse(t, src)
	at := func(s string) provfile.Pos { return pos(1, strings.Index(src, s)+1) }
	require.Equal(t, at("<provisioning"), f.Pos)
	require.Equal(t, at("<firmware"), f.Firmware.Pos)
	require.Equal(t, at("<file"), f.Firmware.Files[0].Pos)
	require.Equal(t, at("<nvm"), f.NVMPos)
	require.Equal(t, at(`<param name="a.0.b"`), f.Items[0].Pos)
	require.Equal(t, at("<oper"), f.Items[1].Pos)
	require.Equal(t, at(`<param name="hs.RegStatus"`), f.Items[1].Params[0].Pos)
}

func TestByteOrderMarkIsAccepted(t *testing.T) {
	f := mustParse(t, "\xEF\xBB\xBF"+decl+`<provisioning version="1.1" productID="e2"><nvm><param name="a" value="b"/></nvm></provisioning>`)
	require.Equal(t, pos(2, 1), f.Pos)
	require.Len(t, f.Items, 1)
	// Columns on the first line do not count the mark.
	f = mustParse(t, "\xEF\xBB\xBF<provisioning version=\"1.1\" productID=\"e2\"/>")
	require.Equal(t, pos(1, 1), f.Pos)
}

func TestMismatchedEndTagIsAnErrorAtTheEndTag(t *testing.T) {
	e := parseErr(t, decl+"<provisioning version=\"1.1\" productID=\"e2\">\n  <nvm>\n    <param name=\"a\" value=\"b\"/>\n  </provisioning>\n", provfile.Options{})
	require.Equal(t, "xml-syntax", e.Code)
	require.Equal(t, pos(5, 3), e.Pos)
	require.Equal(t, "not well-formed XML: element <nvm> closed by </provisioning> (<nvm> starts at 3:3)", e.Msg)
	require.Equal(t, "f.xml:5:3: not well-formed XML: element <nvm> closed by </provisioning> (<nvm> starts at 3:3)", e.Error())
}

func TestTwoRootElementsAreAnError(t *testing.T) {
	e := parseErr(t, "<provisioning version=\"1.1\" productID=\"e2\"/>\n<provisioning version=\"1.1\" productID=\"e2\"/>\n", provfile.Options{})
	require.Equal(t, "xml-syntax", e.Code)
	require.Equal(t, pos(2, 1), e.Pos)
	require.Equal(t, "not well-formed XML: a second root element <provisioning>; a document has exactly one (the first is <provisioning>)", e.Msg)
}

func TestUnclosedElementIsAnError(t *testing.T) {
	e := parseErr(t, "<provisioning version=\"1.1\" productID=\"e2\">\n <nvm>\n  <oper name=\"add_hs\" value=\"00001\">\n   <param name=\"hs.RegStatus\" value=\"ToReg\"/>\n", provfile.Options{})
	require.Equal(t, "xml-syntax", e.Code)
	require.Equal(t, pos(3, 3), e.Pos)
	require.Equal(t, "not well-formed XML: unexpected end of file: <oper> is never closed", e.Msg)
}

func TestRawAmpersandIsAnErrorAtItsColumn(t *testing.T) {
	e := parseErr(t, "<provisioning version=\"1.1\" productID=\"e2\"><nvm>\n<param name=\"XMLDir.1.ServerURL\" value=\"http://x/?a=1&b=2\"/>\n</nvm></provisioning>", provfile.Options{})
	require.Equal(t, "xml-syntax", e.Code)
	require.Equal(t, pos(2, 54), e.Pos)
	require.NotContains(t, e.Msg, "ProviderFrame")
}

func TestEmptyDocumentIsAnError(t *testing.T) {
	e := parseErr(t, decl, provfile.Options{})
	require.Equal(t, "xml-syntax", e.Code)
	require.Equal(t, "not well-formed XML: the document has no root element", e.Msg)
}

func TestProviderFrameRootIsNotProvisioning(t *testing.T) {
	src := `<?xml version="1.0" encoding="ISO-8859-1"?>
<ProviderFrame xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="N510.xsd">
  <Provider>
    <MAC_ADDRESS value="7C2F80A1B2C3"/>
    <SYMB_ITEM ID="BS_IP_Data1.aucS_SIP_DISPLAYNAME" class="symb_item" value='"Gr` + "\xfc\xdf" + `e"'/>
  </Provider>
</ProviderFrame>
`
	e := parseErr(t, src, provfile.Options{})
	require.Equal(t, "not-provisioning", e.Code)
	require.Equal(t, pos(2, 1), e.Pos)
	require.Contains(t, e.Msg, "N510/N720 ProviderFrame file")

	// Not well-formed wins over the wrong root, with a hint.
	bad := strings.Replace(src, `value="7C2F80A1B2C3"`, `value="7C2F80A1B2C3&x.bin"`, 1)
	e = parseErr(t, bad, provfile.Options{})
	require.Equal(t, "xml-syntax", e.Code)
	require.Equal(t, pos(4, 37), e.Pos)
	require.Contains(t, e.Msg, "looks like an N510/N720 ProviderFrame file")
}

func TestOtherRootsAreNotProvisioning(t *testing.T) {
	for src, want := range map[string]string{
		`<oper name="update_dm" value="local"/>`:                    "root element is <oper>; a provisioning document has <provisioning> as its root (this looks like a fragment meant to go inside <nvm>)",
		`<param name="a" value="b"/>`:                               "root element is <param>; a provisioning document has <provisioning> as its root (this looks like a fragment meant to go inside <nvm>)",
		`<nvm><param name="a" value="b"/></nvm>`:                    `root element is <nvm>; a provisioning document has <provisioning> as its root (put <nvm> inside <provisioning version="1.1" productID="e2">)`,
		`<nvm version="1.0" productID="e2"><file/></nvm>`:           `root element is <nvm version="1.0">: this is nvm/updates.xml, the second file of the provisioning version 1.0 three-file chain`,
		`<settings version="1.0" productID="e2"/>`:                  `root element is <settings version="1.0">: this is configuration.xml, the third file of the provisioning version 1.0 three-file chain`,
		`<firmware version="1.0" productID="e2"><file/></firmware>`: `root element is <firmware version="1.0">; a provisioning document has <provisioning> as its root (a stand-alone <firmware> file`,
		`<html><body/></html>`:                                      "root element is <html>; a provisioning document has <provisioning> as its root",
	} {
		e := parseErr(t, "\n  "+src, provfile.Options{})
		require.Equal(t, "not-provisioning", e.Code, src)
		require.Equal(t, pos(2, 3), e.Pos, src)
		require.True(t, strings.HasPrefix(e.Msg, want), "%s\ngot  %s\nwant %s", src, e.Msg, want)
	}
}

func TestCategoryInsideProvisioningIsTheVersion10Chain(t *testing.T) {
	e := parseErr(t, "<provisioning version=\"1.0\" productID=\"e2\">\n  <category type=\"nvm\" url=\"http://h/nvm/updates.xml\"/>\n</provisioning>", provfile.Options{})
	require.Equal(t, "not-provisioning", e.Code)
	require.Equal(t, pos(1, 1), e.Pos)
	require.Contains(t, e.Msg, "<category> (at 2:3) is provisioning.xml, the first file of the provisioning version 1.0 three-file chain (provisioning.xml -> nvm/updates.xml -> configuration.xml); a chain file given alone cannot be applied")
}

func TestUnknownElementsAreNotedAndSkipped(t *testing.T) {
	f := mustParse(t, `<provisioning version="1.1" productID="e2">
  <custom><param name="in.custom" value="x"/></custom>
  <firmware><file version="2.65.0" url="u"><extra/></file><bogus/></firmware>
  <nvm>
    <group><param name="in.group" value="x"/><oper name="add_hs" value="1"/></group>
    <oper name="add_hs" value="00001"><param name="hs.RegStatus" value="ToReg"/><note/></oper>
    <param name="a.0.b" value="1"><child/></param>
  </nvm>
</provisioning>`)
	require.Equal(t, []string{"add_hs", "a.0.b"}, names(f))
	require.Len(t, f.Items[0].Params, 1)
	require.Len(t, f.Firmware.Files, 1)
	require.Equal(t, []provfile.Note{
		{Pos: pos(2, 3), Code: "unknown-element", Msg: "unknown element <custom> inside <provisioning> is ignored"},
		{Pos: pos(3, 44), Code: "unknown-element", Msg: "unknown element <extra> inside <file> is ignored"},
		{Pos: pos(3, 59), Code: "unknown-element", Msg: "unknown element <bogus> inside <firmware> is ignored"},
		{Pos: pos(5, 5), Code: "unknown-element", Msg: "unknown element <group> inside <nvm> is ignored"},
		{Pos: pos(6, 81), Code: "unknown-element", Msg: "unknown element <note> inside <oper> is ignored"},
		{Pos: pos(7, 35), Code: "unknown-element", Msg: "unknown element <child> inside <param> is ignored"},
	}, f.Notes)
}

func TestParamsAndOpersOutsideNVMAreItemsWithANote(t *testing.T) {
	f := mustParse(t, `<provisioning version="1.1" productID="e2">
  <param name="DmGlobal.0.GapLimit" value="1"/>
  <nvm><param name="a.0.b" value="1"/></nvm>
  <oper name="add_hs" value="00001"><param name="hs.RegStatus" value="ToReg"/></oper>
</provisioning>`)
	require.Equal(t, []provfile.Item{
		{Kind: provfile.ParamItem, Pos: pos(2, 3), Name: "DmGlobal.0.GapLimit", Value: "1", HasName: true, HasValue: true, OutsideNVM: true},
		{Kind: provfile.ParamItem, Pos: pos(3, 8), Name: "a.0.b", Value: "1", HasName: true, HasValue: true},
		{Kind: provfile.OperItem, Pos: pos(4, 3), Name: "add_hs", Value: "00001", HasName: true, HasValue: true, OutsideNVM: true,
			Params: []provfile.Param{{Pos: pos(4, 37), Name: "hs.RegStatus", Value: "ToReg", HasName: true, HasValue: true}}},
	}, f.Items)
	require.Equal(t, []provfile.Note{
		{Pos: pos(2, 3), Code: "outside-nvm", Msg: "<param> directly under <provisioning>, outside <nvm>"},
		{Pos: pos(4, 3), Code: "outside-nvm", Msg: "<oper> directly under <provisioning>, outside <nvm>"},
	}, f.Notes)
}

func TestSecondSectionsAreAppendedWithANote(t *testing.T) {
	f := mustParse(t, `<provisioning version="1.1" productID="e2">
<nvm><param name="a" value="1"/></nvm>
<firmware><file version="2.40.0" url="a"/></firmware>
<nvm><param name="b" value="2"/></nvm>
<firmware><file version="2.65.0" url="b"/></firmware>
</provisioning>`)
	require.Equal(t, []string{"a", "b"}, names(f))
	require.Equal(t, pos(2, 1), f.NVMPos)
	require.Equal(t, pos(3, 1), f.Firmware.Pos)
	require.Len(t, f.Firmware.Files, 2)
	require.Equal(t, "2.65.0", f.Firmware.Files[1].Version)
	require.Equal(t, []provfile.Note{
		{Pos: pos(4, 1), Code: "duplicate-section", Msg: "a second <nvm> (the first is at 2:1); its items are read after those of the first"},
		{Pos: pos(5, 1), Code: "duplicate-section", Msg: "a second <firmware> (the first is at 3:1); its files are read after those of the first"},
	}, f.Notes)
}

func TestLatin1DocumentIsReadWithPositionsInItsBytes(t *testing.T) {
	src := "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<provisioning version=\"1.1\" productID=\"e2\"><nvm><param name=\"SipAccount.00001.DisplayName\" value=\"J\xfcrgen M\xfcller\"/><param name=\"b\" value=\"1\"/></nvm></provisioning>"
	f := mustParse(t, src)
	require.Equal(t, "Jürgen Müller", f.Items[0].Value)
	line2 := src[strings.Index(src, "\n")+1:]
	require.Equal(t, pos(2, strings.Index(line2, `<param name="b"`)+1), f.Items[1].Pos)
}

func TestUnsupportedEncodingIsAnError(t *testing.T) {
	e := parseErr(t, "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n<provisioning/>", provfile.Options{})
	require.Equal(t, "xml-syntax", e.Code)
	require.Equal(t, pos(1, 1), e.Pos)
	require.Contains(t, e.Msg, `unsupported encoding "UTF-16"`)
}

func TestDepthLimit(t *testing.T) {
	src := "<provisioning version=\"1.1\" productID=\"e2\">\n<nvm><oper name=\"x\"><param name=\"a\"><deep/></param></oper></nvm></provisioning>"
	mustParse(t, src)
	e := parseErr(t, src, provfile.Options{Limits: provfile.Limits{MaxDepth: 4}})
	require.Equal(t, "limit", e.Code)
	require.Equal(t, pos(2, 37), e.Pos)
	require.Equal(t, "element <deep> is nested 5 deep, more than the limit MaxDepth=4", e.Msg)
}

func TestSizeLimit(t *testing.T) {
	src := "<provisioning version=\"1.1\" productID=\"e2\">\n<nvm/>\n</provisioning>\n"
	_, err := provfile.ParseWith("f.xml", []byte(src), provfile.Options{Limits: provfile.Limits{MaxBytes: len(src)}})
	require.NoError(t, err)
	e := parseErr(t, src, provfile.Options{Limits: provfile.Limits{MaxBytes: len(src) - 1}})
	require.Equal(t, "limit", e.Code)
	require.Equal(t, pos(3, 16), e.Pos)
	require.Equal(t, "the document is larger than the limit MaxBytes=66 bytes", e.Msg)
}

// endless is an input that never ends, counting what is read from it.
type endless struct{ n int }

func (r *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	r.n += len(p)
	return len(p), nil
}

func TestReadStopsAtTheSizeLimit(t *testing.T) {
	saved := provfile.DefaultLimits
	t.Cleanup(func() { provfile.DefaultLimits = saved })
	provfile.DefaultLimits.MaxBytes = 1000

	r := &endless{}
	f, err := provfile.Read("http://h/f.xml", io.MultiReader(strings.NewReader("<provisioning>"), r))
	require.Nil(t, f)
	var pe *provfile.Error
	require.True(t, errors.As(err, &pe))
	require.Equal(t, "limit", pe.Code)
	require.Equal(t, "http://h/f.xml", pe.File)
	require.LessOrEqual(t, r.n, 1000+64<<10, "Read must not read far beyond the limit")

	f, err = provfile.Read("ok.xml", strings.NewReader(`<provisioning version="1.1" productID="e2"/>`))
	require.NoError(t, err)
	require.Equal(t, "ok.xml", f.Name)
}

func TestAttributeLengthLimit(t *testing.T) {
	src := "<provisioning version=\"1.1\" productID=\"e2\"><nvm>\n  <param name=\"a\" value=\"" + strings.Repeat("x", 11) + "\"/>\n</nvm></provisioning>"
	e := parseErr(t, src, provfile.Options{Limits: provfile.Limits{MaxAttrLen: 10}})
	require.Equal(t, "limit", e.Code)
	require.Equal(t, pos(2, 3), e.Pos)
	require.Equal(t, "attribute value of <param> is 11 bytes long, more than the limit MaxAttrLen=10", e.Msg)
}

func TestElementCountLimit(t *testing.T) {
	src := "<provisioning version=\"1.1\" productID=\"e2\"><nvm>\n" + strings.Repeat("<param name=\"a\" value=\"1\"/>", 3) + "\n</nvm></provisioning>"
	mustParse(t, src)
	e := parseErr(t, src, provfile.Options{Limits: provfile.Limits{MaxElements: 4}})
	require.Equal(t, "limit", e.Code)
	require.Equal(t, pos(2, 55), e.Pos)
	require.Equal(t, "more than 4 elements (the limit MaxElements)", e.Msg)
}

func TestOriginShiftsPositionsIntoTheEnclosingFile(t *testing.T) {
	data := "<provisioning version=\"1.1\" productID=\"e2\"><nvm>\n  <param name=\"a\" value=\"1\"/>\n</nvm></provisioning>"
	f, err := provfile.ParseWith("s.xml", []byte(data), provfile.Options{Origin: pos(10, 7)})
	require.NoError(t, err)
	require.Equal(t, pos(10, 7), f.Pos)
	require.Equal(t, pos(10, 50), f.NVMPos)
	require.Equal(t, pos(11, 3), f.Items[0].Pos)

	bad := "<provisioning version=\"1.1\" productID=\"e2\"><nvm></provisioning>"
	e := parseErr(t, bad, provfile.Options{Origin: pos(10, 7)})
	require.Equal(t, pos(10, 55), e.Pos)
	require.Contains(t, e.Msg, "(<nvm> starts at 1:44)", "positions inside the message are the data's own")

	nonRoot := "<oper name=\"x\"/>"
	e = parseErr(t, nonRoot, provfile.Options{Origin: pos(3, 5)})
	require.Equal(t, pos(3, 5), e.Pos)
}

func TestInlineProvisioningReadsTheSameAsInItsScenarioFile(t *testing.T) {
	scenario := `<scenario name="x">
  <at t="0s">
    <provision>
      <provisioning version="1.1" productID="e2">
        <nvm>
          <oper name="add_hs" value="029e74a599"><param name="hs.RegStatus" value="ToReg"/></oper>
        </nvm>
      </provisioning>
    </provision>
  </at>
</scenario>`
	doc, err := xmltok.Parse([]byte(scenario), xmltok.Limits{})
	require.NoError(t, err)
	el := doc.Root().FindElement("at/provision/provisioning")
	start, end := doc.Span(el)
	f, err := provfile.ParseWith("s.xml", []byte(scenario[start:end]), provfile.Options{Origin: doc.Pos(el)})
	require.NoError(t, err)
	require.Equal(t, doc.Pos(el), f.Pos)
	op := el.FindElement("nvm/oper")
	require.Equal(t, doc.Pos(op), f.Items[0].Pos)
	require.Equal(t, doc.Pos(op.SelectElement("param")), f.Items[0].Params[0].Pos)
	require.Equal(t, pos(6, 11), f.Items[0].Pos)
}

// TestEndlessReaderIsReadWithinTheLimit: Read of a stream that never ends
// stops one byte past MaxBytes with a limit error, allocating a small
// multiple of that, not everything the stream offers.
func TestEndlessReaderIsReadWithinTheLimit(t *testing.T) {
	var err error
	alloc := testfiles.Allocated(func() { _, err = provfile.Read("zero", zeros{}) })
	var pe *provfile.Error
	require.True(t, errors.As(err, &pe), "%v", err)
	require.Equal(t, "limit", pe.Code)
	require.Less(t, alloc, uint64(3*provfile.DefaultLimits.MaxBytes))
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// TestCROnlyLineEndingsCountLines: a file with classic Mac line ends (a
// lone "\r") gets positions on the right lines, from either front end,
// and its excerpt shows the right line.
func TestCROnlyLineEndingsCountLines(t *testing.T) {
	src := "<provisioning version=\"1.1\" productID=\"e2\">\r<nvm>\r  <param name=\"a.b.c\" value=\"1\"/>\r  <oper name=\"add_hs\" value=\"029e74a599\"/>\r</nvm>\r</provisioning>\r"
	f, err := provfile.Parse("f.xml", []byte(src))
	require.NoError(t, err)
	require.Equal(t, provfile.Pos{Line: 3, Col: 3}, f.Items[0].Pos)
	require.Equal(t, provfile.Pos{Line: 4, Col: 3}, f.Items[1].Pos)
	bad := strings.Replace(src, "<oper", "<oper oper", 1)
	_, err = provfile.Parse("f.xml", []byte(bad))
	var pe *provfile.Error
	require.True(t, errors.As(err, &pe), "%v", err)
	require.Equal(t, 4, pe.Pos.Line)
	require.Contains(t, xmltok.Excerpt([]byte(bad), pe.Pos), "   4 |   <oper oper")
	mixed := strings.ReplaceAll(src, "\r", "\r\n")
	f, err = provfile.Parse("f.xml", []byte(mixed))
	require.NoError(t, err)
	require.Equal(t, provfile.Pos{Line: 4, Col: 3}, f.Items[1].Pos, "CRLF is one line end")
}

// TestStrictReaderRefusesWhatXMLForbids: repeated attributes, characters
// XML does not allow in a comment, and a UTF-16 file (named as such) are
// refused with a position, as a strict reader must.
func TestStrictReaderRefusesWhatXMLForbids(t *testing.T) {
	for name, c := range map[string]struct {
		src string
		pos provfile.Pos
		msg string
	}{
		"repeated attribute": {"<provisioning version=\"1.1\" productID=\"e2\"><nvm>\n  <param name=\"a\" name=\"b\" value=\"1\"/></nvm></provisioning>",
			provfile.Pos{Line: 2, Col: 3}, "<param> has the attribute name twice"},
		"NUL in a comment": {"<provisioning version=\"1.1\" productID=\"e2\"><nvm><!-- a\x00b --></nvm></provisioning>",
			provfile.Pos{Line: 1, Col: 55}, "a comment holds the character U+0000"},
		"bad UTF-8 in a comment": {"<provisioning version=\"1.1\" productID=\"e2\"><nvm><!-- \xff --></nvm></provisioning>",
			provfile.Pos{Line: 1, Col: 54}, "a comment holds a byte that is not UTF-8"},
		"UTF-16 LE": {"\xff\xfe<\x00p\x00/\x00>\x00", provfile.Pos{Line: 1, Col: 1}, "the file is UTF-16 (little-endian)"},
		"UTF-16 BE": {"\x00<\x00p\x00/\x00>", provfile.Pos{Line: 1, Col: 1}, "the file is UTF-16 (big-endian)"},
	} {
		_, err := provfile.Parse("f.xml", []byte(c.src))
		var pe *provfile.Error
		require.True(t, errors.As(err, &pe), "%s: %v", name, err)
		require.Equal(t, "xml-syntax", pe.Code, name)
		require.Equal(t, c.pos, pe.Pos, name)
		require.Contains(t, pe.Msg, c.msg, name)
		require.NotContains(t, pe.Msg, "not well-formed XML: not well-formed XML", name)
	}
}
