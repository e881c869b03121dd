package xmltok

import (
	"bytes"
	"strconv"
)

// lineCounter turns offsets into positions, counting newlines only over
// the bytes not yet counted when offsets grow.
type lineCounter struct {
	src   []byte
	bom   int // columns on line 1 skip a UTF-8 byte order mark
	at    int // bytes before at are counted
	line  int // line of offset at
	start int // offset where that line starts
}

func (l *lineCounter) init(src []byte) {
	l.src = src
	l.line = 1
	if bytes.HasPrefix(src, bom) {
		l.bom = len(bom)
	}
}

func (l *lineCounter) pos(off int) Pos {
	if off < 0 {
		off = 0
	}
	if off > len(l.src) {
		off = len(l.src)
	}
	if off < l.at {
		l.at, l.line, l.start = 0, 1, 0
	}
	seg := l.src[l.at:off]
	if n := bytes.Count(seg, nl); n > 0 {
		l.line += n
		l.start = l.at + bytes.LastIndexByte(seg, '\n') + 1
	}
	// A '\r' not followed by '\n' ends a line too (XML reads it as one).
	for j := bytes.IndexByte(seg, '\r'); j >= 0; {
		at := l.at + j
		if at+1 >= len(l.src) || l.src[at+1] != '\n' {
			l.line++
			l.start = max(l.start, at+1)
		}
		k := bytes.IndexByte(seg[j+1:], '\r')
		if k < 0 {
			break
		}
		j += k + 1
	}
	l.at = off
	col := off - l.start + 1
	if l.line == 1 {
		col = max(col-l.bom, 1)
	}
	return Pos{Line: l.line, Col: col}
}

var nl = []byte{'\n'}

// Pos is a 1-based line and column in a file. Column counts bytes, and on
// the first line it does not count a UTF-8 byte order mark, so that it
// matches what an editor shows for ASCII text.
type Pos struct {
	Line, Col int
}

// String gives "line:col", the form compilers use.
func (p Pos) String() string { return strconv.Itoa(p.Line) + ":" + strconv.Itoa(p.Col) }

// LineCol gives the position of a byte offset of src, for callers that
// hold an offset (a Span, an error of their own) instead of a Pos.
func LineCol(src []byte, offset int) Pos {
	var l lineCounter
	l.init(src)
	return l.pos(offset)
}
