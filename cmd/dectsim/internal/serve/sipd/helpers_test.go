package sipd_test

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/stretchr/testify/require"

	"github.com/dectsim/dectsim/cmd/dectsim/internal/serve/sipd"
)

// wait bounds every network wait, so a broken server fails a test instead of
// hanging it.
const wait = 3 * time.Second

type call struct {
	user   string
	reboot bool
}

// fakeTarget answers 200 for the users in known and 404 for anyone else, and
// records what it was asked. With hold set, each CheckSync first reports on
// entered and then waits until hold is closed.
type fakeTarget struct {
	known   map[string]bool
	hold    chan struct{}
	entered chan struct{}

	mu    sync.Mutex
	calls []call
}

func newFake(users ...string) *fakeTarget {
	f := &fakeTarget{known: map[string]bool{}, entered: make(chan struct{}, 16)}
	for _, u := range users {
		f.known[u] = true
	}
	return f
}

func (f *fakeTarget) CheckSync(user string, reboot bool) int {
	f.mu.Lock()
	f.calls = append(f.calls, call{user, reboot})
	f.mu.Unlock()
	if f.hold != nil {
		f.entered <- struct{}{}
		<-f.hold
	}
	if f.known[user] {
		return sip.StatusOK
	}
	return sip.StatusNotFound
}

func (f *fakeTarget) Calls() []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]call(nil), f.calls...)
}

func listen(t *testing.T, target sipd.Target) *sipd.Server {
	t.Helper()
	s, err := sipd.Listen("127.0.0.1:0", target)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	return s
}

func port(t *testing.T, addr string) int {
	t.Helper()
	_, p, err := net.SplitHostPort(addr)
	require.NoError(t, err)
	n, err := strconv.Atoi(p)
	require.NoError(t, err)
	return n
}

var quiet = slog.New(slog.DiscardHandler)

// newClient is a sipgo UAC, the way another SIP stack would talk to the
// emulator.
func newClient(t *testing.T) *sipgo.Client {
	t.Helper()
	ua, err := sipgo.NewUA(
		sipgo.WithUserAgentTransportLayerOptions(sip.WithTransportLayerLogger(quiet)),
		sipgo.WithUserAgentTransactionLayerOptions(sip.WithTransactionLayerLogger(quiet)),
	)
	require.NoError(t, err)
	t.Cleanup(func() { ua.Close() })
	c, err := sipgo.NewClient(ua, sipgo.WithClientHostname("127.0.0.1"), sipgo.WithClientLogger(quiet))
	require.NoError(t, err)
	return c
}

// do sends method to user at the server and returns the final response.
func do(t *testing.T, c *sipgo.Client, s *sipd.Server, method sip.RequestMethod, user string, hdrs ...sip.Header) *sip.Response {
	t.Helper()
	req := sip.NewRequest(method, sip.Uri{Scheme: "sip", User: user, Host: "127.0.0.1", Port: port(t, s.Addr())})
	for _, h := range hdrs {
		req.AppendHeader(h)
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	res, err := c.Do(ctx, req)
	require.NoError(t, err, "%s got no final answer", method)
	return res
}

func event(v string) sip.Header { return sip.NewHeader("Event", v) }

// rawSocket is a plain UDP socket, standing for a sender that writes SIP
// text by hand.
func rawSocket(t *testing.T) *net.UDPConn {
	t.Helper()
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	return conn
}

func send(t *testing.T, conn *net.UDPConn, s *sipd.Server, datagram string) {
	t.Helper()
	to, err := net.ResolveUDPAddr("udp", s.Addr())
	require.NoError(t, err)
	_, err = conn.WriteToUDP([]byte(datagram), to)
	require.NoError(t, err)
}

// receive reads one datagram, failing after the deadline.
func receive(t *testing.T, conn *net.UDPConn, deadline time.Duration) string {
	t.Helper()
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(deadline)))
	buf := make([]byte, 65536)
	n, _, err := conn.ReadFromUDP(buf)
	require.NoError(t, err, "no datagram came back")
	return string(buf[:n])
}

// request writes a SIP request as a hand-made sender would, Via naming the
// socket it is sent from.
func request(t *testing.T, conn *net.UDPConn, s *sipd.Server, method, ruriUser, callID string, extra ...string) string {
	t.Helper()
	ruser := ""
	if ruriUser != "" {
		ruser = ruriUser + "@"
	}
	lines := []string{
		fmt.Sprintf("%s sip:%s%s SIP/2.0", method, ruser, s.Addr()),
		fmt.Sprintf("Via: SIP/2.0/UDP %s;branch=z9hG4bK-%s", conn.LocalAddr(), callID),
		"From: <sip:pbx@127.0.0.1>;tag=1",
		"To: <sip:" + ruser + "127.0.0.1>",
		"Call-ID: " + callID + "@127.0.0.1",
		"CSeq: 1 " + method,
	}
	lines = append(lines, extra...)
	lines = append(lines, "Content-Length: 0")
	return strings.Join(lines, "\r\n") + "\r\n\r\n"
}

// statusLine is the first line of a SIP response.
func statusLine(datagram string) string {
	line, _, _ := strings.Cut(datagram, "\r\n")
	return line
}
