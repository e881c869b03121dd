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

// A scenario played as a clock moves, with steps of one's own in between:
// what `dectsim serve` does for each system.
func ExampleNewLive() {
	sc, err := scenario.ParseFile("../../scenarios/ghost-after-24h.xml")
	if err != nil {
		panic(err)
	}
	l, err := scenario.NewLive(sc, scenario.Options{})
	if err != nil {
		panic(err)
	}
	defer l.Close()
	steps, err := l.ParseJSONSteps([]byte(`[{"step": "expect", "ipui": "02b6ec8aa5", "state": "Registered"}]`))
	if err != nil {
		panic(err)
	}
	outs, _ := l.Steps(steps)
	fmt.Println("before the story:", outs[0].OK)
	for {
		if _, ok := l.NextBlock(); !ok {
			break
		}
		if err := l.RunBlock(); err != nil {
			panic(err)
		}
	}
	fmt.Println("after it:", l.Result().Passed(), l.System().GhostIPUIs())
	// Output:
	// before the story: true
	// after it: true [02b6ec8aa5]
}
