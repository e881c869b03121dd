package serve

import (
	"net/http"

	"github.com/dectsim/dectsim/internal/provfile"
	"github.com/dectsim/dectsim/internal/textio/readahead"
)

// servingReads wraps the systems' HTTP client so that while the world's
// goroutine waits for the server under test, it answers Read calls.
func (w *World) servingReads(c *http.Client) *http.Client {
	inner := c.Transport
	if inner == nil {
		inner = http.DefaultTransport
	}
	cp := *c
	cp.Transport = &servingTransport{w: w, inner: inner, max: int64(provfile.DefaultLimits.MaxBytes)}
	return &cp
}

// servingTransport makes the exchange on another goroutine, the body read
// too (at most max+1 bytes, the most a fetch reads: a server may ask the
// emulator something after it has begun to answer), and meanwhile serves
// the world's reads.
type servingTransport struct {
	w     *World
	inner http.RoundTripper
	max   int64
}

type exchange struct {
	resp *http.Response
	err  error
}

func (t *servingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	got := make(chan exchange, 1)
	go func() {
		resp, err := t.inner.RoundTrip(req)
		if err == nil {
			readahead.Body(resp, t.max)
		}
		got <- exchange{resp, err}
	}()
	for {
		select {
		case x := <-got:
			return x.resp, x.err
		case c := <-t.w.reads:
			c.done <- t.w.run(c.fn)
		}
	}
}

// ServeReadsWhile runs f, a network exchange the world's goroutine must
// wait for (a system's SIP REGISTER), on a goroutine of its own, and
// meanwhile answers the reads queued for the world, as a fetch does: a
// registrar that is slow to answer holds the systems, not the API's
// reads. Call it only on the world's goroutine.
func (w *World) ServeReadsWhile(f func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	for {
		select {
		case <-done:
			return
		case c := <-w.reads:
			c.done <- w.run(c.fn)
		}
	}
}
