package page_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/dectsim/dectsim/cmd/dectsim/internal/serve"
	"github.com/dectsim/dectsim/cmd/dectsim/internal/serve/api"
	"github.com/dectsim/dectsim/cmd/dectsim/internal/serve/page"
	"github.com/dectsim/dectsim/emulator/scenario"
	"github.com/dectsim/dectsim/internal/testfiles"
)

// wait bounds every wait for the page: a test fails rather than hangs.
const wait = 20 * time.Second

// browser is one headless Chromium tab and what went wrong in it: console
// errors and warnings, the browser's own error log (a refused resource, a
// policy violation), uncaught exceptions and dialogs (an alert is script
// that ran).
type browser struct {
	ctx      context.Context
	mu       sync.Mutex
	problems []string
}

func newBrowser(t testing.TB) *browser {
	t.Helper()
	exe := testfiles.Chromium(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.WindowSize(1280, 1000))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() {
		cancelT()
		cancelC()
		cancelA()
	})
	b := &browser{ctx: ctx}
	require.NoError(t, chromedp.Listen(ctx, b.note))
	return b
}

func (b *browser) note(ev any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch e := ev.(type) {
	case *runtime.EventExceptionThrown:
		b.problems = append(b.problems, "exception: "+e.ExceptionDetails.Text)
	case *runtime.EventConsoleAPICalled:
		if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeWarning {
			b.problems = append(b.problems, "console "+string(e.Type))
		}
	case *cdplog.EventEntryAdded:
		if e.Entry.Level == cdplog.EntryLevelError {
			b.problems = append(b.problems, "log: "+e.Entry.Text+" "+e.Entry.URL)
		}
	case *cdppage.EventJavascriptDialogOpening:
		b.problems = append(b.problems, "dialog: "+e.Message)
		go func() {
			_, _ = chromedp.Call(b.ctx, cdppage.HandleJavaScriptDialog, cdppage.HandleJavaScriptDialogParams{Accept: true})
		}()
	}
}

// clean fails the test if anything went wrong in the tab so far.
func (b *browser) clean(t testing.TB) {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	require.Empty(t, b.problems, "console errors, exceptions or dialogs")
}

// until waits for a JavaScript predicate to be true in the page.
func (b *browser) until(t testing.TB, what, expr string) {
	t.Helper()
	_, err := chromedp.Run(b.ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(wait), chromedp.WithPollingInterval(20*time.Millisecond)))
	require.NoError(t, err, "waiting until %s: %s", what, expr)
}

func (b *browser) do(t testing.TB, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, wait)
	defer cancel()
	require.NoError(t, chromedp.Do(ctx, actions...))
}

func eval[T any](t testing.TB, b *browser, expr string) T {
	t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](expr))
	require.NoError(t, err, expr)
	return v
}

// shot saves a screenshot of the whole page, as PNG, under
// DECTSIM_SCREENSHOTS.
func (b *browser) shot(t testing.TB, name string) {
	t.Helper()
	dir := os.Getenv("DECTSIM_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, name), png, 0o644))
}

// serveScenarios runs the API and the page of a world of parsed
// scenarios. The browser goes first at cleanup, then the world (its event
// streams end), then the server.
func serveScenarios(t testing.TB, scs ...*scenario.Scenario) (*httptest.Server, *serve.World) {
	t.Helper()
	w, err := serve.New(serve.Config{Scenarios: scs})
	require.NoError(t, err)
	srv := httptest.NewServer(api.New(w, page.New(w)))
	t.Cleanup(func() {
		w.Close()
		srv.Close()
	})
	return srv, w
}

// apiCall makes a request from Go and decodes its JSON answer.
func apiCall(t testing.TB, srv *httptest.Server, method, path, body string, out any) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	require.NoError(t, err)
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s %s", method, path)
	if out != nil {
		require.NoError(t, json.NewDecoder(resp.Body).Decode(out))
	}
}

// row is the selector of the handset list's row of an IPUI, state the
// text of its DECT state cell.
func row(ipui string) string { return `#rows tr[data-ipui="` + ipui + `"]` }

func state(ipui string) string {
	return `(document.querySelector('` + row(ipui) + ` td.state') || {}).textContent`
}

// The seed's story: 02b6ec8aa5 is out of range while the server's file
// leaves it out; a day later it is a ghost.
const (
	seedMAC = "7c2f804200f3"
	away    = "02b6ec8aa5"
	stays   = "029e74a599"
	spare   = "0311223344"
	xss     = `<script>alert(1)</script><img src=x onerror=alert(2)>`
)

// TestPageDrivesTheGhostStory plays the seed's story through the page
// alone, as an administrator would: the list shows the story's slots with
// their DECT states; "+1 min" runs the server's file, and the away
// handset's slot waits in To deregister with its deadline and time left;
// "+24 h" removes its row and shows it as a ghost (and the timeline draws
// the ghost); the range switch of another handset moves it out of range
// in the system; the operator's action on a To register slot makes it Not
// registered; a display name holding markup shows as text. No console
// error, exception or dialog happens on the way.
func TestPageDrivesTheGhostStory(t *testing.T) {
	srv, _ := serveScenarios(t, ghostStory(t))
	b := newBrowser(t)
	b.do(t, chromedp.Navigate(srv.URL+"/"))

	b.until(t, "the story's two slots are listed", `document.querySelectorAll("#rows tr[data-state]").length === 2`)
	require.Equal(t, "Registered", eval[string](t, b, state(away)))
	require.Equal(t, "Registered", eval[string](t, b, state(stays)))
	require.Equal(t, "local", eval[string](t, b, `document.querySelector('`+row(stays)+` td.loc').textContent`))
	b.until(t, "the world's three handsets are listed", `document.querySelectorAll("#hs-rows tr[data-ipui]").length === 3`)
	b.until(t, "the timeline has a lane per handset", `document.querySelectorAll("#timeline svg g.lane").length === 3`)

	b.do(t, chromedp.Click(chromedp.CSS(`button.adv[data-by="1m"]`)))
	b.until(t, "the away handset's slot waits to be deregistered", state(away)+` === "To deregister"`)
	pending := eval[string](t, b, `document.querySelector('`+row(away)+` td.pending').textContent`)
	require.Contains(t, pending, "2026-01-06 09:00:00 UTC")
	require.Contains(t, pending, "23h59m0s left")
	require.Contains(t, pending, "then a ghost")
	b.until(t, "the event list shows the request", `[...document.querySelectorAll("#ev-rows td.type")].some(td => td.textContent === "dereg-requested")`)
	b.until(t, "the timeline is drawn again", `document.querySelector("#timeline svg rect.s-ToDeReg") !== null`)
	b.shot(t, "serve-before.png")

	b.do(t, chromedp.Click(chromedp.CSS(`button.adv[data-by="24h"]`)))
	b.until(t, "the away handset's slot has left the list", `document.querySelector('#rows tr[data-slot="`+away+`"]') === null`)
	b.until(t, "it is listed as a ghost", `document.querySelector('#rows tr.ghost[data-ipui="`+away+`"]') !== null`)
	b.until(t, "the world says ghost", `document.querySelector('#hs-rows tr.ghost[data-ipui="`+away+`"]') !== null`)
	b.until(t, "the event list shows the ghost", `[...document.querySelectorAll("#ev-rows td.type")].some(td => td.textContent === "ghost-created")`)
	b.until(t, "the timeline draws the ghost", `document.querySelector("#timeline svg rect.ghost") !== null`)
	require.True(t, eval[bool](t, b, `(p => getComputedStyle(p).overflowX === "auto" && p.scrollWidth > p.clientWidth)(document.getElementById("timeline"))`),
		"the timeline picture is wider than its box, which scrolls")
	b.shot(t, "serve-after.png")

	switchOutOfRange(t, b, srv)
	operatorAction(t, b, srv)
	b.clean(t)
}

// ghostStory is the seed's story, scenarios/ghost-after-24h.xml, named
// as the README's commands name it.
func ghostStory(t *testing.T) *scenario.Scenario {
	t.Helper()
	t.Chdir(testfiles.Root(t))
	sc, err := scenario.ParseFile(filepath.Join("scenarios", "ghost-after-24h.xml"))
	require.NoError(t, err)
	return sc
}

// TestPageFollowsARealClock: with the clock following wall time (here a
// day in under a second), the page shows the clock moving and the story
// unfolding with nobody clicking: the list follows the event stream.
func TestPageFollowsARealClock(t *testing.T) {
	w, err := serve.New(serve.Config{Scenarios: []*scenario.Scenario{ghostStory(t)}, Real: true, Speed: 100_000})
	require.NoError(t, err)
	srv := httptest.NewServer(api.New(w, page.New(w)))
	t.Cleanup(func() {
		w.Close()
		srv.Close()
	})
	b := newBrowser(t)
	b.do(t, chromedp.Navigate(srv.URL+"/"))
	b.until(t, "the clock says it is real", `document.getElementById("clock-mode").textContent === "real time ×100000"`)
	b.until(t, "the ghost appears", `document.querySelector('#rows tr.ghost[data-ipui="`+away+`"]') !== null`)
	b.until(t, "the clock has passed a day", `/^\+\d+d/.test(document.getElementById("clock-since").textContent)`)
	b.until(t, "the event list shows the ghost", `[...document.querySelectorAll("#ev-rows td.type")].some(td => td.textContent === "ghost-created")`)
	b.clean(t)
}

// TestPageShowsTheChosenSystem: with two systems, the address's #MAC
// chooses one; its list shows a slot id holding markup as text; the
// chooser switches to the other, whose rows replace the first's.
func TestPageShowsTheChosenSystem(t *testing.T) {
	hostile, err := scenario.Parse("hostile.xml", []byte(hostileSite))
	require.NoError(t, err)
	srv, _ := serveScenarios(t, ghostStory(t), hostile)
	b := newBrowser(t)
	b.do(t, chromedp.Navigate(srv.URL+"/#7c2f80a1b2c3"))
	b.until(t, "the second system is shown", `document.querySelectorAll("#rows tr[data-state]").length === 1 && document.getElementById("system").value === "7c2f80a1b2c3"`)
	b.do(t, chromedp.Click(chromedp.CSS(`button.adv[data-by="1m"]`)))
	slot := `document.querySelector('#rows tr[data-slot="<script>alert(2)</script>"]')`
	b.until(t, "the placeholder with markup as its id is listed", slot+` !== null`)
	require.Equal(t, "(any handset) slot <script>alert(2)</script>", eval[string](t, b, slot+`.querySelector("td.ipui").textContent`))
	require.Equal(t, "To register", eval[string](t, b, slot+`.querySelector("td.state").textContent`))

	b.do(t, chromedp.Evaluate[chromedp.Void](`(s => { s.value = "`+seedMAC+`"; s.dispatchEvent(new Event("change")); })(document.getElementById("system"))`))
	b.until(t, "the seed's story replaces it", state(away)+` === "To deregister" && document.querySelectorAll("#rows tr[data-state]").length === 2`)
	b.until(t, "its events only", `[...document.querySelectorAll("#ev-rows td.type")].some(td => td.textContent === "dereg-requested") && ![...document.querySelectorAll("#ev-rows td")].some(td => td.textContent.includes("alert(2)"))`)
	b.clean(t)
}

// switchOutOfRange clicks the range switch of the handset that stays and
// checks the system through the API, then the page.
func switchOutOfRange(t *testing.T, b *browser, srv *httptest.Server) {
	t.Helper()
	b.do(t, chromedp.Click(chromedp.CSS(`#hs-rows tr[data-ipui="`+stays+`"] input.sw.range`)))
	var v api.SystemView
	require.Eventually(t, func() bool {
		apiCall(t, srv, http.MethodGet, "/api/systems/"+seedMAC, "", &v)
		for _, h := range v.Handsets {
			if h.IPUI == stays {
				return h.Range == "out"
			}
		}
		return false
	}, wait, 20*time.Millisecond, "the system has the handset out of range")
	b.until(t, "the switch says so", `(td => td.textContent === "out of range" && !td.querySelector("input").checked)(document.querySelector('#hs-rows tr[data-ipui="`+stays+`"] td.switch:nth-of-type(6)'))`)
	b.until(t, "the event list shows the move", `[...document.querySelectorAll("#ev-rows td.type")].some(td => td.textContent === "handset-moved")`)
}

// operatorAction: a server's file adds a To register slot for the spare
// handset, with markup as its display name; the page shows the name as
// text, and its "Not registered" action makes the slot Not registered.
func operatorAction(t *testing.T, b *browser, srv *httptest.Server) {
	t.Helper()
	file := `<provisioning version="1.1" productID="e2"><nvm>
  <oper name="add_hs" value="` + spare + `"><param name="hs.RegStatus" value="ToReg"/></oper>
  <param name="SipAccount.` + spare + `.UserName" value="spare"/>
  <param name="SipAccount.` + spare + `.DisplayName" value="` + strings.NewReplacer("<", "&lt;", ">", "&gt;").Replace(xss) + `"/>
</nvm></provisioning>`
	apiCall(t, srv, http.MethodPost, "/api/systems/"+seedMAC+"/provision", file, nil)
	b.until(t, "the new slot is listed", state(spare)+` === "To register"`)
	cell := `document.querySelector('` + row(spare) + ` td.display')`
	require.Equal(t, xss, eval[string](t, b, cell+`.textContent`), "the name is text")
	require.Zero(t, eval[int](t, b, cell+`.children.length`), "no element came from the name")

	b.do(t, chromedp.Click(chromedp.CSS(row(spare)+` button.act[data-to="NotReg"]`)))
	b.until(t, "the slot is Not registered", state(spare)+` === "Not registered"`)
	var v api.SystemView
	apiCall(t, srv, http.MethodGet, "/api/systems/"+seedMAC, "", &v)
	for _, sl := range v.Slots {
		if sl.ID == spare {
			require.Equal(t, "NotReg", sl.State)
		}
	}
	b.until(t, "the event list shows the operator's change", `[...document.querySelectorAll("#ev-rows td.type")].some(td => td.textContent === "admin")`)
}

// viScenario is a Virtual Integrator with n registered handsets, each
// with a SIP account's user name.
func viScenario(t testing.TB, n int) *scenario.Scenario {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, `<scenario name="a Virtual Integrator" start="2026-01-05T09:00:00Z"><system product="VI" mac="7C2F80A1B2C3" max-handsets="%d"/>`, n)
	for i := range n {
		fmt.Fprintf(&b, `<handset ipui="07%08x" state="Registered"/>`, i)
	}
	b.WriteString(`</scenario>`)
	sc, err := scenario.Parse("vi.xml", []byte(b.String()))
	require.NoError(t, err)
	return sc
}

// TestPageOfTwoThousandHandsetsShowsAPageAndFinds: a Virtual Integrator's
// 2,000 handsets come a page at a time, the next page on request, and the
// search finds one by IPUI.
func TestPageOfTwoThousandHandsetsShowsAPageAndFinds(t *testing.T) {
	srv, _ := serveScenarios(t, viScenario(t, 2000))
	b := newBrowser(t)
	b.do(t, chromedp.Navigate(srv.URL+"/"))
	b.until(t, "the first page is shown", `document.querySelectorAll("#rows tr[data-state]").length === 100`)
	require.Contains(t, eval[string](t, b, `document.getElementById("count").textContent`), "1–100 of 2000")
	require.False(t, eval[bool](t, b, `document.getElementById("timeline-box").open`), "a picture of 2,000 lanes waits to be opened")

	b.do(t, chromedp.Click(chromedp.CSS(`#next`)))
	b.until(t, "the second page is shown", `document.querySelector("#rows tr").dataset.ipui === "0700000064"`)

	b.do(t, chromedp.SendKeys(chromedp.CSS(`#q`), "07000007cf"))
	b.until(t, "the search finds one row", `document.querySelectorAll("#rows tr[data-state]").length === 1 && document.querySelector("#rows tr").dataset.ipui === "07000007cf"`)
	b.clean(t)
}

// BenchmarkPageWith2000Handsets: the time from opening the page of a
// Virtual Integrator with 2,000 registered handsets to its first rows on
// screen, in headless Chromium. The server sends the first rows with the
// page (ms-to-served-rows: the page parsed, its domInteractive, from its
// navigation start); the script then draws them again from the API
// (ms-to-rows: its own mark; ns/op: navigation until it has, seen from
// Go).
func BenchmarkPageWith2000Handsets(b *testing.B) {
	srv, _ := serveScenarios(b, viScenario(b, 2000))
	br := newBrowser(b)
	var marks, served float64
	for b.Loop() {
		br.do(b, chromedp.Navigate(srv.URL+"/"))
		br.until(b, "the script's first rows", `document.getElementById("rows").dataset.drawn === "script" && document.querySelectorAll("#rows tr[data-state]").length === 100`)
		marks += eval[float64](b, br, `performance.getEntriesByName("dectsim-first-rows")[0].startTime`)
		served += eval[float64](b, br, `performance.getEntriesByType("navigation")[0].domInteractive`)
	}
	b.ReportMetric(marks/float64(b.N), "ms-to-rows")
	b.ReportMetric(served/float64(b.N), "ms-to-served-rows")
	br.clean(b)
}

// floors is a Virtual Integrator of two DMs: ground (g1, the sync
// master, and g2, which hears only g1) and first, whose name is markup
// (f1, LAN-synced). Alice's handset reaches g2 then f1, Bob's and Dave's
// g1 only; a fourth handset is off.
const floors = `<scenario name="two floors" start="2026-01-05T09:00:00Z">
  <system product="VI" firmware="2.65.0" mac="7C2F80A1B2C3"/>
  <dm id="ground" name="Ground floor"/>
  <dm id="first" name="&lt;b&gt;First&lt;/b&gt; floor"/>
  <base id="g1" dm="ground"/>
  <base id="g2" dm="ground" level="2" hears="g1"/>
  <base id="f1" dm="first" sync="lan"/>
  <handset ipui="029e74a599" state="Registered" at="g2 f1"/>
  <handset ipui="02b6ec8aa5" state="Registered" at="g1"/>
  <handset ipui="0311223344" power="off"/>
  <handset ipui="0422334455" state="Registered" at="g1"/>
</scenario>`

const (
	floorsMAC = "7c2f80a1b2c3"
	alice     = "029e74a599"
	bob       = "02b6ec8aa5"
	dave      = "0422334455"
	firstName = "<b>First</b> floor"
)

func floorsStory(t *testing.T) *scenario.Scenario {
	t.Helper()
	sc, err := scenario.Parse("floors.xml", []byte(floors))
	require.NoError(t, err)
	return sc
}

// drawn waits until the script has drawn the handset list, the handsets
// and the base stations from the API (the server drew them first).
func (b *browser) drawn(t testing.TB) {
	t.Helper()
	b.until(t, "the script has drawn the first screen again", `["rows", "hs-rows", "base-rows"].every(id => document.getElementById(id).dataset.drawn === "script")`)
}

func text(sel string) string {
	return `(e => e ? e.textContent : null)(document.querySelector('` + sel + `'))`
}

func baseRow(id string) string { return `#base-rows tr[data-base="` + id + `"]` }

func worldBase(ipui string) string { return text(`#hs-rows tr[data-ipui="` + ipui + `"] td.base`) }

// TestPageSwitchesABaseAndTheHandsetsFollow: the page lists the base
// stations per DM and the Location column names each slot's DM; the
// switch of g1 takes it down through a base step: the system (read
// through the API) has Alice's handset handed over to f1 and roamed to DM
// first, Bob's without coverage, and the page shows g1 off, g2 without
// sync, the handsets' bases, the Location column naming DM first (its
// markup as text) and the handover in the events. Switched up again, g1
// serves Bob at once and g2 thirty seconds later, which takes Alice back;
// the DM switch takes DM first down.
func TestPageSwitchesABaseAndTheHandsetsFollow(t *testing.T) {
	srv, _ := serveScenarios(t, floorsStory(t))
	b := newBrowser(t)
	b.do(t, chromedp.Navigate(srv.URL+"/"))
	b.drawn(t)
	require.Equal(t, "Ground floor", eval[string](t, b, text(row(alice)+` td.loc`)))
	require.Equal(t, 3, eval[int](t, b, `document.querySelectorAll("#base-rows tr[data-base]").length`))
	require.Equal(t, "g2", eval[string](t, b, worldBase(alice)))
	require.Equal(t, "none", eval[string](t, b, worldBase("0311223344")), "a handset that is off camps nowhere")

	b.do(t, chromedp.Click(chromedp.CSS(baseRow("g1")+` input.sw`)))
	require.Eventually(t, func() bool {
		var v api.SystemView
		apiCall(t, srv, http.MethodGet, "/api/systems/"+floorsMAC, "", &v)
		return handsetBase(v, alice) == "f1" && handsetBase(v, bob) == "none" && slotLocation(v, alice) == "first"
	}, wait, 20*time.Millisecond, "the system has Alice at f1, located at DM first, and Bob without coverage")
	b.until(t, "the Location column names DM first", text(row(alice)+` td.loc`)+` === `+jsString(firstName))
	require.Zero(t, eval[int](t, b, `document.querySelector('`+row(alice)+` td.loc').children.length`), "the DM's name is text")
	require.Equal(t, "Ground floor", eval[string](t, b, text(row(bob)+` td.loc`)), "coverage lost moves no slot")
	b.until(t, "the handsets' bases follow", worldBase(alice)+` === "f1" && `+worldBase(bob)+` === "none"`)
	b.until(t, "g1 is off and g2 without sync", text(baseRow("g1")+` td.serving`)+` === "no switched off" && `+
		text(baseRow("g2")+` td.serving`)+` === "no not synchronised" && `+text(baseRow("g1")+` td.switch`)+` === "down"`)
	require.Equal(t, "1", eval[string](t, b, text(baseRow("f1")+` td.handsets`)), "Alice's handset")
	require.Equal(t, "2 DECT managers · 3 base stations, 1 serving", eval[string](t, b, text("#cells-count")))
	b.until(t, "the events show the handover", `[...document.querySelectorAll("#ev-rows tr")].some(tr => tr.cells[2].textContent === "handover" && tr.cells[5].textContent.includes("g2 → f1"))`)
	b.until(t, "and the roaming", `[...document.querySelectorAll("#ev-rows td.type")].some(td => td.textContent === "roamed")`)
	b.shot(t, "serve-bases.png")

	backUp(t, b)
	b.do(t, chromedp.Click(chromedp.CSS(`#base-rows tr[data-dm="first"].dm input.sw`)))
	b.until(t, "DM first is down", text(baseRow("f1")+` td.serving`)+` === "no its DM is down"`)
	b.clean(t)
}

// backUp switches g1 up again: Bob's handset regains coverage at once;
// a minute later g2 has re-synchronised and Alice's handset is back there,
// located at the ground floor.
func backUp(t *testing.T, b *browser) {
	t.Helper()
	b.do(t, chromedp.Click(chromedp.CSS(baseRow("g1")+` input.sw`)))
	b.until(t, "Bob's handset camps at g1 again", worldBase(bob)+` === "g1"`)
	require.Equal(t, "no not synchronised", eval[string](t, b, text(baseRow("g2")+` td.serving`)), "g2 re-synchronises 30 s later")
	b.do(t, chromedp.Click(chromedp.CSS(`button.adv[data-by="1m"]`)))
	b.until(t, "g2 serves and Alice is back", text(baseRow("g2")+` td.serving`)+` === "yes" && `+worldBase(alice)+` === "g2" && `+
		text(row(alice)+` td.loc`)+` === "Ground floor"`)
}

func handsetBase(v api.SystemView, ipui string) string {
	for _, h := range v.Handsets {
		if h.IPUI == ipui {
			return h.Base
		}
	}
	return ""
}

func slotLocation(v api.SystemView, id string) string {
	for _, sl := range v.Slots {
		if sl.ID == id {
			return sl.Location
		}
	}
	return ""
}

func jsString(s string) string {
	data, _ := json.Marshal(s)
	return string(data)
}

// describe is every row of the first screen's three tables and its
// counts, as text: each row's class and data, each cell's class, title,
// span and text, and each control's kind, state and title (not whether
// it is enabled: the server's are not).
const describe = `(() => {
  const ctl = (c) => [c.tagName, c.className, c.title, c.type === "checkbox" ? String(c.checked) : "", c.dataset.to || ""].join("|");
  const rows = (id) => [...document.getElementById(id).rows].map(tr =>
    [tr.className, JSON.stringify(tr.dataset), ...[...tr.cells].map(td =>
      [td.className, td.title, td.colSpan, td.textContent, ...[...td.querySelectorAll("input, button")].map(ctl)].join("|"))].join(" ¦ "));
  const texts = ["model", "sysline", "count", "hcount", "cells-count"].map(id => id + ": " + document.getElementById(id).textContent +
    " " + document.getElementById(id).className);
  const buttons = ["prev", "next", "hprev", "hnext"].map(id => id + ": " + document.getElementById(id).disabled);
  return [...texts, ...buttons, ...rows("rows"), ...rows("hs-rows"), ...rows("base-rows")];
})()`

// TestTheServerDrawsTheFirstScreenAsTheScriptDoes: with script switched
// off, the page as served shows the handset list (a roamed slot's DM, a
// slot waiting with its deadline, a ghost, a placeholder with markup in
// its names), the handsets and the base stations; with script on, the
// script draws them again from the API, row for row and word for word.
func TestTheServerDrawsTheFirstScreenAsTheScriptDoes(t *testing.T) {
	srv, _ := serveScenarios(t, floorsStory(t))
	steps := "/api/systems/" + floorsMAC + "/steps"
	apiCall(t, srv, http.MethodPost, steps, `[{"step": "base", "id": "g1", "state": "down"}, {"step": "admin", "slot": "`+bob+`", "state": "ToDeReg"}]`, nil)
	apiCall(t, srv, http.MethodPost, "/api/advance", `{"by": "25h"}`, nil)
	apiCall(t, srv, http.MethodPost, "/api/systems/"+floorsMAC+"/provision", `<provisioning version="1.1" productID="e2"><nvm>
  <oper name="add_hs" value="00001"><param name="hs.RegStatus" value="ToReg"/></oper>
  <param name="SipAccount.00001.UserName" value="&lt;i&gt;dana&lt;/i&gt;"/>
  <param name="SipAccount.00001.DisplayName" value="`+strings.NewReplacer("<", "&lt;", ">", "&gt;").Replace(xss)+`"/>
</nvm></provisioning>`, nil)
	apiCall(t, srv, http.MethodPost, steps, `[{"step": "admin", "slot": "`+dave+`", "state": "ToDeReg"}]`, nil)

	b := newBrowser(t)
	_, err := chromedp.Call(b.ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
	require.NoError(t, err)
	b.do(t, chromedp.Navigate(srv.URL+"/"))
	require.Equal(t, "server", eval[string](t, b, `document.getElementById("rows").dataset.drawn`), "no script ran")
	served := eval[[]string](t, b, describe)
	require.Equal(t, bob, eval[string](t, b, `document.querySelector("#rows tr.ghost").dataset.ipui`))
	require.Contains(t, eval[string](t, b, text(row(dave)+` td.pending`)), "then a ghost")
	require.Equal(t, firstName, eval[string](t, b, text(row(alice)+` td.loc`)))
	require.Equal(t, xss, eval[string](t, b, text(`#rows tr[data-slot="00001"] td.display`)))
	require.Equal(t, "no switched off", eval[string](t, b, text(baseRow("g1")+` td.serving`)))
	require.Equal(t, 4, eval[int](t, b, `document.querySelectorAll("#hs-rows tr[data-ipui]").length`))

	_, err = chromedp.Call(b.ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: false})
	require.NoError(t, err)
	b.do(t, chromedp.Navigate(srv.URL+"/?again"))
	b.drawn(t)
	require.Equal(t, served, eval[[]string](t, b, describe))
	b.clean(t)
}
