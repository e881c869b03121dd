package scenario

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func runString(t *testing.T, src string) *Result {
	t.Helper()
	sc, err := parseString(t, src)
	require.NoError(t, err)
	res, err := Run(sc, Options{})
	require.NoError(t, err)
	return res
}

// TestMacCaseUpperWritesTheMACInUpperCaseInMACDAndTheDirectoryFile:
// <system mac-case="upper"> reaches %MACD and the <MAC>.xml of a
// directory URL; the default is lower case.
func TestMacCaseUpperWritesTheMACInUpperCaseInMACDAndTheDirectoryFile(t *testing.T) {
	res := runString(t, `<scenario>
  <system mac="7c:2f:80:a1:b2:c3" mac-case="upper" provisioning-url="/prov/%MACD.xml"/>
  <serve path="/prov/7C2F80A1B2C3.xml"><provisioning version="1.1" productID="e2"><nvm/></provisioning></serve>
  <at t="1m">
    <expect-event type="fetch" outcome="ok" count="1"/>
    <expect-request path="/prov/7C2F80A1B2C3.xml" count="1"/>
  </at>
</scenario>`)
	require.True(t, res.Passed(), "%v", res.Failures)

	res = runString(t, `<scenario>
  <system mac="7C2F80A1B2C3" mac-case="upper" provisioning-url="/dir/"/>
  <serve path="/dir/7C2F80A1B2C3.xml"><provisioning version="1.1" productID="e2"><nvm/></provisioning></serve>
  <at t="1m">
    <expect-event type="fetch" outcome="ok" count="1"/>
    <expect-request path="/dir/provisioning.xml" count="1"/>
    <expect-request path="/dir/7C2F80A1B2C3.xml" count="1"/>
  </at>
</scenario>`)
	require.True(t, res.Passed(), "%v", res.Failures)

	res = runString(t, `<scenario>
  <system mac="7C2F80A1B2C3" mac-case="lower" provisioning-url="/dir/"/>
  <serve path="/dir/7c2f80a1b2c3.xml"><provisioning version="1.1" productID="e2"><nvm/></provisioning></serve>
  <at t="1m">
    <expect-event type="fetch" outcome="ok" count="1"/>
    <expect-request path="/dir/7c2f80a1b2c3.xml" count="1"/>
  </at>
</scenario>`)
	require.True(t, res.Passed(), "%v", res.Failures)
}

// TestMacCaseBadValueIsAPositionedError: a mac-case other than lower or
// upper is an error at the attribute.
func TestMacCaseBadValueIsAPositionedError(t *testing.T) {
	_, err := parseString(t, okHead+`  <system mac-case="Upper"/><at t="0s"><expect slots="1"/></at>
</scenario>`)
	require.Error(t, err)
	se, ok := err.(*Error)
	require.True(t, ok, "%T", err)
	require.Equal(t, Pos{Line: 3, Col: 11}, se.Pos)
	require.Contains(t, se.Msg, `mac-case="Upper" is not a case: it takes lower or upper`)
}

// TestAdminAndCheckSyncRebootAreReadStrictly: <admin> needs a slot and a
// DECT state; <check-sync reboot> is true or false; each mistake is an
// error at the attribute at fault, or at the step when one is missing.
func TestAdminAndCheckSyncRebootAreReadStrictly(t *testing.T) {
	cases := []struct{ body, msg string }{
		{`<admin slot="029e74a599" state="absent"/>`, `<admin> state="absent" is not a DECT state`},
		{`<admin slot="029e74a599" state="Deleted"/>`, `<admin> state="Deleted" is not a DECT state`},
		{`<admin state="NotReg"/>`, `<admin> needs slot=`},
		{`<admin slot="029e74a599" state="NotReg" ipui="x"/>`, `no attribute "ipui"`},
		{`<check-sync reboot="yes"/>`, `reboot="yes" must be true or false`},
	}
	for _, c := range cases {
		_, err := parseString(t, okHead+`  <at t="0s">`+c.body+`</at>
</scenario>`)
		require.Error(t, err, c.body)
		se, ok := err.(*Error)
		require.True(t, ok, "%T", err)
		want := 14 // the step, when what is wrong is a missing attribute
		for _, attr := range []string{"state=\"absent", "state=\"Deleted", "ipui=", "reboot="} {
			if i := strings.Index(c.body, attr); i >= 0 {
				want += i
			}
		}
		require.Equal(t, Pos{Line: 3, Col: want}, se.Pos, c.body)
		require.Contains(t, se.Msg, c.msg)
	}
}

// TestAdminStepChangesTheSlotAsTheWebUIDoes: <admin> reaches NotReg,
// which no provisioning input reaches, and a change the web UI does not
// offer is a warning, not an error of the scenario.
func TestAdminStepChangesTheSlotAsTheWebUIDoes(t *testing.T) {
	res := runString(t, okHead+`  <handset ipui="02b6ec8aa5" state="ToReg"/>
  <at t="0s">
    <admin slot="02b6ec8aa5" state="NotReg"/>
    <admin slot="029e74a599" state="NotReg"/>
    <admin slot="0311223344" state="ToReg"/>
  </at>
  <at t="1m">
    <expect ipui="02b6ec8aa5" state="NotReg"/>
    <expect ipui="029e74a599" state="Registered"/>
    <expect-event type="admin" count="1"/>
    <expect-event type="warning" outcome="admin-refused" count="2"/>
  </at>
</scenario>`)
	require.True(t, res.Passed(), "%v", res.Failures)
}

// TestCheckSyncStepLogsItsSourceAndWhetherItRebooted: every <check-sync>
// is a check-sync event with source scenario, also without a URL.
func TestCheckSyncStepLogsItsSourceAndWhetherItRebooted(t *testing.T) {
	res := runString(t, okHead+`  <system firmware="2.52.0"/>
  <at t="0s">
    <provision><provisioning version="1.1" productID="e2"><nvm><param name="SystemSettings.global.CheckSyncRebootEnabled" value="1"/></nvm></provisioning></provision>
    <check-sync/>
    <check-sync reboot="true"/>
  </at>
  <at t="1m">
    <expect-event type="check-sync" outcome="scenario" count="2"/>
    <expect-event type="check-sync" outcome="reboot" count="1"/>
    <expect-event type="reboot" count="1"/>
    <expect-event type="fetch" outcome="no-url" count="1"/>
  </at>
</scenario>`)
	require.True(t, res.Passed(), "%v", res.Failures)
}
