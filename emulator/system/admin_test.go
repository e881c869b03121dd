package system

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestAdminToRegToNotRegDisablesRegistrationAndNotRegToToRegReopensIt(t *testing.T) {
	s := newSys(t)
	addHS(t, s, HandsetSpec{IPUI: hsA, State: ToReg})
	require.NoError(t, s.Admin(hsA, NotReg))
	require.Equal(t, NotReg, s.SlotState(hsA))
	ev := requireEvents(t, s, EvAdmin, hsA, 1)[0]
	require.Equal(t, string(NotReg), ev.State)
	require.Equal(t, hsA, ev.Slot)
	require.Equal(t, hsA, ev.IPUI)

	require.NoError(t, s.Register(hsA))
	refused := requireEvents(t, s, EvRegistrationRefused, hsA, 1)
	require.Equal(t, RefusedSlotState, refused[0].Reason, "a NotReg slot takes no registration")

	require.NoError(t, s.Admin(hsA, ToReg))
	require.Equal(t, ToReg, s.SlotState(hsA))
	require.Equal(t, string(ToReg), requireEvents(t, s, EvAdmin, hsA, 2)[1].State)
	require.NoError(t, s.Register(hsA))
	advance(t, s, time.Minute)
	require.Equal(t, Registered, s.SlotState(hsA))
}

func TestAdminInRegToNotRegCancelsTheRegistration(t *testing.T) {
	s := newSys(t)
	addHS(t, s, HandsetSpec{IPUI: hsA, State: ToReg})
	require.NoError(t, s.Register(hsA))
	require.Equal(t, InReg, s.SlotState(hsA))
	require.NoError(t, s.Admin(hsA, NotReg))
	require.Equal(t, NotReg, s.SlotState(hsA))
	refused := requireEvents(t, s, EvRegistrationRefused, hsA, 1)
	require.Equal(t, RefusedCancelled, refused[0].Reason)
	require.Equal(t, string(NotReg), requireEvents(t, s, EvAdmin, hsA, 1)[0].State)
	advance(t, s, time.Hour)
	require.Equal(t, NotReg, s.SlotState(hsA), "the cancelled registration never completes")
	requireEvents(t, s, EvRegistered, hsA, 0)
	h, _ := s.Handset(hsA)
	require.False(t, h.Subscribed)
}

func TestAdminInRegToNotRegOnAPlaceholderForgetsTheIPUI(t *testing.T) {
	s := newSys(t)
	addHS(t, s, HandsetSpec{IPUI: hsA})
	apply(t, s, doc(addOper("00001")+windowOpen))
	require.NoError(t, s.Register(hsA))
	require.Equal(t, InReg, s.SlotState("00001"))
	require.NoError(t, s.Admin(hsA, NotReg), "the slot is named by the IPUI registering in it")
	sl, ok := s.Slot("00001")
	require.True(t, ok)
	require.Equal(t, NotReg, sl.State)
	require.Empty(t, sl.IPUI)
	ev := requireEvents(t, s, EvAdmin, "00001", 1)[0]
	require.Equal(t, hsA, ev.IPUI, "the event names the handset whose registration was cancelled")
}

func TestAdminRegisteredToToDeRegStartsADeregistrationTriggeredByAdmin(t *testing.T) {
	s := newSys(t)
	addHS(t, s, HandsetSpec{IPUI: hsA, State: Registered})
	addHS(t, s, HandsetSpec{IPUI: hsB, State: Registered, OutOfRange: true})
	require.NoError(t, s.Admin(hsA, ToDeReg))
	require.NoError(t, s.Admin(hsB, ToDeReg))
	require.Equal(t, TriggerAdmin, requireEvents(t, s, EvDeregRequested, hsA, 1)[0].Trigger)
	require.Equal(t, string(ToDeReg), requireEvents(t, s, EvAdmin, hsB, 1)[0].State)
	advance(t, s, time.Minute)
	require.Equal(t, Absent, s.SlotState(hsA))
	requireEvents(t, s, EvDeregCompleted, hsA, 1)
	require.Equal(t, ToDeReg, s.SlotState(hsB))
	advance(t, s, 24*time.Hour)
	require.Equal(t, Absent, s.SlotState(hsB))
	h, _ := s.Handset(hsB)
	require.True(t, h.Ghost, "an absent handset's registration stays on the handset")
}

func TestAdminChangeTheWebUIDoesNotOfferIsRefusedWithAWarning(t *testing.T) {
	cases := []struct {
		spec HandsetSpec
		to   State
	}{
		{HandsetSpec{IPUI: hsA, State: Registered}, NotReg},
		{HandsetSpec{IPUI: hsA, State: Registered}, ToReg},
		{HandsetSpec{IPUI: hsA, State: Registered}, Registered},
		{HandsetSpec{IPUI: hsA, State: ToReg}, ToDeReg},
		{HandsetSpec{IPUI: hsA, State: ToReg}, Registered},
		{HandsetSpec{IPUI: hsA, State: ToReg}, InReg},
	}
	for _, c := range cases {
		t.Run(string(c.spec.State)+"->"+string(c.to), func(t *testing.T) {
			s := newSys(t)
			addHS(t, s, c.spec)
			require.NoError(t, s.Admin(hsA, c.to))
			require.Equal(t, c.spec.State, s.SlotState(hsA), "nothing changes")
			w := requireEvents(t, s, EvWarning, hsA, 1)[0]
			require.Equal(t, WarnAdminRefused, w.Code)
			requireEvents(t, s, EvAdmin, hsA, 0)
		})
	}
	t.Run("ToDeReg", func(t *testing.T) {
		s := newSys(t)
		addHS(t, s, HandsetSpec{IPUI: hsA, State: Registered, Off: true})
		require.NoError(t, s.Admin(hsA, ToDeReg))
		require.NoError(t, s.Admin(hsA, Registered))
		require.Equal(t, ToDeReg, s.SlotState(hsA))
		require.Equal(t, WarnAdminRefused, requireEvents(t, s, EvWarning, hsA, 1)[0].Code)
	})
	t.Run("no such slot", func(t *testing.T) {
		s := newSys(t)
		require.NoError(t, s.Admin(hsC, NotReg))
		w := requireEvents(t, s, EvWarning, hsC, 1)[0]
		require.Equal(t, WarnAdminRefused, w.Code)
		require.Equal(t, StateAbsent, w.State)
	})
	t.Run("not a DECT state", func(t *testing.T) {
		s := newSys(t)
		addHS(t, s, HandsetSpec{IPUI: hsA, State: ToReg})
		require.Error(t, s.Admin(hsA, Absent))
		require.Error(t, s.Admin(hsA, "Gone"))
		require.Empty(t, s.Events())
	})
}
