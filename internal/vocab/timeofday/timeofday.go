// Package timeofday reads the times of day of the auto-provisioning window
// (Provisioning.global.PeriodStart and PeriodEnd), the one rule that the
// fetcher, the system's warning and `dectsim check` share.
package timeofday

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Parse reads "14:00", "9:30" or "14:00:30" as an offset from midnight;
// "24:00" is the end of the day. Anything else, such as "25:00", is an
// error.
func Parse(s string) (time.Duration, error) {
	parts := strings.Split(strings.TrimSpace(s), ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, fmt.Errorf("time of day %q is not HH:MM", s)
	}
	var n [3]int
	for i, p := range parts {
		if len(p) == 0 || len(p) > 2 {
			return 0, fmt.Errorf("time of day %q is not HH:MM", s)
		}
		v, err := strconv.Atoi(p)
		if err != nil || v < 0 {
			return 0, fmt.Errorf("time of day %q is not HH:MM", s)
		}
		n[i] = v
	}
	if n[1] > 59 || n[2] > 59 || n[0] > 24 || n[0] == 24 && (n[1] != 0 || n[2] != 0) {
		return 0, fmt.Errorf("time of day %q is out of range", s)
	}
	return time.Duration(n[0])*time.Hour + time.Duration(n[1])*time.Minute + time.Duration(n[2])*time.Second, nil
}

// IsWindowSetting reports whether name is PeriodStart or PeriodEnd.
func IsWindowSetting(name string) bool {
	return name == "Provisioning.global.PeriodStart" || name == "Provisioning.global.PeriodEnd"
}
