package autoprov_test

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dectsim/dectsim/emulator/autoprov"
	"github.com/dectsim/dectsim/emulator/system"
)

// assertFault attaches a fetcher with cfg, runs the boot check and checks
// that it failed with reason and changed nothing; then heal makes the
// server answer okFile and the next scheduled check must apply it.
func assertFault(t *testing.T, cfg autoprov.Config, reason string, heal func(), extra ...string) {
	t.Helper()
	sys := newSys(t)
	_, err := sys.Apply("seed.xml", []byte(doc(`<oper name="add_hs" value="029e74a599"><param name="hs.RegStatus" value="ToReg"/></oper>
<param name="Some.global.Thing" value="1"/>`)))
	require.NoError(t, err)
	start := sys.EventCount()
	f := attach(t, sys, cfg)
	before := sys.Snapshot()

	settle(t, sys)

	evs := fetchEvents(sys)
	require.Len(t, evs, 1, "one fetch event per check")
	require.Equal(t, "error", evs[0].Outcome)
	require.Equal(t, reason, evs[0].Reason, evs[0].Detail)
	t.Logf("fetch %s: %s", evs[0].Reason, evs[0].Detail)
	require.Equal(t, t0.Add(autoprov.DefaultLatency), evs[0].Time)
	var types []string
	for _, e := range sys.EventsSince(start) {
		types = append(types, e.Type)
	}
	require.Equal(t, append([]string{system.EvFetch}, extra...), types)

	after := sys.Snapshot()
	require.Equal(t, before.Now.Add(autoprov.DefaultLatency), after.Now)
	after.Now = before.Now
	require.Equal(t, before, after, "a failed fetch changes nothing")
	_, ok := sys.Setting(okParam)
	require.False(t, ok)

	heal()
	next, ok := f.NextCheck()
	require.True(t, ok)
	require.True(t, next.After(sys.Now()))
	require.NoError(t, sys.AdvanceTo(next.Add(autoprov.DefaultLatency)))
	evs = fetchEvents(sys)
	require.Len(t, evs, 2)
	require.Equal(t, "ok", evs[1].Outcome, evs[1].Detail)
	v, ok := sys.Setting(okParam)
	require.True(t, ok, "the next scheduled check retries")
	require.Equal(t, "pbx", v)
}

func TestFetchFailsWhenServerUnreachableAndRetriesAtNextCheck(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close()) // nothing listens there now

	assertFault(t, autoprov.Config{URL: "http://" + addr + "/p.xml"}, autoprov.ReasonUnreachable, func() {
		srv := httptest.NewUnstartedServer(serveBody(okFile))
		ln, err := net.Listen("tcp", addr)
		require.NoError(t, err)
		srv.Listener.Close()
		srv.Listener = ln
		srv.Start()
		t.Cleanup(srv.Close)
	})
}

func TestFetchTimesOutOnSilentServer(t *testing.T) {
	release := make(chan struct{})
	sw := newSwitchable(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	srv := newServer(t, sw)
	t.Cleanup(func() { close(release) }) // runs before srv.Close
	start := time.Now()
	assertFault(t, autoprov.Config{URL: srv.URL + "/p.xml", Client: srv.Client(), Timeout: 250 * time.Millisecond},
		autoprov.ReasonTimeout, func() { sw.set(serveBody(okFile)) })
	require.Less(t, time.Since(start), 5*time.Second)
}

func TestFetchTimesOutOnSlowBody(t *testing.T) {
	release := make(chan struct{})
	sw := newSwitchable(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		_, _ = w.Write([]byte(okFile[:40]))
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
		_, _ = w.Write([]byte(okFile[40:]))
	}))
	srv := newServer(t, sw)
	t.Cleanup(func() { close(release) })
	assertFault(t, autoprov.Config{URL: srv.URL + "/p.xml", Client: srv.Client(), Timeout: 250 * time.Millisecond},
		autoprov.ReasonTimeout, func() { sw.set(serveBody(okFile)) })
}

func TestFetchFailsOnRedirectLoop(t *testing.T) {
	sw := newSwitchable(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/p.xml", http.StatusFound)
	}))
	srv := newServer(t, sw)
	cfg := autoprov.Config{URL: srv.URL + "/p.xml", Client: srv.Client()}
	assertFault(t, cfg, autoprov.ReasonRedirectLoop, func() { sw.set(serveBody(okFile)) })
}

func TestRedirectLoopStopsAfterTenRedirects(t *testing.T) {
	var n atomic.Int32
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/hop"+strconv.Itoa(int(n.Add(1))), http.StatusMovedPermanently)
	}))
	sys := newSys(t)
	f := attach(t, sys, autoprov.Config{URL: srv.URL + "/start", Client: srv.Client()})
	settle(t, sys)
	reqs := f.Requests()
	require.Len(t, reqs, 1+autoprov.MaxRedirects)
	for _, r := range reqs {
		require.Equal(t, autoprov.UserAgent(sys.Product(), sys.Firmware(), sys.MAC()), r.UserAgent, "the UA is kept across redirects")
		require.Equal(t, http.StatusMovedPermanently, r.Status)
	}
	require.Equal(t, autoprov.ReasonRedirectLoop, fetchEvents(sys)[0].Reason)
}

func TestFetchFailsUnauthorizedWithoutValidCredentials(t *testing.T) {
	auth := &digestAuth{realm: "prov", user: "admin", pass: "s3cret", next: serveBody(okFile)}
	sw := newSwitchable(auth)
	srv := newServer(t, sw)
	cfg := autoprov.Config{URL: srv.URL + "/p.xml", Client: srv.Client(), User: "admin", Password: "wrong"}
	assertFault(t, cfg, autoprov.ReasonUnauthorized, func() { sw.set(serveBody(okFile)) })
}

func TestFetchFailsOn404(t *testing.T) {
	sw := newSwitchable(http.NotFoundHandler())
	srv := newServer(t, sw)
	assertFault(t, autoprov.Config{URL: srv.URL + "/p.xml", Client: srv.Client()}, "status-404", func() { sw.set(serveBody(okFile)) })
}

func TestFetchFailsOn500(t *testing.T) {
	sw := newSwitchable(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "boom", http.StatusInternalServerError)
	}))
	srv := newServer(t, sw)
	assertFault(t, autoprov.Config{URL: srv.URL + "/p.xml", Client: srv.Client()}, autoprov.StatusReason(500), func() { sw.set(serveBody(okFile)) })
}

func TestFetchFailsOnTruncatedBody(t *testing.T) {
	sw := newSwitchable(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Announce the whole file, send a part: the server closes the
		// connection early.
		w.Header().Set("Content-Length", strconv.Itoa(len(okFile)))
		_, _ = w.Write([]byte(okFile[:len(okFile)/2]))
	}))
	srv := newServer(t, sw)
	assertFault(t, autoprov.Config{URL: srv.URL + "/p.xml", Client: srv.Client()}, autoprov.ReasonTruncated, func() { sw.set(serveBody(okFile)) })
}

func TestFetchFailsOnBodyCutByHijack(t *testing.T) {
	sw := newSwitchable(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: 500\r\n\r\n<provisioning")
		_ = buf.Flush()
	}))
	srv := newServer(t, sw)
	assertFault(t, autoprov.Config{URL: srv.URL + "/p.xml", Client: srv.Client()}, autoprov.ReasonTruncated, func() { sw.set(serveBody(okFile)) })
}

func TestFetchFailsOnOversizedBody(t *testing.T) {
	big := doc(strings.Repeat(`<param name="X.global.Y" value="0123456789"/>`+"\n", 100))
	for _, announce := range []bool{true, false} {
		t.Run("content-length="+strconv.FormatBool(announce), func(t *testing.T) {
			sw := newSwitchable(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if announce {
					w.Header().Set("Content-Length", strconv.Itoa(len(big)))
				} else {
					w.(http.Flusher).Flush() // chunked: the size shows only while reading
				}
				_, _ = w.Write([]byte(big))
			}))
			srv := newServer(t, sw)
			cfg := autoprov.Config{URL: srv.URL + "/p.xml", Client: srv.Client(), MaxBody: int64(len(okFile) + 10)}
			assertFault(t, cfg, autoprov.ReasonTooLarge, func() { sw.set(serveBody(okFile)) })
		})
	}
}

func TestFetchRejectedOnBadXML(t *testing.T) {
	sw := newSwitchable(serveBody(`<provisioning version="1.1" productID="e2"><nvm><param name="A.b.c" value="1"></nvm>`))
	srv := newServer(t, sw)
	assertFault(t, autoprov.Config{URL: srv.URL + "/p.xml", Client: srv.Client()}, autoprov.ReasonRejected,
		func() { sw.set(serveBody(okFile)) }, system.EvProvisioningRejected)
}

func TestFetchRejectedOnWrongProductID(t *testing.T) {
	sw := newSwitchable(serveBody(strings.Replace(okFile, `productID="e2"`, `productID="e1"`, 1)))
	srv := newServer(t, sw)
	assertFault(t, autoprov.Config{URL: srv.URL + "/p.xml", Client: srv.Client()}, autoprov.ReasonRejected,
		func() { sw.set(serveBody(okFile)) }, system.EvProvisioningRejected)
}

func TestRejectedFetchIsLoggedBeforeTheRejection(t *testing.T) {
	srv := newServer(t, serveBody(`<ProviderFrame>`))
	sys := newSys(t)
	attach(t, sys, autoprov.Config{URL: srv.URL + "/p.xml", Client: srv.Client()})
	settle(t, sys)
	evs := sys.Events()
	require.Len(t, evs, 2)
	require.Equal(t, system.EvFetch, evs[0].Type)
	require.Equal(t, autoprov.ReasonRejected, evs[0].Reason)
	require.Equal(t, system.EvProvisioningRejected, evs[1].Type)
	require.Equal(t, srv.URL+"/p.xml", evs[1].File)
	require.Equal(t, evs[0].Time, evs[1].Time)
}

func TestFetchFailsOnBadURLFromSetting(t *testing.T) {
	sys := newSys(t)
	f := attach(t, sys, autoprov.Config{Handler: serveBody(doc(`<param name="Provisioning.global.ProvisioningServer" value="ftp://x/y"/>`)), URL: "http://prov.test/p.xml"})
	settle(t, sys)
	require.Equal(t, "ftp://x/y", f.URL())
	next, _ := f.NextCheck()
	require.NoError(t, sys.AdvanceTo(next.Add(time.Second)))
	evs := fetchEvents(sys)
	require.Len(t, evs, 2)
	require.Equal(t, autoprov.ReasonBadURL, evs[1].Reason)
	require.Len(t, f.Requests(), 1, "a bad URL touches no network")
}
