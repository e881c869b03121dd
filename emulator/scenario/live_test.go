package scenario_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dectsim/dectsim/emulator/scenario"
	"github.com/dectsim/dectsim/emulator/system"
)

const liveStory = `<scenario name="live" start="2026-01-05T09:00:00Z">
  <system product="N870" firmware="2.36.0"/>
  <handset ipui="029e74a599" state="Registered"/>
  <handset ipui="02b6ec8aa5" state="Registered"/>
  <at t="1h">
    <expect ipui="029e74a599" state="Registered"/>
  </at>
</scenario>`

func startLive(t *testing.T, src string, o scenario.Options) *scenario.Live {
	t.Helper()
	sc, err := scenario.Parse("live.xml", []byte(src))
	require.NoError(t, err)
	l, err := scenario.NewLive(sc, o)
	require.NoError(t, err)
	t.Cleanup(l.Close)
	return l
}

func TestLiveRunsBlocksWhenAskedAndStepsInBetween(t *testing.T) {
	l := startLive(t, liveStory, scenario.Options{})
	at, ok := l.NextBlock()
	require.True(t, ok)
	require.Equal(t, "2026-01-05T10:00:00Z", at.Format(time.RFC3339))

	steps, err := l.ParseSteps("steps", []byte(`<move ipui="02b6ec8aa5" range="out"/>
<expect ipui="02b6ec8aa5" state="Registered" ghost="false"/>
<expect ipui="02b6ec8aa5" state="ToDeReg"/>`))
	require.NoError(t, err)
	outs, err := l.Steps(steps)
	require.NoError(t, err)
	require.Len(t, outs, 2)
	require.True(t, outs[0].OK)
	require.False(t, outs[1].OK, "a failed expectation is a result, not an error")
	require.Equal(t, "steps", outs[1].File)
	require.Equal(t, 3, outs[1].Step.Pos.Line)
	h, _ := l.System().Handset("02b6ec8aa5")
	require.False(t, h.InRange)

	require.NoError(t, l.RunBlock())
	require.Equal(t, at, l.System().Now(), "the block ran at its time")
	_, ok = l.NextBlock()
	require.False(t, ok)
	require.Len(t, l.Result().Outcomes, 3, "the block's expectation joins those of the steps")
	require.Equal(t, "live.xml", l.Result().Outcomes[2].File)
}

func TestStepsComeInTheSameVocabularyAsXMLAndJSON(t *testing.T) {
	l := startLive(t, liveStory, scenario.Options{})
	fromXML, err := l.ParseSteps("steps", []byte(`<?xml version="1.0"?>
<power ipui="029e74a599" state="off"/><reset ipui="029e74a599"/>
<expect-event type="handset-power" ipui="029e74a599" count="1"/>`))
	require.NoError(t, err)
	fromJSON, err := l.ParseJSONSteps([]byte(`[{"step": "power", "ipui": "029e74a599", "state": "off"},
		{"step": "reset", "ipui": "029e74a599"},
		{"step": "expect-event", "type": "handset-power", "ipui": "029e74a599", "count": 1}]`))
	require.NoError(t, err)
	require.Len(t, fromJSON, len(fromXML))
	for i := range fromXML {
		require.Equal(t, fromXML[i].Kind, fromJSON[i].Kind)
		require.Equal(t, fromXML[i].IPUI, fromJSON[i].IPUI)
		require.Equal(t, fromXML[i].On, fromJSON[i].On)
		require.Equal(t, fromXML[i].Count, fromJSON[i].Count)
	}
}

func TestStepMistakesArePlacedInTheBytesSent(t *testing.T) {
	l := startLive(t, liveStory, scenario.Options{})
	_, err := l.ParseSteps("steps", []byte(`<move ipui="02b6ec8aa5" rnage="out"/>`))
	var se *scenario.Error
	require.ErrorAs(t, err, &se)
	require.Equal(t, scenario.Pos{Line: 1, Col: 25}, se.Pos, "the column is counted in what was sent, not in a wrapper")
	require.Contains(t, se.Msg, `no attribute "rnage"`)
	require.Contains(t, se.Excerpt(), "rnage")

	_, err = l.ParseSteps("steps", []byte("<?xml version=\"1.0\"?><move ipui=\"0311223344\" range=\"out\"/>"))
	require.ErrorAs(t, err, &se)
	require.Equal(t, scenario.Pos{Line: 1, Col: 28}, se.Pos, "after a declaration too")
	require.Contains(t, se.Msg, `unknown IPUI "0311223344"`)

	_, err = l.ParseSteps("steps", []byte("<move ipui=\"0311223344\" range=\"out\"/>"))
	require.ErrorAs(t, err, &se)
	require.Equal(t, scenario.Pos{Line: 1, Col: 7}, se.Pos, "at the attribute on the first line")

	_, err = l.ParseSteps("steps", []byte("<move ipui=\"02b6ec8aa5\" range=\"out\">"))
	require.ErrorAs(t, err, &se)
	require.Equal(t, 1, se.Pos.Line)

	var es scenario.Errors
	_, err = l.ParseSteps("steps", []byte("<jump/>\n<move ipui=\"02b6ec8aa5\" range=\"sideways\"/>"))
	require.ErrorAs(t, err, &es)
	require.Len(t, es, 2, "every mistake at once")
	require.Equal(t, 2, es[1].Pos.Line)
}

func TestStepsMayNotNameFilesOnDisk(t *testing.T) {
	l := startLive(t, liveStory, scenario.Options{})
	_, err := l.ParseSteps("steps", []byte(`<provision src="/etc/passwd"/>`))
	require.ErrorContains(t, err, "src= is not read here")
	_, err = l.ParseJSONSteps([]byte(`[{"step": "provision", "src": "/etc/passwd"}]`))
	require.ErrorContains(t, err, "src= is not read here")
}

func TestEmptyAndMisshapenStepsAreRefused(t *testing.T) {
	l := startLive(t, liveStory, scenario.Options{})
	for _, tc := range []struct{ body, want string }{
		{"", "no steps"},
		{"  \n", "no steps"},
		{`<at t="1h"><move ipui="02b6ec8aa5" range="out"/></at>`, "<at> is not a step here"},
		{`<serve path="/p.xml">x</serve>`, "has none"},
		{`<handset ipui="029e74a599"/>`, "already in the world"},
	} {
		_, err := l.ParseSteps("steps", []byte(tc.body))
		require.ErrorContains(t, err, tc.want, "%q", tc.body)
	}
	for _, tc := range []struct {
		body string
		step int
		want string
	}{
		{`{"step": "move"}`, 0, "not a JSON array"},
		{`[]`, 0, "no steps"},
		{`[{"ipui": "02b6ec8aa5"}]`, 1, `needs "step"`},
		{`[{"step": "move", "ipui": "02b6ec8aa5", "range": "out"}, {"step": "fly"}]`, 2, "unknown step <fly>"},
		{`[{"step": "move", "ipui": "02b6ec8aa5", "range": ["out"]}]`, 1, "must be a string, a number or true/false"},
		{`[{"step": "move", "ipui": "02b6ec8aa5", "a\"><x": "1"}]`, 1, "has no attribute"},
		{`[{"step": "move><x", "ipui": "02b6ec8aa5"}]`, 1, "unknown step"},
		{`[{"step": "move", "ipui": "02b6ec8aa5", "range": "out", "body": "x"}]`, 1, `takes no "body"`},
		{`[{"step": "expect", "ipui": "02b6ec8aa5", "ghost": "maybe"}]`, 1, "must be true or false"},
	} {
		_, err := l.ParseJSONSteps([]byte(tc.body))
		var je *scenario.StepError
		require.True(t, errors.As(err, &je), "%s: %v", tc.body, err)
		require.Equal(t, tc.step, je.Step, tc.body)
		require.Contains(t, je.Msg, tc.want, tc.body)
	}
}

func TestAHandsetStepPutsANewHandsetIntoTheWorld(t *testing.T) {
	l := startLive(t, liveStory, scenario.Options{})
	steps, err := l.ParseJSONSteps([]byte(`[{"step": "handset", "ipui": "0311223344", "range": "out"},
		{"step": "move", "ipui": "0311223344", "range": "in"}]`))
	require.NoError(t, err, "a step may name the handset an earlier step adds")
	_, err = l.Steps(steps)
	require.NoError(t, err)
	h, ok := l.System().Handset("0311223344")
	require.True(t, ok)
	require.True(t, h.InRange)
	require.False(t, h.Subscribed)
}

func TestAJSONProvisionStepAppliesItsBodyAsAFile(t *testing.T) {
	l := startLive(t, liveStory, scenario.Options{})
	steps, err := l.ParseJSONSteps([]byte(`[{"step": "provision", "body": "<provisioning version=\"1.1\" productID=\"e2\"><nvm><oper name=\"delete_hs\" value=\"02b6ec8aa5\"/></nvm></provisioning>"}]`))
	require.NoError(t, err)
	_, err = l.Steps(steps)
	require.NoError(t, err)
	require.NoError(t, l.System().Advance(time.Minute))
	require.Equal(t, system.State(system.StateAbsent), l.System().SlotState("02b6ec8aa5"), "delete_hs removes the slot once the handset has been told")

	steps, err = l.ParseJSONSteps([]byte(`[{"step": "provision", "body": "<provisioning"}]`))
	require.NoError(t, err, "the document is the system's to read, as a fetched one")
	_, err = l.Steps(steps)
	require.NoError(t, err)
	ev := l.System().FindEvents(system.EventQuery{Type: system.EvProvisioningRejected})
	require.Len(t, ev, 1)
	require.Equal(t, "steps", ev[0].File)
}

func TestStepsOverTheLimitAreRefusedBeforeReading(t *testing.T) {
	l := startLive(t, liveStory, scenario.Options{})
	big := []byte(strings.Repeat(" ", scenario.MaxStepsBytes+1))
	_, err := l.ParseSteps("steps", big)
	require.ErrorContains(t, err, "the limit is")
	_, err = l.ParseJSONSteps(big)
	require.ErrorContains(t, err, "the limit is")
}

func TestAlwaysFetchGivesASystemWithoutURLAFetcher(t *testing.T) {
	l := startLive(t, liveStory, scenario.Options{})
	require.Nil(t, l.Fetcher(), "a scenario without provisioning-url never touches the network")
	l = startLive(t, liveStory, scenario.Options{AlwaysFetch: true, BootDelay: time.Minute})
	require.NotNil(t, l.Fetcher())
	next, ok := l.Fetcher().NextCheck()
	require.True(t, ok)
	require.Equal(t, l.System().StartTime().Add(time.Minute), next)
}

func TestACheckSyncSentToALiveSystemComesFromTheAPI(t *testing.T) {
	l := startLive(t, liveStory, scenario.Options{AlwaysFetch: true})
	steps, err := l.ParseSteps("steps", []byte(`<check-sync/>`))
	require.NoError(t, err)
	_, err = l.Steps(steps)
	require.NoError(t, err)
	cs := l.System().FindEvents(system.EventQuery{Type: system.EvCheckSync})
	require.Len(t, cs, 1)
	require.Equal(t, system.CheckSyncAPI, cs[0].Trigger)
}
