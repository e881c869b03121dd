package scenario

import (
	"bytes"
	"errors"
	"testing"
)

const fuzzWorld = `<scenario name="fuzz"><system firmware="2.36.0"/>
<handset ipui="029e74a599" state="Registered"/><handset ipui="02b6ec8aa5"/></scenario>`

func fuzzLive(t testing.TB) *Live {
	sc, err := Parse("world.xml", []byte(fuzzWorld))
	if err != nil {
		t.Fatal(err)
	}
	l, err := NewLive(sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// FuzzParseSteps: no body of steps sent to a live system panics the
// reader or the system; every refusal is placed inside the bytes sent.
func FuzzParseSteps(f *testing.F) {
	for _, s := range []string{
		`<move ipui="029e74a599" range="out"/><expect ipui="029e74a599" state="Registered"/>`,
		`<?xml version="1.0"?><power ipui="02b6ec8aa5" state="off"/>`,
		`<handset ipui="0311223344" state="ToReg"/><register ipui="0311223344"/>`,
		`<provision><provisioning version="1.1" productID="e2"><nvm><oper name="delete_hs" value="029e74a599"/></nvm></provisioning></provision>`,
		`<admin slot="029e74a599" state="ToDeReg"/><check-sync reboot="true"/>`,
		"<move ipui=\"029e74a599\" range=\"in\">\n",
		"\xef\xbb\xbf<steps/>",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		l := fuzzLive(t)
		defer l.Close()
		steps, err := l.ParseSteps("steps", data)
		if err != nil {
			checkPlaced(t, err, data)
			return
		}
		_, _ = l.Steps(steps)
		_ = l.System().Advance(25 * 3600e9)
	})
}

func checkPlaced(t *testing.T, err error, data []byte) {
	var es Errors
	if !errors.As(err, &es) {
		var se *Error
		if !errors.As(err, &se) {
			t.Fatalf("error %T %v is neither a *scenario.Error nor scenario.Errors", err, err)
		}
		es = Errors{se}
	}
	lines := 1 + bytes.Count(data, []byte("\n"))
	for _, e := range es {
		if e.Pos.Line < 1 || e.Pos.Line > lines || e.Pos.Col < 1 {
			t.Fatalf("%v: position outside the %d lines sent", e, lines)
		}
		if bytes.Contains([]byte(e.Msg), []byte("<steps>")) || bytes.Contains([]byte(e.Msg), []byte("</steps>")) {
			t.Fatalf("%v: speaks of a wrapper the sender never wrote", e)
		}
	}
}

// FuzzParseJSONSteps: no JSON body panics the reader or the system; every
// refusal is a *StepError naming a step that was sent (or none).
func FuzzParseJSONSteps(f *testing.F) {
	for _, s := range []string{
		`[{"step": "move", "ipui": "029e74a599", "range": "out"}]`,
		`[{"step": "expect", "ipui": "029e74a599", "ghost": false, "count": 1}]`,
		`[{"step": "provision", "body": "<provisioning version=\"1.1\" productID=\"e2\"/>"}]`,
		`[{"step": "handset", "ipui": "0311223344"}, {"step": "reset", "ipui": "0311223344"}]`,
		`[{"step": "serve", "path": "/x", "body": "<&>"}]`,
		`{}`, `[]`, `[null]`, `[{"step": 1}]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		l := fuzzLive(t)
		defer l.Close()
		steps, err := l.ParseJSONSteps(data)
		if err != nil {
			var je *StepError
			if !errors.As(err, &je) {
				t.Fatalf("error %T %v is not a *StepError", err, err)
			}
			if je.Step < 0 || je.Step > len(data) {
				t.Fatalf("%v: no such step", je)
			}
			return
		}
		_, _ = l.Steps(steps)
	})
}
