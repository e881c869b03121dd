package provfile_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dectsim/dectsim/internal/provfile"
	"github.com/dectsim/dectsim/internal/testfiles"
)

// The project's own provisioning files (testdata/provisioning) have the
// shapes real servers emit; these tests run in every clone.

func TestEveryNx70TestdataFileParses(t *testing.T) {
	everyNx70FileParses(t, testfiles.OwnFiles(t, "nx70"))
}

// TestCompletePBXFileReadsAsWritten: the complete-file pattern of a public
// PBX plugin (firmware offer, DeleteNotProvisionedHS first, placeholder
// slot ids, value before name, comments holding params, a stray "-->" text
// node, update_dm) is read item by item with the position of each.
func TestCompletePBXFileReadsAsWritten(t *testing.T) {
	f, err := provfile.ReadFile(testfiles.Own(t, "nx70", "pbx-complete-2.65.xml"))
	require.NoError(t, err)
	require.Equal(t, provfile.Pos{Line: 2, Col: 1}, f.Pos)
	require.Equal(t, provfile.Pos{Line: 7, Col: 5}, f.NVMPos)
	require.Len(t, f.Items, 45)

	require.Equal(t, provfile.Firmware{Pos: provfile.Pos{Line: 3, Col: 5}, Files: []provfile.FirmwareFile{{
		Pos: provfile.Pos{Line: 4, Col: 9}, Version: "2.65.0",
		URL: "http://198.51.100.7:8667/firmware/Nx70-2.65.0.bin",
	}}}, *f.Firmware)
	require.Equal(t, provfile.Item{Kind: provfile.OperItem, Pos: provfile.Pos{Line: 8, Col: 9},
		Name: "DeleteNotProvisionedHS", HasName: true}, f.Items[0])

	adds := findItem(t, f, "add_hs")
	require.Len(t, adds, 2)
	require.Equal(t, provfile.Item{
		Kind: provfile.OperItem, Pos: provfile.Pos{Line: 26, Col: 9},
		Name: "add_hs", Value: "00001", HasName: true, HasValue: true,
		Params: []provfile.Param{{Pos: provfile.Pos{Line: 27, Col: 13}, Name: "hs.RegStatus", Value: "ToReg", HasName: true, HasValue: true}},
	}, adds[0], "value written before name")
	require.Equal(t, "00002", adds[1].Value)
	require.Equal(t, 39, adds[1].Pos.Line)

	// The two params inside the comment are not items; the one after it is.
	tp := findItem(t, f, "SipProvider.0.TransportProtocol")
	require.Len(t, tp, 1)
	require.Equal(t, "1", tp[0].Value)
	require.Equal(t, 62, tp[0].Pos.Line)
	require.Empty(t, findItem(t, f, "SipProvider.0.UseSIPS"))

	// The stray "-->" text after SRTP_Enabled is ignored; the params on
	// both sides of it are read.
	require.Equal(t, 63, findItem(t, f, "SipProvider.0.SRTP_Enabled")[0].Pos.Line)
	require.Equal(t, 65, findItem(t, f, "SipProvider.0.AcceptNonSRTPCalls")[0].Pos.Line)

	last := f.Items[len(f.Items)-1]
	require.Equal(t, "update_dm", last.Name)
	require.Equal(t, "local", last.Value)
	require.Equal(t, provfile.Pos{Line: 71, Col: 9}, last.Pos)
	require.Len(t, last.Params, 3)
	require.Equal(t, "RegStart", last.Params[0].Name)
	require.Equal(t, "1767225600", last.Params[0].Value)
	require.Equal(t, "600", last.Params[1].Value)
}

func TestBlankLinesInsideOperDoNotHideParams(t *testing.T) {
	f, err := provfile.ReadFile(testfiles.Own(t, "nx70", "pbx-complete-2.14.xml"))
	require.NoError(t, err)
	require.Len(t, f.Items, 33)
	adds := findItem(t, f, "add_hs")
	require.Len(t, adds, 2)
	require.Equal(t, provfile.Pos{Line: 14, Col: 5}, adds[0].Pos)
	require.Equal(t, []provfile.Param{{Pos: provfile.Pos{Line: 16, Col: 7}, Name: "hs.RegStatus", Value: "ToReg", HasName: true, HasValue: true}}, adds[0].Params)
	require.Equal(t, "2.14.0", f.Firmware.Files[0].Version)
}

// TestOneLineDocumentHasGrowingColumns: a generator that writes the whole
// document on one line still gets a distinct position for every item.
func TestOneLineDocumentHasGrowingColumns(t *testing.T) {
	f, err := provfile.ReadFile(testfiles.Own(t, "nx70", "php-one-line.xml"))
	require.NoError(t, err)
	require.Equal(t, provfile.Pos{Line: 2, Col: 1}, f.Pos)
	require.Equal(t, provfile.Pos{Line: 2, Col: 44}, f.Firmware.Pos)
	require.Equal(t, "x.xx", f.Firmware.Files[0].Version, "a placeholder version is read as written")
	require.Equal(t, "https......", f.Firmware.Files[0].URL)
	require.Len(t, f.Items, 33)
	col := f.NVMPos.Col
	for _, it := range f.Items {
		require.Equal(t, 2, it.Pos.Line)
		require.Greater(t, it.Pos.Col, col, "item %s", it.Name)
		col = it.Pos.Col
		for _, p := range it.Params {
			require.Equal(t, 2, p.Pos.Line)
			require.Greater(t, p.Pos.Col, it.Pos.Col)
		}
	}
	add := findItem(t, f, "add_hs")[0]
	require.Equal(t, "0a1b2c3d4e", add.Value, "value written before name")
	require.Equal(t, "ToReg", add.Params[0].Value)
	mwi := f.Items[len(f.Items)-1]
	require.Equal(t, "MWISubscription", mwi.Name, "the bare param is recorded; judging it is the linter's job")
	proxy := findItem(t, f, "SipProvider.0.OutboundProxyAddress")[0]
	require.Equal(t, "", proxy.Value)
	require.True(t, proxy.HasValue)
}

func TestVendorShapedFilesParse(t *testing.T) {
	for name, n := range map[string]int{
		"delete-not-provisioned.xml": 3,
		"dereg-single.xml":           1,
		"single-param.xml":           1,
		"provisioning-period.xml":    3,
	} {
		f, err := provfile.ReadFile(testfiles.Own(t, "vendor-shapes", name))
		require.NoError(t, err, name)
		require.Equal(t, "1.1", f.Version, name)
		require.Len(t, f.Items, n, name)
	}
	f, err := provfile.ReadFile(testfiles.Own(t, "vendor-shapes", "dereg-single.xml"))
	require.NoError(t, err)
	require.Equal(t, provfile.Item{Kind: provfile.ParamItem, Pos: provfile.Pos{Line: 4, Col: 5},
		Name: "hs.0f9e8d7c6b.RegStatus", Value: "ToDeReg", HasName: true, HasValue: true}, f.Items[0])
	f, err = provfile.ReadFile(testfiles.Own(t, "vendor-shapes", "single-param.xml"))
	require.NoError(t, err)
	require.Equal(t, provfile.Pos{Line: 3, Col: 1}, f.Pos, "a comment before the root moves it down")
}

func TestOtherProductsTestdataIsRefused(t *testing.T) {
	files := testfiles.OwnFiles(t, "other-products")
	require.Len(t, files, 3)
	otherProductsRefused(t, files)

	e := readErr(t, testfiles.Own(t, "other-products", "n510-raw-ampersand.xml"))
	require.Equal(t, "xml-syntax", e.Code)
	require.Equal(t, provfile.Pos{Line: 9, Col: 101}, e.Pos, "the caret sits on the raw &")
	require.Contains(t, e.Msg, "not well-formed XML: invalid character entity &")
	require.Contains(t, e.Msg, "a literal & must be written &amp;")
	require.Contains(t, e.Msg, "looks like an N510/N720 ProviderFrame file")

	for _, name := range []string{"n720-providerframe.xml", "n510-providerframe.xml"} {
		e = readErr(t, testfiles.Own(t, "other-products", name))
		require.Equal(t, "not-provisioning", e.Code, name)
		require.Equal(t, "root element is <ProviderFrame>: this looks like an N510/N720 ProviderFrame file (the older Gigaset format), not an Nx70 <provisioning> document", e.Msg, name)
	}
}

func TestFragmentIsRefused(t *testing.T) {
	fragmentRefused(t, testfiles.Own(t, "vendor-shapes", "fragment-update-dm.xml"))
}

func TestVersion10ChainTestdataAloneIsRefused(t *testing.T) {
	version10Refused(t, map[string]string{
		testfiles.Own(t, "vendor-shapes", "chain-1-provisioning.xml"):  "is provisioning.xml, the first file",
		testfiles.Own(t, "vendor-shapes", "chain-2-updates.xml"):       "this is nvm/updates.xml, the second file",
		testfiles.Own(t, "vendor-shapes", "chain-3-configuration.xml"): "this is configuration.xml, the third file",
	})
}

// otherProductsRefused: an N510/N720 file is refused with a message that
// says what it is, at the root or at the first syntax error.
func otherProductsRefused(t *testing.T, files []string) {
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			e := readErr(t, path)
			require.Contains(t, e.Msg, "N510/N720 ProviderFrame file")
			require.Contains(t, []string{"not-provisioning", "xml-syntax"}, e.Code)
			if e.Code == "not-provisioning" {
				require.Equal(t, provfile.Pos{Line: 2, Col: 1}, e.Pos)
			}
		})
	}
}

func fragmentRefused(t *testing.T, path string) {
	e := readErr(t, path)
	require.Equal(t, "not-provisioning", e.Code)
	require.Equal(t, provfile.Pos{Line: 2, Col: 1}, e.Pos)
	require.Equal(t, "root element is <oper>; a provisioning document has <provisioning> as its root (this looks like a fragment meant to go inside <nvm>)", e.Msg)
}

// version10Refused: each chain file given alone is refused naming which
// file of the version 1.0 chain it is.
func version10Refused(t *testing.T, files map[string]string) {
	for path, what := range files {
		e := readErr(t, path)
		require.Equal(t, "not-provisioning", e.Code, path)
		require.Equal(t, provfile.Pos{Line: 2, Col: 1}, e.Pos, path)
		require.Contains(t, e.Msg, what, path)
		require.Contains(t, e.Msg, "provisioning version 1.0 three-file chain (provisioning.xml -> nvm/updates.xml -> configuration.xml)", path)
		require.Contains(t, e.Msg, "a chain file given alone cannot be applied", path)
	}
}
