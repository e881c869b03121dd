// Package firmware owns Nx70 firmware versions and the rules that depend on
// the running version alone: which opers exist. Until which version
// delete_hs matches case is a reading (internal/vocab/readings, case-fixed-in).
package firmware

import (
	"fmt"
	"strconv"
	"strings"
)

// Version is a firmware version MAJOR.MINOR.PATCH, as the system reports it
// after the family prefix "83.V" (for example 2.65.0).
type Version struct {
	Major, Minor, Patch int
}

// Default is the firmware a system runs unless told otherwise.
var Default = Version{2, 65, 0}

// Boundaries of the firmware-dependent rules.
var (
	// DeleteHS is the first version that knows the delete_hs oper (the
	// vendor FAQ "Auto provisioning: Delete/remove handset examples" dates it
	// to firmware 2.36).
	DeleteHS = Version{2, 36, 0}
	// CheckSyncReboot is the first version that reboots on a check-sync
	// that asks for it, when SystemSettings.global.CheckSyncRebootEnabled
	// is 1.
	CheckSyncReboot = Version{2, 52, 0}
)

// Parse reads "2.36.1", "2.36" (as 2.36.0) or "V2.36.1". Anything else,
// such as the placeholder "x.xx" real files carry, is an error.
func Parse(s string) (Version, error) {
	t := strings.TrimSpace(s)
	t = strings.TrimPrefix(strings.TrimPrefix(t, "V"), "v")
	parts := strings.Split(t, ".")
	if len(parts) < 2 || len(parts) > 3 {
		return Version{}, fmt.Errorf("firmware version %q is not MAJOR.MINOR.PATCH", s)
	}
	var n [3]int
	for i, p := range parts {
		if p == "" || len(p) > 6 {
			return Version{}, fmt.Errorf("firmware version %q is not MAJOR.MINOR.PATCH", s)
		}
		v, err := strconv.Atoi(p)
		if err != nil || v < 0 || p[0] == '+' {
			return Version{}, fmt.Errorf("firmware version %q is not MAJOR.MINOR.PATCH", s)
		}
		n[i] = v
	}
	return Version{n[0], n[1], n[2]}, nil
}

// MustParse is Parse for constants in code and tests; it panics on error.
func MustParse(s string) Version {
	v, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return v
}

// String gives the version as MAJOR.MINOR.PATCH.
func (v Version) String() string {
	return fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch)
}

// Compare returns -1, 0 or +1 as v is older than, equal to or newer than o.
func (v Version) Compare(o Version) int {
	switch {
	case v.Major != o.Major:
		return sign(v.Major - o.Major)
	case v.Minor != o.Minor:
		return sign(v.Minor - o.Minor)
	default:
		return sign(v.Patch - o.Patch)
	}
}

func sign(d int) int {
	switch {
	case d < 0:
		return -1
	case d > 0:
		return 1
	}
	return 0
}

// Less reports whether v is older than o.
func (v Version) Less(o Version) bool { return v.Compare(o) < 0 }

// KnowsDeleteHS reports whether the delete_hs oper exists on v.
func (v Version) KnowsDeleteHS() bool { return !v.Less(DeleteHS) }

// KnownOpers lists the opers v understands.
func (v Version) KnownOpers() []string {
	ops := []string{"DeleteNotProvisionedHS", "add_hs", "update_dm"}
	if v.KnowsDeleteHS() {
		ops = append(ops, "delete_hs")
	}
	return ops
}

// KnowsOper reports whether v understands the oper name.
func (v Version) KnowsOper(name string) bool {
	for _, o := range v.KnownOpers() {
		if o == name {
			return true
		}
	}
	return false
}
