package system

import "time"

// Warning codes for values the system bounds rather than takes as they
// are. Where `dectsim check` reports the same thing it uses the same code.
const (
	// WarnPeriodTooShort: Provisioning.global.Period in 1..1799 s. The
	// vendor says "Please do not use a time < 1800 seconds"; the model
	// checks every MinPeriod instead.
	WarnPeriodTooShort = "period-too-short"
	// WarnBadTimeOfDay: Provisioning.global.PeriodStart or PeriodEnd is
	// not a time of day HH:MM (such as "25:00"). The setting is stored as
	// written; the fetcher ignores the window.
	WarnBadTimeOfDay = "bad-time-of-day"
)

// SettingPeriod is the auto-provisioning interval in seconds (0: once a
// day), which the fetcher follows.
const SettingPeriod = "Provisioning.global.Period"

// MinPeriod is the shortest auto-provisioning interval the model takes: a
// shorter Provisioning.global.Period counts as MinPeriod, with a
// WarnPeriodTooShort warning.
const MinPeriod = 1800 * time.Second

// MaxRegDuration is the longest registration window update_dm opens: a
// longer RegDuration (up to what an int64 of seconds holds, which a
// time.Duration cannot) is taken as MaxRegDuration, with a WarnBadValue
// warning, instead of wrapping round into a window that is already
// closed.
const MaxRegDuration = 100 * 365 * 24 * time.Hour
