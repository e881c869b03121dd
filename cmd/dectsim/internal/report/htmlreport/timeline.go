package htmlreport

import (
	"html/template"
	"io"

	"github.com/dectsim/dectsim/emulator/scenario"
)

// WriteTimeline writes the timeline picture of one result, the <svg>
// element of its section in Write's page, alone: well-formed XML with
// every text escaped, for a page that shows the picture of a system still
// running (the live page of `dectsim serve`). Its classes are those of
// Write's style sheet; the picture brings none of its own.
//
// It reads r.System's event log, so it must run where the system may be
// read (for a live system, on the goroutine that owns it).
func WriteTimeline(w io.Writer, r *scenario.Result) error {
	return timelineTmpl.Execute(w, build(r))
}

// timelineTmpl is the picture of pageTmpl, word for word (a test holds
// the two together).
var timelineTmpl = template.Must(template.New("timeline").Parse(`<svg xmlns="http://www.w3.org/2000/svg" width="{{.Width}}" height="{{.Height}}" viewBox="0 0 {{.Width}} {{.Height}}">
{{$h := .Height}}{{range .Ticks}}<line class="axis" x1="{{.X}}" y1="14" x2="{{.X}}" y2="{{$h}}"/><text x="{{.X}}" y="12">{{.Label}}</text>
{{end}}{{range .Lanes}}<g class="{{.Class}}" data-key="{{.Key}}"><text x="4" y="{{.Y}}" dy="16">{{.Label}}{{if .Title}}<title>{{.Title}}</title>{{end}}</text>
{{range .Bands}}<rect class="{{.Class}}" x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="{{.H}}"><title>{{.Title}}</title></rect>
{{end}}{{range .Marks}}<rect class="{{.Class}}" x="{{.X}}" y="{{.Y}}" width="4" height="10" transform="translate(-2,-5)"><title>{{.Title}}</title></rect>
{{end}}</g>
{{end}}</svg>`))
