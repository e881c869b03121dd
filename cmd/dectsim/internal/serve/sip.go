package serve

import (
	"context"
	"fmt"
	"strings"

	"github.com/dectsim/dectsim/emulator/system"
	"github.com/dectsim/dectsim/internal/engine/syshook"
)

// SIP status codes CheckSync answers with.
const (
	sipOK       = 200
	sipNotFound = 404
	sipBusy     = 503
)

// WarnAnonymousReboot is the warning a system logs when a NOTIFY whose
// user is none of its SIP accounts asks for a reboot.
const WarnAnonymousReboot = "check-sync-anonymous-reboot"

// CheckSync is a SIP NOTIFY check-sync for user (the Request-URI's user):
// the system with a SIP account whose UserName or AuthName is user fetches
// its file now, rebooting first when reboot is asked and it honours it.
// With one system, a user no account has still reaches it (an anonymous
// NOTIFY), but cannot reboot it. It returns the SIP status to answer: 200,
// 404 when no system is found, 503 when the emulator is closing.
func (w *World) CheckSync(user string, reboot bool) int {
	code := sipNotFound
	err := w.Do(context.Background(), func() {
		m, real := w.sipTarget(user)
		if m == nil {
			return
		}
		code = sipOK
		if m.Err != nil {
			return // a stopped system takes the NOTIFY and does nothing
		}
		if reboot && !real {
			syshook.Of[system.Event](m.Sys).Record(system.Event{Type: system.EvWarning, Code: WarnAnonymousReboot,
				Detail: fmt.Sprintf("a SIP NOTIFY for %q, which no SIP account of this system names, asked for a reboot: only the fetch is done", user)})
		}
		m.Live.Fetcher().CheckSyncFrom(system.CheckSyncSIP, reboot && real)
		w.refresh(m)
		w.Settle()
	})
	if err != nil {
		return sipBusy
	}
	return code
}

// sipTarget finds the system a NOTIFY for user is for, in the world's
// order, and says whether an account of it has that name.
func (w *World) sipTarget(user string) (*Member, bool) {
	if user != "" {
		for _, m := range w.members {
			if hasSIPUser(m.Sys, user) {
				return m, true
			}
		}
	}
	if len(w.members) == 1 {
		return w.members[0], false
	}
	return nil, false
}

// hasSIPUser reports whether a SipAccount.<id>.UserName or .AuthName of
// sys is user.
func hasSIPUser(sys *system.System, user string) bool {
	for name, v := range sys.Settings() {
		if v != user || !strings.HasPrefix(name, "SipAccount.") {
			continue
		}
		if strings.HasSuffix(name, ".UserName") || strings.HasSuffix(name, ".AuthName") {
			return true
		}
	}
	return false
}
