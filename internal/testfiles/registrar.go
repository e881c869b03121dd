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
// every request and answers each 200 OK, echoing what a response must.
type Registrar struct {
	conn *net.UDPConn
	mu   sync.Mutex
	got  []string
	done chan struct{}
}

// NewRegistrar starts one; it stops when the test ends.
func NewRegistrar(t testing.TB) *Registrar {
	t.Helper()
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatalf("testfiles: registrar: %v", err)
	}
	r := &Registrar{conn: conn, done: make(chan struct{})}
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
		r.mu.Unlock()
		var b strings.Builder
		b.WriteString("SIP/2.0 200 OK\r\n")
		for _, h := range []string{"Via", "From", "To", "Call-ID", "CSeq", "Contact", "Expires"} {
			if v := SIPHeader(req, h); v != "" {
				b.WriteString(h + ": " + v + "\r\n")
			}
		}
		b.WriteString("Content-Length: 0\r\n\r\n")
		_, _ = r.conn.WriteToUDP([]byte(b.String()), from)
	}
}

// SIPHeader is the value of header name in a SIP message ("" when none).
func SIPHeader(msg, name string) string {
	m := regexp.MustCompile(`(?mi)^` + regexp.QuoteMeta(name) + `:\s*(.*?)\r?$`).FindStringSubmatch(msg)
	if m == nil {
		return ""
	}
	return m[1]
}
