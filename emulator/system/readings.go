package system

import (
	"maps"

	"github.com/dectsim/dectsim/internal/readings"
)

// Reading is one place where the vendor text can be read two ways: its
// Name, the values it takes (Takes, Values, Check), its Default, what each
// value does (Means), the vendor sentence it interprets (Vendor, from the
// document Source) and where the vendor documents a difference between
// products (Products).
type Reading = readings.Reading

// Readings lists every reading, in a fixed order:
//
//   - dnphs-position (first | nvm-first | anywhere): where
//     DeleteNotProvisionedHS counts;
//   - dnphs-keeps (add-hs | any-mention): which slots it keeps;
//   - todereg-position (anywhere | top): where hs.<id>.RegStatus=ToDeReg
//     counts;
//   - ipui-case (delete-hs | everywhere): what the 2.36 lower-case rule
//     reaches;
//   - case-fixed-in (a version, 2.37.0): the first release that accepts
//     upper case;
//   - dereg-undo (none | add-hs-cancels): whether an add_hs takes a pending
//     deregistration back;
//   - ghost-reregister (reset-first | allowed): whether a ghost may
//     register again without a reset;
//   - detect-delay (a duration, 0s): how long a handset that left goes
//     unnoticed.
//
// The first value is the default; WithReading chooses another.
var Readings = []Reading(readings.All)

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
