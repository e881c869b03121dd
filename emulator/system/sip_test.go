package system

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// account is the provider and account params a PBX writes for one slot.
func account(id, user string) string {
	return fmt.Sprintf(`<param name="SipAccount.%[1]s.UserName" value="%[2]s"/><param name="SipAccount.%[1]s.AuthName" value="%[2]s"/>`+
		`<param name="SipAccount.%[1]s.AuthPassword" value="pw"/><param name="SipAccount.%[1]s.ProviderId" value="0"/>`, id, user)
}

const provider = `<param name="SipProvider.0.Domain" value="pbx.example.net"/>`

func sipOf(t *testing.T, s *System, key string) string {
	t.Helper()
	sl, ok := s.Slot(key)
	if !ok {
		return "no slot"
	}
	return sl.SIP
}

func TestARegisteredSlotWithACompleteAccountIsSIPRegisteredWithinTheAirTime(t *testing.T) {
	s := newSys(t)
	addHS(t, s, HandsetSpec{IPUI: hsA, State: Registered})
	apply(t, s, doc(provider+`<param name="SipProvider.0.RegServerAddress" value="10.0.0.5"/><param name="SipProvider.0.RegServerPort" value="5070"/>`+account(hsA, "1001")))
	require.Equal(t, SIPUnregistered, sipOf(t, s, hsA))
	advance(t, s, s.cfg.AirLatency)
	require.Equal(t, SIPRegistered, sipOf(t, s, hsA))
	e := requireEvents(t, s, EvSIPRegistered, hsA, 1)[0]
	require.Equal(t, "1001", e.User)
	require.Equal(t, "10.0.0.5:5070", e.Registrar)
	require.Equal(t, DefaultDM, e.DM)
	apply(t, s, doc(provider+`<param name="SipProvider.0.RegServerAddress" value="10.0.0.5"/><param name="SipProvider.0.RegServerPort" value="5070"/>`+account(hsA, "1001")))
	advance(t, s, time.Hour)
	requireEvents(t, s, EvSIPRegistered, hsA, 1) // the same file again changes nothing
}

func TestAnIncompleteAccountIsNeverRegistered(t *testing.T) {
	s := newSys(t)
	addHS(t, s, HandsetSpec{IPUI: hsA, State: Registered})
	addHS(t, s, HandsetSpec{IPUI: hsB, State: Registered})
	apply(t, s, doc(account(hsA, "1001")+`<param name="SipAccount.`+hsB+`.AuthName" value="1002"/>`))
	advance(t, s, time.Hour)
	requireEvents(t, s, EvSIPRegistered, "", 0)
}

func TestTheAccountGoesBeforeTheSlotsRemovalEvent(t *testing.T) {
	for name, tc := range map[string]struct {
		fw, file, removal string
		out               bool
	}{
		"graceful":      {"2.65.0", `<oper name="DeleteNotProvisionedHS"/>`, EvDeregCompleted, false},
		"dereg-timeout": {"2.65.0", `<oper name="DeleteNotProvisionedHS"/>`, EvDeregTimeout, true},
		"delete_hs":     {"2.65.0", `<oper name="delete_hs" value="` + hsA + `"/>`, EvForcedRemoval, true},
	} {
		s := newSys(t, WithFirmware(tc.fw))
		addHS(t, s, HandsetSpec{IPUI: hsA, State: Registered})
		apply(t, s, doc(provider+account(hsA, "1001")))
		advance(t, s, time.Minute)
		if tc.out {
			require.NoError(t, s.Move(hsA, false))
		}
		apply(t, s, doc(tc.file))
		advance(t, s, 25*time.Hour)
		un := requireEvents(t, s, EvSIPUnregistered, hsA, 1)[0]
		gone := requireEvents(t, s, tc.removal, hsA, 1)[0]
		require.Equal(t, SIPReasonRemoved, un.Reason, name)
		require.Equal(t, gone.Seq-1, un.Seq, "%s: the de-registration comes just before the removal", name)
		if tc.out {
			require.Equal(t, []string{hsA}, s.GhostIPUIs(), name)
			require.NoError(t, s.Move(hsA, true))
			advance(t, s, 3*time.Hour)
			requireEvents(t, s, EvSIPRegistered, hsA, 1) // a ghost is never registered again
		}
	}
}

func TestDeregisterDetachedHSUnregistersWhileTheHandsetIsKnownToBeAway(t *testing.T) {
	s := newSys(t, WithReading("detect-delay", "3h"))
	addHS(t, s, HandsetSpec{IPUI: hsA, State: Registered})
	apply(t, s, doc(provider+`<param name="SipProvider.0.WithDeregOnHsNotReachable" value="1"/>`+account(hsA, "1001")))
	advance(t, s, time.Minute)
	require.NoError(t, s.Move(hsA, false))
	advance(t, s, 2*time.Hour)
	require.Equal(t, SIPRegistered, sipOf(t, s, hsA), "the system has not noticed yet (detect-delay)")
	advance(t, s, time.Hour)
	require.Equal(t, SIPUnregistered, sipOf(t, s, hsA))
	require.Equal(t, SIPReasonNotReachable, requireEvents(t, s, EvSIPUnregistered, hsA, 1)[0].Reason)
	require.NoError(t, s.Move(hsA, true))
	advance(t, s, time.Minute)
	require.Equal(t, SIPRegistered, sipOf(t, s, hsA), "registered again on return")
	requireEvents(t, s, EvSIPRegistered, hsA, 2)

	without := newSys(t)
	addHS(t, without, HandsetSpec{IPUI: hsA, State: Registered})
	apply(t, without, doc(provider+account(hsA, "1001")))
	advance(t, without, time.Minute)
	require.NoError(t, without.Move(hsA, false))
	advance(t, without, time.Hour)
	require.Equal(t, SIPRegistered, sipOf(t, without, hsA), "without Deregister detached HS the account stays")
}

func TestARefusingRegistrarFailsAndIsTriedAgainEvery300Seconds(t *testing.T) {
	s := newSys(t, WithSIPRegistrar(SIPRefuse))
	addHS(t, s, HandsetSpec{IPUI: hsA, State: Registered})
	apply(t, s, doc(provider+account(hsA, "1001")))
	advance(t, s, s.cfg.AirLatency+SIPRetry*2)
	fails := requireEvents(t, s, EvSIPRegisterFailed, hsA, 3)
	require.Equal(t, SIPReasonForbidden, fails[0].Reason)
	require.Equal(t, SIPRetry, fails[1].Time.Sub(fails[0].Time))
	require.Equal(t, SIPFailed, sipOf(t, s, hsA))
	_, err := New(WithSIPRegistrar("maybe"))
	require.ErrorContains(t, err, `sip-registrar "maybe"`)
}

func TestAnAccountThatChangesIsRegisteredAgain(t *testing.T) {
	s := newSys(t)
	addHS(t, s, HandsetSpec{IPUI: hsA, State: Registered})
	apply(t, s, doc(provider+account(hsA, "1001")))
	advance(t, s, time.Minute)
	apply(t, s, doc(account(hsA, "2001")))
	un := requireEvents(t, s, EvSIPUnregistered, hsA, 1)[0]
	require.Equal(t, SIPReasonAccountChanged, un.Reason)
	require.Equal(t, "1001", un.User)
	advance(t, s, time.Minute)
	reg := requireEvents(t, s, EvSIPRegistered, hsA, 2)
	require.Equal(t, "2001", reg[1].User)
}

func TestRoamingRegistersAtTheNewDMFirstThenUnregistersAtTheOld(t *testing.T) {
	s := newSys(t, twoDMs()...)
	addHS(t, s, HandsetSpec{IPUI: hsA, State: Registered, At: []string{"n1"}})
	apply(t, s, doc(provider+account(hsA, "1001")))
	advance(t, s, time.Minute)
	require.NoError(t, s.MoveTo(hsA, []string{"s1"}))
	reg := requireEvents(t, s, EvSIPRegistered, hsA, 2)
	un := requireEvents(t, s, EvSIPUnregistered, hsA, 1)[0]
	require.Equal(t, "south", reg[1].DM)
	require.Equal(t, "north", un.DM)
	require.Equal(t, SIPReasonMoved, un.Reason)
	require.Less(t, reg[1].Seq, un.Seq)
	require.Equal(t, SIPRegistered, sipOf(t, s, hsA))
}

// fakeClient records what a real registrar would be sent and answers err.
type fakeClient struct {
	err        error
	registers  []SIPRequest
	unregister []SIPRequest
}

func (f *fakeClient) Register(r SIPRequest) error { f.registers = append(f.registers, r); return f.err }
func (f *fakeClient) Unregister(r SIPRequest)     { f.unregister = append(f.unregister, r) }

// TestASIPClientIsSentEveryRegistrationInsteadOfTheSimulatedRegistrar:
// with WithSIPClient the account, the device's User-Agent and the DM go to
// the client, its error is the failure's reason, and a removal
// de-registers through it.
func TestASIPClientIsSentEveryRegistrationInsteadOfTheSimulatedRegistrar(t *testing.T) {
	c := &fakeClient{}
	s := newSys(t, WithSIPClient(c), WithMAC("7C2F80A1B2C3"), WithSIPRegistrar(SIPRefuse))
	addHS(t, s, HandsetSpec{IPUI: hsA, State: Registered})
	apply(t, s, doc(provider+`<param name="SipProvider.0.RegServerRefreshTimer" value="600"/>`+account(hsA, "1001")))
	advance(t, s, time.Minute)
	require.Len(t, c.registers, 1)
	r := c.registers[0]
	require.Equal(t, "1001", r.Account.User)
	require.Equal(t, 600, r.Account.Expires)
	require.Equal(t, "7C2F80A1B2C3", r.MAC)
	require.Equal(t, DefaultDM, r.DM)
	require.Regexp(t, `^Gigaset N870 IP PRO/83\.V2\.65\.0\+build\.[0-9a-f]{7};7C2F80A1B2C3$`, r.UserAgent)
	require.Equal(t, SIPRegistered, sipOf(t, s, hsA), "the client, not the simulated registrar, answers")

	apply(t, s, doc(`<oper name="DeleteNotProvisionedHS"/>`))
	advance(t, s, time.Minute)
	require.Len(t, c.unregister, 1)
	require.Equal(t, "1001", c.unregister[0].Account.User)

	c2 := &fakeClient{err: &SIPError{Reason: "timeout", Detail: "no answer from 10.0.0.5:5060 within 5s"}}
	s2 := newSys(t, WithSIPClient(c2))
	addHS(t, s2, HandsetSpec{IPUI: hsA, State: Registered})
	apply(t, s2, doc(provider+account(hsA, "1001")))
	advance(t, s2, time.Minute)
	f := requireEvents(t, s2, EvSIPRegisterFailed, hsA, 1)[0]
	require.Equal(t, "timeout", f.Reason)
	require.Contains(t, f.Detail, "no answer from 10.0.0.5:5060 within 5s; trying again in 5m0s")
}

// TestAProviderThatChangesReRegistersEveryAccountThatNamesIt: a file that
// changes only SipProvider.0 re-registers the accounts on it, and a file
// that changes one account re-registers that one alone.
func TestAProviderThatChangesReRegistersEveryAccountThatNamesIt(t *testing.T) {
	s := newSys(t)
	addHS(t, s, HandsetSpec{IPUI: hsA, State: Registered})
	addHS(t, s, HandsetSpec{IPUI: hsB, State: Registered})
	apply(t, s, doc(provider+account(hsA, "1001")+account(hsB, "1002")))
	advance(t, s, time.Minute)
	apply(t, s, doc(`<param name="SipProvider.0.Domain" value="pbx2.example.net"/>`))
	advance(t, s, time.Minute)
	for _, ip := range []string{hsA, hsB} {
		reg := requireEvents(t, s, EvSIPRegistered, ip, 2)
		require.Equal(t, "pbx2.example.net", reg[1].Registrar, ip)
		require.Equal(t, SIPReasonAccountChanged, requireEvents(t, s, EvSIPUnregistered, ip, 1)[0].Reason, ip)
	}
	apply(t, s, doc(`<param name="SipAccount.`+hsB+`.UserName" value="2002"/>`))
	advance(t, s, time.Minute)
	requireEvents(t, s, EvSIPRegistered, hsA, 2)
	requireEvents(t, s, EvSIPRegistered, hsB, 3)
}
