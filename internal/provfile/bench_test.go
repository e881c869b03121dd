package provfile_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dectsim/dectsim/internal/provfile"
)

var vi20k = provfile.GenerateComplete(20000)

// The etree yardstick (reading the same file into an etree tree) is system.BenchmarkParseEtreeVI20k,
// beside the BenchmarkApplyVI20k it is compared with.

// BenchmarkParseVI20k reads the largest real file into the typed form.
func BenchmarkParseVI20k(b *testing.B) { benchParse(b, provfile.Parse) }

// BenchmarkParseStrictVI20k reads the same bytes with the strict path
// alone (encoding/xml), which every file took before the fast path.
func BenchmarkParseStrictVI20k(b *testing.B) { benchParse(b, provfile.ParseStrict) }

func benchParse(b *testing.B, parse func(string, []byte) (*provfile.File, error)) {
	b.SetBytes(int64(len(vi20k)))
	b.ReportAllocs()
	for b.Loop() {
		f, err := parse("vi.xml", vi20k)
		if err != nil {
			b.Fatal(err)
		}
		if len(f.Items) != 20000*10+14 {
			b.Fatalf("%d items", len(f.Items))
		}
	}
}

func TestGenerateCompleteShape(t *testing.T) {
	f, err := provfile.Parse("vi.xml", provfile.GenerateComplete(3))
	require.NoError(t, err)
	require.Len(t, f.Items, 3*10+14)
	require.Equal(t, "DeleteNotProvisionedHS", f.Items[0].Name)
	require.Equal(t, "add_hs", f.Items[5].Name)
	require.Equal(t, provfile.GenerateIPUI(0), f.Items[5].Value)
	require.Equal(t, "0200000000", f.Items[5].Value)
	require.Equal(t, []provfile.Param{{Pos: provfile.Pos{Line: 15, Col: 13}, Name: "hs.RegStatus", Value: "ToReg", HasName: true, HasValue: true}}, f.Items[5].Params)
	require.Equal(t, "update_dm", f.Items[len(f.Items)-1].Name)
	require.Equal(t, "2.65.0", f.Firmware.Files[0].Version)
}
