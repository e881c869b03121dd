package scenario

import (
	"github.com/beevik/etree"

	"github.com/dectsim/dectsim/emulator/system"
)

// macCase reads <system mac-case="lower|upper">: how the MAC is written in
// %MACD and in the <MAC>.xml of a directory URL.
func (p *parser) macCase(e *etree.Element, a map[string]string, s *SystemSpec) error {
	v, ok := a["mac-case"]
	if !ok {
		return nil
	}
	switch v {
	case "lower":
	case "upper":
		s.UpperMAC = true
	default:
		return p.errf(e, "mac-case=%q is not a case: it takes lower or upper", v)
	}
	return nil
}

// checkSync reads <check-sync reboot="true|false"/>.
func (p *parser) checkSync(e *etree.Element, st *Step) error {
	a, err := p.attrs(e, "reboot")
	if err != nil {
		return err
	}
	switch v, ok := a["reboot"]; {
	case !ok, v == "false":
	case v == "true":
		st.Reboot = true
	default:
		return p.errf(e, "reboot=%q must be true or false", v)
	}
	return nil
}

// admin reads <admin slot state/>: an operator's change of a slot in the
// web UI. The slot is looked up when the step runs (files create slots).
func (p *parser) admin(e *etree.Element, st *Step) error {
	a, err := p.attrs(e, "slot", "state")
	if err != nil {
		return err
	}
	if a["slot"] == "" {
		return p.errf(e, "<admin> needs slot= (the slot id or the IPUI registered in it)")
	}
	st.IPUI = a["slot"]
	s, ok := system.ParseState(a["state"])
	if !ok || s == system.Absent {
		return p.errf(e, "<admin> state=%q is not a DECT state (ToReg, NotReg, InReg, Registered or ToDeReg)", a["state"])
	}
	st.State = string(s)
	return nil
}
