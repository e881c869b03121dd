package autoprov_test

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dectsim/dectsim/emulator/autoprov"
	"github.com/dectsim/dectsim/emulator/system"
)

const (
	testMAC      = "7C2F80A1B2C3"
	testMACLower = "7c2f80a1b2c3"
	// okParam is what okFile sets; its presence says a file was applied.
	okParam = "SipProvider.1.Name"
)

var t0 = time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)

// doc wraps nvm content in a provisioning document.
func doc(nvm string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<provisioning version="1.1" productID="e2">
  <nvm>
` + nvm + `
  </nvm>
</provisioning>
`
}

var okFile = doc(`    <param name="` + okParam + `" value="pbx"/>`)

func newSys(t *testing.T, opts ...system.Option) *system.System {
	t.Helper()
	sys, err := system.New(append([]system.Option{system.WithMAC(testMAC), system.WithStart(t0)}, opts...)...)
	require.NoError(t, err)
	return sys
}

func attach(t *testing.T, sys *system.System, cfg autoprov.Config) *autoprov.Fetcher {
	t.Helper()
	f, err := autoprov.Attach(sys, cfg)
	require.NoError(t, err)
	t.Cleanup(f.Close)
	return f
}

func fetchEvents(sys *system.System) []system.Event {
	var out []system.Event
	for _, e := range sys.Events() {
		if e.Type == system.EvFetch {
			out = append(out, e)
		}
	}
	return out
}

func eventTypes(sys *system.System) []string {
	var out []string
	for _, e := range sys.Events() {
		out = append(out, e.Type)
	}
	return out
}

func paths(reqs []autoprov.Request) []string {
	var out []string
	for _, r := range reqs {
		i := strings.Index(r.URL[len("http://"):], "/")
		out = append(out, r.URL[len("http://")+i:])
	}
	return out
}

func authUsers(reqs []autoprov.Request) []string {
	var out []string
	for _, r := range reqs {
		out = append(out, r.AuthUser)
	}
	return out
}

// serveBody answers every request with body.
func serveBody(body string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		_, _ = w.Write([]byte(body))
	})
}

// switchable is a handler that a test can replace while the server runs,
// to make a failing server recover.
type switchable struct {
	mu sync.Mutex
	h  http.Handler
}

func newSwitchable(h http.Handler) *switchable { return &switchable{h: h} }

func (s *switchable) set(h http.Handler) {
	s.mu.Lock()
	s.h = h
	s.mu.Unlock()
}

func (s *switchable) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	h := s.h
	s.mu.Unlock()
	h.ServeHTTP(w, r)
}

// newServer starts a test server for h, closed when the test ends.
func newServer(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// digestAuth guards next with HTTP Digest, accepting only user/pass. It is
// written from RFC 7616 independently of the code under test.
type digestAuth struct {
	realm, user, pass, alg string
	next                   http.Handler

	mu     sync.Mutex
	nonces int
	seen   []string // Authorization headers received
}

func (d *digestAuth) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := r.Header.Get("Authorization")
	d.mu.Lock()
	d.seen = append(d.seen, h)
	d.nonces++
	nonce := fmt.Sprintf("n%d", d.nonces)
	d.mu.Unlock()
	if h != "" && d.verify(r, h) {
		d.next.ServeHTTP(w, r)
		return
	}
	alg := ""
	if d.alg != "" {
		alg = ", algorithm=" + d.alg
	}
	w.Header().Add("WWW-Authenticate", fmt.Sprintf(`Digest realm="%s", qop="auth", nonce="%s", opaque="op"%s`, d.realm, nonce, alg))
	w.WriteHeader(http.StatusUnauthorized)
}

// headers returns the Authorization headers received so far.
func (d *digestAuth) headers() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.seen...)
}

var digestParam = regexp.MustCompile(`(\w+)=(?:"([^"]*)"|([^,\s]*))`)

func (d *digestAuth) verify(r *http.Request, h string) bool {
	if !strings.HasPrefix(h, "Digest ") {
		return false
	}
	p := map[string]string{}
	for _, m := range digestParam.FindAllStringSubmatch(h[len("Digest "):], -1) {
		p[m[1]] = m[2] + m[3]
	}
	var nh func() hash.Hash = md5.New
	if d.alg == "SHA-256" {
		nh = sha256.New
	}
	H := func(s string) string {
		x := nh()
		x.Write([]byte(s))
		return hex.EncodeToString(x.Sum(nil))
	}
	if p["username"] != d.user || p["uri"] != r.RequestURI || p["opaque"] != "op" || p["qop"] != "auth" || p["cnonce"] == "" || p["nc"] == "" {
		return false
	}
	ha1 := H(d.user + ":" + d.realm + ":" + d.pass)
	ha2 := H(r.Method + ":" + p["uri"])
	return p["response"] == H(ha1+":"+p["nonce"]+":"+p["nc"]+":"+p["cnonce"]+":auth:"+ha2)
}

// settle runs the boot fetch and applies its result.
func settle(t *testing.T, sys *system.System) {
	t.Helper()
	require.NoError(t, sys.Advance(0))
	require.NoError(t, sys.Advance(autoprov.DefaultLatency))
}
