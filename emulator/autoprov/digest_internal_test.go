package autoprov

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"
)

func responseOf(t *testing.T, h string) string {
	t.Helper()
	m := regexp.MustCompile(`response="([0-9a-f]+)"`).FindStringSubmatch(h)
	require.NotNil(t, m, h)
	return m[1]
}

// The worked examples of RFC 2617 §3.5 and RFC 7616 §3.9.1.
func TestDigestResponseMatchesRFCExamples(t *testing.T) {
	c := parseChallenges([]string{`Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"`})
	require.Len(t, c, 1)
	h := c[0].authorization(&cred{"Mufasa", "Circle Of Life"}, "GET", "/dir/index.html", map[string]int{}, "0a4f113b")
	require.Equal(t, "6629fae49393a05397450978507c4ef1", responseOf(t, h))
	require.Contains(t, h, `qop=auth, nc=00000001, cnonce="0a4f113b"`)
	require.Contains(t, h, `opaque="5ccc069c403ebaf9f0171e9517f40e41"`)

	const nonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v"
	const cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"
	chs := parseChallenges([]string{
		`Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256, nonce="` + nonce + `", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"`,
		`Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=MD5, nonce="` + nonce + `", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"`,
	})
	require.Len(t, chs, 2)
	best, _ := pickDigest(chs)
	require.Equal(t, "SHA-256", best.params["algorithm"], "SHA-256 is preferred")
	cr := &cred{"Mufasa", "Circle of Life"}
	require.Equal(t, "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",
		responseOf(t, chs[0].authorization(cr, "GET", "/dir/index.html", map[string]int{}, cnonce)))
	require.Equal(t, "8ca523f5e9506fed4657c9700eebdbec",
		responseOf(t, chs[1].authorization(cr, "GET", "/dir/index.html", map[string]int{}, cnonce)))
}

func TestDigestNonceCountGrows(t *testing.T) {
	c := parseChallenges([]string{`Digest realm="r", qop="auth", nonce="n1"`})[0]
	nc := map[string]int{}
	require.Contains(t, c.authorization(&cred{"a", "b"}, "GET", "/", nc, "c"), "nc=00000001")
	require.Contains(t, c.authorization(&cred{"a", "b"}, "GET", "/", nc, "c"), "nc=00000002")
}

func TestDigestWithoutQopAndWithUserhash(t *testing.T) {
	// RFC 2069 style: no qop, no nc, no cnonce.
	c := parseChallenges([]string{`Digest realm="r", nonce="n"`})[0]
	h := c.authorization(&cred{"u", "p"}, "GET", "/x", map[string]int{}, "c")
	require.NotContains(t, h, "qop=")
	require.NotContains(t, h, "cnonce")

	c = parseChallenges([]string{`Digest realm="r", nonce="n", qop="auth", algorithm=SHA-256, userhash=true`})[0]
	h = c.authorization(&cred{"u", "p"}, "GET", "/x", map[string]int{}, "c")
	require.Contains(t, h, "userhash=true")
	require.NotContains(t, h, `username="u"`)
}

func TestParseChallenges(t *testing.T) {
	chs := parseChallenges([]string{
		`Basic realm="a, b", Digest realm="x\"y", nonce=abc, qop="auth", stale=TRUE`,
		`Negotiate abc==, Digest nonce="n2"`,
	})
	require.Len(t, chs, 4)
	require.Equal(t, "Basic", chs[0].scheme)
	require.Equal(t, "a, b", chs[0].params["realm"])
	require.Equal(t, "Digest", chs[1].scheme)
	require.Equal(t, `x"y`, chs[1].params["realm"])
	require.Equal(t, "abc", chs[1].params["nonce"])
	require.True(t, chs[1].stale())
	require.Equal(t, "Negotiate", chs[2].scheme)
	require.Equal(t, "n2", chs[3].params["nonce"])

	_, why := pickDigest(parseChallenges([]string{`Basic realm="p"`}))
	require.Contains(t, why, "Basic")
	c, why := pickDigest(parseChallenges([]string{`Digest realm="p", nonce="n", algorithm=SHA-512-256`}))
	require.Nil(t, c)
	require.Contains(t, why, "algorithm")
	_, why = pickDigest(nil)
	require.Contains(t, why, "no WWW-Authenticate")
}

func FuzzParseChallenges(f *testing.F) {
	f.Add(`Digest realm="x", nonce="y", qop="auth"`)
	f.Add(`Basic realm="a, b", Digest realm="x\"y", nonce=abc`)
	f.Add(`Negotiate abc==, , ,Digest`)
	f.Fuzz(func(t *testing.T, s string) {
		for _, c := range parseChallenges([]string{s}) {
			if c.scheme == "" {
				t.Fatal("empty scheme")
			}
			if d, _ := pickDigest([]challenge{c}); d != nil {
				_ = d.authorization(&cred{"u", "p"}, "GET", "/", map[string]int{}, "c")
			}
		}
	})
}
