package des_test

import (
	"container/heap"
	"testing"
	"time"

	"github.com/dectsim/dectsim/internal/engine/des"
)

// benchPopulation is the steady number of pending events: roughly a busy
// multicell system (handsets, retries, timeouts) at any instant.
const benchPopulation = 1000

// lcg yields the same pseudo-random offsets in both benchmarks so they do
// identical heap work; math/rand would add its own cost to the measurement.
type lcg uint64

func (x *lcg) offset() int64 {
	*x = *x*6364136223846793005 + 1442695040888963407
	return int64(uint64(*x)>>33)%1_000_000 + 1 // 1ns..1ms
}

func BenchmarkQueue(b *testing.B) {
	s := des.New(time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC))
	fired := 0
	fn := func() { fired++ } // one func value: closures are the caller's cost
	var rng lcg
	for range benchPopulation {
		s.After(time.Duration(rng.offset()), fn)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		s.Step()
		s.After(time.Duration(rng.offset()), fn)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	if fired != b.N || s.Pending() != benchPopulation {
		b.Fatalf("fired %d of %d, pending %d", fired, b.N, s.Pending())
	}
}

type baseEntry struct {
	at  int64
	seq uint64
	fn  func()
}

type baseHeap []baseEntry

func (h baseHeap) Len() int { return len(h) }
func (h baseHeap) Less(i, j int) bool {
	return h[i].at < h[j].at || (h[i].at == h[j].at && h[i].seq < h[j].seq)
}
func (h baseHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *baseHeap) Push(x any)   { *h = append(*h, x.(baseEntry)) }
func (h *baseHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}

// BenchmarkHeapBaseline is the floor BenchmarkQueue is judged against: the
// same pushes and pops on container/heap with no IDs and no cancel support.
func BenchmarkHeapBaseline(b *testing.B) {
	var h baseHeap
	var now int64
	var seq uint64
	fired := 0
	fn := func() { fired++ }
	var rng lcg
	for range benchPopulation {
		seq++
		heap.Push(&h, baseEntry{at: now + rng.offset(), seq: seq, fn: fn})
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		e := heap.Pop(&h).(baseEntry)
		now = e.at
		e.fn()
		seq++
		heap.Push(&h, baseEntry{at: now + rng.offset(), seq: seq, fn: fn})
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	if fired != b.N || h.Len() != benchPopulation {
		b.Fatalf("fired %d of %d, pending %d", fired, b.N, h.Len())
	}
}

// BenchmarkAdvanceWithClock measures 1,000 one-minute Advances with an
// event each, with Clock() taken (and read) and without: the clock must
// cost Advance next to nothing. docs/performance.md reports the ratio.
func BenchmarkAdvanceWithClock(b *testing.B) {
	for _, taken := range []bool{false, true} {
		name := "without"
		if taken {
			name = "with"
		}
		b.Run(name, func(b *testing.B) {
			for range b.N {
				s := des.New(time.Unix(0, 0))
				if taken {
					_ = s.Clock().Now()
				}
				for range 1000 {
					s.After(30*time.Second, func() {})
					if err := s.Advance(time.Minute); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
