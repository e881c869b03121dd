package system

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/dectsim/dectsim/internal/testfiles"
)

// fuzzSystem is a populated system: registered, away, switched-off and
// waiting handsets, placeholder slots, settings and a pending deadline.
func fuzzSystem(t testing.TB, opts ...Option) *System {
	s, err := New(append([]Option{WithFirmware("2.36.0"), WithMaxHandsets(12)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	for _, spec := range []HandsetSpec{
		{IPUI: hsA, State: Registered},
		{IPUI: hsB, State: Registered, OutOfRange: true},
		{IPUI: hsC, State: Registered, Off: true},
		{IPUI: "0400000001", State: ToReg, PIN: "1234"},
		{IPUI: "0400000002"},
	} {
		if err := s.AddHandset(spec); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Apply("setup.xml", []byte(doc(addOper("00001")+`<param name="hs.00001.DECT_AC" value="1"/><param name="SipAccount.029e74a599.AuthName" value="a"/>`+
		`<param name="hs.0311223344.RegStatus" value="ToDeReg"/>`+windowOpen))); err != nil {
		t.Fatal(err)
	}
	return s
}

// checkInvariants holds the model to what it promises whatever the
// input: every slot in a valid state, lookups consistent, no handset
// both absent and a ghost unless subscribed, and event queries that find
// what a scan of the log finds.
func checkInvariants(t *testing.T, s *System) {
	t.Helper()
	n := 0
	for _, sl := range s.order {
		if sl.gone {
			continue
		}
		n++
		if _, ok := ParseState(string(sl.state)); !ok || sl.state == Absent {
			t.Fatalf("slot %s in invalid state %q", sl.id, sl.state)
		}
		if s.slots[sl.id] != sl {
			t.Fatalf("slot %s not indexed by id", sl.id)
		}
		if sl.ipui != "" && s.byIPUI[sl.ipui] != sl {
			t.Fatalf("slot %s not indexed by IPUI %s", sl.id, sl.ipui)
		}
		if sl.state == InReg && sl.regEv == 0 {
			t.Fatalf("slot %s InReg with no registration under way", sl.id)
		}
		if sl.state == ToDeReg && sl.deadlineEv == 0 && sl.airEv == 0 {
			t.Fatalf("slot %s in ToDeReg waits for nothing", sl.id)
		}
	}
	if n != len(s.slots) || n > s.cfg.MaxHandsets {
		t.Fatalf("%d listed slots, %d indexed, capacity %d", n, len(s.slots), s.cfg.MaxHandsets)
	}
	for _, h := range s.hsOrder {
		if s.isGhost(h) && !h.subscribed {
			t.Fatalf("handset %s is a ghost without a subscription", h.ipui)
		}
	}
	checkIndexes(t, s)
	// Every query is checked against a scan of the log: quadratic in the
	// log, so only for the short logs fuzzing mostly makes (the unit tests
	// check long ones).
	if s.EventCount() <= 200 {
		checkEventQueries(t, s)
	}
}

// checkIndexes compares the ghost set and the free-placeholder index with
// what a scan of every handset and slot finds.
func checkIndexes(t *testing.T, s *System) {
	t.Helper()
	var ghosts []string
	for _, h := range s.hsOrder {
		if g := s.isGhost(h); g != h.ghost {
			t.Fatalf("handset %s: ghost is %v, indexed as %v", h.ipui, g, h.ghost)
		} else if g {
			ghosts = append(ghosts, h.ipui)
		}
	}
	if len(ghosts) != s.GhostCount() || fmt.Sprint(ghosts) != fmt.Sprint(s.GhostIPUIs()) {
		t.Fatalf("ghosts %v, indexed %v (count %d)", ghosts, s.GhostIPUIs(), s.GhostCount())
	}
	free := 0
	pins := map[string]bool{"": true, "1": true, "1234": true}
	for _, sl := range s.order {
		pins[s.pin(sl)] = true
		if !placeholderFree(sl) {
			if sl.freeAt >= 0 {
				t.Fatalf("slot %s (%s, ipui %q, gone %v) indexed as a free placeholder", sl.id, sl.state, sl.ipui, sl.gone)
			}
			continue
		}
		free++
		q := s.free[sl.freePIN]
		if sl.freeAt < 0 || q == nil || sl.freeAt >= q.Len() || (*q)[sl.freeAt] != sl || sl.freePIN != s.pin(sl) {
			t.Fatalf("free placeholder %s (PIN %q) not indexed under it", sl.id, s.pin(sl))
		}
	}
	if free != s.freeN {
		t.Fatalf("%d free placeholders, %d indexed", free, s.freeN)
	}
	for pin := range pins {
		var want *slot
		for _, sl := range s.order {
			if placeholderFree(sl) {
				if p := s.pin(sl); p == "" || p == pin {
					want = sl
					break
				}
			}
		}
		if got := s.firstFree(pin); got != want {
			t.Fatalf("PIN %q: first free placeholder %v, a scan finds %v", pin, got, want)
		}
	}
}

// FuzzApply applies any bytes to a populated system: no panic; a rejected
// file changes nothing; the state stays valid, then and a day later.
func FuzzApply(f *testing.F) {
	for _, p := range testfiles.Seeds(f) {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	files, _ := filepath.Glob(filepath.Join("..", "..", "scenarios", "files", "*.xml"))
	for _, p := range files {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	for _, s := range []string{
		doc(`<oper name="DeleteNotProvisionedHS"/>` + addOper(hsA)),
		doc(`<oper name="delete_hs" value="02B6EC8AA5"/><oper name="delete_hs" value="0311223344"/>`),
		doc(addOper("00001") + `<param name="hs.00001.RegStatus" value="ToDeReg"/><oper name="delete_hs" value="00001"/>`),
		`<provisioning version="1.1" productID="e2"><firmware><file version="2.37.0" url="u"/></firmware><nvm><oper name="delete_hs" value="029E74A599"/></nvm></provisioning>`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s := fuzzSystem(t)
		before := s.Snapshot()
		_, err := s.Apply("fuzz.xml", data)
		if err != nil {
			var pe *FileError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T %v is not a *FileError", err, err)
			}
			after := s.Snapshot()
			if !snapshotsEqual(before, after) {
				t.Fatalf("a rejected file changed the state")
			}
		}
		checkInvariants(t, s)
		_ = s.Register("0400000002")
		_ = s.Move(hsB, true)
		if err := s.Advance(25 * time.Hour); err != nil {
			t.Fatal(err)
		}
		checkInvariants(t, s)
	})
}

func snapshotsEqual(a, b Snapshot) bool {
	if !a.Now.Equal(b.Now) || a.Firmware != b.Firmware || a.PendingFW != b.PendingFW || a.Window != b.Window || a.PendingJobs != b.PendingJobs {
		return false
	}
	if len(a.Slots) != len(b.Slots) || len(a.Handsets) != len(b.Handsets) || len(a.Settings) != len(b.Settings) {
		return false
	}
	for i := range a.Slots {
		if a.Slots[i] != b.Slots[i] {
			return false
		}
	}
	for i := range a.Handsets {
		if a.Handsets[i] != b.Handsets[i] {
			return false
		}
	}
	for k, v := range a.Settings {
		if b.Settings[k] != v {
			return false
		}
	}
	return true
}

// FuzzApplyUnderReadings is FuzzApply with each reading at a value picked
// by the fuzzer (two bits each), and handsets that leave and come back
// around the exchanges over the air.
func FuzzApplyUnderReadings(f *testing.F) {
	for _, s := range []string{
		doc(`<oper name="DeleteNotProvisionedHS"/>` + addOper("029E74A599") + `<param name="SipAccount.02b6ec8aa5.AuthName" value="b"/>`),
		provisioningOutside(`<oper name="DeleteNotProvisionedHS"/>`, addOper(hsA)),
		doc(`<param name="a.b.c" value="1"/><param name="hs.029e74a599.RegStatus" value="ToDeReg"/>` + addOper(hsA)),
		doc(`<param name="hs.02B6EC8AA5.RegStatus" value="ToDeReg"/><oper name="delete_hs" value="029e74a599"/>` + addOper("0311223344")),
	} {
		for _, pick := range []uint16{0, 0x5555, 0xaaaa, 0xffff} {
			f.Add([]byte(s), pick)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, pick uint16) {
		var opts []Option
		for i, r := range Readings {
			opts = append(opts, WithReading(r.Name, r.Values[int(pick>>(2*i)&3)%len(r.Values)]))
		}
		s := fuzzSystem(t, opts...)
		_ = s.Move(hsA, false)
		before := s.Snapshot()
		if _, err := s.Apply("fuzz.xml", data); err != nil && !snapshotsEqual(before, s.Snapshot()) {
			t.Fatalf("a rejected file changed the state")
		}
		checkInvariants(t, s)
		_ = s.Advance(10 * time.Second)
		_ = s.Move(hsA, true)
		_ = s.Move(hsB, true)
		_ = s.Power(hsC, true)
		_ = s.Register(hsC)
		_ = s.Register("0400000002")
		_, _ = s.Apply("again.xml", data)
		checkInvariants(t, s)
		if err := s.Advance(25 * time.Hour); err != nil {
			t.Fatal(err)
		}
		checkInvariants(t, s)
	})
}

func provisioningOutside(outside, nvm string) string {
	return `<provisioning version="1.1" productID="e2">` + outside + `<nvm>` + nvm + `</nvm></provisioning>`
}
