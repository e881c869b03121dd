package provfile

import (
	"fmt"
	"math/rand/v2"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dectsim/dectsim/internal/testfiles"
)

var origin11 = Pos{Line: 1, Col: 1}

// maxAttrs is the most attributes a start tag read by xmltok's fast front
// end has; TestFastPathReadsRealFiles fails if it is not.
const maxAttrs = 32

// sameAsStrict reads data both ways and fails unless the fast path either
// gives up or agrees with the strict path. It tells whether the fast path
// read data.
func sameAsStrict(t testing.TB, data []byte, origin Pos, lim Limits) bool {
	t.Helper()
	fast, ok := parseFast("f.xml", data, origin, lim)
	strict, err := parseStrict("f.xml", data, origin, lim)
	if !ok {
		if fast != nil {
			t.Fatalf("the fast path gave up but returned a File")
		}
		return false
	}
	if err != nil {
		t.Fatalf("the fast path read a document the strict path refuses: %v", err)
	}
	if !reflect.DeepEqual(fast, strict) {
		require.Equal(t, strict, fast, "the fast path read the document differently")
		t.Fatalf("the fast path read the document differently (nil and empty slices differ)")
	}
	return true
}

// readFast are documents on the edges of what the fast path reads.
var readFast = []string{
	`<provisioning version="1.1" productID="e2"><nvm><param name="a&amp;b&lt;&gt;&quot;&apos;" value="&#65;&#x42;&#x1F600;"/></nvm></provisioning>`,
	"<provisioning version=\"1.1\" productID=\"e2\">\r\n<nvm>\r\n<param name=\"a\" value=\"x\r\ny\rz\r\r\nw\"/>\r\n</nvm>\r\n</provisioning>\r\n",
	"<provisioning version=\"1.1\">\n<nvm><param name=\"a\" value=\"tab\there\nand line\"/></nvm></provisioning>",
	"<provisioning version='1.1' productID='e2'><nvm><param name='it\"s' value=\"it's\"/></nvm></provisioning>",
	"<provisioning><!-- a - b - ><param name=\"c\"/> --><!----><nvm/></provisioning>",
	"<provisioning><!-- Grüße, 日本 € in a comment --><nvm/></provisioning>",
	"\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<provisioning version=\"1.1\" productID=\"e2\"><nvm><param name=\"a\"/></nvm></provisioning>",
	"\xEF\xBB\xBF<provisioning version=\"1.1\" productID=\"e2\"><nvm><param name=\"a\"/></nvm></provisioning>",
	"<?xml version='1.0'?><provisioning/>",
	"<?xml?><provisioning/>",
	"<?xml encoding=\"Utf-8\" version=\"1.0\" standalone=\"yes\"?>\n<provisioning/>\n<!-- after -->\n",
	`<provisioning version="1.1"><nvm><param name="Grüße" value="日本 €"/><x>text ] ]] &amp; 'quotes' "too" ü</x></nvm></provisioning>`,
	"<provisioning><nvm><oper name=\"add_hs\" value=\"1\"><param name=\"a\"/><param name=\"b\"><x/></param><y><param name=\"c\"/></y></oper></nvm></provisioning>",
	"<provisioning><nvm><unknown><nested><deeper a='1'/></nested></unknown></nvm><other/></provisioning>",
	"<provisioning   version = \"1.1\"\n\tproductID\r\n=\n'e2'  ><nvm   /><firmware\n><file url=\"u\"version=\"v\"/></firmware ></provisioning\n>",
	"<provisioning><firmware><file version=\"1\"><x/></file><bogus/></firmware><firmware/><nvm/><nvm/></provisioning>",
	"<provisioning xmlns=\"urn:x\"><nvm/></provisioning>",
	"<provisioning><nvm><param value=\"&#9;&#10;&#13;&#xD;&#x000041;\"/></nvm></provisioning>",
	"<provisioning><nvm><param value=\"]]>\"/></nvm></provisioning>",
	"<provisioning>\n<param name=\"x\"/>\n<oper name=\"y\"/>\n</provisioning>",
	"\n\n  <provisioning/>",
	manyAttrs(maxAttrs),
}

// leftToStrict are documents just beyond what the fast path reads.
var leftToStrict = []string{
	`<!DOCTYPE provisioning><provisioning/>`,
	`<provisioning><nvm><![CDATA[<param name="a"/>]]></nvm></provisioning>`,
	`<provisioning><nvm><param name="a" value="&nbsp;"/></nvm></provisioning>`,
	`<provisioning><nvm><param name="a" value="&#0;"/></nvm></provisioning>`,
	`<provisioning><nvm><param name="a" value="&#xD800;"/></nvm></provisioning>`,
	`<provisioning><nvm><param name="a" value="&#x110000;"/></nvm></provisioning>`,
	`<provisioning><nvm><param name="a" value="&#X41;"/></nvm></provisioning>`,
	`<provisioning><nvm><param name="a" value="&#;"/></nvm></provisioning>`,
	`<provisioning><nvm><param name="a" value="&amp"/></nvm></provisioning>`,
	`<provisioning><nvm><param name="a" value="a&b"/></nvm></provisioning>`,
	`<provisioning><nvm><param name="a" value="a<b"/></nvm></provisioning>`,
	`<provisioning><nvm><param name="a" value=b/></nvm></provisioning>`,
	`<provisioning><nvm><param name="a" value/></nvm></provisioning>`,
	`<provisioning><nvm><param name="a" name="b"/></nvm></provisioning>`,
	`<provisioning><nvm><param name="a" value="1" value="2"/></nvm></provisioning>`,
	"<provisioning><nvm><param name=\"a\" value=\"\x01\"/></nvm></provisioning>",
	"<provisioning><nvm><param name=\"a\" value=\"\xff\"/></nvm></provisioning>",
	"<provisioning><nvm><param name=\"a\" value=\"\xef\xbf\xbe\"/></nvm></provisioning>",
	"<provisioning><nvm>\x0c</nvm></provisioning>",
	"<provisioning><nvm>]]></nvm></provisioning>",
	"<provisioning><nvm>a & b</nvm></provisioning>",
	`<provisioning><nvm><paräm name="a"/></nvm></provisioning>`,
	`<provisioning><nvm><x:param name="a"/></nvm></provisioning>`,
	`<provisioning><nvm><param x:name="a"/></nvm></provisioning>`,
	`<provisioning xmlns:x="urn:x"><nvm/></provisioning>`,
	`<provisioning><nvm><1param/></nvm></provisioning>`,
	`<provisioning><!-- a -- b --><nvm/></provisioning>`,
	"<provisioning><!-- \x00\xff\xfe invalid bytes in a comment --><nvm/></provisioning>",
	"<provisioning><!-- \xff --><nvm/></provisioning>",
	"<provisioning><!-- \x01 --><nvm/></provisioning>",
	`<provisioning><!--- a ---><nvm/></provisioning>`,
	`<provisioning><!- a --><nvm/></provisioning>`,
	`<provisioning><?pi data?><nvm/></provisioning>`,
	"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<provisioning><nvm><param value=\"\xe9\"/></nvm></provisioning>",
	"<?xml version=\"1.1\"?><provisioning/>",
	"\n<?xml version=\"1.0\"?><provisioning/>",
	"<provisioning/><?xml version=\"1.0\"?>",
	"<?xml-stylesheet href=\"a\"?><provisioning/>",
	"<provisioning/>text",
	"text<provisioning/>",
	"<provisioning/><provisioning/>",
	"<provisioning><nvm></provisioning>",
	"<provisioning><nvm></nvm >",
	"<provisioning></provisioning/>",
	"<provisioning><nvm/ ></provisioning>",
	"\xEF\xBB\xBF\xEF\xBB\xBF<provisioning/>",
	"\xEF\xBB\xBF \n<?xml version=\"1.0\"?><provisioning/>",
	"<ProviderFrame><a/></ProviderFrame>",
	"<provisioning version=\"1.0\"><category type=\"nvm\"/></provisioning>",
	"<nvm version=\"1.0\"/>",
	"",
	"\xEF\xBB\xBF",
	"<",
	"<provisioning",
	"<provisioning a='1",
	manyAttrs(maxAttrs + 1),
}

// manyAttrs is a root with n attributes.
func manyAttrs(n int) string {
	var b strings.Builder
	b.WriteString("<provisioning")
	for i := range n {
		fmt.Fprintf(&b, " a%d=''", i)
	}
	b.WriteString("/>")
	return b.String()
}

// FuzzFastMatchesStrict holds the fast path to the strict one: whatever it
// reads, the strict path reads too and into an equal File.
func FuzzFastMatchesStrict(f *testing.F) {
	for _, path := range testfiles.Seeds(f) {
		data, err := os.ReadFile(path)
		require.NoError(f, err)
		f.Add(data)
	}
	f.Add(GenerateComplete(3))
	for _, s := range slices.Concat(readFast, leftToStrict, fixtureSeeds) {
		f.Add([]byte(s))
	}
	small := fillLimits(Limits{MaxBytes: 4096, MaxDepth: 4, MaxAttrLen: 8, MaxElements: 40})
	f.Fuzz(func(t *testing.T, data []byte) {
		sameAsStrict(t, data, origin11, fillLimits(Limits{MaxDepth: 16, MaxElements: 10000}))
		sameAsStrict(t, data, Pos{Line: 3, Col: 7}, small)
	})
}

func TestFastPathSeedsAgreeWithStrict(t *testing.T) {
	for _, s := range slices.Concat(readFast, leftToStrict, fixtureSeeds) {
		sameAsStrict(t, []byte(s), origin11, fillLimits(Limits{}))
		sameAsStrict(t, []byte(s), Pos{Line: 3, Col: 7}, fillLimits(Limits{MaxDepth: 4, MaxAttrLen: 8, MaxElements: 40}))
	}
}

func TestFastPathReadsRealFiles(t *testing.T) {
	fastPathReads(t, testfiles.OwnFiles(t, "nx70"), slices.Concat(testfiles.OwnFiles(t, "vendor-shapes"), testfiles.OwnFiles(t, "other-products")))
	lim := fillLimits(Limits{})
	require.True(t, sameAsStrict(t, GenerateComplete(100), origin11, lim), "GenerateComplete is left to the strict path")
	for _, s := range readFast {
		require.True(t, sameAsStrict(t, []byte(s), origin11, lim), "left to the strict path: %q", s)
	}
	for _, s := range leftToStrict {
		require.False(t, sameAsStrict(t, []byte(s), origin11, lim), "read by the fast path: %q", s)
	}
}

func TestFastPathReadsCorpusFiles(t *testing.T) {
	fastPathReads(t, testfiles.SharedFiles(t, "nx70"), slices.Concat(testfiles.SharedFiles(t, "wiki-examples"), testfiles.SharedFiles(t, "other-products")))
}

// fastPathReads: every complete PBX file is read by the fast path and
// agrees with the strict one; of the other files, the fast path reads
// those the strict path reads, and only those.
func fastPathReads(t *testing.T, complete, others []string) {
	lim := fillLimits(Limits{})
	for _, path := range complete {
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		require.True(t, sameAsStrict(t, data, origin11, lim), "%s is left to the strict path", path)
		require.True(t, sameAsStrict(t, data, Pos{Line: 12, Col: 9}, lim), "%s is left to the strict path", path)
	}
	for _, path := range others {
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		_, err = parseStrict("f.xml", data, origin11, lim)
		require.Equal(t, err == nil, sameAsStrict(t, data, origin11, lim), "%s", path)
	}
}

func TestFastPathOpersDoNotShareParams(t *testing.T) {
	f, ok := parseFast("f.xml", GenerateComplete(2000), origin11, fillLimits(Limits{}))
	require.True(t, ok)
	a, b := f.Items[5], f.Items[15]
	require.Equal(t, "add_hs", a.Name)
	require.Equal(t, "add_hs", b.Name)
	_ = append(a.Params, Param{Name: "added"})
	require.Equal(t, "hs.RegStatus", b.Params[0].Name, "appending to one oper's params must not touch another's")
}

// fixtureSeeds are documents from the tests of the package.
var fixtureSeeds = []string{
	`<?xml version="1.0" encoding="UTF-8"?>
<provisioning version="1.1" productID="e2">
  <nvm>
    <param name="SipProvider.0.SRTP_Enabled" value="0"/>
    -->
    <param name="SipProvider.0.AcceptNonSRTPCalls" value="0"/>
  </nvm>
</provisioning>
`,
	`<provisioning productID="e2" version="1.1"><nvm>
<param value="v" name="n" other="ignored"/>
<param name="only-name"/>
<param value="only-value"/>
<oper value="00001" name="add_hs"/>
<oper/>
</nvm></provisioning>`,
	"<provisioning version=\"1.1\" productID=\"e2\">\n<nvm>\n  <oper value=\"00001\" name=\"add_hs\">\n\n\n    <param name=\"hs.RegStatus\" value=\"ToReg\"/>\n\n  </oper>\n</nvm>\n</provisioning>\n",
	`<?xml version="1.0"?><provisioning version="1.1" productID="e2"><firmware><file version="2.65.0" url="u"/></firmware><nvm><param name="a.0.b" value="1"/><oper value="02b6ec8aa5" name="add_hs"><param name="hs.RegStatus" value="ToReg"/></oper></nvm></provisioning>`,
	`<provisioning version="1.1" productID="e2">
  <custom><param name="in.custom" value="x"/></custom>
  <firmware><file version="2.65.0" url="u"><extra/></file><bogus/></firmware>
  <nvm>
    <group><param name="in.group" value="x"/><oper name="add_hs" value="1"/></group>
    <oper name="add_hs" value="00001"><param name="hs.RegStatus" value="ToReg"/><note/></oper>
    <param name="a.0.b" value="1"><child/></param>
  </nvm>
</provisioning>`,
	`<provisioning version="1.1" productID="e2">
<nvm><param name="a" value="1"/></nvm>
<firmware><file version="2.40.0" url="a"/></firmware>
<nvm><param name="b" value="2"/></nvm>
<firmware><file version="2.65.0" url="b"/></firmware>
</provisioning>`,
	"<provisioning version=\"1.1\" productID=\"e2\">\n<nvm><oper name=\"x\"><param name=\"a\"><deep/></param></oper></nvm></provisioning>",
	"<provisioning version=\"1.1\" productID=\"e2\"><nvm>\n  <param name=\"a\" value=\"" + strings.Repeat("x", 11) + "\"/>\n</nvm></provisioning>",
	"<provisioning version=\"1.1\" productID=\"e2\"><nvm>\n" + strings.Repeat("<param name=\"a\" value=\"1\"/>", 3) + "\n</nvm></provisioning>",
	"<provisioning version=\"1.1\" productID=\"e2\"><nvm>\n<param name=\"XMLDir.1.ServerURL\" value=\"http://x/?a=1&b=2\"/>\n</nvm></provisioning>",
	"<provisioning version=\"1.1\" productID=\"e2\">\n  <nvm>\n    <param name=\"a\" value=\"b\"/>\n  </provisioning>\n",
	"<provisioning version=\"1.1\" productID=\"e2\">\n <nvm>\n  <oper name=\"add_hs\" value=\"00001\">\n   <param name=\"hs.RegStatus\" value=\"ToReg\"/>\n",
	"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<provisioning version=\"1.1\" productID=\"e2\"><nvm><param name=\"SipAccount.00001.DisplayName\" value=\"J\xfcrgen M\xfcller\"/><param name=\"b\" value=\"1\"/></nvm></provisioning>",
	"<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n<provisioning/>",
	"<provisioning version=\"1.1\" productID=\"e2\">\n<nvm/>\n</provisioning>\n",
}

// pieces are the parts that FuzzFastPieces and the random documents test
// build documents from: markup the fast path reads, and markup just beyond
// what it reads.
var pieces = []string{
	`<provisioning version="1.1" productID="e2">`, `</provisioning>`,
	`<nvm>`, `</nvm>`, `<nvm/>`, `<firmware>`, `</firmware>`, `<firmware/>`,
	`<oper name="add_hs" value="00001">`, `</oper>`, `<oper/>`, `<oper value='v' name='n'/>`,
	`<param name="a.0.b" value="1">`, `</param>`, `<param name="n" value="v"/>`, `<param/>`,
	`<file version="2.65.0" url="u">`, `</file>`, `<file url="u"/>`, `<x>`, `</x>`, `<x a='1'/>`,
	`<category/>`, `<Provisioning>`, `</Provisioning>`,
	"\n", "\r\n", "\r", "\t", "  ", "text", "&amp;", "&#65;", "&#x1F600;", "&lt;&gt;&quot;&apos;",
	"]", "]]", ">", "]]>", "&bad;", "&#0;", "&#xD800;", "&", "é", "\xff", "\x01", "\xEF\xBB\xBF",
	`<!-- c -->`, `<!---->`, `<!-- - -->`, `<!-- -- -->`, `<!--`, `-->`, `<!-- é ` + "\xff" + ` -->`,
	`<?xml version="1.0" encoding="UTF-8"?>`, `<?xml version="1.0"?>`, `<?xml version="1.0" encoding="ISO-8859-1"?>`,
	`<?xml version="1.1"?>`, `<?xml-stylesheet?>`, `<?pi x?>`, `<![CDATA[<x/>]]>`, `<!DOCTYPE provisioning>`,
	`<param name='a&#x9;b' value="x&#13;y"/>`, "<param name=\"a\r\nb\" value=\"x\r\ry\tz\n\"/>",
	`<param name="a" name="b"/>`, `<param name=a/>`, `<param value="a<b"/>`, `<param value="a>b"/>`,
	`<param value="a&b"/>`, `<param value='"'/>`, `<param  name = "s" />`, `<param name="x"value="y"/>`,
	`<param x:name="a"/>`, `<p:param/>`, `<paräm/>`, `<1x/>`, `<param/ >`, `</param >`, `</ param>`,
	`<param name="` + strings.Repeat("long", 3) + `"/>`, `<param value="&#x41;&#x42;&#x43;&#x44;&#x45;&#x46;&#x47;&#x48;&#x49;"/>`,
	"<", "</", "<param", `"`, "=", "/>", "?>",
}

// piecesDoc builds a document from pieces chosen by the bytes of sel.
func piecesDoc(sel []byte) []byte {
	var b []byte
	for _, c := range sel {
		b = append(b, pieces[int(c)%len(pieces)]...)
	}
	return b
}

// FuzzFastPieces is FuzzFastMatchesStrict on documents built from pieces,
// which reach deep into documents the fast path reads far more often than
// mutated bytes do.
func FuzzFastPieces(f *testing.F) {
	f.Add([]byte{0, 2, 12, 13, 3, 1})
	f.Add([]byte{55, 25, 0, 25, 5, 16, 17, 6, 2, 8, 14, 9, 10, 3, 1, 25})
	small := fillLimits(Limits{MaxBytes: 4096, MaxDepth: 4, MaxAttrLen: 8, MaxElements: 40})
	f.Fuzz(func(t *testing.T, sel []byte) {
		data := piecesDoc(sel)
		sameAsStrict(t, data, origin11, fillLimits(Limits{MaxDepth: 16, MaxElements: 10000}))
		sameAsStrict(t, data, Pos{Line: 3, Col: 7}, small)
	})
}

func TestFastPathMatchesStrictOnRandomDocuments(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	fast := 0
	const n = 20000
	for range n {
		sel := []byte{0}
		for range rng.IntN(16) {
			// Mostly the well-formed pieces, so that many documents are
			// read by the fast path to their end.
			if rng.IntN(4) > 0 {
				sel = append(sel, byte(rng.IntN(40)))
			} else {
				sel = append(sel, byte(rng.IntN(len(pieces))))
			}
		}
		sel = append(sel, 1)
		if rng.IntN(3) == 0 {
			sel = append([]byte{byte(55 + rng.IntN(2))}, sel...)
		}
		if sameAsStrict(t, piecesDoc(sel), origin11, fillLimits(Limits{})) {
			fast++
		}
		if sameAsStrict(t, randomTree(rng), Pos{Line: 2, Col: 5}, fillLimits(Limits{MaxDepth: 6, MaxAttrLen: 12})) {
			fast++
		}
	}
	t.Logf("%d of %d documents read by the fast path", fast, 2*n)
	require.Greater(t, fast, n/2, "too few documents reached the end of the fast path")
}

// randomTree is a well-formed <provisioning> document with elements,
// attributes, text and comments picked at random.
func randomTree(rng *rand.Rand) []byte {
	names := []string{"nvm", "firmware", "oper", "param", "file", "x", "param", "oper"}
	attrs := []string{"name", "value", "version", "url", "productID", "other"}
	values := []string{"", "v", "a b", "&amp;&#65;", "x\r\ny", "\t", "0200000000", "é€", "a'b", "long value here"}
	fill := []string{"", "\n  ", "\r\n", " ", "<!-- c -->", "t", "&lt;", "\n<!--\n-->\n"}
	var b strings.Builder
	if rng.IntN(2) == 0 {
		b.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
	}
	var elem func(name string, depth int)
	elem = func(name string, depth int) {
		b.WriteString("<" + name)
		for _, a := range rng.Perm(len(attrs))[:rng.IntN(3)] {
			q := `"`
			v := values[rng.IntN(len(values))]
			if strings.Contains(v, `'`) || rng.IntN(2) == 0 {
				q = `'`
				v = strings.ReplaceAll(v, `'`, "&apos;")
			}
			b.WriteString(" " + attrs[a] + "=" + q + v + q)
		}
		kids := 0
		if depth < 5 {
			kids = rng.IntN(5 - depth)
		}
		if kids == 0 && rng.IntN(2) == 0 {
			b.WriteString("/>")
			return
		}
		b.WriteString(">")
		for range kids {
			b.WriteString(fill[rng.IntN(len(fill))])
			elem(names[rng.IntN(len(names))], depth+1)
		}
		b.WriteString(fill[rng.IntN(len(fill))])
		b.WriteString("</" + name + ">")
	}
	elem("provisioning", 0)
	b.WriteString(fill[rng.IntN(3)])
	return []byte(b.String())
}
