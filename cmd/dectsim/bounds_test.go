package main

import (
	"encoding/json"
	"encoding/xml"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dectsim/dectsim/internal/testfiles"

	"github.com/dectsim/dectsim/emulator/system"
)

const passing = `<scenario name="fine"><at t="0s"><expect slots="0"/></at></scenario>`

// TestBadInputFiles runs the command on every kind of path a user can
// name: each gets its exit code and its message, the readable files given
// beside a bad one still run, and memory stays within the input limits.
func TestBadInputFiles(t *testing.T) {
	dir := t.TempDir()
	ok := write(t, dir, "ok.xml", passing)
	missing := filepath.Join(dir, "missing.xml")
	empty := filepath.Join(dir, "empty")
	require.NoError(t, os.Mkdir(empty, 0o755))
	sparse, fifo := testfiles.OversizedFiles(t, dir, 64<<20)
	haveFIFO := fifo != ""
	_, zeroErr := os.Stat("/dev/zero")
	prov := own(t, "nx70", "pbx-complete-2.65.xml")

	for _, c := range []struct {
		name     string
		args     []string
		skip     bool
		code     int
		out, err []string // substrings of stdout and stderr
		maxAlloc uint64
	}{
		{name: "run endless device", args: []string{"run", "/dev/zero"}, skip: zeroErr != nil, code: 2,
			err: []string{"/dev/zero:1:1: scenario file is larger than the limit of 16777216 bytes"}, maxAlloc: 24 << 20},
		{name: "run named pipe", args: []string{"run", fifo}, skip: !haveFIFO, code: 2,
			err: []string{"scenario file is larger than the limit of 16777216 bytes"}, maxAlloc: 24 << 20},
		{name: "run huge file", args: []string{"run", sparse}, code: 2,
			err: []string{"scenario file is 67108865 bytes; the limit is 16777216"}, maxAlloc: 1 << 20},
		{name: "run missing beside a good one", args: []string{"run", ok, missing}, code: 3,
			out: []string{"== " + ok + ": fine", "1 passed, 0 failed, 1 could not run"}, err: []string{"missing.xml"}, maxAlloc: 4 << 20},
		{name: "run missing first", args: []string{"run", missing, ok}, code: 3,
			out: []string{"1 passed, 0 failed, 1 could not run"}, maxAlloc: 4 << 20},
		{name: "run directory without scenarios", args: []string{"run", empty, ok}, code: 3,
			out: []string{"1 passed, 0 failed, 1 could not run"}, err: []string{"no *.xml scenario files"}, maxAlloc: 4 << 20},
		{name: "check endless device", args: []string{"check", "/dev/zero"}, skip: zeroErr != nil, code: 2,
			out: []string{"/dev/zero:1:1: error: limit: the document is larger than the limit MaxBytes=67108864 bytes"}, maxAlloc: 96 << 20},
		{name: "check huge file", args: []string{"check", sparse}, code: 2,
			out: []string{"huge.xml:1:1: error: limit:"}, maxAlloc: 1 << 20},
		{name: "check directory without provisioning files beside a good one", args: []string{"check", empty, prov}, code: 3,
			out: []string{"1 files, 1 errors, 0 warnings"}, err: []string{"no *.xml provisioning files"}, maxAlloc: 16 << 20},
		{name: "check directory of a huge file, a scenario and a pipe", args: []string{"check", dir}, code: 2,
			out: []string{"huge.xml:1:1: error: limit:", "1 files, 1 errors, 0 warnings"}, maxAlloc: 1 << 20},
		{name: "check missing beside a good one", args: []string{"check", missing, prov}, code: 3,
			err: []string{"missing.xml"}, maxAlloc: 16 << 20},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.skip {
				t.Skip("skipped: not available here")
			}
			if strings.Contains(strings.Join(c.args, " "), fifo) {
				testfiles.FeedFIFO(fifo, ' ')
			}
			var code int
			var out, errOut string
			n := testfiles.Allocated(func() { code, out, errOut = run(t, c.args...) })
			require.Equal(t, c.code, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
			for _, s := range c.out {
				require.Contains(t, out, s)
			}
			for _, s := range c.err {
				require.Contains(t, errOut, s)
			}
			require.Less(t, n, c.maxAlloc, "bytes allocated")
		})
	}
}

// ghostForEver is a ghost that tries every minute for ten years.
const ghostForEver = `<scenario name="ghost for ever">
  <system ghost-interval="1m"/>
  <handset ipui="02b6ec8aa5" state="Registered" range="out"/>
  <at t="0s">
    <provision>
      <provisioning version="1.1" productID="e2"><nvm><param name="hs.02b6ec8aa5.RegStatus" value="ToDeReg"/></nvm></provisioning>
    </provision>
  </at>
  <at t="25h"><move ipui="02b6ec8aa5" range="in"/></at>
  <at t="87600h"><expect ghosts="1"/></at>
</scenario>
`

// TestScenarioSetsItsOwnEventBudget: <system event-budget> bounds the
// work of one scenario; running out is an input error (exit 2) that names
// the budget.
func TestScenarioSetsItsOwnEventBudget(t *testing.T) {
	budgeted := write(t, t.TempDir(), "budgeted.xml", strings.Replace(ghostForEver, `ghost-interval="1m"`, `ghost-interval="1m" event-budget="300"`, 1))
	code, _, errOut := run(t, "run", budgeted)
	require.Equal(t, 2, code, errOut)
	require.Contains(t, errOut, `scenario "ghost for ever" stopped: event budget exhausted: 300 simulation events run by`)
	require.Contains(t, errOut, "(the budget is 300)")
}

// TestBadScenarios: scenarios that ask for too much work or for values
// outside the model are input errors (exit 2) that name the scenario and
// the limit, and never a crash; the other scenarios given still run.
func TestBadScenarios(t *testing.T) {
	dir := t.TempDir()
	ok := write(t, dir, "ok.xml", passing)
	forever := write(t, dir, "forever.xml", ghostForEver)
	fast := write(t, dir, "fast.xml", strings.Replace(ghostForEver, `ghost-interval="1m"`, `ghost-interval="30s"`, 1))
	defer func(o []system.Option) { systemOptions = o }(systemOptions)
	systemOptions = []system.Option{system.WithEventBudget(5000)}

	for _, c := range []struct {
		name     string
		args     []string
		code     int
		out, err []string
	}{
		{name: "runaway story", args: []string{"run", forever, ok}, code: 2,
			out: []string{"1 passed, 0 failed, 1 could not run"},
			err: []string{forever + `:10:3: scenario "ghost for ever" stopped: event budget exhausted: 5000 simulation events run by`, "(the budget is 5000)", "  10 |   <at t=\"87600h\">"}},
		{name: "runaway story, json", args: []string{"run", "--json", ok, forever}, code: 2,
			err: []string{`scenario "ghost for ever" stopped: event budget exhausted`, "1 passed, 0 failed, 1 could not run"}},
		{name: "ghost interval below a minute", args: []string{"run", fast}, code: 2,
			err: []string{fast + ":2:11: ghost-interval 30s is shorter than the 1m0s the model takes"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var code int
			var out, errOut string
			n := testfiles.Allocated(func() { code, out, errOut = run(t, c.args...) })
			require.Equal(t, c.code, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
			for _, s := range c.out {
				require.Contains(t, out, s)
			}
			for _, s := range c.err {
				require.Contains(t, errOut, s)
			}
			require.Less(t, n, uint64(16<<20), "bytes allocated")
		})
	}
}

// TestCheckWarnsAboutValuesTheSystemBounds: what the system takes as its
// limit instead of the value written, check says too.
func TestCheckWarnsAboutValuesTheSystemBounds(t *testing.T) {
	p := write(t, t.TempDir(), "p.xml", `<provisioning version="1.1" productID="e2">
  <nvm>
    <param name="Provisioning.global.Period" value="60"/>
    <oper name="update_dm" value="local"><param name="RegStart" value="1767225600"/><param name="RegDuration" value="9300000000"/></oper>
  </nvm>
</provisioning>
`)
	code, out, _ := run(t, "check", p)
	require.Equal(t, 0, code)
	require.Contains(t, out, p+":3:5: warning: period-too-short: ")
	require.Contains(t, out, p+":4:85: warning: bad-value: RegDuration 9300000000 s is longer than the longest window the system opens")
}

// hostile is a scenario whose texts try to forge output: a name with a
// bidi override and a C1 control, an add_hs value whose newline would
// start a PASS line of its own, a CR and a tab.
const hostile = "<scenario name=\"evil&#x202e;lmx.&#x85;\">\n" +
	"  <at t=\"0s\">\n" +
	"    <provision><provisioning version=\"1.1\" productID=\"e2\"><nvm>" +
	"<oper name=\"add_hs\" value=\"00001&#13;&#9;&#10;  PASS  forged.xml:1:1 &lt;expect/&gt;\"/>" +
	"<param name=\"X&#x9b;\" value=\"&#x9b;2J\"/>" +
	"</nvm></provisioning></provision>\n" +
	"    <expect slots=\"2\"/>\n" +
	"    <expect-param name=\"X&#x9b;\" value=\"no&#10;PASS\"/>\n" +
	"  </at>\n" +
	"</scenario>\n"

// unsafeAt returns where s holds what must not reach a terminal or an
// XML file: C0 controls but the newline, DEL, C1 controls, bidi controls,
// U+FFFD (what invalid bytes turn into) and invalid UTF-8.
func unsafeAt(s string) int {
	for i, r := range s {
		switch {
		case r == '\n':
		case r < 0x20, r == 0x7f, r >= 0x80 && r < 0xa0, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0xfffd:
			return i
		}
	}
	return -1
}

// TestHostileTextInOutput: whatever a scenario or a provisioning file
// holds, every output of the command keeps one event per line, one
// expectation per PASS or FAIL line, and no control sequence.
func TestHostileTextInOutput(t *testing.T) {
	dir := t.TempDir()
	sc := write(t, dir, "hostile.xml", hostile)
	prov := write(t, dir, "p\x1b[2J.xml", "<provisioning version=\"1.1\" productID=\"e2\"><nvm>\n"+
		"<param name=\"A&#x9b;]0;t&#x85;\" value=\"\"/>\n<oper name=\"x&#x202e;y\"/>\n</nvm></provisioning>\n")
	junit := filepath.Join(dir, "junit.xml")

	code, out, errOut := run(t, "run", "--junit", junit, sc)
	require.Equal(t, 4, code)
	for name, s := range map[string]string{"stdout": out, "stderr": errOut} {
		require.Equal(t, -1, unsafeAt(s), "%s: %q", name, s)
	}
	var marks []string
	for _, l := range strings.Split(out, "\n") {
		if f := strings.Fields(l); len(f) > 0 && (f[0] == "PASS" || f[0] == "FAIL") {
			marks = append(marks, f[0])
		}
	}
	require.Equal(t, []string{"FAIL", "FAIL"}, marks, "two expectations, two marks: nothing forged\n%s", out)
	require.Contains(t, out, `00001\r\t\n  PASS  forged.xml:1:1 <expect/>`)

	data, err := os.ReadFile(junit)
	require.NoError(t, err)
	require.Equal(t, -1, unsafeAt(string(data)), "%q", data)
	require.NoError(t, xml.Unmarshal(data, new(struct{})))

	code, out, _ = run(t, "run", "--json", sc)
	require.Equal(t, 4, code)
	ls := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	require.Len(t, ls, 5, "2 events, 2 expectations and the scenario-result:\n%s", out)
	for _, l := range ls {
		require.True(t, json.Valid([]byte(l)), l)
	}
	require.Equal(t, -1, unsafeAt(out), "%q", out)
	require.Contains(t, out, `"found":"X\u009b = \"\\u009b2J\""`, "the value as it was, C1 escaped")

	code, out, _ = run(t, "check", prov)
	require.Equal(t, 0, code)
	require.Equal(t, -1, unsafeAt(out), "%q", out)
	ls = strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	require.Equal(t, "1 files, 0 errors, 3 warnings", ls[len(ls)-1])
	for _, l := range ls[:len(ls)-1] {
		require.True(t, strings.HasPrefix(l, filepath.Join(dir, `p\x1b[2J.xml:`)), l)
	}
}

// TestResetConnectionsGiveIdenticalJSON: a server that resets every
// connection makes the client's ephemeral port part of Go's error text;
// the output names the server's URL and the failure in fixed words, so
// twenty runs print the same bytes.
func TestResetConnectionsGiveIdenticalJSON(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			buf := make([]byte, 1024)
			_, _ = c.Read(buf)
			_ = c.(*net.TCPConn).SetLinger(0)
			_ = c.Close()
		}
	}()
	dir := t.TempDir()
	p := write(t, dir, "reset.xml", `<scenario name="a server that resets">
  <system provisioning-url="http://`+ln.Addr().String()+`/p.xml" fetch-timeout="2s"/>
  <at t="0s"><check-sync/></at>
  <at t="1m"><expect-event type="fetch" outcome="unreachable" count="2"/></at>
</scenario>
`)
	var first string
	for i := 0; i < 20; i++ {
		code, out, errOut := run(t, "run", "--json", p)
		require.Equal(t, 0, code, errOut)
		if i == 0 {
			first = out
			require.Contains(t, out, `"detail":"boot: GET http://`+ln.Addr().String()+`/p.xml: connection reset"`)
			require.NotContains(t, strings.ReplaceAll(out, ln.Addr().String(), ""), "127.0.0.1:")
			continue
		}
		require.Equal(t, first, out, "run %d", i+1)
	}
}

// TestFetchTimeoutIsCapped: a fetch holds the simulation while it waits,
// so fetch-timeout is at most five minutes.
func TestFetchTimeoutIsCapped(t *testing.T) {
	p := write(t, t.TempDir(), "slow.xml", `<scenario>
  <system provisioning-url="/p.xml" fetch-timeout="6m"/>
  <at t="0s"><expect slots="0"/></at>
</scenario>
`)
	code, _, errOut := run(t, "run", p)
	require.Equal(t, 2, code)
	require.Contains(t, errOut, p+":2:37: fetch-timeout 6m0s is longer than the 5m0s a fetch may take")
}
