package api_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dectsim/dectsim/cmd/dectsim/internal/serve"
	"github.com/dectsim/dectsim/cmd/dectsim/internal/serve/api"
	"github.com/dectsim/dectsim/emulator/scenario"
)

const story = `<scenario name="ghost" start="2026-01-05T09:00:00Z">
  <system product="N870" firmware="2.36.0" mac="7C2F80A1B2C3"/>
  <handset ipui="029e74a599" state="Registered"/>
  <handset ipui="02b6ec8aa5" state="Registered"/>
  <at t="1h"><expect ipui="029e74a599" state="Registered"/></at>
</scenario>`

const mac = "7c2f80a1b2c3"

// newAPI serves the JSON API of a world built from scenario sources.
func newAPI(t *testing.T, cfg serve.Config, srcs ...string) (*httptest.Server, *serve.World) {
	t.Helper()
	for i, src := range srcs {
		sc, err := scenario.Parse("site"+string(rune('a'+i))+".xml", []byte(src))
		require.NoError(t, err)
		cfg.Scenarios = append(cfg.Scenarios, sc)
	}
	w, err := serve.New(cfg)
	require.NoError(t, err)
	srv := httptest.NewServer(api.New(w, nil))
	t.Cleanup(func() {
		w.Close()
		srv.Close()
	})
	return srv, w
}

// call makes a request and decodes the JSON answer into out (if not nil);
// it returns the status.
func call(t *testing.T, srv *httptest.Server, method, path, body string, out any) int {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	require.NoError(t, err)
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	if method != http.MethodHead {
		require.Equal(t, "application/json", resp.Header.Get("Content-Type"), "%s %s: %s", method, path, data)
	}
	if out != nil {
		require.NoError(t, json.Unmarshal(data, out), "%s", data)
	}
	return resp.StatusCode
}

type errAnswer struct {
	Error   string      `json:"error"`
	Line    int         `json:"line"`
	Col     int         `json:"col"`
	Excerpt string      `json:"excerpt"`
	Step    int         `json:"step"`
	Errors  []errAnswer `json:"errors"`
	Events  []struct {
		Type string `json:"type"`
	} `json:"events"`
}

type sysAnswer struct {
	MAC      string            `json:"mac"`
	Product  string            `json:"product"`
	Firmware string            `json:"firmware"`
	Now      string            `json:"now"`
	URL      string            `json:"url"`
	Next     string            `json:"next_check"`
	Readings map[string]string `json:"readings"`
	Slots    []struct {
		ID, IPUI, State, PIN, Deadline string
	} `json:"slots"`
	Handsets []struct {
		IPUI, Power, Range string
		Subscribed, Ghost  bool
	} `json:"handsets"`
	Ghosts       int `json:"ghosts"`
	Passed       int `json:"passed"`
	Failed       int `json:"failed"`
	Expectations []struct {
		Passed bool   `json:"passed"`
		Detail string `json:"detail"`
		File   string `json:"file"`
		Line   int    `json:"line"`
	} `json:"expectations"`
}

type ranAnswer struct {
	Now    string `json:"now"`
	Events []struct {
		Seq   int    `json:"seq"`
		MAC   string `json:"mac"`
		Type  string `json:"type"`
		IPUI  string `json:"ipui"`
		State string `json:"state"`
		T     string `json:"t"`
	} `json:"events"`
	Expectations []struct {
		Passed   bool   `json:"passed"`
		Detail   string `json:"detail"`
		Expected string `json:"expected"`
		Found    string `json:"found"`
		Line     int    `json:"line"`
	} `json:"expectations"`
}

func TestTheSeedsGhostStoryThroughTheAPI(t *testing.T) {
	srv, _ := newAPI(t, serve.Config{}, story)
	var list []map[string]any
	require.Equal(t, 200, call(t, srv, "GET", "/api/systems", "", &list))
	require.Len(t, list, 1)
	require.Equal(t, mac, list[0]["mac"])
	require.EqualValues(t, 2, list[0]["slots"])
	require.EqualValues(t, 2, list[0]["handsets"])

	var ran ranAnswer
	require.Equal(t, 200, call(t, srv, "POST", "/api/systems/"+mac+"/steps", `[{"step": "move", "ipui": "02b6ec8aa5", "range": "out"},
		{"step": "provision", "body": "<provisioning version=\"1.1\" productID=\"e2\"><nvm><oper name=\"DeleteNotProvisionedHS\"/><oper name=\"add_hs\" value=\"029e74a599\"/></nvm></provisioning>"},
		{"step": "expect", "ipui": "02b6ec8aa5", "state": "ToDeReg", "ghost": false},
		{"step": "expect", "ipui": "02b6ec8aa5", "state": "absent"}]`, &ran))
	require.Len(t, ran.Expectations, 2)
	require.True(t, ran.Expectations[0].Passed)
	require.False(t, ran.Expectations[1].Passed, "a failed expectation is an answer, not an error")
	require.Equal(t, "state=absent", ran.Expectations[1].Expected)
	require.Equal(t, "state=ToDeReg", ran.Expectations[1].Found)
	require.Equal(t, []string{"handset-moved", "provisioning-applied", "dereg-requested"}, eventTypes(ran))

	var sys sysAnswer
	require.Equal(t, 200, call(t, srv, "GET", "/api/systems/"+mac, "", &sys))
	require.Equal(t, "2026-01-06T09:00:00Z", slot(t, sys, "02b6ec8aa5").Deadline, "the deadline is 24 h after the request")

	require.Equal(t, 200, call(t, srv, "POST", "/api/advance", `{"by": "24h"}`, &ran))
	require.Equal(t, "2026-01-06T09:00:00Z", ran.Now)
	require.Contains(t, eventTypes(ran), "ghost-created")
	require.Equal(t, 200, call(t, srv, "GET", "/api/systems/"+mac, "", &sys))
	require.Equal(t, 1, sys.Ghosts)
	for _, sl := range sys.Slots {
		require.NotEqual(t, "02b6ec8aa5", sl.IPUI, "the slot is gone")
	}
	require.True(t, handset(t, sys, "02b6ec8aa5").Ghost)
	require.True(t, handset(t, sys, "02b6ec8aa5").Subscribed)
	require.Equal(t, "out", handset(t, sys, "02b6ec8aa5").Range)
	require.Equal(t, 2, sys.Passed, "the expectation of the scenario's <at t=1h> ran too")
	require.Equal(t, 1, sys.Failed)
	require.Len(t, sys.Expectations, 3)
	require.Equal(t, "steps", sys.Expectations[0].File)
	require.Equal(t, "sitea.xml", sys.Expectations[2].File)
}

func TestDeleteHSOn236RemovesAtOnce(t *testing.T) {
	srv, _ := newAPI(t, serve.Config{}, story)
	var ran ranAnswer
	require.Equal(t, 200, call(t, srv, "POST", "/api/systems/"+mac+"/provision",
		`<provisioning version="1.1" productID="e2"><nvm><oper name="delete_hs" value="02b6ec8aa5"/></nvm></provisioning>`, &ran))
	require.Equal(t, []string{"provisioning-applied", "dereg-requested"}, eventTypes(ran))
	require.Equal(t, 200, call(t, srv, "POST", "/api/advance", `{"by": "1m"}`, &ran))
	require.Contains(t, eventTypes(ran), "dereg-completed")
	var sys sysAnswer
	require.Equal(t, 200, call(t, srv, "GET", "/api/systems/"+mac, "", &sys))
	require.Len(t, sys.Slots, 1)
	require.Equal(t, 0, sys.Ghosts)
}

func eventTypes(r ranAnswer) []string {
	var out []string
	for _, e := range r.Events {
		if e.Type != "fetch" {
			out = append(out, e.Type)
		}
	}
	return out
}

func slot(t *testing.T, s sysAnswer, ipui string) struct{ ID, IPUI, State, PIN, Deadline string } {
	for _, sl := range s.Slots {
		if sl.IPUI == ipui {
			return sl
		}
	}
	t.Fatalf("no slot for %s", ipui)
	return s.Slots[0]
}

func handset(t *testing.T, s sysAnswer, ipui string) struct {
	IPUI, Power, Range string
	Subscribed, Ghost  bool
} {
	for _, h := range s.Handsets {
		if h.IPUI == ipui {
			return h
		}
	}
	t.Fatalf("no handset %s", ipui)
	return s.Handsets[0]
}

func TestSettingsEventsClockAndReadingsAreRead(t *testing.T) {
	srv, _ := newAPI(t, serve.Config{}, story)
	require.Equal(t, 200, call(t, srv, "POST", "/api/systems/"+mac+"/provision",
		`<provisioning version="1.1" productID="e2"><nvm><param name="SipAccount.029e74a599.UserName" value="alice"/></nvm></provisioning>`, nil))
	var settings map[string]string
	require.Equal(t, 200, call(t, srv, "GET", "/api/systems/"+mac+"/settings", "", &settings))
	require.Equal(t, "alice", settings["SipAccount.029e74a599.UserName"])

	require.Equal(t, 200, call(t, srv, "POST", "/api/systems/"+mac+"/steps", `<move ipui="02b6ec8aa5" range="out"/><move ipui="02b6ec8aa5" range="in"/>`, nil))
	var evs []struct {
		Seq  int    `json:"seq"`
		Type string `json:"type"`
		Time string `json:"time"`
	}
	require.Equal(t, 200, call(t, srv, "GET", "/api/systems/"+mac+"/events?since=1", "", &evs))
	require.Len(t, evs, 2)
	require.Equal(t, 2, evs[0].Seq, "the events after seq 1")
	require.Equal(t, "handset-moved", evs[0].Type)
	require.Equal(t, "2026-01-05T09:00:00Z", evs[0].Time)
	require.Equal(t, 200, call(t, srv, "GET", "/api/systems/"+mac+"/events?since=2&limit=1", "", &evs))
	require.Len(t, evs, 1)
	require.Equal(t, 3, evs[0].Seq)
	require.Equal(t, 200, call(t, srv, "GET", "/api/systems/"+mac+"/events?since=99", "", &evs))
	require.Empty(t, evs)

	var clock map[string]any
	require.Equal(t, 200, call(t, srv, "GET", "/api/clock", "", &clock))
	require.Equal(t, "manual", clock["mode"])
	require.Equal(t, "2026-01-05T09:00:00Z", clock["now"])
	require.Equal(t, "2026-01-05T09:00:01Z", clock["next"], "the boot fetch, due at the start, ran with the first call; its result is due after the latency")

	var rds []struct {
		Name    string `json:"name"`
		Default string `json:"default"`
		Values  []struct{ Value, Means string }
	}
	require.Equal(t, 200, call(t, srv, "GET", "/api/readings", "", &rds))
	require.Len(t, rds, 9)
	require.Equal(t, "dnphs-position", rds[0].Name)
	require.Equal(t, "first", rds[0].Default)

	var sys sysAnswer
	require.Equal(t, 200, call(t, srv, "GET", "/api/systems/"+strings.ToUpper(mac), "", &sys), "a MAC in upper case names the same system")
	require.Equal(t, "N870", sys.Product)
	require.Equal(t, "2.36.0", sys.Firmware)
	require.Equal(t, "first", sys.Readings["dnphs-position"])
	require.Equal(t, "2026-01-06T01:32:50Z", sys.Next, "the daily check, seeded between 01:00 and 04:00")
}

func TestAdvanceByToAndNext(t *testing.T) {
	srv, _ := newAPI(t, serve.Config{}, story)
	var ran ranAnswer
	require.Equal(t, 200, call(t, srv, "POST", "/api/advance", `{"next": true}`, &ran))
	require.Equal(t, "2026-01-05T09:00:00Z", ran.Now, "the boot fetch is due at the start")
	require.Equal(t, 200, call(t, srv, "POST", "/api/advance", `{"to": "2026-01-05T09:30:00Z"}`, &ran))
	require.Equal(t, "2026-01-05T09:30:00Z", ran.Now)
	require.Equal(t, 200, call(t, srv, "POST", "/api/advance", `{"next": true}`, &ran))
	require.Equal(t, "2026-01-05T10:00:00Z", ran.Now, "the scenario's block is next")
	require.Equal(t, 200, call(t, srv, "POST", "/api/advance", `{"by": "0s"}`, &ran))
	require.Equal(t, "2026-01-05T10:00:00Z", ran.Now)
}

// TestEveryBadRequestIsA400WithAJSONError goes through every path's bad
// inputs; none may be a 500, none may change the system.
func TestEveryBadRequestIsA400WithAJSONError(t *testing.T) {
	srv, _ := newAPI(t, serve.Config{}, story)
	steps := "/api/systems/" + mac + "/steps"
	for _, tc := range []struct {
		method, path, body string
		code               int
		want               string
		line, col, step    int
	}{
		{"POST", "/api/advance", ``, 400, "the body is empty", 0, 0, 0},
		{"POST", "/api/advance", `{"by": "soon"}`, 400, `by="soon" is not a duration`, 0, 0, 0},
		{"POST", "/api/advance", `{"by": "-1h"}`, 400, "0 or more", 0, 0, 0},
		{"POST", "/api/advance", `{"by": "10000h"}`, 400, "steps of at most", 0, 0, 0},
		{"POST", "/api/advance", `{"to": "yesterday"}`, 400, "not an RFC 3339 time", 0, 0, 0},
		{"POST", "/api/advance", `{"to": "2020-01-01T00:00:00Z"}`, 400, "time only goes forward", 0, 0, 0},
		{"POST", "/api/advance", `{"by": "1h", "next": true}`, 400, "exactly one of", 0, 0, 0},
		{"POST", "/api/advance", `{}`, 400, "exactly one of", 0, 0, 0},
		{"POST", "/api/advance", `{"by": "1h", "speed": 2}`, 400, `unknown field "speed"`, 0, 0, 0},
		{"POST", "/api/advance", `{"by": "1h"} {"by": "1h"}`, 400, "more than one JSON value", 0, 0, 0},
		{"POST", "/api/advance", `{"by": 3600}`, 400, "not the expected JSON", 0, 0, 0},
		{"POST", "/api/advance", `{"by": "1h"` + strings.Repeat(" ", api.MaxClockBody) + `}`, 400, "larger than the limit", 0, 0, 0},
		{"POST", steps, `<move ipui="02b6ec8aa5" rnage="out"/>`, 400, `no attribute "rnage"`, 1, 25, 0},
		{"POST", steps, "<move ipui=\"02b6ec8aa5\" range=\"in\">\n<expect ghosts=\"0\"/>", 400, "the end of the steps", 0, 0, 0},
		{"POST", steps, `<move ipui="0311223344" range="out"/>`, 400, `unknown IPUI "0311223344"`, 1, 7, 0},
		{"POST", steps, `<provision src="/etc/passwd"/>`, 400, "src= is not read here", 1, 12, 0},
		{"POST", steps, ``, 400, "no steps", 0, 0, 0},
		{"POST", steps, `[{"step": "move", "ipui": "02b6ec8aa5", "range": "in"}, {"step": "move", "ipui": "02b6ec8aa5"}]`, 400, "range", 0, 0, 2},
		{"POST", steps, `[{"step": "handset", "ipui": "029e74a599"}]`, 400, "already in the world", 0, 0, 1},
		{"POST", steps, `{"step": "move"}`, 400, "not a JSON array", 0, 0, 0},
		{"POST", "/api/systems/" + mac + "/provision", `<provisioning version="1.1" productID="e2"><nvm><oper name="add_hs" value="0311223344"></nvm></provisioning>`, 400, "the system rejected the file", 1, 0, 0},
		{"POST", "/api/systems/" + mac + "/provision", `<ProviderFrame/>`, 400, "rejected", 0, 0, 0},
		{"GET", "/api/systems/" + mac + "/events?since=-1", ``, 400, "since=", 0, 0, 0},
		{"GET", "/api/systems/" + mac + "/events?since=x", ``, 400, "since=", 0, 0, 0},
		{"GET", "/api/systems/" + mac + "/events?limit=0", ``, 400, "limit", 0, 0, 0},
		{"GET", "/api/systems/" + mac + "/events?limit=10001", ``, 400, "limit", 0, 0, 0},
		{"GET", "/api/systems/000000000000", ``, 404, "no system with MAC", 0, 0, 0},
		{"GET", "/api/systems/not-a-mac/settings", ``, 404, "no system with MAC", 0, 0, 0},
		{"POST", "/api/systems/000000000000/steps", `<expect ghosts="0"/>`, 404, "no system", 0, 0, 0},
		{"GET", "/api/nothing", ``, 404, "no such API path", 0, 0, 0},
		{"DELETE", "/api/systems", ``, 405, "takes GET", 0, 0, 0},
		{"GET", "/api/advance", ``, 405, "takes POST", 0, 0, 0},
		{"PUT", steps, ``, 405, "takes POST", 0, 0, 0},
	} {
		var e errAnswer
		code := call(t, srv, tc.method, tc.path, tc.body, &e)
		name := tc.method + " " + tc.path + " " + tc.body
		if len(name) > 120 {
			name = name[:120]
		}
		require.Equal(t, tc.code, code, "%s: %+v", name, e)
		require.NotEmpty(t, e.Error, name)
		require.Contains(t, e.Error, tc.want, name)
		if tc.line > 0 {
			require.Equal(t, tc.line, e.Line, name)
		}
		if tc.col > 0 {
			require.Equal(t, tc.col, e.Col, name)
			require.NotEmpty(t, e.Excerpt, name)
		}
		if tc.step > 0 {
			require.Equal(t, tc.step, e.Step, name)
		}
	}
	var sys sysAnswer
	require.Equal(t, 200, call(t, srv, "GET", "/api/systems/"+mac, "", &sys))
	require.Equal(t, "2026-01-05T09:00:00Z", sys.Now, "no bad request moved the clock")
	require.Len(t, sys.Slots, 2, "no bad request changed the handset list")
	require.Len(t, sys.Handsets, 2, "no bad request added a handset")
	require.True(t, handset(t, sys, "02b6ec8aa5").Range == "in", "a refused body ran none of its steps")
}

func TestAStepTheSystemRefusesIsA400AfterTheStepsBeforeIt(t *testing.T) {
	srv, _ := newAPI(t, serve.Config{}, `<scenario name="full"><system mac="7C2F80A1B2C3" max-handsets="1"/><handset ipui="029e74a599"/></scenario>`)
	var e errAnswer
	code := call(t, srv, "POST", "/api/systems/"+mac+"/steps", `[{"step": "move", "ipui": "029e74a599", "range": "out"},
		{"step": "provision", "body": "<provisioning version=\"1.1\" productID=\"e2\"><nvm><oper name=\"add_hs\" value=\"0311223344\"/></nvm></provisioning>"},
		{"step": "handset", "ipui": "0311223345", "state": "ToReg"}]`, &e)
	require.Equal(t, 400, code)
	require.Contains(t, e.Error, "the system refused a step (those before it ran)")
	require.Equal(t, 3, e.Step)
	var types []string
	for _, ev := range e.Events {
		types = append(types, ev.Type)
	}
	require.Equal(t, []string{"handset-moved", "provisioning-applied", "slot-added"}, types)
}

func TestAStoppedSystemAnswers409(t *testing.T) {
	srv, w := newAPI(t, serve.Config{}, `<scenario name="small"><system mac="7C2F80A1B2C3" event-budget="2"/><handset ipui="029e74a599"/></scenario>`)
	require.Equal(t, 200, call(t, srv, "POST", "/api/advance", `{"by": "72h"}`, nil))
	var stopped bool
	require.NoError(t, w.Do(context.Background(), func() { stopped = w.Members()[0].Err != nil }))
	require.True(t, stopped)
	var e errAnswer
	require.Equal(t, 409, call(t, srv, "POST", "/api/systems/"+mac+"/steps", `<expect ghosts="0"/>`, &e))
	require.Contains(t, e.Error, "the system has stopped: event budget exhausted")
	require.Equal(t, 409, call(t, srv, "POST", "/api/systems/"+mac+"/provision", `<provisioning/>`, &e))
	var list []map[string]any
	require.Equal(t, 200, call(t, srv, "GET", "/api/systems", "", &list))
	require.Contains(t, list[0]["error"], "event budget exhausted")
}

func TestTheEventStreamCarriesEveryEventLive(t *testing.T) {
	srv, _ := newAPI(t, serve.Config{}, story)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/api/events", nil)
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
	lines := bufio.NewScanner(resp.Body)
	require.True(t, lines.Scan())
	require.Equal(t, ": dectsim events", lines.Text(), "the stream opens at once")

	require.Equal(t, 200, call(t, srv, "POST", "/api/systems/"+mac+"/steps", `<move ipui="02b6ec8aa5" range="out"/>`, nil))
	var ev struct {
		Seq  int    `json:"seq"`
		MAC  string `json:"mac"`
		Type string `json:"type"`
		IPUI string `json:"ipui"`
	}
	for lines.Scan() {
		if data, ok := strings.CutPrefix(lines.Text(), "data: "); ok {
			require.NoError(t, json.Unmarshal([]byte(data), &ev))
			break
		}
	}
	require.Equal(t, "handset-moved", ev.Type)
	require.Equal(t, mac, ev.MAC)
	require.Equal(t, "02b6ec8aa5", ev.IPUI)
	require.Equal(t, 1, ev.Seq)
}

func TestHostileValuesComeBackEscaped(t *testing.T) {
	srv, _ := newAPI(t, serve.Config{}, story)
	require.Equal(t, 200, call(t, srv, "POST", "/api/systems/"+mac+"/provision",
		`<provisioning version="1.1" productID="e2"><nvm><param name="hs.029e74a599.HandsetName" value="&lt;script&gt;alert(1)&lt;/script&gt;"/></nvm></provisioning>`, nil))
	resp, err := srv.Client().Get(srv.URL + "/api/systems/" + mac + "/settings")
	require.NoError(t, err)
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	require.NotContains(t, string(data), "<script>", "JSON answers escape markup")
	require.Contains(t, string(data), `\u003cscript\u003e`)
	require.Equal(t, "nosniff", resp.Header.Get("X-Content-Type-Options"))
}

func TestAnOversizedUploadIsRefusedWithoutReadingItAll(t *testing.T) {
	srv, _ := newAPI(t, serve.Config{}, story)
	big := io.MultiReader(strings.NewReader(`<provisioning version="1.1" productID="e2"><nvm>`), endless{})
	req, _ := http.NewRequest("POST", srv.URL+"/api/systems/"+mac+"/provision", big)
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, 400, resp.StatusCode)
	var e errAnswer
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&e))
	require.Contains(t, e.Error, "larger than the limit")
}

// endless is a body that never ends: spaces forever.
type endless struct{}

func (endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	return len(p), nil
}

func TestTheAPIAfterCloseAnswers503(t *testing.T) {
	srv, w := newAPI(t, serve.Config{}, story)
	w.Close()
	var e errAnswer
	require.Equal(t, 503, call(t, srv, "GET", "/api/systems", "", &e))
	require.Contains(t, e.Error, "shutting down")
	require.Equal(t, 503, call(t, srv, "POST", "/api/advance", `{"by": "1h"}`, &e))
	require.Equal(t, 503, call(t, srv, "GET", "/api/events", "", &e))
}

// TestAServerMayReadTheEmulatorWhileItAnswersAFetch: a provisioning
// server that asks the emulator its time while it answers (to write a
// registration window from now, say) gets the answer at once, and the
// fetch succeeds.
func TestAServerMayReadTheEmulatorWhileItAnswersAFetch(t *testing.T) {
	var apiURL string
	var seen string
	prov := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		resp, err := http.Get(apiURL + "/api/clock")
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		var c struct{ Now string }
		_ = json.NewDecoder(resp.Body).Decode(&c)
		resp.Body.Close()
		seen = c.Now
		fmt.Fprint(w, `<provisioning version="1.1" productID="e2"><nvm><param name="SipProvider.0.Name" value="at `+c.Now+`"/></nvm></provisioning>`)
	}))
	defer prov.Close()
	srv, _ := newAPI(t, serve.Config{}, `<scenario name="reads" start="2026-01-05T09:00:00Z">
  <system mac="7C2F80A1B2C3" provisioning-url="`+prov.URL+`/%MACD.xml" fetch-timeout="30s"/></scenario>`)
	apiURL = srv.URL
	var ran ranAnswer
	require.Equal(t, 200, call(t, srv, "POST", "/api/advance", `{"by": "2s"}`, &ran))
	require.Equal(t, "2026-01-05T09:00:00Z", seen, "the server read the emulator's time during the boot fetch")
	var settings map[string]string
	require.Equal(t, 200, call(t, srv, "GET", "/api/systems/"+mac+"/settings", "", &settings))
	require.Equal(t, "at 2026-01-05T09:00:00Z", settings["SipProvider.0.Name"], "and the fetch succeeded")
}

func TestAPageOfAnotherOriginMayNotDriveTheEmulator(t *testing.T) {
	srv, _ := newAPI(t, serve.Config{}, story)
	for _, hdr := range []map[string]string{
		{"Sec-Fetch-Site": "cross-site"},
		{"Origin": "https://evil.example"},
	} {
		req, _ := http.NewRequest("POST", srv.URL+"/api/advance", strings.NewReader(`{"by": "24h"}`))
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := srv.Client().Do(req)
		require.NoError(t, err)
		var e errAnswer
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&e))
		resp.Body.Close()
		require.Equal(t, 403, resp.StatusCode, "%v", hdr)
		require.Contains(t, e.Error, "cross-origin request refused")
	}
	var clock map[string]any
	require.Equal(t, 200, call(t, srv, "GET", "/api/clock", "", &clock))
	require.Equal(t, "2026-01-05T09:00:00Z", clock["now"], "the clock did not move")

	req, _ := http.NewRequest("POST", srv.URL+"/api/advance", strings.NewReader(`{"by": "1h"}`))
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode, "the emulator's own page may")
}

func TestOnLoopbackOnlyLoopbackNamesAreAnswered(t *testing.T) {
	sc, err := scenario.Parse("a.xml", []byte(story))
	require.NoError(t, err)
	w, err := serve.New(serve.Config{Scenarios: []*scenario.Scenario{sc}})
	require.NoError(t, err)
	defer w.Close()
	h := api.LoopbackOnly(api.New(w, nil))
	for host, code := range map[string]int{"127.0.0.1:8080": 200, "localhost:8080": 200, "[::1]:8080": 200, "127.0.0.2": 200,
		"evil.example:8080": 421, "10.0.0.1:8080": 421, "": 421} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", "/api/systems", nil)
		req.Host = host
		h.ServeHTTP(rec, req)
		require.Equal(t, code, rec.Code, host)
		require.Equal(t, "application/json", rec.Header().Get("Content-Type"), host)
	}
}

// TestLargeBodiesAreReadAFewAtATime: clients that hold their uploads open
// take MaxBodiesRead turns; the next upload is not read until one ends,
// and reads go on meanwhile.
func TestLargeBodiesAreReadAFewAtATime(t *testing.T) {
	srv, w := newAPI(t, serve.Config{}, story)
	h := api.New(w, nil)
	started := make(chan int, api.MaxBodiesRead+1)
	release := make(chan struct{})
	done := make(chan int, api.MaxBodiesRead+1)
	for i := 0; i <= api.MaxBodiesRead; i++ {
		go func() {
			body := &heldBody{started: started, release: release, id: i}
			req := httptest.NewRequest("POST", "/api/systems/"+mac+"/provision", body)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			done <- rec.Code
		}()
	}
	for i := 0; i < api.MaxBodiesRead; i++ {
		<-started
	}
	var clock map[string]any
	require.Equal(t, 200, call(t, srv, "GET", "/api/clock", "", &clock), "reads go on meanwhile")
	select {
	case <-started:
		t.Fatalf("a body beyond the first %d is being read", api.MaxBodiesRead)
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	for i := 0; i <= api.MaxBodiesRead; i++ {
		require.Equal(t, 200, <-done)
	}
}

// heldBody is an upload whose client holds it open until release.
type heldBody struct {
	started chan int
	release chan struct{}
	id      int
	sent    bool
	r       *strings.Reader
}

func (b *heldBody) Read(p []byte) (int, error) {
	if !b.sent {
		b.sent = true
		b.started <- b.id
		<-b.release
		b.r = strings.NewReader(`<provisioning version="1.1" productID="e2"><nvm/></provisioning>`)
	}
	return b.r.Read(p)
}

func TestAnIdleStreamSaysItIsAlive(t *testing.T) {
	old := api.KeepAlive
	api.KeepAlive = 20 * time.Millisecond
	t.Cleanup(func() { api.KeepAlive = old })
	srv, _ := newAPI(t, serve.Config{}, story)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/api/events", nil)
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	lines := bufio.NewScanner(resp.Body)
	require.True(t, lines.Scan())
	require.Equal(t, ": dectsim events", lines.Text())
	for lines.Scan() {
		if lines.Text() == ": keep-alive" {
			return
		}
	}
	t.Fatalf("no keep-alive comment: %v", lines.Err())
}

func TestAGetOfEventsGivesAtMostTenThousand(t *testing.T) {
	srv, w := newAPI(t, serve.Config{}, `<scenario name="chatty" start="2026-01-05T09:00:00Z"><system mac="7C2F80A1B2C3" ghost-interval="1m"/>
  <handset ipui="029e74a599" state="Registered" range="out"/>
  <at t="0s"><provision><provisioning version="1.1" productID="e2"><nvm><oper name="DeleteNotProvisionedHS"/></nvm></provisioning></provision></at>
  <at t="25h"><move ipui="029e74a599" range="in"/></at>
</scenario>`)
	require.Equal(t, 200, call(t, srv, "POST", "/api/advance", `{"by": "240h"}`, nil))
	var total int
	require.NoError(t, w.Read(context.Background(), func() { total = w.Members()[0].Sys.EventCount() }))
	require.Greater(t, total, api.MaxEventsPerCall)
	var evs []struct {
		Seq int `json:"seq"`
	}
	require.Equal(t, 200, call(t, srv, "GET", "/api/systems/"+mac+"/events", "", &evs))
	require.Len(t, evs, api.MaxEventsPerCall)
	last := evs[len(evs)-1].Seq
	require.Equal(t, 200, call(t, srv, "GET", fmt.Sprintf("/api/systems/%s/events?since=%d", mac, last), "", &evs))
	require.Len(t, evs, total-api.MaxEventsPerCall, "since= reads on from there")
}
