package lint

import (
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/dectsim/dectsim/internal/testfiles"
)

// FuzzCheck lints any bytes: no panic, and every finding prints as one
// line of printable text, on any firmware.
func FuzzCheck(f *testing.F) {
	for _, p := range testfiles.Seeds(f) {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("<provisioning version=\"1.1\" productID=\"e2\"><nvm><param name=\"A&#x9b;\" value=\"&#10;x\"/></nvm></provisioning>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, fw := range []string{"2.35.0", "2.36.0", "2.65.0"} {
			fs, err := Check("f\x1b.xml", data, Options{Firmware: fw})
			if err != nil {
				t.Fatal(err)
			}
			for _, fd := range fs {
				s := fd.String()
				if !utf8.ValidString(s) || strings.ContainsAny(s, "\n\r\x1b\u009b\u202e") {
					t.Fatalf("finding is not one printable line: %q", s)
				}
			}
		}
	})
}
