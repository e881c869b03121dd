// Package livepage is the web page of `dectsim serve`: per system the
// handset list as the real web UI shows it. Every value goes through
// html/template's escaping: names and IPUIs come from files and servers.
package livepage

import (
	"bytes"
	"context"
	"html/template"
	"net/http"

	"github.com/dectsim/dectsim/internal/live"
)

// New returns the page handler of w.
func New(w *live.World) http.Handler { return &page{w: w} }

type page struct{ w *live.World }

type sysRow struct {
	MAC, Product, Firmware, Now string
	Slots                       []slotRow
}

type slotRow struct{ ID, IPUI, State string }

func (p *page) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/" {
		http.NotFound(w, r)
		return
	}
	var rows []sysRow
	err := p.w.Do(r.Context(), func() {
		for _, m := range p.w.Members() {
			row := sysRow{MAC: m.MAC, Product: m.Sys.Product().Name, Firmware: m.Sys.Firmware().String(), Now: m.Sys.Now().UTC().Format("2006-01-02 15:04:05")}
			for _, sl := range m.Sys.Slots() {
				row.Slots = append(row.Slots, slotRow{ID: sl.ID, IPUI: sl.IPUI, State: string(sl.State)})
			}
			rows = append(rows, row)
		}
	})
	if err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	var b bytes.Buffer
	if err := tmpl.Execute(&b, rows); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(b.Bytes())
}

var _ = context.Background

var tmpl = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>dectsim serve</title></head>
<body><h1>dectsim serve</h1>
{{range .}}<section><h2>{{.MAC}} · {{.Product}} {{.Firmware}} · {{.Now}}</h2>
<table><tr><th>Slot</th><th>IPUI</th><th>DECT state</th></tr>
{{range .Slots}}<tr><td>{{.ID}}</td><td>{{.IPUI}}</td><td>{{.State}}</td></tr>
{{end}}</table></section>
{{end}}</body></html>
`))
