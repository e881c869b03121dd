package system

import (
	"fmt"

	"github.com/dectsim/dectsim/internal/engine/des"
	"github.com/dectsim/dectsim/internal/vocab/firmware"
)

type pendingUpgrade struct {
	to  firmware.Version
	url string
	ev  des.ID
}

// PendingFirmware returns the version being downloaded and its URL, if any.
func (s *System) PendingFirmware() (FirmwareVersion, string, bool) {
	if s.pendingFW == nil {
		return FirmwareVersion{}, "", false
	}
	return FirmwareVersion(s.pendingFW.to), s.pendingFW.url, true
}

// offerFirmware starts a download when v is newer than what runs (and than
// any download already under way). The URL is recorded, never fetched.
func (s *System) offerFirmware(v firmware.Version, url string) {
	if !s.fw.Less(v) {
		return
	}
	if p := s.pendingFW; p != nil {
		if !p.to.Less(v) {
			return
		}
		s.sim.Cancel(p.ev)
	}
	p := &pendingUpgrade{to: v, url: url}
	p.ev = s.sim.After(s.cfg.FirmwareDelay, func() {
		s.pendingFW = nil
		s.install(p.to, fmt.Sprintf("downloaded from %s", p.url))
	})
	s.pendingFW = p
}

// InstallFirmware is an administrator installing a version directly (any
// version, older ones too). The system reboots onto it at once.
func (s *System) InstallFirmware(version string) error {
	v, err := firmware.Parse(version)
	if err != nil {
		return err
	}
	if p := s.pendingFW; p != nil {
		s.sim.Cancel(p.ev)
		s.pendingFW = nil
	}
	s.install(v, "installed by the administrator")
	return nil
}

// install switches firmware and reboots. Slots, pending deadlines (still
// counted from their request) and the registration window survive.
func (s *System) install(v firmware.Version, how string) {
	old := s.fw
	s.fw = v
	s.emit(Event{Type: EvFirmwareChanged, Detail: fmt.Sprintf("%s -> %s, %s", old, v, how)})
	s.emit(Event{Type: EvReboot, Detail: "running " + v.String()})
	for _, f := range s.rebootFns {
		f()
	}
}
