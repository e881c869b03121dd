package scenario

import (
	"net/http"
	"strings"

	"github.com/dectsim/dectsim/emulator/autoprov"
	"github.com/dectsim/dectsim/emulator/system"
	"github.com/dectsim/dectsim/internal/engine/syshook"
)

// ServeHost is the origin of the scenario's own server in URLs. The server
// listens on a loopback port that changes every run; its client dials that
// port whatever the host, so events name this fixed origin and output stays
// byte-identical from run to run.
const ServeHost = "http://scenario.invalid"

// network is what a scenario run holds open: its own HTTP server (for
// <serve>) and the system's fetcher (for provisioning-url). A scenario
// without provisioning-url never touches the network.
type network struct {
	srv     *server
	fetcher *autoprov.Fetcher
}

func usesServer(sc *Scenario) bool {
	if len(sc.Serves) > 0 || strings.HasPrefix(sc.System.ProvisioningURL, "/") {
		return true
	}
	for _, b := range sc.Blocks {
		for _, st := range b.Steps {
			if st.Kind == StepServe {
				return true
			}
		}
	}
	return false
}

func attachNetwork(sys *system.System, sc *Scenario, o Options) (*network, error) {
	n := &network{}
	if usesServer(sc) {
		n.srv = newServer(sc.Serves)
	}
	url := sc.System.ProvisioningURL
	if url == "" && !o.AlwaysFetch {
		return n, nil
	}
	cfg := autoprov.Config{URL: url, User: sc.System.User, Password: sc.System.Password, Timeout: sc.System.FetchTimeout,
		Client: o.HTTPClient, UpperMAC: sc.System.UpperMAC, BootDelay: o.BootDelay}
	if strings.HasPrefix(url, "/") {
		cfg.URL = ServeHost + url
		cfg.Client = n.srv.client()
	}
	f, err := autoprov.Attach(sys, cfg)
	if err != nil {
		n.close()
		return nil, &Error{File: sc.File, Pos: sc.System.Pos, Msg: "provisioning-url: " + err.Error(), Src: sc.Src}
	}
	n.fetcher = f
	return n, nil
}

// checkSync is a <check-sync> step: from the scenario, or from the API
// when the step was sent to a live system.
func (n *network) checkSync(sys *system.System, reboot, api bool) {
	source := system.CheckSyncScenario
	if api {
		source = system.CheckSyncAPI
	}
	if n.fetcher != nil {
		n.fetcher.CheckSyncFrom(source, reboot)
		return
	}
	h := syshook.Of[system.Event](sys)
	if h.CheckSync(source, reboot) {
		return // rebooted; with no provisioning URL there is nothing to fetch
	}
	h.Record(system.Event{Type: system.EvFetch, Outcome: "error", Reason: autoprov.ReasonNoURL, Detail: "check-sync: the system has no provisioning URL"})
}

// requests are the HTTP requests the system has made.
func (n *network) requests() []autoprov.Request {
	if n == nil || n.fetcher == nil {
		return nil
	}
	return n.fetcher.Requests()
}

func (n *network) serve(sv Serve) {
	if n.srv != nil {
		n.srv.set(sv)
	}
}

func (n *network) close() {
	if n.fetcher != nil {
		n.fetcher.Close()
	}
	if n.srv != nil {
		n.srv.Close()
	}
}

var _ http.Handler = (*server)(nil)
