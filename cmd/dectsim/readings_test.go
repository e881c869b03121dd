package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestReadingsListsEveryReadingWithValuesVendorSentenceAndProducts(t *testing.T) {
	code, out, errOut := run(t, "readings")
	require.Equal(t, 0, code, errOut)
	for _, want := range []string{
		"dnphs-position (default first)", "nvm-first", "anywhere",
		"dnphs-keeps (default add-hs)", "any-mention",
		"todereg-position (default anywhere)", "top",
		"ipui-case (default delete-hs)", "everywhere",
		"case-fixed-in (default 2.37.0)", "a firmware version",
		"dereg-undo (default none)", "add-hs-cancels", "dereg-cancelled",
		"ghost-reregister (default reset-first)", "allowed",
		"detect-delay (default 0s)", "a duration",
		`"This parameter must be on top of the provisioning file."`,
		`FAQ "Auto provisioning: Delete/remove handset examples"`,
		"the N610, which has no DECT DETACH procedure, takes 3 to 6 hours",
	} {
		require.Contains(t, out, want)
	}
	require.Equal(t, 8, strings.Count(out, "the vendor documents no difference between products"),
		"only detect-delay has a product note")
}

// dnphsAfterAddHS removes 02b6ec8aa5 only where DeleteNotProvisionedHS
// counts after an add_hs: the scenario expects that.
const dnphsAfterAddHS = `<scenario name="dnphs after add_hs">
  <handset ipui="029e74a599" state="Registered"/>
  <handset ipui="02b6ec8aa5" state="Registered"/>
  <at t="0s">
    <provision>
      <provisioning version="1.1" productID="e2"><nvm>
        <oper name="add_hs" value="029e74a599"/>
        <oper name="DeleteNotProvisionedHS"/>
      </nvm></provisioning>
    </provision>
  </at>
  <at t="1m">
    <expect ipui="02b6ec8aa5" state="absent"/>
    <expect ipui="029e74a599" state="Registered"/>
  </at>
</scenario>
`

func TestReadingFlagOverridesWhatTheScenarioSays(t *testing.T) {
	dir := t.TempDir()
	p := write(t, dir, "s.xml", dnphsAfterAddHS)
	code, _, _ := run(t, "run", p)
	require.Equal(t, 4, code, "ignored under the default dnphs-position=first")
	code, out, errOut := run(t, "run", "--reading", "dnphs-position=anywhere", p)
	require.Equal(t, 0, code, out+errOut)
	require.Contains(t, out, "readings: dnphs-position=anywhere")

	q := write(t, dir, "q.xml", strings.Replace(dnphsAfterAddHS, "<handset ipui=\"029e74a599\"", "<system dnphs-position=\"anywhere\"/>\n  <handset ipui=\"029e74a599\"", 1))
	code, _, _ = run(t, "run", q)
	require.Equal(t, 0, code, "the scenario's own reading")
	code, _, _ = run(t, "run", "--reading", "dnphs-position=first", q)
	require.Equal(t, 4, code, "--reading wins over <system>")
}

func TestCheckReadingFlagChecksTheFileAsTheSystemAppliesIt(t *testing.T) {
	p := write(t, t.TempDir(), "p.xml", `<provisioning version="1.1" productID="e2">
<oper name="DeleteNotProvisionedHS"/>
<nvm><oper name="add_hs" value="029e74a599"/></nvm>
</provisioning>
`)
	code, out, _ := run(t, "check", p)
	require.Equal(t, 0, code, out)
	require.NotContains(t, out, "dnphs-not-first", "on top of the file counts under the default")
	code, out, _ = run(t, "check", "--reading", "dnphs-position=nvm-first", p)
	require.Equal(t, 4, code, out)
	require.Contains(t, out, p+":2:1: error: dnphs-not-first: DeleteNotProvisionedHS stands directly under <provisioning>, outside <nvm>")
	require.NotContains(t, out, "outside-nvm", "one finding for one element")
}

func TestAllReadingsTablesExpectationsThatDependOnAReading(t *testing.T) {
	dir := t.TempDir()
	p := write(t, dir, "s.xml", strings.Replace(dnphsAfterAddHS, "<handset ipui=\"029e74a599\"", "<system dnphs-position=\"anywhere\"/>\n  <handset ipui=\"029e74a599\"", 1))
	code, out, errOut := run(t, "run", "--all-readings", p)
	require.Equal(t, 0, code, out+errOut)
	require.Contains(t, out, "Expectations whose result depends on a reading:")
	require.Contains(t, out, p+`:14:5 <expect ipui="02b6ec8aa5" state="absent"/>`)
	require.Contains(t, out, "dnphs-position=first")
	require.Contains(t, out, "dnphs-position=nvm-first")
	require.NotContains(t, out, p+`:15:5`, "an expectation no reading changes is not in the table")
	require.Contains(t, out, "Every expectation passes as written.")
	require.Contains(t, out, "1 expectation passes as written but fails under another reading")
	require.Contains(t, out, "fails under dnphs-position=first, dnphs-position=nvm-first")
	require.Contains(t, out, "1 scenario, each as written and under every other value of each reading: 12 runs.")
}

func TestAllReadingsExitsFourWhenAnExpectationFailsAsWritten(t *testing.T) {
	dir := t.TempDir()
	p := write(t, dir, "s.xml", dnphsAfterAddHS)
	code, out, _ := run(t, "run", "--all-readings", p)
	require.Equal(t, 4, code)
	require.Contains(t, out, p+":13:5: expectation failed", "the failure as written, in full")
	require.Contains(t, out, "1 expectation FAILS as written:")
	require.Contains(t, out, "PASS    state=absent", "it passes under dnphs-position=anywhere")

	code, _, errOut := run(t, "run", "--all-readings", p, filepath.Join(dir, "missing.xml"))
	require.Equal(t, 3, code, "a file that cannot be read outranks a failed expectation")
	require.Contains(t, errOut, "missing.xml")
}
