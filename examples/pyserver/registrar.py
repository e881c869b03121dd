"""A PBX's SIP registrar in a few lines of the standard library: it takes
REGISTERs over UDP, answers each 200 OK, and keeps the bindings, so a
PBX-side test can see what a Gigaset DECT manager (here `dectsim serve
--sip-register`) sends it: which extensions are registered, and when a
registration ends with Expires: 0."""

import re
import socket
import threading
import time


def header(msg, name):
    m = re.search(r"(?mi)^%s:\s*(.*?)\r?$" % re.escape(name), msg)
    return m.group(1) if m else ""


class Registrar:
    def __init__(self):
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.settimeout(0.2)
        self._lock = threading.Lock()
        self.registers = []  # (user, expires, contact, user agent), in order
        self._bindings = {}  # user -> contact, while registered
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def port(self):
        return self._sock.getsockname()[1]

    def start(self):
        self._thread.start()
        return self.port

    def stop(self):
        self._stop.set()
        self._thread.join(timeout=5)
        self._sock.close()

    def bindings(self):
        """The extensions registered now, with their Contact."""
        with self._lock:
            return dict(self._bindings)

    def registers_of(self, user):
        with self._lock:
            return [r for r in self.registers if r[0] == user]

    def wait_for(self, pred, timeout=5):
        end = time.time() + timeout
        while time.time() < end:
            if pred():
                return True
            time.sleep(0.02)
        return pred()

    def _serve(self):
        while not self._stop.is_set():
            try:
                data, peer = self._sock.recvfrom(65535)
            except socket.timeout:
                continue
            except OSError:
                return
            msg = data.decode("utf-8", "replace")
            if not msg.startswith("REGISTER "):
                continue
            user = re.search(r"sip:([^@>;]+)@", header(msg, "To"))
            user = user.group(1) if user else ""
            expires = int(header(msg, "Expires") or "3600")
            contact = header(msg, "Contact")
            with self._lock:
                self.registers.append((user, expires, contact, header(msg, "User-Agent")))
                if expires == 0:
                    self._bindings.pop(user, None)
                else:
                    self._bindings[user] = contact
            answer = ["SIP/2.0 200 OK"]
            for h in ("Via", "From", "To", "Call-ID", "CSeq", "Contact"):
                answer.append("%s: %s" % (h, header(msg, h)))
            answer += ["Expires: %d" % expires, "Content-Length: 0", "", ""]
            self._sock.sendto("\r\n".join(answer).encode("utf-8"), peer)
