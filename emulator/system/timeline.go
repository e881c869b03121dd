package system

import (
	"fmt"
	"strings"
	"time"

	"github.com/dectsim/dectsim/internal/textio/printable"
)

// TimelineLine is the event as one line of a timeline: the time relative
// to start, the absolute time, the event type, Who, the slot's DECT state
// after the event (as the web UI's handset list shows it; "absent" once
// the slot is gone) and Particulars. It is the form `dectsim run` prints,
// scenario failures quote and the dectsimtest checks put in their
// messages: one place, so the three always agree. With color, the type is
// painted by what it means: red for what went wrong, yellow for what is
// worth a look, green for what completed.
//
// Every text of the event is passed through printable.String: whatever a
// file, a server or a scenario put in it, the line is one line and sends
// no control sequence to the terminal.
func (e Event) TimelineLine(start time.Time, color bool) string {
	typ := fmt.Sprintf("%-22s", printable.String(e.Type))
	switch e.Type {
	case EvGhostCreated, EvGhostAttempt, EvProvisioningRejected, EvForcedRemoval, EvDeregTimeout:
		typ = printable.Paint(color, "31", typ)
	case EvWarning, EvRegistrationRefused, EvBaseDown, EvBaseSyncLost, EvDMDown, EvCoverageLost:
		typ = printable.Paint(color, "33", typ)
	case EvDeregCompleted, EvRegistered, EvBaseSynced, EvCoverageRegained:
		typ = printable.Paint(color, "32", typ)
	}
	line := fmt.Sprintf("  %-12s %s  %s %-22s %-10s  %s", "+"+e.Time.Sub(start).String(), e.Time.UTC().Format(time.RFC3339), typ,
		printable.String(e.Who()), printable.String(e.State), printable.String(e.Particulars()))
	return strings.TrimRight(line, " ")
}

// Who is the slot and IPUI the event concerns, as the timeline's column
// shows them (slot/IPUI, or whichever is known), unescaped.
func (e Event) Who() string {
	switch {
	case e.Slot != "" && e.IPUI != "" && e.Slot != e.IPUI:
		return e.Slot + "/" + e.IPUI
	case e.IPUI != "":
		return e.IPUI
	default:
		return e.Slot
	}
}

// Particulars is the rest of the event as the timeline's last column
// shows it (outcome, trigger, reason, code, input position and free
// text), unescaped.
func (e Event) Particulars() string {
	var parts []string
	for _, kv := range [][2]string{{"outcome", e.Outcome}, {"trigger", e.Trigger}, {"reason", e.Reason}, {"code", e.Code},
		{"base", e.Base}, {"dm", e.DM}, {"from", e.From}, {"to", e.To}, {"user", e.User}, {"registrar", e.Registrar}} {
		if kv[1] != "" {
			parts = append(parts, kv[0]+"="+kv[1])
		}
	}
	if e.File != "" && e.Line > 0 {
		parts = append(parts, fmt.Sprintf("at %s:%d:%d", e.File, e.Line, e.Col))
	}
	if e.Detail != "" {
		parts = append(parts, e.Detail)
	}
	return strings.Join(parts, "  ")
}
