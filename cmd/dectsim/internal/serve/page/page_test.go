package page_test

import (
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dectsim/dectsim/cmd/dectsim/internal/report/htmlreport"
	"github.com/dectsim/dectsim/cmd/dectsim/internal/serve"
	"github.com/dectsim/dectsim/cmd/dectsim/internal/serve/api"
	"github.com/dectsim/dectsim/cmd/dectsim/internal/serve/page"
	"github.com/dectsim/dectsim/emulator/scenario"
)

// hostileSite is a system whose scenario name and slot id hold markup.
const hostileSite = `<scenario name="site &lt;script&gt;alert(1)&lt;/script&gt;" start="2026-01-05T09:00:00Z">
  <system product="N870" firmware="2.36.0" mac="7C2F80A1B2C3"/>
  <handset ipui="029e74a599" state="Registered"/>
  <at t="0s">
    <provision>
      <provisioning version="1.1" productID="e2"><nvm>
        <oper name="add_hs" value="&lt;script&gt;alert(2)&lt;/script&gt;"><param name="hs.RegStatus" value="ToReg"/></oper>
      </nvm></provisioning>
    </provision>
  </at>
</scenario>`

// servePage runs the API and the page of a world built from scenario
// sources, as `dectsim serve` mounts them.
func servePage(t *testing.T, srcs ...string) (*httptest.Server, *serve.World) {
	t.Helper()
	var cfg serve.Config
	for i, src := range srcs {
		sc, err := scenario.Parse("site"+string(rune('a'+i))+".xml", []byte(src))
		require.NoError(t, err)
		cfg.Scenarios = append(cfg.Scenarios, sc)
	}
	w, err := serve.New(cfg)
	require.NoError(t, err)
	srv := httptest.NewServer(api.New(w, page.New(w)))
	t.Cleanup(func() {
		w.Close()
		srv.Close()
	})
	return srv, w
}

// get fetches a path and returns the answer and its body.
func get(t *testing.T, srv *httptest.Server, path string) (*http.Response, string) {
	t.Helper()
	resp, err := srv.Client().Get(srv.URL + path)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, string(data)
}

// TestPageIsServedWithAStrictContentSecurityPolicy: the page and its
// files allow this server's own script, style and connections only, and
// are never sniffed.
func TestPageIsServedWithAStrictContentSecurityPolicy(t *testing.T) {
	srv, _ := servePage(t, hostileSite)
	for _, path := range []string{"/", "/static/page.js", "/static/page.css", "/static/favicon.svg", "/timeline/7c2f80a1b2c3", "/nothing"} {
		resp, _ := get(t, srv, path)
		require.Equal(t, page.CSP, resp.Header.Get("Content-Security-Policy"), path)
		require.Equal(t, "nosniff", resp.Header.Get("X-Content-Type-Options"), path)
	}
	require.Contains(t, page.CSP, "default-src 'none'")
	require.Contains(t, page.CSP, "script-src 'self';")
	require.NotContains(t, page.CSP, "unsafe-inline")
	require.NotContains(t, page.CSP, "http")
}

// TestPageHasNoInlineScriptOrStyleAndNothingFromElsewhere: the HTML
// loads its script and style from /static/, holds no script, style or
// event handler of its own (the policy would refuse them), and names no
// other host.
func TestPageHasNoInlineScriptOrStyleAndNothingFromElsewhere(t *testing.T) {
	srv, _ := servePage(t, hostileSite)
	resp, doc := get(t, srv, "/")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"))
	require.Contains(t, doc, `<script src="/static/page.js" defer></script>`)
	require.Contains(t, doc, `<link rel="stylesheet" href="/static/page.css">`)
	require.Contains(t, doc, `<link rel="stylesheet" href="/static/timeline.css">`, "the picture's classes, as the report styles them")
	require.Equal(t, 1, strings.Count(doc, "<script"))
	require.NotContains(t, doc, "<style")
	require.NotContains(t, doc, " style=")
	require.NotRegexp(t, `\son[a-z]+\s*=`, doc, "an event handler attribute")
	require.NotContains(t, doc, "http://")
	require.NotContains(t, doc, "https://")
	for _, f := range []string{"page.js", "page.css"} {
		_, body := get(t, srv, "/static/"+f)
		// The SVG namespace is a name, not a place anything is read from.
		urls := regexp.MustCompile(`https?://[^\s"']*`).FindAllString(body, -1)
		for _, u := range urls {
			require.Equal(t, "http://www.w3.org/2000/svg", u, f)
		}
		for _, bad := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"} {
			require.False(t, strings.Contains(body, bad), "%s uses %s", f, bad)
		}
	}
}

// TestPageEscapesEveryValue: a scenario name holding markup shows as
// text in the system chooser.
func TestPageEscapesEveryValue(t *testing.T) {
	srv, _ := servePage(t, hostileSite)
	_, doc := get(t, srv, "/")
	require.Equal(t, 1, strings.Count(doc, "<script"), "only the page's own script element")
	require.Contains(t, doc, `<option value="7c2f80a1b2c3" selected>7c2f80a1b2c3 · N870 · site &lt;script&gt;alert(1)&lt;/script&gt;</option>`)
}

// TestStaticFilesHaveTheirContentTypes: each file is served with its
// type; a path that names no file, or a file of another kind, is a 404.
func TestStaticFilesHaveTheirContentTypes(t *testing.T) {
	srv, _ := servePage(t)
	for path, ct := range map[string]string{
		"/static/page.js":      "text/javascript; charset=utf-8",
		"/static/page.css":     "text/css; charset=utf-8",
		"/static/favicon.svg":  "image/svg+xml",
		"/static/timeline.css": "text/css; charset=utf-8",
	} {
		resp, body := get(t, srv, path)
		require.Equal(t, http.StatusOK, resp.StatusCode, path)
		require.Equal(t, ct, resp.Header.Get("Content-Type"), path)
		require.NotEmpty(t, body, path)
	}
	for _, path := range []string{"/static/nothing.js", "/static/", "/static", "/static/../page.html", "/page.html", "/static/%2e%2e%2fpage.html", "/index.html"} {
		resp, _ := get(t, srv, path)
		require.Equal(t, http.StatusNotFound, resp.StatusCode, path)
	}
}

// TestTheTimelineIsStyledAsTheReport: the live doc's picture takes its
// style sheet from the report's, so the two draw alike.
func TestTheTimelineIsStyledAsTheReport(t *testing.T) {
	srv, _ := servePage(t)
	_, body := get(t, srv, "/static/timeline.css")
	require.Equal(t, htmlreport.TimelineStyle, body)
	require.Contains(t, body, ".ghost { fill: #c00; }")
}

// TestOnlyGetReachesThePage: the doc takes GET and HEAD.
func TestOnlyGetReachesThePage(t *testing.T) {
	srv, _ := servePage(t)
	resp, err := srv.Client().Post(srv.URL+"/", "text/plain", strings.NewReader("x"))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
	resp, err = srv.Client().Head(srv.URL + "/")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
}

// TestTimelineIsTheSystemsPictureEscaped: /timeline/{mac} is the
// system's timeline as it stands, an SVG document whose values are text;
// an unknown MAC is a 404.
func TestTimelineIsTheSystemsPictureEscaped(t *testing.T) {
	srv, w := servePage(t, hostileSite)
	require.NoError(t, w.Do(t.Context(), func() { _, _ = w.AdvanceTo(w.Now().Add(60e9)) }))
	resp, pic := get(t, srv, "/timeline/7C:2F:80:A1:B2:C3")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "image/svg+xml; charset=utf-8", resp.Header.Get("Content-Type"))
	var root struct{ XMLName xml.Name }
	require.NoError(t, xml.Unmarshal([]byte(pic), &root))
	require.Equal(t, "svg", root.XMLName.Local)
	require.NotContains(t, pic, "<script")
	require.Contains(t, pic, `data-key="&lt;script&gt;alert(2)&lt;/script&gt;"`)
	require.Contains(t, pic, `data-key="029e74a599"`)

	resp, _ = get(t, srv, "/timeline/7c2f80000000")
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
}

// TestChooserListsAThousandSystemsAndTakesOthersByMAC: the chooser lists
// the first MaxListedSystems systems; the doc says how many more there
// are and offers a MAC field for them.
func TestChooserListsAThousandSystemsAndTakesOthersByMAC(t *testing.T) {
	w, err := serve.New(serve.Config{Fleet: page.MaxListedSystems + 2})
	require.NoError(t, err)
	srv := httptest.NewServer(api.New(w, page.New(w)))
	t.Cleanup(func() {
		w.Close()
		srv.Close()
	})
	_, doc := get(t, srv, "/")
	require.Equal(t, page.MaxListedSystems, strings.Count(doc, "<option value="))
	require.Contains(t, doc, "… 2 more systems")
	require.Contains(t, doc, `<form id="by-mac"`)

	small, _ := servePage(t, hostileSite)
	_, doc = get(t, small, "/")
	require.NotContains(t, doc, `<form id="by-mac"`)
}

// hostileFloors is a two-DM system whose DM name and base id hold markup.
const hostileFloors = `<scenario name="floors" start="2026-01-05T09:00:00Z">
  <system product="VI" firmware="2.65.0" mac="7C2F80A1B2C4"/>
  <dm id="ground" name="Ground &lt;b&gt;floor&lt;/b&gt;"/>
  <dm id="first" name="First floor"/>
  <base id="g&quot;&gt;&lt;script&gt;alert(3)&lt;/script&gt;" dm="ground"/>
  <base id="f1" dm="first" sync="lan"/>
  <handset ipui="029e74a599" state="Registered"/>
  <handset ipui="02b6ec8aa5" state="ToReg" at="f1" power="off"/>
</scenario>`

// part is the text of doc from the element that begins with open to the
// first close after it.
func part(t *testing.T, doc, open, close string) string {
	t.Helper()
	i := strings.Index(doc, open)
	require.GreaterOrEqual(t, i, 0, "no %s", open)
	j := strings.Index(doc[i:], close)
	require.Positive(t, j, "no %s after %s", close, open)
	return doc[i : i+j]
}

// TestTheFirstScreenIsInThePageAsServed: GET / already holds the
// handset list's rows (IPUI, Location, DECT state), the handsets of the
// world with their bases, the base stations per DM with their state and
// the clock, every name from the scenario escaped: what curl, or a
// browser without script, shows.
func TestTheFirstScreenIsInThePageAsServed(t *testing.T) {
	srv, _ := servePage(t, hostileFloors)
	_, doc := get(t, srv, "/")
	require.Equal(t, 1, strings.Count(doc, "<script"), "only the page's own script element")
	require.NotContains(t, doc, "<b>floor")

	rows := part(t, doc, `<tbody id="rows"`, `</tbody>`)
	alice := part(t, rows, `<tr class="st-Registered" data-ipui="029e74a599"`, `</tr>`)
	require.Contains(t, alice, `<td class="ipui">029e74a599</td>`)
	require.Contains(t, alice, `<td class="loc">Ground &lt;b&gt;floor&lt;/b&gt;</td>`, "the DM's name, as text")
	require.Contains(t, alice, `<td class="state" title="Registered">Registered</td>`)
	require.Contains(t, alice, `<td class="sip sip-unregistered">Not registered</td>`, "the SIP state column: no account yet")
	require.Contains(t, doc, `<th>DECT state</th><th>SIP state</th>`)
	placeholder := part(t, rows, `data-ipui="02b6ec8aa5"`, `</tr>`)
	require.Contains(t, placeholder, `<td class="loc"></td>`, "located nowhere yet, on a system of two DMs")
	require.Contains(t, placeholder, `>To register</td>`)

	world := part(t, doc, `<tbody id="hs-rows"`, `</tbody>`)
	require.Contains(t, part(t, world, `data-ipui="029e74a599"`, `</tr>`), `<td class="base">g&#34;&gt;&lt;script&gt;alert(3)&lt;/script&gt;</td>`)
	require.Contains(t, part(t, world, `data-ipui="02b6ec8aa5"`, `</tr>`), `<td class="base">none</td>`)

	bases := part(t, doc, `<tbody id="base-rows"`, `</tbody>`)
	require.Contains(t, bases, `<tr class="dm up" data-dm="ground"><td class="dm-name" colspan="2">Ground &lt;b&gt;floor&lt;/b&gt;<small> (ground)</small></td>`)
	require.Contains(t, bases, `<tr class="base serving" data-base="g&#34;&gt;&lt;script&gt;alert(3)&lt;/script&gt;" data-dm="ground">`)
	f1 := part(t, bases, `data-base="f1"`, `</tr>`)
	require.Contains(t, f1, `<td class="sync">level 1 · LAN</td>`)
	require.Contains(t, f1, `title="state of base f1" role="switch" checked disabled><span>up</span>`)
	require.Contains(t, f1, `<td class="serving">yes</td><td class="handsets">0</td>`)
	require.Contains(t, doc, `<p id="cells-count" class="count">2 DECT managers · 2 base stations, 2 serving</p>`)
	require.Contains(t, doc, `<span id="clock-now">2026-01-05 09:00:00 UTC</span>`)
	require.Contains(t, doc, `<span id="count" class="count">1–2 of 2 · 2 entries · 0 ghosts</span>`)
}

// TestTheFirstScreenIsOfTheSystemMacNames: ?mac= chooses the system the
// page is served with (the chooser selects it, the script starts there);
// an unknown MAC is a 404.
func TestTheFirstScreenIsOfTheSystemMacNames(t *testing.T) {
	srv, _ := servePage(t, hostileSite, hostileFloors)
	_, doc := get(t, srv, "/")
	require.Contains(t, doc, `<section id="devices" data-mac="7c2f80a1b2c3">`)
	require.NotContains(t, doc, `data-dm="ground"`)

	_, doc = get(t, srv, "/?mac=7C:2F:80:A1:B2:C4")
	require.Contains(t, doc, `<section id="devices" data-mac="7c2f80a1b2c4">`)
	require.Contains(t, doc, `<option value="7c2f80a1b2c4" selected>`)
	require.NotContains(t, doc, `<option value="7c2f80a1b2c3" selected>`)
	require.Contains(t, doc, `data-dm="ground"`)

	resp, _ := get(t, srv, "/?mac=7c2f80000000")
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
}

// TestTheFirstScreenHoldsOnePageOfEachList: of a Virtual Integrator's
// 2,000 handsets the page as served holds the list's first 100 rows and
// the world's first 50, with Next to go on, and the timeline closed.
func TestTheFirstScreenHoldsOnePageOfEachList(t *testing.T) {
	srv, _ := serveScenarios(t, viScenario(t, 2000))
	_, doc := get(t, srv, "/")
	require.Equal(t, page.ListRows, strings.Count(part(t, doc, `<tbody id="rows"`, `</tbody>`), "<tr "))
	require.Equal(t, page.WorldRows, strings.Count(part(t, doc, `<tbody id="hs-rows"`, `</tbody>`), "<tr "))
	require.Contains(t, doc, `<span id="count" class="count">1–100 of 2000 · 2000 entries · 0 ghosts</span>`)
	require.Contains(t, doc, `<button type="button" id="next">Next ›</button>`)
	require.Contains(t, doc, `<button type="button" id="prev" disabled>`)
	require.Contains(t, doc, `<details id="timeline-box">`)
}
