package htmlreport

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dectsim/dectsim/emulator/scenario"
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
	shipped, err := scenario.RunFile("../../scenarios/ghost-after-24h.xml", scenario.Options{})
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
