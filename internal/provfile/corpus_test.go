package provfile_test

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dectsim/dectsim/internal/provfile"
	"github.com/dectsim/dectsim/internal/testfiles"
)

// corpus is one folder of the shared corpus of real provisioning files;
// without it the test skips (CI requires it).
func corpus(t testing.TB, sub string) string {
	t.Helper()
	return testfiles.Shared(t, sub)
}

func corpusFiles(t testing.TB, sub, pattern string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(corpus(t, sub), pattern))
	require.NoError(t, err)
	require.NotEmpty(t, files, "no %s in %s", pattern, sub)
	return files
}

func readErr(t *testing.T, path string) *provfile.Error {
	t.Helper()
	f, err := provfile.ReadFile(path)
	require.Nil(t, f)
	var pe *provfile.Error
	require.True(t, errors.As(err, &pe), "error %v is not a *provfile.Error", err)
	require.Equal(t, path, pe.File)
	require.GreaterOrEqual(t, pe.Pos.Line, 1)
	require.GreaterOrEqual(t, pe.Pos.Col, 1)
	return pe
}

func findItem(t *testing.T, f *provfile.File, name string) []provfile.Item {
	t.Helper()
	var out []provfile.Item
	for _, it := range f.Items {
		if it.Name == name {
			out = append(out, it)
		}
	}
	return out
}

func TestEveryNx70CorpusFileParses(t *testing.T) {
	everyNx70FileParses(t, corpusFiles(t, "nx70", "*.xml"))
}

// everyNx70FileParses: a complete Nx70 file as a PBX renders it is read
// whole: version 1.1, productID e2, a firmware offer, every item named
// and inside <nvm>, nothing noted.
func everyNx70FileParses(t *testing.T, files []string) {
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			f, err := provfile.ReadFile(path)
			require.NoError(t, err)
			require.Equal(t, "1.1", f.Version)
			require.Equal(t, "e2", f.ProductID)
			require.True(t, f.HasProductID)
			require.NotNil(t, f.Firmware)
			require.Len(t, f.Firmware.Files, 1)
			require.NotZero(t, f.NVMPos)
			require.Greater(t, len(f.Items), 30)
			require.Empty(t, f.Notes)
			for _, it := range f.Items {
				require.True(t, it.HasName, "item at %s", it.Pos)
				require.False(t, it.OutsideNVM)
				require.Greater(t, it.Pos.Line, f.NVMPos.Line-1)
			}
		})
	}
}

func TestWazo265CorpusFileReadsAsWritten(t *testing.T) {
	f, err := provfile.ReadFile(filepath.Join(corpus(t, "nx70"), "wazo__Nx70_83_v2_65_0__base.xml"))
	require.NoError(t, err)
	require.Equal(t, provfile.Pos{Line: 2, Col: 1}, f.Pos)
	require.Equal(t, provfile.Pos{Line: 7, Col: 5}, f.NVMPos)
	require.Len(t, f.Items, 70)

	require.Equal(t, provfile.Firmware{Pos: provfile.Pos{Line: 3, Col: 5}, Files: []provfile.FirmwareFile{{
		Pos: provfile.Pos{Line: 4, Col: 9}, Version: "2.65.0",
		URL: "http://192.0.2.10:8667/Gigaset-Nx70-V2.65.0-build.8504c90.bin",
	}}}, *f.Firmware)

	require.Equal(t, provfile.Item{Kind: provfile.OperItem, Pos: provfile.Pos{Line: 8, Col: 9},
		Name: "DeleteNotProvisionedHS", HasName: true}, f.Items[0])

	adds := findItem(t, f, "add_hs")
	require.Len(t, adds, 3)
	require.Equal(t, provfile.Item{
		Kind: provfile.OperItem, Pos: provfile.Pos{Line: 28, Col: 9},
		Name: "add_hs", Value: "00001", HasName: true, HasValue: true,
		Params: []provfile.Param{{Pos: provfile.Pos{Line: 29, Col: 13}, Name: "hs.RegStatus", Value: "ToReg", HasName: true, HasValue: true}},
	}, adds[0])
	require.Equal(t, "00003", adds[2].Value)
	require.Equal(t, 58, adds[2].Pos.Line)

	// The stray "-->" text after SRTP_Enabled is ignored; the params on
	// both sides of it are read.
	srtp := findItem(t, f, "SipProvider.0.SRTP_Enabled")
	require.Len(t, srtp, 1)
	require.Equal(t, 85, srtp[0].Pos.Line)
	require.Equal(t, 87, findItem(t, f, "SipProvider.0.AcceptNonSRTPCalls")[0].Pos.Line)

	last := f.Items[len(f.Items)-1]
	require.Equal(t, "update_dm", last.Name)
	require.Equal(t, "local", last.Value)
	require.Equal(t, provfile.Pos{Line: 110, Col: 9}, last.Pos)
	require.Len(t, last.Params, 3)
	require.Equal(t, "RegStart", last.Params[0].Name)
	require.Equal(t, "1732620000", last.Params[0].Value)
	require.Equal(t, "900", last.Params[1].Value)
}

func TestParamsInsideCommentsAreNotItems(t *testing.T) {
	// The N870 2.48 template comments out three SIP params and sets two of
	// them again below the comment.
	f, err := provfile.ReadFile(filepath.Join(corpus(t, "nx70"), "wazo__N870_83_v2_48_0__base.xml"))
	require.NoError(t, err)
	require.Len(t, f.Items, 66)
	tp := findItem(t, f, "SipProvider.0.TransportProtocol")
	require.Len(t, tp, 1)
	require.Equal(t, 87, tp[0].Pos.Line)
	srtp := findItem(t, f, "SipProvider.0.SRTP_Enabled")
	require.Len(t, srtp, 1)
	require.Equal(t, 89, srtp[0].Pos.Line)
}

func TestWazo211BlankLinesInsideOperAreFine(t *testing.T) {
	f, err := provfile.ReadFile(filepath.Join(corpus(t, "nx70"), "wazo__N870-83.v2.11.0__base.xml"))
	require.NoError(t, err)
	require.Len(t, f.Items, 51)
	adds := findItem(t, f, "add_hs")
	require.NotEmpty(t, adds)
	require.Equal(t, provfile.Pos{Line: 24, Col: 9}, adds[0].Pos)
	require.Equal(t, []provfile.Param{{Pos: provfile.Pos{Line: 26, Col: 13}, Name: "hs.RegStatus", Value: "ToReg", HasName: true, HasValue: true}}, adds[0].Params)
	require.Equal(t, "2.14.0", f.Firmware.Files[0].Version)
}

func TestCalloractiOneLineFileHasGrowingColumnsOnLineTwo(t *testing.T) {
	f, err := provfile.ReadFile(filepath.Join(corpus(t, "nx70"), "calloracti__prov_gen_gigasetpro.xml"))
	require.NoError(t, err)
	require.Equal(t, provfile.Pos{Line: 2, Col: 1}, f.Pos)
	require.Equal(t, provfile.Pos{Line: 2, Col: 44}, f.Firmware.Pos)
	require.Equal(t, "x.xx", f.Firmware.Files[0].Version)
	require.Equal(t, "https......", f.Firmware.Files[0].URL)
	require.Len(t, f.Items, 35)
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
	require.Equal(t, "029e74a599", add.Value, "value written before name")
	require.Equal(t, "ToReg", add.Params[0].Value)
	mwi := f.Items[len(f.Items)-1]
	require.Equal(t, "MWISubscription", mwi.Name, "the bare param is recorded; judging it is the linter's job")
	require.Equal(t, "", findItem(t, f, "SipProvider.0.OutboundProxyAddress")[0].Value)
	require.True(t, findItem(t, f, "SipProvider.0.OutboundProxyAddress")[0].HasValue)
}

func TestVersion11WikiExamplesParse(t *testing.T) {
	want := map[string]int{
		"s1-delete-not-provisioned-hs.xml":        3,
		"s1-dereg-single-handset.xml":             1,
		"s10-checksync-reboot-enable.xml":         1,
		"s2-sip-multicast-disable.xml":            1,
		"s23-wazo-nx70-2.65-rendered-DERIVED.xml": 57,
		"s25-calloracti-rendered-DERIVED.xml":     35,
		"s26-auerswald-rap-service.xml":           6,
		"s9-provisioning-period.xml":              3,
	}
	for name, n := range want {
		t.Run(name, func(t *testing.T) {
			f, err := provfile.ReadFile(filepath.Join(corpus(t, "wiki-examples"), name))
			require.NoError(t, err)
			require.Equal(t, "1.1", f.Version)
			require.Len(t, f.Items, n)
			require.Equal(t, 2, f.Pos.Line, "the first line is the source comment")
		})
	}
	f, err := provfile.ReadFile(filepath.Join(corpus(t, "wiki-examples"), "s1-dereg-single-handset.xml"))
	require.NoError(t, err)
	require.Equal(t, provfile.Item{Kind: provfile.ParamItem, Pos: provfile.Pos{Line: 4, Col: 5},
		Name: "hs.02b6ec8aa5.RegStatus", Value: "ToDeReg", HasName: true, HasValue: true}, f.Items[0])
	// Every version 1.1 example is listed above.
	for _, path := range corpusFiles(t, "wiki-examples", "*.xml") {
		base := filepath.Base(path)
		if strings.HasPrefix(base, "s3-multifile") || strings.Contains(base, "FRAGMENT") {
			continue
		}
		require.Contains(t, want, base)
	}
}

func TestOtherProductsAreRefusedWithAPosition(t *testing.T) {
	files := corpusFiles(t, "other-products", "*.xml")
	require.Len(t, files, 6)
	otherProductsRefused(t, files)
}

func TestOtherProductsWithARawAmpersandAreNotWellFormed(t *testing.T) {
	for name, pos := range map[string]provfile.Pos{
		"wazo__N510__base.xml": {Line: 10, Col: 100},
		"wazo__N720__base.xml": {Line: 11, Col: 125},
	} {
		e := readErr(t, filepath.Join(corpus(t, "other-products"), name))
		require.Equal(t, "xml-syntax", e.Code, name)
		require.Equal(t, pos, e.Pos, name)
		require.Contains(t, e.Msg, "not well-formed XML: invalid character entity &")
		require.Contains(t, e.Msg, "a literal & must be written &amp;")
		require.Contains(t, e.Msg, "looks like an N510/N720 ProviderFrame file")
	}
	e := readErr(t, filepath.Join(corpus(t, "other-products"), "wazo__N720_2018__base_n720.xml"))
	require.Equal(t, "not-provisioning", e.Code)
	require.Equal(t, "root element is <ProviderFrame>: this looks like an N510/N720 ProviderFrame file (the older Gigaset format), not an Nx70 <provisioning> document", e.Msg)
}

func TestUpdateDMFragmentIsRefused(t *testing.T) {
	fragmentRefused(t, filepath.Join(corpus(t, "wiki-examples"), "s8-update-dm-FRAGMENT.xml"))
}

func TestVersion10ChainFilesAloneAreRefused(t *testing.T) {
	version10Refused(t, map[string]string{
		filepath.Join(corpus(t, "wiki-examples"), "s3-multifile-1-provisioning.xml"):  "is provisioning.xml, the first file",
		filepath.Join(corpus(t, "wiki-examples"), "s3-multifile-2-updates.xml"):       "this is nvm/updates.xml, the second file",
		filepath.Join(corpus(t, "wiki-examples"), "s3-multifile-3-configuration.xml"): "this is configuration.xml, the third file",
	})
	e := readErr(t, filepath.Join(corpus(t, "wiki-examples"), "s3-multifile-1-provisioning.xml"))
	require.True(t, strings.HasPrefix(e.Msg, `<provisioning version="1.0"> with <category> (at 3:3)`), e.Msg)
}
