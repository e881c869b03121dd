package firmware

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseAcceptsTwoOrThreeParts(t *testing.T) {
	for in, want := range map[string]Version{"2.36": {2, 36, 0}, "2.36.1": {2, 36, 1}, "V2.65.0": {2, 65, 0}, " 2.5.10 ": {2, 5, 10}} {
		v, err := Parse(in)
		require.NoError(t, err, in)
		require.Equal(t, want, v, in)
	}
	for _, bad := range []string{"", "x.xx", "2", "2.36.0.1", "2..1", "2.-1.0", "2.+1.0", "1234567.0.0", "2.36.a"} {
		_, err := Parse(bad)
		require.Error(t, err, bad)
	}
}

func TestCompareOrdersByMajorMinorPatch(t *testing.T) {
	require.True(t, MustParse("2.35.9").Less(MustParse("2.36.0")))
	require.True(t, MustParse("2.36.0").Less(MustParse("2.36.1")))
	require.True(t, MustParse("2.9.0").Less(MustParse("2.10.0")))
	require.Equal(t, 0, MustParse("2.36").Compare(MustParse("2.36.0")))
	require.Equal(t, 1, MustParse("3.0.0").Compare(MustParse("2.99.99")))
}

func TestDeleteHSRulesAtEachBoundary(t *testing.T) {
	cases := []struct {
		v     string
		knows bool
	}{
		{"2.35.0", false}, {"2.35.99", false},
		{"2.36.0", true}, {"2.36.7", true},
		{"2.37.0", true}, {"2.65.0", true},
	}
	for _, c := range cases {
		v := MustParse(c.v)
		require.Equal(t, c.knows, v.KnowsDeleteHS(), c.v)
		require.Equal(t, c.knows, v.KnowsOper("delete_hs"), c.v)
		require.True(t, v.KnowsOper("update_dm"))
		require.False(t, v.KnowsOper("reboot"))
	}
}
