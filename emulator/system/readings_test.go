package system

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestEveryReadingHasADefaultAndABadOneIsRefusedAtNew(t *testing.T) {
	s := newSys(t)
	require.Len(t, s.Config().Readings, len(Readings))
	for _, r := range Readings {
		require.Equal(t, r.Default, s.Config().Readings[r.Name], r.Name)
	}
	s = newSys(t, WithReading("detect-delay", "180m"), WithReading("dnphs-position", "anywhere"))
	require.Equal(t, "3h", s.Config().Readings["detect-delay"], "values are kept in canonical form")
	require.Equal(t, "anywhere", s.Config().Readings["dnphs-position"])

	_, err := New(WithReading("dnphs-position", "top"))
	require.EqualError(t, err, `dnphs-position="top" is not a value of this reading: it takes first, nvm-first or anywhere`)
	_, err = New(WithReading("dnphs-place", "first"))
	require.ErrorContains(t, err, `unknown reading "dnphs-place"`)
}

// provisioning wraps items that stand directly under <provisioning>
// before an <nvm> with nvm in it.
func provisioning(outside, nvm string) string {
	return "<provisioning version=\"1.1\" productID=\"e2\">\n" + outside + "\n<nvm>\n" + nvm + "\n</nvm>\n</provisioning>\n"
}

const (
	dnphsOper = `<oper name="DeleteNotProvisionedHS"/>`
	toneParam = `<param name="Telephony.0.ToneScheme" value="Germany"/>`
)

// twoRegistered is a system with hsA and hsB registered and connected.
func twoRegistered(t *testing.T, opts ...Option) *System {
	s := newSys(t, opts...)
	addHS(t, s, HandsetSpec{IPUI: hsA, State: Registered})
	addHS(t, s, HandsetSpec{IPUI: hsB, State: Registered})
	return s
}

func TestDNPHSPositionFirstHonoursItOnTopOfTheFileEvenOutsideNVM(t *testing.T) {
	s := twoRegistered(t)
	apply(t, s, provisioning(dnphsOper, addOper(hsA)))
	advance(t, s, time.Minute)
	require.Equal(t, Absent, s.SlotState(hsB), "the handset missing from the file is removed")
	require.Equal(t, Registered, s.SlotState(hsA))
	require.Empty(t, warnings(s, WarnDNPHSNotFirst))
	require.Len(t, warnings(s, "outside-nvm"), 1, "it is applied as if inside <nvm>, as the outside-nvm warning says")
}

func TestDNPHSPositionFirstIgnoresItAfterAParamOutsideNVM(t *testing.T) {
	s := twoRegistered(t)
	apply(t, s, provisioning(toneParam, dnphsOper+"\n"+addOper(hsA)))
	advance(t, s, time.Minute)
	require.Equal(t, Registered, s.SlotState(hsB))
	w := warnings(s, WarnDNPHSNotFirst)
	require.Len(t, w, 1)
	require.Equal(t, 4, w[0].Line)
	require.Contains(t, w[0].Detail, `is not the first <oper> or <param> of the document (<param name="Telephony.0.ToneScheme"> at 2:1 comes first)`)
}

func TestDNPHSPositionNVMFirstIgnoresItOutsideNVMWithOneWarningThatSaysSo(t *testing.T) {
	s := twoRegistered(t, WithReading("dnphs-position", "nvm-first"))
	apply(t, s, provisioning(dnphsOper, addOper(hsA)))
	advance(t, s, time.Minute)
	require.Equal(t, Registered, s.SlotState(hsB))
	w := warnings(s, WarnDNPHSNotFirst)
	require.Len(t, w, 1)
	require.Equal(t, 2, w[0].Line)
	require.Contains(t, w[0].Detail, "directly under <provisioning>, outside <nvm>")
	require.Contains(t, w[0].Detail, "(dnphs-position=nvm-first)")
	require.Empty(t, warnings(s, "outside-nvm"), "no second warning saying it is applied")
}

func TestDNPHSPositionNVMFirstHonoursTheFirstElementOfNVMAfterAParamOutside(t *testing.T) {
	s := twoRegistered(t, WithReading("dnphs-position", "nvm-first"))
	apply(t, s, provisioning(toneParam, dnphsOper+"\n"+addOper(hsA)))
	advance(t, s, time.Minute)
	require.Equal(t, Absent, s.SlotState(hsB))
	require.Empty(t, warnings(s, WarnDNPHSNotFirst))
}

func TestDNPHSPositionAnywhereHonoursItAfterAddHS(t *testing.T) {
	s := twoRegistered(t, WithReading("dnphs-position", "anywhere"))
	apply(t, s, doc(addOper(hsA)+"\n"+toneParam+"\n"+dnphsOper+"\n"+dnphsOper))
	advance(t, s, time.Minute)
	require.Equal(t, Absent, s.SlotState(hsB))
	require.Equal(t, Registered, s.SlotState(hsA))
	requireEvents(t, s, EvDeregRequested, "", 1)
	require.Empty(t, warnings(s, WarnDNPHSNotFirst))
}

func TestForcedRemovalOfANeverRegisteredSlotSaysNobodyWasThereToInform(t *testing.T) {
	s := newSys(t)
	apply(t, s, doc(addOper(hsA)+"\n"+addOper(hsB)))
	addHS(t, s, HandsetSpec{IPUI: hsC, State: Registered, OutOfRange: true})
	apply(t, s, doc(`<oper name="delete_hs" value="029e74a599"/>`+"\n"+`<oper name="delete_hs" value="0311223344"/>`))
	never := requireEvents(t, s, EvForcedRemoval, hsA, 1)[0]
	require.Equal(t, "no handset ever registered in this slot, so there was nobody to inform", never.Detail)
	away := requireEvents(t, s, EvForcedRemoval, hsC, 1)[0]
	require.Equal(t, "the handset is not connected (out of range or switched off)", away.Detail)
}

func TestSlotInDeregWarningPromisesNoQueue(t *testing.T) {
	s := newSys(t)
	addHS(t, s, HandsetSpec{IPUI: hsB, State: Registered, OutOfRange: true})
	apply(t, s, doc(`<param name="hs.02b6ec8aa5.RegStatus" value="ToDeReg"/>`))
	apply(t, s, doc(addOper(hsB)))
	w := warnings(s, WarnSlotInDereg)
	require.Len(t, w, 1)
	require.Contains(t, w[0].Detail, "changes nothing and is not remembered")
	require.NotContains(t, w[0].Detail, "waits")
	at(t, s, 24*time.Hour)
	require.Equal(t, Absent, s.SlotState(hsB), "the ToReg was not queued")
}

const authOfB = `<param name="SipAccount.02b6ec8aa5.AuthName" value="bob"/>`

func TestDNPHSKeepsAddHSRemovesASlotWhoseSettingsTheFileSetsAndSaysSo(t *testing.T) {
	s := twoRegistered(t)
	apply(t, s, doc(dnphsOper+"\n"+addOper(hsA)+"\n"+authOfB+"\n"+`<param name="hs.02B6EC8AA5.DECT_AC" value="1234"/>`))
	w := warnings(s, WarnParamsForRemovedSlot)
	require.Len(t, w, 1, "one warning per slot")
	require.Equal(t, hsB, w[0].IPUI)
	require.Equal(t, 6, w[0].Line)
	require.Equal(t, "the file sets SipAccount.02b6ec8aa5.AuthName and 1 more setting of that slot, but its own DeleteNotProvisionedHS removes slot 02b6ec8aa5, "+
		"since no add_hs names it (dnphs-keeps=add-hs): the settings go with the slot; add an add_hs for 02b6ec8aa5 to keep the handset", w[0].Detail)
	advance(t, s, time.Minute)
	require.Equal(t, Absent, s.SlotState(hsB))
	_, has := s.Setting("SipAccount.02b6ec8aa5.AuthName")
	require.False(t, has, "the settings went with the slot")
}

func TestDNPHSKeepsAnyMentionKeepsASlotWhoseSettingsTheFileSets(t *testing.T) {
	s := twoRegistered(t, WithReading("dnphs-keeps", "any-mention"))
	addHS(t, s, HandsetSpec{IPUI: hsC, State: Registered})
	apply(t, s, doc(dnphsOper+"\n"+addOper(hsA)+"\n"+authOfB+"\n"+`<param name="hs.0311223344.RegStatus" value="ToDeReg"/>`))
	advance(t, s, time.Minute)
	require.Equal(t, Registered, s.SlotState(hsB), "a slot the file sets settings of is in the file")
	v, _ := s.Setting("SipAccount.02b6ec8aa5.AuthName")
	require.Equal(t, "bob", v)
	require.Empty(t, warnings(s, WarnParamsForRemovedSlot))
	require.Equal(t, Absent, s.SlotState(hsC), "a ToDeReg asks for the slot to go: it is no mention")
}

const deregOfB = `<param name="hs.02b6ec8aa5.RegStatus" value="ToDeReg"/>`

func TestToDeRegPositionAnywhereHonoursItAfterOtherParams(t *testing.T) {
	s := twoRegistered(t)
	apply(t, s, doc(toneParam+"\n"+deregOfB))
	require.Equal(t, ToDeReg, s.SlotState(hsB))
	require.Empty(t, warnings(s, WarnToDeRegNotFirst))
}

func TestToDeRegPositionTopIgnoresItAfterOtherParamsWithAWarning(t *testing.T) {
	s := twoRegistered(t, WithReading("todereg-position", "top"))
	apply(t, s, doc(toneParam+"\n"+deregOfB))
	advance(t, s, 48*time.Hour)
	require.Equal(t, Registered, s.SlotState(hsB))
	requireEvents(t, s, EvDeregRequested, "", 0)
	w := warnings(s, WarnToDeRegNotFirst)
	require.Len(t, w, 1)
	require.Equal(t, hsB, w[0].IPUI, "the warning is in the handset's timeline")
	require.Equal(t, `hs.02b6ec8aa5.RegStatus=ToDeReg stands after <param name="Telephony.0.ToneScheme"> at 4:1, outside the leading run of <oper>s and RegStatus params at the top of the document: `+
		`it is ignored (todereg-position=top), so slot 02b6ec8aa5 is not deregistered`, w[0].Detail)
}

func TestToDeRegPositionTopHonoursItInTheLeadingRunOfOpersAndRegStatus(t *testing.T) {
	s := twoRegistered(t, WithReading("todereg-position", "top"))
	apply(t, s, doc(addOper(hsA)+"\n"+`<param name="hs.029e74a599.RegStatus" value="ToReg"/>`+"\n"+deregOfB+"\n"+toneParam))
	require.Equal(t, ToDeReg, s.SlotState(hsB))
	require.Empty(t, warnings(s, WarnToDeRegNotFirst))
}

func TestIPUICaseDeleteHSLeavesOtherUpperCaseIPUIsMatchingOn236(t *testing.T) {
	s := twoRegistered(t, WithFirmware("2.36.2"))
	apply(t, s, doc(dnphsOper+"\n"+addOper("029E74A599")+"\n"+addOper("02B6EC8AA5")+"\n"+`<param name="SipAccount.02B6EC8AA5.AuthName" value="bob"/>`))
	advance(t, s, time.Minute)
	require.Equal(t, Registered, s.SlotState(hsA))
	require.Equal(t, Registered, s.SlotState(hsB))
	v, _ := s.Setting("SipAccount.02b6ec8aa5.AuthName")
	require.Equal(t, "bob", v)
	require.Empty(t, warnings(s, WarnIPUICase))
}

func TestIPUICaseEverywhereMakesEveryUpperCaseIPUIMatchNothingOn236(t *testing.T) {
	s := twoRegistered(t, WithFirmware("2.36.2"), WithReading("ipui-case", "everywhere"))
	apply(t, s, doc(dnphsOper+"\n"+addOper("029E74A599")+"\n"+addOper(hsB)+"\n"+`<param name="SipAccount.02B6EC8AA5.AuthName" value="bob"/>`+"\n"+addOper("0311223344")))
	w := warnings(s, WarnIPUICase)
	require.Len(t, w, 2, "the upper-case add_hs and the upper-case setting")
	require.Equal(t, hsA, w[0].IPUI)
	require.Equal(t, "firmware 2.36.2 matches every IPUI of a file case-sensitively (ipui-case=everywhere, until case-fixed-in=2.37.0): add_hs 029E74A599 names no slot and adds none (write 029e74a599)", w[0].Detail)
	advance(t, s, time.Minute)
	require.Equal(t, Absent, s.SlotState(hsA), "DeleteNotProvisionedHS removes the handset its upper-case add_hs did not keep")
	require.Equal(t, Registered, s.SlotState(hsB))
	_, has := s.Setting("SipAccount.02b6ec8aa5.AuthName")
	require.False(t, has, "the upper-case setting names no slot")
	require.Equal(t, ToReg, s.SlotState("0311223344"), "lower case still adds")

	s = twoRegistered(t, WithFirmware("2.37.0"), WithReading("ipui-case", "everywhere"))
	apply(t, s, doc(dnphsOper+"\n"+addOper("029E74A599")+"\n"+addOper("02B6EC8AA5")))
	advance(t, s, time.Minute)
	require.Equal(t, 2, s.SlotCount(), "from case-fixed-in every case matches again")
	require.Empty(t, warnings(s, WarnIPUICase))
}

func TestCaseFixedInSetsTheFirstReleaseWhoseDeleteHSAcceptsUpperCase(t *testing.T) {
	for _, tc := range []struct {
		fw, fixed string
		removed   bool
	}{
		{"2.37.0", "2.37.0", true},
		{"2.36.9", "2.37.0", false},
		{"2.40.0", "2.41.0", false},
		{"2.41.0", "2.41.0", true},
		{"2.65.0", "2.66.0", false},
		{"2.36.0", "2.36.0", true},
	} {
		s := newSys(t, WithFirmware(tc.fw), WithReading("case-fixed-in", tc.fixed))
		addHS(t, s, HandsetSpec{IPUI: hsB, State: Registered, OutOfRange: true})
		apply(t, s, doc(`<oper name="delete_hs" value="02B6EC8AA5"/>`))
		if tc.removed {
			require.Equal(t, Absent, s.SlotState(hsB), "%s with case-fixed-in=%s", tc.fw, tc.fixed)
			continue
		}
		require.Equal(t, Registered, s.SlotState(hsB), "%s with case-fixed-in=%s", tc.fw, tc.fixed)
		w := warnings(s, WarnIPUICase)
		require.Len(t, w, 1)
		require.Contains(t, w[0].Detail, "(until case-fixed-in="+tc.fixed+")")
	}
}

func TestAddHSWithoutRegStatusOnASlotInToDeRegWarnsAsToRegDoes(t *testing.T) {
	s := newSys(t)
	addHS(t, s, HandsetSpec{IPUI: hsB, State: Registered, OutOfRange: true})
	apply(t, s, doc(deregOfB))
	apply(t, s, doc(`<oper name="add_hs" value="02b6ec8aa5"/>`))
	require.Len(t, warnings(s, WarnSlotInDereg), 1)
	require.Equal(t, ToDeReg, s.SlotState(hsB))
	requireEvents(t, s, EvDeregCancelled, "", 0)
}

func TestDeregUndoAddHSCancelsADeregistrationStillWaiting(t *testing.T) {
	s := newSys(t, WithReading("dereg-undo", "add-hs-cancels"))
	addHS(t, s, HandsetSpec{IPUI: hsB, State: Registered, OutOfRange: true})
	apply(t, s, doc(addOper("00001")))
	apply(t, s, doc(deregOfB+"\n"+`<param name="hs.00001.RegStatus" value="ToDeReg"/>`))
	at(t, s, time.Hour)
	apply(t, s, doc(addOper(hsB)+"\n"+`<param name="hs.00001.RegStatus" value="ToReg"/>`))
	c := requireEvents(t, s, EvDeregCancelled, hsB, 1)[0]
	require.Equal(t, TriggerToDeReg, c.Trigger)
	require.Equal(t, "Registered", c.State)
	require.Equal(t, "the file names the slot again: the deregistration (ToDeReg) is taken back and the slot is Registered again", c.Detail)
	require.Equal(t, Registered, s.SlotState(hsB))
	require.Equal(t, ToReg, s.SlotState("00001"), "a slot returns to the state it had")
	require.Empty(t, warnings(s, WarnSlotInDereg))
	slot, _ := s.Slot(hsB)
	require.True(t, slot.Deadline.IsZero(), "the deadline is dropped")
	at(t, s, 48*time.Hour)
	requireEvents(t, s, EvDeregTimeout, "", 0)
	require.Equal(t, Registered, s.SlotState(hsB))
	require.False(t, handsetOf(t, s, hsB).Ghost)
	require.NoError(t, s.Move(hsB, true))
	advance(t, s, time.Minute)
	require.Equal(t, Registered, s.SlotState(hsB), "coming back does not finish a deregistration taken back")
}

func TestParamsForRemovedSlotCountsStoredSettingsNotRegStatus(t *testing.T) {
	s := twoRegistered(t, WithReading("dereg-undo", "add-hs-cancels"))
	require.NoError(t, s.Move(hsB, false))
	apply(t, s, doc(dnphsOper+"\n"+addOper(hsA)+"\n"+`<param name="hs.02b6ec8aa5.RegStatus" value="ToReg"/>`))
	require.Empty(t, warnings(s, WarnParamsForRemovedSlot), "a ToReg is no setting that goes with the slot")
	requireEvents(t, s, EvDeregCancelled, hsB, 1)
	require.Equal(t, Registered, s.SlotState(hsB), "the same file takes its own removal back")
}

func TestDeregUndoAddHSCannotTakeBackAnExchangeOverTheAir(t *testing.T) {
	s := newSys(t, WithReading("dereg-undo", "add-hs-cancels"))
	addHS(t, s, HandsetSpec{IPUI: hsB, State: Registered})
	apply(t, s, doc(deregOfB))
	advance(t, s, 10*time.Second)
	apply(t, s, doc(addOper(hsB)))
	w := warnings(s, WarnSlotInDereg)
	require.Len(t, w, 1)
	require.Contains(t, w[0].Detail, "being deregistered over the air, which cannot be taken back")
	advance(t, s, time.Minute)
	require.Equal(t, Absent, s.SlotState(hsB))
	requireEvents(t, s, EvDeregCancelled, "", 0)
}

func TestGhostReregisterAllowedLetsAGhostRegisterAgainWhichEndsIt(t *testing.T) {
	s := newSys(t, WithFirmware("2.36.0"), WithReading("ghost-reregister", "allowed"))
	addHS(t, s, HandsetSpec{IPUI: hsB, State: Registered, Off: true})
	apply(t, s, doc(`<oper name="delete_hs" value="02b6ec8aa5"/>`))
	require.True(t, handsetOf(t, s, hsB).Ghost)
	require.NoError(t, s.Power(hsB, true))
	apply(t, s, doc(addOper(hsB)))
	require.NoError(t, s.Register(hsB))
	requireEvents(t, s, EvRegistrationRefused, hsB, 0)
	advance(t, s, time.Minute)
	require.Equal(t, Registered, s.SlotState(hsB))
	h := handsetOf(t, s, hsB)
	require.True(t, h.Subscribed)
	require.False(t, h.Ghost, "registering again ends the ghost")
	n := len(eventsOf(s, EvGhostAttempt, hsB))
	advance(t, s, 5*time.Hour)
	require.Len(t, eventsOf(s, EvGhostAttempt, hsB), n, "its attempts stop")
	requireEvents(t, s, EvHandsetReset, hsB, 0)
}

func TestGhostReregisterAllowedStillNeedsASlotOrTheWindow(t *testing.T) {
	s := newSys(t, WithFirmware("2.36.0"), WithReading("ghost-reregister", "allowed"))
	addHS(t, s, HandsetSpec{IPUI: hsB, State: Registered, Off: true})
	apply(t, s, doc(`<oper name="delete_hs" value="02b6ec8aa5"/>`))
	require.NoError(t, s.Power(hsB, true))
	require.NoError(t, s.Register(hsB))
	ev := requireEvents(t, s, EvRegistrationRefused, hsB, 1)
	require.Equal(t, RefusedWindow, ev[0].Reason)
	require.True(t, handsetOf(t, s, hsB).Ghost)
}

func TestDetectDelayZeroNoticesAHandsetThatLeftAtOnce(t *testing.T) {
	s := newSys(t)
	addHS(t, s, HandsetSpec{IPUI: hsB, State: Registered})
	require.NoError(t, s.Power(hsB, false))
	advance(t, s, time.Minute)
	apply(t, s, doc(deregOfB))
	slot, _ := s.Slot(hsB)
	require.Equal(t, s.Now().Add(24*time.Hour), slot.Deadline, "it waits at once: nobody to reach over the air")
}

func TestDetectDelayCountsAGoneHandsetAsConnectedSoADeregistrationFailsAfterTheAirTime(t *testing.T) {
	for _, leave := range []string{"switched-off", "out-of-range"} {
		t.Run(leave, func(t *testing.T) {
			s := newSys(t, WithReading("detect-delay", "3h"))
			addHS(t, s, HandsetSpec{IPUI: hsB, State: Registered})
			if leave == "switched-off" {
				require.NoError(t, s.Power(hsB, false))
			} else {
				require.NoError(t, s.Move(hsB, false))
			}
			at(t, s, time.Hour)
			apply(t, s, doc(deregOfB))
			slot, _ := s.Slot(hsB)
			require.True(t, slot.Deadline.IsZero(), "the system tries over the air: it still counts the handset as connected")
			at(t, s, time.Hour+30*time.Second)
			require.Equal(t, ToDeReg, s.SlotState(hsB), "nobody answered")
			requireEvents(t, s, EvDeregCompleted, hsB, 0)
			slot, _ = s.Slot(hsB)
			require.Equal(t, s.StartTime().Add(25*time.Hour), slot.Deadline, "then it waits as for an absent handset, from the request")
			at(t, s, 25*time.Hour)
			require.Equal(t, Absent, s.SlotState(hsB))
			requireEvents(t, s, EvDeregTimeout, hsB, 1)
			require.True(t, handsetOf(t, s, hsB).Ghost)
		})
	}
}

func TestDetectDelayOnceNoticedTheSystemWaitsAtOnce(t *testing.T) {
	s := newSys(t, WithReading("detect-delay", "3h"))
	addHS(t, s, HandsetSpec{IPUI: hsB, State: Registered})
	require.NoError(t, s.Power(hsB, false))
	at(t, s, 3*time.Hour)
	apply(t, s, doc(deregOfB))
	slot, _ := s.Slot(hsB)
	require.Equal(t, s.Now().Add(24*time.Hour), slot.Deadline)
}

func TestDetectDelayDeleteHSInTheWindowRemovesAfterTheAirTime(t *testing.T) {
	s := newSys(t, WithFirmware("2.36.0"), WithReading("detect-delay", "6h"))
	addHS(t, s, HandsetSpec{IPUI: hsB, State: Registered})
	require.NoError(t, s.Move(hsB, false))
	apply(t, s, doc(`<oper name="delete_hs" value="02b6ec8aa5"/>`))
	require.Equal(t, ToDeReg, s.SlotState(hsB), "the graceful way is tried first")
	advance(t, s, 30*time.Second)
	f := requireEvents(t, s, EvForcedRemoval, hsB, 1)[0]
	require.Equal(t, "the handset did not answer over the air", f.Detail)
	require.True(t, handsetOf(t, s, hsB).Ghost)
}

func TestDetectDelayAHandsetBackBeforeItIsNoticedIsDeregisteredGracefully(t *testing.T) {
	s := newSys(t, WithReading("detect-delay", "3h"))
	addHS(t, s, HandsetSpec{IPUI: hsB, State: Registered})
	require.NoError(t, s.Power(hsB, false))
	apply(t, s, doc(deregOfB))
	advance(t, s, time.Hour)
	require.Equal(t, ToDeReg, s.SlotState(hsB))
	require.NoError(t, s.Power(hsB, true))
	advance(t, s, time.Minute)
	require.Equal(t, Absent, s.SlotState(hsB))
	requireEvents(t, s, EvDeregCompleted, hsB, 1)
	require.False(t, handsetOf(t, s, hsB).Ghost)
}

func TestDetectDelayARegistrationFailsAtTheEndOfTheAirTime(t *testing.T) {
	s := newSys(t, WithReading("detect-delay", "3h"))
	addHS(t, s, HandsetSpec{IPUI: hsB, State: ToReg})
	require.NoError(t, s.Register(hsB))
	advance(t, s, 10*time.Second)
	require.NoError(t, s.Move(hsB, false))
	require.Equal(t, InReg, s.SlotState(hsB), "not noticed yet")
	advance(t, s, 20*time.Second)
	ev := requireEvents(t, s, EvRegistrationRefused, hsB, 1)[0]
	require.Equal(t, RefusedHandsetLost, ev.Reason)
	require.Equal(t, ToReg, s.SlotState(hsB))
	require.False(t, handsetOf(t, s, hsB).Subscribed)
}
