package system

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestEventsCarryTheSlotsStateAfterThem: every event about a slot or
// handset says the slot's DECT state just after it, absent once removed.
func TestEventsCarryTheSlotsStateAfterThem(t *testing.T) {
	s := newSys(t)
	require.NoError(t, s.AddHandset(HandsetSpec{IPUI: hsA, State: Registered}))
	_, err := s.Apply("f.xml", []byte(doc(`<param name="hs.`+hsA+`.RegStatus" value="ToDeReg"/>`)))
	require.NoError(t, err)
	req := eventsOf(s, EvDeregRequested, hsA)
	require.Len(t, req, 1)
	require.Equal(t, string(ToDeReg), req[0].State)
	require.NoError(t, s.Advance(time.Minute))
	done := eventsOf(s, EvDeregCompleted, hsA)
	require.Len(t, done, 1)
	require.Equal(t, StateAbsent, done[0].State)
	for _, e := range s.Events() {
		if e.Slot != "" || e.IPUI != "" {
			require.NotEmpty(t, e.State, "event %d %s", e.Seq, e.Type)
		} else {
			require.Empty(t, e.State, "event %d %s concerns no slot", e.Seq, e.Type)
		}
	}
}

// TestWarningsAboutOneHandsetCarryItsIPUI: the warnings a file earns for
// one slot name it, so they show in its timeline and expectations find
// them by IPUI.
func TestWarningsAboutOneHandsetCarryItsIPUI(t *testing.T) {
	s := newSys(t, WithFirmware("2.36.0"))
	require.NoError(t, s.AddHandset(HandsetSpec{IPUI: hsA, State: Registered}))
	upper := strings.ToUpper(hsA)
	_, err := s.Apply("f.xml", []byte(doc(`<oper name="delete_hs" value="`+upper+`"/>`+
		`<param name="hs.0a0a0a0a0a.RegStatus" value="ToDeReg"/>`+
		`<param name="hs.`+hsA+`.RegStatus" value="Maybe"/>`)))
	require.NoError(t, err)
	ws := s.FindEvents(EventQuery{Type: EvWarning, Key: hsA})
	require.Len(t, ws, 2, "%v", ws)
	require.Equal(t, WarnIPUICase, ws[0].Code)
	require.Equal(t, hsA, ws[0].IPUI)
	require.Equal(t, string(Registered), ws[0].State, "the handset stays")
	require.Equal(t, WarnBadRegStatus, ws[1].Code)
	none := s.FindEvents(EventQuery{Type: EvWarning, Key: "0a0a0a0a0a"})
	require.Len(t, none, 1)
	require.Equal(t, WarnNoSuchSlot, none[0].Code)
	require.Equal(t, StateAbsent, none[0].State)
}

func TestDeleteHSGracefulRequestCarriesToDeReg(t *testing.T) {
	s := newSys(t)
	addHS(t, s, HandsetSpec{IPUI: hsB, State: Registered})
	apply(t, s, doc(`<oper name="delete_hs" value="02b6ec8aa5"/>`))
	req := requireEvents(t, s, EvDeregRequested, hsB, 1)[0]
	require.Equal(t, "ToDeReg", req.State, "the slot's state just after the event")
}
