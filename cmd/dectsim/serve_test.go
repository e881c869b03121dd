package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestServeFlagsAreCheckedBeforeAnythingStarts(t *testing.T) {
	for _, args := range [][]string{
		{"--nope"},
		{"--clock", "fast"},
		{"--speed", "60"},
		{"--clock", "real", "--speed", "0"},
		{"--clock", "real", "--speed", "1e9"},
		{"--fleet", "0"},
		{"--fleet", "100001"},
		{"--boot-spread", "-1s"},
		{"--boot-spread", "soon"},
		{"--addr", "localhost"},
		{"--sip", "5060"},
		{"--reading", "dnphs-position=sideways"},
		{"--var", "1X=2"},
	} {
		code, stdout, stderr := run(t, append([]string{"serve"}, args...)...)
		require.Equal(t, exitUsage, code, "%v: %s", args, stderr)
		require.Empty(t, stdout, "%v", args)
		require.NotEmpty(t, stderr, "%v", args)
	}
	code, stdout, _ := run(t, "serve", "-h")
	require.Equal(t, exitOK, code)
	require.Contains(t, stdout, "Usage: dectsim serve")
	require.Contains(t, stdout, "--boot-spread")
}

func TestServeInputErrorsExitTwoAndMissingFilesThree(t *testing.T) {
	dir := t.TempDir()
	bad := write(t, dir, "bad.xml", `<scenario name="x"><system prodcut="N870"/></scenario>`)
	code, _, stderr := run(t, "serve", "--addr", "127.0.0.1:0", bad)
	require.Equal(t, exitInput, code)
	require.Contains(t, stderr, "bad.xml:1:28:")
	code, _, _ = run(t, "serve", "--addr", "127.0.0.1:0", filepath.Join(dir, "none.xml"))
	require.Equal(t, exitRuntime, code)
	a := write(t, dir, "a.xml", `<scenario name="a"><system mac="7C2F80000001"/></scenario>`)
	code, _, stderr = run(t, "serve", "--addr", "127.0.0.1:0", a, a)
	require.Equal(t, exitInput, code, "two systems with one MAC")
	require.Contains(t, stderr, "already the MAC")
}

func TestServeAnAddressInUseExitsThree(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	code, _, stderr := run(t, "serve", "--addr", ln.Addr().String())
	require.Equal(t, exitRuntime, code)
	require.Contains(t, stderr, "address already in use")
}

// syncBuffer is a Buffer two goroutines may use.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// served is dectsim serve running in process until cancel.
type served struct {
	base        string // http://HOST:PORT/
	cancel      func()
	done        chan int // its exit code
	out, errOut syncBuffer
}

// startServe runs dectsim serve with args and waits for its first line.
func startServe(t *testing.T, args ...string) *served {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &served{cancel: cancel, done: make(chan int, 1)}
	go func() { s.done <- cmdServe(ctx, args, &s.out, &s.errOut) }()
	require.Eventually(t, func() bool {
		line, _, _ := strings.Cut(s.out.String(), "\n")
		s.base, _ = strings.CutPrefix(line, "dectsim serve: listening on ")
		return strings.HasPrefix(s.base, "http://")
	}, 10*time.Second, 5*time.Millisecond)
	return s
}

// TestServeStopsCleanlyWithStreamsOpen: ending the context (what SIGINT
// and SIGTERM do) stops the server with exit 0 even while an event
// stream is open, and leaves no goroutine.
func TestServeStopsCleanlyWithStreamsOpen(t *testing.T) {
	before := runtime.NumGoroutine()
	s := startServe(t, "--addr", "127.0.0.1:0", "--sip", "127.0.0.1:0", "--clock", "real", "--speed", "100",
		filepath.Join(repoScenarios, "ghost-after-24h.xml"))
	client := &http.Client{Transport: &http.Transport{}}
	resp, err := client.Get(s.base + "api/events")
	require.NoError(t, err)
	r := bufio.NewReader(resp.Body)
	line, err := r.ReadString('\n')
	require.NoError(t, err)
	require.Equal(t, ": dectsim events\n", line)

	s.cancel()
	select {
	case code := <-s.done:
		require.Equal(t, exitOK, code, s.errOut.String())
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop")
	}
	_, err = io.ReadAll(r)
	require.NoError(t, err, "the stream ended cleanly")
	resp.Body.Close()
	client.CloseIdleConnections()
	require.Contains(t, s.out.String(), "dectsim serve: stopped")
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	require.LessOrEqual(t, runtime.NumGoroutine(), before, "no goroutine left")
}

// TestServeProcessTakesSIPAndStopsOnSIGTERM runs the built command: a
// SIP NOTIFY check-sync over UDP makes the system fetch from a server of
// the test's, and SIGTERM ends the process with exit 0.
func TestServeProcessTakesSIPAndStopsOnSIGTERM(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("signals are checked on Unix")
	}
	var mu sync.Mutex
	var asked []string
	prov := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		asked = append(asked, r.URL.Path)
		mu.Unlock()
		fmt.Fprint(w, `<provisioning version="1.1" productID="e2"><nvm><param name="SipAccount.0.UserName" value="alice"/></nvm></provisioning>`)
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go func() { _ = prov.Serve(ln) }()
	defer prov.Close()
	dir := t.TempDir()
	sc := write(t, dir, "site.xml", `<scenario name="site"><system mac="7C2F80A1B2C3" provisioning-url="http://${PROV}/%MACD.xml"/></scenario>`)

	cmd := exec.Command(buildBinary(t), "serve", "--addr", "127.0.0.1:0", "--sip", "127.0.0.1:0", sc)
	cmd.Env = append(os.Environ(), "PROV="+ln.Addr().String())
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	defer cmd.Process.Kill()
	lines := bufio.NewScanner(stdout)
	require.True(t, lines.Scan())
	base := strings.TrimPrefix(lines.Text(), "dectsim serve: listening on ")
	require.True(t, lines.Scan())
	sipAddr := strings.TrimPrefix(lines.Text(), "dectsim serve: SIP on udp ")

	resp, err := http.Post(base+"api/advance", "application/json", strings.NewReader(`{"by": "1m"}`))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
	require.Equal(t, "SIP/2.0 200 OK", notify(t, sipAddr, "alice"))
	mu.Lock()
	require.Equal(t, []string{"/7c2f80a1b2c3.xml", "/7c2f80a1b2c3.xml"}, asked, "the boot fetch, then the NOTIFY's")
	mu.Unlock()

	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	rest, _ := io.ReadAll(stdout)
	require.NoError(t, cmd.Wait(), "exit 0 on SIGTERM")
	require.Contains(t, string(rest), "dectsim serve: stopped")
}

// notify sends a SIP NOTIFY check-sync for user as a provisioning server
// writes one by hand, and returns the answer's status line.
func notify(t *testing.T, addr, user string) string {
	t.Helper()
	conn, err := net.Dial("udp", addr)
	require.NoError(t, err)
	defer conn.Close()
	local := conn.LocalAddr().String()
	msg := "NOTIFY sip:" + user + "@" + addr + " SIP/2.0\r\n" +
		"Via: SIP/2.0/UDP " + local + ";branch=z9hG4bK-" + user + "\r\n" +
		"From: <sip:pbx@127.0.0.1>;tag=1\r\nTo: <sip:" + user + "@127.0.0.1>\r\n" +
		"Call-ID: " + user + "@127.0.0.1\r\nCSeq: 1 NOTIFY\r\nEvent: check-sync\r\nContent-Length: 0\r\n\r\n"
	_, err = conn.Write([]byte(msg))
	require.NoError(t, err)
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(10*time.Second)))
	buf := make([]byte, 4096)
	n, err := conn.Read(buf)
	require.NoError(t, err)
	status, _, _ := strings.Cut(string(buf[:n]), "\r\n")
	return status
}

// TestServeDropsAClientThatSendsItsHeadersTooSlowly: a client that opens
// a connection and trickles its request never holds it past the header
// timeout.
func TestServeDropsAClientThatSendsItsHeadersTooSlowly(t *testing.T) {
	old := serveHeaderTimeout
	serveHeaderTimeout = 200 * time.Millisecond
	t.Cleanup(func() { serveHeaderTimeout = old })
	s := startServe(t, "--addr", "127.0.0.1:0")
	defer func() {
		s.cancel()
		<-s.done
	}()
	conn, err := net.Dial("tcp", strings.TrimSuffix(strings.TrimPrefix(s.base, "http://"), "/"))
	require.NoError(t, err)
	defer conn.Close()
	_, err = conn.Write([]byte("GET /api/systems HTTP/1.1\r\nHost: x\r\n"))
	require.NoError(t, err)
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(10*time.Second)))
	_, err = io.ReadAll(conn)
	require.NoError(t, err, "the server closed the connection (a read timeout would be an error)")
}
