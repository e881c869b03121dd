package sipd

import (
	"net/url"
	"strings"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// checkSyncEvent is the event package Gigaset systems fetch on.
const checkSyncEvent = "check-sync"

const (
	allowed        = "NOTIFY, OPTIONS"
	statusBadEvent = 489 // RFC 6665; sipgo has no constant for it
)

// notServed are the methods SIP defines that the emulator has no use for;
// RFC 3261 answers them 405, whereas a method the server does not know at
// all is 501.
var notServed = map[sip.RequestMethod]bool{
	sip.INVITE: true, sip.REGISTER: true, sip.SUBSCRIBE: true,
	sip.MESSAGE: true, sip.INFO: true, sip.UPDATE: true, sip.REFER: true,
	sip.PUBLISH: true, sip.PRACK: true, sip.BYE: true, sip.CANCEL: true,
}

// route registers the handlers. Everything not registered goes to sipgo's
// no-route handler, whose default would answer 405 even to ACK and to
// unknown methods.
func (s *Server) route(srv *sipgo.Server) {
	srv.OnNotify(s.guard(s.onNotify))
	srv.OnOptions(s.guard(onOptions))
	srv.OnAck(s.guard(func(*sip.Request, sip.ServerTransaction) {}))
	srv.OnNoRoute(s.guard(onOther))
}

func (s *Server) onNotify(req *sip.Request, tx sip.ServerTransaction) {
	reboot, ok := checkSync(req)
	if !ok {
		respond(req, tx, statusBadEvent, sip.NewHeader("Allow-Events", checkSyncEvent))
		return
	}
	code := s.target.CheckSync(requestUser(req.Recipient), reboot)
	if code < 200 || code > 699 {
		// A provisional or bogus code would leave the sender retransmitting.
		code = sip.StatusInternalServerError
	}
	respond(req, tx, code)
}

func onOptions(req *sip.Request, tx sip.ServerTransaction) {
	respond(req, tx, sip.StatusOK,
		sip.NewHeader("Allow", allowed),
		sip.NewHeader("Allow-Events", checkSyncEvent))
}

func onOther(req *sip.Request, tx sip.ServerTransaction) {
	if notServed[req.Method] {
		// RFC 3261 21.4.6: a 405 must say what is allowed.
		respond(req, tx, sip.StatusMethodNotAllowed, sip.NewHeader("Allow", allowed))
		return
	}
	respond(req, tx, sip.StatusNotImplemented)
}

// respond answers through the transaction, so retransmissions of the request
// get the same answer. A failed send is not reported: the sender retransmits.
func respond(req *sip.Request, tx sip.ServerTransaction, code int, hdrs ...sip.Header) {
	res := sip.NewResponseFromRequest(req, code, reason(code), nil)
	for _, h := range hdrs {
		res.AppendHeader(h)
	}
	_ = tx.Respond(res)
}

// checkSync reports whether req carries the check-sync event, and whether
// it asks for a reboot. Event's compact form is "o" (RFC 6665), which sipgo
// does not expand.
func checkSync(req *sip.Request) (reboot, ok bool) {
	h := req.GetHeader("Event")
	if h == nil {
		h = req.GetHeader("o")
	}
	if h == nil {
		return false, false
	}
	pkg, params, _ := strings.Cut(h.Value(), ";")
	if !strings.EqualFold(strings.TrimSpace(pkg), checkSyncEvent) {
		return false, false
	}
	return rebootAsked(params), true
}

// rebootAsked reads a ;-separated parameter list such as " reboot=true".
func rebootAsked(params string) bool {
	for _, p := range strings.Split(params, ";") {
		name, value, _ := strings.Cut(p, "=")
		value = strings.Trim(strings.TrimSpace(value), `"`)
		if strings.EqualFold(strings.TrimSpace(name), "reboot") && strings.EqualFold(value, "true") {
			return true
		}
	}
	return false
}

// requestUser is the URI's user as the account knows it: sipgo keeps the
// user part as written, and RFC 3261 19.1.4 makes %XX equal to the
// character it escapes.
func requestUser(u sip.Uri) string {
	if user, err := url.PathUnescape(u.User); err == nil {
		return user
	}
	return u.User
}

// reason is the RFC 3261 reason phrase for the codes this package sends,
// and a class name for any other code a Target may return.
func reason(code int) string {
	switch code {
	case sip.StatusOK:
		return "OK"
	case sip.StatusForbidden:
		return "Forbidden"
	case sip.StatusNotFound:
		return "Not Found"
	case sip.StatusMethodNotAllowed:
		return "Method Not Allowed"
	case statusBadEvent:
		return "Bad Event"
	case sip.StatusInternalServerError:
		return "Server Internal Error"
	case sip.StatusNotImplemented:
		return "Not Implemented"
	case sip.StatusServiceUnavailable:
		return "Service Unavailable"
	}
	if class := code/100 - 2; class >= 0 && class < 5 {
		return [...]string{"Success", "Redirection", "Client Error", "Server Error", "Global Failure"}[class]
	}
	return ""
}
