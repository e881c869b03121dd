// Package sipaccount reads a handset's SIP account as a DECT manager
// registers it at the PBX: SipAccount.<id>.* and the SipProvider.<n>.*
// that its ProviderId names, as provisioning files write them. The system
// (which registers the account) and check (which warns about an account
// that cannot be registered) read it here, so they agree.
package sipaccount

import (
	"strconv"
	"strings"
)

// DefaultExpires is the registration's lifetime when the provider sets
// no RegServerRefreshTimer, in seconds.
const DefaultExpires = 180

// Account is what a slot registers.
type Account struct {
	// User is SipAccount.<id>.UserName, Domain the provider's Domain.
	User, Domain string
	// Registrar is where REGISTERs go: RegServerAddress[:RegServerPort],
	// else the Domain.
	Registrar string
	// Transport is the provider's TransportProtocol (empty: UDP).
	Transport string
	// AuthName and AuthPassword answer a Digest challenge.
	AuthName, AuthPassword string
	// Expires is RegServerRefreshTimer in seconds (DefaultExpires).
	Expires int
	// DeregDetached is WithDeregOnHsNotReachable=1 ("Deregister detached
	// HS"): the account is de-registered while the handset is away.
	DeregDetached bool
	// Provider is the SipProvider number its ProviderId names ("0").
	Provider string
}

// Read reads the account of the slot whose keys are ids (its id, then the
// IPUI registered in it), through get, which returns a setting's value
// or "". missing says why it cannot be registered ("" when it can): no
// UserName, or a provider with neither Domain nor RegServerAddress.
func Read(get func(name string) string, ids ...string) (a Account, missing string) {
	acct := func(name string) string {
		for _, id := range ids {
			if v := strings.TrimSpace(get("SipAccount." + id + "." + name)); v != "" {
				return v
			}
		}
		return ""
	}
	a = Account{User: acct("UserName"), AuthName: acct("AuthName"), AuthPassword: acct("AuthPassword"), Provider: acct("ProviderId")}
	if a.Provider == "" {
		a.Provider = "0"
	}
	prov := func(name string) string { return strings.TrimSpace(get("SipProvider." + a.Provider + "." + name)) }
	a.Domain = prov("Domain")
	a.Registrar = prov("RegServerAddress")
	if a.Registrar == "" {
		a.Registrar = a.Domain
	} else if port := prov("RegServerPort"); port != "" {
		a.Registrar += ":" + port
	}
	a.Transport = prov("TransportProtocol")
	a.Expires = DefaultExpires
	if n, err := strconv.Atoi(prov("RegServerRefreshTimer")); err == nil && n > 0 {
		a.Expires = n
	}
	a.DeregDetached = prov("WithDeregOnHsNotReachable") == "1"
	switch {
	case a.User == "":
		return a, "it has no UserName"
	case a.Registrar == "":
		return a, "its provider SipProvider." + a.Provider + " has neither Domain nor RegServerAddress"
	}
	return a, ""
}
