package system

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/beevik/etree"

	"github.com/dectsim/dectsim/internal/engine/syshook"
	"github.com/dectsim/dectsim/internal/provfile"
)

var vi20k = provfile.GenerateComplete(20000)

// BenchmarkApplyVI20k applies a complete 20,000-handset file to a fresh
// Virtual Integrator: read, validate, create every slot and store every
// setting. Compare with BenchmarkParseEtreeVI20k (the target: at most 1.5×).
func BenchmarkApplyVI20k(b *testing.B) {
	b.SetBytes(int64(len(vi20k)))
	b.ReportAllocs()
	for b.Loop() {
		s, err := New(WithProduct("VI"))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.Apply("vi.xml", vi20k); err != nil {
			b.Fatal(err)
		}
		if s.SlotCount() != 20000 {
			b.Fatalf("%d slots", s.SlotCount())
		}
	}
}

// BenchmarkParseEtreeVI20k is the baseline: the same bytes read by etree
// alone, building its tree and nothing else.
func BenchmarkParseEtreeVI20k(b *testing.B) {
	b.SetBytes(int64(len(vi20k)))
	b.ReportAllocs()
	for b.Loop() {
		d := etree.NewDocument()
		if err := d.ReadFromBytes(vi20k); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReapplyVI20k is the daily no-op: the same complete file applied
// to a system that already holds every slot.
func BenchmarkReapplyVI20k(b *testing.B) {
	s, err := New(WithProduct("VI"))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.Apply("vi.xml", vi20k); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(vi20k)))
	b.ResetTimer()
	for b.Loop() {
		if _, err := s.Apply("vi.xml", vi20k); err != nil {
			b.Fatal(err)
		}
		_ = s.Advance(time.Second)
	}
}

// BenchmarkMonthVI20k is 30 simulated days of a Virtual Integrator with
// 20,000 registered handsets. Every day the server sends its complete file;
// 1% of users leave (the list runs at 19,800 so that leaving slots, which still count until they are gone, and joining ones fit in the 20,000 the VI holds) (half of their handsets are away at that moment and
// end up as ghosts) and 1% join and register; some ghosts are reset.
// Rendering the files is the server's cost and is not timed.
func BenchmarkMonthVI20k(b *testing.B) {
	const n, days, churn = 19800, 30, 200
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		s, err := New(WithProduct("VI"))
		if err != nil {
			b.Fatal(err)
		}
		users := make([]int, n)
		for i := range users {
			users[i] = i
			if err := s.AddHandset(HandsetSpec{IPUI: provfile.GenerateIPUI(i), State: Registered}); err != nil {
				b.Fatal(err)
			}
		}
		next := n
		b.StartTimer()
		for day := 0; day < days; day++ {
			b.StopTimer()
			// Users leave: drop the first churn users, half of whose
			// handsets are away right now.
			leaving := users[:churn]
			users = append([]int(nil), users[churn:]...)
			for j, u := range leaving {
				if j%2 == 0 {
					_ = s.Move(provfile.GenerateIPUI(u), false)
				}
			}
			joining := make([]int, churn)
			for j := range joining {
				joining[j] = next
				next++
			}
			users = append(users, joining...)
			file := provfile.GenerateFor(users)
			b.StartTimer()
			if _, err := s.Apply("daily.xml", file); err != nil {
				b.Fatal(err)
			}
			for _, u := range joining {
				id := provfile.GenerateIPUI(u)
				_ = s.AddHandset(HandsetSpec{IPUI: id})
				_ = s.Register(id)
			}
			for j, g := range s.Ghosts() {
				if j%4 == 0 {
					_ = s.Reset(g.IPUI)
				}
			}
			if err := s.Advance(24 * time.Hour); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		if s.SlotCount() != n {
			b.Fatalf("%d slots after a month, want %d", s.SlotCount(), n)
		}
		b.ReportMetric(float64(len(s.Ghosts())), "ghosts")
		b.StartTimer()
	}
}

// BenchmarkApplyScaling applies complete handset lists of 1,000, 10,000
// and 100,000 handsets (provfile.GenerateLean, so the largest stays inside
// the file-size limit): the cost per handset should stay flat.
func BenchmarkApplyScaling(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		file := provfile.GenerateLean(n)
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			b.SetBytes(int64(len(file)))
			for b.Loop() {
				s, err := New(WithProduct("VI"), WithMaxHandsets(n))
				if err != nil {
					b.Fatal(err)
				}
				if _, err := s.Apply("f.xml", file); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/handset")
		})
	}
}

// BenchmarkMemoryPerHandset measures the live heap of a Virtual Integrator
// holding 20,000 handsets with their complete settings and event log.
func BenchmarkMemoryPerHandset(b *testing.B) {
	const n = 20000
	for b.Loop() {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		s, err := New(WithProduct("VI"))
		if err != nil {
			b.Fatal(err)
		}
		for i := 0; i < n; i++ {
			if err := s.AddHandset(HandsetSpec{IPUI: provfile.GenerateIPUI(i)}); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := s.Apply("vi.xml", vi20k); err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "B/handset")
		runtime.KeepAlive(s)
	}
}

// BenchmarkEventQueries is a scenario's worth of expectations: 10,000
// event queries (type, handset and outcome) over a log of 20,000 events
// about 2,000 handsets.
func BenchmarkEventQueries(b *testing.B) {
	s, err := New(WithProduct("VI"))
	if err != nil {
		b.Fatal(err)
	}
	rec := syshook.Of[Event](s).Record
	types := []string{EvRegistered, EvDeregRequested, EvDeregCompleted, EvGhostAttempt, EvFetch}
	for i := range 20000 {
		rec(Event{Type: types[i%len(types)], IPUI: provfile.GenerateIPUI(i % 2000), Outcome: "ok"})
	}
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		for i := range 10000 {
			n += s.CountEvents(EventQuery{Type: types[i%len(types)], Key: provfile.GenerateIPUI(i % 2000), Outcome: "ok"})
		}
		if n == 0 {
			b.Fatal("no events found")
		}
	}
}
