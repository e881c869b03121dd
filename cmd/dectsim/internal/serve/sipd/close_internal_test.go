package sipd

import (
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/stretchr/testify/require"
)

type okTarget struct{}

func (okTarget) CheckSync(string, bool) int { return sip.StatusOK }

// A transaction that outlives Close keeps its timers, which would fire, and
// run, after the server is gone: sipgo holds an answered UDP request for
// 32 s in case it is retransmitted.
func TestCloseEndsSipgoTransactions(t *testing.T) {
	s, err := Listen("127.0.0.1:0", okTarget{})
	require.NoError(t, err)
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	require.NoError(t, err)
	defer conn.Close()
	datagram := fmt.Sprintf("NOTIFY sip:alice@%s SIP/2.0\r\n"+
		"Via: SIP/2.0/UDP %s;branch=z9hG4bK-held\r\n"+
		"From: <sip:pbx@127.0.0.1>;tag=1\r\nTo: <sip:alice@127.0.0.1>\r\n"+
		"Call-ID: held@127.0.0.1\r\nCSeq: 1 NOTIFY\r\nEvent: check-sync\r\n"+
		"Content-Length: 0\r\n\r\n", s.Addr(), conn.LocalAddr())
	to, err := net.ResolveUDPAddr("udp", s.Addr())
	require.NoError(t, err)
	_, err = conn.WriteToUDP([]byte(datagram), to)
	require.NoError(t, err)
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(3*time.Second)))
	_, _, err = conn.ReadFromUDP(make([]byte, 4096))
	require.NoError(t, err)

	msg, err := sip.ParseMessage([]byte(datagram))
	require.NoError(t, err)
	res := sip.NewResponseFromRequest(msg.(*sip.Request), sip.StatusOK, "OK", nil)
	_, err = s.ua.TransactionLayer().Respond(res)
	require.NoError(t, err, "the answered NOTIFY should still be held before Close")

	require.NoError(t, s.Close())

	_, err = s.ua.TransactionLayer().Respond(res)
	require.Error(t, err, "the NOTIFY transaction outlived Close")
}
