package ipui

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestIPUIIsTenHexDigitsInEitherCase(t *testing.T) {
	require.True(t, IsIPUI("029e74a599"))
	require.True(t, IsIPUI("02B6EC8AA5"))
	require.True(t, IsIPUI("0123456789"), "ten decimal digits are an IPUI, not a placeholder")
	require.False(t, IsIPUI("029e74a59"))
	require.False(t, IsIPUI("029e74a59g"))
}

func TestPlaceholderIsOneToNineDigits(t *testing.T) {
	require.True(t, IsPlaceholder("00001"))
	require.True(t, IsPlaceholder("1"))
	require.False(t, IsPlaceholder(""))
	require.False(t, IsPlaceholder("0123456789"))
	require.False(t, IsPlaceholder("0_1"))
	require.True(t, Valid("00001"))
	require.False(t, Valid("0_1"))
}

func TestNormalizeLowersIPUIsOnly(t *testing.T) {
	require.Equal(t, "02b6ec8aa5", Normalize("02B6EC8AA5"))
	require.Equal(t, "ABC", Normalize("ABC"))
	require.True(t, HasUpper("02B6ec8aa5"))
	require.False(t, HasUpper("02b6ec8aa5"))
}
