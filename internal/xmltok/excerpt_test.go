package xmltok

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

// TestExcerptOfAHugeLineIsCutAroundTheColumn: an error on a 15 MB line
// shows a window of the line around the caret, not the whole line.
func TestExcerptOfAHugeLineIsCutAroundTheColumn(t *testing.T) {
	line := strings.Repeat("a", 15<<20)
	col := 10 << 20
	src := []byte(line[:col-1] + "<" + line[col:])
	ex := Excerpt(src, Pos{Line: 1, Col: col})
	require.Less(t, len(ex), 2*ExcerptWidth+64, "excerpt of %d bytes", len(ex))
	lines := strings.Split(ex, "\n")
	require.Len(t, lines, 2)
	require.True(t, strings.HasPrefix(lines[0], "   1 | …a"))
	require.True(t, strings.HasSuffix(lines[0], "a…"))
	// The caret sits under the '<'.
	at := utf8.RuneCountInString(lines[1]) - 1
	require.Equal(t, "<", string([]rune(lines[0])[at]))
}

func TestExcerptOfAShortLineIsWhole(t *testing.T) {
	require.Equal(t, "   2 | <b x='1'>\n     |    ^", Excerpt([]byte("<a>\n<b x='1'>\n"), Pos{Line: 2, Col: 4}))
	// Near the start of a long line: cut only at the end.
	long := "<a " + strings.Repeat("x", 300) + ">"
	ex := Excerpt([]byte(long), Pos{Line: 1, Col: 2})
	require.True(t, strings.HasPrefix(ex, "   1 | <a xx"))
	require.Contains(t, ex, "x…\n     |  ^")
}

// TestExcerptShowsControlCharactersAsOneVisibleRune: an escape sequence in
// a broken file never reaches the terminal.
func TestExcerptShowsControlCharactersAsOneVisibleRune(t *testing.T) {
	ex := Excerpt([]byte("<a>\x1b[2J\u202e</b>"), Pos{Line: 1, Col: 11})
	require.NotContains(t, ex, "\x1b")
	require.NotContains(t, ex, "\u202e")
	require.Equal(t, "   1 | <a>\uFFFD[2J\uFFFD</b>\n     |         ^", ex, "the caret under '<' of </b>")
}

func TestAttrPosPointsAtTheAttributesName(t *testing.T) {
	src := []byte("<a>\n  <b x='1' y=\"a>b y=\"\n     z = '2'/>\n</a>")
	d, err := Parse(src, Limits{})
	require.NoError(t, err)
	b := d.Doc.Root().SelectElement("b")
	for name, want := range map[string]Pos{"x": {2, 6}, "y": {2, 12}, "z": {3, 6}} {
		p, ok := d.AttrPos(b, name)
		require.True(t, ok, name)
		require.Equal(t, want, p, name)
	}
	_, ok := d.AttrPos(b, "w")
	require.False(t, ok)
}
