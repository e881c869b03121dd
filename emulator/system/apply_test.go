package system

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dectsim/dectsim/internal/engine/syshook"
)

// populated builds a system with something of everything in it, so a
// rejected file has plenty it could wrongly touch.
func populated(t *testing.T) *System {
	s := newSys(t, WithFirmware("2.36.0"))
	addHS(t, s, HandsetSpec{IPUI: hsA, State: Registered})
	addHS(t, s, HandsetSpec{IPUI: hsB, State: Registered, OutOfRange: true})
	addHS(t, s, HandsetSpec{IPUI: hsC})
	apply(t, s, doc(addOper("00001")+`<param name="hs.00001.DECT_AC" value="1001"/><param name="SipProvider.0.Domain" value="pbx"/>
<param name="hs.02b6ec8aa5.RegStatus" value="ToDeReg"/>
<oper name="update_dm" value="local"><param name="RegStart" value="1767225600"/><param name="RegDuration" value="900"/></oper>`))
	advance(t, s, time.Hour)
	return s
}

func TestRejectedFileChangesNothing(t *testing.T) {
	bad := map[string]string{
		"malformed":       doc(`<oper name="delete_hs" value="029e74a599"/><param name="x" value="1">`),
		"mismatched-tag":  doc(`<oper name="DeleteNotProvisionedHS"></param>`),
		"two-roots":       doc(`<oper name="DeleteNotProvisionedHS"/>`) + `<provisioning/>`,
		"wrong-root":      `<ProviderFrame><nvm><oper name="DeleteNotProvisionedHS"/></nvm></ProviderFrame>`,
		"product-id":      strings.Replace(doc(`<oper name="DeleteNotProvisionedHS"/>`), `productID="e2"`, `productID="e1"`, 1),
		"no-product-id":   strings.Replace(doc(`<oper name="DeleteNotProvisionedHS"/>`), ` productID="e2"`, ``, 1),
		"truncated":       doc(`<oper name="DeleteNotProvisionedHS"/>` + addOper("0311223344"))[:150],
		"fragment":        `<oper name="delete_hs" value="029e74a599"/>`,
		"empty":           ``,
		"version-1.0":     `<provisioning version="1.0" productID="e2"><category type="nvm" url="http://x/nvm/updates.xml"/></provisioning>`,
		"bad-attr-quotes": `<provisioning version="1.1" productID=e2><nvm/></provisioning>`,
	}
	for name, xml := range bad {
		t.Run(name, func(t *testing.T) {
			s := populated(t)
			before := s.Snapshot()
			n := s.EventCount()
			_, err := s.Apply("bad.xml", []byte(xml))
			var pe *FileError
			require.True(t, errors.As(err, &pe), "want *FileError, got %v", err)
			require.GreaterOrEqual(t, pe.Line, 1)
			require.Equal(t, before, s.Snapshot())
			ev := s.EventsSince(n)
			require.Len(t, ev, 1)
			require.Equal(t, EvProvisioningRejected, ev[0].Type)
			require.Equal(t, pe.Line, ev[0].Line)
			// Time goes on exactly as if nothing had arrived.
			advance(t, s, 25*time.Hour)
			require.Equal(t, Registered, s.SlotState(hsA))
		})
	}
}

func TestRejectedProductIDNamesLineAndReason(t *testing.T) {
	s := newSys(t)
	_, err := s.Apply("p.xml", []byte("\n\n"+`<provisioning version="1.1" productID="e1"><nvm/></provisioning>`))
	var pe *FileError
	require.ErrorAs(t, err, &pe)
	require.Equal(t, 3, pe.Line)
	require.Contains(t, pe.Error(), `p.xml:3:1: productID is "e1"`)
	ev := requireEvents(t, s, EvProvisioningRejected, "", 1)
	require.Equal(t, "product-id", ev[0].Reason)
}

func TestFilesAreIncremental(t *testing.T) {
	s := newSys(t)
	addHS(t, s, HandsetSpec{IPUI: hsA, State: Registered})
	apply(t, s, doc(`<param name="A.0.x" value="1"/><param name="B.0.y" value="2"/>`))
	apply(t, s, doc(`<param name="A.0.x" value="3"/>`))
	require.Equal(t, map[string]string{"A.0.x": "3", "B.0.y": "2"}, s.Settings())
	require.Equal(t, Registered, s.SlotState(hsA), "a file without DeleteNotProvisionedHS leaves the handset list alone")
}

func TestAddHSForExistingSlotChangesNoState(t *testing.T) {
	s := newSys(t)
	addHS(t, s, HandsetSpec{IPUI: hsA, State: Registered})
	daily := doc(`<oper name="DeleteNotProvisionedHS"/>` + addOper(hsA) + addOper("00001"))
	for day := 0; day < 5; day++ {
		apply(t, s, daily)
		advance(t, s, 24*time.Hour)
	}
	require.Equal(t, Registered, s.SlotState(hsA))
	require.Equal(t, ToReg, s.SlotState("00001"))
	requireEvents(t, s, EvSlotAdded, "", 1)
	requireEvents(t, s, EvDeregRequested, "", 0)
}

func TestToRegOnRegisteredOrInRegChangesNothing(t *testing.T) {
	s := newSys(t)
	addHS(t, s, HandsetSpec{IPUI: hsA, State: Registered})
	addHS(t, s, HandsetSpec{IPUI: hsB, State: ToReg})
	require.NoError(t, s.Register(hsB))
	require.Equal(t, InReg, s.SlotState(hsB))
	apply(t, s, doc(`<param name="hs.029e74a599.RegStatus" value="ToReg"/><param name="hs.02b6ec8aa5.RegStatus" value="ToReg"/>`+addOper(hsA)))
	require.Equal(t, Registered, s.SlotState(hsA))
	require.Equal(t, InReg, s.SlotState(hsB))
	advance(t, s, time.Minute)
	require.Equal(t, Registered, s.SlotState(hsB))
}

func TestAddHSToRegOnSlotInToDeRegChangesNothingWithWarning(t *testing.T) {
	s := newSys(t)
	addHS(t, s, HandsetSpec{IPUI: hsB, State: Registered, OutOfRange: true})
	apply(t, s, doc(`<param name="hs.02b6ec8aa5.RegStatus" value="ToDeReg"/>`))
	at(t, s, time.Hour)
	apply(t, s, doc(addOper(hsB)))
	require.Equal(t, ToDeReg, s.SlotState(hsB))
	require.Len(t, warnings(s, WarnSlotInDereg), 1)
	at(t, s, 24*time.Hour)
	require.Equal(t, Absent, s.SlotState(hsB), "the deregistration already committed runs out")
	apply(t, s, doc(addOper(hsB)))
	require.Equal(t, ToReg, s.SlotState(hsB), "a later file adds the slot again")
	require.True(t, handsetOf(t, s, hsB).Ghost, "a new ToReg slot does not hold the old registration")
}

func TestToRegReopensNotRegSlotOnly(t *testing.T) {
	s := newSys(t)
	apply(t, s, doc(addOper("00001")))
	s.slots["00001"].state = NotReg
	apply(t, s, doc(`<param name="hs.00001.RegStatus" value="ToReg"/>`))
	require.Equal(t, ToReg, s.SlotState("00001"))
}

func TestBadRegStatusIsIgnoredWithWarning(t *testing.T) {
	s := newSys(t)
	addHS(t, s, HandsetSpec{IPUI: hsA, State: Registered})
	apply(t, s, doc(`<param name="hs.029e74a599.RegStatus" value="Deregister"/>`))
	require.Equal(t, Registered, s.SlotState(hsA))
	require.Len(t, warnings(s, WarnBadRegStatus), 1)
}

func TestAddHSBeyondCapacityIsRefusedForThatSlot(t *testing.T) {
	s := newSys(t, WithProduct("N610"))
	var b strings.Builder
	for i := 1; i <= 10; i++ {
		b.WriteString(addOper(strings.Repeat("0", 4) + string(rune('0'+i%10))))
	}
	// ids 00001..00009 and 00000: ten distinct slots, two too many.
	apply(t, s, doc(b.String()))
	require.Equal(t, 8, s.SlotCount())
	w := warnings(s, WarnCapacity)
	require.Len(t, w, 2)
	require.Equal(t, Absent, s.SlotState("00009"))
	require.Equal(t, ToReg, s.SlotState("00008"))
}

func TestMaxHandsetsOverridesProfile(t *testing.T) {
	s := newSys(t, WithProduct("VI"), WithMaxHandsets(2))
	apply(t, s, doc(addOper("00001")+addOper("00002")+addOper("00003")))
	require.Equal(t, 2, s.SlotCount())
}

func TestUnknownOperIgnoredAndUnknownParamStored(t *testing.T) {
	s := newSys(t)
	apply(t, s, doc(`<oper name="reboot_now"/><param name="Vendor.0.Secret" value="42"/>`))
	require.Len(t, warnings(s, WarnUnknownOper), 1)
	v, ok := s.Setting("Vendor.0.Secret")
	require.True(t, ok)
	require.Equal(t, "42", v)
}

func TestWarningsAreSeparateEventsWithLine(t *testing.T) {
	s := newSys(t, WithFirmware("2.35.0"))
	apply(t, s, doc(`<oper name="delete_hs" value="029e74a599"/>
<oper name="frobnicate"/>`))
	ev := s.Events()
	require.Equal(t, EvProvisioningApplied, ev[0].Type)
	require.Equal(t, EvWarning, ev[1].Type)
	require.Equal(t, 4, ev[1].Line)
	require.Equal(t, EvWarning, ev[2].Type)
	require.Equal(t, 5, ev[2].Line)
}

func TestUpdateDMOpensRegistrationWindow(t *testing.T) {
	s := newSys(t)
	apply(t, s, doc(`<oper name="update_dm" value="local"><param name="RegStart" value="1767225600"/><param name="RegDuration" value="300"/><param name="DMPpasswd" value="Gigaset"/></oper>`))
	w := s.RegistrationWindow()
	require.Equal(t, time.Unix(1767225600, 0).UTC(), w.Start)
	require.Equal(t, 5*time.Minute, w.End.Sub(w.Start))
	require.True(t, w.Open(s.Now()))
	require.False(t, w.Open(s.Now().Add(5*time.Minute)))
}

func TestFirmwareUpgradeNewerReboots(t *testing.T) {
	s := newSys(t, WithFirmware("2.35.0"))
	addHS(t, s, HandsetSpec{IPUI: hsA, State: Registered})
	reboots := 0
	syshook.Of[Event](s).OnReboot(func() { reboots++ })
	apply(t, s, `<provisioning version="1.1" productID="e2"><firmware><file version="2.36.0" url="http://fw/x.bin"/></firmware></provisioning>`)
	v, url, ok := s.PendingFirmware()
	require.True(t, ok)
	require.Equal(t, "2.36.0", v.String())
	require.Equal(t, "http://fw/x.bin", url)
	advance(t, s, time.Hour)
	require.Equal(t, "2.36.0", s.Firmware().String())
	requireEvents(t, s, EvFirmwareChanged, "", 1)
	requireEvents(t, s, EvReboot, "", 1)
	require.Equal(t, 1, reboots)
	require.Equal(t, Registered, s.SlotState(hsA), "registered handsets stay registered across the reboot")
}

func TestFirmwareOlderEqualOrUnparsableDoesNothing(t *testing.T) {
	for _, v := range []string{"2.34.0", "2.35.0", "2.35"} {
		s := newSys(t, WithFirmware("2.35.0"))
		apply(t, s, `<provisioning version="1.1" productID="e2"><firmware><file version="`+v+`" url="u"/></firmware></provisioning>`)
		advance(t, s, 2*time.Hour)
		require.Equal(t, "2.35.0", s.Firmware().String(), v)
		requireEvents(t, s, EvReboot, "", 0)
	}
	s := newSys(t)
	apply(t, s, `<provisioning version="1.1" productID="e2"><firmware><file version="x.xx" url="u"/></firmware></provisioning>`)
	require.Len(t, warnings(s, WarnBadFirmwareVersion), 1)
	advance(t, s, 2*time.Hour)
	requireEvents(t, s, EvReboot, "", 0)
}

func TestDeleteHSBesideUpgradeTo236IsStillUnknown(t *testing.T) {
	s := newSys(t, WithFirmware("2.35.0"))
	addHS(t, s, HandsetSpec{IPUI: hsB, State: Registered, OutOfRange: true})
	apply(t, s, `<provisioning version="1.1" productID="e2">
<firmware><file version="2.36.0" url="u"/></firmware>
<nvm><oper name="delete_hs" value="02b6ec8aa5"/></nvm></provisioning>`)
	advance(t, s, time.Hour)
	require.Equal(t, "2.36.0", s.Firmware().String())
	require.Equal(t, Registered, s.SlotState(hsB))
	require.Len(t, warnings(s, WarnDeleteHSUnsupported), 1)
	apply(t, s, doc(`<oper name="delete_hs" value="02b6ec8aa5"/>`))
	require.Equal(t, Absent, s.SlotState(hsB), "after the reboot delete_hs is known")
}

func TestRebootKeepsSlotsDeadlinesAndWindow(t *testing.T) {
	s := newSys(t, WithFirmware("2.35.0"))
	addHS(t, s, HandsetSpec{IPUI: hsB, State: Registered, OutOfRange: true})
	apply(t, s, doc(`<param name="hs.02b6ec8aa5.RegStatus" value="ToDeReg"/><oper name="update_dm" value="local"><param name="RegStart" value="1767225600"/><param name="RegDuration" value="86400"/></oper>`))
	at(t, s, 2*time.Hour)
	w := s.RegistrationWindow()
	require.NoError(t, s.InstallFirmware("2.40.0"))
	requireEvents(t, s, EvReboot, "", 1)
	require.Equal(t, w, s.RegistrationWindow())
	at(t, s, 24*time.Hour-time.Second)
	require.Equal(t, ToDeReg, s.SlotState(hsB))
	at(t, s, 24*time.Hour)
	require.Equal(t, Absent, s.SlotState(hsB), "the deadline still counts from the request")
}

func TestAdministratorMayInstallOlderFirmware(t *testing.T) {
	s := newSys(t)
	require.NoError(t, s.InstallFirmware("2.35"))
	require.Equal(t, "2.35.0", s.Firmware().String())
	require.Error(t, s.InstallFirmware("x.xx"))
}

func TestStrayTextCommentsAndAttributeOrderAreAccepted(t *testing.T) {
	s := newSys(t)
	apply(t, s, `<?xml version="1.0"?><provisioning productID="e2" version="1.1"><nvm>
    -->
    <!-- <param name="Hidden.0.x" value="1"/> -->
    <oper value="00001" name="add_hs">

        <param value="ToReg" name="hs.RegStatus"/>
    </oper>
</nvm></provisioning>`)
	require.Equal(t, ToReg, s.SlotState("00001"))
	_, ok := s.Setting("Hidden.0.x")
	require.False(t, ok, "params inside comments are not params")
}
