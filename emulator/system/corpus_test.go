package system

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func corpusPath(parts ...string) string {
	return filepath.Join(append([]string{"..", "..", "..", "shared", "corpus"}, parts...)...)
}

// TestEveryNx70CorpusFileApplies: real PBX output lands in the model whole:
// slots, params and opers, with no rejection.
func TestEveryNx70CorpusFileApplies(t *testing.T) {
	files, err := filepath.Glob(corpusPath("nx70", "*.xml"))
	require.NoError(t, err)
	require.Len(t, files, 10, "the corpus is beside the project (../shared/corpus)")
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			s := newSys(t, WithStart(time.Unix(1732620000, 0).UTC()))
			res, err := s.ApplyFile(f)
			require.NoError(t, err)
			require.Positive(t, res.Params)
			require.Zero(t, len(eventsOf(s, EvProvisioningRejected, "")))
			for _, w := range warnings(s, "") {
				t.Logf("warning: %s", w.Detail)
			}
		})
	}
}

func TestCorpusNamedValuesLandInTheModel(t *testing.T) {
	apply := func(t *testing.T, name string, opts ...Option) *System {
		s := newSys(t, append([]Option{WithStart(time.Unix(1732620000, 0).UTC())}, opts...)...)
		_, err := s.ApplyFile(corpusPath("nx70", name))
		require.NoError(t, err)
		return s
	}
	t.Run("wazo 2.65", func(t *testing.T) {
		s := apply(t, "wazo__Nx70_83_v2_65_0__base.xml", WithFirmware("2.62.1"))
		require.Equal(t, 3, s.SlotCount())
		require.Equal(t, ToReg, s.SlotState("00001"))
		v, _ := s.Setting("SipAccount.00001.DisplayName")
		require.Equal(t, "1001 Alice Martin", v)
		v, _ = s.Setting("hs.00003.DECT_AC")
		require.Equal(t, "2013", v)
		v, _ = s.Setting("SipProvider.0.AcceptNonSRTPCalls")
		require.Equal(t, "0", v, "params after the stray --> text node are read")
		w := s.RegistrationWindow()
		require.Equal(t, time.Unix(1732620000, 0).UTC(), w.Start)
		require.Equal(t, 900*time.Second, w.End.Sub(w.Start))
		ver, url, ok := s.PendingFirmware()
		require.True(t, ok)
		require.Equal(t, "2.65.0", ver.String())
		require.Contains(t, url, "Gigaset-Nx70-V2.65.0-build.8504c90.bin")
		require.NoError(t, s.Advance(time.Hour))
		require.Equal(t, "2.65.0", s.Firmware().String())
	})
	t.Run("calloracti one-line file", func(t *testing.T) {
		s := apply(t, "calloracti__prov_gen_gigasetpro.xml")
		require.Equal(t, ToReg, s.SlotState("029e74a599"))
		require.Equal(t, ToReg, s.SlotState("02b6ec8aa5"))
		v, _ := s.Setting("SipAccount.029e74a599.AuthName")
		require.Equal(t, "1013", v)
		_, ok := s.Setting("MWISubscription")
		require.True(t, ok, "the bare param is stored, as the device stores unknown params")
		require.Len(t, warnings(s, WarnBadFirmwareVersion), 1, "placeholder firmware x.xx")
	})
	wazo, err := filepath.Glob(corpusPath("nx70", "wazo__*.xml"))
	require.NoError(t, err)
	require.Len(t, wazo, 9)
	for _, f := range wazo {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			s := apply(t, name)
			require.Positive(t, s.SlotCount())
			require.Equal(t, ToReg, s.SlotState("00001"))
			for _, p := range []string{"SipAccount.00001.UserName", "SipAccount.00001.AuthPassword", "hs.00001.DECT_AC", "SipProvider.0.Domain", "SipProvider.0.RegServerPort"} {
				v, ok := s.Setting(p)
				require.True(t, ok, p)
				require.NotEmpty(t, v, p)
			}
			require.Empty(t, warnings(s, WarnUnknownOper))
		})
	}
}

func TestWikiExamplesApplyAndNonDocumentsAreRefused(t *testing.T) {
	for _, name := range []string{"s1-delete-not-provisioned-hs.xml", "s1-dereg-single-handset.xml", "s2-sip-multicast-disable.xml",
		"s9-provisioning-period.xml", "s10-checksync-reboot-enable.xml", "s23-wazo-nx70-2.65-rendered-DERIVED.xml",
		"s25-calloracti-rendered-DERIVED.xml", "s26-auerswald-rap-service.xml"} {
		s := newSys(t)
		_, err := s.ApplyFile(corpusPath("wiki-examples", name))
		require.NoError(t, err, name)
	}
	for _, name := range []string{"s8-update-dm-FRAGMENT.xml", "s3-multifile-1-provisioning.xml", "s3-multifile-2-updates.xml", "s3-multifile-3-configuration.xml"} {
		s := newSys(t)
		before := s.Snapshot()
		_, err := s.ApplyFile(corpusPath("wiki-examples", name))
		require.Error(t, err, name)
		require.Equal(t, before, s.Snapshot())
	}
	others, _ := filepath.Glob(corpusPath("other-products", "*.xml"))
	require.NotEmpty(t, others)
	for _, f := range others {
		s := newSys(t)
		_, err := s.ApplyFile(f)
		require.Error(t, err, f)
		require.Len(t, eventsOf(s, EvProvisioningRejected, ""), 1)
	}
	_, err := os.Stat(corpusPath())
	require.NoError(t, err)
}
