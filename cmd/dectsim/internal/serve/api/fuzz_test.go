package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/dectsim/dectsim/cmd/dectsim/internal/serve"
	"github.com/dectsim/dectsim/cmd/dectsim/internal/serve/api"
	"github.com/dectsim/dectsim/emulator/scenario"
)

// FuzzAPINeverAnswers500: whatever method, path and body a client sends,
// the answer is JSON and never a 500 (in process, so the world is the
// same across inputs, as a live emulator's is across requests).
func FuzzAPINeverAnswers500(f *testing.F) {
	sc, err := scenario.Parse("site.xml", []byte(story))
	if err != nil {
		f.Fatal(err)
	}
	w, err := serve.New(serve.Config{Scenarios: []*scenario.Scenario{sc}})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(w.Close)
	h := api.New(w, http.NotFoundHandler())
	for _, c := range []struct {
		m    uint8
		path string
		body string
	}{
		{1, "/api/advance", `{"by": "1h"}`},
		{1, "/api/advance", `{"next": true}`},
		{1, "/api/systems/" + mac + "/steps", `[{"step": "move", "ipui": "02b6ec8aa5", "range": "out"}]`},
		{1, "/api/systems/" + mac + "/steps", `<expect ghosts="0"/>`},
		{1, "/api/systems/" + mac + "/steps", `[{"step": "base", "id": "base1", "state": "down"}, {"step": "dm", "id": "local", "state": "up"}]`},
		{0, "/api/systems/" + mac + "/dms", ``},
		{1, "/api/systems/" + mac + "/provision", `<provisioning version="1.1" productID="e2"><nvm/></provisioning>`},
		{0, "/api/systems/" + mac + "/events?since=1&limit=2", ``},
		{0, "/api/systems", ``},
		{2, "/api/readings", `x`},
	} {
		f.Add(c.m, c.path, []byte(c.body))
	}
	methods := []string{"GET", "POST", "PUT", "DELETE", "HEAD", "PATCH"}
	f.Fuzz(func(t *testing.T, m uint8, path string, body []byte) {
		if !strings.HasPrefix(path, "/api/") {
			path = "/api/" + path
		}
		req, err := http.NewRequest(methods[int(m)%len(methods)], "http://x"+path, bytes.NewReader(body))
		if err != nil {
			return // not a request a client could send
		}
		// No move of more than a day, so the world stays small.
		if strings.Contains(path, "advance") && !bytes.Contains(body, []byte(`"next"`)) && !bytes.Contains(body, []byte(`"1h"`)) {
			body = []byte(`{"by": "1m"}`)
			req.Body = io.NopCloser(bytes.NewReader(body))
		}
		// A stream ends when its client leaves: here, after a moment.
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		req = req.WithContext(ctx)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 && rec.Code != http.StatusServiceUnavailable {
			t.Fatalf("%s %s %q: %d %s", req.Method, path, body, rec.Code, rec.Body.Bytes())
		}
		// A path that is not clean (/api/./x) is redirected to its clean
		// form, as net/http does; every other answer is JSON.
		redirect := rec.Code >= 300 && rec.Code < 400
		stream := rec.Header().Get("Content-Type") == "text/event-stream"
		if !redirect && !stream && req.Method != "HEAD" && !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("%s %s: the answer is not JSON: %q", req.Method, path, rec.Body.Bytes())
		}
	})
}
