package scenario

import (
	"crypto/md5"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestProvisioningURLOnAnyLoopbackServerFetchesAndApplies: a scenario's
// provisioning-url may point at any plain HTTP server, such as the server
// under test; a 500 from it leaves the state unchanged.
func TestProvisioningURLOnAnyLoopbackServerFetchesAndApplies(t *testing.T) {
	var status atomic.Int32
	status.Store(200)
	var ua atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ua.Store(r.UserAgent())
		if r.URL.Path != "/cfg/7c2f80a1b2c3.xml" {
			http.NotFound(w, r)
			return
		}
		if s := int(status.Load()); s != 200 {
			w.WriteHeader(s)
			return
		}
		_, _ = w.Write([]byte(`<provisioning version="1.1" productID="e2"><nvm><oper name="DeleteNotProvisionedHS"/><param name="SipProvider.0.Domain" value="pbx"/></nvm></provisioning>`))
	}))
	defer srv.Close()
	src := `<scenario start="2026-01-05T09:00:00Z">
  <system mac="7C2F80A1B2C3" provisioning-url="` + srv.URL + `/cfg/%MACD.xml"/>
  <handset ipui="02b6ec8aa5" state="Registered" range="out"/>
  <at t="1m">
    <expect-event type="fetch" outcome="ok" count="1"/>
    <expect-param name="SipProvider.0.Domain" value="pbx"/>
    <expect ipui="02b6ec8aa5" state="ToDeReg"/>
  </at>
</scenario>`
	sc, err := parseString(t, src)
	require.NoError(t, err)
	res, err := Run(sc, Options{})
	require.NoError(t, err)
	require.True(t, res.Passed(), "%v", res.Failures)
	require.Equal(t, "Gigaset N870 IP PRO/83.V2.65.0+build.8504c90;7C2F80A1B2C3", ua.Load())

	status.Store(500)
	sc, err = parseString(t, strings.ReplaceAll(src, `outcome="ok"`, `outcome="status-500"`))
	require.NoError(t, err)
	res, err = Run(sc, Options{})
	require.NoError(t, err)
	require.Len(t, res.Failures, 2, "the param and the deregistration never happen")
	snap := res.System.Snapshot()
	require.Equal(t, "Registered", string(snap.Slots[0].State))
	require.Empty(t, snap.Settings)
}

func TestScenarioWithoutURLNeverTouchesTheNetwork(t *testing.T) {
	sc, err := parseString(t, `<scenario><serve path="/x" status="500"/><at t="1h"><expect-no-event type="fetch"/></at></scenario>`)
	require.NoError(t, err)
	res, err := Run(sc, Options{})
	require.NoError(t, err)
	require.True(t, res.Passed())
}

func TestBadProvisioningURLIsAScenarioError(t *testing.T) {
	sc, err := parseString(t, `<scenario><system provisioning-url="ftp://x/y.xml"/><at t="0s"><expect slots="0"/></at></scenario>`)
	require.NoError(t, err)
	_, err = Run(sc, Options{})
	var se *Error
	require.ErrorAs(t, err, &se)
	require.Contains(t, err.Error(), "s.xml:1:11: provisioning-url")
	require.Contains(t, err.Error(), "not an http or https URL")
}

// digestOnly answers 401 with a Digest challenge until a request carries a
// valid MD5 response for user/password, then serves body.
func digestOnly(user, password, body string, users *[]string) http.HandlerFunc {
	const realm, nonce = "pbx", "abc123"
	h := func(s string) string { return fmt.Sprintf("%x", md5.Sum([]byte(s))) }
	return func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		if strings.HasPrefix(auth, "Digest ") {
			f := map[string]string{}
			for _, part := range strings.Split(auth[7:], ",") {
				k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
				f[k] = strings.Trim(v, `"`)
			}
			*users = append(*users, f["username"])
			ha1 := h(f["username"] + ":" + realm + ":" + password)
			ha2 := h(r.Method + ":" + f["uri"])
			want := h(ha1 + ":" + nonce + ":" + f["nc"] + ":" + f["cnonce"] + ":" + f["qop"] + ":" + ha2)
			if f["username"] == user && f["response"] == want {
				_, _ = w.Write([]byte(body))
				return
			}
		}
		w.Header().Set("WWW-Authenticate", `Digest realm="`+realm+`", nonce="`+nonce+`", qop="auth", algorithm=MD5`)
		w.WriteHeader(http.StatusUnauthorized)
	}
}

// TestSystemUserAndPasswordAreTriedAfterTheMACCredentials: the scenario's
// user and password reach the server as HTTP Digest credentials, after the
// device's built-in MAC credentials, as the vendor documents.
func TestSystemUserAndPasswordAreTriedAfterTheMACCredentials(t *testing.T) {
	var users []string
	srv := httptest.NewServer(digestOnly("alice", "s3cret", `<provisioning version="1.1" productID="e2"><nvm><param name="A.0.b" value="1"/></nvm></provisioning>`, &users))
	defer srv.Close()
	sc, err := parseString(t, `<scenario>
  <system mac="7C2F80A1B2C3" provisioning-url="`+srv.URL+`/p.xml" user="alice" password="s3cret"/>
  <at t="1m"><expect-event type="fetch" outcome="ok" count="1"/><expect-param name="A.0.b" value="1"/></at>
</scenario>`)
	require.NoError(t, err)
	res, err := Run(sc, Options{})
	require.NoError(t, err)
	require.True(t, res.Passed(), "%v", res.Failures)
	require.Equal(t, []string{"7C2F80A1B2C3", "alice"}, users)

	users = nil
	sc, err = parseString(t, `<scenario>
  <system mac="7C2F80A1B2C3" provisioning-url="`+srv.URL+`/p.xml" user="alice" password="wrong"/>
  <at t="1m"><expect-event type="fetch" outcome="unauthorized" count="1"/><expect-param name="A.0.b" absent="true"/></at>
</scenario>`)
	require.NoError(t, err)
	res, err = Run(sc, Options{})
	require.NoError(t, err)
	require.True(t, res.Passed(), "%v", res.Failures)
}

// TestExpectRequestChecksPathUserAgentAndDigestUser: <expect-request>
// counts the system's requests by path, User-Agent pattern and Digest
// user, and a failure lists the requests made.
func TestExpectRequestChecksPathUserAgentAndDigestUser(t *testing.T) {
	var users []string
	srv := httptest.NewServer(digestOnly("alice", "s3cret", `<provisioning version="1.1" productID="e2"><nvm/></provisioning>`, &users))
	defer srv.Close()
	sc, err := parseString(t, `<scenario>
  <system mac="7C2F80A1B2C3" provisioning-url="`+srv.URL+`/p.xml" user="alice" password="s3cret"/>
  <at t="1m">
    <expect-request path="/p.xml" count="3"/>
    <expect-request path="/p.xml" user="" count="1"/>
    <expect-request user="7C2F80A1B2C3" count="1"/>
    <expect-request user="alice" user-agent="^Gigaset N870 IP PRO/83\.V2\.65\.0\+build\.[0-9a-f]+;7C2F80A1B2C3$"/>
    <expect-request path="/other.xml"/>
    <expect-request user-agent="Snom" count="0"/>
  </at>
</scenario>`)
	require.NoError(t, err)
	res, err := Run(sc, Options{})
	require.NoError(t, err)
	require.Len(t, res.Failures, 1, "%v", res.Failures)
	f := res.Failures[0]
	require.Equal(t, `<expect-request path="/other.xml"/>`, f.Step.Describe())
	require.Equal(t, "at least one matching request", f.Expected)
	require.Contains(t, f.Found, "0; the requests: "+srv.URL+"/p.xml (user none), "+srv.URL+"/p.xml (user 7C2F80A1B2C3)")
}
