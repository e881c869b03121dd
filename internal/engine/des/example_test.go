package des_test

import (
	"fmt"
	"time"

	"github.com/dectsim/dectsim/internal/engine/des"
)

func Example() {
	start := time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)
	s := des.New(start)
	say := func(msg string) func() {
		return func() { fmt.Printf("+%v %s\n", s.Now().Sub(start), msg) }
	}

	s.After(2*time.Second, say("beacon"))
	// Same instant: these run in the order they were scheduled.
	s.After(time.Second, say("handset A registers"))
	s.After(time.Second, func() {
		say("handset B registers")()
		// Scheduled for "now" from inside an event: still runs in this Advance.
		s.After(0, say("base acknowledges B"))
	})
	late := s.After(3*time.Second, say("never: cancelled"))
	s.Cancel(late)

	if err := s.Advance(5 * time.Second); err != nil {
		fmt.Println(err)
	}
	fmt.Println("now", s.Now().Sub(start), "pending", s.Pending())
	// Output:
	// +1s handset A registers
	// +1s handset B registers
	// +1s base acknowledges B
	// +2s beacon
	// now 5s pending 0
}
