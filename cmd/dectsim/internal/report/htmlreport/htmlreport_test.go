package htmlreport

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dectsim/dectsim/emulator/scenario"
	"github.com/dectsim/dectsim/internal/testfiles"
)

func run(t *testing.T, src string) *scenario.Result {
	t.Helper()
	sc, err := scenario.Parse("test.xml", []byte(src))
	require.NoError(t, err)
	res, err := scenario.Run(sc, scenario.Options{})
	require.NoError(t, err)
	return res
}

func render(t *testing.T, rs ...*scenario.Result) string {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, Write(&b, rs))
	wellFormed(t, b.String())
	return b.String()
}

// wellFormed parses the page as XML: the page is written XHTML-compatible
// so that a strict XML parser checks its structure.
func wellFormed(t *testing.T, page string) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(page))
	depth := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		switch tok.(type) {
		case xml.StartElement:
			depth++
		case xml.EndElement:
			depth--
		}
	}
	require.Zero(t, depth)
}

func TestOneLanePerHandsetOfAShippedScenario(t *testing.T) {
	res, err := scenario.RunFile(filepath.Join(testfiles.Root(t), "scenarios", "back-within-24h.xml"), scenario.Options{})
	require.NoError(t, err)
	page := render(t, res)
	require.Equal(t, 2, strings.Count(page, `<g class="lane"`))
	require.Contains(t, page, `<g class="lane" data-key="029e74a599">`)
	require.Contains(t, page, `<g class="lane" data-key="02b6ec8aa5">`)
	require.Contains(t, page, `class="s-ToDeReg"`)
	require.Contains(t, page, `class="w-out"`)
	require.Contains(t, page, `class="m-pass"`)
	require.NotContains(t, page, `class="m-fail"`)
	require.NotContains(t, page, "<script")
	require.NotContains(t, page, "http://www.w3.org/1999/xhtml\" src")
	require.Contains(t, page, "<title>")
}

const hostile = `<scenario name="x&lt;script&gt;alert(1)&lt;/script&gt;">
  <handset ipui="029e74a599" state="Registered"/>
  <at t="0s">
    <provision>
      <provisioning version="1.1" productID="e2">
        <nvm>
          <oper name="add_hs" value="&lt;script&gt;alert(2)&lt;/script&gt;"><param name="hs.RegStatus" value="ToReg"/></oper>
        </nvm>
      </provisioning>
    </provision>
  </at>
  <at t="1h">
    <expect slots="7"/>
    <expect ipui="029e74a599" state="Registered"/>
  </at>
</scenario>`

func TestHostileValuesAreEscapedAndFailuresMarked(t *testing.T) {
	res := run(t, hostile)
	page := render(t, res)
	require.NotContains(t, page, "<script")
	require.Contains(t, page, "&lt;script&gt;alert(1)")
	require.Contains(t, page, "&lt;script&gt;alert(2)")
	require.Contains(t, page, `class="m-fail"`)
	require.Contains(t, page, `class="m-pass"`)
	require.Contains(t, page, `<tr class="fail">`)
	require.Contains(t, page, "1 failed")
}

func TestTimeLabelsFollowTheSpan(t *testing.T) {
	labels := func(span time.Duration) []string {
		var out []string
		for _, tk := range ticks(span, 900) {
			out = append(out, tk.Label)
		}
		return out
	}
	require.Equal(t, []string{"+0s", "+30s", "+1m", "+1m30s", "+2m", "+2m30s", "+3m"}, labels(3*time.Minute+10*time.Second))
	require.Equal(t, []string{"+0s", "+3h", "+6h", "+9h", "+12h", "+15h", "+18h", "+21h", "+1d"}, labels(24*time.Hour))
	require.Equal(t, "+7d", labels(30 * 24 * time.Hour)[1])
}

// bigScenario: n handsets registered and out of range, all removed by a
// DeleteNotProvisionedHS at t=0, so each becomes a ghost after a day; then
// back in range, each tries to reach the system every hour for the rest
// of the days.
func bigScenario(n, days int) string {
	var b strings.Builder
	b.WriteString(`<scenario name="big">` + "\n")
	for i := range n {
		fmt.Fprintf(&b, `<handset ipui="%010x" state="Registered" range="out"/>`+"\n", 0x0200000000+i)
	}
	b.WriteString(`<at t="0s"><provision><provisioning version="1.1" productID="e2"><nvm><oper name="DeleteNotProvisionedHS"/></nvm></provisioning></provision></at>` + "\n")
	b.WriteString(`<at t="25h">`)
	for i := range n {
		fmt.Fprintf(&b, `<move ipui="%010x" range="in"/>`, 0x0200000000+i)
	}
	b.WriteString("</at>\n")
	fmt.Fprintf(&b, `<at t="%dh"><expect ghosts="%d"/></at>`+"\n</scenario>\n", days*24, n)
	return b.String()
}

func TestBigStoryStaysSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a 30-day story of 200 handsets")
	}
	res := run(t, bigScenario(200, 30))
	require.True(t, res.Passed())
	require.Greater(t, len(res.System.Events()), 100000)
	page := render(t, res)
	require.Equal(t, 200, strings.Count(page, `<g class="lane"`))
	require.Less(t, len(page), 4<<20, "page of %d bytes", len(page))
	require.True(t, strings.Contains(page, "more events"), "the event table is cut short")
	require.True(t, strings.Contains(page, ">&#43;30d</text>"), "the axis counts days")
}

// TestPlaceholderSlotLaneFollowsItsSlot: a placeholder slot's lane has no
// range band (it is not a handset) and follows the slot's state once a
// handset registers in it.
func TestPlaceholderSlotLaneFollowsItsSlot(t *testing.T) {
	res, err := scenario.RunFile(filepath.Join(testfiles.Root(t), "scenarios", "placeholder-registration-window.xml"), scenario.Options{})
	require.NoError(t, err)
	page := render(t, res)
	i := strings.Index(page, `<g class="lane" data-key="00001">`)
	require.GreaterOrEqual(t, i, 0)
	lane := page[i : i+strings.Index(page[i:], "</g>")]
	require.Contains(t, lane, `class="s-Registered"`)
	require.NotContains(t, lane, `class="w-in"`)
}

// TestAMulticellLaneShowsWhereTheHandsetCampsAndWhenItsBaseStoppedServing:
// a handset's lane has a band per base it camps at, a "none" band while
// no base serves it, and its where band turns to no coverage meanwhile.
func TestAMulticellLaneShowsWhereTheHandsetCampsAndWhenItsBaseStoppedServing(t *testing.T) {
	res, err := scenario.RunFile(filepath.Join(testfiles.Root(t), "scenarios", "multicell-sync-master-reboots.xml"), scenario.Options{})
	require.NoError(t, err)
	var b bytes.Buffer
	require.NoError(t, Write(&b, []*scenario.Result{res}))
	page := b.String()
	lane := page[strings.Index(page, `data-key="029e74a599"`):]
	lane = lane[:strings.Index(lane, "</g>")]
	require.Contains(t, lane, `class="c-base"`)
	require.Contains(t, lane, "<title>base: b2 from &#43;0s</title>")
	require.Contains(t, lane, `class="c-none"`)
	require.Contains(t, lane, "<title>base: none from &#43;5m0s</title>")
	require.Contains(t, lane, "<title>base: b2 from &#43;15m30s</title>")
	require.Contains(t, lane, `class="w-nocov"`)

	plain, err := scenario.RunFile(filepath.Join(testfiles.Root(t), "scenarios", "ghost-after-24h.xml"), scenario.Options{})
	require.NoError(t, err)
	b.Reset()
	require.NoError(t, Write(&b, []*scenario.Result{plain}))
	require.NotContains(t, b.String(), `class="c-`, "a story without multicell events draws no base band")
}

// TestALaneHasASIPRowWhileTheAccountIsRegistered: the SIP row shows the
// account registered from its sip-registered to its sip-unregistered,
// and nothing for the ghost after.
func TestALaneHasASIPRowWhileTheAccountIsRegistered(t *testing.T) {
	res, err := scenario.RunFile(filepath.Join(testfiles.Root(t), "scenarios", "sip-ghost-seen-from-the-pbx.xml"), scenario.Options{})
	require.NoError(t, err)
	var b bytes.Buffer
	require.NoError(t, Write(&b, []*scenario.Result{res}))
	page := b.String()
	lane := page[strings.Index(page, `data-key="02b6ec8aa5"`):]
	lane = lane[:strings.Index(lane, "</g>")]
	require.Equal(t, 1, strings.Count(lane, `class="p-registered"`), "registered once, never again as a ghost")
	require.Contains(t, lane, "<title>SIP: registered from &#43;30s</title>")
}
