package system

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// where a handset can be when its slot is told to go.
var reach = []struct {
	name string
	spec func(id string) HandsetSpec
	conn bool
}{
	{"connected", func(id string) HandsetSpec { return HandsetSpec{IPUI: id, State: Registered} }, true},
	{"out-of-range", func(id string) HandsetSpec { return HandsetSpec{IPUI: id, State: Registered, OutOfRange: true} }, false},
	{"switched-off", func(id string) HandsetSpec { return HandsetSpec{IPUI: id, State: Registered, Off: true} }, false},
}

var allFirmware = append(append([]string{}, fwBefore236...), fwFrom236...)

func TestToDeRegConnectedHandsetIsRemovedGracefullyWithinAMinute(t *testing.T) {
	for _, fw := range allFirmware {
		t.Run(fw, func(t *testing.T) {
			s := newSys(t, WithFirmware(fw))
			addHS(t, s, HandsetSpec{IPUI: hsB, State: Registered})
			apply(t, s, doc(`<param name="hs.02b6ec8aa5.RegStatus" value="ToDeReg"/>`))
			require.Equal(t, ToDeReg, s.SlotState(hsB))
			req := requireEvents(t, s, EvDeregRequested, hsB, 1)
			require.Equal(t, TriggerToDeReg, req[0].Trigger)
			advance(t, s, time.Minute)
			require.Equal(t, Absent, s.SlotState(hsB))
			h := handsetOf(t, s, hsB)
			require.False(t, h.Subscribed, "the handset's subscription goes first")
			require.False(t, h.Ghost)
			done := requireEvents(t, s, EvDeregCompleted, hsB, 1)
			require.Equal(t, "graceful", done[0].Outcome)
			require.LessOrEqual(t, done[0].Time.Sub(s.StartTime()), time.Minute)
			requireEvents(t, s, EvGhostCreated, hsB, 0)
		})
	}
}

func TestToDeRegUnreachableHandsetWaits24hThenBecomesGhost(t *testing.T) {
	for _, fw := range allFirmware {
		for _, r := range reach[1:] {
			t.Run(fw+"/"+r.name, func(t *testing.T) {
				s := newSys(t, WithFirmware(fw))
				addHS(t, s, r.spec(hsB))
				apply(t, s, doc(`<param name="hs.02b6ec8aa5.RegStatus" value="ToDeReg"/>`))
				at(t, s, 24*time.Hour-time.Nanosecond)
				require.Equal(t, ToDeReg, s.SlotState(hsB))
				require.False(t, handsetOf(t, s, hsB).Ghost)
				at(t, s, 24*time.Hour)
				require.Equal(t, Absent, s.SlotState(hsB))
				h := handsetOf(t, s, hsB)
				require.True(t, h.Subscribed)
				require.True(t, h.Ghost)
				to := requireEvents(t, s, EvDeregTimeout, hsB, 1)
				require.Equal(t, s.StartTime().Add(24*time.Hour), to[0].Time, "removed at exactly request time + timeout")
				requireEvents(t, s, EvGhostCreated, hsB, 1)
				requireEvents(t, s, EvDeregCompleted, hsB, 0)
			})
		}
	}
}

func TestDeregTimeoutIsConfigurable(t *testing.T) {
	s := newSys(t, WithDeregTimeout(3*time.Hour))
	addHS(t, s, HandsetSpec{IPUI: hsB, State: Registered, OutOfRange: true})
	advance(t, s, time.Hour)
	apply(t, s, doc(`<param name="hs.02b6ec8aa5.RegStatus" value="ToDeReg"/>`))
	slot, _ := s.Slot(hsB)
	require.Equal(t, s.StartTime().Add(4*time.Hour), slot.Deadline)
	at(t, s, 4*time.Hour)
	require.Equal(t, Absent, s.SlotState(hsB))
}

func TestHandsetBackBeforeDeadlineIsRemovedGracefully(t *testing.T) {
	for _, r := range reach[1:] {
		t.Run(r.name, func(t *testing.T) {
			s := newSys(t)
			addHS(t, s, r.spec(hsB))
			apply(t, s, doc(`<param name="hs.02b6ec8aa5.RegStatus" value="ToDeReg"/>`))
			at(t, s, 20*time.Hour)
			if r.name == "out-of-range" {
				require.NoError(t, s.Move(hsB, true))
			} else {
				require.NoError(t, s.Power(hsB, true))
			}
			advance(t, s, time.Minute)
			require.Equal(t, Absent, s.SlotState(hsB))
			require.False(t, handsetOf(t, s, hsB).Subscribed)
			requireEvents(t, s, EvDeregCompleted, hsB, 1)
			at(t, s, 48*time.Hour)
			requireEvents(t, s, EvDeregTimeout, hsB, 0)
			requireEvents(t, s, EvGhostCreated, hsB, 0)
		})
	}
}

func TestNeverRegisteredSlotWaitsOutTimeoutWithoutGhost(t *testing.T) {
	s := newSys(t)
	addHS(t, s, HandsetSpec{IPUI: hsC, State: ToReg})
	apply(t, s, doc(addOper("00001")))
	apply(t, s, doc(`<param name="hs.0311223344.RegStatus" value="ToDeReg"/><param name="hs.00001.RegStatus" value="ToDeReg"/>`))
	at(t, s, 23*time.Hour)
	require.Equal(t, ToDeReg, s.SlotState(hsC), "a connected handset that never registered is nobody to inform")
	require.Equal(t, ToDeReg, s.SlotState("00001"))
	at(t, s, 24*time.Hour)
	require.Equal(t, 0, s.SlotCount())
	requireEvents(t, s, EvDeregTimeout, "", 2)
	requireEvents(t, s, EvGhostCreated, "", 0)
	require.Empty(t, s.Ghosts())
}

func TestRepeatedToDeRegKeepsFirstDeadlineAndEmitsNothing(t *testing.T) {
	s := newSys(t)
	addHS(t, s, HandsetSpec{IPUI: hsA, State: Registered})
	addHS(t, s, HandsetSpec{IPUI: hsB, State: Registered, OutOfRange: true})
	daily := doc(`<oper name="DeleteNotProvisionedHS"/>` + addOper(hsA))
	apply(t, s, daily)
	at(t, s, 12*time.Hour)
	apply(t, s, daily)
	apply(t, s, doc(`<param name="hs.02b6ec8aa5.RegStatus" value="ToDeReg"/>`))
	requireEvents(t, s, EvDeregRequested, hsB, 1)
	slot, _ := s.Slot(hsB)
	require.Equal(t, s.StartTime().Add(24*time.Hour), slot.Deadline)
	at(t, s, 24*time.Hour)
	require.Equal(t, Absent, s.SlotState(hsB))
	require.Equal(t, Registered, s.SlotState(hsA))
}

func TestAirDeregInFlightAtDeadlineCompletesGracefully(t *testing.T) {
	s := newSys(t)
	addHS(t, s, HandsetSpec{IPUI: hsB, State: Registered, OutOfRange: true})
	apply(t, s, doc(`<param name="hs.02b6ec8aa5.RegStatus" value="ToDeReg"/>`))
	at(t, s, 24*time.Hour-10*time.Second)
	require.NoError(t, s.Move(hsB, true))
	at(t, s, 25*time.Hour)
	requireEvents(t, s, EvDeregCompleted, hsB, 1)
	requireEvents(t, s, EvDeregTimeout, hsB, 0)
	require.False(t, handsetOf(t, s, hsB).Ghost)
}

func TestHandsetLeavingDuringAirDeregKeepsSlotWaiting(t *testing.T) {
	s := newSys(t)
	addHS(t, s, HandsetSpec{IPUI: hsB, State: Registered})
	apply(t, s, doc(`<param name="hs.02b6ec8aa5.RegStatus" value="ToDeReg"/>`))
	advance(t, s, 5*time.Second)
	require.NoError(t, s.Move(hsB, false))
	advance(t, s, time.Hour)
	require.Equal(t, ToDeReg, s.SlotState(hsB))
	require.True(t, handsetOf(t, s, hsB).Subscribed)
	at(t, s, 24*time.Hour)
	require.Equal(t, Absent, s.SlotState(hsB))
	require.True(t, handsetOf(t, s, hsB).Ghost)
}

func TestHandsetLeavingAfterDeadlinePassedInFlightTimesOutAtOnce(t *testing.T) {
	s := newSys(t)
	addHS(t, s, HandsetSpec{IPUI: hsB, State: Registered, OutOfRange: true})
	apply(t, s, doc(`<param name="hs.02b6ec8aa5.RegStatus" value="ToDeReg"/>`))
	at(t, s, 24*time.Hour-10*time.Second)
	require.NoError(t, s.Move(hsB, true))
	at(t, s, 24*time.Hour+5*time.Second)
	require.NoError(t, s.Power(hsB, false))
	require.Equal(t, Absent, s.SlotState(hsB))
	to := requireEvents(t, s, EvDeregTimeout, hsB, 1)
	require.Equal(t, s.StartTime().Add(24*time.Hour+5*time.Second), to[0].Time)
}

func TestDeleteNotProvisionedHSKeepsFileHandsetsAndDeregistersTheRest(t *testing.T) {
	for _, fw := range allFirmware {
		t.Run(fw, func(t *testing.T) {
			s := newSys(t, WithFirmware(fw))
			addHS(t, s, HandsetSpec{IPUI: hsA, State: Registered})
			addHS(t, s, HandsetSpec{IPUI: hsB, State: Registered})
			addHS(t, s, HandsetSpec{IPUI: hsC, State: Registered})
			addHS(t, s, HandsetSpec{IPUI: "0400000001", State: Registered, OutOfRange: true})
			apply(t, s, doc(`<oper name="DeleteNotProvisionedHS"/>`+addOper(hsA)+addOper(hsB)))
			req := requireEvents(t, s, EvDeregRequested, "", 2)
			require.Equal(t, TriggerDeleteNotProvisionedHS, req[0].Trigger)
			require.Equal(t, hsC, req[0].IPUI, "slots are taken in list order")
			advance(t, s, time.Minute)
			require.Equal(t, Registered, s.SlotState(hsA))
			require.Equal(t, Registered, s.SlotState(hsB))
			require.Equal(t, Absent, s.SlotState(hsC))
			require.Equal(t, ToDeReg, s.SlotState("0400000001"))
			at(t, s, 24*time.Hour)
			require.Equal(t, 2, s.SlotCount())
			require.Len(t, s.Ghosts(), 1)
		})
	}
}

func TestDeleteNotProvisionedHSKeepsPlaceholderSlotByRegisteredIPUI(t *testing.T) {
	s := newSys(t)
	addHS(t, s, HandsetSpec{IPUI: hsA})
	apply(t, s, doc(addOper("00001")+`<oper name="update_dm" value="local"><param name="RegStart" value="1767225600"/><param name="RegDuration" value="900"/></oper>`))
	require.NoError(t, s.Register(hsA))
	advance(t, s, time.Minute)
	require.Equal(t, Registered, s.SlotState(hsA))
	apply(t, s, doc(`<oper name="DeleteNotProvisionedHS"/>`+addOper(hsA)))
	requireEvents(t, s, EvDeregRequested, "", 0)
	require.Equal(t, 1, s.SlotCount(), "add_hs with the IPUI a placeholder slot holds refers to that slot")
	slot, _ := s.Slot(hsA)
	require.Equal(t, "00001", slot.ID)
}

func TestDeleteNotProvisionedHSNotFirstIsIgnoredWithWarning(t *testing.T) {
	s := newSys(t)
	addHS(t, s, HandsetSpec{IPUI: hsA, State: Registered})
	addHS(t, s, HandsetSpec{IPUI: hsB, State: Registered})
	apply(t, s, doc(addOper(hsA)+"\n"+`<oper name="DeleteNotProvisionedHS"/>`))
	advance(t, s, 48*time.Hour)
	require.Equal(t, Registered, s.SlotState(hsB))
	w := warnings(s, WarnDNPHSNotFirst)
	require.Len(t, w, 1)
	require.Equal(t, 5, w[0].Line)
	require.Contains(t, w[0].Detail, "is not the first <oper> or <param> of the document")
	require.Contains(t, w[0].Detail, "so handsets missing from this file are not removed")
}

func TestDeleteHSIsUnknownBefore236(t *testing.T) {
	for _, fw := range fwBefore236 {
		for _, r := range reach {
			t.Run(fw+"/"+r.name, func(t *testing.T) {
				s := newSys(t, WithFirmware(fw))
				addHS(t, s, r.spec(hsB))
				apply(t, s, doc(`<oper name="delete_hs" value="02b6ec8aa5"/>`))
				advance(t, s, 72*time.Hour)
				require.Equal(t, Registered, s.SlotState(hsB))
				require.Len(t, warnings(s, WarnDeleteHSUnsupported), 1)
				requireEvents(t, s, EvDeregRequested, "", 0)
			})
		}
	}
}

func TestDeleteHSFrom236RemovesUnreachableHandsetAtOnceMakingGhost(t *testing.T) {
	for _, fw := range fwFrom236 {
		for _, r := range reach[1:] {
			t.Run(fw+"/"+r.name, func(t *testing.T) {
				s := newSys(t, WithFirmware(fw))
				addHS(t, s, r.spec(hsB))
				apply(t, s, doc(`<oper name="delete_hs" value="02b6ec8aa5"/>`))
				require.Equal(t, Absent, s.SlotState(hsB))
				req := requireEvents(t, s, EvDeregRequested, hsB, 1)
				require.Equal(t, TriggerDeleteHS, req[0].Trigger)
				f := requireEvents(t, s, EvForcedRemoval, hsB, 1)
				require.Equal(t, s.StartTime(), f[0].Time)
				requireEvents(t, s, EvGhostCreated, hsB, 1)
				require.True(t, handsetOf(t, s, hsB).Ghost)
			})
		}
	}
}

func TestDeleteHSFrom236DeregistersConnectedHandsetGracefully(t *testing.T) {
	for _, fw := range fwFrom236 {
		t.Run(fw, func(t *testing.T) {
			s := newSys(t, WithFirmware(fw))
			addHS(t, s, HandsetSpec{IPUI: hsB, State: Registered})
			apply(t, s, doc(`<oper name="delete_hs" value="02b6ec8aa5"/>`))
			require.Equal(t, ToDeReg, s.SlotState(hsB))
			advance(t, s, time.Minute)
			require.Equal(t, Absent, s.SlotState(hsB))
			requireEvents(t, s, EvDeregCompleted, hsB, 1)
			requireEvents(t, s, EvForcedRemoval, hsB, 0)
			require.False(t, handsetOf(t, s, hsB).Subscribed)
		})
	}
}

func TestDeleteHSHandsetLeavingDuringAirExchangeIsRemovedAtOnce(t *testing.T) {
	s := newSys(t, WithFirmware("2.36.0"))
	addHS(t, s, HandsetSpec{IPUI: hsB, State: Registered})
	apply(t, s, doc(`<oper name="delete_hs" value="02b6ec8aa5"/>`))
	advance(t, s, 10*time.Second)
	require.NoError(t, s.Power(hsB, false))
	require.Equal(t, Absent, s.SlotState(hsB))
	requireEvents(t, s, EvForcedRemoval, hsB, 1)
	require.True(t, handsetOf(t, s, hsB).Ghost)
}

func TestDeleteHSOnNeverRegisteredSlotRemovesAtOnceWithoutGhost(t *testing.T) {
	s := newSys(t)
	apply(t, s, doc(addOper("00001")+addOper(hsC)))
	apply(t, s, doc(`<oper name="delete_hs" value="00001"/><oper name="delete_hs" value="0311223344"/>`))
	require.Equal(t, 0, s.SlotCount())
	requireEvents(t, s, EvForcedRemoval, "", 2)
	requireEvents(t, s, EvGhostCreated, "", 0)
}

func TestDeleteHSOnSlotInToDeRegRemovesAtOnceAndCancelsTimeout(t *testing.T) {
	s := newSys(t)
	addHS(t, s, HandsetSpec{IPUI: hsB, State: Registered, OutOfRange: true})
	apply(t, s, doc(`<param name="hs.02b6ec8aa5.RegStatus" value="ToDeReg"/>`))
	at(t, s, 3*time.Hour)
	apply(t, s, doc(`<oper name="delete_hs" value="02b6ec8aa5"/>`))
	require.Equal(t, Absent, s.SlotState(hsB))
	requireEvents(t, s, EvDeregRequested, hsB, 1)
	requireEvents(t, s, EvForcedRemoval, hsB, 1)
	at(t, s, 48*time.Hour)
	requireEvents(t, s, EvDeregTimeout, hsB, 0)
	requireEvents(t, s, EvGhostCreated, hsB, 1)
}

func TestDeleteHSUpperCaseOn236xMatchesNothing(t *testing.T) {
	for _, fw := range fw236x {
		t.Run(fw, func(t *testing.T) {
			s := newSys(t, WithFirmware(fw))
			addHS(t, s, HandsetSpec{IPUI: hsB, State: Registered, OutOfRange: true})
			apply(t, s, doc(`<oper name="delete_hs" value="02B6EC8AA5"/>`))
			require.Equal(t, Registered, s.SlotState(hsB), "the handset stays")
			require.Len(t, warnings(s, WarnIPUICase), 1)
			requireEvents(t, s, EvForcedRemoval, "", 0)
		})
	}
}

func TestDeleteHSUpperCaseFrom237IsAccepted(t *testing.T) {
	for _, fw := range fwFrom237 {
		t.Run(fw, func(t *testing.T) {
			s := newSys(t, WithFirmware(fw))
			addHS(t, s, HandsetSpec{IPUI: hsB, State: Registered, OutOfRange: true})
			apply(t, s, doc(`<oper name="delete_hs" value="02B6EC8AA5"/>`))
			require.Equal(t, Absent, s.SlotState(hsB))
			requireEvents(t, s, EvForcedRemoval, hsB, 1)
			require.Empty(t, warnings(s, WarnIPUICase))
		})
	}
}

func TestIPUIsElsewhereMatchCaseInsensitivelyAndAreStoredLowerCase(t *testing.T) {
	for _, fw := range []string{"2.35.0", "2.36.0", "2.65.0"} {
		t.Run(fw, func(t *testing.T) {
			s := newSys(t, WithFirmware(fw))
			addHS(t, s, HandsetSpec{IPUI: "02B6EC8AA5", State: Registered})
			apply(t, s, doc(`<oper name="add_hs" value="029E74A599"><param name="hs.RegStatus" value="ToReg"/></oper>
<param name="hs.029E74A599.DECT_AC" value="1234"/>
<param name="hs.02B6EC8AA5.RegStatus" value="ToDeReg"/>`))
			slot, ok := s.Slot(hsA)
			require.True(t, ok)
			require.Equal(t, hsA, slot.ID)
			require.Equal(t, "1234", slot.PIN)
			v, ok := s.Settings()["hs.029e74a599.DECT_AC"]
			require.True(t, ok)
			require.Equal(t, "1234", v)
			require.Equal(t, ToDeReg, s.SlotState(hsB))
		})
	}
}

func TestDeregWithNoSuchSlotWarnsAndChangesNothing(t *testing.T) {
	s := newSys(t)
	addHS(t, s, HandsetSpec{IPUI: hsA, State: Registered})
	before := s.Snapshot()
	apply(t, s, doc(`<param name="hs.0999999999.RegStatus" value="ToDeReg"/><oper name="delete_hs" value="0999999999"/>`))
	require.Len(t, warnings(s, WarnNoSuchSlot), 2)
	require.Equal(t, before.Slots, s.Snapshot().Slots)
}

func TestToDeRegUpperCaseNamingAnExistingSlotStillMatches(t *testing.T) {
	s := newSys(t, WithFirmware("2.36.0"))
	addHS(t, s, HandsetSpec{IPUI: hsB, State: Registered})
	apply(t, s, doc(`<param name="hs.02B6EC8AA5.RegStatus" value="ToDeReg"/>`))
	require.Equal(t, ToDeReg, s.SlotState(hsB), "only delete_hs on 2.36.x is case-sensitive")
}

func TestAccountsSettingsGoWithEveryRemoval(t *testing.T) {
	accounts := func(id string) string {
		return `<param name="SipAccount.` + id + `.AuthName" value="1013"/><param name="hs.` + id + `.DECT_AC" value="0000"/><param name="hs.` + id + `.IntKeyDir" value="20"/>`
	}
	cases := []struct {
		name string
		fw   string
		spec HandsetSpec
		file string
		wait time.Duration
	}{
		{"graceful", "2.65.0", HandsetSpec{IPUI: hsB, State: Registered}, `<param name="hs.02b6ec8aa5.RegStatus" value="ToDeReg"/>`, time.Minute},
		{"timeout", "2.65.0", HandsetSpec{IPUI: hsB, State: Registered, Off: true}, `<param name="hs.02b6ec8aa5.RegStatus" value="ToDeReg"/>`, 24 * time.Hour},
		{"forced", "2.36.0", HandsetSpec{IPUI: hsB, State: Registered, Off: true}, `<oper name="delete_hs" value="02b6ec8aa5"/>`, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newSys(t, WithFirmware(c.fw))
			addHS(t, s, c.spec)
			apply(t, s, doc(accounts(hsB)+accounts(hsA)+`<param name="SipProvider.0.Domain" value="pbx"/>`))
			apply(t, s, doc(c.file))
			advance(t, s, c.wait)
			require.Equal(t, Absent, s.SlotState(hsB))
			for _, n := range []string{"SipAccount.02b6ec8aa5.AuthName", "hs.02b6ec8aa5.DECT_AC", "hs.02b6ec8aa5.IntKeyDir"} {
				_, ok := s.Setting(n)
				require.False(t, ok, n)
			}
			v, _ := s.Setting("SipAccount.029e74a599.AuthName")
			require.Equal(t, "1013", v, "another slot's settings stay")
			v, _ = s.Setting("SipProvider.0.Domain")
			require.Equal(t, "pbx", v)
		})
	}
}

func TestPlaceholderSlotRemovalTakesSettingsOfIdAndIPUI(t *testing.T) {
	s := newSys(t)
	addHS(t, s, HandsetSpec{IPUI: hsA})
	apply(t, s, doc(addOper("00001")+`<param name="SipAccount.00001.AuthName" value="x"/><oper name="update_dm" value="local"><param name="RegStart" value="1767225600"/><param name="RegDuration" value="900"/></oper>`))
	require.NoError(t, s.Register(hsA))
	advance(t, s, time.Minute)
	apply(t, s, doc(`<param name="SipAccount.029e74a599.X" value="y"/><oper name="delete_hs" value="029e74a599"/>`))
	advance(t, s, time.Minute)
	require.Equal(t, Absent, s.SlotState("00001"))
	require.Zero(t, s.SettingCount())
}
