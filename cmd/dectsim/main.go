// Command dectsim runs scenario files against an emulated Gigaset PRO DECT
// IP multicell system and lints provisioning files against what a product
// and firmware would do with them.
//
// Exit codes: 0 success; 1 bad command line; 2 an input file could not be
// parsed or is invalid; 3 a runtime error (I/O, network); 4 an expectation
// failed (run) or an error-level finding (check).
package main

import (
	"os"
	"runtime/debug"
)

// memoryLimit is the soft limit the command gives the garbage collector
// unless GOMEMLIMIT says otherwise: with the work limits' worst case near
// it, the collector runs harder rather than letting the heap double.
const memoryLimit = 768 << 20

func main() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
	os.Exit(Main(os.Args[1:], os.Stdout, os.Stderr, os.Getenv))
}
