// Package readings owns the places where the vendor text can be read two
// ways. Each is a reading: a name, a default and its alternatives, the
// vendor sentence it interprets, and what the vendor says differs between
// products. The system (applying a file), lint (checking one), scenario
// files and the command all take their readings from here, so `dectsim
// run` and `dectsim check` read a file the same way.
//
// A reading's default never depends on the product.
package readings

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/dectsim/dectsim/internal/vocab/firmware"
)

// Reading names (a contract: scenario attributes, --reading flags and Go
// options use these spellings).
const (
	DNPHSPosition   = "dnphs-position"
	DNPHSKeeps      = "dnphs-keeps"
	ToDeRegPosition = "todereg-position"
	IPUICase        = "ipui-case"
	CaseFixedIn     = "case-fixed-in"
	DeregUndo       = "dereg-undo"
	GhostReregister = "ghost-reregister"
	DetectDelay     = "detect-delay"
	UpdateDMScope   = "update-dm-scope"
)

// Reading values (a contract, as the names).
const (
	PositionFirst    = "first"
	PositionNVMFirst = "nvm-first"
	PositionAnywhere = "anywhere"

	KeepsAddHS      = "add-hs"
	KeepsAnyMention = "any-mention"

	ToDeRegAnywhere = "anywhere"
	ToDeRegTop      = "top"

	CaseDeleteHS   = "delete-hs"
	CaseEverywhere = "everywhere"

	UndoNone         = "none"
	UndoAddHSCancels = "add-hs-cancels"

	GhostResetFirst = "reset-first"
	GhostAllowed    = "allowed"

	ScopeNamed = "named"
	ScopeAll   = "all"
)

// Kind says what values a reading takes.
type Kind uint8

// Kinds of reading.
const (
	// Choice: one of the reading's Values.
	Choice Kind = iota
	// Version: any firmware version, MAJOR.MINOR.PATCH.
	Version
	// Duration: any duration of 0s or more, in Go syntax (90m, 3h).
	Duration
)

// FAQ is the title of the vendor document most readings interpret.
const FAQ = `FAQ "Auto provisioning: Delete/remove handset examples"`

// Reading is one place where the vendor text can be read two ways.
type Reading struct {
	// Name is the reading's name, as scenario attributes and flags spell it.
	Name string
	// Kind says what values it takes.
	Kind Kind
	// Default is the value in force unless told otherwise.
	Default string
	// Values are the values of a Choice; for a Version or a Duration, the
	// values `dectsim run --all-readings` tries. The default comes first.
	Values []string
	// Means says what each of Values does, in the same order.
	Means []string
	// Vendor is the vendor sentence the reading interprets, quoted as the
	// vendor wrote it, or what the vendor leaves unsaid; Source names the
	// document.
	Vendor, Source string
	// Products says where the vendor documents a difference between
	// products; empty when it documents none.
	Products string
}

// Takes describes the values the reading accepts, for help and errors.
func (r Reading) Takes() string {
	switch r.Kind {
	case Version:
		return "a firmware version MAJOR.MINOR.PATCH (e.g. " + strings.Join(r.Values, ", ") + ")"
	case Duration:
		return "a duration of 0s or more in Go syntax (e.g. " + strings.Join(r.Values, ", ") + ")"
	}
	return orList(r.Values)
}

// Check reads v as a value of r and returns it in canonical form (a
// version as MAJOR.MINOR.PATCH, a duration as Go prints it). The error
// names the reading, the value and what it takes.
func (r Reading) Check(v string) (string, error) {
	switch r.Kind {
	case Version:
		fw, err := firmware.Parse(v)
		if err != nil {
			return "", fmt.Errorf("%s=%q is not a firmware version: it takes %s", r.Name, v, r.Takes())
		}
		return fw.String(), nil
	case Duration:
		d, err := time.ParseDuration(strings.TrimSpace(v))
		switch {
		case err != nil:
			return "", fmt.Errorf("%s=%q is not a duration: it takes %s", r.Name, v, r.Takes())
		case d < 0:
			return "", fmt.Errorf("%s=%q is negative: it takes %s", r.Name, v, r.Takes())
		}
		return FormatDuration(d), nil
	}
	for _, ok := range r.Values {
		if v == ok {
			return v, nil
		}
	}
	return "", fmt.Errorf("%s=%q is not a value of this reading: it takes %s", r.Name, v, r.Takes())
}

// Table is every reading, in the order `dectsim readings` lists them.
type Table []Reading

// Lookup finds a reading by name.
func (t Table) Lookup(name string) (Reading, bool) {
	for _, r := range t {
		if r.Name == name {
			return r, true
		}
	}
	return Reading{}, false
}

// Names lists the readings' names, in table order.
func (t Table) Names() []string {
	out := make([]string, len(t))
	for i, r := range t {
		out[i] = r.Name
	}
	return out
}

// Check reads name=value: a known reading and a value it takes, returned
// in canonical form.
func (t Table) Check(name, value string) (string, error) {
	r, ok := t.Lookup(name)
	if !ok {
		return "", fmt.Errorf("unknown reading %q (the readings are %s)", name, strings.Join(t.Names(), ", "))
	}
	return r.Check(value)
}

// ParseFlag reads a NAME=VALUE argument, as --reading takes it.
func (t Table) ParseFlag(arg string) (name, value string, err error) {
	name, value, ok := strings.Cut(arg, "=")
	if !ok || name == "" {
		return "", "", fmt.Errorf("%q is not NAME=VALUE (e.g. %s=%s)", arg, DNPHSPosition, PositionAnywhere)
	}
	value, err = t.Check(name, value)
	return name, value, err
}

// All is every reading dectsim knows.
var All = Table{
	{
		Name: DNPHSPosition, Kind: Choice, Default: PositionFirst,
		Values: []string{PositionFirst, PositionNVMFirst, PositionAnywhere},
		Means: []string{
			"honoured when it is the first <oper> or <param> of the document, in <nvm> or directly under <provisioning>; anywhere else ignored (warning dnphs-not-first)",
			"honoured only as the first element of <nvm>; anywhere else ignored (warning dnphs-not-first)",
			"honoured wherever it stands",
		},
		Vendor: `"This parameter must be on top of the provisioning file."`,
		Source: FAQ,
	},
	{
		Name: DNPHSKeeps, Kind: Choice, Default: KeepsAddHS,
		Values: []string{KeepsAddHS, KeepsAnyMention},
		Means: []string{
			"DeleteNotProvisionedHS keeps the slots an add_hs of the file names, by id or by the IPUI registered in them",
			"it also keeps the slots whose hs.<id>.* or SipAccount.<id>.* params the file sets",
		},
		Vendor: `"When this parameter is present, all handsets that are not in the file are removed automatically."`,
		Source: FAQ,
	},
	{
		Name: ToDeRegPosition, Kind: Choice, Default: ToDeRegAnywhere,
		Values: []string{ToDeRegAnywhere, ToDeRegTop},
		Means: []string{
			"hs.<id>.RegStatus=ToDeReg is honoured wherever it stands",
			"honoured only in the leading run of <oper>s and RegStatus params at the top of the document; elsewhere ignored (warning todereg-not-first)",
		},
		Vendor: `"The parameter must on on top of the provisioning file." (sic)`,
		Source: FAQ + ", in its single-delete example",
	},
	{
		Name: IPUICase, Kind: Choice, Default: CaseDeleteHS,
		Values: []string{CaseDeleteHS, CaseEverywhere},
		Means: []string{
			"before case-fixed-in, from 2.36.0, only delete_hs matches IPUIs case-sensitively (only lower case finds a slot); every other IPUI matches in any case",
			"before case-fixed-in, from 2.36.0, every IPUI of a file (add_hs, hs.<IPUI>.*, SipAccount.<IPUI>.*, delete_hs) matches only in lower case",
		},
		Vendor: `"In software 2.36 small letter for the IPUI must be used"`,
		Source: FAQ,
	},
	{
		Name: CaseFixedIn, Kind: Version, Default: "2.37.0",
		Values: []string{"2.37.0", "2.66.0"},
		Means: []string{
			"the first release after 2.36 accepts upper-case IPUIs",
			"no release dectsim knows accepts them (2.65.0 is the newest it knows)",
		},
		Vendor: `"we will change that also Capital letters are accepted."`,
		Source: FAQ + ", which names no release",
	},
	{
		Name: DeregUndo, Kind: Choice, Default: UndoNone,
		Values: []string{UndoNone, UndoAddHSCancels},
		Means: []string{
			"an add_hs (or ToReg) for a slot in ToDeReg changes nothing (warning slot-in-dereg); the deregistration runs to its end",
			"it cancels the pending deregistration: the slot returns to the state it had, the deadline is dropped (event dereg-cancelled); a handset already being deregistered over the air is not taken back",
		},
		Vendor: "nothing: the FAQ does not say whether a pending deregistration can be taken back, and servers do put users back",
		Source: FAQ,
	},
	{
		Name: GhostReregister, Kind: Choice, Default: GhostResetFirst,
		Values: []string{GhostResetFirst, GhostAllowed},
		Means: []string{
			"a ghost cannot register until its user resets it (refused, reason subscribed)",
			"a ghost may register again, which ends it",
		},
		Vendor: `nothing on ending a ghost: it says only that removing a handset that is not connected "can cause ghost handsets"`,
		Source: FAQ,
	},
	{
		Name: DetectDelay, Kind: Duration, Default: "0s",
		Values: []string{"0s", "3h", "6h"},
		Means: []string{
			"a handset that leaves or is switched off is noticed at once",
			"it is noticed after 3 hours (the vendor's figure for the N670/N870/N870E); until then it counts as connected, so a deregistration over the air tried meanwhile fails after the air time and the slot then waits as for an absent handset",
			"the same after 6 hours (the vendor's upper figure for the N610)",
		},
		Vendor:   `a detached or switched-off handset is noticed only after "up to 3 hours"`,
		Source:   `"FAQ - SIP account de-register if handset is switched off (Deregister detached HS)"`,
		Products: "N670, N870 and N870E notice a detached handset within 3 hours; the N610, which has no DECT DETACH procedure, takes 3 to 6 hours. The default stays 0s on every product.",
	},
	{
		Name: UpdateDMScope, Kind: Choice, Default: ScopeNamed,
		Values: []string{ScopeNamed, ScopeAll},
		Means: []string{
			`update_dm value="X" opens the registration window on the DECT manager X only; a name no DM has opens nothing (warning no-such-dm)`,
			"any update_dm opens the window on every DECT manager of the system",
		},
		Vendor: `the example's <oper name="update_dm" value="local">: "local" is the DECT manager's name on an embedded Integrator, so the value names a DM; whether the window opens on that DM alone is not said`,
		Source: FAQ,
	},
}

// Set is a resolved set of readings, as the system and lint apply them.
type Set struct {
	DNPHSPosition string
	DNPHSKeeps    string
	// ToDeRegTop is todereg-position=top.
	ToDeRegTop bool
	// IPUICaseEverywhere is ipui-case=everywhere.
	IPUICaseEverywhere bool
	CaseFixedIn        firmware.Version
	// DeregUndo is dereg-undo=add-hs-cancels.
	DeregUndo bool
	// GhostReregister is ghost-reregister=allowed.
	GhostReregister bool
	DetectDelay     time.Duration
	// UpdateDMAll is update-dm-scope=all.
	UpdateDMAll bool
	// Values holds every reading's value in canonical form, by name.
	Values map[string]string
}

// Resolve checks the values given (by reading name) and fills in the
// defaults of the others. Errors are reported for names in sorted order,
// so the same input always gives the same error.
func Resolve(given map[string]string) (Set, error) {
	vals := make(map[string]string, len(All))
	for _, r := range All {
		vals[r.Name] = r.Default
	}
	names := make([]string, 0, len(given))
	for n := range given {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		v, err := All.Check(n, given[n])
		if err != nil {
			return Set{}, err
		}
		vals[n] = v
	}
	fixed, _ := firmware.Parse(vals[CaseFixedIn])
	delay, _ := time.ParseDuration(vals[DetectDelay])
	return Set{
		DNPHSPosition:      vals[DNPHSPosition],
		DNPHSKeeps:         vals[DNPHSKeeps],
		ToDeRegTop:         vals[ToDeRegPosition] == ToDeRegTop,
		IPUICaseEverywhere: vals[IPUICase] == CaseEverywhere,
		CaseFixedIn:        fixed,
		DeregUndo:          vals[DeregUndo] == UndoAddHSCancels,
		GhostReregister:    vals[GhostReregister] == GhostAllowed,
		DetectDelay:        delay,
		UpdateDMAll:        vals[UpdateDMScope] == ScopeAll,
		Values:             vals,
	}, nil
}

// Defaults is every reading at its default.
func Defaults() Set {
	s, _ := Resolve(nil)
	return s
}

// Tag names a reading's value as messages cite it: "dnphs-position=first".
func (s Set) Tag(name string) string { return name + "=" + s.Values[name] }

// DeleteHSLowerCaseOnly reports whether firmware fw matches delete_hs
// case-sensitively, so only lower case finds a slot: from 2.36.0, which
// brought delete_hs, until the release case-fixed-in names.
func (s Set) DeleteHSLowerCaseOnly(fw firmware.Version) bool {
	return fw.KnowsDeleteHS() && fw.Less(s.CaseFixedIn)
}

// LowerCaseOnly reports whether every IPUI of a file matches only in
// lower case on fw (ipui-case=everywhere, on the firmware where delete_hs
// does).
func (s Set) LowerCaseOnly(fw firmware.Version) bool {
	return s.IPUICaseEverywhere && s.DeleteHSLowerCaseOnly(fw)
}

// FormatDuration prints d as Go does, without zero trailing units: 3h,
// 1h30m, 90s, 0s.
func FormatDuration(d time.Duration) string {
	out := d.String()
	if strings.HasSuffix(out, "m0s") {
		out = strings.TrimSuffix(out, "0s")
	}
	if strings.HasSuffix(out, "h0m") {
		out = strings.TrimSuffix(out, "0m")
	}
	return out
}

func orList(vs []string) string {
	switch len(vs) {
	case 0:
		return ""
	case 1:
		return vs[0]
	}
	return strings.Join(vs[:len(vs)-1], ", ") + " or " + vs[len(vs)-1]
}
