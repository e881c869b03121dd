package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestEveryCommandsHelpListsItsFlagsWithTwoDashesAndTheirShapes: --help
// of run, check and serve lists each flag as --name SHAPE, the shape
// named (never the placeholder a flag without one gets), and no flag
// with a single dash.
func TestEveryCommandsHelpListsItsFlagsWithTwoDashesAndTheirShapes(t *testing.T) {
	want := map[string][]string{
		"run":   {"--all-readings", "--html FILE", "--json", "--junit FILE", "--reading NAME=VALUE", "--var NAME=VALUE"},
		"check": {"--dm NAME", "--firmware V", "--product P", "--reading NAME=VALUE"},
		"serve": {"--addr ADDR", "--boot-spread D", "--clock manual|real", "--fleet N", "--reading NAME=VALUE", "--sip ADDR", "--sip-register", "--speed X", "--var NAME=VALUE"},
	}
	flagLine := regexp.MustCompile(`^  (-+[a-z-]+)( \S+)?$`)
	for cmd, flags := range want {
		for _, h := range []string{"--help", "-h"} {
			code, out, _ := run(t, cmd, h)
			require.Equal(t, 0, code, cmd)
			var got []string
			for _, l := range strings.Split(out[strings.Index(out, "\nFlags:\n"):], "\n") {
				if m := flagLine.FindStringSubmatch(l); m != nil {
					require.True(t, strings.HasPrefix(m[1], "--"), "%s: %q has one dash", cmd, l)
					require.NotEqual(t, " "+unnamedShape, m[2], "%s: %q has no shape of its own", cmd, l)
					got = append(got, strings.TrimSpace(l))
				}
			}
			require.Equal(t, flags, got, cmd)
		}
	}
}

// TestServeRefusesAnAddressThatIsNoHostAndPortAsABadCommandLine: an
// --addr or --sip whose port is no number, or out of range, is exit 1
// before anything listens, naming the flag with an example.
func TestServeRefusesAnAddressThatIsNoHostAndPortAsABadCommandLine(t *testing.T) {
	for _, tc := range []struct{ flag, value, msg, example string }{
		{"--addr", "127.0.0.1:http", `has port "http", which is not a number`, "--addr 127.0.0.1:8080"},
		{"--addr", "127.0.0.1:70000", "has port 70000, outside 0 to 65535", "--addr 127.0.0.1:8080"},
		{"--addr", "localhost", "is not HOST:PORT", "--addr 127.0.0.1:8080"},
		{"--sip", "127.0.0.1:-1", `has port "-1", which is not a number`, "--sip 127.0.0.1:5060"},
		{"--sip", "127.0.0.1:", `has port "", which is not a number`, "--sip 127.0.0.1:5060"},
		{"--sip", "127.0.0.1:65536", "has port 65536, outside 0 to 65535", "--sip 127.0.0.1:5060"},
	} {
		code, _, errOut := run(t, "serve", tc.flag, tc.value)
		require.Equal(t, 1, code, "%s %s: %s", tc.flag, tc.value, errOut)
		require.Contains(t, errOut, tc.flag+` "`+tc.value+`" `+tc.msg)
		require.Contains(t, errOut, "(e.g. "+tc.example+")")
	}
}
