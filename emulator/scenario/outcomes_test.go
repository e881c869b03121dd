package scenario

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dectsim/dectsim/emulator/autoprov"
	"github.com/dectsim/dectsim/emulator/system"
)

const deregStory = okHead + `  <handset ipui="02b6ec8aa5" state="Registered"/>
  <at t="0s">
    <provision>
      <provisioning version="1.1" productID="e2">
        <nvm>
          <oper name="DeleteNotProvisionedHS"/>
          <oper name="add_hs" value="02b6ec8aa5"/>
        </nvm>
      </provisioning>
    </provision>
  </at>
  <at t="1m">
`

func TestOutcomeIsMatchedCaseInsensitively(t *testing.T) {
	sc, err := parseString(t, deregStory+`    <expect-event type="dereg-requested" ipui="029E74A599" outcome="deletenotprovisionedhs" count="1"/>
  </at>
</scenario>`)
	require.NoError(t, err)
	require.Equal(t, system.TriggerDeleteNotProvisionedHS, sc.Blocks[1].Steps[0].Outcome)
	res, err := Run(sc, Options{})
	require.NoError(t, err)
	require.True(t, res.Passed(), "%+v", res.Failures)
}

func TestExpectNoEventWithOutcomeInAnotherCaseFails(t *testing.T) {
	sc, err := parseString(t, deregStory+`    <expect-no-event type="dereg-requested" outcome="DeleteNotProvisionedHs"/>
  </at>
</scenario>`)
	require.NoError(t, err)
	res, err := Run(sc, Options{})
	require.NoError(t, err)
	require.Len(t, res.Failures, 1, "the outcome names the event that happened, whatever its case")
}

func TestOutcomeNoEventOfTheTypeCarriesIsAPositionedError(t *testing.T) {
	cases := []struct {
		name, step string
		msg        []string
	}{
		{"typo with a suggestion", `<expect-no-event type="dereg-requested" outcome="DeleteNotProvisionedH"/>`,
			[]string{`outcome="DeleteNotProvisionedH" is nothing a dereg-requested event carries`, `did you mean "DeleteNotProvisionedHS"?`, "it takes ToDeReg, DeleteNotProvisionedHS, delete_hs, admin"}},
		{"far from every value", `<expect-event type="fetch" outcome="exploded"/>`,
			[]string{`outcome="exploded" is nothing a fetch event carries (it takes ok, error, no-url`, "status-NNN"}},
		{"a value of another type", `<expect-event type="registration-refused" outcome="graceful"/>`,
			[]string{`outcome="graceful" is nothing a registration-refused event carries`}},
		{"a type that carries none", `<expect-no-event type="dereg-timeout" outcome="graceful"/>`,
			[]string{`outcome="graceful": dereg-timeout events carry no outcome, trigger, reason or code`}},
		{"a warning code slip", `<expect-event type="warning" outcome="ipui_case"/>`,
			[]string{`did you mean "ipui-case"?`}},
		{"an interim status", `<expect-event type="fetch" outcome="status-99"/>`,
			[]string{`outcome="status-99" is nothing a fetch event carries`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := parseString(t, okHead+"  <at t=\"0s\">"+c.step+"</at>\n</scenario>\n")
			require.Error(t, err)
			se, ok := err.(*Error)
			require.True(t, ok, "want *Error, got %T %v", err, err)
			require.Equal(t, Pos{Line: 3, Col: 14 + strings.Index(c.step, "outcome=")}, se.Pos, "at the outcome attribute")
			for _, m := range c.msg {
				require.Contains(t, se.Msg, m)
			}
		})
	}
}

func TestOutcomeTakesEveryValueItsTypeCarries(t *testing.T) {
	for typ, vals := range eventOutcomes {
		for _, v := range vals {
			got, err := outcomeOf(typ, strings.ToUpper(v))
			require.NoError(t, err, "%s %s", typ, v)
			require.Equal(t, v, got)
		}
	}
	got, err := outcomeOf(system.EvFetch, "Status-404")
	require.NoError(t, err)
	require.Equal(t, autoprov.StatusReason(404), got)
	for _, typ := range system.EventTypes {
		_ = EventOutcomes(typ)
	}
	require.Contains(t, EventOutcomes(system.EvWarning), system.WarnBadTimeOfDay)
}

func TestFailedExpectEventShowsTheNearestEventsOfItsType(t *testing.T) {
	sc, err := parseString(t, deregStory+`    <expect-event type="dereg-requested" ipui="029e74a599" outcome="delete_hs"/>
    <expect-event type="dereg-requested" ipui="02b6ec8aa5"/>
    <expect-event type="dereg-requested" outcome="ToDeReg"/>
  </at>
</scenario>`)
	require.NoError(t, err)
	res, err := Run(sc, Options{})
	require.NoError(t, err)
	require.Len(t, res.Failures, 3)
	require.Equal(t, "0; nearest: +0s 029e74a599 trigger=DeleteNotProvisionedHS", res.Failures[0].Found)
	require.Equal(t, "0; nearest: +0s 029e74a599 trigger=DeleteNotProvisionedHS", res.Failures[1].Found)
	require.Equal(t, "0; nearest: +0s 029e74a599 trigger=DeleteNotProvisionedHS", res.Failures[2].Found)
}

func TestNearEventsAreAtMostAFew(t *testing.T) {
	var b strings.Builder
	b.WriteString(`<scenario><system firmware="2.30.0"/><at t="0s">`)
	for range 6 {
		b.WriteString(`<check-sync/>`)
	}
	b.WriteString(`<expect-event type="fetch" outcome="ok"/></at></scenario>`)
	sc, err := parseString(t, b.String())
	require.NoError(t, err)
	res, err := Run(sc, Options{})
	require.NoError(t, err)
	require.Len(t, res.Failures, 1)
	require.Equal(t, MaxNearEvents, strings.Count(res.Failures[0].Found, "outcome=error"), res.Failures[0].Found)
}
