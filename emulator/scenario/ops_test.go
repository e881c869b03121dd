package scenario

import (
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
// upper is an error at the <system> element.
func TestMacCaseBadValueIsAPositionedError(t *testing.T) {
	_, err := parseString(t, okHead+`  <system mac-case="Upper"/><at t="0s"><expect slots="1"/></at>
</scenario>`)
	require.Error(t, err)
	se, ok := err.(*Error)
	require.True(t, ok, "%T", err)
	require.Equal(t, Pos{Line: 3, Col: 3}, se.Pos)
	require.Contains(t, se.Msg, `mac-case="Upper" is not a case: it takes lower or upper`)
}
