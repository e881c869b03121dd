package sipd_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestHandWrittenNotifyDatagramGetsOK(t *testing.T) {
	fake := newFake("alice")
	s := listen(t, fake)
	conn := rawSocket(t)
	datagram := fmt.Sprintf("NOTIFY sip:alice@127.0.0.1:%d SIP/2.0\r\n"+
		"Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-1\r\n"+
		"From: <sip:pbx@127.0.0.1>;tag=1\r\n"+
		"To: <sip:alice@127.0.0.1>\r\n"+
		"Call-ID: abc@127.0.0.1\r\n"+
		"CSeq: 1 NOTIFY\r\n"+
		"Event: check-sync;reboot=true\r\n"+
		"Content-Length: 0\r\n\r\n", port(t, s.Addr()), port(t, conn.LocalAddr().String()))

	send(t, conn, s, datagram)

	got := receive(t, conn, wait)
	require.Equal(t, "SIP/2.0 200 OK", statusLine(got))
	require.Contains(t, got, "Call-ID: abc@127.0.0.1\r\n")
	require.Contains(t, got, "CSeq: 1 NOTIFY\r\n")
	require.Equal(t, []call{{"alice", true}}, fake.Calls())
}

func TestHandWrittenNotifyForAnUnknownUserGetsNotFound(t *testing.T) {
	fake := newFake("alice")
	s := listen(t, fake)
	conn := rawSocket(t)

	send(t, conn, s, request(t, conn, s, "NOTIFY", "mallory", "unknown", "Event: check-sync"))

	require.Equal(t, "SIP/2.0 404 Not Found", statusLine(receive(t, conn, wait)))
}

func TestRetransmittedNotifyIsAnsweredAgainWithoutASecondFetch(t *testing.T) {
	fake := newFake("alice")
	s := listen(t, fake)
	conn := rawSocket(t)
	notify := request(t, conn, s, "NOTIFY", "alice", "again", "Event: check-sync")

	send(t, conn, s, notify)
	require.Equal(t, "SIP/2.0 200 OK", statusLine(receive(t, conn, wait)))
	send(t, conn, s, notify) // as if the 200 was lost

	require.Equal(t, "SIP/2.0 200 OK", statusLine(receive(t, conn, wait)))
	require.Len(t, fake.Calls(), 1)
}

func TestGarbageDatagramsAreDroppedAndServingGoesOn(t *testing.T) {
	fake := newFake("alice")
	s := listen(t, fake)
	conn := rawSocket(t)
	garbage := []string{
		"hello",
		"\x00\x00\x00\x00",
		"\r\n\r\n",
		"\xff\xfe\xfd binary \x01\x02\x03",
		"NOTIFY\r\n\r\n",
		"NOTIFY sip:alice@127.0.0.1 SIP/2.0\r\nVia SIP/2.0/UDP nowhere\r\n\r\n",
		"NOTIFY sip:alice@[::1 SIP/2.0\r\n\r\n",
		"NOTIFY sip:alice@127.0.0.1 SIP/2.0\r\nContent-Length: 99999\r\n\r\n",
		"NOTIFY sip:alice@127.0.0.1 SIP/2.0\r\nCSeq: x NOTIFY\r\nVia: SIP/2.0/UDP 127.0.0.1\r\n\r\n",
		"SIP/2.0 200 OK\r\n\r\n", // a stray response
		strings.Repeat("A", 60000),
		"NOTIFY sip:alice@127.0.0.1 SIP/2.0\r\nEvent: check-sync\r\n" + strings.Repeat("X-Pad: y\r\n", 5000),
	}
	for _, g := range garbage {
		send(t, conn, s, g)
	}

	send(t, conn, s, request(t, conn, s, "NOTIFY", "alice", "after-garbage", "Event: check-sync"))

	got := receive(t, conn, wait)
	require.Equal(t, "SIP/2.0 200 OK", statusLine(got))
	require.Contains(t, got, "Call-ID: after-garbage@127.0.0.1\r\n")
	require.Equal(t, []call{{"alice", false}}, fake.Calls())
}

func TestAnswerGoesToTheViaPortOrToTheSourcePortWithRport(t *testing.T) {
	fake := newFake("alice")
	s := listen(t, fake)
	conn := rawSocket(t)
	other := rawSocket(t)
	notify := func(sentBy, id string) string {
		return fmt.Sprintf("NOTIFY sip:alice@%s SIP/2.0\r\n"+
			"Via: SIP/2.0/UDP %s;branch=z9hG4bK-%s\r\n"+
			"From: <sip:pbx@127.0.0.1>;tag=1\r\nTo: <sip:alice@127.0.0.1>\r\n"+
			"Call-ID: %s@127.0.0.1\r\nCSeq: 1 NOTIFY\r\nEvent: check-sync\r\n"+
			"Content-Length: 0\r\n\r\n", s.Addr(), sentBy, id, id)
	}

	send(t, conn, s, notify(other.LocalAddr().String(), "via"))
	require.Contains(t, receive(t, other, wait), "Call-ID: via@127.0.0.1\r\n")

	send(t, conn, s, notify(other.LocalAddr().String()+";rport", "rport"))
	got := receive(t, conn, wait)
	require.Contains(t, got, "Call-ID: rport@127.0.0.1\r\n")
	require.Contains(t, got, fmt.Sprintf(";rport=%d", port(t, conn.LocalAddr().String())))
}

func TestRequestWithoutViaGetsBadRequestFromSipgo(t *testing.T) {
	fake := newFake("alice")
	s := listen(t, fake)
	conn := rawSocket(t)

	send(t, conn, s, "NOTIFY sip:alice@127.0.0.1 SIP/2.0\r\nEvent: check-sync\r\nContent-Length: 0\r\n\r\n")

	require.Equal(t, "SIP/2.0 400 Bad Request", statusLine(receive(t, conn, wait)))
	require.Empty(t, fake.Calls())
}

func TestNotifyRetransmittedDuringAFetchIsNotFetchedAgain(t *testing.T) {
	// A sender resends after 0.5 s without an answer; a fetch can take longer.
	fake := newFake("alice")
	fake.hold = make(chan struct{})
	s := listen(t, fake)
	conn := rawSocket(t)
	notify := request(t, conn, s, "NOTIFY", "alice", "slow", "Event: check-sync")
	send(t, conn, s, notify)
	select {
	case <-fake.entered:
	case <-time.After(wait):
		t.Fatal("CheckSync was not called")
	}

	send(t, conn, s, notify)
	send(t, conn, s, notify)
	select {
	case <-fake.entered:
		t.Fatal("a retransmission fetched again")
	case <-time.After(200 * time.Millisecond):
	}
	close(fake.hold)

	require.Equal(t, "SIP/2.0 200 OK", statusLine(receive(t, conn, wait)))
	require.Len(t, fake.Calls(), 1)
}
