package system

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const (
	hsA = "029e74a599"
	hsB = "02b6ec8aa5"
	hsC = "0311223344"
)

// Firmware on each side of every boundary the rules depend on.
var (
	fwBefore236 = []string{"2.35.0", "2.35.9"}
	fwFrom236   = []string{"2.36.0", "2.36.4", "2.37.0", "2.65.0"}
	fw236x      = []string{"2.36.0", "2.36.4"}
	fwFrom237   = []string{"2.37.0", "2.48.0", "2.65.0"}
)

func newSys(t *testing.T, opts ...Option) *System {
	t.Helper()
	s, err := New(opts...)
	require.NoError(t, err)
	return s
}

func addHS(t *testing.T, s *System, spec HandsetSpec) {
	t.Helper()
	require.NoError(t, s.AddHandset(spec))
}

// doc wraps nvm content in a provisioning document.
func doc(nvm string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<provisioning version="1.1" productID="e2">
  <nvm>
` + nvm + `
  </nvm>
</provisioning>
`
}

func addOper(id string) string {
	return fmt.Sprintf(`<oper name="add_hs" value="%s"><param name="hs.RegStatus" value="ToReg"/></oper>`, id)
}

func apply(t *testing.T, s *System, xml string) ApplySummary {
	t.Helper()
	r, err := s.Apply("test.xml", []byte(xml))
	require.NoError(t, err)
	return r
}

func advance(t *testing.T, s *System, d time.Duration) {
	t.Helper()
	require.NoError(t, s.Advance(d))
}

// advanceTo moves to start+d.
func at(t *testing.T, s *System, d time.Duration) {
	t.Helper()
	require.NoError(t, s.AdvanceTo(s.StartTime().Add(d)))
}

func eventsOf(s *System, typ, key string) []Event {
	return s.FindEvents(EventQuery{Type: typ, Key: key})
}

func requireEvents(t *testing.T, s *System, typ, key string, n int) []Event {
	t.Helper()
	got := eventsOf(s, typ, key)
	require.Len(t, got, n, "%s events for %q; log:\n%s", typ, key, dumpEvents(s))
	return got
}

func warnings(s *System, code string) []Event {
	var out []Event
	for _, e := range s.Events() {
		if e.Type == EvWarning && e.Code == code {
			out = append(out, e)
		}
	}
	return out
}

func dumpEvents(s *System) string {
	var b strings.Builder
	for _, e := range s.Events() {
		fmt.Fprintf(&b, "  %s %s slot=%s ipui=%s %s%s%s%s %s\n", e.Time.Sub(s.StartTime()), e.Type, e.Slot, e.IPUI, e.Outcome, e.Trigger, e.Reason, e.Code, e.Detail)
	}
	return b.String()
}

func handsetOf(t *testing.T, s *System, id string) Handset {
	t.Helper()
	h, ok := s.Handset(id)
	require.True(t, ok)
	return h
}
