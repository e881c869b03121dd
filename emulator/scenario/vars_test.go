package scenario

import (
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func noEnv(string) (string, bool) { return "", false }

func parseWith(t *testing.T, src string, o ParseOptions) (*Scenario, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "s.xml")
	require.NoError(t, os.WriteFile(path, []byte(src), 0o644))
	return ParseFileWith(path, o)
}

func TestVarsFillAttributeValues(t *testing.T) {
	sc, err := parseWith(t, `<scenario name="${WHO} at ${T}">
  <system dereg-timeout="${T}" provisioning-url="http://127.0.0.1:${PORT}/p.xml"/>
  <handset ipui="${IPUI}" state="Registered"/>
  <at t="${T}"><expect ipui="${IPUI}" state="Registered"/></at>
</scenario>`, ParseOptions{Vars: map[string]string{"WHO": "ops", "T": "2h", "PORT": "8667", "IPUI": "029e74a599"}, Env: noEnv})
	require.NoError(t, err)
	require.Equal(t, "ops at 2h", sc.Name)
	require.Equal(t, "http://127.0.0.1:8667/p.xml", sc.System.ProvisioningURL)
	require.Equal(t, "029e74a599", sc.Handsets[0].IPUI)
	require.Equal(t, sc.System.DeregTimeout, sc.Blocks[0].T)
}

func TestUnsetVarIsAnErrorAtItsPosition(t *testing.T) {
	cases := []struct {
		name, line string
		col        int
		msg        string
	}{
		{"unset", `  <system provisioning-url="http://127.0.0.1:${PORT}/p.xml"/>`, 46, `${PORT} is not set (give --var PORT=VALUE, or set the environment variable PORT)`},
		{"not closed", `  <system provisioning-url="http://127.0.0.1:${PORT/p.xml"/>`, 46, `${ starts a variable that is not closed with }`},
		{"not a name", `  <system provisioning-url="http://127.0.0.1:${1PORT}/p.xml"/>`, 46, `${1PORT} is not a variable`},
		{"written with a character reference", `  <system provisioning-url="http://127.0.0.1:&#36;{PORT}/p.xml"/>`, 3, `${PORT} is not set`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := parseWith(t, "<scenario>\n"+c.line+"\n  <at t=\"0s\"><expect slots=\"0\"/></at>\n</scenario>\n", ParseOptions{Env: noEnv})
			require.Error(t, err)
			se, ok := err.(*Error)
			require.True(t, ok, "want *Error, got %T %v", err, err)
			require.Contains(t, se.Msg, c.msg)
			require.Equal(t, Pos{Line: 2, Col: c.col}, se.Pos, se.Error())
			require.Contains(t, se.Excerpt(), "^")
		})
	}
}

func TestVarsFallBackToTheEnvironment(t *testing.T) {
	t.Setenv("DECTSIM_TEST_T", "3h")
	src := `<scenario><at t="${DECTSIM_TEST_T}"><expect slots="0"/></at></scenario>`
	sc, err := parseWith(t, src, ParseOptions{})
	require.NoError(t, err)
	require.Equal(t, "3h0m0s", sc.Blocks[0].T.String())
	sc, err = parseWith(t, src, ParseOptions{Vars: map[string]string{"DECTSIM_TEST_T": "1h"}})
	require.NoError(t, err)
	require.Equal(t, "1h0m0s", sc.Blocks[0].T.String(), "a given value comes before the environment")
	_, err = parseWith(t, src, ParseOptions{Env: noEnv})
	require.ErrorContains(t, err, "${DECTSIM_TEST_T} is not set")
}

func TestVarsAreNotExpandedInsideInlineDocuments(t *testing.T) {
	sc, err := parseWith(t, `<scenario><at t="0s"><provision><provisioning version="1.1" productID="e2"><nvm><param name="a.b.c" value="${X}"/></nvm></provisioning></provision><expect-param name="a.b.c" value="${Y}"/></at></scenario>`,
		ParseOptions{Vars: map[string]string{"Y": "${X}"}, Env: noEnv})
	require.NoError(t, err, "a provisioning document is the system's input, written as it is")
	res, err := Run(sc, Options{})
	require.NoError(t, err)
	require.True(t, res.Passed(), "%+v", res.Failures)
}

func TestHarnessPassesItsServerPortIntoTheProvisioningURL(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/p.xml" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte(`<provisioning version="1.1" productID="e2"><nvm><param name="hs.029e74a599.RegStatus" value="ToDeReg"/></nvm></provisioning>`))
	}))
	defer srv.Close()
	_, port, err := net.SplitHostPort(srv.Listener.Addr().String())
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "s.xml")
	require.NoError(t, os.WriteFile(path, []byte(`<scenario>
  <system provisioning-url="http://127.0.0.1:${PORT}/p.xml"/>
  <handset ipui="029e74a599" state="Registered"/>
  <at t="1m">
    <expect-event type="fetch" outcome="ok" count="1"/>
    <expect-request path="/p.xml" count="1"/>
    <expect-event type="dereg-requested" ipui="029e74a599" outcome="ToDeReg"/>
  </at>
</scenario>`), 0o644))
	res, err := RunFile(path, Options{Vars: map[string]string{"PORT": port}, Env: noEnv})
	require.NoError(t, err)
	require.True(t, res.Passed(), "%+v", res.Failures)
	_, err = RunFile(path, Options{Env: noEnv})
	require.ErrorContains(t, err, "s.xml:2:46: provisioning-url=")
}
