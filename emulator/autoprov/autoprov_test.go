package autoprov_test

import (
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dectsim/dectsim/emulator/autoprov"
	"github.com/dectsim/dectsim/emulator/system"
	"github.com/dectsim/dectsim/internal/engine/syshook"
	"github.com/dectsim/dectsim/internal/vocab/firmware"
	"github.com/dectsim/dectsim/internal/vocab/product"
)

func TestSuccessfulFetchAppliesFileAfterLatency(t *testing.T) {
	srv := newServer(t, serveBody(okFile))
	sys := newSys(t)
	f := attach(t, sys, autoprov.Config{URL: srv.URL + "/p.xml", Client: srv.Client()})

	require.NoError(t, sys.Advance(0))
	require.Len(t, f.Requests(), 1, "the boot fetch runs at t=0")
	require.Empty(t, fetchEvents(sys))
	require.NoError(t, sys.Advance(autoprov.DefaultLatency-time.Nanosecond))
	_, ok := sys.Setting(okParam)
	require.False(t, ok, "nothing is applied before the latency has passed")

	require.NoError(t, sys.Advance(time.Nanosecond))
	v, ok := sys.Setting(okParam)
	require.True(t, ok)
	require.Equal(t, "pbx", v)
	require.Equal(t, []string{system.EvFetch, system.EvProvisioningApplied}, eventTypes(sys))
	ev := fetchEvents(sys)[0]
	require.Equal(t, "ok", ev.Outcome)
	require.Empty(t, ev.Reason)
	require.Equal(t, t0.Add(time.Second), ev.Time)
	require.Contains(t, ev.Detail, srv.URL+"/p.xml")
	require.Contains(t, ev.Detail, "200")
	applied := sys.Events()[1]
	require.Equal(t, srv.URL+"/p.xml", applied.File, "the document is named by its URL")
}

func TestBootFetchAtTimeZero(t *testing.T) {
	srv := newServer(t, serveBody(okFile))
	sys := newSys(t)
	f := attach(t, sys, autoprov.Config{URL: srv.URL + "/p.xml", Client: srv.Client()})
	next, ok := f.NextCheck()
	require.True(t, ok)
	require.Equal(t, t0, next)
	require.Empty(t, f.Requests(), "nothing happens until time is advanced")
	require.NoError(t, sys.Advance(0))
	reqs := f.Requests()
	require.Len(t, reqs, 1)
	require.Equal(t, t0, reqs[0].At)
	require.Equal(t, http.MethodGet, reqs[0].Method)
	require.Equal(t, srv.URL+"/p.xml", reqs[0].URL)
	require.Equal(t, 200, reqs[0].Status)
	require.Empty(t, reqs[0].AuthUser)
	require.Empty(t, reqs[0].Err)
}

func TestNoBootFetchStartsTheScheduleOnly(t *testing.T) {
	sys := newSys(t)
	f := attach(t, sys, autoprov.Config{Handler: serveBody(okFile), URL: "http://prov.test/p.xml", NoBootFetch: true})
	require.NoError(t, sys.Advance(time.Minute))
	require.Empty(t, f.Requests())
	next, ok := f.NextCheck()
	require.True(t, ok)
	require.Equal(t, t0.Truncate(24*time.Hour), next.Truncate(24*time.Hour), "the daily check of the same day")
}

func TestBootDelayPutsTheBootFetchLaterAndRebootsStillFetchAtOnce(t *testing.T) {
	sys := newSys(t, system.WithFirmware("2.52.0"))
	f := attach(t, sys, autoprov.Config{Handler: serveBody(okFile), URL: "http://prov.test/p.xml", BootDelay: 7 * time.Minute})
	next, ok := f.NextCheck()
	require.True(t, ok)
	require.Equal(t, t0.Add(7*time.Minute), next)
	require.NoError(t, sys.Advance(7*time.Minute-time.Nanosecond))
	require.Empty(t, f.Requests(), "no fetch before the delay")
	require.NoError(t, sys.Advance(time.Nanosecond))
	require.Len(t, f.Requests(), 1)
	require.Equal(t, t0.Add(7*time.Minute), f.Requests()[0].At)

	_, err := sys.Apply("reboot.xml", []byte(doc(`<param name="SystemSettings.global.CheckSyncRebootEnabled" value="1"/>`)))
	require.NoError(t, err)
	f.CheckSyncFrom(system.CheckSyncAPI, true)
	require.NoError(t, sys.Advance(0))
	require.Len(t, f.Requests(), 2, "the reboot's boot fetch is not delayed")
	require.Equal(t, t0.Add(7*time.Minute), f.Requests()[1].At)
}

func TestNegativeBootDelayIsRefused(t *testing.T) {
	_, err := autoprov.Attach(newSys(t), autoprov.Config{BootDelay: -time.Second})
	require.ErrorContains(t, err, "boot delay -1s is negative")
}

func TestNoURLLogsFailedFetchAndTouchesNoNetwork(t *testing.T) {
	sys := newSys(t)
	f := attach(t, sys, autoprov.Config{})
	settle(t, sys)
	f.CheckSync()
	require.NoError(t, sys.Advance(time.Second))
	evs := fetchEvents(sys)
	require.Len(t, evs, 2)
	for _, e := range evs {
		require.Equal(t, "error", e.Outcome)
		require.Equal(t, autoprov.ReasonNoURL, e.Reason)
	}
	require.Empty(t, f.Requests())
}

// dailyTime returns the time of the daily check a seed gives.
func dailyTime(t *testing.T, seed uint64) time.Time {
	sys := newSys(t, system.WithSeed(seed))
	f := attach(t, sys, autoprov.Config{Handler: serveBody(okFile), URL: "http://prov.test/p.xml"})
	settle(t, sys)
	next, ok := f.NextCheck()
	require.True(t, ok)
	return next
}

func TestDailyCheckAtSeededTimeBetweenOneAndFour(t *testing.T) {
	a := dailyTime(t, 1)
	require.Equal(t, a, dailyTime(t, 1), "the same seed gives the same time")
	b := dailyTime(t, 2)
	require.NotEqual(t, a, b, "another seed gives another time")
	for _, seed := range []uint64{1, 2, 3, 4, 5, 42, 1000} {
		next := dailyTime(t, seed)
		day := t0.Truncate(24 * time.Hour)
		require.False(t, next.Before(day.Add(autoprov.DailyFrom)), next)
		require.True(t, next.Before(day.Add(autoprov.DailyTo)), next)
		require.Equal(t, time.UTC, next.Location())
	}

	// The check runs then, and again 24 hours later.
	sys := newSys(t)
	f := attach(t, sys, autoprov.Config{Handler: serveBody(okFile), URL: "http://prov.test/p.xml"})
	require.NoError(t, sys.Advance(72*time.Hour))
	reqs := f.Requests()
	require.Len(t, reqs, 4, "boot and three daily checks")
	require.Equal(t, t0, reqs[0].At)
	require.Equal(t, a, reqs[1].At)
	require.Equal(t, a.Add(24*time.Hour), reqs[2].At)
	require.Equal(t, a.Add(48*time.Hour), reqs[3].At)
}

func TestPeriodGivesHourlyChecks(t *testing.T) {
	sys := newSys(t)
	f := attach(t, sys, autoprov.Config{URL: "http://prov.test/p.xml",
		Handler: serveBody(doc(`<param name="Provisioning.global.Period" value="3600"/>`))})
	require.NoError(t, sys.Advance(3*time.Hour+time.Minute))
	var at []time.Time
	for _, r := range f.Requests() {
		at = append(at, r.At)
	}
	require.Equal(t, []time.Time{t0, t0.Add(time.Hour), t0.Add(2 * time.Hour), t0.Add(3 * time.Hour)}, at)
}

func TestFileChangingPeriodAndURLReschedulesWithoutFetching(t *testing.T) {
	var mu sync.Mutex
	hits := map[string]int{}
	mux := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits[r.Host+r.URL.Path]++
		mu.Unlock()
		switch r.Host + r.URL.Path {
		case "old.test/p.xml":
			_, _ = w.Write([]byte(doc(`<param name="Provisioning.global.Period" value="2400"/>
<param name="Provisioning.global.ProvisioningServer" value="http://new.test/%MACD.xml"/>`)))
		case "new.test/" + testMACLower + ".xml":
			_, _ = w.Write([]byte(okFile))
		default:
			http.NotFound(w, r)
		}
	})
	sys := newSys(t)
	f := attach(t, sys, autoprov.Config{URL: "http://old.test/p.xml", Handler: mux})
	dailyBefore := t0.Add(24 * time.Hour) // any daily time is later than this boot + 40 min
	settle(t, sys)

	require.Len(t, f.Requests(), 1, "a changed URL or period never fetches at once")
	require.Equal(t, "http://new.test/%MACD.xml", f.URL())
	next, ok := f.NextCheck()
	require.True(t, ok)
	require.Equal(t, t0.Add(40*time.Minute), next, "Period counts from the last check")
	require.True(t, next.Before(dailyBefore))

	require.NoError(t, sys.AdvanceTo(next.Add(time.Second)))
	reqs := f.Requests()
	require.Len(t, reqs, 2)
	require.Equal(t, "http://new.test/"+testMACLower+".xml", reqs[1].URL)
	v, _ := sys.Setting(okParam)
	require.Equal(t, "pbx", v)
}

func TestSettingsAppliedOutsideAFetchRescheduleToo(t *testing.T) {
	sys := newSys(t)
	f := attach(t, sys, autoprov.Config{URL: "http://prov.test/p.xml", Handler: serveBody(okFile)})
	settle(t, sys)
	require.NoError(t, sys.Advance(5*time.Minute))
	_, err := sys.Apply("period.xml", []byte(doc(`<param name="Provisioning.global.Period" value="1800"/>`)))
	require.NoError(t, err)
	next, _ := f.NextCheck()
	require.Equal(t, t0.Add(30*time.Minute), next)

	// A period already over runs the next check later, never at once:
	// at the first multiple of the period after now.
	_, err = sys.Apply("period.xml", []byte(doc(`<param name="Provisioning.global.Period" value="7200"/>`)))
	require.NoError(t, err)
	next, _ = f.NextCheck()
	require.Equal(t, t0.Add(2*time.Hour), next)
	require.NoError(t, sys.Advance(time.Hour)) // now t0+1h5m
	_, err = sys.Apply("period.xml", []byte(doc(`<param name="Provisioning.global.Period" value="1800"/>`)))
	require.NoError(t, err)
	next, _ = f.NextCheck()
	require.Equal(t, t0.Add(90*time.Minute), next)
	require.Len(t, f.Requests(), 1)

	// Back to daily.
	_, err = sys.Apply("period.xml", []byte(doc(`<param name="Provisioning.global.Period" value="0"/>`)))
	require.NoError(t, err)
	next, _ = f.NextCheck()
	require.Equal(t, dailyTime(t, 1), next)
}

func TestPeriodWindowDrawsATimeWithinIt(t *testing.T) {
	window := doc(`<param name="Provisioning.global.Period" value="0"/>
<param name="Provisioning.global.PeriodStart" value="14:00"/>
<param name="Provisioning.global.PeriodEnd" value="18:30"/>`)
	run := func(seed uint64) time.Time {
		sys := newSys(t, system.WithSeed(seed))
		f := attach(t, sys, autoprov.Config{URL: "http://prov.test/p.xml", Handler: serveBody(window)})
		settle(t, sys)
		next, _ := f.NextCheck()
		day := t0.Truncate(24 * time.Hour)
		require.False(t, next.Before(day.Add(14*time.Hour)), next)
		require.True(t, next.Before(day.Add(18*time.Hour+30*time.Minute)), next)
		// The complete file again the next day: the time stays.
		require.NoError(t, sys.AdvanceTo(next.Add(time.Second)))
		again, _ := f.NextCheck()
		require.Equal(t, next.Add(24*time.Hour), again)
		return next
	}
	require.Equal(t, run(7), run(7))
	require.NotEqual(t, run(7), run(8))
}

func TestWindowAcrossMidnight(t *testing.T) {
	sys := newSys(t)
	f := attach(t, sys, autoprov.Config{URL: "http://prov.test/p.xml", Handler: serveBody(doc(`
<param name="Provisioning.global.PeriodStart" value="23:00"/>
<param name="Provisioning.global.PeriodEnd" value="01:00"/>`))})
	settle(t, sys)
	next, _ := f.NextCheck()
	tod := next.Sub(next.Truncate(24 * time.Hour))
	require.True(t, tod >= 23*time.Hour || tod < time.Hour, tod)
}

func TestMACDSubstitution(t *testing.T) {
	for _, upper := range []bool{false, true} {
		srv := newServer(t, serveBody(okFile))
		sys := newSys(t)
		f := attach(t, sys, autoprov.Config{URL: srv.URL + "/cfg/%MACD.xml", Client: srv.Client(), UpperMAC: upper})
		settle(t, sys)
		want := testMACLower
		if upper {
			want = testMAC
		}
		require.Equal(t, []string{"/cfg/" + want + ".xml"}, paths(f.Requests()))
		require.Equal(t, srv.URL+"/cfg/%MACD.xml", f.URL(), "URL is the raw URL")
	}
}

func TestExpandURL(t *testing.T) {
	require.Equal(t, "http://h/x/7c2f80a1b2c3.xml", autoprov.ExpandURL("http://h/x/%MACD.xml", testMAC, false))
	require.Equal(t, "http://h/x/7C2F80A1B2C3.xml", autoprov.ExpandURL("http://h/x/%MACD.xml", "7c:2f:80:a1:b2:c3", true))
	require.Equal(t, "http://h/dir/7c2f80a1b2c3.xml", autoprov.ExpandURL("http://h/dir/", testMAC, false))
	require.Equal(t, "https://h/dir/7C2F80A1B2C3.xml?k=1", autoprov.ExpandURL("https://h/dir/?k=1", testMAC, true))
	require.Equal(t, "http://h/p.xml", autoprov.ExpandURL("http://h/p.xml", testMAC, false))
}

func TestDirectoryURLTriesProvisioningXMLThenMACXML(t *testing.T) {
	mux := http.NewServeMux()
	mux.Handle("/dir/"+testMACLower+".xml", serveBody(okFile))
	srv := newServer(t, mux)
	sys := newSys(t)
	f := attach(t, sys, autoprov.Config{URL: srv.URL + "/dir/", Client: srv.Client()})
	settle(t, sys)
	require.Equal(t, []string{"/dir/provisioning.xml", "/dir/" + testMACLower + ".xml"}, paths(f.Requests()))
	require.Equal(t, "ok", fetchEvents(sys)[0].Outcome)
	v, _ := sys.Setting(okParam)
	require.Equal(t, "pbx", v)
}

func TestDirectoryURLPrefersProvisioningXML(t *testing.T) {
	mux := http.NewServeMux()
	mux.Handle("/dir/provisioning.xml", serveBody(okFile))
	srv := newServer(t, mux)
	sys := newSys(t)
	f := attach(t, sys, autoprov.Config{URL: srv.URL + "/dir/", Client: srv.Client(), UpperMAC: true})
	settle(t, sys)
	require.Equal(t, []string{"/dir/provisioning.xml"}, paths(f.Requests()))
	v, _ := sys.Setting(okParam)
	require.Equal(t, "pbx", v)
}

func TestEmptyPathURLIsADirectory(t *testing.T) {
	sw := newSwitchable(http.NotFoundHandler())
	srv := newServer(t, sw)
	mux := http.NewServeMux()
	// The server's own file points the system at its root, with no path,
	// and serves <mac>.xml there.
	own := doc(`    <param name="Provisioning.global.ProvisioningServer" value="` + srv.URL + `"/>
    <param name="` + okParam + `" value="pbx"/>`)
	mux.Handle("/"+testMACLower+".xml", serveBody(own))
	mux.Handle("/start.xml", serveBody(own))
	sw.set(mux)
	sys := newSys(t)
	f := attach(t, sys, autoprov.Config{URL: srv.URL + "/start.xml", Client: srv.Client()})
	settle(t, sys)
	require.Equal(t, srv.URL, f.URL())
	f.CheckSync()
	settle(t, sys)
	require.Equal(t, []string{"/start.xml", "/provisioning.xml", "/" + testMACLower + ".xml"}, paths(f.Requests()))
	evs := fetchEvents(sys)
	require.Len(t, evs, 2)
	require.Equal(t, "ok", evs[1].Outcome, evs[1].Detail)
	require.Equal(t, "http://h/7c2f80a1b2c3.xml", autoprov.ExpandURL("http://h", testMAC, false))
	require.Equal(t, "http://h:8667/7C2F80A1B2C3.xml?k=1", autoprov.ExpandURL("http://h:8667?k=1", testMAC, true))
}

func TestDirectoryURLWithNeitherFileIsNotFound(t *testing.T) {
	srv := newServer(t, http.NotFoundHandler())
	sys := newSys(t)
	f := attach(t, sys, autoprov.Config{URL: srv.URL + "/dir/", Client: srv.Client(), UpperMAC: true})
	settle(t, sys)
	require.Equal(t, []string{"/dir/provisioning.xml", "/dir/" + testMAC + ".xml"}, paths(f.Requests()))
	ev := fetchEvents(sys)[0]
	require.Equal(t, autoprov.ReasonNotFound, ev.Reason)
	require.Contains(t, ev.Detail, testMAC+".xml")
}

func TestCheckSyncFetchesNowAndKeepsTheSchedule(t *testing.T) {
	sys := newSys(t)
	f := attach(t, sys, autoprov.Config{URL: "http://prov.test/p.xml", Handler: serveBody(okFile)})
	settle(t, sys)
	daily, _ := f.NextCheck()
	require.NoError(t, sys.AdvanceTo(t0.Add(30*time.Minute))) // before any daily time

	at := sys.Now()
	f.CheckSync()
	reqs := f.Requests()
	require.Len(t, reqs, 2)
	require.Equal(t, at, reqs[1].At)
	require.Len(t, fetchEvents(sys), 1, "the result lands after the latency")
	require.NoError(t, sys.Advance(time.Second))
	evs := fetchEvents(sys)
	require.Len(t, evs, 2)
	require.Equal(t, at.Add(time.Second), evs[1].Time)
	require.Contains(t, evs[1].Detail, "check-sync")
	next, _ := f.NextCheck()
	require.Equal(t, daily, next, "check-sync does not disturb the daily schedule")
}

func TestRebootFetchesAtBootWithTheNewFirmwareInTheUserAgent(t *testing.T) {
	sys := newSys(t, system.WithFirmware("2.48.0"))
	f := attach(t, sys, autoprov.Config{URL: "http://prov.test/p.xml", Handler: serveBody(okFile)})
	settle(t, sys)
	require.NoError(t, sys.Advance(time.Hour))
	require.NoError(t, sys.InstallFirmware("2.65.0"))
	next, _ := f.NextCheck()
	require.Equal(t, sys.Now(), next, "the boot check is due at once")
	require.NoError(t, sys.Advance(0))
	reqs := f.Requests()
	require.Len(t, reqs, 2)
	require.Equal(t, t0.Add(time.Hour+time.Second), reqs[1].At)
	require.Equal(t, "Gigaset N870 IP PRO/83.V2.48.0+build.4fa8a54;"+testMAC, reqs[0].UserAgent)
	require.Equal(t, "Gigaset N870 IP PRO/83.V2.65.0+build.8504c90;"+testMAC, reqs[1].UserAgent)
}

func TestFirmwareUpgradeFromFetchedFileRebootsAndFetchesAgain(t *testing.T) {
	sys := newSys(t, system.WithFirmware("2.62.1"))
	body := `<provisioning version="1.1" productID="e2"><firmware><file version="2.65.0" url="http://fw.test/fw.bin"/></firmware><nvm/></provisioning>`
	f := attach(t, sys, autoprov.Config{URL: "http://prov.test/p.xml", Handler: serveBody(body)})
	require.NoError(t, sys.Advance(time.Hour))
	reqs := f.Requests()
	require.Len(t, reqs, 2, "boot, then boot again after the upgrade")
	require.Equal(t, t0.Add(time.Second+system.DefaultFirmwareDelay), reqs[1].At)
	require.Contains(t, reqs[1].UserAgent, "83.V2.65.0+build.8504c90")
}

func TestCloseCancelsEverything(t *testing.T) {
	sys := newSys(t)
	f, err := autoprov.Attach(sys, autoprov.Config{URL: "http://prov.test/p.xml", Handler: serveBody(okFile)})
	require.NoError(t, err)
	require.NoError(t, sys.Advance(0))
	require.Equal(t, 2, syshook.Of[system.Event](sys).Sim.Pending(), "the result and the next check")
	f.Close()
	f.Close()
	require.Zero(t, syshook.Of[system.Event](sys).Sim.Pending())
	_, ok := f.NextCheck()
	require.False(t, ok)
	f.CheckSync()
	require.NoError(t, sys.InstallFirmware("2.65.1"))
	require.NoError(t, sys.Advance(72*time.Hour))
	require.Len(t, f.Requests(), 1)
	require.Empty(t, fetchEvents(sys))
}

var wazoUA = regexp.MustCompile(`^"?(Gigaset )?(?P<model>[\w\s]+)\/(?P<version>(?:\w{2,3}\.){3,4}\w{1,3})(?:\+.+)?;(?P<mac>[0-9A-F]{12})?(;Handset=\d+)?"?$`)

func TestUserAgent(t *testing.T) {
	n870, err := product.Lookup("N870")
	require.NoError(t, err)
	vi, err := product.Lookup("VI")
	require.NoError(t, err)
	n870e, err := product.Lookup("N870E")
	require.NoError(t, err)

	ua := autoprov.UserAgent(system.Product(n870), system.FirmwareVersion(firmware.MustParse("2.65.0")), "7C2F80A1B2C3")
	require.Equal(t, "Gigaset N870 IP PRO/83.V2.65.0+build.8504c90;7C2F80A1B2C3", ua)
	require.Equal(t, "Gigaset N870 IP PRO/83.V2.11.0+build.a546b91;7C2F80E0D605",
		autoprov.UserAgent(system.Product(n870), system.FirmwareVersion(firmware.MustParse("2.11.0")), "7c:2f:80:e0:d6:05"), "the example wazo documents")
	require.True(t, strings.HasPrefix(autoprov.UserAgent(system.Product(vi), system.FirmwareVersion(firmware.MustParse("2.65.0")), testMAC), "Gigaset N870 VI PRO/83.V"))
	require.Equal(t, "Gigaset N870E IP PRO/83.V2.49.1+build.0fc46d7;"+testMAC, autoprov.UserAgent(system.Product(n870e), system.FirmwareVersion(firmware.MustParse("2.49.1")), testMAC))

	for _, p := range []product.Profile{n870, vi, n870e} {
		for _, v := range []string{"2.65.0", "2.36.0", "2.40.7"} {
			ua := autoprov.UserAgent(system.Product(p), system.FirmwareVersion(firmware.MustParse(v)), testMAC)
			m := wazoUA.FindStringSubmatch(ua)
			require.NotNil(t, m, ua)
			require.Equal(t, p.Model, m[wazoUA.SubexpIndex("model")])
			require.Equal(t, "83.V"+v, m[wazoUA.SubexpIndex("version")])
			require.Equal(t, testMAC, m[wazoUA.SubexpIndex("mac")])
		}
	}

	// The system sends it, and nothing else that identifies it.
	headers := make(chan http.Header, 1)
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		headers <- r.Header.Clone()
		_, _ = w.Write([]byte(okFile))
	}))
	sys := newSys(t, system.WithProduct("VI"))
	attach(t, sys, autoprov.Config{URL: srv.URL + "/p.xml", Client: srv.Client()})
	settle(t, sys)
	got := <-headers
	require.Equal(t, "Gigaset N870 VI PRO/83.V2.65.0+build.8504c90;"+testMAC, got.Get("User-Agent"))
	for k := range got {
		require.Contains(t, []string{"User-Agent", "Accept-Encoding"}, k)
	}
}

func TestBuildHashKnownAndDerived(t *testing.T) {
	require.Equal(t, "8504c90", firmware.BuildHash(firmware.MustParse("2.65.0")))
	require.Equal(t, "1ffa429", firmware.BuildHash(firmware.MustParse("2.39.0")))
	h := firmware.BuildHash(firmware.MustParse("2.40.7"))
	require.Regexp(t, `^[0-9a-f]{7}$`, h)
	require.Equal(t, h, firmware.BuildHash(firmware.MustParse("2.40.7")))
	require.NotEqual(t, h, firmware.BuildHash(firmware.MustParse("2.40.8")))
}

func TestHTTPSWithInjectedClient(t *testing.T) {
	srv := httptest.NewTLSServer(serveBody(okFile))
	t.Cleanup(srv.Close)
	sys := newSys(t)
	f := attach(t, sys, autoprov.Config{URL: srv.URL + "/p.xml", Client: srv.Client()})
	settle(t, sys)
	require.True(t, strings.HasPrefix(f.Requests()[0].URL, "https://"))
	require.Equal(t, "ok", fetchEvents(sys)[0].Outcome)
	v, _ := sys.Setting(okParam)
	require.Equal(t, "pbx", v)
}

func TestHTTPSWithUnknownCertificateFails(t *testing.T) {
	srv := httptest.NewUnstartedServer(serveBody(okFile))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake
	srv.StartTLS()
	t.Cleanup(srv.Close)
	sys := newSys(t)
	f := attach(t, sys, autoprov.Config{URL: srv.URL + "/p.xml"}) // own client: the test CA is unknown
	settle(t, sys)
	require.Equal(t, autoprov.ReasonTLS, fetchEvents(sys)[0].Reason)
	require.NotEmpty(t, f.Requests()[0].Err)
	f.Close()
}

func TestHandlerModeServesInProcess(t *testing.T) {
	var seen *http.Request
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = r
		_, _ = w.Write([]byte(okFile))
	})
	sys := newSys(t)
	before := runtime.NumGoroutine()
	f := attach(t, sys, autoprov.Config{URL: "https://prov.example/cfg/%MACD.xml", Handler: h, Client: http.DefaultClient})
	settle(t, sys)
	require.LessOrEqual(t, runtime.NumGoroutine(), before, "no goroutines in handler mode")
	require.NotNil(t, seen)
	require.Equal(t, "prov.example", seen.Host)
	require.Equal(t, "/cfg/"+testMACLower+".xml", seen.RequestURI)
	require.NotNil(t, seen.TLS, "an https URL looks like TLS to the handler")
	require.Equal(t, "https://prov.example/cfg/"+testMACLower+".xml", f.Requests()[0].URL)
	v, _ := sys.Setting(okParam)
	require.Equal(t, "pbx", v)
}

func TestHandlerModeFaults(t *testing.T) {
	cases := map[string]struct {
		h      http.HandlerFunc
		reason string
	}{
		"short body": {func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "1000")
			_, _ = w.Write([]byte("<provisioning"))
		}, autoprov.ReasonTruncated},
		"abort after header": {func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte("<provisioning"))
			panic(http.ErrAbortHandler)
		}, autoprov.ReasonTruncated},
		"panic before answer": {func(w http.ResponseWriter, r *http.Request) {
			panic("boom")
		}, autoprov.ReasonUnreachable},
		"basic only": {func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("WWW-Authenticate", `Basic realm="prov"`)
			w.WriteHeader(http.StatusUnauthorized)
		}, autoprov.ReasonUnauthorized},
		"403": {func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusForbidden)
		}, "status-403"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			sys := newSys(t)
			before := sys.Snapshot()
			attach(t, sys, autoprov.Config{URL: "http://prov.test/p.xml", Handler: c.h})
			settle(t, sys)
			evs := fetchEvents(sys)
			require.Len(t, evs, 1)
			require.Equal(t, c.reason, evs[0].Reason, evs[0].Detail)
			require.Equal(t, before.Settings, sys.Snapshot().Settings)
		})
	}
}

func TestBasicOnlyServerIsUnauthorizedSayingSo(t *testing.T) {
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", `Basic realm="prov"`)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	sys := newSys(t)
	f := attach(t, sys, autoprov.Config{URL: srv.URL + "/p.xml", Client: srv.Client(), User: "u", Password: "p"})
	settle(t, sys)
	ev := fetchEvents(sys)[0]
	require.Equal(t, autoprov.ReasonUnauthorized, ev.Reason)
	require.Contains(t, ev.Detail, "Basic")
	require.Contains(t, ev.Detail, "only HTTP Digest")
	require.Len(t, f.Requests(), 1, "no credentials are sent to a Basic challenge")
}

func TestAttachRejectsUnusableConfig(t *testing.T) {
	sys := newSys(t)
	for _, cfg := range []autoprov.Config{
		{URL: "://nope"},
		{URL: "ftp://prov.test/p.xml"},
		{URL: "http:///p.xml"},
		{URL: "http://prov.test/p.xml", Timeout: -time.Second},
		{URL: "http://prov.test/p.xml", Latency: -time.Second},
		{URL: "http://prov.test/p.xml", MaxBody: -1},
	} {
		_, err := autoprov.Attach(sys, cfg)
		require.Error(t, err, "%+v", cfg)
	}
	_, err := autoprov.Attach(nil, autoprov.Config{})
	require.Error(t, err)
	require.Zero(t, syshook.Of[system.Event](sys).Sim.Pending(), "a refused Config schedules nothing")
}

func TestSameSeedSameRun(t *testing.T) {
	run := func() ([]system.Event, []autoprov.Request) {
		auth := &digestAuth{realm: "r", user: "admin", pass: "pw", next: serveBody(doc(`<param name="Provisioning.global.Period" value="7200"/>`))}
		sys := newSys(t, system.WithSeed(9))
		f := attach(t, sys, autoprov.Config{URL: "http://prov.test/p.xml", Handler: auth, User: "admin", Password: "pw"})
		require.NoError(t, sys.Advance(24*time.Hour))
		f.CheckSync()
		require.NoError(t, sys.Advance(time.Hour))
		return sys.Events(), f.Requests()
	}
	e1, r1 := run()
	e2, r2 := run()
	require.Equal(t, e1, e2)
	require.Equal(t, r1, r2)
}

func TestNoGoroutineLeftAfterClose(t *testing.T) {
	// The server stays up: its connections end only if the fetcher's own
	// client lets them go.
	srv := newServer(t, serveBody(doc(`<param name="Provisioning.global.Period" value="1800"/>`)))
	waitGoroutines := func(max int) int {
		deadline := time.Now().Add(5 * time.Second)
		for runtime.NumGoroutine() > max && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		return runtime.NumGoroutine()
	}
	baseline := runtime.NumGoroutine()
	sys := newSys(t)
	f, err := autoprov.Attach(sys, autoprov.Config{URL: srv.URL + "/p.xml"}) // own client
	require.NoError(t, err)
	require.NoError(t, sys.Advance(3*time.Hour))
	require.Len(t, f.Requests(), 7)
	f.CheckSync()
	f.Close()
	if n := waitGoroutines(baseline); n > baseline {
		buf := make([]byte, 1<<16)
		t.Fatalf("%d goroutines, %d before:\n%s", n, baseline, buf[:runtime.Stack(buf, true)])
	}
}
