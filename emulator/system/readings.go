package system

import (
	"maps"

	"github.com/dectsim/dectsim/internal/vocab/readings"
)

// Reading is one place where the vendor text can be read two ways, and the
// switch that chooses a reading (WithReading, a scenario's <system>,
// `--reading` on the command line).
type Reading struct {
	// Name is the reading's name, as scenario attributes and flags spell it.
	Name string
	// Default is the value in force unless told otherwise.
	Default string
	// Values are the values it takes; for a reading that takes any version
	// or duration (see Takes), the values `dectsim run --all-readings`
	// tries. The default comes first.
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

	kind readings.Kind
}

// Takes says what values the reading takes, for people: one of a list, a
// firmware version or a duration.
func (r Reading) Takes() string { return r.vocab().Takes() }

// Check returns v in canonical form when the reading takes it (a duration
// as Go prints it, a version as MAJOR.MINOR.PATCH), else an error that
// says what it takes.
func (r Reading) Check(v string) (string, error) { return r.vocab().Check(v) }

func (r Reading) vocab() readings.Reading {
	return readings.Reading{Name: r.Name, Kind: r.kind, Default: r.Default, Values: r.Values, Means: r.Means,
		Vendor: r.Vendor, Source: r.Source, Products: r.Products}
}

// publicReadings is readings.All as Readings lists it.
func publicReadings() []Reading {
	out := make([]Reading, len(readings.All))
	for i, r := range readings.All {
		out[i] = Reading{Name: r.Name, Default: r.Default, Values: r.Values, Means: r.Means,
			Vendor: r.Vendor, Source: r.Source, Products: r.Products, kind: r.Kind}
	}
	return out
}

// WithReading sets a reading (see Readings) to one of its values. New
// refuses an unknown name or a value the reading does not take, with an
// error naming what it takes. The last WithReading of a name wins.
func WithReading(name, value string) Option {
	return func(c *Config) {
		if c.Readings == nil {
			c.Readings = make(map[string]string)
		}
		c.Readings[name] = value
	}
}

// resolveReadings checks the readings cfg names and fills in the others;
// cfg.Readings then holds every reading's value in canonical form.
func (cfg *Config) resolveReadings() (readings.Set, error) {
	rd, err := readings.Resolve(cfg.Readings)
	if err != nil {
		return rd, err
	}
	cfg.Readings = maps.Clone(rd.Values)
	return rd, nil
}
