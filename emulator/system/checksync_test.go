package system

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCheckSyncRebootHonouredOnlyFrom252WithCheckSyncRebootEnabled(t *testing.T) {
	cases := []struct {
		fw, enabled string
		reboot      bool
	}{
		{"2.52.0", "1", true},
		{"2.65.0", "1", true},
		{"2.51.9", "1", false},
		{"2.65.0", "0", false},
		{"2.65.0", "", false},
	}
	for _, c := range cases {
		t.Run(c.fw+"/"+c.enabled, func(t *testing.T) {
			s := newSys(t, WithFirmware(c.fw))
			if c.enabled != "" {
				apply(t, s, doc(`<param name="SystemSettings.global.CheckSyncRebootEnabled" value="`+c.enabled+`"/>`))
			}
			rebooted := 0
			s.onReboot(func() { rebooted++ })
			require.Equal(t, c.reboot, s.checkSync(CheckSyncScenario, true))
			ev := requireEvents(t, s, EvCheckSync, "", 1)[0]
			require.Equal(t, CheckSyncScenario, ev.Trigger)
			if c.reboot {
				require.Equal(t, CheckSyncReboot, ev.Outcome)
				require.Equal(t, 1, rebooted)
				requireEvents(t, s, EvReboot, "", 1)
				require.Empty(t, s.FindEvents(EventQuery{Type: EvWarning, Outcome: WarnCheckSyncNoReboot}))
			} else {
				require.Equal(t, CheckSyncNoReboot, ev.Outcome)
				require.Zero(t, rebooted)
				requireEvents(t, s, EvReboot, "", 0)
				require.Len(t, s.FindEvents(EventQuery{Type: EvWarning, Outcome: WarnCheckSyncNoReboot}), 1)
			}
		})
	}
}

func TestCheckSyncWithoutRebootNeverRebootsAndNeverWarns(t *testing.T) {
	s := newSys(t)
	apply(t, s, doc(`<param name="SystemSettings.global.CheckSyncRebootEnabled" value="1"/>`))
	for _, src := range []string{CheckSyncScenario, CheckSyncAPI, CheckSyncSIP} {
		require.False(t, s.checkSync(src, false))
	}
	evs := requireEvents(t, s, EvCheckSync, "", 3)
	require.Equal(t, []string{"scenario", "api", "sip"}, []string{evs[0].Trigger, evs[1].Trigger, evs[2].Trigger})
	requireEvents(t, s, EvReboot, "", 0)
	require.Empty(t, s.FindEvents(EventQuery{Type: EvWarning}))
}
