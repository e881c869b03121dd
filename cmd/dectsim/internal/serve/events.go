package serve

import (
	"encoding/json"
	"errors"
	"sync"
	"sync/atomic"

	"github.com/dectsim/dectsim/cmd/dectsim/internal/report"
	"github.com/dectsim/dectsim/emulator/system"
)

// MaxStreams bounds the event streams open at once: each holds a buffer.
const MaxStreams = 64

// ErrTooManyStreams is Subscribe's answer when MaxStreams are open.
var ErrTooManyStreams = errors.New("too many event streams are open")

// SubBuffer is how many events a stream may fall behind before it is cut:
// a reader that stops reading never holds the systems up.
const SubBuffer = 4096

// EventJSON is an event as the API shows it: the line `dectsim run --json`
// prints, with the system's MAC and the event's sequence number in that
// system.
type EventJSON struct {
	Seq int    `json:"seq"`
	MAC string `json:"mac"`
	report.JSONEvent
}

// EventJSON is e of this system as the API shows it.
func (m *Member) EventJSON(e system.Event) EventJSON {
	sc := m.Live.Result().Scenario
	return EventJSON{Seq: e.Seq, MAC: m.MAC, JSONEvent: report.Event(sc.File, sc.Start, e)}
}

// Sub is one live stream of every system's events, each encoded as
// EventJSON. C is closed when the world closes, when Unsubscribe is called,
// or when the reader fell SubBuffer events behind (Lagged then says so).
type Sub struct {
	C      chan []byte
	lagged atomic.Bool
}

// Lagged reports whether the stream was cut because its reader fell
// behind.
func (s *Sub) Lagged() bool { return s.lagged.Load() }

// hub hands every event to the streams. Streams come and go on HTTP
// goroutines; events come from the world's goroutine.
type hub struct {
	mu     sync.Mutex
	subs   map[*Sub]struct{}
	n      atomic.Int32 // len(subs), read without the lock per event
	closed bool
}

func newHub() *hub { return &hub{subs: make(map[*Sub]struct{})} }

// Subscribe opens a stream of the events from now on. It fails with
// ErrClosed once the world is closing and with ErrTooManyStreams when
// MaxStreams are open.
func (w *World) Subscribe() (*Sub, error) {
	h := w.hub
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, ErrClosed
	}
	if len(h.subs) >= MaxStreams {
		return nil, ErrTooManyStreams
	}
	s := &Sub{C: make(chan []byte, SubBuffer)}
	h.subs[s] = struct{}{}
	h.n.Store(int32(len(h.subs)))
	return s, nil
}

// Unsubscribe ends a stream; it may be called more than once.
func (w *World) Unsubscribe(s *Sub) {
	h := w.hub
	h.mu.Lock()
	defer h.mu.Unlock()
	h.drop(s)
}

func (h *hub) drop(s *Sub) {
	if _, ok := h.subs[s]; ok {
		delete(h.subs, s)
		close(s.C)
		h.n.Store(int32(len(h.subs)))
	}
}

func (h *hub) publish(m *Member, e system.Event) {
	if h.n.Load() == 0 {
		return
	}
	data, err := json.Marshal(m.EventJSON(e))
	if err != nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		select {
		case s.C <- data:
		default:
			s.lagged.Store(true)
			h.drop(s)
		}
	}
}

func (h *hub) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for s := range h.subs {
		h.drop(s)
	}
}
