package autoprov_test

import (
	"net/http"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dectsim/dectsim/emulator/autoprov"
	"github.com/dectsim/dectsim/emulator/system"
)

// In handler mode a whole fetch, digest exchange included, runs inside a
// synctest bubble: no sockets, no goroutines, no real time.
func TestWholeFetchInsideSynctest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		auth := &digestAuth{realm: "prov", user: "admin", pass: "pw", alg: "SHA-256", next: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte(doc(`<param name="` + okParam + `" value="pbx"/>
<param name="Provisioning.global.Period" value="3600"/>`)))
		})}
		sys := newSys(t)
		f, err := autoprov.Attach(sys, autoprov.Config{URL: "https://prov.test/%MACD.xml", Handler: auth, User: "admin", Password: "pw"})
		require.NoError(t, err)
		defer f.Close()
		wall := time.Now()
		require.NoError(t, sys.Advance(0))
		synctest.Wait()
		require.NoError(t, sys.Advance(2*time.Hour+time.Second))
		require.Equal(t, wall, time.Now(), "no real time passes")

		reqs := f.Requests()
		require.Len(t, reqs, 9, "three checks, three requests each")
		require.Equal(t, []string{"", testMAC, "admin"}, authUsers(reqs[:3]))
		evs := fetchEvents(sys)
		require.Len(t, evs, 3)
		for _, e := range evs {
			require.Equal(t, "ok", e.Outcome)
		}
		v, _ := sys.Setting(okParam)
		require.Equal(t, "pbx", v)
		require.Equal(t, system.EvProvisioningApplied, sys.Events()[1].Type)
	})
}
