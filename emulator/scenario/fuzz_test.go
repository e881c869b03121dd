package scenario

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParseScenario: no scenario text panics the reader or the runner;
// every refusal is an *Error with a position inside the file.
func FuzzParseScenario(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "scenarios", "*.xml"))
	for _, p := range files {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	for _, s := range []string{
		`<scenario><at t="0s"><expect slots="0"/></at></scenario>`,
		`<scenario><handset ipui="029e74a599" state="Registered"/><at t="1h"><move ipui="029e74a599" range="out"/><expect ghosts="0"/></at></scenario>`,
		`<scenario><at t="-1s"/></scenario>`,
		`<scenario><at t="0s"><provision><provisioning/><provisioning/></provision></at></scenario>`,
		`<scenario><serve path="/x" status="500"/><at t="0s"><serve path="/x"/><check-sync/></at></scenario>`,
	} {
		f.Add([]byte(s))
	}
	dir := f.TempDir()
	path := filepath.Join(dir, "fuzz.xml")
	f.Fuzz(func(t *testing.T, data []byte) {
		sc, err := Parse(path, data)
		if err != nil {
			es, ok := err.(Errors)
			if !ok {
				se, ok := err.(*Error)
				if !ok {
					t.Fatalf("error %T %v is neither a *scenario.Error nor scenario.Errors", err, err)
				}
				es = Errors{se}
			}
			if len(es) > MaxErrors {
				t.Fatalf("%d mistakes reported; the most is %d", len(es), MaxErrors)
			}
			for _, se := range es {
				if se.Pos.Line < 1 || se.Pos.Col < 1 || se.Msg == "" {
					t.Fatalf("refusal without a place: %#v", se)
				}
			}
			return
		}
		// Keep runs short: fuzzed durations can span centuries of
		// ghost attempts.
		for _, b := range sc.Blocks {
			if b.T > 30*24*3600e9 {
				return
			}
		}
		if sc.System.ProvisioningURL != "" || len(sc.Serves) > 0 {
			return
		}
		for _, b := range sc.Blocks {
			for _, st := range b.Steps {
				if st.Kind == StepServe {
					return
				}
			}
		}
		if _, err := Run(sc, Options{}); err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("runtime error from a valid scenario: %v", err)
			}
		}
	})
}
