package lint

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dectsim/dectsim/emulator/system"
	"github.com/dectsim/dectsim/internal/provfile"
	"github.com/dectsim/dectsim/internal/testfiles"
)

// nvm wraps body in a provisioning document whose body starts at line 4,
// column 1.
func nvm(body string) string {
	return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" +
		"<provisioning version=\"1.1\" productID=\"e2\">\n" +
		"<nvm>\n" + body + "\n</nvm>\n</provisioning>\n"
}

// at is one expected finding.
type at struct {
	code      string
	sev       Severity
	line, col int
}

type ruleCase struct {
	name string
	doc  string
	opt  Options
	// want must all be reported (code, severity and position).
	want []at
	// absent codes must not be reported at all.
	absent []string
}

func run(t *testing.T, doc string, o Options) []Finding {
	t.Helper()
	fs, err := Check("t.xml", []byte(doc), o)
	require.NoError(t, err)
	return fs
}

func dump(fs []Finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString(f.String())
		b.WriteByte('\n')
	}
	return b.String()
}

func codes(fs []Finding) []string {
	out := make([]string, 0, len(fs))
	for _, f := range fs {
		out = append(out, f.Code)
	}
	return out
}

func fw(v string) Options { return Options{Firmware: v} }

// reading is Options with one reading set.
func reading(name, value string) Options {
	return Options{Readings: map[string]string{name: value}}
}

// outside is a document with top directly under <provisioning>, at line
// 2, then an <nvm> whose body starts at line 4.
func outside(top, body string) string {
	return "<provisioning version=\"1.1\" productID=\"e2\">\n" + top + "\n<nvm>\n" + body + "\n</nvm>\n</provisioning>\n"
}

const (
	dnphs   = `<oper name="DeleteNotProvisionedHS"/>`
	addA    = `<oper name="add_hs" value="029e74a599"/>`
	delB    = `<oper name="delete_hs" value="02b6ec8aa5"/>`
	delBUp  = `<oper name="delete_hs" value="02B6EC8AA5"/>`
	setting = `<param name="Telephony.0.ToneScheme" value="Germany"/>`
	authB   = `<param name="SipAccount.02b6ec8aa5.AuthName" value="b"/>`
	deregB  = `<param name="hs.02b6ec8aa5.RegStatus" value="ToDeReg"/>`
)

// ruleCases hold, for every code, documents that trigger it and documents
// that must not, including both sides of each firmware boundary.
var ruleCases = []ruleCase{
	// xml-syntax
	{name: "xml-syntax/raw-ampersand", doc: "<provisioning version=\"1.1\" productID=\"e2\">\n<nvm>\n<param name=\"a.b.c\" value=\"x & y\"/>\n</nvm>\n</provisioning>\n",
		want: []at{{"xml-syntax", Error, 3, 30}}},
	{name: "xml-syntax/unclosed", doc: "<provisioning version=\"1.1\" productID=\"e2\">\n<nvm>\n</provisioning>\n",
		want: []at{{"xml-syntax", Error, 3, 1}}},
	{name: "xml-syntax/not-for-well-formed", doc: nvm(setting), absent: []string{"xml-syntax"}},

	// not-provisioning
	{name: "not-provisioning/provider-frame", doc: "<ProviderFrame xmlns=\"x\">\n</ProviderFrame>\n",
		want: []at{{"not-provisioning", Error, 1, 1}}},
	{name: "not-provisioning/fragment", doc: "<!-- a fragment -->\n<oper name=\"update_dm\" value=\"local\"/>\n",
		want: []at{{"not-provisioning", Error, 2, 1}}},
	{name: "not-provisioning/not-for-provisioning", doc: nvm(setting), absent: []string{"not-provisioning"}},

	// limit
	{name: "limit/too-deep", doc: nvm(strings.Repeat("<x>", 80) + strings.Repeat("</x>", 80)),
		want: []at{{"limit", Error, 4, 1 + 3*(provfile.DefaultLimits.MaxDepth-2)}}},

	// product-id
	{name: "product-id/e3", doc: "<provisioning version=\"1.1\" productID=\"e3\">\n<nvm>\n" + setting + "\n</nvm>\n</provisioning>\n",
		want: []at{{"product-id", Error, 1, 1}}},
	{name: "product-id/missing", doc: "<provisioning version=\"1.1\">\n<nvm>\n" + setting + "\n</nvm>\n</provisioning>\n",
		want: []at{{"product-id", Error, 1, 1}}},
	{name: "product-id/upper-case", doc: "<provisioning version=\"1.1\" productID=\"E2\"><nvm>" + setting + "</nvm></provisioning>",
		want: []at{{"product-id", Error, 1, 1}}},
	{name: "product-id/not-for-e2", doc: nvm(setting), absent: []string{"product-id"}},

	// dnphs-not-first
	{name: "dnphs-not-first/after-param", doc: nvm(setting + "\n" + dnphs + "\n" + addA),
		want: []at{{"dnphs-not-first", Error, 5, 1}}},
	{name: "dnphs-not-first/second-one", doc: nvm(dnphs + "\n" + addA + "\n" + dnphs),
		want: []at{{"dnphs-not-first", Error, 6, 1}}},
	{name: "dnphs-not-first/not-for-first", doc: nvm(dnphs + "\n" + addA + "\n" + setting),
		absent: []string{"dnphs-not-first"}},
	{name: "dnphs-not-first/after-outside-nvm-param", // not the first <param> or <oper> of the document
		doc:  outside(setting, dnphs+"\n"+addA),
		want: []at{{"outside-nvm", Warning, 2, 1}, {"dnphs-not-first", Error, 4, 1}}},
	{name: "dnphs-not-first/not-after-outside-nvm-param-under-nvm-first", opt: reading("dnphs-position", "nvm-first"),
		doc:  outside(setting, dnphs+"\n"+addA),
		want: []at{{"outside-nvm", Warning, 2, 1}}, absent: []string{"dnphs-not-first"}},
	{name: "dnphs-not-first/not-on-top-of-provisioning", doc: outside(dnphs, addA),
		want: []at{{"outside-nvm", Warning, 2, 1}}, absent: []string{"dnphs-not-first"}},
	{name: "dnphs-not-first/on-top-of-provisioning-under-nvm-first", opt: reading("dnphs-position", "nvm-first"),
		doc: outside(dnphs, addA), want: []at{{"dnphs-not-first", Error, 2, 1}}, absent: []string{"outside-nvm"}},
	{name: "dnphs-not-first/not-under-anywhere", opt: reading("dnphs-position", "anywhere"),
		doc: nvm(setting + "\n" + dnphs + "\n" + addA), absent: []string{"dnphs-not-first"}},

	// delete-hs-unsupported: below 2.36.0 only
	{name: "delete-hs-unsupported/2.35.0", doc: nvm(delB), opt: fw("2.35.0"),
		want: []at{{"delete-hs-unsupported", Error, 4, 1}}, absent: []string{"unknown-oper", "ipui-case"}},
	{name: "delete-hs-unsupported/2.35.9", doc: nvm(delB), opt: fw("2.35.9"),
		want: []at{{"delete-hs-unsupported", Error, 4, 1}}},
	{name: "delete-hs-unsupported/not-on-2.36.0", doc: nvm(delB), opt: fw("2.36.0"),
		absent: []string{"delete-hs-unsupported", "unknown-oper"}},
	{name: "delete-hs-unsupported/not-on-2.37.0", doc: nvm(delB), opt: fw("2.37.0"),
		absent: []string{"delete-hs-unsupported"}},

	// ipui-case: error on 2.36.x, warning from 2.37.0, not below 2.36.0
	{name: "ipui-case/error-on-2.36.0", doc: nvm(delBUp), opt: fw("2.36.0"),
		want: []at{{"ipui-case", Error, 4, 1}}},
	{name: "ipui-case/error-on-2.36.9", doc: nvm(delBUp), opt: fw("2.36.9"),
		want: []at{{"ipui-case", Error, 4, 1}}},
	{name: "ipui-case/warning-on-2.37.0", doc: nvm(delBUp), opt: fw("2.37.0"),
		want: []at{{"ipui-case", Warning, 4, 1}}},
	{name: "ipui-case/warning-on-2.65.0", doc: nvm(delBUp),
		want: []at{{"ipui-case", Warning, 4, 1}}},
	{name: "ipui-case/not-on-2.35.9", doc: nvm(delBUp), opt: fw("2.35.9"),
		want: []at{{"delete-hs-unsupported", Error, 4, 1}}, absent: []string{"ipui-case"}},
	{name: "ipui-case/not-for-lower-case-on-2.36.0", doc: nvm(delB), opt: fw("2.36.0"),
		absent: []string{"ipui-case"}},
	{name: "ipui-case/not-for-add_hs", doc: nvm(`<oper name="add_hs" value="029E74A599"/>`), opt: fw("2.36.0"),
		absent: []string{"ipui-case", "bad-ipui"}},
	{name: "ipui-case/everywhere-add_hs-and-settings-on-2.36.0", opt: Options{Firmware: "2.36.0", Readings: map[string]string{"ipui-case": "everywhere"}},
		doc:  nvm(`<oper name="add_hs" value="029E74A599"/>` + "\n" + `<param name="SipAccount.02B6EC8AA5.AuthName" value="b"/>` + "\n" + `<param name="hs.02B6EC8AA5.RegStatus" value="ToDeReg"/>`),
		want: []at{{"ipui-case", Error, 4, 1}, {"ipui-case", Error, 5, 1}, {"ipui-case", Error, 6, 1}}},
	{name: "ipui-case/everywhere-not-from-case-fixed-in", opt: Options{Firmware: "2.37.0", Readings: map[string]string{"ipui-case": "everywhere"}},
		doc: nvm(`<oper name="add_hs" value="029E74A599"/>` + "\n" + `<param name="SipAccount.02B6EC8AA5.AuthName" value="b"/>`), absent: []string{"ipui-case"}},
	{name: "ipui-case/error-before-a-later-case-fixed-in", doc: nvm(delBUp), opt: Options{Firmware: "2.40.0", Readings: map[string]string{"case-fixed-in": "2.41.0"}},
		want: []at{{"ipui-case", Error, 4, 1}}},
	{name: "ipui-case/warning-from-an-earlier-case-fixed-in", doc: nvm(delBUp), opt: Options{Firmware: "2.36.5", Readings: map[string]string{"case-fixed-in": "2.36.5"}},
		want: []at{{"ipui-case", Warning, 4, 1}}},

	// bad-ipui
	{name: "bad-ipui/add_hs-odd-value", doc: nvm(`<oper name="add_hs" value="12345xyz"/>`),
		want: []at{{"bad-ipui", Warning, 4, 1}}},
	{name: "bad-ipui/add_hs-eleven-hex", doc: nvm(`<oper name="add_hs" value="029e74a5990"/>`),
		want: []at{{"bad-ipui", Warning, 4, 1}}},
	{name: "bad-ipui/add_hs-no-value", doc: nvm(`<oper name="add_hs"><param name="hs.RegStatus" value="ToReg"/></oper>`),
		want: []at{{"bad-ipui", Warning, 4, 1}}},
	{name: "bad-ipui/delete_hs-empty", doc: nvm(`<oper name="delete_hs" value=""/>`),
		want: []at{{"bad-ipui", Warning, 4, 1}}},
	{name: "bad-ipui/not-for-placeholder-and-ipuis", doc: nvm(`<oper name="add_hs" value="00001"/>` + "\n" +
		`<oper name="add_hs" value="0123456789"/>` + "\n" + `<oper name="add_hs" value="029E74A599"/>` + "\n" +
		`<oper name="delete_hs" value="00002"/>` + "\n" + `<oper name="delete_hs" value="123456789"/>`),
		absent: []string{"bad-ipui"}},

	// duplicate-slot
	{name: "duplicate-slot/same-ipui-other-case", doc: nvm(addA + "\n" + `<oper name="add_hs" value="029E74A599"/>`),
		want: []at{{"duplicate-slot", Warning, 5, 1}}},
	{name: "duplicate-slot/placeholder", doc: nvm(`<oper name="add_hs" value="00001"/>` + "\n" + setting + "\n" + `<oper name="add_hs" value="00001"/>`),
		want: []at{{"duplicate-slot", Warning, 6, 1}}},
	{name: "duplicate-slot/not-for-distinct", doc: nvm(addA + "\n" + `<oper name="add_hs" value="02b6ec8aa5"/>`),
		absent: []string{"duplicate-slot"}},

	// contradiction
	{name: "contradiction/add-then-ToDeReg", doc: nvm(addA + "\n" + `<param name="hs.029E74A599.RegStatus" value="ToDeReg"/>`),
		want: []at{{"contradiction", Error, 5, 1}}},
	{name: "contradiction/add_hs-child-ToDeReg", doc: nvm("<oper name=\"add_hs\" value=\"029e74a599\">\n  <param name=\"hs.RegStatus\" value=\"ToDeReg\"/>\n</oper>"),
		want: []at{{"contradiction", Error, 5, 3}}},
	{name: "contradiction/delete_hs-then-add", doc: nvm(`<oper name="delete_hs" value="029e74a599"/>` + "\n" + addA),
		want: []at{{"contradiction", Error, 5, 1}}},
	{name: "contradiction/add-then-delete_hs-2.37", doc: nvm(addA + "\n" + `<oper name="delete_hs" value="029E74A599"/>`), opt: fw("2.37.0"),
		want: []at{{"contradiction", Error, 5, 1}, {"ipui-case", Warning, 5, 1}}},
	{name: "contradiction/not-for-upper-case-delete_hs-on-2.36", // it deregisters nothing there
		doc: nvm(addA + "\n" + `<oper name="delete_hs" value="029E74A599"/>`), opt: fw("2.36.0"),
		want: []at{{"ipui-case", Error, 5, 1}}, absent: []string{"contradiction"}},
	{name: "contradiction/not-for-delete_hs-below-2.36", doc: nvm(addA + "\n" + `<oper name="delete_hs" value="029e74a599"/>`), opt: fw("2.35.0"),
		absent: []string{"contradiction"}},
	{name: "contradiction/not-for-other-slot", doc: nvm(addA + "\n" + `<param name="hs.02b6ec8aa5.RegStatus" value="ToDeReg"/>` + "\n" + delB),
		absent: []string{"contradiction"}},
	{name: "contradiction/not-for-ToReg", doc: nvm(addA + "\n" + `<param name="hs.029e74a599.RegStatus" value="ToReg"/>`),
		absent: []string{"contradiction"}},

	// capacity
	{name: "capacity/max-handsets-override", doc: nvm(addA + "\n" + `<oper name="add_hs" value="00001"/>` + "\n" + `<oper name="add_hs" value="00002"/>`),
		opt: Options{MaxHandsets: 2}, want: []at{{"capacity", Error, 6, 1}}},
	{name: "capacity/N610-holds-8", doc: nvm(addHSs(9)), opt: Options{Product: "N610"},
		want: []at{{"capacity", Error, 12, 1}}},
	{name: "capacity/not-for-duplicates", doc: nvm(addA + "\n" + `<oper name="add_hs" value="00001"/>` + "\n" + addA),
		opt: Options{MaxHandsets: 2}, absent: []string{"capacity"}},
	{name: "capacity/not-at-the-limit", doc: nvm(addHSs(8)), opt: Options{Product: "N610"},
		absent: []string{"capacity"}},

	// bad-regstatus
	{name: "bad-regstatus/param", doc: nvm(`<param name="hs.029e74a599.RegStatus" value="Registered"/>`),
		want: []at{{"bad-regstatus", Error, 4, 1}}},
	{name: "bad-regstatus/add_hs-child", doc: nvm("<oper name=\"add_hs\" value=\"00001\">\n  <param name=\"hs.RegStatus\" value=\"toreg\"/>\n</oper>"),
		want: []at{{"bad-regstatus", Error, 5, 3}}},
	{name: "bad-regstatus/not-for-ToReg-ToDeReg", doc: nvm(`<param name="hs.029e74a599.RegStatus" value="ToDeReg"/>` + "\n" +
		"<oper name=\"add_hs\" value=\"00001\"><param name=\"hs.RegStatus\" value=\"ToReg\"/></oper>"),
		absent: []string{"bad-regstatus"}},

	// empty-value
	{name: "empty-value/param", doc: nvm(`<param name="SipProvider.0.OutboundProxyAddress" value=""/>`),
		want: []at{{"empty-value", Warning, 4, 1}}},
	{name: "empty-value/no-value-attribute", doc: nvm(`<param name="SipProvider.0.Domain"/>`),
		want: []at{{"empty-value", Warning, 4, 1}}},
	{name: "empty-value/oper-child", doc: nvm("<oper name=\"update_dm\" value=\"local\">\n  <param name=\"RegStart\" value=\"1\"/>\n  <param name=\"RegDuration\" value=\"9\"/>\n  <param name=\"DMPpasswd\" value=\"\"/>\n</oper>"),
		want: []at{{"empty-value", Warning, 7, 3}}},
	{name: "empty-value/not-for-opers-without-value", doc: nvm(dnphs + "\n" + addA),
		absent: []string{"empty-value"}},

	// period-too-short
	{name: "period-too-short/1799", doc: nvm(`<param name="Provisioning.global.Period" value="1799"/>`),
		want: []at{{"period-too-short", Warning, 4, 1}}},
	{name: "period-too-short/1", doc: nvm(`<param name="Provisioning.global.Period" value="1"/>`),
		want: []at{{"period-too-short", Warning, 4, 1}}},
	{name: "period-too-short/not-for-0-or-1800", doc: nvm(`<param name="Provisioning.global.Period" value="0"/>` + "\n" +
		`<param name="Provisioning.global.Period" value="1800"/>`),
		absent: []string{"period-too-short", "bad-value"}},

	// bad-time-of-day
	{name: "bad-time-of-day/25:00", doc: nvm(`<param name="Provisioning.global.PeriodStart" value="25:00"/>` + "\n" +
		`<param name="Provisioning.global.PeriodEnd" value="soon"/>`),
		want: []at{{"bad-time-of-day", Warning, 4, 1}, {"bad-time-of-day", Warning, 5, 1}}},
	{name: "bad-time-of-day/not-for-hh:mm", doc: nvm(`<param name="Provisioning.global.PeriodStart" value="22:30"/>` + "\n" +
		`<param name="Provisioning.global.PeriodEnd" value="24:00"/>`),
		absent: []string{"bad-time-of-day"}},

	// unknown-oper
	{name: "unknown-oper/reboot", doc: nvm(`<oper name="reboot"/>`),
		want: []at{{"unknown-oper", Warning, 4, 1}}},
	{name: "unknown-oper/no-name", doc: nvm(`<oper value="x"/>`),
		want: []at{{"unknown-oper", Warning, 4, 1}}},
	{name: "unknown-oper/not-for-known", doc: nvm(dnphs + "\n" + addA + "\n" + delB + "\n" +
		"<oper name=\"update_dm\" value=\"local\"><param name=\"RegStart\" value=\"1\"/><param name=\"RegDuration\" value=\"9\"/></oper>"),
		absent: []string{"unknown-oper"}},

	// bad-firmware-version
	{name: "bad-firmware-version/x.xx", doc: "<provisioning version=\"1.1\" productID=\"e2\">\n<firmware>\n<file version=\"x.xx\" url=\"https......\"/>\n</firmware>\n</provisioning>\n",
		want: []at{{"bad-firmware-version", Warning, 3, 1}}},
	{name: "bad-firmware-version/not-for-2.36", doc: "<provisioning version=\"1.1\" productID=\"e2\">\n<firmware>\n<file version=\"2.36\" url=\"http://x/fw.bin\"/>\n</firmware>\n</provisioning>\n",
		absent: []string{"bad-firmware-version", "no-nvm"}},

	// bad-param-name
	{name: "bad-param-name/bare", doc: nvm(`<param name="MWISubscription" value="1"/>`),
		want: []at{{"bad-param-name", Warning, 4, 1}}},
	{name: "bad-param-name/two-parts", doc: nvm(`<param name="Provisioning.Period" value="0"/>`),
		want: []at{{"bad-param-name", Warning, 4, 1}}},
	{name: "bad-param-name/empty-part", doc: nvm(`<param name="SipProvider..Name" value="x"/>`),
		want: []at{{"bad-param-name", Warning, 4, 1}}},
	{name: "bad-param-name/not-for-oper-children", doc: nvm("<oper name=\"add_hs\" value=\"00001\"><param name=\"hs.RegStatus\" value=\"ToReg\"/><param name=\"hs.DECT_AC\" value=\"1234\"/></oper>\n" +
		"<oper name=\"update_dm\" value=\"local\"><param name=\"RegStart\" value=\"1\"/><param name=\"RegDuration\" value=\"9\"/><param name=\"DMPpasswd\" value=\"Gigaset\"/></oper>\n" +
		`<param name="SipProvider.0.MWISubscription" value="1"/>`),
		absent: []string{"bad-param-name", "unknown-param"}},

	// Codes beyond the first set of check codes.
	{name: "version/1.0", doc: "<provisioning version=\"1.0\" productID=\"e2\"><nvm>" + setting + "</nvm></provisioning>",
		want: []at{{"version", Warning, 1, 1}}},
	{name: "version/not-for-1.1", doc: nvm(setting), absent: []string{"version"}},
	{name: "no-nvm/nothing", doc: "<provisioning version=\"1.1\" productID=\"e2\"/>",
		want: []at{{"no-nvm", Warning, 1, 1}}},
	{name: "no-nvm/empty-nvm", doc: "<provisioning version=\"1.1\" productID=\"e2\">\n  <nvm></nvm>\n</provisioning>",
		want: []at{{"no-nvm", Warning, 2, 3}}},
	{name: "no-nvm/not-with-items", doc: nvm(setting), absent: []string{"no-nvm"}},
	{name: "dnphs-removes-all/no-add_hs", doc: nvm(dnphs + "\n" + setting),
		want: []at{{"dnphs-removes-all", Warning, 4, 1}}},
	{name: "dnphs-removes-all/not-with-add_hs", doc: nvm(dnphs + "\n" + addA), absent: []string{"dnphs-removes-all"}},
	{name: "dnphs-removes-all/not-when-any-mention-keeps-a-slot", opt: reading("dnphs-keeps", "any-mention"),
		doc: nvm(dnphs + "\n" + authB), absent: []string{"dnphs-removes-all"}},

	// todereg-not-first
	{name: "todereg-not-first/after-a-param", doc: nvm(addA + "\n" + setting + "\n" + deregB),
		want: []at{{"todereg-not-first", Warning, 6, 1}}},
	{name: "todereg-not-first/an-error-under-top-that-deregisters-nothing", opt: reading("todereg-position", "top"),
		doc:  nvm(`<oper name="add_hs" value="02b6ec8aa5"/>` + "\n" + setting + "\n" + deregB),
		want: []at{{"todereg-not-first", Error, 6, 1}}, absent: []string{"contradiction"}},
	{name: "todereg-not-first/not-in-the-leading-run", opt: reading("todereg-position", "top"),
		doc:    nvm(dnphs + "\n" + addA + "\n" + `<param name="hs.029e74a599.RegStatus" value="ToReg"/>` + "\n" + deregB + "\n" + setting),
		absent: []string{"todereg-not-first"}},

	// params-for-removed-slot
	{name: "params-for-removed-slot/settings-of-a-slot-no-add_hs-names", doc: nvm(dnphs + "\n" + addA + "\n" + authB + "\n" + authB),
		want: []at{{"params-for-removed-slot", Error, 6, 1}}},
	{name: "params-for-removed-slot/not-when-add_hs-names-it", doc: nvm(dnphs + "\n" + addA + "\n" + `<param name="SipAccount.029E74A599.AuthName" value="a"/>`),
		absent: []string{"params-for-removed-slot"}},
	{name: "params-for-removed-slot/not-under-any-mention", opt: reading("dnphs-keeps", "any-mention"),
		doc: nvm(dnphs + "\n" + addA + "\n" + authB), absent: []string{"params-for-removed-slot"}},
	{name: "params-for-removed-slot/not-without-dnphs", doc: nvm(addA + "\n" + authB), absent: []string{"params-for-removed-slot"}},
	{name: "params-for-removed-slot/not-for-an-ignored-dnphs", doc: nvm(addA + "\n" + dnphs + "\n" + authB),
		absent: []string{"params-for-removed-slot"}},
	{name: "params-for-removed-slot/not-for-a-todereg", doc: nvm(dnphs + "\n" + addA + "\n" + `<param name="hs.02b6ec8aa5.RegStatus" value="ToDeReg"/>`),
		absent: []string{"params-for-removed-slot"}},
	{name: "duplicate-param/two-values", doc: nvm(setting + "\n" + `<param name="Telephony.0.ToneScheme" value="France"/>`),
		want: []at{{"duplicate-param", Warning, 5, 1}}},
	{name: "duplicate-param/per-slot-case", doc: nvm(`<param name="hs.029e74a599.DECT_AC" value="1"/>` + "\n" + `<param name="hs.029E74A599.DECT_AC" value="2"/>`),
		want: []at{{"duplicate-param", Warning, 5, 1}}},
	{name: "duplicate-param/not-for-same-value", doc: nvm(setting + "\n" + setting), absent: []string{"duplicate-param"}},
	{name: "bad-value/RegStart", doc: nvm("<oper name=\"update_dm\" value=\"local\">\n  <param name=\"RegStart\" value=\"soon\"/>\n  <param name=\"RegDuration\" value=\"900\"/>\n</oper>"),
		want: []at{{"bad-value", Warning, 5, 3}}},
	{name: "bad-value/RegDuration-beyond-100-years", doc: nvm("<oper name=\"update_dm\" value=\"local\">\n  <param name=\"RegStart\" value=\"1767225600\"/>\n  <param name=\"RegDuration\" value=\"9300000000\"/>\n</oper>"),
		want: []at{{"bad-value", Warning, 6, 3}}},
	{name: "bad-value/RegDuration-of-100-years-is-fine", doc: nvm(`<oper name="update_dm" value="local"><param name="RegStart" value="1767225600"/><param name="RegDuration" value="3153600000"/></oper>`),
		absent: []string{"bad-value"}},
	{name: "bad-value/update_dm-without-duration", doc: nvm(`<oper name="update_dm" value="local"><param name="RegStart" value="1"/></oper>`),
		want: []at{{"bad-value", Warning, 4, 1}}},
	{name: "bad-value/period", doc: nvm(`<param name="Provisioning.global.Period" value="daily"/>`),
		want: []at{{"bad-value", Warning, 4, 1}}},
	{name: "missing-name/param", doc: nvm(`<param value="1"/>`),
		want: []at{{"missing-name", Warning, 4, 1}}, absent: []string{"bad-param-name"}},
	{name: "unknown-param/add_hs-child", doc: nvm("<oper name=\"add_hs\" value=\"00001\">\n  <param name=\"SipAccount.AuthName\" value=\"u\"/>\n</oper>"),
		want: []at{{"unknown-param", Warning, 5, 3}}},
	{name: "regstatus-outside-add-hs/top-level", doc: nvm(`<param name="hs.RegStatus" value="ToReg"/>`),
		want: []at{{"regstatus-outside-add-hs", Warning, 4, 1}}, absent: []string{"bad-param-name"}},
	{name: "outside-nvm/param", doc: "<provisioning version=\"1.1\" productID=\"e2\">\n  " + setting + "\n</provisioning>",
		want: []at{{"outside-nvm", Warning, 2, 3}}, absent: []string{"no-nvm"}},
	{name: "unknown-element/custom", doc: nvm(setting + "\n<custom/>"),
		want: []at{{"unknown-element", Warning, 5, 1}}},
	{name: "duplicate-section/second-nvm", doc: "<provisioning version=\"1.1\" productID=\"e2\">\n<nvm>" + setting + "</nvm>\n<nvm>" + addA + "</nvm>\n</provisioning>",
		want: []at{{"duplicate-section", Warning, 3, 1}}},
}

func addHSs(n int) string {
	lines := make([]string, n)
	for i := range lines {
		lines[i] = fmt.Sprintf(`<oper name="add_hs" value="%05d"/>`, i+1)
	}
	return strings.Join(lines, "\n")
}

// TestEveryCode proves each rule with a document that triggers it (code,
// severity and line:col) and one that must not.
func TestEveryCode(t *testing.T) {
	for _, tc := range ruleCases {
		t.Run(tc.name, func(t *testing.T) {
			fs := run(t, tc.doc, tc.opt)
			for _, w := range tc.want {
				found := false
				for _, f := range fs {
					if f.Code == w.code && f.Pos.Line == w.line && f.Pos.Col == w.col {
						require.Equal(t, w.sev, f.Severity, "severity of %s", f)
						require.Equal(t, "t.xml", f.File)
						require.NotEmpty(t, f.Msg)
						found = true
					}
				}
				require.True(t, found, "want %s at %d:%d; got:\n%s", w.code, w.line, w.col, dump(fs))
			}
			for _, c := range tc.absent {
				require.NotContains(t, codes(fs), c, "got:\n%s", dump(fs))
			}
		})
	}
}

// TestEveryContractCodeIsProved keeps the table above covering every
// finding code of the contract.
func TestEveryContractCodeIsProved(t *testing.T) {
	contract := map[string]Severity{
		"xml-syntax": Error, "not-provisioning": Error, "product-id": Error, "dnphs-not-first": Error,
		"delete-hs-unsupported": Error, "ipui-case": Error, "bad-ipui": Warning, "duplicate-slot": Warning,
		"contradiction": Error, "capacity": Error, "bad-regstatus": Error, "empty-value": Warning,
		"period-too-short": Warning, "unknown-oper": Warning, "bad-firmware-version": Warning, "bad-param-name": Warning,
		"params-for-removed-slot": Error, "todereg-not-first": Warning, "bad-time-of-day": Warning,
	}
	triggered, spared := map[string]bool{}, map[string]bool{}
	for _, tc := range ruleCases {
		for _, w := range tc.want {
			triggered[w.code] = true
			// ipui-case: an error on 2.36.x, a warning from 2.37.0;
			// todereg-not-first: an error under todereg-position=top.
			if w.code != "ipui-case" && !(w.code == "todereg-not-first" && tc.opt.Readings["todereg-position"] == "top") {
				if sev, ok := contract[w.code]; ok {
					require.Equal(t, sev, w.sev, "%s: contract severity of %s", tc.name, w.code)
				}
			}
		}
		for _, c := range tc.absent {
			spared[c] = true
		}
	}
	for code := range contract {
		require.True(t, triggered[code], "no case triggers %s", code)
		require.True(t, spared[code], "no case proves %s is not over-reported", code)
	}
}

// TestDeleteHSMessageSaysWhatHappens checks the message names the firmware,
// the version that added delete_hs, and the handset that stays.
func TestDeleteHSMessageSaysWhatHappens(t *testing.T) {
	doc := "<provisioning version=\"1.1\" productID=\"e2\">\n<firmware><file version=\"2.36.0\" url=\"http://x/fw.bin\"/></firmware>\n<nvm>\n" + delB + "\n</nvm>\n</provisioning>"
	fs := run(t, doc, fw("2.35.0"))
	require.Len(t, fs, 1, dump(fs))
	require.Equal(t, "t.xml:4:1: error: delete-hs-unsupported: firmware 2.35.0 does not know delete_hs (added in 2.36.0): "+
		"the system ignores it and 02b6ec8aa5 stays registered; this file's <firmware> upgrades to 2.36.0, "+
		"but the upgrade lands after <nvm> is applied, so send delete_hs again once the system runs it "+
		"(hs.02b6ec8aa5.RegStatus=ToDeReg deregisters it gracefully on any firmware)", fs[0].String())
}

// TestCapacityMessageSaysHowMany checks the one capacity finding counts
// the slots and names the limit.
func TestCapacityMessageSaysHowMany(t *testing.T) {
	fs := run(t, nvm(addHSs(12)), Options{Product: "N610"})
	var got []Finding
	for _, f := range fs {
		if f.Code == "capacity" {
			got = append(got, f)
		}
	}
	require.Len(t, got, 1, dump(fs))
	require.Contains(t, got[0].Msg, "adds 12 distinct slots")
	require.Contains(t, got[0].Msg, "N610 holds 8")
	require.Contains(t, got[0].Msg, "00009")

	fs = run(t, nvm(addHSs(3)), Options{Product: "VI", MaxHandsets: 2})
	require.Contains(t, dump(fs), "VI (max-handsets) holds 2 handsets")
}

// TestFindingString pins the output format of `dectsim check`.
func TestFindingString(t *testing.T) {
	f := Finding{File: "a/b.xml", Pos: provfile.Pos{Line: 12, Col: 5}, Severity: Warning, Code: "bad-param-name", Msg: "m: x"}
	require.Equal(t, "a/b.xml:12:5: warning: bad-param-name: m: x", f.String())
	f.Severity = Error
	require.Equal(t, "a/b.xml:12:5: error: bad-param-name: m: x", f.String())
}

// TestBadOptions: only bad Options are errors.
func TestBadOptions(t *testing.T) {
	for _, o := range []Options{{Product: "N510"}, {Firmware: "x.xx"}, {Firmware: "2"}, {MaxHandsets: -1}} {
		_, err := Check("t.xml", []byte(nvm(setting)), o)
		require.Error(t, err, "%+v", o)
		_, err = CheckFile(filepath.Join(t.TempDir(), "absent.xml"), o)
		require.Error(t, err, "%+v", o)
	}
	for _, o := range []Options{{}, {Product: "n870e"}, {Firmware: "2.36"}, {Firmware: "V2.35.1"}, {Product: "VI", MaxHandsets: 7}} {
		_, err := Check("t.xml", []byte(nvm(setting)), o)
		require.NoError(t, err, "%+v", o)
	}
	// An unreadable document is a finding, never an error.
	fs, err := Check("t.xml", []byte("<provisioning"), Options{})
	require.NoError(t, err)
	require.True(t, Unreadable(fs))
}

// TestCheckFile names findings by path and returns I/O errors as errors.
func TestCheckFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "p.xml")
	require.NoError(t, os.WriteFile(p, []byte(nvm(`<param name="MWISubscription" value="1"/>`)), 0o600))
	fs, err := CheckFile(p, Options{})
	require.NoError(t, err)
	require.Len(t, fs, 1)
	require.Equal(t, p+":4:1: warning: bad-param-name", strings.Join(strings.SplitN(fs[0].String(), ": ", 4)[:3], ": "))

	_, err = CheckFile(filepath.Join(dir, "missing.xml"), Options{})
	require.ErrorIs(t, err, os.ErrNotExist)
	_, err = CheckFile(dir, Options{}) // a directory cannot be read
	require.Error(t, err)
}

// TestHasErrorsAndUnreadable: the exit code of `dectsim check` rests on them.
func TestHasErrorsAndUnreadable(t *testing.T) {
	require.False(t, HasErrors(nil))
	require.False(t, Unreadable(nil))
	w := Finding{Severity: Warning, Code: "empty-value"}
	e := Finding{Severity: Error, Code: "contradiction"}
	require.False(t, HasErrors([]Finding{w}))
	require.True(t, HasErrors([]Finding{w, e}))
	require.False(t, Unreadable([]Finding{w, e}))
	for _, c := range []string{"xml-syntax", "not-provisioning", "limit"} {
		require.True(t, Unreadable([]Finding{w, {Severity: Error, Code: c}}), c)
	}
}

// TestSortedByPosition: findings come in file order, then by code.
func TestSortedByPosition(t *testing.T) {
	doc := nvm(setting + "\n" + `<oper name="add_hs" value="1234567890123"/>` + "\n" + dnphs + "\n" +
		`<param name="hs.1234567890123.RegStatus" value="Bad"/>` + "\n" + `<param name="X" value=""/>`)
	fs := run(t, doc, Options{})
	require.True(t, sort.SliceIsSorted(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.Pos.Line != b.Pos.Line {
			return a.Pos.Line < b.Pos.Line
		}
		if a.Pos.Col != b.Pos.Col {
			return a.Pos.Col < b.Pos.Col
		}
		return a.Code < b.Code
	}), dump(fs))
	require.Equal(t, []string{"bad-ipui", "dnphs-not-first", "bad-regstatus", "bad-param-name", "empty-value"}, codes(fs))
}

// TestNx70FilesHaveNoErrors: real server output for the Nx70 family gives
// no error-level finding on an N870 with 2.65.0, and only the real defects
// of a PHP generator as warnings.
func TestNx70FilesHaveNoErrors(t *testing.T) {
	nx70NoErrors(t, testfiles.OwnFiles(t, "nx70"), "php-one-line")
}

func TestCorpusNX70NoErrors(t *testing.T) {
	nx70NoErrors(t, testfiles.SharedFiles(t, "nx70"), "calloracti")
}

// nx70NoErrors checks files; the one whose name contains php is the PHP
// generator's, with its three real defects.
func nx70NoErrors(t *testing.T, files []string, php string) {
	sawPHP := false
	for _, p := range files {
		fs, err := CheckFile(p, Options{})
		require.NoError(t, err)
		require.False(t, HasErrors(fs), "%s:\n%s", p, dump(fs))
		require.False(t, Unreadable(fs), p)
		for _, f := range fs {
			require.Equal(t, Warning, f.Severity, f.String())
			require.Equal(t, p, f.File)
		}
		if strings.Contains(filepath.Base(p), php) {
			sawPHP = true
			// The bare MWISubscription, the placeholder firmware, and the empty
			// OutboundProxyAddress Gigaset warns about.
			require.ElementsMatch(t, []string{"bad-firmware-version", "empty-value", "bad-param-name"}, codes(fs), dump(fs))
			for _, f := range fs {
				switch f.Code {
				case "bad-firmware-version":
					require.Contains(t, f.Msg, `"x.xx"`)
				case "bad-param-name":
					require.Contains(t, f.Msg, `"MWISubscription"`)
				case "empty-value":
					require.Contains(t, f.Msg, "SipProvider.0.OutboundProxyAddress")
				}
			}
			continue
		}
		// A PBX's complete file: placeholder ids, update_dm, the stray
		// "-->" text, params in comments: all fine.
		require.Empty(t, fs, "%s:\n%s", p, dump(fs))
	}
	require.True(t, sawPHP, "no file named *%s* among %v", php, files)
}

// TestOtherProductsUnreadable: N510/N720 ProviderFrame files are refused
// as unreadable with a message that says what they are.
func TestOtherProductsUnreadable(t *testing.T) {
	otherProductsUnreadable(t, testfiles.OwnFiles(t, "other-products"))
}

func TestCorpusOtherProductsUnreadable(t *testing.T) {
	otherProductsUnreadable(t, testfiles.SharedFiles(t, "other-products"))
}

func otherProductsUnreadable(t *testing.T, files []string) {
	for _, p := range files {
		fs, err := CheckFile(p, Options{})
		require.NoError(t, err)
		require.True(t, Unreadable(fs), p)
		require.True(t, HasErrors(fs), p)
		require.Len(t, fs, 1, dump(fs))
		require.Contains(t, []string{"xml-syntax", "not-provisioning"}, fs[0].Code)
		require.Equal(t, Error, fs[0].Severity)
		require.Contains(t, fs[0].Msg, "N510/N720", fs[0].String())
		if fs[0].Code == "xml-syntax" {
			require.Contains(t, fs[0].Msg, "not well-formed")
			require.NotContains(t, fs[0].Msg, "not well-formed XML: not well-formed XML")
		}
	}
}

// TestVendorShapes: the fragment and the version 1.0 chain files are
// unreadable with a message naming why; the version 1.1 files have no
// error.
func TestVendorShapes(t *testing.T) {
	vendorShapes(t, testfiles.OwnFiles(t, "vendor-shapes"), "fragment-", "chain-")
}

func TestCorpusWikiExamples(t *testing.T) {
	vendorShapes(t, testfiles.SharedFiles(t, "wiki-examples"), "s8-", "s3-")
}

func vendorShapes(t *testing.T, files []string, fragment, chain string) {
	var sawFragment, sawChain bool
	for _, p := range files {
		base := filepath.Base(p)
		fs, err := CheckFile(p, Options{})
		require.NoError(t, err)
		switch {
		case strings.HasPrefix(base, fragment):
			sawFragment = true
			require.True(t, Unreadable(fs), base)
			require.Len(t, fs, 1)
			require.Equal(t, "not-provisioning", fs[0].Code)
			require.Contains(t, fs[0].Msg, "fragment")
			require.Contains(t, fs[0].Msg, "<nvm>")
		case strings.HasPrefix(base, chain):
			sawChain = true
			require.True(t, Unreadable(fs), base)
			require.Len(t, fs, 1)
			require.Equal(t, "not-provisioning", fs[0].Code)
			require.Contains(t, fs[0].Msg, "version 1.0 three-file chain")
		default:
			require.False(t, HasErrors(fs), "%s:\n%s", base, dump(fs))
			require.False(t, Unreadable(fs), base)
		}
	}
	require.True(t, sawFragment && sawChain, "%v", files)
}

// TestSharedCodesKeepTheirSpelling: where lint and the system speak of
// the same thing, lint reports system's own constant, so the two agree by
// construction; their spellings are a contract of both.
func TestSharedCodesKeepTheirSpelling(t *testing.T) {
	for code, want := range map[string]string{
		system.WarnDNPHSNotFirst:        "dnphs-not-first",
		system.WarnDeleteHSUnsupported:  "delete-hs-unsupported",
		system.WarnIPUICase:             "ipui-case",
		system.WarnCapacity:             "capacity",
		system.WarnUnknownOper:          "unknown-oper",
		system.WarnBadFirmwareVersion:   "bad-firmware-version",
		system.WarnBadRegStatus:         "bad-regstatus",
		system.WarnBadIPUI:              "bad-ipui",
		system.WarnBadValue:             "bad-value",
		system.WarnMissingName:          "missing-name",
		system.WarnRegStatusOutsideOper: "regstatus-outside-add-hs",
		system.WarnUnknownParam:         "unknown-param",
		system.WarnBadTimeOfDay:         "bad-time-of-day",
	} {
		require.Equal(t, want, code)
	}
}

// TestWarningsAgreeWithSystem applies documents to an empty system and
// requires that every warning the system gives about the file itself (not
// about its own state) is a finding at the same place with the same code,
// and the other way round.
func TestWarningsAgreeWithSystem(t *testing.T) {
	static := map[string]bool{
		system.WarnDNPHSNotFirst: true, system.WarnDeleteHSUnsupported: true, system.WarnUnknownOper: true,
		system.WarnBadFirmwareVersion: true, system.WarnBadRegStatus: true, system.WarnMissingName: true,
		system.WarnUnknownParam: true, system.WarnRegStatusOutsideOper: true, CodeOutsideNVM: true,
		CodeUnknownElement: true, CodeDuplicateSection: true,
	}
	docs := []struct {
		doc string
		fw  string
		max int
	}{
		{nvm(setting + "\n" + dnphs + "\n" + addA + "\n" + dnphs), "", 0},
		{nvm(delB + "\n" + `<oper name="reboot"/>` + "\n" + `<oper value="x"/>`), "2.35.0", 0},
		{"<provisioning version=\"1.1\" productID=\"e2\">\n<firmware><file version=\"x.xx\"/><file version=\"\"/></firmware>\n" + setting + "\n<custom/>\n<nvm>" + addA + "</nvm><nvm/><firmware/>\n</provisioning>", "", 0},
		{nvm(`<param name="hs.00001.RegStatus" value="Gone"/>` + "\n" + "<oper name=\"add_hs\" value=\"00002\"><param name=\"hs.RegStatus\" value=\"Nope\"/><param name=\"SipAccount.X\" value=\"1\"/><param value=\"1\"/></oper>"), "", 0},
		{nvm(`<param value="1"/>` + "\n" + `<param name="hs.RegStatus" value="ToReg"/>`), "", 0},
	}
	for i, d := range docs {
		opts := []system.Option{system.WithMaxHandsets(d.max)}
		if d.fw != "" {
			opts = append(opts, system.WithFirmware(d.fw))
		}
		s, err := system.New(opts...)
		require.NoError(t, err)
		_, err = s.Apply("t.xml", []byte(d.doc))
		require.NoError(t, err)
		var sys []string
		for _, e := range s.Events() {
			if e.Type == system.EvWarning && static[e.Code] {
				sys = append(sys, fmt.Sprintf("%d:%d %s", e.Line, e.Col, e.Code))
			}
		}
		fs := run(t, d.doc, Options{Firmware: d.fw, MaxHandsets: d.max})
		var lint []string
		for _, f := range fs {
			if static[f.Code] {
				lint = append(lint, fmt.Sprintf("%d:%d %s", f.Pos.Line, f.Pos.Col, f.Code))
			}
		}
		require.NotEmpty(t, sys, "doc %d", i)
		require.ElementsMatch(t, sys, lint, "doc %d:\n%s", i, dump(fs))
	}
}

// TestBadTimeOfDayAgreesWithSystem: a PeriodStart or PeriodEnd that is
// not HH:MM is one system warning and one finding, same place, same code.
func TestBadTimeOfDayAgreesWithSystem(t *testing.T) {
	doc := nvm(`<param name="Provisioning.global.PeriodStart" value="25:00"/>` + "\n" +
		`<param name="Provisioning.global.PeriodEnd" value="04:00"/>` + "\n" +
		`<param name="Provisioning.global.PeriodEnd" value="4 pm"/>`)
	s, err := system.New()
	require.NoError(t, err)
	_, err = s.Apply("t.xml", []byte(doc))
	require.NoError(t, err)
	var sys []string
	for _, e := range s.Events() {
		if e.Type == system.EvWarning && e.Code == system.WarnBadTimeOfDay {
			sys = append(sys, fmt.Sprintf("%d:%d", e.Line, e.Col))
			require.Contains(t, e.Detail, "Provisioning.global.Period")
		}
	}
	var lint []string
	for _, f := range run(t, doc, Options{}) {
		if f.Code == CodeBadTimeOfDay {
			lint = append(lint, fmt.Sprintf("%d:%d", f.Pos.Line, f.Pos.Col))
		}
	}
	require.Equal(t, []string{"4:1", "6:1"}, sys)
	require.Equal(t, sys, lint)
	v, _ := s.Setting("Provisioning.global.PeriodStart")
	require.Equal(t, "25:00", v, "stored as written")
}

// TestCapacityAgreesWithSystem: the one capacity finding sits where an
// empty system refuses its first slot.
func TestCapacityAgreesWithSystem(t *testing.T) {
	doc := nvm(addHSs(5))
	s, err := system.New(system.WithMaxHandsets(3))
	require.NoError(t, err)
	_, err = s.Apply("t.xml", []byte(doc))
	require.NoError(t, err)
	var refused []string
	for _, e := range s.Events() {
		if e.Type == system.EvWarning && e.Code == system.WarnCapacity {
			refused = append(refused, fmt.Sprintf("%d:%d", e.Line, e.Col))
		}
	}
	require.Equal(t, []string{"7:1", "8:1"}, refused)
	fs := run(t, doc, Options{MaxHandsets: 3})
	require.Len(t, fs, 1, dump(fs))
	require.Equal(t, "t.xml:7:1: error: capacity: this file adds 5 distinct slots and N870 (max-handsets) holds 3 handsets: "+
		"the system refuses add_hs 00004 here and the new slot after it, even on an empty handset list", fs[0].String())
}

// TestDNPHSPlacementAgreesWithSystemUnderEveryReading: wherever a file
// puts DeleteNotProvisionedHS, and whichever dnphs-position is in force,
// check and the system give one finding with one code and the same
// message, and check reports nothing where the system honours it.
func TestDNPHSPlacementAgreesWithSystemUnderEveryReading(t *testing.T) {
	placements := map[string]string{
		"top-of-provisioning":    outside(dnphs, addA),
		"first-of-nvm":           nvm(dnphs + "\n" + addA),
		"after-outside-param":    outside(setting, dnphs+"\n"+addA),
		"after-add_hs":           nvm(addA + "\n" + dnphs),
		"second-one":             nvm(dnphs + "\n" + addA + "\n" + dnphs),
		"outside-after-add_hs":   "<provisioning version=\"1.1\" productID=\"e2\">\n<nvm>\n" + addA + "\n</nvm>\n" + dnphs + "\n</provisioning>\n",
		"no-nvm-items-before-it": outside("", dnphs),
	}
	pick := map[string]bool{system.WarnDNPHSNotFirst: true, CodeOutsideNVM: true}
	for name, doc := range placements {
		for _, pos := range []string{"first", "nvm-first", "anywhere"} {
			s, err := system.New(system.WithReading("dnphs-position", pos))
			require.NoError(t, err)
			_, err = s.Apply("t.xml", []byte(doc))
			require.NoError(t, err)
			var sys, lint []string
			for _, e := range s.Events() {
				if e.Type == system.EvWarning && pick[e.Code] {
					sys = append(sys, fmt.Sprintf("%d:%d %s %s", e.Line, e.Col, e.Code, msgOf(e.Code, e.Detail)))
				}
			}
			for _, f := range run(t, doc, reading("dnphs-position", pos)) {
				if pick[f.Code] {
					lint = append(lint, fmt.Sprintf("%d:%d %s %s", f.Pos.Line, f.Pos.Col, f.Code, msgOf(f.Code, f.Msg)))
				}
			}
			require.Equal(t, sys, lint, "%s under dnphs-position=%s", name, pos)
		}
	}
}

// msgOf keeps the message where run and check say the same words:
// dnphs-not-first; lint adds advice to outside-nvm.
func msgOf(code, msg string) string {
	if code == system.WarnDNPHSNotFirst {
		return msg
	}
	return ""
}

// TestParamsForRemovedSlotAgreesWithSystem: on a system that holds a slot
// for every key the file names, check's params-for-removed-slot sits
// where the system warns, under each dnphs-keeps.
func TestParamsForRemovedSlotAgreesWithSystem(t *testing.T) {
	doc := nvm(dnphs + "\n" + addA + "\n" + authB + "\n" + `<param name="hs.00007.DECT_AC" value="1234"/>` + "\n" + authB +
		"\n" + `<param name="SipAccount.029e74a599.AuthName" value="a"/>`)
	for _, keeps := range []string{"add-hs", "any-mention"} {
		s, err := system.New(system.WithReading("dnphs-keeps", keeps))
		require.NoError(t, err)
		for _, id := range []string{"029e74a599", "02b6ec8aa5"} {
			require.NoError(t, s.AddHandset(system.HandsetSpec{IPUI: id, State: system.Registered}))
		}
		_, err = s.Apply("t.xml", []byte(nvm(`<oper name="add_hs" value="00007"/>`)))
		require.NoError(t, err)
		_, err = s.Apply("t.xml", []byte(doc))
		require.NoError(t, err)
		var sys, lint []string
		for _, e := range s.Events() {
			if e.Code == system.WarnParamsForRemovedSlot {
				sys = append(sys, fmt.Sprintf("%d:%d", e.Line, e.Col))
			}
		}
		for _, f := range run(t, doc, reading("dnphs-keeps", keeps)) {
			if f.Code == system.WarnParamsForRemovedSlot {
				lint = append(lint, fmt.Sprintf("%d:%d", f.Pos.Line, f.Pos.Col))
			}
		}
		want := []string{"6:1", "7:1"}
		if keeps == "any-mention" {
			want = nil
		}
		require.Equal(t, want, sys, keeps)
		require.Equal(t, want, lint, keeps)
	}
}

// TestToDeRegPositionAgreesWithSystem: under each todereg-position, check
// reports todereg-not-first where the system ignores a ToDeReg (top) and
// only there; under anywhere the system honours it and warns of nothing.
func TestToDeRegPositionAgreesWithSystem(t *testing.T) {
	doc := nvm(deregB + "\n" + setting + "\n" + `<param name="hs.029e74a599.RegStatus" value="ToDeReg"/>`)
	for _, pos := range []string{"anywhere", "top"} {
		s, err := system.New(system.WithReading("todereg-position", pos))
		require.NoError(t, err)
		for _, id := range []string{"029e74a599", "02b6ec8aa5"} {
			require.NoError(t, s.AddHandset(system.HandsetSpec{IPUI: id, State: system.Registered, OutOfRange: true}))
		}
		_, err = s.Apply("t.xml", []byte(doc))
		require.NoError(t, err)
		var sys, lint []string
		for _, e := range s.Events() {
			if e.Code == system.WarnToDeRegNotFirst {
				sys = append(sys, fmt.Sprintf("%d:%d %s", e.Line, e.Col, e.Detail))
			}
		}
		for _, f := range run(t, doc, reading("todereg-position", pos)) {
			if f.Code == system.WarnToDeRegNotFirst && f.Severity == Error {
				lint = append(lint, fmt.Sprintf("%d:%d %s", f.Pos.Line, f.Pos.Col, f.Msg))
			}
		}
		require.Equal(t, sys, lint, pos)
		if pos == "top" {
			require.Len(t, sys, 1)
			require.Equal(t, system.ToDeReg, s.SlotState("02b6ec8aa5"), "the one in the leading run counts")
			require.Equal(t, system.Registered, s.SlotState("029e74a599"))
		} else {
			require.Equal(t, system.ToDeReg, s.SlotState("029e74a599"))
		}
	}
}

// TestIPUICaseEverywhereAgreesWithSystem: where every IPUI matches only in
// lower case, check reports ipui-case where the system does.
func TestIPUICaseEverywhereAgreesWithSystem(t *testing.T) {
	doc := nvm(dnphs + "\n" + `<oper name="add_hs" value="029E74A599"/>` + "\n" + `<param name="SipAccount.02B6EC8AA5.AuthName" value="b"/>` +
		"\n" + `<oper name="delete_hs" value="0311223344"/>` + "\n" + `<oper name="add_hs" value="0455667788"/>`)
	s, err := system.New(system.WithFirmware("2.36.2"), system.WithReading("ipui-case", "everywhere"))
	require.NoError(t, err)
	for _, id := range []string{"029e74a599", "02b6ec8aa5", "0311223344"} {
		require.NoError(t, s.AddHandset(system.HandsetSpec{IPUI: id, State: system.Registered}))
	}
	_, err = s.Apply("t.xml", []byte(doc))
	require.NoError(t, err)
	var sys, lint []string
	for _, e := range s.Events() {
		if e.Code == system.WarnIPUICase {
			sys = append(sys, fmt.Sprintf("%d:%d", e.Line, e.Col))
		}
	}
	fs := run(t, doc, Options{Firmware: "2.36.2", Readings: map[string]string{"ipui-case": "everywhere"}})
	for _, f := range fs {
		if f.Code == system.WarnIPUICase {
			lint = append(lint, fmt.Sprintf("%d:%d", f.Pos.Line, f.Pos.Col))
		}
	}
	require.Equal(t, []string{"5:1", "6:1"}, sys)
	require.Equal(t, sys, lint)
	require.Equal(t, system.ToDeReg, s.SlotState("029e74a599"), "an upper-case add_hs does not keep the handset")
	require.NotContains(t, codes(fs), CodeDNPHSRemovesAll, "the lower-case add_hs keeps one")
}

func TestContradictionSaysWhatDeregUndoChanges(t *testing.T) {
	doc := nvm(`<param name="hs.029e74a599.RegStatus" value="ToDeReg"/>` + "\n" + addA)
	for undo, want := range map[string]string{
		"none":           "add_hs does not bring it back",
		"add-hs-cancels": "under dereg-undo=add-hs-cancels the add_hs takes back the deregistration of a slot whose handset is not connected",
	} {
		var msg string
		for _, f := range run(t, doc, reading("dereg-undo", undo)) {
			if f.Code == CodeContradiction {
				msg = f.Msg
			}
		}
		require.Contains(t, msg, want, undo)
	}
}

// TestNoSuchDMAgreesWithSystem: check warns no-such-dm where the system
// with those DMs does, with the same message, under both values of
// update-dm-scope.
func TestNoSuchDMAgreesWithSystem(t *testing.T) {
	doc := nvm(`<oper name="update_dm" value="local"><param name="RegStart" value="1"/><param name="RegDuration" value="9"/></oper>` + "\n" +
		`<oper name="update_dm" value="first"><param name="RegStart" value="1"/><param name="RegDuration" value="9"/></oper>`)
	for _, scope := range []string{"named", "all"} {
		rd := map[string]string{"update-dm-scope": scope}
		for _, dms := range [][]string{nil, {"ground", "first"}} {
			opts := []system.Option{system.WithProduct("VI"), system.WithReading("update-dm-scope", scope)}
			for _, d := range dms {
				opts = append(opts, system.WithDM(system.DMSpec{ID: d}))
			}
			s, err := system.New(opts...)
			require.NoError(t, err)
			_, err = s.Apply("t.xml", []byte(doc))
			require.NoError(t, err)
			var sys []string
			for _, e := range s.FindEvents(system.EventQuery{Type: system.EvWarning, Outcome: system.WarnNoSuchDM}) {
				sys = append(sys, fmt.Sprintf("%d:%d %s", e.Line, e.Col, e.Detail))
			}
			var lint []string
			for _, f := range run(t, doc, Options{Product: "VI", DMs: dms, Readings: rd}) {
				if f.Code == system.WarnNoSuchDM {
					require.Equal(t, Warning, f.Severity)
					lint = append(lint, fmt.Sprintf("%d:%d %s", f.Pos.Line, f.Pos.Col, f.Msg))
				}
			}
			require.Equal(t, sys, lint, "scope %s, DMs %v", scope, dms)
			if scope == "named" {
				require.Len(t, lint, 1, "one of the two names a DM the system does not have, DMs %v", dms)
			} else {
				require.Empty(t, lint)
			}
		}
	}
}

// TestSIPAccountIncompleteIsWhereTheSystemRegistersNothing: check warns
// once per account the system would not register, at its first param,
// and not for a complete one.
func TestSIPAccountIncompleteIsWhereTheSystemRegistersNothing(t *testing.T) {
	doc := nvm(`<param name="SipProvider.0.Domain" value="pbx.example.net"/>` + "\n" +
		`<param name="SipAccount.029e74a599.UserName" value="1001"/>` + "\n" +
		`<param name="SipAccount.02b6ec8aa5.AuthName" value="1002"/>` + "\n" +
		`<param name="SipAccount.02b6ec8aa5.DisplayName" value="Bob"/>` + "\n" +
		`<param name="SipAccount.0311223344.UserName" value="1003"/>` + "\n" +
		`<param name="SipAccount.0311223344.ProviderId" value="1"/>`)
	var got []string
	for _, f := range run(t, doc, Options{}) {
		if f.Code == CodeSIPAccountIncomplete {
			require.Equal(t, Warning, f.Severity)
			got = append(got, fmt.Sprintf("%d:%d %s", f.Pos.Line, f.Pos.Col, f.Msg[:strings.Index(f.Msg, ",")]))
		}
	}
	require.Equal(t, []string{
		"6:1 SipAccount.02b6ec8aa5: it has no UserName",
		"8:1 SipAccount.0311223344: its provider SipProvider.1 has neither Domain nor RegServerAddress",
	}, got)

	s, err := system.New()
	require.NoError(t, err)
	for _, ip := range []string{"029e74a599", "02b6ec8aa5", "0311223344"} {
		require.NoError(t, s.AddHandset(system.HandsetSpec{IPUI: ip, State: system.Registered}))
	}
	_, err = s.Apply("t.xml", []byte(doc))
	require.NoError(t, err)
	require.NoError(t, s.Advance(time.Minute))
	var registered []string
	for _, e := range s.FindEvents(system.EventQuery{Type: system.EvSIPRegistered}) {
		registered = append(registered, e.IPUI)
	}
	require.Equal(t, []string{"029e74a599"}, registered, "the system registers exactly the accounts check does not warn about")
}
