package autoprov

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dectsim/dectsim/internal/provfile"
	"github.com/dectsim/dectsim/internal/xmltok"
)

const chainBase = "http://prov.test/p/"

var (
	chainProvisioning = `<?xml version="1.0" encoding="UTF-8"?>
<provisioning version="1.0" productID="e2">
  <category type="nvm" url="nvm/updates.xml"/>
  <category type="firmware" url="firmware/update.xml"/>
</provisioning>`
	chainUpdates = `<nvm version="1.0" productID="e2">
  <file version="1" url="configuration.xml"/>
</nvm>`
	chainConfiguration = `<settings version="1.0" productID="e2" macAddress="7c:2f:80:a1:b2:c3">
  <param name="SipProvider.1.Name" value="pbx"/>
  <oper name="add_hs" value="029e74a599"><param name="hs.RegStatus" value="ToReg"/></oper>
</settings>`
	chainFirmware = `<firmware version="1.0" productID="e2"><file version="2.65.0" url="fw.bin"/></firmware>`
)

// assembleFiles follows a chain whose files are bodies by URL, as a
// session would after fetching provisioning.xml.
func assembleFiles(bodies map[string][]byte, lim provfile.Limits) *result {
	first := chainBase + "provisioning.xml"
	res := &result{doc: &doc{url: first, status: "200 OK", body: bodies[first]}}
	s := &session{mac: "7c2f80a1b2c3"}
	fetch := func(u *url.URL) (*doc, *failure) {
		b, ok := bodies[u.String()]
		if !ok {
			return nil, &failure{reason: "status-404", status: 404, detail: "GET " + u.String() + ": 404"}
		}
		return &doc{url: u.String(), status: "200 OK", body: b}, nil
	}
	s.assemble(res, fetch, lim)
	return res
}

func chainBodies(prov, upd, conf, fw string) map[string][]byte {
	return map[string][]byte{
		chainBase + "provisioning.xml":        []byte(prov),
		chainBase + "nvm/updates.xml":         []byte(upd),
		chainBase + "nvm/configuration.xml":   []byte(conf),
		chainBase + "firmware/update.xml":     []byte(fw),
		chainBase + "nvm/configuration-2.xml": []byte(conf),
	}
}

func TestChainReaderAssemblesTheFiles(t *testing.T) {
	res := assembleFiles(chainBodies(chainProvisioning, chainUpdates, chainConfiguration, chainFirmware), provfile.DefaultLimits)
	require.Nil(t, res.reject)
	require.Nil(t, res.fail)
	require.NotNil(t, res.file)
	require.Len(t, res.file.Items, 2)
	require.Equal(t, provfile.Pos{Line: 3, Col: 3}, res.file.Items[1].Pos)
	require.Equal(t, "2.65.0", res.file.Firmware.Files[0].Version)
	require.Contains(t, res.chain, "4 files, 1 params")
}

// The chain reader reads each file within the limits of one provisioning
// document, like the system reads a document.
func TestChainFileLimitsAreThoseOfADocument(t *testing.T) {
	deep := "<settings version=\"1.0\" productID=\"e2\">\n" + strings.Repeat("<x>", 70) + strings.Repeat("</x>", 70) + "</settings>"
	res := assembleFiles(chainBodies(chainProvisioning, chainUpdates, deep, chainFirmware), provfile.DefaultLimits)
	require.NotNil(t, res.reject)
	require.Equal(t, "limit", res.reject.Reason)
	require.Equal(t, chainBase+"nvm/configuration.xml", res.reject.File)
	require.Equal(t, 2, res.reject.Line)
	require.Equal(t, "element <x> is nested 65 deep, more than the limit MaxDepth=64", res.reject.Detail)
	require.Nil(t, res.file, "nothing is applied")

	lim := provfile.DefaultLimits
	lim.MaxAttrLen = 24
	long := strings.Replace(chainConfiguration, `value="pbx"`, `value="a value longer than the limit"`, 1)
	res = assembleFiles(chainBodies(chainProvisioning, chainUpdates, long, chainFirmware), lim)
	require.NotNil(t, res.reject)
	require.Equal(t, "limit", res.reject.Reason)
	require.Contains(t, res.reject.Detail, "MaxAttrLen")

	bad := strings.Replace(chainConfiguration, "</settings>", "</nvm>", 1)
	res = assembleFiles(chainBodies(chainProvisioning, chainUpdates, bad, chainFirmware), lim)
	require.NotNil(t, res.reject)
	require.Equal(t, "xml-syntax", res.reject.Reason)
	require.Equal(t, "not well-formed XML: element <settings> closed by </nvm> (<settings> starts at 1:1)", res.reject.Detail)
	require.Equal(t, 4, res.reject.Line)
	require.Equal(t, 1, res.reject.Col)
}

// The files of a chain are applied as one document, so together they are
// held to the limits of one document.
func TestAssembledChainIsHeldToTheLimitsOfOneDocument(t *testing.T) {
	updates := `<nvm version="1.0" productID="e2">
  <file version="1" url="configuration.xml"/>
  <file version="1" url="configuration-2.xml"/>
</nvm>`
	bodies := chainBodies(chainProvisioning, updates, chainConfiguration, chainFirmware)
	elems := 0
	size := 0
	for _, u := range []string{"provisioning.xml", "nvm/updates.xml", "nvm/configuration.xml", "nvm/configuration-2.xml", "firmware/update.xml"} {
		nodes, err := readChainFile(bodies[chainBase+u], provfile.DefaultLimits)
		require.NoError(t, err)
		elems += len(nodes)
		size += len(bodies[chainBase+u])
	}

	lim := provfile.DefaultLimits
	lim.MaxElements = elems
	res := assembleFiles(bodies, lim)
	require.NotNil(t, res.file, "exactly at the limit")

	lim.MaxElements = elems - 4 // the second configuration file goes over
	res = assembleFiles(bodies, lim)
	require.Nil(t, res.file, "nothing is applied")
	require.NotNil(t, res.reject)
	require.Equal(t, "limit", res.reject.Reason)
	require.Equal(t, chainBase+"nvm/configuration-2.xml", res.reject.File)
	require.Equal(t, fmt.Sprintf("the files of the version 1.0 chain hold more than %d elements together (the limit MaxElements of one document)", elems-4), res.reject.Detail)
	require.Equal(t, 3, res.reject.Line, "the first element over the limit, the <oper>")
	require.Equal(t, 3, res.reject.Col)

	lim = provfile.DefaultLimits
	lim.MaxBytes = size - 1
	res = assembleFiles(bodies, lim)
	require.Nil(t, res.file)
	require.NotNil(t, res.reject)
	require.Equal(t, "limit", res.reject.Reason)
	require.Contains(t, res.reject.Detail, fmt.Sprintf("larger together than the limit MaxBytes=%d bytes", size-1))
	require.Equal(t, chainBase+"firmware/update.xml", res.reject.File, "the last file read goes over")
	require.Equal(t, 1, res.reject.Line)
	require.Equal(t, len(chainFirmware), res.reject.Col, "at the byte over the limit")
}

// FuzzChainReader: no chain files panic the chain reader; each file read
// is either its elements or a positioned error, and a chain is either
// assembled, refused at a position, or left to the system.
func FuzzChainReader(f *testing.F) {
	f.Add([]byte(chainProvisioning), []byte(chainUpdates), []byte(chainConfiguration))
	f.Add([]byte(chainProvisioning), []byte("<nvm><file url='configuration.xml'/><file url='configuration.xml'/></nvm>"), []byte("<settings><x><param/></x><oper><param name='a'/><y/></oper></settings>"))
	f.Add([]byte("<provisioning productID='e2'><category type='nvm' url='http://[::1'/></provisioning>"), []byte{}, []byte{})
	f.Add([]byte("<provisioning productID='e2'><category type='nvm' url='nvm/updates.xml'/></provisioning>"), []byte("<nvm productID='e1'/>"), []byte("<settings"))
	small := provfile.Limits{MaxBytes: 1 << 12, MaxDepth: 6, MaxAttrLen: 64, MaxElements: 40}
	codes := map[string]bool{"xml-syntax": true, "not-provisioning": true, "product-id": true, "limit": true}
	f.Fuzz(func(t *testing.T, prov, upd, conf []byte) {
		for _, data := range [][]byte{prov, upd, conf} {
			nodes, err := readChainFile(data, small)
			var xe *xmltok.Error
			switch {
			case err == nil && len(nodes) == 0:
				t.Fatalf("no error and no root element")
			case err != nil && (!errors.As(err, &xe) || xe.Pos.Line < 1 || xe.Pos.Col < 1 || nodes != nil):
				t.Fatalf("bad error %#v", err)
			}
		}
		bodies := chainBodies(string(prov), string(upd), string(conf), chainFirmware)
		for _, lim := range []provfile.Limits{provfile.DefaultLimits, small} {
			res := assembleFiles(bodies, lim)
			if res.reject != nil {
				if res.file != nil || res.reject.Line < 1 || res.reject.Col < 1 || !codes[res.reject.Reason] || res.reject.Detail == "" {
					t.Fatalf("bad refusal %#v", res.reject)
				}
				continue
			}
			if res.file == nil {
				continue // not a chain, or a fetch that failed
			}
			for _, it := range res.file.Items {
				if it.Pos.Line < 1 || it.Pos.Col < 1 {
					t.Fatalf("item without a position: %#v", it)
				}
			}
		}
	})
}
