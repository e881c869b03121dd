package system

import (
	"fmt"
	"time"

	"github.com/dectsim/dectsim/internal/engine/des"
	"github.com/dectsim/dectsim/internal/vocab/firmware"
	"github.com/dectsim/dectsim/internal/vocab/sipaccount"
)

// The SIP side of a slot: a DM registers every registered handset's SIP
// account with the PBX and de-registers it when the slot goes. The
// registrar here is simulated: it accepts every REGISTER, or, with
// WithSIPRegistrar(SIPRefuse), answers 403 to every one.

// SIP event types (a contract, as the others).
const (
	EvSIPRegistered     = "sip-registered"
	EvSIPUnregistered   = "sip-unregistered"
	EvSIPRegisterFailed = "sip-register-failed"
)

// A slot's SIP state, as Slot.SIP and the API show it.
const (
	SIPRegistered   = "registered"
	SIPUnregistered = "unregistered"
	SIPFailed       = "failed"
)

// Reasons of sip-unregistered and sip-register-failed.
const (
	SIPReasonRemoved        = "removed"
	SIPReasonNotReachable   = "not-reachable"
	SIPReasonMoved          = "moved"
	SIPReasonAccountChanged = "account-changed"
	SIPReasonForbidden      = "forbidden"
	// Reasons a real registrar's REGISTER fails with (SIPError.Reason):
	// a 401/407 that the credentials do not answer, no answer in time,
	// no route to it (or a Domain that does not resolve), an answer that
	// is not SIP, another final status (status-NNN, see SIPStatusReason).
	SIPReasonUnauthorized = "unauthorized"
	SIPReasonTimeout      = "timeout"
	SIPReasonUnreachable  = "unreachable"
	SIPReasonBadAnswer    = "bad-answer"
)

// SIPStatusReason is the reason of a REGISTER answered with a final
// status other than 2xx, 401, 403 and 407: "status-NNN".
func SIPStatusReason(code int) string { return fmt.Sprintf("status-%03d", code) }

// Simulated registrar modes (WithSIPRegistrar, <system sip-registrar>).
const (
	SIPAccept = "accept"
	SIPRefuse = "refuse"
)

// SIPRetry is how long a slot whose REGISTER failed waits before it tries
// again (the vendor's failed-registration retry timer, 300 s).
const SIPRetry = 300 * time.Second

// WithSIPRegistrar makes the simulated registrar accept (SIPAccept, the
// default) or refuse with 403 (SIPRefuse) every REGISTER.
func WithSIPRegistrar(mode string) Option { return func(c *Config) { c.SIPRegistrar = mode } }

// SIPClient sends a slot's REGISTERs to a real registrar instead of the
// simulated one. Register runs while simulated time stands still, so it
// must bound itself in real time; a nil error means the registrar
// accepted (2xx), a *SIPError says why not. Unregister de-registers the
// account (Expires: 0) and forgets it; its outcome changes nothing. The
// client keeps a registered account fresh in wall time itself.
type SIPClient interface {
	Register(r SIPRequest) error
	Unregister(r SIPRequest)
}

// SIPRequest is one account's registration, as a SIPClient sends it.
type SIPRequest struct {
	Account SIPAccount
	// MAC is the system's, Slot and IPUI the slot's, DM the DECT manager
	// it registers through.
	MAC, Slot, IPUI, DM string
	// UserAgent is the device's (as its HTTP requests carry it).
	UserAgent string
	// Instance tells apart the registrations of one account through the
	// DMs of a system of several (the DM's id; empty on a system of one):
	// a real registrar keeps one binding per DM's Contact, so a roaming
	// handset's new binding comes before its old one goes.
	Instance string
}

// SIPError is a REGISTER a real registrar did not accept: Reason is the
// event's reason (forbidden, timeout, unreachable, status-NNN, …),
// Detail says what happened.
type SIPError struct {
	Reason, Detail string
}

func (e *SIPError) Error() string { return e.Reason + ": " + e.Detail }

// WithSIPClient sends REGISTERs through c instead of the simulated
// registrar (dectsim serve --sip-register).
func WithSIPClient(c SIPClient) Option { return func(cfg *Config) { cfg.SIPClient = c } }

// SIPAccount is what a slot registers at the PBX, from its
// SipAccount.<id>.* settings and those of the SipProvider.<n> they name.
// It has the fields of sipaccount.Account, the one reading of an account,
// so that it converts from it and documents them here for embedders.
type SIPAccount struct {
	// User is SipAccount.<id>.UserName, Domain the provider's Domain.
	User, Domain string
	// Registrar is where REGISTERs go: RegServerAddress[:RegServerPort],
	// else the Domain.
	Registrar string
	// Transport is the provider's TransportProtocol (empty: UDP).
	Transport string
	// AuthName and AuthPassword answer a Digest challenge.
	AuthName, AuthPassword string
	// Expires is RegServerRefreshTimer in seconds (default 180).
	Expires int
	// DeregDetached is WithDeregOnHsNotReachable=1 ("Deregister detached
	// HS"): the account is de-registered while the handset is away.
	DeregDetached bool
	// Provider is the SipProvider number its ProviderId names ("0").
	Provider string
}

// sipSide is sl's SIP side, made when it first needs one: most slots of
// a large system never have an account, and pay a pointer for it.
func (sl *slot) sipSide() *sipState {
	if sl.sip == nil {
		sl.sip = &sipState{}
	}
	return sl.sip
}

// sipState is a slot's SIP side.
type sipState struct {
	state string     // SIPRegistered, SIPFailed or "" (unregistered)
	acct  SIPAccount // what is registered
	dm    *dm        // where it is registered
	ev    des.ID     // a REGISTER (or its retry) due
}

// sipAccount reads the account of slot sl from the settings; ok is false
// when it is incomplete (sipaccount.Read says why).
func (s *System) sipAccount(sl *slot) (SIPAccount, bool) {
	get := func(name string) string { v, _ := s.settings.get(name); return v }
	ids := []string{sl.id}
	if sl.ipui != "" && sl.ipui != sl.id {
		ids = append(ids, sl.ipui)
	}
	a, missing := sipaccount.Read(get, ids...)
	return SIPAccount(a), missing == ""
}

// sipWants reports whether sl should be SIP-registered now, and with what
// account and at which DM: it holds its handset's registration (Registered,
// or ToDeReg until it goes), has a complete account, and, with "Deregister
// detached HS", its handset is known to be reachable. A ghost has no slot,
// so it is never SIP-registered.
func (s *System) sipWants(sl *slot) (SIPAccount, *dm, bool) {
	if sl.gone || !sl.registered || (sl.state != Registered && sl.state != ToDeReg) {
		return SIPAccount{}, nil, false
	}
	a, ok := s.sipAccount(sl)
	if !ok {
		return a, nil, false
	}
	h := s.handsets[sl.ipui]
	if a.DeregDetached && (h == nil || !h.seen) {
		return a, nil, false
	}
	d := sl.dm
	if d == nil {
		d = s.dms[0]
	}
	return a, d, true
}

// sipEval brings sl's SIP side in line with what it should be: a
// REGISTER within the air time, a de-registration at once, or, after a
// roam, the new DM first and then the old.
func (s *System) sipEval(sl *slot) {
	a, d, want := s.sipWants(sl)
	if !want && sl.sip == nil {
		return // nothing registered, nothing due: no SIP side to keep
	}
	st := sl.sipSide()
	switch {
	case !want && st.state == SIPRegistered:
		reason := SIPReasonNotReachable
		if sl.gone || !sl.registered || (sl.state != Registered && sl.state != ToDeReg) {
			reason = SIPReasonRemoved
		} else if _, ok := s.sipAccount(sl); !ok {
			reason = SIPReasonAccountChanged
		}
		s.sipUnregister(sl, reason)
	case !want:
		s.sim.Cancel(st.ev)
		st.ev, st.state = 0, ""
	case st.state == SIPRegistered && st.acct != a:
		s.sipUnregister(sl, SIPReasonAccountChanged)
		s.sipSchedule(sl, s.cfg.AirLatency)
	case st.state == SIPRegistered && st.dm != d:
		s.sipRoam(sl, d)
	case st.state != SIPRegistered && st.ev == 0:
		s.sipSchedule(sl, s.cfg.AirLatency)
	}
}

// sipSchedule lets sl send its REGISTER after d.
func (s *System) sipSchedule(sl *slot, d time.Duration) {
	st := sl.sipSide()
	s.sim.Cancel(st.ev)
	st.ev = s.sim.After(d, func() {
		sl.sip.ev = 0
		s.sipRegister(sl)
	})
}

// sipRegister sends sl's REGISTER to the simulated registrar.
func (s *System) sipRegister(sl *slot) {
	a, d, want := s.sipWants(sl)
	if !want {
		return
	}
	st := sl.sipSide()
	st.acct, st.dm = a, d
	reason, detail := "", ""
	switch {
	case s.cfg.SIPClient != nil:
		if err := s.cfg.SIPClient.Register(s.sipRequest(sl)); err != nil {
			reason, detail = "error", err.Error()
			if se, ok := err.(*SIPError); ok {
				reason, detail = se.Reason, se.Detail
			}
		}
	case s.cfg.SIPRegistrar == SIPRefuse:
		reason, detail = SIPReasonForbidden, "the registrar answered 403 Forbidden"
	}
	if reason != "" {
		st.state = SIPFailed
		s.emitSIP(sl, EvSIPRegisterFailed, reason, d)
		s.events[len(s.events)-1].Detail = fmt.Sprintf("%s; trying again in %s", detail, SIPRetry)
		s.sipSchedule(sl, SIPRetry)
		return
	}
	st.state = SIPRegistered
	s.emitSIP(sl, EvSIPRegistered, "", d)
}

// sipUnregister de-registers sl's account at once.
func (s *System) sipUnregister(sl *slot, reason string) {
	s.sim.Cancel(sl.sip.ev)
	sl.sip.ev = 0
	sl.sip.state = ""
	if s.cfg.SIPClient != nil {
		s.cfg.SIPClient.Unregister(s.sipRequest(sl))
	}
	s.emitSIP(sl, EvSIPUnregistered, reason, sl.sip.dm)
}

// userAgent is the device's User-Agent, as its fetches send it.
func (s *System) userAgent() string { return firmware.UserAgent(s.profile.Model, s.fw, s.mac) }

// sipRoam moves sl's registration to DM d, as the Integrator does: it
// registers at the new DM first, then de-registers at the old.
func (s *System) sipRoam(sl *slot, d *dm) {
	st := sl.sip
	old := st.dm
	st.dm = d
	if s.cfg.SIPClient != nil {
		if err := s.cfg.SIPClient.Register(s.sipRequest(sl)); err != nil {
			reason, detail := "error", err.Error()
			if se, ok := err.(*SIPError); ok {
				reason, detail = se.Reason, se.Detail
			}
			st.dm = old
			s.sipUnregister(sl, SIPReasonMoved)
			st.dm, st.state = d, SIPFailed
			s.emitSIP(sl, EvSIPRegisterFailed, reason, d)
			s.events[len(s.events)-1].Detail = fmt.Sprintf("%s; trying again in %s", detail, SIPRetry)
			s.sipSchedule(sl, SIPRetry)
			return
		}
	}
	s.emitSIP(sl, EvSIPRegistered, "", d)
	st.dm = old
	s.sipUnregister(sl, SIPReasonMoved)
	st.dm, st.state = d, SIPRegistered
}

// sipRequest is sl's registration as a SIPClient sends it.
func (s *System) sipRequest(sl *slot) SIPRequest {
	r := SIPRequest{Account: sl.sip.acct, MAC: s.mac, Slot: sl.id, IPUI: sl.ipui, UserAgent: s.userAgent()}
	if sl.sip.dm != nil {
		r.DM = sl.sip.dm.id
		if len(s.dms) > 1 {
			r.Instance = sl.sip.dm.id
		}
	}
	return r
}

func (s *System) emitSIP(sl *slot, typ, reason string, d *dm) {
	a := sl.sip.acct
	e := Event{Type: typ, Slot: sl.id, IPUI: sl.ipui, Reason: reason, User: a.User, Registrar: a.Registrar}
	if d != nil {
		e.DM = d.id
	}
	s.emit(e)
}

// sipAfterApply re-reads the accounts a file changed: every slot's when
// it changed a provider, else those of the slots whose SipAccount params
// it changed. A file that changes nothing of them costs nothing here.
func (s *System) sipAfterApply() {
	all, keys := s.sipAllDirty, s.sipDirty
	s.sipAllDirty, s.sipDirty = false, nil // not kept between files
	if all {
		for _, sl := range s.order {
			if !sl.gone {
				s.sipEval(sl)
			}
		}
		return
	}
	for _, key := range keys {
		sl := s.slots[key]
		if sl == nil {
			sl = s.byIPUI[key]
		}
		if sl != nil && !sl.gone {
			s.sipEval(sl)
		}
	}
}

// sipView is a slot's SIP state for callers.
func (sl *slot) sipView() string {
	if sl.sip == nil {
		return SIPUnregistered
	}
	switch sl.sip.state {
	case SIPRegistered, SIPFailed:
		return sl.sip.state
	}
	return SIPUnregistered
}
