package sipd_test

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"runtime"
	"runtime/pprof"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dectsim/dectsim/cmd/dectsim/internal/serve/sipd"
)

func TestListenBindsTheAddressAndAddrNamesIt(t *testing.T) {
	s := listen(t, newFake())

	host, _, err := net.SplitHostPort(s.Addr())
	require.NoError(t, err)
	require.Equal(t, "127.0.0.1", host)
	require.NotZero(t, port(t, s.Addr()))

	// Bound now: the port is taken before any request arrives.
	_, err = net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port(t, s.Addr())})
	require.Error(t, err)
}

func TestListenFailsWhenTheAddressCannotBeBound(t *testing.T) {
	taken := rawSocket(t)

	_, err := sipd.Listen(taken.LocalAddr().String(), newFake())
	require.Error(t, err)

	_, err = sipd.Listen("no-such-host.invalid:x", newFake())
	require.Error(t, err)
}

func TestListenRefusesANilTarget(t *testing.T) {
	_, err := sipd.Listen("127.0.0.1:0", nil)
	require.Error(t, err)
}

func TestCloseReleasesThePortAndCanBeCalledAgain(t *testing.T) {
	s, err := sipd.Listen("127.0.0.1:0", newFake())
	require.NoError(t, err)
	addr := s.Addr()

	require.NoError(t, s.Close())
	require.NoError(t, s.Close())

	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port(t, addr)})
	require.NoError(t, err, "the port is still bound after Close")
	conn.Close()
}

// goroutineStacks is the dump printed when goroutines are left behind.
func goroutineStacks() string {
	var buf bytes.Buffer
	_ = pprof.Lookup("goroutine").WriteTo(&buf, 2)
	return buf.String()
}

// settlesTo polls until at most n goroutines run, since exiting goroutines
// take a moment to be gone from the count.
func settlesTo(n int) bool {
	deadline := time.Now().Add(wait)
	for runtime.NumGoroutine() > n {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
	return true
}

func TestCloseLeavesNoGoroutine(t *testing.T) {
	require.True(t, settlesTo(runtime.NumGoroutine()))
	baseline := runtime.NumGoroutine()

	s, err := sipd.Listen("127.0.0.1:0", newFake("alice"))
	require.NoError(t, err)
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	require.NoError(t, err)
	// Each leaves a transaction and its timers in sipgo: a NOTIFY waits for
	// retransmissions, an INVITE for the ACK of its 405.
	for _, r := range []string{
		request(t, conn, s, "NOTIFY", "alice", "n1", "Event: check-sync"),
		request(t, conn, s, "INVITE", "alice", "i1"),
		request(t, conn, s, "OPTIONS", "alice", "o1"),
		"garbage",
	} {
		send(t, conn, s, r)
	}
	for range 3 {
		receive(t, conn, wait)
	}
	conn.Close()
	require.NoError(t, s.Close())

	require.True(t, settlesTo(baseline), "%d goroutines before Listen, %d after Close:\n%s",
		baseline, runtime.NumGoroutine(), goroutineStacks())
}

func TestCloseLeavesNoGoroutineAfterASipgoClient(t *testing.T) {
	require.True(t, settlesTo(runtime.NumGoroutine()))
	baseline := runtime.NumGoroutine()

	t.Run("exchange", func(t *testing.T) {
		s := listen(t, newFake("alice"))
		c := newClient(t) // its UA is closed by the subtest's cleanup
		do(t, c, s, "NOTIFY", "alice", event("check-sync"))
		do(t, c, s, "INVITE", "alice")
	})

	require.True(t, settlesTo(baseline), "%d goroutines before Listen, %d after Close:\n%s",
		baseline, runtime.NumGoroutine(), goroutineStacks())
}

func TestCloseLeavesNoGoroutineWhenRequestsArriveDuringClose(t *testing.T) {
	rec := recordDefaultLog(t)
	require.True(t, settlesTo(runtime.NumGoroutine()))
	baseline := runtime.NumGoroutine()

	// sipgo hands each datagram to a goroutine of its own; one read just
	// before Close runs on after it. An ACK right after a 405 is the usual
	// case; here it comes with a burst from the same sender.
	for i := range 200 {
		s, err := sipd.Listen("127.0.0.1:0", newFake("alice"))
		require.NoError(t, err)
		conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		require.NoError(t, err)
		id := "race" + strconv.Itoa(i)
		send(t, conn, s, request(t, conn, s, "INVITE", "alice", id))
		receive(t, conn, wait)
		send(t, conn, s, request(t, conn, s, "ACK", "alice", id))
		for _, m := range []string{"NOTIFY", "OPTIONS", "FROB", "BYE"} {
			send(t, conn, s, request(t, conn, s, m, "alice", id+m, "Event: check-sync"))
		}
		require.NoError(t, s.Close())
		conn.Close()
	}

	require.True(t, settlesTo(baseline), "%d goroutines before Listen, %d after Close:\n%s",
		baseline, runtime.NumGoroutine(), goroutineStacks())
	require.Empty(t, rec.Records(), "sipgo complained while closing")
}

func TestCloseWaitsForACheckSyncInProgress(t *testing.T) {
	fake := newFake("alice")
	fake.hold = make(chan struct{})
	s, err := sipd.Listen("127.0.0.1:0", fake)
	require.NoError(t, err)
	conn := rawSocket(t)
	send(t, conn, s, request(t, conn, s, "NOTIFY", "alice", "held", "Event: check-sync"))
	select {
	case <-fake.entered:
	case <-time.After(wait):
		t.Fatal("CheckSync was not called")
	}

	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	select {
	case err := <-closed:
		t.Fatalf("Close returned (%v) while CheckSync was running", err)
	case <-time.After(100 * time.Millisecond):
	}
	close(fake.hold)

	select {
	case err := <-closed:
		require.NoError(t, err)
	case <-time.After(wait):
		t.Fatal("Close did not return after CheckSync did")
	}
	require.Len(t, fake.Calls(), 1)
}

func TestTargetIsNotCalledAfterClose(t *testing.T) {
	fake := newFake("alice")
	s, err := sipd.Listen("127.0.0.1:0", fake)
	require.NoError(t, err)
	conn := rawSocket(t)
	notify := request(t, conn, s, "NOTIFY", "alice", "late", "Event: check-sync")
	require.NoError(t, s.Close())

	to, err := net.ResolveUDPAddr("udp", s.Addr())
	require.NoError(t, err)
	_, _ = conn.WriteToUDP([]byte(notify), to) // nobody listens: may fail

	require.NoError(t, conn.SetReadDeadline(time.Now().Add(200*time.Millisecond)))
	_, _, err = conn.ReadFromUDP(make([]byte, 2048))
	require.Error(t, err, "a closed server answered")
	require.Empty(t, fake.Calls())
}

// recorder keeps every log record at Info or above, which the default
// handler would print.
type recorder struct {
	mu      sync.Mutex
	records []string
}

func (r *recorder) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelInfo }
func (r *recorder) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.records = append(r.records, rec.Level.String()+" "+rec.Message)
	return nil
}
func (r *recorder) WithAttrs([]slog.Attr) slog.Handler { return r }
func (r *recorder) WithGroup(string) slog.Handler      { return r }

func (r *recorder) Records() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.records...)
}

// recordDefaultLog routes slog.Default, which sipgo falls back to where it
// takes no logger, to a recorder for the rest of the test.
func recordDefaultLog(t *testing.T) *recorder {
	rec := &recorder{}
	prev := slog.Default()
	slog.SetDefault(slog.New(rec))
	t.Cleanup(func() { slog.SetDefault(prev) })
	return rec
}

func TestSipgoLogsNothingThroughTheDefaultLogger(t *testing.T) {
	rec := recordDefaultLog(t)

	s, err := sipd.Listen("127.0.0.1:0", newFake("alice"))
	require.NoError(t, err)
	conn := rawSocket(t)
	send(t, conn, s, "garbage")
	send(t, conn, s, "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bK-x\r\nCSeq: 1 NOTIFY\r\nCall-ID: x\r\nContent-Length: 0\r\n\r\n")
	send(t, conn, s, "NOTIFY sip:alice@127.0.0.1 SIP/2.0\r\nContent-Length: 0\r\n\r\n")
	receive(t, conn, wait) // 400, no Via
	for _, m := range []string{"NOTIFY", "INVITE", "FROB"} {
		send(t, conn, s, request(t, conn, s, m, "alice", "log-"+m, "Event: check-sync"))
		receive(t, conn, wait)
	}
	require.NoError(t, s.Close())

	require.Empty(t, rec.Records())
}
