package system_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/dectsim/dectsim/emulator/system"
)

// The vendor FAQ's first story: a complete file with DeleteNotProvisionedHS
// keeps the handsets it names and removes the others.
func Example_deleteNotProvisioned() {
	s, _ := system.New(system.WithFirmware("2.65.0"))
	for _, id := range []string{"029e74a599", "02b6ec8aa5", "0311223344"} {
		_ = s.AddHandset(system.HandsetSpec{IPUI: id, State: system.Registered})
	}
	_, _ = s.Apply("complete.xml", []byte(`<?xml version="1.0" encoding="UTF-8"?>
<provisioning version="1.1" productID="e2">
  <nvm>
    <oper name="DeleteNotProvisionedHS"/>
    <oper name="add_hs" value="029e74a599"><param name="hs.RegStatus" value="ToReg"/></oper>
    <oper name="add_hs" value="02b6ec8aa5"><param name="hs.RegStatus" value="ToReg"/></oper>
  </nvm>
</provisioning>`))
	_ = s.Advance(time.Minute)
	for _, sl := range s.Slots() {
		fmt.Println(sl.ID, sl.State)
	}
	fmt.Println("0311223344", s.SlotState("0311223344"), "ghosts:", len(s.Ghosts()))
	// Output:
	// 029e74a599 Registered
	// 02b6ec8aa5 Registered
	// 0311223344 absent ghosts: 0
}

// The second story: one handset removed with all its accounts settings. It
// is out of range, so the system waits 24 hours, then removes the slot; the
// handset still believes it is registered.
func Example_deleteSingleHandset() {
	s, _ := system.New()
	_ = s.AddHandset(system.HandsetSpec{IPUI: "02b6ec8aa5", State: system.Registered, OutOfRange: true})
	_, _ = s.Apply("accounts.xml", []byte(`<provisioning version="1.1" productID="e2"><nvm>
  <param name="SipAccount.02b6ec8aa5.AuthName" value="1014"/>
</nvm></provisioning>`))
	_, _ = s.Apply("remove.xml", []byte(`<provisioning version="1.1" productID="e2"><nvm>
  <param name="hs.02b6ec8aa5.RegStatus" value="ToDeReg"/>
</nvm></provisioning>`))
	_ = s.Advance(23*time.Hour + 59*time.Minute)
	fmt.Println("after 23h59m:", s.SlotState("02b6ec8aa5"))
	_ = s.Advance(time.Minute)
	h, _ := s.Handset("02b6ec8aa5")
	_, kept := s.Setting("SipAccount.02b6ec8aa5.AuthName")
	fmt.Println("after 24h:", s.SlotState("02b6ec8aa5"), "ghost:", h.Ghost, "accounts kept:", kept)
	// Output:
	// after 23h59m: ToDeReg
	// after 24h: absent ghost: true accounts kept: false
}

// The third story: from firmware 2.36 delete_hs removes a handset that
// cannot be reached at once, instead of waiting.
func Example_forcedRemoval() {
	s, _ := system.New(system.WithFirmware("2.36.0"))
	_ = s.AddHandset(system.HandsetSpec{IPUI: "02b6ec8aa5", State: system.Registered, Off: true})
	_, _ = s.Apply("delete.xml", []byte(`<provisioning version="1.1" productID="e2"><nvm>
  <oper name="delete_hs" value="02b6ec8aa5"/>
</nvm></provisioning>`))
	for _, e := range s.Events() {
		fmt.Println(strings.TrimSpace(fmt.Sprint(e.Time.Sub(s.StartTime()), " ", e.Type, " ", e.IPUI, " ", e.Trigger)))
	}
	// Output:
	// 0s provisioning-applied
	// 0s dereg-requested 02b6ec8aa5 delete_hs
	// 0s forced-removal 02b6ec8aa5
	// 0s ghost-created 02b6ec8aa5
}

// Where the vendor text can be read two ways, a reading chooses. The same
// story as above on a system that notices a switched-off handset only after
// three hours (the vendor's figure for the N870): switched off an hour ago,
// the handset still counts as connected, so delete_hs first tries the
// graceful way and removes the slot when nobody answers.
func ExampleWithReading() {
	s, _ := system.New(system.WithFirmware("2.36.0"), system.WithReading("detect-delay", "3h"))
	_ = s.AddHandset(system.HandsetSpec{IPUI: "02b6ec8aa5", State: system.Registered})
	_ = s.Power("02b6ec8aa5", false)
	_ = s.Advance(time.Hour)
	_, _ = s.Apply("delete.xml", []byte(`<provisioning version="1.1" productID="e2"><nvm>
  <oper name="delete_hs" value="02b6ec8aa5"/>
</nvm></provisioning>`))
	_ = s.Advance(time.Minute)
	for _, e := range s.Events()[1:] {
		fmt.Println(strings.Join(strings.Fields(fmt.Sprint(e.Time.Sub(s.StartTime()), " ", e.Type, " ", e.State, " ", e.Detail)), " "))
	}
	// Output:
	// 1h0m0s provisioning-applied 0 params, 1 opers
	// 1h0m0s dereg-requested ToDeReg
	// 1h0m30s forced-removal absent the handset did not answer over the air
	// 1h0m30s ghost-created absent the handset still holds its subscription
}
