package system

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const windowOpen = `<oper name="update_dm" value="local"><param name="RegStart" value="1767225600"/><param name="RegDuration" value="900"/></oper>`

func pin(s string) *string { return &s }

func TestRegisterIntoOwnIPUISlotNeedsNoWindow(t *testing.T) {
	s := newSys(t)
	addHS(t, s, HandsetSpec{IPUI: hsA})
	apply(t, s, doc(addOper(hsA)))
	require.NoError(t, s.Register(hsA))
	require.Equal(t, InReg, s.SlotState(hsA))
	requireEvents(t, s, EvRegistrationStarted, hsA, 1)
	advance(t, s, time.Minute)
	require.Equal(t, Registered, s.SlotState(hsA))
	require.True(t, handsetOf(t, s, hsA).Subscribed)
	requireEvents(t, s, EvRegistered, hsA, 1)
}

func TestRegisterIntoPlaceholderNeedsOpenWindow(t *testing.T) {
	s := newSys(t)
	addHS(t, s, HandsetSpec{IPUI: hsA})
	apply(t, s, doc(addOper("00001")))
	require.NoError(t, s.Register(hsA))
	ev := requireEvents(t, s, EvRegistrationRefused, hsA, 1)
	require.Equal(t, RefusedWindow, ev[0].Reason)
	require.Equal(t, ToReg, s.SlotState("00001"))
	apply(t, s, doc(windowOpen))
	require.NoError(t, s.Register(hsA))
	advance(t, s, time.Minute)
	slot, ok := s.Slot(hsA)
	require.True(t, ok, "a placeholder slot is found by the IPUI registered in it")
	require.Equal(t, "00001", slot.ID)
	require.Equal(t, Registered, slot.State)
	at(t, s, 16*time.Minute)
	addHS(t, s, HandsetSpec{IPUI: hsB})
	apply(t, s, doc(addOper("00002")))
	require.NoError(t, s.Register(hsB))
	ev = requireEvents(t, s, EvRegistrationRefused, hsB, 1)
	require.Equal(t, RefusedWindow, ev[0].Reason, "the 900 s window has closed")
}

func TestRegisterTakesFirstPlaceholderWhosePINMatches(t *testing.T) {
	s := newSys(t)
	addHS(t, s, HandsetSpec{IPUI: hsA, PIN: "2002"})
	apply(t, s, doc(addOper("00001")+addOper("00002")+addOper("00003")+
		`<param name="hs.00001.DECT_AC" value="1001"/><param name="hs.00002.DECT_AC" value="2002"/>`+windowOpen))
	require.NoError(t, s.Register(hsA))
	advance(t, s, time.Minute)
	slot, _ := s.Slot(hsA)
	require.Equal(t, "00002", slot.ID)
	addHS(t, s, HandsetSpec{IPUI: hsB})
	require.NoError(t, s.Register(hsB))
	advance(t, s, time.Minute)
	slot, _ = s.Slot(hsB)
	require.Equal(t, "00003", slot.ID, "no PIN given matches only a slot without PIN")
}

func TestWrongPINIsRefusedAndLeavesSlotAsItWas(t *testing.T) {
	s := newSys(t)
	addHS(t, s, HandsetSpec{IPUI: hsA})
	apply(t, s, doc(addOper("00001")+`<param name="hs.00001.DECT_AC" value="1001"/>`+windowOpen))
	before := s.Snapshot()
	require.NoError(t, s.RegisterWithPIN(hsA, "9999"))
	ev := requireEvents(t, s, EvRegistrationRefused, hsA, 1)
	require.Equal(t, RefusedWrongPIN, ev[0].Reason)
	require.Equal(t, before, s.Snapshot())
	require.NoError(t, s.Register(hsA))
	requireEvents(t, s, EvRegistrationRefused, hsA, 2)
}

func TestWrongPINOnOwnSlotDoesNotFallBackToPlaceholder(t *testing.T) {
	s := newSys(t)
	addHS(t, s, HandsetSpec{IPUI: hsA})
	apply(t, s, doc(addOper(hsA)+`<param name="hs.029e74a599.DECT_AC" value="1111"/>`+addOper("00001")+windowOpen))
	require.NoError(t, s.RegisterWithPIN(hsA, "0000"))
	ev := requireEvents(t, s, EvRegistrationRefused, hsA, 1)
	require.Equal(t, RefusedWrongPIN, ev[0].Reason)
	require.Equal(t, ToReg, s.SlotState("00001"))
	require.NoError(t, s.RegisterWithPIN(hsA, "1111"))
	advance(t, s, time.Minute)
	require.Equal(t, Registered, s.SlotState(hsA))
}

func TestRegisterRefusedWhenNotConnected(t *testing.T) {
	for _, spec := range []HandsetSpec{{IPUI: hsA, OutOfRange: true}, {IPUI: hsA, Off: true}} {
		s := newSys(t)
		addHS(t, s, spec)
		apply(t, s, doc(addOper(hsA)))
		require.NoError(t, s.Register(hsA))
		ev := requireEvents(t, s, EvRegistrationRefused, hsA, 1)
		require.Equal(t, RefusedNotConnected, ev[0].Reason)
		require.Equal(t, ToReg, s.SlotState(hsA))
	}
}

func TestRegisterRefusedWithoutMatchingSlot(t *testing.T) {
	s := newSys(t)
	addHS(t, s, HandsetSpec{IPUI: hsA})
	apply(t, s, doc(windowOpen))
	require.NoError(t, s.Register(hsA))
	ev := requireEvents(t, s, EvRegistrationRefused, hsA, 1)
	require.Equal(t, RefusedNoSlot, ev[0].Reason)
}

func TestHandsetLeavingDuringRegistrationPutsSlotBack(t *testing.T) {
	s := newSys(t)
	addHS(t, s, HandsetSpec{IPUI: hsA})
	apply(t, s, doc(addOper("00001")+windowOpen))
	require.NoError(t, s.Register(hsA))
	advance(t, s, 5*time.Second)
	require.NoError(t, s.Move(hsA, false))
	require.Equal(t, ToReg, s.SlotState("00001"))
	slot, _ := s.Slot("00001")
	require.Empty(t, slot.IPUI)
	ev := requireEvents(t, s, EvRegistrationRefused, hsA, 1)
	require.Equal(t, RefusedHandsetLost, ev[0].Reason)
	require.False(t, handsetOf(t, s, hsA).Subscribed)
}

func TestGhostCannotRegisterUntilReset(t *testing.T) {
	s := newSys(t, WithFirmware("2.36.0"))
	addHS(t, s, HandsetSpec{IPUI: hsB, State: Registered, Off: true})
	apply(t, s, doc(`<oper name="delete_hs" value="02b6ec8aa5"/>`))
	require.True(t, handsetOf(t, s, hsB).Ghost)
	require.NoError(t, s.Power(hsB, true))
	apply(t, s, doc(addOper(hsB)))
	require.NoError(t, s.Register(hsB))
	ev := requireEvents(t, s, EvRegistrationRefused, hsB, 1)
	require.Equal(t, RefusedSubscribed, ev[0].Reason)
	require.Equal(t, ToReg, s.SlotState(hsB))
	require.NoError(t, s.Reset(hsB))
	require.False(t, handsetOf(t, s, hsB).Ghost)
	requireEvents(t, s, EvHandsetReset, hsB, 1)
	require.NoError(t, s.Register(hsB))
	advance(t, s, time.Minute)
	require.Equal(t, Registered, s.SlotState(hsB))
}

func TestConnectedGhostAttemptsWithinAMinuteThenHourly(t *testing.T) {
	s := newSys(t)
	addHS(t, s, HandsetSpec{IPUI: hsB, State: Registered, OutOfRange: true})
	apply(t, s, doc(`<param name="hs.02b6ec8aa5.RegStatus" value="ToDeReg"/>`))
	at(t, s, 30*time.Hour)
	requireEvents(t, s, EvGhostAttempt, hsB, 0)
	require.NoError(t, s.Move(hsB, true))
	advance(t, s, time.Minute)
	first := requireEvents(t, s, EvGhostAttempt, hsB, 1)
	require.LessOrEqual(t, first[0].Time.Sub(s.StartTime().Add(30*time.Hour)), time.Minute)
	advance(t, s, 3*time.Hour)
	requireEvents(t, s, EvGhostAttempt, hsB, 4)
	require.NoError(t, s.Move(hsB, false))
	advance(t, s, 5*time.Hour)
	requireEvents(t, s, EvGhostAttempt, hsB, 4)
}

func TestGhostIntervalIsConfigurable(t *testing.T) {
	s := newSys(t, WithGhostInterval(10*time.Minute), WithFirmware("2.36.0"))
	addHS(t, s, HandsetSpec{IPUI: hsB, State: Registered, Off: true})
	apply(t, s, doc(`<oper name="delete_hs" value="02b6ec8aa5"/>`))
	require.NoError(t, s.Power(hsB, true))
	advance(t, s, time.Hour)
	requireEvents(t, s, EvGhostAttempt, hsB, 6)
}

func TestResetStopsGhostAttempts(t *testing.T) {
	s := newSys(t, WithFirmware("2.36.0"))
	addHS(t, s, HandsetSpec{IPUI: hsB, State: Registered, OutOfRange: true})
	apply(t, s, doc(`<oper name="delete_hs" value="02b6ec8aa5"/>`))
	require.NoError(t, s.Move(hsB, true))
	advance(t, s, 90*time.Minute)
	requireEvents(t, s, EvGhostAttempt, hsB, 2)
	require.NoError(t, s.Reset(hsB))
	advance(t, s, 10*time.Hour)
	requireEvents(t, s, EvGhostAttempt, hsB, 2)
	require.Empty(t, s.Ghosts())
}

func TestUnknownHandsetIsAnError(t *testing.T) {
	s := newSys(t)
	require.Error(t, s.Register(hsA))
	require.Error(t, s.Move(hsA, true))
	require.Error(t, s.Power(hsA, true))
	require.Error(t, s.Reset(hsA))
	require.Error(t, s.AddHandset(HandsetSpec{IPUI: "xyz"}))
}

func TestSameInputsGiveSameEventLog(t *testing.T) {
	run := func() []Event {
		s := newSys(t, WithSeed(7), WithFirmware("2.36.0"))
		addHS(t, s, HandsetSpec{IPUI: hsA, State: Registered})
		addHS(t, s, HandsetSpec{IPUI: hsB, State: Registered, OutOfRange: true})
		addHS(t, s, HandsetSpec{IPUI: hsC})
		apply(t, s, doc(`<oper name="DeleteNotProvisionedHS"/>`+addOper(hsC)+addOper("00001")+windowOpen))
		require.NoError(t, s.Register(hsC))
		require.NoError(t, s.Move(hsB, true))
		advance(t, s, 3*24*time.Hour)
		return s.Events()
	}
	require.Equal(t, run(), run())
}
