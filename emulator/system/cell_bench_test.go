package system

import (
	"fmt"
	"runtime"
	"testing"
)

// viOptions is a Virtual Integrator of dms DECT managers, each one
// cluster of 60 bases (b0 the sync master, the others at level 2 hearing
// it, every tenth at level 3 hearing the one before), and the handsets
// each DM holds, every handset within reach of two bases of its DM.
func viOptions(dms int) []Option {
	opts := []Option{WithProduct("VI")}
	for d := 0; d < dms; d++ {
		dm := fmt.Sprintf("dm%02d", d)
		opts = append(opts, WithDM(DMSpec{ID: dm}))
		for b := 0; b < MaxBasesPerDM; b++ {
			spec := BaseSpec{ID: fmt.Sprintf("%s-b%02d", dm, b), DM: dm}
			if b%10 == 9 {
				spec.Level, spec.Hears = 3, []string{fmt.Sprintf("%s-b%02d", dm, b-1)}
			}
			opts = append(opts, WithBase(spec))
		}
	}
	return opts
}

func viSystem(tb testing.TB, dms, handsetsPerDM int) *System {
	s, err := New(viOptions(dms)...)
	if err != nil {
		tb.Fatal(err)
	}
	for d := 0; d < dms; d++ {
		for i := 0; i < handsetsPerDM; i++ {
			at := []string{fmt.Sprintf("dm%02d-b%02d", d, i%59+1), fmt.Sprintf("dm%02d-b%02d", d, (i+7)%59+1)}
			if err := s.AddHandset(HandsetSpec{IPUI: fmt.Sprintf("%02x%08x", d, i), State: Registered, At: at}); err != nil {
				tb.Fatal(err)
			}
		}
	}
	return s
}

// BenchmarkBaseChange: the sync master of one cluster of 60 bases and 200
// handsets goes down and comes back (its cluster re-synchronised), in a
// VI of one DM and in one of 100 DMs, 6,000 bases and 20,000 handsets.
// The cost per change is the cluster's, whatever the size of the system.
func BenchmarkBaseChange(b *testing.B) {
	for _, dms := range []int{1, 100} {
		b.Run(fmt.Sprintf("dms=%d", dms), func(b *testing.B) {
			s := viSystem(b, dms, 200)
			s.cfg.MaxEvents, s.cfg.MaxLogBytes = 1<<62, 1<<62
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := s.SetBase("dm00-b00", false); err != nil {
					b.Fatal(err)
				}
				if err := s.SetBase("dm00-b00", true); err != nil {
					b.Fatal(err)
				}
				if err := s.Advance(2 * ResyncDelay); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*2), "changes")
		})
	}
}

// TestABaseTakesUnder512BytesOfMemory: a base station, with its place in
// the sync chain, costs the system less than 512 bytes of memory it keeps
// (what building it allocates and drops is not counted).
func TestABaseTakesUnder512BytesOfMemory(t *testing.T) {
	retained := func(dms int) uint64 {
		opts := viOptions(dms)
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		s, err := New(opts...)
		if err != nil {
			t.Fatal(err)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		runtime.KeepAlive(s)
		return after.HeapAlloc - before.HeapAlloc
	}
	one, all := retained(1), retained(MaxDMs)
	per := float64(all-one) / float64((MaxDMs-1)*MaxBasesPerDM)
	t.Logf("%.0f bytes per base (%d bases)", per, MaxDMs*MaxBasesPerDM)
	if per >= 512 {
		t.Fatalf("a base costs %.0f bytes; the promise is under 512", per)
	}
}
