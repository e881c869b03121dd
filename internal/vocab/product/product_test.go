package product

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestProfilesAndCapacities(t *testing.T) {
	want := map[string]int{"N610": 8, "N670": 20, "N770": 100, "N870": 250, "N870E": 250, "VI": 20000}
	require.Len(t, Names(), len(want))
	for name, n := range want {
		p, err := Lookup(name)
		require.NoError(t, err)
		require.Equal(t, n, p.MaxHandsets, name)
	}
	p, err := Lookup("vi")
	require.NoError(t, err)
	require.Equal(t, "N870 VI PRO", p.Model)
	_, err = Lookup("N720")
	require.ErrorContains(t, err, "unknown product")
}
