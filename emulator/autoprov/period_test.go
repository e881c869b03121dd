package autoprov_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dectsim/dectsim/emulator/autoprov"
	"github.com/dectsim/dectsim/emulator/system"
)

func requestTimes(f *autoprov.Fetcher) []time.Duration {
	var out []time.Duration
	for _, r := range f.Requests() {
		out = append(out, r.At.Sub(t0))
	}
	return out
}

// TestShortPeriodCountsAsTheMinimum: the vendor says not to use less than
// 1800 s; a shorter Period is checked every 1800 s, with a warning each
// time a file sets it, and the setting is kept as written.
func TestShortPeriodCountsAsTheMinimum(t *testing.T) {
	for _, v := range []string{"1", "60", "1799"} {
		sys := newSys(t)
		f := attach(t, sys, autoprov.Config{URL: "http://prov.test/p.xml",
			Handler: serveBody(doc(`<param name="Provisioning.global.Period" value="` + v + `"/>`))})
		require.NoError(t, sys.Advance(2*time.Hour+time.Minute))
		require.Equal(t, []time.Duration{0, 30 * time.Minute, time.Hour, 90 * time.Minute, 2 * time.Hour}, requestTimes(f), v)
		warnings := sys.FindEvents(system.EventQuery{Type: system.EvWarning, Outcome: system.WarnPeriodTooShort})
		require.Len(t, warnings, 5, "one warning per file applied")
		require.Equal(t, "http://prov.test/p.xml", warnings[0].File)
		require.Equal(t, 4, warnings[0].Line)
		require.Contains(t, warnings[0].Detail, "the system checks every 1800 s")
		got, _ := sys.Setting(autoprov.SettingPeriod)
		require.Equal(t, v, got)
	}
}

// TestUnchangedPeriodNeverMovesTheNextCheck: a complete file repeats its
// Period every time; only a change moves the next check. Here each result
// lands at the very instant the next check is due (Latency = Period),
// which is when a repeated Period used to push that check a period later.
func TestUnchangedPeriodNeverMovesTheNextCheck(t *testing.T) {
	sys := newSys(t)
	f := attach(t, sys, autoprov.Config{URL: "http://prov.test/p.xml", Latency: 30 * time.Minute,
		Handler: serveBody(doc(`<param name="Provisioning.global.Period" value="1800"/>`))})
	require.NoError(t, sys.Advance(2*time.Hour+time.Minute))
	// The boot file sets the Period at 30m, when a check would be due: a
	// change never fetches at once, so the first periodic check is at 1h.
	// From then on each result repeats the Period as its next check falls
	// due, and the check runs.
	require.Equal(t, []time.Duration{0, time.Hour, 90 * time.Minute, 2 * time.Hour}, requestTimes(f))

	// The same Period applied outside a fetch keeps the next check too.
	next, _ := f.NextCheck()
	_, err := sys.Apply("again.xml", []byte(doc(`<param name="Provisioning.global.Period" value="1800"/>`)))
	require.NoError(t, err)
	again, _ := f.NextCheck()
	require.Equal(t, next, again)
	// And so does a short Period that counts as the same 1800 s.
	_, err = sys.Apply("short.xml", []byte(doc(`<param name="Provisioning.global.Period" value="60"/>`)))
	require.NoError(t, err)
	again, _ = f.NextCheck()
	require.Equal(t, next, again)
}
