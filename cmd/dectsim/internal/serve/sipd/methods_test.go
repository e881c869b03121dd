package sipd_test

import (
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/stretchr/testify/require"
)

// allowOf is the set of methods an Allow header lists.
func allowOf(t *testing.T, res *sip.Response) []string {
	t.Helper()
	h := res.GetHeader("Allow")
	require.NotNil(t, h, "%d %s has no Allow header", res.StatusCode, res.Reason)
	var methods []string
	for _, m := range strings.Split(h.Value(), ",") {
		methods = append(methods, strings.TrimSpace(m))
	}
	return methods
}

func TestOptionsIsOKAndListsWhatIsAllowed(t *testing.T) {
	fake := newFake("alice")
	s := listen(t, fake)

	res := do(t, newClient(t), s, sip.OPTIONS, "alice")

	require.Equal(t, sip.StatusOK, res.StatusCode)
	require.ElementsMatch(t, []string{"NOTIFY", "OPTIONS"}, allowOf(t, res))
	require.Empty(t, fake.Calls())
}

func TestKnownMethodsTheEmulatorDoesNotServeAreNotAllowed(t *testing.T) {
	methods := []sip.RequestMethod{
		sip.INVITE, sip.REGISTER, sip.SUBSCRIBE, sip.MESSAGE, sip.INFO, sip.UPDATE,
		sip.REFER, sip.PUBLISH, sip.PRACK, sip.BYE, sip.CANCEL,
	}
	fake := newFake("alice")
	s := listen(t, fake)
	c := newClient(t)
	for _, m := range methods {
		t.Run(string(m), func(t *testing.T) {
			res := do(t, c, s, m, "alice", event("check-sync"))

			require.Equal(t, sip.StatusMethodNotAllowed, res.StatusCode)
			require.Equal(t, "Method Not Allowed", res.Reason)
			require.ElementsMatch(t, []string{"NOTIFY", "OPTIONS"}, allowOf(t, res))
		})
	}
	require.Empty(t, fake.Calls())
}

func TestUnknownMethodIsNotImplemented(t *testing.T) {
	fake := newFake("alice")
	s := listen(t, fake)
	c := newClient(t)
	for _, m := range []sip.RequestMethod{"FROB", "CHECK-SYNC", "NOTIFYX"} {
		t.Run(string(m), func(t *testing.T) {
			res := do(t, c, s, m, "alice", event("check-sync"))

			require.Equal(t, sip.StatusNotImplemented, res.StatusCode)
			require.Equal(t, "Not Implemented", res.Reason)
		})
	}
	require.Empty(t, fake.Calls())
}

func TestMethodNamesAreReadWithoutRegardToCase(t *testing.T) {
	// sipgo upper-cases the method of the request line.
	fake := newFake("alice")
	s := listen(t, fake)
	conn := rawSocket(t)

	send(t, conn, s, request(t, conn, s, "notify", "alice", "lower", "Event: check-sync"))

	require.Equal(t, "SIP/2.0 200 OK", statusLine(receive(t, conn, wait)))
	require.Equal(t, []call{{"alice", false}}, fake.Calls())
}

func TestAckIsNeverAnswered(t *testing.T) {
	fake := newFake("alice")
	s := listen(t, fake)
	conn := rawSocket(t)

	send(t, conn, s, request(t, conn, s, "ACK", "alice", "ack"))
	send(t, conn, s, request(t, conn, s, "OPTIONS", "alice", "options"))

	// The OPTIONS answer shows both datagrams were read; an answer to the
	// ACK would be there by then or shortly after.
	got := receive(t, conn, wait)
	require.Contains(t, got, "CSeq: 1 OPTIONS")
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(300*time.Millisecond)))
	buf := make([]byte, 65536)
	n, _, err := conn.ReadFromUDP(buf)
	require.Error(t, err, "ACK was answered: %q", buf[:n])
	require.Empty(t, fake.Calls())
}

func TestCancelOfAnInviteStillHeldIsOKAndTheInviteKeepsItsAnswer(t *testing.T) {
	// RFC 3261 9.2: sipgo's transaction layer answers a CANCEL that matches
	// a transaction it holds; only an unmatched CANCEL reaches the server.
	fake := newFake("alice")
	s := listen(t, fake)
	conn := rawSocket(t)
	invite := request(t, conn, s, "INVITE", "alice", "cancelled")
	send(t, conn, s, invite)
	require.Equal(t, "SIP/2.0 405 Method Not Allowed", statusLine(receive(t, conn, wait)))

	cancel := strings.Replace(invite, "INVITE sip:", "CANCEL sip:", 1)
	cancel = strings.Replace(cancel, "CSeq: 1 INVITE", "CSeq: 1 CANCEL", 1)
	send(t, conn, s, cancel)

	for {
		got := receive(t, conn, wait)
		if strings.Contains(got, "CSeq: 1 CANCEL") {
			require.Equal(t, "SIP/2.0 200 OK", statusLine(got))
			break
		}
		// The 405 is sent again until the INVITE is acknowledged.
		require.Equal(t, "SIP/2.0 405 Method Not Allowed", statusLine(got))
	}
	require.Empty(t, fake.Calls())
}
