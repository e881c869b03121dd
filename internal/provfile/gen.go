package provfile

import (
	"bytes"
	"fmt"
)

// GenerateComplete renders the complete provisioning file a PBX would send
// to a system with n handsets (the shape of the wazo Nx70 template:
// DeleteNotProvisionedHS, one add_hs and about ten settings per handset,
// the SIP provider, a registration window). Benchmarks in several packages
// use it, so that "a 20,000-handset file" means the same bytes everywhere.
// The IPUI of handset i is GenerateIPUI(i).
func GenerateComplete(n int) []byte {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	return GenerateFor(idx)
}

// GenerateFor renders the complete file for the handsets with the given
// indexes, so benchmarks can model users coming and going.
//
// Longer than most functions: it is the file's template, top to bottom.
func GenerateFor(handsets []int) []byte {
	n := len(handsets)
	var b bytes.Buffer
	b.Grow(1000 + n*820)
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<provisioning version="1.1" productID="e2">
    <firmware>
        <file version="2.65.0" url="http://192.0.2.10:8667/Gigaset-Nx70-V2.65.0-build.8504c90.bin"/>
    </firmware>

    <nvm>
        <oper name="DeleteNotProvisionedHS"/>
        <param name="Telephony.0.ToneScheme" value="Germany"/>
        <param name="Provisioning.global.ProvisioningServer" value="http://192.0.2.10:8667"/>
        <param name="DmGlobal.0.NtpServer" value="192.0.2.10"/>
        <param name="DmGlobal.0.TimeZone" value="Europe/Berlin"/>
`)
	for _, i := range handsets {
		id := GenerateIPUI(i)
		ext := 1000 + i
		fmt.Fprintf(&b, `        <!-- Handset %d -->
        <oper value="%s" name="add_hs">
            <param name="hs.RegStatus" value="ToReg"/>
        </oper>
        <param name="hs.%s.DECT_AC" value="%04d"/>
        <param name="SipAccount.%s.AuthName" value="u%d"/>
        <param name="SipAccount.%s.AuthPassword" value="p%08x"/>
        <param name="SipAccount.%s.UserName" value="u%d"/>
        <param name="SipAccount.%s.DisplayName" value="%d Handset %d"/>
        <param name="SipAccount.%s.ProviderId" value="0"/>
        <param name="SipAccount.%s.VoiceMailMailbox" value="%d"/>
        <param name="SipAccount.%s.VoiceMailActive" value="1"/>
        <param name="hs.%s.IntKeyDir" value="20"/>
`, i+1, id,
			id, ext%10000,
			id, ext,
			id, uint32(i)*2654435761,
			id, ext,
			id, ext, i+1,
			id,
			id, ext,
			id,
			id)
	}
	b.WriteString(`        <param name="SipProvider.0.Name" value="PBX"/>
        <param name="SipProvider.0.Domain" value="192.0.2.10"/>
        <param name="SipProvider.0.ProxyServerAddress" value="192.0.2.10"/>
        <param name="SipProvider.0.ProxyServerPort" value="5060"/>
        <param name="SipProvider.0.RegServerAddress" value="192.0.2.10"/>
        <param name="SipProvider.0.RegServerPort" value="5060"/>
        <param name="SipProvider.0.TransportProtocol" value="1"/>
        <param name="SipProvider.0.MWISubscription" value="1"/>
        <oper name="update_dm" value="local">
            <param name="RegStart" value="1767225600"/>
            <param name="RegDuration" value="900"/>
        </oper>
    </nvm>
</provisioning>
`)
	return b.Bytes()
}

// GenerateIPUI is the IPUI GenerateComplete gives handset i: ten lower-case
// hex digits, distinct for every i below 2^20.
func GenerateIPUI(i int) string {
	return fmt.Sprintf("%010x", 0x0200000000+i*7919)
}

// GenerateLean renders a complete file with only the handset list: an
// add_hs, a PIN and a display name per handset. At 100,000 handsets it
// stays inside DefaultLimits (about 30 MB), so scaling can be measured
// beyond the largest real system.
func GenerateLean(n int) []byte {
	var b bytes.Buffer
	b.Grow(200 + n*300)
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<provisioning version="1.1" productID="e2">
  <nvm>
    <oper name="DeleteNotProvisionedHS"/>
`)
	for i := 0; i < n; i++ {
		id := GenerateIPUI(i)
		fmt.Fprintf(&b, `    <oper name="add_hs" value="%s"><param name="hs.RegStatus" value="ToReg"/></oper>
    <param name="hs.%s.DECT_AC" value="%04d"/>
    <param name="SipAccount.%s.DisplayName" value="%d Handset"/>
`, id, id, i%10000, id, 1000+i)
	}
	b.WriteString("  </nvm>\n</provisioning>\n")
	return b.Bytes()
}
