package timeofday

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestParseTakesHHMMWithinADay(t *testing.T) {
	for s, want := range map[string]time.Duration{
		"00:00": 0, "9:30": 9*time.Hour + 30*time.Minute, "14:00:30": 14*time.Hour + 30*time.Second,
		"24:00": 24 * time.Hour, " 23:59 ": 23*time.Hour + 59*time.Minute,
	} {
		got, err := Parse(s)
		require.NoError(t, err, s)
		require.Equal(t, want, got, s)
	}
	for _, s := range []string{"25:00", "24:01", "12:60", "12", "noon", "", "1:2:3:4", "-1:00", "123:00", "12:5x"} {
		_, err := Parse(s)
		require.Error(t, err, s)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"14:00", "25:00", "24:00", "9:30:15", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := Parse(s)
		if err == nil && (d < 0 || d > 24*time.Hour) {
			t.Fatalf("Parse(%q) = %v, outside a day", s, d)
		}
	})
}
