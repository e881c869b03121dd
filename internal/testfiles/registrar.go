package testfiles

import (
	"net"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// Registrar is a PBX's SIP registrar written by hand on a loopback UDP
// socket, for the tests of what the emulator sends a PBX: it records
// every datagram and answers it as its answer function says.
type Registrar struct {
	conn   *net.UDPConn
	mu     sync.Mutex
	got    []string
	answer func(req string, n int) string
	done   chan struct{}
}

// NewRegistrar starts one that answers every request 200 OK; it stops
// when the test ends.
func NewRegistrar(t testing.TB) *Registrar {
	return NewRegistrarAnswering(t, func(req string, _ int) string { return SIPReply(req, "200 OK", "Expires: "+SIPHeader(req, "Expires")) })
}

// NewRegistrarAnswering starts one that answers the n-th request (from
// 1) with answer(req, n), or not at all when that is "".
func NewRegistrarAnswering(t testing.TB, answer func(req string, n int) string) *Registrar {
	t.Helper()
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatalf("testfiles: registrar: %v", err)
	}
	r := &Registrar{conn: conn, answer: answer, done: make(chan struct{})}
	go r.serve()
	t.Cleanup(func() { conn.Close(); <-r.done })
	return r
}

// Addr is where it listens, host:port.
func (r *Registrar) Addr() string { return r.conn.LocalAddr().String() }

// Port is its port, as a provisioning file's RegServerPort names it.
func (r *Registrar) Port() string {
	_, p, _ := net.SplitHostPort(r.Addr())
	return p
}

// Requests are the requests received so far, as sent.
func (r *Registrar) Requests() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.got...)
}

func (r *Registrar) serve() {
	defer close(r.done)
	buf := make([]byte, 65535)
	for {
		n, from, err := r.conn.ReadFromUDP(buf)
		if err != nil {
			return
		}
		req := string(buf[:n])
		r.mu.Lock()
		r.got = append(r.got, req)
		k := len(r.got)
		r.mu.Unlock()
		if a := r.answer(req, k); a != "" {
			_, _ = r.conn.WriteToUDP([]byte(a), from)
		}
	}
}

// SIPReply is the answer status (e.g. "200 OK") to req, echoing what a
// response must (Via, From, To, Call-ID, CSeq, Contact), with the extra
// header lines given.
func SIPReply(req, status string, extra ...string) string {
	var b strings.Builder
	b.WriteString("SIP/2.0 " + status + "\r\n")
	for _, h := range []string{"Via", "From", "To", "Call-ID", "CSeq", "Contact"} {
		if v := SIPHeader(req, h); v != "" {
			b.WriteString(h + ": " + v + "\r\n")
		}
	}
	for _, e := range extra {
		b.WriteString(e + "\r\n")
	}
	b.WriteString("Content-Length: 0\r\n\r\n")
	return b.String()
}

// SIPHeader is the value of header name in a SIP message ("" when none).
func SIPHeader(msg, name string) string {
	m := regexp.MustCompile(`(?mi)^` + regexp.QuoteMeta(name) + `:\s*(.*?)\r?$`).FindStringSubmatch(msg)
	if m == nil {
		return ""
	}
	return m[1]
}
