// Package ipui owns the identities that name handsets and slots: IPUIs
// (10 hex digits) and the decimal placeholder ids some servers use instead.
package ipui

import "strings"

// IsIPUI reports whether s is 10 hex digits, in either case.
func IsIPUI(s string) bool {
	if len(s) != 10 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isHex(s[i]) {
			return false
		}
	}
	return true
}

// IsPlaceholder reports whether s is a placeholder slot id: 1 to 9 decimal
// digits, as in wazo's "00001". A 10-digit decimal string is an IPUI.
func IsPlaceholder(s string) bool {
	if len(s) == 0 || len(s) > 9 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Valid reports whether s can name a slot: an IPUI or a placeholder id.
func Valid(s string) bool { return IsIPUI(s) || IsPlaceholder(s) }

// Normalize returns s in lower case when it is an IPUI, since IPUIs are
// matched case-insensitively and stored in lower case; other ids unchanged.
func Normalize(s string) string {
	if hasUpper(s) && IsIPUI(s) {
		return strings.ToLower(s)
	}
	return s
}

// HasUpper reports whether s contains an upper-case ASCII letter.
func HasUpper(s string) bool { return hasUpper(s) }

func hasUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 'A' && s[i] <= 'Z' {
			return true
		}
	}
	return false
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}
