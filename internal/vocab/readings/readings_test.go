package readings

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dectsim/dectsim/internal/provfile"
	"github.com/dectsim/dectsim/internal/vocab/firmware"
)

func TestEveryReadingHasItsDefaultFirstAndSaysWhatEachValueDoes(t *testing.T) {
	want := []string{DNPHSPosition, DNPHSKeeps, ToDeRegPosition, IPUICase, CaseFixedIn, DeregUndo, GhostReregister, DetectDelay, UpdateDMScope}
	require.Equal(t, want, All.Names())
	for _, r := range All {
		require.NotEmpty(t, r.Values, r.Name)
		require.Equal(t, r.Default, r.Values[0], "%s: the default comes first", r.Name)
		require.Len(t, r.Means, len(r.Values), r.Name)
		require.NotEmpty(t, r.Vendor, r.Name)
		require.NotEmpty(t, r.Source, r.Name)
		for _, v := range r.Values {
			got, err := r.Check(v)
			require.NoError(t, err, r.Name)
			require.Equal(t, v, got, "%s: its listed values are canonical", r.Name)
		}
	}
}

func TestOnlyDetectDelayNotesAProductDifference(t *testing.T) {
	for _, r := range All {
		if r.Name == DetectDelay {
			require.Contains(t, r.Products, "N610")
			continue
		}
		require.Empty(t, r.Products, r.Name)
	}
}

func TestABadValueIsAnErrorNamingWhatTheReadingTakes(t *testing.T) {
	for _, tc := range []struct{ name, value, want string }{
		{DNPHSPosition, "top", `dnphs-position="top" is not a value of this reading: it takes first, nvm-first or anywhere`},
		{DNPHSKeeps, "", `dnphs-keeps="" is not a value of this reading: it takes add-hs or any-mention`},
		{CaseFixedIn, "x.xx", `case-fixed-in="x.xx" is not a firmware version: it takes a firmware version MAJOR.MINOR.PATCH (e.g. 2.37.0, 2.66.0)`},
		{DetectDelay, "3 hours", `detect-delay="3 hours" is not a duration`},
		{DetectDelay, "-1h", `detect-delay="-1h" is negative`},
		{"dnphs-place", "first", `unknown reading "dnphs-place" (the readings are dnphs-position, dnphs-keeps, `},
	} {
		_, err := All.Check(tc.name, tc.value)
		require.ErrorContains(t, err, tc.want)
	}
}

func TestValuesAreCanonical(t *testing.T) {
	v, err := All.Check(CaseFixedIn, "2.40")
	require.NoError(t, err)
	require.Equal(t, "2.40.0", v)
	for in, want := range map[string]string{"180m": "3h", "90m": "1h30m", "90s": "1m30s", "0": "0s", "1h0m1s": "1h0m1s"} {
		v, err = All.Check(DetectDelay, in)
		require.NoError(t, err)
		require.Equal(t, want, v, in)
	}
}

func TestParseFlagReadsNameEqualsValue(t *testing.T) {
	n, v, err := All.ParseFlag("detect-delay=3h")
	require.NoError(t, err)
	require.Equal(t, []string{DetectDelay, "3h"}, []string{n, v})
	_, _, err = All.ParseFlag("detect-delay")
	require.ErrorContains(t, err, "is not NAME=VALUE")
	_, _, err = All.ParseFlag("ipui-case=lower")
	require.ErrorContains(t, err, "delete-hs or everywhere")
}

func TestResolveFillsInTheDefaults(t *testing.T) {
	d := Defaults()
	require.Equal(t, PositionFirst, d.DNPHSPosition)
	require.Equal(t, KeepsAddHS, d.DNPHSKeeps)
	require.False(t, d.ToDeRegTop || d.IPUICaseEverywhere || d.DeregUndo || d.GhostReregister)
	require.Equal(t, firmware.MustParse("2.37.0"), d.CaseFixedIn)
	require.Zero(t, d.DetectDelay)
	s, err := Resolve(map[string]string{DetectDelay: "3h", IPUICase: CaseEverywhere, CaseFixedIn: "2.40"})
	require.NoError(t, err)
	require.Equal(t, 3*time.Hour, s.DetectDelay)
	require.True(t, s.IPUICaseEverywhere)
	require.Equal(t, "case-fixed-in=2.40.0", s.Tag(CaseFixedIn))
	_, err = Resolve(map[string]string{"b": "1", "a": "1"})
	require.ErrorContains(t, err, `unknown reading "a"`, "errors come in name order")
}

func TestCaseSensitivityRunsFrom236UntilCaseFixedIn(t *testing.T) {
	s := Defaults()
	for v, want := range map[string]bool{"2.35.9": false, "2.36.0": true, "2.36.9": true, "2.37.0": false} {
		require.Equal(t, want, s.DeleteHSLowerCaseOnly(firmware.MustParse(v)), v)
		require.False(t, s.LowerCaseOnly(firmware.MustParse(v)), "%s: only delete_hs under the default", v)
	}
	s, _ = Resolve(map[string]string{IPUICase: CaseEverywhere, CaseFixedIn: "2.50.0"})
	require.True(t, s.LowerCaseOnly(firmware.MustParse("2.49.0")))
	require.False(t, s.LowerCaseOnly(firmware.MustParse("2.50.0")))
}

func items(t *testing.T, doc string) []provfile.Item {
	t.Helper()
	f, err := provfile.Parse("t.xml", []byte(doc))
	require.NoError(t, err)
	return f.Items
}

const (
	dn      = `<oper name="DeleteNotProvisionedHS"/>`
	setting = `<param name="Telephony.0.ToneScheme" value="Germany"/>`
	addA    = `<oper name="add_hs" value="029e74a599"/>`
)

func doc(outside, nvm string) string {
	return `<provisioning version="1.1" productID="e2">` + outside + `<nvm>` + nvm + `</nvm></provisioning>`
}

func TestWhichDeleteNotProvisionedHSCountsUnderEachPosition(t *testing.T) {
	cases := []struct {
		name, doc string
		// honoured index under first, nvm-first, anywhere
		want [3]int
	}{
		{"first-in-nvm", doc("", dn+addA), [3]int{0, 0, 0}},
		{"top-of-provisioning", doc(dn, addA), [3]int{0, -1, 0}},
		{"after-a-param-outside-nvm", doc(setting, dn+addA), [3]int{-1, 1, 1}},
		{"after-add_hs", doc("", addA+dn), [3]int{-1, -1, 1}},
	}
	for _, tc := range cases {
		for i, pos := range []string{PositionFirst, PositionNVMFirst, PositionAnywhere} {
			s, err := Resolve(map[string]string{DNPHSPosition: pos})
			require.NoError(t, err)
			its := items(t, tc.doc)
			h, ign := s.DNPHS(its)
			require.Equal(t, tc.want[i], h, "%s under %s", tc.name, pos)
			if h < 0 {
				require.Len(t, ign, 1, "%s under %s: the one it ignores is reported", tc.name, pos)
				require.Contains(t, ign[0].Msg, "dnphs-position="+pos)
			} else {
				require.Empty(t, ign)
			}
		}
	}
}

func TestIgnoredDeleteNotProvisionedHSMessageSaysWhereItStands(t *testing.T) {
	first := Defaults()
	_, ign := first.DNPHS(items(t, doc(setting+dn, addA)))
	require.Len(t, ign, 1)
	require.Equal(t, `DeleteNotProvisionedHS (directly under <provisioning>) is not the first <oper> or <param> of the document (<param name="Telephony.0.ToneScheme"> at 1:44 comes first): it is ignored (dnphs-position=first), so handsets missing from this file are not removed`, ign[0].Msg)
	nvmFirst, _ := Resolve(map[string]string{DNPHSPosition: PositionNVMFirst})
	_, ign = nvmFirst.DNPHS(items(t, doc(dn, addA)))
	require.Len(t, ign, 1)
	require.Contains(t, ign[0].Msg, "directly under <provisioning>, outside <nvm>")
	require.NotContains(t, ign[0].Msg, "not the first element of <nvm>")
	_, ign = first.DNPHS(items(t, doc("", dn+addA+dn)))
	require.Len(t, ign, 1)
	require.True(t, strings.HasPrefix(ign[0].Msg, "a second DeleteNotProvisionedHS: the one at 1:49 already acts"), ign[0].Msg)
	require.NotContains(t, ign[0].Msg, "not removed", "the first one did remove them")
}

func TestLeadingRunEndsAtTheFirstParamThatIsNotARegStatus(t *testing.T) {
	require.Equal(t, 3, LeadingRun(items(t, doc("", dn+`<param name="hs.x.RegStatus" value="ToDeReg"/>`+addA+setting+addA))))
	require.Equal(t, 0, LeadingRun(items(t, doc(setting, `<param name="hs.x.RegStatus" value="ToDeReg"/>`))))
	require.Equal(t, 1, LeadingRun(items(t, doc("", addA))))
}

func TestKeptFollowsDnphsKeepsAndIPUICase(t *testing.T) {
	its := items(t, doc("", dn+`<oper name="add_hs" value="02B6EC8AA5"/>`+
		`<param name="SipAccount.029e74a599.AuthName" value="a"/>`+
		`<param name="hs.0311223344.RegStatus" value="ToDeReg"/>`))
	addHS := Defaults()
	require.Equal(t, map[string]struct{}{"02b6ec8aa5": {}}, addHS.Kept(its, false))
	require.Empty(t, addHS.Kept(its, true), "upper case names nothing where only lower case matches")
	any, _ := Resolve(map[string]string{DNPHSKeeps: KeepsAnyMention})
	require.Equal(t, map[string]struct{}{"02b6ec8aa5": {}, "029e74a599": {}}, any.Kept(its, false),
		"a ToDeReg is no mention")
}

func TestASettingIsAMentionThatIsStored(t *testing.T) {
	its := items(t, doc("", `<param name="hs.x.RegStatus" value="ToReg"/><param name="hs.x.DECT_AC" value="1"/><param name="SipAccount.y.RegStatus" value="1"/>`))
	for i, want := range []bool{false, true, true} {
		_, mention := Mention(&its[i])
		_, setting := Setting(&its[i])
		require.True(t, mention, i)
		require.Equal(t, want, setting, i)
	}
}

// TestSettingsOfRemovedGroupsASlotsSettingsInFileOrder: the rule both the
// system and the linter report as params-for-removed-slot. Settings are
// grouped by the slot removed names, counted, and listed in the order the
// file first sets each slot; RegStatus is an instruction, not a setting;
// upper-case IPUIs name nothing where only lower case matches.
func TestSettingsOfRemovedGroupsASlotsSettingsInFileOrder(t *testing.T) {
	its := items(t, doc("", `<param name="hs.0311223344.DECT_AC" value="1"/>`+
		`<param name="SipAccount.029e74a599.AuthName" value="a"/>`+
		`<param name="hs.0311223344.RegStatus" value="ToReg"/>`+
		`<param name="SipAccount.0311223344.UserName" value="b"/>`+
		`<param name="hs.02B6EC8AA5.DECT_AC" value="1"/>`+
		`<param name="hs.kept.DECT_AC" value="1"/>`))
	// Both IPUIs 0311223344 and 02b6ec8aa5 are one slot, "s1"; 029e74a599 is "s2".
	slotOf := map[string]string{"0311223344": "s1", "02b6ec8aa5": "s1", "029e74a599": "s2"}
	removed := func(key string) (string, bool) { s, ok := slotOf[key]; return s, ok }

	got := SettingsOfRemoved(its, false, removed)
	require.Len(t, got, 2)
	require.Equal(t, "s1", got[0].Slot)
	require.Same(t, &its[0], got[0].First)
	require.Equal(t, 3, got[0].N, "hs. and SipAccount. settings, by id or IPUI, not the RegStatus")
	require.Equal(t, "s2", got[1].Slot)
	require.Equal(t, 1, got[1].N)

	lower := SettingsOfRemoved(its, true, removed)
	require.Equal(t, 2, lower[0].N, "hs.02B6EC8AA5 names nothing where only lower case matches")
	require.Empty(t, SettingsOfRemoved(its, false, func(string) (string, bool) { return "", false }))
}
