package system

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dectsim/dectsim/internal/testfiles"
)

// Real PBX output, as the project's own testdata/provisioning has it and,
// where it is beside the clone, as the shared corpus has it.

func TestEveryNx70TestdataFileApplies(t *testing.T) {
	everyNx70FileApplies(t, testfiles.OwnFiles(t, "nx70"), time.Unix(1767225600, 0).UTC())
}

func TestEveryNx70CorpusFileApplies(t *testing.T) {
	files := testfiles.SharedFiles(t, "nx70")
	require.Len(t, files, 10)
	everyNx70FileApplies(t, files, time.Unix(1732620000, 0).UTC())
}

// everyNx70FileApplies: a complete file lands in the model whole (slots,
// params and opers) with no rejection.
func everyNx70FileApplies(t *testing.T, files []string, start time.Time) {
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			s := newSys(t, WithStart(start))
			res, err := s.ApplyFile(f)
			require.NoError(t, err)
			require.Positive(t, res.Params)
			require.Positive(t, s.SlotCount())
			require.Zero(t, len(eventsOf(s, EvProvisioningRejected, "")))
			require.Empty(t, warnings(s, WarnUnknownOper))
			for _, w := range warnings(s, "") {
				t.Logf("warning: %s", w.Detail)
			}
		})
	}
}

func TestTestdataNamedValuesLandInTheModel(t *testing.T) {
	start := time.Unix(1767225600, 0).UTC()
	apply := func(t *testing.T, name string, opts ...Option) *System {
		s := newSys(t, append([]Option{WithStart(start)}, opts...)...)
		_, err := s.ApplyFile(testfiles.Own(t, "nx70", name))
		require.NoError(t, err)
		return s
	}
	t.Run("complete PBX file", func(t *testing.T) {
		s := apply(t, "pbx-complete-2.65.xml", WithFirmware("2.62.1"))
		require.Equal(t, 2, s.SlotCount(), "placeholder ids 00001 and 00002")
		require.Equal(t, ToReg, s.SlotState("00001"))
		v, _ := s.Setting("SipAccount.00001.DisplayName")
		require.Equal(t, "201 Dana Weber", v)
		v, _ = s.Setting("hs.00002.DECT_AC")
		require.Equal(t, "4712", v)
		v, _ = s.Setting("SipProvider.0.AcceptNonSRTPCalls")
		require.Equal(t, "0", v, "params after the stray --> text node are read")
		v, _ = s.Setting("SipProvider.0.TransportProtocol")
		require.Equal(t, "1", v, "the commented-out value is not applied")
		_, ok := s.Setting("SipProvider.0.UseSIPS")
		require.False(t, ok, "a param inside a comment is not applied")
		w := s.RegistrationWindow()
		require.Equal(t, start, w.Start)
		require.Equal(t, 600*time.Second, w.End.Sub(w.Start))
		ver, url, ok := s.PendingFirmware()
		require.True(t, ok)
		require.Equal(t, "2.65.0", ver.String())
		require.Contains(t, url, "Nx70-2.65.0.bin")
		require.NoError(t, s.Advance(time.Hour))
		require.Equal(t, "2.65.0", s.Firmware().String())
	})
	t.Run("one-line file from a PHP generator", func(t *testing.T) {
		s := apply(t, "php-one-line.xml")
		require.Equal(t, ToReg, s.SlotState("0a1b2c3d4e"))
		require.Equal(t, ToReg, s.SlotState("0f9e8d7c6b"))
		v, _ := s.Setting("SipAccount.0a1b2c3d4e.AuthName")
		require.Equal(t, "2201", v)
		_, ok := s.Setting("MWISubscription")
		require.True(t, ok, "the bare param is stored, as the device stores unknown params")
		require.Len(t, warnings(s, WarnBadFirmwareVersion), 1, "placeholder firmware x.xx")
	})
	for _, name := range []string{"pbx-complete-2.65.xml", "pbx-complete-2.14.xml"} {
		t.Run(name, func(t *testing.T) {
			s := apply(t, name)
			require.Equal(t, 2, s.SlotCount())
			require.Equal(t, ToReg, s.SlotState("00001"))
			for _, p := range []string{"SipAccount.00001.UserName", "SipAccount.00001.AuthPassword", "hs.00001.DECT_AC", "SipProvider.0.Domain", "SipProvider.0.RegServerPort"} {
				v, ok := s.Setting(p)
				require.True(t, ok, p)
				require.NotEmpty(t, v, p)
			}
		})
	}
}

func TestCorpusNamedValuesLandInTheModel(t *testing.T) {
	dir := testfiles.Shared(t, "nx70")
	apply := func(t *testing.T, name string, opts ...Option) *System {
		s := newSys(t, append([]Option{WithStart(time.Unix(1732620000, 0).UTC())}, opts...)...)
		_, err := s.ApplyFile(filepath.Join(dir, name))
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
	wazo, err := filepath.Glob(filepath.Join(dir, "wazo__*.xml"))
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
		})
	}
}

func TestVendorShapesApplyAndNonDocumentsAreRefused(t *testing.T) {
	var apply, refuse []string
	for _, p := range testfiles.OwnFiles(t, "vendor-shapes") {
		if base := filepath.Base(p); strings.HasPrefix(base, "chain-") || strings.HasPrefix(base, "fragment-") {
			refuse = append(refuse, p)
		} else {
			apply = append(apply, p)
		}
	}
	require.Len(t, refuse, 4)
	appliedOrRefused(t, apply, refuse, testfiles.OwnFiles(t, "other-products"))
}

func TestWikiExamplesApplyAndNonDocumentsAreRefused(t *testing.T) {
	dir := testfiles.Shared(t, "wiki-examples")
	var apply, refuse []string
	for _, name := range []string{"s1-delete-not-provisioned-hs.xml", "s1-dereg-single-handset.xml", "s2-sip-multicast-disable.xml",
		"s9-provisioning-period.xml", "s10-checksync-reboot-enable.xml", "s23-wazo-nx70-2.65-rendered-DERIVED.xml",
		"s25-calloracti-rendered-DERIVED.xml", "s26-auerswald-rap-service.xml"} {
		apply = append(apply, filepath.Join(dir, name))
	}
	for _, name := range []string{"s8-update-dm-FRAGMENT.xml", "s3-multifile-1-provisioning.xml", "s3-multifile-2-updates.xml", "s3-multifile-3-configuration.xml"} {
		refuse = append(refuse, filepath.Join(dir, name))
	}
	appliedOrRefused(t, apply, refuse, testfiles.SharedFiles(t, "other-products"))
}

// appliedOrRefused: version 1.1 documents apply; fragments, version 1.0
// chain files given alone and other products' files are refused, once,
// and change nothing.
func appliedOrRefused(t *testing.T, apply, refuse, others []string) {
	for _, p := range apply {
		s := newSys(t)
		_, err := s.ApplyFile(p)
		require.NoError(t, err, p)
	}
	for _, p := range append(refuse, others...) {
		s := newSys(t)
		before := s.Snapshot()
		_, err := s.ApplyFile(p)
		require.Error(t, err, p)
		require.Equal(t, before, s.Snapshot(), p)
		require.Len(t, eventsOf(s, EvProvisioningRejected, ""), 1, p)
	}
}
