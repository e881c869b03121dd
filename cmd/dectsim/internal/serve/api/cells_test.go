package api_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dectsim/dectsim/cmd/dectsim/internal/serve"
	"github.com/dectsim/dectsim/cmd/dectsim/internal/serve/api"
)

// floors is a Virtual Integrator with two DMs: ground (g1, the sync
// master, and g2 hearing only g1) and first (f1, LAN-synced). Alice's
// handset reaches g2 then f1, Bob's g1 only; a third handset is off and
// reaches every base; a fourth waits in a To register slot at f1.
const floors = `<scenario name="two floors" start="2026-01-05T09:00:00Z">
  <system product="VI" firmware="2.65.0" mac="7C2F80A1B2C3"/>
  <dm id="ground" name="Ground floor"/>
  <dm id="first" name="First floor"/>
  <base id="g1" dm="ground"/>
  <base id="g2" dm="ground" level="2" hears="g1"/>
  <base id="f1" dm="first" sync="lan"/>
  <handset ipui="029e74a599" state="Registered" at="g2 f1"/>
  <handset ipui="02b6ec8aa5" state="Registered" at="g1"/>
  <handset ipui="0311223344" power="off"/>
  <handset ipui="0499887766" state="ToReg" at="f1"/>
</scenario>`

const (
	alice = "029e74a599"
	bob   = "02b6ec8aa5"
	off   = "0311223344"
	fresh = "0499887766"
)

func systemView(t *testing.T, srv *httptest.Server) api.SystemView {
	t.Helper()
	var v api.SystemView
	require.Equal(t, http.StatusOK, call(t, srv, http.MethodGet, "/api/systems/"+mac, "", &v))
	return v
}

// where maps each handset of the view to "base reach…" and each slot to
// its location.
func where(v api.SystemView) (bases map[string][]string, locations map[string]string) {
	bases, locations = map[string][]string{}, map[string]string{}
	for _, h := range v.Handsets {
		bases[h.IPUI] = append([]string{h.Base}, h.Reach...)
	}
	for _, sl := range v.Slots {
		locations[sl.ID] = sl.Location
	}
	return bases, locations
}

// TestTheSystemViewGivesEachDMItsBasesAndEachHandsetWhereItCamps: GET
// /api/systems/{mac} lists the DMs in declaration order with their
// bases (level, sync, state, serving, handsets camping); each handset has
// the base it camps at ("none" when it camps at none) and its reach,
// every base in declaration order when it reaches them all; each slot
// the DM it is located at, none before a handset registered in it.
func TestTheSystemViewGivesEachDMItsBasesAndEachHandsetWhereItCamps(t *testing.T) {
	srv, _ := newAPI(t, serve.Config{}, floors)
	v := systemView(t, srv)
	require.Equal(t, []api.DMView{
		{ID: "ground", Name: "Ground floor", State: "up", Bases: []api.BaseView{
			{ID: "g1", Level: 1, Sync: "dect", State: "up", Serving: true, Handsets: 1},
			{ID: "g2", Level: 2, Sync: "dect", State: "up", Serving: true, Handsets: 1}}},
		{ID: "first", Name: "First floor", State: "up", Bases: []api.BaseView{
			{ID: "f1", Level: 1, Sync: "lan", State: "up", Serving: true, Handsets: 1}}},
	}, v.DMs)
	bases, locations := where(v)
	require.Equal(t, map[string][]string{
		alice: {"g2", "g2", "f1"},
		bob:   {"g1", "g1"},
		off:   {"none", "g1", "g2", "f1"},
		fresh: {"f1", "f1"},
	}, bases)
	require.Equal(t, map[string]string{alice: "ground", bob: "ground", fresh: ""}, locations)

	var dl api.DMList
	require.Equal(t, http.StatusOK, call(t, srv, http.MethodGet, "/api/systems/"+mac+"/dms", "", &dl))
	require.Equal(t, mac, dl.MAC)
	require.Equal(t, v.DMs, dl.DMs, "GET …/dms is the view's dms")
	var e errAnswer
	require.Equal(t, http.StatusNotFound, call(t, srv, http.MethodGet, "/api/systems/7c2f80000000/dms", "", &e))
}

// TestASystemWithoutDeclarationsShowsDMLocalWithBase1: one DM local with
// one base base1 of level 1 that serves, where every handset in range
// camps and which is the whole reach of each.
func TestASystemWithoutDeclarationsShowsDMLocalWithBase1(t *testing.T) {
	srv, _ := newAPI(t, serve.Config{}, site)
	v := systemView(t, srv)
	require.Equal(t, []api.DMView{{ID: "local", Name: "local", State: "up", Bases: []api.BaseView{
		{ID: "base1", Level: 1, Sync: "dect", State: "up", Serving: true, Handsets: 3}}}}, v.DMs)
	bases, locations := where(v)
	require.Equal(t, []string{"none", "base1"}, bases["02b6ec8aa5"], "out of range")
	require.Equal(t, []string{"base1", "base1"}, bases["029e74a599"])
	require.Equal(t, "local", locations["029e74a599"])
	require.Equal(t, "", locations["0311223344"], "a ToReg slot nobody registered in is located nowhere")
}

// TestBaseAndDMStepsThroughTheAPIMoveTheHandsets: a base step as JSON
// switches g1 off: g2, hearing only g1, stops serving; Alice's handset
// hands over to f1 and roams to DM first (her slot's location follows),
// Bob's loses coverage; a dm step as XML then takes DM first down and
// Alice's handset too. The answers carry the events.
func TestBaseAndDMStepsThroughTheAPIMoveTheHandsets(t *testing.T) {
	srv, _ := newAPI(t, serve.Config{}, floors)
	var r ranAnswer
	require.Equal(t, http.StatusOK, call(t, srv, http.MethodPost, "/api/systems/"+mac+"/steps", `[{"step": "base", "id": "g1", "state": "down"}]`, &r))
	require.Equal(t, []string{"base-down", "base-sync-lost", "handover", "roamed", "coverage-lost"}, eventTypes(r))
	v := systemView(t, srv)
	require.Equal(t, []api.BaseView{
		{ID: "g1", Level: 1, Sync: "dect", State: "down", Serving: false, Handsets: 0},
		{ID: "g2", Level: 2, Sync: "dect", State: "up", Serving: false, Handsets: 0}}, v.DMs[0].Bases)
	require.Equal(t, 2, v.DMs[1].Bases[0].Handsets)
	bases, locations := where(v)
	require.Equal(t, "f1", bases[alice][0])
	require.Equal(t, "none", bases[bob][0])
	require.Equal(t, "first", locations[alice], "the location follows roaming")
	require.Equal(t, "ground", locations[bob], "coverage lost moves no slot")

	require.Equal(t, http.StatusOK, call(t, srv, http.MethodPost, "/api/systems/"+mac+"/steps", `<dm id="first" state="down"/>
<expect base="f1" state="up" serving="false" handsets="0"/>
<expect ipui="029e74a599" base="none" location="first"/>`, &r))
	require.Equal(t, []string{"dm-down", "coverage-lost", "coverage-lost"}, eventTypes(r))
	for _, x := range r.Expectations {
		require.True(t, x.Passed, "%s: %s", x.Detail, x.Found)
	}
	v = systemView(t, srv)
	require.Equal(t, "down", v.DMs[1].State)
	require.False(t, v.DMs[1].Bases[0].Serving)
}

// TestBadMulticellStepsAre400sAtTheirPosition: an unknown base or DM, or
// a state that is neither up nor down, is a 400 that names the step
// (JSON) or the line and column (XML), and runs nothing.
func TestBadMulticellStepsAre400sAtTheirPosition(t *testing.T) {
	srv, _ := newAPI(t, serve.Config{}, floors)
	steps := "/api/systems/" + mac + "/steps"
	for _, tc := range []struct {
		body            string
		want            string
		step, line, col int
	}{
		{`[{"step": "base", "id": "g1", "state": "down"}, {"step": "base", "id": "b9", "state": "down"}]`, `unknown base "b9": this system's bases are f1, g1, g2`, 2, 0, 0},
		{`[{"step": "base", "id": "g1", "state": "off"}]`, `needs state="up" or state="down"`, 1, 0, 0},
		{`[{"step": "dm", "id": "local", "state": "down"}]`, `unknown DM "local"`, 1, 0, 0},
		{`[{"step": "move", "ipui": "029e74a599", "to": "f1 g9"}]`, `unknown base "g9"`, 1, 0, 0},
		{"<base id=\"g1\" state=\"down\"/>\n<dm id=\"first\" state=\"sideways\"/>", `<dm> needs state="up" or state="down"`, 0, 2, 16},
		{`<expect base="g1" ghosts="0"/>`, "checks the base", 0, 1, 19},
	} {
		var e errAnswer
		require.Equal(t, http.StatusBadRequest, call(t, srv, http.MethodPost, steps, tc.body, &e), tc.body)
		require.Contains(t, e.Error, tc.want, tc.body)
		require.Equal(t, tc.step, e.Step, tc.body)
		require.Equal(t, tc.line, e.Line, tc.body)
		require.Equal(t, tc.col, e.Col, tc.body)
	}
	v := systemView(t, srv)
	require.Equal(t, "up", v.DMs[0].Bases[0].State, "no refused body ran its first step")
	require.Equal(t, "up", v.DMs[1].State)
}

// TestTheListsSayWhereEachHandsetIs: the handset list's Location is the
// name of the DM the slot is located at (the id in dm), nothing for a
// slot located nowhere on a system of several DMs; each row and each
// handset of the world has the base it camps at, and the world's
// handsets their slot's location.
func TestTheListsSayWhereEachHandsetIs(t *testing.T) {
	srv, _ := newAPI(t, serve.Config{}, floors)
	require.Equal(t, http.StatusOK, call(t, srv, http.MethodPost, "/api/systems/"+mac+"/steps", `[{"step": "base", "id": "g1", "state": "down"}]`, nil))
	type at struct{ Location, DM, Base string }
	rows := map[string]at{}
	for _, r := range handsetList(t, srv, "").Rows {
		rows[r.Slot] = at{r.Location, r.DM, r.Base}
	}
	require.Equal(t, map[string]at{
		alice: {"First floor", "first", "f1"},
		bob:   {"Ground floor", "ground", "none"},
		fresh: {"", "", "f1"},
	}, rows)
	var h api.WorldHandsets
	require.Equal(t, http.StatusOK, call(t, srv, http.MethodGet, "/api/systems/"+mac+"/handsets", "", &h))
	world := map[string]at{}
	for _, x := range h.Handsets {
		world[x.IPUI] = at{Location: x.Location, Base: x.Base}
	}
	require.Equal(t, map[string]at{
		alice: {Location: "first", Base: "f1"},
		bob:   {Location: "ground", Base: "none"},
		off:   {Base: "none"},
		fresh: {Base: "f1"},
	}, world)
}

// keys lists the keys of a JSON object in the order they come.
func keys(t *testing.T, raw json.RawMessage) []string {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(raw))
	tok, err := d.Token()
	require.NoError(t, err)
	require.Equal(t, json.Delim('{'), tok)
	var out []string
	for d.More() {
		k, err := d.Token()
		require.NoError(t, err)
		out = append(out, k.(string))
		var skip json.RawMessage
		require.NoError(t, d.Decode(&skip))
	}
	return out
}

// TestNewFieldsComeAfterEveryExistingOne: the multicell fields are added
// at the end of each object; the fields that were there keep their names
// and their order.
func TestNewFieldsComeAfterEveryExistingOne(t *testing.T) {
	srv, _ := newAPI(t, serve.Config{}, floors)
	var v struct {
		Top      json.RawMessage
		Slots    []json.RawMessage `json:"slots"`
		Handsets []json.RawMessage `json:"handsets"`
	}
	require.Equal(t, http.StatusOK, call(t, srv, http.MethodGet, "/api/systems/"+mac, "", &v.Top))
	require.NoError(t, json.Unmarshal(v.Top, &v))
	require.Equal(t, []string{"mac", "product", "firmware", "now", "url", "next_check", "readings", "slots", "handsets",
		"ghosts", "scenario", "passed", "failed", "expectations", "dms"}, keys(t, v.Top))
	require.Equal(t, []string{"id", "ipui", "state", "pin", "location", "sip"}, keys(t, v.Slots[0]))
	require.Equal(t, []string{"ipui", "power", "range", "subscribed", "ghost", "base", "reach"}, keys(t, v.Handsets[0]))

	var l struct {
		Rows []json.RawMessage `json:"rows"`
	}
	require.Equal(t, http.StatusOK, call(t, srv, http.MethodGet, "/api/systems/"+mac+"/handset-list", "", &l))
	require.Equal(t, []string{"slot", "ipui", "user_name", "display_name", "location", "state", "label", "actions",
		"ghost_at_deadline", "ghost", "dm", "base", "sip", "sip_label"}, keys(t, l.Rows[0]))
	var h struct {
		Handsets []json.RawMessage `json:"handsets"`
	}
	require.Equal(t, http.StatusOK, call(t, srv, http.MethodGet, "/api/systems/"+mac+"/handsets", "", &h))
	require.Equal(t, []string{"ipui", "power", "range", "subscribed", "ghost", "slot", "state", "label", "user_name",
		"base", "location"}, keys(t, h.Handsets[0]))
}
