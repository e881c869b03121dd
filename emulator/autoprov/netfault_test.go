package autoprov_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dectsim/dectsim/emulator/autoprov"
)

// raw answers every connection with resp, written as it is, then closes
// it; with reset the close is an RST (SO_LINGER 0) instead of a FIN.
func raw(t *testing.T, resp string, reset bool) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func(c net.Conn) {
				// Read the request head, so the answer is to it.
				buf := make([]byte, 4096)
				_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
				var got []byte
				for !bytes.Contains(got, []byte("\r\n\r\n")) {
					n, err := c.Read(buf)
					got = append(got, buf[:n]...)
					if err != nil {
						break
					}
				}
				_, _ = io.WriteString(c, resp)
				if reset {
					_ = c.(*net.TCPConn).SetLinger(0)
				}
				_ = c.Close()
			}(c)
		}
	}()
	return "http://" + ln.Addr().String()
}

func gzipOf(t *testing.T, b []byte) []byte {
	var z bytes.Buffer
	w := gzip.NewWriter(&z)
	_, err := w.Write(b)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	return z.Bytes()
}

// endless writes a body that never ends until the client goes.
type endless struct{}

func (endless) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	chunk := bytes.Repeat([]byte("<!-- x -->"), 1<<12)
	for r.Context().Err() == nil {
		if _, err := w.Write(chunk); err != nil {
			return
		}
	}
}

// portRE finds an address with a port other than the server's own.
var portRE = regexp.MustCompile(`\d+\.\d+\.\d+\.\d+:\d+|\[[0-9a-f:]+\]:\d+`)

// TestHTTPFaults: every way a server or the network can fail a fetch ends
// in one fetch event with its reason and a detail in fixed words that
// names the server by its URL and no socket of the emulator's own; the
// system is left as it was, and memory stays within the body limit.
func TestHTTPFaults(t *testing.T) {
	const maxBody = 1 << 20
	okGz := gzipOf(t, []byte(okFile))
	bomb := gzipOf(t, bytes.Repeat([]byte(" "), 64<<20)) // 64 MiB of spaces in some 64 KiB
	closed := func() string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		addr := ln.Addr().String()
		require.NoError(t, ln.Close())
		return "http://" + addr
	}
	handler := func(h http.HandlerFunc) func(t *testing.T) (string, *http.Client) {
		return func(t *testing.T) (string, *http.Client) {
			srv := newServer(t, h)
			return srv.URL, srv.Client()
		}
	}
	rawServer := func(resp string, reset bool) func(t *testing.T) (string, *http.Client) {
		return func(t *testing.T) (string, *http.Client) { return raw(t, resp, reset), nil }
	}
	for _, c := range []struct {
		name   string
		server func(t *testing.T) (base string, client *http.Client)
		reason string
		detail string // what follows "GET <url>: " ("" when the fetch is ok)
	}{
		{name: "nothing listens", server: func(t *testing.T) (string, *http.Client) { return closed(), nil },
			reason: autoprov.ReasonUnreachable, detail: "connection refused"},
		{name: "reset before the answer", server: rawServer("", true),
			reason: autoprov.ReasonUnreachable, detail: "connection reset"},
		{name: "closed before the answer", server: rawServer("", false),
			reason: autoprov.ReasonUnreachable, detail: "connection closed without an answer"},
		{name: "reset in the body", server: rawServer("HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n<provisioning", true),
			reason: autoprov.ReasonTruncated, detail: "the body broke off after 13 bytes: connection reset"},
		{name: "closed in the body", server: rawServer("HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n<provisioning", false),
			reason: autoprov.ReasonTruncated, detail: "the body broke off after 13 bytes: connection closed before the answer was complete"},
		{name: "not HTTP", server: rawServer("SSH-2.0-OpenSSH\r\n\r\n", false),
			reason: autoprov.ReasonUnreachable, detail: `net/http: HTTP/1.x transport connection broken: malformed HTTP response "SSH-2.0-OpenSSH"`},
		{name: "escape sequences in the reason phrase", server: rawServer("HTTP/1.1 404 Not\x1b[2J\x1b]0;x\x07Found\r\nContent-Length: 0\r\n\r\n", false),
			reason: autoprov.StatusReason(404), detail: "404 Not\x1b[2J\x1b]0;x\x07Found"},
		{name: "redirect to a Location that does not parse", server: rawServer("HTTP/1.1 302 Found\r\nLocation: http://[::1\r\nContent-Length: 0\r\n\r\n", false),
			reason: autoprov.ReasonBadURL, detail: `redirect to an unusable Location "http://[::1"`},
		{name: "redirect to another scheme", server: rawServer("HTTP/1.1 302 Found\r\nLocation: ftp://prov.test/p.xml\r\nContent-Length: 0\r\n\r\n", false),
			reason: autoprov.ReasonBadURL, detail: `redirect to an unusable Location "ftp://prov.test/p.xml"`},
		{name: "gzip that is not gzip", server: rawServer("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 13\r\n\r\n<provisioning", false),
			reason: autoprov.ReasonBadEncoding, detail: "the body says Content-Encoding: gzip but is not gzip data"},
		{name: "gzip that is gzip", server: rawServer("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: "+strconv.Itoa(len(okGz))+"\r\n\r\n"+string(okGz), false)},
		{name: "gzip bomb", server: handler(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Encoding", "gzip")
			_, _ = w.Write(bomb)
		}), reason: autoprov.ReasonTooLarge, detail: "the body is over the limit of 1048576 bytes"},
		{name: "endless body", server: func(t *testing.T) (string, *http.Client) {
			srv := newServer(t, endless{})
			return srv.URL, srv.Client()
		}, reason: autoprov.ReasonTooLarge, detail: "the body is over the limit of 1048576 bytes"},
		{name: "plain HTTP where TLS is expected", server: func(t *testing.T) (string, *http.Client) {
			srv := newServer(t, serveBody(okFile))
			return strings.Replace(srv.URL, "http://", "https://", 1), nil
		}, reason: autoprov.ReasonTLS, detail: "TLS failure: the server does not speak TLS"},
		{name: "unknown certificate authority", server: func(t *testing.T) (string, *http.Client) {
			srv := httptest.NewUnstartedServer(serveBody(okFile))
			srv.Config.ErrorLog = log.New(io.Discard, "", 0)
			srv.StartTLS()
			t.Cleanup(srv.Close)
			return srv.URL, nil
		}, reason: autoprov.ReasonTLS, detail: "TLS failure: certificate signed by an unknown authority"},
		{name: "no such host", server: func(t *testing.T) (string, *http.Client) {
			tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				return nil, &net.OpError{Op: "dial", Net: network, Source: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 52972},
					Err: &net.DNSError{Err: "no such host", Name: "prov.invalid", Server: "127.0.0.53:53", IsNotFound: true}}
			}}
			return "http://prov.invalid", &http.Client{Transport: tr}
		}, reason: autoprov.ReasonUnreachable, detail: "DNS failure: no such host"},
	} {
		t.Run(c.name, func(t *testing.T) {
			base, client := c.server(t)
			url := base + "/p.xml"
			sys := newSys(t)
			_, err := sys.Apply("seed.xml", []byte(doc(`<oper name="add_hs" value="029e74a599"/>`)))
			require.NoError(t, err)
			f := attach(t, sys, autoprov.Config{URL: url, Client: client, MaxBody: maxBody, Timeout: 2 * time.Second})
			before := sys.Snapshot()
			var ms0, ms1 runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&ms0)
			settle(t, sys)
			runtime.ReadMemStats(&ms1)
			require.Less(t, ms1.TotalAlloc-ms0.TotalAlloc, uint64(16*maxBody), "bytes allocated (server included)")

			evs := fetchEvents(sys)
			require.Len(t, evs, 1)
			ev := evs[0]
			if c.reason == "" {
				require.Equal(t, "ok", ev.Outcome, ev.Detail)
				v, _ := sys.Setting(okParam)
				require.Equal(t, "pbx", v)
				return
			}
			require.Equal(t, "error", ev.Outcome)
			require.Equal(t, c.reason, ev.Reason, ev.Detail)
			require.Equal(t, "boot: GET "+url+": "+c.detail, ev.Detail)
			rest := strings.ReplaceAll(ev.Detail, strings.TrimPrefix(strings.TrimPrefix(base, "http://"), "https://"), "")
			require.Empty(t, portRE.FindString(rest), "no socket address but the server's: %s", ev.Detail)
			for _, r := range f.Requests() {
				require.Empty(t, portRE.FindString(r.Err), r.Err)
			}
			after := sys.Snapshot()
			after.Now = before.Now
			require.Equal(t, before, after, "a failed fetch changes nothing")
		})
	}
}

// TestTimeoutAboveTheMaximumIsRefused: a fetch holds the whole simulation
// while it waits, so Attach refuses a timeout above MaxTimeout.
func TestTimeoutAboveTheMaximumIsRefused(t *testing.T) {
	_, err := autoprov.Attach(newSys(t), autoprov.Config{URL: "http://prov.test/p.xml", Timeout: autoprov.MaxTimeout + time.Second})
	require.EqualError(t, err, "autoprov: timeout 5m1s is above the maximum of 5m0s")
	attach(t, newSys(t), autoprov.Config{URL: "http://prov.test/p.xml", Timeout: autoprov.MaxTimeout})
}

// TestReadersOnOtherGoroutinesDuringFaults: Requests, URL and NextCheck may
// be read from other goroutines while the system fetches through resets,
// redirects and a URL a file changes (run with -race).
func TestReadersOnOtherGoroutinesDuringFaults(t *testing.T) {
	reset := raw(t, "", true)
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/redirect":
			http.Redirect(w, r, reset+"/p.xml", http.StatusFound)
		default:
			_, _ = w.Write([]byte(doc(`<param name="Provisioning.global.Period" value="1800"/>
<param name="Provisioning.global.ProvisioningServer" value="` + "http://" + r.Host + `/redirect"/>`)))
		}
	}))
	sys := newSys(t)
	f := attach(t, sys, autoprov.Config{URL: srv.URL + "/p.xml", Timeout: 2 * time.Second})
	stop := make(chan struct{})
	done := make(chan int)
	for i := 0; i < 4; i++ {
		go func() {
			n := 0
			for {
				select {
				case <-stop:
					done <- n
					return
				default:
				}
				_ = f.Requests()
				_ = f.URL()
				_, _ = f.NextCheck()
				n++
			}
		}()
	}
	for i := 0; i < 6; i++ {
		require.NoError(t, sys.Advance(30*time.Minute))
		f.CheckSync()
	}
	close(stop)
	for i := 0; i < 4; i++ {
		<-done
	}
	require.Equal(t, srv.URL+"/redirect", f.URL())
	evs := fetchEvents(sys)
	require.Greater(t, len(evs), 6)
	require.Equal(t, "ok", evs[0].Outcome)
	for _, e := range evs[1:] {
		require.Equal(t, autoprov.ReasonUnreachable, e.Reason, e.Detail)
		require.True(t, strings.HasSuffix(e.Detail, "/p.xml: connection reset"), e.Detail)
	}
}

// TestNetworkBudgetEndsTheWaiting: a server that never answers costs a
// timeout at every check; once the fetcher has waited its network budget
// in all, checks fail at once without a request.
func TestNetworkBudgetEndsTheWaiting(t *testing.T) {
	release := make(chan struct{})
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(release) })
	sys := newSys(t)
	f := attach(t, sys, autoprov.Config{URL: srv.URL + "/p.xml", Client: srv.Client(),
		Timeout: 50 * time.Millisecond, NetworkBudget: 120 * time.Millisecond})
	require.NoError(t, sys.Advance(10*24*time.Hour))
	evs := fetchEvents(sys)
	require.Len(t, evs, 11, "boot and ten daily checks")
	requests := len(f.Requests())
	// Each request waits at least its 50 ms timeout: three spend the 120 ms.
	require.GreaterOrEqual(t, requests, 1)
	require.LessOrEqual(t, requests, 3, "the waiting stops once 120 ms are spent")
	for _, e := range evs {
		require.Equal(t, autoprov.ReasonTimeout, e.Reason)
	}
	require.Equal(t, "scheduled: no request made: the fetcher has spent its network time of 120ms", evs[10].Detail)
	_, err := autoprov.Attach(newSys(t), autoprov.Config{NetworkBudget: -time.Second})
	require.Error(t, err)
}
