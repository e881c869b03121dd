// Package page owns the web page of `dectsim serve`: the system as its
// administrator sees it on Settings → Mobile devices → Administration (the
// handset list with its DECT states and the operator's actions), and what
// the real page never shows: the ghosts, the pending deadlines, the
// handsets of the world with their switches, the clock, the live event
// list and the timeline picture of `dectsim run --html`.
//
// It serves the page at /, its script, style sheet and icon under
// /static/ (embedded in the binary: nothing comes from the internet), and
// each system's timeline picture at /timeline/{mac}, all of them reads
// the world answers even while a system waits for a fetch. The page as
// served already holds the first screen of one system (its handset list,
// its handsets and its base stations, as the API gives them), so that it
// reads without script; the script draws them again through the JSON API
// (package api), keeps them current and drives the systems.
//
// Every value is escaped: the page's template through html/template, the
// script by building elements with textContent, never from markup, and
// the timeline picture by html/template before the script copies its
// known elements and attributes. A Content-Security-Policy allows scripts,
// styles and connections to this server only, and no inline script.
package page

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/dectsim/dectsim/cmd/dectsim/internal/report/htmlreport"
	"github.com/dectsim/dectsim/cmd/dectsim/internal/serve"
	"github.com/dectsim/dectsim/internal/textio/printable"
)

// CSP is the Content-Security-Policy of every answer: this server's own
// script, style, pictures and connections, nothing inline, no frames.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// MaxListedSystems bounds the systems the page's chooser lists; a larger
// fleet's others are reached by MAC.
const MaxListedSystems = 1000

//go:embed page.html
var pageHTML string

//go:embed static
var static embed.FS

var pageTmpl = template.Must(template.New("page").Funcs(template.FuncMap{
	"when": when, "toggle": newToggle, "dmServing": dmServing, "notServing": notServing, "upper": strings.ToUpper,
}).Parse(pageHTML))

// types are the content types of the static files, by extension; a file
// of any other kind is not served.
var types = map[string]string{
	".js":  "text/javascript; charset=utf-8",
	".css": "text/css; charset=utf-8",
	".svg": "image/svg+xml",
}

// New returns the page handler of w.
func New(w *serve.World) http.Handler {
	p := &page{w: w, mux: http.NewServeMux()}
	p.mux.HandleFunc("GET /{$}", p.index)
	p.mux.HandleFunc("GET /static/timeline.css", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", types[".css"])
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = io.WriteString(w, htmlreport.TimelineStyle)
	})
	p.mux.HandleFunc("GET /static/{name}", p.asset)
	p.mux.HandleFunc("GET /timeline/{mac}", p.timeline)
	return p
}

type page struct {
	w   *serve.World
	mux *http.ServeMux
}

func (p *page) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", CSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	p.mux.ServeHTTP(w, r)
}

// indexData is what the page's template shows: the systems to choose
// from and the first screen of the chosen one.
type indexData struct {
	Systems []option
	// More counts the systems past MaxListedSystems.
	More   int
	Screen screen
}

type option struct {
	MAC, Label string
	Selected   bool
}

// index serves the page with the first screen of the system ?mac= names,
// else of the first.
func (p *page) index(w http.ResponseWriter, r *http.Request) {
	var (
		d     indexData
		found bool
	)
	mac := r.URL.Query().Get("mac")
	err := p.w.Read(r.Context(), func() { d, found = p.indexOf(mac) })
	switch {
	case err != nil:
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	case !found:
		http.Error(w, fmt.Sprintf("no system with MAC %q", mac), http.StatusNotFound)
		return
	}
	var b bytes.Buffer
	if err := pageTmpl.Execute(&b, d); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(b.Bytes())
}

// indexOf reads the page's data on the world's goroutine: the chooser's
// systems and the first screen of the one mac names ("": the first).
func (p *page) indexOf(mac string) (indexData, bool) {
	var d indexData
	ms := p.w.Members()
	if len(ms) == 0 {
		return d, mac == ""
	}
	chosen := ms[0]
	if mac != "" {
		m, ok := p.w.Member(mac)
		if !ok {
			return d, false
		}
		chosen = m
	}
	for _, m := range ms[:min(len(ms), MaxListedSystems)] {
		sc := m.Live.Result().Scenario
		d.Systems = append(d.Systems, option{MAC: m.MAC, Selected: m == chosen,
			Label: printable.String(fmt.Sprintf("%s · %s · %s", m.MAC, m.Sys.Product().Name, sc.Name))})
	}
	d.More = len(ms) - len(d.Systems)
	d.Screen = screenOf(p.w, chosen)
	return d, true
}

// asset serves one embedded file of a known kind.
func (p *page) asset(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	ct, ok := types[path.Ext(name)]
	data, err := fs.ReadFile(static, "static/"+name)
	if !ok || err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(data)
}

// timeline serves the timeline picture of one system as it stands.
func (p *page) timeline(w http.ResponseWriter, r *http.Request) {
	var (
		b     bytes.Buffer
		found bool
		werr  error
	)
	err := p.w.Read(r.Context(), func() {
		m, ok := p.w.Member(r.PathValue("mac"))
		if found = ok; ok {
			werr = htmlreport.WriteTimeline(&b, m.Live.Result())
		}
	})
	switch {
	case err != nil:
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
	case !found:
		http.Error(w, "no system with that MAC", http.StatusNotFound)
	case werr != nil:
		http.Error(w, werr.Error(), http.StatusInternalServerError)
	default:
		w.Header().Set("Content-Type", "image/svg+xml; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write(b.Bytes())
	}
}
