package readings

import (
	"fmt"
	"strings"

	"github.com/dectsim/dectsim/internal/provfile"
	"github.com/dectsim/dectsim/internal/vocab/ipui"
)

// The rules below read a document under a set of readings. The system
// applies them and lint reports them, with the same messages, so that
// `dectsim run` and `dectsim check` agree on every file.

// Ignored is an item the readings in force make the system ignore: its
// index among the file's items and why, in the words of its warning.
type Ignored struct {
	Index int
	Msg   string
}

// IsDNPHS reports whether it is the DeleteNotProvisionedHS oper.
func IsDNPHS(it *provfile.Item) bool {
	return it.Kind == provfile.OperItem && it.Name == "DeleteNotProvisionedHS"
}

// DNPHS returns the index of the DeleteNotProvisionedHS the system acts on
// under dnphs-position (-1: none), and every other one, which it ignores
// (warning dnphs-not-first), with why.
func (s Set) DNPHS(items []provfile.Item) (honoured int, ignored []Ignored) {
	honoured = -1
	firstNVM := -1
	for i, it := range items {
		if !it.OutsideNVM {
			firstNVM = i
			break
		}
	}
	for i := range items {
		it := &items[i]
		if !IsDNPHS(it) {
			continue
		}
		switch {
		case s.DNPHSPosition == PositionAnywhere && honoured < 0,
			s.DNPHSPosition == PositionFirst && i == 0,
			s.DNPHSPosition == PositionNVMFirst && i == firstNVM:
			honoured = i
			continue
		case s.DNPHSPosition == PositionAnywhere:
			continue // a second one, honoured wherever it stands: it changes nothing
		}
		ignored = append(ignored, Ignored{Index: i, Msg: s.dnphsWhy(items, i, honoured, firstNVM)})
	}
	return honoured, ignored
}

// dnphsWhy says why the DeleteNotProvisionedHS at items[i] is ignored,
// true to where it stands.
func (s Set) dnphsWhy(items []provfile.Item, i, honoured, firstNVM int) string {
	tag := s.Tag(DNPHSPosition)
	const effect = "so handsets missing from this file are not removed"
	it := items[i]
	switch {
	case honoured >= 0:
		return fmt.Sprintf("a second DeleteNotProvisionedHS: the one at %s already acts for this file, and this one is ignored (%s)", items[honoured].Pos, tag)
	case s.DNPHSPosition == PositionNVMFirst && it.OutsideNVM:
		return fmt.Sprintf("DeleteNotProvisionedHS stands directly under <provisioning>, outside <nvm>, and counts only as the first element of <nvm>: it is ignored (%s), %s", tag, effect)
	case s.DNPHSPosition == PositionNVMFirst:
		return fmt.Sprintf("DeleteNotProvisionedHS is not the first element of <nvm> (%s at %s comes first): it is ignored (%s), %s", Describe(items[firstNVM]), items[firstNVM].Pos, tag, effect)
	}
	where := ""
	if it.OutsideNVM {
		where = " (directly under <provisioning>)"
	}
	return fmt.Sprintf("DeleteNotProvisionedHS%s is not the first <oper> or <param> of the document (%s at %s comes first): it is ignored (%s), %s", where, Describe(items[0]), items[0].Pos, tag, effect)
}

// Describe names an item as messages cite it: <param name="x">.
func Describe(it provfile.Item) string {
	kind := "param"
	if it.Kind == provfile.OperItem {
		kind = "oper"
	}
	return fmt.Sprintf("<%s name=%q>", kind, it.Name)
}

// RegStatusKey recognises hs.<key>.RegStatus and returns the key as
// written.
func RegStatusKey(name string) (string, bool) {
	tail, ok := strings.CutPrefix(name, "hs.")
	if !ok {
		return "", false
	}
	key, rest, ok := strings.Cut(tail, ".")
	if !ok || key == "" || rest != "RegStatus" {
		return "", false
	}
	return key, true
}

// LeadingRun is how many items at the top of the document are <oper>s or
// RegStatus params (hs.RegStatus, hs.<id>.RegStatus): the place where
// todereg-position=top honours hs.<id>.RegStatus=ToDeReg.
func LeadingRun(items []provfile.Item) int {
	for i := range items {
		it := &items[i]
		if it.Kind == provfile.OperItem || it.Name == "hs.RegStatus" {
			continue
		}
		if _, ok := RegStatusKey(it.Name); ok {
			continue
		}
		return i
	}
	return len(items)
}

// ToDeRegLate says what becomes of hs.<key>.RegStatus=ToDeReg at items[i],
// which stands past the leading run that ends at items[run]: ignored under
// todereg-position=top, honoured under anywhere.
func (s Set) ToDeRegLate(items []provfile.Item, i, run int) string {
	it, stop := items[i], items[run]
	where := fmt.Sprintf("%s=ToDeReg stands after %s at %s, outside the leading run of <oper>s and RegStatus params at the top of the document", it.Name, Describe(stop), stop.Pos)
	key, _ := RegStatusKey(it.Name)
	if s.ToDeRegTop {
		return fmt.Sprintf("%s: it is ignored (%s), so slot %s is not deregistered", where, s.Tag(ToDeRegPosition), key)
	}
	return fmt.Sprintf("%s: honoured under %s, but ignored under todereg-position=top (the vendor's single-delete example says it \"must on on top\"); put it before the other params", where, s.Tag(ToDeRegPosition))
}

// Key is the slot key value names as the system compares it: an IPUI in
// lower case. When lowerOnly, an IPUI written with upper-case letters
// names nothing (ok is false); so does an empty value.
func Key(value string, lowerOnly bool) (string, bool) {
	if value == "" || lowerOnly && UpperIPUI(value) {
		return "", false
	}
	return ipui.Normalize(value), true
}

// SlotKey returns the slot key, as written, and the rest of a per-slot
// param name: hs.<key>.<rest> or SipAccount.<key>.<rest>.
func SlotKey(name string) (key, rest string, ok bool) {
	var tail string
	switch {
	case strings.HasPrefix(name, "hs."):
		tail = name[3:]
	case strings.HasPrefix(name, "SipAccount."):
		tail = name[11:]
	default:
		return "", "", false
	}
	key, rest, ok = strings.Cut(tail, ".")
	if !ok || key == "" || rest == "" {
		return "", "", false
	}
	return key, rest, true
}

// Mention returns the slot key, as written, of a param that sets one of a
// slot's settings (hs.<key>.<name>, SipAccount.<key>.<name>). A
// hs.<key>.RegStatus=ToDeReg asks for the slot to go, and is no mention.
func Mention(it *provfile.Item) (string, bool) {
	if it.Kind != provfile.ParamItem {
		return "", false
	}
	key, rest, ok := SlotKey(it.Name)
	if !ok || rest == "RegStatus" && it.Value == "ToDeReg" {
		return "", false
	}
	return key, true
}

// Setting returns the slot key, as written, of a param that stores one of
// a slot's settings: a Mention other than hs.<key>.RegStatus, which is an
// instruction, not a stored setting.
func Setting(it *provfile.Item) (string, bool) {
	key, ok := Mention(it)
	if !ok {
		return "", false
	}
	if _, rest, _ := SlotKey(it.Name); rest == "RegStatus" && strings.HasPrefix(it.Name, "hs.") {
		return "", false
	}
	return key, true
}

// UpperIPUI reports whether v is an IPUI written with upper-case letters,
// which matches nothing where only lower case matches.
func UpperIPUI(v string) bool { return ipui.HasUpper(v) && ipui.IsIPUI(v) }

// Kept returns the slot keys that a DeleteNotProvisionedHS of this file
// keeps, under dnphs-keeps: the ids add_hs names and, with any-mention,
// the keys of the slot settings the file sets. lowerOnly is
// LowerCaseOnly for the firmware running.
func (s Set) Kept(items []provfile.Item, lowerOnly bool) map[string]struct{} {
	n := 0
	for i := range items {
		if items[i].Kind == provfile.OperItem {
			n++
		}
	}
	kept := make(map[string]struct{}, n)
	for i := range items {
		it := &items[i]
		raw, ok := "", false
		switch {
		case it.Kind == provfile.OperItem && it.Name == "add_hs":
			raw, ok = strings.TrimSpace(it.Value), true
		case s.DNPHSKeeps == KeepsAnyMention:
			raw, ok = Mention(it)
		}
		if !ok {
			continue
		}
		if k, ok := Key(raw, lowerOnly); ok {
			kept[k] = struct{}{}
		}
	}
	return kept
}

// RemovedSettings is what a file sets for one slot that its own
// DeleteNotProvisionedHS removes: the first such setting and how many.
type RemovedSettings[S comparable] struct {
	Slot  S
	First *provfile.Item
	N     int
}

// SettingsOfRemoved is the rule params-for-removed-slot, for the system
// that applies a file and for the linter that reads it: the settings
// (Setting, keyed by Key under lowerOnly) a file sets for slots that its
// own DeleteNotProvisionedHS removes, grouped by slot in the order the
// file first sets each. removed says which removed slot, if any, a key
// names: the system knows the slots on it, the linter only the keys the
// file keeps.
func SettingsOfRemoved[S comparable](items []provfile.Item, lowerOnly bool, removed func(key string) (S, bool)) []RemovedSettings[S] {
	var out []RemovedSettings[S]
	at := make(map[S]int)
	for i := range items {
		it := &items[i]
		raw, ok := Setting(it)
		if !ok {
			continue
		}
		key, ok := Key(raw, lowerOnly)
		if !ok {
			continue
		}
		sl, ok := removed(key)
		if !ok {
			continue
		}
		j, seen := at[sl]
		if !seen {
			j = len(out)
			at[sl] = j
			out = append(out, RemovedSettings[S]{Slot: sl, First: it})
		}
		out[j].N++
	}
	return out
}

// MoreSettings says how many more settings of one slot a file sets, for
// params-for-removed-slot: "", " and 1 more setting of that slot", ….
func MoreSettings(n int) string {
	switch n {
	case 0:
		return ""
	case 1:
		return " and 1 more setting of that slot"
	}
	return fmt.Sprintf(" and %d more settings of that slot", n)
}

// WindowDMs is the rule update-dm-scope, for the system that opens the
// window and for the linter that reads the file: the DMs, of dms, on which
// update_dm value="value" opens the registration window. Under named (the
// default) that is the DM whose id value is, and none (ok false) when
// there is no such DM; under all, every DM.
func (s Set) WindowDMs(value string, dms []string) (open []string, ok bool) {
	if s.UpdateDMAll {
		return dms, true
	}
	name := strings.TrimSpace(value)
	for _, d := range dms {
		if d == name {
			return []string{d}, true
		}
	}
	return nil, false
}

// NoSuchDM says, for warning no-such-dm, that update_dm names a DM the
// system does not have.
func (s Set) NoSuchDM(value string, dms []string) string {
	return fmt.Sprintf("update_dm names DM %q, which this system does not have (its DMs: %s): no registration window opens (%s)",
		strings.TrimSpace(value), strings.Join(dms, ", "), s.Tag(UpdateDMScope))
}
