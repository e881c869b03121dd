// Package product owns the product profiles dectsim can emulate: their
// names, the model string the device sends, and their handset capacity.
package product

import (
	"fmt"
	"strings"
)

// Profile describes one emulated product.
type Profile struct {
	// Name is the profile name used on the command line and in scenarios.
	Name string
	// Model is the model part of the device's User-Agent, e.g. "N870 IP PRO".
	Model string
	// MaxHandsets is the default handset capacity.
	MaxHandsets int
	// MaxBases is the default base-station capacity.
	MaxBases int
}

// Default is the profile used when none is named.
const Default = "N870"

// Handset capacities come from a public PBX plugin's line counts
// (wazo-provd-plugins) and the vendor's Virtual Integrator figures (up to
// 20,000 handsets). Base capacities: the vendor's 60 bases per DM for the
// N870/N870E and 6,000 (100 DMs of 60) for the Virtual Integrator; the
// vendor documents none for the N610, N670 and N770, so 4, 20 and 20 are
// assumptions (a scenario's max-bases sets another).
var profiles = []Profile{
	{Name: "N610", Model: "N610 IP PRO", MaxHandsets: 8, MaxBases: 4},
	{Name: "N670", Model: "N670 IP PRO", MaxHandsets: 20, MaxBases: 20},
	{Name: "N770", Model: "N770 IP PRO", MaxHandsets: 100, MaxBases: 20},
	{Name: "N870", Model: "N870 IP PRO", MaxHandsets: 250, MaxBases: 60},
	{Name: "N870E", Model: "N870E IP PRO", MaxHandsets: 250, MaxBases: 60},
	{Name: "VI", Model: "N870 VI PRO", MaxHandsets: 20000, MaxBases: 6000},
}

// Names lists every profile name, in a fixed order.
func Names() []string {
	out := make([]string, len(profiles))
	for i, p := range profiles {
		out[i] = p.Name
	}
	return out
}

// Lookup finds a profile by name, ignoring case.
func Lookup(name string) (Profile, error) {
	for _, p := range profiles {
		if strings.EqualFold(p.Name, name) {
			return p, nil
		}
	}
	return Profile{}, fmt.Errorf("unknown product %q (want one of %s)", name, strings.Join(Names(), ", "))
}
