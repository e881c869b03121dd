package sipd_test

import (
	"testing"

	"github.com/emiago/sipgo/sip"
	"github.com/stretchr/testify/require"
)

func TestNotifyCheckSyncReachesTheSystemOfTheRequestURIUser(t *testing.T) {
	fake := newFake("alice")
	s := listen(t, fake)

	res := do(t, newClient(t), s, sip.NOTIFY, "alice", event("check-sync"))

	require.Equal(t, sip.StatusOK, res.StatusCode)
	require.Equal(t, "OK", res.Reason)
	require.Equal(t, []call{{"alice", false}}, fake.Calls())
}

func TestNotifyCheckSyncForAnUnknownUserIsNotFound(t *testing.T) {
	fake := newFake("alice")
	s := listen(t, fake)

	res := do(t, newClient(t), s, sip.NOTIFY, "bob", event("check-sync"))

	require.Equal(t, sip.StatusNotFound, res.StatusCode)
	require.Equal(t, "Not Found", res.Reason)
	require.Equal(t, []call{{"bob", false}}, fake.Calls())
}

func TestNotifyCheckSyncWithoutRequestURIUserAsksForTheEmptyUser(t *testing.T) {
	fake := newFake("")
	s := listen(t, fake)

	res := do(t, newClient(t), s, sip.NOTIFY, "", event("check-sync"))

	require.Equal(t, sip.StatusOK, res.StatusCode)
	require.Equal(t, []call{{"", false}}, fake.Calls())
}

func TestRequestURIUserIsUnescaped(t *testing.T) {
	fake := newFake("alice+1")
	s := listen(t, fake)

	res := do(t, newClient(t), s, sip.NOTIFY, "al%69ce%2B1", event("check-sync"))

	require.Equal(t, sip.StatusOK, res.StatusCode)
	require.Equal(t, []call{{"alice+1", false}}, fake.Calls())
}

func TestRebootIsAskedOnlyByRebootTrue(t *testing.T) {
	cases := []struct {
		header string
		value  string
		reboot bool
	}{
		{"Event", "check-sync", false},
		{"Event", "check-sync;reboot=true", true},
		{"Event", "Check-Sync ; reboot=true", true},
		{"Event", "CHECK-SYNC;REBOOT=TRUE", true},
		{"Event", `check-sync;reboot="true"`, true},
		{"Event", "check-sync;id=7;reboot=true", true},
		{"Event", "check-sync;reboot=false", false},
		{"Event", "check-sync;reboot", false},
		{"Event", "check-sync;reboot=yes", false},
		{"Event", "check-sync;noreboot=true", false},
		{"o", "check-sync;reboot=true", true}, // compact form of Event
	}
	c := newClient(t)
	for _, tc := range cases {
		t.Run(tc.header+": "+tc.value, func(t *testing.T) {
			fake := newFake("alice")
			s := listen(t, fake)

			res := do(t, c, s, sip.NOTIFY, "alice", sip.NewHeader(tc.header, tc.value))

			require.Equal(t, sip.StatusOK, res.StatusCode)
			require.Equal(t, []call{{"alice", tc.reboot}}, fake.Calls())
		})
	}
}

func TestNotifyWithAnotherEventIsBadEvent(t *testing.T) {
	for _, value := range []string{"presence", "check-sync-all", "check", "", ";reboot=true", "message-summary;check-sync"} {
		t.Run(value, func(t *testing.T) {
			fake := newFake("alice")
			s := listen(t, fake)

			res := do(t, newClient(t), s, sip.NOTIFY, "alice", event(value))

			require.Equal(t, 489, res.StatusCode)
			require.Equal(t, "Bad Event", res.Reason)
			h := res.GetHeader("Allow-Events")
			require.NotNil(t, h, "489 should say which event is understood")
			require.Equal(t, "check-sync", h.Value())
			require.Empty(t, fake.Calls())
		})
	}
}

func TestNotifyWithoutEventIsBadEvent(t *testing.T) {
	fake := newFake("alice")
	s := listen(t, fake)

	res := do(t, newClient(t), s, sip.NOTIFY, "alice")

	require.Equal(t, 489, res.StatusCode)
	require.Empty(t, fake.Calls())
}

// codeTarget answers a fixed code, as a Target with a bug might.
type codeTarget int

func (c codeTarget) CheckSync(string, bool) int { return int(c) }

func TestACodeThatIsNotFinalIsAnsweredAsServerError(t *testing.T) {
	for _, code := range []int{0, 100, 183, 700, -1} {
		s := listen(t, codeTarget(code))

		res := do(t, newClient(t), s, sip.NOTIFY, "alice", event("check-sync"))

		require.Equal(t, sip.StatusInternalServerError, res.StatusCode, "Target returned %d", code)
	}
}
