// Package timeline formats system events as the lines of a timeline: the
// form `dectsim run` prints, scenario failures quote and the dectsimtest
// checks put in their messages. One place, so the three always agree.
package timeline

import (
	"fmt"
	"strings"
	"time"

	"github.com/dectsim/dectsim/emulator/system"
	"github.com/dectsim/dectsim/internal/printable"
)

// Line is one timeline line: the time relative to start, the absolute
// time, the event type, the slot/IPUI, the slot's DECT state after the
// event (as the web UI's handset list shows it; "absent" once the slot is
// gone) and the rest of the event. With
// color, the type is painted by what it means: red for what went wrong,
// yellow for what is worth a look, green for what completed.
//
// Every text of the event is passed through printable.String: whatever a
// file, a server or a scenario put in it, the line is one line and sends
// no control sequence to the terminal.
func Line(start time.Time, e system.Event, color bool) string {
	typ := fmt.Sprintf("%-22s", printable.String(e.Type))
	switch e.Type {
	case system.EvGhostCreated, system.EvGhostAttempt, system.EvProvisioningRejected, system.EvForcedRemoval, system.EvDeregTimeout:
		typ = Paint(color, "31", typ)
	case system.EvWarning, system.EvRegistrationRefused:
		typ = Paint(color, "33", typ)
	case system.EvDeregCompleted, system.EvRegistered:
		typ = Paint(color, "32", typ)
	}
	line := fmt.Sprintf("  %-12s %s  %s %-22s %-10s  %s", "+"+Offset(start, e.Time), e.Time.UTC().Format(time.RFC3339), typ,
		printable.String(who(e)), printable.String(e.State), printable.String(detail(e)))
	return strings.TrimRight(line, " ")
}

// Offset formats t relative to start, as a Go duration.
func Offset(start, t time.Time) string { return t.Sub(start).String() }

// Paint wraps text in the ANSI SGR code when color is set.
func Paint(color bool, code, text string) string {
	if !color {
		return text
	}
	return "\x1b[" + code + "m" + text + "\x1b[0m"
}

// who renders the slot and IPUI an event concerns.
func who(e system.Event) string {
	switch {
	case e.Slot != "" && e.IPUI != "" && e.Slot != e.IPUI:
		return e.Slot + "/" + e.IPUI
	case e.IPUI != "":
		return e.IPUI
	default:
		return e.Slot
	}
}

// detail renders the rest of an event.
func detail(e system.Event) string {
	var parts []string
	for _, kv := range [][2]string{{"outcome", e.Outcome}, {"trigger", e.Trigger}, {"reason", e.Reason}, {"code", e.Code}} {
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

// Who is the slot/IPUI column of Line, unescaped.
func Who(e system.Event) string { return who(e) }

// Detail is the detail column of Line (outcome, trigger, reason, code,
// input position and free text), unescaped.
func Detail(e system.Event) string { return detail(e) }
