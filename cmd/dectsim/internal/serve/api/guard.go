package api

import (
	"net"
	"net/http"
	"strings"
)

// crossOrigin refuses a browser's request that changes something when it
// comes from another origin's page: a site the tester happens to visit
// must not drive the emulator (cross-site request forgery). Reads, and
// clients that are not browsers (curl, a test suite), are let through.
func crossOrigin(h http.Handler) http.Handler {
	p := http.NewCrossOriginProtection()
	p.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fail(w, http.StatusForbidden, "a page of another origin may not %s %s here (cross-origin request refused)", r.Method, r.URL.Path)
	}))
	return p.Handler(h)
}

// LoopbackOnly refuses a request whose Host is not a loopback address or
// localhost (421 Misdirected Request). An emulator that listens on
// loopback is then out of reach of a page whose name was rebound to
// 127.0.0.1 (DNS rebinding), which could otherwise read the systems'
// settings, SIP passwords included.
func LoopbackOnly(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !loopbackHost(r.Host) {
			fail(w, http.StatusMisdirectedRequest, "this emulator answers only requests for a loopback address or localhost, not for %q", r.Host)
			return
		}
		h.ServeHTTP(w, r)
	})
}

func loopbackHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.Trim(host, "[]"), ".")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
