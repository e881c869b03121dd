package system

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dectsim/dectsim/internal/engine/syshook"
	"github.com/dectsim/dectsim/internal/provfile"
)

// TestHooksReachTheSystem: what the fetcher and the scenario runner use
// through internal/engine/syshook acts on the system it was asked for.
func TestHooksReachTheSystem(t *testing.T) {
	s := newSys(t, WithSeed(7))
	h := syshook.Of[Event](s)

	ran := false
	h.Sim.After(time.Minute, func() { ran = true })
	advance(t, s, time.Minute)
	require.True(t, ran, "Sim is the system's own time line")

	same := newSys(t, WithSeed(7))
	require.Equal(t, syshook.Of[Event](same).Rand.Uint64(), h.Rand.Uint64(), "Rand follows the seed")

	h.Record(Event{Type: EvFetch, Outcome: "error", Reason: "no-url"})
	ev := requireEvents(t, s, EvFetch, "", 1)
	require.Equal(t, s.Now(), ev[0].Time)
	require.Equal(t, 1, ev[0].Seq)

	// Bytes inside a larger file keep that file's positions.
	err := h.Apply("scenario.xml", []byte(`<provisioning version="1.1" productID="e2"><nvm><oper name="nope"/></nvm></provisioning>`), provfile.Pos{Line: 10, Col: 5})
	require.NoError(t, err)
	w := warnings(s, WarnUnknownOper)
	require.Len(t, w, 1)
	require.Equal(t, 10, w[0].Line)

	err = h.ApplyParsed(&provfile.File{Name: "x.xml", Pos: provfile.Pos{Line: 1, Col: 1}, ProductID: "e1", HasProductID: true})
	var fe *FileError
	require.True(t, errors.As(err, &fe))
	require.Equal(t, "product-id", fe.Code)
	requireEvents(t, s, EvProvisioningRejected, "", 1)
}
