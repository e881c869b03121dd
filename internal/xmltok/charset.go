package xmltok

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// charset is a single-byte encoding that CharsetReader converts to UTF-8.
type charset uint8

const (
	csUTF8    charset = iota // no conversion
	csLatin1                 // ISO-8859-1, and US-ASCII (whose high bytes are read as Latin-1)
	csWin1252                // windows-1252
)

// win1252 maps bytes 0x80–0x9F of windows-1252; the five undefined bytes
// keep their Latin-1 code points so that nothing is lost.
var win1252 = [32]rune{
	0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
	0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
}

func (c charset) decode(b byte) rune {
	if c == csWin1252 && b >= 0x80 && b < 0xA0 {
		return win1252[b-0x80]
	}
	return rune(b)
}

// lookupCharset names the encodings real provisioning files declare
// (the older Gigaset formats say ISO-8859-1).
func lookupCharset(name string) (charset, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	n = strings.NewReplacer("_", "-", " ", "-").Replace(n)
	switch n {
	case "utf-8", "utf8":
		return csUTF8, nil
	case "iso-8859-1", "iso8859-1", "iso-8859-1:1987", "latin1", "latin-1", "l1",
		"iso-ir-100", "cp819", "ibm819", "csisolatin1",
		"us-ascii", "ascii", "us", "iso646-us", "ansi-x3.4-1968", "csascii":
		return csLatin1, nil
	case "windows-1252", "cp1252", "x-cp1252":
		return csWin1252, nil
	}
	return 0, fmt.Errorf("unsupported encoding %q: only UTF-8, ISO-8859-1, windows-1252 and US-ASCII can be read", name)
}

// CharsetReader converts the single-byte encodings that real provisioning
// files declare to UTF-8, because encoding/xml refuses any declared
// encoding other than UTF-8 unless it is given one. Bytes above 0x7F in a
// US-ASCII document are read as Latin-1 rather than refused.
func CharsetReader(name string, input io.Reader) (io.Reader, error) {
	cs, err := lookupCharset(name)
	if err != nil {
		return nil, err
	}
	if cs == csUTF8 {
		return input, nil
	}
	return &convReader{r: input, cs: cs}, nil
}

// convReader converts a single-byte encoding to UTF-8 as it reads.
type convReader struct {
	r    io.Reader
	cs   charset
	in   [4096]byte
	out  []byte
	rest []byte
	err  error
}

func (c *convReader) Read(p []byte) (int, error) {
	for len(c.rest) == 0 {
		if c.err != nil {
			return 0, c.err
		}
		n, err := c.r.Read(c.in[:])
		c.err = err
		c.out = c.out[:0]
		for _, b := range c.in[:n] {
			if b < utf8.RuneSelf {
				c.out = append(c.out, b)
			} else {
				c.out = utf8.AppendRune(c.out, c.cs.decode(b))
			}
		}
		c.rest = c.out
	}
	n := copy(p, c.rest)
	c.rest = c.rest[n:]
	return n, nil
}
