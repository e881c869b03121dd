package printable

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

func TestTerminalEscapesAreShownNotSent(t *testing.T) {
	// An OSC title change and a screen clear, as a hostile server's reason
	// phrase could carry them.
	in := "Not Found\x1b]0;pwned\x07\x1b[2J"
	out := String(in)
	require.Equal(t, `Not Found\x1b]0;pwned\a\x1b[2J`, out)
	require.NotContains(t, out, "\x1b")
	require.NotContains(t, out, "\x07")
}

func TestNewlinesCannotForgeLines(t *testing.T) {
	out := String("00001\nPASS  forged.xml\r\n")
	require.Equal(t, `00001\nPASS  forged.xml\r\n`, out)
	require.NotContains(t, out, "\n")
	require.NotContains(t, out, "\r")
}

func TestBidiOverridesAndC1ControlsAreEscaped(t *testing.T) {
	require.Equal(t, `abc\u202edef`, String("abc\u202edef"))
	require.Equal(t, `a\u0085b`, String("a\u0085b"))
	require.Equal(t, `a\u2028b`, String("a\u2028b"))
}

func TestInvalidUTF8IsShownAsBytes(t *testing.T) {
	out := String("caf\xe9")
	require.Equal(t, `caf\xe9`, out)
	require.True(t, utf8.ValidString(out))
}

func TestPrintableTextIsUnchangedAndNotCopied(t *testing.T) {
	in := "Büro 1001 — Zentrale\ttab"
	require.Equal(t, "Büro 1001 — Zentrale\\ttab", String(in))
	plain := "hs.0a1b2c3d4e.RegStatus ToDeReg"
	allocs := testing.AllocsPerRun(100, func() { _ = String(plain) })
	require.Zero(t, allocs)
}

func TestRuneKeepsOneRunePerRune(t *testing.T) {
	for _, r := range []rune{0, 0x1b, 0x7f, 0x85, 0x202e, utf8.RuneError} {
		require.Equal(t, '\uFFFD', Rune(r), "%U", r)
	}
	require.Equal(t, '\t', Rune('\t'))
	require.Equal(t, 'é', Rune('é'))
}

func FuzzStringIsOneSafeLine(f *testing.F) {
	f.Add("plain")
	f.Add("\x1b[31mred\n")
	f.Add("\xff\xfe\u202e")
	f.Fuzz(func(t *testing.T, s string) {
		out := String(s)
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 out: %q", out)
		}
		for _, r := range out {
			if unsafe(r) {
				t.Fatalf("unsafe rune %U in %q", r, out)
			}
		}
		if strings.ContainsAny(out, "\n\r") {
			t.Fatalf("line break in %q", out)
		}
	})
}

func TestJSONEscapesWhatEncodingJSONLeaves(t *testing.T) {
	in := map[string]string{"s": "a\u009b2J\u202eb\ufeffc\n\x1b\u2028 Büro \xff"}
	enc, err := json.Marshal(in)
	require.NoError(t, err)
	out := JSON(enc)
	require.Equal(t, `{"s":"a\u009b2J\u202eb\ufeffc\n\u001b\u2028 Büro \ufffd"}`, string(out))
	var back map[string]string
	require.NoError(t, json.Unmarshal(out, &back))
	var want map[string]string
	require.NoError(t, json.Unmarshal(enc, &want))
	require.Equal(t, want, back, "the same strings decode")

	clean := []byte(`{"s":"Büro"}`)
	require.Equal(t, &clean[0], &JSON(clean)[0], "clean text is not copied")
}

// FuzzJSONDecodesTheSame: whatever string encoding/json wrote, JSON makes
// it safe to show and it still decodes to the same string.
func FuzzJSONDecodesTheSame(f *testing.F) {
	f.Add("plain")
	f.Add("a\u009b2J\u202e\ufeff\xff\n")
	f.Fuzz(func(t *testing.T, s string) {
		enc, err := json.Marshal(s)
		if err != nil {
			t.Skip()
		}
		out := JSON(enc)
		for _, r := range string(out) {
			if unsafe(r) {
				t.Fatalf("unsafe rune %U in %q", r, out)
			}
		}
		var a, b string
		if err := json.Unmarshal(enc, &a); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(out, &b); err != nil {
			t.Fatalf("%q: %v", out, err)
		}
		if a != b {
			t.Fatalf("decodes to %q, was %q", b, a)
		}
	})
}
