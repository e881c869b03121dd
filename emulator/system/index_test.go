package system

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestIndexesFollowEveryChange drives a small system through thousands of
// random steps (files adding, deregistering and deleting slots with and
// without PINs, registrations with right and wrong PINs, moves, power,
// resets, time) and checks after each that the ghost set and the free
// placeholder index say what a scan of every handset and slot says.
func TestIndexesFollowEveryChange(t *testing.T) {
	for seed := uint64(1); seed <= 5; seed++ {
		rng := rand.New(rand.NewPCG(seed, 7))
		s := newSys(t, WithFirmware("2.36.0"), WithMaxHandsets(16))
		var ipuis []string
		for i := 0; i < 10; i++ {
			id := fmt.Sprintf("05%08x", i)
			ipuis = append(ipuis, id)
			spec := HandsetSpec{IPUI: id, PIN: []string{"", "1", "2"}[i%3]}
			if i%4 == 0 {
				spec.State = Registered
			}
			addHS(t, s, spec)
		}
		ids := append([]string{"00001", "00002", "00003", "0_1", "0_2"}, ipuis...)
		pick := func(xs []string) string { return xs[rng.IntN(len(xs))] }
		for step := 0; step < 1000; step++ {
			var err error
			switch rng.IntN(9) {
			case 0, 1:
				id := pick(ids)
				extra := ""
				if rng.IntN(2) == 0 {
					extra = fmt.Sprintf(`<param name="hs.%s.DECT_AC" value="%s"/>`, id, pick([]string{"", "1", "2"}))
				}
				_, err = s.Apply("f.xml", []byte(doc(addOper(id)+extra+windowOpen)))
			case 2:
				_, err = s.Apply("f.xml", []byte(doc(fmt.Sprintf(`<param name="hs.%s.RegStatus" value="%s"/>`, pick(ids), pick([]string{"ToDeReg", "ToReg"})))))
			case 3:
				_, err = s.Apply("f.xml", []byte(doc(fmt.Sprintf(`<oper name="delete_hs" value="%s"/>`, pick(ids)))))
			case 4:
				pin := pick([]string{"", "1", "2", "3"})
				err = s.RegisterWithPIN(pick(ipuis), pin)
			case 5:
				err = s.Register(pick(ipuis))
			case 6:
				err = s.Move(pick(ipuis), rng.IntN(2) == 0)
			case 7:
				if rng.IntN(4) == 0 {
					err = s.Reset(pick(ipuis))
				} else {
					err = s.Power(pick(ipuis), rng.IntN(3) != 0)
				}
			case 8:
				if rng.IntN(10) == 0 {
					_, err = s.Apply("f.xml", []byte(doc(`<oper name="DeleteNotProvisionedHS"/>`+addOper(pick(ids)))))
				} else {
					err = s.Advance(time.Duration(rng.IntN(26*60)) * time.Minute)
				}
			}
			if err != nil {
				t.Fatalf("seed %d step %d: %v", seed, step, err)
			}
			checkIndexes(t, s)
		}
		checkInvariants(t, s)
		if s.CountEvents(EventQuery{Type: EvRegistered}) == 0 || s.CountEvents(EventQuery{Type: EvGhostCreated}) == 0 {
			t.Fatalf("seed %d: the walk registered nobody or made no ghost; it tests too little", seed)
		}
	}
}

// placeholders is a VI with n placeholder slots (every third with PIN
// "1"), the registration window open and n handsets without a slot.
func placeholders(t testing.TB, n int) (*System, []string) {
	s, err := New(WithProduct("VI"), WithMaxHandsets(n))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	var ids []string
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, `<oper name="add_hs" value="%05d"/>`, i+1)
		if i%3 == 2 {
			fmt.Fprintf(&b, `<param name="hs.%05d.DECT_AC" value="1"/>`, i+1)
		}
		id := fmt.Sprintf("08%08x", i)
		ids = append(ids, id)
		if err := s.AddHandset(HandsetSpec{IPUI: id}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Apply("p.xml", []byte(doc(b.String()+windowOpen))); err != nil {
		t.Fatal(err)
	}
	return s, ids
}

// TestPlaceholderRegistrationLooksAtTwoSlots: a registration into a
// placeholder looks at the first free slot without a PIN and the first
// with the PIN typed, never at the whole list, and takes slots in list
// order as a scan would.
func TestPlaceholderRegistrationLooksAtTwoSlots(t *testing.T) {
	const n = 20_000
	s, ids := placeholders(t, n)
	none := ""
	for i, id := range ids {
		if err := s.RegisterWithPIN(id, none); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			require.Equal(t, "00001", s.FindEvents(EventQuery{Type: EvRegistrationStarted, Key: id})[0].Slot)
		}
	}
	require.LessOrEqual(t, s.probes, 2*n, "free placeholders looked at")
	// Every third slot waits for PIN "1": those without a PIN went first,
	// in order, and the rest are refused, naming how many wait.
	started := s.FindEvents(EventQuery{Type: EvRegistrationStarted})
	require.Len(t, started, n-n/3)
	require.Equal(t, "00002", started[1].Slot)
	require.Equal(t, "00004", started[2].Slot)
	refused := s.FindEvents(EventQuery{Type: EvRegistrationRefused, Outcome: RefusedWrongPIN})
	require.Len(t, refused, n/3)
	require.Equal(t, "the PIN matches none of the 6666 free placeholder slots", refused[0].Detail)
	one := "1"
	probes := s.probes
	require.NoError(t, s.RegisterWithPIN(ids[n-1], one))
	require.Equal(t, "00003", s.FindEvents(EventQuery{Type: EvRegistrationStarted, Key: ids[n-1]})[0].Slot)
	require.LessOrEqual(t, s.probes-probes, 2)
	checkIndexes(t, s)
}

// BenchmarkPlaceholderRegistration: 20,000 handsets register into 20,000
// placeholder slots, one after another.
func BenchmarkPlaceholderRegistration(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		s, ids := placeholders(b, 20_000)
		b.StartTimer()
		for _, id := range ids {
			if err := s.Register(id); err != nil {
				b.Fatal(err)
			}
		}
	}
}
