package scenario

import (
	"github.com/beevik/etree"
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
