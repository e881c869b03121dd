// Package api is the JSON HTTP API of `dectsim serve`: reading the
// systems (their slots, handsets, settings and events), streaming events,
// and driving them (steps, uploads, the clock). Every call runs on the
// world's goroutine (package serve), so an answer never shows half an event.
//
// Bad input is answered with 400 and a JSON body {"error": …}, with line
// and col for XML; bodies are read no further than their limit; a path
// that names nothing is a 404 and a method a path does not take a 405,
// both as JSON. A browser page of another origin may not change anything
// (403). The page at / is served from package page.
package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/dectsim/dectsim/cmd/dectsim/internal/serve"
)

// Limits on request bodies: steps as scenario files, an upload as a
// provisioning file, the clock's body small.
const (
	MaxClockBody = 4 << 10
	// MaxBodiesRead bounds the large bodies (steps, uploads) read at
	// once, so many clients uploading cannot hold many files' worth of
	// memory; the others wait their turn.
	MaxBodiesRead = 4
)

// API serves the JSON API of one world.
type API struct {
	w      *serve.World
	mux    *http.ServeMux
	h      http.Handler
	bodies chan struct{} // a token per large body being read
}

// New returns the API of w. page, if not nil, serves GET / (and anything
// outside /api/).
func New(w *serve.World, page http.Handler) *API {
	a := &API{w: w, mux: http.NewServeMux(), bodies: make(chan struct{}, MaxBodiesRead)}
	routes := []struct {
		pattern, method string
		h               http.HandlerFunc
	}{
		{"/api/systems", http.MethodGet, a.systems},
		{"/api/systems/{mac}", http.MethodGet, a.system},
		{"/api/systems/{mac}/settings", http.MethodGet, a.settings},
		{"/api/systems/{mac}/events", http.MethodGet, a.events},
		{"/api/systems/{mac}/steps", http.MethodPost, a.steps},
		{"/api/systems/{mac}/provision", http.MethodPost, a.provision},
		{"/api/events", http.MethodGet, a.stream},
		{"/api/advance", http.MethodPost, a.advance},
		{"/api/clock", http.MethodGet, a.clock},
		{"/api/readings", http.MethodGet, a.readings},
		{"/api/systems/{mac}/handset-list", http.MethodGet, a.handsetList},
		{"/api/systems/{mac}/handsets", http.MethodGet, a.worldHandsets},
		{"/api/systems/{mac}/dms", http.MethodGet, a.dms},
	}
	for _, r := range routes {
		a.mux.HandleFunc(r.pattern, only(r.method, r.h))
	}
	a.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		fail(w, http.StatusNotFound, "no such API path: %s (see GET /api/systems, /api/events, /api/readings, /api/clock; POST /api/advance)", r.URL.Path)
	})
	if page == nil {
		page = http.NotFoundHandler()
	}
	a.mux.Handle("/", page)
	a.h = crossOrigin(a.mux)
	return a
}

func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.h.ServeHTTP(w, r) }

// only answers 405, as JSON and with Allow, for any method but m (and
// HEAD, for a GET).
func only(m string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != m && !(m == http.MethodGet && r.Method == http.MethodHead) {
			w.Header().Set("Allow", m)
			fail(w, http.StatusMethodNotAllowed, "%s takes %s, not %s", r.URL.Path, m, r.Method)
			return
		}
		h(w, r)
	}
}

// errorBody is every error answer.
type errorBody struct {
	Error   string `json:"error"`
	Line    int    `json:"line,omitempty"`
	Col     int    `json:"col,omitempty"`
	Excerpt string `json:"excerpt,omitempty"`
	// Step is the JSON step at fault, from 1.
	Step int `json:"step,omitempty"`
	// Errors lists every mistake when there are several.
	Errors []errorBody `json:"errors,omitempty"`
}

func fail(w http.ResponseWriter, code int, format string, args ...any) {
	reply(w, code, errorBody{Error: fmt.Sprintf(format, args...)})
}

// reply writes v as JSON with code. The encoder escapes <, > and &, so an
// answer is as safe to put in a page as to read.
func reply(w http.ResponseWriter, code int, v any) {
	var b bytes.Buffer
	if err := json.NewEncoder(&b).Encode(v); err != nil {
		code = http.StatusInternalServerError
		b.Reset()
		fmt.Fprintf(&b, "{\"error\":%q}\n", "encoding the answer: "+err.Error())
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	_, _ = w.Write(b.Bytes())
}

// body reads a request body of at most max bytes; a longer one is an error
// that says the limit. At most MaxBodiesRead bodies over MaxClockBody are
// read at once.
func (a *API) body(r *http.Request, max int64) ([]byte, error) {
	if max > MaxClockBody {
		select {
		case a.bodies <- struct{}{}:
			defer func() { <-a.bodies }()
		case <-r.Context().Done():
			return nil, r.Context().Err()
		}
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, max+1))
	if err != nil {
		return nil, fmt.Errorf("reading the body: %v", err)
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("the body is larger than the limit of %d bytes", max)
	}
	return data, nil
}

// decodeJSON reads a small JSON object strictly: unknown keys and trailing
// data are mistakes.
func decodeJSON(data []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(data))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return fmt.Errorf("not JSON: %v (at byte %d)", se, se.Offset)
		}
		if errors.Is(err, io.EOF) {
			return errors.New("the body is empty")
		}
		return fmt.Errorf("not the expected JSON: %v", strings.TrimPrefix(err.Error(), "json: "))
	}
	if d.More() {
		return errors.New("more than one JSON value in the body")
	}
	return nil
}
