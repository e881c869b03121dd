package sipd

import (
	"net"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"
)

// gate is the socket as sipgo's read loop sees it, so that Close can stop
// the loop reading without letting it end yet.
//
// sipgo hands each datagram to a goroutine of its own, which looks up a
// connection for the sender in the transport's pool to answer from. The
// read loop puts the listener there under every sender's address and takes
// it out again when it ends. A goroutine still on its way at that point
// finds nothing, opens a socket of its own with a reader goroutine, and
// nothing closes it. So Close holds the loop while it points every sender
// at a dead connection (divert), and only then lets the loop end.
type gate struct {
	*net.UDPConn

	closing chan struct{} // closed when Close begins
	parked  chan struct{} // closed when the read loop is held
	park    sync.Once
	ended   chan struct{} // closed when the read loop may end

	// sources holds every sender the read loop was given, keyed as sipgo
	// keys its pool. Only the loop writes it, and only before parked.
	sources map[string]bool
}

func newGate(conn *net.UDPConn) *gate {
	return &gate{
		UDPConn: conn,
		closing: make(chan struct{}),
		parked:  make(chan struct{}),
		ended:   make(chan struct{}),
		sources: map[string]bool{},
	}
}

// ReadFrom is what sipgo's read loop calls for each datagram.
func (g *gate) ReadFrom(b []byte) (int, net.Addr, error) {
	n, addr, err := g.UDPConn.ReadFrom(b)
	select {
	case <-g.closing:
		g.park.Do(func() { close(g.parked) })
		<-g.ended
		return 0, nil, net.ErrClosed // ends the loop quietly
	default:
	}
	if err == nil {
		g.sources[addr.String()] = true
	}
	return n, addr, err
}

// hold stops the read loop from reading and returns once it waits in
// ReadFrom, or has ended by itself (served). Every datagram read before is
// then on its way in its own goroutine.
func (g *gate) hold(served <-chan struct{}) {
	close(g.closing)
	_ = g.SetReadDeadline(time.Unix(1, 0)) // wakes a read in progress
	select {
	case <-g.parked:
	case <-served:
	}
}

// divert points every sender in pool at a dead connection, so a request
// still on its way answers into nothing instead of opening a socket.
func (g *gate) divert(pool *sip.ConnectionPool) {
	dead := deadConn{g.LocalAddr()}
	for src := range g.sources {
		pool.Add(src, dead)
	}
}

// release lets the held read loop end.
func (g *gate) release() { close(g.ended) }

// deadConn is a connection that sends nothing; closing it is a no-op.
type deadConn struct{ addr net.Addr }

func (c deadConn) LocalAddr() net.Addr      { return c.addr }
func (deadConn) WriteMsg(sip.Message) error { return net.ErrClosed }
func (deadConn) Ref(int) int                { return 1 }
func (deadConn) TryClose() (int, error)     { return 1, nil }
func (deadConn) Close() error               { return nil }
