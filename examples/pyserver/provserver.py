"""A small provisioning server for Gigaset PRO DECT systems (N610 to N870E),
of the kind a PBX's provisioning module contains, written with Python's
standard library only.

It keeps its users per site (a site is one DECT system, named by its MAC)
in memory and serves each site's complete file at /<mac>.xml:

    <provisioning version="1.1" productID="e2">
      <nvm>
        <oper name="DeleteNotProvisionedHS"/>          (on top, as the FAQ says)
        <oper name="add_hs" value="IPUI"><param name="hs.RegStatus" value="ToReg"/></oper>
        <param name="hs.IPUI.DECT_AC" .../>            (one group per user)
        <param name="SipAccount.IPUI.UserName" .../>
        ...

A user who leaves the company is removed with remove_user(); the server then
tells the system to fetch its file now with a SIP NOTIFY check-sync
(send_check_sync()). What the system does with a handset that is not in the
file any more is the system's business: that is what dectsim shows.

With removal="delete_hs" (firmware 2.36 and later) the server sends no
DeleteNotProvisionedHS; it names each removed user's handset in a
<oper name="delete_hs" value="ipui"/> instead, on top of the next file it
serves, always in lower case (on 2.36.x an upper-case IPUI matches nothing).

Run it alone with `python3 provserver.py --port 8667 --user MAC:IPUI:EXT:NAME ...`;
its administration is then two HTTP calls:

    POST /admin/remove?mac=MAC&ext=EXT
    POST /admin/check-sync?sip=HOST:PORT&user=USER[&reboot=true]
"""

import argparse
import http.server
import random
import socket
import threading
import time
import urllib.parse
from xml.sax.saxutils import quoteattr

__all__ = ["User", "ProvServer", "send_check_sync", "SIPError"]


class User:
    """One PBX user with a DECT handset."""

    def __init__(self, ipui, ext, name, pin="0000", password=None):
        self.ipui = ipui  # as the administrator typed it: 10 hex digits
        self.ext = ext  # the extension, also the SIP user name
        self.name = name
        self.pin = pin  # registration PIN (hs.<ipui>.DECT_AC)
        self.password = password or "pw-" + ext


def _mac(mac):
    """A MAC as the server keys it: 12 lower-case hex digits."""
    m = mac.replace(":", "").replace("-", "").lower()
    if len(m) != 12 or any(c not in "0123456789abcdef" for c in m):
        raise ValueError("not a MAC: %r" % mac)
    return m


class ProvServer:
    """The provisioning server: users per site, files rendered on demand.

    removal is "dnphs" (the default: every file is complete and starts with
    DeleteNotProvisionedHS) or "delete_hs" (no DeleteNotProvisionedHS; a
    removed user's handset is named by delete_hs in the next file).
    lower_ipui=False writes IPUIs as they were typed, the mistake the FAQ
    warns about for firmware 2.36.
    """

    def __init__(self, removal="dnphs", domain="pbx.example.net", lower_ipui=True):
        if removal not in ("dnphs", "delete_hs"):
            raise ValueError("removal is dnphs or delete_hs")
        self.removal = removal
        self.domain = domain
        self.lower_ipui = lower_ipui
        self._lock = threading.Lock()
        self._sites = {}  # mac -> {ext: User}
        self._pending = {}  # mac -> [ipui to delete_hs]
        self._params = {}  # mac -> {name: value}, the site's own settings
        self.requests = []  # (path, user agent, status), in order
        self._httpd = None
        self._thread = None

    # --- the administration a PBX offers -------------------------------

    def add_site(self, mac):
        with self._lock:
            self._sites.setdefault(_mac(mac), {})

    def add_user(self, mac, user):
        with self._lock:
            self._sites.setdefault(_mac(mac), {})[user.ext] = user

    def set_param(self, mac, name, value):
        """A setting of the whole system, e.g.
        SystemSettings.global.CheckSyncRebootEnabled."""
        with self._lock:
            self._sites.setdefault(_mac(mac), {})
            self._params.setdefault(_mac(mac), {})[name] = value

    def remove_user(self, mac, ext):
        """Bob leaves the company: his user goes, and with it his handset
        from the next file the system fetches."""
        with self._lock:
            user = self._sites[_mac(mac)].pop(ext)
            if self.removal == "delete_hs":
                self._pending.setdefault(_mac(mac), []).append(user.ipui)
        return user

    def users(self, mac):
        with self._lock:
            return sorted(self._sites.get(_mac(mac), {}).values(), key=lambda u: u.ext)

    # --- the file ---------------------------------------------------------

    def _ipui(self, ipui):
        return ipui.lower() if self.lower_ipui else ipui

    def render(self, mac, take_pending=True):
        """The complete file for a site, as bytes; None for an unknown site.
        The delete_hs opers of removed users go into one file only."""
        with self._lock:
            site = self._sites.get(_mac(mac))
            if site is None:
                return None
            users = sorted(site.values(), key=lambda u: u.ext)
            pending = self._pending.get(_mac(mac), [])
            params = sorted(self._params.get(_mac(mac), {}).items())
            if take_pending:
                self._pending[_mac(mac)] = []
        out = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            '<provisioning version="1.1" productID="e2">',
            "  <nvm>",
        ]
        if self.removal == "dnphs":
            # Must be on top of the file, or the system ignores it.
            out.append('    <oper name="DeleteNotProvisionedHS"/>')
        else:
            for ipui in pending:
                out.append('    <oper name="delete_hs" value=%s/>' % quoteattr(self._ipui(ipui)))
        out.append('    <param name="SipProvider.0.Domain" value=%s/>' % quoteattr(self.domain))
        for name, value in params:
            out.append("    <param name=%s value=%s/>" % (quoteattr(name), quoteattr(value)))
        for u in users:
            i = self._ipui(u.ipui)
            out.append('    <oper name="add_hs" value=%s>' % quoteattr(i))
            out.append('      <param name="hs.RegStatus" value="ToReg"/>')
            out.append("    </oper>")
            for name, value in (
                ("hs.%s.DECT_AC" % i, u.pin),
                ("SipAccount.%s.AuthName" % i, u.ext),
                ("SipAccount.%s.AuthPassword" % i, u.password),
                ("SipAccount.%s.UserName" % i, u.ext),
                ("SipAccount.%s.DisplayName" % i, "%s %s" % (u.ext, u.name)),
                ("SipAccount.%s.ProviderId" % i, "0"),
            ):
                out.append("    <param name=%s value=%s/>" % (quoteattr(name), quoteattr(value)))
        out += ["  </nvm>", "</provisioning>", ""]
        return "\n".join(out).encode("utf-8")

    # --- HTTP -------------------------------------------------------------

    def _handler(self):
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                # The PBX's administration, reduced to two calls:
                #   POST /admin/remove?mac=MAC&ext=EXT
                #   POST /admin/check-sync?sip=HOST:PORT&user=USER[&reboot=true]
                path, _, query = self.path.partition("?")
                q = {k: v[0] for k, v in urllib.parse.parse_qs(query).items()}
                try:
                    if path == "/admin/remove":
                        user = server.remove_user(q["mac"], q["ext"])
                        answer = "removed %s (%s)\n" % (user.ext, user.ipui)
                    elif path == "/admin/check-sync":
                        host, _, port = q["sip"].rpartition(":")
                        answer = send_check_sync(host, int(port), q["user"], reboot=q.get("reboot") == "true") + "\n"
                    else:
                        self._answer(404, "no such admin path\n")
                        return
                except (KeyError, ValueError, SIPError, OSError) as e:
                    self._answer(400, "%s: %s\n" % (type(e).__name__, e))
                    return
                self._answer(200, answer)

            def _answer(self, status, text):
                body = text.encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                path = self.path.split("?", 1)[0]
                body = None
                name = path.rsplit("/", 1)[-1]
                if name.endswith(".xml") and name != "provisioning.xml":
                    try:
                        body = server.render(name[: -len(".xml")])
                    except ValueError:
                        body = None
                status = 200 if body is not None else 404
                with server._lock:
                    server.requests.append((path, self.headers.get("User-Agent", ""), status))
                if body is None:
                    body = b"not found\n"
                self.send_response(status)
                self.send_header("Content-Type", "application/xml" if status == 200 else "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass  # the requests list is the log

        return Handler

    def start(self, host="127.0.0.1", port=0):
        """Serves in a thread; returns the port."""
        self._httpd = http.server.ThreadingHTTPServer((host, port), self._handler())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
        self._thread.start()
        return self._httpd.server_address[1]

    def stop(self):
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._thread.join(timeout=5)
            self._httpd = None

    def paths(self):
        with self._lock:
            return [p for p, _, _ in self.requests]


# --- SIP NOTIFY check-sync ----------------------------------------------------


class SIPError(Exception):
    pass


def send_check_sync(host, port, user, reboot=False, timeout=3.0):
    """Asks the system that has a SIP account `user` to fetch its file now:
    a SIP NOTIFY with Event: check-sync over UDP. Returns the final answer's
    status line ("SIP/2.0 200 OK"). A UDP request may get lost, so it is sent
    again (after 0.5 s, 1 s, 2 s ...) until an answer comes or timeout ends."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.bind(("127.0.0.1", 0))
        local = sock.getsockname()
        branch = "z9hG4bK%016x" % random.getrandbits(64)
        tag = "%08x" % random.getrandbits(32)
        call_id = "%016x@%s" % (random.getrandbits(64), local[0])
        event = "check-sync;reboot=true" if reboot else "check-sync"
        uri = "sip:%s@%s:%d" % (user, host, port)
        msg = (
            "NOTIFY %s SIP/2.0\r\n"
            "Via: SIP/2.0/UDP %s:%d;branch=%s;rport\r\n"
            "Max-Forwards: 70\r\n"
            "From: <sip:provisioning@%s>;tag=%s\r\n"
            "To: <%s>\r\n"
            "Call-ID: %s\r\n"
            "CSeq: 1 NOTIFY\r\n"
            "Contact: <sip:provisioning@%s:%d>\r\n"
            "Event: %s\r\n"
            "Subscription-State: terminated\r\n"
            "Content-Length: 0\r\n"
            "\r\n"
        ) % (uri, local[0], local[1], branch, local[0], tag, uri, call_id, local[0], local[1], event)
        deadline = time.monotonic() + timeout
        wait = 0.5
        while True:
            sock.sendto(msg.encode("ascii"), (host, port))
            resend = time.monotonic() + wait
            while True:
                left = min(resend, deadline) - time.monotonic()
                if left <= 0:
                    break
                sock.settimeout(left)
                try:
                    data, _ = sock.recvfrom(65535)
                except socket.timeout:
                    break
                line = data.split(b"\r\n", 1)[0].decode("utf-8", "replace")
                parts = line.split(" ", 2)
                if len(parts) >= 2 and parts[0] == "SIP/2.0" and parts[1].isdigit():
                    if int(parts[1]) >= 200:
                        return line
                    resend = deadline  # a provisional answer: stop resending, wait
            if time.monotonic() >= deadline:
                raise SIPError("no answer to NOTIFY %s from %s:%d within %.1f s" % (uri, host, port, timeout))
            wait = min(wait * 2, 4.0)
    finally:
        sock.close()


def status_code(status_line):
    """200 for "SIP/2.0 200 OK"."""
    return int(status_line.split(" ", 2)[1])


def main():
    ap = argparse.ArgumentParser(description="A small Gigaset provisioning server (example).")
    ap.add_argument("--port", type=int, default=8667)
    ap.add_argument("--removal", choices=("dnphs", "delete_hs"), default="dnphs")
    ap.add_argument("--user", action="append", default=[], metavar="MAC:IPUI:EXT:NAME")
    args = ap.parse_args()
    srv = ProvServer(removal=args.removal)
    for spec in args.user:
        mac, ipui, ext, name = spec.split(":", 3)
        srv.add_user(mac, User(ipui, ext, name))
    port = srv.start(port=args.port)
    print("provserver: serving /<mac>.xml on http://127.0.0.1:%d/" % port, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        srv.stop()


if __name__ == "__main__":
    main()
