package dectsimtest

import (
	"net/http"

	"github.com/dectsim/dectsim/emulator/autoprov"
	"github.com/dectsim/dectsim/internal/provfile"
	"github.com/dectsim/dectsim/internal/textio/readahead"
)

// wrapExchange makes every exchange with the server under test release
// the Sim while the server answers, so that a handler which reads the Sim
// (to serve by simulated date, say) neither deadlocks nor times out.
func (s *Sim) wrapExchange(cfg *autoprov.Config) {
	if h := cfg.Handler; h != nil {
		cfg.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if s.release() {
				defer s.reacquire()
			}
			h.ServeHTTP(w, r)
		})
		return
	}
	base := cfg.Client
	if base == nil {
		base = &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
		s.ownClient = base
	}
	inner := base.Transport
	if inner == nil {
		inner = http.DefaultTransport
	}
	max := cfg.MaxBody
	if max <= 0 {
		max = int64(provfile.DefaultLimits.MaxBytes)
	}
	cp := *base
	cp.Transport = &releasingTransport{s: s, inner: inner, max: max}
	cfg.Client = &cp
}

// release lets go of the Sim for the server's answer, if a driving call
// holds it; it reports whether it did.
func (s *Sim) release() bool {
	if !s.driving.Load() || s.fetching.Load() {
		return false
	}
	s.fetching.Store(true)
	s.mu.Unlock()
	return true
}

func (s *Sim) reacquire() {
	s.mu.Lock()
	s.fetching.Store(false)
}

// releasingTransport releases the Sim for the whole answer, body
// included: the body is read (at most max+1 bytes, the most the fetcher
// reads) before the Sim is taken back, since a handler may read the Sim
// after it has begun to write.
type releasingTransport struct {
	s     *Sim
	inner http.RoundTripper
	max   int64
}

func (t *releasingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.s.release() {
		defer t.s.reacquire()
	}
	resp, err := t.inner.RoundTrip(req)
	if err == nil {
		readahead.Body(resp, t.max)
	}
	return resp, err
}
