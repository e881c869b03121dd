"""Tests of the example provisioning server against `dectsim serve`.

Each test starts provserver on a free port, starts `dectsim serve` on free
ports (HTTP API and SIP) with a scenario whose provisioning-url holds
${PROV_PORT}, and drives the vendor FAQ's stories through HTTP and SIP only.

The dectsim binary is $DECTSIM; without it the suite builds one with
`go build` from this repository, once.

    python3 -m unittest discover -s examples/pyserver -v
"""

import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ beside the example

from provserver import ProvServer, User, send_check_sync, status_code  # noqa: E402
from registrar import Registrar  # noqa: E402

REPO = os.path.dirname(os.path.dirname(HERE))
HTTP_TIMEOUT = 10  # seconds, every API call
START_TIMEOUT = 15  # until dectsim serve has printed where it listens
STOP_TIMEOUT = 10  # from SIGTERM to exit
BUILD_TIMEOUT = 300

ALICE = "029e74a599"
BOB = "02b6ec8aa5"
CAROL = "0311223344"
SITE_MAC = "7c2f80a1b2c3"

_binary = None
_build_dir = None


def setUpModule():
    global _binary, _build_dir
    _binary = os.environ.get("DECTSIM")
    if _binary:
        return
    go = shutil.which("go")
    if go is None:
        raise unittest.SkipTest("neither $DECTSIM nor a go command to build dectsim with")
    _build_dir = tempfile.mkdtemp(prefix="dectsim-bin-")
    _binary = os.path.join(_build_dir, "dectsim")
    subprocess.run([go, "build", "-o", _binary, "./cmd/dectsim"], cwd=REPO, check=True, timeout=BUILD_TIMEOUT)


def tearDownModule():
    if _build_dir:
        shutil.rmtree(_build_dir, ignore_errors=True)


def scenario_xml(mac, firmware, handsets, url="http://127.0.0.1:${PROV_PORT}/", name="a site"):
    """A scenario file: one system and its handsets, (ipui, range) pairs,
    every one registered."""
    hs = "\n".join(
        '  <handset ipui="%s" state="Registered" range="%s"/>' % (ipui, rng) for ipui, rng in handsets
    )
    return (
        '<scenario name="%s" start="2026-01-05T09:00:00Z">\n'
        '  <system firmware="%s" mac="%s" provisioning-url="%s"/>\n'
        "%s\n"
        "</scenario>\n"
    ) % (name, firmware, mac, url, hs)


class Dectsim:
    """One `dectsim serve` process and its API."""

    def __init__(self, tc, files, env, flags=()):
        self.tc = tc
        self.stderr = tempfile.TemporaryFile(mode="w+")
        self.proc = subprocess.Popen(
            [_binary, "serve", "--addr", "127.0.0.1:0", "--sip", "127.0.0.1:0"] + list(flags) + list(files),
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            env=env,
            text=True,
        )
        self.lines = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        try:
            self._announced()
        except BaseException:
            self.proc.kill()  # never leave it running
            self.proc.wait(timeout=STOP_TIMEOUT)
            self.proc.stdout.close()
            self.stderr.close()
            raise

    def _announced(self):
        """Reads the ports from the first lines it prints."""
        tc = self.tc
        first = self.line()
        m = re.fullmatch(r"dectsim serve: listening on (http://127\.0\.0\.1:\d+)/", first)
        tc.assertIsNotNone(m, "first line: %r" % first)
        self.base = m.group(1)
        second = self.line()
        m = re.fullmatch(r"dectsim serve: SIP on udp (127\.0\.0\.1):(\d+)", second)
        tc.assertIsNotNone(m, "second line: %r" % second)
        self.sip = (m.group(1), int(m.group(2)))
        self.systems_line = self.line()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def line(self, timeout=START_TIMEOUT):
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            self.tc.fail("dectsim serve printed nothing for %d s" % timeout)
        if line is None:
            self.proc.wait(timeout=STOP_TIMEOUT)
            self.stderr.seek(0)
            self.tc.fail("dectsim serve ended (exit %s): %s" % (self.proc.returncode, self.stderr.read()))
        return line

    def stop(self):
        """SIGTERM; dectsim serve stops cleanly and exits 0."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=STOP_TIMEOUT)
            self.tc.fail("dectsim serve did not stop within %d s of SIGTERM" % STOP_TIMEOUT)
        rest = []
        while True:
            try:
                line = self.lines.get(timeout=STOP_TIMEOUT)
            except queue.Empty:
                break
            if line is None:
                break
            rest.append(line)
        self.proc.stdout.close()
        self.stderr.seek(0)
        err = self.stderr.read()
        self.stderr.close()
        self.tc.assertEqual(code, 0, "exit code after SIGTERM; stderr: %s" % err)
        self.tc.assertEqual(rest[-1:], ["dectsim serve: stopped"])

    # --- the API ---------------------------------------------------------

    def request(self, method, path, body=None, ctype=None):
        """(status, headers, decoded JSON) of one call."""
        if isinstance(body, (list, dict)):
            body, ctype = json.dumps(body).encode(), ctype or "application/json"
        elif isinstance(body, str):
            body = body.encode()
        req = urllib.request.Request(self.base + path, data=body, method=method)
        if ctype:
            req.add_header("Content-Type", ctype)
        try:
            with urllib.request.urlopen(req, timeout=HTTP_TIMEOUT) as r:
                code, headers, raw = r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            code, headers, raw = e.code, e.headers, e.read()
            e.close()
        self.tc.assertEqual(headers.get("Content-Type"), "application/json", raw)
        return code, headers, json.loads(raw)

    def api(self, method, path, body=None, status=200, ctype=None):
        code, _, out = self.request(method, path, body, ctype)
        self.tc.assertEqual(code, status, "%s %s: %s" % (method, path, out))
        return out

    def advance(self, **how):
        return self.api("POST", "/api/advance", how)

    def system(self, mac):
        return self.api("GET", "/api/systems/" + mac)

    def steps(self, mac, steps, status=200):
        return self.api("POST", "/api/systems/%s/steps" % mac, steps, status=status)

    def events(self, mac, since=0):
        return self.api("GET", "/api/systems/%s/events?since=%d" % (mac, since))

    def notify(self, user, reboot=False):
        return send_check_sync(self.sip[0], self.sip[1], user, reboot=reboot, timeout=5)


def slot(view, ipui):
    """The slot of the handset list holding ipui, or None (absent)."""
    for s in view["slots"]:
        if s["ipui"] == ipui or s["id"] == ipui:
            return s
    return None


def handset(view, ipui):
    for h in view["handsets"]:
        if h["ipui"] == ipui:
            return h
    raise AssertionError("no handset %s in %s" % (ipui, view["handsets"]))


def of(events, type_, ipui=None):
    return [e for e in events if e["type"] == type_ and (ipui is None or e["ipui"] == ipui)]


class Base(unittest.TestCase):
    """A provisioning server and a dectsim serve pointed at it."""

    def start_server(self, **kw):
        self.server = ProvServer(**kw)
        self.port = self.server.start()
        self.addCleanup(self.server.stop)
        return self.server

    def admin(self, path):
        req = urllib.request.Request("http://127.0.0.1:%d%s" % (self.port, path), data=b"", method="POST")
        with urllib.request.urlopen(req, timeout=HTTP_TIMEOUT) as r:
            return r.read().decode("utf-8")

    def write(self, name, text):
        d = getattr(self, "_dir", None)
        if d is None:
            d = self._dir = tempfile.mkdtemp(prefix="pyserver-")
            self.addCleanup(shutil.rmtree, d, True)
        path = os.path.join(d, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def start_dectsim(self, *files, flags=()):
        env = dict(os.environ)
        if hasattr(self, "port"):
            env["PROV_PORT"] = str(self.port)
        d = Dectsim(self, files, env, flags)
        self.addCleanup(d.stop)
        return d

    def boot(self, d):
        """The boot fetches are due at the start; nothing happens until the
        clock moves. One minute later every system has fetched and applied
        its file."""
        moved = d.advance(by="1m")
        self.assertEqual(moved["now"], "2026-01-05T09:01:00Z")
        return moved


class TestGhostAfter24h(Base):
    """The FAQ's graceful removal: a handset that is away when its user is
    removed is waited for 24 hours, then its slot goes and it is a ghost."""

    def test_removed_while_away_becomes_a_ghost_after_24h(self):
        srv = self.start_server()
        srv.add_user(SITE_MAC, User(ALICE, "1001", "Alice"))
        srv.add_user(SITE_MAC, User(BOB, "1002", "Bob"))
        d = self.start_dectsim(os.path.join(HERE, "site.xml"))
        self.assertEqual(d.systems_line, "dectsim serve: 1 system(s): %s; clock manual (POST /api/advance moves it)" % SITE_MAC)

        # Nothing has happened yet: the boot fetch is due at the start.
        self.assertEqual(srv.requests, [])
        self.assertEqual(d.events(SITE_MAC), [])
        moved = self.boot(d)
        self.assertEqual([(e["type"], e.get("outcome"), e["ipui"]) for e in moved["events"]], [
            ("fetch", "ok", ""), ("provisioning-applied", None, ""),
            # Within the air time the DM registers each handset's account at the PBX.
            ("sip-registered", None, ALICE), ("sip-registered", None, BOB)])
        self.assertEqual([(e["user"], e["registrar"]) for e in moved["events"][2:]], [("1001", "pbx.example.net"), ("1002", "pbx.example.net")])
        # The URL ends in /: a directory. provisioning.xml first, then <mac>.xml.
        self.assertEqual(srv.paths(), ["/provisioning.xml", "/%s.xml" % SITE_MAC])
        ua = srv.requests[-1][1]
        self.assertRegex(ua, r"^Gigaset N870 IP PRO/83\.V2\.35\.0\+build\.[0-9a-f]+;7C2F80A1B2C3$")
        view = d.system(SITE_MAC)
        self.assertEqual([(s["id"], s["state"]) for s in view["slots"]], [(ALICE, "Registered"), (BOB, "Registered")])
        settings = d.api("GET", "/api/systems/%s/settings" % SITE_MAC)
        self.assertEqual(settings["SipAccount.%s.UserName" % BOB], "1002")

        # Bob goes on holiday, then leaves the company.
        out = d.steps(SITE_MAC, [{"step": "move", "ipui": BOB, "range": "out"}])
        self.assertEqual([(e["type"], e["ipui"], e["detail"]) for e in out["events"]], [("handset-moved", BOB, "out")])
        # Through the server's own administration, over HTTP.
        self.assertEqual(self.admin("/admin/remove?mac=%s&ext=1002" % SITE_MAC), "removed 1002 (%s)\n" % BOB)
        self.assertNotIn(BOB.encode(), srv.render(SITE_MAC))
        self.assertEqual(self.admin("/admin/check-sync?sip=%s:%d&user=1001" % d.sip), "SIP/2.0 200 OK\n")

        moved = d.advance(by="1m")
        types = [(e["type"], e["ipui"]) for e in moved["events"]]
        self.assertEqual(types[0], ("fetch", ""))
        self.assertIn(("dereg-requested", BOB), types)
        self.assertNotIn(("dereg-requested", ALICE), types)
        req = of(moved["events"], "dereg-requested", BOB)[0]
        self.assertEqual((req["trigger"], req["state"], req["time"]), ("DeleteNotProvisionedHS", "ToDeReg", "2026-01-05T09:01:01Z"))
        view = d.system(SITE_MAC)
        self.assertEqual(slot(view, BOB)["state"], "ToDeReg")
        self.assertEqual(slot(view, BOB)["deadline"], "2026-01-06T09:01:01Z")
        self.assertEqual(slot(view, ALICE)["state"], "Registered")
        self.assertEqual(handset(view, BOB), {"ipui": BOB, "power": "on", "range": "out", "subscribed": True, "ghost": False,
                                              "base": "none", "reach": ["base1"]})
        check = of(d.events(SITE_MAC), "check-sync")
        self.assertEqual([(e["trigger"], e["outcome"]) for e in check], [("sip", "no-reboot")])

        # One second before the deadline nothing has changed ...
        d.advance(to="2026-01-06T09:01:00Z")
        self.assertEqual(slot(d.system(SITE_MAC), BOB)["state"], "ToDeReg")
        # ... at request time + 24 h exactly the slot goes and Bob's handset,
        # still holding its subscription, is a ghost.
        moved = d.advance(by="1s")
        self.assertEqual([(e["type"], e["ipui"], e["time"]) for e in moved["events"]], [
            # The PBX sees Bob's extension unregistered: the first it knows of the ghost.
            ("sip-unregistered", BOB, "2026-01-06T09:01:01Z"),
            ("dereg-timeout", BOB, "2026-01-06T09:01:01Z"),
            ("ghost-created", BOB, "2026-01-06T09:01:01Z"),
        ])
        view = d.system(SITE_MAC)
        self.assertIsNone(slot(view, BOB))
        self.assertEqual(handset(view, BOB), {"ipui": BOB, "power": "on", "range": "out", "subscribed": True, "ghost": True,
                                              "base": "none", "reach": ["base1"]})
        self.assertEqual(view["ghosts"], 1)
        self.assertEqual(slot(view, ALICE)["state"], "Registered")
        settings = d.api("GET", "/api/systems/%s/settings" % SITE_MAC)
        self.assertNotIn("SipAccount.%s.UserName" % BOB, settings)

        evs = d.events(SITE_MAC)
        self.assertEqual([e["seq"] for e in evs], list(range(1, len(evs) + 1)))
        self.assertEqual(len(of(evs, "dereg-timeout", BOB)), 1)
        self.assertEqual(len(of(evs, "ghost-created", BOB)), 1)
        self.assertEqual(of(evs, "dereg-completed"), [])
        # since= gives only what came after.
        self.assertEqual(d.events(SITE_MAC, since=evs[-2]["seq"]), evs[-1:])


class TestDeleteHS(Base):
    """delete_hs (firmware 2.36 and later): a handset that cannot be reached
    is removed at once, one on the desk gracefully; on 2.36.x only a
    lower-case IPUI matches."""

    def test_delete_hs_removes_an_away_handset_at_once_and_a_near_one_gracefully(self):
        mac = "7c2f80000236"
        srv = self.start_server(removal="delete_hs")
        for ipui, ext, name in ((ALICE, "1001", "Alice"), (BOB, "1002", "Bob"), (CAROL, "1003", "Carol")):
            srv.add_user(mac, User(ipui, ext, name))
        d = self.start_dectsim(self.write("site236.xml", scenario_xml(
            mac.upper(), "2.36.0", [(ALICE, "in"), (BOB, "out"), (CAROL, "in")])))
        self.boot(d)
        self.assertEqual(len(d.system(mac)["slots"]), 3)

        srv.remove_user(mac, "1002")  # Bob, away
        srv.remove_user(mac, "1003")  # Carol, on her desk
        body = srv.render(mac, take_pending=False).decode()
        self.assertIn('<oper name="delete_hs" value="%s"/>' % BOB, body)
        self.assertNotIn("DeleteNotProvisionedHS", body)
        self.assertEqual(status_code(d.notify("1001")), 200)

        # The file lands 1 s after the fetch: Bob's slot is gone at once.
        moved = d.advance(by="2s")
        self.assertEqual([(e["type"], e["ipui"], e.get("trigger")) for e in moved["events"] if e["ipui"]], [
            ("dereg-requested", BOB, "delete_hs"),
            ("sip-unregistered", BOB, None),  # the PBX sees Bob's extension go first
            ("forced-removal", BOB, None),
            ("ghost-created", BOB, None),
            ("dereg-requested", CAROL, "delete_hs"),
        ])
        view = d.system(mac)
        self.assertIsNone(slot(view, BOB))
        self.assertTrue(handset(view, BOB)["ghost"])
        self.assertEqual(slot(view, CAROL)["state"], "ToDeReg")
        self.assertEqual(slot(view, ALICE)["state"], "Registered")

        # Carol's handset is reached over the air within a minute: no ghost.
        moved = d.advance(by="1m")
        done = of(moved["events"], "dereg-completed", CAROL)
        self.assertEqual([(e["outcome"], e["state"]) for e in done], [("graceful", "absent")])
        view = d.system(mac)
        self.assertIsNone(slot(view, CAROL))
        self.assertEqual(handset(view, CAROL), {"ipui": CAROL, "power": "on", "range": "in", "subscribed": False, "ghost": False,
                                                "base": "base1", "reach": ["base1"]})
        self.assertEqual(view["ghosts"], 1)
        # Nobody waited 24 hours.
        d.advance(by="48h")
        evs = d.events(mac)
        self.assertEqual(of(evs, "dereg-timeout"), [])
        self.assertEqual(len(of(evs, "forced-removal")), 1)
        self.assertEqual([s["id"] for s in d.system(mac)["slots"]], [ALICE])

    def test_upper_case_ipui_matches_nothing_on_2_36_but_does_from_2_37(self):
        # The server's mistake: IPUIs written as typed, in upper case.
        srv = self.start_server(removal="delete_hs", lower_ipui=False)
        sites = {"7c2f80000236": "2.36.0", "7c2f80000237": "2.37.0"}
        files = []
        for mac, fw in sites.items():
            srv.add_user(mac, User(ALICE.upper(), "a-" + fw, "Alice"))
            srv.add_user(mac, User(BOB.upper(), "b-" + fw, "Bob"))
            files.append(self.write(mac + ".xml", scenario_xml(mac.upper(), fw, [(ALICE, "in"), (BOB, "out")])))
        d = self.start_dectsim(*files)
        self.boot(d)
        for mac, fw in sites.items():
            srv.remove_user(mac, "b-" + fw)
            self.assertIn(b'value="02B6EC8AA5"', srv.render(mac, take_pending=False))
            self.assertEqual(d.notify("a-" + fw), "SIP/2.0 200 OK")
        d.advance(by="1m")

        # 2.36.0: delete_hs "02B6EC8AA5" names no slot; a warning, Bob stays.
        evs = d.events("7c2f80000236")
        warn = of(evs, "warning", BOB)
        self.assertEqual([(w["code"], w["slot"]) for w in warn], [("ipui-case", BOB)])
        self.assertEqual(of(evs, "forced-removal"), [])
        view = d.system("7c2f80000236")
        self.assertEqual(slot(view, BOB)["state"], "Registered")
        self.assertFalse(handset(view, BOB)["ghost"])

        # 2.37.0 accepts upper case: Bob's slot is removed at once.
        evs = d.events("7c2f80000237")
        self.assertEqual(of(evs, "warning"), [])
        self.assertEqual(len(of(evs, "forced-removal", BOB)), 1)
        view = d.system("7c2f80000237")
        self.assertIsNone(slot(view, BOB))
        self.assertTrue(handset(view, BOB)["ghost"])


class TestTwoSystems(Base):
    """SIP NOTIFY reaches the system that has the Request-URI's user as an
    account; with two systems an unknown user is 404. Expectations sent as
    steps come back with their result."""

    def test_notify_finds_the_system_by_account_and_expectations_come_back(self):
        a, b = "7c2f80000a01", "7c2f80000b02"
        srv = self.start_server()
        srv.add_user(a, User(ALICE, "1001", "Alice"))
        srv.add_user(b, User(BOB, "2001", "Dora"))
        d = self.start_dectsim(
            self.write("a.xml", scenario_xml(a.upper(), "2.65.0", [(ALICE, "in")], name="site A")),
            self.write("b.xml", scenario_xml(b.upper(), "2.65.0", [(BOB, "in")], name="site B")))
        self.assertEqual([s["mac"] for s in d.api("GET", "/api/systems")], [a, b])
        self.boot(d)

        self.assertEqual(d.notify("nobody"), "SIP/2.0 404 Not Found")
        self.assertEqual(d.notify(""), "SIP/2.0 404 Not Found")
        self.assertEqual(d.notify("2001"), "SIP/2.0 200 OK")
        d.advance(by="1m")
        self.assertEqual(of(d.events(a), "check-sync"), [])
        self.assertEqual([e["trigger"] for e in of(d.events(b), "check-sync")], ["sip"])
        self.assertEqual([p for p in srv.paths() if p.endswith(b + ".xml")], ["/%s.xml" % b] * 2)

        out = d.steps(b, [{"step": "expect", "ipui": BOB, "state": "Registered"}])
        self.assertEqual(out["events"], [])
        self.assertEqual([(x["passed"], x["detail"]) for x in out["expectations"]],
                         [(True, '<expect ipui="%s" state="Registered"/>' % BOB)])
        # A failed expectation is a result, not an error: 200.
        out = d.steps(b, '<expect ipui="%s" state="ToDeReg" ghost="false"/>' % BOB)
        (x,) = out["expectations"]
        self.assertEqual((x["passed"], x["expected"], x["found"], x["line"], x["col"]),
                         (False, "state=ToDeReg ghost=false", "state=Registered ghost=false", 1, 1))
        view = d.system(b)
        self.assertEqual((view["passed"], view["failed"]), (1, 1))
        self.assertEqual([e["passed"] for e in view["expectations"]], [True, False])
        self.assertEqual((d.system(a)["passed"], d.system(a)["failed"]), (0, 0))


class TestCheckSyncReboot(Base):
    """With one system every NOTIFY reaches it, but only a real account's
    can make it reboot (firmware 2.52 and later, CheckSyncRebootEnabled=1)."""

    def test_anonymous_notify_fetches_and_only_an_account_reboots(self):
        srv = self.start_server()
        srv.add_user(SITE_MAC, User(ALICE, "1001", "Alice"))
        srv.set_param(SITE_MAC, "SystemSettings.global.CheckSyncRebootEnabled", "1")
        d = self.start_dectsim(self.write("site.xml", scenario_xml(SITE_MAC.upper(), "2.65.0", [(ALICE, "in")])))
        self.boot(d)
        self.assertEqual(d.api("GET", "/api/systems/%s/settings" % SITE_MAC)["SystemSettings.global.CheckSyncRebootEnabled"], "1")

        self.assertEqual(d.notify("someone-else", reboot=True), "SIP/2.0 200 OK")
        d.advance(by="1m")
        evs = d.events(SITE_MAC)
        self.assertEqual([(e["trigger"], e["outcome"]) for e in of(evs, "check-sync")], [("sip", "no-reboot")])
        self.assertEqual(of(evs, "reboot"), [])

        seen = evs[-1]["seq"]
        self.assertEqual(d.notify("1001", reboot=True), "SIP/2.0 200 OK")
        d.advance(by="1m")
        evs = d.events(SITE_MAC, since=seen)
        self.assertEqual([(e["trigger"], e["outcome"]) for e in of(evs, "check-sync")], [("sip", "reboot")])
        self.assertEqual(len(of(evs, "reboot")), 1)
        self.assertEqual([e["outcome"] for e in of(evs, "fetch")], ["ok"])
        self.assertEqual(slot(d.system(SITE_MAC), ALICE)["state"], "Registered")


class TestBadRequests(Base):
    """Bad input is a 400 with a JSON error that says where; it changes
    nothing."""

    def test_bad_requests_are_400_with_a_json_error(self):
        d = self.start_dectsim()  # one default N870, no handsets
        (only,) = d.api("GET", "/api/systems")
        mac = only["mac"]
        self.assertEqual((only["product"], only["firmware"], only["slots"], only["handsets"]), ("N870", "2.65.0", 0, 0))

        # XML with a typo: line, col and an excerpt; the first step did not run.
        code, _, err = d.request("POST", "/api/systems/%s/steps" % mac,
                                 '<handset ipui="%s"/>\n<move ipui="%s" rnage="out"/>' % (CAROL, CAROL), "application/xml")
        self.assertEqual(code, 400)
        self.assertEqual((err["line"], err["col"]), (2, 25))
        self.assertIn('"rnage"', err["error"])
        self.assertIn("rnage", err["excerpt"])
        self.assertEqual(d.system(mac)["handsets"], [])

        # Not well-formed XML.
        err = d.steps(mac, '<expect slots="0">', status=400)
        self.assertIn("line", err)
        self.assertIn("col", err)

        # JSON: the step at fault, from 1.
        err = d.steps(mac, [{"step": "handset", "ipui": CAROL}, {"step": "mvoe", "ipui": CAROL}], status=400)
        self.assertEqual(err["step"], 2)
        self.assertIn("mvoe", err["error"])
        err = d.steps(mac, [{"step": "move", "ipui": CAROL, "range": "out"}], status=400)
        self.assertEqual(err["step"], 1)
        self.assertIn("unknown IPUI", err["error"])
        # Steps never read files.
        err = d.steps(mac, '<provision src="/etc/passwd"/>', status=400)
        self.assertIn("src=", err["error"])

        # The clock.
        before = d.api("GET", "/api/clock")["now"]
        for body in ({"by": "soon"}, {"by": "-1h"}, {"by": "9601h"}, {"to": "yesterday"},
                     {"to": "2020-01-01T00:00:00Z"}, {"by": "1h", "next": True}, {"after": "1h"}, {}):
            err = d.api("POST", "/api/advance", body, status=400)
            self.assertIsInstance(err["error"], str)
            self.assertTrue(err["error"])
        self.assertIn("soon", d.api("POST", "/api/advance", {"by": "soon"}, status=400)["error"])
        self.assertEqual(d.api("GET", "/api/clock")["now"], before)

        # A file the system refuses: 400 and the system's own event.
        out = d.api("POST", "/api/systems/%s/provision" % mac,
                    '<provisioning version="1.1" productID="e3"><nvm/></provisioning>', status=400)
        self.assertEqual([(e["type"], e["reason"]) for e in out["events"]], [("provisioning-rejected", "product-id")])

        # Paths and methods: JSON too.
        self.assertIn("error", d.api("GET", "/api/systems/001122334455", status=404))
        self.assertIn("error", d.api("GET", "/api/nothing", status=404))
        code, headers, err = d.request("DELETE", "/api/systems")
        self.assertEqual((code, headers.get("Allow")), (405, "GET"))
        self.assertIn("error", err)
        self.assertIn("error", d.api("GET", "/api/systems/%s/events?since=x" % mac, status=400))


class TestEventStream(Base):
    """GET /api/events streams every event as Server-Sent Events."""

    def test_ghost_created_arrives_on_the_stream(self):
        d = self.start_dectsim(os.path.join(REPO, "scenarios", "ghost-after-24h.xml"))
        resp = urllib.request.urlopen(d.base + "/api/events", timeout=HTTP_TIMEOUT)
        self.addCleanup(resp.close)
        self.assertEqual(resp.headers.get("Content-Type"), "text/event-stream")
        self.assertEqual(resp.readline(), b": dectsim events\n")

        failures = []

        def advance():
            try:
                d.advance(by="25h")
            except BaseException as e:  # reported below, not lost in the thread
                failures.append(e)

        mover = threading.Thread(target=advance, daemon=True)
        mover.start()
        deadline = time.monotonic() + 20
        seen, ghost = [], None
        while ghost is None and time.monotonic() < deadline:
            line = resp.readline()
            if not line:
                break  # the stream ended
            line = line.decode("utf-8").rstrip("\n")
            if not line.startswith("data: "):
                continue
            ev = json.loads(line[len("data: "):])
            seen.append(ev["type"])
            if ev["type"] == "ghost-created":
                ghost = ev
        mover.join(timeout=HTTP_TIMEOUT)
        self.assertFalse(mover.is_alive(), "the advance did not return")
        self.assertEqual(failures, [])
        self.assertIsNotNone(ghost, "no ghost-created on the stream; saw %s" % seen)
        self.assertEqual((ghost["ipui"], ghost["time"], ghost["t"]), ("02b6ec8aa5", "2026-01-06T09:00:00Z", "24h0m0s"))
        self.assertEqual(seen[-2:], ["dereg-timeout", "ghost-created"])
        self.assertIn("dereg-requested", seen)
        # The scenario's own expectations ran when the clock reached them.
        view = d.system(ghost["mac"])
        self.assertEqual((view["passed"], view["failed"]), (7, 0))


if __name__ == "__main__":
    unittest.main()


class TestThePBXSeesTheGhost(Base):
    """The PBX's side of the ghost story: with --sip-register the DECT
    manager registers every extension at the PBX's registrar; the removed
    handset's registration ends (Expires: 0) when its slot goes, and the
    ghost's never returns."""

    def test_removed_extension_is_unregistered_and_the_ghost_never_registers_again(self):
        reg = Registrar()
        reg_port = reg.start()
        self.addCleanup(reg.stop)
        srv = self.start_server()
        srv.add_user(SITE_MAC, User(ALICE, "1001", "Alice"))
        srv.add_user(SITE_MAC, User(BOB, "1002", "Bob"))
        srv.set_param(SITE_MAC, "SipProvider.0.RegServerAddress", "127.0.0.1")
        srv.set_param(SITE_MAC, "SipProvider.0.RegServerPort", str(reg_port))
        d = self.start_dectsim(self.write("site.xml", scenario_xml(SITE_MAC.upper(), "2.35.0", [(ALICE, "in"), (BOB, "in")])),
                               flags=["--sip-register"])
        self.boot(d)
        self.assertTrue(reg.wait_for(lambda: set(reg.bindings()) == {"1001", "1002"}), reg.registers)
        self.assertRegex(reg.registers_of("1001")[0][3], r"^Gigaset N870 IP PRO/83\.V2\.35\.0\+build\.[0-9a-f]+;7C2F80A1B2C3$")
        self.assertIn("<sip:1001@127.0.0.1:", reg.bindings()["1001"])

        # Bob is away when the PBX removes him: the system waits a day.
        d.steps(SITE_MAC, [{"step": "move", "ipui": BOB, "range": "out"}])
        srv.remove_user(SITE_MAC, "1002")
        self.assertEqual(status_code(d.notify("1001")), 200)
        d.advance(by="1m")
        self.assertIn("1002", reg.bindings(), "still registered while the slot waits in ToDeReg")
        d.advance(by="24h")
        self.assertTrue(reg.wait_for(lambda: "1002" not in reg.bindings()), reg.registers)
        self.assertEqual(reg.registers_of("1002")[-1][1], 0, "the registration ends with Expires: 0")
        self.assertTrue(handset(d.system(SITE_MAC), BOB)["ghost"])

        # Back at his desk the ghost tries to reach the system; the PBX never
        # sees extension 1002 again.
        n = len(reg.registers_of("1002"))
        d.steps(SITE_MAC, [{"step": "move", "ipui": BOB, "range": "in"}])
        d.advance(by="3h")
        self.assertTrue(of(d.events(SITE_MAC), "ghost-attempt", BOB))
        self.assertEqual(len(reg.registers_of("1002")), n)
        self.assertNotIn("1002", reg.bindings())
        self.assertIn("1001", reg.bindings(), "Alice's stays")
