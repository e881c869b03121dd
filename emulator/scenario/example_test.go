package scenario_test

import (
	"fmt"

	"github.com/dectsim/dectsim/emulator/scenario"
)

// A scenario file run from Go: the result holds every expectation's
// outcome and the system as the run left it.
func ExampleRunFile() {
	res, err := scenario.RunFile("../../scenarios/ghost-after-24h.xml", scenario.Options{})
	if err != nil {
		panic(err) // the file cannot be read, or the run cannot be set up
	}
	fmt.Printf("%s: %d expectations, %d failed\n", res.Scenario.Name, res.Checks(), len(res.Failures))
	fmt.Println("ghosts:", res.System.GhostIPUIs())
	for _, o := range res.Outcomes[:2] {
		fmt.Println(o.OK, o.Step.Describe())
	}
	// Output:
	// out of range for a day becomes a ghost: 7 expectations, 0 failed
	// ghosts: [02b6ec8aa5]
	// true <expect-event type="dereg-requested" ipui="02b6ec8aa5" outcome="DeleteNotProvisionedHS" count="1"/>
	// true <expect ipui="02b6ec8aa5" state="ToDeReg" ghost="false"/>
}
