package scenario

import (
	"time"

	"github.com/dectsim/dectsim/emulator/autoprov"
	"github.com/dectsim/dectsim/emulator/system"
)

// Live is a scenario being played as a clock moves instead of all at once:
// its system with the world and network around it, and the blocks not yet
// run. Run plays one to its end; a live emulator keeps one per system and
// runs each block when its shared clock reaches it, with steps of its own
// in between. A Live belongs to one goroutine.
type Live struct {
	sc   *Scenario
	sys  *system.System
	net  *network
	res  *Result
	next int // the next block to run
}

// NewLive builds the scenario's system, its world before t=0 and its
// network. Nothing has run yet: the boot fetch and the first block are due
// at the start. Close releases the network.
func NewLive(sc *Scenario, o Options) (*Live, error) {
	sys, err := build(sc, o.SystemOptions...)
	if err != nil {
		return nil, err
	}
	n, err := attachNetwork(sys, sc, o)
	if err != nil {
		return nil, err
	}
	return &Live{sc: sc, sys: sys, net: n, res: &Result{Scenario: sc, System: sys}}, nil
}

// System is the emulated system.
func (l *Live) System() *system.System { return l.sys }

// Result holds every expectation evaluated so far, the blocks' and those
// of Steps.
func (l *Live) Result() *Result { return l.res }

// Fetcher is the system's provisioning client; nil without a
// provisioning-url.
func (l *Live) Fetcher() *autoprov.Fetcher { return l.net.fetcher }

// NextBlock is when the next block is due; false once all have run.
func (l *Live) NextBlock() (time.Time, bool) {
	if l.next >= len(l.sc.Blocks) {
		return time.Time{}, false
	}
	return l.sc.Start.Add(l.sc.Blocks[l.next].T), true
}

// RunBlock brings the system to the next block's time (every event due by
// then runs first) and runs the block's steps. A block whose time has
// passed runs now. It does nothing when every block has run.
func (l *Live) RunBlock() error {
	at, ok := l.NextBlock()
	if !ok {
		return nil
	}
	b := l.sc.Blocks[l.next]
	l.next++
	if err := l.sys.AdvanceTo(later(at, l.sys.Now())); err != nil {
		return stepError(l.sc, b.Pos, err)
	}
	_, err := l.run(b.Steps)
	return err
}

// Steps runs steps now, in order, as a block due now would, and returns
// the outcomes of the expectations among them. Steps read by ParseSteps
// name the file they came from in their errors and outcomes.
func (l *Live) Steps(steps []Step) ([]Outcome, error) { return l.run(steps) }

func (l *Live) run(steps []Step) ([]Outcome, error) {
	from := len(l.res.Outcomes)
	for _, st := range steps {
		err := l.res.step(l.sys, st, l.net)
		if err == nil {
			err = l.sys.Err()
		}
		if err != nil {
			if st.file != "" && l.sys.Err() == nil {
				// A step sent to a live system that the system refused:
				// placed in what was sent, the steps before it done.
				return l.res.Outcomes[from:], &Error{File: st.file, Pos: st.Pos, Msg: err.Error()}
			}
			return l.res.Outcomes[from:], stepError(l.sc, st.Pos, err)
		}
	}
	return l.res.Outcomes[from:], nil
}

// HasServer reports whether the scenario runs a server of its own (it has
// <serve> elements or a provisioning-url that is a path), which <serve>
// steps change.
func (l *Live) HasServer() bool { return l.net.srv != nil }

// Close stops the network: the fetcher and the scenario's own server.
func (l *Live) Close() { l.net.close() }

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
