package htmlreport

import (
	"bytes"
	"encoding/xml"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dectsim/dectsim/emulator/scenario"
	"github.com/dectsim/dectsim/internal/testfiles"
)

// picture is WriteTimeline's output for one result, checked well-formed.
func picture(t *testing.T, r *scenario.Result) string {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, WriteTimeline(&b, r))
	wellFormed(t, b.String())
	return b.String()
}

// TestTimelineIsTheReportsPictureAlone: the picture WriteTimeline writes
// is, byte for byte, the <svg> element of the same result's section in
// the report, for a shipped story and for hostile values.
func TestTimelineIsTheReportsPictureAlone(t *testing.T) {
	shipped, err := scenario.RunFile(filepath.Join(testfiles.Root(t), "scenarios", "ghost-after-24h.xml"), scenario.Options{})
	require.NoError(t, err)
	for name, res := range map[string]*scenario.Result{"shipped": shipped, "hostile": run(t, hostile)} {
		t.Run(name, func(t *testing.T) {
			page := render(t, res)
			from := strings.Index(page, "<svg ")
			to := strings.Index(page, "</svg>")
			require.True(t, from >= 0 && to > from)
			require.Equal(t, page[from:to+len("</svg>")], picture(t, res))
		})
	}
}

// TestTimelineEscapesEveryValue: a slot id holding markup is text in the
// picture, and the picture's root is an SVG element.
func TestTimelineEscapesEveryValue(t *testing.T) {
	pic := picture(t, run(t, hostile))
	require.NotContains(t, pic, "<script")
	require.Contains(t, pic, "&lt;script&gt;alert(2)")
	var root struct {
		XMLName xml.Name
	}
	require.NoError(t, xml.Unmarshal([]byte(pic), &root))
	require.Equal(t, xml.Name{Space: "http://www.w3.org/2000/svg", Local: "svg"}, root.XMLName)
}

// TestALiveSystemsPictureRunsToItsNow: a system still running is drawn to
// its current time, so a ghost's day shows though nothing happened in it.
func TestALiveSystemsPictureRunsToItsNow(t *testing.T) {
	sc, err := scenario.Parse("live.xml", []byte(`<scenario name="live"><handset ipui="029e74a599" state="Registered"/></scenario>`))
	require.NoError(t, err)
	l, err := scenario.NewLive(sc, scenario.Options{})
	require.NoError(t, err)
	defer l.Close()
	require.NoError(t, l.System().Move("029e74a599", false))
	short := picture(t, l.Result())
	require.NoError(t, l.System().Advance(48*time.Hour))
	long := picture(t, l.Result())
	require.NotContains(t, short, ">&#43;2d<")
	require.Contains(t, long, ">&#43;2d<", "the axis reaches the system's now")
}

// TestTheReportCarriesThePicturesStyle: the report's page holds the
// picture's style sheet, the one the live page serves.
func TestTheReportCarriesThePicturesStyle(t *testing.T) {
	res, err := scenario.RunFile(filepath.Join(testfiles.Root(t), "scenarios", "ghost-after-24h.xml"), scenario.Options{})
	require.NoError(t, err)
	var b bytes.Buffer
	require.NoError(t, Write(&b, []*scenario.Result{res}))
	require.Contains(t, b.String(), TimelineStyle)
}
