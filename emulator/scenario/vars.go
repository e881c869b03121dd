package scenario

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/beevik/etree"

	"github.com/dectsim/dectsim/internal/textio/fsread"
	"github.com/dectsim/dectsim/internal/xmltok"
)

// ParseOptions adjust how a scenario file is read.
type ParseOptions struct {
	// Vars give the values of ${NAME} in attribute values.
	Vars map[string]string
	// Env is asked for a name Vars does not hold; nil asks the process
	// environment (os.LookupEnv). A func that always says false makes
	// Vars the only source.
	Env func(name string) (string, bool)
}

func (o ParseOptions) lookup(name string) (string, bool) {
	if v, ok := o.Vars[name]; ok {
		return v, true
	}
	if o.Env == nil {
		return os.LookupEnv(name)
	}
	return o.Env(name)
}

// ParseFileWith reads a scenario file as ParseFile does, with o.
func ParseFileWith(path string, o ParseOptions) (*Scenario, error) {
	data, err := fsread.ReadFile(path, MaxScenarioBytes)
	var tl *fsread.TooLargeError
	switch {
	case errors.As(err, &tl):
		msg := fmt.Sprintf("scenario file is larger than the limit of %d bytes (it is not a regular file)", tl.Max)
		if tl.Size >= 0 {
			msg = fmt.Sprintf("scenario file is %d bytes; the limit is %d", tl.Size, tl.Max)
		}
		return nil, &Error{File: path, Pos: Pos{Line: 1, Col: 1}, Msg: msg}
	case err != nil:
		return nil, err
	}
	return ParseWith(path, data, o)
}

// ValidVarName reports whether name can be written ${name}: a letter or
// underscore, then letters, digits and underscores (ASCII).
func ValidVarName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c == '_', 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case '0' <= c && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// expand replaces each ${NAME} in the value of attribute key of e. A name
// that is not set, or a ${ that does not make a name, is an error at that
// ${ in the file.
func (p *parser) expand(e *etree.Element, key, v string) (string, error) {
	if !strings.Contains(v, "${") {
		return v, nil
	}
	var b strings.Builder
	rest := v
	for {
		i := strings.Index(rest, "${")
		if i < 0 {
			b.WriteString(rest)
			return b.String(), nil
		}
		b.WriteString(rest[:i])
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 {
			return "", p.errAt(p.varPos(e, "${"), "%s=%q: ${ starts a variable that is not closed with }", key, v)
		}
		name := rest[i+2 : i+j]
		ref := rest[i : i+j+1]
		if !ValidVarName(name) {
			return "", p.errAt(p.varPos(e, ref), "%s=%q: %s is not a variable (a name is letters, digits and _, not starting with a digit)", key, v, ref)
		}
		val, ok := p.opts.lookup(name)
		if !ok {
			return "", p.errAt(p.varPos(e, ref), "%s=%q: ${%s} is not set (give --var %s=VALUE, or set the environment variable %s)", key, v, name, name, name)
		}
		b.WriteString(val)
		rest = rest[i+j+1:]
	}
}

// varPos is where ref is first written in e's start tag, or e's position
// when it is written otherwise (with character references).
func (p *parser) varPos(e *etree.Element, ref string) Pos {
	start, end := p.doc.Span(e)
	if start < end && end <= len(p.sc.Src) {
		tag := p.sc.Src[start:end]
		if k := bytes.IndexByte(tag, '>'); k >= 0 {
			tag = tag[:k]
		}
		if i := bytes.Index(tag, []byte(ref)); i >= 0 {
			return Pos(xmltok.LineCol(p.sc.Src, start+i))
		}
	}
	return p.pos(e)
}
