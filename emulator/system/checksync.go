package system

import (
	"fmt"

	"github.com/dectsim/dectsim/internal/vocab/firmware"
)

// checkSync logs a check-sync from source and, when reboot is asked and
// the system honours it (firmware 2.52.0 or later with
// CheckSyncRebootEnabled=1), reboots: the reboot's boot fetch is then the
// fetch. It reports whether the system rebooted; if not, the caller
// fetches.
func (s *System) checkSync(source string, reboot bool) bool {
	enabled, _ := s.settings.get(SettingCheckSyncReboot)
	honoured := reboot && !s.fw.Less(firmware.CheckSyncReboot) && enabled == "1"
	outcome, detail := CheckSyncNoReboot, fmt.Sprintf("source=%s reboot=false: fetch now", source)
	if reboot && !honoured {
		detail = fmt.Sprintf("source=%s reboot=false (asked for, not done): fetch now", source)
	}
	if honoured {
		outcome, detail = CheckSyncReboot, fmt.Sprintf("source=%s reboot=true: reboot, then fetch at boot", source)
	}
	s.emit(Event{Type: EvCheckSync, Trigger: source, Outcome: outcome, Detail: detail})
	if reboot && !honoured {
		why := fmt.Sprintf("%s is %q, not 1", SettingCheckSyncReboot, enabled)
		if s.fw.Less(firmware.CheckSyncReboot) {
			why = fmt.Sprintf("firmware %s reboots on check-sync only from %s", s.fw, firmware.CheckSyncReboot)
		}
		s.warn("", 0, 0, WarnCheckSyncNoReboot, "check-sync asked for a reboot, which the system does not do ("+why+"): it only fetches")
	}
	if !honoured {
		return false
	}
	s.emit(Event{Type: EvReboot, Detail: "check-sync with reboot, running " + s.fw.String()})
	for _, f := range s.rebootFns {
		f()
	}
	return true
}
