package main

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/dectsim/dectsim/emulator/scenario"
)

// runVars are the --var NAME=VALUE of this dectsim run: the values of
// ${NAME} in scenario files, before the environment.
var runVars = varFlags{}

// varFlags collects --var NAME=VALUE.
type varFlags map[string]string

func (v varFlags) String() string { return joinPairs(v) }

// joinPairs writes NAME=VALUE flags back as the command line gave them,
// in name order.
func joinPairs(m map[string]string) string {
	var parts []string
	for _, n := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, n+"="+m[n])
	}
	return strings.Join(parts, ",")
}

func (v varFlags) Set(arg string) error {
	name, value, ok := strings.Cut(arg, "=")
	if !ok {
		return fmt.Errorf("%q is not NAME=VALUE", arg)
	}
	if !scenario.ValidVarName(name) {
		return fmt.Errorf("%q is not a variable name (letters, digits and _, not starting with a digit)", name)
	}
	v[name] = value
	return nil
}

// newRunVars empties runVars for a new command line and returns it for
// its --var flag.
func newRunVars() varFlags {
	clear(runVars)
	return runVars
}

const varUsage = "give ${NAME} in scenario files the value VALUE (repeatable; a name no --var gives is read from the environment)"

// parseOptions are how dectsim run reads scenario files.
func parseOptions() scenario.ParseOptions { return scenario.ParseOptions{Vars: runVars} }
