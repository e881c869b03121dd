// Package syshook is how the packages that drive an emulated system from
// outside (the provisioning fetcher in emulator/autoprov, the scenario
// runner in emulator/scenario) reach the system's plumbing: its event
// queue and seeded randomness, recording an event in its log, listening
// to its events, settings and reboots, and applying a document already
// read or one that sits inside a larger file.
//
// None of this is for embedders, so none of it is in system.System's
// exported method set. The shape follows from Go's rules:
//
//   - An interface with unexported methods cannot be satisfied by a type
//     of another package, and exported methods would be public API. So
//     package system registers, in its init, one accessor that turns a
//     *system.System into a Host of closures over it (Set), and the
//     packages that need the plumbing ask for it (Of).
//   - syshook cannot import system (system imports syshook to register),
//     so Host is generic in the event type, which lives in system, and the
//     accessor is stored untyped and checked when Of asks for it.
//   - Being under internal/, the package can be imported only from this
//     module: an embedder cannot reach the hooks.
//
// Typical use, in autoprov:
//
//	h := syshook.Of[system.Event](sys)
//	h.OnReboot(f.onReboot)
//	id := h.Sim.After(latency, apply)
package syshook

import (
	"fmt"
	"math/rand/v2"

	"github.com/dectsim/dectsim/internal/engine/des"
	"github.com/dectsim/dectsim/internal/provfile"
)

// Host is a system's plumbing, as closures over one system. E is the
// system's event type.
type Host[E any] struct {
	// Sim is the discrete-event core: components schedule their own
	// events on the system's time line with it.
	Sim *des.Sim
	// Rand is the system's seeded random source, for choices that must
	// follow the seed.
	Rand *rand.Rand
	// Record logs an event at the system's current time, as if the system
	// had emitted it (the fetcher's fetch events).
	Record func(E)
	// OnEvent registers a function called with every event as it is
	// logged, on the goroutine that advances the system.
	OnEvent func(func(E))
	// OnParam registers a function called whenever a provisioned setting
	// is stored, with its canonical name.
	OnParam func(func(name, value string))
	// OnReboot registers a function called after every reboot.
	OnReboot func(func())
	// Apply applies provisioning bytes whole or not at all; origin places
	// them inside a larger file (the zero Pos: they are a file of their
	// own). A document the system refuses is logged as
	// provisioning-rejected and returned as a *system.FileError.
	Apply func(name string, data []byte, origin provfile.Pos) error
	// ApplyParsed applies a document already read, with the same rules.
	ApplyParsed func(f *provfile.File) error
	// CheckSync logs a check-sync from source ("scenario", "api", "sip")
	// and, when reboot is asked and the system honours it, reboots; it
	// reports whether the system rebooted (its boot fetch is then the
	// fetch), else the caller fetches.
	CheckSync func(source string, reboot bool) bool
}

// accessor is the function Set registered: a func(S) Host[E] for the
// system's S and E.
var accessor any

// Set registers how to get a system's Host. Package system calls it once,
// in its init, before any other package can use a system.
func Set[S, E any](of func(S) Host[E]) { accessor = of }

// Of returns the Host of system s. E names the event type, so a call reads
// syshook.Of[system.Event](sys). It panics when no accessor for S and E is
// registered, which is a programming error.
func Of[E, S any](s S) Host[E] {
	of, ok := accessor.(func(S) Host[E])
	if !ok {
		panic(fmt.Sprintf("syshook: no accessor registered for %T", s))
	}
	return of(s)
}
