package system

import (
	"container/heap"
	"slices"

	"github.com/dectsim/dectsim/internal/vocab/ipui"
)

// The indexes below keep what scenario expectations and registrations ask
// for again and again without scanning every handset or slot: a Virtual
// Integrator holds 20,000 handsets, and a scenario may check them tens of
// thousands of times. Each is brought up to date where what it depends
// on changes: touch for a handset's ghost status, reindex for a slot's
// place among the free placeholders.

// touch brings the ghost set up to date for the handset with IPUI ip (if
// there is one): call it after anything isGhost reads changes (the
// handset's subscription, the slot byIPUI names, that slot's state).
func (s *System) touch(ip string) {
	if ip == "" {
		return
	}
	h := s.handsets[ip]
	if h == nil {
		return
	}
	g := s.isGhost(h)
	if g == h.ghost {
		return
	}
	h.ghost = g
	if g {
		s.ghosts[h] = struct{}{}
	} else {
		delete(s.ghosts, h)
	}
}

// GhostCount returns how many handsets are ghosts, without listing them.
func (s *System) GhostCount() int { return len(s.ghosts) }

// ghostList returns the ghost handsets in the order they were added.
func (s *System) ghostList() []*handset {
	out := make([]*handset, 0, len(s.ghosts))
	for h := range s.ghosts {
		out = append(out, h)
	}
	slices.SortFunc(out, func(a, b *handset) int { return a.seq - b.seq })
	return out
}

// setState changes a slot's state and what depends on it.
func (s *System) setState(sl *slot, st State) {
	sl.state = st
	s.reindex(sl)
	s.touch(sl.ipui)
}

// setSubscribed changes a handset's own memory of its registration.
func (s *System) setSubscribed(h *handset, sub bool) {
	h.subscribed = sub
	s.touch(h.ipui)
}

// placeholderFree reports a slot a handset without a slot of its own can
// register into while the window is open.
func placeholderFree(sl *slot) bool {
	return !sl.gone && sl.ipui == "" && sl.state == ToReg && !ipui.IsIPUI(sl.id)
}

// reindex puts sl among the free placeholders under its PIN, or takes it
// out: call it after the slot's state, IPUI, PIN or presence changes.
func (s *System) reindex(sl *slot) {
	free := placeholderFree(sl)
	pin := ""
	if free {
		pin = s.pin(sl)
	}
	if sl.freeAt >= 0 {
		if free && sl.freePIN == pin {
			return
		}
		heap.Remove(s.free[sl.freePIN], sl.freeAt)
		s.freeN--
		if q := s.free[sl.freePIN]; q.Len() == 0 {
			delete(s.free, sl.freePIN)
		}
	}
	if !free {
		return
	}
	q := s.free[pin]
	if q == nil {
		q = &slotQueue{}
		s.free[pin] = q
	}
	sl.freePIN = pin
	heap.Push(q, sl)
	s.freeN++
}

// firstFree is the first free placeholder, in list order, whose PIN is
// empty or typed.
func (s *System) firstFree(typed string) *slot {
	var best *slot
	for _, pin := range []string{"", typed} {
		if q := s.free[pin]; q != nil && q.Len() > 0 {
			s.probes++
			if c := (*q)[0]; best == nil || c.seq < best.seq {
				best = c
			}
		}
		if typed == "" {
			break
		}
	}
	return best
}

// slotQueue is a min-heap of free placeholder slots by list position;
// each slot knows its index (freeAt) so it can leave from anywhere.
type slotQueue []*slot

func (q slotQueue) Len() int           { return len(q) }
func (q slotQueue) Less(i, j int) bool { return q[i].seq < q[j].seq }
func (q slotQueue) Swap(i, j int) {
	q[i], q[j] = q[j], q[i]
	q[i].freeAt, q[j].freeAt = i, j
}
func (q *slotQueue) Push(x any) {
	sl := x.(*slot)
	sl.freeAt = len(*q)
	*q = append(*q, sl)
}
func (q *slotQueue) Pop() any {
	old := *q
	sl := old[len(old)-1]
	old[len(old)-1] = nil
	*q = old[:len(old)-1]
	sl.freeAt = -1
	return sl
}
