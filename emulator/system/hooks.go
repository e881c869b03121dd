package system

import (
	"github.com/dectsim/dectsim/internal/engine/syshook"
	"github.com/dectsim/dectsim/internal/provfile"
)

// The plumbing the fetcher and the scenario runner use is reached through
// internal/engine/syshook, not through System's methods: embedders never see it.
func init() {
	syshook.Set(func(s *System) syshook.Host[Event] {
		return syshook.Host[Event]{
			Sim:      s.sim,
			Rand:     s.rng,
			Record:   s.emit,
			OnEvent:  s.onEvent,
			OnParam:  s.onParam,
			OnReboot: s.onReboot,
			Apply: func(name string, data []byte, origin provfile.Pos) error {
				_, err := s.applyAt(name, data, origin)
				return err
			},
			ApplyParsed: func(f *provfile.File) error {
				_, err := s.applyParsed(f)
				return err
			},
			CheckSync: s.checkSync,
		}
	})
}
