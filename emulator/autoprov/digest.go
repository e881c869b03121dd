package autoprov

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"math/rand/v2"
	"strings"
)

// HTTP Digest access authentication (RFC 7616, and RFC 2617 servers that
// send no qop), the only scheme the device supports (Gigaset wiki, "Auto
// provisioning: HTTP Digest").

// challenge is one scheme of a WWW-Authenticate header with its params
// (names in lower case).
type challenge struct {
	scheme string
	params map[string]string
}

func (c *challenge) stale() bool { return strings.EqualFold(c.params["stale"], "true") }

// algorithm returns the hash and whether the session variant is asked for;
// ok is false for an algorithm the device does not know.
func (c *challenge) algorithm() (newHash func() hash.Hash, sess, ok bool) {
	switch strings.ToUpper(c.params["algorithm"]) {
	case "", "MD5":
		return md5.New, false, true
	case "MD5-SESS":
		return md5.New, true, true
	case "SHA-256":
		return sha256.New, false, true
	case "SHA-256-SESS":
		return sha256.New, true, true
	}
	return nil, false, false
}

// qop picks auth over auth-int; "" when the server sent no qop (RFC 2069
// style); ok is false when it offers only unknown ones.
func (c *challenge) qop() (string, bool) {
	q, present := c.params["qop"]
	if !present {
		return "", true
	}
	var authInt bool
	for _, o := range strings.Split(q, ",") {
		switch strings.ToLower(strings.TrimSpace(o)) {
		case "auth":
			return "auth", true
		case "auth-int":
			authInt = true
		}
	}
	if authInt {
		return "auth-int", true
	}
	return "", false
}

// pickDigest chooses the challenge to answer: a Digest one, SHA-256 before
// MD5. Without one, why says what the server asked for instead.
func pickDigest(chs []challenge) (c *challenge, why string) {
	rank := func(ch *challenge) int {
		if !strings.EqualFold(ch.scheme, "Digest") || ch.params["nonce"] == "" {
			return 0
		}
		_, sess, ok := ch.algorithm()
		if !ok {
			return 0
		}
		if _, ok := ch.qop(); !ok {
			return 0
		}
		r := 1
		if strings.HasPrefix(strings.ToUpper(ch.params["algorithm"]), "SHA-256") {
			r += 2
		}
		if !sess {
			r++
		}
		return r
	}
	best := 0
	var schemes []string
	for i := range chs {
		schemes = append(schemes, chs[i].scheme)
		if r := rank(&chs[i]); r > best {
			best, c = r, &chs[i]
		}
	}
	if c != nil {
		return c, ""
	}
	switch {
	case len(chs) == 0:
		return nil, "no WWW-Authenticate challenge"
	case hasScheme(chs, "Digest"):
		return nil, "the Digest challenge uses an algorithm or qop the device does not support, or has no nonce"
	case hasScheme(chs, "Basic"):
		return nil, "the server asks for Basic authentication; the device supports only HTTP Digest"
	}
	return nil, fmt.Sprintf("the server asks for %s authentication; the device supports only HTTP Digest", strings.Join(schemes, ", "))
}

func hasScheme(chs []challenge, s string) bool {
	for _, c := range chs {
		if strings.EqualFold(c.scheme, s) {
			return true
		}
	}
	return false
}

// newCnonce draws a client nonce from the fetcher's seeded stream, so runs
// stay reproducible.
func newCnonce(rng *rand.Rand) string { return fmt.Sprintf("%016x", rng.Uint64()) }

// authorization computes the Authorization header for c. nc counts the
// uses of each nonce.
func (c *challenge) authorization(cr *cred, method, uri string, nc map[string]int, cnonce string) string {
	newHash, sess, _ := c.algorithm()
	h := func(s string) string {
		x := newHash()
		x.Write([]byte(s))
		return hex.EncodeToString(x.Sum(nil))
	}
	realm, nonce := c.params["realm"], c.params["nonce"]
	qop, _ := c.qop()
	nc[nonce]++
	count := fmt.Sprintf("%08x", nc[nonce])

	ha1 := h(cr.user + ":" + realm + ":" + cr.pass)
	if sess {
		ha1 = h(ha1 + ":" + nonce + ":" + cnonce)
	}
	ha2 := h(method + ":" + uri)
	if qop == "auth-int" {
		ha2 = h(method + ":" + uri + ":" + h("")) // a GET has an empty body
	}
	var response string
	if qop == "" {
		response = h(ha1 + ":" + nonce + ":" + ha2)
	} else {
		response = h(ha1 + ":" + nonce + ":" + count + ":" + cnonce + ":" + qop + ":" + ha2)
	}
	user := cr.user
	userhash := strings.EqualFold(c.params["userhash"], "true")
	if userhash {
		user = h(cr.user + ":" + realm)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `Digest username="%s", realm="%s", nonce="%s", uri="%s"`, quote(user), quote(realm), quote(nonce), quote(uri))
	if alg, ok := c.params["algorithm"]; ok {
		fmt.Fprintf(&b, ", algorithm=%s", alg)
	}
	fmt.Fprintf(&b, `, response="%s"`, response)
	if op, ok := c.params["opaque"]; ok {
		fmt.Fprintf(&b, `, opaque="%s"`, quote(op))
	}
	if qop != "" {
		fmt.Fprintf(&b, `, qop=%s, nc=%s, cnonce="%s"`, qop, count, cnonce)
	}
	if userhash {
		b.WriteString(", userhash=true")
	}
	return b.String()
}

func quote(s string) string {
	return quoteEscaper.Replace(s)
}

// parseChallenges reads WWW-Authenticate values (RFC 7235): each value may
// hold several challenges, each a scheme followed by name=value params or a
// token68.
func parseChallenges(values []string) []challenge {
	var out []challenge
	for _, v := range values {
		p := &authParser{s: v}
		for {
			p.skip(", \t")
			if p.done() {
				break
			}
			scheme := p.token()
			if scheme == "" {
				p.i++ // not a token character: skip it
				continue
			}
			c := challenge{scheme: scheme, params: make(map[string]string)}
			p.params(c.params)
			out = append(out, c)
		}
	}
	return out
}

type authParser struct {
	s string
	i int
}

func (p *authParser) done() bool { return p.i >= len(p.s) }

func (p *authParser) skip(set string) {
	for p.i < len(p.s) && strings.IndexByte(set, p.s[p.i]) >= 0 {
		p.i++
	}
}

func isTokenChar(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~/", c) >= 0
}

func (p *authParser) token() string {
	j := p.i
	for p.i < len(p.s) && isTokenChar(p.s[p.i]) {
		p.i++
	}
	return p.s[j:p.i]
}

// params reads name=value pairs until the next challenge's scheme or the
// end. A token68 (e.g. "Negotiate abc==") is skipped.
func (p *authParser) params(m map[string]string) {
	for {
		p.skip(" \t")
		start := p.i
		p.skip(", \t")
		name := p.token()
		p.skip(" \t")
		if name == "" || p.done() || p.s[p.i] != '=' {
			// Not a param: the next challenge starts here.
			p.i = start
			return
		}
		p.i++ // '='
		if p.i < len(p.s) && p.s[p.i] == '=' {
			// token68 padding: skip to the next comma.
			for p.i < len(p.s) && p.s[p.i] != ',' {
				p.i++
			}
			continue
		}
		p.skip(" \t")
		var val string
		if p.i < len(p.s) && p.s[p.i] == '"' {
			val = p.quoted()
		} else {
			val = p.token()
		}
		m[strings.ToLower(name)] = val
		p.skip(" \t")
		if p.i < len(p.s) && p.s[p.i] != ',' {
			// Garbage after a value: skip to the next comma.
			for p.i < len(p.s) && p.s[p.i] != ',' {
				p.i++
			}
		}
	}
}

func (p *authParser) quoted() string {
	p.i++ // opening quote
	var b strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		p.i++
		switch c {
		case '\\':
			if p.i < len(p.s) {
				b.WriteByte(p.s[p.i])
				p.i++
			}
		case '"':
			return b.String()
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

var quoteEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`)
