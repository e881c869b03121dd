package system

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dectsim/dectsim/internal/engine/syshook"
)

func TestSlotInRegToldToGoRefusesRegistrationAndWaitsAsNeverRegistered(t *testing.T) {
	s := newSys(t)
	addHS(t, s, HandsetSpec{IPUI: hsA})
	apply(t, s, doc(addOper("00001")+windowOpen))
	require.NoError(t, s.Register(hsA))
	require.Equal(t, InReg, s.SlotState("00001"))
	apply(t, s, doc(`<param name="hs.00001.RegStatus" value="ToDeReg"/>`))
	ev := requireEvents(t, s, EvRegistrationRefused, hsA, 1)
	require.Equal(t, RefusedSlotGone, ev[0].Reason)
	require.Equal(t, ToDeReg, s.SlotState("00001"))
	advance(t, s, time.Hour)
	require.False(t, handsetOf(t, s, hsA).Subscribed, "the registration never completed")
	require.Equal(t, ToDeReg, s.SlotState("00001"), "nobody to inform: it waits the timeout")
	at(t, s, 24*time.Hour)
	require.Equal(t, Absent, s.SlotState("00001"))
	require.Empty(t, s.Ghosts())
}

func TestParamsOutsideNVMApplyWithWarning(t *testing.T) {
	s := newSys(t)
	apply(t, s, `<provisioning version="1.1" productID="e2"><param name="DmGlobal.0.ZeroDisplayHsProtection" value="1"/></provisioning>`)
	v, ok := s.Setting("DmGlobal.0.ZeroDisplayHsProtection")
	require.True(t, ok)
	require.Equal(t, "1", v)
	require.Len(t, warnings(s, "outside-nvm"), 1)
}

func TestAddHSWithoutRegStatusMakesToRegSlot(t *testing.T) {
	s := newSys(t)
	apply(t, s, doc(`<oper name="add_hs" value="00007"/>`))
	require.Equal(t, ToReg, s.SlotState("00007"))
}

func TestAddHSChildHsParamsAreStoredForTheSlot(t *testing.T) {
	s := newSys(t)
	apply(t, s, doc(`<oper name="add_hs" value="00007"><param name="hs.RegStatus" value="ToReg"/><param name="hs.DECT_AC" value="4711"/></oper>`))
	slot, _ := s.Slot("00007")
	require.Equal(t, "4711", slot.PIN)
	_, ok := s.Setting("hs.RegStatus")
	require.False(t, ok, "RegStatus is an instruction, not a setting")
}

func TestAirLatencyIsConfigurable(t *testing.T) {
	s := newSys(t, WithAirLatency(5*time.Second))
	addHS(t, s, HandsetSpec{IPUI: hsA, State: Registered})
	apply(t, s, doc(`<param name="hs.029e74a599.RegStatus" value="ToDeReg"/>`))
	advance(t, s, 5*time.Second)
	require.Equal(t, Absent, s.SlotState(hsA))
	_, err := New(WithAirLatency(2 * time.Minute))
	require.Error(t, err, "over-the-air exchanges take at most a minute")
}

func TestBadOptionsAreRefused(t *testing.T) {
	for _, o := range []Option{WithProduct("N999"), WithFirmware("x.xx"), WithMAC("12"), WithDeregTimeout(0), WithMaxHandsets(-1), WithMaxHandsets(MaxSlots + 1), WithGhostInterval(0), WithFirmwareDelay(2 * time.Hour)} {
		_, err := New(o)
		require.Error(t, err)
	}
	s := newSys(t, WithMAC("7c:2f:80:a1:b2:c3"))
	require.Equal(t, "7C2F80A1B2C3", s.MAC())
}

func TestOnEventSeesEveryEventAsItIsLogged(t *testing.T) {
	s := newSys(t)
	var seen []string
	syshook.Of[Event](s).OnEvent(func(e Event) { seen = append(seen, e.Type) })
	addHS(t, s, HandsetSpec{IPUI: hsA, State: Registered})
	apply(t, s, doc(`<param name="hs.029e74a599.RegStatus" value="ToDeReg"/>`))
	advance(t, s, time.Minute)
	require.Equal(t, []string{EvProvisioningApplied, EvDeregRequested, EvDeregCompleted}, seen)
	require.Len(t, s.EventsSince(1), 2)
}

func TestSettingNamesAreSortedCanonicalNames(t *testing.T) {
	s := newSys(t)
	apply(t, s, doc(`<param name="hs.029E74A599.DECT_AC" value="1"/><param name="B.0.x" value="2"/><param name="A.0.y" value="3"/>`))
	require.Equal(t, []string{"A.0.y", "B.0.x", "hs.029e74a599.DECT_AC"}, s.SettingNames())
	require.Equal(t, "hs.029e74a599.DECT_AC", CanonicalParamName("hs.029E74A599.DECT_AC"))
	require.Equal(t, 3, s.SettingCount())
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

func TestUnreadableInputIsAnErrorAndNotAnEvent(t *testing.T) {
	s := newSys(t)
	_, err := s.ApplyReader("net", failingReader{})
	require.ErrorContains(t, err, "connection reset")
	_, err = s.ApplyFile(filepath.Join(t.TempDir(), "missing.xml"))
	require.Error(t, err)
	var pe *FileError
	require.False(t, errors.As(err, &pe), "nothing arrived, so nothing was rejected")
	require.Zero(t, s.EventCount())
}

func TestApplyReaderAndApplyFileApplyLikeApply(t *testing.T) {
	body := doc(addOper(hsA))
	path := filepath.Join(t.TempDir(), "p.xml")
	require.NoError(t, os.WriteFile(path, []byte(body), 0o644))
	a, b := newSys(t), newSys(t)
	_, err := a.ApplyReader("p.xml", strings.NewReader(body))
	require.NoError(t, err)
	_, err = b.ApplyFile(path)
	require.NoError(t, err)
	require.Equal(t, a.Snapshot(), b.Snapshot())
	require.Equal(t, ToReg, a.SlotState(hsA))
}
