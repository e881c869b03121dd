package scenario

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dectsim/dectsim/internal/testfiles"

	"github.com/dectsim/dectsim/emulator/system"
)

func parseString(t *testing.T, src string) (*Scenario, error) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "s.xml")
	require.NoError(t, os.WriteFile(path, []byte(src), 0o644))
	return ParseFile(path)
}

const okHead = `<scenario name="x">
  <handset ipui="029e74a599" state="Registered"/>
`

func TestScenarioErrorsNameLineAndColumn(t *testing.T) {
	cases := []struct {
		name, body string
		line, col  int
		msg        string
	}{
		{"unknown element", `  <at t="0s"><jump ipui="029e74a599"/></at>`, 3, 14, "unknown step <jump>"},
		{"unknown attribute", `  <at t="0s"><move ipui="029e74a599" range="in" speed="fast"/></at>`, 3, 49, `no attribute "speed"`},
		{"bad duration", `  <at t="1 day"><expect slots="1"/></at>`, 3, 7, `t="1 day" is not a duration`},
		{"negative time", `  <at t="-5m"><expect slots="1"/></at>`, 3, 7, "negative"},
		{"time goes backwards", "  <at t=\"2h\"><expect slots=\"1\"/></at>\n  <at t=\"1h\"><expect slots=\"1\"/></at>", 4, 3, "times never decrease"},
		{"unknown IPUI", `  <at t="0s"><register ipui="0311223344"/></at>`, 3, 24, `unknown IPUI "0311223344"`},
		{"empty at", `  <at t="1h"></at>`, 3, 3, "has nothing in it"},
		{"two provisioning elements", "  <at t=\"0s\"><provision>\n    <provisioning/>\n    <provisioning/>\n  </provision></at>", 5, 5, "a second element in <provision>"},
		{"src and inline", `  <at t="0s"><provision src="a.xml"><provisioning/></provision></at>`, 3, 14, "both src= and an inline"},
		{"missing src file", `  <at t="0s"><provision src="nowhere.xml"/></at>`, 3, 25, `src="nowhere.xml"`},
		{"bad state", `  <at t="0s"><expect ipui="029e74a599" state="Gone"/></at>`, 3, 40, `state "Gone"`},
		{"unknown event type", `  <at t="0s"><expect-event type="exploded"/></at>`, 3, 28, `unknown event type "exploded"`},
		{"bad bool", `  <at t="0s"><expect ipui="029e74a599" ghost="yes"/></at>`, 3, 40, `ghost="yes" must be true or false`},
		{"expect checks nothing", `  <at t="0s"><expect ipui="029e74a599"/></at>`, 3, 14, "checks nothing"},
		{"bad count", `  <at t="0s"><expect-event type="registered" count="-1"/></at>`, 3, 46, "must be a count"},
		{"param value and absent", `  <at t="0s"><expect-param name="a.b.c" value="1" absent="true"/></at>`, 3, 14, "not both"},
		{"bad product", `  <system product="N999"/><at t="0s"><expect slots="1"/></at>`, 3, 11, `unknown product "N999"`},
		{"bad firmware", `  <system firmware="x.xx"/><at t="0s"><expect slots="1"/></at>`, 3, 11, `firmware version "x.xx"`},
		{"bad dereg timeout", `  <system dereg-timeout="soon"/><at t="0s"><expect slots="1"/></at>`, 3, 11, "dereg-timeout"},
		{"step child", `  <at t="0s"><move ipui="029e74a599" range="in"><x/></move></at>`, 3, 49, "takes no child elements"},
		{"not well-formed", `  <at t="0s"><expect slots="1"></at>`, 3, 32, "closed by </at>"},
		{"interim status", `  <at t="0s"><serve path="/p.xml" status="101"/></at>`, 3, 35, "status 101 is an interim (1xx) answer"},
		{"request path", `  <at t="0s"><expect-request path="prov.xml"/></at>`, 3, 30, `path="prov.xml": write the URL path, starting with /`},
		{"request user-agent", `  <at t="0s"><expect-request user-agent="Gigaset (N870"/></at>`, 3, 30, `user-agent="Gigaset (N870" is not a regular expression`},
		{"request attribute", `  <at t="0s"><expect-request url="/x"/></at>`, 3, 30, `no attribute "url"`},
		{"bad reading value", `  <system dnphs-position="top"/><at t="0s"><expect slots="1"/></at>`, 3, 11, `dnphs-position="top" is not a value of this reading: it takes first, nvm-first or anywhere`},
		{"bad reading version", `  <system case-fixed-in="soon"/><at t="0s"><expect slots="1"/></at>`, 3, 11, `case-fixed-in="soon" is not a firmware version`},
		{"bad reading duration", `  <system detect-delay="-3h"/><at t="0s"><expect slots="1"/></at>`, 3, 11, `detect-delay="-3h" is negative`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := parseString(t, okHead+c.body+"\n</scenario>\n")
			require.Error(t, err)
			se, ok := err.(*Error)
			require.True(t, ok, "want *Error, got %T %v", err, err)
			require.Contains(t, se.Msg, c.msg)
			require.Equal(t, Pos{Line: c.line, Col: c.col}, se.Pos, se.Error())
			require.True(t, strings.HasSuffix(filepath.ToSlash(se.File), "/s.xml"))
			ex := se.Excerpt()
			require.Contains(t, ex, "^", "the excerpt points at the column")
			require.Contains(t, se.Error(), fmt.Sprintf(":%d:%d: ", c.line, c.col))
		})
	}
}

func TestSystemAttributesSetReadingsAndRunWithThem(t *testing.T) {
	sc, err := parseString(t, `<scenario><system dnphs-position="anywhere" detect-delay="180m"/><at t="0s"><expect slots="0"/></at></scenario>`)
	require.NoError(t, err)
	require.Equal(t, map[string]string{"dnphs-position": "anywhere", "detect-delay": "3h"}, sc.System.Readings)
	res, err := Run(sc, Options{})
	require.NoError(t, err)
	got := res.System.Config().Readings
	require.Equal(t, "anywhere", got["dnphs-position"])
	require.Equal(t, "3h", got["detect-delay"])
	require.Equal(t, "add-hs", got["dnphs-keeps"], "the others keep their defaults")
}

func TestScenarioDefaults(t *testing.T) {
	sc, err := parseString(t, `<scenario><at t="0s"><expect slots="0"/></at></scenario>`)
	require.NoError(t, err)
	require.Equal(t, uint64(1), sc.Seed)
	require.Equal(t, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), sc.Start)
	require.Equal(t, "s", sc.Name, "the name defaults to the file's base name")
}

func TestScenarioSrcIsRelativeToScenarioFile(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "sub", "files"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "sub", "files", "p.xml"), []byte(`<provisioning version="1.1" productID="e2"><nvm><param name="A.0.b" value="1"/></nvm></provisioning>`), 0o644))
	path := filepath.Join(dir, "sub", "s.xml")
	require.NoError(t, os.WriteFile(path, []byte(`<scenario><at t="0s"><provision src="files/p.xml"/><expect-param name="A.0.b" value="1"/></at></scenario>`), 0o644))
	sc, err := ParseFile(path)
	require.NoError(t, err)
	res, err := Run(sc, Options{})
	require.NoError(t, err)
	require.True(t, res.Passed())
}

// TestInlineProvisioningIsAppliedAsTheSameBytesInAFile: the same document
// inline and in a file gives the same state and the same events, with
// positions pointing into the scenario file for the inline one.
func TestInlineProvisioningIsAppliedAsTheSameBytesInAFile(t *testing.T) {
	doc := `<provisioning version="1.1" productID="e2">
        <nvm>
          <oper name="DeleteNotProvisionedHS"/>
          <oper name="add_hs" value="029E74A599"><param name="hs.RegStatus" value="ToReg"/></oper>
          <oper name="frobnicate"/>
        </nvm>
      </provisioning>`
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "p.xml"), []byte(doc), 0o644))
	head := `<scenario>
  <handset ipui="029e74a599" state="Registered"/>
  <handset ipui="02b6ec8aa5" state="Registered"/>
  <at t="0s">
    <provision>`
	inline := head + doc + `</provision>
  </at>
  <at t="1h"><expect slots="1"/></at>
</scenario>`
	file := head[:strings.LastIndex(head, "<provision>")] + `<provision src="p.xml"/>
  </at>
  <at t="1h"><expect slots="1"/></at>
</scenario>`
	run := func(name, src string) *Result {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, []byte(src), 0o644))
		sc, err := ParseFile(path)
		require.NoError(t, err)
		res, err := Run(sc, Options{})
		require.NoError(t, err)
		require.True(t, res.Passed())
		return res
	}
	a, b := run("inline.xml", inline), run("file.xml", file)
	require.Equal(t, a.System.Snapshot(), b.System.Snapshot())
	ea, eb := a.System.Events(), b.System.Events()
	require.Len(t, ea, len(eb))
	for i := range ea {
		require.Equal(t, ea[i].Type, eb[i].Type)
		require.Equal(t, ea[i].Slot, eb[i].Slot)
		require.Equal(t, ea[i].Code, eb[i].Code)
	}
	// The unknown oper's warning points into each file at its own place.
	var wa, wb int
	for i := range ea {
		if ea[i].Type == "warning" {
			wa, wb = ea[i].Line, eb[i].Line
			require.Equal(t, filepath.Join(dir, "inline.xml"), ea[i].File)
		}
	}
	require.Equal(t, 9, wa)
	require.Equal(t, 5, wb)
}

func TestCheckSyncWithoutURLIsAFailedFetch(t *testing.T) {
	sc, err := parseString(t, `<scenario><at t="0s"><check-sync/><expect-event type="fetch" outcome="error" count="1"/></at></scenario>`)
	require.NoError(t, err)
	res, err := Run(sc, Options{})
	require.NoError(t, err)
	require.True(t, res.Passed())
}

func TestRunGoesOnAfterFailedExpectationAndReportsAll(t *testing.T) {
	sc, err := parseString(t, okHead+`  <at t="0s"><expect ipui="029e74a599" state="ToReg"/><expect slots="5"/></at>
  <at t="1h"><expect ghosts="2"/><expect slots="1"/></at>
</scenario>`)
	require.NoError(t, err)
	res, err := Run(sc, Options{})
	require.NoError(t, err)
	require.Len(t, res.Failures, 3)
	require.Equal(t, 4, res.Checks())
	f := res.Failures[0]
	require.Equal(t, "state=ToReg", f.Expected)
	require.Equal(t, "state=Registered", f.Found)
	var b strings.Builder
	WriteFailure(&b, sc, f, Style{})
	require.Contains(t, b.String(), "s.xml:3:14: expectation failed")
	require.Contains(t, b.String(), "   3 |")
}

func TestScenarioLimitsAreClearErrors(t *testing.T) {
	var b strings.Builder
	b.WriteString("<scenario>\n<at t=\"0s\">\n")
	for i := 0; i <= MaxSteps; i++ {
		b.WriteString("<expect slots=\"0\"/>\n")
	}
	b.WriteString("</at>\n</scenario>\n")
	_, err := parseString(t, b.String())
	require.Error(t, err)
	require.Contains(t, err.Error(), fmt.Sprintf("more than %d steps", MaxSteps))
	require.Contains(t, err.Error(), fmt.Sprintf(":%d:1:", MaxSteps+3), "the first step over the limit")

	big := "<scenario><description>" + strings.Repeat("x", MaxScenarioBytes) + "</description></scenario>"
	_, err = parseString(t, big)
	require.ErrorContains(t, err, "the limit is")

	_, err = parseString(t, `<scenario><system max-handsets="100001"/><at t="0s"><expect slots="0"/></at></scenario>`)
	require.ErrorContains(t, err, "from 1 to 100000")

	deep := "<scenario>" + strings.Repeat("<a>", 70) + strings.Repeat("</a>", 70) + "</scenario>"
	_, err = parseString(t, deep)
	require.ErrorContains(t, err, "MaxDepth")
}

func TestTextOutputShowsTheDescriptionWrapped(t *testing.T) {
	sc, err := parseString(t, `<scenario name="n"><description>`+strings.Repeat("word ", 40)+`</description><at t="0s"><expect slots="0"/></at></scenario>`)
	require.NoError(t, err)
	res, err := Run(sc, Options{})
	require.NoError(t, err)
	var b strings.Builder
	WriteText(&b, res, Style{})
	lines := strings.Split(b.String(), "\n")
	require.True(t, strings.HasPrefix(lines[1], "   word word"))
	require.LessOrEqual(t, len(lines[1]), 3+88)
	require.True(t, strings.HasPrefix(lines[2], "   word"), "long descriptions wrap")
}

func TestTextOutputNamesTheReadingsNotAtTheirDefault(t *testing.T) {
	sc, err := parseString(t, `<scenario name="n"><description>d</description><system detect-delay="3h"/><at t="0s"><expect slots="0"/></at></scenario>`)
	require.NoError(t, err)
	res, err := Run(sc, Options{SystemOptions: []system.Option{system.WithReading("dnphs-position", "anywhere")}})
	require.NoError(t, err)
	var b strings.Builder
	WriteText(&b, res, Style{})
	require.Equal(t, "   readings: dnphs-position=anywhere, detect-delay=3h", strings.Split(b.String(), "\n")[2])

	sc, err = parseString(t, `<scenario name="n"><at t="0s"><expect slots="0"/></at></scenario>`)
	require.NoError(t, err)
	res, err = Run(sc, Options{})
	require.NoError(t, err)
	b.Reset()
	WriteText(&b, res, Style{})
	require.NotContains(t, b.String(), "readings:", "nothing to say when every reading is at its default")
}

// BenchmarkParseScenarios reads every shipped scenario file.
func BenchmarkParseScenarios(b *testing.B) {
	paths, err := filepath.Glob(filepath.Join("..", "..", "scenarios", "*.xml"))
	require.NoError(b, err)
	var files [][]byte
	size := 0
	for _, p := range paths {
		data, err := os.ReadFile(p)
		require.NoError(b, err)
		files = append(files, data)
		size += len(data)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		for i, data := range files {
			if _, err := Parse(paths[i], data); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkParseLargeScenario reads a scenario of 20,000 steps with an
// inline provisioning document.
func BenchmarkParseLargeScenario(b *testing.B) {
	var s strings.Builder
	s.WriteString("<scenario name=\"large\">\n  <handset ipui=\"029e74a599\" state=\"Registered\"/>\n")
	s.WriteString("  <at t=\"0s\"><provision><provisioning version=\"1.1\" productID=\"e2\"><nvm>\n")
	for i := range 1000 {
		fmt.Fprintf(&s, "    <param name=\"SipAccount.%05d.DisplayName\" value=\"user %d\"/>\n", i, i)
	}
	s.WriteString("  </nvm></provisioning></provision></at>\n")
	for i := range 5000 {
		fmt.Fprintf(&s, "  <at t=\"%ds\">\n    <move ipui=\"029e74a599\" range=\"out\"/>\n    <move ipui=\"029e74a599\" range=\"in\"/>\n"+
			"    <expect ipui=\"029e74a599\" state=\"Registered\"/>\n    <expect-event type=\"fetch\" count=\"0\"/>\n  </at>\n", i+1)
	}
	s.WriteString("</scenario>\n")
	data := []byte(s.String())
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("large.xml", data); err != nil {
			b.Fatal(err)
		}
	}
}

// TestEndlessDevicesAreReadWithinTheLimit: a scenario path or a src= that
// names /dev/zero (size 0 to stat, never ending) is an error at the
// limit, not a read until memory runs out.
func TestEndlessDevicesAreReadWithinTheLimit(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("skipped: no /dev/zero on this system")
	}
	var err error
	alloc := testfiles.Allocated(func() { _, err = ParseFile("/dev/zero") })
	var se *Error
	require.True(t, errors.As(err, &se), "%v", err)
	require.Contains(t, se.Msg, "larger than the limit")
	require.Less(t, alloc, uint64(4*MaxScenarioBytes), "bytes allocated reading /dev/zero")

	for _, el := range []string{`<provision src="/dev/zero"/>`, `<serve path="/p.xml" src="/dev/zero"/>`} {
		_, err = parseString(t, okHead+`  <at t="0s">`+el+`</at>`+"\n</scenario>\n")
		require.True(t, errors.As(err, &se), "%v", err)
		require.Equal(t, 3, se.Pos.Line)
		require.Contains(t, se.Msg, `src="/dev/zero" is larger than the limit`)
	}
	_, err = parseString(t, okHead+`  <at t="0s"><provision src="`+t.TempDir()+`"/></at>`+"\n</scenario>\n")
	require.True(t, errors.As(err, &se), "%v", err)
	require.Contains(t, se.Msg, "is a directory")
}

// BenchmarkParseManyServes reads a scenario with 100,000 top-level
// <serve> elements: each path is checked against the earlier ones in
// constant time, so the cost per <serve> does not grow with their number.
func BenchmarkParseManyServes(b *testing.B) {
	var s strings.Builder
	s.WriteString("<scenario name=\"serves\">\n")
	for i := range 100_000 {
		fmt.Fprintf(&s, "  <serve path=\"/p/%d.xml\" status=\"404\"/>\n", i)
	}
	s.WriteString("  <at t=\"0s\"><expect slots=\"0\"/></at>\n</scenario>\n")
	data := []byte(s.String())
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Parse("serves.xml", data); err != nil {
			b.Fatal(err)
		}
	}
}

// TestSrcFilesAreReadOnceAndBoundedInAll: a file named by many src=
// attributes is read once; the files a scenario names are bounded in all.
func TestSrcFilesAreReadOnceAndBoundedInAll(t *testing.T) {
	dir := t.TempDir()
	doc := `<provisioning version="1.1" productID="e2"><nvm/></provisioning>`
	require.NoError(t, os.WriteFile(filepath.Join(dir, "f.xml"), []byte(doc), 0o644))
	var b strings.Builder
	b.WriteString("<scenario>\n")
	for i := range 1000 {
		fmt.Fprintf(&b, "  <at t=\"%ds\"><provision src=\"f.xml\"/></at>\n", i)
	}
	b.WriteString("</scenario>\n")
	sc, err := Parse(filepath.Join(dir, "s.xml"), []byte(b.String()))
	require.NoError(t, err)
	first := sc.Blocks[0].Steps[0].Data
	last := sc.Blocks[999].Steps[0].Data
	require.Equal(t, doc, string(last))
	require.Same(t, &first[0], &last[0], "one read, shared by every step")

	big := filepath.Join(dir, "big.xml")
	require.NoError(t, os.WriteFile(big, make([]byte, 60<<20), 0o644))
	b.Reset()
	b.WriteString("<scenario>\n")
	for i := range 5 {
		name := fmt.Sprintf("big%d.xml", i)
		require.NoError(t, os.Link(big, filepath.Join(dir, name)))
		fmt.Fprintf(&b, "  <at t=\"%ds\"><provision src=\"%s\"/></at>\n", i, name)
	}
	b.WriteString("</scenario>\n")
	_, err = Parse(filepath.Join(dir, "s.xml"), []byte(b.String()))
	var se *Error
	require.True(t, errors.As(err, &se), "%v", err)
	require.Equal(t, 6, se.Pos.Line, "the fifth 60 MB file passes 256 MB")
	require.Contains(t, se.Msg, `src="big4.xml" brings the files this scenario reads to more than 268435456 bytes in all`)
}

func TestSystemBoundsAreScenarioErrors(t *testing.T) {
	for attr, msg := range map[string]string{
		`ghost-interval="59s"`: "ghost-interval 59s is shorter than the 1m0s the model takes",
		`fetch-timeout="301s"`: "fetch-timeout 5m1s is longer than the 5m0s a fetch may take",
		`event-budget="0"`:     `event-budget "0" is not a number of events`,
		`event-budget="-5"`:    `event-budget "-5" is not a number of events`,
		`event-budget="1e9"`:   `event-budget "1e9" is not a number of events`,
	} {
		_, err := parseString(t, "<scenario>\n  <system "+attr+"/>\n  <at t=\"0s\"><expect slots=\"0\"/></at>\n</scenario>\n")
		var se *Error
		require.True(t, errors.As(err, &se), "%s: %v", attr, err)
		require.Equal(t, 2, se.Pos.Line, attr)
		require.Contains(t, se.Msg, msg, attr)
	}
	sc, err := parseString(t, "<scenario>\n  <system event-budget=\"1000\"/>\n  <at t=\"0s\"><expect slots=\"0\"/></at>\n</scenario>\n")
	require.NoError(t, err)
	require.Equal(t, uint64(1000), sc.System.EventBudget)
}
