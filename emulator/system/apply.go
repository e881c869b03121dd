package system

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dectsim/dectsim/internal/provfile"
	"github.com/dectsim/dectsim/internal/textio/fsread"
	"github.com/dectsim/dectsim/internal/vocab/firmware"
	"github.com/dectsim/dectsim/internal/vocab/ipui"
	"github.com/dectsim/dectsim/internal/vocab/readings"
	"github.com/dectsim/dectsim/internal/vocab/timeofday"
)

// Warning codes the system emits while applying a file. Where a code is
// also a finding of `dectsim check`, it has the same spelling.
const (
	WarnDNPHSNotFirst        = "dnphs-not-first"
	WarnDeleteHSUnsupported  = "delete-hs-unsupported"
	WarnIPUICase             = "ipui-case"
	WarnNoSuchSlot           = "no-such-slot"
	WarnCapacity             = "capacity"
	WarnUnknownOper          = "unknown-oper"
	WarnBadFirmwareVersion   = "bad-firmware-version"
	WarnBadRegStatus         = "bad-regstatus"
	WarnBadIPUI              = "bad-ipui"
	WarnSlotInDereg          = "slot-in-dereg"
	WarnBadValue             = "bad-value"
	WarnMissingName          = "missing-name"
	WarnRegStatusOutsideOper = "regstatus-outside-add-hs"
	WarnUnknownParam         = "unknown-param"
	WarnParamsForRemovedSlot = "params-for-removed-slot"
	WarnToDeRegNotFirst      = "todereg-not-first"
	// WarnNoSuchDM: update_dm names a DM the system does not have
	// (update-dm-scope=named).
	WarnNoSuchDM = "no-such-dm"
	// WarnAdminRefused: an operator's change of a slot in the web UI that
	// the web UI does not offer in the slot's current state, or for a slot
	// that is not in the list. Nothing changes.
	WarnAdminRefused = "admin-refused"
	// WarnCheckSyncNoReboot: a check-sync asked for a reboot that the
	// system does not do (firmware below 2.52.0, or CheckSyncRebootEnabled
	// not 1); it only fetches.
	WarnCheckSyncNoReboot = "check-sync-no-reboot"
)

// FileError is a document the system refused, as Apply, ApplyReader and
// ApplyFile return it. The system logs the same refusal as a
// provisioning-rejected event.
type FileError struct {
	// File is the document's name as given to Apply, or its path.
	File string
	// Line and Col (from 1) locate the offending element or character.
	Line, Col int
	// Code says why: xml-syntax, not-provisioning, limit or product-id.
	Code string
	// Msg says why for people.
	Msg string
}

// Error gives "file:line:col: message", the form editors jump to.
func (e *FileError) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
}

// fileError is the reader's refusal as the system reports it.
func fileError(pe *provfile.Error) *FileError {
	return &FileError{File: pe.File, Line: pe.Pos.Line, Col: pe.Pos.Col, Code: pe.Code, Msg: pe.Msg}
}

// ApplySummary summarises one applied file.
type ApplySummary struct {
	Params, Opers, Warnings int
}

// Apply applies a provisioning document whole, or not at all. A document
// the system refuses returns a *FileError and leaves every slot,
// handset and setting as it was; the refusal is logged as a
// provisioning-rejected event, as a real system would log it. A system
// stopped by its event budget applies nothing and returns Err().
func (s *System) Apply(name string, data []byte) (ApplySummary, error) {
	return s.applyAt(name, data, provfile.Pos{})
}

// applyAt is Apply for bytes that sit inside a larger file at origin (an
// inline document in a scenario).
func (s *System) applyAt(name string, data []byte, origin provfile.Pos) (ApplySummary, error) {
	if s.stopped != nil {
		return ApplySummary{}, s.stopped
	}
	f, err := provfile.ParseWith(name, data, provfile.Options{Limits: provfile.DefaultLimits, Origin: origin})
	if err != nil {
		var pe *provfile.Error
		if errors.As(err, &pe) {
			fe := fileError(pe)
			s.reject(fe)
			return ApplySummary{}, fe
		}
		return ApplySummary{}, err
	}
	return s.applyParsed(f)
}

// ApplyReader reads a document from r and applies it, reading at most
// one byte past the largest document the system accepts. A read error is
// returned as is (nothing arrived, nothing is logged); a document over the
// limit is rejected like any other (provisioning-rejected, reason limit).
func (s *System) ApplyReader(name string, r io.Reader) (ApplySummary, error) {
	if s.stopped != nil {
		return ApplySummary{}, s.stopped
	}
	data, err := fsread.Read(name, r, maxDocBytes())
	return s.applyRead(name, data, err)
}

// ApplyFile reads a document from a path and applies it. The path may name
// anything: a device or a pipe is read within the same limit as a file, so
// /dev/zero is a rejected document, not an exhausted memory. A path that
// cannot be read (missing, a directory) is an error and not an event.
func (s *System) ApplyFile(path string) (ApplySummary, error) {
	if s.stopped != nil {
		return ApplySummary{}, s.stopped
	}
	data, err := fsread.ReadFile(path, maxDocBytes())
	return s.applyRead(path, data, err)
}

func maxDocBytes() int64 { return int64(provfile.DefaultLimits.MaxBytes) }

// applyRead applies what a bounded read returned.
func (s *System) applyRead(name string, data []byte, err error) (ApplySummary, error) {
	var tl *fsread.TooLargeError
	switch {
	case errors.As(err, &tl):
		pe := &FileError{File: name, Line: 1, Col: 1, Code: "limit",
			Msg: fmt.Sprintf("the document is larger than the limit MaxBytes=%d bytes", tl.Max)}
		s.reject(pe)
		return ApplySummary{}, pe
	case err != nil:
		return ApplySummary{}, err
	}
	return s.Apply(name, data)
}

func (s *System) reject(pe *FileError) {
	s.emit(Event{Type: EvProvisioningRejected, File: pe.File, Line: pe.Line, Col: pe.Col, Reason: pe.Code, Detail: pe.Msg})
}

// applyParsed applies a document already read. Every check that can refuse
// the document runs before the first change, which is what makes
// application atomic.
func (s *System) applyParsed(f *provfile.File) (ApplySummary, error) {
	if s.stopped != nil {
		return ApplySummary{}, s.stopped
	}
	if !f.HasProductID || f.ProductID != "e2" {
		msg := fmt.Sprintf("productID is %q; this system accepts only \"e2\"", f.ProductID)
		if !f.HasProductID {
			msg = "the <provisioning> element has no productID; this system accepts only productID=\"e2\""
		}
		pe := &FileError{File: f.Name, Line: f.Pos.Line, Col: f.Pos.Col, Code: "product-id", Msg: msg}
		s.reject(pe)
		return ApplySummary{}, pe
	}
	a := applier{s: s, f: f, fw: s.fw}
	a.run()
	s.sipAfterApply()
	return a.res, nil
}

type applier struct {
	s   *System
	f   *provfile.File
	fw  firmware.Version // the firmware running when the file arrived
	res ApplySummary
}

func (a *applier) warn(p provfile.Pos, code, detail string) {
	a.res.Warnings++
	a.s.warn(a.f.Name, p.Line, p.Col, code, detail)
}

// warnAbout is warn for a warning about one slot or handset (key).
func (a *applier) warnAbout(p provfile.Pos, key, code, detail string) {
	a.res.Warnings++
	a.s.warnAbout(a.f.Name, p.Line, p.Col, key, code, detail)
}

func (a *applier) run() {
	s, f := a.s, a.f
	for _, it := range f.Items {
		if it.Kind == provfile.OperItem {
			a.res.Opers++
		} else {
			a.res.Params++
		}
	}
	s.emit(Event{Type: EvProvisioningApplied, File: f.Name, Line: f.Pos.Line, Col: f.Pos.Col,
		Detail: fmt.Sprintf("%d params, %d opers", a.res.Params, a.res.Opers)})
	dn, ignored := s.rd.DNPHS(f.Items)
	a.notes(ignored)
	if dn >= 0 {
		a.deleteNotProvisioned(f.Items[dn])
	}
	lead := len(f.Items)
	if s.rd.ToDeRegTop {
		lead = readings.LeadingRun(f.Items)
	}
	for i := range f.Items {
		it := &f.Items[i]
		if it.Kind == provfile.ParamItem {
			if i >= lead && a.lateToDeReg(i, lead) {
				continue
			}
			a.param(it)
			continue
		}
		if it.Name == "DeleteNotProvisionedHS" {
			if len(ignored) > 0 && ignored[0].Index == i {
				a.warn(it.Pos, WarnDNPHSNotFirst, ignored[0].Msg)
				ignored = ignored[1:]
			}
			continue
		}
		a.oper(it)
	}
	if f.Firmware != nil {
		for _, ff := range f.Firmware.Files {
			a.firmware(ff)
		}
	}
}

// lateToDeReg warns and reports true when items[i], past the leading run
// that ends at items[lead], is a hs.<id>.RegStatus=ToDeReg, which
// todereg-position=top ignores.
func (a *applier) lateToDeReg(i, lead int) bool {
	it := a.f.Items[i]
	key, ok := readings.RegStatusKey(it.Name)
	if !ok || it.Value != "ToDeReg" {
		return false
	}
	a.warnAbout(it.Pos, key, WarnToDeRegNotFirst, a.s.rd.ToDeRegLate(a.f.Items, i, lead))
	return true
}

// notes warns about what the reader noticed, except that a
// DeleteNotProvisionedHS the readings ignore has one warning only,
// dnphs-not-first, which says why (an outside-nvm warning would say it is
// applied).
func (a *applier) notes(ignored []readings.Ignored) {
	for _, n := range a.f.Notes {
		if n.Code == "outside-nvm" && slices.ContainsFunc(ignored, func(ig readings.Ignored) bool { return a.f.Items[ig.Index].Pos == n.Pos }) {
			continue
		}
		a.warn(n.Pos, n.Code, n.Msg)
	}
}

// deleteNotProvisioned starts graceful deregistration of every slot the
// file does not keep (reading dnphs-keeps): by default, every slot no
// add_hs of the file names, by id or by the IPUI registered in it.
func (a *applier) deleteNotProvisioned(dn provfile.Item) {
	named := a.s.rd.Kept(a.f.Items, a.s.rd.LowerCaseOnly(a.fw))
	// Collect first: starting a deregistration may remove slots at once.
	var victims []*slot
	for _, sl := range a.s.order {
		if sl.gone {
			continue
		}
		if _, ok := named[sl.id]; ok {
			continue
		}
		if _, ok := named[sl.ipui]; ok && sl.ipui != "" {
			continue
		}
		victims = append(victims, sl)
	}
	for _, sl := range victims {
		a.s.startDereg(sl, TriggerDeleteNotProvisionedHS, a.f.Name, dn.Pos.Line, dn.Pos.Col)
	}
	a.paramsForRemoved(victims)
}

// paramsForRemoved warns, once per slot, where the file sets settings of
// a slot that its own DeleteNotProvisionedHS removes: they go with the
// slot, which the author almost certainly meant to keep.
func (a *applier) paramsForRemoved(victims []*slot) {
	if len(victims) == 0 {
		return
	}
	byKey := make(map[string]*slot, 2*len(victims))
	for _, sl := range victims {
		byKey[sl.id] = sl
		if sl.ipui != "" {
			byKey[sl.ipui] = sl
		}
	}
	removed := func(key string) (*slot, bool) { sl := byKey[key]; return sl, sl != nil }
	for _, h := range readings.SettingsOfRemoved(a.f.Items, a.s.rd.LowerCaseOnly(a.fw), removed) {
		a.warnAbout(h.First.Pos, h.Slot.id, WarnParamsForRemovedSlot, fmt.Sprintf(
			"the file sets %s%s, but its own DeleteNotProvisionedHS removes slot %s, since no add_hs names it (%s): the settings go with the slot; add an add_hs for %s to keep the handset",
			h.First.Name, readings.MoreSettings(h.N-1), h.Slot.id, a.s.rd.Tag(readings.DNPHSKeeps), h.Slot.id))
	}
}

func (a *applier) param(it *provfile.Item) {
	if !it.HasName || it.Name == "" {
		a.warn(it.Pos, WarnMissingName, "a <param> without a name is ignored")
		return
	}
	name := it.Name
	if name == "hs.RegStatus" {
		a.warn(it.Pos, WarnRegStatusOutsideOper, "hs.RegStatus belongs inside an add_hs oper; here it names no slot and is ignored")
		return
	}
	if key, ok := a.upperCaseKey(name); ok {
		a.warnAbout(it.Pos, key, WarnIPUICase, fmt.Sprintf("%s: %s names no slot and is ignored (write %s)", a.everyIPUICase(), name, strings.ToLower(key)))
		return
	}
	sip, key, rest, ok := splitSlotParam(name)
	if !ok {
		if name == SettingPeriod {
			a.period(it)
		}
		if timeofday.IsWindowSetting(name) {
			a.timeOfDay(it)
		}
		a.s.setParam(name, it.Value)
		return
	}
	if !sip && rest == "RegStatus" {
		a.regStatus(it.Pos, key, it.Value)
		return
	}
	a.s.setSlotParam(sip, key, rest, it.Value)
}

// period warns about a Provisioning.global.Period under MinPeriod: the
// setting is stored as written, and the fetcher checks every MinPeriod.
func (a *applier) period(it *provfile.Item) {
	n, err := strconv.ParseInt(strings.TrimSpace(it.Value), 10, 64)
	if err != nil || n < 1 || n >= int64(MinPeriod/time.Second) {
		return
	}
	a.warn(it.Pos, WarnPeriodTooShort, fmt.Sprintf("Provisioning.global.Period is %d s; the vendor says not to use less than %d s, and the system checks every %d s", n, int64(MinPeriod/time.Second), int64(MinPeriod/time.Second)))
}

// timeOfDay warns about a PeriodStart or PeriodEnd that is not a time of
// day: the setting is stored as written, and the fetcher ignores the
// window.
func (a *applier) timeOfDay(it *provfile.Item) {
	if strings.TrimSpace(it.Value) == "" {
		return
	}
	if _, err := timeofday.Parse(it.Value); err != nil {
		a.warn(it.Pos, WarnBadTimeOfDay, fmt.Sprintf("%s: %v (HH:MM, 00:00 to 24:00): the system ignores the PeriodStart-PeriodEnd window and checks once a day between 01:00 and 04:00", it.Name, err))
	}
}

// regStatus is hs.<id>.RegStatus: ToDeReg starts a graceful
// deregistration; ToReg re-opens a NotReg slot and changes nothing else.
func (a *applier) regStatus(p provfile.Pos, key, value string) {
	switch value {
	case "ToReg", "ToDeReg":
	default:
		a.warnAbout(p, key, WarnBadRegStatus, fmt.Sprintf("RegStatus %q is neither ToReg nor ToDeReg; ignored", value))
		return
	}
	sl := a.s.lookup(key)
	if sl == nil {
		a.noSlot(p, key, "hs."+key+".RegStatus")
		return
	}
	a.setStatus(p, sl, value)
}

func (a *applier) setStatus(p provfile.Pos, sl *slot, value string) {
	switch {
	case value == "ToDeReg":
		a.s.startDereg(sl, TriggerToDeReg, a.f.Name, p.Line, p.Col)
	case sl.state == NotReg:
		a.s.setState(sl, ToReg)
	case sl.state == ToDeReg && a.s.rd.DeregUndo && sl.airEv == 0:
		a.s.cancelDereg(sl, a.f.Name, p.Line, p.Col)
	case sl.state == ToDeReg && a.s.rd.DeregUndo:
		a.warnAbout(p, sl.id, WarnSlotInDereg, fmt.Sprintf("slot %s's handset is being deregistered over the air, which cannot be taken back (%s cancels only a deregistration still waiting): this ToReg changes nothing; only a file that arrives after the slot is gone adds it again", sl.id, a.s.rd.Tag(readings.DeregUndo)))
	case sl.state == ToDeReg:
		a.warnAbout(p, sl.id, WarnSlotInDereg, fmt.Sprintf("slot %s is being deregistered (ToDeReg): this ToReg changes nothing and is not remembered (%s); the deregistration runs to its end, and only a file that arrives after the slot is gone adds it again", sl.id, a.s.rd.Tag(readings.DeregUndo)))
	}
}

func (a *applier) noSlot(p provfile.Pos, value, what string) {
	if ipui.HasUpper(value) && a.s.lookup(strings.ToLower(value)) != nil {
		a.warnAbout(p, value, WarnIPUICase, fmt.Sprintf("%s names no slot; upper-case letters are why", what))
		return
	}
	a.warnAbout(p, value, WarnNoSuchSlot, fmt.Sprintf("%s names no slot; nothing changes", what))
}

func (a *applier) oper(it *provfile.Item) {
	switch it.Name {
	case "add_hs":
		a.addHS(it)
	case "delete_hs":
		a.deleteHS(it)
	case "update_dm":
		a.updateDM(it)
	default:
		a.warn(it.Pos, WarnUnknownOper, fmt.Sprintf("firmware %s knows no oper %q; it is ignored", a.fw, it.Name))
	}
}

// upperCaseKey returns the slot key of a per-slot param when it is an IPUI
// in upper case that matches nothing (ipui-case=everywhere on firmware
// before case-fixed-in).
func (a *applier) upperCaseKey(name string) (string, bool) {
	if !a.s.rd.LowerCaseOnly(a.fw) {
		return "", false
	}
	key, _, ok := readings.SlotKey(name)
	return key, ok && readings.UpperIPUI(key)
}

// everyIPUICase says why an upper-case IPUI matches nothing under
// ipui-case=everywhere.
func (a *applier) everyIPUICase() string {
	return fmt.Sprintf("firmware %s matches every IPUI of a file case-sensitively (%s, until %s)", a.fw, a.s.rd.Tag(readings.IPUICase), a.s.rd.Tag(readings.CaseFixedIn))
}

func (a *applier) addHS(it *provfile.Item) {
	if raw := strings.TrimSpace(it.Value); a.s.rd.LowerCaseOnly(a.fw) && readings.UpperIPUI(raw) {
		a.warnAbout(it.Pos, raw, WarnIPUICase, fmt.Sprintf("%s: add_hs %s names no slot and adds none (write %s)", a.everyIPUICase(), raw, strings.ToLower(raw)))
		return
	}
	id := ipui.Normalize(strings.TrimSpace(it.Value))
	if id == "" {
		a.warn(it.Pos, WarnBadIPUI, "add_hs without a value names no slot; ignored")
		return
	}
	status := ""
	var statusPos provfile.Pos
	for _, p := range it.Params {
		switch {
		case p.Name == "hs.RegStatus":
			if p.Value != "ToReg" && p.Value != "ToDeReg" {
				a.warnAbout(p.Pos, id, WarnBadRegStatus, fmt.Sprintf("RegStatus %q is neither ToReg nor ToDeReg; ignored", p.Value))
				continue
			}
			status, statusPos = p.Value, p.Pos
		case strings.HasPrefix(p.Name, "hs.") && strings.Count(p.Name, ".") == 1:
			// Scoped to the slot, as hs.RegStatus is.
		default:
			a.warnAbout(p.Pos, id, WarnUnknownParam, fmt.Sprintf("add_hs does not take %q; ignored", p.Name))
		}
	}
	sl := a.s.lookup(id)
	if sl == nil {
		if len(a.s.slots) >= a.s.cfg.MaxHandsets {
			a.warnAbout(it.Pos, id, WarnCapacity, fmt.Sprintf("the handset list is full (%d of %d on %s); slot %s is not added", len(a.s.slots), a.s.cfg.MaxHandsets, a.s.profile.Name, id))
			return
		}
		sl = a.s.addSlot(id, ToReg)
		a.s.emit(Event{Type: EvSlotAdded, Slot: sl.id, IPUI: sl.ipui, File: a.f.Name, Line: it.Pos.Line, Col: it.Pos.Col})
	}
	for _, p := range it.Params {
		if strings.HasPrefix(p.Name, "hs.") && strings.Count(p.Name, ".") == 1 && p.Name != "hs.RegStatus" {
			a.s.setParam("hs."+sl.id+"."+p.Name[3:], p.Value)
		}
	}
	if status == "" { // add_hs without hs.RegStatus asks for ToReg
		status, statusPos = "ToReg", it.Pos
	}
	a.setStatus(statusPos, sl, status)
}

func (a *applier) deleteHS(it *provfile.Item) {
	if !a.fw.KnowsDeleteHS() {
		a.warn(it.Pos, WarnDeleteHSUnsupported, fmt.Sprintf("firmware %s does not know delete_hs (it arrived in 2.36.0); nothing changes", a.fw))
		return
	}
	v := strings.TrimSpace(it.Value)
	if v == "" {
		a.warn(it.Pos, WarnBadIPUI, "delete_hs without a value names no slot; ignored")
		return
	}
	var sl *slot
	if a.s.rd.DeleteHSLowerCaseOnly(a.fw) {
		// 2.36.x compares as written; stored IPUIs are lower case.
		if sl = a.s.byIPUI[v]; sl == nil {
			sl = a.s.slots[v]
		}
		if sl == nil && ipui.HasUpper(v) && a.s.lookup(v) != nil {
			a.warnAbout(it.Pos, v, WarnIPUICase, fmt.Sprintf("firmware %s matches delete_hs case-sensitively (until %s): %q finds no slot, the handset stays (write it in lower case)", a.fw, a.s.rd.Tag(readings.CaseFixedIn), v))
			return
		}
	} else {
		sl = a.s.lookup(v)
	}
	if sl == nil {
		a.noSlot(it.Pos, v, "delete_hs "+v)
		return
	}
	a.s.deleteHS(sl, a.f.Name, it.Pos.Line, it.Pos.Col)
}

func (a *applier) updateDM(it *provfile.Item) {
	var start, dur int64
	var haveStart, haveDur bool
	for _, p := range it.Params {
		switch p.Name {
		case "RegStart", "RegDuration":
			n, err := strconv.ParseInt(strings.TrimSpace(p.Value), 10, 64)
			if err != nil || n < 0 || p.Name == "RegStart" && n > 1<<40 {
				a.warn(p.Pos, WarnBadValue, fmt.Sprintf("%s %q is not a number of seconds; the window is unchanged", p.Name, p.Value))
				return
			}
			if p.Name == "RegStart" {
				start, haveStart = n, true
			} else {
				dur, haveDur = n, true
			}
		}
	}
	if !haveStart || !haveDur {
		a.warn(it.Pos, WarnBadValue, "update_dm needs RegStart and RegDuration; the window is unchanged")
		return
	}
	d := time.Duration(dur) * time.Second
	if max := int64(MaxRegDuration / time.Second); dur > max {
		// Seconds beyond what a time.Duration holds would wrap round
		// into a window that closed before it opened.
		d = MaxRegDuration
		for _, p := range it.Params {
			if p.Name == "RegDuration" {
				a.warn(p.Pos, WarnBadValue, fmt.Sprintf("RegDuration %d s is longer than the longest window the system opens (%d s, 100 years); the window is open for %d s", dur, max, max))
			}
		}
	}
	st := time.Unix(start, 0).UTC()
	w := Window{Start: st, End: st.Add(d)}
	ids := a.s.dmIDList()
	open, ok := a.s.rd.WindowDMs(it.Value, ids)
	if !ok {
		a.warn(it.Pos, WarnNoSuchDM, a.s.rd.NoSuchDM(it.Value, ids))
		return
	}
	for _, id := range open {
		a.s.dmByID[id].window = w
	}
}

func (a *applier) firmware(ff provfile.FirmwareFile) {
	v, err := firmware.Parse(ff.Version)
	if err != nil {
		a.warn(ff.Pos, WarnBadFirmwareVersion, fmt.Sprintf("firmware version %q does not parse; nothing is installed", ff.Version))
		return
	}
	a.s.offerFirmware(v, ff.URL)
}
