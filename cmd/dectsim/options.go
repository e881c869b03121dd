package main

import (
	"github.com/dectsim/dectsim/emulator/scenario"
	"github.com/dectsim/dectsim/emulator/system"
)

// systemOptions are added to every scenario's system (tests lower the
// limits with them).
var systemOptions []system.Option

// runOptions wires what a scenario run needs from the outside world.
func runOptions() scenario.Options {
	return scenario.Options{SystemOptions: systemOptions, Vars: runVars}
}
