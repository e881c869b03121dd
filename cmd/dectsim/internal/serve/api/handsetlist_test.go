package api_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dectsim/dectsim/cmd/dectsim/internal/serve"
	"github.com/dectsim/dectsim/cmd/dectsim/internal/serve/api"
	"github.com/dectsim/dectsim/emulator/system"
)

const site = `<scenario name="site" start="2026-01-05T09:00:00Z">
  <system product="N870" firmware="2.36.0" mac="7C2F80A1B2C3"/>
  <handset ipui="029e74a599" state="Registered"/>
  <handset ipui="02b6ec8aa5" state="Registered" range="out"/>
  <handset ipui="0311223344" state="ToReg"/>
  <handset ipui="0499887766"/>
</scenario>`

// names gives the placeholder 00001 and Alice's slot their SIP accounts'
// names; Alice's display name is markup.
const names = `<provisioning version="1.1" productID="e2"><nvm>
  <oper name="add_hs" value="00001"><param name="hs.RegStatus" value="ToReg"/></oper>
  <param name="SipAccount.00001.UserName" value="a3kq9z"/>
  <param name="SipAccount.00001.DisplayName" value="201 Dana Weber"/>
  <param name="SipAccount.029e74a599.UserName" value="alice"/>
  <param name="SipAccount.029e74a599.DisplayName" value="&lt;script&gt;alert(1)&lt;/script&gt;"/>
</nvm></provisioning>`

// handsetList reads one page of the handset list.
func handsetList(t *testing.T, srv *httptest.Server, query string) api.HandsetList {
	t.Helper()
	var out api.HandsetList
	require.Equal(t, http.StatusOK, call(t, srv, http.MethodGet, "/api/systems/"+mac+"/handset-list"+query, "", &out))
	return out
}

// siteAPI serves the site with the names uploaded.
func siteAPI(t *testing.T) *httptest.Server {
	t.Helper()
	srv, _ := newAPI(t, serve.Config{}, site)
	require.Equal(t, http.StatusOK, call(t, srv, http.MethodPost, "/api/systems/"+mac+"/provision", names, nil))
	return srv
}

// TestHandsetListHasTheWebUIsColumnsAndActions: each slot shows as the
// real Mobile devices page shows it: IPUI, the user name and display name
// of its SIP account (by slot id, or by the IPUI registered in it),
// location local (the one DM of a system that declares none, for every
// slot), the DECT state in the web UI's words, and the changes
// the operator may make in that state.
func TestHandsetListHasTheWebUIsColumnsAndActions(t *testing.T) {
	srv := siteAPI(t)
	l := handsetList(t, srv, "")
	require.Equal(t, "N870", l.Product)
	require.Equal(t, "N870 IP PRO", l.Model)
	require.Equal(t, 4, l.Slots)
	require.Equal(t, 4, l.Matched)
	require.Positive(t, l.LastSeq)
	type row struct{ Slot, IPUI, User, Display, Location, State, Label, Actions string }
	var got []row
	for _, r := range l.Rows {
		var acts []string
		for _, a := range r.Actions {
			acts = append(acts, a.State+"="+a.Label)
		}
		got = append(got, row{r.Slot, r.IPUI, r.UserName, r.DisplayName, r.Location, r.State, r.Label, strings.Join(acts, ",")})
	}
	require.Equal(t, []row{
		{"029e74a599", "029e74a599", "alice", "<script>alert(1)</script>", "local", "Registered", "Registered", "ToDeReg=To deregister"},
		{"02b6ec8aa5", "02b6ec8aa5", "", "", "local", "Registered", "Registered", "ToDeReg=To deregister"},
		{"0311223344", "0311223344", "", "", "local", "ToReg", "To register", "NotReg=Not registered"},
		{"00001", "", "a3kq9z", "201 Dana Weber", "local", "ToReg", "To register", "NotReg=Not registered"},
	}, got)
}

// TestHandsetListShowsTheDeadlineTimeLeftAndThenTheGhost: a slot waiting
// in ToDeReg for a handset that is away shows its deadline, the time left
// from the system's now and that it turns into a ghost; once the wait runs
// out the slot's row is gone and a ghost row is there.
func TestHandsetListShowsTheDeadlineTimeLeftAndThenTheGhost(t *testing.T) {
	srv := siteAPI(t)
	require.Equal(t, http.StatusOK, call(t, srv, http.MethodPost, "/api/systems/"+mac+"/steps", `[{"step":"admin","slot":"02b6ec8aa5","state":"ToDeReg"}]`, nil))
	require.Equal(t, http.StatusOK, call(t, srv, http.MethodPost, "/api/advance", `{"by":"1h"}`, nil))
	r := handsetList(t, srv, "?q=02b6").Rows
	require.Len(t, r, 1)
	require.Equal(t, "ToDeReg", r[0].State)
	require.Equal(t, "To deregister", r[0].Label)
	require.Equal(t, "2026-01-06T09:00:00Z", r[0].Deadline)
	require.Equal(t, "23h0m0s", r[0].Left)
	require.Equal(t, "admin", r[0].Trigger)
	require.True(t, r[0].GhostAtDeadline)
	require.Empty(t, r[0].Actions, "the web UI offers no change from To deregister")

	require.Equal(t, http.StatusOK, call(t, srv, http.MethodPost, "/api/advance", `{"by":"23h"}`, nil))
	l := handsetList(t, srv, "?q=02b6")
	require.Equal(t, 3, l.Slots)
	require.Equal(t, 1, l.Ghosts)
	require.Len(t, l.Rows, 1)
	g := l.Rows[0]
	require.True(t, g.Ghost)
	require.Equal(t, "02b6ec8aa5", g.IPUI)
	require.Equal(t, "", g.Slot)
	require.Equal(t, "absent", g.State)
	require.Equal(t, api.GhostLabel, g.Label)
	require.Empty(t, g.Actions)
}

// TestHandsetListOfAConnectedHandsetDoesNotPromiseAGhost: a ToDeReg slot
// whose handset is in range is deregistered over the air: no ghost.
func TestHandsetListOfAConnectedHandsetDoesNotPromiseAGhost(t *testing.T) {
	srv := siteAPI(t)
	require.Equal(t, http.StatusOK, call(t, srv, http.MethodPost, "/api/systems/"+mac+"/steps", `[{"step":"admin","slot":"029e74a599","state":"ToDeReg"}]`, nil))
	r := handsetList(t, srv, "?q=alice").Rows
	require.Len(t, r, 1)
	require.Equal(t, "ToDeReg", r[0].State)
	require.False(t, r[0].GhostAtDeadline)
}

// TestListsPageAndSearchByIPUIOrUserName: a Virtual Integrator's list
// comes a page at a time; q= finds rows by IPUI, slot id or user name,
// in any case, and matched counts them all.
func TestListsPageAndSearchByIPUIOrUserName(t *testing.T) {
	var b strings.Builder
	b.WriteString(`<scenario name="vi" start="2026-01-05T09:00:00Z"><system product="VI" mac="7C2F80A1B2C3"/>`)
	for i := range 250 {
		fmt.Fprintf(&b, `<handset ipui="07%08x" state="Registered"/>`, i)
	}
	b.WriteString(`</scenario>`)
	srv, _ := newAPI(t, serve.Config{}, b.String())
	require.Equal(t, http.StatusOK, call(t, srv, http.MethodPost, "/api/systems/"+mac+"/provision",
		`<provisioning version="1.1" productID="e2"><nvm><param name="SipAccount.07000000c8.UserName" value="Zoe.Quinn"/></nvm></provisioning>`, nil))
	var l api.HandsetList
	require.Equal(t, http.StatusOK, call(t, srv, http.MethodGet, "/api/systems/"+mac+"/handset-list?offset=200&limit=30", "", &l))
	require.Equal(t, 250, l.Matched)
	require.Len(t, l.Rows, 30)
	require.Equal(t, "07000000c8", l.Rows[0].IPUI)
	require.Equal(t, "Zoe.Quinn", l.Rows[0].UserName)
	require.Equal(t, http.StatusOK, call(t, srv, http.MethodGet, "/api/systems/"+mac+"/handset-list?offset=240", "", &l))
	require.Len(t, l.Rows, 10)
	require.Equal(t, http.StatusOK, call(t, srv, http.MethodGet, "/api/systems/"+mac+"/handset-list?q="+url.QueryEscape(" zoe.q "), "", &l))
	require.Equal(t, 1, l.Matched)
	require.Equal(t, "07000000c8", l.Rows[0].IPUI)
	require.Equal(t, http.StatusOK, call(t, srv, http.MethodGet, "/api/systems/"+mac+"/handset-list?q=070000001", "", &l))
	require.Equal(t, 16, l.Matched, "0700000010 to 070000001f")

	var h api.WorldHandsets
	require.Equal(t, http.StatusOK, call(t, srv, http.MethodGet, "/api/systems/"+mac+"/handsets?q=ZOE&limit=5", "", &h))
	require.Equal(t, 250, h.Total)
	require.Equal(t, 1, h.Matched)
	require.Equal(t, "07000000c8", h.Handsets[0].IPUI)
	require.Equal(t, http.StatusOK, call(t, srv, http.MethodGet, "/api/systems/"+mac+"/handsets?offset=100&limit=100", "", &h))
	require.Equal(t, 250, h.Matched)
	require.Len(t, h.Handsets, 100)
	require.Equal(t, "0700000064", h.Handsets[0].IPUI)
	require.Equal(t, http.StatusOK, call(t, srv, http.MethodGet, "/api/systems/"+mac+"/handsets?offset=5000", "", &h))
	require.Empty(t, h.Handsets)
	require.NotNil(t, h.Handsets, "an empty page is [], not null")
}

// TestWorldHandsetsShowWhereEachIsAndItsSlot: each handset of the world
// with power, range, subscription, ghost and the base it camps at, and
// the slot its IPUI is in with that slot's location.
func TestWorldHandsetsShowWhereEachIsAndItsSlot(t *testing.T) {
	srv := siteAPI(t)
	var h api.WorldHandsets
	require.Equal(t, http.StatusOK, call(t, srv, http.MethodGet, "/api/systems/"+mac+"/handsets", "", &h))
	require.Equal(t, 4, h.Total)
	got := map[string]api.WorldHandset{}
	for _, x := range h.Handsets {
		got[x.IPUI] = x
	}
	require.Equal(t, api.WorldHandset{HandsetView: api.HandsetView{IPUI: "029e74a599", Power: "on", Range: "in", Subscribed: true},
		Slot: "029e74a599", State: "Registered", Label: "Registered", UserName: "alice", Base: "base1", Location: "local"}, got["029e74a599"])
	require.Equal(t, "out", got["02b6ec8aa5"].Range)
	require.Equal(t, "none", got["02b6ec8aa5"].Base, "out of range, it camps nowhere")
	require.Equal(t, "ToReg", got["0311223344"].State)
	require.Equal(t, "To register", got["0311223344"].Label)
	require.False(t, got["0311223344"].Subscribed)
	require.Equal(t, api.WorldHandset{HandsetView: api.HandsetView{IPUI: "0499887766", Power: "on", Range: "in"},
		State: "absent", Base: "base1"}, got["0499887766"])
}

// TestListsRefuseBadQueries: a bad offset, limit or search is a 400 with
// JSON, an unknown system a 404, another method a 405.
func TestListsRefuseBadQueries(t *testing.T) {
	srv, _ := newAPI(t, serve.Config{}, site)
	for _, path := range []string{"handset-list", "handsets"} {
		for query, msg := range map[string]string{
			"offset=-1":  "offset=",
			"offset=x":   "offset=",
			"limit=0":    "limit=",
			"limit=1001": "limit=",
			"limit=ten":  "limit=",
			"q=" + strings.Repeat("a", api.MaxSearch+1): "q=",
		} {
			var e errAnswer
			require.Equal(t, http.StatusBadRequest, call(t, srv, http.MethodGet, "/api/systems/"+mac+"/"+path+"?"+query, "", &e), "%s?%s", path, query)
			require.Contains(t, e.Error, msg)
		}
		var e errAnswer
		require.Equal(t, http.StatusNotFound, call(t, srv, http.MethodGet, "/api/systems/7c2f80000000/"+path, "", &e))
		require.Contains(t, e.Error, "no system")
		require.Equal(t, http.StatusMethodNotAllowed, call(t, srv, http.MethodPost, "/api/systems/"+mac+"/"+path, "", &e))
	}
}

// TestOfferedActionsAreTheChangesTheSystemTakes: for every DECT state and
// every change, the list offers it exactly when the system's <admin>
// takes it (logs an admin event rather than refusing with a warning).
func TestOfferedActionsAreTheChangesTheSystemTakes(t *testing.T) {
	states := []system.State{system.ToReg, system.NotReg, system.InReg, system.Registered, system.ToDeReg}
	for _, from := range states {
		offered := map[string]bool{}
		for _, a := range api.Actions(from) {
			offered[a.State] = true
			require.Equal(t, api.Label(system.State(a.State)), a.Label)
		}
		for _, to := range states {
			s := inState(t, from)
			n := s.EventCount()
			require.NoError(t, s.Admin("0311223344", to))
			took := false
			for _, e := range s.EventsSince(n) {
				took = took || e.Type == system.EvAdmin
			}
			require.Equal(t, offered[string(to)], took, "%s → %s (events %v)", from, to, s.EventsSince(n))
		}
	}
}

// inState is a system whose slot 0311223344 is in the DECT state st.
func inState(t *testing.T, st system.State) *system.System {
	t.Helper()
	s, err := system.New(system.WithFirmware("2.36.0"))
	require.NoError(t, err)
	spec := system.HandsetSpec{IPUI: "0311223344", State: system.ToReg}
	if st == system.Registered || st == system.ToDeReg {
		spec = system.HandsetSpec{IPUI: "0311223344", State: system.Registered, OutOfRange: true}
	}
	require.NoError(t, s.AddHandset(spec))
	switch st {
	case system.NotReg:
		require.NoError(t, s.Admin("0311223344", system.NotReg))
	case system.InReg:
		require.NoError(t, s.Register("0311223344"))
	case system.ToDeReg:
		require.NoError(t, s.Admin("0311223344", system.ToDeReg))
	}
	require.Equal(t, st, s.SlotState("0311223344"))
	return s
}

// TestHandsetListHasTheSIPStateColumn: each row carries its account's
// state at the PBX, in the list's words: registered once the DM has
// registered a complete account, not registered without one.
func TestHandsetListHasTheSIPStateColumn(t *testing.T) {
	srv := siteAPI(t)
	require.Equal(t, http.StatusOK, call(t, srv, http.MethodPost, "/api/systems/"+mac+"/provision",
		`<provisioning version="1.1" productID="e2"><nvm><param name="SipProvider.0.Domain" value="pbx.example.net"/></nvm></provisioning>`, nil))
	require.Equal(t, http.StatusOK, call(t, srv, http.MethodPost, "/api/advance", `{"by": "1m"}`, nil))
	sip := map[string]string{}
	for _, r := range handsetList(t, srv, "").Rows {
		sip[r.Slot] = r.SIP + "/" + r.SIPLabel
	}
	require.Equal(t, map[string]string{
		"029e74a599": "registered/Registered",
		"02b6ec8aa5": "unregistered/Not registered",
		"0311223344": "unregistered/Not registered",
		"00001":      "unregistered/Not registered",
	}, sip, "alice's account is complete once the provider is; the placeholder's has no handset")
}
