// Package lint owns `dectsim check`: what a given product and firmware
// would do with a provisioning file, as findings a server author can act on
// before the file reaches a real system.
//
// Lint is static: it sees one file and no system state, so it reports what
// the file would do on any system of the chosen product and firmware. It
// agrees with package system, which applies the same file: where both speak
// of one thing they use the same code (dnphs-not-first, delete-hs-unsupported,
// ipui-case, capacity, unknown-oper, bad-firmware-version, bad-regstatus,
// bad-ipui, bad-value, missing-name, unknown-param, regstatus-outside-add-hs,
// params-for-removed-slot, todereg-not-first and the reader's notes
// outside-nvm, unknown-element, duplicate-section). It applies the same
// readings (Options.Readings, see system.Readings) through the same rules
// (internal/vocab/readings), so for one file and one set of readings `dectsim run`
// and `dectsim check` agree on which DeleteNotProvisionedHS and ToDeReg count
// and which slots a file keeps; where both report a DeleteNotProvisionedHS
// that is ignored, the message is the same.
//
// An error is something the system would refuse, or would silently not do
// as the author meant; a warning is something worth a look. Choices made
// where the meaning of a code leaves room:
//
//   - empty-value covers value="" and a <param> with no value attribute at
//     all: the system stores an empty setting either way, and Gigaset warns
//     that empty values "can lead to unpredictable behavior". Opers are not
//     checked for it (DeleteNotProvisionedHS has no value; add_hs and
//     delete_hs without one are bad-ipui).
//   - ipui-case is reported for a delete_hs value that is an IPUI (10 hex
//     digits) with upper-case letters; any other value is bad-ipui. Below
//     2.36.0 neither is reported: delete-hs-unsupported says the oper is
//     ignored altogether.
//   - contradiction compares ids in lower case, as the system does, except
//     for an upper-case delete_hs on 2.36.x, which deregisters nothing
//     (ipui-case already says so).
//   - capacity counts the distinct add_hs ids of the file only: the
//     handset list may already hold slots, which lint cannot see.
//   - limit (the document is beyond the reader's limits) is an error and,
//     like xml-syntax and not-provisioning, makes the file Unreadable.
//   - a top-level <param name="hs.RegStatus"> is regstatus-outside-add-hs
//     rather than bad-param-name: that says what to do about it.
//
// Extra warning codes: version (the root's version is not "1.1"), no-nvm
// (nothing to apply), dnphs-removes-all (DeleteNotProvisionedHS in a file
// that keeps no slot), duplicate-param (one setting given two values),
// bad-value (update_dm or Provisioning.global.Period values that are not
// numbers of seconds), missing-name, unknown-param and
// regstatus-outside-add-hs.
package lint

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/dectsim/dectsim/emulator/system"
	"github.com/dectsim/dectsim/internal/provfile"
	"github.com/dectsim/dectsim/internal/textio/fsread"
	"github.com/dectsim/dectsim/internal/textio/printable"
	"github.com/dectsim/dectsim/internal/vocab/firmware"
	"github.com/dectsim/dectsim/internal/vocab/product"
	"github.com/dectsim/dectsim/internal/vocab/readings"
)

// Severity says whether a finding is an error or a warning; `dectsim check`
// exits 4 when any error-level finding is reported.
type Severity string

// Severities (a contract: `dectsim check` output and JSON consumers rely on
// these spellings).
const (
	// Error: the system would refuse the file, or would silently not do
	// what its author meant.
	Error Severity = "error"
	// Warning: worth a look, though the system does apply it.
	Warning Severity = "warning"
)

// Finding codes. Where package system warns about the same thing while
// applying a file, a finding carries system's own constant, so the two
// cannot drift apart. Those codes, with their severity here:
//
//   - system.WarnDNPHSNotFirst (error): DeleteNotProvisionedHS stands where
//     the reading dnphs-position does not honour it (by default: it is not
//     the first <oper> or <param> of the document), so the system ignores
//     it. The message is the system's own.
//   - system.WarnDeleteHSUnsupported (error): delete_hs below firmware
//     2.36.0.
//   - system.WarnIPUICase (error from 2.36.0 until the reading
//     case-fixed-in, 2.37.0 by default; a warning after it): delete_hs with
//     upper-case letters; under ipui-case=everywhere also add_hs values and
//     hs.<IPUI>.* or SipAccount.<IPUI>.* names (errors only, where the
//     system ignores them).
//   - system.WarnBadIPUI (warning): an add_hs/delete_hs value that is
//     neither an IPUI nor a placeholder id.
//   - system.WarnCapacity (error): more distinct add_hs ids than the
//     product holds.
//   - system.WarnBadRegStatus (error): a RegStatus other than ToReg/ToDeReg.
//   - system.WarnUnknownOper (warning): an oper the firmware does not know.
//   - system.WarnBadFirmwareVersion (warning): a <firmware><file version>
//     that does not parse.
//   - system.WarnBadValue (warning): a value the system cannot use
//     (update_dm times, Provisioning.global.Period).
//   - system.WarnNoSuchDM (warning): an update_dm that names no DM of the
//     system (Options.DMs; reading update-dm-scope).
//   - system.WarnMissingName (warning): a <param> without a name, which the
//     system ignores.
//   - system.WarnUnknownParam (warning): a child param that add_hs does not
//     take (one without a name included), which the system ignores.
//   - system.WarnRegStatusOutsideOper (warning): hs.RegStatus outside an
//     add_hs oper.
//   - system.WarnParamsForRemovedSlot (error): the file sets hs.<id>.* or
//     SipAccount.<id>.* of a slot that its own DeleteNotProvisionedHS does
//     not keep (under the reading dnphs-keeps), once per slot.
//   - system.WarnToDeRegNotFirst (a warning under todereg-position=anywhere,
//     which honours it; an error under top, which ignores it):
//     hs.<id>.RegStatus=ToDeReg after other params.
//
// The codes below are lint's own. A contract: their first group, the first
// eight shared codes above, and the severities of both; users and their
// CI filter on these spellings. Lint's second group and the last four
// shared codes are additions, all warnings.
const (
	// CodeXMLSyntax (error): not well-formed XML; the file is rejected.
	CodeXMLSyntax = "xml-syntax"
	// CodeNotProvisioning (error): the root is not <provisioning>.
	CodeNotProvisioning = "not-provisioning"
	// CodeLimit (error): the file is beyond the reader's size or depth limits.
	CodeLimit = "limit"
	// CodeProductID (error): productID is missing or not "e2"; rejected.
	CodeProductID = "product-id"
	// CodeDuplicateSlot (warning): the same slot id added twice.
	CodeDuplicateSlot = "duplicate-slot"
	// CodeContradiction (error): a slot both added and deregistered.
	CodeContradiction = "contradiction"
	// CodeEmptyValue (warning): value="" or no value attribute on a param.
	CodeEmptyValue = "empty-value"
	// CodePeriodTooShort (warning): Provisioning.global.Period in 1..1799.
	// The system warns about it too, with the same code, and checks every
	// 1800 s instead.
	CodePeriodTooShort = system.WarnPeriodTooShort
	// CodeBadTimeOfDay (warning): Provisioning.global.PeriodStart or
	// PeriodEnd is not a time of day HH:MM (such as "25:00").
	CodeBadTimeOfDay = system.WarnBadTimeOfDay
	// CodeBadParamName (warning): a param name without the dotted
	// Group.instance.Name shape.
	CodeBadParamName = "bad-param-name"

	// CodeVersion (warning): the root's version is not "1.1".
	CodeVersion = "version"
	// CodeNoNVM (warning): a document with nothing to apply.
	CodeNoNVM = "no-nvm"
	// CodeDNPHSRemovesAll (warning): DeleteNotProvisionedHS with no add_hs,
	// which deregisters every handset.
	CodeDNPHSRemovesAll = "dnphs-removes-all"
	// CodeDuplicateParam (warning): one setting given two different values.
	CodeDuplicateParam = "duplicate-param"
	// CodeOutsideNVM (warning): a param or oper directly under <provisioning>.
	CodeOutsideNVM = "outside-nvm"
	// CodeUnknownElement (warning): an element the system ignores.
	CodeUnknownElement = "unknown-element"
	// CodeDuplicateSection (warning): a second <nvm> or <firmware>.
	CodeDuplicateSection = "duplicate-section"
	// CodeSIPAccountIncomplete (warning): a SipAccount.<id> the system
	// cannot register: no UserName, or a provider with neither Domain nor
	// RegServerAddress.
	CodeSIPAccountIncomplete = "sip-account-incomplete"
)

// Finding is one thing check reports about a file, at the position of the
// element it concerns.
type Finding struct {
	File     string
	Pos      provfile.Pos
	Severity Severity
	Code     string
	Msg      string
}

// String formats the finding the way compilers do, so editors can jump to
// it: "file:line:col: error|warning: CODE: message". It is one line of
// printable text whatever the file's name or content (printable.String).
func (f Finding) String() string {
	return fmt.Sprintf("%s:%d:%d: %s: %s: %s", printable.String(f.File), f.Pos.Line, f.Pos.Col,
		printable.String(string(f.Severity)), printable.String(f.Code), printable.String(f.Msg))
}

// Options choose the system the file is checked against. The zero Options
// mean an N870 on firmware 2.65.0 with its default capacity, the system's
// own defaults.
type Options struct {
	// Product is a profile name (N610, N670, N770, N870, N870E, VI); ""
	// means N870.
	Product string
	// Firmware is the running version, MAJOR.MINOR[.PATCH]; "" means 2.65.0.
	Firmware string
	// MaxHandsets overrides the product's handset capacity; 0 keeps it.
	MaxHandsets int
	// Readings sets readings by name (see system.Readings); the others
	// keep their defaults. Check applies them as the system does.
	Readings map[string]string
	// DMs are the ids of the system's DECT managers, which update_dm may
	// name; none: the one DM of a system that declares none, local.
	DMs []string
}

// config is Options resolved.
type config struct {
	prof product.Profile
	fw   firmware.Version
	cap  int
	rd   readings.Set
	dms  []string
}

func (o Options) resolve() (config, error) {
	var c config
	name := o.Product
	if name == "" {
		name = product.Default
	}
	p, err := product.Lookup(name)
	if err != nil {
		return c, err
	}
	c.prof = p
	c.fw = firmware.Default
	if o.Firmware != "" {
		if c.fw, err = firmware.Parse(o.Firmware); err != nil {
			return c, err
		}
	}
	if c.rd, err = readings.Resolve(o.Readings); err != nil {
		return c, err
	}
	c.dms = o.DMs
	if len(c.dms) == 0 {
		c.dms = []string{system.DefaultDM}
	}
	if len(c.dms) > 1 && p.Name != "VI" {
		return c, fmt.Errorf("--dm %s: several DECT managers need a Virtual Integrator (--product VI)", strings.Join(c.dms, " --dm "))
	}
	switch {
	case o.MaxHandsets < 0:
		return c, fmt.Errorf("max handsets %d is negative", o.MaxHandsets)
	case o.MaxHandsets > 0:
		c.cap = o.MaxHandsets
	default:
		c.cap = p.MaxHandsets
	}
	return c, nil
}

// Check lints one provisioning document. The error is only for bad Options
// (an unknown product, a firmware version that does not parse); a document
// that cannot be read is reported as a finding (xml-syntax,
// not-provisioning or limit), since that is what the user needs to see.
// Findings are sorted by position, then code.
func Check(name string, data []byte, o Options) ([]Finding, error) {
	c, err := o.resolve()
	if err != nil {
		return nil, err
	}
	return check(name, data, c), nil
}

// CheckFile reads the file at path and lints it, naming findings by path.
// I/O errors (a missing file, a directory) are returned as errors; a file
// larger than the reader accepts is a limit finding. The path may name a
// device or a pipe: it is read through the same limit, never more than one
// byte past it.
func CheckFile(path string, o Options) ([]Finding, error) {
	c, err := o.resolve()
	if err != nil {
		return nil, err
	}
	data, err := fsread.ReadFile(path, maxBytes)
	return checkRead(path, data, err, c)
}

// maxBytes is the largest document check reads, as the system does.
var maxBytes = int64(provfile.DefaultLimits.MaxBytes)

// checkRead lints what was read as name: a document over maxBytes is a
// limit finding, another read error is returned.
func checkRead(name string, data []byte, err error, c config) ([]Finding, error) {
	var tl *fsread.TooLargeError
	switch {
	case errors.As(err, &tl):
		return []Finding{{File: name, Pos: provfile.Pos{Line: 1, Col: 1}, Severity: Error, Code: CodeLimit,
			Msg: fmt.Sprintf("the document is larger than the limit MaxBytes=%d bytes; the file is beyond what dectsim reads, and is rejected whole", maxBytes)}}, nil
	case err != nil:
		return nil, err
	}
	return check(name, data, c), nil
}

// CheckReader lints the document r holds (standard input, say), naming
// findings by name; it reads r through the same limit as CheckFile.
func CheckReader(name string, r io.Reader, o Options) ([]Finding, error) {
	c, err := o.resolve()
	if err != nil {
		return nil, err
	}
	data, err := fsread.Read(name, r, maxBytes)
	return checkRead(name, data, err, c)
}

// HasErrors reports whether any finding is an error, which makes `dectsim
// check` exit non-zero.
func HasErrors(fs []Finding) bool {
	for _, f := range fs {
		if f.Severity == Error {
			return true
		}
	}
	return false
}

// Unreadable reports whether the file could not be read as a provisioning
// document at all (xml-syntax, not-provisioning or limit): `dectsim check`
// exits 2 for these rather than 4.
func Unreadable(fs []Finding) bool {
	for _, f := range fs {
		switch f.Code {
		case CodeXMLSyntax, CodeNotProvisioning, CodeLimit:
			return true
		}
	}
	return false
}

func check(name string, data []byte, c config) []Finding {
	f, err := provfile.Parse(name, data)
	if err != nil {
		var pe *provfile.Error
		if !errors.As(err, &pe) {
			pe = &provfile.Error{File: name, Pos: provfile.Pos{Line: 1, Col: 1}, Code: CodeXMLSyntax, Msg: err.Error()}
		}
		code := pe.Code
		switch code {
		case CodeXMLSyntax, CodeNotProvisioning, CodeLimit:
		default:
			code = CodeXMLSyntax
		}
		msg := pe.Msg
		switch code {
		case CodeXMLSyntax:
			if !strings.HasPrefix(msg, "not well-formed XML") {
				msg = "not well-formed XML: " + msg
			}
			msg += "; the system rejects the whole file and changes nothing"
		case CodeNotProvisioning:
			msg += "; the system rejects the whole file and changes nothing"
		case CodeLimit:
			msg += "; the file is beyond what dectsim reads, and is rejected whole"
		}
		return []Finding{{File: name, Pos: pe.Pos, Severity: Error, Code: code, Msg: printable.String(msg)}}
	}
	k := &checker{c: c, f: f}
	k.run()
	sort.SliceStable(k.out, func(i, j int) bool {
		a, b := k.out[i], k.out[j]
		if a.Pos.Line != b.Pos.Line {
			return a.Pos.Line < b.Pos.Line
		}
		if a.Pos.Col != b.Pos.Col {
			return a.Pos.Col < b.Pos.Col
		}
		return a.Code < b.Code
	})
	return k.out
}
