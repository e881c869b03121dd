package scenario

import (
	"cmp"
	"errors"
	"slices"
	"strings"

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
		return p.errAttr(e, "mac-case", "mac-case=%q is not a case: it takes lower or upper", v)
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
		return p.errAttr(e, "reboot", "reboot=%q must be true or false", v)
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
		return p.errAttr(e, "state", "<admin> state=%q is not a DECT state (ToReg, NotReg, InReg, Registered or ToDeReg)", a["state"])
	}
	st.State = string(s)
	return nil
}

// MaxErrors is how many mistakes of one scenario file are reported; the
// reader stops at the next.
const MaxErrors = 20

// errStop ends reading once MaxErrors mistakes are noted; it is never
// reported itself.
var errStop = errors.New("too many mistakes")

// note records a mistake, and reports whether the reader goes on: each
// element that cannot be read is left out, and the rest is read, so one
// run reports every mistake (up to MaxErrors).
func (p *parser) note(err error) bool {
	var se *Error
	switch {
	case errors.Is(err, errStop):
		return false
	case !errors.As(err, &se):
		se = p.errAt(Pos{Line: 1, Col: 1}, "%v", err)
	}
	p.errs = append(p.errs, se)
	return len(p.errs) < MaxErrors
}

// errors is what reading found wrong: nil, one *Error, or Errors.
func (p *parser) errors() error {
	switch len(p.errs) {
	case 0:
		return nil
	case 1:
		return p.errs[0]
	}
	// In file order: handsets are read before the other elements.
	slices.SortStableFunc(p.errs, func(a, b *Error) int {
		return cmp.Or(cmp.Compare(a.Pos.Line, b.Pos.Line), cmp.Compare(a.Pos.Col, b.Pos.Col))
	})
	return Errors(p.errs)
}

// Errors are the mistakes of one scenario file, in file order (at most
// MaxErrors). errors.As finds the first as an *Error.
type Errors []*Error

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap gives each mistake, for errors.Is and errors.As.
func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}
