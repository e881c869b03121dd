package system

import (
	"maps"

	"github.com/dectsim/dectsim/internal/vocab/readings"
)

// Reading is one place where the vendor text can be read two ways: its
// Name, the values it takes (Takes, Values, Check), its Default, what each
// value does (Means), the vendor sentence it interprets (Vendor, from the
// document Source) and where the vendor documents a difference between
// products (Products).
type Reading = readings.Reading

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
