package system

import (
	"testing"
	"time"

	"github.com/beevik/etree"

	"github.com/dectsim/dectsim/emulator/provfile"
)

var vi20k = provfile.GenerateComplete(20000)

// BenchmarkApplyVI20k applies a complete 20,000-handset file to a fresh
// Virtual Integrator: read, validate, create every slot and store every
// setting. Compare with BenchmarkParseEtreeVI20k (SPEC §6: at most 1.5×).
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
