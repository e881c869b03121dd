// Package sipd owns the SIP side of the live emulator: it answers SIP over
// UDP and turns a NOTIFY carrying the check-sync event into a fetch by the
// system that the Request-URI names. Provisioning servers ask Gigaset PRO
// systems to fetch their provisioning file this way, so the emulator has to
// take the same request for such servers to be testable against it.
//
// Which system a user reaches, and whether it reboots, is decided by the
// [Target]; this package only speaks SIP. The answers are:
//
//	NOTIFY, Event check-sync[;reboot=true]   the code Target.CheckSync returns:
//	                                         200 OK, or 404 Not Found when no
//	                                         system has that user; a code
//	                                         outside 200-699 is sent as 500
//	                                         Server Internal Error
//	NOTIFY, another Event or none            489 Bad Event (RFC 6665) with
//	                                         Allow-Events; Target is not asked
//	OPTIONS                                  200 OK with Allow and Allow-Events
//	INVITE, REGISTER, SUBSCRIBE, MESSAGE,    405 Method Not Allowed with Allow
//	INFO, UPDATE, REFER, PUBLISH, PRACK,
//	BYE, CANCEL
//	ACK                                      no answer (SIP never answers ACK)
//	any other method                         501 Not Implemented
//	datagram that is not SIP                 dropped
//	request without Via or CSeq              400 Bad Request, sent by sipgo
//	CANCEL of an INVITE still held           200 OK, sent by sipgo (RFC 3261
//	                                         9.2); the INVITE keeps its 405
//
// The event package name and the reboot value are compared without regard to
// case; reboot is asked only by a reboot parameter whose value is true. The
// user is the Request-URI's user part with %XX escapes decoded, "" when the
// URI has none.
//
// Requests go through sipgo's transaction layer, so a NOTIFY that the sender
// retransmits (UDP, no answer yet or answer lost) reaches Target once and gets
// the same answer again. Answers go where RFC 3261 18.2.2 and RFC 3581 send
// them: to the datagram's source address at the port in the top Via, or at
// the source port when that Via carries rport.
package sipd

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// Target is what the SIP endpoint acts on. The live emulator implements it; its
// CheckSync runs on the goroutine that owns the simulation and returns when done.
// Calls may overlap, since sipgo serves each request on a goroutine of its own.
type Target interface {
	// CheckSync asks the system whose SIP account has user as UserName or
	// AuthName to fetch its file now (rebooting first when reboot is asked
	// and the system honours it). It returns the SIP status code to answer:
	// 200 when a system took the request, 404 when no system is found.
	CheckSync(user string, reboot bool) int
}

// Server answers SIP on one UDP socket until Close.
type Server struct {
	gate   *gate
	ua     *sipgo.UserAgent
	target Target

	served chan struct{} // closed when sipgo's read loop has returned

	mu       sync.Mutex
	closed   bool
	inflight sync.WaitGroup // handlers running, so Close can wait for them

	closeOnce sync.Once
	closeErr  error
}

// quiet is handed to every sipgo layer that takes a logger: the library logs
// each dropped datagram at error level, which would clutter the emulator's
// own output.
var quiet = slog.New(slog.DiscardHandler)

// Listen binds UDP at addr ("127.0.0.1:0" picks a free port) and serves SIP
// there until Close. It fails when the address cannot be bound.
func Listen(addr string, t Target) (*Server, error) {
	if t == nil {
		return nil, errors.New("sipd: nil Target")
	}
	laddr, err := net.ResolveUDPAddr("udp", addr)
	if err != nil {
		return nil, fmt.Errorf("sipd: resolve %q: %w", addr, err)
	}
	conn, err := net.ListenUDP("udp", laddr)
	if err != nil {
		return nil, fmt.Errorf("sipd: %w", err)
	}
	s := &Server{gate: newGate(conn), target: t, served: make(chan struct{})}
	srv, err := s.newSipgoServer()
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("sipd: %w", err)
	}
	go func() {
		defer close(s.served)
		_ = srv.ServeUDP(s.gate) // returns once the gate lets it
	}()
	return s, nil
}

// newSipgoServer builds the sipgo user agent and server with silent loggers
// and this package's routes.
func (s *Server) newSipgoServer() (*sipgo.Server, error) {
	ua, err := sipgo.NewUA(
		sipgo.WithUserAgentTransportLayerOptions(sip.WithTransportLayerLogger(quiet)),
		sipgo.WithUserAgentTransactionLayerOptions(
			sip.WithTransactionLayerLogger(quiet),
			// The default handler logs stray responses through slog.Default.
			sip.WithTransactionLayerUnhandledResponseHandler(func(*sip.Response) {}),
		),
	)
	if err != nil {
		return nil, err
	}
	srv, err := sipgo.NewServer(ua, sipgo.WithServerLogger(quiet))
	if err != nil {
		ua.Close()
		return nil, err
	}
	s.ua = ua
	s.route(srv)
	return srv, nil
}

// Addr is the bound address as host:port, for senders to aim at.
func (s *Server) Addr() string {
	return s.gate.LocalAddr().String()
}

// Close stops serving. It waits for CheckSync calls in progress, so it must
// not be called from the goroutine those calls wait on. When it returns, the
// socket is closed, Target is not called again, and sipgo's read loop,
// transactions and timers are stopped. A datagram read just before Close may
// still be finishing in a goroutine of sipgo's own for a moment; it goes
// unanswered and opens nothing. Later calls return the first result.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		s.mu.Unlock()
		s.gate.hold(s.served)
		s.gate.divert(s.ua.TransportLayer().Pool("udp"))
		s.inflight.Wait()
		// Not s.ua.Close: it would clear the pool, dead entries and all, and
		// a request still on its way would open a socket again. The pool
		// holds nothing else to close but the listener, closed below.
		s.ua.TransactionLayer().Close()
		s.gate.release()
		<-s.served
		s.closeErr = s.gate.UDPConn.Close()
	})
	return s.closeErr
}

// guard runs h unless the server is closing, and lets Close wait for it.
// A request handed over after Close began is left unanswered rather than
// let reach a Target that may be gone; sipgo then ends its transaction.
func (s *Server) guard(h sipgo.RequestHandler) sipgo.RequestHandler {
	return func(req *sip.Request, tx sip.ServerTransaction) {
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			return
		}
		s.inflight.Add(1)
		s.mu.Unlock()
		defer s.inflight.Done()
		h(req, tx)
	}
}
