package autoprov_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dectsim/dectsim/emulator/autoprov"
)

func statuses(reqs []autoprov.Request) []int {
	var out []int
	for _, r := range reqs {
		out = append(out, r.Status)
	}
	return out
}

func TestDigestTriesMACCredentialsThenConfiguredOnes(t *testing.T) {
	for _, alg := range []string{"", "MD5", "SHA-256"} {
		t.Run("algorithm="+alg, func(t *testing.T) {
			auth := &digestAuth{realm: "prov", user: "admin", pass: "s3cret", alg: alg, next: serveBody(okFile)}
			srv := newServer(t, auth)
			sys := newSys(t)
			f := attach(t, sys, autoprov.Config{URL: srv.URL + "/p.xml", Client: srv.Client(), User: "admin", Password: "s3cret"})
			settle(t, sys)
			reqs := f.Requests()
			require.Equal(t, []string{"", testMAC, "admin"}, authUsers(reqs))
			require.Equal(t, []int{401, 401, 200}, statuses(reqs))
			require.Equal(t, "ok", fetchEvents(sys)[0].Outcome)
			v, _ := sys.Setting(okParam)
			require.Equal(t, "pbx", v)
		})
	}
}

func TestDigestWithMACCredentials(t *testing.T) {
	auth := &digestAuth{realm: "prov", user: testMAC, pass: testMAC, alg: "SHA-256", next: serveBody(okFile)}
	sys := newSys(t)
	f := attach(t, sys, autoprov.Config{URL: "http://prov.test/p.xml", Handler: auth, User: "admin", Password: "x"})
	settle(t, sys)
	require.Equal(t, []string{"", testMAC}, authUsers(f.Requests()))
	require.Equal(t, "ok", fetchEvents(sys)[0].Outcome)
}

func TestDigestWithoutConfiguredCredentialsStopsAfterMAC(t *testing.T) {
	auth := &digestAuth{realm: "prov", user: "admin", pass: "s3cret", next: serveBody(okFile)}
	sys := newSys(t)
	f := attach(t, sys, autoprov.Config{URL: "http://prov.test/p.xml", Handler: auth})
	settle(t, sys)
	require.Equal(t, []string{"", testMAC}, authUsers(f.Requests()))
	ev := fetchEvents(sys)[0]
	require.Equal(t, autoprov.ReasonUnauthorized, ev.Reason)
	require.Contains(t, ev.Detail, "401 after trying user "+testMAC+" (no user and password are configured)")
}

func TestUnauthorizedFetchSaysWhichUserNamesWereTried(t *testing.T) {
	auth := &digestAuth{realm: "prov", user: "alice", pass: "s3cret", next: serveBody(okFile)}
	sys := newSys(t)
	f := attach(t, sys, autoprov.Config{URL: "http://prov.test/p.xml", Handler: auth, User: "admin", Password: "wrong"})
	settle(t, sys)
	require.Equal(t, []string{"", testMAC, "admin"}, authUsers(f.Requests()))
	ev := fetchEvents(sys)[0]
	require.Equal(t, autoprov.ReasonUnauthorized, ev.Reason)
	require.Contains(t, ev.Detail, "401 after trying users "+testMAC+", admin")
}

func TestCredentialsInTheURLAreDigestCredentials(t *testing.T) {
	auth := &digestAuth{realm: "prov", user: "admin", pass: "s3cret", next: serveBody(okFile)}
	srv := newServer(t, auth)
	sys := newSys(t)
	raw := strings.Replace(srv.URL, "http://", "http://admin:s3cret@", 1) + "/p.xml"
	f := attach(t, sys, autoprov.Config{URL: raw, Client: srv.Client()})
	settle(t, sys)
	reqs := f.Requests()
	require.Equal(t, []string{"", testMAC, "admin"}, authUsers(reqs))
	for _, r := range reqs {
		require.NotContains(t, r.URL, "s3cret")
	}
	for _, h := range auth.headers() {
		require.False(t, strings.HasPrefix(h, "Basic"), "never Basic credentials")
	}
	require.NotContains(t, fetchEvents(sys)[0].Detail, "s3cret")
	require.Equal(t, raw, f.URL())
}

// A redirect server hands out the customer server's credentials in the
// URL (the vendor's redirect-service documentation); once a download succeeded with them, the
// device keeps them.
func TestRedirectHandsOutCredentials(t *testing.T) {
	auth := &digestAuth{realm: "prov", user: "cust", pass: "pw", next: serveBody(okFile)}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Host == "redirect.test" {
			http.Redirect(w, r, "http://cust:pw@customer.test/"+testMACLower+".xml", http.StatusFound)
			return
		}
		auth.ServeHTTP(w, r)
	})
	sys := newSys(t)
	f := attach(t, sys, autoprov.Config{URL: "http://redirect.test/device", Handler: h})
	settle(t, sys)
	reqs := f.Requests()
	require.Equal(t, []string{"", "", testMAC, "cust"}, authUsers(reqs))
	require.Equal(t, "http://customer.test/"+testMACLower+".xml", reqs[1].URL)
	require.Equal(t, "ok", fetchEvents(sys)[0].Outcome)
}

func TestStaleNonceRetriesSameCredentials(t *testing.T) {
	auth := &digestAuth{realm: "prov", user: "admin", pass: "pw", next: serveBody(okFile)}
	stale := true
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if stale && strings.Contains(r.Header.Get("Authorization"), `username="admin"`) {
			stale = false
			w.Header().Set("WWW-Authenticate", `Digest realm="prov", qop="auth", nonce="fresh", opaque="op", stale=true`)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		auth.ServeHTTP(w, r)
	})
	sys := newSys(t)
	f := attach(t, sys, autoprov.Config{URL: "http://prov.test/p.xml", Handler: h, User: "admin", Password: "pw"})
	settle(t, sys)
	require.Equal(t, []string{"", testMAC, "admin", "admin"}, authUsers(f.Requests()))
	require.Equal(t, "ok", fetchEvents(sys)[0].Outcome)
}

func TestDigestOnEveryRedirectHop(t *testing.T) {
	auth := &digestAuth{realm: "prov", user: testMAC, pass: testMAC, next: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/a" {
			http.Redirect(w, r, "/b", http.StatusTemporaryRedirect)
			return
		}
		_, _ = w.Write([]byte(okFile))
	})}
	sys := newSys(t)
	f := attach(t, sys, autoprov.Config{URL: "http://prov.test/a", Handler: auth})
	settle(t, sys)
	reqs := f.Requests()
	require.Equal(t, []string{"", testMAC, "", testMAC}, authUsers(reqs))
	require.Equal(t, []int{401, 307, 401, 200}, statuses(reqs))
	require.Equal(t, "ok", fetchEvents(sys)[0].Outcome, fmt.Sprint(reqs))
}
