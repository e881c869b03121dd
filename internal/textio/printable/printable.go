// Package printable makes text from files, servers and scenarios safe to
// show: on a terminal, in a report, in an HTML page. Whatever a hostile
// file or server sends, the output keeps its lines (one event is one line)
// and sends no control sequence to the terminal. Every writer of the
// project passes foreign text through this package; there is no second
// copy of these rules.
package printable

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// unsafe reports whether r must not reach a terminal as it is: C0 and C1
// controls, DEL, the bidirectional overrides and isolates (they reorder
// what follows on the line, hiding text), the line and paragraph
// separators, and the byte-order mark.
func unsafe(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r < 0xa0:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f:
		return true
	case r == 0x2028, r == 0x2029, r == 0xfeff:
		return true
	}
	return false
}

// String returns s with every unsafe rune written as a Go escape (\n,
// \x1b, \u202e) and every byte that is not UTF-8 as \xNN, so the result
// is one line of printable text that still says what was there. A string
// that needs nothing is returned as it is, without allocating.
func String(s string) string {
	i := 0
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && n <= 1) || unsafe(r) {
			break
		}
		i += n
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			b.WriteString(`\x`)
			b.WriteString(hex2(s[i]))
		case unsafe(r):
			q := strconv.QuoteRune(r) // '\n', '\x1b', '\u202e'
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

func hex2(c byte) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[c>>4], digits[c&0xf]})
}

// Rune maps one rune of an excerpt to one visible rune: a tab stays (so a
// caret line can copy it), anything unsafe or undecodable becomes U+FFFD.
// Unlike String it keeps one rune per rune, so a caret under the line
// still points at the right column.
func Rune(r rune) rune {
	if r == '\t' {
		return r
	}
	if unsafe(r) || r == utf8.RuneError {
		return '\uFFFD'
	}
	return r
}

// JSON makes JSON text that encoding/json wrote safe to show in the same
// way, without changing what it decodes to: encoding/json escapes C0
// controls and U+2028/U+2029 but writes DEL, C1 controls, bidirectional
// overrides and the byte-order mark as they are; JSON writes them as
// \uXXXX escapes instead. Outside strings JSON text is printable ASCII,
// so every such rune is inside a string, where the escape means the same
// rune. Text that needs nothing is returned as it is.
func JSON(b []byte) []byte {
	i := 0
	for i < len(b) {
		if b[i] < utf8.RuneSelf && b[i] != 0x7f {
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if unsafe(r) {
			break
		}
		i += n
	}
	if i == len(b) {
		return b
	}
	out := make([]byte, 0, len(b)+12)
	out = append(out, b[:i]...)
	for i < len(b) {
		r, n := utf8.DecodeRune(b[i:])
		if (b[i] >= utf8.RuneSelf || b[i] == 0x7f) && unsafe(r) {
			out = append(out, '\\', 'u')
			out = append(out, hex2(byte(r>>8))...)
			out = append(out, hex2(byte(r))...)
		} else {
			out = append(out, b[i:i+n]...)
		}
		i += n
	}
	return out
}

// Paint wraps text in the ANSI SGR code (e.g. "31" for red) when color is
// set, and returns it as it is otherwise.
func Paint(color bool, code, text string) string {
	if !color {
		return text
	}
	return "\x1b[" + code + "m" + text + "\x1b[0m"
}
