package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dectsim/dectsim/internal/testfiles"
)

// TestSipRegisterSendsTheSystemsREGISTERsToThePBX: with --sip-register,
// the accounts a file gives are registered at the registrar it names,
// with the device's User-Agent and the process's SIP address as Contact,
// and the removed handset's registration ends with Expires: 0 when its
// slot goes (the ghost story, a day of simulated time).
func TestSipRegisterSendsTheSystemsREGISTERsToThePBX(t *testing.T) {
	pbx := testfiles.NewRegistrar(t)
	port := pbx.Port()
	dir := t.TempDir()
	sc := write(t, dir, "site.xml", `<scenario name="site" start="2026-01-05T09:00:00Z">
  <system mac="7C2F80A1B2C3" firmware="2.35.0"/>
  <handset ipui="029e74a599" state="Registered"/>
  <handset ipui="02b6ec8aa5" state="Registered" range="out"/>
  <at t="0s"><provision><provisioning version="1.1" productID="e2"><nvm>
    <param name="SipProvider.0.Domain" value="pbx.example.net"/>
    <param name="SipProvider.0.RegServerAddress" value="127.0.0.1"/>
    <param name="SipProvider.0.RegServerPort" value="`+port+`"/>
    <param name="SipAccount.029e74a599.UserName" value="1001"/>
    <param name="SipAccount.02b6ec8aa5.UserName" value="1002"/>
  </nvm></provisioning></provision></at>
  <at t="1m"><provision><provisioning version="1.1" productID="e2"><nvm>
    <oper name="DeleteNotProvisionedHS"/><oper name="add_hs" value="029e74a599"/>
  </nvm></provisioning></provision></at>
</scenario>`)
	s := startServe(t, "--addr", "127.0.0.1:0", "--sip", "127.0.0.1:0", "--sip-register", sc)
	defer func() { s.cancel(); <-s.done }()
	sipLine := regexp.MustCompile(`SIP on udp (\S+)`).FindStringSubmatch(s.out.String())
	require.NotNil(t, sipLine, s.out.String())

	advance := func(by string) {
		resp, err := http.Post(s.base+"api/advance", "application/json", strings.NewReader(`{"by": "`+by+`"}`))
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, 200, resp.StatusCode)
	}
	requests := pbx.Requests
	advance("1m")
	reg := requests()
	require.Len(t, reg, 2, "both accounts registered")
	require.Contains(t, reg[0], "From: <sip:1001@pbx.example.net>")
	require.Contains(t, reg[0], "Contact: <sip:1001@"+sipLine[1]+">")
	require.Regexp(t, `User-Agent: Gigaset N870 IP PRO/83\.V2\.35\.0\+build\.[0-9a-f]{7};7C2F80A1B2C3`, reg[0])
	advance("25h")
	last := requests()[len(requests())-1]
	require.Contains(t, last, "From: <sip:1002@pbx.example.net>")
	require.Contains(t, last, "Expires: 0\r\n", "the ghost's extension goes when its slot does")
}

// TestSipRegisterNeedsTheSIPAddress: --sip-register without --sip is a
// bad command line.
func TestSipRegisterNeedsTheSIPAddress(t *testing.T) {
	code, _, errOut := run(t, "serve", "--sip-register", filepath.Join(repoScenarios, "ghost-after-24h.xml"))
	require.Equal(t, exitUsage, code)
	require.Contains(t, errOut, "give it with --sip (e.g. --sip 127.0.0.1:5060 --sip-register)")
}

// TestReadsAreAnsweredWhileAREGISTERWaits: a registrar that never
// answers holds the systems for the transaction's bound, but not the
// API's reads: the system is read while the advance that sent the
// REGISTER is still waiting for it.
func TestReadsAreAnsweredWhileAREGISTERWaits(t *testing.T) {
	silent, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	require.NoError(t, err)
	defer silent.Close()
	got := make(chan struct{}, 16)
	go func() {
		buf := make([]byte, 65535)
		for {
			if _, _, err := silent.ReadFromUDP(buf); err != nil {
				return
			}
			got <- struct{}{}
		}
	}()
	_, port, _ := net.SplitHostPort(silent.LocalAddr().String())
	sc := write(t, t.TempDir(), "site.xml", `<scenario name="site"><system mac="7C2F80A1B2C3"/>
  <handset ipui="029e74a599" state="Registered"/>
  <at t="0s"><provision><provisioning version="1.1" productID="e2"><nvm>
    <param name="SipProvider.0.Domain" value="pbx.example.net"/><param name="SipProvider.0.RegServerAddress" value="127.0.0.1"/>
    <param name="SipProvider.0.RegServerPort" value="`+port+`"/><param name="SipAccount.029e74a599.UserName" value="1001"/>
  </nvm></provisioning></provision></at></scenario>`)
	s := startServe(t, "--addr", "127.0.0.1:0", "--sip", "127.0.0.1:0", "--sip-register", sc)
	defer func() { s.cancel(); <-s.done }()
	advanced := make(chan string, 1)
	go func() {
		resp, err := http.Post(s.base+"api/advance", "application/json", strings.NewReader(`{"by": "1m"}`))
		if err != nil {
			advanced <- err.Error()
			return
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		advanced <- string(body)
	}()
	<-got // the REGISTER is out, and nobody will answer it
	resp, err := http.Get(s.base + "api/systems/7c2f80a1b2c3")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
	select {
	case <-advanced:
		t.Fatal("the read was answered only once the advance had returned: it waited for the REGISTER")
	default:
	}
	require.Contains(t, <-advanced, `"type":"sip-register-failed"`, "then the REGISTER times out, and that is its event")
}

// TestThePBXSeesEverySeedStoryOverRealSIP: for each story a PBX meets,
// what its registrar receives from dectsim serve --sip-register, in
// order: each extension as (user, Expires).
func TestThePBXSeesEverySeedStoryOverRealSIP(t *testing.T) {
	const accounts = `<param name="SipProvider.0.Domain" value="pbx.example.net"/>
    <param name="SipProvider.0.RegServerAddress" value="127.0.0.1"/><param name="SipProvider.0.RegServerPort" value="PBX_PORT"/>%s
    <param name="SipAccount.029e74a599.UserName" value="1001"/><param name="SipAccount.02b6ec8aa5.UserName" value="1002"/>`
	for name, tc := range map[string]struct {
		system, handsets, provider, later string
		by                                []string
		want                              []string
	}{
		"gracefully removed": {`firmware="2.35.0"`, `<handset ipui="02b6ec8aa5" state="Registered"/>`, "",
			`<oper name="DeleteNotProvisionedHS"/><oper name="add_hs" value="029e74a599"/>`, []string{"1m", "1m"},
			[]string{"1001 180", "1002 180", "1002 0"}},
		"forced removal on 2.36": {`firmware="2.36.0"`, `<handset ipui="02b6ec8aa5" state="Registered" range="out"/>`, "",
			`<oper name="delete_hs" value="02b6ec8aa5"/>`, []string{"1m", "1m"},
			[]string{"1001 180", "1002 180", "1002 0"}},
		"Deregister detached HS while away": {`firmware="2.65.0"`, `<handset ipui="02b6ec8aa5" state="Registered" power="off"/>`,
			`<param name="SipProvider.0.WithDeregOnHsNotReachable" value="1"/>`, "", []string{"1m", "1m"},
			[]string{"1001 180"}},
		"roaming to another DM": {`product="VI" firmware="2.65.0"/><dm id="north"/><dm id="south"/><base id="n1" dm="north"/><base id="s1" dm="south"`,
			`<handset ipui="02b6ec8aa5" state="Registered" at="n1"/>`, "", "", []string{"1m", "1m"},
			[]string{"1001 180", "1002 180", "1002 180", "1002 0"}},
	} {
		t.Run(name, func(t *testing.T) {
			pbx := testfiles.NewRegistrar(t)
			steps := ""
			if tc.later != "" {
				steps = `<at t="1m"><provision><provisioning version="1.1" productID="e2"><nvm>` + tc.later + `</nvm></provisioning></provision></at>`
			}
			if name == "roaming to another DM" {
				steps = `<at t="1m"><move ipui="02b6ec8aa5" to="s1"/></at>`
			}
			sc := write(t, t.TempDir(), "site.xml", `<scenario name="site" start="2026-01-05T09:00:00Z">
  <system mac="7C2F80A1B2C3" `+tc.system+`/>
  <handset ipui="029e74a599" state="Registered"/>
  `+tc.handsets+`
  <at t="0s"><provision><provisioning version="1.1" productID="e2"><nvm>`+strings.ReplaceAll(fmt.Sprintf(accounts, tc.provider), "PBX_PORT", pbx.Port())+`</nvm></provisioning></provision></at>
  `+steps+`
</scenario>`)
			s := startServe(t, "--addr", "127.0.0.1:0", "--sip", "127.0.0.1:0", "--sip-register", sc)
			defer func() { s.cancel(); <-s.done }()
			for _, by := range tc.by {
				resp, err := http.Post(s.base+"api/advance", "application/json", strings.NewReader(`{"by": "`+by+`"}`))
				require.NoError(t, err)
				resp.Body.Close()
			}
			var got []string
			for _, r := range pbx.Requests() {
				user := regexp.MustCompile(`sip:(\d+)@`).FindStringSubmatch(testfiles.SIPHeader(r, "To"))[1]
				got = append(got, user+" "+testfiles.SIPHeader(r, "Expires"))
			}
			require.Equal(t, tc.want, got)
			if name == "roaming to another DM" {
				reqs := pbx.Requests()
				require.Contains(t, testfiles.SIPHeader(reqs[2], "Contact"), ";dm=south>", "the new DM's binding first")
				require.Contains(t, testfiles.SIPHeader(reqs[3], "Contact"), ";dm=north>", "then the old one's goes")
			}
		})
	}
}
