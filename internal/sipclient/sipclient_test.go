package sipclient

import (
	"crypto/md5"
	"fmt"
	"net"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dectsim/dectsim/internal/testfiles"
)

// registrar is the tests' hand-written registrar.
type registrar = testfiles.Registrar

func newRegistrar(t testing.TB, answer func(req string, n int) string) *registrar {
	return testfiles.NewRegistrarAnswering(t, answer)
}

var header, reply = testfiles.SIPHeader, testfiles.SIPReply

func newClient(t *testing.T, timeout time.Duration) *Client {
	t.Helper()
	c, err := New(Config{Contact: "127.0.0.1:5099", Timeout: timeout})
	require.NoError(t, err)
	t.Cleanup(c.Close)
	return c
}

func account(r *registrar) Account { return accountAt(r.Addr()) }

func accountAt(registrar string) Account {
	return Account{Key: "7c2f80a1b2c3/029e74a599", User: "1001", Domain: "pbx.example.net", Registrar: registrar,
		AuthName: "a1001", AuthPassword: "pw", Expires: 180, UserAgent: "Gigaset N870 IP PRO/83.V2.65.0+build.8504c90;7C2F80A1B2C3"}
}

// TestARegisterCarriesTheAccountTheDeviceAndTheContact: From and To are
// the address of record, the Contact the process's SIP address, Expires
// the refresh timer, the User-Agent the device's.
func TestARegisterCarriesTheAccountTheDeviceAndTheContact(t *testing.T) {
	r := newRegistrar(t, func(req string, _ int) string { return reply(req, "200 OK") })
	c := newClient(t, 2*time.Second)
	require.NoError(t, c.Register(account(r)))
	req := r.Requests()[0]
	require.True(t, strings.HasPrefix(req, "REGISTER sip:127.0.0.1:"), req)
	require.Contains(t, header(req, "From"), "<sip:1001@pbx.example.net>")
	require.Contains(t, header(req, "To"), "<sip:1001@pbx.example.net>")
	require.Contains(t, header(req, "Contact"), "<sip:1001@127.0.0.1:5099>")
	require.Equal(t, "180", header(req, "Expires"))
	require.Equal(t, "Gigaset N870 IP PRO/83.V2.65.0+build.8504c90;7C2F80A1B2C3", header(req, "User-Agent"))
}

// TestADigestChallengeIsAnsweredWithTheAuthNameAndPassword: a 401 (or a
// 407), with qop or without, gets a second REGISTER with the right
// response for AuthName/AuthPassword.
func TestADigestChallengeIsAnsweredWithTheAuthNameAndPassword(t *testing.T) {
	for _, tc := range []struct{ status, challenge, answer string }{
		{"401 Unauthorized", "WWW-Authenticate", "Authorization"},
		{"407 Proxy Authentication Required", "Proxy-Authenticate", "Proxy-Authorization"},
	} {
		for _, qop := range []string{"", `, qop="auth"`} {
			r := newRegistrar(t, func(req string, n int) string {
				if n == 1 {
					return reply(req, tc.status, tc.challenge+`: Digest realm="pbx", nonce="abc123", algorithm=MD5`+qop)
				}
				return reply(req, "200 OK")
			})
			c := newClient(t, 2*time.Second)
			require.NoError(t, c.Register(account(r)), tc.status+qop)
			reqs := r.Requests()
			require.Len(t, reqs, 2, tc.status+qop)
			auth := header(reqs[1], tc.answer)
			require.Contains(t, auth, `username="a1001"`)
			require.Contains(t, auth, `realm="pbx"`)
			ha1 := fmt.Sprintf("%x", md5.Sum([]byte("a1001:pbx:pw")))
			ha2 := fmt.Sprintf("%x", md5.Sum([]byte("REGISTER:"+regexp.MustCompile(`uri="([^"]*)"`).FindStringSubmatch(auth)[1])))
			want := fmt.Sprintf("%x", md5.Sum([]byte(ha1+":abc123:"+ha2)))
			if qop != "" {
				nc := regexp.MustCompile(`nc=([0-9a-f]+)`).FindStringSubmatch(auth)[1]
				cnonce := regexp.MustCompile(`cnonce="([^"]*)"`).FindStringSubmatch(auth)[1]
				want = fmt.Sprintf("%x", md5.Sum([]byte(ha1+":abc123:"+nc+":"+cnonce+":auth:"+ha2)))
			}
			require.Contains(t, auth, `response="`+want+`"`, tc.status+qop)
		}
	}
}

// TestAFailedRegisterSaysWhy: 403 is forbidden, a challenge the
// credentials do not answer is unauthorized, another status is
// status-NNN, silence (or an answer that is no SIP) is a timeout within
// the bound, a Domain that does not resolve is unreachable.
func TestAFailedRegisterSaysWhy(t *testing.T) {
	for name, tc := range map[string]struct {
		answer func(req string, n int) string
		reason string
	}{
		"403": {func(req string, _ int) string { return reply(req, "403 Forbidden") }, ReasonForbidden},
		"401s": {func(req string, _ int) string {
			return reply(req, "401 Unauthorized", `WWW-Authenticate: Digest realm="pbx", nonce="n"`)
		}, ReasonUnauthorized},
		"503":     {func(req string, _ int) string { return reply(req, "503 Service Unavailable") }, "status-503"},
		"silence": {func(string, int) string { return "" }, ReasonTimeout},
		"garbage": {func(string, int) string { return "\x00\xffnot SIP at all" + strings.Repeat("x", 60000) }, ReasonTimeout},
	} {
		r := newRegistrar(t, tc.answer)
		c := newClient(t, 300*time.Millisecond)
		start := time.Now()
		err := c.Register(account(r))
		var e *Error
		require.ErrorAs(t, err, &e, name)
		require.Equal(t, tc.reason, e.Reason, "%s: %v", name, err)
		require.Less(t, time.Since(start), 5*time.Second, "%s: bounded by the timeout", name)
	}
	c := newClient(t, time.Second)
	a := accountAt("pbx.does-not-resolve.invalid")
	var e *Error
	require.ErrorAs(t, c.Register(a), &e)
	require.Equal(t, ReasonUnreachable, e.Reason, e.Detail)
}

// TestARegistrationIsRefreshedInWallTimeAndGoesWithExpiresZero: before
// the granted lifetime runs out the account is registered again; on
// Unregister it is sent with Expires: 0 and no longer refreshed; Close
// leaves no goroutine.
func TestARegistrationIsRefreshedInWallTimeAndGoesWithExpiresZero(t *testing.T) {
	before := runtime.NumGoroutine()
	r := newRegistrar(t, func(req string, _ int) string { return reply(req, "200 OK", "Expires: 1") })
	c, err := New(Config{Contact: "127.0.0.1:5099", Timeout: time.Second})
	require.NoError(t, err)
	a := account(r)
	require.NoError(t, c.Register(a))
	require.Eventually(t, func() bool { return len(r.Requests()) >= 2 }, 5*time.Second, 20*time.Millisecond,
		"the registrar granted 1 s: a refresh follows within it")
	c.Unregister(a)
	n := len(r.Requests())
	require.Equal(t, "0", header(r.Requests()[n-1], "Expires"))
	time.Sleep(1500 * time.Millisecond)
	require.Len(t, r.Requests(), n, "no refresh after the account went")
	c.Close()
	require.Eventually(t, func() bool { return runtime.NumGoroutine() <= before+2 }, 5*time.Second, 50*time.Millisecond,
		"the client's goroutines are gone after Close (the test registrar's own remain until cleanup)")
}

// TestAccountsOverTCPAreSentOverTCP: TransportProtocol TCP.
func TestAccountsOverTCPAreSentOverTCP(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	got := make(chan string, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		buf := make([]byte, 65535)
		n, _ := conn.Read(buf)
		req := string(buf[:n])
		got <- req
		_, _ = conn.Write([]byte(reply(req, "200 OK")))
		time.Sleep(200 * time.Millisecond)
	}()
	c := newClient(t, 2*time.Second)
	a := accountAt(ln.Addr().String())
	a.Transport = "tcp"
	require.NoError(t, c.Register(a))
	require.Contains(t, header(<-got, "Via"), "SIP/2.0/TCP")
}

// TestADeadRegistrarCostsOneTimeoutNotOnePerAccount: after a registrar
// did not answer, REGISTERs to it fail at once for Quiet, so many
// accounts on a dead PBX do not hold the caller up one timeout each.
func TestADeadRegistrarCostsOneTimeoutNotOnePerAccount(t *testing.T) {
	r := newRegistrar(t, func(string, int) string { return "" })
	c := newClient(t, 200*time.Millisecond)
	a := account(r)
	var e *Error
	require.ErrorAs(t, c.Register(a), &e)
	require.Equal(t, ReasonTimeout, e.Reason)
	for i := 0; i < 1000; i++ {
		a.Key, a.User = fmt.Sprint(i), fmt.Sprint(2000+i)
		require.ErrorAs(t, c.Register(a), &e)
		require.Equal(t, ReasonTimeout, e.Reason)
	}
	require.Contains(t, e.Detail, "not asked again for 30s")
	require.Len(t, r.Requests(), 1, "one REGISTER reached the dead registrar, not 1,001")
}

// BenchmarkRegister: one account's REGISTER answered by a local
// registrar, one after another as a system sends them (ns/op is one
// REGISTER; 10,000 accounts cost 10,000 of them).
func BenchmarkRegister(b *testing.B) {
	r := newRegistrar(b, func(req string, _ int) string { return reply(req, "200 OK") })
	c, err := New(Config{Contact: "127.0.0.1:5099"})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	a := account(r)
	a.Expires = 3600
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		a.Key, a.User = fmt.Sprint(i), fmt.Sprint(10000+i)
		if err := c.Register(a); err != nil {
			b.Fatal(err)
		}
	}
}
