package scenario

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dectsim/dectsim/emulator/system"
)

// TestMulticellMistakesNameLineAndColumn: every new attribute and step is
// checked, with the error at the attribute at fault.
func TestMulticellMistakesNameLineAndColumn(t *testing.T) {
	const vi = `  <system product="VI"/>` + "\n"
	cases := []struct {
		name, body string
		line, col  int
		msg        string
	}{
		{"unknown base in at", `  <handset ipui="0311223344" at="b9"/>`, 3, 30, `unknown base "b9": this system has one base, base1`},
		{"empty at", `  <handset ipui="0311223344" at=" "/>`, 3, 30, `at=" " names no base`},
		{"base of an undeclared DM", vi + `  <base id="b1" dm="north"/>`, 4, 17, `no <dm id="north"> is declared`},
		{"level out of range", `  <base id="b1" level="16"/>`, 3, 17, `level "16" is not a sync level from 1`},
		{"hears a higher level", `  <base id="b1"/><base id="b2" level="3"/><base id="b3" level="2" hears="b2"/>`, 3, 67, "synchronises only to a base of a lower level"},
		{"hears an unknown base", `  <base id="b1"/><base id="b2" hears="b7"/>`, 3, 32, `hears "b7", which is no base declared before it`},
		{"a cycle is a higher level", `  <base id="b1"/><base id="b2" hears="b2"/>`, 3, 32, "no base declared before it"},
		{"hears nothing and no LAN", `  <base id="b1" level="2"/>`, 3, 3, "could never serve"},
		{"bad sync", `  <base id="b1" sync="ptp"/>`, 3, 17, `sync "ptp" must be dect or lan`},
		{"bad base state", `  <base id="b1" state="off"/>`, 3, 17, `state "off" must be up or down`},
		{"several DMs off a VI", `  <dm id="a"/><dm id="b"/>`, 3, 19, "several DECT managers need a Virtual Integrator"},
		{"a DM twice", vi + `  <dm id="a"/><dm id="a"/>`, 4, 19, `DM "a" is declared twice`},
		{"a base twice", `  <base id="b1"/><base id="b1"/>`, 3, 24, `base "b1" is declared twice`},
		{"too many bases for the product", `  <system product="N610"/><base id="a"/><base id="b"/><base id="c"/><base id="d"/><base id="e"/>`, 3, 89, "N610 takes 4 base stations"},
		{"max-bases", `  <system max-bases="0"/>`, 3, 11, `max-bases "0" is not a number from 1`},
		{"base step of an unknown base", `  <at t="0s"><base id="b2" state="down"/></at>`, 3, 20, `unknown base "b2"`},
		{"base step state", `  <at t="0s"><base id="base1" state="off"/></at>`, 3, 31, `<base> needs state="up" or state="down"`},
		{"dm step of an unknown DM", `  <at t="0s"><dm id="north" state="down"/></at>`, 3, 18, `unknown DM "north"`},
		{"move to an unknown base", `  <at t="0s"><move ipui="029e74a599" to="b2"/></at>`, 3, 38, `unknown base "b2"`},
		{"move with range and to", `  <at t="0s"><move ipui="029e74a599" range="in" to="base1"/></at>`, 3, 49, "range= or to=, not both"},
		{"move with neither", `  <at t="0s"><move ipui="029e74a599"/></at>`, 3, 14, `needs range="in", range="out" or to="BASE ...`},
		{"expect base of an unknown base", `  <at t="0s"><expect base="b2" serving="true"/></at>`, 3, 22, `unknown base "b2"`},
		{"expect base checks nothing", `  <at t="0s"><expect base="base1"/></at>`, 3, 14, "checks nothing: add state=, serving= or handsets="},
		{"expect base with a slot state", `  <at t="0s"><expect base="base1" state="Registered"/></at>`, 3, 35, `a base's state "Registered" must be up or down`},
		{"expect base with ghosts", `  <at t="0s"><expect base="base1" ghosts="1"/></at>`, 3, 35, "checks the base"},
		{"expect serving without base", `  <at t="0s"><expect ipui="029e74a599" serving="true"/></at>`, 3, 40, "serving= checks a base"},
		{"expect location without ipui", `  <at t="0s"><expect location="local"/></at>`, 3, 22, "needs ipui="},
		{"expect a handset at an unknown base", `  <at t="0s"><expect ipui="029e74a599" base="b2"/></at>`, 3, 40, `unknown base "b2" (none: not connected)`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := parseString(t, okHead+c.body+"\n</scenario>\n")
			var se *Error
			require.ErrorAs(t, err, &se)
			require.Contains(t, se.Msg, c.msg)
			require.Equal(t, Pos{Line: c.line, Col: c.col}, se.Pos, se.Error())
		})
	}
}

// TestMulticellDeclarationsReachTheSystem: what a scenario declares is
// the system's topology, the handsets' reach included.
func TestMulticellDeclarationsReachTheSystem(t *testing.T) {
	sc, err := parseString(t, `<scenario name="x">
  <system product="VI" max-bases="100"/>
  <handset ipui="029e74a599" state="Registered" at="s1 n1"/>
  <dm id="north" name="North wing"/>
  <dm id="south" state="down"/>
  <base id="n1" dm="north"/>
  <base id="n2" dm="north" level="2" hears="n1" state="down"/>
  <base id="s1" dm="south" sync="lan"/>
  <at t="0s"><expect ipui="029e74a599" base="n1" location="north"/></at>
  <at t="1m"><dm id="south" state="up"/><expect ipui="029e74a599" base="s1" location="south"/></at>
  <at t="2m"><move ipui="029e74a599" to="n2 n1"/><expect base="n1" handsets="1"/><expect base="n2" state="down" serving="false"/></at>
</scenario>`)
	require.NoError(t, err)
	res, err := Run(sc, Options{})
	require.NoError(t, err)
	require.True(t, res.Passed(), "%+v", res.Failures)
	sys := res.System
	require.Equal(t, []string{"north", "south"}, []string{sys.DMs()[0].ID, sys.DMs()[1].ID})
	require.Equal(t, "North wing", sys.DMs()[0].Name)
	b, _ := sys.BaseByID("n2")
	require.Equal(t, system.Base{ID: "n2", DM: "north", Level: 2, Sync: system.SyncDECT, Hears: []string{"n1"}}, b)
	require.Equal(t, []string{"n2", "n1"}, sys.Reach("029e74a599"))
	require.Len(t, sys.FindEvents(system.EventQuery{Type: system.EvRoamed}), 2, "to south when it came up, back north when carried")
}

// TestMulticellStepsAreTakenLive: a live system takes the new steps, as
// XML and as JSON, naming its own bases.
func TestMulticellStepsAreTakenLive(t *testing.T) {
	sc, err := Parse("site.xml", []byte(`<scenario name="x"><system product="N870"/><base id="b1"/><base id="b2" sync="lan"/><handset ipui="029e74a599" state="Registered" at="b1 b2"/></scenario>`))
	require.NoError(t, err)
	l, err := NewLive(sc, Options{})
	require.NoError(t, err)
	defer l.Close()
	steps, err := l.ParseJSONSteps([]byte(`[{"step": "base", "id": "b1", "state": "down"}, {"step": "expect", "ipui": "029e74a599", "base": "b2"}]`))
	require.NoError(t, err)
	outs, err := l.Steps(steps)
	require.NoError(t, err)
	require.True(t, outs[0].OK, "%+v", outs[0])
	_, err = l.ParseSteps("steps.xml", []byte(`<base id="base1" state="up"/>`))
	var se *Error
	require.ErrorAs(t, err, &se)
	require.Contains(t, se.Msg, `unknown base "base1": this system's bases are b1, b2`)
	require.Equal(t, Pos{Line: 1, Col: 7}, se.Pos)
}
