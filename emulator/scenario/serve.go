package scenario

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"time"
)

// server is the scenario's own HTTP server: it answers the paths its
// <serve> elements name, so a fetch story (a server that fails, then
// recovers) fits in one file.
type server struct {
	mu     sync.Mutex
	routes map[string]Serve
	closed chan struct{}
	srv    *httptest.Server
	tr     *http.Transport
}

// client reaches the server under any host name, so URLs can name
// ServeHost instead of the run's random port.
func (s *server) client() *http.Client {
	addr := s.srv.Listener.Addr().String()
	s.tr = &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "tcp", addr)
	}}
	return &http.Client{Transport: s.tr}
}

func newServer(serves []Serve) *server {
	s := &server{routes: make(map[string]Serve), closed: make(chan struct{})}
	for _, sv := range serves {
		s.routes[sv.Path] = sv
	}
	s.srv = httptest.NewServer(s)
	return s
}

func (s *server) set(sv Serve) {
	s.mu.Lock()
	s.routes[sv.Path] = sv
	s.mu.Unlock()
}

func (s *server) URL() string { return s.srv.URL }

// Close stops the server; delayed answers are cut short so nothing waits.
func (s *server) Close() {
	close(s.closed)
	if s.tr != nil {
		s.tr.CloseIdleConnections()
	}
	s.srv.Close()
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	sv, ok := s.routes[r.URL.Path]
	s.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	if sv.Delay > 0 {
		t := time.NewTimer(sv.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return
		case <-s.closed:
			return
		}
	}
	body := sv.Body
	if sv.Truncate > 0 && sv.Truncate < len(body) {
		// Announce the whole body, send part of it: the client sees the
		// connection end early.
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(sv.Status)
		_, _ = w.Write(body[:sv.Truncate])
		return
	}
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(sv.Status)
	_, _ = w.Write(body)
}
