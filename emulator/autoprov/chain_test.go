package autoprov_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dectsim/dectsim/emulator/autoprov"
	"github.com/dectsim/dectsim/emulator/system"
	"github.com/dectsim/dectsim/internal/testfiles"
)

// files serves fixed bodies by path; anything else is 404. {{SRV}} in a
// body is replaced by the server's URL.
type files map[string]string

func serveFiles(t *testing.T, fs files) (base string, sw *switchable) {
	t.Helper()
	var srvURL string
	sw = newSwitchable(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := fs[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/xml")
		_, _ = w.Write([]byte(strings.ReplaceAll(body, "{{SRV}}", srvURL)))
	}))
	srv := newServer(t, sw)
	srvURL = srv.URL
	return srv.URL, sw
}

// The s3 chain of the vendor's documentation, with this test's server in
// the URLs and real params in configuration.xml.
func s3Chain() files {
	return files{
		"/specific_path/provisioning.xml": `<?xml version="1.0" encoding="UTF-8"?>
<provisioning version="1.0" productID="e2">
  <category type="nvm" url="{{SRV}}/specific_path/nvm/updates.xml"/>
</provisioning>`,
		"/specific_path/nvm/updates.xml": `<?xml version="1.0" encoding="UTF-8"?>
<nvm version="1.0" productID="e2">
  <file version="2015-10-10_10:10:10" url="{{SRV}}/specific_path/nvm/configuration.xml"/>
</nvm>`,
		"/specific_path/nvm/configuration.xml": `<?xml version="1.0" encoding="UTF-8"?>
<settings version="1.0" productID="e2" macAddress="7c:2f:80:a1:b2:c3">
  <param name="` + okParam + `" value="pbx"/>
  <param name="Provisioning.global.Period" value="3600"/>
  <oper name="add_hs" value="029e74a599">
    <param name="hs.RegStatus" value="ToReg"/>
  </oper>
  <oper name="no_such_oper"/>
</settings>`,
	}
}

func TestVersion10ChainIsFollowed(t *testing.T) {
	base, _ := serveFiles(t, s3Chain())
	sys := newSys(t)
	f := attach(t, sys, autoprov.Config{URL: base + "/specific_path/", Client: nil})
	settle(t, sys)
	require.Equal(t, []string{
		"/specific_path/provisioning.xml",
		"/specific_path/nvm/updates.xml",
		"/specific_path/nvm/configuration.xml",
	}, paths(f.Requests()))

	evs := sys.Events()
	require.Equal(t, system.EvFetch, evs[0].Type)
	require.Equal(t, "ok", evs[0].Outcome, evs[0].Detail)
	require.Contains(t, evs[0].Detail, "version 1.0 chain")
	require.Equal(t, system.EvProvisioningApplied, evs[1].Type)
	require.Equal(t, base+"/specific_path/nvm/configuration.xml", evs[1].File)

	v, _ := sys.Setting(okParam)
	require.Equal(t, "pbx", v)
	require.Equal(t, system.ToReg, sys.SlotState("029e74a599"))
	next, _ := f.NextCheck()
	require.Equal(t, t0.Add(3600e9), next, "the chain's Period is followed")

	var warned bool
	for _, e := range sys.Events() {
		if e.Type == system.EvWarning && e.Code == system.WarnUnknownOper {
			warned = true
			require.Equal(t, base+"/specific_path/nvm/configuration.xml", e.File)
			require.Equal(t, 8, e.Line, "positions point into configuration.xml")
			require.Equal(t, 3, e.Col)
		}
		require.NotEqual(t, "mac-address", e.Code)
	}
	require.True(t, warned)
	f.Close()
}

func TestVersion10ChainWithRelativeURLs(t *testing.T) {
	fs := s3Chain()
	fs["/specific_path/provisioning.xml"] = `<provisioning version="1.0" productID="e2"><category type="nvm" url="nvm/updates.xml"/></provisioning>`
	fs["/specific_path/nvm/updates.xml"] = `<nvm version="1.0" productID="e2"><file version="1.0" url="configuration.xml"/></nvm>`
	base, _ := serveFiles(t, fs)
	sys := newSys(t)
	f := attach(t, sys, autoprov.Config{URL: base + "/specific_path/provisioning.xml"})
	settle(t, sys)
	require.Equal(t, []string{
		"/specific_path/provisioning.xml",
		"/specific_path/nvm/updates.xml",
		"/specific_path/nvm/configuration.xml",
	}, paths(f.Requests()))
	v, _ := sys.Setting(okParam)
	require.Equal(t, "pbx", v)
	f.Close()
}

func TestVersion10ChainFirmwareAndCustomCategories(t *testing.T) {
	fs := s3Chain()
	fs["/specific_path/provisioning.xml"] = `<provisioning version="1.0" productID="e2">
<category type="firmware" url="firmware/update.xml"/>
<category type="nvm" url="nvm/updates.xml"/>
<category type="custom" url="custom/update.xml"/>
</provisioning>`
	fs["/specific_path/firmware/update.xml"] = `<firmware version="1.0" productID="e2"><file version="2.65.0" url="fw.bin"/></firmware>`
	base, _ := serveFiles(t, fs)
	sys := newSys(t, system.WithFirmware("2.62.1"))
	attach(t, sys, autoprov.Config{URL: base + "/specific_path/provisioning.xml", Handler: nil})
	settle(t, sys)
	to, url, ok := sys.PendingFirmware()
	require.True(t, ok)
	require.Equal(t, "2.65.0", to.String())
	require.Equal(t, base+"/specific_path/firmware/fw.bin", url)
	var codes []string
	for _, e := range sys.Events() {
		if e.Type == system.EvWarning {
			codes = append(codes, e.Code)
		}
	}
	require.Equal(t, []string{"chain-category", system.WarnUnknownOper}, codes)
}

// assertChainFault checks that a broken chain changes nothing and logs one
// failed fetch (and, for a refused file, the refusal after it).
func assertChainFault(t *testing.T, fs files, reason string, rejected string) {
	t.Helper()
	base, _ := serveFiles(t, fs)
	sys := newSys(t)
	attach(t, sys, autoprov.Config{URL: base + "/specific_path/"})
	before := sys.Snapshot()
	settle(t, sys)
	after := sys.Snapshot()
	after.Now = before.Now
	require.Equal(t, before, after)
	evs := sys.Events()
	require.Equal(t, system.EvFetch, evs[0].Type)
	require.Equal(t, "error", evs[0].Outcome)
	require.Equal(t, reason, evs[0].Reason, evs[0].Detail)
	require.Contains(t, evs[0].Detail, "chain")
	if rejected == "" {
		require.Len(t, evs, 1)
		return
	}
	require.Len(t, evs, 2)
	require.Equal(t, system.EvProvisioningRejected, evs[1].Type)
	require.Equal(t, rejected, evs[1].Reason, evs[1].Detail)
	require.NotZero(t, evs[1].Line)
}

func TestVersion10ChainFaults(t *testing.T) {
	t.Run("missing updates.xml", func(t *testing.T) {
		fs := s3Chain()
		delete(fs, "/specific_path/nvm/updates.xml")
		assertChainFault(t, fs, "status-404", "")
	})
	t.Run("malformed configuration.xml", func(t *testing.T) {
		fs := s3Chain()
		fs["/specific_path/nvm/configuration.xml"] = `<settings version="1.0" productID="e2"><param name="a" value="1"></settings>`
		assertChainFault(t, fs, autoprov.ReasonRejected, "xml-syntax")
	})
	t.Run("wrong productID in configuration.xml", func(t *testing.T) {
		fs := s3Chain()
		fs["/specific_path/nvm/configuration.xml"] = strings.Replace(fs["/specific_path/nvm/configuration.xml"], `productID="e2"`, `productID="e1"`, 1)
		assertChainFault(t, fs, autoprov.ReasonRejected, "product-id")
	})
	t.Run("wrong productID in provisioning.xml", func(t *testing.T) {
		fs := s3Chain()
		fs["/specific_path/provisioning.xml"] = strings.Replace(fs["/specific_path/provisioning.xml"], `productID="e2"`, `productID="e1"`, 1)
		assertChainFault(t, fs, autoprov.ReasonRejected, "product-id")
	})
	t.Run("wrong root in updates.xml", func(t *testing.T) {
		fs := s3Chain()
		fs["/specific_path/nvm/updates.xml"] = `<settings version="1.0" productID="e2"/>`
		assertChainFault(t, fs, autoprov.ReasonRejected, "not-provisioning")
	})
}

// The project's own chain files, served as they are with their URLs
// pointed at the test server.
func TestChainTestdataIsFollowed(t *testing.T) {
	read := func(name string) string {
		b, err := os.ReadFile(testfiles.Own(t, "vendor-shapes", name))
		require.NoError(t, err)
		return strings.ReplaceAll(string(b), "http://198.51.100.7", "{{SRV}}")
	}
	sys := chainFollowed(t, files{
		"/site-a/provisioning.xml":      read("chain-1-provisioning.xml"),
		"/site-a/nvm/updates.xml":       read("chain-2-updates.xml"),
		"/site-a/nvm/configuration.xml": read("chain-3-configuration.xml"),
	}, "/site-a/")
	v, ok := sys.Setting("SystemSettings.global.SipMulticastEnabled")
	require.True(t, ok)
	require.Equal(t, "0", v, "the configuration file's param is applied")
}

// The vendor's own example files, from the shared corpus.
func TestCorpusS3ChainIsFollowed(t *testing.T) {
	dir := testfiles.Shared(t, "wiki-examples")
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err)
		return strings.ReplaceAll(string(b), "http://172.29.17.156", "{{SRV}}")
	}
	chainFollowed(t, files{
		"/specific_path/provisioning.xml":      read("s3-multifile-1-provisioning.xml"),
		"/specific_path/nvm/updates.xml":       read("s3-multifile-2-updates.xml"),
		"/specific_path/nvm/configuration.xml": read("s3-multifile-3-configuration.xml"),
	}, "/specific_path/")
}

// chainFollowed serves the three files of a version 1.0 chain and checks
// that one check fetches all three and applies them as one document.
func chainFollowed(t *testing.T, fs files, dir string) *system.System {
	base, _ := serveFiles(t, fs)
	sys := newSys(t)
	f := attach(t, sys, autoprov.Config{URL: base + dir})
	settle(t, sys)
	require.Len(t, f.Requests(), 3)
	evs := sys.Events()
	require.Equal(t, "ok", evs[0].Outcome, evs[0].Detail)
	require.Equal(t, system.EvProvisioningApplied, evs[1].Type)
	// The sample's macAddress is a placeholder, not this system's MAC.
	require.Equal(t, system.EvWarning, evs[2].Type)
	require.Equal(t, "mac-address", evs[2].Code)
	return sys
}

func TestChainFileServedAloneIsRejectedNamingTheChain(t *testing.T) {
	base, _ := serveFiles(t, files{"/c.xml": `<settings version="1.0" productID="e2"><param name="a.b.c" value="1"/></settings>`})
	sys := newSys(t)
	attach(t, sys, autoprov.Config{URL: base + "/c.xml"})
	settle(t, sys)
	evs := sys.Events()
	require.Equal(t, autoprov.ReasonRejected, evs[0].Reason)
	require.Equal(t, system.EvProvisioningRejected, evs[1].Type)
	require.Contains(t, evs[1].Detail, "chain")
}
