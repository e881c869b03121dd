package sipaccount

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func settings(m map[string]string) func(string) string { return func(n string) string { return m[n] } }

// TestAnAccountIsItsSlotsParamsAndItsProviders: the account by the slot's
// id, else the IPUI registered in it; the registrar the provider's
// RegServerAddress:RegServerPort, else its Domain; defaults for the rest.
func TestAnAccountIsItsSlotsParamsAndItsProviders(t *testing.T) {
	a, missing := Read(settings(map[string]string{
		"SipAccount.00001.UserName": "1001", "SipAccount.029e74a599.AuthName": "a1001", "SipAccount.00001.ProviderId": "2",
		"SipProvider.2.Domain": "pbx.example.net", "SipProvider.2.RegServerAddress": "10.0.0.5", "SipProvider.2.RegServerPort": "5070",
		"SipProvider.2.TransportProtocol": "TCP", "SipProvider.2.RegServerRefreshTimer": "600", "SipProvider.2.WithDeregOnHsNotReachable": "1",
	}), "00001", "029e74a599")
	require.Empty(t, missing)
	require.Equal(t, Account{User: "1001", Domain: "pbx.example.net", Registrar: "10.0.0.5:5070", Transport: "TCP",
		AuthName: "a1001", Expires: 600, DeregDetached: true, Provider: "2"}, a)

	a, missing = Read(settings(map[string]string{"SipAccount.x.UserName": "1", "SipProvider.0.Domain": "d", "SipProvider.0.RegServerRefreshTimer": "soon"}), "x")
	require.Empty(t, missing)
	require.Equal(t, "d", a.Registrar, "no RegServerAddress: the Domain")
	require.Equal(t, DefaultExpires, a.Expires)
	require.Equal(t, "0", a.Provider)
}

// TestAnAccountWithoutUserOrRegistrarCannotBeRegistered says why.
func TestAnAccountWithoutUserOrRegistrarCannotBeRegistered(t *testing.T) {
	_, missing := Read(settings(map[string]string{"SipProvider.0.Domain": "d"}), "x")
	require.Equal(t, "it has no UserName", missing)
	_, missing = Read(settings(map[string]string{"SipAccount.x.UserName": "1", "SipAccount.x.ProviderId": "3", "SipProvider.0.Domain": "d"}), "x")
	require.Equal(t, "its provider SipProvider.3 has neither Domain nor RegServerAddress", missing)
}
