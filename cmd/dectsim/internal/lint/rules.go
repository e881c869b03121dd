package lint

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dectsim/dectsim/emulator/system"
	"github.com/dectsim/dectsim/internal/provfile"
	"github.com/dectsim/dectsim/internal/textio/printable"
	"github.com/dectsim/dectsim/internal/vocab/firmware"
	"github.com/dectsim/dectsim/internal/vocab/ipui"
	"github.com/dectsim/dectsim/internal/vocab/readings"
	"github.com/dectsim/dectsim/internal/vocab/sipaccount"
	"github.com/dectsim/dectsim/internal/vocab/timeofday"
)

// checker runs every rule over one document that could be read.
type checker struct {
	c   config
	f   *provfile.File
	out []Finding

	upgrade firmware.Version // newest version this file's <firmware> installs; zero if none
	dnphs   *provfile.Item   // the DeleteNotProvisionedHS the system acts on
	adds    []slotRef        // add_hs ids, in document order
	deregs  []slotRef        // deregistrations, in document order
}

// slotRef is one add_hs, or one request to deregister a slot.
type slotRef struct {
	id  string // normalised: IPUIs in lower case
	pos provfile.Pos
	// how names the deregistration ("delete_hs", "hs.<id>.RegStatus=ToDeReg",
	// "hs.RegStatus=ToDeReg inside add_hs"); empty for an add_hs.
	how string
	// addPos is the enclosing add_hs of an hs.RegStatus=ToDeReg child.
	addPos provfile.Pos
	inAdd  bool
	force  bool // delete_hs: removal at once rather than after the timeout
}

func (k *checker) add(p provfile.Pos, sev Severity, code, format string, args ...any) {
	// A message quotes the file: it is made one printable line here, so
	// every user of Msg gets what String prints.
	k.out = append(k.out, Finding{File: k.f.Name, Pos: p, Severity: sev, Code: code, Msg: printable.String(fmt.Sprintf(format, args...))})
}

func (k *checker) run() {
	dn, ignored := k.c.rd.DNPHS(k.f.Items)
	if dn >= 0 {
		k.dnphs = &k.f.Items[dn]
	}
	for _, ig := range ignored {
		k.add(k.f.Items[ig.Index].Pos, Error, system.WarnDNPHSNotFirst, "%s", ig.Msg)
	}
	k.root()
	k.notes(ignored)
	k.firmwareFiles()
	lead := readings.LeadingRun(k.f.Items)
	for i := range k.f.Items {
		it := &k.f.Items[i]
		switch {
		case it.Kind == provfile.OperItem:
			k.oper(it)
		case i < lead || !k.lateToDeReg(i, lead):
			k.param(it)
		}
	}
	k.slots()
	k.duplicateParams()
	k.sipAccounts()
}

// sipAccounts warns, once per account, where the file writes a SIP
// account the system could not register (sipaccount.Read, the rule the
// system registers by): no UserName, or a provider with neither Domain
// nor RegServerAddress. The file alone is read, so an earlier file may
// have set what is missing; the message says so.
func (k *checker) sipAccounts() {
	values := make(map[string]string)
	var order []string
	first := make(map[string]provfile.Pos)
	for _, it := range k.f.Items {
		if it.Kind != provfile.ParamItem || !it.HasName {
			continue
		}
		name := system.CanonicalParamName(it.Name)
		values[name] = it.Value
		if key, rest, ok := readings.SlotKey(name); ok && strings.HasPrefix(name, "SipAccount.") && rest != "" {
			if _, seen := first[key]; !seen {
				first[key] = it.Pos
				order = append(order, key)
			}
		}
	}
	get := func(name string) string { return values[name] }
	for _, key := range order {
		if _, missing := sipaccount.Read(get, key); missing != "" {
			k.add(first[key], Warning, CodeSIPAccountIncomplete,
				"SipAccount.%s: %s, so the DM registers no SIP account for it at the PBX and the handset's extension stays unregistered (unless an earlier file set what is missing)", key, missing)
		}
	}
}

// lateToDeReg reports a hs.<id>.RegStatus=ToDeReg past the leading run
// that ends at items[lead]: a warning while todereg-position=anywhere
// honours it, an error under top, which ignores it as the system does (it
// then reports true: the param deregisters nothing).
func (k *checker) lateToDeReg(i, lead int) bool {
	it := k.f.Items[i]
	if _, ok := readings.RegStatusKey(it.Name); !ok || it.Value != "ToDeReg" {
		return false
	}
	msg := k.c.rd.ToDeRegLate(k.f.Items, i, lead)
	if k.c.rd.ToDeRegTop {
		k.add(it.Pos, Error, system.WarnToDeRegNotFirst, "%s", msg)
		return true
	}
	k.add(it.Pos, Warning, system.WarnToDeRegNotFirst, "%s", msg)
	return false
}

// root checks the <provisioning> element itself.
func (k *checker) root() {
	f := k.f
	switch {
	case !f.HasProductID:
		k.add(f.Pos, Error, CodeProductID, "<provisioning> has no productID: the system accepts only productID=\"e2\" and rejects the whole file, changing nothing")
	case f.ProductID != "e2":
		hint := ""
		if strings.EqualFold(f.ProductID, "e2") {
			hint = " (the match is case-sensitive)"
		}
		k.add(f.Pos, Error, CodeProductID, "productID is %q: the system accepts only \"e2\"%s and rejects the whole file, changing nothing", f.ProductID, hint)
	}
	switch f.Version {
	case "1.1":
	case "":
		k.add(f.Pos, Warning, CodeVersion, "<provisioning> has no version: Nx70 files carry version=\"1.1\"; dectsim reads the file as 1.1")
	default:
		k.add(f.Pos, Warning, CodeVersion, "provisioning version %q: the Nx70 single-file format is version 1.1 (Gigaset: \"preferred is provisioning version 1.1\"); dectsim reads the file as 1.1", f.Version)
	}
	if len(f.Items) == 0 && (f.Firmware == nil || len(f.Firmware.Files) == 0) {
		if f.NVMPos == (provfile.Pos{}) {
			k.add(f.Pos, Warning, CodeNoNVM, "the document has no <nvm> and no firmware <file>: applying it changes nothing")
		} else {
			k.add(f.NVMPos, Warning, CodeNoNVM, "<nvm> holds no <param> or <oper> and there is no firmware <file>: applying the file changes nothing")
		}
	}
}

// notes turns what the reader noticed into warnings with the reader's codes,
// which are also the codes the system warns with when it applies the file.
// A DeleteNotProvisionedHS the readings ignore has one finding only,
// dnphs-not-first, as in the system.
func (k *checker) notes(ignored []readings.Ignored) {
	for _, n := range k.f.Notes {
		if n.Code == CodeOutsideNVM && slices.ContainsFunc(ignored, func(ig readings.Ignored) bool { return k.f.Items[ig.Index].Pos == n.Pos }) {
			continue
		}
		msg := n.Msg
		if n.Code == CodeOutsideNVM {
			msg += "; dectsim applies it as if it were inside <nvm> (an assumption: one Gigaset example does this, but it is not documented), so move it into <nvm>"
		}
		k.add(n.Pos, Warning, n.Code, "%s", msg)
	}
}

func (k *checker) firmwareFiles() {
	if k.f.Firmware == nil {
		return
	}
	for _, ff := range k.f.Firmware.Files {
		if strings.TrimSpace(ff.Version) == "" {
			k.add(ff.Pos, Warning, system.WarnBadFirmwareVersion, "firmware <file> has no version: the system installs nothing")
			continue
		}
		v, err := firmware.Parse(ff.Version)
		if err != nil {
			k.add(ff.Pos, Warning, system.WarnBadFirmwareVersion, "firmware version %q is not MAJOR.MINOR.PATCH: the system installs nothing (url %q); a real version newer than the running one would be installed", ff.Version, ff.URL)
			continue
		}
		if k.c.fw.Less(v) && k.upgrade.Less(v) {
			k.upgrade = v
		}
	}
}

func (k *checker) param(it *provfile.Item) {
	if !it.HasName || it.Name == "" {
		k.add(it.Pos, Warning, system.WarnMissingName, "a <param> without a name: the system ignores it")
		return
	}
	name := it.Name
	if name == "hs.RegStatus" {
		k.add(it.Pos, Warning, system.WarnRegStatusOutsideOper, "hs.RegStatus outside an add_hs oper names no slot: the system ignores it (write hs.<id>.RegStatus, or put it inside <oper name=\"add_hs\">)")
		return
	}
	if !dotted(name) {
		k.add(it.Pos, Warning, CodeBadParamName, "param %q is not of the Group.instance.Name shape%s: the system stores it under that name, which is no documented setting of the device, so it most likely has no effect", name, suggest(name))
	}
	k.emptyValue(it.Pos, name, it.Value, it.HasValue)
	if key, _, ok := readings.SlotKey(name); ok && readings.UpperIPUI(key) && k.c.rd.LowerCaseOnly(k.c.fw) {
		k.add(it.Pos, Error, system.WarnIPUICase, "%s: %s names no slot and the system ignores it; write %s", k.everyIPUICase(), name, strings.ToLower(key))
		return
	}
	if key, ok := regStatusKey(name); ok {
		switch it.Value {
		case "ToDeReg":
			k.deregs = append(k.deregs, slotRef{id: key, pos: it.Pos, how: name + "=ToDeReg"})
		case "ToReg":
		default:
			k.add(it.Pos, Error, system.WarnBadRegStatus, "%s is %q, neither ToReg nor ToDeReg%s: the system ignores it and slot %s keeps its state", name, it.Value, didYouMean(it.Value), key)
		}
	}
	if name == "Provisioning.global.Period" {
		k.period(it)
	}
	if timeofday.IsWindowSetting(name) {
		k.timeOfDay(it)
	}
}

// timeOfDay checks PeriodStart and PeriodEnd, times of day HH:MM.
func (k *checker) timeOfDay(it *provfile.Item) {
	if strings.TrimSpace(it.Value) == "" {
		return // empty-value says it
	}
	if _, err := timeofday.Parse(it.Value); err != nil {
		k.add(it.Pos, Warning, CodeBadTimeOfDay, "%s: %v (HH:MM, 00:00 to 24:00): the system ignores the PeriodStart-PeriodEnd window and checks once a day between 01:00 and 04:00", it.Name, err)
	}
}

// period checks the auto-provisioning interval, in seconds (0: daily).
func (k *checker) period(it *provfile.Item) {
	v := strings.TrimSpace(it.Value)
	if v == "" {
		return // empty-value says it
	}
	n, err := strconv.Atoi(v)
	switch {
	case err != nil || n < 0:
		k.add(it.Pos, Warning, system.WarnBadValue, "Provisioning.global.Period %q is not a number of seconds (0 means once a day between 01:00 and 04:00)", it.Value)
	case n >= 1 && n < 1800:
		k.add(it.Pos, Warning, CodePeriodTooShort, "Provisioning.global.Period is %d s: Gigaset says \"Please do not use a time < 1800 seconds\"; the system checks every 1800 s instead (0 means once a day between 01:00 and 04:00)", n)
	}
}

// emptyValue reports a param the system would store as an empty setting.
func (k *checker) emptyValue(p provfile.Pos, name, value string, has bool) {
	switch {
	case !has:
		k.add(p, Warning, CodeEmptyValue, "param %q has no value attribute: the system stores an empty setting, and Gigaset warns that empty values \"can lead to unpredictable behavior\"; leave the param out to keep the current setting", name)
	case value == "":
		k.add(p, Warning, CodeEmptyValue, "param %q has value=\"\": the system stores an empty setting, and Gigaset warns that empty values \"can lead to unpredictable behavior\"; leave the param out to keep the current setting", name)
	}
}

func (k *checker) oper(it *provfile.Item) {
	fw := k.c.fw
	for _, p := range it.Params {
		if !p.HasName || p.Name == "" {
			if it.Name != "add_hs" { // addHS reports it as the system does
				k.add(p.Pos, Warning, system.WarnMissingName, "a <param> without a name inside <oper name=%q>: the system ignores it", it.Name)
			}
			continue
		}
		k.emptyValue(p.Pos, p.Name, p.Value, p.HasValue)
	}
	switch {
	case !it.HasName || it.Name == "":
		k.add(it.Pos, Warning, system.WarnUnknownOper, "an <oper> without a name: the system ignores it")
	case it.Name == "DeleteNotProvisionedHS":
		// run decided which one the system acts on
	case it.Name == "add_hs":
		k.addHS(it)
	case it.Name == "delete_hs":
		k.deleteHS(it)
	case it.Name == "update_dm":
		k.updateDM(it)
	case !fw.KnowsOper(it.Name):
		k.add(it.Pos, Warning, system.WarnUnknownOper, "firmware %s knows no oper %q (it knows %s): the system ignores it", fw, it.Name, strings.Join(fw.KnownOpers(), ", "))
	}
}

// everyIPUICase says why an upper-case IPUI matches nothing under
// ipui-case=everywhere, as the system says it.
func (k *checker) everyIPUICase() string {
	return fmt.Sprintf("firmware %s matches every IPUI of a file case-sensitively (%s, until %s)", k.c.fw, k.c.rd.Tag(readings.IPUICase), k.c.rd.Tag(readings.CaseFixedIn))
}

func (k *checker) addHS(it *provfile.Item) {
	v := strings.TrimSpace(it.Value)
	if readings.UpperIPUI(v) && k.c.rd.LowerCaseOnly(k.c.fw) {
		k.add(it.Pos, Error, system.WarnIPUICase, "%s: add_hs %s names no slot and the system adds none, so the handset cannot register and a DeleteNotProvisionedHS of this file does not keep it; write %s", k.everyIPUICase(), v, strings.ToLower(v))
		return
	}
	switch {
	case v == "":
		k.add(it.Pos, Warning, system.WarnBadIPUI, "add_hs without a value names no slot: the system ignores it")
		return
	case !ipui.Valid(v):
		k.add(it.Pos, Warning, system.WarnBadIPUI, "add_hs value %q is neither an IPUI (10 hex digits) nor a placeholder id (1 to 9 decimal digits): the system makes a slot with that id, which no handset's IPUI matches, so it behaves as a placeholder any handset may take while the registration window is open", it.Value)
	}
	id := ipui.Normalize(v)
	k.adds = append(k.adds, slotRef{id: id, pos: it.Pos})
	for _, p := range it.Params {
		switch {
		case !p.HasName || p.Name == "":
			k.add(p.Pos, Warning, system.WarnUnknownParam, "a <param> without a name inside add_hs: the system ignores it")
		case p.Name == "hs.RegStatus":
			switch p.Value {
			case "ToReg":
			case "ToDeReg":
				k.deregs = append(k.deregs, slotRef{id: id, pos: p.Pos, how: "hs.RegStatus=ToDeReg inside add_hs", inAdd: true, addPos: it.Pos})
			default:
				k.add(p.Pos, Error, system.WarnBadRegStatus, "hs.RegStatus is %q, neither ToReg nor ToDeReg%s: the system ignores this param (add_hs %s still adds the slot, waiting in ToReg)", p.Value, didYouMean(p.Value), id)
			}
		case strings.HasPrefix(p.Name, "hs.") && strings.Count(p.Name, ".") == 1:
			// Scoped to the slot: stored as hs.<id>.<Name>.
		default:
			k.add(p.Pos, Warning, system.WarnUnknownParam, "add_hs takes only hs.RegStatus and hs.<Name> params: the system ignores %q (set %s as a param of <nvm> instead)", p.Name, slotScoped(p.Name, id))
		}
	}
}

func (k *checker) deleteHS(it *provfile.Item) {
	fw := k.c.fw
	v := strings.TrimSpace(it.Value)
	if !fw.KnowsDeleteHS() {
		who := "nothing is removed"
		if v != "" {
			who = v + " stays registered"
		}
		later := ""
		if k.upgrade.KnowsDeleteHS() {
			later = fmt.Sprintf("; this file's <firmware> upgrades to %s, but the upgrade lands after <nvm> is applied, so send delete_hs again once the system runs it", k.upgrade)
		}
		alt := ""
		if v != "" {
			alt = fmt.Sprintf(" (hs.%s.RegStatus=ToDeReg deregisters it gracefully on any firmware)", ipui.Normalize(v))
		}
		k.add(it.Pos, Error, system.WarnDeleteHSUnsupported, "firmware %s does not know delete_hs (added in %s): the system ignores it and %s%s%s", fw, firmware.DeleteHS, who, later, alt)
		return
	}
	switch {
	case v == "":
		k.add(it.Pos, Warning, system.WarnBadIPUI, "delete_hs without a value names no slot: the system ignores it")
		return
	case !ipui.Valid(v):
		k.add(it.Pos, Warning, system.WarnBadIPUI, "delete_hs value %q is neither an IPUI (10 hex digits) nor a placeholder id (1 to 9 decimal digits): it can name only a slot that an add_hs gave that same odd id", it.Value)
	}
	if ipui.IsIPUI(v) && ipui.HasUpper(v) {
		lower := strings.ToLower(v)
		if k.c.rd.DeleteHSLowerCaseOnly(fw) {
			k.add(it.Pos, Error, system.WarnIPUICase, "firmware %s matches delete_hs case-sensitively (until %s) against IPUIs stored in lower case: %q finds no slot and the handset stays registered; write %s", fw, k.c.rd.Tag(readings.CaseFixedIn), v, lower)
			return // it deregisters nothing, so it contradicts nothing
		}
		k.add(it.Pos, Warning, system.WarnIPUICase, "delete_hs %q has upper-case letters: firmware %s accepts them (from %s, a reading: the vendor FAQ says only that 2.36 needs lower case and that this would change), but a system on firmware from %s up to, not including, %s ignores it; write %s", v, fw, k.c.rd.Tag(readings.CaseFixedIn), firmware.DeleteHS, k.c.rd.CaseFixedIn, lower)
	}
	k.deregs = append(k.deregs, slotRef{id: ipui.Normalize(v), pos: it.Pos, how: "delete_hs", force: true})
}

func (k *checker) updateDM(it *provfile.Item) {
	var haveStart, haveDur bool
	for _, p := range it.Params {
		if p.Name != "RegStart" && p.Name != "RegDuration" {
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSpace(p.Value), 10, 64)
		if err != nil || n < 0 || p.Name == "RegStart" && n > 1<<40 {
			k.add(p.Pos, Warning, system.WarnBadValue, "%s %q is not a number of seconds: the system leaves the registration window as it was", p.Name, p.Value)
			return
		}
		if max := int64(system.MaxRegDuration / time.Second); p.Name == "RegDuration" && n > max {
			k.add(p.Pos, Warning, system.WarnBadValue, "RegDuration %d s is longer than the longest window the system opens (%d s, 100 years): the window is open for %d s", n, max, max)
		}
		if p.Name == "RegStart" {
			haveStart = true
		} else {
			haveDur = true
		}
	}
	var missing []string
	if !haveStart {
		missing = append(missing, "RegStart")
	}
	if !haveDur {
		missing = append(missing, "RegDuration")
	}
	if len(missing) > 0 {
		k.add(it.Pos, Warning, system.WarnBadValue, "update_dm without %s: the system leaves the registration window as it was (it needs RegStart, Unix seconds, and RegDuration, seconds)", strings.Join(missing, " and "))
		return
	}
	if _, ok := k.c.rd.WindowDMs(it.Value, k.c.dms); !ok {
		k.add(it.Pos, Warning, system.WarnNoSuchDM, "%s", k.c.rd.NoSuchDM(it.Value, k.c.dms))
	}
}

// slots runs the rules that look at every add_hs and deregistration of the
// file together.
func (k *checker) slots() {
	first := make(map[string]slotRef, len(k.adds))
	var distinct []slotRef
	for _, a := range k.adds {
		if prev, ok := first[a.id]; ok {
			k.add(a.pos, Warning, CodeDuplicateSlot, "slot %s is already added by the add_hs at %s: the system keeps one slot, and this add_hs only re-applies its params", a.id, prev.pos)
			continue
		}
		first[a.id] = a
		distinct = append(distinct, a)
	}
	if len(distinct) > k.c.cap {
		over := distinct[k.c.cap]
		rest := ""
		switch n := len(distinct) - k.c.cap - 1; n {
		case 0:
		case 1:
			rest = " and the new slot after it"
		default:
			rest = fmt.Sprintf(" and the %d new slots after it", n)
		}
		k.add(over.pos, Error, system.WarnCapacity, "this file adds %d distinct slots and %s holds %d handsets: the system refuses add_hs %s here%s, even on an empty handset list",
			len(distinct), k.capName(), k.c.cap, over.id, rest)
	}
	for _, d := range k.deregs {
		a, ok := first[d.id]
		if !ok {
			continue
		}
		after := "deregistered, not registered (at once if its handset is connected, else after the deregistration timeout, 24 h by default)"
		if d.force {
			after = "removed at once, not registered (a connected handset is deregistered over the air first)"
		}
		switch {
		case d.inAdd:
			k.add(d.pos, Error, CodeContradiction, "add_hs %s sets hs.RegStatus=ToDeReg: the system adds the slot (or keeps the existing one) and at once starts deregistering it, so it ends up %s", d.id, after)
		case a.pos.Line < d.pos.Line || a.pos.Line == d.pos.Line && a.pos.Col < d.pos.Col:
			k.add(d.pos, Error, CodeContradiction, "slot %s is added by the add_hs at %s and deregistered here by %s: the system applies both in order, so the slot ends up %s", d.id, a.pos, d.how, after)
		default:
			var outcome string
			if d.force {
				outcome = "a slot delete_hs removes at once is added again as a new ToReg slot, while one whose handset is being deregistered over the air stays on its way out"
			} else if k.c.rd.DeregUndo {
				outcome = fmt.Sprintf("under %s the add_hs takes back the deregistration of a slot whose handset is not connected, while a connected one is already being deregistered over the air and goes; an absent slot makes the ToDeReg name no slot and add_hs adds it", k.c.rd.Tag(readings.DeregUndo))
			} else {
				outcome = "an existing slot is deregistered and add_hs does not bring it back, while an absent one makes the ToDeReg name no slot and add_hs adds it"
			}
			k.add(a.pos, Error, CodeContradiction, "slot %s is deregistered by %s at %s and added here: the outcome depends on the slot's state when the file arrives (%s); send the add_hs in a later file", d.id, d.how, d.pos, outcome)
		}
	}
	if k.dnphs == nil {
		return
	}
	kept := k.c.rd.Kept(k.f.Items, k.c.rd.LowerCaseOnly(k.c.fw))
	k.paramsForRemoved(kept)
	if len(kept) == 0 {
		k.add(k.dnphs.Pos, Warning, CodeDNPHSRemovesAll, "DeleteNotProvisionedHS in a file without add_hs: the system starts deregistering every slot in the handset list; handsets out of range are removed after the deregistration timeout and become ghosts")
	}
}

// paramsForRemoved reports, once per slot, where the file sets settings of
// a slot that its own DeleteNotProvisionedHS does not keep: a slot of that
// id on the system is deregistered, and the settings go with it.
func (k *checker) paramsForRemoved(kept map[string]struct{}) {
	lower := k.c.rd.LowerCaseOnly(k.c.fw)
	placeholders := false
	for _, a := range k.adds {
		placeholders = placeholders || !ipui.IsIPUI(a.id)
	}
	notKept := func(key string) (string, bool) { _, keep := kept[key]; return key, !keep }
	for _, h := range readings.SettingsOfRemoved(k.f.Items, lower, notKept) {
		unless := ""
		if placeholders && ipui.IsIPUI(h.Slot) {
			unless = fmt.Sprintf(" (unless %s is the IPUI registered in a placeholder slot an add_hs of this file names)", h.Slot)
		}
		k.add(h.First.Pos, Error, system.WarnParamsForRemovedSlot,
			"the file sets %s%s, but its own DeleteNotProvisionedHS removes every slot no add_hs names (%s): a slot %s on the system is deregistered%s and these settings go with it; add an add_hs for %s to keep the handset",
			h.First.Name, readings.MoreSettings(h.N-1), k.c.rd.Tag(readings.DNPHSKeeps), h.Slot, unless, h.Slot)
	}
}

func (k *checker) capName() string {
	if k.c.cap != k.c.prof.MaxHandsets {
		return fmt.Sprintf("%s (max-handsets)", k.c.prof.Name)
	}
	return k.c.prof.Name
}

// duplicateParams reports a setting that one file gives two different
// values; the later wins, which is rarely what a template meant.
func (k *checker) duplicateParams() {
	type seen struct {
		value string
		pos   provfile.Pos
	}
	last := make(map[string]seen)
	for _, it := range k.f.Items {
		if it.Kind != provfile.ParamItem || !it.HasName || it.Name == "" || it.Name == "hs.RegStatus" {
			continue
		}
		if _, ok := regStatusKey(it.Name); ok {
			continue // an action, not a setting: contradiction covers it
		}
		key := system.CanonicalParamName(it.Name)
		if prev, ok := last[key]; ok && prev.value != it.Value {
			k.add(it.Pos, Warning, CodeDuplicateParam, "%s is set twice in this file: %q at %s, then %q here; the system keeps the last", it.Name, prev.value, prev.pos, it.Value)
		}
		last[key] = seen{it.Value, it.Pos}
	}
}

// regStatusKey recognises hs.<id>.RegStatus as the system does
// (readings.RegStatusKey), returning the slot key in canonical form.
func regStatusKey(name string) (string, bool) {
	key, ok := readings.RegStatusKey(name)
	return ipui.Normalize(key), ok
}

// dotted reports whether name has the Group.instance.Name shape: at least
// three dot-separated parts, none empty.
func dotted(name string) bool {
	parts := strings.Split(name, ".")
	if len(parts) < 3 {
		return false
	}
	for _, p := range parts {
		if p == "" {
			return false
		}
	}
	return true
}

// groups maps leaf names that vendor examples and public PBX templates use
// to the group they belong to, to suggest the full name of a bare param.
var groups = map[string]string{
	"Name": "SipProvider.<n>", "Domain": "SipProvider.<n>", "ProxyServerAddress": "SipProvider.<n>",
	"ProxyServerPort": "SipProvider.<n>", "RegServerAddress": "SipProvider.<n>", "RegServerPort": "SipProvider.<n>",
	"RegServerRefreshTimer": "SipProvider.<n>", "TransportProtocol": "SipProvider.<n>", "UseSIPS": "SipProvider.<n>",
	"SRTP_Enabled": "SipProvider.<n>", "AcceptNonSRTPCalls": "SipProvider.<n>", "DTMFTransmission": "SipProvider.<n>",
	"DnsQuery": "SipProvider.<n>", "FailoverServerEnabled": "SipProvider.<n>", "FailoverServerAddress": "SipProvider.<n>",
	"FailoverServerPort": "SipProvider.<n>", "OutboundProxyMode": "SipProvider.<n>", "OutboundProxyAddress": "SipProvider.<n>",
	"OutboundProxyPort": "SipProvider.<n>", "MWISubscription": "SipProvider.<n>", "WithDeregOnHsNotReachable": "SipProvider.<n>",
	"RenewConnectionAfterTimeout": "SipProvider.<n>", "ConnectionTimeoutAction": "SipProvider.<n>",
	"AuthName": "SipAccount.<id>", "AuthPassword": "SipAccount.<id>", "UserName": "SipAccount.<id>",
	"DisplayName": "SipAccount.<id>", "ProviderId": "SipAccount.<id>", "VoiceMailMailbox": "SipAccount.<id>",
	"VoiceMailActive": "SipAccount.<id>",
	"DECT_AC":         "hs.<id>", "DirectAccessDir": "hs.<id>", "IntKeyDir": "hs.<id>",
	"ProvisioningServer": "Provisioning.global", "Period": "Provisioning.global",
	"PeriodStart": "Provisioning.global", "PeriodEnd": "Provisioning.global",
	"ToneScheme": "Telephony.0", "TimeZone": "DmGlobal.0", "NtpServer": "DmGlobal.0",
}

func suggest(name string) string {
	if g, ok := groups[name]; ok {
		return fmt.Sprintf(" (did you mean %s.%s?)", g, name)
	}
	return ""
}

func didYouMean(v string) string {
	for _, want := range []string{"ToReg", "ToDeReg"} {
		if v != want && strings.EqualFold(strings.TrimSpace(v), want) {
			return fmt.Sprintf(" (did you mean %s? the match is exact)", want)
		}
	}
	return ""
}

// slotScoped turns an add_hs child name into the <nvm> param that would
// set it for slot id, where that is clear.
func slotScoped(name, id string) string {
	if g, rest, ok := strings.Cut(name, "."); ok && rest != "" && !strings.Contains(rest, ".") {
		return g + "." + id + "." + rest
	}
	return "it"
}
