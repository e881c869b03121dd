package dectsimtest_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dectsim/dectsim/emulator/dectsimtest"
	"github.com/dectsim/dectsim/emulator/system"
)

// exampleT stands in for the *testing.T an Example does not get. It is a
// dectsimtest.Harness (for NewT), a dectsimtest.Reporter (for the checks) and a
// require.TestingT: it prints failures, stops on a fatal one, and runs
// its cleanups when the example calls done.
type exampleT struct{ cleanups []func() }

func (t *exampleT) Helper()          {}
func (t *exampleT) Cleanup(f func()) { t.cleanups = append(t.cleanups, f) }
func (t *exampleT) FailNow()         { panic("example failed") }

func (t *exampleT) Errorf(format string, args ...any) { fmt.Printf("FAIL: "+format+"\n", args...) }
func (t *exampleT) Fatalf(format string, args ...any) { t.Errorf(format, args...); t.FailNow() }

// done runs the cleanups, last first, as the testing package does.
func (t *exampleT) done() {
	for i := len(t.cleanups) - 1; i >= 0; i-- {
		t.cleanups[i]()
	}
}

// pbx is a provisioning server in its smallest form: it renders the
// complete handset list of its users, DeleteNotProvisionedHS first, and
// serves it to every system that asks.
type pbx struct {
	mu    sync.Mutex
	users []string // the users' handset IPUIs
}

// remove deletes a user: the next file no longer lists the handset.
func (p *pbx) remove(ipui string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.users = slices.DeleteFunc(p.users, func(u string) bool { return u == ipui })
}

func (p *pbx) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<provisioning version="1.1" productID="e2"><nvm>` + "\n")
	b.WriteString(`<oper name="DeleteNotProvisionedHS"/>` + "\n")
	for _, u := range p.users {
		fmt.Fprintf(&b, `<oper name="add_hs" value="%s"><param name="hs.RegStatus" value="ToReg"/></oper>`+"\n", u)
	}
	b.WriteString("</nvm></provisioning>\n")
	w.Header().Set("Content-Type", "application/xml")
	_, _ = w.Write([]byte(b.String()))
}

// A user is added on the PBX: the system fetches its file at boot, the
// handset's slot waits in ToReg, the user registers the handset.
func ExampleNewT() {
	t := &exampleT{} // in a test: the *testing.T
	defer t.done()

	server := &pbx{users: []string{"02b6ec8aa5"}}
	sim := dectsimtest.NewT(t,
		dectsimtest.WithSystem(system.WithMAC("7C2F80A1B2C3")),
		dectsimtest.WithURL("http://pbx.example.net/prov/%MACD.xml"),
		dectsimtest.WithHandler(server), // in-process: no sockets
	)
	require.NoError(t, sim.AddHandset(system.HandsetSpec{IPUI: "02b6ec8aa5"}))

	require.NoError(t, sim.Advance(time.Minute)) // boot fetch, applied 1 s later
	sim.CheckState(t, "02b6ec8aa5", system.ToReg)
	require.NoError(t, sim.Register("02b6ec8aa5")) // the user registers it (no PIN asked)
	require.NoError(t, sim.Advance(time.Minute))
	sim.CheckRegistered(t, "02b6ec8aa5")

	for _, r := range sim.Requests() {
		fmt.Println(r.Status, r.URL)
		fmt.Println(r.UserAgent)
	}
	// Output:
	// 200 http://pbx.example.net/prov/7c2f80a1b2c3.xml
	// Gigaset N870 IP PRO/83.V2.65.0+build.8504c90;7C2F80A1B2C3
}

// Without a test: New, and Close when done. Here the provisioning file is
// given directly, as if the system had just fetched it, while a handset
// is out of range: the system waits 24 hours for it, then removes its slot.
func ExampleNew() {
	sim, err := dectsimtest.New()
	if err != nil {
		panic(err)
	}
	defer sim.Close()
	must := func(err error) {
		if err != nil {
			panic(err)
		}
	}
	must(sim.AddHandset(system.HandsetSpec{IPUI: "02b6ec8aa5", State: system.Registered, OutOfRange: true}))

	file := `<?xml version="1.0" encoding="UTF-8"?>
<provisioning version="1.1" productID="e2"><nvm>
<oper name="DeleteNotProvisionedHS"/>
<oper name="add_hs" value="029e74a599"><param name="hs.RegStatus" value="ToReg"/></oper>
</nvm></provisioning>`
	_, err = sim.Apply("prov.xml", []byte(file))
	must(err)

	for _, d := range []time.Duration{23*time.Hour + 59*time.Minute, time.Minute} {
		must(sim.Advance(d))
		fmt.Print(sim.Now().Format("Jan 2 15:04"), ":")
		for _, s := range sim.Slots() {
			fmt.Print(" ", s.ID, " ", s.State)
		}
		fmt.Println(";", len(sim.Ghosts()), "ghost(s)")
	}
	// Output:
	// Jan 1 23:59: 02b6ec8aa5 ToDeReg 029e74a599 ToReg; 0 ghost(s)
	// Jan 2 00:00: 029e74a599 ToReg; 1 ghost(s)
}

// A user is removed on the PBX while the handset is on the desk: the
// system deregisters it gracefully, over the air (the handset first, then
// its slot).
func ExampleSim_SendCheckSync() {
	t := &exampleT{}
	defer t.done()

	server := &pbx{users: []string{"029e74a599", "02b6ec8aa5"}}
	sim := dectsimtest.NewT(t,
		dectsimtest.WithURL("http://pbx.example.net/prov/%MACD.xml"),
		dectsimtest.WithHandler(server),
	)
	require.NoError(t, sim.AddRegistered("029e74a599"))
	require.NoError(t, sim.AddRegistered("02b6ec8aa5"))
	require.NoError(t, sim.Advance(time.Minute))

	server.remove("02b6ec8aa5")
	sim.SendCheckSync() // the PBX notifies the system after a change
	require.NoError(t, sim.Advance(time.Minute))

	sim.CheckState(t, "02b6ec8aa5", system.Absent)
	sim.CheckNotGhost(t, "02b6ec8aa5")
	sim.CheckRegistered(t, "029e74a599")
	fmt.Print(sim.Timeline("02b6ec8aa5"))
	// Output:
	//   +1m1s        2026-01-01T00:01:01Z  dereg-requested        02b6ec8aa5             ToDeReg     trigger=DeleteNotProvisionedHS  at http://pbx.example.net/prov/7c2f804200f3.xml:3:1
	//   +1m31s       2026-01-01T00:01:31Z  dereg-completed        02b6ec8aa5             absent      outcome=graceful  the handset's subscription was removed first, then the slot
}

// A user is removed on the PBX while the handset is out of range: the
// system waits 24 hours for it, then removes its slot anyway. The handset
// still believes it is registered: a ghost.
func ExampleSim_CheckGhost() {
	t := &exampleT{}
	defer t.done()

	server := &pbx{users: []string{"029e74a599", "02b6ec8aa5"}}
	sim := dectsimtest.NewT(t,
		dectsimtest.WithURL("http://pbx.example.net/prov/%MACD.xml"),
		dectsimtest.WithHandler(server),
	)
	require.NoError(t, sim.AddRegistered("029e74a599"))
	require.NoError(t, sim.AddRegistered("02b6ec8aa5"))
	require.NoError(t, sim.Advance(time.Minute))
	require.NoError(t, sim.Move("02b6ec8aa5", false)) // away for two days

	server.remove("02b6ec8aa5")
	sim.SendCheckSync()
	require.NoError(t, sim.Advance(2*24*time.Hour))

	sim.CheckGhost(t, "02b6ec8aa5") // holds, so it reports nothing
	sim.CheckGhostCount(t, 1)

	// A test that expects no ghost fails with the handset's timeline:
	sim.CheckNotGhost(t, "02b6ec8aa5")
	// Output:
	// FAIL: dectsimtest: handset 02b6ec8aa5 is a ghost (slot absent, subscribed true)
	//   +1m0s        2026-01-01T00:01:00Z  handset-moved          02b6ec8aa5             Registered  out
	//   +1m1s        2026-01-01T00:01:01Z  dereg-requested        02b6ec8aa5             ToDeReg     trigger=DeleteNotProvisionedHS  at http://pbx.example.net/prov/7c2f804200f3.xml:3:1
	//   +24h1m1s     2026-01-02T00:01:01Z  dereg-timeout          02b6ec8aa5             absent      nobody answered within 24h0m0s of the request
	//   +24h1m1s     2026-01-02T00:01:01Z  ghost-created          02b6ec8aa5             absent      the handset still holds its subscription
}

// The credentials the system tries when the server answers 401 with a
// Digest challenge: none, then the MAC (upper case) as user and password,
// then the configured ones. This server accepts none of them.
func ExampleWithCredentials() {
	t := &exampleT{}
	defer t.done()

	refuse := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", `Digest realm="pbx", qop="auth", nonce="n1"`)
		w.WriteHeader(http.StatusUnauthorized)
	})
	sim := dectsimtest.NewT(t,
		dectsimtest.WithSystem(system.WithMAC("7c:2f:80:a1:b2:c3")),
		dectsimtest.WithURL("http://pbx.example.net/prov/%MACD.xml"),
		dectsimtest.WithHandler(refuse),
		dectsimtest.WithCredentials("admin", "s3cret"),
	)
	require.NoError(t, sim.Advance(time.Minute))

	for _, r := range sim.Requests() {
		fmt.Printf("%d %q %s\n", r.Status, r.AuthUser, r.URL)
	}
	for _, e := range sim.Events() {
		if e.Type == system.EvFetch {
			fmt.Println(e.Outcome, e.Reason+":", e.Detail)
		}
	}
	// Output:
	// 401 "" http://pbx.example.net/prov/7c2f80a1b2c3.xml
	// 401 "7C2F80A1B2C3" http://pbx.example.net/prov/7c2f80a1b2c3.xml
	// 401 "admin" http://pbx.example.net/prov/7c2f80a1b2c3.xml
	// error unauthorized: boot: GET http://pbx.example.net/prov/7c2f80a1b2c3.xml: 401 after trying users 7C2F80A1B2C3, admin
}
