package main

import "github.com/dectsim/dectsim/emulator/scenario"

// runOptions wires what a scenario run needs from the outside world.
func runOptions() scenario.Options { return scenario.Options{} }
